"""The test matrix: cnnviz at its lowest allowed, its pinned and the newest versions.

Run before each term (the full matrix, with TensorFlow; each environment takes 1.9 to 2.3 GB
of disk in ``.nox/``, measured here: delete the folder afterwards)::

    python -m pip install ".[matrix]" && nox -s lowest newest pinned

Sessions (``nox -l`` lists them):

- ``lowest``: every direct requirement of ``pyproject.toml`` (cnnviz and its test extra) at
  its lower bound, resolved by uv's ``--resolution lowest-direct``; Python 3.11, the oldest
  supported, since several floors have no wheels for newer Pythons.
- ``newest``: the newest releases, pre-releases included (``--prerelease allow``), on
  Python 3.11, 3.12 and 3.13.
- ``pinned``: ``requirements.txt``, what the README's test command installs, on Python
  3.11, 3.12 and 3.13.
- ``lowest-no-tf`` and ``newest-no-tf``: the same installs without TensorFlow, running the
  tests that do not need it (no notebooks, no browser). CI runs these on the lowest and
  the highest Python.

Extra arguments go to pytest: ``nox -s lowest -- -m "not browser" -x``. Environments are
kept between runs; ``nox -r`` reuses one without reinstalling.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYTHONS = ["3.11", "3.12", "3.13"]  # requires-python: the lowest and every newer one tested
LOWEST_PYTHON = PYTHONS[0]

# Unit tests: no TensorFlow, no notebook kernel, no browser, no JupyterHub.
NO_TF = "not tensorflow and not notebook and not browser and not classroom"
# Tests of the repository's files, not of the installed versions (left out without TensorFlow).
FILE_CHECKS = ["--ignore=tests/test_binder.py", "--ignore=tests/test_hygiene.py"]
# Checks that the environment matches requirements.txt: meaningful only in `pinned`.
PIN_CHECK = "tests/test_binder.py::test_installed_environment_satisfies_every_pin"

# uv where it is installed (`pip install ".[matrix]"` brings it); lowest and newest need it.
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lowest", "newest", "pinned"]


def _find_pyenv_pythons() -> None:
    """Put pyenv's Pythons first on PATH, so uv finds e.g. 3.12 (pyenv's shims only run the
    versions pyenv selected) and never downloads an interpreter."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = [sorted(versions.glob(f"{version}.*/bin"))[-1:] for version in PYTHONS]
    extra = [str(path) for paths in found for path in paths]
    if extra:
        os.environ["PATH"] = os.pathsep.join([*extra, os.environ.get("PATH", "")])
        os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")


_find_pyenv_pythons()


def _test_requirements() -> list[str]:
    """The test extra of pyproject.toml with its cnnviz[...] extras spelled out, except
    cnnviz[keras] (TensorFlow), which a session installs or not."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = pyproject["project"]["optional-dependencies"]

    def expand(extra: str) -> list[str]:
        out = []
        for req in extras[extra]:
            name = req.replace(" ", "")
            if name.startswith("cnnviz["):
                out += [r for sub in name[7:-1].split(",") if sub != "keras" for r in expand(sub)]
            else:
                out.append(req)
        return out

    return expand("test")


def _install(session: nox.Session, *requirements: str) -> None:
    if session.venv_backend != "uv":
        session.error("The matrix installs with uv: python -m pip install '.[matrix]'")
    # cnnviz is installed as a wheel would install it (not editable), rebuilt every time.
    session.install("--reinstall-package", "cnnviz", *requirements, *_test_requirements())
    session.run("uv", "pip", "list", silent=False, external=True)


def _pytest(session: nox.Session, *, tensorflow: bool, pin_check: bool) -> None:
    # Without TensorFlow: the unit tests, each property test with at most 10 examples (the
    # `compat` Hypothesis profile of tests/conftest.py): these sessions check versions. The
    # checks of the repository's own files (Binder pins resolved on PyPI, ruff, stripped
    # notebooks) give the same answer in every environment: the README's test command runs them.
    quick = ["-m", NO_TF, "--hypothesis-profile", "compat", *FILE_CHECKS]
    args = session.posargs or (quick if not tensorflow else [])
    deselect = [] if pin_check else ["--deselect", PIN_CHECK]
    # Two workers (CI has 2 cores); --dist loadgroup keeps the browser tests on one server.
    session.run(
        "python", "-m", "pytest", "-n", "2", "--dist", "loadgroup", *deselect, *args,
        env={"MPLBACKEND": "Agg", "PYTHONPATH": ""},  # the installed cnnviz, no other
    )  # fmt: skip


# pip in every environment: tests/test_binder.py asks it to resolve the Binder pins.
SEED = ["--seed"] if shutil.which("uv") else []
LOWEST = ["--resolution", "lowest-direct"]
NEWEST = ["--upgrade", "--prerelease", "allow"]


@nox.session(python=LOWEST_PYTHON, venv_params=SEED)
def lowest(session: nox.Session) -> None:
    """Lowest versions pyproject.toml allows (uv lowest-direct), with TensorFlow."""
    _install(session, *LOWEST, ".[keras]")
    _pytest(session, tensorflow=True, pin_check=False)


@nox.session(python=PYTHONS, venv_params=SEED)
def newest(session: nox.Session) -> None:
    """Newest releases, pre-releases included, with TensorFlow."""
    _install(session, *NEWEST, ".[keras]")
    _pytest(session, tensorflow=True, pin_check=False)


@nox.session(python=PYTHONS, venv_params=SEED)
def pinned(session: nox.Session) -> None:
    """requirements.txt, as the README's test command installs it."""
    _install(session, "-r", "requirements.txt", ".[keras]")
    _pytest(session, tensorflow=True, pin_check=True)


@nox.session(python=LOWEST_PYTHON, venv_params=SEED, name="lowest-no-tf")
def lowest_no_tf(session: nox.Session) -> None:
    """Lowest versions, no TensorFlow: the tests that do not need it (CI)."""
    _install(session, *LOWEST, ".")
    _pytest(session, tensorflow=False, pin_check=False)


@nox.session(python=PYTHONS, venv_params=SEED, name="newest-no-tf")
def newest_no_tf(session: nox.Session) -> None:
    """Newest releases and pre-releases, no TensorFlow: the tests that do not need it (CI)."""
    _install(session, *NEWEST, ".")
    _pytest(session, tensorflow=False, pin_check=False)
