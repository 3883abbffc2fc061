"""Shapes and parameter counts: what ``model.summary()`` shows, worked out by hand.

A convolution with a ``k``-pixel kernel, ``p`` zeros of padding on each side and a stride
``s`` turns ``n`` pixels into ``(n + 2p - k) // s + 1``. Keras names two paddings:
``"valid"`` (``p = 0``) and ``"same"`` (enough zeros for ``ceil(n / s)`` outputs). A
``Conv2D`` layer shares one small kernel across the whole image, so its parameter count
does not depend on the image size; without that weight sharing (a locally connected
layer) every output position needs its own weights.

Everything here is plain integer arithmetic; the zero padding is taken from
:func:`cnnviz.filters.padding_amounts`, the same rule :func:`cnnviz.filters.apply_filter`
uses, so the sizes computed here are always the sizes the filters produce.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

from cnnviz._validation import (
    MAX_LENGTH,
    check_choice,
    check_int,
    check_pair,
    describe,
    shorten,
)
from cnnviz.filters import padding_amounts

__all__ = [
    "Conv2D",
    "Dense",
    "Flatten",
    "LayerRow",
    "LayerTable",
    "Pool2D",
    "conv_output_size",
    "conv_params",
    "dense_params",
    "explain_conv_output_size",
    "layer_table",
    "pool_output_size",
]

_AXES = ("rows", "columns")


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_conv_padding(padding):
    if isinstance(padding, str):
        return check_choice(padding, "padding", ("valid", "same"))
    if not _is_int(padding):
        raise TypeError(
            f"`padding` must be 'valid', 'same' or a number of zero rows to add on each side; "
            f"got {describe(padding)}. Pass e.g. 'same' or 1."
        )
    return check_int(padding, "padding", minimum=0, maximum=MAX_LENGTH)


def _check_bool(value, name):
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be True or False; got {describe(value)}.")
    return value


def _lengths(size, kernel, padding, stride, kernel_name):
    """Output length per axis; ``size``, ``kernel``, ``stride`` are validated pairs."""
    out = []
    for axis, n, k, s in zip(_AXES, size, kernel, stride, strict=True):
        before, after = padding_amounts(n, k, padding, s)
        length = (n + before + after - k) // s + 1
        if length < 1:
            padded = f"{n} + 2*{before} = {n + before + after}" if before else f"{n}"
            raise ValueError(
                f"`{kernel_name}` {k} is larger than the padded input along the {axis} "
                f"({padded} < {k}): the window fits nowhere, so the output would be empty. "
                f"Use padding='same', a `{kernel_name}` of at most {n + before + after}, "
                f"or a larger input."
            )
        out.append(length)
    return tuple(out)


def conv_output_size(size, kernel_size, padding="valid", stride=1):
    """Rows and columns a ``Conv2D`` layer outputs, exactly as Keras computes them.

    Parameters
    ----------
    size : int or (int, int)
        Input rows and columns; one int for a square input.
    kernel_size : int or (int, int)
        Kernel rows and columns (Keras ``kernel_size``).
    padding : {"valid", "same"} or int, optional
        ``"valid"`` (default): no zeros, ``(n - k) // s + 1``. ``"same"``: Keras adds
        enough zeros for ``ceil(n / s)`` outputs. An int ``p``: ``p`` zeros on every side,
        ``(n + 2p - k) // s + 1``.
    stride : int or (int, int), optional
        Step between kernel positions (Keras ``strides``).

    Returns
    -------
    int or (int, int)
        An int when ``size``, ``kernel_size`` and ``stride`` are all ints, else a
        (rows, columns) tuple.

    Raises
    ------
    TypeError
        If a size is not an integer (or pair), or ``padding`` is not a string or int.
    ValueError
        For sizes below 1, an unknown padding, or a kernel larger than the padded input.

    Examples
    --------
    >>> conv_output_size(28, 3)
    26
    >>> conv_output_size(28, 3, padding="same", stride=2)
    14
    >>> conv_output_size((28, 32), 5, padding=2, stride=(1, 2))
    (28, 16)
    """
    lengths = _lengths(
        check_pair(size, "size"),
        check_pair(kernel_size, "kernel_size"),
        _check_conv_padding(padding),
        check_pair(stride, "stride"),
        "kernel_size",
    )
    if _is_int(size) and _is_int(kernel_size) and _is_int(stride):
        return lengths[0]
    return lengths


def pool_output_size(size, pool_size=2, stride=None, padding="valid"):
    """Rows and columns a ``MaxPooling2D`` or ``AveragePooling2D`` layer outputs.

    Parameters
    ----------
    size : int or (int, int)
        Input rows and columns; one int for a square input.
    pool_size : int or (int, int), optional
        Window rows and columns (Keras ``pool_size``). Default 2.
    stride : int or (int, int), optional
        Step between windows (Keras ``strides``); defaults to ``pool_size``.
    padding : {"valid", "same"}, optional
        ``"valid"`` (default): windows stay inside the input, ``(n - k) // s + 1``, so a
        trailing row that fills no window is dropped. ``"same"``: ``ceil(n / s)``.

    Returns
    -------
    int or (int, int)
        An int when ``size``, ``pool_size`` and ``stride`` are all ints (or ``stride`` is
        None), else a (rows, columns) tuple.

    Raises
    ------
    TypeError, ValueError
        As for :func:`conv_output_size`; a window larger than a ``"valid"`` input is a
        ValueError.

    Examples
    --------
    >>> pool_output_size(28)
    14
    >>> pool_output_size(27)
    13
    >>> pool_output_size(27, padding="same")
    14
    >>> pool_output_size((28, 28), 3, stride=2)
    (13, 13)
    """
    pool = check_pair(pool_size, "pool_size")
    lengths = _lengths(
        check_pair(size, "size"),
        pool,
        check_choice(padding, "padding", ("valid", "same")),
        pool if stride is None else check_pair(stride, "stride"),
        "pool_size",
    )
    if _is_int(size) and _is_int(pool_size) and (stride is None or _is_int(stride)):
        return lengths[0]
    return lengths


def conv_params(
    kernel_size,
    in_channels,
    filters,
    *,
    bias=True,
    weight_sharing=True,
    input_size=None,
    padding="valid",
    stride=1,
):
    """Number of trainable parameters of a convolution layer, with or without weight sharing.

    With weight sharing (a Keras ``Conv2D``), each of the ``filters`` kernels has one
    weight per kernel cell and input channel, plus one bias:
    ``kh * kw * in_channels * filters + filters``, whatever the image size. Without
    sharing (a locally connected layer), every output position has its own kernels and
    biases, so the count is multiplied by the number of output positions
    ``out_h * out_w``, which needs the input size.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Kernel rows and columns.
    in_channels : int
        Channels of the input (1 for grayscale, 3 for colour, or the previous layer's
        number of filters).
    filters : int
        Number of kernels, i.e. output channels.
    bias : bool, optional
        Whether each filter has a bias (Keras ``use_bias``).
    weight_sharing : bool, optional
        True (default) for ``Conv2D``; False for a locally connected layer.
    input_size : int or (int, int), optional
        Input rows and columns; required when ``weight_sharing=False``.
    padding : {"valid", "same"} or int, optional
        As for :func:`conv_output_size`; only matters without weight sharing.
    stride : int or (int, int), optional
        As for :func:`conv_output_size`; only matters without weight sharing.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        For arguments of the wrong kind, or a missing ``input_size`` without sharing.
    ValueError
        For sizes below 1, or a kernel larger than the padded input.

    Examples
    --------
    32 filters of 3x3 on a grayscale image: 9 weights and a bias each.

    >>> conv_params(3, 1, 32)
    320
    >>> conv_params(3, 1, 32, weight_sharing=False, input_size=28)
    216320
    """
    kh, kw = check_pair(kernel_size, "kernel_size")
    in_channels = check_int(in_channels, "in_channels", minimum=1, maximum=MAX_LENGTH)
    filters = check_int(filters, "filters", minimum=1, maximum=MAX_LENGTH)
    bias = _check_bool(bias, "bias")
    weight_sharing = _check_bool(weight_sharing, "weight_sharing")
    per_position = kh * kw * in_channels * filters + (filters if bias else 0)
    if input_size is None:
        if not weight_sharing:
            raise TypeError(
                "`input_size` is required when weight_sharing=False: without sharing, every "
                "output position has its own weights, so the count depends on how many "
                "positions there are. Pass e.g. input_size=28 or input_size=(28, 28)."
            )
        return per_position
    out_h, out_w = _lengths(
        check_pair(input_size, "input_size"),
        (kh, kw),
        _check_conv_padding(padding),
        check_pair(stride, "stride"),
        "kernel_size",
    )
    return per_position if weight_sharing else out_h * out_w * per_position


def dense_params(inputs, units, bias=True):
    """Number of trainable parameters of a Keras ``Dense`` layer.

    Every unit has one weight per input, plus one bias: ``inputs * units + units``.

    Parameters
    ----------
    inputs : int
        Inputs per example (e.g. 784 for a flattened 28x28 image).
    units : int
        Number of units (neurons).
    bias : bool, optional
        Whether each unit has a bias (Keras ``use_bias``).

    Returns
    -------
    int

    Examples
    --------
    >>> dense_params(28 * 28, 128)
    100480
    >>> dense_params(128, 10, bias=False)
    1280
    """
    inputs = check_int(inputs, "inputs", minimum=1, maximum=MAX_LENGTH)
    units = check_int(units, "units", minimum=1, maximum=MAX_LENGTH)
    return inputs * units + (units if _check_bool(bias, "bias") else 0)


def explain_conv_output_size(size, kernel_size, padding="valid", stride=1):
    """The output-size formula written out with the numbers filled in.

    Parameters
    ----------
    size, kernel_size, padding, stride
        As for :func:`conv_output_size`.

    Returns
    -------
    str
        ``"(n + 2*p - k) // s + 1 = out"`` for ``"valid"`` (``p = 0``) and int padding,
        ``"ceil(n / s) = out"`` for ``"same"``. When rows and columns differ, one line
        each, starting with ``rows:`` and ``columns:``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`conv_output_size`.

    Examples
    --------
    >>> explain_conv_output_size(28, 3)
    '(28 + 2*0 - 3) // 1 + 1 = 26'
    >>> explain_conv_output_size(28, 3, padding="same", stride=2)
    'ceil(28 / 2) = 14'
    >>> print(explain_conv_output_size((28, 32), (3, 5), padding=1))
    rows: (28 + 2*1 - 3) // 1 + 1 = 28
    columns: (32 + 2*1 - 5) // 1 + 1 = 30
    """
    out = conv_output_size(size, kernel_size, padding, stride)
    padding = _check_conv_padding(padding)
    sizes, kernels = check_pair(size, "size"), check_pair(kernel_size, "kernel_size")
    strides, outs = check_pair(stride, "stride"), out if isinstance(out, tuple) else (out, out)
    lines = []
    for n, k, s, o in zip(sizes, kernels, strides, outs, strict=True):
        if padding == "same":
            lines.append(f"ceil({n} / {s}) = {o}")
        else:
            p = 0 if padding == "valid" else padding
            lines.append(f"({n} + 2*{p} - {k}) // {s} + 1 = {o}")
    if lines[0] == lines[1]:
        return lines[0]
    return "\n".join(f"{axis}: {line}" for axis, line in zip(_AXES, lines, strict=True))


def _size_text(pair):
    return f"{pair}" if _is_int(pair) else f"{pair[0]}x{pair[1]}"


@dataclass(frozen=True)
class Conv2D:
    """A convolution layer, as ``keras.layers.Conv2D(filters, kernel_size, ...)``.

    Parameters
    ----------
    filters : int
        Number of kernels (output channels).
    kernel_size : int or (int, int)
        Kernel rows and columns.
    padding : {"valid", "same"} or int, optional
        As for :func:`conv_output_size`. Keras itself takes only the strings; an int
        stands for ``ZeroPadding2D(p)`` followed by a ``"valid"`` ``Conv2D``.
    stride : int or (int, int), optional
        Keras ``strides``.
    bias : bool, optional
        Keras ``use_bias``.
    weight_sharing : bool, optional
        False describes a locally connected layer: the same output shape, but every
        output position has its own weights.

    Examples
    --------
    >>> Conv2D(32, 3).label
    'Conv2D: 32 filters 3x3, valid'
    """

    filters: int
    kernel_size: int | tuple[int, int]
    padding: str | int = "valid"
    stride: int | tuple[int, int] = 1
    bias: bool = True
    weight_sharing: bool = True

    def __post_init__(self):
        check_int(self.filters, "filters", minimum=1, maximum=MAX_LENGTH)
        check_pair(self.kernel_size, "kernel_size")
        # Keep the canonical spelling ("SAME" -> "same"): the label and the sizes use it.
        object.__setattr__(self, "padding", _check_conv_padding(self.padding))
        check_pair(self.stride, "stride")
        _check_bool(self.bias, "bias")
        _check_bool(self.weight_sharing, "weight_sharing")

    @property
    def label(self) -> str:
        """Short description for a table row, e.g. ``'Conv2D: 32 filters 3x3, valid'``."""
        kind = "Conv2D" if self.weight_sharing else "LocallyConnected2D"
        kh, kw = check_pair(self.kernel_size, "kernel_size")
        padding = self.padding if isinstance(self.padding, str) else f"padding {self.padding}"
        text = f"{kind}: {self.filters} filters {kh}x{kw}, {padding}"
        if check_pair(self.stride, "stride") != (1, 1):
            text += f", stride {_size_text(self.stride)}"
        return text


@dataclass(frozen=True)
class Pool2D:
    """A pooling layer, as ``keras.layers.MaxPooling2D`` or ``AveragePooling2D``.

    Parameters
    ----------
    size : int or (int, int), optional
        Keras ``pool_size``.
    stride : int or (int, int), optional
        Keras ``strides``; defaults to ``size``.
    kind : {"max", "average"}, optional
    padding : {"valid", "same"}, optional

    Examples
    --------
    >>> Pool2D().label
    'MaxPooling2D: 2x2'
    """

    size: int | tuple[int, int] = 2
    stride: int | tuple[int, int] | None = None
    kind: str = "max"
    padding: str = "valid"

    def __post_init__(self):
        check_pair(self.size, "size")
        if self.stride is not None:
            check_pair(self.stride, "stride")
        object.__setattr__(self, "kind", check_choice(self.kind, "kind", ("max", "average")))
        object.__setattr__(
            self, "padding", check_choice(self.padding, "padding", ("valid", "same"))
        )

    @property
    def label(self) -> str:
        """Short description for a table row, e.g. ``'MaxPooling2D: 2x2'``."""
        kind = "MaxPooling2D" if self.kind.lower() == "max" else "AveragePooling2D"
        sh, sw = check_pair(self.size, "size")
        text = f"{kind}: {sh}x{sw}"
        if self.stride is not None and check_pair(self.stride, "stride") != (sh, sw):
            text += f", stride {_size_text(self.stride)}"
        if self.padding.lower() == "same":
            text += ", same"
        return text


@dataclass(frozen=True)
class Flatten:
    """Turns a (H, W, C) feature map into one vector of H * W * C numbers.

    Examples
    --------
    >>> Flatten().label
    'Flatten'
    """

    @property
    def label(self) -> str:
        """``'Flatten'``."""
        return "Flatten"


@dataclass(frozen=True)
class Dense:
    """A fully connected layer, as ``keras.layers.Dense(units)``.

    Examples
    --------
    >>> Dense(10).label
    'Dense: 10 units'
    """

    units: int
    bias: bool = True

    def __post_init__(self):
        check_int(self.units, "units", minimum=1, maximum=MAX_LENGTH)
        _check_bool(self.bias, "bias")

    @property
    def label(self) -> str:
        """Short description for a table row, e.g. ``'Dense: 10 units'``."""
        return f"Dense: {self.units} units"


class LayerRow(NamedTuple):
    """One row of :func:`layer_table`: what ``model.summary()`` shows for one layer.

    Examples
    --------
    >>> LayerRow("Flatten", (None, 784), 0).params
    0
    """

    label: str
    output_shape: tuple
    params: int


class LayerTable(NamedTuple):
    """What :func:`layer_table` returns: the rows and the total parameter count.

    Examples
    --------
    >>> rows, total = layer_table((28, 28), [Flatten(), Dense(10)])
    >>> total
    7850
    """

    rows: list[LayerRow]
    total: int

    def text(self) -> str:
        """The table as text, laid out like ``model.summary()``.

        Examples
        --------
        >>> print(layer_table((28, 28, 1), [Conv2D(8, 3), Flatten()]).text())
        Layer                          Output shape        Params
        ---------------------------------------------------------
        Conv2D: 8 filters 3x3, valid   (None, 26, 26, 8)       80
        Flatten                        (None, 5408)             0
        ---------------------------------------------------------
        Total params: 80
        """
        width = max([len("Layer")] + [len(row.label) for row in self.rows]) + 3
        shapes = [str(row.output_shape) for row in self.rows]
        shape_width = max([len("Output shape")] + [len(s) for s in shapes]) + 3
        params = [f"{row.params:,}" for row in self.rows]
        param_width = max([len("Params")] + [len(p) for p in params])
        rule = "-" * (width + shape_width + param_width)
        lines = [f"{'Layer':<{width}}{'Output shape':<{shape_width}}{'Params':>{param_width}}"]
        lines.append(rule)
        for row, shape, count in zip(self.rows, shapes, params, strict=True):
            lines.append(f"{row.label:<{width}}{shape:<{shape_width}}{count:>{param_width}}")
        lines += [rule, f"Total params: {self.total:,}"]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def _check_input_shape(input_shape):
    if (
        not isinstance(input_shape, tuple | list)
        or not input_shape
        or not all(_is_int(n) for n in input_shape)
    ):
        raise TypeError(
            f"`input_shape` must be a tuple of ints without the batch axis, like "
            f"`keras.Input(shape=...)`; got {describe(input_shape)}. Pass e.g. (28, 28, 1)."
        )
    if min(input_shape) < 1 or max(input_shape) > MAX_LENGTH:
        raise ValueError(
            f"`input_shape` must contain sizes of at least 1; got "
            f"{shorten('(' + ', '.join(describe(n) for n in input_shape) + ')')} (at most "
            f"{MAX_LENGTH:,} each). Pass e.g. (28, 28, 1)."
        )
    return tuple(int(n) for n in input_shape)


def _layer_output(layer, shape):
    """Output shape (without batch axis) and parameter count of one layer."""
    if isinstance(layer, Conv2D):
        out = conv_output_size(shape[:2], layer.kernel_size, layer.padding, layer.stride)
        params = conv_params(
            layer.kernel_size,
            shape[2],
            layer.filters,
            bias=layer.bias,
            weight_sharing=layer.weight_sharing,
            input_size=shape[:2],
            padding=layer.padding,
            stride=layer.stride,
        )
        return (*out, layer.filters), params
    if isinstance(layer, Pool2D):
        out = pool_output_size(shape[:2], layer.size, layer.stride, layer.padding)
        return (*out, shape[2]), 0
    if isinstance(layer, Flatten):
        return (math.prod(shape),), 0
    return (*shape[:-1], layer.units), dense_params(shape[-1], layer.units, layer.bias)


def layer_table(input_shape, layers):
    """Output shape and parameter count of every layer, like Keras' ``model.summary()``.

    Parameters
    ----------
    input_shape : tuple of int
        The shape of one example, without the batch axis, as in
        ``keras.Input(shape=input_shape)``: e.g. ``(28, 28, 1)``.
    layers : sequence of Conv2D, Pool2D, Flatten, Dense
        The layers in order, as in ``keras.Sequential``.

    Returns
    -------
    LayerTable
        ``rows``: one ``LayerRow(label, output_shape, params)`` per layer, where
        ``output_shape`` starts with ``None`` for the batch axis as in ``model.summary()``;
        ``total``: the sum of the parameter counts. ``str(table)`` lays it out as text.

    Raises
    ------
    TypeError
        For an ``input_shape`` that is not a tuple of ints, or an unknown layer.
    ValueError
        For a layer that does not fit the shape before it (the message names it).

    Examples
    --------
    >>> table = layer_table((28, 28, 1), [Conv2D(32, 3), Pool2D(), Flatten(), Dense(10)])
    >>> [row.output_shape for row in table.rows]
    [(None, 26, 26, 32), (None, 13, 13, 32), (None, 5408), (None, 10)]
    >>> [row.params for row in table.rows], table.total
    ([320, 0, 0, 54090], 54410)
    """
    shape = _check_input_shape(input_shape)
    if not isinstance(layers, list | tuple):
        raise TypeError(
            f"`layers` must be a list of layers; got {describe(layers)}. "
            f"Pass e.g. [Conv2D(32, 3), Pool2D(), Flatten(), Dense(10)]."
        )
    rows = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, Conv2D | Pool2D | Flatten | Dense):
            raise TypeError(
                f"`layers[{i}]` must be a Conv2D, Pool2D, Flatten or Dense from cnnviz.shapes; "
                f"got {describe(layer)}."
            )
        if isinstance(layer, Conv2D | Pool2D) and len(shape) != 3:
            raise ValueError(
                f"`layers[{i}]` ({layer.label}) needs a (rows, columns, channels) input, but "
                f"the shape before it is {shorten((None, *shape), 40)}. Start from an "
                f"input_shape like (28, 28, 1), and put Conv2D and Pool2D layers before Flatten."
            )
        try:
            new_shape, params = _layer_output(layer, shape)
        except ValueError as exc:
            raise ValueError(
                f"`layers[{i}]` ({layer.label}) does not fit its input of shape "
                f"{shorten((None, *shape), 40)}: {exc}"
            ) from None
        shape = new_shape
        rows.append(LayerRow(layer.label, (None, *shape), params))
    return LayerTable(rows, sum(row.params for row in rows))
