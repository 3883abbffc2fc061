"""The convolution grid (cnnviz.plotting.sizes): input, padding, kernel and output cells.

No pixels are compared: the tests read back the data, limits, titles and patches that
matplotlib holds for each Axes.
"""

from __future__ import annotations

import matplotlib
import pytest
from _plot_helpers import close_figures  # noqa: F401 (autouse)

from cnnviz.plotting import (
    GRID_COLOURS,
    show_conv_grid,
)


# --------------------------------------------------------------------------- conv grid
@pytest.mark.parametrize(
    ("n", "k", "p", "s", "padded", "out"),
    [
        (5, 3, "valid", 1, 5, 3),
        (5, 3, 1, 1, 7, 5),
        (5, 3, "same", 2, 7, 3),
        (10, 4, "same", 2, 12, 5),
    ],
)
def test_show_conv_grid(n, k, p, s, padded, out):
    fig, axes = show_conv_grid(n, k, p, s)
    assert axes[1].get_title() == f"output {out}×{out}"
    assert f"→ {padded}×{padded}" in axes[0].get_title() or padded == n
    cells = axes[0].images[0].get_array()
    assert cells.shape == (padded, padded)
    assert cells.sum() == n * n  # input cells are 1, padding cells 0
    assert len(axes[0].collections[0].get_offsets()) == out * out  # one dot per output cell
    assert len(axes[0].patches) == (2 if out > 1 else 1)
    first = axes[0].patches[0]
    assert (first.get_width(), first.get_height()) == (k, k)
    assert matplotlib.colors.to_hex(first.get_edgecolor()) == GRID_COLOURS["kernel"]


def test_show_conv_grid_dots_sit_on_kernel_centres():
    fig, axes = show_conv_grid(7, 3, "valid", 2)
    dots = {tuple(xy) for xy in axes[0].collections[0].get_offsets()}
    assert dots == {(x, y) for x in (1, 3, 5) for y in (1, 3, 5)}


def test_show_conv_grid_errors():
    with pytest.raises(ValueError, match="larger than the padded input"):
        show_conv_grid(3, 5)
    with pytest.raises(ValueError, match="too many to draw"):
        show_conv_grid(60, 3, 5)
    with pytest.raises(TypeError, match="`size` must be an integer"):
        show_conv_grid(5.0, 3)
