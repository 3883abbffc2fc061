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
    palette_indices,
)

import cnnviz.widgets as W
from cnnviz import models
from cnnviz.models import learned_kernels
from cnnviz.plotting import array_to_png

pytestmark = pytest.mark.tensorflow


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
    assert len(explorer.pictures) == 3 and all(len(row) == 4 for row in explorer.pictures)
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
            got = palette_indices(explorer.pictures[r][c].value, maps[r].shape)
            assert np.abs(got - expected_indices(maps[r], limit)).max() <= 1


def test_filter_slider_changes_pictures_without_calling_the_model(explorer, model, shipped, calls):
    before = [[p.value for p in row] for row in explorer.pictures]
    widgets_before = [list(row) for row in explorer.pictures]
    explorer.filter.value = 7
    assert calls["activations"] == [3]  # still the one call made when it opened
    assert explorer.columns == [("conv1", 7), ("pool1", 7), ("conv2", 7), ("pool2", 7)]
    assert explorer.pictures == widgets_before  # the same Image widgets, new pictures
    after = [[p.value for p in row] for row in explorer.pictures]
    assert all(
        a != b
        for row_a, row_b in zip(after, before, strict=True)
        for a, b in zip(row_a, row_b, strict=True)
    )
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
    assert explorer.indices == (4, 9) and len(explorer.pictures) == 2
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
        ("2, 99", r"there is no image 99; the numbers go from 0 to 19"),
        ("", r"is empty"),
        ("0, 1, 2, 3, 4, 5, 6", r"at most 6 images fit in the grid; got 7"),
        ("__import__('os')", r"is not an image number"),
    ],
)
def test_bad_image_numbers_keep_the_last_grid(explorer, calls, text, match):
    before = [[p.value for p in row] for row in explorer.pictures]
    explorer.images.value = text
    assert explorer.message.value.startswith('<span style="color:#b00020">')
    import re

    assert re.search(match, explorer.message.value.replace("&#x27;", "'"))
    assert "The grid shows the last valid images" in explorer.message.value
    assert explorer.indices == (0, 1, 2)
    assert [[p.value for p in row] for row in explorer.pictures] == before
    assert calls["activations"] == [3]
    explorer.images.value = "1"  # a good value clears the message
    assert explorer.message.value == ""


def test_explorer_css_classes_for_the_browser(explorer):
    assert isinstance(explorer.filter, ipywidgets.IntSlider)
    assert "cnnviz-feature-map-explorer-filter" in classes(explorer.filter)
    assert "cnnviz-feature-map-explorer-layer" in classes(explorer.layer)
    assert "cnnviz-feature-map-explorer" in classes(explorer)
    for row in explorer.pictures:
        for picture in row:
            assert isinstance(picture, ipywidgets.Image)
            assert "cnnviz-feature-map-explorer-output" in classes(picture)
    assert "cnnviz-feature-map-explorer-output" not in classes(explorer.inputs[0])


def test_silent_filter_shows_black_not_grey(model, calls):
    # On blank images conv1's filter f is relu(bias[f]) everywhere: 0 for a negative bias.
    f = int(np.flatnonzero(learned_kernels(model, "conv1").bias < 0)[0])
    explorer = W.feature_map_explorer(model, np.zeros((2, 28, 28), np.uint8), filter=f)
    assert explorer.columns[0] == ("conv1", f)
    assert explorer.shown[0][0].max() == 0
    assert explorer.limits[0] == (0.0, 1.0)  # not (0, 0), which would show mid-grey
    assert palette_indices(explorer.pictures[0][0].value, (26, 26)).max() == 0


def test_set_images_and_labels(model, shipped, calls):
    explorer = W.feature_map_explorer(model, shipped.x_test[:5], indices="3, 1")
    assert explorer.indices == (3, 1)
    explorer.set_images(shipped.x_test[10:12] / 255.0, labels=["a", "b"])
    assert explorer.indices == (0, 1) and explorer.images.value == "0, 1"
    assert calls["activations"] == [2, 2]
    labels = [c.children[0].value for c in explorer.grid.children if hasattr(c, "children")]
    assert labels == ["<small>image 0: a</small>", "<small>image 1: b</small>"]


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
