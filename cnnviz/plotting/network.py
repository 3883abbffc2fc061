"""Figures of a trained network's insides (notebook 05): kernels, feature maps, layers."""

from __future__ import annotations

import numpy as np

from cnnviz._validation import as_float_array, check_int, describe
from cnnviz.plotting.images import show_kernel

__all__ = [
    "kernel_grid",
    "show_feature_maps",
    "show_layers",
]


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
