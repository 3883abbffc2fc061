"""Figures of training (notebook 04): training curves, compared histories, mistakes."""

from __future__ import annotations

import numpy as np

from cnnviz._validation import as_float_array, check_int, describe
from cnnviz.plotting._base import _axes, _figure_and_axes

__all__ = [
    "compare_histories",
    "plot_history",
    "show_mistakes",
]


def _metrics_of(history, name="history") -> dict:
    """metric name -> list of floats, from a TrainingResult, a keras History or a dict."""
    if hasattr(history, "metrics") and isinstance(history.metrics, dict):
        raw = history.metrics
    elif hasattr(history, "history") and isinstance(history.history, dict):
        raw = history.history
    elif isinstance(history, dict):
        raw = history
    else:
        raise TypeError(
            f"`{name}` must be what cnnviz.models.train returns, a keras History or a dict of "
            f"per-epoch lists; got {describe(history)}."
        )
    return {key: [float(v) for v in values] for key, values in raw.items()}


def plot_history(history, ax=None, *, metric="accuracy", label=None, color=None):
    """Learning curves: one metric per epoch, on the training data (solid) and test (dashed).

    Parameters
    ----------
    history : TrainingResult, keras History or dict
        What :func:`cnnviz.models.train` returns, ``model.fit(...)``'s History, or a dict
        such as ``{"accuracy": [...], "val_accuracy": [...]}``.
    ax : matplotlib Axes, optional
    metric : str, optional
        ``"accuracy"``, ``"loss"`` or another key; the test curve is ``"val_" + metric``.
    label : str, optional
        Put in front of "train" and "test" in the legend (e.g. the model's name).
    color : str, optional
        One colour for both curves of this model.

    Returns
    -------
    list of matplotlib Line2D
        The training curve, then the test curve if the history has one.

    Examples
    --------
    >>> lines = plot_history({"accuracy": [0.8, 0.9], "val_accuracy": [0.78, 0.85]}, label="CNN")
    >>> [line.get_label() for line in lines], lines[1].get_ydata().tolist()
    (['CNN train', 'CNN test'], [0.78, 0.85])
    """
    metrics = _metrics_of(history)
    if not isinstance(metric, str) or metric not in metrics:
        raise ValueError(
            f"`metric` must be one of the recorded metrics {sorted(metrics)}; got {metric!r}."
        )
    ax = _axes(ax)
    prefix = f"{label} " if label else ""
    epochs = list(range(1, len(metrics[metric]) + 1))
    lines = ax.plot(epochs, metrics[metric], "o-", color=color, label=f"{prefix}train")
    color = lines[0].get_color()
    if f"val_{metric}" in metrics:
        lines += ax.plot(
            epochs, metrics[f"val_{metric}"], "s--", color=color, label=f"{prefix}test"
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.set_xticks(epochs)
    ax.legend()
    return lines


def compare_histories(histories, axes=None, *, metrics=("accuracy", "loss"), size=4.0):
    """Learning curves of several models side by side: one panel per metric.

    Parameters
    ----------
    histories : dict of str -> TrainingResult, keras History or dict
        Model name -> its training history (see :func:`plot_history`).
    axes : sequence of matplotlib Axes, optional
        One per metric.
    metrics : sequence of str, optional
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (len(metrics),)

    Examples
    --------
    >>> fig, axes = compare_histories({
    ...     "dense": {"accuracy": [0.8, 0.85], "loss": [0.6, 0.5]},
    ...     "CNN": {"accuracy": [0.85, 0.9], "loss": [0.5, 0.3]},
    ... })
    >>> [ax.get_ylabel() for ax in axes], len(axes[0].get_lines())
    (['accuracy', 'loss'], 2)
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError(
            f"`histories` must be a non-empty dict of model name -> history; got "
            f"{describe(histories)}. Pass e.g. {{'dense': dense_result, 'CNN': cnn_result}}."
        )
    if isinstance(metrics, str) or not metrics:
        raise TypeError(f"`metrics` must be a list of metric names; got {describe(metrics)}.")
    fig, grid = _figure_and_axes(axes, 1, len(metrics), size)
    grid = np.atleast_1d(grid)
    for ax, metric in zip(grid, metrics, strict=True):
        for i, (name, history) in enumerate(histories.items()):
            plot_history(history, ax, metric=metric, label=name, color=f"C{i}")
        ax.set_title(f"{metric} per epoch")
    if axes is None:
        fig.tight_layout()
    return fig, grid


def show_mistakes(
    images, y_true, y_pred, class_names=None, *, probabilities=None, n=8, ncols=8, size=1.6
):
    """The first ``n`` misclassified images, titled with the true and the predicted class.

    Parameters
    ----------
    images : array_like, shape (N, H, W)
    y_true, y_pred : array_like of int, shape (N,)
        True classes and the model's predictions.
    class_names : sequence of str, optional
        Names of the classes (default: their numbers).
    probabilities : array_like, shape (N, classes), optional
        The model's probabilities: the predicted class's probability is shown too.
    n : int, optional
    ncols : int, optional
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes
    shown : ndarray of int
        The indices of the images shown (empty if there is no mistake).

    Examples
    --------
    >>> fig, axes, shown = show_mistakes(np.zeros((3, 4, 4)), [1, 2, 3], [1, 0, 3])
    >>> shown.tolist(), axes.flat[0].get_title()
    ([1], 'true 2\\npredicted 0')
    """
    import matplotlib.pyplot as plt

    arr = as_float_array(images, "images", (3,), example="the test images, shape (N, 28, 28)")
    truth = np.asarray(y_true)
    guess = np.asarray(y_pred)
    if truth.shape != (len(arr),) or guess.shape != (len(arr),):
        raise ValueError(
            f"`y_true` and `y_pred` must hold one class per image ({len(arr)}); got shapes "
            f"{truth.shape} and {guess.shape}."
        )
    if probabilities is not None:
        probabilities = as_float_array(probabilities, "probabilities", (2,), example="(N, 10)")
        if len(probabilities) != len(arr):
            raise ValueError(
                f"`probabilities` must have one row per image ({len(arr)}); got "
                f"{len(probabilities)}."
            )
    n = check_int(n, "n", minimum=1)
    ncols = check_int(ncols, "ncols", minimum=1)

    def name(k):
        return str(class_names[int(k)]) if class_names is not None else str(int(k))

    shown = np.flatnonzero(truth != guess)[:n]
    if len(shown) == 0:
        fig, ax = plt.subplots(figsize=(size * 2, size))
        ax.text(0.5, 0.5, "no mistakes", ha="center", va="center")
        ax.axis("off")
        return fig, np.array([[ax]]), shown
    cols = min(ncols, len(shown))
    rows = -(-len(shown) // cols)
    # Each panel gets room for its two-line title above it.
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, (size + 0.5) * rows), squeeze=False)
    for ax in axes.flat[len(shown) :]:
        ax.axis("off")
    for ax, i in zip(axes.flat, shown, strict=False):
        ax.imshow(arr[i], cmap="gray", interpolation="nearest")
        title = f"true {name(truth[i])}\npredicted {name(guess[i])}"
        if probabilities is not None:
            title += f" ({probabilities[i, int(guess[i])]:.0%})"
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig, axes, shown
