"""Pictures: matplotlib figures for the notebooks, and fast PNG encoding for widgets.

Plotting functions take ``ax=None`` (a new figure is made when it is None) and return what
they drew. They never call ``plt.show()`` or change global settings.
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np

from cnnviz._validation import as_float_array, check_choice, check_int, describe
from cnnviz.filters import DISPLAY_MODES, display_transform

__all__ = [
    "MODE_CMAPS",
    "array_to_png",
    "image_grid",
    "show_image",
    "show_kernel",
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
    buf = np.subtract(values, vmin, dtype=np.float64)
    buf *= 255.0 / (vmax - vmin)
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


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def show_image(
    image, ax=None, *, title=None, mode=None, cmap=None, vmin=None, vmax=None, colorbar=False
):
    """Show an image (or a filter result) without axes ticks.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, 3)
        Grayscale values (0..255 by default) or RGB values in 0..255.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if None.
    title : str, optional
    mode : {"signed", "relu", "clip", "abs"}, optional
        Pass a filter result through :func:`cnnviz.filters.display_transform` first and
        use its colour limits and colour map (``"signed"``: blue below 0, red above).
    cmap : str, optional
        Colour map for 2-D input (default gray).
    vmin, vmax : float, optional
        Colour limits; default 0..255 for pictures, the transform's limits with ``mode``.
    colorbar : bool, optional
        Add a colour bar showing what the colours mean.

    Returns
    -------
    matplotlib.image.AxesImage

    Examples
    --------
    >>> shown = show_image(np.zeros((4, 4)), title="black")
    >>> shown.axes.get_title()
    'black'
    """
    arr = as_float_array(image, "image", (2, 3), example="a (H, W) grayscale image")
    ax = _axes(ax)
    if mode is not None:
        mode = check_choice(mode, "mode", tuple(DISPLAY_MODES))
        arr, (low, high) = display_transform(arr, mode)
        cmap = cmap or MODE_CMAPS[mode]
        vmin = low if vmin is None else vmin
        vmax = high if vmax is None else vmax
    if arr.ndim == 3:
        drawn = ax.imshow(np.clip(arr, 0, 255).astype(np.uint8))
    else:
        drawn = ax.imshow(
            arr,
            cmap=cmap or "gray",
            vmin=0.0 if vmin is None else vmin,
            vmax=255.0 if vmax is None else vmax,
            interpolation="nearest",
        )
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(drawn, ax=ax, fraction=0.046, pad=0.04)
    return drawn


def show_kernel(kernel, ax=None, *, title=None, annotate=True, vmax=None):
    """Draw a 2-D kernel as a grid of coloured cells with its numbers written in.

    Diverging colours with zero in the middle: red weights add, blue weights subtract.

    Parameters
    ----------
    kernel : array_like, shape (kh, kw)
    ax : matplotlib Axes, optional
    title : str, optional
    annotate : bool, optional
        Write each weight in its cell.
    vmax : float, optional
        Colour limit (symmetric); default the largest absolute weight, so several kernels
        can share one scale when given the same value.

    Returns
    -------
    matplotlib.image.AxesImage

    Examples
    --------
    >>> drawn = show_kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    >>> drawn.get_clim()
    (-2.0, 2.0)
    """
    arr = as_float_array(kernel, "kernel", (2,), example="np.ones((3, 3)) / 9")
    ax = _axes(ax)
    limit = float(vmax) if vmax is not None else float(np.abs(arr).max()) or 1.0
    drawn = ax.imshow(arr, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    if annotate and arr.size <= 49:
        for (r, c), value in np.ndenumerate(arr):
            text = f"{value:g}" if abs(value) >= 0.01 or value == 0 else f"{value:.1e}"
            strong = abs(value) > 0.6 * limit
            ax.text(
                c,
                r,
                text,
                ha="center",
                va="center",
                fontsize=9,
                color="white" if strong else "black",
            )
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return drawn


def image_grid(
    images,
    titles=None,
    *,
    ncols=None,
    mode=None,
    cmap=None,
    vmin=None,
    vmax=None,
    size=2.5,
    suptitle=None,
):
    """Show several images side by side in a grid of axes.

    Parameters
    ----------
    images : sequence of array_like, each (H, W) or (H, W, 3)
    titles : sequence of str, optional
        One per image.
    ncols : int, optional
        Columns (default: all in one row, at most 6).
    mode, cmap, vmin, vmax
        As in :func:`show_image`, applied to every image.
    size : float, optional
        Width and height of each panel in inches.
    suptitle : str, optional
        A title over the whole grid.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (rows, ncols)

    Examples
    --------
    >>> fig, axes = image_grid([np.zeros((3, 3)), np.ones((3, 3))], ["a", "b"])
    >>> axes.shape
    (1, 2)
    """
    import matplotlib.pyplot as plt

    if isinstance(images, np.ndarray) and images.ndim in (2,):
        raise TypeError("`images` must be a sequence of images; got one image. Wrap it: [image].")
    if not hasattr(images, "__len__") or len(images) == 0:
        raise TypeError(f"`images` must be a non-empty sequence of images; got {describe(images)}.")
    count = len(images)
    if titles is not None and len(titles) != count:
        raise ValueError(f"`titles` must have one title per image ({count}); got {len(titles)}.")
    ncols = min(count, 6) if ncols is None else check_int(ncols, "ncols", minimum=1)
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < count:
            show_image(
                images[i],
                ax,
                title=None if titles is None else titles[i],
                mode=mode,
                cmap=cmap,
                vmin=vmin,
                vmax=vmax,
            )
        else:
            ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig, axes
