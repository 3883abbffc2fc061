"""Tiny timing helpers shared by the benchmarks in ``bench/``.

- :func:`measure`: median seconds per call over repeated runs, after warm-up calls. Very
  fast calls are repeated inside each run (like :mod:`timeit`) so the timer's resolution
  does not matter.
- :func:`measure_many`: the same for several functions, their runs interleaved so that
  the ratios between them are fair even when the machine's speed drifts.
- :func:`quiet_stderr`: silence C-level start-up logs (TensorFlow) around a block.
- :func:`print_table`: a plain-text table, first column left-aligned, the rest right-aligned.
- :func:`fmt_time`, :func:`fmt_ratio`, :func:`verdict`: the cells of those tables.
- :func:`machine_lines`: what the numbers were measured on (CPUs, Python, package versions).

Benchmarks report ratios measured in one run on one machine; absolute times vary between
machines and runs, so never turn them into timed tests.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata

__all__ = [
    "Timing",
    "measure",
    "measure_many",
    "quiet_stderr",
    "fmt_time",
    "fmt_ratio",
    "verdict",
    "print_table",
    "machine_lines",
]


@dataclass(frozen=True)
class Timing:
    """Result of :func:`measure`: seconds per call."""

    median: float
    best: float
    repeats: int
    number: int  # calls per timed run

    @property
    def runs(self) -> str:
        """``"15 x 32"``: timed runs x calls per run."""
        return f"{self.repeats} x {self.number}"


def measure(
    func: Callable[[], object],
    *,
    repeats: int = 15,
    warmup: int = 2,
    min_run_time: float = 0.02,
    max_number: int = 10_000,
) -> Timing:
    """Median time of ``func()`` in seconds, after ``warmup`` untimed calls.

    Each of the ``repeats`` timed runs calls ``func`` ``number`` times, with ``number``
    chosen from the fastest warm-up call so that one run lasts about ``min_run_time`` (1 for slow
    calls). The garbage collector is paused inside a run, as :mod:`timeit` does.
    """
    return measure_many(
        {"func": func},
        repeats=repeats,
        warmup=warmup,
        min_run_time=min_run_time,
        max_number=max_number,
    )["func"]


def measure_many(
    funcs: Mapping[str, Callable[[], object]],
    *,
    repeats: int = 15,
    warmup: int = 2,
    min_run_time: float = 0.02,
    max_number: int = 10_000,
) -> dict[str, Timing]:
    """Like :func:`measure` for several functions, with their timed runs interleaved.

    Run ``k`` of every function happens before run ``k + 1`` of any, so a slow spell of the
    machine (another process, frequency scaling) hits all of them alike and their ratios
    stay fair. Use it for the rows of one table that are compared with each other.
    """
    if repeats < 1:
        raise ValueError(f"`repeats` must be at least 1; got {repeats}.")
    numbers = {}
    for name, func in funcs.items():
        one = math.inf
        for _ in range(max(warmup, 1)):
            start = time.perf_counter()
            func()
            one = min(one, time.perf_counter() - start)  # the fastest: a busy spell inflates
        numbers[name] = min(max_number, max(1, math.ceil(min_run_time / max(one, 1e-9))))
    samples: dict[str, list[float]] = {name: [] for name in funcs}
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(repeats):
            for name, func in funcs.items():
                number = numbers[name]
                gc.disable()
                start = time.perf_counter()
                for _ in range(number):
                    func()
                elapsed = time.perf_counter() - start
                if gc_was_enabled:
                    gc.enable()
                samples[name].append(elapsed / number)
    finally:
        if gc_was_enabled:
            gc.enable()
    return {
        name: Timing(statistics.median(s), min(s), repeats, numbers[name])
        for name, s in samples.items()
    }


@contextlib.contextmanager
def quiet_stderr():
    """Silence everything written to file descriptor 2 inside the block.

    TensorFlow 2.21 logs through absl before its logging is set up, so
    ``TF_CPP_MIN_LOG_LEVEL`` does not hide its start-up lines; they would break the tables.
    What was silenced is printed if the block raises.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def fmt_time(seconds: float) -> str:
    """``0.00123`` -> ``"1.23 ms"``, ``0.002`` -> ``"2.00 ms"``: three significant digits."""
    unit, scale = next(
        (
            (u, f) for u, f in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)) if seconds >= f * 0.9995
        ),  # 999.96 µs reads 1.00 ms
        ("ns", 1e-9),
    )
    value = seconds / scale
    digits = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{digits}f} {unit}"


def fmt_ratio(ratio: float) -> str:
    """``1.0432`` -> ``"1.04x"``, ``312.4`` -> ``"312x"``."""
    if ratio >= 100:
        return f"{ratio:.0f}x"
    if ratio >= 10:
        return f"{ratio:.1f}x"
    return f"{ratio:.2f}x"


def verdict(value: float, target: float, *, at_most: bool) -> str:
    """``"PASS"`` if ``value <= target`` (``at_most``) or ``value >= target``, else ``"MISS"``."""
    ok = value <= target if at_most else value >= target
    return "PASS" if ok else "MISS"


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, title: str | None = None
) -> None:
    """Print a plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        first = row[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    if title:
        print(title)
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    print()


def _version(*distributions: str) -> str:
    for dist in distributions:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for text in handle:
                if text.startswith("model name"):
                    return text.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines(packages: Sequence[tuple[str, Sequence[str]]] = ()) -> list[str]:
    """Lines describing the machine: CPUs, OS, Python and the given package versions.

    ``packages`` holds (label, distribution names to try), e.g.
    ``[("TensorFlow", ["tensorflow-cpu", "tensorflow"])]``: versions come from the installed
    metadata, so nothing heavy is imported just to print them.
    """
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = [f"Python {platform.python_version()}"] + [
        f"{label} {_version(*dists)}" for label, dists in packages
    ]
    load = (
        "load average {:.2f} {:.2f} {:.2f} (1, 5, 15 min)".format(*os.getloadavg())
        if hasattr(os, "getloadavg")
        else "load average unknown"
    )
    return [
        f"machine: {os.cpu_count()} CPUs ({usable} usable), {_cpu_model()}, "
        f"{platform.system()} {platform.release()}; {load}",
        "versions: " + ", ".join(versions),
        f"interpreter: {sys.executable}",
    ]
