"""The course's models: the shipped CNN, Keras' stored outputs for it, and the CNN a
student trained in notebook 04."""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple

import numpy as np

from cnnviz._validation import describe
from cnnviz.network.files import _MAX_CONFIG_BYTES, SHIPPED_MODEL
from cnnviz.network.model import Network

__all__ = [
    "MY_CNN",
    "SHIPPED_KERAS_OUTPUTS",
    "CourseModel",
    "KerasOutputs",
    "keras_outputs",
    "my_models_folder",
    "open_course_model",
]

#: What Keras computed with that model for the shipped test digits, written beside it by
#: ``scripts/train_shipped_model.py``: read it with :func:`keras_outputs`.
SHIPPED_KERAS_OUTPUTS = Path(__file__).parent.parent / "_data" / "mnist_cnn_keras_outputs.npz"
#: File name of the CNN notebook 04 saves in :func:`my_models_folder` (beside it, the same
#: name with ``.json`` says what it was trained on).
MY_CNN = "my_cnn.keras"
_MNIST_NAMES = tuple(str(d) for d in range(10))


class KerasOutputs(NamedTuple):
    """What Keras computed with the shipped model, stored when the model was built."""

    probabilities: np.ndarray
    """(1000, 10) float32: ``model(x)`` for every shipped test digit, in order."""
    digits: np.ndarray
    """(k,) int: the test digits (indices into ``x_test``) whose activations are stored."""
    activations: OrderedDict
    """Layer name -> (k, *output_shape) float32: every layer's output for those digits."""
    keras_version: str
    """The Keras version that computed them."""


def keras_outputs(path=SHIPPED_KERAS_OUTPUTS) -> KerasOutputs:
    """Keras' own outputs for the shipped model, to compare NumPy with Keras without Keras.

    ``scripts/train_shipped_model.py`` writes them with Keras right after it saves the
    model: the probabilities for all 1,000 test digits of
    ``cnnviz.data.load_dataset("mnist", source="shipped")`` and every layer's output for a
    few of them.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Defaults to :data:`SHIPPED_KERAS_OUTPUTS`.

    Returns
    -------
    KerasOutputs

    Examples
    --------
    >>> stored = keras_outputs()
    >>> stored.probabilities.shape, list(stored.activations)[:2]
    ((1000, 10), ['conv1', 'pool1'])
    """
    with np.load(path, allow_pickle=False) as data:
        names = [str(n) for n in data["layer_names"]]
        return KerasOutputs(
            probabilities=data["probabilities"],
            digits=data["digits"],
            activations=OrderedDict((n, data[f"layer_{n}"]) for n in names),
            keras_version=str(data["keras_version"]),
        )


def my_models_folder(folder=None) -> Path:
    """The folder where notebook 04 saves the CNN a student trains: ``my_models``.

    Relative to the working directory (a notebook's own folder, ``notebooks/``), so a
    student sees it beside the notebooks; the environment variable ``CNNVIZ_MY_MODELS``
    moves it (the tests point it at a scratch folder). git ignores ``notebooks/my_models/``.

    Examples
    --------
    >>> my_models_folder("elsewhere")
    PosixPath('elsewhere')
    """
    if folder is None:
        folder = os.environ.get("CNNVIZ_MY_MODELS") or "my_models"
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"`folder` must be a folder path; got {describe(folder)}.")
    return Path(folder)


class CourseModel(NamedTuple):
    """What :func:`open_course_model` returns."""

    network: Network
    """The CNN, in NumPy."""
    dataset: str
    """What it was trained on: ``"mnist"`` or ``"fashion_mnist"``."""
    class_names: tuple
    """One name per output, e.g. ``("0", ..., "9")`` or ``("T-shirt/top", ...)``."""
    description: str
    """Which file was opened and what it was trained on, to print."""
    shipped: bool
    """True for the shipped model (whose Keras outputs :func:`keras_outputs` has)."""
    path: Path
    """The .keras file opened."""


def open_course_model(folder=None) -> CourseModel:
    """The CNN you trained in notebook 04 if it saved one, otherwise the shipped one.

    Notebook 04 saves its CNN as ``my_models/my_cnn.keras`` with ``my_cnn.json`` beside it
    (what it was trained on, its class names: ``cnnviz.models.save_for_notebooks``).
    A file that cannot be opened is reported in ``description`` and the shipped model is
    used instead, so a notebook never stops here.

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        Defaults to :func:`my_models_folder`.

    Returns
    -------
    CourseModel
        ``network``, ``dataset``, ``class_names``, ``description``, ``shipped``.

    Examples
    --------
    >>> chosen = open_course_model("a folder that does not exist")
    >>> chosen.shipped, chosen.dataset, chosen.network.name
    (True, 'mnist', 'mnist_cnn')
    """
    folder = my_models_folder(folder)
    path = folder / MY_CNN
    problem = ""
    if path.is_file():
        try:
            network = Network.from_keras_file(path)
            info = _read_model_info(path.with_suffix(".json"))
            names = tuple(str(n) for n in info.get("class_names", _MNIST_NAMES))
            if len(names) != network.num_classes:
                names = tuple(str(i) for i in range(network.num_classes))
            dataset = str(info.get("dataset", "unknown data"))
            trained_on = str(info.get("trained_on", "data notebook 04 did not record"))
            return CourseModel(
                network,
                dataset,
                names,
                f"your CNN from notebook 04 ({path}), trained on {trained_on}",
                False,
                path,
            )
        except (OSError, ValueError) as error:
            problem = f" ({path} could not be opened: {error})"
    network = Network.from_keras_file(SHIPPED_MODEL)
    return CourseModel(
        network,
        "mnist",
        _MNIST_NAMES,
        "the CNN that ships with cnnviz, trained on the 4,000 MNIST training digits that ship "
        f"with it{problem or '; notebook 04 saves yours to ' + str(path)}",
        True,
        SHIPPED_MODEL,
    )


def _read_model_info(path):
    if not path.is_file():
        return {}
    if path.stat().st_size > _MAX_CONFIG_BYTES:
        raise ValueError(f"{path} is too large to be a model description")
    info = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(info, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return info
