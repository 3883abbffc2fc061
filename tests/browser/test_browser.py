"""The notebooks in a real browser: JupyterLab 4 and Notebook 7 in headless Chromium.

Each test opens a notebook, runs all cells from the Run menu, checks that no output shows an
error, changes one control the way a student would (typing into a field or a slider's
readout) and checks that the picture the kernel sends back changes. Screenshots of every step
go to test-artifacts/screenshots/<test>/.

Widgets are found by the CSS classes that cnnviz.widgets adds (``cnnviz-<widget>-<part>``);
the names used here are the contract between the widgets and these tests.
"""

from __future__ import annotations

import browser_helpers as ui
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NB01 = "notebooks/01_what_a_filter_does.ipynb"
NB02 = "notebooks/02_pooling.ipynb"
NB05 = "notebooks/05_inside_a_trained_cnn.ipynb"

# The CSS classes (contract with cnnviz.widgets).
KERNEL_EDITOR = "cnnviz-kernel-editor"  # the whole editor
KERNEL_CELL = "cnnviz-kernel-editor-cell-1-1"  # the centre weight of the 3x3 kernel
KERNEL_OUTPUT = "cnnviz-kernel-editor-output"  # the filtered picture (ipywidgets.Image)
POOL_SIZE = "cnnviz-pooling-explorer-size"  # pool size control
POOL_OUTPUT = "cnnviz-pooling-explorer-output"  # the pooled picture
POOL_SHAPES = "cnnviz-pooling-explorer-shapes"  # text with the shapes before and after
FEATURE_FILTER = "cnnviz-feature-map-explorer-filter"  # which filter of the layer
FEATURE_OUTPUT = "cnnviz-feature-map-explorer-output"  # the grid of feature maps


def open_and_run(page, steps, url: str) -> None:
    """Open ``url``, wait for the kernel, Run All Cells, and check that nothing failed."""
    ui.open_notebook(page, url)
    ui.wait_for_kernel_idle(page)
    steps.shot("opened")
    ui.run_all_cells(page)
    steps.shot("ran-all-cells")
    assert_no_errors(page)


def assert_no_errors(page) -> None:
    errors = ui.error_outputs(page)
    assert not errors, "error output in the notebook:\n\n" + "\n\n".join(errors)


def edit_kernel_and_check_picture(page, steps) -> None:
    """Type a new centre weight into the kernel editor; the filtered picture must change."""
    before = ui.image_bytes(page, KERNEL_OUTPUT)
    steps.shot("before-kernel-edit", focus=ui.widget(page, KERNEL_EDITOR))
    old = ui.number_value(page, KERNEL_CELL)
    # Centre weight 1 adds the image itself to the edges: still a visible picture.
    new = "1" if old.strip() != "1" else "2"
    ui.set_number(page, KERNEL_CELL, new)
    after = ui.wait_for_change(lambda: ui.image_bytes(page, KERNEL_OUTPUT), before)
    steps.shot("after-kernel-edit", focus=ui.widget(page, KERNEL_EDITOR))
    assert after != before, (
        f"the filtered picture did not change after typing {new} (was {old!r}) into the "
        "kernel editor's centre weight"
    )
    assert ui.number_value(page, KERNEL_CELL).strip() == new
    assert_no_errors(page)


# --------------------------------------------------------------------------------------------
# The harness itself, proven on a generated demo notebook (no course notebook needed)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("frontend", ["lab", "notebook7"])
def test_demo_widgets_update_picture(page, steps, jupyter_server, frontend):
    url = (
        jupyter_server.lab_url(ui.DEMO_NOTEBOOK)
        if frontend == "lab"
        else jupyter_server.notebook7_url(ui.DEMO_NOTEBOOK)
    )
    open_and_run(page, steps, url)
    # The kernel got the test environment: fast mode, offline, and no network.
    printed = page.locator(".jp-OutputArea-output").all_inner_texts()
    assert any("demo ready; fast mode: True ; offline: 1" in t for t in printed), printed
    assert any("network: network access is disabled" in t for t in printed), printed

    before = ui.image_bytes(page, "cnnviz-demo-output")
    assert before.startswith(b"\x89PNG"), "the demo picture should be the PNG the kernel sent"
    assert ui.slider_value(page, "cnnviz-demo-slider") == "10"
    ui.set_slider(page, "cnnviz-demo-slider", 40)
    after_slider = ui.wait_for_change(lambda: ui.image_bytes(page, "cnnviz-demo-output"), before)
    steps.shot("after-slider", focus=ui.widget(page, "cnnviz-demo-output"))
    assert after_slider != before, "typing into the slider's readout did not change the picture"
    assert ui.slider_value(page, "cnnviz-demo-slider") == "40"

    ui.set_number(page, "cnnviz-demo-shade", 100)
    after_number = ui.wait_for_change(
        lambda: ui.image_bytes(page, "cnnviz-demo-output"), after_slider
    )
    steps.shot("after-number", focus=ui.widget(page, "cnnviz-demo-output"))
    assert after_number != after_slider, "typing into the number field did not change it"

    description = ui.change_control(page, "cnnviz-demo-slider")
    assert description == "slider 40 -> 41"
    assert ui.slider_value(page, "cnnviz-demo-slider") == "41"
    assert_no_errors(page)


def test_harness_sees_errors(page, steps, jupyter_server):
    """A raising cell and a traceback inside an Output widget (a failing callback) must show
    up in error_outputs, or the other tests prove nothing; an error shown on purpose (a cell
    tagged raises-exception) must not."""
    ui.open_notebook(page, jupyter_server.lab_url(ui.BROKEN_NOTEBOOK))
    ui.run_all_cells(page)
    steps.shot("ran-broken-notebook")
    errors = ui.error_outputs(page)
    assert len(errors) == 2, errors
    assert errors[0].startswith("cell 1: traceback in a widget")
    assert ui.BROKEN_CALLBACK in errors[0]
    assert errors[1].startswith("cell 3: ValueError: " + ui.BROKEN_MESSAGE)
    assert "shown on purpose" not in "".join(errors)


# --------------------------------------------------------------------------------------------
# The course notebooks
# --------------------------------------------------------------------------------------------
def test_notebook01_kernel_editor_in_jupyterlab(page, steps, jupyter_server):
    open_and_run(page, steps, jupyter_server.lab_url(NB01))
    edit_kernel_and_check_picture(page, steps)


def test_notebook01_kernel_editor_in_notebook7(page, steps, jupyter_server):
    open_and_run(page, steps, jupyter_server.notebook7_url(NB01))
    edit_kernel_and_check_picture(page, steps)


def test_notebook02_pooling_control_in_jupyterlab(page, steps, jupyter_server):
    open_and_run(page, steps, jupyter_server.lab_url(NB02))
    before_picture = ui.image_bytes(page, POOL_OUTPUT)
    before_shapes = ui.text_of(page, POOL_SHAPES)
    steps.shot("before-pool-change", focus=ui.widget(page, POOL_OUTPUT))
    moved = ui.change_control(page, POOL_SIZE)
    after_picture = ui.wait_for_change(lambda: ui.image_bytes(page, POOL_OUTPUT), before_picture)
    after_shapes = ui.wait_for_change(lambda: ui.text_of(page, POOL_SHAPES), before_shapes)
    steps.shot("after-pool-change", focus=ui.widget(page, POOL_OUTPUT))
    assert after_picture != before_picture, f"pooled picture unchanged after {moved}"
    assert after_shapes != before_shapes, (
        f"shapes text unchanged after {moved}: still {before_shapes!r}"
    )
    assert_no_errors(page)


def test_notebook05_feature_map_filter_slider_in_jupyterlab(page, steps, jupyter_server):
    open_and_run(page, steps, jupyter_server.lab_url(NB05))
    before = ui.image_bytes(page, FEATURE_OUTPUT)
    steps.shot("before-filter-change", focus=ui.widget(page, FEATURE_OUTPUT))
    moved = ui.change_control(page, FEATURE_FILTER)
    after = ui.wait_for_change(lambda: ui.image_bytes(page, FEATURE_OUTPUT), before)
    steps.shot("after-filter-change", focus=ui.widget(page, FEATURE_OUTPUT))
    assert after != before, f"feature maps unchanged after {moved}"
    assert_no_errors(page)
