"""Accessibility in a real browser, keyboard only: each widget family is reached with Tab and
operated with keys, its picture changes and its text alternative follows.

axe-core (WCAG 2.0/2.1, A and AA) runs on every notebook's outputs inside the notebook tests
of test_browser.py (``a11y.assert_accessible``, after Run All Cells), so each notebook runs
once in JupyterLab for both.
"""

from __future__ import annotations

import re
import time

import a11y
import browser_helpers as ui
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NOTEBOOK01 = "01_what_a_filter_does"
NOTEBOOK02 = "02_pooling"
NOTEBOOK05 = "05_inside_a_trained_cnn"
NOTEBOOK06 = "06_your_own_digit"


# --------------------------------------------------------------------------------------------
# Keyboard only: Tab to each control, operate it with keys, see the picture change. Not a
# single mouse event: the notebook is run from the Run menu's command, the focus is put before
# the widget as if the student had Tabbed there.
# --------------------------------------------------------------------------------------------
def run_by_keyboard(page, steps, url) -> None:
    ui.open_notebook(page, url)
    ui.wait_for_kernel_idle(page)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    ui.wait_for_all_cells_done(page)
    steps.shot("ran-all-cells")
    errors = ui.error_outputs(page)
    assert not errors, "error output in the notebook:\n\n" + "\n\n".join(errors)


def alt_of(page, css_class: str) -> str:
    """The text alternative (title) of the first picture with ``css_class``."""
    return ui.widget(page, css_class).get_attribute("title") or ""


def wait_for_new(read, before, what: str):
    after = ui.wait_for_change(read, before)
    assert after != before, f"{what} did not change (still {before!r})"
    return after


def wait_until(read, predicate, what: str, timeout_s: float = ui.UPDATE_TIMEOUT_MS / 1000):
    """Read until ``predicate(value)`` holds (updates arrive one message at a time)."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while not predicate(value) and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    assert predicate(value), f"{what}: never happened; last seen {value!r}"
    return value


def select_all_and_type(page, text: str) -> None:
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)


def test_kernel_editor_by_keyboard_alone(page, steps, jupyter_server):
    run_by_keyboard(page, steps, jupyter_server.lab_url(f"notebooks/{NOTEBOOK01}.ipynb"))
    output = "cnnviz-kernel-editor-output"
    alt = alt_of(page, output)
    assert alt.startswith("Filtered: vertical_lines applied to brick"), alt
    picture = ui.image_bytes(page, output)

    a11y.start_before(page, ".cnnviz-kernel-editor")
    a11y.tab_until(page, a11y.in_widget("cnnviz-kernel-editor-preset", tag="select"), what="preset")
    page.keyboard.press("ArrowDown")  # vertical_lines -> horizontal_lines
    alt = wait_for_new(lambda: alt_of(page, output), alt, "the picture's text after ArrowDown")
    assert alt.startswith("Filtered: horizontal_lines applied to brick"), alt
    picture = wait_for_new(lambda: ui.image_bytes(page, output), picture, "the picture")

    a11y.tab_until(
        page, a11y.in_widget("cnnviz-kernel-editor-cell-1-1", tag="input"), what="centre weight"
    )
    select_all_and_type(page, "2")
    alt = wait_for_new(lambda: alt_of(page, output), alt, "the picture's text after typing 2")
    assert "the kernel -1 -2 -1 / 0 2 0 / 1 2 1 applied to brick" in alt, alt
    picture = wait_for_new(lambda: ui.image_bytes(page, output), picture, "the picture")

    signed = a11y.tab_until(
        page,
        lambda d: "cnnviz-kernel-editor-mode" in d["classes"] and d["label"] == "signed",
        what="the 'signed' display button",
    )
    assert signed["tag"] == "button"
    page.keyboard.press("Space")
    alt = wait_for_new(lambda: alt_of(page, output), alt, "the picture's text after Space")
    assert "blue below 0, white at 0, red above 0" in alt, alt
    wait_for_new(lambda: ui.image_bytes(page, output), picture, "the picture")
    pressed = ui.widget(page, "cnnviz-kernel-editor-mode").locator("button[aria-pressed=true]")
    assert pressed.inner_text().strip() == "signed"
    steps.shot("after-keyboard", focus=ui.widget(page, output))
    a11y.assert_named(page)


def test_pooling_sandbox_by_keyboard_alone(page, steps, jupyter_server):
    run_by_keyboard(page, steps, jupyter_server.lab_url(f"notebooks/{NOTEBOOK02}.ipynb"))
    result = ".cnnviz-pooling-sandbox table"

    def read():
        return page.locator(result).first.inner_text()

    before = read()
    a11y.start_before(page, ".cnnviz-pooling-sandbox")
    cell = a11y.tab_until(
        page, a11y.in_widget("cnnviz-pooling-sandbox-cell-0-0", tag="input"), what="first number"
    )
    assert cell["label"] == "input number, row 1, column 1", cell
    # 1, 3, 4, 2 in the top left block: its max was 4, and 9 wins now
    assert before.split()[0] == "4", before
    select_all_and_type(page, "9")
    wait_until(read, lambda t: t.split()[0] == "9", "max 9 after typing 9")
    a11y.start_before(page, ".cnnviz-pooling-sandbox")  # the pooling buttons may come first
    average = a11y.tab_until(
        page, lambda d: d["tag"] == "button" and d["label"] == "average", what="'average'"
    )
    assert "cnnviz-pooling-sandbox" in average["classes"]
    page.keyboard.press("Space")
    # (9 + 3 + 4 + 2) / 4
    averaged = wait_until(read, lambda t: t.split()[0] == "4.5", "average 4.5")
    a11y.start_before(page, ".cnnviz-pooling-sandbox")
    a11y.tab_until(
        page, lambda d: d["tag"] == "button" and "New numbers" in d["label"], what="New numbers"
    )
    page.keyboard.press("Space")
    wait_for_new(read, averaged, "the result after New numbers")
    steps.shot("after-keyboard", focus=page.locator(".cnnviz-pooling-sandbox").first)
    a11y.assert_named(page)


def test_feature_map_explorer_by_keyboard_alone(page, steps, jupyter_server):
    run_by_keyboard(page, steps, jupyter_server.lab_url(f"notebooks/{NOTEBOOK05}.ipynb"))
    output = "cnnviz-feature-map-explorer-output"
    alt = alt_of(page, output)
    first = int(re.search(r"\. conv1 filter (\d+), ", alt).group(1))
    picture = ui.image_bytes(page, output)
    a11y.start_before(page, ".cnnviz-feature-map-explorer")
    handle = a11y.tab_until(
        page,
        a11y.in_widget("cnnviz-feature-map-explorer-filter", role="slider"),
        what="the Filter slider's handle",
    )
    assert handle["label"] == "Filter", handle
    page.keyboard.press("ArrowRight")
    alt = wait_until(
        lambda: alt_of(page, output),
        lambda text: f". conv1 filter {first + 1}, " in text,
        f"the picture's text says filter {first + 1} after ArrowRight",
    )
    picture = wait_for_new(lambda: ui.image_bytes(page, output), picture, "the feature map")
    a11y.tab_until(
        page,
        a11y.in_widget("cnnviz-feature-map-explorer-layer", tag="select"),
        what="the Layer menu",
        key="Shift+Tab",
    )
    everything = f".{output}"

    def all_alts():
        return page.locator(everything).evaluate_all("els => els.map(e => e.title).join(' | ')")

    before = all_alts()
    page.keyboard.press("ArrowDown")
    wait_for_new(all_alts, before, "the pictures' text after another layer")
    steps.shot("after-keyboard", focus=ui.widget(page, output))
    a11y.assert_named(page)


# A 7 typed as a grid of characters (14 lines of 14: '#' ink, '.' paper).
SEVEN = [
    "..............",
    "..##########..",
    "..##########..",
    "..........##..",
    ".........##...",
    "........##....",
    ".......##.....",
    "......##......",
    "......##......",
    ".....##.......",
    ".....##.......",
    "....##........",
    "....##........",
    "..............",
]


def test_digit_pad_grid_by_keyboard_alone(page, steps, jupyter_server):
    run_by_keyboard(page, steps, jupyter_server.lab_url(f"notebooks/{NOTEBOOK06}.ipynb"))
    verdict = ".cnnviz-digit-pad-verdict"
    step = "cnnviz-digit-pad-step"

    def read():
        return page.locator(verdict).first.inner_text(), alt_of(page, step)

    before = read()
    a11y.start_before(page, ".cnnviz-digit-pad")
    tab = a11y.tab_until(page, lambda d: d["role"] == "tab", what="the Draw/Upload/Type tabs")
    assert "cnnviz-digit-pad" in tab["classes"]
    for _ in range(3):
        if focused_tab_is(page, "Type"):
            break
        page.keyboard.press("ArrowRight")
    assert focused_tab_is(page, "Type"), a11y.focused(page)
    page.keyboard.press("Enter")
    grid = a11y.tab_until(
        page, a11y.in_widget("cnnviz-digit-pad-grid", tag="textarea"), what="the digit grid"
    )
    assert grid["label"].startswith("Digit grid: 14 lines of 14 characters"), grid
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("\n".join(SEVEN))
    page.keyboard.press("Tab")  # leaving the box uses the grid
    after = wait_until(
        read, lambda now: "from the typed grid" in now[0], "the prediction of the typed grid"
    )
    assert after[1] != before[1], "the step pictures' text did not change"
    steps.shot("after-keyboard", focus=page.locator(verdict).first)
    a11y.assert_named(page)


def focused_tab_is(page, title: str) -> bool:
    desc = a11y.focused(page)
    return bool(desc) and desc["role"] == "tab" and desc["label"].strip().startswith(title)
