"""Feature-map explorer and digit pad latency: from a control change to new pictures.

Run from the repository root::

    python bench/bench_explorer.py            # about 30 s on 2 cores, TensorFlow import included
    python bench/bench_explorer.py --quick    # fewer changes, rougher numbers

The model is the shipped CNN (``cnnviz.models.load_pretrained()``: conv1 32 filters 26x26,
pool1 13x13, conv2 64 filters 11x11, pool2 5x5), the images the shipped MNIST test digits,
and the explorer is built as notebook 05 builds it (the first 100 test digits to choose from,
three shown, every conv and pool layer). Each row sets one control's ``.value`` the way the
browser does (the ``observe`` callback runs synchronously), alternating between values so
that every call is a real change, and times the whole callback: slicing the cached feature
maps, colour mapping and PNG encoding of every picture that changes. Not included: sending
the PNGs to the browser, which depends on the connection.

Reference rows (no target) show what the explorer avoids on a slider move: the model call
(``activations``) that happens only when the images change, and building the widget.
DESIGN.md's target: a feature-map slider move under 50 ms. PASS/MISS reports this run on this
machine; it is not a test.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _timing import (  # noqa: E402
    fmt_time,
    machine_lines,
    measure_many,
    print_table,
    quiet_stderr,
    verdict,
)

PACKAGES = [
    ("NumPy", ["numpy"]),
    ("Pillow", ["pillow"]),
    ("ipywidgets", ["ipywidgets"]),
    ("TensorFlow", ["tensorflow-cpu", "tensorflow"]),
    ("Keras", ["keras"]),
    ("cnnviz", ["cnnviz"]),
]

SLIDER_TARGET = 0.050  # DESIGN.md: a feature-map slider move under 50 ms


def cycling(action, values):
    """A function that calls ``action(next value)`` on every call."""
    cycle = itertools.cycle(values)
    return lambda: action(next(cycle))


def setter(control):
    def set_value(value):
        control.value = value

    return set_value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer changes (rougher numbers)")
    args = parser.parse_args(argv)
    timing = {"repeats": 9, "warmup": 2} if args.quick else {"repeats": 41, "warmup": 3}
    # One call per timed run: each run is exactly one change, as a student makes it.
    timing.update(min_run_time=0.0, max_number=1)
    started = time.perf_counter()

    with quiet_stderr():
        from cnnviz import models, widgets
        from cnnviz.data import load_dataset
        from cnnviz.plotting import array_to_png

        models.configure_threads()
        model = models.load_pretrained()
        data = load_dataset("mnist", source="shipped")
        pool = data.x_test[:100]
        labels = [str(y) for y in data.y_test[:100]]
        first_start = time.perf_counter()
        models.activations(model, pool[:3])  # the activation model is built on this call
        first_call = time.perf_counter() - first_start

    classic = widgets.feature_map_explorer(model, pool, labels=labels)
    one_layer = widgets.feature_map_explorer(model, pool, labels=labels, layer="conv2")
    six = widgets.feature_map_explorer(model, pool, labels=labels, indices=range(6))
    switcher = widgets.feature_map_explorer(model, pool, labels=labels)
    chooser = widgets.feature_map_explorer(model, pool, labels=labels)
    cached = widgets.feature_map_explorer(model, pool, labels=labels)
    cached.images.value = "3, 4, 5"
    pad = widgets.digit_pad(model)
    pad.clear_drawing()
    pad.stroke([(60, 50), (220, 50), (130, 250)])  # a 7 on the drawing surface
    one_map = models.activations(model, pool[:1])["conv1"][0, :, :, 0]
    # Twelve different image sets: more than the explorer caches (8), so every change is a
    # model call, as when a student types new numbers.
    fresh_sets = [f"{i}, {i + 20}, {i + 40}" for i in range(12)]
    # The page draws the ink under the pointer itself; at pen-up it sends the stroke, a
    # message the pad handles as below (ink, classify, send the drawing back).
    strokes = itertools.cycle(
        [[[140, 40 + 4 * i] for i in range(51)], [[60 + 4 * i, 50] for i in range(41)]]
    )
    handler = pad.canvas._handle_custom_msg

    def pen_up():
        pad.clear_drawing()
        handler({"event": "stroke", "view": "bench", "seq": 1, "points": next(strokes)}, [])

    changes = {
        "filter": cycling(setter(classic.filter), range(1, 32)),
        "filter one layer": cycling(setter(one_layer.filter), range(1, 59)),
        "filter six images": cycling(setter(six.filter), range(1, 32)),
        "layer": cycling(setter(switcher.layer), ["conv1", "conv2", "all"]),
        "images cached": cycling(setter(cached.images), ["0, 1, 2", "3, 4, 5"]),
        "images new": cycling(setter(chooser.images), fresh_sets),
        "activations 3": lambda: models.activations(model, pool[:3]),
        "encode one": lambda: array_to_png(one_map, "inferno", 0.0, 1.0, min_size=112),
        "build": lambda: widgets.feature_map_explorer(model, pool, labels=labels),
    }
    with quiet_stderr():
        times = measure_many(changes, **timing)
    classify = measure_many({"pen up": pen_up}, **timing)["pen up"]
    # What a slider move costs must not include a model call: check while we are here.
    calls = []
    original = models.activations
    models.activations = lambda *a, **k: calls.append(1) or original(*a, **k)
    try:
        classic.filter.value = 7
        switcher.layer.value = "conv1"
    finally:
        models.activations = original
    assert not calls, "a slider or layer change called the model"

    print(
        "cnnviz feature-map explorer and digit pad latency: the shipped CNN on shipped MNIST "
        f"test digits; each row: median over {timing['repeats']} single changes after "
        f"{timing['warmup']} warm-up changes, rows interleaved"
        + (" [--quick]" if args.quick else "")
    )
    for text in machine_lines(PACKAGES):
        print(text)
    print(f"first activations call (builds the activation model): {fmt_time(first_call)}")
    print()

    def row(label, timing_, target=None, note="reference"):
        if target is None:
            return [label, fmt_time(timing_.median), fmt_time(timing_.best), "(none)", note]
        return [
            label,
            fmt_time(timing_.median),
            fmt_time(timing_.best),
            f"<= {fmt_time(target)}",
            verdict(timing_.median, target, at_most=True),
        ]

    rows = [
        row("filter slider: 3 images x 4 layers (12 pictures)", times["filter"], SLIDER_TARGET),
        row(
            "filter slider: one layer, 3 images x 6 filters (18)",
            times["filter one layer"],
            SLIDER_TARGET,
        ),
        row(
            "filter slider: 6 images x 4 layers (24 pictures)",
            times["filter six images"],
            SLIDER_TARGET,
        ),
        row("layer menu: all <-> conv1 <-> conv2 (new grid)", times["layer"], SLIDER_TARGET),
        row("images: a set seen before (cached maps)", times["images cached"], SLIDER_TARGET),
        row("images: a new set (one model call + grid)", times["images new"]),
        row("  of which activations(model, 3 images)", times["activations 3"]),
        row("  one 26x26 map -> 130x130 PNG", times["encode one"], note="part"),
        row("building the explorer (first display)", times["build"]),
        row("digit pad: clear + pen up (ink, prepare, predict, maps)", classify),
    ]
    print_table(["change -> new pictures", "median", "best", "target", "result"], rows)
    print(f"total benchmark time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
