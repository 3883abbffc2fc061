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
    conv_grid_png,
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
    with pytest.raises(ValueError, match=r"70 cells per side \(60 from `size` plus 5 \+ 5 zeros"):
        show_conv_grid(60, 3, 5)
    with pytest.raises(TypeError, match="`size` must be an integer"):
        show_conv_grid(5.0, 3)


# --------------------------------------------------------------------------- the fast PNG
def _rgb(colour):
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize(
    ("n", "k", "p", "s", "padded", "out"),
    [
        (5, 3, "valid", 1, 5, 3),
        (5, 3, 1, 1, 7, 5),
        (5, 3, "same", 2, 7, 3),
        (10, 4, "same", 2, 12, 5),
        (7, 1, 0, 3, 7, 3),
    ],
)
def test_conv_grid_png_dots_padding_and_output(n, k, p, s, padded, out):
    """A dot on the centre of every kernel position and nowhere else, padding cells in the
    padding colour, and out x out output cells: read back from the PNG's pixels."""
    import io

    import numpy as np
    from PIL import Image

    side = 240
    picture = np.asarray(Image.open(io.BytesIO(conv_grid_png(n, k, p, s, side=side))))
    cell = side // padded
    kernel, padding = _rgb(GRID_COLOURS["kernel"]), _rgb(GRID_COLOURS["padding"])
    before = (padded - n) // 2 if p == "same" else (p if isinstance(p, int) else 0)
    centres = {(r * s + (k - 1) / 2, c * s + (k - 1) / 2) for r in range(out) for c in range(out)}
    for r in range(padded):
        for c in range(padded):
            # The centre of cell (r, c) (and of a kernel position on it, for odd k).
            y, x = int((r + 0.5) * cell), int((c + 0.5) * cell)
            colour = tuple(picture[y, x, :3])
            if k % 2 and (r, c) in centres:
                assert colour == kernel, (r, c)
            elif k % 2:
                assert colour != kernel or r < k or c < k + s, (r, c)  # boxes' edges aside
            inside = before <= r < before + n and before <= c < before + n
            if not inside and (r, c) not in centres and r >= k and c >= k + s:
                assert colour == padding, (r, c)
    # The output panel: out cells across, the first in the kernel's colour.
    right = picture[:, padded * cell + 32 :, :3]
    out_cell = side // out
    assert tuple(right[out_cell // 2, out_cell // 2]) == kernel
    assert tuple(right[out_cell // 2, out_cell + out_cell // 2]) == _rgb(GRID_COLOURS["output"])
    assert right.shape[1] == out * out_cell


def test_conv_grid_png_rejects_what_show_conv_grid_rejects():
    with pytest.raises(ValueError, match="too many to draw"):
        conv_grid_png(64, 3, padding=2)
    with pytest.raises(ValueError):
        conv_grid_png(3, 5)
