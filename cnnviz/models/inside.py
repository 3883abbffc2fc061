"""Looking inside a Keras model: predictions, every feature layer's maps from one call, the
kernels a Conv2D layer learned.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

import numpy as np

from cnnviz._validation import check_int, describe
from cnnviz.models.building import _check_fits, preprocess
from cnnviz.models.threads import _keras
from cnnviz.network import Kernels

__all__ = [
    "Kernels",
    "activations",
    "feature_layer_names",
    "learned_kernels",
    "predict",
]


def predict(model, images) -> np.ndarray:
    """Class probabilities for a batch, from one model call (no ``predict`` loop).

    Parameters
    ----------
    model : keras.Model
    images : array_like, shape (N, 28, 28) or (28, 28)
        uint8 images, or preprocessed ones (see :func:`preprocess`).

    Returns
    -------
    ndarray of float32, shape (N, num_classes)
        Each row sums to 1.

    Examples
    --------
    >>> from cnnviz.models import load_pretrained
    >>> probs = predict(load_pretrained(), np.zeros((2, 28, 28), np.uint8))
    >>> probs.shape
    (2, 10)
    """
    x = preprocess(images)
    _check_model(model)
    return np.asarray(model(_check_fits(model, x), training=False))


def _check_model(model):
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"`model` must be a Keras model; got {describe(model)}. Pass e.g. "
            f"`cnnviz.models.load_pretrained()`."
        )
    return keras


def _feature_layers(model):
    keras = _check_model(model)
    kinds = (
        keras.layers.Conv2D,
        keras.layers.MaxPooling2D,
        keras.layers.AveragePooling2D,
    )
    return [layer for layer in model.layers if isinstance(layer, kinds)]


def feature_layer_names(model) -> list[str]:
    """Names of the layers :func:`activations` returns: every Conv2D and pooling layer.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    list of str
        In model order, e.g. ``['conv1', 'pool1', 'conv2', 'pool2']``.

    Examples
    --------
    >>> from cnnviz.models import build_cnn
    >>> feature_layer_names(build_cnn())
    ['conv1', 'pool1', 'conv2', 'pool2']
    """
    return [layer.name for layer in _feature_layers(model)]


# One activation model per model, built on first use; dropped with the model.
_ACTIVATION_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def activations(model, images) -> OrderedDict[str, np.ndarray]:
    """Every convolution and pooling layer's feature maps, from one model call.

    An activation model from ``model``'s input to those layers' outputs is built once per
    model and cached, then called once on the whole batch (never ``predict`` in a loop).

    Parameters
    ----------
    model : keras.Model
        Built with an explicit ``keras.Input`` (as :func:`build_cnn` does).
    images : array_like, shape (N, 28, 28) or (28, 28)
        uint8 images, or preprocessed ones (see :func:`preprocess`).

    Returns
    -------
    OrderedDict of str -> ndarray of float32, shape (N, h, w, channels)
        Layer name -> feature maps, in model order. A Conv2D layer's maps are taken after
        its activation (ReLU), as the next layer sees them.

    Raises
    ------
    ValueError
        If the model has no convolution or pooling layer.

    Examples
    --------
    >>> from cnnviz.models import load_pretrained
    >>> maps = activations(load_pretrained(), np.zeros((3, 28, 28), np.uint8))
    >>> list(maps)
    ['conv1', 'pool1', 'conv2', 'pool2']
    >>> [m.shape for m in maps.values()]
    [(3, 26, 26, 32), (3, 13, 13, 32), (3, 11, 11, 64), (3, 5, 5, 64)]
    """
    x = preprocess(images)
    layers = _feature_layers(model)
    _check_fits(model, x)
    if not layers:
        raise ValueError(
            f"`model` ({model.name}) has no Conv2D or pooling layer to show; pass a CNN such "
            f"as `build_cnn()` or `load_pretrained()`."
        )
    keras = _keras()
    probe = _ACTIVATION_MODELS.get(model)
    if probe is None:
        probe = keras.Model(
            inputs=model.inputs[0],
            outputs=[layer.output for layer in layers],
            name=f"{model.name}_activations",
        )
        _ACTIVATION_MODELS[model] = probe
    outputs = probe(x, training=False)
    if not isinstance(outputs, list | tuple):
        outputs = [outputs]
    return OrderedDict(
        (layer.name, np.asarray(out)) for layer, out in zip(layers, outputs, strict=True)
    )


def learned_kernels(model, layer="conv1") -> Kernels:
    """A Conv2D layer's learned kernels and biases.

    Parameters
    ----------
    model : keras.Model
    layer : str or int, optional
        The layer's name (e.g. ``"conv2"``) or its index in ``model.layers``.

    Returns
    -------
    Kernels
        ``weights`` (kh, kw, in_channels, filters) and ``bias`` (filters,), float32 copies.
        ``weights[:, :, 0, f]`` is filter f of a first layer on grayscale images.

    Raises
    ------
    ValueError
        If there is no such layer, or it is not a Conv2D layer.

    Examples
    --------
    >>> from cnnviz.models import load_pretrained
    >>> kernels = learned_kernels(load_pretrained(), "conv1")
    >>> kernels.weights.shape, kernels.bias.shape
    ((3, 3, 1, 32), (32,))
    """
    keras = _check_model(model)
    conv_names = [lay.name for lay in model.layers if isinstance(lay, keras.layers.Conv2D)]
    if isinstance(layer, str):
        found = [lay for lay in model.layers if lay.name == layer]
        if not found:
            raise ValueError(
                f"`layer` {layer!r} is not a layer of {model.name}; its Conv2D layers are "
                f"{conv_names}."
            )
        target = found[0]
    elif isinstance(layer, int | np.integer) and not isinstance(layer, bool):
        index = check_int(layer, "layer", minimum=-len(model.layers), maximum=len(model.layers) - 1)
        target = model.layers[index]
    else:
        raise TypeError(
            f"`layer` must be a layer name or index; got {describe(layer)}. Pass e.g. 'conv1'."
        )
    if not isinstance(target, keras.layers.Conv2D):
        raise ValueError(
            f"`layer` {target.name!r} is a {type(target).__name__}, which has no kernels; "
            f"choose one of the Conv2D layers {conv_names}."
        )
    weights = np.array(target.kernel.numpy(), dtype=np.float32)
    bias = (
        np.array(target.bias.numpy(), dtype=np.float32)
        if target.use_bias
        else np.zeros(weights.shape[-1], np.float32)
    )
    return Kernels(weights, bias)
