"""The PNG encoding widgets use (cnnviz.plotting.png): it round-trips exactly, and never
imports pyplot.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest
from _plot_helpers import close_figures, colour_table  # noqa: F401 (autouse)
from PIL import Image

from cnnviz.plotting import (
    array_to_png,
)


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


def test_the_png_encoder_never_imports_pyplot():
    # Widgets encode every picture with cnnviz.plotting.png: pyplot (its backend, its
    # figure manager) must stay out of that path, also through the plotting package.
    code = (
        "import sys\n"
        "import cnnviz.plotting.png\n"
        "from cnnviz.plotting import array_to_png\n"
        "import cnnviz.widgets\n"
        "array_to_png([[0.0, 1.0]], 'RdBu_r')\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
