"""The digit pad (cnnviz.widgets.digit_pad): draw, upload or type a digit, driven without
a browser: ``pad.stroke``, the messages the page's drawing square sends (delivered as the
comm delivers them), and ``.value``.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pytest
from _widget_helpers import (
    classes,
    layer_by_layer,
    photo_of,
    png,
    upload_entry,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnnviz.widgets as W
from cnnviz.digits import SAMPLE_GRID, draw_stroke
from cnnviz.widgets.digit_pad import MAX_DRAWING_POINTS, MAX_STROKE_POINTS

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


def from_page(pad, content, view="page-1", seq=1):
    """Deliver ``content`` as the drawing square's page sends it: a custom comm message,
    through JSON (what survives the wire), to the widget's own message handler. A dict
    without "event" is taken as a stroke's points (with ``view`` and ``seq``)."""
    if not (isinstance(content, dict) and "event" in content):
        content = {"event": "stroke", "view": view, "seq": seq, "points": content}
    wire = json.loads(json.dumps(content))
    pad.canvas._handle_msg(
        {"content": {"data": {"method": "custom", "content": wire}}, "buffers": []}
    )


ONE = [(140, 40), (140, 240)]
SEVEN = [(60, 50), (220, 50), (130, 250)]


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
    assert (pad.raster == 255).all() and pad.strokes == []

    pad.stroke(ONE)  # a one: a vertical bar
    assert pad.raster[40:241, 138:143].max() == 0  # the pen went there
    assert pad.raster[:, :120].min() == 255 and pad.raster[:25].min() == 255
    reference = draw_stroke(np.full((280, 280), 255.0), ONE, pad.brush)
    np.testing.assert_array_equal(pad.raster, reference)
    assert pad.source == "your drawing" and pad.prediction == 1
    assert calls["predict"][-1] == (28, 28) and calls["activations"][-1] == 1

    pad.clear_drawing()
    theta = np.linspace(0, 2 * np.pi, 60)
    pad.stroke(np.stack([140 + 60 * np.cos(theta), 140 + 95 * np.sin(theta)], axis=1))
    assert pad.prediction == 0  # a ring: a zero
    # The explorer shows the new digit's own feature maps.
    digit_maps = layer_by_layer(model, pad.steps.digit)
    np.testing.assert_allclose(pad.explorer.shown[0][0], digit_maps["conv1"][0, :, :, 0], atol=1e-5)


def test_a_stroke_from_the_page_is_the_same_as_one_from_code(model):
    """The page sends a finished stroke's points at pen-up; the pad inks, classifies and
    shows it exactly as ``pad.stroke`` does."""
    by_code, by_page = W.digit_pad(model), W.digit_pad(model)
    for pad in (by_code, by_page):
        pad.clear_drawing()
    by_code.stroke(SEVEN)
    from_page(by_page, [list(p) for p in SEVEN])
    np.testing.assert_array_equal(by_page.raster, by_code.raster)
    np.testing.assert_array_equal(by_page.steps.digit, by_code.steps.digit)
    np.testing.assert_array_equal(by_page.probabilities, by_code.probabilities)
    assert by_page.prediction == by_code.prediction == 7
    assert by_page.source == "your drawing" and by_page.draw_message.value == ""
    assert by_page.verdict.value == by_code.verdict.value
    np.testing.assert_array_equal(by_page.explorer.shown[0][0], by_code.explorer.shown[0][0])
    # Both squares hold the same drawing: the page redraws it from there.
    assert (
        by_page.canvas.strokes == by_code.canvas.strokes == [[list(map(float, p)) for p in SEVEN]]
    )
    assert by_page.canvas.handled == {"page-1": 1} and by_code.canvas.handled == {}


def test_the_drawing_lives_in_the_square_s_synced_state(pad):
    """A page opened later (Voila) draws what ``strokes`` holds: every change Python makes
    (a stroke from code or from the page, Clear) is in the synced state, with the text a
    screen reader reads."""
    synced = pad.canvas.keys
    assert {"strokes", "handled", "label", "size", "brush"} <= set(synced)
    assert pad.canvas.size == 280 and pad.canvas.brush == pad.brush == 11
    pad.clear_drawing()
    assert pad.canvas.strokes == [] and "280 by 280 pixels: blank" in pad.canvas.label
    pad.stroke(ONE)
    from_page(pad, [[60, 50], [220, 50]], seq=1)
    from_page(pad, [[150, 150]], view="another-page", seq=4)  # a dot, from a second page
    assert pad.canvas.strokes == [
        [[140.0, 40.0], [140.0, 240.0]],
        [[60, 50], [220, 50]],
        [[150, 150]],
    ]
    assert "3 strokes of ink" in pad.canvas.label
    assert "Type tab" in pad.canvas.label  # the way in without a mouse
    assert pad.canvas.handled == {"page-1": 1, "another-page": 4}
    state = pad.canvas.get_state()
    assert state["strokes"] == pad.canvas.strokes and state["label"] == pad.canvas.label
    pad.clear_drawing()
    assert pad.canvas.strokes == [] and pad.strokes == [] and "blank" in pad.canvas.label


def test_a_stroke_that_leaves_the_square_goes_on_until_the_button_is_up(pad):
    """Issue 10, item 3: a 7 whose stroke left the square was classified at once and the
    rest, drawn after coming back in with the button held, was lost. The page keeps the
    pointer while the button is held, so the stroke arrives whole, off-square points and
    all: one stroke, inked where it crosses the square."""
    pad.clear_drawing()
    seven = [[60, 60], [230, 60], [330, 60], [400, 120], [220, 70], [120, 240]]
    from_page(pad, seven)
    reference = draw_stroke(np.full((280, 280), 255.0), seven, pad.brush)
    np.testing.assert_array_equal(pad.raster, reference)
    assert pad.prediction == 7 and len(pad.strokes) == 1
    assert "1 stroke of ink" in pad.canvas.label
    # Far off the square (a wide screen): nothing is inked there, nothing goes wrong.
    pad.clear_drawing()
    from_page(pad, [[140, 40], [140, 240], [140, 90000], [140, 250]])
    assert pad.prediction == 1 and pad.draw_message.value == ""


def test_clear_keeps_the_last_prediction_and_a_blank_drawing_is_refused(pad, calls):
    pad.stroke(ONE)
    before = snapshot(pad)
    pad.clear_drawing()
    assert "Cleared" in pad.draw_message.value
    assert_same(snapshot(pad), before)
    from_page(pad, [[-50, -50]])  # pen down outside the paper: no ink
    assert "looks blank" in pad.draw_message.value
    assert_same(snapshot(pad), before)


# Page messages no pad should trust: wrong kinds, wrong shapes, non-finite or enormous
# numbers, too many points. JSON can carry all of these (NaN and infinity too, as Python
# writes them).
HOSTILE_STROKES = {
    "no-points": None,
    "text": "140,40 140,240",
    "empty": [],
    "a-dict": {"x": 1, "y": 2},
    "one-number": [[140]],
    "three-numbers": [[140, 40, 1]],
    "a-text-number": [["140", 40]],
    "a-bool": [[True, 40]],
    "null": [[140, None]],
    "nan": [[140, 40], [float("nan"), 240]],
    "infinity": [[140, 40], [float("inf"), 240]],
    "beyond-float64": [[140, 40], [10**400, 240]],
    "far-away": [[140, 40], [2e9, 240]],
    "nested": [[[140, 40]], [[140, 240]]],
    "too-many": [[140, 40 + i % 200] for i in range(MAX_STROKE_POINTS + 1)],
}


@pytest.mark.parametrize("points", HOSTILE_STROKES.values(), ids=HOSTILE_STROKES.keys())
def test_hostile_strokes_from_the_page_get_a_message(pad, calls, points):
    """Whatever the page sends, the pad answers with a message beside the square, keeps the
    last good answer and drawing, asks no model, and tells the page the stroke is handled
    (so the page drops it from its own ink)."""
    pad.stroke(ONE)
    before, asked, drawing = snapshot(pad), len(calls["predict"]), pad.raster.copy()
    strokes = pad.canvas.strokes
    from_page(pad, points, seq=7)
    message = html.unescape(pad.draw_message.value)
    assert message.startswith(html.unescape(ERROR_START)), message
    assert "The prediction shown is the last good one" in message
    assert len(message) < 600
    assert_same(snapshot(pad), before)
    np.testing.assert_array_equal(pad.raster, drawing)
    assert pad.canvas.strokes == strokes and len(pad.strokes) == 1
    assert pad.canvas.handled == {"page-1": 7}
    assert len(calls["predict"]) == asked


def test_page_messages_that_are_not_strokes_change_nothing(pad):
    pad.stroke(ONE)
    before, message, strokes = snapshot(pad), pad.draw_message.value, pad.canvas.strokes
    for content in ("a text", None, 7, [1, 2], {"event": "something else"}, {"kind": "x"}):
        pad.canvas._handle_msg(
            {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
        )
    assert_same(snapshot(pad), before)
    assert pad.draw_message.value == message and pad.canvas.strokes == strokes
    # A stroke with a view or number that cannot be acknowledged is still drawn.
    from_page(pad, {"event": "stroke", "view": ["x"], "seq": "one", "points": [[60, 50]]})
    from_page(pad, {"event": "stroke", "view": "v" * 100, "seq": 1, "points": [[60, 60]]})
    assert pad.canvas.handled == {} and len(pad.strokes) == 3 and len(pad.canvas.strokes) == 3


def test_the_page_cannot_set_the_drawing_state(pad):
    """The page only sends strokes; a state update from it (a stale or hostile page) is
    ignored and Python's state is sent back."""
    pad.stroke(ONE)
    sent = []
    pad.canvas.send_state = lambda key=None: sent.append(sorted(key))
    update = {"strokes": "junk", "size": -5, "label": "", "handled": [1], "unknown": 1}
    pad.canvas._handle_msg(
        {"content": {"data": {"method": "update", "state": update}}, "buffers": []}
    )
    assert pad.canvas.strokes == [[[140.0, 40.0], [140.0, 240.0]]]
    assert pad.canvas.size == 280 and "1 stroke of ink" in pad.canvas.label
    assert sent == [["handled", "label", "size", "strokes"]]


def test_a_full_drawing_asks_for_clear(pad):
    pad.clear_drawing()
    long_stroke = [[140 + 50 * np.cos(t), 140 + 90 * np.sin(t)] for t in np.linspace(0, 6, 4000)]
    for seq in range(MAX_DRAWING_POINTS // 4000):
        from_page(pad, long_stroke, seq=seq)
    assert sum(map(len, pad.strokes)) == MAX_DRAWING_POINTS
    before = snapshot(pad)
    from_page(pad, [[140, 140]], seq=99)
    assert "The drawing is full" in pad.draw_message.value and "Clear" in pad.draw_message.value
    assert_same(snapshot(pad), before) and pad.canvas.handled == {"page-1": 99}
    pad.clear_drawing()
    pad.stroke(ONE)
    assert pad.prediction == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@pytest.mark.tensorflow
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    points=st.one_of(
        json_values,
        st.lists(st.lists(st.floats(width=64) | st.integers(), min_size=2, max_size=2), max_size=8),
    ),
    view=json_values,
    seq=json_values,
)
def test_any_message_from_the_page_is_answered_never_raised(model, points, view, seq):
    pad = W.digit_pad(model)
    good = snapshot(pad)
    pad.canvas._handle_msg(
        {
            "content": {
                "data": {
                    "method": "custom",
                    "content": {"event": "stroke", "view": view, "seq": seq, "points": points},
                }
            },
            "buffers": [],
        }
    )
    message = pad.draw_message.value
    if pad.source != "your drawing":  # refused: said so, nothing else changed
        assert message.startswith(ERROR_START)
        assert_same(snapshot(pad), good)
    assert len(html.unescape(message)) < 600


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
    pad.stroke(ONE)
    before, asked = snapshot(pad), len(calls["predict"])
    pad.clear_drawing()
    from_page(pad, [[140, 140]])  # a click: one dot
    assert "too small or too thin to be a digit" in pad.draw_message.value
    assert "The prediction shown is the last good one" in pad.draw_message.value
    assert_same(snapshot(pad), before)
    pad.grid.value = "\n".join("......#......." if r == 6 else "." * 14 for r in range(14))
    assert "too small or too thin to be a digit" in pad.grid_message.value
    assert_same(snapshot(pad), before)
    assert len(calls["predict"]) == asked


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
    pad.stroke(ONE)  # the raster still works from code
    assert pad.prediction == 1 and len(pad.strokes) == 1


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
