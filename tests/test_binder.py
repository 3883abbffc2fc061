"""The Binder (repo2docker) configuration, checked without Docker.

- repo2docker accepts binder/ and its Dockerfile installs binder/requirements.txt and runs
  binder/postBuild on Python 3.11;
- binder/requirements.txt has exactly the pins of the root requirements.txt (they cannot drift);
- pip resolves those pins on PyPI (a subprocess: it needs the package registry, which CI
  machines reach; the network guard of this test process does not apply to it);
- the environment these tests run in satisfies every pin (so what is tested is what Binder
  installs).
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
# pip's rule: a comment starts at a '#' at the beginning of a line or after whitespace.
_COMMENT = re.compile(r"(^|\s)#.*$")


def read_requirements(path: Path) -> list[Requirement]:
    reqs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = _COMMENT.sub("", line).strip()
        if line:
            reqs.append(Requirement(line))
    return reqs


def test_binder_requirements_identical_to_root_requirements():
    root = sorted(str(r) for r in read_requirements(REPO / "requirements.txt"))
    binder = sorted(str(r) for r in read_requirements(BINDER / "requirements.txt"))
    assert root, "requirements.txt has no requirement"
    only_root = sorted(set(root) - set(binder))
    only_binder = sorted(set(binder) - set(root))
    assert root == binder, (
        "binder/requirements.txt and requirements.txt must pin the same packages "
        f"(edit both): only in requirements.txt: {only_root}; "
        f"only in binder/requirements.txt: {only_binder}"
    )


def test_binder_pins_tensorflow_cpu_on_linux_x86_64():
    by_name = {canonicalize_name(r.name): r for r in read_requirements(BINDER / "requirements.txt")}
    cpu = by_name["tensorflow-cpu"]
    binder_linux = {"platform_system": "Linux", "platform_machine": "x86_64"}
    assert cpu.marker is not None and cpu.marker.evaluate(binder_linux)
    assert not by_name["tensorflow"].marker.evaluate(binder_linux), "both TF builds on Binder"


def test_runtime_is_python_311():
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"


def test_no_environment_yml_overrides_requirements():
    # repo2docker silently prefers environment.yml over requirements.txt.
    assert not (BINDER / "environment.yml").exists()
    assert not (BINDER / "environment.yaml").exists()


def test_postbuild_is_strict_bash_and_installs_cnnviz():
    path = BINDER / "postBuild"
    text = path.read_text(encoding="utf-8")
    lines = [x.strip() for x in text.splitlines()]
    commands = [x for x in lines if x and not x.startswith("#")]
    assert lines[0] == "#!/bin/bash"
    assert commands[0] == "set -euo pipefail", "set -euo pipefail must come before any command"
    assert "python -m pip install --no-deps ." in commands
    assert path.stat().st_mode & stat.S_IXUSR, "postBuild must be executable"
    syntax = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr


def test_postbuild_disables_a_plugin_that_exists():
    """A typo in the plugin id would silently disable nothing: the id must be one of the
    installed JupyterLab's plugins."""
    from jupyterlab.commands import get_app_dir

    text = (BINDER / "postBuild").read_text(encoding="utf-8")
    match = re.search(r'jupyter labextension disable .*"([^"]+)"', text)
    assert match, "postBuild should disable the announcements plugin"
    plugin = match.group(1)
    assert plugin == "@jupyterlab/apputils-extension:announcements"
    static = Path(get_app_dir()) / "static"
    assert any(f'"{plugin}"' in js.read_text(errors="replace") for js in static.glob("*.js"))


def test_repo2docker_accepts_the_configuration():
    result = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", str(REPO)],
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in output
    assert "./binder/postBuild" in output
    assert "python=3.11" in output, "runtime.txt was not picked up"


def test_binder_requirements_resolve_on_pypi(tmp_path):
    """``pip install --dry-run`` resolves every pin (needs the PyPI registry, as CI has)."""
    report = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if k != "PIP_REQUIRE_VIRTUALENV"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            str(report),
            "-r",
            str(BINDER / "requirements.txt"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, (
        f"pip could not resolve binder/requirements.txt:\n{result.stderr}"
    )
    resolved = {
        canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    for req in read_requirements(BINDER / "requirements.txt"):
        if req.marker is None or req.marker.evaluate():
            version = resolved.get(canonicalize_name(req.name))
            assert version is not None, f"{req.name} missing from pip's resolution"
            assert req.specifier.contains(version, prereleases=True), (req, version)


def test_installed_environment_satisfies_every_pin():
    """What the tests run against is what Binder installs (offline: installed metadata)."""
    problems = []
    for req in read_requirements(REPO / "requirements.txt"):
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{req.name} is not installed (pin: {req})")
            continue
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name} {version} does not satisfy {req}")
    assert not problems, "installed packages differ from the pins:\n" + "\n".join(problems)
