"""Figures of a student's digit (cnnviz.plotting.digits): steps and probabilities.

No pixels are compared: the tests read back the data, limits, titles and patches that
matplotlib holds for each Axes.
"""

from __future__ import annotations

import numpy as np
import pytest
from _plot_helpers import close_figures  # noqa: F401 (autouse)

from cnnviz import plotting as P
from cnnviz.digits import prepare_digit


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
    ring, cross = axes[-1].get_lines()
    assert (cross.get_ydata()[0], cross.get_xdata()[0]) == pytest.approx(steps.centre_of_mass)
    assert (ring.get_ydata()[0], ring.get_xdata()[0]) == (14, 14)
    # Issue 10, item 11: both marks were about 6 px and hid each other. A large ring around
    # a smaller, thick cross, and a legend naming them.
    assert ring.get_marker() == "o" and ring.get_markersize() >= 16
    assert cross.get_marker() == "x" and cross.get_markersize() <= ring.get_markersize() * 0.6
    assert cross.get_markeredgewidth() >= 2
    legend = [t.get_text() for t in axes[-1].get_legend().get_texts()]
    assert legend == ["centre of field", "centre of mass"]
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
