"""Filter widgets (cnnviz.widgets.filters): the kernel editor and the pixel inspector, driven
without a browser: set ``.value``, assert what changed; and the bridge from a trained
Conv2D layer into the kernel editor.
"""

from __future__ import annotations

import numpy as np
import pytest
from _widget_helpers import (
    COURSE_HOOD,
    classes,
    correlate_valid,
    decode,
    window_sums,
)

import cnnviz.widgets as W
from cnnviz.filters import KERNELS
from cnnviz.images import load_sample
from cnnviz.models import learned_kernels, preprocess


# --------------------------------------------------------------------------- kernel editor
@pytest.fixture
def editor():
    return W.kernel_editor("brick", "vertical_lines")


def test_editor_opens_with_the_filter_result(editor):
    brick = load_sample("brick")
    np.testing.assert_allclose(editor.result, correlate_valid(brick, KERNELS["vertical_lines"]))
    assert [[c.value for c in row] for row in editor.cells] == [
        ["-1", "0", "1"],
        ["-2", "0", "2"],
        ["-1", "0", "1"],
    ]
    assert bytes(editor.output.value).startswith(b"\x89PNG")
    assert editor.message.value == ""


def test_editing_one_cell_recomputes_and_changes_the_picture(editor):
    before = editor.output.value
    editor.cells[1][1].value = "5"
    expected = np.array(KERNELS["vertical_lines"])
    expected[1, 1] = 5
    np.testing.assert_array_equal(editor.kernel, expected)
    np.testing.assert_allclose(editor.result, correlate_valid(load_sample("brick"), expected))
    assert editor.output.value != before
    assert editor.preset.value == "custom"


@pytest.mark.parametrize(
    ("text", "value"), [("1/9", 1 / 9), ("-0.5", -0.5), (" 2*-3 ", -6.0), ("−1", -1.0)]
)
def test_typed_numbers_are_parsed(editor, text, value):
    editor.cells[0][0].value = text
    assert editor.kernel[0, 0] == pytest.approx(value)
    assert editor.message.value == ""


@pytest.mark.parametrize(
    "text",
    ["abc", "", "1/0", "__import__('os')", "().__class__", "open('x')", "2**1000", "1e400"],
)
def test_bad_text_shows_a_message_and_keeps_the_picture(editor, text):
    picture, result, kernel = editor.output.value, editor.result, editor.kernel
    editor.cells[2][2].value = text
    assert "row 3, column 3" in editor.message.value
    assert "last valid" in editor.message.value
    assert editor.output.value == picture
    assert editor.result is result
    np.testing.assert_array_equal(editor.kernel, kernel)


def test_injection_text_is_never_run(editor):
    import sys

    editor.cells[0][1].value = "exec('import sys; sys.cnnviz_ran = 1')"
    assert not hasattr(sys, "cnnviz_ran")
    assert "not a number" in editor.message.value


def test_fixing_bad_text_clears_the_message(editor):
    editor.cells[0][0].value = "oops"
    assert editor.message.value
    editor.cells[0][0].value = "-2"
    assert editor.message.value == ""
    assert editor.kernel[0, 0] == -2


def test_preset_menu_fills_the_grid(editor):
    editor.preset.value = "laplacian"
    shown = [[float(eval(c.value)) for c in row] for row in editor.cells]  # noqa: S307 (test)
    np.testing.assert_array_equal(shown, [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    np.testing.assert_allclose(
        editor.result, correlate_valid(load_sample("brick"), KERNELS["laplacian"])
    )
    assert "outlines" in editor.description.value


def test_course_example_preset_shows_its_decimals():
    editor = W.kernel_editor("worked_example", "course_example")
    assert [c.value for c in editor.cells[1]] == ["0.5", "4.5", "-1.5"]
    assert editor.result[2, 2] == 577


def test_blur_preset_shows_ones_and_the_normalising_weight(editor):
    """Issue 10, item 1: notebook 01 says "blur, then set Weight × to 1 instead of 1/9": the
    preset must put the 1/9 in Weight × (and 1s in the cells) for that step to do anything."""
    brick = load_sample("brick")
    editor.preset.value = "blur"
    assert [c.value for row in editor.cells for c in row] == ["1"] * 9
    assert editor.weight.value == "1/9"
    np.testing.assert_allclose(editor.result, correlate_valid(brick, np.ones((3, 3))) / 9)
    assert "averages" in editor.description.value
    editor.weight.value = "1"  # the student's step 3: nine pixels summed, not averaged
    np.testing.assert_allclose(editor.result, correlate_valid(brick, np.ones((3, 3))))
    assert editor.preset.value == "custom"  # no longer the blur
    editor.preset.value = "gaussian_blur"
    assert [c.value for c in editor.cells[1]] == ["2", "4", "2"]
    assert editor.weight.value == "1/16"
    editor.preset.value = "sharpen"  # a preset is a whole filter: its weight is 1
    assert editor.weight.value == "1" and editor.preset.value == "sharpen"


class _Page:
    """Stands in for the page: records each state message a widget sends, in order."""

    kernel = object()  # ipywidgets sends only through a comm that has a kernel

    def __init__(self, log, widget):
        self.log, self.widget, self.comm_id = log, widget, str(id(widget))

    def send(self, data=None, buffers=None, **kwargs):
        self.log.append((self.widget, dict(data.get("state", {}))))

    def on_msg(self, callback):
        pass

    def on_close(self, callback):
        pass

    def close(self, *args, **kwargs):
        pass


def test_preset_picture_reaches_the_page_before_the_nine_fields(editor):
    """Issue 12: the page handles messages in order; the new picture must not wait behind
    the ten messages that fill the fields, and each field's new text must still be sent."""
    editor.preset.value = "sharpen"  # no cell of it is a 1, nor its weight 1/9
    log = []
    parts = [*(cell for row in editor.cells for cell in row), editor.weight, editor.output]
    for part in parts:
        part.comm = _Page(log, part)
    editor.preset.value = "blur"
    order = [widget for widget, state in log]
    assert editor.output in order
    first_field = min(order.index(p) for p in parts[:-1] if p in order)
    assert order.index(editor.output) < first_field
    sent = {id(widget): state for widget, state in log}
    assert [sent[id(c)]["value"] for row in editor.cells for c in row] == ["1"] * 9
    assert sent[id(editor.weight)]["value"] == "1/9"
    for part in parts:  # closed without a kernel: nothing is sent from here on
        part.comm = None


def test_display_mode_back_and_forth_shows_the_current_result(editor):
    """Each mode's picture of one result is encoded once (issue 12): flipping back shows the
    same picture, and a new result is never shown with an older result's picture."""
    clip = editor.output.value
    editor.mode.value = "signed"
    signed = editor.output.value
    editor.mode.value = "clip"
    assert editor.output.value == clip
    editor.cells[1][1].value = "3"
    editor.mode.value = "signed"
    fresh = W.kernel_editor("brick", editor.kernel, mode="signed")
    assert editor.output.value == fresh.output.value != signed
    assert editor.output.alt == fresh.output.alt
    assert editor.caption.value == fresh.caption.value


def test_blur_typed_as_ninths_is_still_the_blur(editor):
    for row in editor.cells:
        for cell in row:
            cell.value = "1/9"
    assert editor.preset.value == "blur" and editor.weight.value == "1"
    np.testing.assert_allclose(editor.kernel, np.full((3, 3), 1 / 9), rtol=0, atol=1e-15)


def test_notebook_01_step_3_matches_the_blur_preset(editor):
    """The instruction and the preset agree: what the text says the fields show, they show."""
    import nbformat
    from _notebook_runner import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / "01_what_a_filter_does.ipynb", as_version=4)
    step = next(
        line
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.split("\n\n")
        if "3. `blur`" in line
    )
    editor.preset.value = "blur"
    assert f"Weight ×** shows `{editor.weight.value}`" in " ".join(step.split()), step
    assert f"cells all `{editor.cells[0][0].value}`" in " ".join(step.split()), step


def test_learned_kernel_values_are_rounded_for_reading_and_kept_exactly():
    """Issue 10, item 7: learned values fit their fields ("-0.0360(" was cut off); the exact
    values stay behind the text, in the cells and in Bias +."""
    kernel = np.array([[0.0123456789, -0.98765, 0.5], [0.1, 1 / 7, 0], [2.5e-5, 3, -1]])
    editor = W.kernel_editor(load_sample("camera"), kernel, bias=-0.00449123)
    shown = [c.value for row in editor.cells for c in row]
    assert shown == ["0.0123", "-0.988", "0.5", "0.1", "0.143", "0", "2.5e-05", "3", "-1"]
    assert editor.bias.value == "-0.00449"
    np.testing.assert_array_equal(editor.kernel, kernel)
    expected = correlate_valid(load_sample("camera"), kernel) - 0.00449123
    np.testing.assert_allclose(editor.result, expected, rtol=1e-12)
    # Every shown text fits its field: at most 8 characters in an 80 px cell.
    assert all(len(text) <= 8 for text in shown) and editor.cells[0][0].layout.width == "80px"
    editor.cells[0][0].value = "0.5"  # a typed value replaces the exact one
    assert editor.kernel[0, 0] == 0.5
    editor.bias.value = "0"
    np.testing.assert_allclose(editor.result, correlate_valid(load_sample("camera"), editor.kernel))


def test_mode_change_does_not_recompute_the_filter(editor, count_filters):
    picture = editor.output.value
    editor.mode.value = "signed"
    editor.mode.value = "abs"
    assert count_filters == []
    assert editor.output.value != picture
    assert "both bright" in editor.caption.value


def test_weight_and_bias(editor):
    editor.weight.value = "1/9"
    editor.bias.value = "10"
    expected = correlate_valid(load_sample("brick"), KERNELS["vertical_lines"]) / 9 + 10
    np.testing.assert_allclose(editor.result, expected)


def test_bad_weight_shows_a_message(editor):
    picture = editor.output.value
    editor.weight.value = "x"
    assert "weight" in editor.message.value
    assert editor.output.value == picture


def test_image_menu_and_padding(editor):
    original = editor.original.value
    editor.image_menu.value = "camera"
    assert editor.original.value != original
    assert editor.result.shape == (510, 510)
    editor.padding.value = "same"
    assert editor.result.shape == (512, 512)
    np.testing.assert_array_equal(editor.image, load_sample("camera"))


def test_caption_states_the_hidden_negative_share(editor):
    negative = (correlate_valid(load_sample("brick"), KERNELS["vertical_lines"]) < 0).mean()
    assert f"{negative * 100:.0f}% of pixels are negative" in editor.caption.value


def test_caption_after_bad_edit_describes_the_shown_result(editor):
    editor.cells[0][0].value = "bad"
    editor.image_menu.value = "worked_example"
    editor.mode.value = "signed"
    assert "512×512 input → 510×510 output" in editor.caption.value


def test_small_images_are_enlarged_crisply():
    editor = W.kernel_editor(np.arange(28 * 28, dtype=float).reshape(28, 28) % 256, "identity")
    assert decode(editor.original.value).shape[0] >= W.PICTURE_MIN_SIZE


def test_editor_css_classes(editor):
    assert "cnnviz-kernel-editor-cell-1-1" in classes(editor.cells[1][1])
    assert "cnnviz-kernel-editor-output" in classes(editor.output)
    assert "cnnviz-kernel-editor" in classes(editor)


def test_editor_errors():
    with pytest.raises(ValueError, match="`mode` must be one of"):
        W.kernel_editor(mode="loud")
    with pytest.raises(TypeError, match="`images` must be a list of sample names"):
        W.kernel_editor(images="brick")
    with pytest.raises(ValueError, match="must be 3x3 for the editor"):
        W.kernel_editor(kernel=np.ones((5, 5)))
    with pytest.raises(ValueError, match="must be grayscale here"):
        W.kernel_editor(np.zeros((8, 8, 3)))
    with pytest.raises(ValueError, match="`kernel` must be one of"):
        W.kernel_editor(kernel="nope")


# --------------------------------------------------------------------------- pixel inspector
@pytest.fixture
def inspector():
    return W.pixel_inspector()


def test_inspector_opens_on_the_worked_example(inspector):
    p = inspector.products
    np.testing.assert_array_equal(p.neighbourhood, COURSE_HOOD)
    assert p.weights[1, 1] == 4.5 and p.weights[0, 0] == -1 and p.weights[0, 1] == 0
    assert p.products[1, 1] == 192 * 4.5
    assert float(p.total) == (COURSE_HOOD * KERNELS["course_example"]).sum() == 577
    assert p.output_index == (2, 2)
    assert "(4.5 × 192)" in inspector.equation.value
    assert "(-1 × 0)" in inspector.equation.value and "(0 × 64)" in inspector.equation.value
    assert "= 577" in inspector.equation.value
    assert "<b>577</b> at (row 2, column 2) of the 5×5 output" in inspector.equation.value
    np.testing.assert_array_equal(
        inspector.result, window_sums(load_sample("worked_example"), KERNELS["course_example"])
    )


def test_inspector_tables_show_the_numbers(inspector):
    tables = inspector.tables.value
    for text in (">192<", ">4.5<", ">864<", ">-504<", "Products"):
        assert text in tables
    assert "rgb(255," in tables  # positive products pale red
    assert ",255)" in tables  # negative products pale blue


def test_inspector_slider_range_follows_padding(inspector):
    assert (inspector.row.min, inspector.row.max) == (1, 5)
    inspector.padding.value = "same"
    assert (inspector.row.min, inspector.row.max) == (0, 6)
    inspector.row.value = 0
    assert inspector.products.output_index == (0, 3)
    np.testing.assert_array_equal(inspector.products.neighbourhood[0], [0, 0, 0])


def test_moving_the_pixel_redoes_the_arithmetic(inspector, count_filters):
    image = load_sample("worked_example")
    picture, output = inspector.picture.value, inspector.output.value
    inspector.row.value, inspector.col.value = 2, 4
    hood = image[1:4, 3:6]
    np.testing.assert_array_equal(inspector.products.neighbourhood, hood)
    total = (hood * KERNELS["course_example"]).sum()
    assert float(inspector.products.total) == total == inspector.result[1, 3]
    assert inspector.picture.value != picture
    assert inspector.output.value != output
    assert count_filters == []  # the filter result is cached


def test_inspector_boxes_the_neighbourhood(inspector):
    rgb = decode(inspector.picture.value)
    factor = rgb.shape[0] // 7
    # Pixel (3, 3) is boxed with its neighbours: rows/columns 2..4, outline just outside.
    assert tuple(rgb[2 * factor - 1, 3 * factor + factor // 2]) == W.MARK_COLOUR
    assert tuple(rgb[3 * factor + factor // 2, 5 * factor]) == W.MARK_COLOUR
    # The centre of the pixel itself is its gray value 192.
    assert tuple(rgb[3 * factor + factor // 2, 3 * factor + factor // 2]) == (192, 192, 192)


def test_inspector_on_a_real_image(inspector):
    inspector.image_menu.value = "brick"
    assert (inspector.row.min, inspector.row.max) == (1, 510)
    assert inspector._zoom_box.layout.display is None
    inspector.row.value, inspector.col.value = 100, 200
    brick = load_sample("brick")
    hood = brick[99:102, 199:202]
    assert float(inspector.products.total) == pytest.approx(
        (hood * KERNELS["course_example"]).sum()
    )
    inspector.image_menu.value = "worked_example"
    assert (inspector.row.value, inspector.col.value) == (5, 5)  # clamped into range
    assert inspector._zoom_box.layout.display == "none"


def test_inspector_kernel_menu(inspector):
    inspector.preset.value = "identity"
    assert float(inspector.products.total) == 192
    assert ">1<" in inspector.tables.value
    np.testing.assert_array_equal(inspector.kernel, KERNELS["identity"])


def test_inspector_with_own_image_and_kernel():
    image = np.arange(25.0).reshape(5, 5)
    inspector = W.pixel_inspector(image, np.ones((3, 3)), 2, 2)
    assert float(inspector.products.total) == image[1:4, 1:4].sum()
    assert inspector.preset.value == "custom"
    assert inspector.image_menu.value == "your image"


def test_inspector_errors():
    with pytest.raises(ValueError, match="`row` must be at most 5"):
        W.pixel_inspector(row=6)
    with pytest.raises(ValueError, match="`col` must be at least 1"):
        W.pixel_inspector(col=0)
    with pytest.raises(ValueError, match="`padding` must be one of"):
        W.pixel_inspector(padding="full")
    with pytest.raises(TypeError, match="`row` must be an integer"):
        W.pixel_inspector(row=2.5)
    with pytest.raises(ValueError, match="does not fit in the image"):
        W.pixel_inspector(np.zeros((2, 2)), "blur", 0, 0)


def test_inspector_css_classes(inspector):
    assert "cnnviz-pixel-inspector-row" in classes(inspector.row)
    assert "cnnviz-pixel-inspector-output" in classes(inspector.output)


# --------------------------------------------------------------------------- the bridge
@pytest.mark.tensorflow
def test_bridge_kernel_editor_reproduces_a_conv2d_filter(model, shipped, keras):
    digit = shipped.x_test[0]
    kernels = learned_kernels(model, "conv1")
    f = 5
    layer = model.get_layer("conv1")
    keras_map = np.asarray(layer(preprocess(digit)))[0, :, :, f]  # after its ReLU

    editor = W.kernel_editor(
        digit, kernels.weights[:, :, 0, f], mode="relu", bias=float(kernels.bias[f]), images=[]
    )
    editor.weight.value = "1/255"  # the model sees pixels / 255
    assert layer.padding == editor.padding.value == "valid"
    np.testing.assert_allclose(np.maximum(editor.result, 0), keras_map, rtol=1e-5, atol=1e-5)

    # Nudge one weight: a fresh Conv2D holding the nudged kernel is the reference.
    nudged = kernels.weights[:, :, :, f : f + 1].copy()
    nudged[1, 1, 0, 0] += 0.5
    editor.cells[1][1].value = repr(float(nudged[1, 1, 0, 0]))
    fresh = keras.layers.Conv2D(1, 3, activation="relu")
    fresh.build((None, 28, 28, 1))
    fresh.set_weights([nudged, kernels.bias[f : f + 1]])
    expected = np.asarray(fresh(preprocess(digit)))[0, :, :, 0]
    np.testing.assert_allclose(np.maximum(editor.result, 0), expected, rtol=1e-5, atol=1e-5)
    assert not np.allclose(expected, keras_map)
