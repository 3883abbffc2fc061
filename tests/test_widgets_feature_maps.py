"""The feature-map explorer (cnnviz.widgets.feature_maps), driven without a browser; the maps
are checked against the model's layers called one after the other, the pictures by
decoding their palette indices.
"""

from __future__ import annotations

import ipywidgets
import numpy as np
import pytest
from _widget_helpers import (
    classes,
    expected_indices,
    layer_by_layer,
)

import cnnviz.widgets as W
from cnnviz import models
from cnnviz.models import learned_kernels
from cnnviz.plotting import array_to_png

pytestmark = pytest.mark.tensorflow


def cell_indices(explorer, r, c, shape):
    """Palette indices of feature map (r, c) in the explorer's one picture, at ``shape``,
    scaled to 0..255 like :func:`array_to_png`'s (the grid's palette has 255 steps)."""
    import io

    from PIL import Image

    sheet = Image.open(io.BytesIO(explorer.picture.value))
    assert sheet.mode == "P"
    top, left, bottom, right = explorer.cell_box(r, c)
    cell = np.array(sheet)[top:bottom, left:right].astype(float)
    ys = (np.arange(shape[0]) * (bottom - top) + (bottom - top) // 2) // shape[0]
    xs = (np.arange(shape[1]) * (right - left) + (right - left) // 2) // shape[1]
    return np.round(cell[np.ix_(ys, xs)] * 255 / 254).astype(int)


# --------------------------------------------------------------------------- explorer
@pytest.fixture
def explorer(model, shipped, calls):
    return W.feature_map_explorer(
        model, shipped.x_test[:20], labels=[str(y) for y in shipped.y_test[:20]]
    )


def test_explorer_opens_with_the_classic_grid(explorer, shipped, model, calls):
    assert calls["activations"] == [3]  # one model call for the three images
    assert explorer.indices == (0, 1, 2)
    assert explorer.columns == [("conv1", 0), ("pool1", 0), ("conv2", 0), ("pool2", 0)]
    assert len(explorer.shown) == 3 and all(len(row) == 4 for row in explorer.shown)
    assert len(explorer.inputs) == 3
    assert explorer.filter.max == 31  # the fewest filters of any layer (conv1: 32) minus 1
    reference = layer_by_layer(model, shipped.x_test[:3])
    for r in range(3):
        for c, (name, f) in enumerate(explorer.columns):
            np.testing.assert_allclose(explorer.shown[r][c], reference[name][r, :, :, f], atol=1e-5)


def test_explorer_pictures_are_the_activations(explorer, model, shipped):
    reference = layer_by_layer(model, shipped.x_test[:3])
    for c, (name, f) in enumerate(explorer.columns):
        maps = reference[name][..., f]
        limit = float(maps.max()) or 1.0
        assert explorer.limits[c] == pytest.approx((0.0, limit), rel=1e-5)
        for r in range(3):
            got = cell_indices(explorer, r, c, maps[r].shape)
            assert np.abs(got - expected_indices(maps[r], limit)).max() <= 1


def test_filter_slider_changes_pictures_without_calling_the_model(explorer, model, shipped, calls):
    before = explorer.picture.value
    picture, inputs = explorer.picture, list(explorer.inputs)
    sent = []
    picture.observe(sent.append, names="value")
    explorer.filter.value = 7
    assert calls["activations"] == [3]  # still the one call made when it opened
    assert explorer.columns == [("conv1", 7), ("pool1", 7), ("conv2", 7), ("pool2", 7)]
    assert explorer.picture is picture and explorer.inputs == inputs  # same widgets
    assert len(sent) == 1 and explorer.picture.value != before  # one new picture, once
    for r in range(3):
        for c in range(4):
            maps = explorer.shown[r][c]
            got = cell_indices(explorer, r, c, maps.shape)
            want = expected_indices(maps, explorer.limits[c][1])
            assert np.abs(got - want).max() <= 1
    reference = layer_by_layer(model, shipped.x_test[:3])
    np.testing.assert_allclose(explorer.shown[2][2], reference["conv2"][2, :, :, 7], atol=1e-5)
    assert "Filter 7 in every layer" in explorer.caption.value


def test_layer_choice_shows_filters_side_by_side_without_calling_the_model(
    explorer, model, shipped, calls
):
    explorer.filter.value = 10
    explorer.layer.value = "conv2"
    assert calls["activations"] == [3]
    assert explorer.filter.max == 64 - 6
    assert explorer.filter.description == "From filter"
    assert explorer.columns == [("conv2", f) for f in range(10, 16)]
    reference = layer_by_layer(model, shipped.x_test[:3])
    for c in range(6):
        np.testing.assert_allclose(
            explorer.shown[1][c], reference["conv2"][1, :, :, 10 + c], atol=1e-5
        )
    explorer.filter.value = 58
    assert explorer.columns[-1] == ("conv2", 63)
    explorer.layer.value = "all"
    assert explorer.filter.value == 31  # clipped to the new range
    assert calls["activations"] == [3]


def test_choosing_images_calls_the_model_once_per_new_set(explorer, model, shipped, calls):
    explorer.images.value = "4, 9"
    assert calls["activations"] == [3, 2]
    assert explorer.indices == (4, 9) and len(explorer.shown) == 2 and len(explorer.inputs) == 2
    reference = layer_by_layer(model, shipped.x_test[[4, 9]])
    np.testing.assert_allclose(explorer.shown[1][0], reference["conv1"][1, :, :, 0], atol=1e-5)
    explorer.images.value = "0, 1, 2"  # seen before: from the cache
    explorer.images.value = "4 9"  # the same set, written differently
    assert calls["activations"] == [3, 2]
    assert explorer.inputs[0].value == array_to_png(
        shipped.x_test[4] / 255, "gray", 0, 1, min_size=112
    )


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("abc", r"'abc' is not an image number"),
        ("-1", r"'-1' is not an image number"),
        ("2, 99", r"there is no image 99; the numbers go from 0 to 19\."),
        ("", r"is empty"),
        ("0, 1, 2, 3, 4, 5, 6", r"at most 6 images fit in the grid; got 7"),
        ("__import__('os')", r"is not an image number"),
    ],
)
def test_bad_image_numbers_keep_the_last_grid(explorer, calls, text, match):
    before = explorer.picture.value
    explorer.images.value = text
    assert explorer.message.value.startswith('<span style="color:#b00020">')
    import re

    assert re.search(match, explorer.message.value.replace("&#x27;", "'"))
    assert "The grid shows the last valid images" in explorer.message.value
    assert explorer.indices == (0, 1, 2)
    assert explorer.picture.value == before
    assert calls["activations"] == [3]
    explorer.images.value = "1"  # a good value clears the message
    assert explorer.message.value == ""


def test_explorer_css_classes_for_the_browser(explorer):
    assert isinstance(explorer.filter, ipywidgets.IntSlider)
    assert "cnnviz-feature-map-explorer-filter" in classes(explorer.filter)
    assert "cnnviz-feature-map-explorer-layer" in classes(explorer.layer)
    assert "cnnviz-feature-map-explorer" in classes(explorer)
    assert isinstance(explorer.picture, ipywidgets.Image)
    assert "cnnviz-feature-map-explorer-output" in classes(explorer.picture)
    assert "cnnviz-feature-map-explorer-output" not in classes(explorer.inputs[0])


def test_silent_filter_shows_black_not_grey(model, calls):
    # On blank images conv1's filter f is relu(bias[f]) everywhere: 0 for a negative bias.
    f = int(np.flatnonzero(learned_kernels(model, "conv1").bias < 0)[0])
    explorer = W.feature_map_explorer(model, np.zeros((2, 28, 28), np.uint8), filter=f)
    assert explorer.columns[0] == ("conv1", f)
    assert explorer.shown[0][0].max() == 0
    assert explorer.limits[0] == (0.0, 1.0)  # not (0, 0), which would show mid-grey
    assert cell_indices(explorer, 0, 0, (26, 26)).max() == 0


def test_set_images_and_labels(model, shipped, calls):
    explorer = W.feature_map_explorer(model, shipped.x_test[:5], indices="3, 1")
    assert explorer.indices == (3, 1)
    explorer.set_images(shipped.x_test[10:12] / 255.0, labels=["a", "b"])
    assert explorer.indices == (0, 1) and explorer.images.value == "0, 1"
    assert calls["activations"] == [2, 2]
    labels = [row.children[0].value for row in explorer._input_column.children]
    assert labels == ["<small>image 0: a</small>", "<small>image 1: b</small>"]


def test_one_image_has_no_images_field_and_the_header_lines_up(model, shipped, calls):
    """Issue 10, items 11 and 12: inside the digit pad the explorer has one image, and its
    Images field accepted only 0 ("the numbers go from 0 to 0"); the "input" header sat on
    the size row of the column titles."""
    explorer = W.feature_map_explorer(model, shipped.x_test[:1])
    assert explorer.images.layout.display == "none"
    explorer.images.value = "1"
    assert "there is no image 1; there is one image, number 0." in explorer.message.value
    explorer.set_images(shipped.x_test[:4])
    assert explorer.images.layout.display is None  # several images: the field is back
    import re

    cells = re.findall(r"<div[^>]*>(.*?)</div>", explorer.header.value)
    assert len(cells) == 1 + len(explorer.columns)
    assert all(c.count("<br>") == 1 for c in cells)  # a title line and a size line each
    assert cells[0] == "<b>input</b><br><small>28×28</small>"


def test_explorer_errors(model, keras, shipped):
    x = shipped.x_test[:4]
    with pytest.raises(ValueError, match=r"`layer` must be 'all' or one of \['conv1'"):
        W.feature_map_explorer(model, x, layer="conv9")
    with pytest.raises(TypeError, match=r"`layer` must be 'all' or a layer name; got 2"):
        W.feature_map_explorer(model, x, layer=2)
    with pytest.raises(ValueError, match=r"`cmap` must be a matplotlib colour map name"):
        W.feature_map_explorer(model, x, cmap="nope")
    with pytest.raises(TypeError, match=r"`cmap` must be a colour map name"):
        W.feature_map_explorer(model, x, cmap=3)
    with pytest.raises(ValueError, match=r"`max_images` must be at least 1; got 0"):
        W.feature_map_explorer(model, x, max_images=0)
    with pytest.raises(ValueError, match=r"there is no image 9"):
        W.feature_map_explorer(model, x, indices=[9])
    with pytest.raises(ValueError, match=r"`labels` must have one label per image \(4\); got 1"):
        W.feature_map_explorer(model, x, labels=["a"])
    with pytest.raises(ValueError, match=r"shape \(N, H, W\)"):
        W.feature_map_explorer(model, np.zeros((2, 28, 28, 3)))
    with pytest.raises(ValueError, match=r"has no Conv2D or pooling layer to explore"):
        W.feature_map_explorer(models.build_dense(), x)
