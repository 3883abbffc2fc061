"""cnnviz.pooling: known answers by hand, a loop reference, Keras MaxPooling2D and
AveragePooling2D over random shapes, and the winners of max pooling."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnviz.pooling import avg_pool, max_pool, pool_winners

DTYPES = [np.bool_, np.uint8, np.int32, np.float32, np.float64]

IMAGE = np.array(
    [
        [1, 3, 0, 2],
        [4, 2, 1, 0],
        [0, 1, 5, 6],
        [2, 0, 7, 8],
    ],
    dtype=np.uint8,
)


def loop_pool(image, size, stride, reduce):
    """The definition, one window at a time."""
    img = np.asarray(image, dtype=np.float64)
    (sh, sw), (sr, sc) = size, stride
    rows = range(0, img.shape[0] - sh + 1, sr)
    cols = range(0, img.shape[1] - sw + 1, sc)
    out = [[reduce(img[i : i + sh, j : j + sw], axis=(0, 1)) for j in cols] for i in rows]
    return np.array(out, dtype=np.float64)


def loop_winners(image, size, stride):
    img = np.asarray(image)
    (sh, sw), (sr, sc) = size, stride
    mask = np.zeros(img.shape, dtype=bool)
    channels = [None] if img.ndim == 2 else range(img.shape[2])
    for i in range(0, img.shape[0] - sh + 1, sr):
        for j in range(0, img.shape[1] - sw + 1, sc):
            for c in channels:
                window = (
                    img[i : i + sh, j : j + sw] if c is None else img[i : i + sh, j : j + sw, c]
                )
                a, b = divmod(int(np.argmax(window)), sw)  # argmax: first in reading order
                mask[(i + a, j + b) if c is None else (i + a, j + b, c)] = True
    return mask


def element_strategy(dtype):
    if dtype == np.bool_:
        return st.booleans()
    if dtype == np.uint8:
        return st.integers(0, 255)
    if dtype == np.int32:
        return st.integers(-1000, 1000)  # exact in float32, for Keras
    width = 32 if dtype == np.float32 else 64
    return st.floats(-100, 100, width=width, allow_subnormal=False)


@st.composite
def pool_cases(draw, max_size=16, max_window=6):
    """An image that fits the window, any dtype, 0-4 channels; int or pair size and stride."""
    sh, sw = draw(st.integers(1, max_window)), draw(st.integers(1, max_window))
    h, w = draw(st.integers(sh, max_size)), draw(st.integers(sw, max_size))
    channels = draw(st.integers(0, 4))
    dtype = draw(st.sampled_from(DTYPES))
    shape = (h, w) if channels == 0 else (h, w, channels)
    image = draw(hnp.arrays(dtype, shape, elements=element_strategy(dtype)))
    size = draw(st.just((sh, sw)) | st.just(sh))
    size2 = (size, size) if isinstance(size, int) else size
    if size2[1] > w:
        size, size2 = (sh, sw), (sh, sw)
    stride = draw(st.none() | st.integers(1, 4) | st.tuples(st.integers(1, 4), st.integers(1, 4)))
    stride2 = size2 if stride is None else (stride, stride) if isinstance(stride, int) else stride
    return image, size, stride, size2, stride2


# --- known answers -------------------------------------------------------------------------


def test_max_pool_two_by_two_by_hand():
    # 16 pixels become 4: the largest of each 2x2 group
    out = max_pool(IMAGE)
    np.testing.assert_array_equal(out, [[max(1, 3, 4, 2), max(0, 2, 1, 0)], [2, 8]])
    assert out.dtype == np.float64


def test_avg_pool_two_by_two_by_hand():
    out = avg_pool(IMAGE)
    expected = [[(1 + 3 + 4 + 2) / 4, (0 + 2 + 1 + 0) / 4], [(0 + 1 + 2 + 0) / 4, 26 / 4]]
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float64


def test_odd_sizes_drop_the_last_row_and_column():
    image = np.zeros((5, 7))
    image[:4, :6] = np.arange(24).reshape(4, 6)
    image[4, :] = 1000  # the fifth row fills no 2x2 window
    image[:, 6] = 1000  # nor does the seventh column
    np.testing.assert_array_equal(max_pool(image), [[7, 9, 11], [19, 21, 23]])
    np.testing.assert_array_equal(avg_pool(image), [[3.5, 5.5, 7.5], [15.5, 17.5, 19.5]])


def test_overlapping_windows_by_hand():
    image = np.arange(25).reshape(5, 5)
    # 3x3 windows every 2 pixels start at rows/cols 0 and 2; each maximum is its bottom-right
    np.testing.assert_array_equal(max_pool(image, 3, 2), [[12, 14], [22, 24]])
    np.testing.assert_array_equal(avg_pool(image, 3, 2), [[6, 8], [16, 18]])
    # stride 1: every position, four of them in a 4x4 image with 3x3 windows
    np.testing.assert_array_equal(max_pool(np.arange(16).reshape(4, 4), 3, 1), [[10, 11], [14, 15]])


def test_rectangular_windows_and_strides():
    image = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(max_pool(image, (1, 2)), [[1, 3], [5, 7], [9, 11]])
    np.testing.assert_array_equal(max_pool(image, (3, 1), stride=(1, 2)), [[8, 10]])
    np.testing.assert_array_equal(avg_pool(image, (2, 1), stride=(1, 3)), [[2, 5], [6, 9]])


def test_colour_channels_are_pooled_separately():
    image = np.stack([IMAGE, 10 * IMAGE.astype(int), -IMAGE.astype(int)], axis=-1)
    out = max_pool(image)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out[:, :, 0], [[4, 2], [2, 8]])
    np.testing.assert_array_equal(out[:, :, 1], [[40, 20], [20, 80]])
    np.testing.assert_array_equal(out[:, :, 2], [[-1, 0], [0, -5]])


def test_integer_and_bool_images_do_not_overflow():
    np.testing.assert_array_equal(
        avg_pool(np.full((4, 4), 255, dtype=np.uint8)), np.full((2, 2), 255)
    )
    np.testing.assert_array_equal(avg_pool([[True, False], [True, True]]), [[0.75]])
    np.testing.assert_array_equal(max_pool([[True, False], [False, False]]), [[1.0]])


def test_result_is_a_new_array_and_input_untouched():
    image = np.arange(16.0).reshape(4, 4)
    before = image.copy()
    for pool in (max_pool, avg_pool):
        out = pool(image)
        out[:] = -1
        np.testing.assert_array_equal(image, before)
        out = pool(image, 1)  # a 1x1 window is the image itself, still a copy
        out[:] = -1
        np.testing.assert_array_equal(image, before)


def test_the_window_may_be_the_whole_image():
    image = np.arange(20.0).reshape(4, 5)
    np.testing.assert_array_equal(max_pool(image, (4, 5)), [[19]])
    np.testing.assert_array_equal(avg_pool(image, (4, 5)), [[9.5]])


@pytest.mark.parametrize(
    ("shape", "size", "stride"),
    [
        ((40, 50, 2), 12, None),  # large non-overlapping windows (144 cells)
        ((40, 50), (13, 11), (5, 7)),  # large overlapping windows
        ((40, 50, 3), 3, None),
        ((40, 50), (3, 2), (2, 1)),
        ((33, 35), 16, 1),
    ],
)
def test_small_and_large_windows_match_the_loop_reference(shape, size, stride):
    image = np.random.default_rng(1).normal(size=shape)
    size2 = (size, size) if isinstance(size, int) else size
    stride2 = size2 if stride is None else (stride, stride) if isinstance(stride, int) else stride
    np.testing.assert_array_equal(
        max_pool(image, size, stride), loop_pool(image, size2, stride2, np.max)
    )
    np.testing.assert_allclose(
        avg_pool(image, size, stride),
        loop_pool(image, size2, stride2, np.mean),
        rtol=1e-12,
        atol=1e-14,
    )


# --- property tests ------------------------------------------------------------------------


@settings(deadline=None, max_examples=200)
@given(pool_cases())
def test_matches_the_loop_reference(case):
    image, size, stride, size2, stride2 = case
    expected_max = loop_pool(image, size2, stride2, np.max)
    expected_avg = loop_pool(image, size2, stride2, np.mean)
    out_max, out_avg = max_pool(image, size, stride), avg_pool(image, size, stride)
    h, w = image.shape[:2]
    out_shape = ((h - size2[0]) // stride2[0] + 1, (w - size2[1]) // stride2[1] + 1)
    assert out_max.shape == out_avg.shape == out_shape + image.shape[2:]
    assert out_max.dtype == out_avg.dtype == np.float64
    np.testing.assert_array_equal(out_max, expected_max.reshape(out_max.shape))
    np.testing.assert_allclose(out_avg, expected_avg.reshape(out_avg.shape), rtol=1e-12, atol=1e-12)


_keras_layers = {}


def keras_pool(keras, kind, size, stride, image):
    key = (kind, size, stride)
    if key not in _keras_layers:
        cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
        _keras_layers[key] = cls(pool_size=size, strides=stride, padding="valid")
    x = np.asarray(image, dtype=np.float32)
    x = x if x.ndim == 3 else x[:, :, None]
    out = np.asarray(_keras_layers[key](x[None]))[0]
    return out if np.ndim(image) == 3 else out[:, :, 0]


@pytest.mark.tensorflow
@settings(deadline=None, max_examples=40)
@given(pool_cases(max_size=14, max_window=5))
def test_matches_keras_max_and_average_pooling(keras, case):
    image, size, stride, size2, stride2 = case
    expected_max = keras_pool(keras, "max", size2, stride2, image)
    expected_avg = keras_pool(keras, "avg", size2, stride2, image)
    out_max, out_avg = max_pool(image, size, stride), avg_pool(image, size, stride)
    assert out_max.shape == expected_max.shape
    assert out_avg.shape == expected_avg.shape
    # Keras works in float32; the maximum is exact, the mean is rounded
    np.testing.assert_array_equal(out_max.astype(np.float32), expected_max)
    np.testing.assert_allclose(out_avg, expected_avg, rtol=1e-6, atol=1e-5)


# --- pool_winners ------------------------------------------------------------------------


def test_pool_winners_by_hand():
    mask = pool_winners(IMAGE)
    expected = np.zeros((4, 4), dtype=bool)
    expected[1, 0] = expected[0, 3] = expected[3, 0] = expected[3, 3] = True  # 4, 2, 2, 8
    np.testing.assert_array_equal(mask, expected)
    assert mask.dtype == np.bool_


def test_pool_winners_ties_go_to_the_first_in_reading_order():
    mask = pool_winners(np.ones((4, 6)))
    expected = np.zeros((4, 6), dtype=bool)
    expected[::2, ::2] = True  # the top-left pixel of each 2x2 window
    np.testing.assert_array_equal(mask, expected)
    tie = np.array([[0, 5], [5, 5]])  # three equal maxima: the upper right comes first
    np.testing.assert_array_equal(pool_winners(tie), [[False, True], [False, False]])


def test_pool_winners_dropped_rows_and_columns_are_false():
    image = np.full((5, 5), 100.0)
    image[:4, :4] = 0
    mask = pool_winners(image)
    assert not mask[4, :].any() and not mask[:, 4].any()
    assert mask.sum() == 4


@settings(deadline=None, max_examples=150)
@given(pool_cases(max_size=12, max_window=4))
def test_pool_winners_matches_argmax_of_every_window(case):
    image, size, stride, size2, stride2 = case
    mask = pool_winners(image, size, stride)
    assert mask.shape == image.shape
    assert mask.dtype == np.bool_
    np.testing.assert_array_equal(mask, loop_winners(image, size2, stride2))


@settings(deadline=None, max_examples=100)
@given(pool_cases(max_size=12, max_window=4))
def test_one_winner_per_non_overlapping_window_holding_the_max(case):
    image, size, _, size2, _ = case
    mask = pool_winners(image, size)  # stride = size: windows tile the image
    pooled = max_pool(image, size)
    (sh, sw), (oh, ow) = size2, pooled.shape[:2]
    blocks = mask[: oh * sh, : ow * sw].reshape(oh, sh, ow, sw, *image.shape[2:])
    np.testing.assert_array_equal(blocks.sum(axis=(1, 3)), np.ones(pooled.shape))
    assert mask.sum() == pooled.size
    values = np.asarray(image, dtype=np.float64)[: oh * sh, : ow * sw]
    winner_values = np.where(blocks, values.reshape(blocks.shape), -np.inf).max(axis=(1, 3))
    np.testing.assert_array_equal(winner_values, pooled)


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("pool", [max_pool, avg_pool, pool_winners])
@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (
            (np.zeros((2, 5)), 3),
            {},
            ValueError,
            r"`size` 3x3 is larger than the image of shape \(2, 5\).*Use a size of at most 2x3",
        ),
        ((np.zeros((4, 4, 3)), (2, 5)), {}, ValueError, r"`size` 2x5 is larger than the image"),
        ((IMAGE, 0), {}, ValueError, r"`size` must be at least 1; got 0"),
        ((IMAGE, (2, 0)), {}, ValueError, r"`size\[1\]` must be at least 1"),
        ((IMAGE, 2.0), {}, TypeError, r"`size` must be an integer or a pair"),
        ((IMAGE, 2), {"stride": 0}, ValueError, r"`stride` must be at least 1"),
        ((IMAGE, 2), {"stride": "2"}, TypeError, r"`stride` must be an integer or a pair"),
        ((np.zeros(4),), {}, ValueError, r"`image` must be 2-D or 3-D; got 1-D"),
        ((np.zeros((2, 2, 2, 2)),), {}, ValueError, r"`image` must be 2-D or 3-D; got 4-D"),
        (("image.png",), {}, TypeError, r"`image` must be a numeric array"),
        (([[1, np.nan], [0, 0]],), {}, ValueError, r"`image` must contain only finite"),
        ((np.zeros((0, 4)),), {}, ValueError, r"`image` must not be empty"),
    ],
)
def test_errors(pool, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        pool(*args, **kwargs)
