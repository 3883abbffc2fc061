"""cnnviz.models.training: seeded training on the shipped subset, the progress display."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnnviz import models
from cnnviz.data import load_dataset
from cnnviz.models import (
    TrainingProgress,
    build_cnn,
    build_dense,
    predict,
    train,
    training,
)

tf_mark = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def shipped():
    return load_dataset("mnist", source="shipped")


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
    monkeypatch.setattr(training, "_in_notebook", lambda: True)
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
