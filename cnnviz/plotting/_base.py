"""Shared helpers of the figure modules: a new or a given set of Axes, numbers in cells."""

from __future__ import annotations

import numpy as np


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _figure_and_axes(axes, nrows, ncols, size):
    """Axes supplied by the caller (checked), or a new pyplot figure of nrows x ncols."""
    if axes is None:
        import matplotlib.pyplot as plt

        fig, grid = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
        return fig, grid if nrows > 1 else grid[0]
    grid = np.asarray(axes, dtype=object)
    if grid.size != nrows * ncols:
        raise ValueError(
            f"`axes` must hold {nrows * ncols} Axes ({nrows}x{ncols}); got {grid.size}. "
            f"Pass e.g. `plt.subplots({nrows}, {ncols})[1]`, or leave axes=None."
        )
    grid = grid.reshape((nrows, ncols) if nrows > 1 else (ncols,))
    return grid.flat[0].figure, grid


def _number_text(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.3g}"


def _write_numbers(ax, values, limit, diverging=True):
    """Write each value in its cell, white on strong colours, black on pale ones."""
    for (r, c), value in np.ndenumerate(values):
        strong = abs(value) > 0.6 * limit if diverging else value < 0.45 * limit
        ax.text(
            c,
            r,
            _number_text(value),
            ha="center",
            va="center",
            fontsize=10,
            color="white" if strong else "black",
        )
