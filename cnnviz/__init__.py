"""cnnviz: helpers for interactive notebooks that teach how a CNN sees an image.

The light modules (filters, pooling, shapes, images) are imported here. TensorFlow is never
imported by ``import cnnviz``: ``cnnviz.models`` imports Keras inside its functions.
"""

from cnnviz.filters import KERNELS, apply_filter, display_transform, pixel_products
from cnnviz.pooling import avg_pool, max_pool
from cnnviz.shapes import conv_output_size, conv_params, pool_output_size

__version__ = "0.1.0"

__all__ = [
    "KERNELS",
    "apply_filter",
    "avg_pool",
    "conv_output_size",
    "conv_params",
    "display_transform",
    "max_pool",
    "pixel_products",
    "pool_output_size",
]
