"""Drive JupyterLab 4 and Notebook 7 in headless Chromium: a test server and page helpers.

The server (``JupyterServer``) runs on 127.0.0.1 with a random token, a temporary root folder
holding a copy of the repository's notebooks, and temporary config, runtime, IPython, settings
and workspace folders, so nothing on this machine changes what the tests see. Its kernels get
the same environment as the notebook tests (no network, ``CNNVIZ_FAST=1``, empty
``KERAS_HOME``; see ``tests/_notebook_runner.py``), except that matplotlib keeps its inline
backend, as for a student.

Page helpers take a Playwright ``Page``. Widgets are found by the CSS classes cnnviz adds with
``widget.add_class(...)``: ``cnnviz-<widget>-<part>``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat

TESTS_DIR = Path(__file__).resolve().parents[1]
REPO = TESTS_DIR.parent
sys.path.insert(0, str(TESTS_DIR))
from _notebook_runner import kernel_env  # noqa: E402

SCREENSHOT_DIR = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",  # Chromium refuses to run as root with its sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",  # /dev/shm is tiny in containers; use /tmp
    "--disable-background-networking",
    "--disable-component-update",
]
# Hang guards for waits in the browser (milliseconds), not speed requirements: a 2-core CI
# machine starting a kernel that imports TensorFlow needs tens of seconds.
KERNEL_TIMEOUT_MS = 120_000
RUN_ALL_TIMEOUT_MS = 600_000
UPDATE_TIMEOUT_MS = 60_000

STDERR_MIME = "application/vnd.jupyter.stderr"

# JupyterLab / Notebook 7 user settings for the test server.
USER_SETTINGS = {
    # Render every cell, not just those in the viewport: screenshots and locators need them.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
    # No "Would you like to receive official Jupyter news?" toast over the notebook.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Never write outputs back into the copied notebooks: every test starts from a clean file.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}
PAGE_CONFIG = {
    "disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True},
    # window.jupyterapp lets the helpers read the kernel's and the cells' real state instead
    # of guessing from the DOM (the toolbar says "Idle" before a kernel is even connected).
    "exposeAppInBrowser": True,
}


# --------------------------------------------------------------------------------------------
# Finding Chromium
# --------------------------------------------------------------------------------------------
def find_chromium() -> str | None:
    """Debian's Chromium: ``$CNNVIZ_CHROMIUM``, ``/usr/bin/chromium``, or on ``PATH``."""
    candidates = [os.environ.get("CNNVIZ_CHROMIUM"), "/usr/bin/chromium"]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_course(root: Path) -> None:
    """Copy ``notebooks/`` (and a pre-filled ``data/`` folder, if any) into ``root``, keeping
    the repository layout so relative paths in the notebooks resolve as in the repo."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for name in ("notebooks", "data"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=ignore, dirs_exist_ok=True)
    (root / "notebooks").mkdir(exist_ok=True)


def _die_with_parent() -> None:
    """In the child before exec: on Linux, get SIGTERM when the test process dies, even by
    SIGKILL, so a killed test run leaves no server (the server then ends its kernels)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class JupyterServer:
    """A JupyterLab 4 server (which also serves Notebook 7) for one test session."""

    def __init__(self, base: Path):
        self.base = Path(base)
        self.root = self.base / "root"
        self.log_path = self.base / "jupyter-server.log"
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._log = None

    # -- lifecycle -------------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        dirs = {
            name: self.base / name
            for name in ("config", "runtime", "data", "settings", "workspaces", "kernel")
        }
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        for rel, value in USER_SETTINGS.items():
            target = dirs["settings"] / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(value, indent=2), encoding="utf-8")
        (dirs["config"] / "labconfig").mkdir(exist_ok=True)
        (dirs["config"] / "labconfig" / "page_config.json").write_text(
            json.dumps(PAGE_CONFIG), encoding="utf-8"
        )
        env = kernel_env(dirs["kernel"])
        # Kernels in the browser use matplotlib's inline backend, as a student's would.
        env.pop("MPLBACKEND", None)
        env.update(
            {
                "JUPYTER_CONFIG_DIR": str(dirs["config"]),
                "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
                "JUPYTER_DATA_DIR": str(dirs["data"]),
                "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
                "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            }
        )
        return env

    def _command(self) -> list[str]:
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.open_browser=False",
            # The test process owns the server; no "shut down?" prompt, no terminals.
            "--ServerApp.terminals_enabled=False",
            # Nothing that reaches out to the internet: no news feed, no PyPI extension search.
            "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",
            "--ServerApp.log_level=INFO",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def _ready(self) -> None:
        """Raises until the server answers."""
        self.api("GET", "/api/status")

    def start(self, ready_timeout: float = 120) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        env = self._environment()
        cmd = self._command()
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.root,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, signalled as a whole by stop()
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{cmd[2]} exited with status {self.proc.returncode} before it was "
                    f"ready:\n{self.log_tail()}"
                )
            try:
                self._ready()
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{cmd[2]} did not answer within {ready_timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # Kernels run in process groups of their own: ask the server to end them first,
            # so that even a server that then needs SIGKILL leaves no kernel behind.
            try:
                self.shutdown_kernels()
            except (urllib.error.URLError, OSError, ValueError):
                pass
            # Then SIGTERM to the server's group (the server and anything it started there).
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, max_chars: int = 20_000) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no server log)"
        return text[-max_chars:]

    # -- REST API --------------------------------------------------------------------------
    def api(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def shutdown_kernels(self) -> None:
        """End every session and kernel, so the next test starts a fresh kernel."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.api("GET", "/api/kernels"):
            self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def reset_files(self) -> None:
        """Put back pristine copies of the notebooks and the harness' own notebooks (in
        ``harness/``), and forget saved workspaces."""
        for name in ("notebooks", "data", "harness"):
            shutil.rmtree(self.root / name, ignore_errors=True)
        copy_course(self.root)
        write_demo_notebook(self.root / DEMO_NOTEBOOK)
        write_broken_notebook(self.root / BROKEN_NOTEBOOK)
        shutil.rmtree(self.base / "workspaces", ignore_errors=True)
        (self.base / "workspaces").mkdir()

    # -- URLs ------------------------------------------------------------------------------
    def _existing(self, rel_path: str) -> str:
        if not (self.root / rel_path).is_file():
            raise AssertionError(
                f"{rel_path} does not exist (the server serves a copy of the repository's "
                f"notebooks/ folder, which has: "
                f"{sorted(p.name for p in (self.root / 'notebooks').glob('*.ipynb'))})"
            )
        return rel_path

    def lab_url(self, rel_path: str) -> str:
        """The notebook at ``rel_path`` (relative to the root) in JupyterLab, fresh layout."""
        return f"{self.url}/lab/tree/{self._existing(rel_path)}?reset&token={self.token}"

    def notebook7_url(self, rel_path: str) -> str:
        """The notebook at ``rel_path`` in Notebook 7."""
        return f"{self.url}/notebooks/{self._existing(rel_path)}?token={self.token}"


# --------------------------------------------------------------------------------------------
# The demo notebook that proves the harness
# --------------------------------------------------------------------------------------------
DEMO_NOTEBOOK = "harness/demo.ipynb"
BROKEN_NOTEBOOK = "harness/broken.ipynb"
BROKEN_MESSAGE = "deliberate failure to prove the harness sees errors"
BROKEN_CALLBACK = "deliberate callback failure"

DEMO_SOURCE = [
    "import os\n\nFAST = os.environ.get('CNNVIZ_FAST') == '1'",
    '''import io

import ipywidgets as widgets
from IPython.display import display
from PIL import Image, ImageDraw


def picture(size, shade):
    """A white square of side ``size`` on black, ``shade`` grey."""
    img = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(img).rectangle([4, 4, 4 + size, 4 + size], fill=int(shade))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


slider = widgets.IntSlider(value=10, min=1, max=50, description="size")
slider.add_class("cnnviz-demo-slider")
shade = widgets.FloatText(value=255.0, description="shade")
shade.add_class("cnnviz-demo-shade")
output = widgets.Image(value=picture(10, 255), format="png", width=128, height=128)
output.add_class("cnnviz-demo-output")


def update(change):
    output.value = picture(slider.value, shade.value)


slider.observe(update, names="value")
shade.observe(update, names="value")
display(widgets.VBox([slider, shade, output]))''',
    """import socket

probe = socket.socket()
try:
    probe.connect(("192.0.2.1", 80))  # TEST-NET-1, never reachable
    network = "reachable"
except OSError as exc:
    network = str(exc)
finally:
    probe.close()
print("demo ready; fast mode:", FAST, "; offline:", os.environ.get("CNNVIZ_OFFLINE"))
print("network:", network)""",
]


def _write_notebook(path: Path, sources: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nb.cells[0].metadata["tags"] = ["parameters"]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def write_demo_notebook(path: Path) -> Path:
    """Write the demo notebook (an IntSlider and a FloatText driving an Image) to ``path``."""
    return _write_notebook(path, DEMO_SOURCE)


def write_broken_notebook(path: Path) -> Path:
    """Write a notebook with a traceback in an Output widget, a cell tagged raises-exception
    and a cell that raises, to check that the first and last are seen and the other is not."""
    _write_notebook(
        path,
        [
            "import os\n\nFAST = os.environ.get('CNNVIZ_FAST') == '1'",
            # What a failing widget callback looks like: a traceback inside an Output widget.
            "import traceback\n\nimport ipywidgets as widgets\n\n"
            "out = widgets.Output()\ndisplay(out)\nwith out:\n    try:\n"
            f"        raise KeyError({BROKEN_CALLBACK!r})\n"
            "    except KeyError:\n        traceback.print_exc()",
            # An error shown on purpose (tagged raises-exception) is not a failure.
            "raise RuntimeError('shown on purpose')",
            f"raise ValueError({BROKEN_MESSAGE!r})",
            "print('not reached')",
        ],
    )
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].metadata["tags"] = ["raises-exception"]
    nbformat.write(nb, path)
    return path


# --------------------------------------------------------------------------------------------
# Page helpers
# --------------------------------------------------------------------------------------------
class Steps:
    """Numbered full-page screenshots of one test, in test-artifacts/screenshots/<test>/."""

    def __init__(self, page, test_name: str):
        self.page = page
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self.dir = SCREENSHOT_DIR / safe
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def shot(self, step: str, focus=None) -> Path:
        """Save a full-page screenshot named after ``step``; ``focus`` (a locator) is scrolled
        into view first, since JupyterLab scrolls the notebook inside the page."""
        if focus is not None:
            focus.scroll_into_view_if_needed()
        self.count += 1
        path = self.dir / f"{self.count:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '_', step)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def open_notebook(page, url: str) -> None:
    """Load a notebook page and wait until its cells are on screen."""
    page.goto(url, wait_until="domcontentloaded")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=KERNEL_TIMEOUT_MS)


# The notebook panel on screen (JupyterLab and Notebook 7 both expose it as currentWidget).
_PANEL_JS = """
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    const ready = !!(panel && panel.context && panel.context.isReady && panel.content
                     && panel.sessionContext);
"""


def kernel_status(page) -> str:
    """The kernel's status as the page sees it: 'idle', 'busy', 'starting', ... or 'none'."""
    return page.evaluate(
        "() => {"
        + _PANEL_JS
        + """
        if (!ready) return 'none';
        const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
        if (!kernel) return 'none';
        return kernel.connectionStatus === 'connected' ? kernel.status : kernel.connectionStatus;
    }"""
    )


def wait_for_kernel_idle(page, timeout_ms: int = KERNEL_TIMEOUT_MS) -> None:
    """Wait until the notebook is loaded and its kernel is connected and idle."""
    page.wait_for_function(
        "() => {"
        + _PANEL_JS
        + """
        if (!ready) return false;
        const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
        return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
    }""",
        timeout=timeout_ms,
    )


def click_menu(page, menu: str, item: str) -> None:
    """Open a top menu (e.g. 'Run') and click one of its items (e.g. 'Run All Cells')."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(
        ".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
        has_text=re.compile(f"^{re.escape(item)}$"),
    ).first.click()


def run_all_cells(page, timeout_ms: int = RUN_ALL_TIMEOUT_MS) -> None:
    """Run > Run All Cells (the menu, as a person would), then wait until it has finished."""
    wait_for_kernel_idle(page)
    click_menu(page, "Run", "Run All Cells")
    wait_for_all_cells_done(page, timeout_ms)


def wait_for_all_cells_done(page, timeout_ms: int = RUN_ALL_TIMEOUT_MS) -> None:
    """Wait until no cell is queued or running and the kernel is idle, and either every code
    cell has an execution count or one failed (Run All stops at an error)."""
    page.wait_for_function(
        "() => {"
        + _PANEL_JS
        + """
        if (!ready) return false;
        const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
        if (!kernel || kernel.status !== 'idle') return false;
        const cells = panel.content.widgets.filter(c => c.model.type === 'code');
        const pending = cells.some(c => {
            const prompt = c.node.querySelector('.jp-InputArea-prompt');
            return prompt && prompt.textContent.includes('*');
        });
        if (pending) return false;
        const failed = cells.some(c => {
            const outputs = c.model.outputs;
            for (let i = 0; i < outputs.length; i++) {
                if (outputs.get(i).type === 'error') return true;
            }
            return false;
        });
        return failed || cells.every(c => c.model.executionCount !== null);
    }""",
        timeout=timeout_ms,
    )


def error_outputs(page) -> list[str]:
    """Everything in the notebook that shows an error, as text (empty list: none).

    Per code cell, skipping cells tagged ``raises-exception`` (an error shown on purpose):

    - error outputs (any exception, including a SyntaxError that prints no "Traceback") and
      stderr streams that carry a traceback, read from the notebook model;
    - rendered stderr with a traceback inside widgets (``.jp-OutputArea-output`` with the
      stderr MIME type in an Output widget: where a failing callback's exception shows);
    - widgets that could not be displayed ("Error displaying widget", ipywidgets' error view).
    """
    found = page.evaluate(
        "(stderrMime) => {"
        + _PANEL_JS
        + """
        const found = [];
        if (!ready) return ['the notebook is not loaded: no window.jupyterapp notebook panel'];
        const stderrSelector = `.jp-OutputArea-output[data-mime-type="${stderrMime}"]`;
        panel.content.widgets.forEach((cell, index) => {
            if (cell.model.type !== 'code') return;
            const tags = cell.model.getMetadata('tags') || [];
            if (tags.includes('raises-exception')) return;
            const outputs = cell.model.outputs;
            for (let i = 0; i < outputs.length; i++) {
                const out = outputs.get(i).toJSON();
                if (out.output_type === 'error') {
                    found.push(`cell ${index}: ${out.ename}: ${out.evalue}\\n`
                               + (out.traceback || []).join('\\n'));
                } else if (out.output_type === 'stream' && out.name === 'stderr') {
                    const text = Array.isArray(out.text) ? out.text.join('') : out.text;
                    if (text.includes('Traceback')) {
                        found.push(`cell ${index}: traceback on stderr\\n${text}`);
                    }
                }
            }
            for (const node of cell.node.querySelectorAll('.jupyter-widgets ' + stderrSelector)) {
                if (node.innerText.includes('Traceback')) {
                    found.push(`cell ${index}: traceback in a widget\\n${node.innerText}`);
                }
            }
            for (const node of cell.node.querySelectorAll('.jp-OutputArea-output')) {
                if (node.innerText.startsWith('Error displaying widget')) {
                    found.push(`cell ${index}: ${node.innerText}`);
                }
            }
            for (const node of cell.node.querySelectorAll('.jupyter-widgets-error-widget')) {
                found.push(`cell ${index}: widget failed to render: ${node.innerText}`);
            }
        });
        return found;
    }""",
        STDERR_MIME,
    )
    return [_ANSI.sub("", text) for text in found]


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def widget(page, css_class: str):
    """The first element carrying ``css_class`` (e.g. 'cnnviz-kernel-editor-output'), scrolled
    into view. Fails with the class name if the notebook shows no such widget."""
    locator = page.locator(f".{css_class}").first
    try:
        locator.wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    except Exception as exc:
        raise AssertionError(
            f"no visible element with CSS class {css_class!r} on the page: the widget is "
            f"missing, failed to render, or lost its add_class({css_class!r})"
        ) from exc
    locator.scroll_into_view_if_needed()
    return locator


def set_number(page, css_class: str, value) -> None:
    """Type ``value`` into the number field of the widget with ``css_class`` and press Enter."""
    field = widget(page, css_class).locator("input").first
    field.click()
    field.fill(str(value))
    field.press("Enter")


def set_slider(page, css_class: str, value) -> None:
    """Type ``value`` into the readout of the slider with ``css_class`` and press Enter
    (arrow keys do nothing in Notebook 7)."""
    readout = widget(page, css_class).locator(".widget-readout").first
    readout.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")


def number_value(page, css_class: str) -> str:
    """The text in the input field of the widget with ``css_class``."""
    return widget(page, css_class).locator("input").first.input_value()


def slider_value(page, css_class: str) -> str:
    return widget(page, css_class).locator(".widget-readout").first.inner_text().strip()


def select_option(page, css_class: str, label: str) -> None:
    """Pick ``label`` in the dropdown of the widget with ``css_class``."""
    widget(page, css_class).locator("select").first.select_option(label=label)


def change_control(page, css_class: str) -> str:
    """Move the control with ``css_class`` to another valid value, whatever kind it is
    (slider, dropdown, toggle buttons); return a description of the new value.

    Sliders get a value typed into their readout: one step up, or down at the maximum.
    """
    control = widget(page, css_class)
    if control.locator(".widget-readout").count():
        handle = control.locator("[aria-valuemin]").first
        low = float(handle.get_attribute("aria-valuemin"))
        high = float(handle.get_attribute("aria-valuemax"))
        now = float(handle.get_attribute("aria-valuenow"))
        step = 1 if high - low >= 1 else (high - low) / 10
        new = now + step if now + step <= high else now - step
        new_text = str(int(new)) if float(new).is_integer() else f"{new:g}"
        set_slider(page, css_class, new_text)
        return f"slider {now:g} -> {new_text}"
    select = control.locator("select")
    if select.count():
        options = select.first.locator("option")
        current = select.first.input_value()
        for i in range(options.count()):
            value = options.nth(i).get_attribute("value")
            if value != current:
                select.first.select_option(value=value)
                return f"dropdown -> {options.nth(i).inner_text()}"
        raise AssertionError(f"dropdown {css_class!r} has no other option to pick")
    buttons = control.locator("button")
    if buttons.count():
        for i in range(buttons.count()):
            button = buttons.nth(i)
            if "mod-active" not in (button.get_attribute("class") or ""):
                button.click()
                return f"toggle -> {button.inner_text()}"
        raise AssertionError(f"toggle buttons {css_class!r} have no other button to press")
    raise AssertionError(f"don't know how to change the control with class {css_class!r}")


def text_of(page, css_class: str) -> str:
    return widget(page, css_class).inner_text()


def element_png(page, css_class: str) -> bytes:
    """A PNG screenshot of the element with ``css_class``."""
    return widget(page, css_class).screenshot()


def image_bytes(page, css_class: str) -> bytes:
    """The bytes behind the ``src`` of the ``<img>`` with (or inside) ``css_class``: what the
    kernel sent, not how the browser scaled it. An element without an ``<img>`` (a canvas,
    an SVG) gives a PNG screenshot instead."""
    loc = widget(page, css_class)
    if loc.evaluate("el => el.tagName") == "IMG":
        img = loc
    elif loc.locator("img").count():
        img = loc.locator("img").first
    else:
        return loc.screenshot()
    data = img.evaluate(
        """async el => {
            const r = await fetch(el.src);
            return Array.from(new Uint8Array(await r.arrayBuffer()));
        }"""
    )
    return bytes(data)


def wait_for_change(read, before, timeout_ms: int = UPDATE_TIMEOUT_MS, poll_s: float = 0.2):
    """Call ``read()`` until it returns something other than ``before`` (or time runs out);
    return the last value read. The caller asserts on it."""
    deadline = time.monotonic() + timeout_ms / 1000
    value = read()
    while value == before and time.monotonic() < deadline:
        time.sleep(poll_s)
        value = read()
    return value


# --------------------------------------------------------------------------------------------
# Voila, the projector mode
# --------------------------------------------------------------------------------------------
VOILA_TEMPLATES = REPO / "share" / "jupyter"  # share/jupyter/voila/templates/cnnviz*


class VoilaServer(JupyterServer):
    """Voila serving the course notebooks with cnnviz's offline template, started as the
    instructor guide says (``JUPYTER_PATH=share/jupyter voila --template=cnnviz ...``), on
    127.0.0.1 with a random token and the test kernels' environment."""

    def __init__(self, base: Path, template: str = "cnnviz"):
        super().__init__(base)
        self.template = template
        self.log_path = self.base / f"voila-{template}.log"
        self.kernels: list[str] = []  # of the pages opened with open()

    def _command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "voila",
            "--no-browser",
            f"--template={self.template}",
            "--Voila.ip=127.0.0.1",
            f"--port={self.port}",
            f"--Voila.token={self.token}",
            "--show_tracebacks=True",  # an error shows its traceback, which the tests look for
            str(self.root / "notebooks"),
        ]

    def _environment(self) -> dict[str, str]:
        env = super()._environment()
        env["JUPYTER_PATH"] = str(VOILA_TEMPLATES)
        return env

    def render_url(self, rel_path: str) -> str:
        """The notebook at ``rel_path`` (e.g. notebooks/01_....ipynb) rendered by Voila."""
        name = Path(self._existing(rel_path)).name
        return f"{self.url}/voila/render/{name}?token={self.token}"

    def _ready(self) -> None:
        request = urllib.request.Request(
            f"{self.url}/", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def open(self, page, rel_path: str, timeout_ms: int = RUN_ALL_TIMEOUT_MS) -> None:
        """Load the notebook at ``rel_path`` in Voila and wait until every cell has run and
        the page shows it (Voila hides ``#rendered_cells`` behind a spinner until then)."""
        page.goto(self.render_url(rel_path), wait_until="domcontentloaded", timeout=timeout_ms)
        config = page.locator("#jupyter-config-data")
        config.wait_for(state="attached", timeout=timeout_ms)
        self.kernels.append(json.loads(config.text_content())["kernelId"])
        page.locator("#rendered_cells").wait_for(state="visible", timeout=timeout_ms)

    def shutdown_kernels(self) -> None:
        """End the kernels of the pages this server rendered (each page starts one)."""
        while self.kernels:
            try:
                self.api("DELETE", f"/api/kernels/{self.kernels.pop()}")
            except (urllib.error.URLError, OSError):
                pass  # already gone


VOILA_ERRORS_JS = """(stderrMime) => {
    const found = [];
    for (const node of document.querySelectorAll(`[data-mime-type="${stderrMime}"]`)) {
        const text = node.innerText;
        if (/Traceback|Error/.test(text)) found.push(text);
    }
    for (const node of document.querySelectorAll('.jp-OutputArea-output')) {
        const text = node.innerText;
        if (text.startsWith('Error displaying widget')
            || text.includes('There was an error when executing cell')) found.push(text);
    }
    for (const node of document.querySelectorAll('.jupyter-widgets-error-widget')) {
        found.push('widget failed to render: ' + node.innerText);
    }
    return found;
}"""


def voila_errors(page) -> list[str]:
    """Everything in a Voila page that shows an error (tracebacks, widgets that failed)."""
    return [_ANSI.sub("", text) for text in page.evaluate(VOILA_ERRORS_JS, STDERR_MIME)]


# --------------------------------------------------------------------------------------------
# Reading what a widget shows, drawing, uploading
# --------------------------------------------------------------------------------------------
def shown(page, css_class: str):
    """What the widget with ``css_class`` shows: the bytes of its picture(s) if it has any
    ``<img>`` (as the kernel sent them), else its text; None while the widget is being
    replaced (a grid rebuilt for another layer)."""
    from playwright.sync_api import Error

    try:
        loc = widget(page, css_class)
        if loc.evaluate("el => el.tagName") == "IMG" or loc.locator("img").count():
            return image_bytes(page, css_class)
        return loc.inner_text()
    except Error:
        return None


def wait_until_all_changed(read_all, before: list, timeout_ms: int = UPDATE_TIMEOUT_MS):
    """Call ``read_all()`` until every item differs from ``before`` (or time runs out);
    return the last reading. The caller asserts on it."""
    deadline = time.monotonic() + timeout_ms / 1000
    now = read_all()
    while (
        any(a == b or a is None for a, b in zip(now, before, strict=True))
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
        now = read_all()
    return now


CANVAS_INK_JS = """el => {
    const canvas = el.tagName === 'CANVAS' ? el : el.querySelector('canvas');
    if (!canvas) return -1;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 128 && data[i] < 100 && data[i + 1] < 100 && data[i + 2] < 100) dark++;
    }
    return dark;
}"""


def canvas_ink(page, css_class: str) -> int:
    """How many dark (ink) pixels the ``<canvas>`` of the widget with ``css_class`` shows."""
    count = widget(page, css_class).evaluate(CANVAS_INK_JS)
    if count < 0:
        raise AssertionError(f"no <canvas> in the widget with class {css_class!r}")
    return count


def draw(page, css_class: str, points, *, side: int = 280, moves_per_segment: int = 6) -> None:
    """Draw through ``points`` [(x, y), ...] (canvas pixels of a ``side``-pixel canvas) with
    the mouse: press at the first, move through the others, release at the last."""
    canvas = widget(page, css_class)
    box = canvas.bounding_box()
    sx, sy = box["width"] / side, box["height"] / side

    def at(x, y):
        return box["x"] + x * sx, box["y"] + y * sy

    page.mouse.move(*at(*points[0]))
    page.mouse.down()
    for (xa, ya), (xb, yb) in zip(points, points[1:], strict=False):
        for i in range(1, moves_per_segment + 1):
            t = i / moves_per_segment
            page.mouse.move(*at(xa + (xb - xa) * t, ya + (yb - ya) * t))
    page.mouse.up()


def type_text(page, css_class: str, text: str, *, submit: str = "Enter") -> None:
    """Click the text field (or text area) of ``css_class``, select all, type ``text`` with
    the keyboard and press ``submit`` (``"Tab"`` to leave a text area)."""
    field = widget(page, css_class).locator("input, textarea").first
    field.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)
    if submit:
        page.keyboard.press(submit)
