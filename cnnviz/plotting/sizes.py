"""Figures of sizes (notebook 03): the convolution grid of input, padding, kernel and output."""

from __future__ import annotations

import numpy as np

from cnnviz._validation import check_int
from cnnviz.plotting._base import _figure_and_axes

__all__ = [
    "GRID_COLOURS",
    "show_conv_grid",
]


#: Colours of :func:`show_conv_grid`: input cells, padding zeros, the kernel, output cells.
GRID_COLOURS = {
    "input": "#d9e2ec",
    "padding": "#f6c28b",
    "kernel": "#1f5fbf",
    "output": "#b9d7f7",
}


_MAX_GRID = 64


def show_conv_grid(size, kernel_size, padding="valid", stride=1, axes=None, *, panel=3.2):
    """Draw where a kernel goes: the padded input grid, the kernel's positions, the output.

    The left panel shows the input cells, the padding zeros in another colour, the first
    kernel position (solid blue box), the second (dashed), and a dot on the centre of
    every position the kernel visits. Each dot is one output cell: the right panel.

    Parameters
    ----------
    size : int
        Input rows and columns (square).
    kernel_size : int
    padding : {"valid", "same"} or int, optional
        As in :func:`cnnviz.shapes.conv_output_size` (Keras' rule for ``"same"``).
    stride : int, optional
    axes : sequence of 2 matplotlib Axes, optional
    panel : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of 2 Axes

    Raises
    ------
    ValueError
        If the kernel does not fit in the padded input, or the padded input has more than
        64 cells per side (too small to see).

    Examples
    --------
    >>> fig, axes = show_conv_grid(5, 3, padding=1)
    >>> axes[0].get_title(), axes[1].get_title()
    ('input 5×5 + padding → 7×7', 'output 5×5')
    >>> len(axes[0].collections[0].get_offsets())  # one dot per output cell
    25
    """
    from matplotlib.patches import Rectangle

    from cnnviz.filters import padding_amounts
    from cnnviz.shapes import conv_output_size

    size = check_int(size, "size", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    out = conv_output_size(size, kernel_size, padding, stride)  # validates padding, fit
    before, after = padding_amounts(size, kernel_size, padding, stride)
    padded = size + before + after
    if padded > _MAX_GRID:
        raise ValueError(
            f"the padded input has {padded} cells per side, too many to draw (at most "
            f"{_MAX_GRID}). Use a smaller `size` to see the grid."
        )
    from matplotlib.colors import ListedColormap

    fig, axes = _figure_and_axes(axes, 1, 2, panel)
    cells = np.zeros((padded, padded))
    cells[before : before + size, before : before + size] = 1
    colours = ListedColormap([GRID_COLOURS["padding"], GRID_COLOURS["input"]])
    left, right = axes
    left.imshow(cells, cmap=colours, vmin=0, vmax=1, interpolation="nearest")
    corners = np.arange(out) * stride
    centre = (kernel_size - 1) / 2
    xs, ys = np.meshgrid(corners + centre, corners + centre)
    left.scatter(
        xs.ravel(), ys.ravel(), s=max(4, 900 / padded**1.3), color=GRID_COLOURS["kernel"], zorder=3
    )
    left.add_patch(
        Rectangle(
            (-0.5, -0.5),
            kernel_size,
            kernel_size,
            fill=False,
            lw=3,
            ec=GRID_COLOURS["kernel"],
            zorder=3,
        )
    )
    if out > 1:
        left.add_patch(
            Rectangle(
                (stride - 0.5, -0.5),
                kernel_size,
                kernel_size,
                fill=False,
                lw=1.8,
                ls="--",
                ec=GRID_COLOURS["kernel"],
                zorder=3,
            )
        )
    right.imshow(
        np.zeros((out, out)),
        cmap=ListedColormap([GRID_COLOURS["output"]]),
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    right.add_patch(Rectangle((-0.5, -0.5), 1, 1, color=GRID_COLOURS["kernel"], zorder=3))
    for ax, n in ((left, padded), (right, out)):
        ax.set_xticks(np.arange(-0.5, n, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, n, 1), minor=True)
        ax.grid(which="minor", color="white", lw=1 if n <= 32 else 0.4)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlim(-0.5, max(padded, 1) - 0.5 if ax is left else out - 0.5)
        ax.set_ylim((max(padded, 1) - 0.5 if ax is left else out - 0.5), -0.5)
    pad_text = " + padding" if before or after else ""
    left.set_title(
        f"input {size}×{size}{pad_text} → {padded}×{padded}" if pad_text else f"input {size}×{size}"
    )
    right.set_title(f"output {out}×{out}")
    return fig, axes
