"""Figures of pooling (cnnviz.plotting.pooling): windows, winners, tolerance to shifts.

No pixels are compared: the tests read back the data, limits, titles and patches that
matplotlib holds for each Axes.
"""

from __future__ import annotations

import numpy as np
import pytest
from _plot_helpers import close_figures, texts  # noqa: F401 (autouse)

from cnnviz.invariance import ShiftTolerance
from cnnviz.plotting import (
    show_pooling,
    show_shift_tolerance,
)

# --------------------------------------------------------------------------- pooling
GRID = [[1, 3, 0, 2], [4, 2, 1, 0], [0, 1, 5, 6], [2, 0, 7, 8]]


def test_show_pooling_boxes_the_winners():
    fig, axes = show_pooling(GRID)
    assert axes[0].get_title() == "4×4 input"
    assert axes[1].get_title() == "2×2 max pooling → 2×2"
    boxed = sorted((round(p.get_y() + 0.45), round(p.get_x() + 0.45)) for p in axes[0].patches)
    assert boxed == [(0, 3), (1, 0), (3, 0), (3, 3)]  # the largest of each 2x2 block
    np.testing.assert_array_equal(axes[1].images[0].get_array(), [[4, 2], [2, 8]])
    assert texts(axes[1]) == ["4", "2", "2", "8"]
    assert len(axes[0].lines) == 2  # one horizontal and one vertical window border


def test_show_pooling_average_and_stride():
    fig, axes = show_pooling(GRID, kind="average")
    assert len(axes[0].patches) == 0
    assert texts(axes[1]) == ["2.5", "0.75", "0.75", "6.5"]
    fig, axes = show_pooling(GRID, stride=1)
    assert axes[1].get_title() == "2×2 max pooling, stride 1 → 3×3"
    assert len(axes[0].lines) == 0  # overlapping windows: no borders


def test_show_pooling_large_images_are_not_annotated():
    fig, axes = show_pooling(np.arange(400.0).reshape(20, 20))
    assert texts(axes[0]) == [] and len(axes[0].patches) == 0


def test_show_pooling_errors():
    with pytest.raises(ValueError, match="`kind` must be one of"):
        show_pooling(GRID, kind="min")
    with pytest.raises(ValueError, match="`size` must be at least 1"):
        show_pooling(GRID, size=0)
    with pytest.raises(ValueError, match="larger than the image"):
        show_pooling(GRID, size=5)


# --------------------------------------------------------------------------- shift tolerance
def test_show_shift_tolerance():
    tolerance = ShiftTolerance((0, 1, 2), (1.0, 0.6, 0.2), (1.0, 0.8, 0.4), "max", (2, 2))
    lines = show_shift_tolerance(tolerance)
    assert [line.get_label() for line in lines] == ["before pooling", "after 2x2 max pooling"]
    np.testing.assert_array_equal(lines[1].get_ydata(), [1.0, 0.8, 0.4])
    assert lines[0].axes.get_xlabel() == "shift of the input (pixels)"


def test_show_shift_tolerance_errors():
    with pytest.raises(TypeError, match="must be what cnnviz.invariance.shift_tolerance returns"):
        show_shift_tolerance({"before": [1.0]})
