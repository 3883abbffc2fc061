"""Figures of pooling (notebook 02): pooled windows and winners, tolerance to shifts."""

from __future__ import annotations

import numpy as np

from cnnviz._validation import as_float_array, check_choice, check_int, describe
from cnnviz.plotting._base import _axes, _figure_and_axes, _number_text

__all__ = [
    "show_pooling",
    "show_shift_tolerance",
]


def show_pooling(image, size=2, stride=None, kind="max", axes=None, *, annotate=None, panel=3.0):
    """An image and its pooled result side by side; for max pooling the winners are boxed.

    Parameters
    ----------
    image : array_like, shape (H, W)
        A small grid of numbers (4x4) or a feature map.
    size : int, optional
        Pooling window (square).
    stride : int, optional
        Step between windows; defaults to ``size``.
    kind : {"max", "average"}, optional
    axes : sequence of 2 matplotlib Axes, optional
    annotate : bool, optional
        Write the numbers in the cells and box the winners; default for images of at most
        16x16 pixels.
    panel : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of 2 Axes
        The input (with window borders and, for max pooling, one red box per winner) and
        the result.

    Examples
    --------
    >>> grid = [[1, 3, 0, 2], [4, 2, 1, 0], [0, 1, 5, 6], [2, 0, 7, 8]]
    >>> fig, axes = show_pooling(grid)
    >>> axes[1].get_title(), len(axes[0].patches)
    ('2×2 max pooling → 2×2', 4)
    """
    from matplotlib.patches import Rectangle

    from cnnviz.pooling import avg_pool, max_pool, pool_winners

    arr = as_float_array(image, "image", (2,), example="np.arange(16).reshape(4, 4)")
    size = check_int(size, "size", minimum=1)
    stride = size if stride is None else check_int(stride, "stride", minimum=1)
    kind = check_choice(kind, "kind", ("max", "average"))
    pooled = (max_pool if kind == "max" else avg_pool)(arr, size, stride)
    if annotate is None:
        annotate = arr.size <= 256
    fig, axes = _figure_and_axes(axes, 1, 2, panel)
    low, high = float(arr.min()), float(arr.max())
    if high <= low:
        high = low + 1.0
    for ax, values in zip(axes, (arr, pooled), strict=True):
        ax.imshow(values, cmap="viridis", vmin=low, vmax=high, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if annotate:
            for (r, c), value in np.ndenumerate(values):
                bright = value > low + 0.6 * (high - low)
                ax.text(
                    c,
                    r,
                    _number_text(value),
                    ha="center",
                    va="center",
                    color="black" if bright else "white",
                )
    if stride == size and annotate:
        for k in range(size, max(arr.shape) + 1, size):
            if k < arr.shape[0]:
                axes[0].axhline(k - 0.5, color="white", lw=2.5)
            if k < arr.shape[1]:
                axes[0].axvline(k - 0.5, color="white", lw=2.5)
    if kind == "max" and annotate:
        for r, c in zip(*np.nonzero(pool_winners(arr, size, stride)), strict=True):
            axes[0].add_patch(
                Rectangle((c - 0.45, r - 0.45), 0.9, 0.9, fill=False, edgecolor="red", lw=2.5)
            )
    h, w = arr.shape
    kind_text = "max" if kind == "max" else "average"
    step = "" if stride == size else f", stride {stride}"
    axes[0].set_title(f"{h}×{w} input")
    axes[1].set_title(
        f"{size}×{size} {kind_text} pooling{step} → {pooled.shape[0]}×{pooled.shape[1]}"
    )
    return fig, axes


def show_shift_tolerance(tolerance, ax=None):
    """Plot what :func:`cnnviz.invariance.shift_tolerance` measured: correlation against shift,
    before and after pooling.

    Parameters
    ----------
    tolerance : ShiftTolerance
    ax : matplotlib Axes, optional

    Returns
    -------
    list of matplotlib Line2D
        Two lines: "before pooling" and "after ... pooling".

    Examples
    --------
    >>> from cnnviz.invariance import ShiftTolerance
    >>> lines = show_shift_tolerance(ShiftTolerance((0, 1), (1.0, 0.5), (1.0, 0.8), "max", (2, 2)))
    >>> [line.get_label() for line in lines]
    ['before pooling', 'after 2x2 max pooling']
    """
    from cnnviz.invariance import ShiftTolerance

    if not isinstance(tolerance, ShiftTolerance):
        raise TypeError(
            f"`tolerance` must be what cnnviz.invariance.shift_tolerance returns; got "
            f"{describe(tolerance)}."
        )
    ax = _axes(ax)
    size = tolerance.size
    lines = ax.plot(tolerance.shifts, tolerance.before, "o-", label="before pooling")
    lines += ax.plot(
        tolerance.shifts,
        tolerance.after,
        "s-",
        label=f"after {size[0]}x{size[1]} {tolerance.pool} pooling",
    )
    ax.axhline(0, color="gray", lw=0.8)
    ax.set_xlabel("shift of the input (pixels)")
    ax.set_ylabel("correlation with the unshifted map")
    ax.set_ylim(min(-0.2, min(tolerance.before) - 0.05), 1.05)
    ax.set_xticks(list(tolerance.shifts))
    ax.legend()
    return lines
