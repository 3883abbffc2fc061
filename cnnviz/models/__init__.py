"""Keras models for the notebooks: build, train with a progress bar, and look inside.

Every function imports Keras (and so TensorFlow) when it is first called, never when this
module is imported: ``import cnnviz`` stays fast and light.

- :func:`build_dense` and :func:`build_cnn` build the two networks of notebook 04, with an
  explicit ``keras.Input`` (Keras 3 cannot build an activation model from a ``Sequential``
  defined with ``input_shape=``) and readable layer names: ``conv1``, ``pool1``, ``conv2``,
  ``pool2``, ``flatten``, ``dense1``, ``output``.
- :func:`preprocess` turns uint8 images (N, 28, 28) into what the models take: float32
  (N, 28, 28, 1) in 0..1.
- :func:`train` fits a model and measures seconds per epoch; in a notebook it shows a live
  progress display (epoch and batch bars, loss and accuracy), elsewhere it is silent.
- :func:`activations` returns every convolution and pooling layer's feature maps from one
  model call on a batch; :func:`learned_kernels` returns a Conv2D layer's weights.
- :func:`load_pretrained` loads the small CNN that ships with cnnviz (trained on the
  shipped MNIST subset by ``scripts/train_shipped_model.py``) in Keras' safe mode.
- :func:`configure_threads` sizes TensorFlow's thread pools to the CPUs this process may
  really use (TensorFlow counts the host's cores, which oversubscribes a 1-CPU Binder).
  The builders and :func:`load_pretrained` call it once automatically.

The rooms: ``threads`` (TensorFlow's import and thread pools), ``building`` (builders,
:func:`preprocess`, :func:`load_pretrained`), ``training`` (:func:`train` and its progress
display), ``inside`` (:func:`predict`, :func:`activations`, :func:`learned_kernels`).
Only this package imports Keras.
"""

from cnnviz.models.building import (
    NOTEBOOK_CNN,
    PRETRAINED_FILTERS,
    PRETRAINED_PATH,
    build_cnn,
    build_dense,
    load_pretrained,
    preprocess,
    save_for_notebooks,
)
from cnnviz.models.inside import (
    Kernels,
    activations,
    feature_layer_names,
    learned_kernels,
    predict,
)

# Private, for cnnviz.widgets.sizes (Keras with the thread pools set).
from cnnviz.models.threads import _keras as _keras
from cnnviz.models.threads import (
    available_cpus,
    configure_threads,
)
from cnnviz.models.training import (
    TrainingProgress,
    TrainingResult,
    train,
)

__all__ = [
    "NOTEBOOK_CNN",
    "PRETRAINED_PATH",
    "PRETRAINED_FILTERS",
    "save_for_notebooks",
    "Kernels",
    "TrainingProgress",
    "TrainingResult",
    "activations",
    "available_cpus",
    "build_cnn",
    "build_dense",
    "configure_threads",
    "feature_layer_names",
    "learned_kernels",
    "load_pretrained",
    "predict",
    "preprocess",
    "train",
]
