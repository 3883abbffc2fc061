"""The output-size calculator (cnnviz.widgets.sizes), driven without a browser; sizes checked
against the textbook formula and a real Keras layer.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _widget_helpers import (
    decode,
)

import cnnviz.widgets as W


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
    """Issue 10, item 8: with a huge padding the formula showed one size and the drawing
    (of older settings) another, and the note blamed `size`. Now the stale drawing is hidden
    and the note names the padding, in the controls' own words."""
    calc = W.output_size_calculator(32, 3)
    assert calc.drawing.layout.display != "none"
    calc.padding.value = "20"
    assert calc.output_size == (32 + 2 * 20 - 3) // 1 + 1 == 70
    assert "70×70" in calc.formula.value
    assert calc.drawing.layout.display == "none"  # no drawing of other settings
    note = calc.message.value
    assert "Padding p = 20" in note and "32 + 20 + 20 = 72 cells per side" in note
    assert "make Padding p smaller" in note and "`size`" not in note
    calc.padding.value = "2"  # back within reach: drawn again, note gone
    assert calc.drawing.layout.display != "none" and calc.message.value == ""


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
