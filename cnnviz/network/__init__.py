"""A trained Sequential CNN run in NumPy: look inside a Keras model without TensorFlow.

A trained CNN's forward pass is arithmetic the course has already taught: each Conv2D layer
is :func:`cnnviz.apply_filter` per channel, summed, plus a bias, then a ReLU; each pooling
layer is :func:`cnnviz.max_pool`; then a flatten, a matrix product per dense layer and a
softmax. :class:`Network` holds a Sequential model's layers and weights as NumPy arrays and
runs exactly that, vectorised (no Python loop over pixels), so notebooks that only look
inside a trained network (its kernels, feature maps and predictions) never pay for
TensorFlow's import (seconds, and about 0.6 GB of memory).

- :meth:`Network.from_keras_file` reads a ``.keras`` file (a zip holding ``config.json`` and
  ``model.weights.h5``) with :mod:`zipfile`, :mod:`json` and h5py. It never imports
  TensorFlow, never unpickles and never runs code from the file: the configuration is read
  as plain data, and only the layers listed in :data:`SUPPORTED_LAYERS` are accepted.
- :meth:`Network.from_keras` builds one from a live Keras model (without importing Keras).
- :meth:`Network.predict`, :meth:`Network.activations`, :meth:`Network.kernels` and
  :meth:`Network.summary` mirror :func:`cnnviz.models.predict`,
  :func:`cnnviz.models.activations`, :func:`cnnviz.models.learned_kernels` and
  :func:`cnnviz.shapes.layer_table`.

The arithmetic is done in float32, as Keras does it, and agrees with Keras' own outputs
within 1e-5 (``tests/test_network.py``).

The rooms:

* ``files``: reading a ``.keras`` file (zip, ``config.json``, HDF5 weights) and its checks.
* ``arithmetic``: the layers' NumPy arithmetic (convolution, pooling, dense, activations).
* ``layers``: what each supported Keras layer class becomes, its settings checked.
* ``model``: the :class:`Network` itself (predict, activations, kernels, summary).
* ``course``: the shipped model, Keras' stored outputs for it, the student's own model.
"""

from cnnviz.network.course import (
    MY_CNN,
    SHIPPED_KERAS_OUTPUTS,
    CourseModel,
    KerasOutputs,
    keras_outputs,
    my_models_folder,
    open_course_model,
)
from cnnviz.network.files import SHIPPED_MODEL
from cnnviz.network.layers import SUPPORTED_LAYERS, Layer
from cnnviz.network.model import Kernels, Network

__all__ = [
    "MY_CNN",
    "SHIPPED_KERAS_OUTPUTS",
    "SHIPPED_MODEL",
    "SUPPORTED_LAYERS",
    "CourseModel",
    "KerasOutputs",
    "Kernels",
    "Layer",
    "Network",
    "keras_outputs",
    "my_models_folder",
    "open_course_model",
]
