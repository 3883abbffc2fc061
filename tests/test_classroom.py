"""The school's JupyterHub (classroom/): its configuration, and a real hub on 127.0.0.1
serving two students who run notebook 01 and get its widgets back.

The hub uses classroom/jupyterhub_config.py unchanged, with the dummy authenticator and the
simple spawner chosen by environment variables, and configurable-http-proxy from
classroom/node_modules (``npm ci`` in classroom/, which scripts/test.sh runs).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
CLASSROOM = REPO / "classroom"
sys.path.insert(0, str(CLASSROOM))

from harness import Hub, Student  # noqa: E402

pytestmark = [pytest.mark.classroom, pytest.mark.xdist_group("classroom")]


def load_config(monkeypatch, tmp_path, **env):
    """Execute jupyterhub_config.py as JupyterHub does, with ``env``; return its Config."""
    from traitlets.config import Config

    for name in [n for n in os.environ if n.startswith("CNNVIZ_HUB_")] + ["CNNVIZ_DATA_DIR"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CNNVIZ_HUB_STATE", str(tmp_path / "state"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    source = (CLASSROOM / "jupyterhub_config.py").read_text(encoding="utf-8")
    namespace = {"get_config": lambda: config, "__file__": str(CLASSROOM / "jupyterhub_config.py")}
    exec(compile(source, "jupyterhub_config.py", "exec"), namespace)
    return config


def test_default_is_pam_and_local_processes(monkeypatch, tmp_path):
    c = load_config(monkeypatch, tmp_path)
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.JupyterHub.spawner_class == "localprocess"
    # Students run as their own Unix users: no --allow-root for them.
    assert "--allow-root" not in c.Spawner.args
    # Lands on notebook 01, which the pre-spawn hook copies into the course folder.
    assert c.Spawner.default_url == "/lab/tree/cnnviz-notebooks/01_what_a_filter_does.ipynb"
    assert (REPO / "notebooks" / "01_what_a_filter_does.ipynb").exists()
    proxy = Path(c.ConfigurableHTTPProxy.command[0])
    assert proxy == CLASSROOM / "node_modules" / ".bin" / "configurable-http-proxy"
    names = [s["name"] for s in c.JupyterHub.services]
    assert names == ["idle-culler"]
    assert "--timeout=3600" in c.JupyterHub.services[0]["command"]
    assert "CNNVIZ_DATA_DIR" not in c.Spawner.get("environment", {})


def test_settings_from_the_environment(monkeypatch, tmp_path):
    data = tmp_path / "data"
    c = load_config(
        monkeypatch,
        tmp_path,
        CNNVIZ_HUB_AUTH="native",
        CNNVIZ_HUB_SPAWNER="systemd",
        CNNVIZ_HUB_PORT="9000",
        CNNVIZ_HUB_ADMINS="teacher,helper",
        CNNVIZ_DATA_DIR=str(data),
        CNNVIZ_HUB_CULL_IDLE="1200",
        CNNVIZ_HUB_MEM_LIMIT="800M",
    )
    assert c.JupyterHub.authenticator_class == "native"
    assert c.JupyterHub.spawner_class == "systemdspawner.SystemdSpawner"
    assert (c.JupyterHub.port, c.JupyterHub.hub_port) == (9000, 9001)
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:9002"
    assert c.Authenticator.admin_users == {"teacher", "helper"}
    assert c.Spawner.environment == {"CNNVIZ_DATA_DIR": str(data)}
    assert c.SystemdSpawner.readonly_paths == [str(data)]
    assert c.Spawner.mem_limit == "800M"
    assert "--timeout=1200" in c.JupyterHub.services[0]["command"]


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({"CNNVIZ_HUB_AUTH": "ldap"}, "CNNVIZ_HUB_AUTH must be pam, native or dummy; got 'ldap'"),
        ({"CNNVIZ_HUB_SPAWNER": "docker"}, "CNNVIZ_HUB_SPAWNER must be"),
        # The load test's admin token never goes with a real authenticator.
        ({"CNNVIZ_HUB_TOKEN": "abc"}, "CNNVIZ_HUB_TOKEN is for the tests only"),
    ],
)
def test_bad_settings_are_refused(monkeypatch, tmp_path, env, match):
    with pytest.raises(ValueError, match=match):
        load_config(monkeypatch, tmp_path, **env)


def test_values_yaml_matches_the_hub(monkeypatch, tmp_path):
    """Zero to JupyterHub values: same landing page, guarantees within limits, culler on."""
    values = yaml.safe_load((CLASSROOM / "values.yaml").read_text(encoding="utf-8"))
    c = load_config(monkeypatch, tmp_path)
    single = values["singleuser"]
    assert single["defaultUrl"] == c.Spawner.default_url
    units = {"M": 1e6, "G": 1e9}
    guarantee, limit = (
        float(single["memory"][k][:-1]) * units[single["memory"][k][-1]]
        for k in ("guarantee", "limit")
    )
    assert 0 < guarantee <= limit
    assert 0 < single["cpu"]["guarantee"] <= single["cpu"]["limit"]
    assert values["cull"]["enabled"] is True
    assert values["scheduling"]["userPlaceholder"]["enabled"] is True


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("hub")
    data = workdir / "data"
    data.mkdir()
    hub = Hub(workdir, {"CNNVIZ_FAST": "1", "CNNVIZ_DATA_DIR": str(data)})
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def test_two_students_run_notebook_01(hub):
    students = [Student(hub, name) for name in ("ada", "grace")]
    runs, failures = {}, []

    def work(student):
        try:
            student.login_and_start()
            runs[student.name] = student.run_notebook("01_what_a_filter_does.ipynb")
        except Exception as exc:  # noqa: BLE001 (reported below)
            failures.append(f"{student.name}: {exc}")

    threads = [threading.Thread(target=work, args=(s,)) for s in students]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, "\n".join(failures)
    for name, run in runs.items():
        assert run.errors == [], name
        # Notebook 01 shows the pixel inspector and the kernel editor.
        assert run.widget_outputs >= 2, name
        assert run.first_widget is not None, name

    # Each student got a copy of the course in their own home, and their own server.
    for name in ("ada", "grace"):
        notebooks = sorted(p.name for p in (hub.homes / name / "cnnviz-notebooks").iterdir())
        assert notebooks == sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    processes = hub.user_processes()
    assert set(processes) == {"ada", "grace"}
    for procs in processes.values():
        env = procs[0].environ()
        assert env["CNNVIZ_DATA_DIR"] == str(hub.workdir / "data")
        assert env["CNNVIZ_FAST"] == "1"
    # Kernels reach their server through Unix sockets in the student's own runtime folder, not
    # TCP ports (which servers starting kernels together can pick twice: see the config).
    for name, procs in processes.items():
        kernels = [p for p in procs if "ipykernel_launcher" in " ".join(p.cmdline())]
        assert kernels, f"{name}: notebook 01's kernel is not running"
        for kernel in kernels:
            args = kernel.cmdline()
            connection_file = Path(args[args.index("-f") + 1])
            assert connection_file.parent == hub.homes / name / ".jupyter-run", connection_file
            connection = json.loads(connection_file.read_text(encoding="utf-8"))
            assert connection["transport"] == "ipc", connection
            sockets = {c.laddr for c in kernel.net_connections("unix")}
            assert f"{connection['ip']}-{connection['shell_port']}" in sockets, sockets


def test_landing_page_is_notebook_01(hub):
    student = Student(hub, "alan")
    student.login_and_start()

    response = requests.get(
        f"{hub.url}/user/alan/",
        headers={"Authorization": f"token {student.token}"},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/user/alan/lab/tree/cnnviz-notebooks/01_what_a_filter_does.ipynb"


def test_culler_is_running(hub):
    """The hub started jupyterhub-idle-culler as its own managed service."""
    culler = [p for p in hub.track() if "jupyterhub_idle_culler" in " ".join(p.cmdline())]
    assert len(culler) == 1
    assert "--timeout=3600" in culler[0].cmdline()
    assert culler[0].environ()["JUPYTERHUB_SERVICE_NAME"] == "idle-culler"


def test_stopping_ends_every_process(hub):
    """Last in this file: stopping the hub ends everything it started (hub, proxy, culler,
    each student's server and kernels), which the load test relies on."""
    started = hub.track()
    assert len(started) >= 6  # hub, proxy, culler, three students' servers (and kernels)
    hub.stop()
    for p in started:
        assert not p.is_running() or p.status() == psutil.STATUS_ZOMBIE, p
