"""cnnviz.models.inside: activations against the layers called one by one, the bridge to
apply_filter, learned kernels.
"""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.data import load_dataset
from cnnviz.filters import apply_filter
from cnnviz.models import (
    activations,
    build_dense,
    feature_layer_names,
    inside,
    learned_kernels,
    load_pretrained,
    preprocess,
)

tf_mark = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def shipped():
    return load_dataset("mnist", source="shipped")


@pytest.fixture(scope="module")
def pretrained(keras):
    return load_pretrained()


# ----------------------------------------------------------------------------- looking inside


def layer_by_layer(model, x):
    """Each layer's output, computed by calling the layers one after the other."""
    outputs = {}
    for layer in model.layers:
        x = layer(x)
        outputs[layer.name] = np.asarray(x)
    return outputs


@tf_mark
def test_activations_equal_each_layers_output(pretrained, shipped):
    images = shipped.x_test[:6]
    maps = activations(pretrained, images)
    assert list(maps) == ["conv1", "pool1", "conv2", "pool2"] == feature_layer_names(pretrained)
    reference = layer_by_layer(pretrained, preprocess(images))
    for name, value in maps.items():
        assert value.shape == reference[name].shape
        assert value.dtype == np.float32
        np.testing.assert_allclose(value, reference[name], rtol=1e-5, atol=1e-6, err_msg=name)
    assert maps["conv1"].shape == (6, 26, 26, 32) and maps["pool2"].shape == (6, 5, 5, 64)


@tf_mark
def test_activations_other_layer_kinds_and_cache(keras):
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((12, 12, 1)),
            layers.Conv2D(3, 3, padding="same", name="c"),
            layers.AveragePooling2D(2, name="avg"),
            layers.Conv2D(2, 2, strides=2, activation="relu", name="c2"),
            layers.Flatten(),
            layers.Dense(4),
        ]
    )
    images = np.random.default_rng(0).integers(0, 256, (3, 12, 12), dtype=np.uint8)
    maps = activations(model, images)
    assert [(n, m.shape) for n, m in maps.items()] == [
        ("c", (3, 12, 12, 3)),
        ("avg", (3, 6, 6, 3)),
        ("c2", (3, 3, 3, 2)),
    ]
    reference = layer_by_layer(model, preprocess(images))
    for name, value in maps.items():
        np.testing.assert_allclose(value, reference[name], rtol=1e-5, atol=1e-6, err_msg=name)
    probe = inside._ACTIVATION_MODELS[model]
    activations(model, images[:1])
    assert inside._ACTIVATION_MODELS[model] is probe  # built once per model


@tf_mark
def test_bridge_conv1_is_apply_filter_plus_bias_then_relu(pretrained, shipped):
    image = shipped.x_test[0]
    maps = activations(pretrained, image)
    kernels = learned_kernels(pretrained, "conv1")
    x = image.astype(np.float64) / 255
    for f in (0, 7, 31):
        mine = np.maximum(apply_filter(x, kernels.weights[:, :, 0, f], bias=kernels.bias[f]), 0)
        np.testing.assert_allclose(maps["conv1"][0, :, :, f], mine, rtol=1e-4, atol=1e-5)


@tf_mark
def test_learned_kernels(pretrained):
    first = learned_kernels(pretrained)
    assert first.weights.shape == (3, 3, 1, 32) and first.bias.shape == (32,)
    second = learned_kernels(pretrained, "conv2")
    assert second.weights.shape == (3, 3, 32, 64) and second.bias.shape == (64,)
    weights, bias = pretrained.get_layer("conv2").get_weights()
    np.testing.assert_array_equal(second.weights, weights)
    np.testing.assert_array_equal(second.bias, bias)
    np.testing.assert_array_equal(learned_kernels(pretrained, 2).weights, weights)
    assert first.weights.std() > 0.05  # trained, not all zeros


@tf_mark
def test_inside_errors(pretrained, keras):
    with pytest.raises(ValueError, match=r"'conv9' is not a layer.*\['conv1', 'conv2'\]"):
        learned_kernels(pretrained, "conv9")
    with pytest.raises(ValueError, match=r"'pool1' is a MaxPooling2D, which has no kernels"):
        learned_kernels(pretrained, "pool1")
    with pytest.raises(ValueError, match=r"`layer` must be at most 6; got 7"):
        learned_kernels(pretrained, 7)
    with pytest.raises(TypeError, match=r"`layer` must be a layer name or index"):
        learned_kernels(pretrained, 1.5)
    with pytest.raises(TypeError, match=r"`model` must be a Keras model"):
        learned_kernels("model.keras")
    with pytest.raises(ValueError, match=r"has no Conv2D or pooling layer"):
        activations(build_dense(), np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(TypeError, match=r"`model` must be a Keras model"):
        activations(None, np.zeros((1, 28, 28), np.uint8))
