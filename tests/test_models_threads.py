"""cnnviz.models.threads: CPUs and cgroup quotas, TensorFlow's thread pools, a quiet and
late import of TensorFlow.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from cnnviz import models
from cnnviz.models import (
    threads,
)

tf_mark = pytest.mark.tensorflow


# ----------------------------------------------------------------------------- threads


def test_cgroup_quota_parsing(tmp_path):
    quota = threads._cgroup_cpu_quota
    assert quota(tmp_path) is None  # no files: no quota
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert quota(tmp_path) is None
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert quota(tmp_path) == 2  # 1.5 CPUs rounded up
    (tmp_path / "cpu.max").write_text("50000 100000\n")
    assert quota(tmp_path) == 1
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("300000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert quota(v1) == 3
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert quota(v1) is None


def test_available_cpus(monkeypatch):
    import os

    affinity = len(os.sched_getaffinity(0))
    monkeypatch.setattr(threads, "_cgroup_cpu_quota", lambda: None)
    assert models.available_cpus() == affinity
    monkeypatch.setattr(threads, "_cgroup_cpu_quota", lambda: 1)
    assert models.available_cpus() == 1
    monkeypatch.setattr(threads, "_cgroup_cpu_quota", lambda: affinity + 5)
    assert models.available_cpus() == affinity


@tf_mark
def test_configure_threads_in_fresh_process():
    # A fresh interpreter: TensorFlow's pools can only be set before it starts.
    code = textwrap.dedent(
        """
        import os, warnings
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import cnnviz.models as m
        first = m.configure_threads(1)
        import tensorflow as tf
        _ = tf.constant(1.0) + 1.0  # TensorFlow starts here
        t = tf.config.threading
        print(first, t.get_intra_op_parallelism_threads(), t.get_inter_op_parallelism_threads())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            again = m.configure_threads(1)
        print(again, len(caught))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            kept = m.configure_threads(2)
        message = str(caught[0].message)
        print(kept, len(caught), caught[0].category.__name__, "cannot be changed" in message)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines == ["1 1 1", "1 0", "1 1 RuntimeWarning True"], out.stderr[-2000:]


def test_configure_threads_rejects_bad_n():
    with pytest.raises(ValueError, match=r"`n` must be at least 1; got 0"):
        models.configure_threads(0)
    with pytest.raises(TypeError, match=r"`n` must be an integer"):
        models.configure_threads("2")


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, numpy as np, cnnviz.models as m; m.preprocess(np.zeros((1, 28, 28), 'u1')); "
        "m.TrainingProgress(); "
        "print(sorted(x for x in sys.modules if x.split('.')[0] in ('tensorflow', 'keras')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.tensorflow
def test_tensorflow_start_up_lines_do_not_reach_a_students_stderr():
    # In a notebook these C++ lines show as red boxes that look like errors.
    code = (
        "from cnnviz.models import configure_threads\n"
        "configure_threads()\n"
        "import keras\n"
        "import sys\n"
        "print('after import', file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "after import" in done.stderr  # stderr itself still works afterwards
    assert "oneDNN" not in done.stderr
    assert "absl" not in done.stderr
