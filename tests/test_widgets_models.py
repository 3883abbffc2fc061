"""Widgets of notebooks 05-06 (feature-map explorer, the bridge, digit pad), driven without a
browser: set ``.value`` or call the canvas handlers, assert what changed.

References are computed here independently: feature maps by calling the model's layers one
after the other, Conv2D outputs by a fresh Keras layer holding the same weights, pictures by
decoding the PNG's palette indices.
"""

from __future__ import annotations

import datetime
import io

import ipywidgets
import numpy as np
import pytest
from PIL import Image

import cnnviz.widgets as W
from cnnviz import models
from cnnviz.data import load_dataset
from cnnviz.digits import SAMPLE_GRID, draw_stroke
from cnnviz.models import learned_kernels, load_pretrained, preprocess
from cnnviz.plotting import array_to_png

pytestmark = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def model(keras):
    return load_pretrained()


@pytest.fixture(scope="module")
def shipped():
    return load_dataset("mnist", source="shipped")


@pytest.fixture
def calls(monkeypatch):
    """Count the model calls the widgets make (activations and predictions), with sizes."""
    made = {"activations": [], "predict": []}
    real_activations, real_predict = models.activations, models.predict

    def activations(model, images):
        made["activations"].append(len(np.asarray(images)))
        return real_activations(model, images)

    def predict(model, images):
        made["predict"].append(np.asarray(images).shape)
        return real_predict(model, images)

    monkeypatch.setattr(models, "activations", activations)
    monkeypatch.setattr(models, "predict", predict)
    return made


def layer_by_layer(model, images):
    """Every layer's output, calling the layers one after the other (no activation model)."""
    h = preprocess(images)
    out = {}
    for layer in model.layers:
        h = layer(h)
        out[layer.name] = np.asarray(h)
    return out


def palette_indices(png, shape):
    """The colour-table index of every pixel of an enlarged palette PNG, at ``shape``."""
    picture = Image.open(io.BytesIO(png))
    assert picture.mode == "P"
    indices = np.array(picture)
    factor = indices.shape[0] // shape[0]
    assert indices.shape == (shape[0] * factor, shape[1] * factor)
    return indices[::factor, ::factor].astype(int)


def expected_indices(values, limit):
    return np.round(np.clip(values / limit, 0, 1) * 255).astype(int)


def classes(widget):
    return set(widget._dom_classes)


def upload_entry(data, name="digit.png", kind="image/png", size=None):
    """One entry of ipywidgets 8's FileUpload.value."""
    return {
        "name": name,
        "type": kind,
        "size": len(data) if size is None else size,
        "content": memoryview(data),
        "last_modified": datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc),
    }


def png(image, mode="L"):
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_of(digit, factor=8):
    """A shipped digit as a scan would show it: dark ink on white paper, larger, off-centre."""
    ink = np.kron(digit.astype(float), np.ones((factor, factor)))
    paper = np.full((28 * factor + 60, 28 * factor + 20), 255.0)
    paper[50 : 50 + 28 * factor, 5 : 5 + 28 * factor] -= ink * 0.9
    return paper


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


# --------------------------------------------------------------------------- the bridge
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


# --------------------------------------------------------------------------- digit pad
@pytest.fixture
def pad(model, calls):
    return W.digit_pad(model)


def snapshot(pad):
    return (
        pad.steps,
        pad.prediction,
        pad.source,
        pad.bars.value,
        pad.verdict.value,
        [p.value for p in pad.step_pictures],
        pad.explorer.shown[0][0].copy(),
    )


def assert_same(a, b):
    assert a[0] is b[0]
    assert a[1:6] == b[1:6]
    np.testing.assert_array_equal(a[6], b[6])


def test_pad_starts_with_the_typed_sample_two(pad, calls):
    assert pad.grid.value == SAMPLE_GRID
    assert pad.source == "the typed grid" and pad.prediction == 2
    assert pad.probabilities.shape == (10,)
    assert pad.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert calls["predict"] == [(28, 28)] and calls["activations"] == [1]
    assert "2</b>" in pad.verdict.value
    assert all(p.value[:4] == b"\x89PNG" for p in pad.step_pictures)
    assert pad.canvas is not None and pad.tabs.titles == ("Draw", "Upload", "Type")


def test_drawing_strokes_go_into_the_raster_and_are_classified(pad, model, calls):
    pad.clear_drawing()
    assert (pad.raster == 255).all()
    pad.on_mouse_move(50, 50)  # no button down: nothing happens
    pad.on_mouse_up(50, 50)
    assert (pad.raster == 255).all() and pad.source == "the typed grid"

    pad.stroke([(140, 40), (140, 240)])  # a one: a vertical bar
    assert pad.raster[40:241, 138:143].max() == 0  # the pen went there
    assert pad.raster[:, :120].min() == 255 and pad.raster[:25].min() == 255
    reference = draw_stroke(np.full((280, 280), 255.0), [(140, 40), (140, 240)], pad.brush)
    np.testing.assert_array_equal(pad.raster, reference)
    assert pad.source == "your drawing" and pad.prediction == 1
    assert calls["predict"][-1] == (28, 28) and calls["activations"][-1] == 1

    pad.clear_drawing()
    theta = np.linspace(0, 2 * np.pi, 60)
    pad.on_mouse_down(140 + 60, 140)
    for t in theta[1:]:
        pad.on_mouse_move(140 + 60 * np.cos(t), 140 + 95 * np.sin(t))
    pad.on_mouse_up(140 + 60, 140)
    assert pad.prediction == 0  # a ring: a zero
    # The explorer shows the new digit's own feature maps.
    digit_maps = layer_by_layer(model, pad.steps.digit)
    np.testing.assert_allclose(pad.explorer.shown[0][0], digit_maps["conv1"][0, :, :, 0], atol=1e-5)


def test_clear_keeps_the_last_prediction_and_a_blank_drawing_is_refused(pad, calls):
    pad.stroke([(140, 40), (140, 240)])
    before = snapshot(pad)
    pad.clear_drawing()
    assert "Cleared" in pad.draw_message.value
    assert_same(snapshot(pad), before)
    pad.on_mouse_down(-50, -50)  # pen down outside the paper: no ink
    pad.on_mouse_up(-50, -50)
    assert "looks blank" in pad.draw_message.value
    assert_same(snapshot(pad), before)


def test_upload_of_a_photographed_digit(pad, shipped, model, calls):
    k = 3
    data = png(photo_of(shipped.x_test[k]), mode="RGB")
    pad.upload.value = (upload_entry(data, name="my_digit.png"),)
    assert pad.source == "the upload 'my_digit.png'"
    assert pad.steps.inverted
    assert pad.prediction == shipped.y_test[k]
    assert "my_digit.png: done" in pad.upload_message.value
    assert pad.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert calls["predict"][-1] == (28, 28)


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        (upload_entry(b"just some notes", name="notes.txt"), r"not an image Pillow can read"),
        (
            upload_entry(png(np.random.default_rng(1).integers(0, 256, (64, 64)))[:2000]),
            r"truncated",
        ),
        (upload_entry(png(np.full((4000, 5000), 255))), r"more than max_pixels = 16,000,000"),
        (
            upload_entry(b"\x89PNG", size=25_000_000, name="huge.png"),
            r"huge.png is 25.0 MB; at most 20 MB",
        ),
        (upload_entry(png(np.full((50, 50), 255))), r"looks blank"),
    ],
    ids=["not-an-image", "truncated", "too-many-pixels", "too-many-bytes", "blank"],
)
def test_bad_uploads_get_a_message_and_the_last_prediction_stays(pad, calls, entry, match):
    import re

    before = snapshot(pad)
    predictions = len(calls["predict"])
    pad.upload.value = (entry,)
    message = pad.upload_message.value.replace("&#x27;", "'")
    assert message.startswith('<span style="color:#b00020">')
    assert re.search(match, message), message
    assert "The prediction shown is the last good one" in message
    assert_same(snapshot(pad), before)
    assert len(calls["predict"]) == predictions  # the model was not asked


def test_typed_grid_edits(pad):
    one = "\n".join("......##......" if 1 < r < 12 else ".............." for r in range(14))
    pad.grid.value = one
    assert pad.source == "the typed grid" and pad.prediction == 1
    assert pad.grid_message.value == ""
    before = snapshot(pad)
    pad.grid.value = one.replace("##", "?#", 1)
    assert "line 3, column 7 of the grid is '?'" in pad.grid_message.value.replace("&#x27;", "'")
    assert_same(snapshot(pad), before)
    pad.grid.value = "\n".join(["." * 14] * 14)
    assert "looks blank" in pad.grid_message.value
    assert_same(snapshot(pad), before)


def test_pad_without_a_drawing_surface(model):
    pad = W.digit_pad(model, canvas=False)
    assert pad.canvas is None and pad.tabs.titles == ("Upload", "Type")
    pad.stroke([(140, 40), (140, 240)])  # the raster still works from code
    assert pad.prediction == 1


def test_pad_css_classes(pad):
    assert "cnnviz-digit-pad" in classes(pad)
    assert "cnnviz-digit-pad-upload" in classes(pad.upload)
    assert pad.upload.accept == "image/*"
    assert "cnnviz-digit-pad-grid" in classes(pad.grid)
    assert "cnnviz-digit-pad-canvas" in classes(pad.canvas)
    assert "cnnviz-digit-pad-clear" in classes(pad.clear)


def test_digit_pad_errors(model):
    with pytest.raises(ValueError, match=r"`class_names` must have one name per model output"):
        W.digit_pad(model, class_names=["a", "b"])
    with pytest.raises(TypeError, match=r"`class_names` must be a list of names"):
        W.digit_pad(model, class_names="0123456789")
    with pytest.raises(TypeError, match=r"`canvas` must be True or False"):
        W.digit_pad(model, canvas="yes")
    with pytest.raises(ValueError, match=r"`brush` must be a positive radius"):
        W.digit_pad(model, brush=0)
    with pytest.raises(ValueError, match=r"`size` must be at least 28"):
        W.digit_pad(model, size=10)
    with pytest.raises(TypeError, match=r"`start` must be a typed grid"):
        W.digit_pad(model, start=np.zeros((14, 14)))
    with pytest.raises(ValueError, match=r"`start` must be a digit the pad can read: the grid"):
        W.digit_pad(model, start="#")
    with pytest.raises(ValueError, match=r"`start` must be a digit the pad can read: .*blank"):
        W.digit_pad(model, start="\n".join(["." * 14] * 14))
