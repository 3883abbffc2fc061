"""The notebooks in a real browser: JupyterLab 4 and Notebook 7 in headless Chromium.

Each test opens a notebook, runs all cells from the Run menu, checks that no output shows an
error, changes one control the way a student would (typing into a field or a slider's
readout) and checks that the picture the kernel sends back changes. Screenshots of every step
go to test-artifacts/screenshots/<test>/.

Widgets are found by the CSS classes that cnnviz.widgets adds (``cnnviz-<widget>-<part>``);
the names used here are the contract between the widgets and these tests.
"""

from __future__ import annotations

import a11y
import browser_helpers as ui
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NB01 = "notebooks/01_what_a_filter_does.ipynb"
NB02 = "notebooks/02_pooling.ipynb"
NB05 = "notebooks/05_inside_a_trained_cnn.ipynb"
NB06 = "notebooks/06_your_own_digit.ipynb"

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
# The course notebooks: every widget, with real keyboard and mouse events
# --------------------------------------------------------------------------------------------
def check_change(page, steps, label: str, action, *watched: str) -> None:
    """Do ``action()`` (a student's edit); every widget part in ``watched`` (CSS classes)
    must then show something new (picture bytes or text). Screenshot after."""
    before = [ui.shown(page, c) for c in watched]
    action()
    after = ui.wait_until_all_changed(lambda: [ui.shown(page, c) for c in watched], before)
    steps.shot(label, focus=ui.widget(page, watched[0]))
    unchanged = [c for c, a, b in zip(watched, after, before, strict=True) if a == b]
    assert not unchanged, f"{label}: {unchanged} did not change"
    assert_no_errors(page)


def slider(page, css_class):
    return lambda: ui.change_control(page, css_class)


def pick(page, css_class, label):
    return lambda: ui.select_option(page, css_class, label)


def click_other(page, css_class):
    return lambda: ui.change_control(page, css_class)  # the toggle button not active


def typed(page, css_class, text, submit="Enter"):
    return lambda: ui.type_text(page, css_class, text, submit=submit)


def use_notebook01(page, steps) -> None:
    """Pixel inspector and kernel editor: every control."""
    pi = "cnnviz-pixel-inspector"
    shows = (f"{pi}-output", f"{pi}-tables")
    check_change(page, steps, "inspector-row", slider(page, f"{pi}-row"), *shows)
    check_change(page, steps, "inspector-column", slider(page, f"{pi}-col"), *shows)
    check_change(page, steps, "inspector-kernel", pick(page, f"{pi}-preset", "sharpen"), *shows)
    check_change(
        page, steps, "inspector-padding", click_other(page, f"{pi}-padding"), f"{pi}-output"
    )
    check_change(
        page, steps, "inspector-image", lambda: ui.change_control(page, f"{pi}-image"), *shows
    )
    edit_kernel_and_check_picture(page, steps)
    ke = "cnnviz-kernel-editor"
    out = f"{ke}-output"
    check_change(page, steps, "editor-preset", pick(page, f"{ke}-preset", "outline"), out)
    check_change(page, steps, "editor-mode", click_other(page, f"{ke}-mode"), out)
    check_change(page, steps, "editor-padding", click_other(page, f"{ke}-padding"), out)
    check_change(page, steps, "editor-weight", typed(page, f"{ke}-weight", "-1"), out)
    check_change(page, steps, "editor-bias", typed(page, f"{ke}-bias", "40"), out)
    check_change(
        page,
        steps,
        "editor-image",
        lambda: ui.change_control(page, f"{ke}-image"),
        f"{ke}-input",
        out,
    )
    # Bad text: a message beside the grid, the last good picture stays.
    before = ui.shown(page, out)
    ui.type_text(page, KERNEL_CELL, "abc")
    # The cell sends every key ('a', 'ab', ...): wait for the message about the whole word.
    page.wait_for_function(
        f"() => document.querySelector('.{ke}-message').innerText.includes('abc')"
    )
    message = ui.text_of(page, f"{ke}-message")
    steps.shot("editor-bad-text", focus=ui.widget(page, KERNEL_EDITOR))
    assert "abc" in message, f"no message about 'abc' beside the kernel grid: {message!r}"
    assert ui.shown(page, out) == before, "a bad kernel value changed the picture"


def use_notebook02(page, steps) -> None:
    """Pooling sandbox, pooling explorer, shift explorer: every control."""
    ps = "cnnviz-pooling-sandbox"
    shows = (f"{ps}-output", f"{ps}-explanation")
    check_change(page, steps, "sandbox-cell", typed(page, f"{ps}-cell-0-0", "99"), *shows)
    check_change(page, steps, "sandbox-kind", click_other(page, f"{ps}-kind"), *shows)
    check_change(
        page, steps, "sandbox-new-numbers", lambda: ui.widget(page, f"{ps}-new").click(), *shows
    )
    pe = "cnnviz-pooling-explorer"
    for part in ("size", "kind", "times", "stride"):
        check_change(page, steps, f"explorer-{part}", slider(page, f"{pe}-{part}"), POOL_OUTPUT)
    check_change(
        page,
        steps,
        "explorer-kernel",
        pick(page, f"{pe}-kernel", "horizontal_lines"),
        f"{pe}-feature",
        POOL_OUTPUT,
    )
    check_change(
        page,
        steps,
        "explorer-image",
        lambda: ui.change_control(page, f"{pe}-image"),
        f"{pe}-feature",
        POOL_OUTPUT,
    )
    se = "cnnviz-shift-explorer"
    check_change(
        page,
        steps,
        "shift-slider",
        slider(page, f"{se}-shift"),
        f"{se}-before-shifted",
        f"{se}-numbers",
    )
    check_change(page, steps, "shift-pooling", click_other(page, f"{se}-pool"), f"{se}-after")


def use_notebook03(page, steps) -> None:
    """Output-size calculator: every control, and a bad padding."""
    sc = "cnnviz-size-calculator"
    shows = (f"{sc}-drawing", f"{sc}-formula")
    check_change(page, steps, "calculator-size", slider(page, f"{sc}-size"), *shows)
    check_change(page, steps, "calculator-kernel", slider(page, f"{sc}-kernel"), *shows)
    check_change(page, steps, "calculator-stride", slider(page, f"{sc}-stride"), *shows)
    check_change(
        page,
        steps,
        "calculator-padding",
        typed(page, f"{sc}-padding", "same"),
        *shows,
        f"{sc}-keras",
    )
    before = ui.shown(page, f"{sc}-drawing")
    ui.type_text(page, f"{sc}-padding", "lots")
    # The field sends every key ('l', 'lo', ...): wait for the message about the whole word.
    page.wait_for_function(
        f"() => document.querySelector('.{sc}-message').innerText.includes(\"'lots'\")"
    )
    message = ui.text_of(page, f"{sc}-message")
    steps.shot("calculator-bad-padding", focus=ui.widget(page, f"{sc}-padding"))
    assert "lots" in message, f"no message about the bad padding: {message!r}"
    assert ui.shown(page, f"{sc}-drawing") == before


def use_notebook04(page, steps) -> None:
    """Training progress: three runs, each finished in the page."""
    texts = page.locator(".jp-OutputArea-output").all_inner_texts()
    done = [t for t in texts if "done: " in t]
    steps.shot("trained", focus=page.locator(".jp-OutputArea-output", has_text="done: ").first)
    training = [t[:300] for t in texts if "poch" in t]
    assert len(done) >= 3, f"expected three finished training runs in the page: {training}"


def use_feature_map_explorer(
    page, steps, fe="cnnviz-feature-map-explorer", *, images: bool = True
) -> None:
    """Filter slider, layer menu and (where there is a choice of images) the image set."""
    check_change(page, steps, "feature-filter", slider(page, f"{fe}-filter"), FEATURE_OUTPUT)
    check_change(
        page,
        steps,
        "feature-layer",
        pick(page, f"{fe}-layer", "conv2 (64 filters)"),
        FEATURE_OUTPUT,
    )
    if images:
        check_change(
            page, steps, "feature-images", typed(page, f"{fe}-images", "7, 8, 9"), FEATURE_OUTPUT
        )


def use_notebook05(page, steps) -> None:
    """Feature-map explorer (filter, layer, images) and the kernel editor on a learned
    kernel."""
    use_feature_map_explorer(page, steps)
    edit_kernel_and_check_picture(page, steps)


ONE = [(140, 40), (140, 140), (140, 240)]
SEVEN = [(60, 50), (140, 50), (220, 50), (175, 150), (130, 250)]
PAD = "cnnviz-digit-pad"


def digit_png(tmp_path) -> str:
    """A photo-like PNG of a 4: dark ink on light paper, 120x160, written by the test."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (120, 160), 235)
    pen = ImageDraw.Draw(image)
    pen.line([(70, 20), (20, 100), (100, 100)], fill=20, width=14)
    pen.line([(75, 20), (75, 145)], fill=20, width=14)
    path = tmp_path / "my_four.png"
    image.save(path)
    return str(path)


def use_digit_pad(page, steps, tmp_path) -> None:
    """Clear, draw a 1 and a 7 with the mouse, upload a PNG, type a grid."""
    canvas, verdict = f"{PAD}-canvas", f"{PAD}-verdict"
    ui.widget(page, f"{PAD}-clear").click()
    ui.wait_for_change(lambda: ui.text_of(page, f"{PAD}-draw-message").strip(), "")
    steps.shot("pad-cleared", focus=ui.widget(page, canvas))
    assert ui.canvas_ink(page, canvas) == 0, "the pad still shows ink after Clear"
    assert "Cleared" in ui.text_of(page, f"{PAD}-draw-message")
    for name, stroke in (("1", ONE), ("7", SEVEN)):
        before = [ui.shown(page, c) for c in (verdict, f"{PAD}-step", FEATURE_OUTPUT)]
        ui.draw(page, canvas, stroke)
        after = ui.wait_until_all_changed(
            lambda: [ui.shown(page, c) for c in (verdict, f"{PAD}-step", FEATURE_OUTPUT)],
            before,
        )
        steps.shot(f"pad-drew-{name}", focus=ui.widget(page, canvas))
        assert ui.canvas_ink(page, canvas) > 500, f"the {name} drawn is not on the canvas"
        assert after[0] != before[0], f"no new prediction after drawing a {name}"
        assert after[1] != before[1], f"the pre-processing steps did not change for the {name}"
        assert after[2] != before[2], f"the feature maps did not change for the {name}"
        assert after[0].split()[0] == name, f"a mouse-drawn {name} read as: {after[0]!r}"
        assert "your drawing" in after[0]
        ui.widget(page, f"{PAD}-clear").click()
        page.wait_for_function(
            f"() => document.querySelector('.{PAD}-draw-message').innerText.includes('Cleared')"
        )
    assert ui.canvas_ink(page, canvas) == 0
    page.get_by_role("tab", name="Upload").click()
    before = ui.shown(page, verdict)
    with page.expect_file_chooser() as chooser:
        ui.widget(page, f"{PAD}-upload").click()
    chooser.value.set_files(digit_png(tmp_path))
    after = ui.wait_for_change(lambda: ui.shown(page, verdict), before)
    steps.shot("pad-uploaded", focus=ui.widget(page, f"{PAD}-upload"))
    assert "my_four.png" in after, f"the prediction does not come from the upload: {after!r}"
    assert "done" in ui.text_of(page, f"{PAD}-upload-message")
    page.get_by_role("tab", name="Type").click()
    grid = "\n".join(("." * 6 + "##" + "." * 6) if 2 <= r < 12 else "." * 14 for r in range(14))
    check_change(
        page,
        steps,
        "pad-typed",
        typed(page, f"{PAD}-grid", grid, submit="Tab"),
        verdict,
        f"{PAD}-step",
    )
    assert ui.shown(page, verdict).split()[0] == "1"


@pytest.mark.parametrize(
    "nb, use",
    [
        ("01_what_a_filter_does", use_notebook01),
        ("02_pooling", use_notebook02),
        ("03_sizes_channels_parameters", use_notebook03),
        ("04_why_cnns", use_notebook04),
        ("05_inside_a_trained_cnn", use_notebook05),
    ],
    ids=["01", "02", "03", "04", "05"],
)
def test_notebook_in_jupyterlab(page, steps, jupyter_server, nb, use):
    open_and_run(page, steps, jupyter_server.lab_url(f"notebooks/{nb}.ipynb"))
    a11y.assert_accessible(page, f"lab-{nb}")  # issue 13: WCAG 2.1 AA on every output
    use(page, steps)


def test_notebook06_digit_pad_in_jupyterlab(page, steps, jupyter_server, tmp_path):
    open_and_run(page, steps, jupyter_server.lab_url(NB06))
    a11y.assert_accessible(page, "lab-06_your_own_digit")
    use_digit_pad(page, steps, tmp_path)
    use_feature_map_explorer(page, steps, images=False)  # one image: no Images field


# A group of their own (a JupyterLab server of their own on whichever worker runs them), so
# that --dist loadgroup can balance the browser tests over both workers.
@pytest.mark.xdist_group("notebook7")
@pytest.mark.parametrize("nb", ["01", "05", "06"])
def test_notebook_in_notebook7(page, steps, jupyter_server, nb, tmp_path):
    path = {"01": NB01, "05": NB05, "06": NB06}[nb]
    open_and_run(page, steps, jupyter_server.notebook7_url(path))
    a11y.assert_accessible(page, f"notebook7-{nb}")  # issue 13 in Notebook 7 as in Lab
    if nb == "01":
        use_notebook01(page, steps)
    elif nb == "05":
        use_notebook05(page, steps)
    else:
        use_digit_pad(page, steps, tmp_path)
