"""cnnviz.network: the NumPy forward pass against the package's own apply_filter/max_pool and
against Keras (every layer, the shipped model on every shipped test digit, random models),
reading .keras files of several Keras versions without TensorFlow, and every bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnviz import models
from cnnviz.data import load_dataset
from cnnviz.filters import apply_filter
from cnnviz.network import (
    SHIPPED_MODEL,
    SUPPORTED_LAYERS,
    Network,
    keras_outputs,
)
from cnnviz.network.arithmetic import conv2d, pool2d
from cnnviz.pooling import avg_pool, max_pool
from cnnviz.shapes import Conv2D, Dense, Flatten, Pool2D, layer_table

tf_mark = pytest.mark.tensorflow
OLD_KERAS_FILE = Path(__file__).parent / "data" / "keras_3_0_5_all_layers.keras"
TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}  # the "within 1e-5"


@pytest.fixture(scope="module")
def shipped():
    return load_dataset("mnist", source="shipped")


@pytest.fixture(scope="module")
def net():
    return Network.from_keras_file(SHIPPED_MODEL)


def layer_outputs(keras, model, x):
    """Every layer's output from Keras, in one call of a probe model."""
    probe = keras.Model(model.inputs[0], [layer.output for layer in model.layers])
    outs = probe(x, training=False)
    return {layer.name: np.asarray(o) for layer, o in zip(model.layers, outs, strict=True)}


def assert_same_as_keras(keras, network, model, images):
    expected = layer_outputs(keras, model, network.preprocess(images))
    got = network.activations(images)
    assert list(got) == list(expected)
    for name, value in got.items():
        assert value.dtype == np.float32 and value.shape == expected[name].shape, name
        np.testing.assert_allclose(value, expected[name], **TOLERANCE, err_msg=name)
    probs = network.predict(images)
    expected_probs = np.asarray(model(network.preprocess(images), training=False))
    np.testing.assert_allclose(probs, expected_probs, **TOLERANCE)


# ----------------------------------------------------------------------------- arithmetic


@settings(deadline=None, max_examples=60)
@given(
    n=st.integers(1, 3),
    size=st.tuples(st.integers(5, 12), st.integers(5, 12)),
    channels=st.integers(1, 3),
    filters=st.integers(1, 4),
    kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.sampled_from(["valid", "same"]),
    seed=st.integers(0, 2**16),
)
def test_conv_is_apply_filter_per_filter(
    n, size, channels, filters, kernel, strides, padding, seed
):
    from cnnviz.filters import padding_amounts

    rng = np.random.default_rng(seed)
    x = rng.random((n, *size, channels), dtype=np.float32)
    weights = rng.standard_normal((*kernel, channels, filters)).astype(np.float32)
    bias = rng.standard_normal(filters).astype(np.float32)
    pads = tuple(
        padding_amounts(s, k, padding, st_) for s, k, st_ in zip(size, kernel, strides, strict=True)
    )
    got = conv2d(x, weights, bias, strides, pads)
    for i in range(n):
        for f in range(filters):
            expected = apply_filter(
                x[i], weights[:, :, :, f], padding, stride=strides, bias=float(bias[f])
            )
            np.testing.assert_allclose(got[i, :, :, f], expected, rtol=1e-5, atol=1e-5)


@settings(deadline=None, max_examples=60)
@given(
    n=st.integers(1, 3),
    size=st.tuples(st.integers(2, 11), st.integers(2, 11)),
    channels=st.integers(1, 3),
    window=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    kind=st.sampled_from(["MaxPooling2D", "AveragePooling2D"]),
    seed=st.integers(0, 2**16),
)
def test_pool_is_max_pool_and_avg_pool(n, size, channels, window, strides, kind, seed):
    assume(window[0] <= size[0] and window[1] <= size[1])  # Keras refuses the others too
    x = np.random.default_rng(seed).standard_normal((n, *size, channels)).astype(np.float32)
    got = pool2d(x, window, strides, kind)
    reference = max_pool if kind == "MaxPooling2D" else avg_pool
    for i in range(n):
        expected = reference(x[i], size=window, stride=strides)
        np.testing.assert_allclose(got[i], expected, rtol=1e-6, atol=1e-6)


def test_shipped_model_by_hand(net, shipped):
    # The forward pass written out with the package's own operations, for two digits.
    x = shipped.x_test[:2].astype(np.float64) / 255
    probs = net.predict(shipped.x_test[:2])
    for i in range(2):
        maps = x[i][:, :, None]
        for conv in ("conv1", "conv2"):
            k = net.kernels(conv)
            maps = np.stack(
                [
                    np.maximum(apply_filter(maps, k.weights[..., f], bias=float(k.bias[f])), 0)
                    for f in range(k.weights.shape[-1])
                ],
                axis=-1,
            )
            maps = max_pool(maps)
        w1, b1 = net.layer("dense1").weights
        w2, b2 = net.layer("output").weights
        hidden = np.maximum(maps.reshape(-1) @ w1 + b1, 0)
        logits = hidden @ w2 + b2
        expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        np.testing.assert_allclose(probs[i], expected, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- no TensorFlow


def test_shipped_model_equals_stored_keras_outputs(net, shipped):
    stored = keras_outputs()
    probs = net.predict(shipped.x_test)
    np.testing.assert_allclose(probs, stored.probabilities, **TOLERANCE)
    assert (probs.argmax(1) == stored.probabilities.argmax(1)).all()
    maps = net.activations(shipped.x_test[stored.digits])
    assert list(maps) == list(stored.activations) == net.layer_names
    for name, value in maps.items():
        np.testing.assert_allclose(value, stored.activations[name], **TOLERANCE, err_msg=name)
    assert np.mean(probs.argmax(1) == shipped.y_test) > 0.95


def test_network_runs_without_importing_tensorflow():
    code = (
        "import sys, numpy as np\n"
        "from cnnviz.network import Network, SHIPPED_MODEL\n"
        "net = Network.from_keras_file(SHIPPED_MODEL)\n"
        "p = net.predict(np.zeros((2, 28, 28), np.uint8))\n"
        "net.activations(np.zeros((28, 28)), net.feature_layers); net.kernels(); net.summary()\n"
        "print(p.shape, sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tensorflow', 'keras', 'jax', 'torch')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(2, 10) []"


def test_reads_a_file_written_by_keras_3_0():
    # Written by tests/data/make_old_keras_file.py with Keras 3.0.5, whose weight file has
    # no layer names (Keras 3.15's has): layers are matched by class and order.
    old = Network.from_keras_file(OLD_KERAS_FILE)
    assert old.keras_version == "3.0.5"
    assert [(layer.name, layer.kind) for layer in old.layers] == [
        ("rescale", "Rescaling"),
        ("conv1", "Conv2D"),
        ("pool1", "MaxPooling2D"),
        ("drop", "Dropout"),
        ("conv2", "Conv2D"),
        ("pool2", "AveragePooling2D"),
        ("act", "Activation"),
        ("flatten", "Flatten"),
        ("dense1", "Dense"),
        ("relu", "ReLU"),
        ("logits", "Dense"),
        ("softmax", "Softmax"),
    ]
    with (
        zipfile.ZipFile(OLD_KERAS_FILE) as z,
        h5py.File(io.BytesIO(z.read("model.weights.h5"))) as f,
    ):
        np.testing.assert_array_equal(old.kernels("conv2").weights, f["layers/conv2d_1/vars/0"][()])
        assert "name" not in f["layers/conv2d_1/vars"].attrs
    assert old.kernels("conv2").bias.tolist() == [0, 0, 0]  # conv2 has no bias
    probs = old.predict(np.random.default_rng(0).integers(0, 256, (4, 12, 12), dtype=np.uint8))
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)


def test_summary_matches_layer_table(net):
    table = net.summary()
    by_hand = layer_table(
        (28, 28, 1),
        [Conv2D(32, 3), Pool2D(), Conv2D(64, 3), Pool2D(), Flatten(), Dense(128), Dense(10)],
    )
    assert [r.output_shape for r in table.rows] == [r.output_shape for r in by_hand.rows]
    assert [r.params for r in table.rows] == [r.params for r in by_hand.rows]
    assert table.total == by_hand.total == 225_034
    assert table.rows[0].label.startswith("conv1: Conv2D: 32 filters 3x3")
    assert "Total params: 225,034" in str(table)


def test_predict_follows_the_preprocess_contract(net, shipped):
    digits = shipped.x_test[:3]
    expected = net.predict(digits)
    for same in (digits[..., None], digits.astype(np.float64) / 255, digits.astype(np.int64)):
        np.testing.assert_allclose(net.predict(same), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(net.predict(digits[0]), expected[:1], rtol=1e-6, atol=1e-7)
    mask = digits[0] > 127
    np.testing.assert_array_equal(net.preprocess(mask), models.preprocess(mask))
    np.testing.assert_array_equal(net.preprocess(digits), models.preprocess(digits))


def test_activations_layers_and_kernels(net, shipped):
    images = shipped.x_test[:4]
    every = net.activations(images)
    assert list(every) == net.layer_names
    some = net.activations(images, ["pool1", "conv1"])
    assert list(some) == ["conv1", "pool1"]  # model order
    np.testing.assert_array_equal(some["pool1"], every["pool1"])
    assert list(net.activations(images, "dense1")) == ["dense1"]
    assert list(net.activations(images, 0)) == ["conv1"]
    assert net.feature_layers == ["conv1", "pool1", "conv2", "pool2"]
    assert net.kernels().weights.shape == (3, 3, 1, 32)
    k = net.kernels("conv2")
    np.testing.assert_array_equal(k.weights, net.layer("conv2").weights[0])
    k.weights[0, 0, 0, 0] = 99  # a copy: the network is unchanged
    assert net.layer("conv2").weights[0][0, 0, 0, 0] != 99
    with pytest.raises(ValueError, match="read-only"):
        net.layer("conv2").weights[0][0, 0, 0, 0] = 1
    assert net.num_classes == 10 and net.input_shape == (28, 28, 1)
    assert "conv1" in repr(net) and "Conv2D" in repr(net.layer("conv1"))


def test_from_bytes_and_names(net):
    data = SHIPPED_MODEL.read_bytes()
    for blob in (data, bytearray(data), memoryview(data)):
        again = Network.from_keras_file(blob)
        np.testing.assert_array_equal(again.kernels().weights, net.kernels().weights)
    assert Network.from_keras_file(data).source == "the model file"
    assert Network.from_keras_file(data, name="mine.keras").source == "`mine.keras`"
    assert Network.from_keras_file(str(SHIPPED_MODEL)).name == "mnist_cnn"
    assert set(SUPPORTED_LAYERS) >= {"Conv2D", "MaxPooling2D", "Dense", "Dropout", "Softmax"}


# ----------------------------------------------------------------------------- bad input
# (bad and hostile files: tests/test_network_files.py)


def test_bad_arguments(net, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"`path_or_bytes`: '.*' does not exist"):
        Network.from_keras_file(tmp_path / "missing.keras")
    with pytest.raises(TypeError, match=r"`path_or_bytes` must be the path of a \.keras file"):
        Network.from_keras_file(3)
    (tmp_path / "notes.keras").write_text("hello")
    with pytest.raises(ValueError, match=r"`.*notes\.keras` is not a zip archive"):
        Network.from_keras_file(tmp_path / "notes.keras")
    with pytest.raises(ValueError, match=r"`mine\.keras` is not a zip"):
        Network.from_keras_file(b"x", name="mine.keras")
    with pytest.raises(TypeError, match=r"`model` must be a Keras model"):
        Network.from_keras("model.keras")
    with pytest.raises(
        ValueError,
        match=r"`images` must be 28x28 pixels, the size this model takes \(its input is "
        r"\(None, 28, 28, 1\)\); got shape \(2, 32, 32\)\. Resize them to 28x28 first",
    ):
        net.predict(np.zeros((2, 32, 32), np.uint8))
    with pytest.raises(ValueError, match=r"float `images` must already be scaled to 0\.\.1"):
        net.predict(np.full((28, 28), 255.0))
    with pytest.raises(ValueError, match=r"must be grayscale images of shape \(N, H, W\)"):
        net.predict(np.zeros((1, 28, 28, 3), np.uint8))
    with pytest.raises(TypeError, match=r"`images` must be a numeric array"):
        net.predict("seven.png")
    with pytest.raises(ValueError, match=r"`layers` 'conv9' is not a layer of mnist_cnn; its"):
        net.activations(np.zeros((28, 28)), ["conv9"])
    with pytest.raises(TypeError, match=r"`layers` must be a layer name or a non-empty list"):
        net.activations(np.zeros((28, 28)), [])
    with pytest.raises(ValueError, match=r"'pool1' is a MaxPooling2D, which has no kernels"):
        net.kernels("pool1")
    with pytest.raises(ValueError, match=r"`layer` must be at most 6; got 7"):
        net.kernels(7)
    with pytest.raises(TypeError, match=r"`layer` must be a layer name or index"):
        net.layer(1.5)


# ----------------------------------------------------------------------------- against Keras


@tf_mark
def test_shipped_model_equals_keras_on_every_shipped_test_digit(keras, net, shipped):
    model = models.load_pretrained(compile=False)
    assert_same_as_keras(keras, net, model, shipped.x_test)
    keras_probs = models.predict(model, shipped.x_test)
    assert (net.predict(shipped.x_test).argmax(1) == keras_probs.argmax(1)).all()
    # The stored outputs are what Keras computes with the shipped file today.
    stored = keras_outputs()
    np.testing.assert_allclose(stored.probabilities, keras_probs, rtol=1e-6, atol=1e-6)
    kernels = models.learned_kernels(model, "conv2")
    np.testing.assert_array_equal(net.kernels("conv2").weights, kernels.weights)
    assert net.summary().total == model.count_params()


@tf_mark
@settings(deadline=None, max_examples=12)
@given(
    blocks=st.integers(2, 3),
    filters=st.integers(1, 6),
    kernel=st.sampled_from([3, 5]),
    padding=st.sampled_from(["valid", "same"]),
    strides=st.sampled_from([1, 2, (1, 2)]),
    pooling=st.sampled_from(["max", "average"]),
    seed=st.integers(0, 1000),
)
def test_random_cnns_equal_keras(keras, blocks, filters, kernel, padding, strides, pooling, seed):
    try:
        model = models.build_cnn(
            filters=(filters,) * blocks,
            kernel_size=kernel,
            padding=padding,
            strides=strides,
            pooling=pooling,
            dense_units=8,
            seed=seed,
            compile=False,
        )
    except ValueError:  # the image became smaller than a kernel or window on the way
        return
    rng = np.random.default_rng(seed)
    # Keras' own random (Glorot) kernels for this seed, plus random biases (build_cnn starts
    # them at zero). Kernels 5x larger make sums of +-40 that cancel to 2: both sides then
    # round differently in float32 by a few 1e-5, more than this test's tolerance allows.
    model.set_weights(
        [
            w if w.ndim > 1 else rng.normal(0, 0.1, w.shape).astype(np.float32)
            for w in model.get_weights()
        ]
    )
    network = Network.from_keras(model)
    images = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    assert_same_as_keras(keras, network, model, images)
    assert network.summary().total == model.count_params()
    assert [layer.output_shape for layer in network.layers] == [
        tuple(layer.output.shape[1:]) for layer in model.layers
    ]


@tf_mark
def test_dense_network_equals_keras(keras):
    model = models.build_dense(hidden_units=16, seed=1, compile=False)
    network = Network.from_keras(model)
    assert network.feature_layers == []
    images = np.random.default_rng(1).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    assert_same_as_keras(keras, network, model, images)
    with pytest.raises(ValueError, match=r"has no Conv2D layer, so it has no kernels"):
        network.kernels()


@tf_mark
def test_every_supported_layer_saved_and_read_back(keras, tmp_path):
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((12, 12, 2)),
            layers.Rescaling([2.0, 0.5], offset=-0.25, name="scale"),
            layers.RandomFlip(name="flip"),
            layers.RandomRotation(0.1, name="rotate"),
            layers.RandomTranslation(0.1, 0.1, name="translate"),
            layers.RandomZoom(0.1, name="zoom"),
            layers.RandomContrast(0.1, name="contrast"),
            layers.RandomBrightness(0.1, name="brightness"),
            layers.GaussianNoise(0.3, name="noise"),
            layers.Conv2D(4, (3, 2), strides=(2, 1), padding="same", name="c1"),
            layers.ReLU(max_value=0.8, negative_slope=0.1, name="relu"),
            layers.SpatialDropout2D(0.3, name="sdrop"),
            layers.Conv2D(3, 2, activation="sigmoid", use_bias=False, name="c2"),
            layers.AveragePooling2D((2, 3), strides=1, name="avg"),
            layers.Conv2D(3, 1, activation="softmax", name="c3"),
            layers.MaxPooling2D(2, strides=(1, 2), name="max"),
            layers.GaussianDropout(0.2, name="gdrop"),
            layers.AlphaDropout(0.2, name="adrop"),
            layers.Activation("tanh", name="tanh"),
            layers.ActivityRegularization(0.01, name="reg"),
            layers.Flatten(name="flat"),
            layers.Dropout(0.5, name="drop"),
            layers.Dense(7, activation="relu", name="d1"),
            layers.Dense(5, name="d2"),
            layers.Softmax(name="soft"),
        ]
    )
    rng = np.random.default_rng(2)
    model.set_weights([rng.normal(0, 1, w.shape).astype(np.float32) for w in model.get_weights()])
    path = tmp_path / "every layer.keras"
    model.save(path)
    live = Network.from_keras(model)
    from_file = Network.from_keras_file(path)
    assert from_file.keras_version == keras.__version__
    images = rng.random((6, 12, 12, 2)).astype(np.float32)
    assert_same_as_keras(keras, from_file, model, images)
    for a, b in zip(
        live.activations(images).values(), from_file.activations(images).values(), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    assert from_file.summary().total == model.count_params()


@tf_mark
def test_file_written_by_keras_3_0_equals_keras_today(keras):
    model = keras.models.load_model(OLD_KERAS_FILE, safe_mode=True, compile=False)
    network = Network.from_keras_file(OLD_KERAS_FILE)
    images = np.random.default_rng(3).integers(0, 256, (5, 12, 12), dtype=np.uint8)
    assert_same_as_keras(keras, network, model, images)


@tf_mark
def test_unsupported_live_layers(keras):
    layers = keras.layers
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), layers.Conv2D(2, 3), layers.BatchNormalization(name="bn")]
    )
    with pytest.raises(
        ValueError, match=r"`model` \(.*\): layer 'bn' \(BatchNormalization\) is not supported"
    ):
        Network.from_keras(model)
    inputs = keras.Input((8, 8, 1))
    functional = keras.Model(inputs, layers.Flatten()(inputs))
    with pytest.raises(ValueError, match=r"is a Functional; cnnviz\.network runs Sequential"):
        Network.from_keras(functional)


def test_open_course_model_prefers_the_students_cnn(tmp_path):
    from cnnviz.network import open_course_model

    shipped = open_course_model(tmp_path / "nothing here")
    assert shipped.shipped and shipped.dataset == "mnist" and shipped.path == SHIPPED_MODEL
    assert shipped.class_names == tuple("0123456789")
    assert "notebook 04 saves yours to" in shipped.description
    folder = tmp_path / "my_models"
    folder.mkdir()
    (folder / "my_cnn.keras").write_bytes(SHIPPED_MODEL.read_bytes())
    names = [f"class {i}" for i in range(10)]
    info = {"dataset": "fashion_mnist", "class_names": names, "trained_on": "Fashion-MNIST x"}
    (folder / "my_cnn.json").write_text(json.dumps(info))
    mine = open_course_model(folder)
    assert not mine.shipped and mine.dataset == "fashion_mnist"
    assert mine.class_names == tuple(names) and mine.path == folder / "my_cnn.keras"
    assert mine.description.startswith("your CNN from notebook 04") and "Fashion-MNIST x" in (
        mine.description
    )
    (folder / "my_cnn.keras").write_bytes(b"half a file")
    fallback = open_course_model(folder)
    assert fallback.shipped and "could not be opened" in fallback.description
