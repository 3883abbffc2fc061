"""The layers' arithmetic in NumPy: convolution, pooling, dense layers and activations.

Each function takes a batch the way Keras does, (N, rows, columns, channels) or
(N, features), and computes in the input's dtype (float32 in a :class:`Network`). It is the
course's own arithmetic, vectorised: :func:`conv2d` is :func:`cnnviz.apply_filter` per
channel, summed, plus a bias (``tests/test_network.py`` checks it against ``apply_filter``
and Keras); :func:`pool2d` uses :mod:`cnnviz.pooling`'s window arithmetic. No loop over
pixels.
"""

from __future__ import annotations

import numpy as np

from cnnviz.pooling import _pool

__all__ = [
    "ACTIVATIONS",
    "DTYPE",
    "activation",
    "conv2d",
    "dense",
    "flatten",
    "pool2d",
    "sigmoid",
    "softmax",
]

#: What a :class:`cnnviz.network.Network` computes in: float32, as Keras does.
DTYPE = np.float32
#: The activations :func:`activation` knows.
ACTIVATIONS = ("relu", "linear", "softmax", "sigmoid", "tanh")
# A convolution's windows are unfolded (im2col) for this many values at a time, so that a
# large batch never needs more than a few MB of scratch memory.
_CHUNK_VALUES = 1_000_000


def activation(name, *, inplace=False):
    """The activation function called ``name`` (one of :data:`ACTIVATIONS`).

    ``inplace=True`` overwrites its input: only for a layer's own fresh output, never for an
    array an earlier layer returned.

    Examples
    --------
    >>> activation("relu")(np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    if name == "relu":
        return (lambda x: np.maximum(x, 0, out=x)) if inplace else (lambda x: np.maximum(x, 0))
    if name == "linear":
        return identity
    if name == "sigmoid":
        return sigmoid
    if name == "tanh":
        return (lambda x: np.tanh(x, out=x)) if inplace else np.tanh
    return softmax


def identity(x):
    """``x`` itself: a linear activation, or a layer that does nothing at inference."""
    return x


def flatten(x):
    """(N, ...) -> (N, features), in Keras' (row, column, channel) order.

    Examples
    --------
    >>> flatten(np.zeros((2, 5, 5, 64))).shape
    (2, 1600)
    """
    return x.reshape(len(x), -1)


def sigmoid(x):
    """1 / (1 + exp(-x)), without overflow for large negative x.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    # exp of a negative number never overflows: use exp(-|x|) for both signs.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def softmax(x, axis=-1):
    """exp(x) normalised to sum to 1 along ``axis`` (the maximum subtracted first).

    Examples
    --------
    >>> softmax(np.array([[0.0, 0.0], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def dense(x, kernel, bias):
    """A Dense layer before its activation: ``x @ kernel + bias``.

    ``x`` is (N, inputs), ``kernel`` (inputs, units), ``bias`` (units,) or None.

    Examples
    --------
    >>> dense(np.array([[1.0, 2.0]]), np.array([[1.0], [10.0]]), np.array([0.5]))
    array([[21.5]])
    """
    out = x @ kernel
    if bias is not None:
        out += bias
    return out


def conv2d(x, kernel, bias, strides, pads):
    """Keras Conv2D on a batch, before its activation.

    The windows are unfolded into rows (im2col), then multiplied by the kernels in one matrix
    product. The unfolding loops over the kh * kw kernel offsets, never over pixels: offset
    (i, j) copies the pixel i rows and j columns from every window's corner, for all windows
    at once. Images go through in chunks so the unfolded rows never need more than about a
    million numbers.

    Parameters
    ----------
    x : ndarray, shape (N, H, W, C)
    kernel : ndarray, shape (kh, kw, C, F)
    bias : ndarray, shape (F,), or None
    strides : (int, int)
    pads : ((top, bottom), (left, right))
        Zeros added around each image, e.g. from :func:`cnnviz.filters.padding_amounts`.

    Returns
    -------
    ndarray, shape (N, out_rows, out_cols, F), the dtype of ``x``

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> conv2d(x, np.ones((3, 3, 1, 1)), None, (1, 1), ((0, 0), (0, 0)))[0, :, :, 0]
    array([[45., 54.],
           [81., 90.]])
    """
    kh, kw, channels, filters = kernel.shape
    if any(p for pair in pads for p in pair):
        x = np.pad(x, ((0, 0), *pads, (0, 0)))
    n, h, w, _ = x.shape
    sr, sc = strides
    oh, ow = (h - kh) // sr + 1, (w - kw) // sc + 1
    matrix = kernel.reshape(kh * kw * channels, filters)  # rows in (i, j, c) order
    out = np.empty((n, oh, ow, filters), x.dtype)
    step = max(1, _CHUNK_VALUES // (oh * ow * kh * kw * channels))
    for start in range(0, n, step):  # chunks of images, not pixels
        part = x[start : start + step]
        cols = np.empty((len(part), oh, ow, kh, kw, channels), x.dtype)
        for i in range(kh):
            for j in range(kw):
                cols[:, :, :, i, j, :] = part[
                    :, i : i + (oh - 1) * sr + 1 : sr, j : j + (ow - 1) * sc + 1 : sc
                ]
        np.matmul(
            cols.reshape(-1, kh * kw * channels),
            matrix,
            out=out[start : start + step].reshape(-1, filters),
        )
    if bias is not None:
        out += bias
    return out


def pool2d(x, size, strides, kind):
    """Keras MaxPooling2D or AveragePooling2D (``"valid"``) on a batch (N, H, W, C).

    ``kind`` is ``"MaxPooling2D"`` or ``"AveragePooling2D"``. The windows are those of
    :mod:`cnnviz.pooling` (which pools the first two axes: the batch axis is moved out of
    the way, without a copy).

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> pool2d(x, (2, 2), (2, 2), "MaxPooling2D")[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    image = np.moveaxis(x, 0, 2)  # (H, W, N, C), a view
    (h, w), (sh, sw), (sr, sc) = x.shape[1:3], size, strides
    out = ((h - sh) // sr + 1, (w - sw) // sc + 1)
    if kind == "MaxPooling2D":
        result = _pool(image, size, strides, out, np.maximum)
    else:
        result = _pool(image, size, strides, out, np.add)
        result /= sh * sw
    return np.moveaxis(result, 2, 0)  # a view: the next layer copies what it needs
