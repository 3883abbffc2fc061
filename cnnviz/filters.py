"""Filters: what a convolution layer computes, one kernel at a time.

A filter is a small grid of multipliers. For each output pixel, lay the kernel over the
image, multiply every pixel by the weight on top of it and add the products up. This is
cross-correlation, exactly what Keras ``Conv2D`` computes (the kernel is not flipped).

The arithmetic is done by :func:`scipy.ndimage.correlate` on float64 copies of the input,
so integer images (uint8 photos) never overflow or wrap around.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from cnnviz._validation import (
    MAX_LENGTH,
    as_float_array,
    check_choice,
    check_elements,
    check_int,
    check_number,
    check_pair,
    describe,
    overflow_error,
)

__all__ = [
    "KERNELS",
    "KERNEL_DESCRIPTIONS",
    "KERNEL_WEIGHTS",
    "DISPLAY_MODES",
    "PixelProducts",
    "apply_filter",
    "display_transform",
    "padding_amounts",
    "pixel_products",
]


def _frozen(rows) -> np.ndarray:
    arr = np.array(rows, dtype=np.float64)
    arr.flags.writeable = False  # presets are shared: copy before editing
    return arr


#: Preset 3x3 kernels, name -> read-only float64 array. Copy one before editing it.
KERNELS: dict[str, np.ndarray] = {
    "identity": _frozen([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "vertical_lines": _frozen([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "horizontal_lines": _frozen([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "sobel_x": _frozen([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel_y": _frozen([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "laplacian": _frozen([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "outline": _frozen([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "sharpen": _frozen([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "blur": _frozen(np.ones((3, 3)) / 9),
    "gaussian_blur": _frozen(np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16),
    "emboss": _frozen([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "course_example": _frozen([[-1, 0, -2], [0.5, 4.5, -1.5], [1.5, 2, -3]]),
}

#: The normalising weight of the presets whose cells read best as whole numbers:
#: ``KERNELS[name] == KERNEL_WEIGHTS[name] * cells`` with whole-number ``cells``. The kernel
#: editor shows those cells and puts this weight in its "Weight ×" field, so a blur reads
#: as nine 1s times 1/9 (the average of nine pixels). Presets not listed have weight 1.
KERNEL_WEIGHTS: dict[str, float] = {"blur": 1 / 9, "gaussian_blur": 1 / 16}

#: One line per preset: what it keeps.
KERNEL_DESCRIPTIONS: dict[str, str] = {
    "identity": "keeps the image as it is: 1 at the centre, 0 elsewhere",
    "vertical_lines": "keeps vertical lines: brightness changing from left to right",
    "horizontal_lines": "keeps horizontal lines: brightness changing from top to bottom",
    "sobel_x": "Sobel's x-gradient, the same weights as vertical_lines under its usual name",
    "sobel_y": "Sobel's y-gradient, the same weights as horizontal_lines under its usual name",
    "laplacian": "keeps outlines in every direction; flat areas become 0",
    "outline": "a stronger outline filter that also looks at the diagonal neighbours",
    "sharpen": "keeps the image and strengthens its edges",
    "blur": "averages each 3x3 neighbourhood: detail fades, noise too",
    "gaussian_blur": "a softer blur that weighs the centre more than the corners",
    "emboss": "lights the image from the top left, like a relief",
    "course_example": "the worked example of the course: centre weight 4.5 over a pixel of 192",
}

#: Ways of turning a signed filter result into a picture, mode -> what it shows.
DISPLAY_MODES: dict[str, str] = {
    "signed": "raw values on a diverging colour map: blue negative, white zero, red positive",
    "relu": "negative values set to 0, as a ReLU activation does after a Conv2D layer",
    "clip": "values clipped to the image range 0..255: negative edges vanish into black",
    "abs": "absolute value: edges of both signs are bright",
}

_PADDINGS = ("valid", "same")
_KERNEL_EXAMPLE = "`np.ones((3, 3)) / 9` or `cnnviz.KERNELS['vertical_lines']`"
_IMAGE_EXAMPLE = (
    "a (H, W) grayscale or (H, W, C) colour array such as `cnnviz.images.load_sample('brick')`"
)


def padding_amounts(size, kernel_size, padding="valid", stride=1):
    """Zero rows/columns added before and after one axis, as Keras pads it.

    Parameters
    ----------
    size : int
        Length of the input along the axis.
    kernel_size : int
        Length of the kernel along the axis.
    padding : {"valid", "same"} or int
        ``"valid"`` adds nothing; ``"same"`` adds ``max((ceil(size / stride) - 1) * stride
        + kernel_size - size, 0)`` zeros, the smaller half before (TensorFlow's rule, so an
        even kernel gets its extra zero after); an int ``p`` adds ``p`` on both sides.
    stride : int, optional
        Step between kernel positions.

    Returns
    -------
    before, after : int
        Zeros added before and after.

    Examples
    --------
    >>> padding_amounts(5, 3, "same")
    (1, 1)
    >>> padding_amounts(4, 2, "same")
    (0, 1)
    >>> padding_amounts(7, 3, 2)
    (2, 2)
    """
    size = check_int(size, "size", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = _check_padding(padding)
    return _padding_amounts(size, kernel_size, padding, stride)


def _padding_amounts(size, kernel_size, padding, stride):
    if padding == "valid":
        return 0, 0
    if padding == "same":
        # Integer ceil(size / stride): a float division is off by one beyond 2**53.
        total = max((-(-size // stride) - 1) * stride + kernel_size - size, 0)
        return total // 2, total - total // 2
    return padding, padding


def _check_padding(padding):
    if isinstance(padding, str):
        return check_choice(padding, "padding", _PADDINGS)
    if isinstance(padding, bool) or not isinstance(padding, int | np.integer):
        raise TypeError(
            f"`padding` must be 'valid', 'same' or a number of zero rows to add; "
            f"got {describe(padding)}."
        )
    return check_int(padding, "padding", minimum=0, maximum=MAX_LENGTH)


def _check_image_and_kernel(image, kernel):
    """Float64 image (H, W, C) and kernel (kh, kw, C) or (kh, kw), plus how to combine."""
    img = as_float_array(image, "image", (2, 3), example=_IMAGE_EXAMPLE)
    ker = as_float_array(kernel, "kernel", (2, 3), example=_KERNEL_EXAMPLE)
    if img.ndim == 2:
        if ker.ndim == 3 and ker.shape[2] != 1:
            raise ValueError(
                f"`kernel` has {ker.shape[2]} channels (shape {ker.shape}) but `image` is "
                f"grayscale (shape {img.shape}). Pass a 2-D kernel such as "
                f"`kernel[:, :, 0]`, or a colour image with {ker.shape[2]} channels."
            )
        return img[:, :, None], ker if ker.ndim == 3 else ker[:, :, None], "sum"
    if ker.ndim == 2:
        return img, ker, "per_channel"
    if ker.shape[2] != img.shape[2]:
        raise ValueError(
            f"`kernel` must be 2-D or match the image's {img.shape[2]} channels; got shape "
            f"{ker.shape}. Pass e.g. `np.ones((3, 3)) / 9`, or one kernel slice per channel "
            f"with shape ({ker.shape[0]}, {ker.shape[1]}, {img.shape[2]})."
        )
    return img, ker, "sum"


def apply_filter(image, kernel, padding="valid", *, stride=1, bias=0.0, weight=1.0):
    """Slide ``kernel`` over ``image`` and sum the products, exactly as Keras ``Conv2D``.

    For each output pixel the kernel is laid over the image (no flip: this is
    cross-correlation), every pixel is multiplied by the weight on top of it, and the
    products are added up. Then ``result = weight * sum + bias``.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Grayscale or colour image; any real dtype (bool, uint8, int32, float32, ...).
    kernel : array_like, shape (kh, kw) or (kh, kw, C)
        A 2-D kernel filters a grayscale image, or each channel of a colour image on its
        own (like an image editor, or Keras ``DepthwiseConv2D``). A 3-D kernel holds one
        slice per channel; the per-channel results are summed into one feature map, as
        one filter of a Keras ``Conv2D`` layer does.
    padding : {"valid", "same"} or int, optional
        ``"valid"`` (default): only positions where the kernel fits inside the image, so
        the output shrinks by ``kh - 1`` rows and ``kw - 1`` columns. ``"same"``: zeros
        around the image so that the output has ``ceil(H / stride)`` rows, as in Keras.
        An int ``p`` adds ``p`` rows and columns of zeros on every side.
    stride : int or (int, int), optional
        Step between kernel positions (Keras ``strides``).
    bias : float, optional
        Added to every output pixel after the sum (Keras ``use_bias``).
    weight : float, optional
        Multiplies the sum before the bias: the classic normalising weight, e.g. 1/9
        turns ``np.ones((3, 3))`` into a blur.

    Returns
    -------
    ndarray of float64, shape (H', W') or (H', W', C)
        ``H' = (H + pad_top + pad_bottom - kh) // stride + 1``, likewise ``W'``; a channel
        axis only for a 2-D kernel on a colour image.

    Raises
    ------
    TypeError
        If ``image`` or ``kernel`` is not a real numeric array.
    ValueError
        For the wrong number of dimensions, mismatched channels, NaN or infinite values,
        or a kernel larger than the (padded) image.

    Examples
    --------
    >>> image = np.array([[0, 0, 9, 9],
    ...                   [0, 0, 9, 9],
    ...                   [0, 0, 9, 9]], dtype=np.uint8)
    >>> apply_filter(image, KERNELS["vertical_lines"])
    array([[36., 36.]])
    >>> apply_filter(image, [[1, -1]], padding="same")
    array([[ 0., -9.,  0.,  9.],
           [ 0., -9.,  0.,  9.],
           [ 0., -9.,  0.,  9.]])
    """
    img, ker, combine = _check_image_and_kernel(image, kernel)
    padding = _check_padding(padding)
    stride = check_pair(stride, "stride")
    bias = check_number(bias, "bias")
    weight = check_number(weight, "weight")

    (h, w), (kh, kw) = img.shape[:2], ker.shape[:2]
    pads = [
        _padding_amounts(n, k, padding, s) for n, k, s in zip((h, w), (kh, kw), stride, strict=True)
    ]
    out_shape = [
        (n + before + after - k) // s + 1
        for n, k, s, (before, after) in zip((h, w), (kh, kw), stride, pads, strict=True)
    ]
    if min(out_shape) < 1:
        raise ValueError(
            f"`kernel` of size {kh}x{kw} does not fit in the image of size {h}x{w} with "
            f"padding={padding!r}. Use padding='same', a smaller kernel, or a larger image."
        )
    padded = (h + sum(pads[0])) * (w + sum(pads[1]))
    check_elements(
        max(padded, out_shape[0] * out_shape[1]) * img.shape[2],
        "padding",
        f"a {h + sum(pads[0])}x{w + sum(pads[1])} padded image",
        "Use a smaller padding, or padding='same'.",
    )

    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        if combine == "per_channel":
            channels = [
                _correlate2d(img[:, :, c], ker, pads, stride, out_shape)
                for c in range(img.shape[2])
            ]
            out = np.stack(channels, axis=-1)
        else:
            out = _correlate2d(img[:, :, 0], ker[:, :, 0], pads, stride, out_shape)
            for c in range(1, img.shape[2]):
                out += _correlate2d(img[:, :, c], ker[:, :, c], pads, stride, out_shape)
        if weight != 1.0:
            out *= weight
        if bias != 0.0:
            out += bias
    return _check_overflow(out)


def _check_overflow(result):
    """Inputs are checked finite, so a NaN or infinity in ``result`` is an overflow."""
    if not np.isfinite(result).all():
        raise overflow_error(
            "`image`, `kernel`, `weight` and `bias`",
            "Use smaller numbers: pixel values 0..255 and weights within about ±1e6 are plenty.",
        )
    return result


def _correlate2d(image, kernel, pads, stride, out_shape):
    """Cross-correlate one float64 channel; ``pads`` are Keras' (before, after) per axis."""
    (top, bottom), (left, right) = pads
    kh, kw = kernel.shape
    if top + bottom >= kh or left + right >= kw:
        # More zeros than the kernel can reach past the edge (a large integer padding):
        # pad explicitly, then it is a "valid" correlation.
        image = np.pad(image, pads)
        top = bottom = left = right = 0
    nonzero = np.abs(kernel[kernel != 0])
    if nonzero.size and nonzero.min() <= np.finfo(np.float64).eps:
        # SciPy's correlate skips weights of magnitude <= 2.2e-16 as if they were 0, a
        # silent wrong answer for tiny weights: sum the shifted images instead.
        return _correlate_cells(image, kernel, (top, bottom, left, right), stride, out_shape)
    # SciPy anchors the kernel at index k // 2 + origin; Keras anchors it at pad_before,
    # which makes even kernels and "valid" padding come out exactly as in Conv2D.
    full = ndimage.correlate(
        image, kernel, mode="constant", cval=0.0, origin=(top - kh // 2, left - kw // 2)
    )
    sr, sc = stride
    return full[: (out_shape[0] - 1) * sr + 1 : sr, : (out_shape[1] - 1) * sc + 1 : sc]


def _correlate_cells(image, kernel, pads, stride, out_shape):
    """The correlation as a sum over kernel cells of strided views of the padded image."""
    top, bottom, left, right = pads
    padded = np.pad(image, ((top, bottom), (left, right)))
    (oh, ow), (sr, sc) = out_shape, stride
    out = np.zeros(out_shape)
    for a, b in zip(*np.nonzero(kernel), strict=True):
        out += kernel[a, b] * padded[a : a + (oh - 1) * sr + 1 : sr, b : b + (ow - 1) * sc + 1 : sc]
    return out


@dataclass(frozen=True)
class PixelProducts:
    """The arithmetic of one output pixel: what :func:`pixel_products` returns.

    Attributes
    ----------
    neighbourhood : ndarray, shape (kh, kw) or (kh, kw, C)
        Image values under the kernel (zeros where it hangs over the edge).
    weights : ndarray, same shape as ``neighbourhood``
        The kernel.
    products : ndarray, same shape as ``neighbourhood``
        ``neighbourhood * weights``.
    total : float or ndarray of shape (C,)
        Sum of the products (per channel for a 2-D kernel on a colour image).
    value : float or ndarray of shape (C,)
        ``weight * total + bias``: the output pixel, equal to :func:`apply_filter` there.
    output_index : (int, int)
        Where ``value`` lands in the output of :func:`apply_filter` with this padding.
    """

    neighbourhood: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    total: float | np.ndarray
    value: float | np.ndarray
    output_index: tuple[int, int]

    def equation(self) -> str:
        """The sum written out, e.g. ``(-1 × 0) + (0 × 64) + ... = 577``."""
        if self.products.ndim != 2:
            return f"sum of {self.products.size} products = {_fmt(self.total)}"
        terms = " + ".join(
            f"({_fmt(w)} × {_fmt(v)})"
            for w, v in zip(self.weights.ravel(), self.neighbourhood.ravel(), strict=True)
        )
        return f"{terms} = {_fmt(self.total)}"


def _fmt(x) -> str:
    if np.ndim(x):
        return "[" + ", ".join(_fmt(v) for v in np.ravel(x)) + "]"
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.4g}"


def pixel_products(image, kernel, row, col, padding="valid", *, bias=0.0, weight=1.0):
    """Show the arithmetic of one output pixel: neighbourhood, weights, products, sum.

    ``(row, col)`` is the image pixel under the kernel's anchor: its centre for odd
    sizes (for an even size, the upper/left of the two middle cells, as Keras pads).

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        The image, as for :func:`apply_filter`.
    kernel : array_like, shape (kh, kw) or (kh, kw, C)
        The kernel, as for :func:`apply_filter`.
    row, col : int
        The pixel under the kernel's centre.
    padding : {"valid", "same"}, optional
        Decides where the result lands. With ``"valid"`` a pixel whose neighbourhood leaves
        the image has no output and is refused; with ``"same"`` the missing neighbours
        are zeros.
    bias, weight : float, optional
        As in :func:`apply_filter`: ``value = weight * total + bias``.

    Returns
    -------
    PixelProducts
        ``neighbourhood``, ``weights``, ``products``, ``total``, ``value``,
        ``output_index``.

    Examples
    --------
    The worked example of the course: a pixel of 192 under a centre weight of 4.5.

    >>> patch = [[0, 64, 128], [48, 192, 144], [142, 226, 168]]
    >>> p = pixel_products(patch, KERNELS["course_example"], 1, 1)
    >>> float(p.products[1, 1]), float(p.total), p.output_index
    (864.0, 577.0, (0, 0))
    """
    img, ker, combine = _check_image_and_kernel(image, kernel)
    padding = check_choice(padding, "padding", _PADDINGS)
    bias = check_number(bias, "bias")
    weight = check_number(weight, "weight")
    h, w = img.shape[:2]
    row = check_int(row, "row", minimum=0, maximum=h - 1)
    col = check_int(col, "col", minimum=0, maximum=w - 1)
    kh, kw = ker.shape[:2]
    ar, ac = (kh - 1) // 2, (kw - 1) // 2  # the anchor: Keras' "same" padding before
    if padding == "valid":
        if not (ar <= row <= h - kh + ar and ac <= col <= w - kw + ac):
            raise ValueError(
                f"`row`, `col`: pixel ({row}, {col}) is too close to the border for a "
                f"{kh}x{kw} kernel with padding='valid': it has no output there. Choose a row in "
                f"{ar}..{h - kh + ar} and a column in {ac}..{w - kw + ac}, or use "
                f"padding='same'."
            )
        output_index = (row - ar, col - ac)
    else:
        output_index = (row, col)

    # Only the neighbourhood is padded: a huge image is never copied for one pixel.
    window = img[max(row - ar, 0) : row - ar + kh, max(col - ac, 0) : col - ac + kw, :]
    hood = np.zeros((kh, kw, img.shape[2]))
    top, left = max(ar - row, 0), max(ac - col, 0)
    hood[top : top + window.shape[0], left : left + window.shape[1]] = window
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        if combine == "per_channel":
            weights = np.broadcast_to(ker[:, :, None], hood.shape)
            products = hood * weights
            total = products.sum(axis=(0, 1))
        else:
            weights = ker
            products = hood * weights
            total = products.sum()
        value = weight * total + bias
    _check_overflow(np.append(products, value))
    if np.ndim(image) == 2 and products.shape[2] == 1:
        hood, weights, products = hood[:, :, 0], weights[:, :, 0], products[:, :, 0]
    return PixelProducts(np.array(hood), np.array(weights), products, total, value, output_index)


def display_transform(values, mode="clip", data_range=(0.0, 255.0)):
    """Turn a signed filter result into something to display, and the colour limits.

    Parameters
    ----------
    values : array_like, shape (H, W) or (H, W, C)
        A filter result, e.g. from :func:`apply_filter`.
    mode : {"signed", "relu", "clip", "abs"}, optional
        See :data:`DISPLAY_MODES`. ``"clip"`` is what the classic course notebook does;
        it hides every negative edge.
    data_range : (float, float), optional
        The image range used by ``"clip"``.

    Returns
    -------
    shown : ndarray of float64, same shape as ``values``
    limits : (float, float)
        ``(vmin, vmax)`` for the colour map: symmetric around 0 for ``"signed"``,
        ``data_range`` for ``"clip"``, ``(0, max)`` otherwise (never an empty range).

    Examples
    --------
    >>> shown, limits = display_transform([[-300.0, 20.0]], "clip")
    >>> shown, limits
    (array([[ 0., 20.]]), (0.0, 255.0))
    >>> display_transform([[-300.0, 20.0]], "signed")[1]
    (-300.0, 300.0)
    """
    arr = as_float_array(values, "values", (2, 3), example="the result of apply_filter")
    mode = check_choice(mode, "mode", tuple(DISPLAY_MODES))
    if not isinstance(data_range, tuple | list) or len(data_range) != 2:
        raise TypeError(f"`data_range` must be a pair (low, high); got {describe(data_range)}.")
    low = check_number(data_range[0], "data_range[0]")
    high = check_number(data_range[1], "data_range[1]")
    if not low < high:
        raise ValueError(
            f"`data_range` must have low < high; got ({low}, {high}). Pass e.g. (0, 255)."
        )

    if mode == "signed":
        peak = float(np.abs(arr).max()) or 1.0
        return arr, (-peak, peak)
    if mode == "clip":
        return np.clip(arr, low, high), (low, high)
    shown = np.maximum(arr, 0.0) if mode == "relu" else np.abs(arr)
    return shown, (0.0, float(shown.max()) or 1.0)
