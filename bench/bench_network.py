"""The NumPy network (cnnviz.network) against the Keras model call, in one process.

Run from the repository root::

    python bench/bench_network.py            # about a minute on 2 cores, TensorFlow included
    python bench/bench_network.py --quick    # fewer repeats, rougher numbers

The model is the shipped CNN (``cnnviz/_data/mnist_cnn.keras``: conv1 32 filters, pool1,
conv2 64 filters, pool2, dense 128, dense 10), the images the shipped MNIST test digits
(uint8). Both sides take the same input and do the same work: ``Network.predict(images)``
against ``cnnviz.models.predict(model, images)`` (scaling to 0..1, then one
``model(x, training=False)`` call).

1. Start-up, measured before TensorFlow is imported: reading the file and the first
   prediction with NumPy, then importing TensorFlow, loading the model with Keras and its
   first call (which traces the model). Nothing is warmed up: this is what a notebook pays.
2. Steady state: median time per prediction for 1, 3, 6 and 100 images, the two sides'
   runs interleaved. Targets (DESIGN.md): for 1-6 images at most Keras' time (ratio <= 1),
   for a batch of 100 within 2x.
3. The feature-map explorer's "new image set": the feature maps of 3 new images (every
   Conv2D and pooling layer) with a Network (target <= 25 ms of compute), against the Keras
   activation model.

PASS/MISS reports this run on this machine; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _timing import (  # noqa: E402
    fmt_ratio,
    fmt_time,
    machine_lines,
    measure_many,
    print_table,
    quiet_stderr,
    verdict,
)

PACKAGES = [
    ("NumPy", ["numpy"]),
    ("h5py", ["h5py"]),
    ("TensorFlow", ["tensorflow-cpu", "tensorflow"]),
    ("Keras", ["keras"]),
    ("cnnviz", ["cnnviz"]),
]
BATCHES = (1, 3, 6, 100)
SMALL_TARGET = 1.0  # 1-6 images: at most Keras' time
BATCH_TARGET = 2.0  # 100 images: within 2x
EXPLORER_TARGET = 0.025  # a new image set: at most 25 ms of compute


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (rougher numbers)")
    args = parser.parse_args(argv)
    timing = {"repeats": 7, "warmup": 1} if args.quick else {"repeats": 31, "warmup": 2}
    started = time.perf_counter()

    import numpy as np

    from cnnviz.data import load_dataset
    from cnnviz.network import SHIPPED_MODEL, Network

    digits = load_dataset("mnist", source="shipped").x_test

    # 1. Start-up, NumPy first: TensorFlow is not imported yet.
    assert "tensorflow" not in sys.modules
    t0 = time.perf_counter()
    net = Network.from_keras_file(SHIPPED_MODEL)
    t1 = time.perf_counter()
    net.predict(digits[:6])
    t2 = time.perf_counter()
    numpy_load, numpy_first = t1 - t0, t2 - t1

    with quiet_stderr():
        t0 = time.perf_counter()
        from cnnviz import models

        models.configure_threads()
        import keras  # noqa: F401  (the import is what is timed)

        t1 = time.perf_counter()
        model = models.load_pretrained(compile=False)
        t2 = time.perf_counter()
        models.predict(model, digits[:6])
        t3 = time.perf_counter()
    keras_import, keras_load, keras_first = t1 - t0, t2 - t1, t3 - t2

    # 2. Steady state, interleaved.
    funcs = {}
    for n in BATCHES:
        batch = digits[:n]
        funcs[f"numpy {n}"] = lambda b=batch: net.predict(b)
        funcs[f"keras {n}"] = lambda b=batch: models.predict(model, b)
    three = digits[10:13]
    funcs["numpy maps"] = lambda: net.activations(three, net.feature_layers)
    funcs["keras maps"] = lambda: models.activations(model, three)
    with quiet_stderr():
        times = measure_many(funcs, **timing)
        diff = float(np.abs(net.predict(digits) - models.predict(model, digits)).max())

    print(
        "cnnviz.network (NumPy) against Keras: the shipped CNN on shipped MNIST test digits; "
        f"medians over {timing['repeats']} interleaved runs after {timing['warmup']} warm-up "
        "calls" + (" [--quick]" if args.quick else "")
    )
    for text in machine_lines(PACKAGES):
        print(text)
    print(f"largest difference of the 1,000 digits' probabilities: {diff:.1e}")
    print()

    print_table(
        ["start-up (nothing warmed up)", "NumPy network", "Keras"],
        [
            ["import TensorFlow + Keras", "(none)", fmt_time(keras_import)],
            ["read the .keras file", fmt_time(numpy_load), fmt_time(keras_load)],
            ["first prediction, 6 images", fmt_time(numpy_first), fmt_time(keras_first)],
            [
                "total before the first prediction",
                fmt_time(numpy_load + numpy_first),
                fmt_time(keras_import + keras_load + keras_first),
            ],
        ],
        title="Table 1: what a notebook pays before its first prediction",
    )

    rows = []
    for n in BATCHES:
        mine, theirs = times[f"numpy {n}"], times[f"keras {n}"]
        ratio = mine.median / theirs.median
        target = SMALL_TARGET if n <= 6 else BATCH_TARGET
        rows.append(
            [
                f"predict {n} image{'s' if n > 1 else ''}",
                fmt_time(mine.median),
                fmt_time(theirs.median),
                fmt_ratio(ratio),
                fmt_ratio(mine.best / theirs.best),
                f"<= {target:g}x",
                verdict(ratio, target, at_most=True),
            ]
        )
    maps_np, maps_k = times["numpy maps"], times["keras maps"]
    rows.append(
        [
            "feature maps of 3 new images (explorer)",
            fmt_time(maps_np.median),
            fmt_time(maps_k.median),
            fmt_ratio(maps_np.median / maps_k.median),
            fmt_ratio(maps_np.best / maps_k.best),
            f"<= {fmt_time(EXPLORER_TARGET)}",
            verdict(maps_np.median, EXPLORER_TARGET, at_most=True),
        ]
    )
    print_table(
        ["steady state", "NumPy", "Keras", "ratio", "best ratio", "target", "result"],
        rows,
        title="Table 2: NumPy network / Keras model call (ratio of medians; below 1 is faster)",
    )
    print(f"total benchmark time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
