"""Figures of images and filters (notebook 01): an image, a kernel, a grid, a pixel's products."""

from __future__ import annotations

import numpy as np

from cnnviz._validation import as_float_array, check_choice, check_int, describe
from cnnviz.filters import DISPLAY_MODES, display_transform
from cnnviz.plotting._base import _axes, _figure_and_axes, _number_text, _write_numbers
from cnnviz.plotting.png import MODE_CMAPS

__all__ = [
    "image_grid",
    "show_channels",
    "show_display_modes",
    "show_image",
    "show_kernel",
    "show_pixel_products",
]


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
            if value == 0:  # np.round(-0.004, 2) is -0.0: never print "-0"
                text = "0"
            elif abs(value) >= 0.01:
                text = f"{value:g}"
            else:
                text = f"{value:.1e}"
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
