"""Figures of images and filters (cnnviz.plotting.images): each returns what it drew, read
back from the Axes; the channel sums are checked against SciPy.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from _plot_helpers import COURSE_HOOD, close_figures, texts  # noqa: F401 (autouse)
from scipy import ndimage

from cnnviz.filters import KERNELS, pixel_products
from cnnviz.plotting import (
    image_grid,
    show_channels,
    show_display_modes,
    show_image,
    show_kernel,
    show_pixel_products,
)


# --------------------------------------------------------------------------- image, kernel, grid
def test_show_image_returns_the_image_and_limits():
    drawn = show_image(np.zeros((4, 4)), title="black")
    assert drawn.axes.get_title() == "black"
    assert drawn.get_clim() == (0.0, 255.0)
    assert list(drawn.axes.get_xticks()) == []


def test_show_image_signed_mode_is_symmetric():
    drawn = show_image([[-30.0, 10.0]], mode="signed", colorbar=True)
    assert drawn.get_clim() == (-30.0, 30.0)
    assert drawn.get_cmap().name == "RdBu_r"
    assert len(drawn.axes.figure.axes) == 2  # the colour bar


def test_show_kernel_annotates_every_weight():
    drawn = show_kernel(KERNELS["sharpen"], title="sharpen")
    assert drawn.get_clim() == (-5.0, 5.0)
    assert texts(drawn.axes) == ["0", "-1", "0", "-1", "5", "-1", "0", "-1", "0"]


def test_show_kernel_never_writes_minus_zero():
    """Issue 10, item 12: np.round(-0.004, 2) is -0.0, and a learned kernel showed "-0"."""
    learned = np.round(np.array([[-0.004, 0.5, -0.25], [0.0, -0.0, 0.004], [1, -1, 0.0021]]), 2)
    drawn = show_kernel(learned)
    assert texts(drawn.axes) == ["0", "0.5", "-0.25", "0", "0", "0", "1", "-1", "0"]


def test_image_grid_layout_and_titles():
    fig, axes = image_grid([np.zeros((3, 3))] * 5, list("abcde"), ncols=3)
    assert axes.shape == (2, 3)
    assert [ax.get_title() for ax in axes.flat[:5]] == list("abcde")
    assert not axes.flat[5].axison


def test_image_grid_errors():
    with pytest.raises(ValueError, match="one title per image"):
        image_grid([np.zeros((2, 2))], ["a", "b"])
    with pytest.raises(TypeError, match="got one image"):
        image_grid(np.zeros((2, 2)))


# --------------------------------------------------------------------------- pixel products
def test_show_pixel_products_writes_every_product():
    p = pixel_products(COURSE_HOOD, KERNELS["course_example"], 1, 1)
    fig, axes = show_pixel_products(p)
    assert len(axes) == 3
    assert [ax.get_title() for ax in axes] == [
        "Image pixels",
        "× weights",
        "= products (sum 577)",
    ]
    by_hand = [str(int(v)) for v in (np.array(COURSE_HOOD) * KERNELS["course_example"]).ravel()]
    assert texts(axes[2]) == by_hand
    assert texts(axes[0])[4] == "192"
    assert texts(axes[1])[4] == "4.5"
    assert axes[2].images[0].get_clim() == (-864.0, 864.0)


def test_show_pixel_products_into_given_axes():
    fig, given = plt.subplots(1, 3)
    p = pixel_products(COURSE_HOOD, KERNELS["identity"], 1, 1)
    returned_fig, axes = show_pixel_products(p, given)
    assert returned_fig is fig and axes[0] is given[0]


def test_show_pixel_products_errors():
    with pytest.raises(TypeError, match="must be what cnnviz.pixel_products returns"):
        show_pixel_products(np.zeros((3, 3)))
    colour = np.zeros((3, 3, 3))
    with pytest.raises(ValueError, match="must come from a grayscale image"):
        show_pixel_products(pixel_products(colour, KERNELS["blur"], 1, 1))
    p = pixel_products(COURSE_HOOD, KERNELS["identity"], 1, 1)
    with pytest.raises(ValueError, match="`axes` must hold 3 Axes"):
        show_pixel_products(p, plt.subplots(1, 2)[1])


# --------------------------------------------------------------------------- display modes
def test_show_display_modes_states_what_is_hidden():
    result = np.array([[-100.0, 0.0, 50.0, 300.0]])
    fig, axes = show_display_modes(result)
    titles = [ax.get_title() for ax in axes]
    assert [t.splitlines()[0] for t in titles] == ["signed", "relu", "clip", "abs"]
    assert "25% negative" in titles[1]  # 1 of 4 pixels is negative
    assert "25% → 0, 25% → 255" in titles[2]
    assert axes[0].images[0].get_clim() == (-300.0, 300.0)
    assert axes[2].images[0].get_clim() == (0.0, 255.0)
    np.testing.assert_array_equal(axes[1].images[0].get_array(), [[0, 0, 50, 300]])


def test_show_display_modes_errors():
    with pytest.raises(ValueError, match="`result` must be 2-D"):
        show_display_modes(np.zeros((2, 2, 3)))


# --------------------------------------------------------------------------- channels
def test_show_channels_sums_the_channels():
    rng = np.random.default_rng(1)
    rgb = rng.uniform(0, 255, size=(8, 9, 3))
    kernel = rng.normal(size=(3, 3, 3))
    fig, axes = show_channels(rgb, kernel, bias=-5)
    assert axes.shape == (3, 4)
    per_channel = [
        ndimage.correlate(rgb[:, :, c], kernel[:, :, c], mode="constant")[1:-1, 1:-1]
        for c in range(3)
    ]
    for c in range(3):
        np.testing.assert_allclose(axes[2, c].images[0].get_array(), per_channel[c])
    np.testing.assert_allclose(axes[2, 3].images[0].get_array(), sum(per_channel) - 5)
    assert axes[2, 3].get_title() == "feature map = sum + (-5)"
    assert [axes[0, c].get_title() for c in range(3)] == [
        "red channel",
        "green channel",
        "blue channel",
    ]
    assert "+ bias (-5)" in texts(axes[1, 3])[0]


def test_show_channels_errors():
    with pytest.raises(ValueError, match="must have 3 channels"):
        show_channels(np.zeros((5, 5, 4)), np.zeros((3, 3, 4)))
    with pytest.raises(ValueError, match="`image` must be 3-D"):
        show_channels(np.zeros((5, 5)), np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="`names` must name the 3 channels"):
        show_channels(np.zeros((5, 5, 3)), np.zeros((3, 3, 3)), names=("r", "g"))
    with pytest.raises(TypeError, match="`bias` must be a real number"):
        show_channels(np.zeros((5, 5, 3)), np.zeros((3, 3, 3)), bias="1")
