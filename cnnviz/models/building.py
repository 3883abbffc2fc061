"""Building the notebooks' networks (dense and CNN), pre-processing images for them, and
loading the small CNN that ships with cnnviz.
"""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np

from cnnviz._validation import (
    MAX_LENGTH,
    check_choice,
    check_elements,
    check_file,
    check_int,
    check_number,
    check_pair,
    describe,
    model_images,
    shorten,
)
from cnnviz.models.threads import _keras
from cnnviz.network import SHIPPED_MODEL
from cnnviz.shapes import conv_output_size

__all__ = [
    "save_for_notebooks",
    "NOTEBOOK_CNN",
    "PRETRAINED_FILTERS",
    "PRETRAINED_PATH",
    "build_cnn",
    "build_dense",
    "load_pretrained",
    "preprocess",
]


PRETRAINED_PATH = SHIPPED_MODEL


#: Filter counts of the shipped CNN: half the classic lab's 64 in the first layer (half the
#: compute of both convolutions) keeps the file under 1 MB and training quick.
PRETRAINED_FILTERS = (32, 64)


#: The notebooks' CNN, ``build_cnn(**NOTEBOOK_CNN)``, trained with ``batch_size=64`` (the
#: default of :func:`train`): the classic lab's network with 32 first-layer filters and
#: Adam at 3e-3 (the bigger batch takes half as many steps, each can be bigger). On the
#: shipped subset it is at least as accurate as the classic network and settings (batch 32,
#: Adam at 1e-3) in about half the time per epoch: ``bench/bench_training.py``.
NOTEBOOK_CNN = MappingProxyType({"filters": (32, 64), "learning_rate": 3e-3})


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
    padding="valid",
    strides=1,
    pooling="max",
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
    padding : {"valid", "same"}, optional
        The convolutions' padding ("valid", as in the lab, by default).
    strides : int or (int, int), optional
        The convolutions' strides (1 by default).
    pooling : {"max", "average"}, optional
        ``MaxPooling2D`` (default) or ``AveragePooling2D`` layers.
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
    padding = check_choice(padding, "padding", ("valid", "same"))
    strides = check_pair(strides, "strides")
    pooling = check_choice(pooling, "pooling", ("max", "average"))
    rows, cols = input_shape[:2]
    channels, weights = input_shape[2], 0
    for i in range(len(filters)):
        if padding == "valid" and (rows < kernel[0] or cols < kernel[1]):
            raise ValueError(
                f"`filters` has {len(filters)} layers but the image is only {rows}x{cols} "
                f"before conv{i + 1} (kernel {kernel[0]}x{kernel[1]}); use fewer layers or a "
                f"smaller `kernel_size`."
            )
        rows, cols = conv_output_size((rows, cols), kernel, padding, strides)
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
        stack.append(
            layers.Conv2D(f, kernel, strides, padding=padding, activation="relu", name=f"conv{i}")
        )
        pool_layer = layers.MaxPooling2D if pooling == "max" else layers.AveragePooling2D
        stack.append(pool_layer(pool, name=f"pool{i}"))
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
    return model_images(images)


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


def save_for_notebooks(model, data, *, accuracy=None, folder=None):
    """Save a CNN trained in notebook 04 for notebooks 05 and 06 to open.

    Writes ``my_cnn.keras`` (Keras' own format) and ``my_cnn.json`` (what it was trained
    on and its class names) in ``my_models/`` beside the notebooks;
    :func:`cnnviz.network.open_course_model` reads them, without TensorFlow.

    Parameters
    ----------
    model : keras.Model
    data : cnnviz.data.Dataset
        What it was trained on (its ``name``, ``class_names`` and ``description``).
    accuracy : float, optional
        Its test accuracy, recorded in the description.
    folder : str or pathlib.Path, optional
        Defaults to :func:`cnnviz.network.my_models_folder`.

    Returns
    -------
    pathlib.Path
        The ``.keras`` file written.

    Examples
    --------
    >>> import tempfile, types
    >>> data = types.SimpleNamespace(
    ...     name="mnist", class_names=[str(d) for d in range(10)], description="MNIST digits"
    ... )
    >>> path = save_for_notebooks(build_cnn(), data, folder=tempfile.mkdtemp())
    >>> path.name, path.with_suffix(".json").exists()
    ('my_cnn.keras', True)
    """
    import json

    from cnnviz.network import MY_CNN, my_models_folder

    folder = my_models_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MY_CNN
    model.save(path)
    trained_on = str(data.description)
    if accuracy is not None:
        trained_on += f"; test accuracy {float(accuracy):.3f}"
    info = {
        "dataset": str(data.name),
        "class_names": [str(n) for n in data.class_names],
        "trained_on": trained_on,
    }
    path.with_suffix(".json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return path
