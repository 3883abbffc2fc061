"""A trained Sequential CNN run in NumPy: look inside a Keras model without TensorFlow.

A trained CNN's forward pass is arithmetic the course has already taught: each Conv2D layer
is :func:`cnnviz.apply_filter` per channel, summed, plus a bias, then a ReLU; each pooling
layer is :func:`cnnviz.max_pool`; then a flatten, a matrix product per dense layer and a
softmax. :class:`Network` holds a Sequential model's layers and weights as NumPy arrays and
runs exactly that, vectorised (no Python loop over pixels), so notebooks that only look
inside a trained network (its kernels, feature maps and predictions) never pay for
TensorFlow's import (seconds, and about 0.6 GB of memory).

- :meth:`Network.from_keras_file` reads a ``.keras`` file (a zip holding ``config.json`` and
  ``model.weights.h5``) with :mod:`zipfile`, :mod:`json` and h5py. It never imports
  TensorFlow, never unpickles and never runs code from the file: the configuration is read
  as plain data, and only the layers listed in :data:`SUPPORTED_LAYERS` are accepted.
- :meth:`Network.from_keras` builds one from a live Keras model (without importing Keras).
- :meth:`Network.predict`, :meth:`Network.activations`, :meth:`Network.kernels` and
  :meth:`Network.summary` mirror :func:`cnnviz.models.predict`,
  :func:`cnnviz.models.activations`, :func:`cnnviz.models.learned_kernels` and
  :func:`cnnviz.shapes.layer_table`.

The arithmetic is done in float32, as Keras does it, and agrees with Keras' own outputs
within 1e-5 (``tests/test_network.py``).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple

import numpy as np

from cnnviz import shapes
from cnnviz._validation import check_int, describe, model_images
from cnnviz.filters import padding_amounts
from cnnviz.pooling import _pool

__all__ = [
    "MY_CNN",
    "SHIPPED_KERAS_OUTPUTS",
    "SHIPPED_MODEL",
    "SUPPORTED_LAYERS",
    "CourseModel",
    "KerasOutputs",
    "Kernels",
    "Layer",
    "Network",
    "keras_outputs",
    "my_models_folder",
    "open_course_model",
]

#: The small CNN that ships with cnnviz, trained on the shipped MNIST subset.
SHIPPED_MODEL = Path(__file__).parent / "_data" / "mnist_cnn.keras"
#: What Keras computed with that model for the shipped test digits, written beside it by
#: ``scripts/train_shipped_model.py``: read it with :func:`keras_outputs`.
SHIPPED_KERAS_OUTPUTS = Path(__file__).parent / "_data" / "mnist_cnn_keras_outputs.npz"
#: File name of the CNN notebook 04 saves in :func:`my_models_folder` (beside it, the same
#: name with ``.json`` says what it was trained on).
MY_CNN = "my_cnn.keras"
_MNIST_NAMES = tuple(str(d) for d in range(10))

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
_ACTIVATIONS = ("relu", "linear", "softmax", "sigmoid", "tanh")
_FEATURE_KINDS = ("Conv2D", "MaxPooling2D", "AveragePooling2D")
_DTYPE = np.float32
# Limits on what is read from a file before it is parsed: far above any model a notebook
# can run, far below what would exhaust a student's memory.
_MAX_CONFIG_BYTES = 10_000_000
_MAX_WEIGHTS_BYTES = 500_000_000
_SAVE_HINT = "Save the model with Keras 3: `model.save('my_model.keras')`."
# A convolution's windows are unfolded (im2col) for this many images at a time, so that a
# large batch never needs more than a few MB of scratch memory.
_CHUNK_VALUES = 1_000_000


class Kernels(NamedTuple):
    """A Conv2D layer's learned parameters."""

    weights: np.ndarray
    """(kh, kw, in_channels, filters): ``weights[:, :, c, f]`` is filter f's slice for
    input channel c."""
    bias: np.ndarray
    """(filters,): added to each filter's sum before the ReLU."""


# ----------------------------------------------------------------------------- arithmetic


def _activation(name, *, inplace=False):
    """The activation function called ``name``. ``inplace=True`` overwrites its input: only
    for a layer's own fresh output, never for an array an earlier layer returned."""
    if name == "relu":
        return (lambda x: np.maximum(x, 0, out=x)) if inplace else (lambda x: np.maximum(x, 0))
    if name == "linear":
        return _identity
    if name == "sigmoid":
        return _sigmoid
    if name == "tanh":
        return (lambda x: np.tanh(x, out=x)) if inplace else np.tanh
    return _softmax


def _sigmoid(x):
    # exp of a negative number never overflows: use exp(-|x|) for both signs.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def _conv2d(x, kernel, bias, strides, pads):
    """Keras Conv2D on a batch (N, H, W, C): the windows unfolded into rows (im2col), then
    one matrix product with the kernels. ``kernel`` is (kh, kw, C, F), ``pads`` Keras'
    ((top, bottom), (left, right)).

    The unfolding loops over the kh * kw kernel offsets, never over pixels: offset (i, j)
    copies the pixel i rows and j columns from every window's corner, for all windows at
    once. Images go through in chunks so the unfolded rows never need more than
    ``_CHUNK_VALUES`` numbers.
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


def _pool2d(x, size, strides, kind):
    """Keras MaxPooling2D / AveragePooling2D ("valid") on a batch, with cnnviz.pooling's
    own window arithmetic (it pools the first two axes: move the batch axis out of the way)."""
    image = np.moveaxis(x, 0, 2)  # (H, W, N, C), a view
    (h, w), (sh, sw), (sr, sc) = x.shape[1:3], size, strides
    out = ((h - sh) // sr + 1, (w - sw) // sc + 1)
    if kind == "MaxPooling2D":
        result = _pool(image, size, strides, out, np.maximum)
    else:
        result = _pool(image, size, strides, out, np.add)
        result /= sh * sw
    return np.moveaxis(result, 2, 0)  # a view: the next layer copies what it needs


# ----------------------------------------------------------------------------- layers


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


class _Spec:
    """A layer's configuration, read as plain data, with errors that name the layer."""

    def __init__(self, kind, config, source):
        self.kind = kind
        self.config = config if isinstance(config, dict) else {}
        self.name = str(self.config.get("name", kind))
        self.source = source

    def fail(self, what):
        raise ValueError(
            f"{self.source}: layer {self.name!r} ({self.kind}) {what}. cnnviz.network runs "
            f"{_supported_text()}."
        )

    def get(self, key, default=None):
        return self.config.get(key, default)

    def pair(self, key, default=None):
        value = self.config.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool):
            value = (value, value)
        if (
            not isinstance(value, list | tuple)
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)
        ):
            self.fail(f"has {key}={value!r}; it must be a pair of positive integers")
        return tuple(value)

    def activation(self, key="activation"):
        name = self.config.get(key, "linear")
        if name is None:
            name = "linear"
        if name not in _ACTIVATIONS:
            shown = name if isinstance(name, str) else "a custom function"
            self.fail(f"uses the activation {shown!r}; supported: {', '.join(_ACTIVATIONS)}")
        return name

    def channels_last(self):
        if self.config.get("data_format", "channels_last") not in (None, "channels_last"):
            self.fail(f"uses data_format={self.config['data_format']!r}; only channels_last")

    def use_bias(self):
        use_bias = self.config.get("use_bias", True)
        if not isinstance(use_bias, bool):
            self.fail(f"has use_bias={use_bias!r}")
        return use_bias


def _supported_text():
    return "these Keras layers: " + ", ".join(name for name in SUPPORTED_LAYERS)


def _expected_weights(spec, input_shape):
    """(output shape, [(weight name, shape)], label, forward factory) for one layer."""
    kind = spec.kind
    if kind == "Conv2D":
        return _conv_layer(spec, input_shape)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return _pool_layer(spec, input_shape)
    if kind == "Dense":
        return _dense_layer(spec, input_shape)
    if kind == "Flatten":
        spec.channels_last()
        return (math.prod(input_shape),), [], "Flatten", lambda w: _flatten
    if kind == "Rescaling":
        return _rescaling_layer(spec, input_shape)
    if kind == "ReLU":
        return _relu_layer(spec, input_shape)
    if kind == "Activation":
        name = spec.activation()
        act = _activation(name)
        return input_shape, [], f"Activation: {name}", lambda w: act
    if kind == "Softmax":
        axis = spec.get("axis", -1)
        if isinstance(axis, list) and len(axis) == 1:
            axis = axis[0]
        if not isinstance(axis, int) or axis not in (-1, len(input_shape)):
            spec.fail(f"takes the softmax over axis {axis!r}; only the last axis (-1)")
        return input_shape, [], "Softmax", lambda w: _softmax
    if kind in _IDENTITY:
        return input_shape, [], f"{kind} (nothing at inference)", lambda w: _identity
    spec.fail("is not supported")


def _identity(x):
    return x


def _flatten(x):
    return x.reshape(len(x), -1)


def _needs_image(spec, input_shape):
    if len(input_shape) != 3:
        spec.fail(
            f"needs (rows, columns, channels) input but gets {(None, *input_shape)}; put "
            f"Conv2D and pooling layers before Flatten"
        )


def _conv_layer(spec, input_shape):
    _needs_image(spec, input_shape)
    spec.channels_last()
    filters = spec.get("filters")
    if not isinstance(filters, int) or isinstance(filters, bool) or filters < 1:
        spec.fail(f"has filters={filters!r}")
    kernel = spec.pair("kernel_size")
    strides = spec.pair("strides", (1, 1))
    if spec.pair("dilation_rate", (1, 1)) != (1, 1):
        spec.fail("uses a dilation_rate other than 1")
    if spec.get("groups", 1) != 1:
        spec.fail("uses groups other than 1")
    padding = spec.get("padding", "valid")
    if padding not in ("valid", "same"):
        spec.fail(f"uses padding={padding!r}; only 'valid' and 'same'")
    use_bias = spec.use_bias()
    act = _activation(spec.activation(), inplace=True)
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
    wanted = [("kernel", (*kernel, channels, filters))]
    if use_bias:
        wanted.append(("bias", (filters,)))
    label = shapes.Conv2D(filters, kernel, padding, strides, bias=use_bias).label
    if spec.get("activation", "linear") not in (None, "linear"):
        label += f", {spec.get('activation')}"

    def forward(weights):
        kernel_w = weights[0]
        bias = weights[1] if use_bias else None
        return lambda x: act(_conv2d(x, kernel_w, bias, strides, pads))

    return (*out, filters), wanted, label, forward


def _pool_layer(spec, input_shape):
    _needs_image(spec, input_shape)
    spec.channels_last()
    size = spec.pair("pool_size", (2, 2))
    strides = size if spec.get("strides") is None else spec.pair("strides")
    if spec.get("padding", "valid") != "valid":
        spec.fail(f"uses padding={spec.get('padding')!r}; only 'valid'")
    rows, cols, channels = input_shape
    if size[0] > rows or size[1] > cols:
        spec.fail(f"has a {size[0]}x{size[1]} window larger than its input {input_shape}")
    out = ((rows - size[0]) // strides[0] + 1, (cols - size[1]) // strides[1] + 1, channels)
    kind = "max" if spec.kind == "MaxPooling2D" else "average"
    label = shapes.Pool2D(size, strides, kind).label
    return out, [], label, lambda w: lambda x: _pool2d(x, size, strides, spec.kind)


def _dense_layer(spec, input_shape):
    units = spec.get("units")
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        spec.fail(f"has units={units!r}")
    if spec.get("lora_rank") not in (None, 0):
        spec.fail("uses LoRA weights")
    use_bias = spec.use_bias()
    act = _activation(spec.activation(), inplace=True)
    wanted = [("kernel", (input_shape[-1], units))]
    if use_bias:
        wanted.append(("bias", (units,)))
    label = shapes.Dense(units, bias=use_bias).label
    if spec.get("activation", "linear") not in (None, "linear"):
        label += f", {spec.get('activation')}"

    def forward(weights):
        kernel_w = weights[0]
        bias = weights[1] if use_bias else None

        def dense(x):
            out = x @ kernel_w
            if bias is not None:
                out += bias
            return act(out)

        return dense

    return (*input_shape[:-1], units), wanted, label, forward


def _rescaling_layer(spec, input_shape):
    def number(key, default):
        value = spec.get(key, default)
        try:
            arr = np.asarray(value, dtype=_DTYPE)
        except (TypeError, ValueError):
            spec.fail(f"has {key}={value!r}; it must be a number or a list of numbers")
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
            spec.fail(f"has {key}={value!r}")
    if threshold != 0:
        spec.fail(f"has threshold={threshold!r}; only 0")
    label = "ReLU" + (f", max {max_value}" if max_value is not None else "")
    label += f", slope {slope} below 0" if slope else ""

    def relu(x):
        out = np.maximum(x, 0)
        if max_value is not None:
            np.minimum(out, _DTYPE(max_value), out=out)
        if slope:
            out += _DTYPE(slope) * np.minimum(x, 0)
        return out

    return input_shape, [], label, lambda w: relu


# ----------------------------------------------------------------------------- reading files


def _snake(class_name):
    """Keras' folder name for a layer class in ``model.weights.h5``: "MaxPooling2D" ->
    "max_pooling2d", "ReLU" -> "re_lu" (a word is a capital followed by small letters)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _input_shape(model_config, layer_configs, source):
    """The (H, W, C) a Sequential model takes, from its InputLayer or its build config."""
    candidates = []
    if layer_configs and layer_configs[0].get("class_name") == "InputLayer":
        config = layer_configs[0].get("config") or {}
        candidates += [config.get("batch_shape"), config.get("batch_input_shape")]
    candidates.append(model_config.get("build_input_shape"))
    for layer in layer_configs[:1]:
        candidates.append((layer.get("config") or {}).get("batch_input_shape"))
        candidates.append((layer.get("build_config") or {}).get("input_shape"))
    for shape in candidates:
        if isinstance(shape, list | tuple) and len(shape) >= 2:
            dims = shape[1:]
            if all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in dims):
                return tuple(dims)
    raise ValueError(
        f"{source}: the model has no fixed input shape (rows, columns, channels). Build it "
        f"with an explicit input, e.g. `keras.Input(shape=(28, 28, 1))`, then save it again."
    )


class _WeightStore:
    """The per-layer weights of ``model.weights.h5``: ``layers/<folder>/vars/0, 1, ...``.

    Keras 3 names each layer's folder after its class (``conv2d``, ``conv2d_1``, ...) in
    model order; since Keras 3.6 or so the ``vars`` group also carries the layer's name,
    which is checked when present. Only plain datasets inside this file are read: links to
    other files, external or virtual storage are refused.
    """

    def __init__(self, h5file, source):
        self.file = h5file
        self.source = source
        self.counts: dict[str, int] = {}
        layers = h5file.get("layers")
        if layers is None or not hasattr(layers, "keys"):
            raise ValueError(
                f"{source}: model.weights.h5 has no 'layers' group, so it was not written by "
                f"Keras 3. {_SAVE_HINT}"
            )
        self.layers = layers

    def take(self, spec):
        import h5py

        base = _snake(spec.kind)
        count = self.counts.get(base, 0)
        self.counts[base] = count + 1
        folder = base if count == 0 else f"{base}_{count}"
        group = self.layers.get(f"{folder}/vars")
        if group is None:
            return None
        stored_name = group.attrs.get("name")
        if isinstance(stored_name, bytes):
            stored_name = stored_name.decode()
        if stored_name is not None and stored_name != spec.name:
            raise ValueError(
                f"{self.source}: the weights in layers/{folder} belong to layer "
                f"{stored_name!r}, not {spec.name!r}: config.json and model.weights.h5 do not "
                f"match. {_SAVE_HINT}"
            )
        arrays = []
        for i in range(len(group)):
            link = group.get(str(i), getlink=True)
            if not isinstance(link, h5py.HardLink):
                raise ValueError(
                    f"{self.source}: weight {i} of layer {spec.name!r} is a link to another "
                    f"file, which cnnviz does not follow. {_SAVE_HINT}"
                )
            data = group[str(i)]
            if not isinstance(data, h5py.Dataset) or data.external or data.is_virtual:
                raise ValueError(
                    f"{self.source}: weight {i} of layer {spec.name!r} is not an array stored "
                    f"in the file. {_SAVE_HINT}"
                )
            if data.dtype.kind not in "fiu":
                raise ValueError(
                    f"{self.source}: weight {i} of layer {spec.name!r} holds {data.dtype} "
                    f"values, not numbers. {_SAVE_HINT}"
                )
            arrays.append(data[()])
        return arrays


def _read_archive(data, source):
    """(config dict, metadata dict, weights bytes) from the bytes of a .keras file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        what = "is empty" if not data else "is not a zip archive"
        raise ValueError(
            f"{source} {what}, so it is not a Keras 3 .keras file (or it was cut short while "
            f"copying or uploading). {_SAVE_HINT}"
        ) from None
    with archive:
        names = set(archive.namelist())
        missing = [m for m in ("config.json", "model.weights.h5") if m not in names]
        if missing:
            raise ValueError(
                f"{source} is a zip archive but not a Keras 3 .keras file: it has no "
                f"{' and no '.join(missing)} (it holds {sorted(names)[:5]}). {_SAVE_HINT}"
            )
        limits = {"config.json": _MAX_CONFIG_BYTES, "model.weights.h5": _MAX_WEIGHTS_BYTES}
        contents = {}
        for member, limit in (*limits.items(), ("metadata.json", _MAX_CONFIG_BYTES)):
            if member not in names:
                continue
            size = archive.getinfo(member).file_size
            if size > limit:
                raise ValueError(
                    f"{source}: {member} is {size:,} bytes, more than the {limit:,} cnnviz "
                    f"reads; this model is too large to explore in a notebook."
                )
            try:
                contents[member] = archive.read(member)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                raise ValueError(
                    f"{source} is corrupt or truncated: {member} cannot be read ({exc}). "
                    f"Copy or upload the file again, or save the model again. {_SAVE_HINT}"
                ) from None
    documents = {}
    for member in ("config.json", "metadata.json"):
        if member not in contents:
            documents[member] = {}
            continue
        try:
            documents[member] = json.loads(contents[member])
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"{source}: {member} is not valid JSON ({exc}); the file is damaged. {_SAVE_HINT}"
            ) from None
        if not isinstance(documents[member], dict):
            raise ValueError(f"{source}: {member} is not a JSON object. {_SAVE_HINT}")
    return documents["config.json"], documents["metadata.json"], contents["model.weights.h5"]


# ----------------------------------------------------------------------------- the network


class Network:
    """A trained Sequential CNN as NumPy arrays: predictions and feature maps without Keras.

    Build one with :meth:`from_keras_file` (a ``.keras`` file, no TensorFlow) or
    :meth:`from_keras` (a live Keras model).

    Attributes
    ----------
    name : str
        The Keras model's name.
    layers : list of Layer
        Every layer but the input, in order.
    input_shape : tuple of int
        (rows, columns, channels) of one image, e.g. ``(28, 28, 1)``.
    output_shape : tuple of int
        The last layer's output without the batch axis, e.g. ``(10,)``.
    source : str
        Where it came from: the file, or "a live Keras model".
    keras_version : str or None
        The Keras version that saved the file (from its ``metadata.json``).

    Examples
    --------
    >>> net = Network.from_keras_file(SHIPPED_MODEL)
    >>> [layer.name for layer in net.layers]
    ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'dense1', 'output']
    >>> net.predict(np.zeros((2, 28, 28), np.uint8)).shape
    (2, 10)
    """

    def __init__(self, name, input_shape, layers, *, source, keras_version=None):
        self.name = name
        self.input_shape = tuple(input_shape)
        self.layers = list(layers)
        self.source = source
        self.keras_version = keras_version
        self.output_shape = self.layers[-1].output_shape if self.layers else self.input_shape
        self._by_name = {layer.name: i for i, layer in enumerate(self.layers)}

    # ------------------------------------------------------------------ building

    @classmethod
    def _build(cls, name, input_shape, specs, weights_for, *, source, keras_version=None):
        """Layers from (kind, config) specs; ``weights_for(spec)`` gives a list of arrays."""
        if len(input_shape) == 2:
            input_shape = (*input_shape, 1)
        if len(input_shape) != 3:
            raise ValueError(
                f"{source}: the model takes input of shape {(None, *input_shape)}; "
                f"cnnviz.network runs models on images, (None, rows, columns, channels). "
                f"Build it with e.g. `keras.Input(shape=(28, 28, 1))`."
            )
        shape = tuple(input_shape)
        layers = []
        seen = set()
        for spec in specs:
            if spec.kind not in SUPPORTED_LAYERS or spec.kind == "InputLayer":
                spec.fail("is not supported")
            if spec.name in seen:
                spec.fail("has the same name as an earlier layer")
            seen.add(spec.name)
            out_shape, wanted, label, factory = _expected_weights(spec, shape)
            arrays = weights_for(spec)
            if arrays is None:
                arrays = [] if not wanted else None
            if arrays is None or len(arrays) != len(wanted):
                got = "none" if arrays is None else f"{len(arrays)} arrays"
                raise ValueError(
                    f"{source}: layer {spec.name!r} ({spec.kind}) needs "
                    f"{len(wanted)} weight arrays ({', '.join(n for n, _ in wanted) or 'none'}) "
                    f"but the weights hold {got}: the weights do not match the configuration. "
                    f"{_SAVE_HINT}"
                )
            checked = []
            for (wname, wshape), array in zip(wanted, arrays, strict=True):
                array = np.asarray(array)
                if array.shape != wshape:
                    raise ValueError(
                        f"{source}: layer {spec.name!r} ({spec.kind}) needs a {wname} of shape "
                        f"{wshape} for its input {(None, *shape)}, but the weights hold shape "
                        f"{array.shape}: the weights do not match the configuration. "
                        f"{_SAVE_HINT}"
                    )
                if array.dtype.kind not in "fiu":
                    raise ValueError(
                        f"{source}: layer {spec.name!r} ({spec.kind}) has a {wname} of dtype "
                        f"{array.dtype}, not numbers. {_SAVE_HINT}"
                    )
                array = np.array(array, dtype=_DTYPE)
                if not np.isfinite(array).all():
                    bad = int(np.size(array) - np.isfinite(array).sum())
                    raise ValueError(
                        f"{source}: layer {spec.name!r} ({spec.kind}) has {bad} NaN or infinite "
                        f"values in its {wname}: training diverged (try a smaller learning "
                        f"rate) or the file is damaged. Train or save the model again."
                    )
                array.flags.writeable = False
                checked.append(array)
            layers.append(
                Layer(
                    spec.name,
                    spec.kind,
                    shape,
                    out_shape,
                    tuple(checked),
                    label,
                    factory(checked),
                    json.loads(json.dumps(spec.config)),  # a plain copy
                )
            )
            shape = tuple(out_shape)
        if not layers:
            raise ValueError(f"{source}: the model has no layers to run.")
        return cls(str(name), input_shape, layers, source=source, keras_version=keras_version)

    @classmethod
    def from_keras_file(cls, path_or_bytes, *, name=None) -> Network:
        """Read a Keras 3 ``.keras`` file without TensorFlow.

        Only zipfile, json and h5py read it: no TensorFlow, no pickle, no code from the file.
        Files written by Keras 3.0 to 3.15 are read (their weight layout is the same).

        Parameters
        ----------
        path_or_bytes : str, pathlib.Path, bytes, bytearray or memoryview
            A path to the file, or its contents (e.g. ``FileUpload.value[0].content``).
        name : str, optional
            How error messages name the file (e.g. the uploaded file's name); defaults to
            the path, or "the model file" for bytes.

        Returns
        -------
        Network

        Raises
        ------
        TypeError
            If ``path_or_bytes`` is not a path or bytes.
        FileNotFoundError
            If there is no file at the path.
        ValueError
            If the file is not a zip, lacks ``config.json`` or ``model.weights.h5``, is
            corrupt or truncated, holds a model that is not Sequential, a layer that is not
            supported (the message names it, its class and what is supported), weights
            whose shapes do not match the configuration, or NaN or infinite weights.

        Examples
        --------
        >>> net = Network.from_keras_file(SHIPPED_MODEL)
        >>> net.input_shape, net.output_shape
        ((28, 28, 1), (10,))
        """
        if isinstance(path_or_bytes, bytes | bytearray | memoryview):
            data = bytes(path_or_bytes)
            source = f"`{name}`" if name else "the model file"
        elif isinstance(path_or_bytes, str | os.PathLike):
            path = Path(path_or_bytes)
            source = f"`{name or path}`"
            if not path.is_file():
                raise FileNotFoundError(
                    f"`path_or_bytes`: there is no file at {path}. Check the name, or save the "
                    f"model there first with `model.save({str(path)!r})`."
                )
            data = path.read_bytes()
        else:
            raise TypeError(
                f"`path_or_bytes` must be the path of a .keras file or its bytes; got "
                f"{describe(path_or_bytes)}. Pass e.g. 'notebooks/my_models/my_cnn.keras'."
            )
        config, metadata, weights = _read_archive(data, source)
        if config.get("class_name") != "Sequential":
            raise ValueError(
                f"{source} holds a {config.get('class_name', 'model of unknown kind')!r} model; "
                f"cnnviz.network runs Sequential models (`keras.Sequential([...])`). Rebuild "
                f"the model as a Sequential with {_supported_text()}."
            )
        model_config = config.get("config") or {}
        layer_configs = model_config.get("layers")
        if not isinstance(layer_configs, list) or not all(
            isinstance(layer, dict) for layer in layer_configs
        ):
            raise ValueError(f"{source}: config.json lists no layers. {_SAVE_HINT}")
        input_shape = _input_shape(model_config, layer_configs, source)
        specs = [
            _Spec(layer.get("class_name"), layer.get("config"), source)
            for layer in layer_configs
            if layer.get("class_name") != "InputLayer"
        ]
        for spec in specs:
            if not isinstance(spec.kind, str) or spec.kind not in SUPPORTED_LAYERS:
                spec.fail("is not supported")

        import h5py

        try:
            h5file = h5py.File(io.BytesIO(weights), "r")
        except OSError as exc:
            raise ValueError(
                f"{source} is corrupt or truncated: model.weights.h5 is not a readable HDF5 "
                f"file ({exc}). Copy or upload the file again, or save the model again."
            ) from None
        with h5file:
            store = _WeightStore(h5file, source)
            try:
                return cls._build(
                    model_config.get("name", "model"),
                    input_shape,
                    specs,
                    store.take,
                    source=source,
                    keras_version=metadata.get("keras_version"),
                )
            except (OSError, KeyError) as exc:
                raise ValueError(
                    f"{source} is corrupt or truncated: its weights cannot be read ({exc}). "
                    f"Copy or upload the file again, or save the model again."
                ) from None

    @classmethod
    def from_keras(cls, model) -> Network:
        """A Network with the layers and weights of a live Keras model (Keras is not imported).

        Parameters
        ----------
        model : keras.Sequential
            Built with a fixed input shape, e.g. from :func:`cnnviz.models.build_cnn`.

        Returns
        -------
        Network
            Independent of ``model``: float32 copies of its weights.

        Raises
        ------
        TypeError
            If ``model`` is not a Keras model.
        ValueError
            As :meth:`from_keras_file`, for a layer that is not supported or a model that
            is not Sequential.

        Examples
        --------
        >>> from cnnviz.models import build_cnn
        >>> Network.from_keras(build_cnn(filters=(8,))).summary().total
        174554
        """
        kind = type(model).__name__
        if not (hasattr(model, "layers") and hasattr(model, "get_weights")):
            raise TypeError(
                f"`model` must be a Keras model; got {describe(model)}. Pass e.g. "
                f"`cnnviz.models.load_pretrained()`, or use Network.from_keras_file(path)."
            )
        source = f"`model` ({getattr(model, 'name', kind)})"
        if kind != "Sequential":
            raise ValueError(
                f"{source} is a {kind}; cnnviz.network runs Sequential models. Rebuild it as "
                f"`keras.Sequential([...])` with {_supported_text()}."
            )
        try:
            batch_shape = tuple(model.inputs[0].shape)
        except (AttributeError, IndexError, TypeError, ValueError):
            batch_shape = tuple(getattr(model, "input_shape", None) or ())
        if len(batch_shape) < 2 or not all(isinstance(d, int) for d in batch_shape[1:]):
            raise ValueError(
                f"{source} has no fixed input shape; build it with an explicit "
                f"`keras.Input(shape=(28, 28, 1))`."
            )
        specs, weights = [], {}
        for layer in model.layers:
            spec = _Spec(type(layer).__name__, layer.get_config(), source)
            if spec.kind in SUPPORTED_LAYERS:
                weights[spec.name] = [np.asarray(w) for w in layer.get_weights()]
            specs.append(spec)
        return cls._build(
            model.name,
            batch_shape[1:],
            specs,
            lambda spec: weights.get(spec.name),
            source=source,
            keras_version=None,
        )

    # ------------------------------------------------------------------ running

    def __repr__(self) -> str:
        names = ", ".join(layer.name for layer in self.layers)
        return (
            f"<Network {self.name!r}: {(None, *self.input_shape)} -> "
            f"{(None, *self.output_shape)}, layers {names}; from {self.source}>"
        )

    @property
    def layer_names(self) -> list[str]:
        """Every layer's name, in order."""
        return [layer.name for layer in self.layers]

    @property
    def feature_layers(self) -> list[str]:
        """Names of the Conv2D and pooling layers, whose outputs are feature maps.

        Examples
        --------
        >>> Network.from_keras_file(SHIPPED_MODEL).feature_layers
        ['conv1', 'pool1', 'conv2', 'pool2']
        """
        return [layer.name for layer in self.layers if layer.kind in _FEATURE_KINDS]

    @property
    def num_classes(self) -> int:
        """Length of the output vector, e.g. 10."""
        return int(self.output_shape[-1])

    def layer(self, name) -> Layer:
        """The layer called ``name`` (or at index ``name``).

        Raises
        ------
        ValueError
            If there is no such layer (the message lists them).
        """
        return self.layers[self._index(name, "layer")]

    def _index(self, name, param):
        if isinstance(name, str):
            if name not in self._by_name:
                raise ValueError(
                    f"`{param}` {name!r} is not a layer of {self.name}; its layers are "
                    f"{self.layer_names}."
                )
            return self._by_name[name]
        if isinstance(name, int | np.integer) and not isinstance(name, bool):
            n = len(self.layers)
            return check_int(name, param, minimum=-n, maximum=n - 1) % n
        raise TypeError(
            f"`{param}` must be a layer name or index; got {describe(name)}. Pass e.g. "
            f"{self.layer_names[0]!r}."
        )

    def preprocess(self, images) -> np.ndarray:
        """Images as this network takes them: float32 (N, H, W, C) in 0..1.

        The contract of :func:`cnnviz.models.preprocess`, plus a check that the images have
        the size this network takes.

        Parameters
        ----------
        images : array_like, shape (N, H, W), (N, H, W, 1) or (H, W)
            uint8 images 0..255, float images already in 0..1, or bool masks. For a
            network on C > 1 channels: (N, H, W, C) or (H, W, C).

        Returns
        -------
        ndarray of float32, shape (N, H, W, C)

        Raises
        ------
        TypeError, ValueError
            As :func:`cnnviz.models.preprocess`; ValueError also for images of another size.

        Examples
        --------
        >>> Network.from_keras_file(SHIPPED_MODEL).preprocess(np.zeros((28, 28))).shape
        (1, 28, 28, 1)
        """
        return model_images(images, self.input_shape)

    def _run(self, images, stop):
        x = self.preprocess(images)
        yield from self._forward(x, stop)

    def _forward(self, x, stop):
        for i, layer in enumerate(self.layers[: stop + 1]):
            x = layer(x)
            yield i, x

    def predict(self, images) -> np.ndarray:
        """The network's output (class probabilities) for one image or a batch.

        Parameters
        ----------
        images : array_like, shape (N, H, W), (N, H, W, 1) or (H, W)
            As :meth:`preprocess` takes them: uint8 0..255, floats 0..1, or bool masks.

        Returns
        -------
        ndarray of float32, shape (N, num_classes)
            The last layer's output: probabilities summing to 1 for a softmax output.

        Raises
        ------
        TypeError, ValueError
            For images that are not numbers, have the wrong shape or size, or values
            outside 0..255 (integers) or 0..1 (floats).

        Examples
        --------
        >>> net = Network.from_keras_file(SHIPPED_MODEL)
        >>> probs = net.predict(np.zeros((28, 28), np.uint8))
        >>> probs.shape, bool(np.isclose(probs.sum(), 1))
        ((1, 10), True)
        """
        *_, (_, output) = self._run(images, len(self.layers) - 1)
        return np.asarray(output, dtype=_DTYPE)

    def activations(self, images, layers=None) -> OrderedDict[str, np.ndarray]:
        """Every layer's output (or the chosen layers'), from one pass over the batch.

        Parameters
        ----------
        images : array_like, shape (N, H, W), (N, H, W, 1) or (H, W)
            As :meth:`predict` takes them.
        layers : str, list of str or int, optional
            Which layers, by name or index; all of them by default. Use
            :attr:`feature_layers` for the Conv2D and pooling layers only, as
            :func:`cnnviz.models.activations` returns them. The pass stops at the last
            layer asked for.

        Returns
        -------
        OrderedDict of str -> ndarray of float32, shape (N, *layer.output_shape)
            Layer name -> outputs, in model order. A Conv2D layer's maps are taken after
            its activation (ReLU), as the next layer sees them.

        Raises
        ------
        ValueError
            For an unknown layer name (the message lists the layers), or bad images.

        Examples
        --------
        >>> net = Network.from_keras_file(SHIPPED_MODEL)
        >>> maps = net.activations(np.zeros((3, 28, 28), np.uint8), net.feature_layers)
        >>> for name, m in maps.items():
        ...     print(name, m.shape)
        conv1 (3, 26, 26, 32)
        pool1 (3, 13, 13, 32)
        conv2 (3, 11, 11, 64)
        pool2 (3, 5, 5, 64)
        """
        if layers is None:
            wanted = set(range(len(self.layers)))
        else:
            if isinstance(layers, str | int | np.integer):
                layers = [layers]
            if not isinstance(layers, list | tuple) or not layers:
                raise TypeError(
                    f"`layers` must be a layer name or a non-empty list of them; got "
                    f"{describe(layers)}. Pass e.g. {self.feature_layers or self.layer_names}."
                )
            wanted = {self._index(name, "layers") for name in layers}
        result = OrderedDict()
        for i, x in self._run(images, max(wanted)):
            if i in wanted:
                result[self.layers[i].name] = np.asarray(x, dtype=_DTYPE)
        return result

    def kernels(self, layer=None) -> Kernels:
        """A Conv2D layer's learned kernels and biases.

        Parameters
        ----------
        layer : str or int, optional
            The layer's name or index; the first Conv2D layer by default.

        Returns
        -------
        Kernels
            ``weights`` (kh, kw, in_channels, filters) and ``bias`` (filters,), float32
            copies (zeros for a layer without bias).

        Raises
        ------
        ValueError
            If there is no such layer, or it is not a Conv2D layer.

        Examples
        --------
        >>> k = Network.from_keras_file(SHIPPED_MODEL).kernels("conv2")
        >>> k.weights.shape, k.bias.shape
        ((3, 3, 32, 64), (64,))
        """
        conv_names = [lay.name for lay in self.layers if lay.kind == "Conv2D"]
        if layer is None:
            if not conv_names:
                raise ValueError(f"{self.name} has no Conv2D layer, so it has no kernels.")
            layer = conv_names[0]
        target = self.layers[self._index(layer, "layer")]
        if target.kind != "Conv2D":
            raise ValueError(
                f"`layer` {target.name!r} is a {target.kind}, which has no kernels; choose "
                f"one of the Conv2D layers {conv_names}."
            )
        weights = target.weights[0].copy()
        bias = (
            target.weights[1].copy()
            if len(target.weights) > 1
            else np.zeros(weights.shape[-1], _DTYPE)
        )
        return Kernels(weights, bias)

    def summary(self) -> shapes.LayerTable:
        """Every layer's name, output shape and parameter count, like ``model.summary()``.

        Returns
        -------
        cnnviz.shapes.LayerTable
            One row per layer, labelled ``"name: description"``; ``str(table)`` lays it
            out as text, ``table.total`` is the parameter count.

        Examples
        --------
        >>> print(Network.from_keras_file(SHIPPED_MODEL).summary())
        Layer                                        Output shape          Params
        -------------------------------------------------------------------------
        conv1: Conv2D: 32 filters 3x3, valid, relu   (None, 26, 26, 32)       320
        pool1: MaxPooling2D: 2x2                     (None, 13, 13, 32)         0
        conv2: Conv2D: 64 filters 3x3, valid, relu   (None, 11, 11, 64)    18,496
        pool2: MaxPooling2D: 2x2                     (None, 5, 5, 64)           0
        flatten: Flatten                             (None, 1600)               0
        dense1: Dense: 128 units, relu               (None, 128)          204,928
        output: Dense: 10 units, softmax             (None, 10)             1,290
        -------------------------------------------------------------------------
        Total params: 225,034
        """
        rows = [
            shapes.LayerRow(
                f"{layer.name}: {layer.label}", (None, *layer.output_shape), layer.params
            )
            for layer in self.layers
        ]
        return shapes.LayerTable(rows, sum(row.params for row in rows))


# ----------------------------------------------------------------------------- stored outputs


class KerasOutputs(NamedTuple):
    """What Keras computed with the shipped model, stored when the model was built."""

    probabilities: np.ndarray
    """(1000, 10) float32: ``model(x)`` for every shipped test digit, in order."""
    digits: np.ndarray
    """(k,) int: the test digits (indices into ``x_test``) whose activations are stored."""
    activations: OrderedDict
    """Layer name -> (k, *output_shape) float32: every layer's output for those digits."""
    keras_version: str
    """The Keras version that computed them."""


def keras_outputs(path=SHIPPED_KERAS_OUTPUTS) -> KerasOutputs:
    """Keras' own outputs for the shipped model, to compare NumPy with Keras without Keras.

    ``scripts/train_shipped_model.py`` writes them with Keras right after it saves the
    model: the probabilities for all 1,000 test digits of
    ``cnnviz.data.load_dataset("mnist", source="shipped")`` and every layer's output for a
    few of them.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Defaults to :data:`SHIPPED_KERAS_OUTPUTS`.

    Returns
    -------
    KerasOutputs

    Examples
    --------
    >>> stored = keras_outputs()
    >>> stored.probabilities.shape, list(stored.activations)[:2]
    ((1000, 10), ['conv1', 'pool1'])
    """
    with np.load(path, allow_pickle=False) as data:
        names = [str(n) for n in data["layer_names"]]
        return KerasOutputs(
            probabilities=data["probabilities"],
            digits=data["digits"],
            activations=OrderedDict((n, data[f"layer_{n}"]) for n in names),
            keras_version=str(data["keras_version"]),
        )


# ----------------------------------------------------------------------------- the course's model


def my_models_folder(folder=None) -> Path:
    """The folder where notebook 04 saves the CNN a student trains: ``my_models``.

    Relative to the working directory (a notebook's own folder, ``notebooks/``), so a
    student sees it beside the notebooks; the environment variable ``CNNVIZ_MY_MODELS``
    moves it (the tests point it at a scratch folder). git ignores ``notebooks/my_models/``.

    Examples
    --------
    >>> my_models_folder("elsewhere")
    PosixPath('elsewhere')
    """
    if folder is None:
        folder = os.environ.get("CNNVIZ_MY_MODELS") or "my_models"
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"`folder` must be a folder path; got {describe(folder)}.")
    return Path(folder)


class CourseModel(NamedTuple):
    """What :func:`open_course_model` returns."""

    network: Network
    """The CNN, in NumPy."""
    dataset: str
    """What it was trained on: ``"mnist"`` or ``"fashion_mnist"``."""
    class_names: tuple
    """One name per output, e.g. ``("0", ..., "9")`` or ``("T-shirt/top", ...)``."""
    description: str
    """Which file was opened and what it was trained on, to print."""
    shipped: bool
    """True for the shipped model (whose Keras outputs :func:`keras_outputs` has)."""
    path: Path
    """The .keras file opened."""


def open_course_model(folder=None) -> CourseModel:
    """The CNN you trained in notebook 04 if it saved one, otherwise the shipped one.

    Notebook 04 saves its CNN as ``my_models/my_cnn.keras`` with ``my_cnn.json`` beside it
    (what it was trained on, its class names: ``cnnviz.models.save_for_notebooks``).
    A file that cannot be opened is reported in ``description`` and the shipped model is
    used instead, so a notebook never stops here.

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        Defaults to :func:`my_models_folder`.

    Returns
    -------
    CourseModel
        ``network``, ``dataset``, ``class_names``, ``description``, ``shipped``.

    Examples
    --------
    >>> chosen = open_course_model("a folder that does not exist")
    >>> chosen.shipped, chosen.dataset, chosen.network.name
    (True, 'mnist', 'mnist_cnn')
    """
    folder = my_models_folder(folder)
    path = folder / MY_CNN
    problem = ""
    if path.is_file():
        try:
            network = Network.from_keras_file(path)
            info = _read_model_info(path.with_suffix(".json"))
            names = tuple(str(n) for n in info.get("class_names", _MNIST_NAMES))
            if len(names) != network.num_classes:
                names = tuple(str(i) for i in range(network.num_classes))
            dataset = str(info.get("dataset", "unknown data"))
            trained_on = str(info.get("trained_on", "data notebook 04 did not record"))
            return CourseModel(
                network,
                dataset,
                names,
                f"your CNN from notebook 04 ({path}), trained on {trained_on}",
                False,
                path,
            )
        except (OSError, ValueError) as error:
            problem = f" ({path} could not be opened: {error})"
    network = Network.from_keras_file(SHIPPED_MODEL)
    return CourseModel(
        network,
        "mnist",
        _MNIST_NAMES,
        "the CNN that ships with cnnviz, trained on the 4,000 MNIST training digits that ship "
        f"with it{problem or '; notebook 04 saves yours to ' + str(path)}",
        True,
        SHIPPED_MODEL,
    )


def _read_model_info(path):
    if not path.is_file():
        return {}
    if path.stat().st_size > _MAX_CONFIG_BYTES:
        raise ValueError(f"{path} is too large to be a model description")
    info = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(info, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return info
