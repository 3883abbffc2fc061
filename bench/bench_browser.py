"""What a student feels: from a key press, click or slider move to the new picture in the page.

Run from the repository root (Debian's ``chromium`` and the test extra installed)::

    python bench/bench_browser.py              # 23 min on 2 busy cores (load 15), six notebooks
    python bench/bench_browser.py --quick      # 8 edits per row instead of 20
    python bench/bench_browser.py --only 01 02 # some notebooks only

One JupyterLab 4 server on 127.0.0.1 (the browser tests' ``JupyterServer``: temporary
folders, fast mode, no network) and one headless Chromium. Each course notebook is opened and
run from the Run menu, then each widget in it is edited with real keyboard and mouse events
(Playwright's ``keyboard``/``mouse``), alternating between values so every edit is a change.

How one edit is timed, all inside the page with ``performance.now()``:

- a listener (capture phase) stamps the start on the edit's first ``keydown`` or
  ``pointerdown`` (or ``input``: a dropdown); for a slider drag, the last change of the
  slider's readout (the last value the student set);
- a ``MutationObserver`` on the picture (the ``<img>``, or the widget part that shows the
  result) stamps every change of its ``src``, children or text;
- the edit is over when the kernel is idle again and nothing changed for 300 ms; the latency
  is the last change minus the start. So a row is the time until the *final* picture of that
  edit is in the page, messages between kernel and page included (the browser decodes the
  PNG after that: not included).

Rows (DESIGN.md "Speed and memory": p90 at most 50 ms for every widget on a local server);
``drag`` rows move a slider through many values in quick succession (one ``pointermove`` per
16 ms, a 60 Hz mouse) and report how long after the *last* value the final picture lands.
Two more columns split a median: "page in", from the start to the first WebSocket message the
page sends (the widget's own JavaScript), and "page out", from the last message received to
the final change (decoding the message and updating the view); the rest is the server and the
kernel. The reference row is the harness' demo notebook: a slider that redraws a 64x64 picture, the
floor of a round trip through Jupyter's messages on this machine; ratios are against it.
PASS/MISS reports this run on this machine; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "tests" / "browser"))

import browser_helpers as ui  # noqa: E402
from _timing import fmt_ratio, machine_lines, print_table, verdict  # noqa: E402

PACKAGES = [
    ("JupyterLab", ["jupyterlab"]),
    ("ipywidgets", ["ipywidgets"]),
    ("anywidget", ["anywidget"]),
    ("Playwright", ["playwright"]),
    ("NumPy", ["numpy"]),
    ("Pillow", ["pillow"]),
    ("matplotlib", ["matplotlib"]),
    ("cnnviz", ["cnnviz"]),
]
TARGET_MS = 50.0  # DESIGN.md: p90 at most 50 ms for every widget on a local server
QUIET_MS = 300  # an edit is over after this long without a change (and the kernel idle)
MOVE_INTERVAL_S = 0.016  # a drag: one pointer move per frame of a 60 Hz mouse

NOTEBOOKS = {
    "01": "notebooks/01_what_a_filter_does.ipynb",
    "02": "notebooks/02_pooling.ipynb",
    "03": "notebooks/03_sizes_channels_parameters.ipynb",
    "05": "notebooks/05_inside_a_trained_cnn.ipynb",
    "06": "notebooks/06_your_own_digit.ipynb",
}

# The page side: start stamps, a MutationObserver on the target, and the kernel's status.
INSTALL_JS = """
([selector, valueSelector]) => {
    const old = window.__bench;
    if (old) { old.observer.disconnect(); if (old.values) old.values.disconnect(); }
    const b = window.__bench = {armed: false, start: null, lastValue: null, changes: []};
    if (!window.__benchListeners) {
        window.__benchListeners = true;
        const stamp = (event) => {
            const s = window.__bench;
            if (s && s.armed && s.start === null) s.start = performance.now();
        };
        document.addEventListener('keydown', stamp, true);
        document.addEventListener('pointerdown', stamp, true);
        document.addEventListener('pointerup', stamp, true);  // the digit pad's pen-up
        document.addEventListener('input', stamp, true);
        document.addEventListener('change', stamp, true);
    }
    const target = document.querySelector(selector);
    if (!target) return false;
    // Only what the widget shows counts, not its own controls (a slider's readout).
    const controls = '.widget-slider, .widget-text, .widget-dropdown, .widget-toggle-buttons,'
                     + ' .widget-button, .widget-textarea, .widget-upload, .widget-combobox';
    b.observer = new MutationObserver((records) => {
        if (!window.__bench.armed) return;
        if (records.some(r => !(r.target.closest ? r.target : r.target.parentElement)
                                  .closest(controls)))
            window.__bench.changes.push(performance.now());
    });
    const all = {attributes: true, childList: true, subtree: true, characterData: true};
    b.observer.observe(target, all);
    // A slider's readout: when it shows a new value, that value was just set.
    const readout = valueSelector && document.querySelector(valueSelector);
    if (readout) {
        let shown = readout.textContent;
        b.values = new MutationObserver(() => {
            if (readout.textContent === shown) return;  // redrawn, same value
            shown = readout.textContent;
            if (window.__bench.armed) window.__bench.lastValue = performance.now();
        });
        b.values.observe(readout, all);
    }
    return true;
}
"""
# Before any page script: stamp every WebSocket message sent and received while armed, to
# split a latency into the page's own work and the round trip through server and kernel.
WEBSOCKET_JS = """
(() => {
    const Native = window.WebSocket;
    window.__ws = {sent: [], received: []};
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', () => {
                if (window.__bench && window.__bench.armed)
                    window.__ws.received.push(performance.now());
            });
        }
        send(data) {
            if (window.__bench && window.__bench.armed) window.__ws.sent.push(performance.now());
            return super.send(data);
        }
    };
})();
"""
ARM_JS = """() => {
    window.__ws.sent = []; window.__ws.received = [];
    const b = window.__bench; b.armed = true; b.start = null; b.lastValue = null; b.changes = [];
}"""
KERNEL = """
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
                   && panel.sessionContext.session.kernel;
    const idle = !!kernel && kernel.status === 'idle';
"""
IDLE_JS = "() => {" + KERNEL + "return idle; }"
SETTLED_JS = (
    "(quiet) => {"
    + KERNEL
    + """
    const b = window.__bench;
    if (!b.changes.length || b.start === null) return false;
    return idle && performance.now() - b.changes[b.changes.length - 1] >= quiet;
}"""
)
READ_JS = """() => {
    const b = window.__bench; b.armed = false;
    return {start: b.start, lastValue: b.lastValue, changes: b.changes.slice(),
            sent: window.__ws.sent.slice(), received: window.__ws.received.slice()};
}"""


class Recorder:
    """Times edits of one widget part in the page (see the module docstring)."""

    def __init__(self, page):
        self.page = page
        self.rows: dict[str, list[float]] = {}
        self.failures: dict[str, int] = {}
        # Per edit: ms from the start to the first message sent (the page's work on the
        # event), and from the last message received to the final change (drawing it).
        self.page_in: dict[str, list[float]] = {}
        self.page_out: dict[str, list[float]] = {}

    def watch(self, css_class: str, slider: str | None = None) -> None:
        """Observe ``css_class`` (and the readout of the ``slider`` class, for drags)."""
        ui.widget(self.page, css_class)  # fails with the class name if missing
        readout = f".{slider} .widget-readout" if slider else None
        if not self.page.evaluate(INSTALL_JS, [f".{css_class}", readout]):
            raise AssertionError(f"no element .{css_class} to observe")

    def edit(self, row: str, action, *, drag: bool = False, timeout_ms: int = 10_000) -> None:
        """Arm, run ``action()`` (real events), wait until settled, record the latency."""
        self.page.evaluate(ARM_JS)
        action()
        try:
            self.page.wait_for_function(SETTLED_JS, arg=QUIET_MS, timeout=timeout_ms, polling=20)
        except Exception:
            self.page.evaluate(READ_JS)
            self.failures[row] = self.failures.get(row, 0) + 1
            return
        got = self.page.evaluate(READ_JS)
        start = got["lastValue"] if drag and got["lastValue"] is not None else got["start"]
        final = got["changes"][-1]
        self.rows.setdefault(row, []).append(final - start)
        sent = [t for t in got["sent"] if t >= start]
        received = [t for t in got["received"] if t <= final]
        if sent and not drag:
            self.page_in.setdefault(row, []).append(sent[0] - start)
        if received:
            self.page_out.setdefault(row, []).append(final - received[-1])


# ------------------------------------------------------------------------------------ actions
def type_into(page, css_class: str, values, *, enter: bool = False):
    """Edits that select a text field's content and type the next value (Enter to send, for a
    field with ``continuous_update=False``); the start stamp is the first key of the value."""
    field = ui.widget(page, css_class).locator("input, textarea").first
    cycle = iter(values * 1000)

    def action():
        field.click()
        page.keyboard.press("ControlOrMeta+A")
        value = next(cycle)
        if enter:
            field.fill(value)
            page.evaluate(ARM_JS)
            page.keyboard.press("Enter")
        else:
            page.evaluate(ARM_JS)
            page.keyboard.type(value)

    return action


def click_next(page, css_class: str):
    """Edits that click the toggle button that is not active (real mouse clicks)."""
    buttons = ui.widget(page, css_class).locator("button")

    def action():
        for i in range(buttons.count()):
            if "mod-active" not in (buttons.nth(i).get_attribute("class") or ""):
                buttons.nth(i).click()
                return

    return action


def select_cycle(page, css_class: str, labels):
    """Edits of a dropdown: pick the options whose text starts with each of ``labels`` in
    turn (Playwright's ``select_option``: what picking from the opened list does; headless
    Chromium draws no list to click). The start stamp is the ``input`` event."""
    select = ui.widget(page, css_class).locator("select").first
    texts = select.locator("option").all_inner_texts()
    values = [
        next(
            v
            for t, v in zip(
                texts,
                select.locator("option").evaluate_all("os => os.map(o => o.value)"),
                strict=True,
            )
            if t.startswith(label)
        )
        for label in labels
    ]
    cycle = iter(values * 1000)

    def action():
        value = next(cycle)
        if value == select.input_value():
            value = next(cycle)
        select.select_option(value=value)

    return action


def slider_keys(page, css_class: str, span: int = 1):
    """Edits of a slider with the arrow keys on its focused handle (a student's keyboard):
    ``span`` steps right, then as many left; turned round at either end."""
    handle = ui.widget(page, css_class).locator(".noUi-handle").first
    state = {"step": 0}

    def action():
        handle.focus()
        now, low, high = (
            float(handle.get_attribute(name))
            for name in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
        )
        right = (state["step"] // span) % 2 == 0
        state["step"] += 1
        if (right and now >= high) or (not right and now <= low):
            right = not right
        page.keyboard.press("ArrowRight" if right else "ArrowLeft")

    return action


def slider_drag(page, css_class: str, fraction: float = 0.8, steps: int = 24):
    """A drag of the slider's handle across ``fraction`` of the track and back next time,
    one pointer move per 16 ms."""
    control = ui.widget(page, css_class)
    state = {"right": True}

    def action():
        track = control.locator(".noUi-target").first.bounding_box()
        handle = control.locator(".noUi-handle").first.bounding_box()
        y = handle["y"] + handle["height"] / 2
        x0 = handle["x"] + handle["width"] / 2
        left, right = track["x"] + 2, track["x"] + track["width"] - 2
        x1 = x0 + fraction * track["width"] if state["right"] else x0 - fraction * track["width"]
        x1 = min(max(x1, left), right)
        state["right"] = not state["right"]
        page.mouse.move(x0, y)
        page.mouse.down()
        for i in range(1, steps + 1):
            page.mouse.move(x0 + (x1 - x0) * i / steps, y)
            time.sleep(MOVE_INTERVAL_S)
        page.mouse.up()

    return action


def pad_strokes(page, css_class: str):
    """Draw a 1, then a 7 (then a 1 ...) on the digit pad's canvas with the mouse; the
    start stamp is the pen-up (the pointer moves of the stroke come before)."""
    canvas = ui.widget(page, css_class)
    strokes = [
        [(140, 40), (140, 140), (140, 240)],
        [(60, 50), (140, 50), (220, 50), (175, 150), (130, 250)],
    ]
    state = {"n": 0}

    def action():
        box = canvas.bounding_box()
        sx, sy = box["width"] / 280, box["height"] / 280
        points = strokes[state["n"] % 2]
        state["n"] += 1
        x, y = points[0]
        page.mouse.move(box["x"] + x * sx, box["y"] + y * sy)
        page.mouse.down()
        for (xa, ya), (xb, yb) in zip(points, points[1:], strict=False):
            for i in range(1, 6):
                page.mouse.move(
                    box["x"] + (xa + (xb - xa) * i / 5) * sx,
                    box["y"] + (ya + (yb - ya) * i / 5) * sy,
                )
                time.sleep(MOVE_INTERVAL_S)
        page.evaluate(ARM_JS)
        page.mouse.up()

    return action


# ------------------------------------------------------------------------------------ plan
def wait_idle(page) -> None:
    page.wait_for_function(IDLE_JS)


def run_rows(rec: Recorder, edits: int, drags: int, rows) -> None:
    """``rows``: (row name, CSS class to observe, action factory, dragged slider or None)."""
    for name, watch, make, dragged in rows:
        action = make()
        rec.watch(watch, slider=dragged)
        count = drags if dragged else edits
        wait_idle(rec.page)
        for _ in range(count):
            rec.edit(name, action, drag=dragged is not None)
        print(f"  {name}: {len(rec.rows.get(name, []))} edits", flush=True)


def plan(nb: str, page):
    """The rows of one notebook: (name, observed class, action factory, dragged slider)."""
    p = page
    if nb == "demo":
        return [
            (
                "reference: demo slider, 64x64 picture",
                "cnnviz-demo-output",
                lambda: slider_keys(p, "cnnviz-demo-slider"),
                None,
            ),
        ]
    if nb == "01":
        out = "cnnviz-kernel-editor-output"
        pin = "cnnviz-pixel-inspector-output"
        return [
            (
                "kernel editor: cell typed",
                out,
                lambda: type_into(p, "cnnviz-kernel-editor-cell-1-1", ["3", "5"]),
                None,
            ),
            (
                "kernel editor: display mode",
                out,
                lambda: click_next(p, "cnnviz-kernel-editor-mode"),
                None,
            ),
            (
                "kernel editor: preset",
                out,
                lambda: select_cycle(
                    p, "cnnviz-kernel-editor-preset", ["sharpen", "blur", "outline"]
                ),
                None,
            ),
            (
                "pixel inspector: row slider",
                pin,
                lambda: slider_keys(p, "cnnviz-pixel-inspector-row"),
                None,
            ),
            (
                "pixel inspector: row drag",
                pin,
                lambda: slider_drag(p, "cnnviz-pixel-inspector-row", 0.5),
                "cnnviz-pixel-inspector-row",
            ),
        ]
    if nb == "02":
        sand = "cnnviz-pooling-sandbox-output"
        pool = "cnnviz-pooling-explorer-output"
        shift = "cnnviz-shift-explorer"
        return [
            (
                "pooling sandbox: cell typed",
                sand,
                lambda: type_into(p, "cnnviz-pooling-sandbox-cell-0-0", ["97", "98"]),
                None,
            ),
            (
                "pooling explorer: size slider",
                pool,
                lambda: slider_keys(p, "cnnviz-pooling-explorer-size", 2),
                None,
            ),
            (
                "pooling explorer: kind",
                pool,
                lambda: click_next(p, "cnnviz-pooling-explorer-kind"),
                None,
            ),
            (
                "pooling explorer: size drag",
                pool,
                lambda: slider_drag(p, "cnnviz-pooling-explorer-size", 0.9),
                "cnnviz-pooling-explorer-size",
            ),
            (
                "shift explorer: shift slider",
                shift,
                lambda: slider_keys(p, "cnnviz-shift-explorer-shift"),
                None,
            ),
            (
                "shift explorer: shift drag",
                shift,
                lambda: slider_drag(p, "cnnviz-shift-explorer-shift", 0.9),
                "cnnviz-shift-explorer-shift",
            ),
        ]
    if nb == "03":
        draw = "cnnviz-size-calculator-drawing"
        return [
            (
                "size calculator: input size slider",
                draw,
                lambda: slider_keys(p, "cnnviz-size-calculator-size"),
                None,
            ),
            (
                "size calculator: input size drag",
                draw,
                lambda: slider_drag(p, "cnnviz-size-calculator-size", 0.5),
                "cnnviz-size-calculator-size",
            ),
        ]
    if nb == "05":
        grid = "cnnviz-feature-map-explorer"
        return [
            (
                "feature maps: filter slider",
                grid,
                lambda: slider_keys(p, "cnnviz-feature-map-explorer-filter"),
                None,
            ),
            (
                "feature maps: filter drag",
                grid,
                lambda: slider_drag(p, "cnnviz-feature-map-explorer-filter", 0.8),
                "cnnviz-feature-map-explorer-filter",
            ),
            (
                "feature maps: layer menu",
                grid,
                lambda: select_cycle(
                    p, "cnnviz-feature-map-explorer-layer", ["conv1", "conv2", "all"]
                ),
                None,
            ),
            (
                "feature maps: image set (cached)",
                grid,
                lambda: type_into(
                    p, "cnnviz-feature-map-explorer-images", ["3, 4, 5", "0, 1, 2"], enter=True
                ),
                None,
            ),
        ]
    if nb == "06":
        return [
            (
                "digit pad: pen up -> prediction",
                "cnnviz-digit-pad",
                lambda: pad_strokes(p, "cnnviz-digit-pad-canvas"),
                None,
            ),
        ]
    raise ValueError(nb)


def percentile(values, q):
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 edits, 3 drags (else 20, 6)")
    parser.add_argument("--only", nargs="*", default=None, help="notebooks, e.g. 01 05")
    parser.add_argument("--json", type=Path, help="also write the raw latencies here")
    args = parser.parse_args(argv)
    edits, drags = (8, 3) if args.quick else (20, 6)
    chromium = ui.find_chromium()
    if chromium is None:
        print("No Chromium: apt-get install -y chromium (or set CNNVIZ_CHROMIUM)")
        return 1
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    notebooks = ["demo", *(args.only or NOTEBOOKS)]
    with tempfile.TemporaryDirectory(prefix="cnnviz-bench-browser-") as tmp:
        server = ui.JupyterServer(Path(tmp))
        server.reset_files()
        server.start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=chromium, headless=True, args=ui.CHROMIUM_ARGS
                )
                context = browser.new_context(viewport={"width": 1280, "height": 1000})
                context.add_init_script(WEBSOCKET_JS)
                context.set_default_timeout(60_000)
                rec = Recorder(None)
                for nb in notebooks:
                    page = context.new_page()
                    rec.page = page
                    path = ui.DEMO_NOTEBOOK if nb == "demo" else NOTEBOOKS[nb]
                    print(f"{nb}: opening and running {path}", flush=True)
                    try:
                        ui.open_notebook(page, server.lab_url(path))
                        ui.wait_for_kernel_idle(page)
                        ui.run_all_cells(page)
                        errors = ui.error_outputs(page)
                        if errors:
                            print("  error output:", errors[0][:500])
                        run_rows(rec, edits, drags, plan(nb, page))
                    except Exception as exc:  # a busy machine: report the rest anyway
                        print(f"  {nb} not measured: {type(exc).__name__}: {exc}"[:400])
                    page.close()
                    server.shutdown_kernels()
                browser.close()
        finally:
            server.stop()

    reference = statistics.median(next(iter(rec.rows.values())))
    table = []
    for name, values in rec.rows.items():
        median, p90 = statistics.median(values), percentile(values, 0.9)
        failed = rec.failures.get(name, 0)
        page_in = rec.page_in.get(name)
        page_out = rec.page_out.get(name)
        table.append(
            [
                name,
                f"{len(values)}" + (f" (+{failed} lost)" if failed else ""),
                f"{median:.0f} ms",
                f"{p90:.0f} ms",
                f"{max(values):.0f} ms",
                fmt_ratio(median / reference),
                f"{statistics.median(page_in):.0f} ms" if page_in else "",
                f"{statistics.median(page_out):.0f} ms" if page_out else "",
                "" if name.startswith("reference") else verdict(p90, TARGET_MS, at_most=True),
            ]
        )
    for name, failed in rec.failures.items():
        if name not in rec.rows:
            table.append([name, f"0 (+{failed} lost)", "", "", "", "", "", "", "MISS"])
    print()
    print_table(
        [
            "edit -> final picture in the page",
            "edits",
            "median",
            "p90",
            "max",
            "vs ref",
            "page in",
            "page out",
            "p90 <= 50 ms",
        ],
        table,
        title="End-to-end latency in JupyterLab (drag rows: after the last value)",
    )
    for text in machine_lines(PACKAGES):
        print(text)
    print(f"Chromium: {chromium}; total {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"rows": rec.rows, "lost": rec.failures}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
