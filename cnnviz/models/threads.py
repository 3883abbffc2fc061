"""TensorFlow, imported on first use without its start-up noise, its thread pools sized to the
CPUs this process may really use (TensorFlow counts the host's cores).
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from pathlib import Path

from cnnviz._validation import check_int

__all__ = [
    "available_cpus",
    "configure_threads",
]


_threads_configured = False


def available_cpus() -> int:
    """How many CPUs this process can really use.

    The smaller of the CPUs it may run on (``os.sched_getaffinity``) and the container's
    CPU quota (cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``), rounded up, at least 1.

    Returns
    -------
    int

    Examples
    --------
    >>> available_cpus() >= 1
    True
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cpus = min(cpus, quota)
    return max(1, cpus)


def _cgroup_cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """CPUs allowed by the cgroup quota, rounded up; None if there is no quota."""
    candidates = (
        (root / "cpu.max", None),  # cgroup v2: "<quota> <period>" or "max <period>"
        (root / "cpu" / "cpu.cfs_quota_us", root / "cpu" / "cpu.cfs_period_us"),  # v1
    )
    for quota_path, period_path in candidates:
        try:
            text = quota_path.read_text().split()
            if period_path is None:
                quota, period = text[0], text[1]
            else:
                quota, period = text[0], period_path.read_text().split()[0]
        except (OSError, IndexError):
            continue
        if quota in ("max", "-1"):
            return None
        try:
            return max(1, math.ceil(int(quota) / int(period)))
        except (ValueError, ZeroDivisionError):
            return None
    return None


def _import_tensorflow():
    """Import TensorFlow once, without its C++ start-up lines on stderr.

    TensorFlow 2.21 prints "oneDNN custom operations are on" and an absl notice while it
    loads, even with ``TF_CPP_MIN_LOG_LEVEL=2``; in a notebook they appear as red boxes that
    look like errors to a student. They are written by C++ straight to file descriptor 2, so
    that descriptor points at /dev/null for the import only. Python exceptions still raise.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow


def configure_threads(n=None) -> int:
    """Set TensorFlow's intra- and inter-op thread pools for this machine.

    TensorFlow sizes its pools from the host's cores, not from the CPUs a container may
    use, so on a 1-CPU Binder it would run many threads that fight over one core. Call
    this before building or running any model; the builders and :func:`load_pretrained`
    call it once for you.

    Parameters
    ----------
    n : int, optional
        Threads per pool; defaults to :func:`available_cpus`. The inter-op pool gets at
        most 2 (the small models here have little to run side by side).

    Returns
    -------
    int
        The intra-op threads now in effect (0 means TensorFlow's own default).

    Warns
    -----
    RuntimeWarning
        If TensorFlow has already started with other numbers: they cannot change any more
        in this process (restart the kernel and call this first).

    Examples
    --------
    >>> configure_threads() >= 1
    True
    """
    global _threads_configured
    n = available_cpus() if n is None else check_int(n, "n", minimum=1)
    tf = _import_tensorflow()

    threading = tf.config.threading
    wanted = (n, min(n, 2))
    try:
        threading.set_intra_op_parallelism_threads(wanted[0])
        threading.set_inter_op_parallelism_threads(wanted[1])
    except RuntimeError:
        current = (
            threading.get_intra_op_parallelism_threads(),
            threading.get_inter_op_parallelism_threads(),
        )
        if current != wanted:
            warnings.warn(
                f"TensorFlow is already running with intra/inter-op threads {current} "
                f"(0 = its default); they cannot be changed to {wanted} in this process. "
                f"Restart the kernel and call configure_threads() before building a model.",
                RuntimeWarning,
                stacklevel=2,
            )
    _threads_configured = True
    return threading.get_intra_op_parallelism_threads()


def _keras():
    """Keras, with the thread pools configured once (quietly: a notebook may have started
    TensorFlow itself, which is fine)."""
    if not _threads_configured:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            configure_threads()
    import keras

    return keras
