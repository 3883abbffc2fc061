"""The package as a whole: importing it stays light, every public function documents an
example, and every module's doctests pass."""

import ast
import doctest
import importlib
import importlib.util
import inspect
import io
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cnnviz

OFFLINE_DIR = Path(__file__).parent / "offline"
# Every module, the ones inside cnnviz.widgets and cnnviz.plotting too.
MODULES = ["cnnviz"] + sorted(
    info.name
    for info in pkgutil.walk_packages(cnnviz.__path__, prefix="cnnviz.")
    if not info.name.endswith(".__main__")  # `python -m` entry points run when imported
)
PUBLIC_MODULES = [name for name in MODULES if not name.rpartition(".")[2].startswith("_")]
HEAVY = ("tensorflow", "keras", "tf_keras")
# Names every notebook relies on: they must be found however the package grows.
CORE = {"cnnviz", "cnnviz.filters", "cnnviz.pooling", "cnnviz.shapes"}


def test_the_core_modules_are_found():
    assert CORE <= set(MODULES)


@pytest.fixture(scope="module")
def fresh_imports():
    """Import each module in turn in a fresh interpreter; which heavy modules got loaded."""
    code = (
        "import importlib, json, sys\n"
        f"heavy = {HEAVY!r}\n"
        "report = {}\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "    report[name] = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(json.dumps(report))\n"
    )
    env = dict(os.environ)
    # the child refuses network connections too: importing must never download anything
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(OFFLINE_DIR), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", MODULES)
def test_importing_never_loads_tensorflow(fresh_imports, module):
    # Modules are imported in order, so the first one to show a heavy module is the culprit.
    assert fresh_imports[module] == [], (
        f"importing {module} loaded {fresh_imports[module][:5]}: import Keras/TensorFlow "
        f"inside the functions that need them"
    )


def public_callables():
    seen = {}
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        assert hasattr(module, "__all__"), f"{name} has no __all__"
        for attr in module.__all__:
            assert hasattr(module, attr), f"{name}.__all__ lists {attr!r}, which does not exist"
            obj = getattr(module, attr)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                seen.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return seen


EXAMPLES = re.compile(r"^\s*Examples\s*\n\s*-{8,}\s*$", re.MULTILINE)


@pytest.mark.parametrize(("qualname", "obj"), sorted(public_callables().items()))
def test_every_public_function_has_an_examples_section(qualname, obj):
    doc = inspect.getdoc(obj)
    assert doc, f"{qualname} has no docstring"
    if inspect.isfunction(obj):
        assert EXAMPLES.search(doc), f"{qualname}'s docstring has no numpydoc Examples section"
        assert ">>> " in doc, f"{qualname}'s Examples section has no doctest"


def needs_tensorflow(name):
    """Whether module ``name`` or its doctests import Keras, TensorFlow or cnnviz.models
    (whose models are Keras models, e.g. ``load_pretrained()`` in a widget's example)."""
    if name == "cnnviz.models" or name.startswith("cnnviz.models."):
        return True  # the Keras package: its examples build, train and run models
    spec = importlib.util.find_spec(name)
    source = Path(spec.origin).read_text(encoding="utf-8")
    return re.search(
        r"^\s*(>>> )?\s*(import|from)\s+(keras|tensorflow)\b"
        r"|^\s*>>> .*\b(import|from)\s+cnnviz\.models\b",
        source,
        re.MULTILINE,
    )


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.tensorflow) if needs_tensorflow(name) else name
        for name in MODULES
    ],
)
def test_doctests_pass(name):
    if needs_tensorflow(name):
        # TensorFlow keeps process-wide state (thread pools, seeds) that doctests may set up
        # themselves: give them a fresh interpreter, as `python -m doctest` would.
        failed, attempted, report = run_in_fresh_interpreter(name)
    else:
        failed, attempted, report = run_doctests(name)
    assert failed == 0, report
    if name in CORE - {"cnnviz"}:
        assert attempted >= 5, f"{name} has only {attempted} doctest examples"


def run_doctests(name):
    """(failed, attempted, report) for the doctests of module ``name``, in this process."""
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False
    )
    report = io.StringIO()
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):
        runner.run(test, out=report.write)
    failed, attempted = runner.summarize(verbose=False)
    return failed, attempted, report.getvalue()


def run_in_fresh_interpreter(name):
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_package import run_doctests\n"
        f"print(json.dumps(run_doctests({name!r})))\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(OFFLINE_DIR), env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_top_level_names():
    expected = {"apply_filter", "KERNELS", "pixel_products", "max_pool", "avg_pool"}
    assert expected | {"conv_output_size", "conv_params", "pool_output_size"} <= set(cnnviz.__all__)
    assert isinstance(cnnviz.__version__, str)


WIDGETS_DIR = Path(cnnviz.__file__).parent / "widgets"
WIDGET_FAMILIES = sorted(
    path.stem for path in WIDGETS_DIR.glob("*.py") if not path.stem.startswith("_")
)
# The shared base every family may use: controls, pictures, and their accessibility.
SHARED = {"_base", "_access"}


def imported_modules(path):
    """Every module ``path`` imports, at the top or inside functions (``from a import b``
    counts ``a`` and ``a.b``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path.name}: relative import; use cnnviz.<module>")
    return found


def test_the_widget_families_are_found():
    assert {"filters", "pooling", "sizes", "feature_maps", "digit_pad"} <= set(WIDGET_FAMILIES)


@pytest.mark.parametrize("family", WIDGET_FAMILIES)
def test_widget_families_import_only_the_base_and_numeric_modules(family):
    imported = imported_modules(WIDGETS_DIR / f"{family}.py")
    for name in sorted(imported):
        if not name.startswith("cnnviz.widgets"):
            continue
        parts = name.split(".")
        if len(parts) < 3 or parts[2] in SHARED:
            continue  # the package itself would be a cycle; checked below
        # No exception: where two families meet (the digit pad shows its digit in the
        # feature-map explorer), cnnviz.widgets/__init__.py passes one to the other.
        assert parts[2] == family, (
            f"cnnviz.widgets.{family} imports {name}: widget families import only "
            f"cnnviz.widgets._base and the numeric modules"
        )
    assert "cnnviz.widgets" not in imported, f"{family} imports the widgets package"


@pytest.mark.parametrize("shared", sorted(SHARED))
def test_the_widget_base_imports_no_family(shared):
    imported = imported_modules(WIDGETS_DIR / f"{shared}.py")
    families = {name for name in imported if name.startswith("cnnviz.widgets")}
    assert all(name.split(".")[2] in SHARED for name in families), families


def test_pyproject_ships_every_subpackage(repo_root):
    # setuptools installs only the packages listed: a new subpackage left out would work in
    # an editable install and be missing from Binder's `pip install .` and every wheel.
    import tomllib

    config = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    root = Path(cnnviz.__file__).parent
    found = {
        ".".join(("cnnviz", *init.parent.relative_to(root).parts))
        for init in root.rglob("__init__.py")
    }
    assert listed == found


def test_pyproject_ships_the_page_scripts(repo_root):
    # A widget's page script (the digit pad's drawing square) is a file beside its module: a
    # wheel without it would show an empty square.
    import fnmatch
    import tomllib

    config = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["cnnviz"]
    root = Path(cnnviz.__file__).parent
    scripts = [path.relative_to(root).as_posix() for path in root.rglob("*.js")]
    assert "widgets/digit_pad.js" in scripts
    for script in scripts:
        assert any(fnmatch.fnmatch(script, pattern) for pattern in patterns), script
