"""Plotting helpers: each returns what it drew; PNG encoding round-trips exactly."""

import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from cnnviz.filters import KERNELS, pixel_products
from cnnviz.invariance import ShiftTolerance
from cnnviz.plotting import (
    GRID_COLOURS,
    array_to_png,
    image_grid,
    show_channels,
    show_conv_grid,
    show_display_modes,
    show_image,
    show_kernel,
    show_pixel_products,
    show_pooling,
    show_shift_tolerance,
)

COURSE_HOOD = [[0, 64, 128], [48, 192, 144], [142, 226, 168]]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts(ax):
    return [t.get_text() for t in ax.texts]


def colour_table(cmap):
    """What a palette PNG of ``cmap`` should hold, straight from matplotlib."""
    return np.round(matplotlib.colormaps[cmap](np.arange(256) / 255)[:, :3] * 255).astype(np.uint8)


# --------------------------------------------------------------------------- array_to_png
@pytest.mark.parametrize("cmap", ["gray", "RdBu_r", "viridis"])
def test_png_round_trips_through_the_colour_table(cmap):
    values = np.arange(256.0).reshape(16, 16)  # value v -> colour index v exactly
    picture = Image.open(io.BytesIO(array_to_png(values, cmap, 0, 255)))
    assert picture.mode == "P"
    indices = np.array(picture)
    np.testing.assert_array_equal(indices, values.astype(np.uint8))
    palette = np.array(picture.getpalette()[: 256 * 3], dtype=np.uint8).reshape(256, 3)
    np.testing.assert_array_equal(palette[indices], colour_table(cmap)[values.astype(int)])


def test_png_scales_between_vmin_and_vmax_and_clips():
    values = np.array([[-500.0, -100.0, 0.0, 100.0, 500.0]])
    indices = np.array(Image.open(io.BytesIO(array_to_png(values, "gray", -100, 155))))
    # (v + 100) * 255 / 255, clipped to 0..255.
    np.testing.assert_array_equal(indices, [[0, 0, 100, 200, 255]])


def test_png_defaults_to_the_data_range():
    indices = np.array(Image.open(io.BytesIO(array_to_png([[10.0, 20.0, 30.0]]))))
    np.testing.assert_array_equal(indices, [[0, 128, 255]])


def test_png_rgb_round_trips():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(5, 7, 3)).astype(np.uint8)
    decoded = np.array(Image.open(io.BytesIO(array_to_png(rgb))).convert("RGB"))
    np.testing.assert_array_equal(decoded, rgb)


def test_png_min_size_enlarges_crisply():
    values = np.arange(49.0).reshape(7, 7) * 5
    picture = np.array(Image.open(io.BytesIO(array_to_png(values, min_size=100, vmin=0, vmax=255))))
    factor = -(-100 // 7)
    assert picture.shape == (7 * factor, 7 * factor)
    blocks = picture.reshape(7, factor, 7, factor)
    # Every enlarged pixel is one constant square, equal to the original pixel.
    assert (blocks == blocks[:, :1, :, :1]).all()
    np.testing.assert_array_equal(blocks[:, 0, :, 0], np.round(values).astype(np.uint8))


def test_png_flat_picture_does_not_divide_by_zero():
    indices = np.array(Image.open(io.BytesIO(array_to_png(np.full((3, 3), 7.0)))))
    assert (indices == indices[0, 0]).all()


def test_png_errors():
    with pytest.raises(ValueError, match="`cmap` must be a matplotlib colour map"):
        array_to_png([[1.0]], "nope")
    with pytest.raises(ValueError, match=r"must be \(H, W\) or \(H, W, 3\) RGB"):
        array_to_png(np.zeros((2, 2, 4)))
    with pytest.raises(TypeError, match="`values` must be a numeric array"):
        array_to_png("image")
    with pytest.raises(ValueError, match="`min_size` must be at least 0"):
        array_to_png([[1.0]], min_size=-1)


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


# --------------------------------------------------------------------------- pooling
GRID = [[1, 3, 0, 2], [4, 2, 1, 0], [0, 1, 5, 6], [2, 0, 7, 8]]


def test_show_pooling_boxes_the_winners():
    fig, axes = show_pooling(GRID)
    assert axes[0].get_title() == "4×4 input"
    assert axes[1].get_title() == "2×2 max pooling → 2×2"
    boxed = sorted((round(p.get_y() + 0.45), round(p.get_x() + 0.45)) for p in axes[0].patches)
    assert boxed == [(0, 3), (1, 0), (3, 0), (3, 3)]  # the largest of each 2x2 block
    np.testing.assert_array_equal(axes[1].images[0].get_array(), [[4, 2], [2, 8]])
    assert texts(axes[1]) == ["4", "2", "2", "8"]
    assert len(axes[0].lines) == 2  # one horizontal and one vertical window border


def test_show_pooling_average_and_stride():
    fig, axes = show_pooling(GRID, kind="average")
    assert len(axes[0].patches) == 0
    assert texts(axes[1]) == ["2.5", "0.75", "0.75", "6.5"]
    fig, axes = show_pooling(GRID, stride=1)
    assert axes[1].get_title() == "2×2 max pooling, stride 1 → 3×3"
    assert len(axes[0].lines) == 0  # overlapping windows: no borders


def test_show_pooling_large_images_are_not_annotated():
    fig, axes = show_pooling(np.arange(400.0).reshape(20, 20))
    assert texts(axes[0]) == [] and len(axes[0].patches) == 0


def test_show_pooling_errors():
    with pytest.raises(ValueError, match="`kind` must be one of"):
        show_pooling(GRID, kind="min")
    with pytest.raises(ValueError, match="`size` must be at least 1"):
        show_pooling(GRID, size=0)
    with pytest.raises(ValueError, match="larger than the image"):
        show_pooling(GRID, size=5)


# --------------------------------------------------------------------------- conv grid
@pytest.mark.parametrize(
    ("n", "k", "p", "s", "padded", "out"),
    [
        (5, 3, "valid", 1, 5, 3),
        (5, 3, 1, 1, 7, 5),
        (5, 3, "same", 2, 7, 3),
        (10, 4, "same", 2, 12, 5),
    ],
)
def test_show_conv_grid(n, k, p, s, padded, out):
    fig, axes = show_conv_grid(n, k, p, s)
    assert axes[1].get_title() == f"output {out}×{out}"
    assert f"→ {padded}×{padded}" in axes[0].get_title() or padded == n
    cells = axes[0].images[0].get_array()
    assert cells.shape == (padded, padded)
    assert cells.sum() == n * n  # input cells are 1, padding cells 0
    assert len(axes[0].collections[0].get_offsets()) == out * out  # one dot per output cell
    assert len(axes[0].patches) == (2 if out > 1 else 1)
    first = axes[0].patches[0]
    assert (first.get_width(), first.get_height()) == (k, k)
    assert matplotlib.colors.to_hex(first.get_edgecolor()) == GRID_COLOURS["kernel"]


def test_show_conv_grid_dots_sit_on_kernel_centres():
    fig, axes = show_conv_grid(7, 3, "valid", 2)
    dots = {tuple(xy) for xy in axes[0].collections[0].get_offsets()}
    assert dots == {(x, y) for x in (1, 3, 5) for y in (1, 3, 5)}


def test_show_conv_grid_errors():
    with pytest.raises(ValueError, match="larger than the padded input"):
        show_conv_grid(3, 5)
    with pytest.raises(ValueError, match="too many to draw"):
        show_conv_grid(60, 3, 5)
    with pytest.raises(TypeError, match="`size` must be an integer"):
        show_conv_grid(5.0, 3)


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


# --------------------------------------------------------------------------- shift tolerance
def test_show_shift_tolerance():
    tolerance = ShiftTolerance((0, 1, 2), (1.0, 0.6, 0.2), (1.0, 0.8, 0.4), "max", (2, 2))
    lines = show_shift_tolerance(tolerance)
    assert [line.get_label() for line in lines] == ["before pooling", "after 2x2 max pooling"]
    np.testing.assert_array_equal(lines[1].get_ydata(), [1.0, 0.8, 0.4])
    assert lines[0].axes.get_xlabel() == "shift of the input (pixels)"


def test_show_shift_tolerance_errors():
    with pytest.raises(TypeError, match="must be what cnnviz.invariance.shift_tolerance returns"):
        show_shift_tolerance({"before": [1.0]})
