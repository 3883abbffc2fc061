"""Hostile input for every public function and reader: a right answer or a short, useful error.

Hypothesis feeds arbitrary numbers (huge integers, values near the float limits, subnormals,
NaN), dtypes, shapes and text, and files that are truncated, corrupted or lie in their
headers. Every call must either return what NumPy/SciPy compute for the same input, or raise
a TypeError/ValueError whose message names the parameter (in backquotes) and fits in about
300 characters. Any other exception fails the test. The widgets get the same treatment in
``tests/test_widgets_hostile.py``.
"""

from __future__ import annotations

import gzip
import io
import math
import struct
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image
from scipy import signal

import cnnviz
from cnnviz import data, digits, exercises, images, invariance, network, shapes
from cnnviz._validation import MESSAGE_LIMIT, describe, parse_number, shorten

# CI runs these on every push: a modest number of examples each, no per-example deadline
# (the first call of a function may import SciPy).
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def checked_error(exc: BaseException, names) -> None:
    """The message names one of ``names`` in backquotes and is short."""
    message = str(exc)
    assert len(message) <= MESSAGE_LIMIT, f"{len(message)} characters: {message}"
    assert any(f"`{name}" in message for name in names), message


def attempt(function, *args, names, **kwargs):
    """The result, or None after a TypeError/ValueError that passes ``checked_error``."""
    try:
        return function(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        checked_error(exc, names)
        return None


# ------------------------------------------------------------------------------ strategies

huge_ints = st.one_of(
    st.integers(),
    st.integers(min_value=2**53, max_value=2**2000),
    st.integers(max_value=-(2**53), min_value=-(2**2000)),
    st.just(10**5000),  # more digits than Python will print
)
edge_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1.7e308, -1.7e308, 5e-324, -5e-324, 2.2250738585072014e-308, 1e300]),
)
anything = st.one_of(
    huge_ints,
    edge_floats,
    st.booleans(),
    st.none(),
    st.text(max_size=300),
    st.complex_numbers(),
    st.lists(st.integers(), max_size=3),
    st.tuples(huge_ints, huge_ints),
)
real_dtypes = st.sampled_from(
    [np.uint8, np.int8, np.int64, np.uint64, np.float16, np.float32, np.float64, np.bool_]
)


def arrays(min_dims=2, max_dims=3, max_side=6, elements=None):
    return real_dtypes.flatmap(
        lambda dtype: hnp.arrays(
            dtype,
            hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side),
            elements=elements,
        )
    )


finite_big = st.floats(min_value=-1.7e308, max_value=1.7e308, allow_subnormal=True)


# ------------------------------------------------------------------------------ the guards


@FUZZ
@given(st.text(max_size=200))
@example("9" * 10_000)
@example("1" + " " * 10_000)
@example("1e308*10")
def test_parse_number_reads_any_text_as_a_finite_number_or_says_why(text):
    value = attempt(parse_number, text, "cell", names=["cell"])
    if value is not None:
        assert math.isfinite(value)


@given(anything)
@FUZZ
@example("0" * 15 + "\x1f" + "\U00011462" * 8)  # repr 4 times longer than the text
def test_describe_is_short_for_anything(value):
    assert len(describe(value)) <= 100


def test_shorten_keeps_the_end_of_a_path():
    assert shorten("/a" * 500 + "/digit.png", 40, path=True).endswith("/digit.png")


def test_non_ascii_digits_are_numbers_and_nan_is_not():
    assert parse_number("١٢", "cell") == 12.0  # Arabic-Indic digits
    assert parse_number("１.５", "cell") == 1.5  # full-width digits
    for text in ("nan", "-inf", "Infinity", "1e999"):
        with pytest.raises(ValueError, match="`cell`"):
            parse_number(text, "cell")
    with pytest.raises(ValueError, match=r"`cell`: 'abc' is not a number") as info:
        parse_number(" " * 10_000 + "abc" + " " * 10_000, "cell")  # no 10,000 spaces
    assert len(str(info.value)) < 200


# ------------------------------------------------------------------------------ filters


@FUZZ
@given(arrays(), arrays(max_side=4), st.sampled_from(["valid", "same", 0, 1, 2, 10**12]))
def test_apply_filter_equals_scipy_or_names_the_parameter(image, kernel, padding):
    out = attempt(cnnviz.apply_filter, image, kernel, padding, names=["image", "kernel", "padding"])
    if out is None or image.ndim != 2 or kernel.ndim != 2 or padding != "valid":
        return
    reference = signal.correlate2d(image.astype(float), kernel.astype(float), mode="valid")
    scale = np.abs(image.astype(float)).max() * np.abs(kernel.astype(float)).sum()
    np.testing.assert_allclose(out, reference, rtol=1e-9, atol=1e-9 * scale)


@FUZZ
@given(
    hnp.arrays(np.float64, (4, 5), elements=finite_big),
    hnp.arrays(np.float64, (2, 2), elements=finite_big),
    finite_big,
    finite_big,
)
@example(  # the tolerance's own arithmetic once made inf * 0 = NaN (seen in lowest-no-tf)
    np.array([[0.0] * 4 + [2.0**1023]] + [[0.0] * 5] * 3), np.diag([2.0, 0.0]), 0.0, 0.0
)
def test_apply_filter_with_huge_finite_numbers_never_returns_infinity(image, kernel, w, b):
    out = attempt(cnnviz.apply_filter, image, kernel, weight=w, bias=b, names=["image", "weight"])
    if out is not None:
        assert np.isfinite(out).all()
        with np.errstate(all="ignore"):
            reference = w * signal.correlate2d(image, kernel, mode="valid") + b
        finite = np.isfinite(reference)
        factors = (np.abs(image).max(), np.abs(kernel).sum(), abs(w))  # a 0 wins over inf
        size = 0.0 if 0 in factors else min(math.prod(factors), np.finfo(float).max)
        scale = (size + abs(b)) or 1.0
        np.testing.assert_allclose(out[finite], reference[finite], rtol=0, atol=1e-9 * scale)


def test_overflow_is_called_an_overflow_not_a_non_finite_input():
    with pytest.raises(ValueError, match="overflows") as info:
        cnnviz.apply_filter(np.full((3, 3), 1e308), np.ones((3, 3)))
    checked_error(info.value, ["image"])
    with pytest.raises(ValueError, match="overflows"):
        cnnviz.avg_pool(np.full((2, 2), 1e308))
    with pytest.raises(ValueError, match="overflows"):
        cnnviz.pixel_products(np.full((3, 3), 1e308), np.ones((3, 3)), 1, 1)
    with pytest.raises(ValueError, match="must contain only finite"):
        cnnviz.avg_pool([[np.inf, 1.0], [1.0, 1.0]])  # a true infinity is still named as one


@pytest.mark.parametrize("padding", [10**6, 10**9, 2**63, 10**30])
def test_huge_padding_says_the_limit_instead_of_running_out_of_memory(padding):
    with pytest.raises(ValueError, match="`padding`") as info:
        cnnviz.apply_filter(np.ones((3, 3)), np.ones((3, 3)), padding=padding)
    assert "50,000,000" in str(info.value) or "at most" in str(info.value)
    checked_error(info.value, ["padding"])


@FUZZ
@given(anything, anything, anything, anything)
def test_filter_arguments_of_any_kind(padding, stride, weight, bias):
    attempt(
        cnnviz.apply_filter,
        np.arange(25.0).reshape(5, 5),
        np.ones((3, 3)),
        padding,
        stride=stride,
        weight=weight,
        bias=bias,
        names=["padding", "stride", "weight", "bias", "kernel"],
    )
    attempt(
        cnnviz.pixel_products,
        np.arange(25.0).reshape(5, 5),
        np.ones((3, 3)),
        padding,
        stride,
        names=["row", "col", "padding", "pixel"],
    )
    attempt(cnnviz.display_transform, [[1.0]], data_range=(weight, bias), names=["data_range"])


def test_masked_arrays_are_not_silently_unmasked():
    masked = np.ma.array(np.arange(16.0).reshape(4, 4), mask=np.eye(4, dtype=bool))
    with pytest.raises(ValueError, match=r"`image` is a masked array with 4 masked values"):
        cnnviz.max_pool(masked)
    assert cnnviz.max_pool(np.ma.array(np.arange(16.0).reshape(4, 4))).shape == (2, 2)


def test_python_ints_beyond_int64_are_numbers_and_beyond_float64_are_too_large():
    assert cnnviz.max_pool([[10**20, 1], [1, 1]]).tolist() == [[1e20]]
    with pytest.raises(ValueError, match="`image` holds an integer too large"):
        cnnviz.max_pool([[10**400, 1], [1, 1]])
    with pytest.raises(ValueError, match="`bias` is too large"):
        cnnviz.apply_filter(np.ones((3, 3)), np.ones((3, 3)), bias=10**400)


# ------------------------------------------------------------------------------ pooling


def _reference_pool(image, size, reduce):
    h, w = image.shape[0] // size * size, image.shape[1] // size * size
    blocks = image[:h, :w].reshape(h // size, size, w // size, size, *image.shape[2:])
    return reduce(blocks, axis=(1, 3))


@FUZZ
@given(arrays(elements=None), st.integers(1, 3))
def test_pooling_equals_numpy_or_names_the_parameter(image, size):
    for function, reduce in [(cnnviz.max_pool, np.max), (cnnviz.avg_pool, np.mean)]:
        out = attempt(function, image, size, names=["image", "size"])
        if out is None:
            continue
        with np.errstate(all="ignore"):
            reference = reduce(
                _reference_pool(image.astype(np.float64), size, lambda a, axis: a), axis=(1, 3)
            )
        np.testing.assert_allclose(out, reference, rtol=1e-12)


@FUZZ
@given(anything, anything)
def test_pool_sizes_of_any_kind(size, stride):
    for function in (cnnviz.max_pool, cnnviz.avg_pool, cnnviz.pool_winners):
        attempt(function, np.ones((4, 4)), size, stride, names=["size", "stride"])


# ------------------------------------------------------------------------------ shapes


def _reference_size(n, k, padding, s):
    if padding == "same":
        return -(-n // s)
    p = 0 if padding == "valid" else padding
    return (n + 2 * p - k) // s + 1


@FUZZ
@given(huge_ints, huge_ints, st.one_of(st.sampled_from(["valid", "same"]), huge_ints), huge_ints)
def test_conv_output_size_is_exact_integer_arithmetic(n, k, padding, s):
    out = attempt(
        shapes.conv_output_size,
        n,
        k,
        padding,
        s,
        names=["size", "kernel_size", "padding", "stride"],
    )
    if out is not None:
        assert out == _reference_size(n, k, padding, s)
        assert attempt(shapes.explain_conv_output_size, n, k, padding, s, names=["size"]).endswith(
            f"= {out}"
        )


def test_same_padding_is_not_off_by_one_beyond_float_precision():
    n = 2**60 + 1  # n / 2 as a float rounds down to 2**59, ceil must give 2**59 + 1
    assert cnnviz.filters.padding_amounts(n, 3, "same", 2) == (1, 1)  # a float gave (0, 0)
    assert shapes.conv_output_size(10**9 - 1, 3, "same", 2) == 5 * 10**8


@FUZZ
@given(anything, anything, anything, anything)
def test_shape_helpers_with_anything(a, b, c, d):
    names = ["size", "kernel_size", "padding", "stride", "pool_size", "in_channels", "filters"]
    names += ["input_size", "inputs", "units", "bias", "input_shape", "layers", "weight_sharing"]
    attempt(shapes.conv_output_size, a, b, c, d, names=names)
    attempt(shapes.pool_output_size, a, b, c, d, names=names)
    attempt(shapes.conv_params, a, b, c, input_size=d, weight_sharing=False, names=names)
    attempt(shapes.dense_params, a, b, names=names)
    attempt(shapes.layer_table, (a, b, 1), [shapes.Flatten(), shapes.Dense(3)], names=names)
    attempt(shapes.Conv2D, 2, a, padding=c, stride=d, names=names)


def test_validated_spellings_are_the_ones_used():
    assert shapes.Conv2D(8, 3, padding="SAME").label == "Conv2D: 8 filters 3x3, same"
    assert shapes.Pool2D(kind="Average", padding="Same").label == "AveragePooling2D: 2x2, same"
    paper = np.pad(np.full((10, 4), 255.0), 9)  # a white bar on black: nothing to invert
    assert digits.prepare_digit(paper, invert="AUTO").inverted is False


# ------------------------------------------------------------------------------ invariance


@FUZZ
@given(arrays(max_dims=2, max_side=10), huge_ints, anything)
def test_invariance_helpers(image, shift, axis):
    names = ["image", "shift", "axis", "kernel", "shifts", "size", "margin"]
    attempt(invariance.shift_image, image, shift, names=names)
    attempt(invariance.shift_image, image, 1, axis, names=names)
    error = attempt(invariance.equivariance_error, image, [[1, -1]], shift, names=names)
    if error is not None:
        assert error == 0.0 or not np.isfinite(image.astype(float)).all()
    attempt(invariance.shift_tolerance, image, [[1, -1]], (0, shift), names=names)


# ------------------------------------------------------------------------------ digits


@FUZZ
@given(
    st.lists(st.tuples(finite_big, finite_big), min_size=1, max_size=4),
    st.one_of(finite_big, huge_ints),
    st.sampled_from([np.float64, np.uint8, np.int16, np.bool_]),
    st.one_of(finite_big, huge_ints),
)
def test_draw_stroke_with_any_numbers(points, radius, dtype, value):
    raster = np.zeros((8, 8), dtype)
    before = raster.copy()
    out = attempt(
        digits.draw_stroke, raster, points, radius, value, names=["points", "radius", "value"]
    )
    if out is None:
        assert np.array_equal(raster, before)  # a refused stroke draws nothing


@FUZZ
@given(st.text(max_size=400), st.one_of(st.integers(-3, 40), huge_ints))
def test_parse_grid_with_any_text(text, size):
    grid = attempt(digits.parse_grid, text, size, names=["text", "size", "grid"])
    if grid is not None:
        assert grid.shape == (size, size) and grid.dtype == bool
        assert (
            digits.parse_grid(
                digits.image_to_grid(digits.grid_to_image(grid, size * 2), size), size
            ).tolist()
            == grid.tolist()
        )


@FUZZ
@given(arrays(max_side=12, elements=None), anything, anything)
def test_prepare_digit_with_any_array(image, invert, threshold):
    steps = attempt(
        digits.prepare_digit,
        image,
        invert=invert if not isinstance(invert, str) else "auto",
        names=["image", "invert", "threshold"],
    )
    if steps is not None:
        assert steps.digit.shape == (28, 28) and np.isfinite(steps.digit).all()
    attempt(digits.prepare_digit, np.eye(8) * 255, threshold=threshold, names=["threshold"])
    attempt(digits.grid_to_image, [[True]], threshold, names=["size", "grid"])
    attempt(digits.image_to_grid, np.zeros((28, 28)), threshold, names=["size", "threshold"])


def test_huge_grid_sizes_say_the_limit():
    with pytest.raises(ValueError, match="`size` would make a 1000000x1000000 picture"):
        digits.grid_to_image([[True]], size=10**6)


# ------------------------------------------------------------------------------ exercises


@FUZZ
@given(anything, anything, anything)
def test_check_answer_never_raises_for_any_answer(answer, expected, tolerance):
    text = attempt(exercises.check_answer, answer, 577, names=["answer"])
    assert text.startswith(("right", "not quite", "not answered yet"))
    assert len(text) <= MESSAGE_LIMIT
    assume(not isinstance(expected, str))
    attempt(exercises.check_answer, answer, expected, tolerance=tolerance, names=["tolerance"])


def test_check_answer_honours_complex_answers_and_refuses_negative_tolerance():
    assert exercises.check_answer(1 + 5j, 1 + 2j).startswith("not quite")
    assert exercises.check_answer(1 + 2j, 1 + 2j).startswith("right")
    assert exercises.check_answer(np.array([1 + 5j]), np.array([1.0])).startswith("not quite")
    assert exercises.check_answer(10**400, 10**400).startswith("right")
    assert exercises.check_answer(10**400, 5.0).startswith("not quite")
    with pytest.raises(ValueError, match="`tolerance` must be at least 0"):
        exercises.check_answer(1, 1, tolerance=-1)
    masked = np.ma.array([1.0, 2.0], mask=[False, True])
    assert "masked" in exercises.check_answer(masked, np.array([1.0, 2.0]))


# ------------------------------------------------------------------------------ image files


def _png(mode="L", size=(4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 128).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


@FUZZ
@given(st.data())
def test_load_image_with_truncated_or_corrupted_bytes(draw):
    raw = bytearray(_png(draw.draw(st.sampled_from(["L", "RGB", "RGBA", "P", "I;16"]))))
    action = draw.draw(st.sampled_from(["cut", "flip", "insert"]))
    where = draw.draw(st.integers(0, len(raw) - 1))
    if action == "cut":
        raw = raw[:where]
    elif action == "flip":
        raw[where] ^= draw.draw(st.integers(1, 255))
    else:
        raw[where:where] = draw.draw(st.binary(min_size=1, max_size=40))
    out = attempt(images.load_image, bytes(raw), names=["source"])
    if out is not None:
        assert out.ndim == 2 and np.isfinite(out).all() and out.min() >= 0 and out.max() <= 255


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (_chunk(b"zTXt", b"k\0\0" + zlib.compress(b"a" * (70 << 20))), "oversized compressed text"),
        (_chunk(b"iTXt", b"k\0\1\0\0\0" + zlib.compress(b"a" * (70 << 20))), "oversized"),
        (struct.pack(">I", 2**31 - 1) + b"tEXt" + b"abc", "truncated or corrupted"),
    ],
)
def test_png_chunks_that_lie_or_explode_are_named(payload, match):
    png = _png()
    with pytest.raises(ValueError, match=match) as info:
        images.load_image(png[:33] + payload + png[33:])
    checked_error(info.value, ["source"])


def test_paths_that_are_too_long_devices_or_folders(tmp_path):
    for path, match in [
        ("a" * 5000, "File name too long"),
        ("/dev/null", "is a device"),
        (str(tmp_path), "is a folder"),
        ("x\0y.png", "cannot be used"),
    ]:
        with pytest.raises(ValueError, match=match) as info:
            images.load_image(path)
        checked_error(info.value, ["source"])
    with pytest.raises(FileNotFoundError) as info:  # and a ValueError: widgets catch it
        images.load_image(tmp_path / "nope.png")
    assert isinstance(info.value, ValueError)


def _rgb_pixels():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)


def _as_pillow_lab(rgb):
    """CIELAB (D65, as scikit-image computes it) in Pillow's 8-bit LAB layout."""
    from skimage.color import rgb2lab

    lab = rgb2lab(rgb / 255.0)
    out = np.empty(rgb.shape, np.uint8)
    out[..., 0] = np.round(lab[..., 0] * 255.0 / 100.0)
    out[..., 1:] = np.round(lab[..., 1:]).astype(np.int8).view(np.uint8)
    return Image.fromarray(out, mode="LAB")


@pytest.mark.parametrize(
    ("mode", "compression", "tolerance"),
    [("LAB", None, 7.0), ("YCbCr", None, 3.0), ("YCbCr", "tiff_lzw", 3.0)],
)
def test_colour_spaces_in_files_come_back_as_the_same_rgb(tmp_path, mode, compression, tolerance):
    # Pillow 13 opens an uncompressed YCbCr TIFF as mode "YCbCr"; Pillow 10 to 12 as RGB it
    # cannot decode; a compressed one (libtiff) as RGB. Every version must give the same RGB.
    rgb = _rgb_pixels()
    path = tmp_path / f"{mode}.tif"
    picture = _as_pillow_lab(rgb) if mode == "LAB" else Image.fromarray(rgb).convert(mode)
    picture.save(path, compression=compression)
    photometric = {"LAB": 8, "YCbCr": 6}[mode]  # TIFF's PhotometricInterpretation
    assert Image.open(path).tag_v2[262] == photometric  # the file really keeps the colour space
    out = images.load_image(path, color=True)
    assert np.abs(out - rgb).max() <= tolerance  # not the channels read as if they were RGB


def test_hsv_pixels_are_converted_as_hsv():
    from skimage.color import hsv2rgb

    hsv = Image.fromarray(_rgb_pixels()).convert("HSV")
    out = images._to_float(hsv)
    assert np.allclose(out, hsv2rgb(np.asarray(hsv) / 255.0) * 255.0)
    assert np.abs(out - _rgb_pixels()).max() <= 4


# ------------------------------------------------------------------------------ datasets


def _idx(shape, payload=None) -> bytes:
    magic = 2051 if len(shape) == 3 else 2049
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in shape)
    return header + (bytes(math.prod(shape)) if payload is None else payload)


@FUZZ
@given(st.data())
def test_read_idx_with_truncated_corrupted_and_lying_files(tmp_path_factory, draw):
    raw = bytearray(_idx((2, 28, 28) if draw.draw(st.booleans()) else (5,)))
    action = draw.draw(st.sampled_from(["cut", "flip", "lie", "append", "magic"]))
    if action == "cut":
        raw = raw[: draw.draw(st.integers(0, len(raw) - 1))]
    elif action == "flip":
        raw[draw.draw(st.integers(0, len(raw) - 1))] ^= draw.draw(st.integers(1, 255))
    elif action == "lie":
        dim = draw.draw(st.integers(0, raw[3] - 1))
        raw[4 + 4 * dim : 8 + 4 * dim] = struct.pack(">I", draw.draw(st.integers(0, 2**32 - 1)))
    elif action == "append":
        raw += draw.draw(st.binary(min_size=1, max_size=50))
    else:
        raw[:4] = draw.draw(st.binary(min_size=4, max_size=4))
    folder = tmp_path_factory.mktemp("idx")
    compressed = draw.draw(st.booleans())
    path = folder / ("f.gz" if compressed else "f")
    path.write_bytes(gzip.compress(bytes(raw)) if compressed else bytes(raw))
    out = attempt(data.read_idx, path, names=["path"])
    if out is not None:
        dims = raw[3]
        shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
        assert out.shape == shape and out.tobytes() == bytes(raw[4 + 4 * dims :])


@pytest.mark.parametrize("dims", [19, 255])
def test_read_idx_with_many_claimed_axes_keeps_its_message_short(tmp_path, dims):
    """Found by the fuzz test above: a flipped byte makes the header claim 19 axes, most of
    them 0, and the whole shape once made the message 307 characters long."""
    raw = bytearray(_idx((2, 28, 28)))
    raw[3] = dims
    path = tmp_path / ("deep/" * 12) / "train-images-idx3-ubyte"
    path.parent.mkdir(parents=True)
    path.write_bytes(bytes(raw))
    with pytest.raises(data.DatasetFileError) as caught:
        data.read_idx(path)
    message = str(caught.value)
    assert len(message) <= MESSAGE_LIMIT, f"{len(message)} characters: {message}"
    assert "train-images-idx3-ubyte" in message and "--prefill" in message


def test_read_idx_header_claiming_a_huge_shape_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb-images-idx3-ubyte.gz"
    with gzip.open(path, "wb") as f:  # claims 4e9 x 28 x 28 bytes, holds a few
        f.write(struct.pack(">IIII", 2051, 2**32 - 1, 28, 28) + bytes(100))
    with pytest.raises(data.DatasetFileError, match=r"claims shape \(4294967295, 28, 28\)"):
        data.read_idx(path)


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _lying_npz(shape) -> bytes:
    """An .npz whose x_train header claims ``shape`` but holds 10 bytes."""
    good = {"x_train": np.zeros((1, 28, 28), np.uint8), "y_train": [1]}
    good.update(x_test=good["x_train"], y_test=[1])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_npz(**good))) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "x_train.npy":
                header = io.BytesIO()
                np.lib.format.write_array_header_1_0(
                    header, {"descr": "|u1", "fortran_order": False, "shape": shape}
                )
                content = b"\x93NUMPY\x01\x00" + header.getvalue()[8:] + bytes(10)
            dst.writestr(item, content)
    return buffer.getvalue()


@FUZZ
@given(st.data())
def test_read_mnist_npz_with_truncated_corrupted_and_lying_files(tmp_path_factory, draw):
    x = np.zeros((3, 28, 28), np.uint8)
    good = _npz(x_train=x, y_train=[1, 2, 3], x_test=x[:1], y_test=[4])
    action = draw.draw(st.sampled_from(["cut", "flip", "lie", "count", "labels"]))
    if action == "cut":
        raw = good[: draw.draw(st.integers(0, len(good) - 1))]
    elif action == "flip":
        raw = bytearray(good)
        raw[draw.draw(st.integers(0, len(raw) - 1))] ^= 0xFF
        raw = bytes(raw)
    elif action == "lie":
        raw = _lying_npz(draw.draw(st.sampled_from([(10**12, 28, 28), (2**40,), (5, 28, 28)])))
    elif action == "count":
        raw = _npz(x_train=x, y_train=[1, 2], x_test=x[:1], y_test=[4])
    else:
        raw = _npz(x_train=x, y_train=[1, 2, 300], x_test=x[:1], y_test=[4])
    path = tmp_path_factory.mktemp("npz") / "mnist.npz"
    path.write_bytes(raw)
    out = attempt(data.read_mnist_npz, path, names=["path"])
    if out is not None:
        assert out[0].shape == (3, 28, 28) and out[1].tolist() == [1, 2, 3]


def test_dataset_arguments_of_the_wrong_kind_are_named(tmp_path):
    with pytest.raises(TypeError, match="`names` must be a list"):
        data.prepare_data_dir(tmp_path, names=None)
    with pytest.raises(TypeError, match="`names` must be a non-empty list"):
        data.load_first_available(5)
    with pytest.raises(ValueError, match="`data_dir` must be an existing folder"):
        data.load_dataset(data_dir="x\0y")
    with pytest.raises(ValueError, match=r"`path` must be a regular file; '/dev/null' is a dev"):
        data.read_idx("/dev/null")


# ------------------------------------------------------------------------------ messages


def _nested(depth, inner=1.0):
    for _ in range(depth):
        inner = [inner]
    return inner


BAD_CALLS = [
    lambda: cnnviz.apply_filter(np.ones((3, 3)), np.ones((3, 3)), padding="x" * 10_000),
    lambda: cnnviz.apply_filter("x" * 10_000, np.ones((3, 3))),
    lambda: cnnviz.apply_filter(np.ones((3, 3)), np.ones((3, 3)), stride=(10**5000, 1)),
    lambda: cnnviz.max_pool(np.ones((1,) * 32)),  # NumPy 1's most dimensions
    lambda: cnnviz.max_pool(_nested(40)),  # deeper than any NumPy array (NumPy 1: 32, 2: 64)
    lambda: cnnviz.apply_filter(np.ones((3, 3)), _nested(70)),
    lambda: shapes.conv_output_size(10**5000, 3),
    lambda: shapes.layer_table((28, 28, 1), [object()] * 3),
    lambda: shapes.layer_table(tuple(range(1, 2000)), [shapes.Conv2D(1, 3)]),
    lambda: images.load_image("/" + "long-folder-name/" * 300 + "x.png"),
    lambda: images.load_sample("y" * 10_000),
    lambda: digits.parse_grid("#" * 10_000),
    lambda: digits.parse_grid("?" * 10),
    lambda: data.load_dataset("z" * 10_000),
    lambda: data.read_idx("/" + "d/" * 3000 + "x.gz"),
    lambda: data.read_mnist_npz(123),
    lambda: invariance.shift_tolerance(np.ones((20, 20)), [[1]], shifts=[10**5000]),
    lambda: exercises.check_answer(1, 1, tolerance="x" * 10_000),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_every_message_names_the_parameter_and_is_short(call):
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    message = str(info.value)
    assert len(message) <= MESSAGE_LIMIT, f"{len(message)} characters: {message}"
    assert message.count("`") >= 2, message  # a `parameter` in backquotes
    assert "pad_width" not in message and "NoneType" not in message


@pytest.mark.parametrize("depth", [33, 40, 65])
def test_lists_nested_deeper_than_numpy_allows_get_the_same_message_on_every_numpy(depth):
    # NumPy 1 refuses more than 32 dimensions, NumPy 2 more than 64, each in its own words.
    for call, name in [
        (lambda x: cnnviz.apply_filter(x, np.ones((3, 3))), "image"),
        (lambda x: cnnviz.apply_filter(np.ones((3, 3)), x), "kernel"),
        (lambda x: cnnviz.max_pool(x), "image"),
        (lambda x: network.Network.from_keras_file(network.SHIPPED_MODEL).predict(x), "images"),
    ]:
        with pytest.raises(ValueError, match=rf"`{name}` must be .* nested more than 32 levels"):
            call(_nested(depth))
        with pytest.raises(ValueError, match=rf"`{name}` must be .* nested more than 32 levels"):
            call(_nested(depth - 2, np.ones((1, 1))))  # arrays inside lists count too


# ------------------------------------------------------------------------------ Keras


@pytest.mark.tensorflow
def test_wrong_sizes_and_corrupt_files_never_reach_keras_raw(tmp_path):
    from cnnviz import models

    model = models.load_pretrained()
    for bad in (np.zeros((2, 32, 32), np.uint8), np.zeros((2, 3, 3), np.uint8)):
        for function in (models.predict, models.activations):
            with pytest.raises(ValueError, match=r"`images` must be 28x28x1 images") as info:
                function(model, bad)
            checked_error(info.value, ["images"])
    data_32 = (np.zeros((4, 32, 32), np.uint8), np.zeros(4, int))
    with pytest.raises(ValueError, match=r"`data` must be 28x28x1 images"):
        models.train(model, data_32, epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"y_train must be class numbers 0\.\.9"):
        models.train(model, (data_32[0][:, :28, :28], np.full(4, 12)), epochs=1, progress=False)
    corrupt = tmp_path / "model.keras"
    corrupt.write_bytes(models.PRETRAINED_PATH.read_bytes()[:5000])
    with pytest.raises(ValueError, match=r"model\.keras' is not a \.keras model") as info:
        models.load_pretrained(corrupt)  # Keras itself says "File not found"
    checked_error(info.value, ["path"])
    with pytest.raises(ValueError, match=r"`hidden_units` would make a model"):
        models.build_dense(10**6)
