"""Pooling: shrink a feature map by keeping one number per window.

2x2 max pooling turns every 2x2 group of pixels into its largest value, so 16 pixels become
4 and a feature that was found anywhere in the group survives. Average pooling keeps the
mean instead. Both match Keras ``MaxPooling2D`` / ``AveragePooling2D`` with
``padding="valid"``: the windows never hang over the edge, so a trailing row or column that
does not fill a whole window is dropped.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnviz._validation import as_float_array, check_finite_result, check_pair

__all__ = ["avg_pool", "max_pool", "pool_winners"]

_IMAGE_EXAMPLE = (
    "a (H, W) grayscale or (H, W, C) colour array such as `np.arange(16).reshape(4, 4)`"
)

# Up to this many cells per window, one vectorised operation per cell of the window (each
# over a strided view of the whole image) beats NumPy's multi-axis reductions by 5-15x
# (a 2x2 max on 512x512: about 0.2 ms against 3.4 ms). For larger windows the number of
# Python-level steps starts to dominate and a single reduction is faster.
_CELL_LOOP_MAX = 128


def _check(image, size, stride, check_finite=True):
    """Validated float64 image, window and stride, and the output size per axis."""
    img = as_float_array(image, "image", (2, 3), example=_IMAGE_EXAMPLE, check_finite=check_finite)
    size = check_pair(size, "size")
    stride = size if stride is None else check_pair(stride, "stride")
    h, w = img.shape[:2]
    if size[0] > h or size[1] > w:
        raise ValueError(
            f"`size` {size[0]}x{size[1]} is larger than the image of shape {img.shape}: every "
            f"pooling window must fit inside the image (padding='valid'). Use a size of at "
            f"most {min(size[0], h)}x{min(size[1], w)}, or a larger image."
        )
    out = ((h - size[0]) // stride[0] + 1, (w - size[1]) // stride[1] + 1)
    return img, size, stride, out


def _cells(img, size, stride, out):
    """Yield, in row-major order of the window, the strided view of each window cell.

    View ``(a, b)`` has shape ``out + img.shape[2:]`` and holds, for every window, the pixel
    ``a`` rows and ``b`` columns from the window's top-left corner.
    """
    (sh, sw), (sr, sc), (oh, ow) = size, stride, out
    for a in range(sh):
        rows = img[a : a + (oh - 1) * sr + 1 : sr]
        for b in range(sw):
            yield a, b, rows[:, b : b + (ow - 1) * sc + 1 : sc]


def _windows(img, size, stride, out):
    """View of shape ``(oh, sh, ow, sw[, C])`` or ``(oh, ow[, C], sh, sw)`` and its axes."""
    (sh, sw), (sr, sc), (oh, ow) = size, stride, out
    if (sr, sc) == (sh, sw):
        # Non-overlapping windows: cropping and reshaping is a view, no copy.
        crop = img[: oh * sh, : ow * sw]
        return crop.reshape(oh, sh, ow, sw, *img.shape[2:]), (1, 3)
    view = sliding_window_view(img, (sh, sw), axis=(0, 1))[::sr, ::sc]
    return view[:oh, :ow], (-2, -1)


def _pool(img, size, stride, out, ufunc):
    if size[0] * size[1] > _CELL_LOOP_MAX:
        view, axes = _windows(img, size, stride, out)
        return ufunc.reduce(view, axis=axes)
    cells = _cells(img, size, stride, out)
    result = next(cells)[2].copy()
    for _, _, cell in cells:
        ufunc(result, cell, out=result)
    return result


def max_pool(image, size=2, stride=None):
    """Keep the largest value of each window, exactly as Keras ``MaxPooling2D``.

    Windows of ``size`` rows and columns are placed every ``stride`` pixels, starting at the
    top-left corner, and only where they fit inside the image (Keras ``padding="valid"``):
    a trailing row or column that does not fill a whole window is dropped.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Grayscale image, feature map, or colour image; any real dtype. Each channel is
        pooled on its own.
    size : int or (int, int), optional
        Window rows and columns (Keras ``pool_size``). Default 2: 2x2 windows.
    stride : int or (int, int), optional
        Step between windows (Keras ``strides``). Defaults to ``size``, so the windows
        tile the image without overlapping.

    Returns
    -------
    ndarray of float64, shape (H', W') or (H', W', C)
        ``H' = (H - size) // stride + 1``, likewise ``W'``.

    Raises
    ------
    TypeError
        If ``image`` is not a real numeric array, or ``size``/``stride`` are not integers.
    ValueError
        For the wrong number of dimensions, NaN or infinite values, a size or stride
        below 1, or a window larger than the image.

    See Also
    --------
    avg_pool : the mean of each window instead of the maximum.
    pool_winners : where the maximum of each window sits.

    Examples
    --------
    Sixteen pixels become four: the largest of each 2x2 group.

    >>> image = np.array([[1, 3, 0, 2],
    ...                   [4, 2, 1, 0],
    ...                   [0, 1, 5, 6],
    ...                   [2, 0, 7, 8]], dtype=np.uint8)
    >>> max_pool(image)
    array([[4., 2.],
           [2., 8.]])

    A 5x5 image gives 2x2: the fifth row and column fill no window and are dropped.

    >>> max_pool(np.arange(25).reshape(5, 5))
    array([[ 6.,  8.],
           [16., 18.]])

    Overlapping windows: 3x3 every 2 pixels.

    >>> max_pool(np.arange(25).reshape(5, 5), size=3, stride=2)
    array([[12., 14.],
           [22., 24.]])
    """
    # NaN and +inf win every maximum, so scanning the 4x smaller result is enough.
    img, size, stride, out = _check(image, size, stride, check_finite=False)
    return check_finite_result(_pool(img, size, stride, out, np.maximum), "image")


def avg_pool(image, size=2, stride=None):
    """Keep the mean of each window, exactly as Keras ``AveragePooling2D``.

    Windows are placed as in :func:`max_pool` (Keras ``padding="valid"``): a trailing row or
    column that does not fill a whole window is dropped.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Grayscale image, feature map, or colour image; any real dtype. Each channel is
        pooled on its own; integer images are averaged in float64, so they never overflow.
    size : int or (int, int), optional
        Window rows and columns (Keras ``pool_size``). Default 2.
    stride : int or (int, int), optional
        Step between windows (Keras ``strides``). Defaults to ``size``.

    Returns
    -------
    ndarray of float64, shape (H', W') or (H', W', C)
        ``H' = (H - size) // stride + 1``, likewise ``W'``.

    Raises
    ------
    TypeError
        If ``image`` is not a real numeric array, or ``size``/``stride`` are not integers.
    ValueError
        For the wrong number of dimensions, NaN or infinite values, a size or stride
        below 1, or a window larger than the image.

    See Also
    --------
    max_pool : the maximum of each window.

    Examples
    --------
    >>> image = np.array([[1, 3, 0, 2],
    ...                   [4, 2, 1, 0],
    ...                   [0, 1, 5, 6],
    ...                   [2, 0, 7, 8]], dtype=np.uint8)
    >>> avg_pool(image)
    array([[2.5 , 0.75],
           [0.75, 6.5 ]])

    The trailing row and column of a 3x3 image are dropped:

    >>> avg_pool([[1, 2, 100], [3, 4, 100], [100, 100, 100]])
    array([[2.5]])
    """
    # NaN and infinity spread through every sum, so scanning the result is enough.
    img, size, stride, out = _check(image, size, stride, check_finite=False)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        result = _pool(img, size, stride, out, np.add)
    result /= size[0] * size[1]
    # A finite image whose window sums overflow is told so, not called non-finite.
    return check_finite_result(result, "image", source=img)


def pool_winners(image, size=2, stride=None):
    """Mark the pixel that max pooling keeps from each window.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        As for :func:`max_pool`; each channel has its own winners.
    size : int or (int, int), optional
        Window rows and columns, as for :func:`max_pool`.
    stride : int or (int, int), optional
        Step between windows; defaults to ``size``.

    Returns
    -------
    ndarray of bool, same shape as ``image``
        True at the largest pixel of every window; when several pixels tie, the first in
        reading order (row by row) wins, which is the one ``np.argmax`` picks. With
        ``stride == size`` there is exactly one True per window; overlapping windows may
        share a winner. Dropped trailing rows and columns are all False.

    Raises
    ------
    TypeError, ValueError
        As for :func:`max_pool`.

    Examples
    --------
    >>> image = np.array([[1, 3, 0, 2],
    ...                   [4, 2, 1, 0],
    ...                   [0, 1, 5, 6],
    ...                   [2, 0, 7, 8]])
    >>> pool_winners(image).astype(int)
    array([[0, 0, 0, 1],
           [1, 0, 0, 0],
           [0, 0, 0, 0],
           [1, 0, 0, 1]])
    >>> image[pool_winners(image)]
    array([2, 4, 2, 8])
    """
    img, size, stride, out = _check(image, size, stride)
    # One pass per window cell in reading order; a strict ">" keeps the earlier cell on
    # ties. Memory stays at a few copies of the output, whatever the window size.
    cells = _cells(img, size, stride, out)
    best = next(cells)[2].copy()
    winner = np.zeros(best.shape, dtype=np.intp)
    for a, b, cell in cells:
        better = cell > best
        np.copyto(best, cell, where=better)
        winner[better] = a * size[1] + b
    rows = np.arange(out[0]).reshape(-1, 1, *([1] * (img.ndim - 2))) * stride[0]
    cols = np.arange(out[1]).reshape(1, -1, *([1] * (img.ndim - 2))) * stride[1]
    index = [rows + winner // size[1], cols + winner % size[1]]
    if img.ndim == 3:
        index.append(np.arange(img.shape[2]).reshape(1, 1, -1))
    mask = np.zeros(img.shape, dtype=bool)
    mask[tuple(index)] = True
    return mask
