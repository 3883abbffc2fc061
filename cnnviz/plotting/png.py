"""Fast PNG encoding for widgets: an array through a colour table to PNG bytes, no pyplot."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np

from cnnviz._validation import as_float_array, check_int

__all__ = [
    "MODE_CMAPS",
    "array_to_png",
    "grid_to_png",
]


#: Colour map for each display mode of :func:`cnnviz.filters.display_transform`.
MODE_CMAPS = {"signed": "RdBu_r", "relu": "gray", "clip": "gray", "abs": "gray"}


@lru_cache(maxsize=32)
def _lut(cmap: str) -> np.ndarray:
    """(256, 3) uint8 table of a matplotlib colour map."""
    import matplotlib

    try:
        colormap = matplotlib.colormaps[cmap]
    except KeyError:
        raise ValueError(
            f"`cmap` must be a matplotlib colour map name such as 'gray' or 'RdBu_r'; got {cmap!r}."
        ) from None
    table = colormap(np.linspace(0.0, 1.0, 256))[:, :3]
    lut = np.round(table * 255).astype(np.uint8)
    lut.flags.writeable = False
    return lut


def _to_indices(values, vmin, vmax):
    """Map floats to 0..255 colour-table indices, linearly between vmin and vmax."""
    if np.isfinite(vmax - vmin):
        buf = np.subtract(values, vmin, dtype=np.float64)
        buf *= 255.0 / (vmax - vmin)
    else:  # limits near float64's ends (±1e308): their difference overflows, halves do not
        buf = np.multiply(values, 0.5, dtype=np.float64)
        buf -= vmin * 0.5
        buf *= 255.0 / (vmax * 0.5 - vmin * 0.5)
    np.clip(buf, 0.0, 255.0, out=buf)
    buf += 0.5  # round to the nearest index instead of truncating
    return buf.astype(np.uint8)


def array_to_png(values, cmap="gray", vmin=None, vmax=None, *, min_size=0):
    """Encode an image as PNG bytes, colour-mapped, for an ``ipywidgets.Image``.

    A 2-D array is mapped through the colour map into a 256-colour palette PNG (lossless,
    one byte per pixel: fast to encode and to send). An (H, W, 3) array is taken as RGB
    values in ``vmin..vmax`` (default 0..255).

    Parameters
    ----------
    values : array_like, shape (H, W) or (H, W, 3)
        The picture.
    cmap : str, optional
        A matplotlib colour map name for 2-D input.
    vmin, vmax : float, optional
        Values shown as the first and last colour; default the data's min and max (0..255
        for RGB). Values outside are clipped.
    min_size : int, optional
        Small images (a 28x28 digit) are enlarged by a whole factor, each pixel a crisp
        square, until their shorter side reaches ``min_size``; browsers would blur them.

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> png = array_to_png([[0, 255], [128, 64]], min_size=4)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    from PIL import Image

    arr = as_float_array(values, "values", (2, 3), example="a (H, W) array of pixel values")
    if arr.ndim == 3 and arr.shape[2] != 3:
        raise ValueError(
            f"`values` must be (H, W) or (H, W, 3) RGB; got shape {arr.shape}. "
            f"Pass one channel, e.g. `values[:, :, 0]`."
        )
    min_size = check_int(min_size, "min_size", minimum=0)
    if vmin is None:
        vmin = 0.0 if arr.ndim == 3 else float(arr.min())
    if vmax is None:
        vmax = 255.0 if arr.ndim == 3 else float(arr.max())
    if vmax <= vmin:  # a flat picture: show it mid-scale instead of dividing by zero
        vmin, vmax = vmin - 1.0, vmin + 1.0

    indices = _to_indices(arr, vmin, vmax)
    factor = -(-min_size // min(arr.shape[:2])) if min_size else 1
    if factor > 1:
        indices = np.repeat(np.repeat(indices, factor, axis=0), factor, axis=1)
    if arr.ndim == 3:
        picture = Image.fromarray(np.ascontiguousarray(indices), mode=None)
    else:
        picture = Image.frombytes("P", indices.shape[::-1], indices.tobytes())
        picture.putpalette(_lut(cmap).ravel().tolist())
    buffer = io.BytesIO()
    # Level 1: nearly the size of level 6 at a fraction of the time, and lossless.
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def grid_to_png(cells, limits, cmap="inferno", *, size=112, gap=8, top=0, bottom=0):
    """Many colour-mapped pictures as one PNG, in rows and columns with white gaps.

    A widget that changes a dozen pictures at once sends one message instead of a dozen,
    and the page redraws once. Each cell is scaled to ``size`` x ``size`` pixels by
    repeating pixels (crisp squares, no blur) and mapped through ``cmap`` with its
    column's ``limits``. The palette holds 255 colours of the map and white, so each value
    lands within one step of :func:`array_to_png`'s 256.

    Parameters
    ----------
    cells : list of rows, each a list of 2-D arrays
        ``cells[r][c]``, every row the same number of columns.
    limits : list of (float, float)
        (vmin, vmax) of each column.
    cmap : str, optional
        A matplotlib colour map name.
    size : int, optional
        Side of each cell in pixels.
    gap : int, optional
        White pixels between columns (after each column).
    top, bottom : int, optional
        White pixels above and below each row (room for a label beside the picture).

    Returns
    -------
    bytes
        A palette PNG of ``rows * (top + size + bottom)`` by ``columns * (size + gap)``
        pixels; cell (r, c) starts at row ``r * (top + size + bottom) + top``, column
        ``c * (size + gap)``.

    Examples
    --------
    >>> import numpy as np
    >>> png = grid_to_png([[np.eye(3), np.ones((2, 2))]], [(0, 1), (0, 2)], size=6, gap=2)
    >>> from PIL import Image; import io
    >>> Image.open(io.BytesIO(png)).size  # (width, height)
    (16, 6)
    """
    from PIL import Image

    check_int(size, "size", minimum=1)
    rows = [list(row) for row in cells]
    if not rows or not rows[0]:
        raise ValueError("`cells` must hold at least one row of at least one picture.")
    ncols = len(rows[0])
    if any(len(row) != ncols for row in rows) or len(limits) != ncols:
        raise ValueError(
            f"`cells` rows and `limits` must all have {ncols} columns; got rows of "
            f"{[len(row) for row in rows]} and {len(limits)} limits."
        )
    row_height = top + size + bottom
    sheet = np.full((len(rows) * row_height, ncols * (size + gap)), 255, dtype=np.uint8)
    for c, (vmin, vmax) in enumerate(limits):
        vmin, vmax = float(vmin), float(vmax)
        if vmax <= vmin:
            vmin, vmax = vmin - 1.0, vmin + 1.0
        for r, row in enumerate(rows):
            values = as_float_array(row[c], "cells", (2,), example="a (H, W) feature map")
            h, w = values.shape
            ys = np.arange(size) * h // size  # nearest pixel: crisp squares
            xs = np.arange(size) * w // size
            buf = np.subtract(values[np.ix_(ys, xs)], vmin)
            buf *= 254.0 / (vmax - vmin)
            np.clip(buf, 0.0, 254.0, out=buf)
            buf += 0.5
            y0, x0 = r * row_height + top, c * (size + gap)
            sheet[y0 : y0 + size, x0 : x0 + size] = buf.astype(np.uint8)
    picture = Image.frombytes("P", sheet.shape[::-1], sheet.tobytes())
    palette = _lut255(cmap)
    picture.putpalette(palette)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


@lru_cache(maxsize=32)
def _lut255(cmap: str) -> list[int]:
    """A flat palette: 255 colours of ``cmap`` (indices 0..254), then white (255)."""
    import matplotlib

    try:
        colormap = matplotlib.colormaps[cmap]
    except KeyError:
        raise ValueError(
            f"`cmap` must be a matplotlib colour map name such as 'inferno'; got {cmap!r}."
        ) from None
    table = np.round(colormap(np.linspace(0.0, 1.0, 255))[:, :3] * 255).astype(np.uint8)
    return [*table.ravel().tolist(), 255, 255, 255]
