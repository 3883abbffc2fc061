"""Execute a notebook top to bottom in a fresh kernel with no network, and report problems.

Used by tests/test_notebooks.py, by other tests that assert on a notebook's outputs, and by
bench/notebook_memory.py::

    from _notebook_runner import run_notebook, find_problems
    nb = run_notebook(REPO / "notebooks" / "04_why_cnns.ipynb")
    assert "MNIST" in output_text(nb)

The kernel gets what a student's kernel would get, minus the network and minus any cache a
developer happens to have:

- ``PYTHONPATH`` starts with ``tests/offline`` (its ``sitecustomize`` refuses every
  non-loopback connection and name lookup, so a download fails at once);
- ``KERAS_HOME``, ``XDG_CACHE_HOME`` (scikit-image/pooch downloads) and ``IPYTHONDIR`` point
  at empty temporary folders and ``CNNVIZ_DATA_DIR`` is unset, so a dataset cached or
  pre-filled on this machine cannot hide a missing offline path;
- ``CNNVIZ_MY_MODELS`` points at an empty scratch folder (where notebook 04 saves its CNN
  and 05/06 look for it);
- ``CNNVIZ_FAST=1`` (the notebooks' parameters cell picks small sizes), ``CNNVIZ_OFFLINE=1``,
  ``MPLBACKEND=Agg``, and the working directory is the notebook's folder.

When running as root with ``unshare`` and ``ip`` available, the whole execution (client and
kernel) also runs in a fresh network namespace that only has loopback: even a C library that
bypasses Python's socket module cannot reach the network. Pass ``isolate_network=False`` to
skip that layer.

Run as a script to execute one notebook by hand (the exit status is 1 on failure)::

    python tests/_notebook_runner.py notebooks/01_what_a_filter_does.ipynb
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

TESTS_DIR = Path(__file__).resolve().parent
REPO = TESTS_DIR.parent
OFFLINE_DIR = TESTS_DIR / "offline"
NOTEBOOKS_DIR = REPO / "notebooks"

# A hang guard per cell, not a speed requirement: training in full mode on a slow laptop can
# take minutes, but a cell that runs for this long is stuck (e.g. waiting on a socket).
DEFAULT_CELL_TIMEOUT = 1800

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class NotebookFailure(AssertionError):
    """A notebook did not run to the end: names the cell, shows its source and traceback.

    ``.nb`` holds the notebook as far as it ran.
    """

    def __init__(self, message: str, nb=None):
        super().__init__(message)
        self.nb = nb


def course_notebooks() -> list[Path]:
    """The course notebooks, ``notebooks/*.ipynb`` in teaching order (empty if none yet)."""
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def kernel_env(scratch: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The full environment of the notebook kernel (see the module docstring).

    ``scratch`` is an empty folder owned by the caller; the isolated caches live inside it.
    ``extra_env`` wins over everything (e.g. ``{"CNNVIZ_FAST": "0"}`` for a full run).
    """
    env = dict(os.environ)
    # An instructor's pre-filled data folder would hide a missing offline path, like a cache.
    env.pop("CNNVIZ_DATA_DIR", None)
    for name in ("keras_home", "cache", "ipython"):
        (scratch / name).mkdir(parents=True, exist_ok=True)
    old_path = env.get("PYTHONPATH", "")
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(p for p in (str(OFFLINE_DIR), old_path) if p),
            "CNNVIZ_FAST": "1",
            "CNNVIZ_OFFLINE": "1",
            "MPLBACKEND": "Agg",
            "KERAS_HOME": str(scratch / "keras_home"),
            "XDG_CACHE_HOME": str(scratch / "cache"),
            "IPYTHONDIR": str(scratch / "ipython"),
            # Notebook 04 saves its CNN there and 05/06 open it: never the repository's own
            # notebooks/my_models (a test passes the same folder to run 04, then 05 and 06).
            "CNNVIZ_MY_MODELS": str(scratch / "my_models"),
            "TF_CPP_MIN_LOG_LEVEL": env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
    )
    if "MPLCONFIGDIR" not in os.environ:
        # Moving XDG_CACHE_HOME would make matplotlib rebuild its font cache in every kernel
        # (seconds each); its cache holds no downloads, so keep using the existing one.
        import matplotlib

        env["MPLCONFIGDIR"] = matplotlib.get_cachedir()
    if extra_env:
        env.update(extra_env)
    return env


def can_isolate_network() -> bool:
    """True when a fresh network namespace is available (root, ``unshare``, ``ip``)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    if not (shutil.which("unshare") and shutil.which("ip")):
        return False
    probe = subprocess.run(
        ["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, check=False
    )
    return probe.returncode == 0


def _describe_error(nb, exc: Exception, name: str) -> str:
    """A readable report of the first failing cell: index, source, traceback."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                tb = strip_ansi("\n".join(out.get("traceback", [])))
                return (
                    f"{name}: cell {index} raised {out.get('ename')}: {out.get('evalue')}\n"
                    f"--- cell {index} source ---\n{cell.source}\n"
                    f"--- traceback ---\n{tb}"
                )
    # No error output: the kernel died or a cell hit the hang guard.
    return f"{name}: {type(exc).__name__}: {strip_ansi(str(exc))}"


def _execute(nb, cwd: Path, env: dict[str, str], timeout: float | None, name: str):
    """Run ``nb`` in place. Returns (nb, failure message or None, kernel process stderr)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as stderr:
        failure = None
        try:
            client.execute(env=env, cwd=str(cwd), stderr=stderr)
        except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as exc:
            failure = _describe_error(nb, exc, name)
        stderr.seek(0)
        return nb, failure, stderr.read()


# The last cell of every course-notebook run: whether the notebook loaded TensorFlow (only
# notebook 04, which trains, may).
TENSORFLOW_PROBE = 'import sys\nprint("TENSORFLOW", "tensorflow" in sys.modules)'


@functools.cache
def run_course_notebook(stem: str):
    """Notebook ``notebooks/<stem>.ipynb`` run as :func:`run_notebook` runs it by default, with
    :data:`TENSORFLOW_PROBE` appended; run once per test process and shared by the tests that
    read it (they must not change it). A failing run is not kept: each caller runs it again
    and sees the failure itself."""
    return run_notebook(NOTEBOOKS_DIR / f"{stem}.ipynb", append_code=TENSORFLOW_PROBE)


def run_notebook(
    path: str | os.PathLike,
    extra_env: dict[str, str] | None = None,
    timeout: float | None = DEFAULT_CELL_TIMEOUT,
    append_code: str | None = None,
    isolate_network: bool | None = None,
):
    """Execute the notebook at ``path`` top to bottom in a fresh kernel; return it executed.

    Parameters
    ----------
    path : path-like
        The ``.ipynb`` file. It is read, never written.
    extra_env : dict, optional
        Extra environment for the kernel, applied last (e.g. ``{"CNNVIZ_FAST": "0"}``).
    timeout : float or None
        Hang guard per cell in seconds (``None``: wait forever).
    append_code : str, optional
        Source of one extra code cell run after the last cell, in the same kernel (used by
        bench/notebook_memory.py to read the kernel's peak memory).
    isolate_network : bool, optional
        Run inside a fresh network namespace. ``None`` (default): when available.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook, with outputs, plus ``nb.metadata["cnnviz_kernel_stderr"]``:
        whatever the kernel process wrote to its own stderr.

    Raises
    ------
    NotebookFailure
        A cell raised (the message names the cell and shows its source and traceback), the
        kernel died, or a cell exceeded ``timeout``.
    """
    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    if append_code is not None:
        nb.cells.append(nbformat.v4.new_code_cell(append_code))
    if isolate_network is None:
        isolate_network = can_isolate_network()

    with tempfile.TemporaryDirectory(prefix="cnnviz-nb-") as tmp:
        scratch = Path(tmp)
        env = kernel_env(scratch, extra_env)
        if isolate_network:
            nb, failure, kernel_stderr = _execute_in_netns(nb, path, env, timeout, scratch)
        else:
            nb, failure, kernel_stderr = _execute(nb, path.parent, env, timeout, path.name)
    nb.metadata["cnnviz_kernel_stderr"] = kernel_stderr
    if failure:
        raise NotebookFailure(failure, nb)
    return nb


def _execute_in_netns(nb, path: Path, env, timeout, scratch: Path):
    """Run ``_execute`` in a child process inside ``unshare -n`` (client and kernel together:
    they talk over loopback, which must be the same loopback)."""
    job = scratch / "job.json"
    result = scratch / "result.json"
    job.write_text(
        json.dumps(
            {
                "nb": nb,
                "cwd": str(path.parent),
                "env": env,
                "timeout": timeout,
                "name": path.name,
                "result": str(result),
            }
        ),
        encoding="utf-8",
    )
    # The child must not inherit the network guard of the test process' PYTHONPATH: it only
    # needs loopback, and the namespace already has nothing else.
    child_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [
            "unshare",
            "-n",
            "sh",
            "-c",
            'ip link set lo up && exec "$0" "$@"',
            sys.executable,
            str(Path(__file__).resolve()),
            "--job",
            str(job),
        ],
        env=child_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if not result.exists():
        raise NotebookFailure(
            f"{path.name}: the isolated runner failed (exit {proc.returncode})\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )
    data = json.loads(result.read_text(encoding="utf-8"))
    return nbformat.from_dict(data["nb"]), data["failure"], data["kernel_stderr"]


def _run_job(job_path: Path) -> None:
    job = json.loads(job_path.read_text(encoding="utf-8"))
    nb = nbformat.from_dict(job["nb"])
    nb, failure, kernel_stderr = _execute(
        nb, Path(job["cwd"]), job["env"], job["timeout"], job["name"]
    )
    Path(job["result"]).write_text(
        json.dumps({"nb": nb, "failure": failure, "kernel_stderr": kernel_stderr}),
        encoding="utf-8",
    )


def _outputs_with_widgets(nb, skip_expected_errors: bool = False):
    """(where, output) for every cell output and every output captured in an Output widget.

    With ``skip_expected_errors``, cells tagged ``raises-exception`` (an error shown on
    purpose, which nbclient and JupyterLab both let through) are left out.
    """
    for index, cell in enumerate(nb.cells):
        if skip_expected_errors and "raises-exception" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            yield f"cell {index}", out
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model_id, model in state.get("state", {}).items():
        for out in model.get("state", {}).get("outputs", []) or []:
            yield f"Output widget {model_id}", out


def output_text(nb) -> str:
    """All text the notebook printed or displayed as text/plain, cells and Output widgets."""
    parts = []
    for _, out in _outputs_with_widgets(nb):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out and "text/plain" in out["data"]:
            parts.append(out["data"]["text/plain"])
    return "\n".join(parts)


def find_problems(nb) -> list[str]:
    """Everything in an executed notebook that shows something went wrong, as messages.

    Error outputs, any stderr stream that contains a traceback (e.g. printed by a widget
    callback), the same inside Output widgets, and tracebacks the kernel process wrote to its
    own stderr. Cells tagged ``raises-exception`` show an error on purpose and are skipped.
    An empty list means a clean run.
    """
    problems = []
    for where, out in _outputs_with_widgets(nb, skip_expected_errors=True):
        kind = out.get("output_type")
        if kind == "error":
            tb = strip_ansi("\n".join(out.get("traceback", [])))
            problems.append(f"{where}: error {out.get('ename')}: {out.get('evalue')}\n{tb}")
        elif kind == "stream" and out.get("name") == "stderr" and "Traceback" in out["text"]:
            problems.append(f"{where}: traceback on stderr:\n{strip_ansi(out['text'])}")
    kernel_stderr = nb.metadata.get("cnnviz_kernel_stderr", "")
    if "Traceback" in kernel_stderr:
        problems.append(f"kernel process stderr has a traceback:\n{kernel_stderr}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--full", action="store_true", help="CNNVIZ_FAST=0 (full-size run)")
    parser.add_argument("--no-netns", action="store_true", help="skip the network namespace")
    parser.add_argument("--job", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job:
        _run_job(args.job)
        return 0
    status = 0
    for path in args.notebooks or course_notebooks():
        try:
            nb = run_notebook(
                path,
                extra_env={"CNNVIZ_FAST": "0"} if args.full else None,
                isolate_network=False if args.no_netns else None,
            )
        except NotebookFailure as exc:
            print(f"FAIL {exc}")
            status = 1
            continue
        problems = find_problems(nb)
        print(f"{'FAIL' if problems else 'ok  '} {path}")
        for problem in problems:
            print(problem)
        status |= bool(problems)
    return status


if __name__ == "__main__":
    sys.exit(main())
