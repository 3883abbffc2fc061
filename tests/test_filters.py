"""cnnviz.filters: known answers by hand, the course's worked example, and cross-checks
against SciPy and Keras over random shapes, channels, dtypes, paddings and strides."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage, signal

from cnnviz.filters import (
    DISPLAY_MODES,
    KERNEL_DESCRIPTIONS,
    KERNELS,
    apply_filter,
    display_transform,
    padding_amounts,
    pixel_products,
)

DTYPES = [np.bool_, np.uint8, np.int32, np.float32, np.float64]


# --- independent references -------------------------------------------------------------


def keras_pads(n, k, padding, s):
    """(before, after) zeros per axis, from TensorFlow's documented rule for SAME padding."""
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = max((math.ceil(n / s) - 1) * s + k - n, 0)
        return total // 2, total - total // 2
    return padding, padding


def reference_filter(image, kernel, padding, stride):
    """Cross-correlation built from scipy.signal.correlate2d on an explicitly padded image.

    Returns None when the kernel fits nowhere (the output would be empty).
    """
    img = np.asarray(image, dtype=np.float64)
    ker = np.asarray(kernel, dtype=np.float64)
    img3 = img if img.ndim == 3 else img[:, :, None]
    (h, w), (kh, kw), (sr, sc) = img3.shape[:2], ker.shape[:2], stride
    pr, pc = keras_pads(h, kh, padding, sr), keras_pads(w, kw, padding, sc)
    padded = np.pad(img3, (pr, pc, (0, 0)))
    if padded.shape[0] < kh or padded.shape[1] < kw:
        return None

    def corr(channel, k2):
        return signal.correlate2d(channel, k2, mode="valid")[::sr, ::sc]

    if ker.ndim == 2 and img.ndim == 3:
        return np.stack([corr(padded[:, :, c], ker) for c in range(img.shape[2])], axis=-1)
    ker3 = ker if ker.ndim == 3 else ker[:, :, None]
    return sum(corr(padded[:, :, c], ker3[:, :, c]) for c in range(img3.shape[2]))


def element_strategy(dtype):
    if dtype == np.bool_:
        return st.booleans()
    if dtype == np.uint8:
        return st.integers(0, 255)
    if dtype == np.int32:
        return st.integers(-1000, 1000)
    width = 32 if dtype == np.float32 else 64
    return st.floats(-100, 100, width=width, allow_subnormal=False)


KERNEL_VALUES = st.floats(-5, 5, allow_subnormal=False) | st.integers(-5, 5).map(float)


@st.composite
def filter_cases(draw, max_size=12, max_kernel=5, int_padding=True, fits=False, depthwise=None):
    """An image (any dtype, 0-4 channels), a kernel, a padding and a stride."""
    channels = draw(st.integers(0, 4))
    kh, kw = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))
    low_h, low_w = (kh, kw) if fits else (1, 1)
    h, w = draw(st.integers(low_h, max_size)), draw(st.integers(low_w, max_size))
    dtype = draw(st.sampled_from(DTYPES))
    shape = (h, w) if channels == 0 else (h, w, channels)
    image = draw(hnp.arrays(dtype, shape, elements=element_strategy(dtype)))
    if depthwise is None:
        depthwise = channels > 0 and draw(st.booleans())
    kshape = (kh, kw) if channels == 0 or depthwise else (kh, kw, channels)
    kernel = draw(hnp.arrays(np.float64, kshape, elements=KERNEL_VALUES))
    named = st.sampled_from(["valid", "same"])
    padding = draw(named | st.integers(0, 4) if int_padding else named)
    stride = draw(st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    return image, kernel, padding, stride


def scale_of(image, kernel, bias=0.0):
    """A bound on the size of any output value, for float32 tolerances."""
    return float(np.abs(np.asarray(image, np.float64)).max() * np.abs(kernel).sum() + abs(bias))


# --- known answers, worked out by hand ---------------------------------------------------


def test_two_by_two_kernel_by_hand():
    image = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    # out[i, j] = x[i, j] - x[i + 1, j + 1]; every diagonal step in this image is 4
    np.testing.assert_array_equal(apply_filter(image, [[1, 0], [0, -1]]), [[-4, -4], [-4, -4]])


def test_kernel_is_not_flipped():
    image = np.arange(9).reshape(3, 3)
    upper = [[0, 1, 0], [0, 0, 0], [0, 0, 0]]  # weight on the upper neighbour only
    np.testing.assert_array_equal(apply_filter(image, upper), [[1]])
    np.testing.assert_array_equal(
        apply_filter(image, upper, padding="same"), [[0, 0, 0], [0, 1, 2], [3, 4, 5]]
    )


def test_even_kernel_same_padding_adds_the_extra_zero_after():
    # TensorFlow pads a 2x2 kernel with 0 zeros before and 1 after on each axis
    out = apply_filter([[1, 2], [3, 4]], np.ones((2, 2)), padding="same")
    np.testing.assert_array_equal(out, [[1 + 2 + 3 + 4, 2 + 4], [3 + 4, 4]])


def test_stride_keeps_every_other_position():
    image = np.arange(16).reshape(4, 4)
    np.testing.assert_array_equal(apply_filter(image, [[1]], stride=2), [[0, 2], [8, 10]])
    np.testing.assert_array_equal(apply_filter(image, [[1]], stride=(1, 3)), image[:, [0, 3]])


def test_integer_padding_larger_than_the_kernel():
    np.testing.assert_array_equal(
        apply_filter([[5]], [[1]], padding=2),
        [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 5, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
    )
    # padded to 7x7 with the 5 at (3, 3); a 3x3 window starting at rows/cols 1..3 covers it
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = 5
    np.testing.assert_array_equal(apply_filter([[5]], np.ones((3, 3)), padding=3), expected)


def test_colour_image_with_3d_kernel_sums_the_channels_plus_bias():
    image = np.zeros((2, 2, 3))
    image[..., 0], image[..., 1], image[..., 2] = 1, 10, 100
    kernel = np.zeros((2, 2, 3))
    kernel[..., 0], kernel[..., 1], kernel[..., 2] = 1, -1, 0.5
    # 4 cells per channel: 4*1*1 + 4*10*(-1) + 4*100*0.5 = 4 - 40 + 200
    out = apply_filter(image, kernel, bias=0.5)
    assert out.shape == (1, 1)
    assert out[0, 0] == 4 - 40 + 200 + 0.5


def test_colour_image_with_2d_kernel_filters_each_channel():
    image = np.stack([np.full((3, 3), v) for v in (1.0, 2.0, 3.0)], axis=-1)
    out = apply_filter(image, np.ones((3, 3)))
    assert out.shape == (1, 1, 3)
    np.testing.assert_array_equal(out[0, 0], [9, 18, 27])


def test_grayscale_image_accepts_a_single_channel_3d_kernel():
    out = apply_filter([[1, 2], [3, 4]], np.ones((2, 2, 1)))
    np.testing.assert_array_equal(out, [[10]])


def test_weight_then_bias():
    out = apply_filter(np.full((3, 3), 9, dtype=np.uint8), np.ones((3, 3)), weight=1 / 9, bias=-2)
    assert out[0, 0] == pytest.approx(9 - 2)


def test_uint8_never_overflows_or_wraps():
    image = np.full((2, 2), 255, dtype=np.uint8)
    # np.uint8(255) * -4 raises in NumPy 2, and * 2 would wrap to 254
    np.testing.assert_array_equal(apply_filter(image, [[-4]]), [[-1020, -1020], [-1020, -1020]])
    np.testing.assert_array_equal(apply_filter(image, [[2]]), [[510, 510], [510, 510]])
    np.testing.assert_array_equal(apply_filter(image, np.full((2, 2), -1)), [[-1020]])


def test_result_is_float64_and_input_untouched():
    image = np.arange(12, dtype=np.int32).reshape(3, 4)
    before = image.copy()
    out = apply_filter(image, KERNELS["sharpen"], padding="same")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(image, before)


def test_vertical_and_horizontal_line_kernels():
    vertical = np.zeros((6, 6))
    vertical[:, 3:] = 10  # a vertical edge between columns 2 and 3
    horizontal = vertical.T
    assert np.abs(apply_filter(vertical, KERNELS["vertical_lines"])).max() == 40
    assert np.abs(apply_filter(vertical, KERNELS["horizontal_lines"])).max() == 0
    assert np.abs(apply_filter(horizontal, KERNELS["horizontal_lines"])).max() == 40
    assert np.abs(apply_filter(horizontal, KERNELS["vertical_lines"])).max() == 0


def test_identity_blur_and_laplacian_presets():
    image = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(apply_filter(image, KERNELS["identity"], "same"), image)
    # a linear ramp is its own 3x3 average, and has no curvature
    np.testing.assert_allclose(apply_filter(image, KERNELS["blur"]), image[1:4, 1:4])
    np.testing.assert_allclose(apply_filter(image, KERNELS["gaussian_blur"]), image[1:4, 1:4])
    np.testing.assert_array_equal(apply_filter(image, KERNELS["laplacian"]), np.zeros((3, 3)))


def test_kernels_are_read_only_3x3_and_described():
    assert set(KERNEL_DESCRIPTIONS) == set(KERNELS)
    assert {"vertical_lines", "horizontal_lines", "sobel_x", "sharpen", "emboss"} <= set(KERNELS)
    for name, kernel in KERNELS.items():
        assert kernel.shape == (3, 3), name
        with pytest.raises(ValueError, match="read-only"):
            kernel[0, 0] = 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5, 3, "valid"), (0, 0)),
        ((5, 3, "same"), (1, 1)),
        ((4, 2, "same"), (0, 1)),
        ((5, 4, "same"), (1, 2)),
        ((7, 3, 2), (2, 2)),
        ((7, 3, "same", 2), (1, 1)),  # ceil(7/2)=4 outputs need (4-1)*2+3=9 rows: 2 extra
        ((6, 3, "same", 2), (0, 1)),  # ceil(6/2)=3 outputs need 7 rows: 1 extra, after
        ((6, 1, "same", 4), (0, 0)),
    ],
)
def test_padding_amounts_by_hand(args, expected):
    assert padding_amounts(*args) == expected


# --- the course's worked example ---------------------------------------------------------

PATCH = [[0, 64, 128], [48, 192, 144], [142, 226, 168]]
# fmt: off
PRODUCTS = [
    [-1 * 0,   0 * 64,    -2 * 128],
    [0.5 * 48, 4.5 * 192, -1.5 * 144],
    [1.5 * 142, 2 * 226,  -3 * 168],
]
TOTAL = (
    (-1 * 0) + (0 * 64) + (-2 * 128)
    + (0.5 * 48) + (4.5 * 192) + (-1.5 * 144)
    + (1.5 * 142) + (2 * 226) + (-3 * 168)
)
# fmt: on


def test_course_kernel_weights():
    kernel = KERNELS["course_example"]
    assert kernel[1, 1] == 4.5  # centre, over the pixel of 192
    assert kernel[0, 0] == -1  # upper left, over 0
    assert kernel[0, 1] == 0  # upper, over 64
    assert TOTAL == 577


def test_course_example_pixel_products():
    p = pixel_products(np.array(PATCH, dtype=np.uint8), KERNELS["course_example"], 1, 1)
    np.testing.assert_array_equal(p.neighbourhood, PATCH)
    np.testing.assert_array_equal(p.weights, KERNELS["course_example"])
    np.testing.assert_array_equal(p.products, PRODUCTS)
    assert p.products[1, 1] == 864
    assert p.total == TOTAL == p.value
    assert p.output_index == (0, 0)
    equation = p.equation()
    assert equation.startswith("(-1 × 0) + (0 × 64) + (-2 × 128) + (0.5 × 48) + (4.5 × 192)")
    assert equation.endswith("= 577")


def test_course_example_apply_filter():
    np.testing.assert_array_equal(apply_filter(PATCH, KERNELS["course_example"]), [[TOTAL]])


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_course_example_inside_a_larger_image(padding):
    rng = np.random.default_rng(0)
    big = rng.integers(0, 256, size=(12, 10)).astype(np.uint8)
    big[5:8, 3:6] = PATCH  # the 192 sits at (6, 4)
    kernel = KERNELS["course_example"]
    out = apply_filter(big, kernel, padding=padding)
    where = (5, 3) if padding == "valid" else (6, 4)
    assert out[where] == TOTAL
    p = pixel_products(big, kernel, 6, 4, padding=padding)
    assert p.output_index == where
    assert p.total == TOTAL
    np.testing.assert_array_equal(p.products, PRODUCTS)


def test_pixel_products_bias_weight_and_colour():
    p = pixel_products(PATCH, KERNELS["course_example"], 1, 1, bias=3, weight=0.5)
    assert p.total == TOTAL
    assert p.value == 0.5 * TOTAL + 3
    colour = np.stack([np.array(PATCH), np.zeros((3, 3)), np.array(PATCH)], axis=-1)
    per_channel = pixel_products(colour, KERNELS["course_example"], 1, 1)
    np.testing.assert_array_equal(per_channel.total, [TOTAL, 0, TOTAL])
    assert per_channel.products.shape == (3, 3, 3)
    summed = pixel_products(colour, np.stack([KERNELS["course_example"]] * 3, axis=-1), 1, 1)
    assert summed.total == 2 * TOTAL
    assert summed.equation() == "sum of 27 products = 1154"


def test_pixel_products_zero_neighbours_outside_with_same_padding():
    p = pixel_products(PATCH, KERNELS["course_example"], 0, 0, padding="same")
    np.testing.assert_array_equal(p.neighbourhood, [[0, 0, 0], [0, 0, 64], [0, 48, 192]])
    assert p.total == 4.5 * 0 + -1.5 * 64 + 2 * 48 + -3 * 192


# --- cross-checks: SciPy -----------------------------------------------------------------


@settings(deadline=None, max_examples=300)
@given(filter_cases())
def test_matches_scipy_signal_correlate2d(case):
    image, kernel, padding, stride = case
    stride2 = (stride, stride) if isinstance(stride, int) else stride
    expected = reference_filter(image, kernel, padding, stride2)
    if expected is None:
        with pytest.raises(ValueError, match="does not fit"):
            apply_filter(image, kernel, padding, stride=stride)
        return
    out = apply_filter(image, kernel, padding, stride=stride)
    assert out.dtype == np.float64
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-9 * (1 + scale_of(image, kernel)))


@settings(deadline=None, max_examples=200)
@given(filter_cases(int_padding=False), st.integers(0, 2))
def test_matches_scipy_ndimage_correlate_for_odd_kernels(case, half):
    image, _, _, _ = case
    size = 2 * half + 1
    rng = np.random.default_rng(image.size)
    img = np.asarray(image, dtype=np.float64)
    colour = img.ndim == 3
    kernel = rng.normal(size=(size, size, img.shape[2]) if colour else (size, size))

    if colour:
        same = sum(
            ndimage.correlate(img[:, :, c], kernel[:, :, c], mode="constant", cval=0.0)
            for c in range(img.shape[2])
        )
    else:
        same = ndimage.correlate(img, kernel, mode="constant", cval=0.0)
    tol = 1e-9 * (1 + scale_of(img, kernel))
    np.testing.assert_allclose(apply_filter(image, kernel, "same"), same, rtol=1e-12, atol=tol)
    if img.shape[0] >= size and img.shape[1] >= size:
        valid = same[half : img.shape[0] - half, half : img.shape[1] - half]
        np.testing.assert_allclose(apply_filter(image, kernel), valid, rtol=1e-12, atol=tol)


@settings(deadline=None, max_examples=150)
@given(
    hnp.arrays(np.uint8, st.tuples(st.integers(5, 16), st.integers(5, 16))),
    hnp.arrays(
        np.int64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=st.integers(-9, 9)
    ),
)
def test_uint8_with_negative_weights_matches_exact_integer_arithmetic(image, kernel):
    windows = sliding_window_view(image.astype(np.int64), kernel.shape)
    exact = np.einsum("ijkl,kl->ij", windows, kernel)
    np.testing.assert_array_equal(apply_filter(image, kernel), exact)


# --- cross-checks: Keras -----------------------------------------------------------------

_layers = {}


def cached_layer(keras, kind, kernel_size, channels, strides, padding):
    """One Keras layer per configuration, built once; weights are set per example."""
    key = (kind, kernel_size, channels, strides, padding)
    if key not in _layers:
        if kind == "conv":
            layer = keras.layers.Conv2D(1, kernel_size, strides=strides, padding=padding)
        else:
            layer = keras.layers.DepthwiseConv2D(kernel_size, strides=strides, padding=padding)
        layer.build((None, None, None, channels))
        _layers[key] = layer
    return _layers[key]


def keras_input(image, padding):
    x = np.asarray(image, dtype=np.float32)
    x = x if x.ndim == 3 else x[:, :, None]
    if isinstance(padding, int):  # Keras has no integer padding: pad, then "valid"
        x = np.pad(x, ((padding, padding), (padding, padding), (0, 0)))
        padding = "valid"
    return x[None], padding


@pytest.mark.tensorflow
@settings(deadline=None, max_examples=40)
@given(
    filter_cases(max_size=10, fits=True, depthwise=False), st.floats(-10, 10, allow_subnormal=False)
)
def test_matches_keras_conv2d(keras, case, bias):
    image, kernel, padding, stride = case
    strides = (stride, stride) if isinstance(stride, int) else stride
    x, kpadding = keras_input(image, padding)
    channels = x.shape[-1]
    assume(reference_filter(image, kernel, padding, strides) is not None)
    layer = cached_layer(keras, "conv", kernel.shape[:2], channels, strides, kpadding)
    weights = kernel.reshape(*kernel.shape[:2], channels, 1).astype(np.float32)
    layer.set_weights([weights, np.array([bias], dtype=np.float32)])
    expected = np.asarray(layer(x))[0, :, :, 0]

    out = apply_filter(image, kernel, padding, stride=stride, bias=bias)
    assert out.shape == expected.shape
    np.testing.assert_allclose(
        out, expected, rtol=1e-5, atol=2e-6 * (1 + scale_of(image, kernel, bias))
    )


@pytest.mark.tensorflow
@settings(deadline=None, max_examples=30)
@given(
    filter_cases(max_size=10, fits=True, depthwise=True, int_padding=False),
    st.integers(1, 3),
    st.floats(-10, 10, allow_subnormal=False),
)
def test_2d_kernel_on_colour_matches_keras_depthwise_conv2d(keras, case, stride, bias):
    image, kernel, padding, _ = case
    assume(image.ndim == 3)
    # TensorFlow's depthwise convolution needs equal row and column strides
    assume(reference_filter(image, kernel, padding, (stride, stride)) is not None)
    channels = image.shape[2]
    layer = cached_layer(keras, "depthwise", kernel.shape, channels, (stride, stride), padding)
    weights = np.repeat(kernel[:, :, None, None], channels, axis=2).astype(np.float32)
    layer.set_weights([weights, np.full(channels, bias, dtype=np.float32)])
    expected = np.asarray(layer(np.asarray(image, dtype=np.float32)[None]))[0]

    out = apply_filter(image, kernel, padding, stride=stride, bias=bias)
    assert out.shape == expected.shape
    np.testing.assert_allclose(
        out, expected, rtol=1e-5, atol=2e-6 * (1 + scale_of(image, kernel, bias))
    )


# --- pixel_products agrees with apply_filter everywhere --------------------------------


@settings(deadline=None, max_examples=100)
@given(
    filter_cases(max_size=7, int_padding=False),
    st.sampled_from(["valid", "same"]),
    st.floats(-3, 3, allow_subnormal=False),
    st.floats(-3, 3, allow_subnormal=False),
)
def test_pixel_products_agrees_with_apply_filter(case, padding, bias, weight):
    image, kernel, _, _ = case
    img = np.asarray(image, dtype=np.float64)
    h, w = img.shape[:2]
    kh, kw = kernel.shape[:2]
    if padding == "valid":
        assume(h >= kh and w >= kw)
    out = apply_filter(image, kernel, padding, bias=bias, weight=weight)
    tol = 1e-9 * (1 + scale_of(image, kernel, bias))
    seen = set()
    for row in range(h):
        for col in range(w):
            try:
                p = pixel_products(image, kernel, row, col, padding, bias=bias, weight=weight)
            except ValueError as exc:
                assert padding == "valid"
                assert "too close to the border" in str(exc)
                continue
            seen.add(p.output_index)
            np.testing.assert_allclose(p.value, out[p.output_index], rtol=1e-12, atol=tol)
            np.testing.assert_allclose(p.products, p.neighbourhood * p.weights, rtol=1e-15)
            if padding == "valid":  # the window Keras uses for that output
                i, j = p.output_index
                np.testing.assert_array_equal(p.neighbourhood, img[i : i + kh, j : j + kw])
            if kh % 2 and kw % 2:  # odd kernels: (row, col) sits under the centre
                assert np.array_equal(p.neighbourhood[kh // 2, kw // 2], img[row, col])
    # every output pixel is explained by exactly one image pixel
    assert seen == {(i, j) for i in range(out.shape[0]) for j in range(out.shape[1])}


# --- display transforms ------------------------------------------------------------------


def test_display_transform_modes_by_hand():
    values = [[-300.0, -5.0], [20.0, 400.0]]
    shown, limits = display_transform(values, "clip")
    np.testing.assert_array_equal(shown, [[0, 0], [20, 255]])
    assert limits == (0.0, 255.0)
    shown, limits = display_transform(values, "relu")
    np.testing.assert_array_equal(shown, [[0, 0], [20, 400]])
    assert limits == (0.0, 400.0)
    shown, limits = display_transform(values, "abs")
    np.testing.assert_array_equal(shown, [[300, 5], [20, 400]])
    assert limits == (0.0, 400.0)
    shown, limits = display_transform(values, "signed")
    np.testing.assert_array_equal(shown, values)
    assert limits == (-400.0, 400.0)
    shown, limits = display_transform(values, "clip", data_range=(-10, 10))
    np.testing.assert_array_equal(shown, [[-10, -5], [10, 10]])
    assert limits == (-10.0, 10.0)


def test_clipping_hides_negative_edges():
    step = np.zeros((4, 6))
    step[:, :3] = 100  # bright to dark: a negative vertical edge
    edges = apply_filter(step, KERNELS["vertical_lines"])
    assert edges.min() < 0
    assert display_transform(edges, "clip")[0].max() == 0  # the edge vanished
    assert display_transform(edges, "abs")[0].max() == 400  # still there


def test_display_transform_never_gives_an_empty_range():
    assert display_transform(np.zeros((2, 2)), "signed")[1] == (-1.0, 1.0)
    assert display_transform(-np.ones((2, 2)), "relu")[1] == (0.0, 1.0)
    assert display_transform(np.zeros((2, 2, 3)), "abs")[1] == (0.0, 1.0)
    assert set(DISPLAY_MODES) == {"signed", "relu", "clip", "abs"}


# --- every error path --------------------------------------------------------------------

IMG = np.zeros((4, 4))
K3 = np.ones((3, 3))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: apply_filter("cat.png", K3), TypeError, r"`image` must be a numeric array"),
        (lambda: apply_filter(None, K3), TypeError, r"`image` must be a numeric array"),
        (lambda: apply_filter([[1, 2], [3]], K3), ValueError, r"`image` must be a rectangular"),
        (lambda: apply_filter(IMG + 1j, K3), TypeError, r"`image` must be a real numeric array"),
        (lambda: apply_filter(np.array([[{}]]), K3), TypeError, r"`image` must be a real numeric"),
        (lambda: apply_filter(np.zeros(5), K3), ValueError, r"`image` must be 2-D or 3-D; got 1-D"),
        (lambda: apply_filter(np.zeros((0, 3)), K3), ValueError, r"`image` must not be empty"),
        (lambda: apply_filter([[np.nan, 1]], [[1]]), ValueError, r"`image` must contain only fin"),
        (lambda: apply_filter(IMG, "sobel"), TypeError, r"`kernel` must be a numeric array"),
        (lambda: apply_filter(IMG, np.ones(3)), ValueError, r"`kernel` must be 2-D or 3-D"),
        (lambda: apply_filter(IMG, [[np.inf]]), ValueError, r"`kernel` must contain only finite"),
        (
            lambda: apply_filter(IMG, np.ones((3, 3, 3))),
            ValueError,
            r"`kernel` has 3 channels \(shape \(3, 3, 3\)\) but `image` is grayscale",
        ),
        (
            lambda: apply_filter(np.zeros((4, 4, 3)), np.ones((3, 3, 2))),
            ValueError,
            r"`kernel` must be 2-D or match the image's 3 channels; got shape \(3, 3, 2\)",
        ),
        (lambda: apply_filter(IMG, K3, "full"), ValueError, r"`padding` must be one of 'valid'"),
        (lambda: apply_filter(IMG, K3, 1.5), TypeError, r"`padding` must be 'valid', 'same' or"),
        (lambda: apply_filter(IMG, K3, True), TypeError, r"`padding` must be 'valid', 'same' or"),
        (lambda: apply_filter(IMG, K3, -1), ValueError, r"`padding` must be at least 0; got -1"),
        (lambda: apply_filter(IMG, K3, stride=0), ValueError, r"`stride` must be at least 1"),
        (lambda: apply_filter(IMG, K3, stride="2"), TypeError, r"`stride` must be an integer or"),
        (lambda: apply_filter(IMG, K3, stride=(1, 2, 3)), TypeError, r"`stride` must be an int"),
        (lambda: apply_filter(IMG, K3, stride=(1, 0)), ValueError, r"`stride\[1\]` must be at"),
        (lambda: apply_filter(IMG, K3, bias="1"), TypeError, r"`bias` must be a real number"),
        (lambda: apply_filter(IMG, K3, bias=np.nan), ValueError, r"`bias` must be finite"),
        (lambda: apply_filter(IMG, K3, weight=np.inf), ValueError, r"`weight` must be finite"),
        (
            lambda: apply_filter(np.zeros((2, 5)), K3),
            ValueError,
            r"`kernel` of size 3x3 does not fit in the image of size 2x5 with padding='valid'",
        ),
        (lambda: padding_amounts(0, 3), ValueError, r"`size` must be at least 1"),
        (lambda: padding_amounts(5, 0), ValueError, r"`kernel_size` must be at least 1"),
        (lambda: padding_amounts(5, 3, "same", 0), ValueError, r"`stride` must be at least 1"),
        (lambda: padding_amounts(5.0, 3), TypeError, r"`size` must be an integer"),
        (lambda: padding_amounts(5, 3, "full"), ValueError, r"`padding` must be one of"),
        (lambda: pixel_products(IMG, K3, 1, 1, padding=1), TypeError, r"`padding` must be one of"),
        (lambda: pixel_products(IMG, K3, 4, 1), ValueError, r"`row` must be at most 3; got 4"),
        (lambda: pixel_products(IMG, K3, 1, -1), ValueError, r"`col` must be at least 0"),
        (lambda: pixel_products(IMG, K3, 1.0, 1), TypeError, r"`row` must be an integer"),
        (lambda: pixel_products(IMG, K3, 1, 1, bias=None), TypeError, r"`bias` must be a real"),
        (
            lambda: pixel_products(IMG, K3, 0, 1),
            ValueError,
            r"pixel \(0, 1\) is too close to the border for a 3x3 kernel with padding='valid'.*"
            r"row in 1..2 and a column in 1..2, or use padding='same'",
        ),
        (lambda: pixel_products(IMG, np.ones((3, 3, 2)), 1, 1), ValueError, r"`kernel` has 2"),
        (lambda: display_transform(IMG, "log"), ValueError, r"`mode` must be one of 'signed'"),
        (lambda: display_transform(IMG, 1), TypeError, r"`mode` must be one of"),
        (lambda: display_transform(np.zeros(3)), ValueError, r"`values` must be 2-D or 3-D"),
        (lambda: display_transform(IMG, data_range="0-255"), TypeError, r"`data_range` must be a"),
        (lambda: display_transform(IMG, data_range=(1,)), TypeError, r"`data_range` must be a p"),
        (lambda: display_transform(IMG, data_range=(5, 1)), ValueError, r"low < high; got \(5.0"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
