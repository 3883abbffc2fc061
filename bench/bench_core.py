"""Core benchmarks: filtering and 2x2 max pooling of a 512x512 image, in one run.

Run from the repository root::

    python bench/bench_core.py            # about 15 s on 2 cores, TensorFlow import included
    python bench/bench_core.py --quick    # fewer repeats, a few seconds plus the TF import
    python bench/bench_core.py --no-tf    # skip the TensorFlow rows

The image is the ``brick`` sample (512x512 grayscale, float64, values 0..255) from
:mod:`cnnviz.images`. Every row is the median of repeated timed runs after warm-up calls
(see ``bench/_timing.py``). The targets come from DESIGN.md "Speed and memory"; PASS/MISS is
a report of this run on this machine, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out

import numpy as np  # noqa: E402
from _timing import (  # noqa: E402
    fmt_ratio,
    fmt_time,
    machine_lines,
    measure_many,
    print_table,
    quiet_stderr,
    verdict,
)
from scipy import ndimage  # noqa: E402

import cnnviz  # noqa: E402
from cnnviz.images import load_sample  # noqa: E402

PACKAGES = [
    ("NumPy", ["numpy"]),
    ("SciPy", ["scipy"]),
    ("TensorFlow", ["tensorflow-cpu", "tensorflow"]),
    ("cnnviz", ["cnnviz"]),
]

TARGETS = {
    "filter": 1.2,  # apply_filter / scipy.ndimage.correlate, at most
    "loop": 200.0,  # Python double loop / apply_filter, at least
    "pool": 1.2,  # max_pool / best NumPy reference, at most
}


# --------------------------------------------------------------------------------------
# The classic course notebook, as students first meet it (Coursera "exploring
# convolutions"): a Python double loop with nine multiply-adds per pixel, a `weight`,
# and a clip to 0..255. Kept operation for operation; only the names are tidied.
# --------------------------------------------------------------------------------------


def classic_filter_loop(i, kernel, weight=1):
    """The notebook's loop. Note it reads ``i[x + dx, y + dy] * kernel[dy + 1][dx + 1]``
    with ``x`` the row: the kernel is applied transposed, and the output is clipped."""
    i_transformed = np.copy(i)
    size_x = i_transformed.shape[0]
    size_y = i_transformed.shape[1]
    for x in range(1, size_x - 1):
        for y in range(1, size_y - 1):
            convolution = 0.0
            convolution = convolution + (i[x - 1, y - 1] * kernel[0][0])
            convolution = convolution + (i[x, y - 1] * kernel[0][1])
            convolution = convolution + (i[x + 1, y - 1] * kernel[0][2])
            convolution = convolution + (i[x - 1, y] * kernel[1][0])
            convolution = convolution + (i[x, y] * kernel[1][1])
            convolution = convolution + (i[x + 1, y] * kernel[1][2])
            convolution = convolution + (i[x - 1, y + 1] * kernel[2][0])
            convolution = convolution + (i[x, y + 1] * kernel[2][1])
            convolution = convolution + (i[x + 1, y + 1] * kernel[2][2])
            convolution = convolution * weight
            if convolution < 0:
                convolution = 0
            if convolution > 255:
                convolution = 255
            i_transformed[x, y] = convolution
    return i_transformed


def classic_pool_loop(i_transformed):
    """The notebook's 2x2 max pooling: collect four pixels, sort, keep the largest."""
    size_x = i_transformed.shape[0]
    size_y = i_transformed.shape[1]
    new_x = int(size_x / 2)
    new_y = int(size_y / 2)
    new_image = np.zeros((new_x, new_y))
    for x in range(0, size_x, 2):
        for y in range(0, size_y, 2):
            pixels = []
            pixels.append(i_transformed[x, y])
            pixels.append(i_transformed[x + 1, y])
            pixels.append(i_transformed[x, y + 1])
            pixels.append(i_transformed[x + 1, y + 1])
            pixels.sort(reverse=True)
            new_image[int(x / 2), int(y / 2)] = pixels[0]
    return new_image


# --------------------------------------------------------------------------------------
# NumPy references for 2x2 max pooling (Keras "valid": an odd last row/column is dropped)
# --------------------------------------------------------------------------------------


def pool_reshape(image):
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    return image[:h, :w].reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))


def pool_four_slices(image):
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    a = image[:h, :w]
    return np.maximum(
        np.maximum(a[0::2, 0::2], a[0::2, 1::2]), np.maximum(a[1::2, 0::2], a[1::2, 1::2])
    )


def max_abs_diff(a, b) -> str:
    return f"{float(np.max(np.abs(np.asarray(a, dtype=np.float64) - b))):.2g}"


def load_tensorflow(enabled: bool):
    """TensorFlow, imported here (never by cnnviz) with its start-up log silenced."""
    if not enabled:
        return None, "skipped (--no-tf)"
    try:
        with quiet_stderr():
            import tensorflow as tf

            tf.constant(0.0)  # the first op logs too
    except ImportError:
        return None, "TensorFlow is not installed"
    return tf, None


def row(label, timing, reference_seconds, diff):
    return [
        label,
        fmt_time(timing.median),
        fmt_time(timing.best),
        timing.runs,
        fmt_ratio(timing.median / reference_seconds),
        diff,
    ]


def bench_filter(image, kernel, tf, tf_missing, fast, slow):
    """Table 1; returns the timings the targets need."""
    reference = ndimage.correlate(image, kernel, mode="constant", cval=0.0)
    funcs = {
        "apply_filter": lambda: cnnviz.apply_filter(image, kernel, padding="same"),
        "ndimage": lambda: ndimage.correlate(image, kernel, mode="constant"),
    }
    outputs = {"apply_filter": funcs["apply_filter"](), "ndimage": reference}
    if tf is not None:
        x = tf.constant(image.astype(np.float32)[None, :, :, None])
        k = tf.constant(kernel.astype(np.float32)[:, :, None, None])
        funcs["tf"] = lambda: tf.nn.conv2d(x, k, strides=1, padding="SAME")
        outputs["tf"] = funcs["tf"]().numpy()[0, :, :, 0]
    times = measure_many(funcs, **fast)
    base = times["ndimage"].median
    rows = [
        row(
            'cnnviz.apply_filter(image, kernel, padding="same")',
            times["apply_filter"],
            base,
            max_abs_diff(outputs["apply_filter"], reference),
        ),
        row(
            'scipy.ndimage.correlate(image, kernel, mode="constant")',
            times["ndimage"],
            base,
            "reference",
        ),
    ]
    if tf is not None:
        rows.append(
            row(
                'tf.nn.conv2d(x, k, 1, "SAME"), eager float32',
                times["tf"],
                base,
                max_abs_diff(outputs["tf"], reference),
            )
        )
    else:
        rows.append([f"tf.nn.conv2d: {tf_missing}", "", "", "", "", ""])

    # The loop gets few runs; interleave them with the two it is compared with, so its
    # ratios are measured under the same machine load.
    slow_funcs = {
        "loop": lambda: classic_filter_loop(image, kernel),
        "apply_filter": funcs["apply_filter"],
        "ndimage": funcs["ndimage"],
    }
    times["loop_pair"] = measure_many(slow_funcs, **slow)
    # The loop applies the kernel transposed and clips: compare it with exactly that.
    loop_reference = np.clip(ndimage.correlate(image, kernel.T, mode="constant"), 0, 255)
    out_loop = classic_filter_loop(image, kernel)
    rows.append(
        row(
            "Python double loop, classic notebook (*)",
            times["loop_pair"]["loop"],
            times["loop_pair"]["ndimage"].median,
            max_abs_diff(out_loop[1:-1, 1:-1], loop_reference[1:-1, 1:-1]),
        )
    )
    header = f"3x3 filter `vertical_lines`, {image.shape[0]}x{image.shape[1]} out"
    print_table([header, "median", "best", "runs x calls", "vs ndimage", "max|diff|"], rows)
    print("(*) the full image, not a crop, so no scaling. The loop applies the kernel")
    print("    transposed and clips to 0..255 (as the classic notebook does), so it is")
    print("    checked against clip(correlate(image, kernel.T)) inside the 1-pixel border.")
    print()
    return times


def bench_pool(image, tf, tf_missing, fast, slow):
    """Table 2; returns the timings the targets need."""
    reference = pool_reshape(image)
    funcs = {
        "max_pool": lambda: cnnviz.max_pool(image),
        "reshape": lambda: pool_reshape(image),
        "slices": lambda: pool_four_slices(image),
    }
    outputs = {name: func() for name, func in funcs.items()}
    if tf is not None:
        x = tf.constant(image.astype(np.float32)[None, :, :, None])
        funcs["tf"] = lambda: tf.nn.max_pool2d(x, 2, 2, "VALID")
        outputs["tf"] = funcs["tf"]().numpy()[0, :, :, 0]
    times = measure_many(funcs, **fast)
    best = min(times["reshape"].median, times["slices"].median)
    times["best_numpy"] = times["reshape"] if times["reshape"].median == best else times["slices"]
    rows = [
        row("cnnviz.max_pool(image)", times["max_pool"], best, _diff(outputs, "max_pool")),
        row(
            "NumPy image.reshape(256, 2, 256, 2).max(axis=(1, 3))",
            times["reshape"],
            best,
            "reference",
        ),
        row(
            "NumPy maximum of the four strided slices a[i::2, j::2]",
            times["slices"],
            best,
            max_abs_diff(outputs["slices"], reference),
        ),
    ]
    if tf is not None:
        rows.append(
            row(
                'tf.nn.max_pool2d(x, 2, 2, "VALID"), eager float32',
                times["tf"],
                best,
                max_abs_diff(outputs["tf"], reference),
            )
        )
    else:
        rows.append([f"tf.nn.max_pool2d: {tf_missing}", "", "", "", "", ""])
    slow_funcs = {
        "loop": lambda: classic_pool_loop(image),
        "max_pool": funcs["max_pool"],
        "best_numpy": funcs["reshape" if times["best_numpy"] is times["reshape"] else "slices"],
    }
    times["loop_pair"] = measure_many(slow_funcs, **slow)
    rows.append(
        row(
            "Python double loop, classic notebook",
            times["loop_pair"]["loop"],
            times["loop_pair"]["best_numpy"].median,
            max_abs_diff(classic_pool_loop(image), reference),
        )
    )
    h, w = image.shape
    header = f"2x2 max pooling, {h}x{w} -> {h // 2}x{w // 2}"
    print_table([header, "median", "best", "runs x calls", "vs best NumPy", "max|diff|"], rows)
    return times


def _diff(outputs, name):
    return max_abs_diff(outputs[name], outputs["reshape"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (rougher numbers)")
    parser.add_argument("--no-tf", action="store_true", help="skip the TensorFlow rows")
    args = parser.parse_args(argv)
    fast = {"repeats": 7, "warmup": 2} if args.quick else {"repeats": 25, "warmup": 3}
    slow = {"repeats": 1, "warmup": 1} if args.quick else {"repeats": 5, "warmup": 1}
    started = time.perf_counter()

    image = load_sample("brick")  # (512, 512) float64, 0..255
    kernel = np.array(cnnviz.KERNELS["vertical_lines"])
    print(
        f"cnnviz core benchmarks: the `brick` sample (cnnviz.images), "
        f"{image.shape[0]}x{image.shape[1]} {image.dtype}, values "
        f"{image.min():.0f}..{image.max():.0f}"
    )
    print(
        f"each row: median time per call over {fast['repeats']} timed runs after "
        f"{fast['warmup']} warm-up calls, runs of one table interleaved; Python loops: "
        f"{slow['repeats']} run(s) after {slow['warmup']} warm-up, interleaved with the rows "
        f"they are compared with" + (" [--quick]" if args.quick else "")
    )
    for text in machine_lines(PACKAGES):
        print(text)
    tf, tf_missing = load_tensorflow(not args.no_tf)
    if tf is not None:
        threads = tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()
        print(
            f"TensorFlow: eager on CPU, {threads} intra-op threads (NumPy/SciPy rows use one); "
            f"ops timed on tensors built beforehand"
        )
    print()

    t_filter = bench_filter(image, kernel, tf, tf_missing, fast, slow)
    t_pool = bench_pool(image, tf, tf_missing, fast, slow)

    def ratio(num, den):
        return num.median / den.median, num.best / den.best

    pair_f, pair_p = t_filter["loop_pair"], t_pool["loop_pair"]
    targets = [
        (
            "apply_filter / ndimage.correlate",
            ratio(t_filter["apply_filter"], t_filter["ndimage"]),
            TARGETS["filter"],
            True,
        ),
        (
            "Python filter loop / apply_filter",
            ratio(pair_f["loop"], pair_f["apply_filter"]),
            TARGETS["loop"],
            False,
        ),
        (
            "max_pool / best NumPy reference",
            ratio(t_pool["max_pool"], t_pool["best_numpy"]),
            TARGETS["pool"],
            True,
        ),
        ("Python pooling loop / max_pool", ratio(pair_p["loop"], pair_p["max_pool"]), None, None),
    ]
    rows = []
    for label, (from_median, from_best), target, at_most in targets:
        if target is None:
            rows.append([label, fmt_ratio(from_median), fmt_ratio(from_best), "(none)", ""])
            continue
        rows.append(
            [
                label,
                fmt_ratio(from_median),
                fmt_ratio(from_best),
                f"{'<=' if at_most else '>='} {target:g}x",
                verdict(from_median, target, at_most=at_most),
            ]
        )
    print_table(
        ["target (DESIGN.md, Speed and memory)", "medians", "bests", "target", "result"], rows
    )
    print("result: from the ratio of medians; the ratio of best runs is less sensitive to other")
    print("processes: if the two disagree about a target, the machine was busy, so rerun.")
    print(f"total benchmark time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
