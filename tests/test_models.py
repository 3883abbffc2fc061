"""cnnviz.models: shapes and parameter counts by hand, activations against the layers called one
by one, the bridge to apply_filter, seeded training, the shipped model, thread settings."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from cnnviz import models
from cnnviz.data import load_dataset
from cnnviz.filters import apply_filter
from cnnviz.models import (
    TrainingProgress,
    activations,
    build_cnn,
    build_dense,
    feature_layer_names,
    learned_kernels,
    load_pretrained,
    predict,
    preprocess,
    train,
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


# ----------------------------------------------------------------------------- threads


def test_cgroup_quota_parsing(tmp_path):
    quota = models._cgroup_cpu_quota
    assert quota(tmp_path) is None  # no files: no quota
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert quota(tmp_path) is None
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert quota(tmp_path) == 2  # 1.5 CPUs rounded up
    (tmp_path / "cpu.max").write_text("50000 100000\n")
    assert quota(tmp_path) == 1
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("300000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert quota(v1) == 3
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert quota(v1) is None


def test_available_cpus(monkeypatch):
    import os

    affinity = len(os.sched_getaffinity(0))
    monkeypatch.setattr(models, "_cgroup_cpu_quota", lambda: None)
    assert models.available_cpus() == affinity
    monkeypatch.setattr(models, "_cgroup_cpu_quota", lambda: 1)
    assert models.available_cpus() == 1
    monkeypatch.setattr(models, "_cgroup_cpu_quota", lambda: affinity + 5)
    assert models.available_cpus() == affinity


@tf_mark
def test_configure_threads_in_fresh_process():
    # A fresh interpreter: TensorFlow's pools can only be set before it starts.
    code = textwrap.dedent(
        """
        import os, warnings
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import cnnviz.models as m
        first = m.configure_threads(1)
        import tensorflow as tf
        _ = tf.constant(1.0) + 1.0  # TensorFlow starts here
        t = tf.config.threading
        print(first, t.get_intra_op_parallelism_threads(), t.get_inter_op_parallelism_threads())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            again = m.configure_threads(1)
        print(again, len(caught))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            kept = m.configure_threads(2)
        message = str(caught[0].message)
        print(kept, len(caught), caught[0].category.__name__, "cannot be changed" in message)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines == ["1 1 1", "1 0", "1 1 RuntimeWarning True"], out.stderr[-2000:]


def test_configure_threads_rejects_bad_n():
    with pytest.raises(ValueError, match=r"`n` must be at least 1; got 0"):
        models.configure_threads(0)
    with pytest.raises(TypeError, match=r"`n` must be an integer"):
        models.configure_threads("2")


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
        assert float(model.optimizer.learning_rate) == pytest.approx(0.002)
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
    probe = models._ACTIVATION_MODELS[model]
    activations(model, images[:1])
    assert models._ACTIVATION_MODELS[model] is probe  # built once per model


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


# ----------------------------------------------------------------------------- training


@tf_mark
def test_seeded_training_on_shipped_subset_beats_chance(keras, shipped):
    model = build_cnn(**models.NOTEBOOK_CNN, seed=0)  # what notebook 04 trains
    result = train(model, shipped, epochs=2, batch_size=64, seed=0)
    accuracy = float(np.mean(predict(model, shipped.x_test).argmax(axis=1) == shipped.y_test))
    assert accuracy > 0.8  # chance is 0.1
    assert result.metrics["val_accuracy"][-1] == pytest.approx(accuracy, abs=1e-6)
    assert sorted(result.metrics) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(result.seconds_per_epoch) == 2 and min(result.seconds_per_epoch) > 0
    assert result.progress is None  # not in a notebook: silent
    assert result.metrics["loss"][1] < result.metrics["loss"][0]


@tf_mark
def test_dense_training_beats_chance(keras, shipped):
    model = build_dense(seed=0)
    train(model, (shipped.x_train, shipped.y_train), epochs=2, seed=0, progress=False)
    accuracy = float(np.mean(predict(model, shipped.x_test).argmax(axis=1) == shipped.y_test))
    assert accuracy > 0.6


@tf_mark
def test_training_drives_the_progress_display(keras, shipped):
    progress = TrainingProgress()
    x, y = shipped.x_train[:300], shipped.y_train[:300]
    result = train(build_cnn((4, 4), seed=1), (x, y), epochs=3, batch_size=64, progress=progress)
    assert result.progress is progress
    assert sorted(result.metrics) == ["accuracy", "loss"]
    assert progress.epoch_bar.value == progress.epoch_bar.max == 3
    assert progress.batch_bar.value == progress.batch_bar.max == math.ceil(300 / 64)
    assert progress.text.value.startswith("done: epoch 3/3 took")
    final_loss = result.metrics["loss"][-1]
    assert f"loss {final_loss:.3f}" in progress.text.value
    assert progress.epoch_bar.bar_style == "success"


@tf_mark
def test_progress_true_displays_a_display_in_a_notebook(keras, shipped, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(models, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    x, y = shipped.x_train[:64], shipped.y_train[:64]
    result = train(build_cnn((2,), seed=0), (x, y), epochs=1, batch_size=32)
    assert isinstance(result.progress, TrainingProgress)
    assert shown == [result.progress.widget]
    assert result.progress.batch_bar.value == 2


def test_progress_display_throttles_but_always_shows_last_batch():
    progress = TrainingProgress()
    progress.start(epochs=2, steps=10)
    assert progress.epoch_bar.max == 2 and progress.batch_bar.max == 10
    progress.min_interval = float("inf")
    progress.batch_end(epoch=0, batch=3, logs={"loss": 1.0})
    assert progress.batch_bar.value == 0 and progress.text.value.startswith("training:")
    progress.batch_end(epoch=0, batch=9, logs={"loss": 0.25, "accuracy": 0.5})
    assert progress.batch_bar.value == 10
    assert progress.text.value == "epoch 1/2, batch 10/10: loss 0.250, accuracy 0.500"
    progress.epoch_end(0, {"loss": 0.25, "val_accuracy": 0.75}, seconds=1.25)
    assert progress.epoch_bar.value == 1
    assert progress.text.value == "epoch 1/2 took 1.2 s: loss 0.250 (test: accuracy 0.750)"
    progress.min_interval = 0.0
    progress.batch_end(epoch=1, batch=0, logs={"loss": 0.5})
    assert progress.batch_bar.value == 1
    assert "last complete epoch 1/2" in progress.text.value


@tf_mark
def test_train_errors(keras, shipped):
    model = build_cnn((2,))
    x, y = shipped.x_train[:10], shipped.y_train[:10]
    with pytest.raises(TypeError, match=r"`data` must be a cnnviz.data.Dataset or a tuple"):
        train(model, x)
    with pytest.raises(ValueError, match=r"`y_train` must be 10 integer class labels"):
        train(model, (x, y[:9]))
    with pytest.raises(ValueError, match=r"`y_test` must be 3 integer class labels"):
        train(model, (x, y, x[:3], y[:3].astype(float)))
    with pytest.raises(ValueError, match=r"`epochs` must be at least 1"):
        train(model, (x, y), epochs=0)
    with pytest.raises(TypeError, match=r"`progress` must be True, False or a TrainingProgress"):
        train(model, (x, y), progress="yes")
    with pytest.raises(TypeError, match=r"`model` must be a Keras model"):
        train("cnn", (x, y))
    with pytest.raises(ValueError, match=r"`model` is not compiled"):
        train(build_cnn((2,), compile=False), (x, y))


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


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, numpy as np, cnnviz.models as m; m.preprocess(np.zeros((1, 28, 28), 'u1')); "
        "m.TrainingProgress(); "
        "print(sorted(x for x in sys.modules if x.split('.')[0] in ('tensorflow', 'keras')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.tensorflow
def test_tensorflow_start_up_lines_do_not_reach_a_students_stderr():
    # In a notebook these C++ lines show as red boxes that look like errors.
    code = (
        "from cnnviz.models import configure_threads\n"
        "configure_threads()\n"
        "import keras\n"
        "import sys\n"
        "print('after import', file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "after import" in done.stderr  # stderr itself still works afterwards
    assert "oneDNN" not in done.stderr
    assert "absl" not in done.stderr
