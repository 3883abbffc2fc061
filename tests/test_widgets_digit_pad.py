"""The digit pad (cnnviz.widgets.digit_pad): draw, upload or type a digit, driven by the
canvas handlers and ``.value`` without a browser.
"""

from __future__ import annotations

import numpy as np
import pytest
from _widget_helpers import (
    classes,
    layer_by_layer,
    photo_of,
    png,
    upload_entry,
)

import cnnviz.widgets as W
from cnnviz.digits import SAMPLE_GRID, draw_stroke

# An error beside the control: the theme's error colour and a warning sign.
ERROR_START = '<span style="color:var(--jp-error-color1, #b00020)">&#9888;'

pytestmark = pytest.mark.tensorflow


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
    assert message.startswith(ERROR_START)
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


def test_a_dot_is_refused_and_the_last_good_answer_stays(pad, calls):
    """Issue 10, item 3: a dot drawn or a single '#' typed is said to be too small to be a
    digit, not answered "8 (88%)"; the last good answer stays and the model is not asked."""
    pad.stroke([(140, 40), (140, 240)])
    before, asked = snapshot(pad), len(calls["predict"])
    pad.clear_drawing()
    pad.on_mouse_down(140, 140)  # a click: one dot
    pad.on_mouse_up(140, 140)
    assert "too small or too thin to be a digit" in pad.draw_message.value
    assert "The prediction shown is the last good one" in pad.draw_message.value
    assert_same(snapshot(pad), before)
    pad.grid.value = "\n".join("......#......." if r == 6 else "." * 14 for r in range(14))
    assert "too small or too thin to be a digit" in pad.grid_message.value
    assert_same(snapshot(pad), before)
    assert len(calls["predict"]) == asked


def test_a_stroke_goes_on_when_the_pointer_comes_back_held(pad, calls):
    """Issue 10, item 3: a 7 whose stroke left the square was classified at once and the
    rest, drawn after coming back in with the button held, was lost."""
    assert pad.events is not None and pad.events.source is pad.canvas
    assert pad.events.watched_events == ["mouseenter"]
    pad.clear_drawing()
    pad.on_mouse_down(60, 60)
    pad.on_mouse_move(230, 60)  # the top bar of a 7
    pad.on_mouse_out(279, 60)  # slips off the right edge
    assert pad.source == "your drawing"  # what is there is answered (the button may be up)
    pad.on_pointer_enter(buttons=1)  # back in, button still held
    pad.on_mouse_move(220, 70)
    pad.on_mouse_move(120, 240)  # the stem
    pad.on_mouse_up(120, 240)
    reference = np.full((280, 280), 255.0)
    draw_stroke(reference, [(60, 60), (230, 60), (279, 60)], pad.brush)
    draw_stroke(reference, [(220, 70), (120, 240)], pad.brush)  # not across the edge
    np.testing.assert_array_equal(pad.raster, reference)
    assert pad.prediction == 7

    # Came back with the button up (let go outside): moving draws nothing.
    pad.clear_drawing()
    pad.stroke([(140, 40), (140, 200)])
    pad.on_mouse_down(140, 200)
    pad.on_mouse_out(140, 279)
    pad.on_pointer_enter(buttons=0)
    before = pad.raster.copy()
    pad.on_mouse_move(40, 40)
    pad.on_mouse_move(60, 100)
    np.testing.assert_array_equal(pad.raster, before)
    # Entering without having left mid-stroke never starts drawing either.
    pad.on_pointer_enter(buttons=1)
    pad.on_mouse_move(200, 200)
    np.testing.assert_array_equal(pad.raster, before)


def test_the_drawing_square_has_a_visible_frame(pad):
    """Issue 10, item 3: white paper on a white page showed nowhere to draw after Clear."""
    assert pad.frame.children == (pad.canvas,)
    assert pad.frame.layout.border.startswith("2px solid")
    assert "cnnviz-digit-pad-frame" in pad.frame._dom_classes
    draw_page = pad.tabs.children[0]
    assert pad.frame in draw_page.children


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
    with pytest.raises(ValueError, match=r"`start` must be a digit the pad can read: .*the grid"):
        W.digit_pad(model, start="#")
    with pytest.raises(ValueError, match=r"`start` must be a digit the pad can read: .*blank"):
        W.digit_pad(model, start="\n".join(["." * 14] * 14))
