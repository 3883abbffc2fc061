"""Helpers the plotting tests share (tests/test_plotting_*.py): every figure is closed after
its test, and what matplotlib holds is read back (texts, colour tables).
"""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

matplotlib.use("Agg")

COURSE_HOOD = [[0, 64, 128], [48, 192, 144], [142, 226, 168]]

HISTORY = {
    "loss": [0.9, 0.5, 0.4],
    "accuracy": [0.7, 0.85, 0.9],
    "val_loss": [0.6, 0.55, 0.5],
    "val_accuracy": [0.8, 0.82, 0.86],
}


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test made (imported by each plotting test module)."""
    yield
    plt.close("all")


def texts(ax):
    return [t.get_text() for t in ax.texts]


def colour_table(cmap):
    """What a palette PNG of ``cmap`` should hold, straight from matplotlib."""
    return np.round(matplotlib.colormaps[cmap](np.arange(256) / 255)[:, :3] * 255).astype(np.uint8)
