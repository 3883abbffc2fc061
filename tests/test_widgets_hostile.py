"""Hostile input for every widget: arbitrary typed text and arbitrary control sequences.

Hypothesis types anything into every text field (huge numbers, ``nan``, ``inf``, non-ASCII
digits, very long strings) and moves every menu, slider and toggle in any order. After
every single edit:

* no exception escapes the callback (setting ``.value`` would raise it here);
* an edit the widget refuses shows a message and leaves every picture's bytes as they were;
* every message fits in about 300 characters.

And after any sequence, a good edit repaints. The widgets are found by walking the widget
tree, so a control added later is fuzzed too.
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnnviz.widgets as W
from cnnviz._validation import MESSAGE_LIMIT

FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

typed = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "1e308",
            "-1e308",
            "1e308*10",
            "9" * 400,
            "nan",
            "inf",
            "-inf",
            "١٢",
            "１.５",
            "0",
            "1/0",
            "5e-324",
            "2**1000",
            "__import__('os')",
            "(" * 30,
            "\0",
            "x" * 10_000,
            "",
            "1" + " " * 10_000,
            "-1",
            "0.5",
            "1e300",
            "-1e300",
        ]
    ),
)

WARNING = "&#9888;"


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def controls(root):
    """Every control a student can change, as (widget, kind)."""
    found = []
    for w in walk(root):
        if isinstance(w, widgets.Text | widgets.Textarea):
            found.append((w, "text"))
        elif isinstance(w, widgets.FloatText | widgets.IntText | widgets.BoundedFloatText):
            found.append((w, "number"))
        elif isinstance(w, widgets.Dropdown | widgets.ToggleButtons | widgets.RadioButtons):
            if len(w.options) > 1:
                found.append((w, "choice"))
        elif isinstance(w, widgets.IntSlider | widgets.FloatSlider | widgets.SelectionSlider):
            found.append((w, "slider"))
        elif isinstance(w, widgets.Checkbox | widgets.ToggleButton):
            found.append((w, "toggle"))
    return found


def pictures(root):
    """PNG pictures, and result tables drawn in HTML (the pooling sandbox's output)."""
    return [
        bytes(w.value) if isinstance(w, widgets.Image) else w.value
        for w in walk(root)
        if isinstance(w, widgets.Image)
        or any(c.endswith("-output") for c in getattr(w, "_dom_classes", ()))
    ]


def messages(root):
    return [w.value for w in walk(root) if isinstance(w, widgets.HTML)]


def plain(text):
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def apply(data, control, kind):
    if kind == "text":
        control.value = data.draw(typed)
    elif kind == "number":
        control.value = data.draw(
            st.one_of(
                st.floats(allow_nan=False, allow_infinity=False, width=64),
                st.integers(-(10**6), 10**6),
            )
            if isinstance(control, widgets.FloatText)
            else st.integers(-(2**31), 2**31 - 1)
        )
    elif kind == "choice":
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        control.value = data.draw(st.sampled_from(options))
    elif kind == "slider":
        if isinstance(control, widgets.SelectionSlider):
            control.index = data.draw(st.integers(0, len(control.options) - 1))
        else:
            control.value = data.draw(st.integers(int(control.min), int(control.max)))
    else:
        control.value = not control.value


def fuzz(data, widget, steps=8):
    found = controls(widget)
    assert found, "no controls found"
    for _ in range(steps):
        control, kind = data.draw(st.sampled_from(found))
        before_pictures, before_messages = pictures(widget), messages(widget)
        apply(data, control, kind)  # an exception escaping the callback fails here
        after_messages = messages(widget)
        for text in after_messages:
            if WARNING in text:  # an error message (captions may be longer)
                assert len(plain(text)) <= MESSAGE_LIMIT + 20, plain(text)
        # An edit may add or remove parts (the explorer's titles follow its image set), so a
        # new warning is one whose text was not on show before, wherever it stands.
        new_warning = any(
            WARNING in after and after not in before_messages for after in after_messages
        )
        if new_warning:
            assert pictures(widget) == before_pictures, "a refused edit changed a picture"


BUILDERS = {
    "kernel_editor": lambda: W.kernel_editor(image="worked_example"),
    "pixel_inspector": lambda: W.pixel_inspector(image="worked_example"),
    # A kernel larger than the 7x7 image: only padding='same' has pixels to inspect.
    "pixel_inspector_big_kernel": lambda: W.pixel_inspector(
        image="worked_example",
        kernel=np.ones((9, 9)),
        row=0,
        col=0,
        padding="same",
        images=["worked_example", "checkerboard"],
    ),
    "pooling_sandbox": lambda: W.pooling_sandbox(seed=0),
    "pooling_explorer": lambda: W.pooling_explorer(image="checkerboard"),
    "shift_explorer": lambda: W.shift_explorer(crop=32),
    "output_size_calculator": lambda: W.output_size_calculator(),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
@FUZZ
@given(data=st.data())
def test_no_edit_sequence_escapes_a_callback(name, data):
    fuzz(data, BUILDERS[name]())


def _grid_repaints(widget, grid_cells, data):
    """A refused cell keeps the picture and says so; a good value afterwards repaints."""
    for row in grid_cells:  # whatever the fuzzing left behind: all good again
        for other in row:
            other.value = "0"
    cell = grid_cells[1][1]
    good = pictures(widget)  # all zeros: a flat picture
    cell.value = data.draw(st.sampled_from(["1e308*10", "nan", "x" * 10_000, "١٢x", ""]))
    assert pictures(widget) == good
    assert any(WARNING in m for m in messages(widget))
    cell.value = "1"  # the identity: the image itself
    assert pictures(widget) != good
    assert not any(WARNING in m for m in messages(widget))


@FUZZ
@given(data=st.data())
def test_kernel_editor_refuses_then_repaints(data):
    editor = W.kernel_editor(image="worked_example")
    fuzz(data, editor, steps=6)
    editor.weight.value, editor.bias.value = "1", "0"
    _grid_repaints(editor, editor.cells, data)


@FUZZ
@given(data=st.data())
def test_pooling_sandbox_refuses_then_repaints(data):
    sandbox = W.pooling_sandbox(seed=0)
    fuzz(data, sandbox, steps=6)
    _grid_repaints(sandbox, sandbox.cells, data)


# A RuntimeWarning from a callback would print "overflow encountered" under the widget.
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("text", ["1e308", "1.7e308", "-1e308", "1e200", "9" * 40, "1e300"])
def test_huge_finite_kernel_cells_weight_and_bias_keep_the_widget_alive(text):
    editor = W.kernel_editor(image="worked_example")
    for control in (editor.cells[0][0], editor.weight, editor.bias):
        good = pictures(editor)
        control.value = text if isinstance(control, widgets.Text) else float(text)
        if any(WARNING in m for m in messages(editor)):
            assert pictures(editor) == good
        for mode in editor.mode.options:  # later display changes must not raise either
            editor.mode.value = mode[1] if isinstance(mode, tuple) else mode
    sandbox = W.pooling_sandbox(seed=0)
    sandbox.cells[0][0].value = text
    sandbox.cells[0][1].value = text


def test_switching_to_a_padding_the_kernel_does_not_fit_is_told_not_raised():
    inspector = BUILDERS["pixel_inspector_big_kernel"]()
    good = pictures(inspector)
    inspector.padding.value = "valid"  # a 9x9 kernel has no valid pixel in a 7x7 image
    assert pictures(inspector) == good
    assert any("does not fit" in m for m in messages(inspector))
    inspector.image_menu.value = "checkerboard"  # a larger image: there is one again
    assert pictures(inspector) != good


def test_an_echoed_message_is_short():
    editor = W.kernel_editor(image="worked_example")
    editor.cells[0][0].value = "x" * 10_000
    message = plain(" ".join(messages(editor)))
    assert "x" * 100 not in message and len(message) < 2 * MESSAGE_LIMIT


@pytest.mark.tensorflow
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_digit_pad_and_feature_maps_survive_any_edit(data, model):
    fuzz(data, W.digit_pad(model, canvas=False), steps=8)
    fuzz(data, W.feature_map_explorer(model, images=np.zeros((3, 28, 28), np.uint8)), steps=8)
