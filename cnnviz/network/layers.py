"""The layers a :class:`cnnviz.network.Network` runs: what each Keras layer class becomes.

A layer's Keras configuration is read as plain data (:class:`_Spec`, whose errors name the
layer), checked, and turned into its output shape, the weights it needs and a function of
:mod:`cnnviz.network.arithmetic`. :data:`SUPPORTED_LAYERS` lists the classes; anything else
is refused with a message that names the layer.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz import shapes
from cnnviz._validation import MAX_ELEMENTS, MAX_LENGTH, describe, shorten
from cnnviz.filters import padding_amounts
from cnnviz.network.arithmetic import (
    ACTIVATIONS,
    DTYPE,
    activation,
    conv2d,
    dense,
    flatten,
    identity,
    pool2d,
    softmax,
)

__all__ = ["SUPPORTED_LAYERS", "Layer"]

#: Keras layer classes a :class:`Network` can run, -> what it does with them.
SUPPORTED_LAYERS: dict[str, str] = {
    "InputLayer": "the image size the model takes",
    "Conv2D": "any filters, kernel size and strides, 'valid' or 'same' padding, with or "
    "without bias, activation relu, linear, softmax, sigmoid or tanh",
    "MaxPooling2D": "'valid' padding, any pool size and strides",
    "AveragePooling2D": "'valid' padding, any pool size and strides",
    "Flatten": "(H, W, C) -> H * W * C numbers, in Keras' order",
    "Dense": "with or without bias, activation relu, linear, softmax, sigmoid or tanh",
    "Rescaling": "x * scale + offset",
    "ReLU": "with max_value and negative_slope (threshold 0)",
    "Activation": "relu, linear, softmax, sigmoid or tanh",
    "Softmax": "over the last axis",
    "Dropout": "nothing at inference",
    "SpatialDropout2D": "nothing at inference",
    "GaussianNoise": "nothing at inference",
    "GaussianDropout": "nothing at inference",
    "AlphaDropout": "nothing at inference",
    "ActivityRegularization": "nothing at inference",
    "RandomFlip": "nothing at inference (data augmentation)",
    "RandomRotation": "nothing at inference (data augmentation)",
    "RandomTranslation": "nothing at inference (data augmentation)",
    "RandomZoom": "nothing at inference (data augmentation)",
    "RandomContrast": "nothing at inference (data augmentation)",
    "RandomBrightness": "nothing at inference (data augmentation)",
}

_IDENTITY = {name for name, what in SUPPORTED_LAYERS.items() if what.startswith("nothing")}
FEATURE_KINDS = ("Conv2D", "MaxPooling2D", "AveragePooling2D")
#: Most values one layer may output for one image: 10 million (40 MB in float32), more than
#: any network a notebook explores (VGG16's largest layer: 3.2 million).
MAX_LAYER_VALUES = 10_000_000
_RESAVE = "Save the model again with Keras 3: `model.save('my_model.keras')`."


class Layer:
    """One layer of a :class:`Network`: its Keras name, class, shapes and weights.

    Attributes
    ----------
    name : str
        The Keras layer name, e.g. ``"conv1"``.
    kind : str
        The Keras class, e.g. ``"Conv2D"``.
    input_shape, output_shape : tuple
        Shapes without the batch axis, e.g. ``(28, 28, 1)`` and ``(26, 26, 32)``.
    weights : tuple of ndarray
        Read-only float32 arrays in Keras' order (``layer.get_weights()``): kernel then bias.
    label : str
        A short description, e.g. ``"Conv2D: 32 filters 3x3, valid"``.
    config : dict
        The layer's Keras settings as plain data, e.g. ``config["padding"]``,
        ``config["kernel_size"]``, ``config["strides"]``, ``config["pool_size"]``.

    Examples
    --------
    >>> from cnnviz.network import SHIPPED_MODEL, Network
    >>> net = Network.from_keras_file(SHIPPED_MODEL)
    >>> layer = net.layer("conv1")
    >>> layer.kind, layer.input_shape, layer.output_shape, layer.params
    ('Conv2D', (28, 28, 1), (26, 26, 32), 320)
    """

    def __init__(self, name, kind, input_shape, output_shape, weights, label, forward, config):
        self.config = config
        self.name = name
        self.kind = kind
        self.input_shape = input_shape
        self.output_shape = output_shape
        self.weights = weights
        self.label = label
        self._forward = forward

    @property
    def params(self) -> int:
        """Number of weights, as ``model.summary()`` counts them."""
        return int(sum(w.size for w in self.weights))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """This layer's output for a float32 batch ``x`` of shape (N, *input_shape)."""
        return self._forward(x)

    def __repr__(self) -> str:
        return f"<Layer {self.name!r} {self.label}: {self.input_shape} -> {self.output_shape}>"


def _shown(value) -> str:
    """A config value as a message shows it: short, and never an error of its own."""
    if isinstance(value, int) and not isinstance(value, bool):
        return describe(value)  # an integer too long for str() too
    try:
        return shorten(repr(value), 40)
    except ValueError:  # a huge integer inside a list
        return describe(value)


class _Spec:
    """A layer's configuration, read as plain data, with errors that name the layer.

    ``kind`` is the Keras class name, ``config`` its settings (a dict; anything else is
    refused by :meth:`check`), ``source`` how messages name the file or model.
    """

    def __init__(self, kind, config, source):
        self.kind = kind if isinstance(kind, str) else _shown(kind)
        self.config = config if isinstance(config, dict) else {}
        name = self.config.get("name", self.kind)
        self.name = name if isinstance(name, str) else _shown(name)
        self.source = source
        self._raw = (kind, config, name)

    def check(self):
        """Refuse a layer whose class, settings or name are not what Keras writes."""
        kind, config, name = self._raw
        if not isinstance(kind, str) or kind not in SUPPORTED_LAYERS or kind == "InputLayer":
            self.fail(
                f"is not supported; cnnviz.network runs {_supported_text()}",
                "Rebuild the model without it.",
            )
        if not isinstance(config, dict):
            self.fail(f"has settings {_shown(config)}, not a JSON object", _RESAVE)
        if not isinstance(name, str) or not name:
            self.fail(f"has the name {_shown(name)}; a layer's name is text", _RESAVE)

    def fail(self, what, fix=None):
        name = shorten(repr(self.name), 40)
        raise ValueError(
            f"{self.source}: layer {name} ({shorten(self.kind, 30)}) {what}. "
            f"{fix or 'Rebuild the model with the layers and settings cnnviz.network runs.'}"
        )

    def get(self, key, default=None):
        return self.config.get(key, default)

    def count(self, key):
        """A positive integer setting (filters, units), at most :data:`MAX_LENGTH`."""
        value = self.config.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_LENGTH:
            self.fail(f"has {key}={_shown(value)}; it must be a positive integer")
        return value

    def pair(self, key, default=None):
        value = self.config.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool):
            value = (value, value)
        if (
            not isinstance(value, list | tuple)
            or len(value) != 2
            or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_LENGTH
                for v in value
            )
        ):
            self.fail(f"has {key}={_shown(value)}; it must be a pair of positive integers")
        return tuple(value)

    def activation(self, key="activation"):
        name = self.config.get(key, "linear")
        if name is None:
            name = "linear"
        if not isinstance(name, str) or name not in ACTIVATIONS:
            shown = _shown(name) if isinstance(name, str) else "a custom function"
            self.fail(f"uses the activation {shown}; supported: {', '.join(ACTIVATIONS)}")
        return name

    def channels_last(self):
        if self.config.get("data_format", "channels_last") not in (None, "channels_last"):
            self.fail(f"uses data_format={_shown(self.config['data_format'])}; only channels_last")

    def use_bias(self):
        use_bias = self.config.get("use_bias", True)
        if not isinstance(use_bias, bool):
            self.fail(f"has use_bias={_shown(use_bias)}; it must be true or false")
        return use_bias


def _supported_text():
    kinds = [k for k in SUPPORTED_LAYERS if k not in _IDENTITY and k != "InputLayer"]
    return f"{', '.join(kinds)} and layers that do nothing at inference, e.g. Dropout"


def _at_most(spec, what, count, limit):
    if count > limit:
        texts = {
            "weights": "weights",
            "output": "output values per image",
            "unfold": "values to unfold per image",
        }
        spec.fail(
            f"would need {count:,} {texts[what]}, more than the {limit:,} cnnviz.network "
            f"runs; this model is too large to explore in a notebook",
            "Use a smaller model (fewer filters or units, smaller images).",
        )


def expected_weights(spec, input_shape):
    """(output shape, [(weight name, shape)], label, forward factory) for one layer, whose
    settings are checked, and whose weights and output per image are of a size cnnviz runs."""
    out_shape, wanted, label, factory = _expected_weights(spec, input_shape)
    _at_most(spec, "weights", sum(math.prod(shape) for _, shape in wanted), MAX_ELEMENTS)
    _at_most(spec, "output", math.prod(out_shape), MAX_LAYER_VALUES)
    return out_shape, wanted, label, factory


def _expected_weights(spec, input_shape):
    kind = spec.kind
    if kind == "Conv2D":
        return _conv_layer(spec, input_shape)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return _pool_layer(spec, input_shape)
    if kind == "Dense":
        return _dense_layer(spec, input_shape)
    if kind == "Flatten":
        spec.channels_last()
        return (math.prod(input_shape),), [], "Flatten", lambda w: flatten
    if kind == "Rescaling":
        return _rescaling_layer(spec, input_shape)
    if kind == "ReLU":
        return _relu_layer(spec, input_shape)
    if kind == "Activation":
        name = spec.activation()
        act = activation(name)
        return input_shape, [], f"Activation: {name}", lambda w: act
    if kind == "Softmax":
        axis = spec.get("axis", -1)
        if isinstance(axis, list) and len(axis) == 1:
            axis = axis[0]
        if not isinstance(axis, int) or axis not in (-1, len(input_shape)):
            spec.fail(f"takes the softmax over axis {_shown(axis)}; only the last axis (-1)")
        return input_shape, [], "Softmax", lambda w: softmax
    if kind in _IDENTITY:
        return input_shape, [], f"{kind} (nothing at inference)", lambda w: identity
    spec.fail(
        f"is not supported; cnnviz.network runs {_supported_text()}",
        "Rebuild the model without it.",
    )


def _needs_image(spec, input_shape):
    if len(input_shape) != 3:
        spec.fail(
            f"needs (rows, columns, channels) input but gets {(None, *input_shape)}; put "
            f"Conv2D and pooling layers before Flatten"
        )


def _conv_layer(spec, input_shape):
    _needs_image(spec, input_shape)
    spec.channels_last()
    filters = spec.count("filters")
    kernel = spec.pair("kernel_size")
    strides = spec.pair("strides", (1, 1))
    if spec.pair("dilation_rate", (1, 1)) != (1, 1):
        spec.fail("uses a dilation_rate other than 1")
    if spec.get("groups", 1) != 1:
        spec.fail("uses groups other than 1")
    padding = spec.get("padding", "valid")
    if padding not in ("valid", "same"):
        spec.fail(f"uses padding={_shown(padding)}; only 'valid' and 'same'")
    use_bias = spec.use_bias()
    act = activation(spec.activation(), inplace=True)
    rows, cols, channels = input_shape
    pads = tuple(
        padding_amounts(n, k, padding, s)
        for n, k, s in zip((rows, cols), kernel, strides, strict=True)
    )
    out = tuple(
        (n + before + after - k) // s + 1
        for n, k, s, (before, after) in zip((rows, cols), kernel, strides, pads, strict=True)
    )
    if min(out) < 1:
        spec.fail(f"has a {kernel[0]}x{kernel[1]} kernel larger than its input {input_shape}")
    # The unfolded windows of one image (conv2d's scratch) must fit, like the weights.
    _at_most(spec, "unfold", out[0] * out[1] * kernel[0] * kernel[1] * channels, MAX_ELEMENTS)
    wanted = [("kernel", (*kernel, channels, filters))]
    if use_bias:
        wanted.append(("bias", (filters,)))
    label = shapes.Conv2D(filters, kernel, padding, strides, bias=use_bias).label
    if spec.get("activation", "linear") not in (None, "linear"):
        label += f", {spec.get('activation')}"

    def forward(weights):
        kernel_w = weights[0]
        bias = weights[1] if use_bias else None
        return lambda x: act(conv2d(x, kernel_w, bias, strides, pads))

    return (*out, filters), wanted, label, forward


def _pool_layer(spec, input_shape):
    _needs_image(spec, input_shape)
    spec.channels_last()
    size = spec.pair("pool_size", (2, 2))
    strides = size if spec.get("strides") is None else spec.pair("strides")
    if spec.get("padding", "valid") != "valid":
        spec.fail(f"uses padding={_shown(spec.get('padding'))}; only 'valid'")
    rows, cols, channels = input_shape
    if size[0] > rows or size[1] > cols:
        spec.fail(f"has a {size[0]}x{size[1]} window larger than its input {input_shape}")
    out = ((rows - size[0]) // strides[0] + 1, (cols - size[1]) // strides[1] + 1, channels)
    kind = "max" if spec.kind == "MaxPooling2D" else "average"
    label = shapes.Pool2D(size, strides, kind).label
    return out, [], label, lambda w: lambda x: pool2d(x, size, strides, spec.kind)


def _dense_layer(spec, input_shape):
    units = spec.count("units")
    if spec.get("lora_rank") not in (None, 0):
        spec.fail("uses LoRA weights")
    use_bias = spec.use_bias()
    act = activation(spec.activation(), inplace=True)
    wanted = [("kernel", (input_shape[-1], units))]
    if use_bias:
        wanted.append(("bias", (units,)))
    label = shapes.Dense(units, bias=use_bias).label
    if spec.get("activation", "linear") not in (None, "linear"):
        label += f", {spec.get('activation')}"

    def forward(weights):
        kernel_w = weights[0]
        bias = weights[1] if use_bias else None

        return lambda x: act(dense(x, kernel_w, bias))

    return (*input_shape[:-1], units), wanted, label, forward


def _rescaling_layer(spec, input_shape):
    def number(key, default):
        value = spec.get(key, default)
        try:
            arr = np.asarray(value, dtype=DTYPE)
        except (TypeError, ValueError):
            spec.fail(f"has {key}={_shown(value)}; it must be a number or a list of numbers")
        if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] not in (1, input_shape[-1])):
            spec.fail(f"has {key} of shape {arr.shape}; it must be one number or one per channel")
        if not np.isfinite(arr).all():
            spec.fail(f"has a {key} that is not finite")
        return arr

    scale, offset = number("scale", 1.0), number("offset", 0.0)
    label = f"Rescaling: x * {scale.tolist()} + {offset.tolist()}"
    return input_shape, [], label, lambda w: lambda x: x * scale + offset


def _relu_layer(spec, input_shape):
    max_value = spec.get("max_value")
    slope = spec.get("negative_slope", 0.0) or 0.0
    threshold = spec.get("threshold", 0.0) or 0.0
    for key, value in (("max_value", max_value), ("negative_slope", slope)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            spec.fail(f"has {key}={_shown(value)}; it must be a number")
    if threshold != 0:
        spec.fail(f"has threshold={_shown(threshold)}; only 0")
    label = "ReLU" + (f", max {max_value}" if max_value is not None else "")
    label += f", slope {slope} below 0" if slope else ""

    def relu(x):
        out = np.maximum(x, 0)
        if max_value is not None:
            np.minimum(out, DTYPE(max_value), out=out)
        if slope:
            out += DTYPE(slope) * np.minimum(x, 0)
        return out

    return input_shape, [], label, lambda w: relu


def checked_weights(spec, wanted, arrays, input_shape):
    """The layer's weights as read-only float32 arrays, once their number, shapes and types
    match ``wanted`` (checked before anything is read: ``arrays`` may be HDF5 datasets) and
    every value is finite."""
    if arrays is None:
        arrays = [] if not wanted else None
    if arrays is None or len(arrays) != len(wanted):
        got = "none" if arrays is None else f"{len(arrays)}"
        spec.fail(
            f"needs {len(wanted)} weight arrays ({', '.join(n for n, _ in wanted) or 'none'}) "
            f"but the weights hold {got}: they do not match the configuration",
            _RESAVE,
        )
    for (wname, wshape), array in zip(wanted, arrays, strict=True):
        if array.shape != wshape:
            spec.fail(
                f"needs a {wname} of shape {wshape} for its input {(None, *input_shape)}, but "
                f"the weights hold {shorten(array.shape, 40)}: they do not match the "
                f"configuration",
                _RESAVE,
            )
        if array.dtype.kind not in "fiu":
            spec.fail(f"has a {wname} of {shorten(array.dtype, 30)} values, not numbers", _RESAVE)
    checked = []
    for (wname, _), array in zip(wanted, arrays, strict=True):
        with np.errstate(over="ignore"):  # too large for float32: inf, refused below
            array = np.array(array, dtype=DTYPE)
        if not np.isfinite(array).all():
            bad = int(array.size - np.isfinite(array).sum())
            spec.fail(
                f"has {bad:,} NaN or infinite values in its {wname} (or values beyond "
                f"float32's 3.4e38): training diverged or the file is damaged",
                "Train the model again with a smaller learning rate, or save it again.",
            )
        array.flags.writeable = False
        checked.append(array)
    return checked
