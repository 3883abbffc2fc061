"""Peak memory of each notebook's kernel, against the classroom budget.

A student on Binder has 2 GB. Budgets (DESIGN.md "Speed and memory"): a notebook kernel stays
under 300 MB when it does not import TensorFlow and under 1.2 GB when it does (importing
TensorFlow alone costs 0.6-0.9 GB).

Each notebook runs top to bottom in a fresh kernel with no network (the same runner as the
notebook tests: tests/_notebook_runner.py). A last cell, executed in that same kernel, reads
the kernel's peak resident memory (``ru_maxrss``) and whether TensorFlow was imported.

    python bench/notebook_memory.py                      # every notebook, full size (as a student)
    python bench/notebook_memory.py --mode fast          # the test suite's fast mode
    python bench/notebook_memory.py notebooks/04_why_cnns.ipynb

MB here is 10**6 bytes. The exit status is 1 when a notebook fails or misses its budget.

Run times: ``seconds`` is the wall clock from starting the kernel to the last cell; on a
machine shared with other work it grows with the load, so the table also gives ``kernel CPU
s`` (user + system time of the kernel process, all its threads) and ``load`` (the 1-minute
load average when the notebook started). Compare CPU seconds across busy runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from _notebook_runner import NotebookFailure, course_notebooks, run_notebook  # noqa: E402

BUDGET_MB = {False: 300, True: 1200}  # keyed by "TensorFlow imported"
MARKER = "CNNVIZ_MEMORY "
MEASURE = f"""\
import json as _json, resource as _resource, sys as _sys
_usage = _resource.getrusage(_resource.RUSAGE_SELF)
print({MARKER!r} + _json.dumps({{
    "peak_kib": _usage.ru_maxrss,
    "cpu_s": _usage.ru_utime + _usage.ru_stime,
    "tensorflow": "tensorflow" in _sys.modules,
}}))
"""


def measure(path: Path, mode: str) -> dict:
    """Run one notebook; return its row of the table."""
    row = {"notebook": path.name, "mode": mode, "load": os.getloadavg()[0]}
    start = time.perf_counter()
    try:
        nb = run_notebook(
            path, extra_env={"CNNVIZ_FAST": "1" if mode == "fast" else "0"}, append_code=MEASURE
        )
    except NotebookFailure as exc:
        row.update(seconds=time.perf_counter() - start, error=str(exc).splitlines()[0])
        return row
    row["seconds"] = time.perf_counter() - start
    last = nb.cells[-1]
    text = "".join(o.get("text", "") for o in last.get("outputs", []) if "text" in o)
    line = next(x for x in text.splitlines() if x.startswith(MARKER))
    data = json.loads(line[len(MARKER) :])
    peak_mb = data["peak_kib"] * 1024 / 1e6  # Linux reports ru_maxrss in KiB
    budget = BUDGET_MB[data["tensorflow"]]
    row.update(
        peak_mb=peak_mb, tensorflow=data["tensorflow"], budget_mb=budget, cpu_s=data["cpu_s"]
    )
    row["result"] = "PASS" if peak_mb < budget else "MISS"
    return row


def format_table(rows: list[dict]) -> str:
    header = (
        "notebook",
        "mode",
        "peak MB",
        "TF imported",
        "budget MB",
        "result",
        "seconds",
        "kernel CPU s",
        "load",
    )
    lines = []
    for r in rows:
        if "error" in r:
            lines.append(
                (r["notebook"], r["mode"], "-", "-", "-", "FAILED", f"{r['seconds']:.0f}", "-", "-")
            )
        else:
            lines.append(
                (
                    r["notebook"],
                    r["mode"],
                    f"{r['peak_mb']:.0f}",
                    "yes" if r["tensorflow"] else "no",
                    str(r["budget_mb"]),
                    r["result"],
                    f"{r['seconds']:.1f}",
                    f"{r['cpu_s']:.1f}",
                    f"{r['load']:.1f}",
                )
            )
    widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*x) for x in lines]
    out += [r["error"] for r in rows if "error" in r]  # names the notebook and the cell
    return "\n".join(line.rstrip() for line in out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument(
        "--mode",
        choices=("full", "fast"),
        default="full",
        help="full (default): the sizes a student runs; fast: CNNVIZ_FAST=1 as in the tests",
    )
    args = parser.parse_args(argv)
    paths = args.notebooks or course_notebooks()
    if not paths:
        print(f"no notebooks found in {REPO / 'notebooks'}", file=sys.stderr)
        return 1
    rows = []
    for path in paths:
        rows.append(measure(path, args.mode))
        print(f"measured {path.name}", file=sys.stderr, flush=True)
    print(format_table(rows))
    return 0 if all(r.get("result") == "PASS" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
