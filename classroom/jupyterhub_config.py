"""JupyterHub for one school server running the cnnviz course.

Start it with ``bash classroom/start.sh`` (it installs the proxy from ``package.json`` and runs
``jupyterhub -f classroom/jupyterhub_config.py``). Every student gets their own Jupyter server
as a local process, with a copy of the course notebooks in ``~/cnnviz-notebooks`` and lands on
notebook 01. The settings a school changes are environment variables, read below:

=========================== ==================================================================
``CNNVIZ_HUB_AUTH``         ``pam`` (default: the server's own Unix accounts), ``native``
                            (NativeAuthenticator: students sign up, an admin approves), or
                            ``dummy`` (any name, no password: ONLY for the tests and the bench)
``CNNVIZ_HUB_ADMINS``       comma-separated admin user names (they approve native sign-ups)
``CNNVIZ_HUB_SPAWNER``      ``localprocess`` (default: one process per Unix user), ``systemd``
                            (systemdspawner: enforces the memory and CPU limits), or ``simple``
                            (no Unix users, everything runs as the hub's user: ONLY for tests)
``CNNVIZ_HUB_IP``           address to listen on (default: all); the tests use 127.0.0.1
``CNNVIZ_HUB_PORT``         public port (default 8000); the hub's and the proxy's own API ports
                            are this + 1 and + 2
``CNNVIZ_HUB_STATE``        folder for the hub's database, cookie secret and proxy pid
                            (default ``classroom/state`` beside this file)
``CNNVIZ_HUB_HOMES``        with ``simple``: where the student home folders are made
``CNNVIZ_DATA_DIR``         optional read-only folder with MNIST/Fashion-MNIST (see
                            ``python -m cnnviz.data --prefill``), passed on to every student
``CNNVIZ_HUB_CULL_IDLE``    seconds of inactivity before a student server is stopped (3600)
``CNNVIZ_HUB_MEM_LIMIT``    memory limit per student (default ``1G``), ``CNNVIZ_HUB_CPU_LIMIT``
                            CPU limit (default 1): enforced by systemd only, see below
``CNNVIZ_HUB_TOKEN``        with ``dummy`` only: an API token for the load test's admin service
=========================== ==================================================================
"""

import os
import shutil
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NOTEBOOKS = REPO / "notebooks"
COURSE_DIR = "cnnviz-notebooks"  # inside each student's home
RUNTIME_DIR = ".jupyter-run"  # inside each student's home: connection files, kernel sockets
MAX_SOCKET_PATH = 107  # bytes in a Unix socket's path (sun_path holds 108 with the final NUL)
FIRST_NOTEBOOK = "01_what_a_filter_does.ipynb"

c = get_config()  # noqa: F821 (JupyterHub provides get_config when it loads this file)

auth = os.environ.get("CNNVIZ_HUB_AUTH", "pam")
spawner = os.environ.get("CNNVIZ_HUB_SPAWNER", "localprocess")
if auth not in ("pam", "native", "dummy"):
    raise ValueError(f"CNNVIZ_HUB_AUTH must be pam, native or dummy; got {auth!r}")
if spawner not in ("localprocess", "systemd", "simple"):
    raise ValueError(f"CNNVIZ_HUB_SPAWNER must be localprocess, systemd or simple; got {spawner!r}")

# --- Network -------------------------------------------------------------------------------
port = int(os.environ.get("CNNVIZ_HUB_PORT", "8000"))
c.JupyterHub.ip = os.environ.get("CNNVIZ_HUB_IP", "")
c.JupyterHub.port = port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = port + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
# configurable-http-proxy from npm, pinned in classroom/package.json (start.sh runs `npm ci`).
proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(proxy)]
# For HTTPS on a real school server, give the certificate here (or put nginx in front):
# c.JupyterHub.ssl_cert = "/etc/letsencrypt/live/hub.example.org/fullchain.pem"
# c.JupyterHub.ssl_key = "/etc/letsencrypt/live/hub.example.org/privkey.pem"

# --- State (database, cookie secret, proxy pid) ----------------------------------------------
state = Path(os.environ.get("CNNVIZ_HUB_STATE", HERE / "state"))
state.mkdir(parents=True, exist_ok=True)
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")

# --- Who can log in --------------------------------------------------------------------------
admins = {name for name in os.environ.get("CNNVIZ_HUB_ADMINS", "").split(",") if name}
c.Authenticator.admin_users = admins
if auth == "pam":
    # The server's Unix accounts (`adduser student01`); the hub must run as root to start a
    # process as each student.
    c.JupyterHub.authenticator_class = "pam"
    c.Authenticator.allow_all = True  # every account that can log in on this machine
    # ...or only a class list:  c.Authenticator.allowed_users = {"student01", "student02"}
elif auth == "native":
    # NativeAuthenticator (pip install jupyterhub-nativeauthenticator): students sign up at
    # /hub/signup, an admin (CNNVIZ_HUB_ADMINS) approves them at /hub/authorize. With the
    # localprocess spawner each name must also be a Unix account; use systemd's dynamic users
    # (CNNVIZ_HUB_SPAWNER=systemd) to avoid that.
    c.JupyterHub.authenticator_class = "native"
    c.NativeAuthenticator.open_signup = False
    c.Authenticator.allow_all = True  # every approved sign-up
else:
    # Tests and the load test only: any user name logs in without a password.
    c.JupyterHub.authenticator_class = "dummy"
    c.Authenticator.allow_all = True

# --- Student servers ------------------------------------------------------------------------
if spawner == "localprocess":
    # One process per student, started as that student's Unix user (hub runs as root).
    # LocalProcessSpawner CANNOT enforce mem_limit or cpu_limit: it only passes them on as the
    # MEM_LIMIT / CPU_LIMIT environment variables (which jupyter-resource-usage displays). One
    # student's runaway kernel can use the whole machine. Use CNNVIZ_HUB_SPAWNER=systemd
    # to enforce them.
    c.JupyterHub.spawner_class = "localprocess"
elif spawner == "systemd":
    # systemdspawner (pip install jupyterhub-systemdspawner): each server is a transient
    # systemd unit whose cgroup enforces MemoryMax (mem_limit) and CPUQuota (cpu_limit).
    # Needs systemd as PID 1 and the hub running as root.
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.isolate_tmp = True
    c.SystemdSpawner.disable_user_sudo = True
    # c.SystemdSpawner.dynamic_users = True  # no Unix accounts needed (with NativeAuthenticator)
else:
    # Tests and the load test only: no Unix users, every server runs as the hub's own user
    # with its home in CNNVIZ_HUB_HOMES. No isolation between students at all.
    c.JupyterHub.spawner_class = "simple"
    homes = Path(os.environ.get("CNNVIZ_HUB_HOMES", state / "homes"))
    c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")

c.Spawner.default_url = f"/lab/tree/{COURSE_DIR}/{FIRST_NOTEBOOK}"
c.Spawner.mem_limit = os.environ.get("CNNVIZ_HUB_MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(os.environ.get("CNNVIZ_HUB_CPU_LIMIT", "1"))
# When 20 students log in together on 2 cores, starting their servers is CPU-bound and takes
# tens of seconds: wait for them instead of giving up after the defaults (30 s / 60 s).
c.Spawner.http_timeout = 180
c.Spawner.start_timeout = 240

# Server extensions students do not need, off: the language server (scans the environment at
# start-up), terminals and Voila's preview (the instructor presents with Voila on their own
# server). Measured here: 8 MB less per idle server (107 vs 115 MB); start-up CPU, about 4 s
# per server, changed within the noise. Remove a line to give students that feature back.
args = [
    f"--ServerApp.jpserver_extensions={name}=False"
    for name in ("jupyter_lsp", "jupyter_server_terminals", "voila.server_extension")
]
# Kernels talk to their student's server over Unix sockets in the student's own runtime
# folder (mode 700), not over TCP ports on 127.0.0.1. With TCP, servers starting kernels at the
# same moment pick the same "free" ports: in the load test (20 students opening notebook 05
# together) 2 of 20 kernels died with "Address already in use" and servers received other
# students' kernel messages ("Invalid Signature"); with Unix sockets there are no ports to share.
args.append("--KernelManager.transport=ipc")
if hasattr(os, "geteuid") and os.geteuid() == 0 and spawner == "simple":
    # The simple spawner runs students as the hub's user; as root, Jupyter refuses to start
    # without this flag (and the hub then answers its API with a 500).
    args.append("--allow-root")
c.Spawner.args = args

# What each student's server and kernels inherit from the hub's environment.
c.Spawner.env_keep = [
    "JUPYTERHUB_SINGLEUSER_APP",
    "PATH",
    "PYTHONPATH",
    "LANG",
    "LC_ALL",
    "VIRTUAL_ENV",
    "CNNVIZ_OFFLINE",  # 1: cnnviz never tries a download (school firewalls)
    "CNNVIZ_FAST",  # 1: small sizes (the tests and the load test)
    "MPLCONFIGDIR",
]
data_dir = os.environ.get("CNNVIZ_DATA_DIR")
if data_dir:
    # Read-only for students: make it owned by root (or the instructor) with mode 755/644.
    # Local processes cannot be stopped from writing where Unix permissions allow it;
    # systemdspawner can also mount it read-only:
    c.Spawner.environment = {"CNNVIZ_DATA_DIR": data_dir}
    c.SystemdSpawner.readonly_paths = [data_dir]


def prepare_home(spawner):
    """Before a student's server starts: point its kernels' sockets at a short folder in the
    student's home, and copy the notebooks they do not have yet into ~/cnnviz-notebooks (a
    student's edits are never overwritten)."""
    if spawner.__class__.__name__ == "SimpleLocalProcessSpawner":
        home, owner = Path(spawner.home_dir), None
    else:
        import pwd

        entry = pwd.getpwnam(spawner.user.name)
        home, owner = Path(entry.pw_dir), (entry.pw_uid, entry.pw_gid)
    # The kernels' Unix sockets: a short folder, because a socket path may not exceed 107 bytes.
    runtime = home / RUNTIME_DIR
    longest = len(os.fsencode(runtime / f"kernel-{uuid.uuid4()}-ipc-99999"))
    if longest > MAX_SOCKET_PATH:
        raise ValueError(
            f"home folder {str(home)!r} is too long for the kernels' sockets: paths like "
            f"{str(runtime)}/kernel-<id>-ipc-<n> would take {longest} bytes, more than "
            f"{MAX_SOCKET_PATH}. Use shorter home folders (CNNVIZ_HUB_HOMES with the simple "
            "spawner) or remove --KernelManager.transport=ipc from the spawner's arguments."
        )
    spawner.environment = {**spawner.environment, "JUPYTER_RUNTIME_DIR": str(runtime)}
    target = home / COURSE_DIR
    target.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        if not (target / notebook.name).exists():
            shutil.copyfile(notebook, target / notebook.name)
            if owner:
                os.chown(target / notebook.name, *owner)
    if owner:
        os.chown(target, *owner)


c.Spawner.pre_spawn_hook = prepare_home

# --- Idle culling: a hub-managed service stops servers nobody used for an hour -------------
cull_after = int(os.environ.get("CNNVIZ_HUB_CULL_IDLE", "3600"))
services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={cull_after}",
            f"--cull-every={max(10, min(300, cull_after // 4))}",
        ],
    }
]
roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
token = os.environ.get("CNNVIZ_HUB_TOKEN")
if token:
    if auth != "dummy":
        raise ValueError("CNNVIZ_HUB_TOKEN is for the tests only: set CNNVIZ_HUB_AUTH=dummy")
    # The load test's client: creates users, issues their tokens, starts their servers.
    services.append({"name": "cnnviz-loadtest", "api_token": token})
    roles.append(
        {
            "name": "cnnviz-loadtest",
            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
            "services": ["cnnviz-loadtest"],
        }
    )
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
