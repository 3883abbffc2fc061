"""Figures of a student's digit (notebook 06): pre-processing steps, probabilities."""

from __future__ import annotations

import numpy as np

from cnnviz._validation import as_float_array, describe
from cnnviz.plotting._base import _axes, _figure_and_axes
from cnnviz.plotting.images import show_image

__all__ = [
    "show_digit_steps",
    "show_probabilities",
]


def show_digit_steps(steps, axes=None, *, size=2.0):
    """Every pre-processing step of a digit (:func:`cnnviz.digits.prepare_digit`) in a row.

    Parameters
    ----------
    steps : cnnviz.digits.DigitSteps
    axes : sequence of 6 matplotlib Axes, optional
    size : float, optional
        Width and height of each panel in inches.

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (6,)
        The crop box is drawn on the "levels" panel; the last panel marks the centre of
        mass (cross) and the field's centre (circle).

    Examples
    --------
    >>> from cnnviz.digits import prepare_digit
    >>> fig, axes = show_digit_steps(prepare_digit(np.pad(np.full((12, 5), 255.0), 8)))
    >>> axes[-1].get_title()
    '6. centred in 28x28'
    """
    from matplotlib.patches import Rectangle

    from cnnviz.digits import DigitSteps

    if not isinstance(steps, DigitSteps):
        raise TypeError(
            f"`steps` must be what cnnviz.digits.prepare_digit returns; got {describe(steps)}."
        )
    pictures = steps.pictures()
    fig, grid = _figure_and_axes(axes, 1, len(pictures), size)
    for ax, (title, picture) in zip(grid, pictures, strict=True):
        show_image(picture, ax, title=title, vmin=0, vmax=255)
        ax.title.set_fontsize(9)
    top, left, bottom, right = steps.box
    grid[2].add_patch(
        Rectangle(
            (left - 0.5, top - 0.5),
            right - left,
            bottom - top,
            fill=False,
            edgecolor="#00b050",
            linewidth=1.5,
        )
    )
    centre = steps.centred.shape[0] / 2
    # The two marks nearly coincide (that is the point): a large ring around a smaller,
    # thick cross keeps both visible, and the legend says which is which.
    grid[-1].plot(
        [centre], [centre], "o", mfc="none", color="#ff8c00", ms=18, mew=2, label="centre of field"
    )
    grid[-1].plot(
        [steps.centre_of_mass[1]],
        [steps.centre_of_mass[0]],
        "x",
        color="#00b050",
        ms=10,
        mew=2.5,
        label="centre of mass",
    )
    grid[-1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=8, frameon=False)
    if axes is None:
        fig.tight_layout()
    return fig, grid


def show_probabilities(probabilities, class_names=None, ax=None, *, title=None):
    """A bar per class: the model's probability for it, the most likely class highlighted.

    Parameters
    ----------
    probabilities : array_like, shape (classes,)
        One row of :func:`cnnviz.models.predict`.
    class_names : sequence of str, optional
        Default: the class numbers.
    ax : matplotlib Axes, optional
    title : str, optional
        Default: the prediction and its probability.

    Returns
    -------
    matplotlib.container.BarContainer

    Examples
    --------
    >>> bars = show_probabilities([0.1, 0.7, 0.2])
    >>> [round(float(b.get_height()), 2) for b in bars], bars[1].axes.get_title()
    ([0.1, 0.7, 0.2], 'prediction: 1 (70%)')
    """
    probs = as_float_array(probabilities, "probabilities", (1,), example="predict(model, x)[0]")
    if class_names is None:
        class_names = [str(i) for i in range(len(probs))]
    if len(class_names) != len(probs):
        raise ValueError(
            f"`class_names` must have one name per class ({len(probs)}); got {len(class_names)}."
        )
    ax = _axes(ax)
    best = int(np.argmax(probs))
    colours = ["#9e9e9e"] * len(probs)
    colours[best] = "#1f77b4"
    bars = ax.bar(range(len(probs)), probs, color=colours)
    ax.set_xticks(range(len(probs)))
    ax.set_xticklabels([str(n) for n in class_names], rotation=45 if len(class_names[0]) > 2 else 0)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_title(title or f"prediction: {class_names[best]} ({probs[best]:.0%})")
    return bars
