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
"""

from __future__ import annotations

import math
import os
import sys
import time
import warnings
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from cnnviz._validation import (
    MAX_LENGTH,
    check_elements,
    check_file,
    check_int,
    check_number,
    check_pair,
    describe,
    shorten,
)

__all__ = [
    "NOTEBOOK_CNN",
    "PRETRAINED_PATH",
    "PRETRAINED_FILTERS",
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

PRETRAINED_PATH = Path(__file__).parent / "_data" / "mnist_cnn.keras"
#: Filter counts of the shipped CNN: half the classic lab's 64 in the first layer (half the
#: compute of both convolutions) keeps the file under 1 MB and training quick.
PRETRAINED_FILTERS = (32, 64)
#: The notebooks' CNN, ``build_cnn(**NOTEBOOK_CNN)``, trained with ``batch_size=64`` (the
#: default of :func:`train`): the classic lab's network with 32 first-layer filters and
#: Adam at 3e-3 (the bigger batch takes half as many steps, each can be bigger). On the
#: shipped subset it is at least as accurate as the classic network and settings (batch 32,
#: Adam at 1e-3) in about half the time per epoch: ``bench/bench_training.py``.
NOTEBOOK_CNN = MappingProxyType({"filters": (32, 64), "learning_rate": 3e-3})

_IMAGE_EXAMPLE = "the uint8 digits of `cnnviz.data.load_dataset('mnist').x_test[:8]`"
_threads_configured = False


# ----------------------------------------------------------------------------- threads


def available_cpus() -> int:
    """How many CPUs this process can really use.

    The smaller of the CPUs it may run on (``os.sched_getaffinity``) and the container's
    CPU quota (cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``), rounded up, at least 1.

    Returns
    -------
    int

    Examples
    --------
    >>> available_cpus() >= 1
    True
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cpus = min(cpus, quota)
    return max(1, cpus)


def _cgroup_cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """CPUs allowed by the cgroup quota, rounded up; None if there is no quota."""
    candidates = (
        (root / "cpu.max", None),  # cgroup v2: "<quota> <period>" or "max <period>"
        (root / "cpu" / "cpu.cfs_quota_us", root / "cpu" / "cpu.cfs_period_us"),  # v1
    )
    for quota_path, period_path in candidates:
        try:
            text = quota_path.read_text().split()
            if period_path is None:
                quota, period = text[0], text[1]
            else:
                quota, period = text[0], period_path.read_text().split()[0]
        except (OSError, IndexError):
            continue
        if quota in ("max", "-1"):
            return None
        try:
            return max(1, math.ceil(int(quota) / int(period)))
        except (ValueError, ZeroDivisionError):
            return None
    return None


def _import_tensorflow():
    """Import TensorFlow once, without its C++ start-up lines on stderr.

    TensorFlow 2.21 prints "oneDNN custom operations are on" and an absl notice while it
    loads, even with ``TF_CPP_MIN_LOG_LEVEL=2``; in a notebook they appear as red boxes that
    look like errors to a student. They are written by C++ straight to file descriptor 2, so
    that descriptor points at /dev/null for the import only. Python exceptions still raise.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow


def configure_threads(n=None) -> int:
    """Set TensorFlow's intra- and inter-op thread pools for this machine.

    TensorFlow sizes its pools from the host's cores, not from the CPUs a container may
    use, so on a 1-CPU Binder it would run many threads that fight over one core. Call
    this before building or running any model; the builders and :func:`load_pretrained`
    call it once for you.

    Parameters
    ----------
    n : int, optional
        Threads per pool; defaults to :func:`available_cpus`. The inter-op pool gets at
        most 2 (the small models here have little to run side by side).

    Returns
    -------
    int
        The intra-op threads now in effect (0 means TensorFlow's own default).

    Warns
    -----
    RuntimeWarning
        If TensorFlow has already started with other numbers: they cannot change any more
        in this process (restart the kernel and call this first).

    Examples
    --------
    >>> configure_threads() >= 1
    True
    """
    global _threads_configured
    n = available_cpus() if n is None else check_int(n, "n", minimum=1)
    tf = _import_tensorflow()

    threading = tf.config.threading
    wanted = (n, min(n, 2))
    try:
        threading.set_intra_op_parallelism_threads(wanted[0])
        threading.set_inter_op_parallelism_threads(wanted[1])
    except RuntimeError:
        current = (
            threading.get_intra_op_parallelism_threads(),
            threading.get_inter_op_parallelism_threads(),
        )
        if current != wanted:
            warnings.warn(
                f"TensorFlow is already running with intra/inter-op threads {current} "
                f"(0 = its default); they cannot be changed to {wanted} in this process. "
                f"Restart the kernel and call configure_threads() before building a model.",
                RuntimeWarning,
                stacklevel=2,
            )
    _threads_configured = True
    return threading.get_intra_op_parallelism_threads()


def _keras():
    """Keras, with the thread pools configured once (quietly: a notebook may have started
    TensorFlow itself, which is fine)."""
    if not _threads_configured:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            configure_threads()
    import keras

    return keras


# ----------------------------------------------------------------------------- builders


def _check_input_shape(input_shape) -> tuple[int, int, int]:
    if not isinstance(input_shape, tuple | list) or len(input_shape) != 3:
        raise TypeError(
            f"`input_shape` must be (rows, columns, channels); got {describe(input_shape)}. "
            f"Pass e.g. (28, 28, 1)."
        )
    return tuple(
        check_int(v, f"input_shape[{i}]", minimum=1, maximum=MAX_LENGTH)
        for i, v in enumerate(input_shape)
    )


def _check_params(count: int, name: str) -> None:
    """Refuse a model too large to build (its weights would not fit the memory)."""
    check_elements(count, name, "a model", "Use fewer units or smaller images.")


def _check_fits(model, x, name: str = "images"):
    """``x`` (N, H, W, C) must match the model's input shape: said by cnnviz, not by Keras."""
    expected = tuple(model.inputs[0].shape[1:]) if model.inputs else ()
    if len(expected) != x.ndim - 1 or any(
        e is not None and e != n for e, n in zip(expected, x.shape[1:], strict=False)
    ):
        shown = "x".join("any" if e is None else str(e) for e in expected)
        raise ValueError(
            f"`{name}` must be {shown} images for this model (input shape "
            f"{(None, *expected)}); got shape {shorten(x.shape)} after preprocessing. Resize "
            f"them first, e.g. with `cnnviz.digits.prepare_digit` for a 28x28 digit."
        )
    return x


def _compile(model, learning_rate: float):
    keras = _keras()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _check_common(num_classes, learning_rate, seed, compile):
    num_classes = check_int(num_classes, "num_classes", minimum=2, maximum=MAX_LENGTH)
    learning_rate = check_number(learning_rate, "learning_rate")
    if learning_rate <= 0:
        raise ValueError(f"`learning_rate` must be positive; got {learning_rate}. Pass e.g. 1e-3.")
    if seed is not None:
        seed = check_int(seed, "seed", minimum=0)
    if not isinstance(compile, bool):
        raise TypeError(f"`compile` must be True or False; got {describe(compile)}.")
    return num_classes, learning_rate, seed


def build_dense(
    hidden_units=128,
    *,
    input_shape=(28, 28, 1),
    num_classes=10,
    learning_rate=1e-3,
    seed=None,
    compile=True,
    name="dense",
):
    """A dense network on raw pixels: Flatten, Dense ``hidden_units`` ReLU, Dense softmax.

    Parameters
    ----------
    hidden_units : int, optional
        Neurons of the hidden layer (``dense1``).
    input_shape : (int, int, int), optional
        (rows, columns, channels) of one image, as :func:`preprocess` returns them.
    num_classes : int, optional
        Neurons of the softmax output layer (``output``).
    learning_rate : float, optional
        Adam's learning rate.
    seed : int, optional
        Seeds Keras (``keras.utils.set_random_seed``) before the weights are drawn, for
        the same starting weights every run.
    compile : bool, optional
        Compile with Adam, sparse categorical cross-entropy and accuracy.
    name : str, optional

    Returns
    -------
    keras.Sequential
        Layers ``flatten``, ``dense1``, ``output``; input (None, rows, cols, channels),
        output (None, num_classes) probabilities.

    Examples
    --------
    >>> model = build_dense()
    >>> [layer.name for layer in model.layers], model.count_params()
    (['flatten', 'dense1', 'output'], 101770)
    """
    hidden_units = check_int(hidden_units, "hidden_units", minimum=1, maximum=MAX_LENGTH)
    input_shape = _check_input_shape(input_shape)
    num_classes, learning_rate, seed = _check_common(num_classes, learning_rate, seed, compile)
    _check_params(
        (math.prod(input_shape) + 1) * hidden_units + (hidden_units + 1) * num_classes,
        "hidden_units",
    )
    keras = _keras()
    if seed is not None:
        keras.utils.set_random_seed(seed)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape, name="image"),
            layers.Flatten(name="flatten"),
            layers.Dense(hidden_units, activation="relu", name="dense1"),
            layers.Dense(num_classes, activation="softmax", name="output"),
        ],
        name=name,
    )
    return _compile(model, learning_rate) if compile else model


def build_cnn(
    filters=(64, 64),
    kernel_size=3,
    dense_units=128,
    *,
    pool_size=2,
    input_shape=(28, 28, 1),
    num_classes=10,
    learning_rate=1e-3,
    seed=None,
    compile=True,
    name="cnn",
):
    """The classic lab's CNN: (Conv2D ReLU, MaxPooling) per entry of ``filters``, then
    Flatten, Dense ``dense_units`` ReLU, Dense softmax.

    With the defaults: Conv2D 64 3x3 ReLU, MaxPooling 2x2, Conv2D 64 3x3 ReLU, MaxPooling
    2x2, Flatten, Dense 128 ReLU, Dense 10 softmax, 'valid' padding as in the lab.

    Parameters
    ----------
    filters : sequence of int, optional
        Filters of each convolution layer, ``conv1``, ``conv2``, ...; each is followed by a
        pooling layer ``pool1``, ``pool2``, ...
    kernel_size : int or (int, int), optional
    dense_units : int, optional
        Neurons of the hidden dense layer ``dense1``.
    pool_size : int or (int, int), optional
    input_shape, num_classes, learning_rate, seed, compile, name
        As in :func:`build_dense`.

    Returns
    -------
    keras.Sequential
        Input (None, 28, 28, 1); with the defaults conv1 (None, 26, 26, 64), pool1
        (None, 13, 13, 64), conv2 (None, 11, 11, 64), pool2 (None, 5, 5, 64), flatten
        (None, 1600), dense1 (None, 128), output (None, 10).

    Raises
    ------
    ValueError
        If the image becomes smaller than a kernel or a pooling window on the way.

    Examples
    --------
    >>> model = build_cnn(filters=(32, 64))
    >>> [layer.name for layer in model.layers]
    ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'dense1', 'output']
    """
    if isinstance(filters, int | np.integer) and not isinstance(filters, bool):
        filters = (filters,)
    if not isinstance(filters, tuple | list) or not filters:
        raise TypeError(
            f"`filters` must be a non-empty sequence of filter counts; got {describe(filters)}. "
            f"Pass e.g. (64, 64)."
        )
    filters = [
        check_int(f, f"filters[{i}]", minimum=1, maximum=MAX_LENGTH) for i, f in enumerate(filters)
    ]
    kernel = check_pair(kernel_size, "kernel_size")
    pool = check_pair(pool_size, "pool_size")
    dense_units = check_int(dense_units, "dense_units", minimum=1, maximum=MAX_LENGTH)
    input_shape = _check_input_shape(input_shape)
    num_classes, learning_rate, seed = _check_common(num_classes, learning_rate, seed, compile)
    rows, cols = input_shape[:2]
    channels, weights = input_shape[2], 0
    for i in range(len(filters)):
        if rows < kernel[0] or cols < kernel[1]:
            raise ValueError(
                f"`filters` has {len(filters)} layers but the image is only {rows}x{cols} "
                f"before conv{i + 1} (kernel {kernel[0]}x{kernel[1]}); use fewer layers or a "
                f"smaller `kernel_size`."
            )
        rows, cols = rows - kernel[0] + 1, cols - kernel[1] + 1
        if rows < pool[0] or cols < pool[1]:
            raise ValueError(
                f"`filters` has {len(filters)} layers but the image is only {rows}x{cols} "
                f"before pool{i + 1} (window {pool[0]}x{pool[1]}); use fewer layers or a "
                f"smaller `pool_size`."
            )
        rows, cols = rows // pool[0], cols // pool[1]
        weights += (kernel[0] * kernel[1] * channels + 1) * filters[i]
        channels = filters[i]
    weights += (rows * cols * channels + 1) * dense_units + (dense_units + 1) * num_classes
    _check_params(weights, "filters")
    # Every layer's feature maps for one image must fit too (a huge input_shape).
    check_elements(
        math.prod(input_shape[:2]) * max(filters),
        "input_shape",
        f"feature maps of {input_shape[0]}x{input_shape[1]}x{max(filters)} per image",
        "Use smaller images or fewer filters.",
    )
    keras = _keras()
    if seed is not None:
        keras.utils.set_random_seed(seed)
    layers = keras.layers
    stack = [keras.Input(shape=input_shape, name="image")]
    for i, f in enumerate(filters, start=1):
        stack.append(layers.Conv2D(f, kernel, activation="relu", name=f"conv{i}"))
        stack.append(layers.MaxPooling2D(pool, name=f"pool{i}"))
    stack += [
        layers.Flatten(name="flatten"),
        layers.Dense(dense_units, activation="relu", name="dense1"),
        layers.Dense(num_classes, activation="softmax", name="output"),
    ]
    model = keras.Sequential(stack, name=name)
    return _compile(model, learning_rate) if compile else model


def preprocess(images) -> np.ndarray:
    """Images as the models take them: float32 (N, H, W, 1) in 0..1.

    Parameters
    ----------
    images : array_like, shape (N, H, W), (N, H, W, 1) or (H, W)
        Integer images with values 0..255 (divided by 255), float images already
        scaled to 0..1 (kept), or bool masks (True is 1). One (H, W) image becomes a
        batch of one.

    Returns
    -------
    ndarray of float32, shape (N, H, W, 1)

    Raises
    ------
    TypeError
        If ``images`` is not a real numeric array.
    ValueError
        For the wrong number of dimensions, integers outside 0..255 or floats outside 0..1.

    Examples
    --------
    >>> x = preprocess(np.array([[[0, 255], [51, 102]]], dtype=np.uint8))
    >>> x.shape, x.dtype, x[0, :, :, 0].tolist()
    ((1, 2, 2, 1), dtype('float32'), [[0.0, 1.0], [0.20000000298023224, 0.4000000059604645]])
    """
    if isinstance(images, str | bytes) or images is None:
        raise TypeError(f"`images` must be a numeric array; got {describe(images)}.")
    arr = np.asarray(images)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"`images` must be a real numeric array; got {describe(images)}. "
            f"Pass e.g. {_IMAGE_EXAMPLE}."
        )
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    elif arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.size == 0:
        raise ValueError(
            f"`images` must be grayscale images of shape (N, H, W), (N, H, W, 1) or (H, W); "
            f"got shape {np.shape(images)}. Pass e.g. {_IMAGE_EXAMPLE}."
        )
    if arr.dtype.kind == "b":  # a mask: True is full white
        return arr.astype(np.float32)[..., None]
    if arr.dtype.kind == "f":
        low, high = float(np.min(arr)), float(np.max(arr))
        if not (np.isfinite(low) and np.isfinite(high)) or low < 0 or high > 1:
            raise ValueError(
                f"float `images` must already be scaled to 0..1; got values {low}..{high}. "
                f"Pass the uint8 images (0..255) instead, or divide by 255 first."
            )
        return arr.astype(np.float32)[..., None]
    if arr.min() < 0 or arr.max() > 255:
        raise ValueError(
            f"integer `images` must hold pixel values 0..255; got {arr.min()}..{arr.max()}."
        )
    return (arr.astype(np.float32) / np.float32(255))[..., None]


# ----------------------------------------------------------------------------- training


class TrainingProgress:
    """A small ipywidgets display of training: epoch bar, batch bar and a line of metrics.

    :func:`train` drives it. Build one yourself only to place it in your own layout: display
    ``progress.widget`` first, then pass ``progress=progress`` to :func:`train`.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The display: ``epoch_bar``, ``batch_bar`` and ``text``.
    epoch_bar, batch_bar : ipywidgets.IntProgress
    text : ipywidgets.HTML
        "epoch 2/5, batch 63/63: loss 0.213, accuracy 0.941 (test: ...)".

    Examples
    --------
    >>> progress = TrainingProgress()
    >>> progress.start(epochs=2, steps=10)
    >>> progress.batch_end(epoch=0, batch=9, logs={"loss": 0.5, "accuracy": 0.875})
    >>> progress.batch_bar.value, progress.text.value
    (10, 'epoch 1/2, batch 10/10: loss 0.500, accuracy 0.875')
    """

    # Pushing a widget update per batch costs more than a small batch's compute; a few
    # updates a second look just as live.
    min_interval = 0.1

    def __init__(self):
        import ipywidgets as widgets

        layout = widgets.Layout(width="60%")
        self.epoch_bar = widgets.IntProgress(
            value=0, min=0, max=1, description="Epoch", layout=layout
        )
        self.batch_bar = widgets.IntProgress(
            value=0, min=0, max=1, description="Batch", layout=layout
        )
        self.text = widgets.HTML(value="waiting for training to start")
        self.widget = widgets.VBox([self.epoch_bar, self.batch_bar, self.text])
        self._epochs = self._steps = 1
        self._last = 0.0
        self._epoch_text = ""

    def start(self, epochs: int, steps: int) -> None:
        """Reset the bars for ``epochs`` epochs of ``steps`` batches."""
        self._epochs, self._steps = epochs, steps
        self.epoch_bar.max, self.epoch_bar.value = epochs, 0
        self.batch_bar.max, self.batch_bar.value = steps, 0
        self.epoch_bar.bar_style = self.batch_bar.bar_style = ""
        self.text.value = f"training: {epochs} epochs of {steps} batches"

    def batch_end(self, epoch: int, batch: int, logs: dict) -> None:
        """After batch ``batch`` (from 0) of epoch ``epoch`` (from 0), at most a few times a
        second, and always after the last batch."""
        now = time.perf_counter()
        if batch + 1 < self._steps and now - self._last < self.min_interval:
            return
        self._last = now
        self.batch_bar.value = batch + 1
        self.text.value = (
            f"epoch {epoch + 1}/{self._epochs}, batch {batch + 1}/{self._steps}: "
            f"{_format_logs(logs)}{self._epoch_text}"
        )

    def epoch_end(self, epoch: int, logs: dict, seconds: float) -> None:
        """After epoch ``epoch`` (from 0), with its metrics and duration."""
        self.epoch_bar.value = epoch + 1
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        line = f"epoch {epoch + 1}/{self._epochs} took {seconds:.1f} s: {_format_logs(train_logs)}"
        if val:
            line += f" (test: {_format_logs(val)})"
        self._epoch_text = f"<br>last complete {line}"
        self.text.value = line

    def finish(self) -> None:
        """Mark the training as done."""
        self.epoch_bar.bar_style = self.batch_bar.bar_style = "success"
        self.text.value = "done: " + self.text.value


def _format_logs(logs: dict) -> str:
    ordered = sorted(logs.items(), key=lambda item: item[0] != "loss")  # loss first
    return ", ".join(f"{k} {float(v):.3f}" for k, v in ordered)


@dataclass
class TrainingResult:
    """What :func:`train` returns.

    Attributes
    ----------
    history : keras.callbacks.History
        ``history.history`` maps ``"loss"``, ``"accuracy"`` (and ``"val_loss"``,
        ``"val_accuracy"`` on the test data) to one value per epoch.
    seconds_per_epoch : list of float
        Wall-clock seconds of each epoch, test evaluation included.
    progress : TrainingProgress or None
        The progress display used, if any.
    """

    history: object
    seconds_per_epoch: list[float] = field(default_factory=list)
    progress: TrainingProgress | None = None

    @property
    def metrics(self) -> dict[str, list[float]]:
        """``history.history``: metric name -> one float per epoch."""
        return {k: [float(v) for v in vals] for k, vals in self.history.history.items()}


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _split_data(data):
    """(x, y, validation or None) from a Dataset or a tuple."""
    if hasattr(data, "x_train") and hasattr(data, "y_train"):
        return data.x_train, data.y_train, (data.x_test, data.y_test)
    if isinstance(data, tuple | list) and len(data) in (2, 4):
        validation = tuple(data[2:]) if len(data) == 4 else None
        return data[0], data[1], validation
    raise TypeError(
        f"`data` must be a cnnviz.data.Dataset or a tuple (x_train, y_train) or (x_train, "
        f"y_train, x_test, y_test); got {describe(data)}. Pass e.g. "
        f"`cnnviz.data.load_dataset('mnist')`."
    )


def _labels(y, n, name):
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.dtype.kind not in "iu" or len(arr) != n:
        raise ValueError(
            f"`{name}` must be {n} integer class labels (one per image, shape ({n},)); got "
            f"{describe(y)}."
        )
    return arr.astype(np.int64)


def train(model, data, epochs=5, batch_size=64, *, progress=True, seed=None, shuffle=True):
    """Fit ``model`` on ``data``, showing progress in a notebook, and time every epoch.

    Parameters
    ----------
    model : keras.Model
        A compiled model, e.g. from :func:`build_cnn`.
    data : cnnviz.data.Dataset or tuple
        A Dataset (trains on ``x_train``, evaluates ``x_test`` after every epoch for the
        learning curves), or ``(x_train, y_train)``, or ``(x_train, y_train, x_test,
        y_test)``. Images are uint8 (N, 28, 28) or already preprocessed; :func:`preprocess`
        is applied.
    epochs : int, optional
    batch_size : int, optional
        64 by default: twice the classic lab's 32, faster per epoch on a CPU; with
        :data:`NOTEBOOK_CNN`'s learning rate it is as accurate (``bench/bench_training.py``).
    progress : bool or TrainingProgress, optional
        ``True`` (default): inside a Jupyter kernel a :class:`TrainingProgress` is created
        and displayed right before training (live epoch and batch bars, loss and
        accuracy); anywhere else (scripts, tests) nothing is shown. ``False``: silent. A
        ``TrainingProgress`` you displayed yourself: updated, not displayed again.
    seed : int, optional
        Seeds Keras (``keras.utils.set_random_seed``) so that the shuffling is repeatable.
    shuffle : bool, optional

    Returns
    -------
    TrainingResult
        ``history`` (keras History), ``seconds_per_epoch``, ``progress``, ``metrics``.

    Examples
    --------
    >>> from cnnviz.data import load_dataset
    >>> data = load_dataset("mnist", source="shipped", n_train=500, n_test=100)
    >>> result = train(build_cnn(seed=0), data, epochs=1)
    >>> len(result.seconds_per_epoch), sorted(result.metrics)
    (1, ['accuracy', 'loss', 'val_accuracy', 'val_loss'])
    """
    x, y, validation = _split_data(data)
    x = preprocess(x)
    y = _labels(y, len(x), "y_train")
    if validation is not None:
        x_val = preprocess(validation[0])
        validation = (x_val, _labels(validation[1], len(x_val), "y_test"))
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    if seed is not None:
        seed = check_int(seed, "seed", minimum=0)
    if not isinstance(shuffle, bool):
        raise TypeError(f"`shuffle` must be True or False; got {describe(shuffle)}.")
    if not (isinstance(progress, bool | TrainingProgress)):
        raise TypeError(
            f"`progress` must be True, False or a TrainingProgress; got {describe(progress)}."
        )
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"`model` must be a Keras model; got {describe(model)}. Pass e.g. `build_cnn()`."
        )
    if getattr(model, "optimizer", None) is None:
        raise ValueError(
            "`model` is not compiled; build it with compile=True or call model.compile(...) "
            "before training."
        )
    _check_fits(model, x, "data")
    classes = model.outputs[0].shape[-1] if model.outputs else None
    for labels, name in [(y, "y_train")] + ([(validation[1], "y_test")] if validation else []):
        if classes and len(labels) and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(
                f"`data`'s {name} must be class numbers 0..{classes - 1} for this model's "
                f"{classes} outputs; found {labels.min()}..{labels.max()}."
            )
    if validation is not None:
        _check_fits(model, validation[0], "data")
    if progress is True:
        progress = TrainingProgress() if _in_notebook() else None
        if progress is not None:
            from IPython.display import display

            display(progress.widget)
    elif progress is False:
        progress = None
    if seed is not None:
        keras.utils.set_random_seed(seed)

    timer = _make_callback(keras, progress, epochs, math.ceil(len(x) / batch_size))
    history = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation,
        shuffle=shuffle,
        callbacks=[timer],
        verbose=0,
    )
    if progress is not None:
        progress.finish()
    return TrainingResult(history=history, seconds_per_epoch=timer.seconds, progress=progress)


def _make_callback(keras, progress, epochs, steps):
    """A Keras callback that times epochs and forwards events to ``progress``."""

    class _EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []
            self._epoch = 0
            self._start = 0.0

        def on_train_begin(self, logs=None):
            if progress is not None:
                progress.start(epochs, steps)

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)
            if progress is not None:
                progress.epoch_end(epoch, logs or {}, self.seconds[-1])

    class _BatchProgress(_EpochTimer):
        def on_train_batch_end(self, batch, logs=None):
            progress.batch_end(self._epoch, batch, logs or {})

    # Only a display needs the per-batch hook: without one Keras dispatches batches
    # without waiting for each to finish.
    return _EpochTimer() if progress is None else _BatchProgress()


def predict(model, images) -> np.ndarray:
    """Class probabilities for a batch, from one model call (no ``predict`` loop).

    Parameters
    ----------
    model : keras.Model
    images : array_like, shape (N, 28, 28) or (28, 28)
        uint8 images, or preprocessed ones (see :func:`preprocess`).

    Returns
    -------
    ndarray of float32, shape (N, num_classes)
        Each row sums to 1.

    Examples
    --------
    >>> probs = predict(load_pretrained(), np.zeros((2, 28, 28), np.uint8))
    >>> probs.shape
    (2, 10)
    """
    x = preprocess(images)
    _check_model(model)
    return np.asarray(model(_check_fits(model, x), training=False))


# ----------------------------------------------------------------------------- looking inside


class Kernels(NamedTuple):
    """A Conv2D layer's learned parameters."""

    weights: np.ndarray
    """(kh, kw, in_channels, filters): ``weights[:, :, c, f]`` is filter f's slice for
    input channel c."""
    bias: np.ndarray
    """(filters,): added to each filter's sum before the ReLU."""


def _check_model(model):
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"`model` must be a Keras model; got {describe(model)}. Pass e.g. "
            f"`cnnviz.models.load_pretrained()`."
        )
    return keras


def _feature_layers(model):
    keras = _check_model(model)
    kinds = (
        keras.layers.Conv2D,
        keras.layers.MaxPooling2D,
        keras.layers.AveragePooling2D,
    )
    return [layer for layer in model.layers if isinstance(layer, kinds)]


def feature_layer_names(model) -> list[str]:
    """Names of the layers :func:`activations` returns: every Conv2D and pooling layer.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    list of str
        In model order, e.g. ``['conv1', 'pool1', 'conv2', 'pool2']``.

    Examples
    --------
    >>> feature_layer_names(build_cnn())
    ['conv1', 'pool1', 'conv2', 'pool2']
    """
    return [layer.name for layer in _feature_layers(model)]


# One activation model per model, built on first use; dropped with the model.
_ACTIVATION_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def activations(model, images) -> OrderedDict[str, np.ndarray]:
    """Every convolution and pooling layer's feature maps, from one model call.

    An activation model from ``model``'s input to those layers' outputs is built once per
    model and cached, then called once on the whole batch (never ``predict`` in a loop).

    Parameters
    ----------
    model : keras.Model
        Built with an explicit ``keras.Input`` (as :func:`build_cnn` does).
    images : array_like, shape (N, 28, 28) or (28, 28)
        uint8 images, or preprocessed ones (see :func:`preprocess`).

    Returns
    -------
    OrderedDict of str -> ndarray of float32, shape (N, h, w, channels)
        Layer name -> feature maps, in model order. A Conv2D layer's maps are taken after
        its activation (ReLU), as the next layer sees them.

    Raises
    ------
    ValueError
        If the model has no convolution or pooling layer.

    Examples
    --------
    >>> maps = activations(load_pretrained(), np.zeros((3, 28, 28), np.uint8))
    >>> list(maps)
    ['conv1', 'pool1', 'conv2', 'pool2']
    >>> [m.shape for m in maps.values()]
    [(3, 26, 26, 32), (3, 13, 13, 32), (3, 11, 11, 64), (3, 5, 5, 64)]
    """
    x = preprocess(images)
    layers = _feature_layers(model)
    _check_fits(model, x)
    if not layers:
        raise ValueError(
            f"`model` ({model.name}) has no Conv2D or pooling layer to show; pass a CNN such "
            f"as `build_cnn()` or `load_pretrained()`."
        )
    keras = _keras()
    probe = _ACTIVATION_MODELS.get(model)
    if probe is None:
        probe = keras.Model(
            inputs=model.inputs[0],
            outputs=[layer.output for layer in layers],
            name=f"{model.name}_activations",
        )
        _ACTIVATION_MODELS[model] = probe
    outputs = probe(x, training=False)
    if not isinstance(outputs, list | tuple):
        outputs = [outputs]
    return OrderedDict(
        (layer.name, np.asarray(out)) for layer, out in zip(layers, outputs, strict=True)
    )


def learned_kernels(model, layer="conv1") -> Kernels:
    """A Conv2D layer's learned kernels and biases.

    Parameters
    ----------
    model : keras.Model
    layer : str or int, optional
        The layer's name (e.g. ``"conv2"``) or its index in ``model.layers``.

    Returns
    -------
    Kernels
        ``weights`` (kh, kw, in_channels, filters) and ``bias`` (filters,), float32 copies.
        ``weights[:, :, 0, f]`` is filter f of a first layer on grayscale images.

    Raises
    ------
    ValueError
        If there is no such layer, or it is not a Conv2D layer.

    Examples
    --------
    >>> kernels = learned_kernels(load_pretrained(), "conv1")
    >>> kernels.weights.shape, kernels.bias.shape
    ((3, 3, 1, 32), (32,))
    """
    keras = _check_model(model)
    conv_names = [lay.name for lay in model.layers if isinstance(lay, keras.layers.Conv2D)]
    if isinstance(layer, str):
        found = [lay for lay in model.layers if lay.name == layer]
        if not found:
            raise ValueError(
                f"`layer` {layer!r} is not a layer of {model.name}; its Conv2D layers are "
                f"{conv_names}."
            )
        target = found[0]
    elif isinstance(layer, int | np.integer) and not isinstance(layer, bool):
        index = check_int(layer, "layer", minimum=-len(model.layers), maximum=len(model.layers) - 1)
        target = model.layers[index]
    else:
        raise TypeError(
            f"`layer` must be a layer name or index; got {describe(layer)}. Pass e.g. 'conv1'."
        )
    if not isinstance(target, keras.layers.Conv2D):
        raise ValueError(
            f"`layer` {target.name!r} is a {type(target).__name__}, which has no kernels; "
            f"choose one of the Conv2D layers {conv_names}."
        )
    weights = np.array(target.kernel.numpy(), dtype=np.float32)
    bias = (
        np.array(target.bias.numpy(), dtype=np.float32)
        if target.use_bias
        else np.zeros(weights.shape[-1], np.float32)
    )
    return Kernels(weights, bias)


# ----------------------------------------------------------------------------- pretrained


def load_pretrained(path=None, *, compile=True):
    """The small CNN that ships with cnnviz, trained on the shipped MNIST subset.

    ``build_cnn(filters=PRETRAINED_FILTERS)`` trained by ``scripts/train_shipped_model.py``
    with fixed seeds on the 4,000 training digits of ``load_dataset('mnist',
    source='shipped')``. Loaded in Keras' safe mode (no arbitrary code from the file).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Another ``.keras`` file; defaults to the shipped one.
    compile : bool, optional
        Compile as :func:`build_cnn` does (so ``evaluate`` and more training work). The
        file holds no optimizer state.

    Returns
    -------
    keras.Sequential
        Layers conv1, pool1, conv2, pool2, flatten, dense1, output.

    Raises
    ------
    FileNotFoundError
        If the file is missing (rebuild it with ``python scripts/train_shipped_model.py``).

    Examples
    --------
    >>> model = load_pretrained()
    >>> model.output_shape
    (None, 10)
    """
    if path is None:
        path = PRETRAINED_PATH
    if not isinstance(compile, bool):
        raise TypeError(f"`compile` must be True or False; got {describe(compile)}.")
    path = check_file(
        path, "path", fix="Rebuild the shipped one with `python scripts/train_shipped_model.py`."
    )
    keras = _keras()
    try:
        model = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # Keras says "File not found" even for a corrupt file
        if "safe_mode" in str(exc):
            raise ValueError(
                f"`path` {shorten(str(path), path=True)!r} holds Python code (e.g. a Lambda "
                f"layer); it is not loaded, as Keras' safe_mode refuses to run code from a file."
            ) from None
        raise ValueError(
            f"`path` {shorten(str(path), path=True)!r} is not a .keras model Keras can read "
            f"(truncated, corrupted or another format: {type(exc).__name__}). Save the model "
            f"again with `model.save(path)`."
        ) from None
    return _compile(model, 1e-3) if compile else model
