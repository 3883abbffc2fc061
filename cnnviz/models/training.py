"""Training with a live progress display in a notebook (silent elsewhere), timed per epoch."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from cnnviz._validation import check_int, describe
from cnnviz.models.building import _check_fits, preprocess
from cnnviz.models.threads import _keras

__all__ = [
    "TrainingProgress",
    "TrainingResult",
    "train",
]


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
    >>> from cnnviz.models import build_cnn
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
