"""cnnviz: helpers for interactive notebooks that teach how a CNN sees an image.

The light modules are imported here: ``filters``, ``pooling``, ``shapes`` (pure functions)
and ``images`` (sample pictures and a student's own). ``plotting``, ``widgets``, ``digits``,
``data`` and ``models`` are imported where they are used. TensorFlow is never imported by
``import cnnviz``: ``cnnviz.models`` imports Keras inside its functions.
"""

from cnnviz import images
from cnnviz.filters import KERNELS, apply_filter, display_transform, pixel_products
from cnnviz.pooling import avg_pool, max_pool, pool_winners
from cnnviz.shapes import (
    conv_output_size,
    conv_params,
    dense_params,
    layer_table,
    pool_output_size,
)

__version__ = "0.1.0"

__all__ = [
    "KERNELS",
    "apply_filter",
    "avg_pool",
    "conv_output_size",
    "conv_params",
    "dense_params",
    "display_transform",
    "images",
    "layer_table",
    "max_pool",
    "pixel_products",
    "pool_output_size",
    "pool_winners",
]
