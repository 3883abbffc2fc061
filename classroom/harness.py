"""Drive the classroom JupyterHub on loopback with simulated students.

Used by ``tests/test_classroom.py`` (two students) and ``bench/classroom_load.py`` (5-20).
Everything talks to 127.0.0.1 only, every wait is bounded, and :class:`Hub` stops every
process it started (the hub, the proxy, each student's server and kernels) by PID::

    with Hub(tmp_path) as hub:
        student = Student(hub, "student01")
        student.login_and_start()
        result = student.run_notebook("01_what_a_filter_does.ipynb")

A student "logs in" the way a load test can without a browser: the hub's REST API creates the
user, issues them a token and starts their server; the notebook is then opened through the
student's server (contents and sessions API) and run cell by cell over the kernel's websocket,
as JupyterLab does. The hub runs ``classroom/jupyterhub_config.py`` itself, with the
dummy authenticator and the simple spawner selected by environment variables.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import websocket

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "jupyterhub_config.py"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
HTTP_TIMEOUT = 60  # seconds for one request (the hub answers slowly while 20 servers start)


def free_port_block(count: int = 3, start: int = 20000, stop: int = 60000) -> int:
    """A port ``p`` such that ``p .. p + count - 1`` are all free on 127.0.0.1."""
    rng = secrets.SystemRandom()
    for _ in range(200):
        base = rng.randrange(start, stop - count)
        socks = []
        try:
            for offset in range(count):
                s = socket.socket()
                s.bind(("127.0.0.1", base + offset))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no block of free ports found on 127.0.0.1")


class HubError(RuntimeError):
    """The hub or a student's server did not do what was asked (message has the hub's log)."""


class Hub:
    """A JupyterHub from ``classroom/jupyterhub_config.py`` on 127.0.0.1, in ``workdir``.

    ``extra_env`` goes into the hub's environment (and, through ``env_keep``, the students'),
    e.g. ``{"CNNVIZ_FAST": "1"}``. ``timeout`` bounds the wait for the hub to answer.
    """

    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None, timeout=120):
        if not PROXY.exists():
            raise HubError(f"{PROXY} is missing: run `npm ci` in {HERE}")
        self.workdir = Path(workdir)
        # The students' homes: a short path of its own, because each kernel's Unix socket lives
        # in its student's home and a socket path may not exceed 107 bytes (a test's workdir,
        # deep in pytest's temporary folders, is far longer). Removed by stop().
        self.homes = Path(tempfile.mkdtemp(prefix="cnnviz-homes-"))
        self.port = free_port_block(3)
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        self.timeout = timeout
        self.env = dict(os.environ)
        self.env.update(
            {
                "CNNVIZ_HUB_AUTH": "dummy",
                "CNNVIZ_HUB_SPAWNER": "simple",
                "CNNVIZ_HUB_IP": "127.0.0.1",
                "CNNVIZ_HUB_PORT": str(self.port),
                "CNNVIZ_HUB_STATE": str(self.workdir / "state"),
                "CNNVIZ_HUB_HOMES": str(self.homes),
                "CNNVIZ_HUB_TOKEN": self.token,
                "CNNVIZ_OFFLINE": "1",
            }
        )
        self.env.update(extra_env or {})
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "jupyterhub.log"
        self.seen: dict[int, psutil.Process] = {}  # every process of the hub's tree we saw
        self._seen_lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> Hub:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HubError(f"the hub exited with {self.proc.returncode}\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=5).status_code == 200:
                    self.track()
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise HubError(f"the hub did not answer within {self.timeout} s\n{self.log_tail()}")

    def track(self) -> list[psutil.Process]:
        """Every live process of the hub's tree (remembered, so :meth:`stop` can end it)."""
        if self.proc is None:
            return []
        try:
            root = psutil.Process(self.proc.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            procs = []
        with self._seen_lock:
            for p in procs:
                self.seen.setdefault(p.pid, p)
        return procs

    def stop(self) -> None:
        """Stop the hub (it stops the students' servers and the proxy), then end by PID
        anything of its tree still running."""
        if self.proc is None:
            shutil.rmtree(self.homes, ignore_errors=True)
            return
        self.track()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        with self._seen_lock:
            leftovers = [p for p in self.seen.values() if _alive(p)]
        for p in leftovers:
            try:
                p.terminate()
            except psutil.NoSuchProcess:
                pass
        _gone, alive = psutil.wait_procs(leftovers, timeout=10)
        for p in alive:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        self.proc = None
        shutil.rmtree(self.homes, ignore_errors=True)

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "--- hub log (end) ---\n" + "\n".join(text.splitlines()[-lines:])

    # -- REST API ---------------------------------------------------------------------------
    def api(self, method: str, path: str, token: str | None = None, **kwargs):
        """A request to the hub's REST API (``path`` after ``/hub/api``); raises on failure."""
        headers = {"Authorization": f"token {token or self.token}"}
        response = requests.request(
            method, f"{self.url}/hub/api{path}", headers=headers, timeout=HTTP_TIMEOUT, **kwargs
        )
        if response.status_code >= 400:
            raise HubError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def user_processes(self) -> dict[str, list[psutil.Process]]:
        """Live processes of each student (their server and kernels), by user name."""
        by_user: dict[str, list[psutil.Process]] = {}
        for p in self.track():
            user = _student_of(p)
            if user:
                by_user.setdefault(user, []).append(p)
        return by_user


_USER_OF: dict[tuple[int, float], str | None] = {}


def _student_of(p: psutil.Process) -> str | None:
    """The JUPYTERHUB_USER a process was started for (servers and their kernels have it)."""
    try:
        key = (p.pid, p.create_time())
        if key not in _USER_OF:
            _USER_OF[key] = p.environ().get("JUPYTERHUB_USER")
        return _USER_OF[key]
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@dataclass
class NotebookRun:
    """What running one notebook through a student's kernel gave."""

    name: str
    kernel_start: float = 0.0  # time.monotonic() when the session (kernel) was requested
    first_widget: float | None = None  # ... when the first widget output arrived
    finished: float | None = None
    cells_run: int = 0
    widget_outputs: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def to_first_widget(self) -> float | None:
        return None if self.first_widget is None else self.first_widget - self.kernel_start


def _decode(frame: str | bytes) -> dict:
    """A kernel message from the websocket: JSON text, or (when it carries binary buffers,
    e.g. a widget's image) Jupyter's binary frame: a count, offsets, then the JSON first."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i : 8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0] : end])


class Student:
    """One simulated student: logs in through the hub's API and runs notebooks."""

    def __init__(self, hub: Hub, name: str, cell_timeout: float = 300):
        self.hub = hub
        self.name = name
        self.cell_timeout = cell_timeout
        self.token: str | None = None
        self.login_start: float | None = None
        self.ready: float | None = None

    @property
    def login_to_ready(self) -> float | None:
        return None if self.ready is None else self.ready - self.login_start

    def login_and_start(self, timeout: float = 300) -> float:
        """Create the user, issue their token, start their server; wait until it is ready.

        Returns the seconds from login to a ready server.
        """
        self.login_start = time.monotonic()
        hub = self.hub
        hub.api("POST", f"/users/{self.name}")
        self.token = hub.api("POST", f"/users/{self.name}/tokens", json={"note": "load test"})[
            "token"
        ]
        hub.api("POST", f"/users/{self.name}/server", token=self.token)
        # The progress stream ends with {"ready": true} (or a failure), one request in all.
        url = f"{hub.url}/hub/api/users/{self.name}/server/progress"
        headers = {"Authorization": f"token {self.token}"}
        with requests.get(url, headers=headers, stream=True, timeout=(10, timeout)) as response:
            if response.status_code >= 400:
                raise HubError(f"progress of {self.name}: {response.status_code}")
            for line in response.iter_lines():
                if not line.startswith(b"data:"):
                    continue
                event = json.loads(line[5:])
                if event.get("failed"):
                    raise HubError(f"{self.name}'s server failed: {event}\n{hub.log_tail()}")
                if event.get("ready"):
                    self.ready = time.monotonic()
                    return self.ready - self.login_start
                if time.monotonic() - self.login_start > timeout:
                    break
        raise HubError(f"{self.name}'s server was not ready in {timeout} s\n{hub.log_tail()}")

    def server_api(self, method: str, path: str, **kwargs):
        """A request to this student's own Jupyter server through the proxy."""
        response = requests.request(
            method,
            f"{self.hub.url}/user/{self.name}/api{path}",
            headers={"Authorization": f"token {self.token}"},
            timeout=HTTP_TIMEOUT,
            **kwargs,
        )
        if response.status_code >= 400:
            raise HubError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def run_notebook(self, filename: str, folder: str = "cnnviz-notebooks") -> NotebookRun:
        """Open ``folder/filename`` in this student's server and run every code cell in a new
        kernel, as a student pressing Shift+Enter down the notebook would."""
        path = f"{folder}/{filename}"
        notebook = self.server_api("GET", f"/contents/{path}", params={"content": 1})["content"]
        run = NotebookRun(name=filename, kernel_start=time.monotonic())
        session = self.server_api(
            "POST",
            "/sessions",
            json={
                "path": path,
                "name": filename,
                "type": "notebook",
                "kernel": {"name": "python3"},
            },
        )
        kernel_id = session["kernel"]["id"]
        ws_url = (
            f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{kernel_id}/channels"
            f"?session_id={uuid.uuid4().hex}"
        )
        ws = websocket.create_connection(
            ws_url, header=[f"Authorization: token {self.token}"], timeout=self.cell_timeout
        )
        try:
            self._request(ws, run, "kernel_info_request", {})
            for cell in notebook["cells"]:
                if cell["cell_type"] != "code" or not cell["source"].strip():
                    continue
                expected_error = "raises-exception" in cell.get("metadata", {}).get("tags", [])
                reply = self._request(
                    ws,
                    run,
                    "execute_request",
                    {
                        "code": cell["source"],
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                )
                run.cells_run += 1
                if reply.get("status") != "ok" and not expected_error:
                    run.errors.append(
                        f"{filename} cell {run.cells_run}: {reply.get('ename')}: "
                        f"{reply.get('evalue')}"
                    )
                    break
        finally:
            ws.close()
        run.finished = time.monotonic()
        return run

    def _request(self, ws, run: NotebookRun, msg_type: str, content: dict) -> dict:
        """Send one shell request; read every message until its reply and the kernel's idle
        status, noting widget outputs. Returns the reply's content."""
        msg_id = uuid.uuid4().hex
        ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": msg_type,
                        "username": self.name,
                        "session": uuid.uuid4().hex,
                        "date": "",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        reply, idle = None, False
        deadline = time.monotonic() + self.cell_timeout
        while reply is None or not idle:
            if time.monotonic() > deadline:
                raise HubError(f"{self.name}: no reply to {msg_type} in {self.cell_timeout} s")
            msg = _decode(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == msg_type.replace("_request", "_reply"):
                reply = msg["content"]
            elif kind == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
            elif kind in ("display_data", "execute_result"):
                if WIDGET_MIME in msg["content"].get("data", {}):
                    run.widget_outputs += 1
                    if run.first_widget is None:
                        run.first_widget = time.monotonic()
        return reply
