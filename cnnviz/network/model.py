"""The :class:`Network`: a trained Sequential CNN's layers run one after the other.

Built from a ``.keras`` file (:mod:`cnnviz.network.files`) or a live Keras model, every
layer checked (:mod:`cnnviz.network.layers`); it predicts, gives every layer's output (the
feature maps) and a Conv2D layer's kernels, and sums itself up like ``model.summary()``.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from cnnviz import shapes
from cnnviz._validation import MAX_LENGTH, check_int, describe, model_images
from cnnviz.network.arithmetic import DTYPE
from cnnviz.network.files import SHIPPED_MODEL as SHIPPED_MODEL  # the examples' model
from cnnviz.network.files import open_keras_file
from cnnviz.network.layers import (
    FEATURE_KINDS,
    MAX_LAYER_VALUES,
    SUPPORTED_LAYERS,
    Layer,
    _Spec,
    _supported_text,
    checked_weights,
    expected_weights,
)

__all__ = ["Kernels", "Network"]


class Kernels(NamedTuple):
    """A Conv2D layer's learned parameters."""

    weights: np.ndarray
    """(kh, kw, in_channels, filters): ``weights[:, :, c, f]`` is filter f's slice for
    input channel c."""
    bias: np.ndarray
    """(filters,): added to each filter's sum before the ReLU."""


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
        if math.prod(shape) > MAX_LAYER_VALUES or max(shape) > MAX_LENGTH:
            raise ValueError(
                f"{source}: the model takes images of shape {shape}, more than the "
                f"{MAX_LAYER_VALUES:,} values per image cnnviz.network runs. Use a model on "
                f"smaller images, e.g. `keras.Input(shape=(28, 28, 1))`."
            )
        layers = []
        seen = set()
        for spec in specs:
            spec.check()
            if spec.name in seen:
                spec.fail("has the same name as an earlier layer", "Give every layer its own name.")
            seen.add(spec.name)
            out_shape, wanted, label, factory = expected_weights(spec, shape)
            checked = checked_weights(spec, wanted, weights_for(spec), shape)
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
            If there is no file at the path (a :class:`ValueError` too).
        ValueError
            If the path is a folder or a device, or the file is not a zip, lacks
            ``config.json`` or ``model.weights.h5``, is corrupt or truncated, would unpack
            to more than cnnviz reads (a zip bomb), holds JSON that is not an object or
            nests without end, a model that is not Sequential, a layer that is not supported
            or whose settings are of the wrong kind or of a size no notebook runs, weights
            whose shapes or types do not match the configuration, or NaN or infinite
            weights. The message names the file and the layer, and says what to do.

        Examples
        --------
        >>> net = Network.from_keras_file(SHIPPED_MODEL)
        >>> net.input_shape, net.output_shape
        ((28, 28, 1), (10,))
        """
        with open_keras_file(path_or_bytes, name=name) as found:
            return cls._build(
                found.name,
                found.input_shape,
                found.specs,
                found.weights_for,
                source=found.source,
                keras_version=found.keras_version,
            )

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
        return [layer.name for layer in self.layers if layer.kind in FEATURE_KINDS]

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

    def _run(self, images, wanted):
        """(index, output) of every layer up to the last one in ``wanted``; the outputs in
        ``wanted`` are checked to be finite (weights so large that float32 overflows give
        inf or NaN: an error naming the layer, never a silent NaN probability)."""
        x = first = self.preprocess(images)
        for i, layer in enumerate(self.layers[: max(wanted) + 1]):
            with np.errstate(over="ignore", invalid="ignore"):
                x = layer(x)
            if i in wanted and not np.isfinite(x).all():
                raise self._overflow(first)
            yield i, x

    def _overflow(self, x):
        """The error naming the first layer whose output for ``x`` is not finite."""
        for layer in self.layers:  # only on the way to an error: check every layer
            with np.errstate(over="ignore", invalid="ignore"):
                x = layer(x)
            if not np.isfinite(x).all():
                break
        return ValueError(
            f"{self.name}: layer {layer.name!r} ({layer.kind}) gives infinite or NaN values "
            f"for these `images`: its weights are so large that float32 overflows. Train the "
            f"model again with a smaller learning rate."
        )

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
        *_, (_, output) = self._run(images, {len(self.layers) - 1})
        return np.asarray(output, dtype=DTYPE)

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
        for i, x in self._run(images, wanted):
            if i in wanted:
                result[self.layers[i].name] = np.asarray(x, dtype=DTYPE)
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
            else np.zeros(weights.shape[-1], DTYPE)
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
