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
    "GRID_COLOURS",
    "MODE_CMAPS",
    "array_to_png",
    "image_grid",
    "show_channels",
    "show_conv_grid",
    "show_display_modes",
    "show_image",
    "show_kernel",
    "show_pixel_products",
    "show_pooling",
    "show_shift_tolerance",
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


# --------------------------------------------------------------------------- notebooks 01-03
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


def show_pixel_products(products, axes=None, *, size=2.6):
    """The arithmetic of one output pixel as three grids: pixels × weights = products.

    Parameters
    ----------
    products : PixelProducts
        From :func:`cnnviz.filters.pixel_products` on a grayscale image.
    axes : sequence of 3 matplotlib Axes, optional
        Where to draw; a new figure if None.
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of 3 Axes
        Titles "Image pixels", "× weights", "= products (sum ...)"; every cell annotated.

    Examples
    --------
    >>> from cnnviz.filters import KERNELS, pixel_products
    >>> patch = [[0, 64, 128], [48, 192, 144], [142, 226, 168]]
    >>> fig, axes = show_pixel_products(pixel_products(patch, KERNELS["course_example"], 1, 1))
    >>> axes[2].get_title()
    '= products (sum 577)'
    """
    from cnnviz.filters import PixelProducts

    if not isinstance(products, PixelProducts):
        raise TypeError(
            f"`products` must be what cnnviz.pixel_products returns; got {describe(products)}. "
            f"Pass e.g. `pixel_products(image, kernel, row, col)`."
        )
    if products.products.ndim != 2:
        raise ValueError(
            f"`products` must come from a grayscale image (2-D neighbourhood); got shape "
            f"{products.products.shape}. Pass one channel, e.g. `image[:, :, 0]`."
        )
    fig, axes = _figure_and_axes(axes, 1, 3, size)
    hood, weights, prods = products.neighbourhood, products.weights, products.products
    axes[0].imshow(hood, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    _write_numbers(axes[0], hood, 255, diverging=False)
    show_kernel(weights, axes[1], annotate=True)
    limit = float(np.abs(prods).max()) or 1.0
    axes[2].imshow(prods, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    _write_numbers(axes[2], prods, limit)
    titles = ("Image pixels", "× weights", f"= products (sum {_number_text(products.total)})")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title)
    return fig, axes


def show_display_modes(result, axes=None, *, size=3.0):
    """One filter result shown four ways: signed, ReLU, clip to 0..255, absolute value.

    Each title says what the mode hides, as a number measured on ``result``: the share of
    pixels that are negative (black under ReLU and clip) and above 255 (white under clip).

    Parameters
    ----------
    result : array_like, shape (H, W)
        A signed filter result, e.g. from :func:`cnnviz.filters.apply_filter`.
    axes : sequence of 4 matplotlib Axes, optional
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of 4 Axes
        In the order of :data:`cnnviz.filters.DISPLAY_MODES`.

    Examples
    --------
    >>> fig, axes = show_display_modes([[-100.0, 0.0], [50.0, 300.0]])
    >>> [ax.get_title().splitlines()[0] for ax in axes]
    ['signed', 'relu', 'clip', 'abs']
    >>> axes[1].get_title().splitlines()[1]
    '25% negative → 0'
    """
    arr = as_float_array(result, "result", (2,), example="apply_filter(image, kernel)")
    fig, axes = _figure_and_axes(axes, 1, len(DISPLAY_MODES), size)
    negative = float((arr < 0).mean()) * 100
    above = float((arr > 255).mean()) * 100
    notes = {
        "signed": f"{arr.min():,.0f} … {arr.max():,.0f}, nothing hidden",
        "relu": f"{negative:.0f}% negative → 0",
        "clip": f"{negative:.0f}% → 0, {above:.0f}% → 255",
        "abs": "sign lost: both edges bright",
    }
    for ax, mode in zip(axes, DISPLAY_MODES, strict=True):
        show_image(arr, ax, mode=mode, title=f"{mode}\n{notes[mode]}")
    return fig, axes


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


def show_channels(image, kernel, bias=0.0, axes=None, *, names=("red", "green", "blue"), size=2.4):
    """A colour filter, channel by channel: each slice of the kernel filters its own
    channel, and the three results are summed, plus the bias, into one feature map.

    Parameters
    ----------
    image : array_like, shape (H, W, 3)
        RGB values in 0..255.
    kernel : array_like, shape (kh, kw, 3)
        One kernel slice per channel.
    bias : float, optional
    axes : 3x4 grid of matplotlib Axes, optional
    names : sequence of 3 str, optional
        Channel names for the titles.
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (3, 4)
        Rows: the channels, the kernel slices, the per-channel results; the last column
        holds the colour image, the sum written out, and the feature map.

    Examples
    --------
    >>> rgb = np.zeros((6, 6, 3)); rgb[:, 3:, 0] = 255
    >>> kernel = np.zeros((3, 3, 3)); kernel[1, 1] = [1, 0, -1]
    >>> fig, axes = show_channels(rgb, kernel, bias=-10)
    >>> axes.shape, axes[2, 3].get_title()
    ((3, 4), 'feature map = sum + (-10)')
    """
    from cnnviz.filters import apply_filter

    img = as_float_array(image, "image", (3,), example="load_sample('astronaut', color=True)")
    ker = as_float_array(kernel, "kernel", (3,), example="np.ones((3, 3, 3)) / 27")
    if img.shape[2] != 3 or ker.shape[2] != 3:
        raise ValueError(
            f"`image` and `kernel` must have 3 channels (RGB); got shapes {img.shape} and "
            f"{ker.shape}. Pass e.g. `np.stack([k_red, k_green, k_blue], axis=-1)` as kernel."
        )
    if len(names) != 3:
        raise ValueError(f"`names` must name the 3 channels; got {len(names)} names.")
    from cnnviz._validation import check_number

    bias = check_number(bias, "bias")
    fig, axes = _figure_and_axes(axes, 3, 4, size)
    parts = [apply_filter(img[:, :, c], ker[:, :, c]) for c in range(3)]
    total = parts[0] + parts[1] + parts[2] + bias
    part_limit = max(float(np.abs(p).max()) for p in parts) or 1.0
    kernel_limit = float(np.abs(ker).max()) or 1.0
    from matplotlib.colors import LinearSegmentedColormap

    # Each channel from black (0) to its own pure colour (255), as the screen lights it.
    pure = ((1, 0, 0), (0, 0.6, 0), (0, 0, 1))
    for c in range(3):
        cmap = LinearSegmentedColormap.from_list(names[c], [(0, 0, 0), pure[c]])
        show_image(img[:, :, c], axes[0, c], cmap=cmap, title=f"{names[c]} channel")
        show_kernel(ker[:, :, c], axes[1, c], vmax=kernel_limit, title=f"kernel slice {c}")
        show_image(
            parts[c],
            axes[2, c],
            cmap="RdBu_r",
            vmin=-part_limit,
            vmax=part_limit,
            title=f"{names[c]} result",
        )
    show_image(img, axes[0, 3], title="colour image")
    axes[1, 3].axis("off")
    axes[1, 3].text(
        0.5,
        0.5,
        f"{names[0]} result\n+ {names[1]} result\n+ {names[2]} result\n+ bias ({bias:g})",
        ha="center",
        va="center",
        fontsize=11,
        transform=axes[1, 3].transAxes,
    )
    show_image(total, axes[2, 3], mode="signed", title=f"feature map = sum + ({bias:g})")
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


# --------------------------------------------------------------------------- notebooks 04-06
def _metrics_of(history, name="history") -> dict:
    """metric name -> list of floats, from a TrainingResult, a keras History or a dict."""
    if hasattr(history, "metrics") and isinstance(history.metrics, dict):
        raw = history.metrics
    elif hasattr(history, "history") and isinstance(history.history, dict):
        raw = history.history
    elif isinstance(history, dict):
        raw = history
    else:
        raise TypeError(
            f"`{name}` must be what cnnviz.models.train returns, a keras History or a dict of "
            f"per-epoch lists; got {describe(history)}."
        )
    return {key: [float(v) for v in values] for key, values in raw.items()}


def plot_history(history, ax=None, *, metric="accuracy", label=None, color=None):
    """Learning curves: one metric per epoch, on the training data (solid) and test (dashed).

    Parameters
    ----------
    history : TrainingResult, keras History or dict
        What :func:`cnnviz.models.train` returns, ``model.fit(...)``'s History, or a dict
        such as ``{"accuracy": [...], "val_accuracy": [...]}``.
    ax : matplotlib Axes, optional
    metric : str, optional
        ``"accuracy"``, ``"loss"`` or another key; the test curve is ``"val_" + metric``.
    label : str, optional
        Put in front of "train" and "test" in the legend (e.g. the model's name).
    color : str, optional
        One colour for both curves of this model.

    Returns
    -------
    list of matplotlib Line2D
        The training curve, then the test curve if the history has one.

    Examples
    --------
    >>> lines = plot_history({"accuracy": [0.8, 0.9], "val_accuracy": [0.78, 0.85]}, label="CNN")
    >>> [line.get_label() for line in lines], lines[1].get_ydata().tolist()
    (['CNN train', 'CNN test'], [0.78, 0.85])
    """
    metrics = _metrics_of(history)
    if not isinstance(metric, str) or metric not in metrics:
        raise ValueError(
            f"`metric` must be one of the recorded metrics {sorted(metrics)}; got {metric!r}."
        )
    ax = _axes(ax)
    prefix = f"{label} " if label else ""
    epochs = list(range(1, len(metrics[metric]) + 1))
    lines = ax.plot(epochs, metrics[metric], "o-", color=color, label=f"{prefix}train")
    color = lines[0].get_color()
    if f"val_{metric}" in metrics:
        lines += ax.plot(
            epochs, metrics[f"val_{metric}"], "s--", color=color, label=f"{prefix}test"
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.set_xticks(epochs)
    ax.legend()
    return lines


def compare_histories(histories, axes=None, *, metrics=("accuracy", "loss"), size=4.0):
    """Learning curves of several models side by side: one panel per metric.

    Parameters
    ----------
    histories : dict of str -> TrainingResult, keras History or dict
        Model name -> its training history (see :func:`plot_history`).
    axes : sequence of matplotlib Axes, optional
        One per metric.
    metrics : sequence of str, optional
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (len(metrics),)

    Examples
    --------
    >>> fig, axes = compare_histories({
    ...     "dense": {"accuracy": [0.8, 0.85], "loss": [0.6, 0.5]},
    ...     "CNN": {"accuracy": [0.85, 0.9], "loss": [0.5, 0.3]},
    ... })
    >>> [ax.get_ylabel() for ax in axes], len(axes[0].get_lines())
    (['accuracy', 'loss'], 2)
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError(
            f"`histories` must be a non-empty dict of model name -> history; got "
            f"{describe(histories)}. Pass e.g. {{'dense': dense_result, 'CNN': cnn_result}}."
        )
    if isinstance(metrics, str) or not metrics:
        raise TypeError(f"`metrics` must be a list of metric names; got {describe(metrics)}.")
    fig, grid = _figure_and_axes(axes, 1, len(metrics), size)
    grid = np.atleast_1d(grid)
    for ax, metric in zip(grid, metrics, strict=True):
        for i, (name, history) in enumerate(histories.items()):
            plot_history(history, ax, metric=metric, label=name, color=f"C{i}")
        ax.set_title(f"{metric} per epoch")
    if axes is None:
        fig.tight_layout()
    return fig, grid


def show_mistakes(
    images, y_true, y_pred, class_names=None, *, probabilities=None, n=8, ncols=8, size=1.6
):
    """The first ``n`` misclassified images, titled with the true and the predicted class.

    Parameters
    ----------
    images : array_like, shape (N, H, W)
    y_true, y_pred : array_like of int, shape (N,)
        True classes and the model's predictions.
    class_names : sequence of str, optional
        Names of the classes (default: their numbers).
    probabilities : array_like, shape (N, classes), optional
        The model's probabilities: the predicted class's probability is shown too.
    n : int, optional
    ncols : int, optional
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes
    shown : ndarray of int
        The indices of the images shown (empty if there is no mistake).

    Examples
    --------
    >>> fig, axes, shown = show_mistakes(np.zeros((3, 4, 4)), [1, 2, 3], [1, 0, 3])
    >>> shown.tolist(), axes.flat[0].get_title()
    ([1], 'true 2\\npredicted 0')
    """
    import matplotlib.pyplot as plt

    arr = as_float_array(images, "images", (3,), example="the test images, shape (N, 28, 28)")
    truth = np.asarray(y_true)
    guess = np.asarray(y_pred)
    if truth.shape != (len(arr),) or guess.shape != (len(arr),):
        raise ValueError(
            f"`y_true` and `y_pred` must hold one class per image ({len(arr)}); got shapes "
            f"{truth.shape} and {guess.shape}."
        )
    if probabilities is not None:
        probabilities = as_float_array(probabilities, "probabilities", (2,), example="(N, 10)")
        if len(probabilities) != len(arr):
            raise ValueError(
                f"`probabilities` must have one row per image ({len(arr)}); got "
                f"{len(probabilities)}."
            )
    n = check_int(n, "n", minimum=1)
    ncols = check_int(ncols, "ncols", minimum=1)

    def name(k):
        return str(class_names[int(k)]) if class_names is not None else str(int(k))

    shown = np.flatnonzero(truth != guess)[:n]
    if len(shown) == 0:
        fig, ax = plt.subplots(figsize=(size * 2, size))
        ax.text(0.5, 0.5, "no mistakes", ha="center", va="center")
        ax.axis("off")
        return fig, np.array([[ax]]), shown
    cols = min(ncols, len(shown))
    rows = -(-len(shown) // cols)
    # Each panel gets room for its two-line title above it.
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, (size + 0.5) * rows), squeeze=False)
    for ax in axes.flat[len(shown) :]:
        ax.axis("off")
    for ax, i in zip(axes.flat, shown, strict=False):
        ax.imshow(arr[i], cmap="gray", interpolation="nearest")
        title = f"true {name(truth[i])}\npredicted {name(guess[i])}"
        if probabilities is not None:
            title += f" ({probabilities[i, int(guess[i])]:.0%})"
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig, axes, shown


def _kernel_stack(weights, channel):
    """(kh, kw, in, f) or (kh, kw, f) weights -> (f, kh, kw)."""
    arr = as_float_array(
        weights, "weights", (3, 4), example="learned_kernels(model, 'conv1').weights"
    )
    if arr.ndim == 4:
        channel = check_int(channel, "channel", minimum=0, maximum=arr.shape[2] - 1)
        arr = arr[:, :, channel, :]
    return np.moveaxis(arr, -1, 0)


def kernel_grid(weights, *, channel=0, ncols=8, size=1.1, annotate=False, suptitle=None):
    """Every filter of a Conv2D layer as a small kernel picture, on one diverging scale.

    Red weights add, blue weights subtract, white is zero; all kernels share the colour
    limits (the largest absolute weight), so a pale kernel really has small weights.

    Parameters
    ----------
    weights : array_like, shape (kh, kw, in_channels, filters) or (kh, kw, filters)
        A layer's kernels as Keras stores them, e.g.
        ``cnnviz.models.learned_kernels(model, "conv1").weights``.
    channel : int, optional
        Which input channel's slice to show for 4-D weights.
    ncols : int, optional
    size : float, optional
        Width and height of each panel in inches.
    annotate : bool, optional
        Write every weight in its cell (readable for a few kernels only).
    suptitle : str, optional

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (rows, ncols)

    Examples
    --------
    >>> weights = np.zeros((3, 3, 1, 4))
    >>> weights[1, 1, 0, 2] = -0.5
    >>> fig, axes = kernel_grid(weights, ncols=2)
    >>> axes.shape, axes[1, 0].get_title(), axes[1, 0].images[0].get_clim()
    ((2, 2), '#2', (-0.5, 0.5))
    """
    import matplotlib.pyplot as plt

    stack = _kernel_stack(weights, channel)
    ncols = check_int(ncols, "ncols", minimum=1)
    count = len(stack)
    cols = min(ncols, count)
    rows = -(-count // cols)
    limit = float(np.abs(stack).max()) or 1.0
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < count:
            show_kernel(stack[i], ax, title=f"#{i}", annotate=annotate, vmax=limit)
            ax.title.set_fontsize(8)
        else:
            ax.axis("off")
    drawn = axes.flat[0].images[0]
    fig.colorbar(drawn, ax=axes.ravel().tolist(), fraction=0.02, pad=0.02)
    if suptitle:
        fig.suptitle(suptitle)
    return fig, axes


def show_feature_maps(
    maps, *, ncols=8, cmap="inferno", size=1.2, shared=True, titles=None, suptitle=None
):
    """All feature maps of one image at one layer, one small picture per filter.

    Parameters
    ----------
    maps : array_like, shape (h, w, filters)
        E.g. ``activations(model, digits)["conv1"][0]``.
    ncols : int, optional
    cmap : str, optional
        Dark is 0; the ReLU and pooling outputs are never negative.
    size : float, optional
        Width and height of each panel in inches.
    shared : bool, optional
        One colour scale (0 to the largest value of all maps) so that strong and weak
        filters can be compared; ``False`` scales each map to its own maximum.
    titles : sequence of str, optional
        One per filter (default ``"#0"``, ``"#1"``, ...).
    suptitle : str, optional

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (rows, ncols)

    Examples
    --------
    >>> maps = np.zeros((5, 5, 3))
    >>> maps[2, 2, 1] = 4.0
    >>> fig, axes = show_feature_maps(maps)
    >>> axes.shape, axes[0, 1].images[0].get_clim()
    ((1, 3), (0.0, 4.0))
    """
    import matplotlib.pyplot as plt

    arr = as_float_array(maps, "maps", (3,), example="activations(model, x)['conv1'][0]")
    count = arr.shape[2]
    if titles is not None and len(titles) != count:
        raise ValueError(f"`titles` must have one title per map ({count}); got {len(titles)}.")
    ncols = check_int(ncols, "ncols", minimum=1)
    cols = min(ncols, count)
    rows = -(-count // cols)
    low = min(0.0, float(arr.min()))
    top = float(arr.max())
    # Room above each panel for its title.
    height = (size + 0.3) * rows + (0.4 if suptitle else 0.0)
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, height), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= count:
            ax.axis("off")
            continue
        one = arr[:, :, i]
        high = top if shared else float(one.max())
        ax.imshow(one, cmap=cmap, vmin=low, vmax=high if high > low else low + 1.0)
        ax.set_title(titles[i] if titles is not None else f"#{i}", fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig, axes


def show_layers(images, maps, filter_index=0, *, labels=None, cmap="inferno", size=1.8):
    """The classic figure: rows of images, columns of layers, one filter number.

    Parameters
    ----------
    images : array_like, shape (N, H, W)
        The input images (any value range; each shown on its own).
    maps : dict of str -> array_like, shape (N, h, w, filters)
        Layer name -> feature maps, e.g. :func:`cnnviz.models.activations`.
    filter_index : int, optional
        The filter shown in every layer (it must exist in all of them). Filter 5 of conv2
        is not related to filter 5 of conv1: each layer has its own filters. A pooling
        layer keeps the filters of the convolution before it.
    labels : sequence of str, optional
        One per image, written at the start of its row.
    cmap : str, optional
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (N, 1 + len(maps))
        Column 0 holds the inputs. Every layer's column shares one colour scale.

    Examples
    --------
    >>> maps = {"conv1": np.ones((2, 4, 4, 3)), "pool1": np.ones((2, 2, 2, 3))}
    >>> fig, axes = show_layers(np.zeros((2, 6, 6)), maps, 1)
    >>> axes.shape, axes[0, 2].get_title()
    ((2, 3), 'pool1 #1')
    """
    import matplotlib.pyplot as plt

    inputs = as_float_array(images, "images", (3,), example="x_test[:3]")
    if not isinstance(maps, dict) or not maps:
        raise TypeError(
            f"`maps` must be a dict of layer name -> feature maps; got {describe(maps)}. "
            f"Pass `cnnviz.models.activations(model, images)`."
        )
    count = len(inputs)
    columns = []
    for name, value in maps.items():
        arr = as_float_array(value, f"maps[{name!r}]", (4,), example="(N, h, w, filters)")
        if len(arr) != count:
            raise ValueError(
                f"`maps[{name!r}]` must hold maps for the {count} images; got {len(arr)}."
            )
        columns.append((name, arr))
    fewest = min(arr.shape[3] for _, arr in columns)
    filter_index = check_int(filter_index, "filter_index", minimum=0, maximum=fewest - 1)
    if labels is not None and len(labels) != count:
        raise ValueError(f"`labels` must have one label per image ({count}); got {len(labels)}.")
    fig, axes = plt.subplots(
        count, 1 + len(columns), figsize=(size * (1 + len(columns)), size * count), squeeze=False
    )
    for r in range(count):
        axes[r, 0].imshow(inputs[r], cmap="gray", interpolation="nearest")
        if labels is not None:
            axes[r, 0].set_ylabel(str(labels[r]))
    axes[0, 0].set_title("input")
    for c, (name, arr) in enumerate(columns, start=1):
        chosen = arr[..., filter_index]
        high = float(chosen.max())
        low = min(0.0, float(chosen.min()))
        for r in range(count):
            axes[r, c].imshow(
                chosen[r],
                cmap=cmap,
                vmin=low,
                vmax=high if high > low else low + 1.0,
                interpolation="nearest",
            )
        axes[0, c].set_title(f"{name} #{filter_index}")
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig, axes


def show_digit_steps(steps, axes=None, *, size=2.0):
    """Every pre-processing step of a digit (:func:`cnnviz.digits.prepare_digit`) in a row.

    Parameters
    ----------
    steps : cnnviz.digits.DigitSteps
    axes : sequence of 6 matplotlib Axes, optional
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (6,)
        The crop box is drawn on the "levels" panel; the last panel marks the centre of
        mass (cross) and the field's centre (circle).

    Examples
    --------
    >>> from cnnviz.digits import prepare_digit
    >>> fig, axes = show_digit_steps(prepare_digit(np.pad(np.full((12, 5), 255.0), 8)))
    >>> axes[-1].get_title()
    '6. centred in 28x28'
    """
    from matplotlib.patches import Rectangle

    from cnnviz.digits import DigitSteps

    if not isinstance(steps, DigitSteps):
        raise TypeError(
            f"`steps` must be what cnnviz.digits.prepare_digit returns; got {describe(steps)}."
        )
    pictures = steps.pictures()
    fig, grid = _figure_and_axes(axes, 1, len(pictures), size)
    for ax, (title, picture) in zip(grid, pictures, strict=True):
        show_image(picture, ax, title=title, vmin=0, vmax=255)
        ax.title.set_fontsize(9)
    top, left, bottom, right = steps.box
    grid[2].add_patch(
        Rectangle(
            (left - 0.5, top - 0.5),
            right - left,
            bottom - top,
            fill=False,
            edgecolor="#00b050",
            linewidth=1.5,
        )
    )
    centre = steps.centred.shape[0] / 2
    grid[-1].plot([steps.centre_of_mass[1]], [steps.centre_of_mass[0]], "x", color="#00b050")
    grid[-1].plot([centre], [centre], "o", mfc="none", color="#ff8c00")
    if axes is None:
        fig.tight_layout()
    return fig, grid


def show_probabilities(probabilities, class_names=None, ax=None, *, title=None):
    """A bar per class: the model's probability for it, the most likely class highlighted.

    Parameters
    ----------
    probabilities : array_like, shape (classes,)
        One row of :func:`cnnviz.models.predict`.
    class_names : sequence of str, optional
        Default: the class numbers.
    ax : matplotlib Axes, optional
    title : str, optional
        Default: the prediction and its probability.

    Returns
    -------
    matplotlib.container.BarContainer

    Examples
    --------
    >>> bars = show_probabilities([0.1, 0.7, 0.2])
    >>> [round(float(b.get_height()), 2) for b in bars], bars[1].axes.get_title()
    ([0.1, 0.7, 0.2], 'prediction: 1 (70%)')
    """
    probs = as_float_array(probabilities, "probabilities", (1,), example="predict(model, x)[0]")
    if class_names is None:
        class_names = [str(i) for i in range(len(probs))]
    if len(class_names) != len(probs):
        raise ValueError(
            f"`class_names` must have one name per class ({len(probs)}); got {len(class_names)}."
        )
    ax = _axes(ax)
    best = int(np.argmax(probs))
    colours = ["#9e9e9e"] * len(probs)
    colours[best] = "#1f77b4"
    bars = ax.bar(range(len(probs)), probs, color=colours)
    ax.set_xticks(range(len(probs)))
    ax.set_xticklabels([str(n) for n in class_names], rotation=45 if len(class_names[0]) > 2 else 0)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_title(title or f"prediction: {class_names[best]} ({probs[best]:.0%})")
    return bars


__all__ += [
    "compare_histories",
    "kernel_grid",
    "plot_history",
    "show_digit_steps",
    "show_feature_maps",
    "show_layers",
    "show_mistakes",
    "show_probabilities",
]
