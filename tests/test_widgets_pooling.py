"""Pooling widgets (cnnviz.widgets.pooling): the sandbox, the explorer and the shift explorer,
driven without a browser.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _widget_helpers import (
    classes,
    correlate_valid,
    decode,
    pool_by_reshape,
)

import cnnviz.widgets as W
import cnnviz.widgets.pooling as WP
from cnnviz.filters import KERNELS
from cnnviz.images import load_sample


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


def test_shift_explorer_back_to_a_shift_shows_the_same_without_filtering(count_filters):
    """Issue 12: a drag back and forth filters each shifted image once; coming back to a
    shift shows exactly what a fresh explorer shows there."""
    explorer = W.shift_explorer(max_shift=4)
    explorer.shift.value = 2
    explorer.shift.value = 1
    first = len(count_filters)
    explorer.shift.value = 2
    explorer.shift.value = 1
    assert len(count_filters) == first
    fresh = W.shift_explorer(max_shift=4)
    fresh.shift.value = 1
    for name in ("equivariance", "correlation_before", "correlation_after"):
        assert getattr(explorer, name) == getattr(fresh, name)
    for name in ("before", "before_shifted", "after", "after_shifted", "numbers"):
        assert getattr(explorer, name).value == getattr(fresh, name).value
    for name in ("before_shifted", "after", "after_shifted"):
        assert getattr(explorer, name).alt == getattr(fresh, name).alt
    explorer.pool.value = "average"  # another pooling: new numbers, computed once
    fresh.pool.value = "average"
    assert explorer.correlation_after == fresh.correlation_after
    assert explorer.after_shifted.value == fresh.after_shifted.value


def test_shift_explorer_close_ups_share_one_row_under_the_slider():
    """Issue 10, item 9: four 480-px close-ups in two rows pushed "after pooling" below the
    slider. The four sit in one row, a quarter of the width each, right under the numbers."""
    explorer = W.shift_explorer()
    pictures = [explorer.before, explorer.before_shifted, explorer.after, explorer.after_shifted]
    row = explorer.children[2]  # the slider row, the numbers, then the pictures
    assert [box.children[-1] for box in row.children] == pictures
    # a quarter each, less the boxes' margins (2 px a side), so that the row never scrolls
    assert [box.layout.width for box in row.children] == ["calc(25% - 4px)"] * 4
    # nothing else shown: the last child is the invisible helper naming the slider's handle
    assert len(explorer.children) == 4 and explorer.children[3].layout.display == "none"


def test_uniform_and_one_pixel_pictures_are_framed():
    """Issue 10, item 9: a 1x1 pooled result of one bright value was white on white."""
    explorer = W.pooling_explorer("shapes", times=3, size=7)
    assert explorer.maps[-1].shape == (1, 1)  # 510 -> 72 -> 10 -> 1
    frames = [p.layout.border for p in explorer.steps] + [explorer.output.layout.border]
    assert all(frame and frame.startswith("1px solid") for frame in frames), frames
    shift = W.shift_explorer()
    assert shift.after.layout.border.startswith("1px solid")


def test_shift_explorer_errors():
    with pytest.raises(ValueError, match="`max_shift` must be at most 16"):
        W.shift_explorer(max_shift=17)
    with pytest.raises(ValueError, match="`size` must be at most 4"):
        W.shift_explorer(size=5)
