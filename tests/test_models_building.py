"""cnnviz.models.building: pre-processing, shapes and parameter counts by hand, the shipped
model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cnnviz import models
from cnnviz.data import load_dataset
from cnnviz.models import (
    build_cnn,
    build_dense,
    load_pretrained,
    predict,
    preprocess,
)

tf_mark = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def shipped():
    return load_dataset("mnist", source="shipped")


@pytest.fixture(scope="module")
def pretrained(keras):
    return load_pretrained()


# ----------------------------------------------------------------------------- preprocess


def test_preprocess_scales_uint8_and_adds_channel():
    images = np.array([[[0, 255, 51]], [[102, 1, 204]]], dtype=np.uint8)  # (2, 1, 3)
    x = preprocess(images)
    assert x.shape == (2, 1, 3, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[..., 0], [[[0, 1, 0.2]], [[0.4, 1 / 255, 0.8]]], rtol=1e-6)


def test_preprocess_shapes_and_floats():
    one = np.full((28, 28), 255, np.uint8)
    assert preprocess(one).shape == (1, 28, 28, 1)
    assert preprocess(one[None, :, :, None]).shape == (1, 28, 28, 1)
    scaled = np.full((2, 28, 28), 0.5)
    np.testing.assert_array_equal(preprocess(scaled), np.full((2, 28, 28, 1), 0.5, np.float32))
    assert preprocess(np.array([[True, False]])).tolist() == [[[[1.0], [0.0]]]]


def test_preprocess_errors():
    with pytest.raises(ValueError, match=r"float `images` must already be scaled to 0\.\.1; got"):
        preprocess(np.full((1, 28, 28), 255.0))
    with pytest.raises(ValueError, match=r"integer `images` must hold pixel values 0\.\.255"):
        preprocess(np.full((1, 28, 28), 300))
    with pytest.raises(ValueError, match=r"shape \(N, H, W\).*got shape \(2, 28, 28, 3\)"):
        preprocess(np.zeros((2, 28, 28, 3), np.uint8))
    with pytest.raises(ValueError, match=r"got shape \(0, 28, 28\)"):
        preprocess(np.zeros((0, 28, 28), np.uint8))
    with pytest.raises(TypeError, match=r"`images` must be a numeric array"):
        preprocess("digit.png")
    with pytest.raises(TypeError, match=r"real numeric array"):
        preprocess(np.zeros((1, 2, 2), complex))
    with pytest.raises(ValueError, match=r"must already be scaled.*nan"):
        preprocess(np.full((1, 2, 2), np.nan))


# ----------------------------------------------------------------------------- builders


def _valid(n, k):
    return n - k + 1


def expected_cnn(filters, k=3, pool=2, dense=128, classes=10, size=28):
    """(name, output shape without batch, parameters) for every layer, by hand."""
    rows, channels, table = size, 1, []
    for i, f in enumerate(filters, start=1):
        rows = _valid(rows, k)
        table.append((f"conv{i}", (rows, rows, f), (k * k * channels + 1) * f))
        rows //= pool
        table.append((f"pool{i}", (rows, rows, f), 0))
        channels = f
    flat = rows * rows * channels
    table += [
        ("flatten", (flat,), 0),
        ("dense1", (dense,), (flat + 1) * dense),
        ("output", (classes,), (dense + 1) * classes),
    ]
    return table


@tf_mark
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, expected_cnn((64, 64))),
        ({"filters": (32, 64)}, expected_cnn((32, 64))),
        (
            {"filters": (8,), "kernel_size": 5, "pool_size": 3, "dense_units": 16},
            expected_cnn((8,), k=5, pool=3, dense=16),
        ),
        ({"filters": (4, 4, 4)}, expected_cnn((4, 4, 4))),
    ],
)
def test_build_cnn_shapes_and_parameters(keras, kwargs, expected):
    model = build_cnn(**kwargs)
    got = [
        (layer.name, tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers
    ]
    assert got == expected
    assert model.count_params() == sum(p for _, _, p in expected)
    assert tuple(model.inputs[0].shape) == (None, 28, 28, 1)


@tf_mark
def test_classic_lab_numbers(keras):
    # The classic lab's summary: 640 + 36,928 + 204,928 + 1,290 = 243,786 parameters.
    model = build_cnn()
    assert [layer.count_params() for layer in model.layers] == [640, 0, 36928, 0, 0, 204928, 1290]
    assert model.count_params() == 243786
    dense = build_dense()
    assert [layer.name for layer in dense.layers] == ["flatten", "dense1", "output"]
    assert dense.count_params() == (784 + 1) * 128 + (128 + 1) * 10 == 101770
    assert dense.layers[1].activation.__name__ == "relu"
    assert dense.layers[2].activation.__name__ == "softmax"


@tf_mark
def test_builders_compile_with_adam(keras):
    for model in (build_cnn(learning_rate=0.002), build_dense(learning_rate=0.002)):
        assert isinstance(model.optimizer, keras.optimizers.Adam)
        # convert_to_numpy: Keras 3.3's Variable has no float() (found by `nox -s lowest`)
        rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        assert rate == pytest.approx(0.002)
        assert model.loss == "sparse_categorical_crossentropy"
    assert not hasattr(build_cnn(compile=False), "optimizer")


@tf_mark
def test_builders_seed(keras):
    a, b, c = build_cnn((4,), seed=3), build_cnn((4,), seed=3), build_cnn((4,), seed=4)
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


@tf_mark
def test_builder_errors(keras):
    with pytest.raises(TypeError, match=r"`filters` must be a non-empty sequence"):
        build_cnn(filters=())
    with pytest.raises(ValueError, match=r"`filters\[1\]` must be at least 1; got 0"):
        build_cnn(filters=(8, 0))
    with pytest.raises(ValueError, match=r"only 1x1 before conv4"):
        build_cnn(filters=(2, 2, 2, 2))
    with pytest.raises(ValueError, match=r"only 2x2 before pool1"):
        build_cnn(filters=(2,), input_shape=(4, 4, 1), pool_size=3)
    with pytest.raises(TypeError, match=r"`input_shape` must be \(rows, columns, channels\)"):
        build_dense(input_shape=(28, 28))
    with pytest.raises(ValueError, match=r"`learning_rate` must be positive"):
        build_dense(learning_rate=-1.0)
    with pytest.raises(TypeError, match=r"`compile` must be True or False"):
        build_cnn(compile="yes")
    with pytest.raises(ValueError, match=r"`num_classes` must be at least 2"):
        build_dense(num_classes=1)
    with pytest.raises(TypeError, match=r"`kernel_size` must be an integer or a pair"):
        build_cnn(kernel_size="3x3")


# ----------------------------------------------------------------------------- pretrained


@tf_mark
def test_pretrained_model_is_accurate_on_shipped_test_digits(pretrained, shipped):
    assert [layer.name for layer in pretrained.layers] == [
        "conv1",
        "pool1",
        "conv2",
        "pool2",
        "flatten",
        "dense1",
        "output",
    ]
    assert pretrained.get_layer("conv1").filters == models.PRETRAINED_FILTERS[0]
    assert pretrained.get_layer("conv2").filters == models.PRETRAINED_FILTERS[1]
    probs = predict(pretrained, shipped.x_test)
    assert probs.shape == (1000, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    accuracy = float(np.mean(probs.argmax(axis=1) == shipped.y_test))
    assert accuracy > 0.9
    # Compiled like build_cnn: Keras' own evaluation agrees.
    _, keras_accuracy = pretrained.evaluate(preprocess(shipped.x_test), shipped.y_test, verbose=0)
    assert keras_accuracy == pytest.approx(accuracy, abs=1e-6)
    assert models.PRETRAINED_PATH.stat().st_size < 3_000_000


@tf_mark
def test_load_pretrained_uses_safe_mode(keras, tmp_path, monkeypatch):
    # A model file with a Lambda layer (arbitrary code) is refused in safe mode.
    unsafe = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda t: t * 2)])
    path = tmp_path / "unsafe.keras"
    unsafe.save(path)
    with pytest.raises(ValueError, match=r"safe_mode"):
        load_pretrained(path)
    seen = {}
    real = keras.models.load_model

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(keras.models, "load_model", spy)
    model = load_pretrained(compile=False)
    assert seen["safe_mode"] is True
    assert not hasattr(model, "optimizer")


@tf_mark
def test_load_pretrained_errors(tmp_path, keras):
    with pytest.raises(FileNotFoundError, match=r"scripts/train_shipped_model\.py"):
        load_pretrained(tmp_path / "missing.keras")
    with pytest.raises(TypeError, match=r"`path` must be a file path"):
        load_pretrained(3)


def _shipped_config_text() -> str:
    import zipfile

    with zipfile.ZipFile(models.PRETRAINED_PATH) as archive:
        return archive.read("config.json").decode()


def test_shipped_model_has_no_keyword_older_keras_refuses():
    # Keras 3.3-3.14 refuse GlorotUniform(input_axes=...), which Keras 3.15 writes (issue 15);
    # the lowest test session loads the file with the lowest supported Keras.
    text = _shipped_config_text()
    assert '"class_name": "Conv2D"' in text
    for key in ("input_axes", "output_axes", '"optional"', "quantization_config"):
        assert key not in text


def _training_script():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "train_shipped_model.py"
    spec = importlib.util.spec_from_file_location("train_shipped_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tf_mark
def test_make_portable_keeps_the_model(keras, tmp_path):
    model = build_cnn(filters=(4, 8), dense_units=16, compile=False, seed=3)
    path = tmp_path / "model.keras"
    model.save(path)
    _training_script().make_portable(path)
    import zipfile

    with zipfile.ZipFile(path) as archive:
        text = archive.read("config.json").decode()
    assert "input_axes" not in text and "quantization_config" not in text
    images = np.random.default_rng(0).uniform(0, 1, (5, 28, 28, 1)).astype("float32")
    reloaded = keras.models.load_model(path, compile=False)
    np.testing.assert_array_equal(reloaded(images).numpy(), model(images).numpy())
