"""Plotting helpers of notebooks 04-06: what each figure drew, checked against the inputs.

No pixels are compared: the tests read back the data, limits, titles and patches that
matplotlib holds for each Axes.
"""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

from cnnviz import plotting as P
from cnnviz.digits import prepare_digit

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


HISTORY = {
    "loss": [0.9, 0.5, 0.4],
    "accuracy": [0.7, 0.85, 0.9],
    "val_loss": [0.6, 0.55, 0.5],
    "val_accuracy": [0.8, 0.82, 0.86],
}


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


# --------------------------------------------------------------------------- kernels and maps
def test_kernel_grid_shares_one_diverging_scale():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(3, 3, 2, 10))
    fig, axes = P.kernel_grid(weights, channel=1, ncols=4)
    assert axes.shape == (3, 4)
    limit = np.abs(weights[:, :, 1, :]).max()
    for f in range(10):
        drawn = axes.flat[f].images[0]
        np.testing.assert_allclose(drawn.get_array(), weights[:, :, 1, f])
        assert drawn.get_clim() == pytest.approx((-limit, limit))
        assert drawn.get_cmap().name == "RdBu_r"
    assert not axes.flat[10].axison and not axes.flat[11].axison  # the two spare panels
    fig3, axes3 = P.kernel_grid(weights[:, :, 0, :3])  # (kh, kw, filters) works too
    np.testing.assert_allclose(axes3.flat[2].images[0].get_array(), weights[:, :, 0, 2])


def test_kernel_grid_errors():
    with pytest.raises(ValueError, match=r"`channel` must be at most 1; got 2"):
        P.kernel_grid(np.zeros((3, 3, 2, 4)), channel=2)
    with pytest.raises(ValueError, match=r"`weights` must be 3-D or 4-D"):
        P.kernel_grid(np.zeros((3, 3)))


def test_show_feature_maps_shared_and_own_scales():
    maps = np.zeros((4, 4, 3))
    maps[..., 0] = 1.0
    maps[..., 2] = 8.0
    fig, axes = P.show_feature_maps(maps, ncols=2)
    assert axes.shape == (2, 2)
    assert [axes.flat[i].images[0].get_clim() for i in range(3)] == [(0.0, 8.0)] * 3
    fig, axes = P.show_feature_maps(maps, shared=False, titles=["a", "b", "c"])
    assert axes.flat[0].images[0].get_clim() == (0.0, 1.0)
    assert axes.flat[1].images[0].get_clim() == (0.0, 1.0)  # an all-zero map: no empty range
    assert axes.flat[2].get_title() == "c"
    with pytest.raises(ValueError, match=r"`titles` must have one title per map \(3\); got 1"):
        P.show_feature_maps(maps, titles=["a"])


def test_show_layers_is_the_classic_grid():
    rng = np.random.default_rng(1)
    images = rng.random((3, 8, 8))
    maps = {"conv1": rng.random((3, 6, 6, 4)), "pool1": rng.random((3, 3, 3, 4))}
    fig, axes = P.show_layers(images, maps, 2, labels=["a", "b", "c"])
    assert axes.shape == (3, 3)
    assert [ax.get_title() for ax in axes[0]] == ["input", "conv1 #2", "pool1 #2"]
    assert axes[1, 0].get_ylabel() == "b"
    for c, name in enumerate(maps, start=1):
        column_max = maps[name][..., 2].max()
        for r in range(3):
            drawn = axes[r, c].images[0]
            np.testing.assert_allclose(drawn.get_array(), maps[name][r, :, :, 2])
            assert drawn.get_clim() == pytest.approx((0.0, column_max))


def test_show_layers_errors():
    images = np.zeros((2, 8, 8))
    maps = {"conv1": np.zeros((2, 6, 6, 4)), "conv2": np.zeros((2, 4, 4, 8))}
    with pytest.raises(ValueError, match=r"`filter_index` must be at most 3; got 5"):
        P.show_layers(images, maps, 5)
    with pytest.raises(ValueError, match=r"`maps\['conv1'\]` must hold maps for the 3 images"):
        P.show_layers(np.zeros((3, 8, 8)), maps)
    with pytest.raises(TypeError, match=r"`maps` must be a dict of layer name"):
        P.show_layers(images, [np.zeros((2, 6, 6, 4))])
    with pytest.raises(ValueError, match=r"`labels` must have one label per image"):
        P.show_layers(images, maps, labels=["x"])


# --------------------------------------------------------------------------- digits
def test_show_digit_steps_draws_every_step_and_the_box():
    paper = np.full((60, 50), 255.0)
    paper[5:45, 6:12] = 0
    steps = prepare_digit(paper)
    fig, axes = P.show_digit_steps(steps)
    assert len(axes) == 6
    assert [ax.get_title() for ax in axes] == [title for title, _ in steps.pictures()]
    for ax, (_, picture) in zip(axes, steps.pictures(), strict=True):
        np.testing.assert_array_equal(ax.images[0].get_array(), picture)
    box = axes[2].patches[0]
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (5.5, 4.5, 6, 40)
    cross = axes[-1].get_lines()[0]
    assert (cross.get_ydata()[0], cross.get_xdata()[0]) == pytest.approx(steps.centre_of_mass)
    with pytest.raises(TypeError, match=r"`steps` must be what cnnviz.digits.prepare_digit"):
        P.show_digit_steps(paper)


def test_show_probabilities_highlights_the_prediction():
    probs = [0.05, 0.1, 0.6, 0.25]
    bars = P.show_probabilities(probs, ["a", "b", "c", "d"])
    assert [round(float(b.get_height()), 6) for b in bars] == probs
    colours = [b.get_facecolor() for b in bars]
    assert colours[2] != colours[0] and colours[0] == colours[1] == colours[3]
    assert bars[0].axes.get_title() == "prediction: c (60%)"
    assert bars[0].axes.get_ylim() == (0.0, 1.0)
    with pytest.raises(
        ValueError, match=r"`class_names` must have one name per class \(4\); got 2"
    ):
        P.show_probabilities(probs, ["a", "b"])
    with pytest.raises(ValueError, match=r"`probabilities` must be 1-D"):
        P.show_probabilities(np.ones((2, 2)))
