"""Figures of training (cnnviz.plotting.training): curves, compared histories, mistakes.

No pixels are compared: the tests read back the data, limits, titles and patches that
matplotlib holds for each Axes.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from _plot_helpers import HISTORY, close_figures, texts  # noqa: F401 (autouse)

from cnnviz import plotting as P


# --------------------------------------------------------------------------- learning curves
def test_plot_history_reads_every_kind_of_history():
    result = SimpleNamespace(metrics=HISTORY)  # what cnnviz.models.train returns
    keras_history = SimpleNamespace(history=HISTORY)  # what model.fit returns
    for history in (HISTORY, result, keras_history):
        train, test = P.plot_history(history, metric="loss", label="dense")
        assert train.get_xdata().tolist() == [1, 2, 3]
        assert train.get_ydata().tolist() == HISTORY["loss"]
        assert test.get_ydata().tolist() == HISTORY["val_loss"]
        assert (train.get_label(), test.get_label()) == ("dense train", "dense test")
        assert train.get_color() == test.get_color() and test.get_linestyle() == "--"


def test_plot_history_without_test_data():
    lines = P.plot_history({"accuracy": [0.5, 0.6]})
    assert len(lines) == 1 and lines[0].get_label() == "train"


def test_plot_history_errors():
    with pytest.raises(ValueError, match=r"`metric` must be one of the recorded metrics"):
        P.plot_history(HISTORY, metric="precision")
    with pytest.raises(TypeError, match=r"`history` must be what cnnviz.models.train returns"):
        P.plot_history([0.5, 0.6])


def test_compare_histories_one_panel_per_metric_one_colour_per_model():
    other = {k: [v * 0.9 for v in vals] for k, vals in HISTORY.items()}
    fig, axes = P.compare_histories({"dense": HISTORY, "CNN": other})
    assert len(axes) == 2
    assert [ax.get_ylabel() for ax in axes] == ["accuracy", "loss"]
    lines = axes[1].get_lines()
    assert [line.get_label() for line in lines] == [
        "dense train",
        "dense test",
        "CNN train",
        "CNN test",
    ]
    assert lines[0].get_color() != lines[2].get_color()
    assert lines[3].get_ydata().tolist() == other["val_loss"]


def test_compare_histories_errors():
    with pytest.raises(TypeError, match=r"`histories` must be a non-empty dict"):
        P.compare_histories([HISTORY])
    with pytest.raises(TypeError, match=r"`metrics` must be a list of metric names"):
        P.compare_histories({"a": HISTORY}, metrics="loss")


# --------------------------------------------------------------------------- mistakes
def test_show_mistakes_picks_the_misclassified_images_in_order():
    images = np.arange(6 * 4 * 4, dtype=float).reshape(6, 4, 4)
    truth = [0, 1, 2, 3, 4, 5]
    guess = [0, 2, 2, 1, 4, 0]
    probs = np.full((6, 6), 0.1)
    probs[1, 2] = 0.55
    fig, axes, shown = P.show_mistakes(
        images, truth, guess, ["zero", "one", "two", "three", "four", "five"], probabilities=probs
    )
    assert shown.tolist() == [i for i in range(6) if truth[i] != guess[i]]
    assert axes.flat[0].get_title() == "true one\npredicted two (55%)"
    np.testing.assert_array_equal(axes.flat[1].images[0].get_array(), images[3])
    limited = P.show_mistakes(images, truth, guess, n=2)[2]
    assert limited.tolist() == [1, 3]


def test_show_mistakes_none():
    fig, axes, shown = P.show_mistakes(np.zeros((2, 3, 3)), [1, 2], [1, 2])
    assert len(shown) == 0
    assert axes[0, 0].texts[0].get_text() == "no mistakes"


def test_show_mistakes_errors():
    with pytest.raises(
        ValueError, match=r"one class per image \(2\); got shapes \(3,\) and \(2,\)"
    ):
        P.show_mistakes(np.zeros((2, 3, 3)), [1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"`probabilities` must have one row per image"):
        P.show_mistakes(np.zeros((2, 3, 3)), [1, 2], [1, 2], probabilities=np.ones((3, 10)))
    with pytest.raises(ValueError, match=r"`images` must be 3-D"):
        P.show_mistakes(np.zeros((3, 3)), [1], [1])
