"""Widget latency: from changing one control to a new picture, on a 512x512 image.

Run from the repository root::

    python bench/bench_widgets.py            # about 30 s on 2 cores
    python bench/bench_widgets.py --quick    # fewer edits, a few seconds

Each row sets one control's ``.value`` the way the browser does (the widget's ``observe``
callback runs synchronously), alternating between values so that every call is a real
change, and times the whole callback: parsing, filtering or pooling, colour mapping and
PNG encoding. It does not include sending the PNG to the browser (the comm message), which
depends on the connection, not on cnnviz. The image is the ``brick`` sample (512x512
grayscale float64) from :mod:`cnnviz.images`. Targets come from DESIGN.md "Speed and
memory"; PASS/MISS reports this run on this machine, it is not a test.
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

import numpy as np  # noqa: E402
from _timing import fmt_time, machine_lines, measure_many, print_table, verdict  # noqa: E402

import cnnviz  # noqa: E402
import cnnviz.widgets as W  # noqa: E402
from cnnviz.images import load_sample  # noqa: E402
from cnnviz.plotting import array_to_png  # noqa: E402

PACKAGES = [
    ("NumPy", ["numpy"]),
    ("SciPy", ["scipy"]),
    ("Pillow", ["pillow"]),
    ("ipywidgets", ["ipywidgets"]),
    ("cnnviz", ["cnnviz"]),
]

EDIT_TARGET = 0.025  # DESIGN.md: one kernel value -> new 512x512 picture, compute + encoding
SLIDER_TARGET = 0.050  # DESIGN.md: a slider move (stated for feature maps; used for sliders)


def cycling_setter(control, values):
    """A function that sets ``control.value`` to the next of ``values`` on every call."""
    cycle = itertools.cycle(values)

    def set_next():
        control.value = next(cycle)

    return set_next


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer edits (rougher numbers)")
    args = parser.parse_args(argv)
    timing = {"repeats": 9, "warmup": 2} if args.quick else {"repeats": 41, "warmup": 3}
    # One call per timed run: each run is exactly one edit, as a student makes it.
    timing.update(min_run_time=0.0, max_number=1)
    started = time.perf_counter()

    image = load_sample("brick")
    kernel = np.array(cnnviz.KERNELS["vertical_lines"])
    editor = W.kernel_editor("brick", "vertical_lines", mode="clip")
    explorer = W.pooling_explorer("brick", "vertical_lines", times=1)
    inspector = W.pixel_inspector("brick", "vertical_lines", 100, 100)
    shifter = W.shift_explorer("brick", "vertical_lines")
    sandbox = W.pooling_sandbox()
    calculator = W.output_size_calculator(7, 3)
    result = cnnviz.apply_filter(image, kernel)

    parts = {
        "filter": lambda: cnnviz.apply_filter(image, kernel),
        "encode": lambda: array_to_png(np.clip(result, 0, 255), "gray", 0, 255, min_size=252),
    }
    edits = {
        "editor cell": cycling_setter(editor.cells[1][1], ["1", "2", "-1/2", "0"]),
        "editor mode": cycling_setter(editor.mode, ["signed", "relu", "clip", "abs"]),
        "explorer size": cycling_setter(explorer.size, [3, 2]),
        "explorer kind": cycling_setter(explorer.kind, ["average", "max"]),
        "explorer times": cycling_setter(explorer.times, [2, 3, 1]),
        "inspector row": cycling_setter(inspector.row, [101, 102, 100]),
        "shift slider": cycling_setter(shifter.shift, [1, 2, 3, 0]),
        "sandbox cell": cycling_setter(sandbox.cells[0][0], ["9", "1"]),
        "calculator padding": cycling_setter(calculator.padding, ["same", "1", "valid"]),
    }
    times = measure_many({**parts, **edits}, **timing)
    # The explorer never re-filters on a pooling control: check it while we are here.
    assert explorer.maps[0].shape == (510, 510)

    print(
        f"cnnviz widget latency: the `brick` sample, {image.shape[0]}x{image.shape[1]} "
        f"{image.dtype}; each row: median over {timing['repeats']} single edits after "
        f"{timing['warmup']} warm-up edits, rows interleaved" + (" [--quick]" if args.quick else "")
    )
    for text in machine_lines(PACKAGES):
        print(text)
    print()

    def edit_row(label, name, target, note=""):
        t = times[name]
        if target is None:
            return [label, fmt_time(t.median), fmt_time(t.best), "(none)", note]
        return [
            label,
            fmt_time(t.median),
            fmt_time(t.best),
            f"<= {fmt_time(target)}",
            verdict(t.median, target, at_most=True),
        ]

    rows = [
        edit_row("kernel editor: one cell -> new 510x510 picture", "editor cell", EDIT_TARGET),
        edit_row("  of which apply_filter (valid, 3x3)", "filter", None, "part"),
        edit_row("  of which array_to_png (palette PNG, level 1)", "encode", None, "part"),
        edit_row("kernel editor: display mode (filter cached)", "editor mode", EDIT_TARGET),
        edit_row("pooling explorer: size slider (2 <-> 3)", "explorer size", EDIT_TARGET),
        edit_row("pooling explorer: max <-> average", "explorer kind", EDIT_TARGET),
        edit_row("pooling explorer: times 1..3", "explorer times", EDIT_TARGET),
        edit_row("pixel inspector: row slider (2 pictures, boxes)", "inspector row", SLIDER_TARGET),
        edit_row("shift explorer: shift slider (1 filter)", "shift slider", SLIDER_TARGET),
        edit_row("pooling sandbox: one cell (4x4 grid)", "sandbox cell", EDIT_TARGET),
        edit_row("size calculator: padding (matplotlib drawing)", "calculator padding", None),
    ]
    print_table(["edit -> new picture", "median", "best", "target", "result"], rows)
    print(f"total benchmark time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
