"""Statistical invariance: the same filter finds a feature wherever it is, and pooling forgives
small shifts.

Two facts, each a number you can check:

* **Equivariance.** Move the image ``k`` pixels to the right and the filter's result moves
  ``k`` pixels to the right too, value for value: :func:`equivariance_error` is 0.
* **Tolerance.** A unit that looks at one fixed position sees something different after the
  shift. :func:`shift_tolerance` measures how different (the correlation between the feature
  maps of the shifted and the unshifted image, compared at the same positions) before and
  after pooling. Pooling keeps the correlation higher for shifts of a pixel or two; it does
  not make a network blind to large shifts.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnviz._validation import (
    as_float_array,
    check_choice,
    check_int,
    check_pair,
    describe,
    overflow_error,
)
from cnnviz.filters import apply_filter
from cnnviz.pooling import avg_pool, max_pool

__all__ = ["ShiftTolerance", "equivariance_error", "shift_image", "shift_tolerance"]

_IMAGE_EXAMPLE = "a (H, W) grayscale array such as `cnnviz.images.load_sample('brick')`"


def _check_axis(axis) -> int:
    axis = check_int(axis, "axis")
    if axis not in (0, 1):
        raise ValueError(f"`axis` must be 0 (move down) or 1 (move right); got {describe(axis)}.")
    return axis


def _shift(img, shift, axis):
    if shift == 0:
        return img.copy()
    pad = [(0, 0)] * img.ndim
    n = img.shape[axis]
    if shift > 0:
        pad[axis] = (shift, 0)
        index = slice(0, n)
    else:
        pad[axis] = (0, -shift)
        index = slice(-shift, -shift + n)
    padded = np.pad(img, pad, mode="edge")
    return padded[(slice(None),) * axis + (index,)]


def shift_image(image, shift, axis=1):
    """Move an image's content by ``shift`` pixels; the uncovered edge repeats the border.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
    shift : int
        Pixels to move: positive moves right (``axis=1``) or down (``axis=0``), negative
        left or up. Must be smaller than the image along that axis.
    axis : {1, 0}, optional
        1 (default) moves along columns, 0 along rows.

    Returns
    -------
    ndarray of float64, same shape as ``image``
        ``out[:, k:] == image[:, :-k]`` for ``shift=k > 0``; the first ``k`` columns repeat
        the image's first column (edge padding, so no fake dark stripe appears).

    Examples
    --------
    >>> shift_image([[1, 2, 3, 4]], 1)
    array([[1., 1., 2., 3.]])
    >>> shift_image([[1, 2, 3, 4]], -2)
    array([[3., 4., 4., 4.]])
    """
    img = as_float_array(image, "image", (2, 3), example=_IMAGE_EXAMPLE)
    axis = _check_axis(axis)
    n = img.shape[axis]
    shift = check_int(shift, "shift", minimum=-(n - 1), maximum=n - 1)
    return _shift(img, shift, axis)


def equivariance_error(image, kernel, shift, axis=1):
    """How far "filter the shifted image" is from "shift the filtered image".

    The filter result of the shifted image is compared with the filter result of the
    original image, moved by the same ``shift``, wherever both exist (the ``shift``
    columns the edge padding filled in are left out).

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw)
    shift : int
        As in :func:`shift_image`.
    axis : {1, 0}, optional

    Returns
    -------
    float
        The largest absolute difference: 0.0 because a convolution applies the same
        weights at every position.

    Examples
    --------
    >>> image = np.arange(36.0).reshape(6, 6) ** 2
    >>> equivariance_error(image, [[-1, 0, 1]], 2)
    0.0
    """
    img = as_float_array(image, "image", (2,), example=_IMAGE_EXAMPLE)
    axis = _check_axis(axis)
    n = img.shape[axis]
    shift = check_int(shift, "shift", minimum=-(n - 1), maximum=n - 1)
    before = apply_filter(img, kernel)
    after = apply_filter(_shift(img, shift, axis), kernel)
    with np.errstate(over="ignore", invalid="ignore"):  # reported just below
        return _finite(_moved_difference(before, after, shift, axis))


def _finite(*numbers):
    """The numbers, or the overflow error when finite inputs gave NaN or infinity."""
    if not np.isfinite(numbers).all():
        raise overflow_error("`image` and `kernel`", "Use pixel values 0..255, e.g. image / 1e6.")
    return numbers[0] if len(numbers) == 1 else numbers


def _moved_difference(before, after, shift, axis):
    """Largest |after - before moved by shift| where both maps exist."""
    k, m = abs(shift), before.shape[axis]
    if k >= m:
        raise ValueError(
            f"`shift` {shift} leaves no overlap between the two feature maps of size "
            f"{m} along axis {axis}; use a shift of at most {m - 1}."
        )
    moved = [slice(None), slice(None)]
    kept = [slice(None), slice(None)]
    if shift >= 0:
        moved[axis], kept[axis] = slice(k, m), slice(0, m - k)
    else:
        moved[axis], kept[axis] = slice(0, m - k), slice(k, m)
    return float(np.abs(after[tuple(moved)] - before[tuple(kept)]).max())


def _compare_maps(base, moved, base_pooled, pool_fn, size, axis, margin):
    """Correlations of two feature maps at the same places, before and after pooling,
    leaving out ``margin`` positions at each border along ``axis``."""
    length = base.shape[axis]
    step = size[axis]
    # A pooled cell is undisturbed when its whole window lies inside the undisturbed region.
    first = -(-margin // step)
    last = min((length - margin - size[axis]) // step + 1, base_pooled.shape[axis])

    def crop(arr, lo, hi):
        index = [slice(None), slice(None)]
        index[axis] = slice(lo, hi)
        return arr[tuple(index)]

    before = _correlation(crop(base, margin, length - margin), crop(moved, margin, length - margin))
    after = _correlation(crop(base_pooled, first, last), crop(pool_fn(moved, size), first, last))
    return before, after


class ShiftTolerance(NamedTuple):
    """What :func:`shift_tolerance` returns: correlations before and after pooling.

    Attributes
    ----------
    shifts : tuple of int
    before : tuple of float
        Correlation of the (ReLU) feature maps of the shifted and unshifted image, at the
        same positions, for each shift.
    after : tuple of float
        The same after pooling both maps.
    pool : str
        ``"max"`` or ``"average"``.
    size : (int, int)
        The pooling window.

    Examples
    --------
    >>> t = ShiftTolerance((0, 1), (1.0, 0.5), (1.0, 0.75), "max", (2, 2))
    >>> print(t.text())
    shift   before pooling   after 2x2 max pooling
        0            1.000                   1.000
        1            0.500                   0.750
    """

    shifts: tuple
    before: tuple
    after: tuple
    pool: str
    size: tuple

    def text(self) -> str:
        """The numbers as a small text table, one row per shift."""
        label = f"after {self.size[0]}x{self.size[1]} {self.pool} pooling"
        lines = [f"shift   before pooling   {label}"]
        for s, b, a in zip(self.shifts, self.before, self.after, strict=True):
            lines.append(f"{s:>5}   {b:>14.3f}   {a:>{len(label)}.3f}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def _correlation(a, b):
    a, b = a.ravel(), b.ravel()
    if np.array_equal(a, b):  # exactly 1, not 0.9999999999999999 from rounding
        return 1.0
    sa, sb = a.std(), b.std()
    if sa == 0 or sb == 0:  # a flat map against a different one: nothing in common
        return 0.0
    return float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))


def shift_tolerance(
    image, kernel, shifts=(0, 1, 2, 3, 4), *, axis=1, pool="max", size=2, margin=None
):
    """Measure how much pooling forgives a small shift of the input.

    For each shift, the image is moved (:func:`shift_image`), filtered with ``kernel`` and
    passed through a ReLU, as a ``Conv2D`` layer with ``activation="relu"`` would. The
    feature map is compared with the unshifted one **at the same positions** (what a unit
    of the next layer, looking at one fixed place, sees) by their correlation; then both
    maps are pooled and compared again. The border columns the largest shift disturbs are
    left out of every comparison, so all shifts are measured on the same region.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw)
    shifts : sequence of int, optional
        Shifts in pixels (default 0..4); each smaller than a quarter of the image.
    axis : {1, 0}, optional
        1 (default) shifts right, 0 shifts down.
    pool : {"max", "average"}, optional
    size : int or (int, int), optional
        Pooling window; the stride equals the window, as in Keras' default.
    margin : int, optional
        Feature-map positions left out at each border along ``axis``; default the largest
        shift. Pass the same margin to compare numbers measured with different shifts.

    Returns
    -------
    ShiftTolerance
        ``shifts``, ``before``, ``after``, ``pool``, ``size``. A correlation of 1 means
        "unchanged"; 0 means "unrelated".

    Raises
    ------
    TypeError, ValueError
        For a bad image or kernel (as :func:`cnnviz.filters.apply_filter`), an empty
        ``shifts``, or a shift too large for the image.

    Examples
    --------
    >>> stripes = np.tile([0.0, 0.0, 0.0, 0.0, 255.0, 255.0, 255.0, 255.0], (16, 4))
    >>> t = shift_tolerance(stripes, [[-1, 0, 1]], shifts=(0, 1))
    >>> t.before[0], t.after[0]
    (1.0, 1.0)
    >>> t.after[1] > t.before[1]
    True
    """
    img = as_float_array(image, "image", (2,), example=_IMAGE_EXAMPLE)
    axis = _check_axis(axis)
    pool = check_choice(pool, "pool", ("max", "average"))
    size = check_pair(size, "size")
    if isinstance(shifts, str) or not hasattr(shifts, "__iter__"):
        raise TypeError(
            f"`shifts` must be a sequence of ints, e.g. range(5); got {describe(shifts)}."
        )
    limit = img.shape[axis] // 4
    shifts = tuple(
        check_int(s, f"shifts[{i}]", minimum=-limit, maximum=limit) for i, s in enumerate(shifts)
    )
    if not shifts:
        raise ValueError("`shifts` must not be empty; pass e.g. range(5).")

    pool_fn = max_pool if pool == "max" else avg_pool
    base = np.maximum(apply_filter(img, kernel), 0.0)
    largest = max(abs(s) for s in shifts)
    if margin is None:
        margin = largest
    else:
        margin = check_int(margin, "margin", minimum=largest, maximum=limit)
    length = base.shape[axis]
    if length - 2 * margin < size[axis]:
        raise ValueError(
            f"`image` is too small for shifts up to {margin}: only {length - 2 * margin} "
            f"feature-map positions along axis {axis} are undisturbed. Use smaller shifts or "
            f"a larger image."
        )
    base_pooled = pool_fn(base, size)
    before, after = [], []
    for s in shifts:
        moved = np.maximum(apply_filter(_shift(img, s, axis), kernel), 0.0)
        with np.errstate(over="ignore", invalid="ignore"):  # reported just below
            b, a = _finite(*_compare_maps(base, moved, base_pooled, pool_fn, size, axis, margin))
        before.append(b)
        after.append(a)
    return ShiftTolerance(shifts, tuple(before), tuple(after), pool, size)
