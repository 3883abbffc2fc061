"""Invariance: shifting an image, equivariance of a filter, tolerance of pooling to shifts."""

import numpy as np
import pytest
from scipy import ndimage

from cnnviz.filters import KERNELS
from cnnviz.invariance import ShiftTolerance, equivariance_error, shift_image, shift_tolerance


def relu_filter(image, kernel):
    kernel = np.asarray(kernel, float)
    full = ndimage.correlate(image, kernel, mode="constant")
    kh, kw = kernel.shape
    valid = full[
        kh // 2 : full.shape[0] - (kh - 1 - kh // 2), kw // 2 : full.shape[1] - (kw - 1 - kw // 2)
    ]
    return np.maximum(valid, 0)


def pool(values, size, kind="max"):
    h, w = (values.shape[0] // size) * size, (values.shape[1] // size) * size
    blocks = values[:h, :w].reshape(h // size, size, w // size, size)
    return blocks.max(axis=(1, 3)) if kind == "max" else blocks.mean(axis=(1, 3))


@pytest.fixture
def image():
    return np.random.default_rng(7).uniform(0, 255, size=(40, 48))


# --------------------------------------------------------------------------- shift_image
def test_shift_right_repeats_the_first_column():
    np.testing.assert_array_equal(shift_image([[1, 2, 3, 4]], 2), [[1, 1, 1, 2]])


def test_shift_left_repeats_the_last_column():
    np.testing.assert_array_equal(shift_image([[1, 2, 3, 4]], -1), [[2, 3, 4, 4]])


def test_shift_down_and_colour(image):
    colour = np.stack([image, image + 1, image + 2], axis=-1)
    moved = shift_image(colour, 3, axis=0)
    np.testing.assert_array_equal(moved[3:], colour[:-3])
    np.testing.assert_array_equal(moved[:3], np.repeat(colour[:1], 3, axis=0))


def test_shift_zero_is_a_copy(image):
    moved = shift_image(image, 0)
    np.testing.assert_array_equal(moved, image)
    assert moved is not image


def test_shift_image_errors():
    with pytest.raises(ValueError, match="`shift` must be at most 3"):
        shift_image(np.zeros((2, 4)), 4)
    with pytest.raises(ValueError, match="`axis` must be 0 .* or 1"):
        shift_image(np.zeros((2, 4)), 1, axis=2)
    with pytest.raises(TypeError, match="`shift` must be an integer"):
        shift_image(np.zeros((2, 4)), 1.5)


# --------------------------------------------------------------------------- equivariance
@pytest.mark.parametrize("kernel", ["vertical_lines", "horizontal_lines", "emboss", "blur"])
@pytest.mark.parametrize(("shift", "axis"), [(1, 1), (3, 1), (-2, 1), (2, 0), (-4, 0)])
def test_filter_of_shifted_image_is_shifted_filter(image, kernel, shift, axis):
    assert equivariance_error(image, KERNELS[kernel], shift, axis) == 0.0


def test_equivariance_error_is_measured_on_the_overlap(image):
    # Independently: the filter of the shifted image, columns k.., equals the original's ..-k.
    moved = np.concatenate([np.repeat(image[:, :1], 2, axis=1), image[:, :-2]], axis=1)
    a = relu_filter(moved, KERNELS["sharpen"])
    b = relu_filter(image, KERNELS["sharpen"])
    np.testing.assert_array_equal(a[:, 2:], b[:, :-2])
    assert equivariance_error(image, KERNELS["sharpen"], 2) == 0.0


def test_equivariance_error_errors():
    with pytest.raises(ValueError, match="leaves no overlap"):
        equivariance_error(np.zeros((5, 5)), KERNELS["blur"], 3)
    with pytest.raises(ValueError, match="`image` must be 2-D"):
        equivariance_error(np.zeros((5, 5, 3)), KERNELS["blur"], 1)


# --------------------------------------------------------------------------- tolerance
def test_no_shift_means_full_correlation(image):
    t = shift_tolerance(image, KERNELS["vertical_lines"], shifts=(0,))
    assert t.before == (1.0,) and t.after == (1.0,)


@pytest.mark.parametrize("kind", ["max", "average"])
def test_tolerance_matches_correlations_computed_by_hand(image, kind):
    kernel = KERNELS["vertical_lines"]
    t = shift_tolerance(image, kernel, shifts=(0, 1, 2), pool=kind)
    base = relu_filter(image, kernel)
    for shift, before, after in zip(t.shifts, t.before, t.after, strict=True):
        moved = relu_filter(shift_image(image, shift), kernel)
        # The largest shift (2) disturbs 2 columns at each border; pooled cells 1.. stay clean.
        expected = np.corrcoef(base[:, 2:-2].ravel(), moved[:, 2:-2].ravel())[0, 1]
        assert before == pytest.approx(expected, abs=1e-12)
        pa, pb = pool(base, 2, kind), pool(moved, 2, kind)
        expected = np.corrcoef(pa[:, 1:-1].ravel(), pb[:, 1:-1].ravel())[0, 1]
        assert after == pytest.approx(expected, abs=1e-12)


def test_pooling_forgives_a_one_pixel_shift_of_stripes():
    stripes = np.tile([0.0] * 4 + [255.0] * 4, (16, 6))
    t = shift_tolerance(stripes, [[-1, 0, 1]], shifts=(1,))
    assert t.after[0] > t.before[0]


def test_margin_makes_single_shifts_comparable(image):
    table = shift_tolerance(image, KERNELS["emboss"], shifts=(0, 1, 2, 3))
    one = shift_tolerance(image, KERNELS["emboss"], shifts=(2,), margin=3)
    assert one.before[0] == table.before[2] and one.after[0] == table.after[2]


def test_vertical_shift_and_size(image):
    t = shift_tolerance(image, KERNELS["horizontal_lines"], shifts=(0, 1), axis=0, size=3)
    assert t.size == (3, 3) and len(t.after) == 2


def test_text_table():
    t = ShiftTolerance((0, 2), (1.0, 0.25), (1.0, 0.5), "average", (2, 2))
    lines = t.text().splitlines()
    assert lines[0] == "shift   before pooling   after 2x2 average pooling"
    assert lines[2].split() == ["2", "0.250", "0.500"]
    assert str(t) == t.text()


def test_flat_maps(image):
    flat = np.full((20, 20), 9.0)
    assert shift_tolerance(flat, KERNELS["vertical_lines"], shifts=(1,)).before == (1.0,)


def test_tolerance_errors(image):
    kernel = KERNELS["vertical_lines"]
    with pytest.raises(ValueError, match="`shifts` must not be empty"):
        shift_tolerance(image, kernel, shifts=())
    with pytest.raises(TypeError, match="`shifts` must be a sequence of ints"):
        shift_tolerance(image, kernel, shifts="012")
    with pytest.raises(ValueError, match=r"`shifts\[1\]` must be at most 12"):
        shift_tolerance(image, kernel, shifts=(0, 13))
    with pytest.raises(ValueError, match="`margin` must be at least 2"):
        shift_tolerance(image, kernel, shifts=(0, 2), margin=1)
    with pytest.raises(ValueError, match="`pool` must be one of"):
        shift_tolerance(image, kernel, pool="min")
    with pytest.raises(ValueError, match="too small for shifts up to 4"):
        shift_tolerance(np.zeros((16, 16)), kernel, shifts=(4,), size=8)
