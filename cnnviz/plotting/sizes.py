"""Figures of sizes (notebook 03): the convolution grid of input, padding, kernel and output."""

from __future__ import annotations

import numpy as np

from cnnviz._validation import check_int
from cnnviz.plotting._base import _figure_and_axes

__all__ = [
    "GRID_COLOURS",
    "conv_grid_png",
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


def _grid(size, kernel_size, padding, stride):
    """Checked arguments and the geometry: (size, kernel_size, stride, out, before, after)."""
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
            f"the padded input has {padded} cells per side ({size} from `size` plus "
            f"{before} + {after} zeros of `padding`), too many to draw (at most "
            f"{_MAX_GRID}). Use a smaller `padding` (or `size`) to see the grid."
        )
    return size, kernel_size, stride, out, before, after


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _cells(labels, cell, colours):
    """(n, n) labels -> RGB picture, ``cell`` pixels per cell, white lines between cells."""
    table = np.array([_rgb(c) for c in colours], dtype=np.uint8)
    big = np.repeat(np.repeat(table[labels], cell, axis=0), cell, axis=1)
    if cell >= 4:
        big[::cell, :] = 255
        big[:, ::cell] = 255
    return big


def conv_grid_png(size, kernel_size, padding="valid", stride=1, *, side=256, gap=32):
    """The drawing of :func:`show_conv_grid` as PNG bytes, made with NumPy and Pillow.

    The same two panels (the padded input with the kernel's first position as a solid box,
    the second dashed and a dot per position; the output with its first cell in the
    kernel's colour) in a few milliseconds instead of a matplotlib figure's hundreds, for
    widgets that redraw on every slider move. No titles: the widget writes them beside.

    Parameters
    ----------
    size, kernel_size, padding, stride
        As in :func:`show_conv_grid`.
    side : int, optional
        Pixels per panel side (at least); each cell gets ``side // cells`` pixels.
    gap : int, optional
        Pixels between the panels.

    Returns
    -------
    bytes
        A PNG file, (side-ish) x (2 * side + gap) pixels.

    Raises
    ------
    ValueError
        As :func:`show_conv_grid`.

    Examples
    --------
    >>> png = conv_grid_png(5, 3, padding=1)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    import io

    from PIL import Image, ImageDraw

    size, kernel_size, stride, out, before, after = _grid(size, kernel_size, padding, stride)
    padded = size + before + after
    cell_in = max(2, side // padded)
    cell_out = max(2, side // out)
    labels = np.zeros((padded, padded), dtype=np.intp)
    labels[before : before + size, before : before + size] = 1
    left = _cells(labels, cell_in, [GRID_COLOURS["padding"], GRID_COLOURS["input"]])
    out_labels = np.zeros((out, out), dtype=np.intp)
    out_labels[0, 0] = 1
    right = _cells(out_labels, cell_out, [GRID_COLOURS["output"], GRID_COLOURS["kernel"]])
    height = max(left.shape[0], right.shape[0])
    canvas = np.full((height, left.shape[1] + gap + right.shape[1], 3), 255, dtype=np.uint8)
    canvas[: left.shape[0], : left.shape[1]] = left
    canvas[: right.shape[0], left.shape[1] + gap :] = right
    picture = Image.fromarray(canvas)
    pen = ImageDraw.Draw(picture)
    blue = _rgb(GRID_COLOURS["kernel"])
    span = kernel_size * cell_in
    radius = max(1.0, min(cell_in * 0.2, 6.0))
    for i in range(out):
        for j in range(out):
            x = (j * stride) * cell_in + span / 2
            y = (i * stride) * cell_in + span / 2
            pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=blue)
    pen.rectangle([0, 0, span - 1, span - 1], outline=blue, width=3)
    if out > 1:  # the second position, dashed
        x0, x1 = stride * cell_in, stride * cell_in + span - 1
        dash = max(3, cell_in // 2)
        for a in range(0, span, 2 * dash):
            b = min(a + dash, span - 1)
            pen.line([(x0 + a, 0), (x0 + b, 0)], fill=blue, width=2)
            pen.line([(x0 + a, span - 1), (x0 + b, span - 1)], fill=blue, width=2)
            pen.line([(x0, a), (x0, b)], fill=blue, width=2)
            pen.line([(x1, a), (x1, b)], fill=blue, width=2)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


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
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle

    size, kernel_size, stride, out, before, after = _grid(size, kernel_size, padding, stride)
    padded = size + before + after

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
