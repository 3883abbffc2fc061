"""Training benchmark: the notebooks' CNN vs the classic lab's network and settings, one run.

Run from the repository root::

    python bench/bench_training.py            # 3 seeds per row, about 2 minutes on 2 cores
    python bench/bench_training.py --quick    # 1 seed per row, about 40 s

Data: the shipped MNIST subset (``load_dataset("mnist", source="shipped")``): 4,000
training digits, and 1,000 held-out test digits used only for the accuracy column.

Rows (all in this process, their runs interleaved seed by seed so a slow spell of the
machine hits them alike):

- ``classic lab``: the classic TensorFlow course lab, as written there: a ``Sequential`` of
  Conv2D 64 3x3 ReLU, MaxPooling 2x2, Conv2D 64 3x3 ReLU, MaxPooling 2x2, Flatten, Dense 128
  ReLU, Dense 10 softmax; ``compile(optimizer="adam", loss="sparse_categorical_crossentropy",
  metrics=["accuracy"])``; images ``reshape(N, 28, 28, 1) / 255.0``;
  ``fit(x, y, epochs=5)`` (Keras' default batch size 32). Built with plain Keras, not cnnviz.
- ``notebooks' CNN``: ``cnnviz.models.build_cnn(**NOTEBOOK_CNN)`` (32 then 64 filters, Adam at
  3e-3) trained by ``cnnviz.models.train(..., epochs=5, batch_size=64)``.
- ``32/64 filters, classic settings``: the notebooks' network with the classic batch 32 and
  Adam at 1e-3, to show what the smaller network alone does.

Columns: held-out accuracy (mean over seeds, and the range), median seconds per epoch,
mean seconds for the whole fit (its first epoch includes Keras tracing the new model's
training step), and the ratios to the classic row. One untimed warm-up fit per row runs
first. The target (issue 4):
at least as accurate in less time. PASS/MISS reports this run; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _timing import fmt_ratio, machine_lines, print_table, quiet_stderr, verdict  # noqa: E402

from cnnviz.data import load_dataset  # noqa: E402

PACKAGES = [
    ("NumPy", ["numpy"]),
    ("TensorFlow", ["tensorflow-cpu", "tensorflow"]),
    ("Keras", ["keras"]),
    ("cnnviz", ["cnnviz"]),
]
EPOCHS = 5


def classic_lab(keras, data, seed):
    """The classic lab, statement for statement; returns (accuracy, seconds per epoch)."""
    keras.utils.set_random_seed(seed)
    model = keras.models.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),  # Keras 3 wants an explicit Input
            keras.layers.Conv2D(64, (3, 3), activation="relu"),
            keras.layers.MaxPooling2D(2, 2),
            keras.layers.Conv2D(64, (3, 3), activation="relu"),
            keras.layers.MaxPooling2D(2, 2),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    training_images = data.x_train.reshape(len(data.x_train), 28, 28, 1) / 255.0
    test_images = data.x_test.reshape(len(data.x_test), 28, 28, 1) / 255.0
    timer = _epoch_timer(keras)
    model.fit(training_images, data.y_train, epochs=EPOCHS, verbose=0, callbacks=[timer])
    probabilities = np.asarray(model(test_images.astype(np.float32), training=False))
    return _accuracy(probabilities, data.y_test), timer.seconds


def notebooks_cnn(models, data, seed, *, classic_settings=False):
    """cnnviz's network through cnnviz.models.train; returns (accuracy, seconds per epoch)."""
    if classic_settings:
        model = models.build_cnn(filters=models.NOTEBOOK_CNN["filters"], seed=seed)
        batch_size = 32
    else:
        model = models.build_cnn(**models.NOTEBOOK_CNN, seed=seed)
        batch_size = 64
    result = models.train(
        model,
        (data.x_train, data.y_train),
        epochs=EPOCHS,
        batch_size=batch_size,
        progress=False,
        seed=seed,
    )
    return _accuracy(models.predict(model, data.x_test), data.y_test), result.seconds_per_epoch


def _epoch_timer(keras):
    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def _accuracy(probabilities, labels) -> float:
    return float(np.mean(np.argmax(probabilities, axis=1) == labels))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed per row")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per row (default 3)")
    args = parser.parse_args(argv)
    seeds = list(range(args.seeds or (1 if args.quick else 3)))

    print("Training: the notebooks' CNN vs the classic lab, shipped MNIST subset")
    for text in machine_lines(PACKAGES):
        print(text)
    with quiet_stderr():
        from cnnviz import models

        threads = models.configure_threads()
        import keras
    data = load_dataset("mnist", source="shipped")
    print(f"{data.description}; {EPOCHS} epochs; seeds {seeds}; TensorFlow threads {threads}")
    print()

    rows = {
        "classic lab (64/64, batch 32, Adam 1e-3)": lambda s: classic_lab(keras, data, s),
        "notebooks' CNN (32/64, batch 64, Adam 3e-3)": lambda s: notebooks_cnn(models, data, s),
        "32/64 filters, classic settings": lambda s: notebooks_cnn(
            models, data, s, classic_settings=True
        ),
    }
    with quiet_stderr():  # one warm-up fit per row: graph tracing is not training time
        for run in rows.values():
            run(100)
    results = {name: [] for name in rows}
    for seed in seeds:
        for name, run in rows.items():
            results[name].append(run(seed))
            print(f"  seed {seed}: {name}: accuracy {results[name][-1][0]:.3f}", flush=True)
    print()

    summary = {}
    for name, runs in results.items():
        accuracies = [acc for acc, _ in runs]
        per_epoch = statistics.median(s for _, secs in runs for s in secs)
        total = statistics.mean(sum(secs) for _, secs in runs)
        summary[name] = (
            statistics.mean(accuracies),
            min(accuracies),
            max(accuracies),
            per_epoch,
            total,
        )
    classic_name, notebook_name = list(rows)[:2]
    base = summary[classic_name]
    table = []
    for name, (acc, low, high, per_epoch, total) in summary.items():
        table.append(
            [
                name,
                f"{acc:.4f}",
                f"{low:.3f}..{high:.3f}",
                f"{acc - base[0]:+.4f}",
                f"{per_epoch:.2f} s",
                fmt_ratio(per_epoch / base[3]),
                f"{total:.1f} s",
                fmt_ratio(total / base[4]),
            ]
        )
    print_table(
        [
            "network and settings",
            "accuracy",
            "range",
            "vs classic",
            "s/epoch",
            "ratio",
            "whole fit",
            "ratio",
        ],
        table,
        title=f"Held-out accuracy on 1,000 digits and training time ({len(seeds)} seed(s))",
    )
    mine = summary[notebook_name]
    print_table(
        ["target", "this run", "verdict"],
        [
            [
                "notebooks' CNN at least as accurate (mean over seeds)",
                f"{mine[0] - base[0]:+.4f}",
                verdict(mine[0], base[0], at_most=False),
            ],
            [
                "notebooks' CNN in less time per epoch (median)",
                fmt_ratio(mine[3] / base[3]),
                verdict(mine[3] / base[3], 1.0, at_most=True),
            ],
            [
                "notebooks' CNN in less time for the whole fit",
                fmt_ratio(mine[4] / base[4]),
                verdict(mine[4] / base[4], 1.0, at_most=True),
            ],
        ],
        title="Targets (issue 4)",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
