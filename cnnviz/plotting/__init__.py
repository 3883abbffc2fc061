"""Pictures: matplotlib figures for the notebooks, and fast PNG encoding for widgets.

Plotting functions take ``ax=None`` (a new figure is made when it is None) and return what
they drew. They never call ``plt.show()`` or change global settings.

The rooms:

* ``png``: the PNG encoding widgets use (``array_to_png``); never imports pyplot.
* ``_base``: shared figure helpers (new or given Axes, numbers written in cells).
* ``images``: images, kernels, a pixel's products, display modes, channels (notebook 01, 03).
* ``pooling``: pooled windows and their winners, tolerance to shifts (notebook 02).
* ``sizes``: the convolution grid of input, padding, kernel and output (notebook 03).
* ``training``: training curves, compared histories, mistakes (notebook 04).
* ``network``: a trained network's kernels, feature maps and layers (notebook 05).
* ``digits``: a student's digit, step by step, and the probabilities (notebook 06).
"""

from cnnviz.plotting.digits import show_digit_steps, show_probabilities
from cnnviz.plotting.images import (
    image_grid,
    show_channels,
    show_display_modes,
    show_image,
    show_kernel,
    show_pixel_products,
)
from cnnviz.plotting.network import kernel_grid, show_feature_maps, show_layers
from cnnviz.plotting.png import MODE_CMAPS, array_to_png
from cnnviz.plotting.pooling import show_pooling, show_shift_tolerance
from cnnviz.plotting.sizes import GRID_COLOURS, conv_grid_png, show_conv_grid
from cnnviz.plotting.training import compare_histories, plot_history, show_mistakes

__all__ = [
    "GRID_COLOURS",
    "MODE_CMAPS",
    "array_to_png",
    "compare_histories",
    "image_grid",
    "kernel_grid",
    "plot_history",
    "show_channels",
    "conv_grid_png",
    "show_conv_grid",
    "show_digit_steps",
    "show_display_modes",
    "show_feature_maps",
    "show_image",
    "show_kernel",
    "show_layers",
    "show_mistakes",
    "show_pixel_products",
    "show_pooling",
    "show_probabilities",
    "show_shift_tolerance",
]
