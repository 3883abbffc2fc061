"""Every course notebook runs top to bottom in a fresh kernel, fast mode, with no network.

The runner (tests/_notebook_runner.py) gives the kernel ``CNNVIZ_FAST=1``, ``CNNVIZ_OFFLINE=1``,
``MPLBACKEND=Agg``, the notebook's folder as working directory, the offline guard on
``PYTHONPATH``, empty ``KERAS_HOME``/cache folders and, when root, a network namespace with
only loopback. The second half of this file proves those promises on small notebooks written
by the tests themselves, so a passing notebook test means what it says.
"""

from __future__ import annotations

import hashlib
import json
import os

import nbformat
import pytest
from _notebook_runner import (
    NOTEBOOKS_DIR,
    NotebookFailure,
    can_isolate_network,
    course_notebooks,
    find_problems,
    output_text,
    run_course_notebook,
    run_notebook,
)

# One group: the course notebooks run once per worker (run_course_notebook), and the tests of
# test_notebooks_models.py read the same runs.
pytestmark = [pytest.mark.notebook, pytest.mark.xdist_group("notebooks")]

COURSE = [
    "01_what_a_filter_does.ipynb",
    "02_pooling.ipynb",
    "03_sizes_channels_parameters.ipynb",
    "04_why_cnns.ipynb",
    "05_inside_a_trained_cnn.ipynb",
    "06_your_own_digit.ipynb",
]


def _notebook_params():
    paths = course_notebooks()
    if not paths:
        # An empty parameter list would be reported as a skip; a run that executes no
        # notebook must fail instead.
        return [pytest.param(None, id="no-notebooks")]
    return [pytest.param(p, id=p.stem) for p in paths]


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("path", _notebook_params())
def test_notebook_runs_offline_in_fast_mode(path):
    if path is None:
        pytest.fail(
            f"no notebook found in {NOTEBOOKS_DIR}: the course notebooks ({', '.join(COURSE)}) "
            "must exist for the notebook tests to prove anything",
            pytrace=False,
        )
    before = _sha256(path)
    nb = run_course_notebook(path.stem)  # raises NotebookFailure naming the failing cell
    problems = find_problems(nb)
    assert not problems, f"{path.name} ran but showed errors:\n\n" + "\n\n".join(problems)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code_cells), "a code cell did not run"
    assert _sha256(path) == before, f"executing {path.name} modified the committed file"
    # TensorFlow only where Keras is the point (03 checks its layers against Keras, 04
    # trains): a student's kernel on the others costs NumPy and SciPy, not the 0.6 GB of the
    # TensorFlow import.
    loaded = "TENSORFLOW True" in output_text(nb)
    keras_notebook = path.stem.startswith(("03_", "04_"))
    assert loaded == keras_notebook, f"{path.name}: TensorFlow loaded: {loaded}"


def test_all_course_notebooks_present():
    missing = [name for name in COURSE if not (NOTEBOOKS_DIR / name).is_file()]
    assert not missing, f"missing course notebooks in {NOTEBOOKS_DIR}: {missing}"


# --------------------------------------------------------------------------------------------
# The runner keeps its promises
# --------------------------------------------------------------------------------------------
def _write(path, *sources: str, tags: dict[int, list[str]] | None = None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    for index, cell_tags in (tags or {}).items():
        nb.cells[index].metadata["tags"] = cell_tags
    nbformat.write(nb, path)
    return path


PROBE = r"""
import json, os, socket
report = {"cwd": os.getcwd(), "interfaces": sorted(n for _, n in socket.if_nameindex())}
for name in ("CNNVIZ_FAST", "CNNVIZ_OFFLINE", "MPLBACKEND", "CNNVIZ_DATA_DIR"):
    report[name] = os.environ.get(name)
report["keras_home"] = os.environ["KERAS_HOME"]
report["keras_home_files"] = os.listdir(os.environ["KERAS_HOME"])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(5)
try:
    s.connect(("192.0.2.1", 80))  # TEST-NET-1: must never be reached
    report["connect"] = "connected"
except OSError as exc:
    report["connect"] = str(exc)
finally:
    s.close()
try:
    socket.getaddrinfo("pypi.org", 443)
    report["lookup"] = "resolved"
except OSError as exc:
    report["lookup"] = str(exc)
print("PROBE " + json.dumps(report))
"""

ISOLATION_MODES = [False] + ([True] if can_isolate_network() else [])


@pytest.mark.parametrize("isolate", ISOLATION_MODES, ids=lambda v: "netns" if v else "guard")
def test_runner_kernel_has_no_network_and_clean_caches(tmp_path, isolate, monkeypatch):
    monkeypatch.setenv("CNNVIZ_DATA_DIR", str(tmp_path))  # must not reach the kernel
    path = _write(tmp_path / "probe.ipynb", PROBE)
    nb = run_notebook(path, isolate_network=isolate)
    line = next(x for x in output_text(nb).splitlines() if x.startswith("PROBE "))
    report = json.loads(line[len("PROBE ") :])

    assert report["connect"] != "connected"
    assert report["lookup"] != "resolved"
    # The guard on PYTHONPATH is active in the kernel in both modes.
    assert "network access is disabled" in report["connect"]
    assert "name lookup is disabled" in report["lookup"]
    if isolate:
        assert report["interfaces"] == ["lo"]
    assert os.path.samefile(report["cwd"], tmp_path)
    assert report["CNNVIZ_FAST"] == "1"
    assert report["CNNVIZ_OFFLINE"] == "1"
    assert report["MPLBACKEND"] == "Agg"
    assert report["CNNVIZ_DATA_DIR"] is None
    assert report["keras_home_files"] == []
    assert not os.path.exists(report["keras_home"]), "the temporary KERAS_HOME is removed"


def test_runner_extra_env_wins(tmp_path):
    path = _write(tmp_path / "env.ipynb", "import os\nprint('FAST=' + os.environ['CNNVIZ_FAST'])")
    nb = run_notebook(path, extra_env={"CNNVIZ_FAST": "0"}, isolate_network=False)
    assert "FAST=0" in output_text(nb)


def test_runner_names_the_failing_cell(tmp_path):
    path = _write(
        tmp_path / "fails.ipynb",
        "x = 1",
        "y = x / 0  # the broken cell",
        "print('never printed')",
    )
    with pytest.raises(
        NotebookFailure, match=r"fails\.ipynb: cell 1 raised ZeroDivisionError"
    ) as e:
        run_notebook(path, isolate_network=False)
    message = str(e.value)
    assert "y = x / 0  # the broken cell" in message
    assert "Traceback" in message
    assert e.value.nb.cells[2].execution_count is None
    assert "never printed" not in output_text(e.value.nb)


def test_find_problems_sees_tracebacks_on_stderr_and_in_output_widgets(tmp_path):
    path = _write(
        tmp_path / "stderr.ipynb",
        "import sys\nprint('Traceback (most recent call last):\\n  boom', file=sys.stderr)",
        "print('just a warning', file=sys.stderr)",
        (
            "import traceback\n"
            "import ipywidgets as widgets\n"
            "from IPython.display import display\n"
            "out = widgets.Output()\n"
            "display(out)\n"
            "with out:\n"
            "    try:\n"
            "        1 / 0\n"
            "    except ZeroDivisionError:\n"
            "        traceback.print_exc()"
        ),
    )
    problems = find_problems(run_notebook(path, isolate_network=False))
    assert len(problems) == 2, problems
    assert problems[0].startswith("cell 0: traceback on stderr")
    assert problems[1].startswith("Output widget ")
    assert "ZeroDivisionError" in problems[1]


def test_error_shown_on_purpose_is_not_a_problem(tmp_path):
    """A cell tagged raises-exception (e.g. showing cnnviz's error message) runs on."""
    path = _write(
        tmp_path / "on_purpose.ipynb",
        "raise ValueError('`kernel` must be 2-D')",
        "print('after the error')",
        tags={0: ["raises-exception"]},
    )
    nb = run_notebook(path, isolate_network=False)
    assert nb.cells[0].outputs[0].output_type == "error"
    assert "after the error" in output_text(nb)
    assert find_problems(nb) == []
