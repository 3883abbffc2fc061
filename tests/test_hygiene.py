"""Repository hygiene: notebooks committed clean and valid, code ruff-clean.

A notebook committed with outputs or widget state shows stale pictures and "Error displaying
widget: model not found" to a student; strip it with ``python scripts/strip_notebooks.py``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO / "notebooks"
RUFF_TARGETS = ["cnnviz", "tests", "bench", "scripts", "notebooks"]
STRIP = REPO / "scripts" / "strip_notebooks.py"
FIX = "run `python scripts/strip_notebooks.py` and commit the result"


def committed_notebooks():
    """Notebooks tracked by git anywhere in the repo, plus every notebooks/*.ipynb on disk."""
    found = set(NOTEBOOKS_DIR.glob("*.ipynb"))
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.ipynb"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if tracked.returncode == 0:
        found |= {REPO / p for p in tracked.stdout.split("\0") if p and (REPO / p).is_file()}
    return sorted(found)


def _params():
    paths = committed_notebooks()
    if not paths:
        # An empty parameter list is reported as a skip; no notebook at all is a failure.
        return [pytest.param(None, id="no-notebooks")]
    return [pytest.param(p, id=str(p.relative_to(REPO))) for p in paths]


def _raw(path):
    if path is None:
        pytest.fail(f"no notebook found in {NOTEBOOKS_DIR}", pytrace=False)
    return json.loads(path.read_text(encoding="utf-8"))


def dirt(raw: dict) -> list[str]:
    """What a committed notebook must not carry, read from its JSON (not via nbformat)."""
    problems = []
    for index, cell in enumerate(raw.get("cells", [])):
        if cell.get("outputs"):
            problems.append(f"cell {index} has {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has execution count {cell['execution_count']}")
    if "widgets" in raw.get("metadata", {}):
        problems.append("metadata.widgets holds saved widget state")
    return problems


@pytest.mark.parametrize("path", _params())
def test_notebook_committed_without_outputs_counts_or_widget_state(path):
    problems = dirt(_raw(path))
    assert not problems, f"{path.name}: " + "; ".join(problems) + f". Fix: {FIX}"


@pytest.mark.parametrize("path", _params())
def test_notebook_is_valid_nbformat_v4(path):
    raw = _raw(path)
    assert raw.get("nbformat") == 4, f"{path.name} is nbformat {raw.get('nbformat')}, not 4"
    nbformat.validate(nbformat.from_dict(raw))  # raises ValidationError with the reason


@pytest.mark.parametrize("path", _params())
def test_notebook_has_parameters_cell(path):
    raw = _raw(path)
    tagged = [
        (i, c)
        for i, c in enumerate(raw["cells"])
        if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    assert tagged, (
        f"{path.name} has no cell tagged 'parameters' (the tests run it fast through "
        "`FAST = os.environ.get('CNNVIZ_FAST') == '1'` in that cell)"
    )
    index, cell = tagged[0]
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    assert cell["cell_type"] == "code", f"{path.name}: the parameters cell {index} is not code"
    assert "CNNVIZ_FAST" in source, (
        f"{path.name}: the parameters cell {index} does not read CNNVIZ_FAST:\n{source}"
    )


@pytest.mark.parametrize("path", _params())
def test_notebook_names_the_python3_kernel(path):
    # Without a kernelspec, JupyterLab asks a student to pick a kernel before anything runs.
    spec = _raw(path).get("metadata", {}).get("kernelspec", {})
    assert spec.get("name") == "python3", (
        f"{path.name}: metadata.kernelspec.name is {spec.get('name')!r}, expected 'python3'"
    )


def _ruff(*args: str) -> subprocess.CompletedProcess:
    targets = [t for t in RUFF_TARGETS if (REPO / t).exists()]
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *targets],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_check_clean():
    result = _ruff("check", "--no-cache")
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"


def test_ruff_format_clean():
    result = _ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, (
        f"ruff format would change files (run `ruff format`):\n{result.stdout}{result.stderr}"
    )


# --------------------------------------------------------------------------------------------
# scripts/strip_notebooks.py
# --------------------------------------------------------------------------------------------
def _dirty_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "py"}
    params = nbformat.v4.new_code_cell("FAST = True", execution_count=1)
    params.metadata["tags"] = ["parameters"]
    shown = nbformat.v4.new_code_cell("print('hi')\n1 + 1", execution_count=2)
    shown.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="hi\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=2),
    ]
    shown.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    nb.cells = [params, nbformat.v4.new_markdown_cell("# Title"), shown]
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}
    }
    nbformat.write(nb, path)
    return path


def _strip(*args):
    return subprocess.run(
        [sys.executable, str(STRIP), *map(str, args)], capture_output=True, text=True, check=False
    )


def test_strip_notebooks_removes_outputs_counts_and_widget_state(tmp_path):
    path = _dirty_notebook(tmp_path / "dirty.ipynb")
    assert len(dirt(json.loads(path.read_text()))) == 4  # 2 counts, 1 outputs, widget state

    result = _strip(path)
    assert result.returncode == 0, result.stderr
    assert "stripped" in result.stdout

    raw = json.loads(path.read_text())
    assert dirt(raw) == []
    sources = ["".join(c["source"]) for c in raw["cells"]]
    assert sources == ["FAST = True", "# Title", "print('hi')\n1 + 1"]
    assert raw["cells"][0]["metadata"]["tags"] == ["parameters"]
    assert "execution" not in raw["cells"][2]["metadata"]
    assert raw["metadata"]["kernelspec"]["name"] == "python3"
    nbformat.validate(nbformat.from_dict(raw))


def test_strip_notebooks_check_mode_and_idempotence(tmp_path):
    path = _dirty_notebook(tmp_path / "dirty.ipynb")
    before = path.read_bytes()
    check = _strip("--check", path)
    assert check.returncode == 1
    assert f"needs stripping: {path}" in check.stdout
    assert path.read_bytes() == before, "--check must not change the file"

    assert _strip(path).returncode == 0
    stripped = path.read_bytes()
    again = _strip(path)
    assert again.returncode == 0 and again.stdout == ""
    assert path.read_bytes() == stripped
    assert _strip("--check", path).returncode == 0


# --------------------------------------------------------------------------------------------
# No bare assert where a student meets it (issue 10, item 4)
# --------------------------------------------------------------------------------------------
def _asserts(source: str, where: str):
    """(line, has a message) of every assert statement in Python ``source``."""
    return [
        (node.lineno, node.msg is not None)
        for node in ast.walk(ast.parse(source, filename=where))
        if isinstance(node, ast.Assert)
    ]


@pytest.mark.parametrize("path", _params())
def test_notebook_checks_say_what_failed(path):
    """A check in a notebook that stops a student says why: no `assert` without a message."""
    from IPython.core.inputtransformer2 import TransformerManager

    transform = TransformerManager().transform_cell  # %pip and other magics -> Python
    bare = []
    for index, cell in enumerate(_raw(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for line, has_message in _asserts(transform(source), f"{path.name} cell {index}"):
            if not has_message:
                bare.append(f"cell {index}, line {line}: {source.splitlines()[line - 1].strip()}")
    assert not bare, f"{path.name}: asserts without a message:\n" + "\n".join(bare)


def test_package_raises_errors_never_asserts():
    """DESIGN.md (Errors): TypeError/ValueError with a message, never `assert`."""
    found = [
        f"{py.relative_to(REPO)}:{line}"
        for py in sorted((REPO / "cnnviz").rglob("*.py"))
        for line, _ in _asserts(py.read_text(encoding="utf-8"), str(py))
    ]
    assert not found, "assert statements in cnnviz (raise TypeError/ValueError):\n" + "\n".join(
        found
    )


def test_bare_assert_check_can_fail():
    assert _asserts("x = 1\nassert x\nassert x, 'why'\n", "probe") == [(2, False), (3, True)]
