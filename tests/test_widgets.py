"""Widgets of notebooks 01-03, driven without a browser: set ``.value``, assert what changed.

References are computed here independently: filters with SciPy or explicit window sums,
pooling by reshaping, sizes by the textbook formula.
"""

import io
import math

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

import cnnviz.widgets as W
import cnnviz.widgets.filters as WF
import cnnviz.widgets.pooling as WP
from cnnviz.filters import KERNELS
from cnnviz.images import load_sample

COURSE_HOOD = np.array([[0, 64, 128], [48, 192, 144], [142, 226, 168]], dtype=float)


# --------------------------------------------------------------------------- helpers
def correlate_valid(image, kernel):
    """Keras-style valid cross-correlation by SciPy, cropped by hand."""
    kernel = np.asarray(kernel, dtype=float)
    full = ndimage.correlate(np.asarray(image, dtype=float), kernel, mode="constant")
    kh, kw = kernel.shape
    return full[
        kh // 2 : full.shape[0] - (kh - 1 - kh // 2), kw // 2 : full.shape[1] - (kw - 1 - kw // 2)
    ]


def window_sums(image, kernel):
    """The same by an explicit loop over positions (for tiny images)."""
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = (image[r : r + kh, c : c + kw] * kernel).sum()
    return out


def pool_by_reshape(values, size, kind="max"):
    h, w = (values.shape[0] // size) * size, (values.shape[1] // size) * size
    blocks = values[:h, :w].reshape(h // size, size, w // size, size)
    return blocks.max(axis=(1, 3)) if kind == "max" else blocks.mean(axis=(1, 3))


def decode(png):
    return np.array(Image.open(io.BytesIO(png)).convert("RGB"))


def classes(widget):
    return set(widget._dom_classes)


@pytest.fixture
def count_filters(monkeypatch):
    """Count calls of apply_filter made by the filter widgets."""
    calls = []
    original = WF.apply_filter

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    for family in (WF, WP):
        monkeypatch.setattr(family, "apply_filter", counting)
    return calls


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


def test_blur_preset_shows_ninths_and_parses_back_exactly(editor):
    editor.preset.value = "blur"
    assert editor.cells[0][0].value == "1/9"
    np.testing.assert_allclose(editor.kernel, np.full((3, 3), 1 / 9), rtol=0, atol=1e-15)


def test_learned_kernel_values_are_kept_exactly():
    kernel = np.array([[0.0123456789, -0.98765, 0.5], [0.1, 1 / 7, 0], [2.5e-5, 3, -1]])
    editor = W.kernel_editor(load_sample("camera"), kernel)
    assert editor.cells[0][0].value == "0.0123457"
    np.testing.assert_array_equal(editor.kernel, kernel)
    np.testing.assert_allclose(editor.result, correlate_valid(load_sample("camera"), kernel))


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


# --------------------------------------------------------------------------- pooling sandbox
@pytest.fixture
def sandbox():
    return W.pooling_sandbox()


def test_sandbox_starts_with_sixteen_numbers_into_four(sandbox):
    # By hand: max of [1 3 / 4 2] = 4, [0 2 / 1 0] = 2, [0 1 / 2 0] = 2, [5 6 / 7 8] = 8.
    np.testing.assert_array_equal(sandbox.result, [[4, 2], [2, 8]])
    assert sandbox.winners.sum() == 4
    assert [tuple(x) for x in np.argwhere(sandbox.winners)] == [(0, 3), (1, 0), (3, 0), (3, 3)]
    assert "max(1, 3, 4, 2) = 4" in sandbox.explanation.value


def test_sandbox_winners_are_highlighted(sandbox):
    strong = [colours[1] for colours in WP._BLOCK_COLOURS]
    assert sandbox.cells[1][0].style.background == strong[0]
    assert sandbox.cells[0][0].style.background == WP._BLOCK_COLOURS[0][0]
    assert sandbox.cells[3][3].style.text_color == "white"


def test_sandbox_editing_a_number(sandbox):
    html_before = sandbox.output.value
    sandbox.cells[0][0].value = "9"
    values = sandbox.values
    np.testing.assert_array_equal(sandbox.result, pool_by_reshape(values, 2))
    assert sandbox.winners[0, 0] and not sandbox.winners[1, 0]
    assert sandbox.output.value != html_before
    assert ">9<" in sandbox.output.value


def test_sandbox_average(sandbox):
    sandbox.kind.value = "average"
    np.testing.assert_array_equal(sandbox.result, [[2.5, 0.75], [0.75, 6.5]])
    assert not sandbox.winners.any()
    assert "(1 + 3 + 4 + 2) / 4 = 2.5" in sandbox.explanation.value


@pytest.mark.parametrize("text", ["seven", "__import__('os')", ""])
def test_sandbox_bad_text_keeps_the_result(sandbox, text):
    html_before, result = sandbox.output.value, sandbox.result
    sandbox.cells[2][1].value = text
    assert "row 3, column 2" in sandbox.message.value
    assert sandbox.output.value == html_before
    assert sandbox.result is result
    assert sandbox.cells[2][1].style.background == WP._BAD_CELL
    sandbox.cells[2][1].value = "3"
    assert sandbox.message.value == ""
    assert sandbox.cells[2][1].style.background != WP._BAD_CELL


def test_sandbox_new_numbers_are_repeatable():
    a, b = W.pooling_sandbox(seed=3), W.pooling_sandbox(seed=3)
    a.new_numbers.click()
    b.new_numbers.click()
    np.testing.assert_array_equal(a.values, b.values)
    assert np.all((a.values >= 0) & (a.values <= 9) & (a.values == np.round(a.values)))
    np.testing.assert_array_equal(a.result, pool_by_reshape(a.values, 2))


def test_sandbox_errors(sandbox):
    with pytest.raises(ValueError, match="must be 4x4 for the sandbox"):
        sandbox.set_values(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="`kind` must be one of"):
        W.pooling_sandbox(kind="min")
    with pytest.raises(TypeError, match="`values` must be a numeric array"):
        W.pooling_sandbox("1234")
    with pytest.raises(ValueError, match="`seed` must be at least 0"):
        W.pooling_sandbox(seed=-1)


# --------------------------------------------------------------------------- pooling explorer
@pytest.fixture
def explorer():
    return W.pooling_explorer()


def brick_feature_map():
    return np.maximum(correlate_valid(load_sample("brick"), KERNELS["vertical_lines"]), 0)


def test_explorer_pools_the_feature_map(explorer):
    feature = brick_feature_map()
    np.testing.assert_allclose(explorer.maps[0], feature)
    np.testing.assert_allclose(explorer.maps[1], pool_by_reshape(feature, 2))
    assert "510×510 → 255×255" in explorer.shapes.value
    assert f"{feature.max():,.0f} → {feature.max():,.0f}" in explorer.caption.value


def test_explorer_pooling_controls_do_not_refilter(explorer, count_filters):
    output = explorer.output.value
    explorer.size.value = 3
    assert explorer.maps[-1].shape == (170, 170)
    assert explorer.output.value != output
    explorer.times.value = 3
    assert [m.shape for m in explorer.maps] == [(510, 510), (170, 170), (56, 56), (18, 18)]
    assert "510×510 → 170×170 → 56×56 → 18×18" in explorer.shapes.value
    explorer.kind.value = "average"
    np.testing.assert_allclose(explorer.maps[1], pool_by_reshape(brick_feature_map(), 3, "mean"))
    assert count_filters == []


def test_explorer_stride(explorer):
    explorer.stride.value = 1
    assert explorer.maps[1].shape == (509, 509)
    feature = explorer.maps[0]
    assert explorer.maps[1][10, 20] == feature[10:12, 20:22].max()
    explorer.stride.value = 4
    assert explorer.maps[1].shape == (math.floor((510 - 2) / 4) + 1,) * 2
    assert "never" in explorer.message.value  # a note: stride larger than the window


def test_explorer_steps_show_real_sizes(explorer):
    explorer.times.value = 2
    assert explorer.steps[1].layout.width == "127px"
    assert explorer._step_boxes[2].layout.display is None
    assert explorer._step_boxes[3].layout.display == "none"
    assert decode(explorer.steps[2].value).shape[:2] == (127, 127)


def test_explorer_image_and_filter_change(explorer, count_filters):
    explorer.image_menu.value = "shapes"
    assert len(count_filters) == 1
    explorer.kernel_menu.value = "horizontal_lines"
    feature = np.maximum(correlate_valid(load_sample("shapes"), KERNELS["horizontal_lines"]), 0)
    np.testing.assert_allclose(explorer.maps[0], feature)
    explorer.image_menu.value = "brick"
    explorer.kernel_menu.value = "vertical_lines"  # both cached by now
    assert len(count_filters) == 3


def test_explorer_impossible_settings_keep_the_picture():
    explorer = W.pooling_explorer("text", size=8, times=2)
    output, maps = explorer.output.value, explorer.maps
    explorer.times.value = 3  # 170x446 -> 21x55 -> 2x6: a 8x8 window no longer fits
    assert "smaller than the 8×8 window" in explorer.message.value
    assert explorer.output.value == output
    assert explorer.maps is maps


def test_explorer_css_classes(explorer):
    assert "cnnviz-pooling-explorer-size" in classes(explorer.size)
    assert "cnnviz-pooling-explorer-output" in classes(explorer.output)
    assert "cnnviz-pooling-explorer-shapes" in classes(explorer.shapes)


def test_explorer_errors():
    with pytest.raises(ValueError, match="`size` must be at least 2"):
        W.pooling_explorer(size=1)
    with pytest.raises(ValueError, match="`times` must be at most 3"):
        W.pooling_explorer(times=4)
    with pytest.raises(ValueError, match="`kernel` must be one of"):
        W.pooling_explorer(kernel="edges")
    with pytest.raises(TypeError, match="`images` must be a list of sample names"):
        W.pooling_explorer(images=[1, 2])


# --------------------------------------------------------------------------- shift explorer
def correlation_at_same_place(a, b):
    return np.corrcoef(a.ravel(), b.ravel())[0, 1]


def test_shift_explorer_numbers():
    explorer = W.shift_explorer(max_shift=4)
    assert explorer.correlation_before == explorer.correlation_after == 1.0
    picture = explorer.before_shifted.value
    explorer.shift.value = 1
    assert explorer.equivariance == 0.0
    assert explorer.before_shifted.value != picture
    brick = load_sample("brick")
    moved = np.concatenate([brick[:, :1], brick[:, :-1]], axis=1)
    base = np.maximum(correlate_valid(brick, KERNELS["vertical_lines"]), 0)
    shifted = np.maximum(correlate_valid(moved, KERNELS["vertical_lines"]), 0)
    expected = correlation_at_same_place(base[:, 4:-4], shifted[:, 4:-4])
    assert explorer.correlation_before == pytest.approx(expected, rel=1e-9)
    pooled = correlation_at_same_place(
        pool_by_reshape(base, 2)[:, 2:-2], pool_by_reshape(shifted, 2)[:, 2:-2]
    )
    assert explorer.correlation_after == pytest.approx(pooled, rel=1e-9)
    assert f"{expected:.3f}" in explorer.numbers.value
    explorer.pool.value = "average"
    assert "average pooling" in explorer.numbers.value


def test_shift_explorer_errors():
    with pytest.raises(ValueError, match="`max_shift` must be at most 16"):
        W.shift_explorer(max_shift=17)
    with pytest.raises(ValueError, match="`size` must be at most 4"):
        W.shift_explorer(size=5)


# --------------------------------------------------------------------------- size calculator
def textbook_size(n, k, p, s):
    if p == "same":
        return math.ceil(n / s)
    return (n + 2 * (0 if p == "valid" else p) - k) // s + 1


def test_calculator_formula():
    calc = W.output_size_calculator(7, 3)
    assert calc.output_size == 5
    assert "(7 + 2*0 - 3) // 1 + 1 = 5" in calc.formula.value
    assert "keras_check=True" in calc.keras.value
    assert calc.keras_shape is None


@pytest.mark.parametrize(
    ("n", "k", "p", "s"),
    [(7, 3, "valid", 1), (7, 3, "same", 2), (28, 5, "2", 1), (10, 4, "same", 3), (9, 1, "0", 4)],
)
def test_calculator_matches_the_formula(n, k, p, s):
    calc = W.output_size_calculator()
    calc.size.value, calc.kernel_size.value, calc.stride.value = n, k, s
    calc.padding.value = p
    expected = textbook_size(n, k, p if p in ("valid", "same") else int(p), s)
    assert calc.output_size == expected
    assert f"{n}×{n} → {expected}×{expected}" in calc.formula.value
    assert calc.message.value == ""


def test_calculator_drawing_changes():
    calc = W.output_size_calculator()
    drawing = calc.drawing.value
    calc.padding.value = "1"
    assert calc.drawing.value != drawing
    assert decode(calc.drawing.value).shape[1] > 200


@pytest.mark.parametrize("text", ["full", "1.5", "-1", "__import__('os')"])
def test_calculator_bad_padding_keeps_the_drawing(text):
    calc = W.output_size_calculator()
    drawing, size = calc.drawing.value, calc.output_size
    calc.padding.value = text
    assert "padding" in calc.message.value and "last valid" in calc.message.value
    assert calc.drawing.value == drawing
    assert calc.output_size == size


def test_calculator_impossible_settings_keep_the_drawing():
    calc = W.output_size_calculator(5, 3)
    drawing = calc.drawing.value
    calc.kernel_size.value = 7
    assert "larger than the padded input" in calc.message.value
    assert calc.drawing.value == drawing
    assert calc.output_size == 3
    calc.padding.value = "same"
    assert calc.message.value == ""
    assert calc.output_size == 5


def test_calculator_too_large_to_draw_still_computes():
    calc = W.output_size_calculator(32, 3)
    drawing = calc.drawing.value
    calc.padding.value = "20"
    assert calc.output_size == 70
    assert "too many to draw" in calc.message.value
    assert calc.drawing.value == drawing


def test_calculator_errors():
    with pytest.raises(ValueError, match="larger than the padded input"):
        W.output_size_calculator(3, 5)
    with pytest.raises(TypeError, match="`keras_check` must be True or False"):
        W.output_size_calculator(keras_check="yes")
    with pytest.raises(ValueError, match="`size` must be at most 32"):
        W.output_size_calculator(size=33)
    with pytest.raises(ValueError, match="`padding` must be one of"):
        W.output_size_calculator(padding="full")


@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("n", "k", "p", "s"), [(7, 3, "same", 2), (9, 4, "2", 3), (6, 3, "valid", 1)]
)
def test_calculator_keras_check_agrees_with_a_real_layer(keras, n, k, p, s):
    calc = W.output_size_calculator(keras_check=True)
    calc.size.value, calc.kernel_size.value, calc.stride.value = n, k, s
    calc.padding.value = p
    x = np.zeros((1, n, n, 1), dtype="float32")
    if p in ("valid", "same"):
        y = keras.layers.Conv2D(1, k, strides=s, padding=p)(x)
    else:
        y = keras.layers.Conv2D(1, k, strides=s)(keras.layers.ZeroPadding2D(int(p))(x))
    assert calc.keras_shape[1:] == tuple(y.shape[1:])
    assert calc.keras_shape[1] == calc.output_size
    assert "same as the formula" in calc.keras.value
