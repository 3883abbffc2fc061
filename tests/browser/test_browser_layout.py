"""Layout in a real browser: a message never squeezes, clips or moves the controls beside it.

Issue 10, item 2: while a message showed, the pooling sandbox lost the 4th column of its
grid, the kernel editor's third column and Weight/Bias fields were clipped (JupyterLab and
Notebook 7), and the digit pad's upload button shrank to "Image …". Here a generated notebook
shows each widget twice, once quiet and once with a long message put there by the widget's
own error path; every control must have the same size in both, lie inside its widget, and
the message must sit below the controls.
"""

from __future__ import annotations

import browser_helpers as ui
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LAYOUT_NOTEBOOK = "harness/messages.ipynb"
UPLOAD = "cnnviz-probe-upload"

SOURCES = [
    "import os\n\nFAST = os.environ.get('CNNVIZ_FAST') == '1'",
    """import ipywidgets as widgets
from IPython.display import display

import cnnviz.widgets as W
from cnnviz.widgets._base import _beside, _error_html, _message

LONG = (
    "row 1, column 1 must be a number such as -1, 0.5 or 1/9; got 'not a number at all, "
    "typed by a student who kept typing'. The picture shows the last valid kernel."
)


def build(with_message):
    editor = W.kernel_editor("brick", "vertical_lines", images=["brick"])
    sandbox = W.pooling_sandbox()
    # The digit pad's upload row, built the way the pad builds it (without its model).
    upload = widgets.FileUpload(
        accept="image/*", description="Image file", layout=widgets.Layout(width="auto")
    )
    upload.add_class("cnnviz-probe-upload")
    upload_message = _message("cnnviz-probe-upload-message")
    if with_message:
        editor.cells[0][0].value = "not a number at all, typed by a student who kept typing"
        sandbox.cells[0][3].value = "not a number at all, typed by a student who kept typing"
        upload_message.value = _error_html(ValueError(LONG))
    return widgets.VBox([editor, sandbox, _beside(upload, upload_message)])


display(build(False))
display(build(True))""",
]

# Controls whose boxes must not change when a message shows: (CSS class, how many per copy).
CONTROLS = (
    [(f"cnnviz-kernel-editor-cell-{r}-{c}", 1) for r in range(3) for c in range(3)]
    + [("cnnviz-kernel-editor-weight", 1), ("cnnviz-kernel-editor-bias", 1)]
    + [(f"cnnviz-pooling-sandbox-cell-{r}-{c}", 1) for r in range(4) for c in range(4)]
    + [(UPLOAD, 1)]
)
MESSAGES = [
    "cnnviz-kernel-editor-message",
    "cnnviz-pooling-sandbox-message",
    "cnnviz-probe-upload-message",
]


def box(page, css_class: str, index: int) -> dict:
    locator = page.locator(f".{css_class}").nth(index)
    locator.scroll_into_view_if_needed()
    found = locator.bounding_box()
    assert found is not None, f"{css_class} (copy {index}) is not rendered"
    return found


def visible_width(page, css_class: str, index: int) -> float:
    """How much of the element is not clipped by an ancestor that hides overflow."""
    return (
        page.locator(f".{css_class}")
        .nth(index)
        .evaluate(
            """el => {
            let r = el.getBoundingClientRect();
            let left = r.left, right = r.right;
            for (let p = el.parentElement; p; p = p.parentElement) {
                const s = getComputedStyle(p);
                if (s.overflowX !== 'visible') {
                    const q = p.getBoundingClientRect();
                    left = Math.max(left, q.left); right = Math.min(right, q.right);
                }
            }
            return Math.max(0, right - left);
        }"""
        )
    )


@pytest.mark.parametrize("frontend", ["lab", "notebook7"])
def test_a_message_never_squeezes_or_clips_a_control(page, steps, jupyter_server, frontend):
    ui._write_notebook(jupyter_server.root / LAYOUT_NOTEBOOK, SOURCES)
    url = (
        jupyter_server.lab_url(LAYOUT_NOTEBOOK)
        if frontend == "lab"
        else jupyter_server.notebook7_url(LAYOUT_NOTEBOOK)
    )
    ui.open_notebook(page, url)
    ui.wait_for_kernel_idle(page)
    ui.run_all_cells(page)
    assert not ui.error_outputs(page), ui.error_outputs(page)
    for css in MESSAGES:  # the second copy shows each message, the first none
        quiet, loud = (page.locator(f".{css}").nth(i).inner_text().strip() for i in (0, 1))
        assert quiet == "" and len(loud) > 80, (css, quiet, loud)
    steps.shot("quiet-copy", focus=page.locator(".cnnviz-kernel-editor").nth(0))
    steps.shot("copy-with-messages", focus=page.locator(".cnnviz-kernel-editor").nth(1))

    problems = []
    for css, _ in CONTROLS:
        quiet, loud = box(page, css, 0), box(page, css, 1)
        if abs(quiet["width"] - loud["width"]) > 1 or abs(quiet["height"] - loud["height"]) > 1:
            problems.append(
                f"{css}: {quiet['width']:.0f}x{quiet['height']:.0f} without a "
                f"message, {loud['width']:.0f}x{loud['height']:.0f} with one"
            )
        for copy in (0, 1):
            shown = visible_width(page, css, copy)
            full = box(page, css, copy)["width"]
            if shown < full - 1:
                problems.append(f"{css} (copy {copy}): only {shown:.0f} of {full:.0f} px visible")
    # Each message lies below the controls of its row: a line of its own.
    below = {
        "cnnviz-kernel-editor-message": "cnnviz-kernel-editor-cell-2-2",
        "cnnviz-pooling-sandbox-message": "cnnviz-pooling-sandbox-cell-3-3",
        "cnnviz-probe-upload-message": UPLOAD,
    }
    for message, control in below.items():
        top = box(page, message, 1)["y"]
        bottom = box(page, control, 1)["y"] + box(page, control, 1)["height"]
        if top < bottom - 1:
            problems.append(f"{message} starts at y={top:.0f}, above the bottom of {control}")
    # The upload button shows its whole label.
    label = page.locator(f".{UPLOAD}").nth(1).inner_text()
    if "Image file" not in label:
        problems.append(f"upload button label cut to {label!r}")
    assert not problems, "\n".join(problems)
