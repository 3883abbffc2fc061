"""cnnviz.digits: MNIST-style pre-processing of a student's digit, pen strokes, the typed grid.

References are computed here independently: centres of mass with SciPy, stroke coverage by
sampling the pen's path densely, grids by hand. The shipped MNIST test digits are the
reference for "already pre-processed".
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from cnnviz import digits
from cnnviz.data import load_dataset
from cnnviz.digits import (
    MIN_STROKE_SPAN,
    SAMPLE_GRID,
    draw_stroke,
    grid_to_image,
    image_to_grid,
    parse_grid,
    prepare_digit,
    stroke_span,
)


@pytest.fixture(scope="module")
def shipped():
    return load_dataset("mnist", source="shipped")


def bar_on_paper(shape=(60, 50), rows=(5, 45), cols=(6, 12), ink=0.0, paper=255.0):
    image = np.full(shape, paper)
    image[rows[0] : rows[1], cols[0] : cols[1]] = ink
    return image


def ring(shape=(80, 90), centre=(30, 35), radii=(12, 20), ink=255.0, paper=0.0):
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    distance = np.hypot(rows - centre[0], cols - centre[1])
    image = np.full(shape, paper)
    image[(distance >= radii[0]) & (distance <= radii[1])] = ink
    return image


def png_bytes(image):
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


_noise = np.random.default_rng(0).integers(0, 256, (64, 64))
TRUNCATED_PNG = png_bytes(_noise)[:2000]  # a real PNG cut off halfway


def assert_mnist_form(steps):
    """What every prepared digit must look like, checked from the output alone."""
    assert steps.digit.shape == (28, 28) and steps.digit.dtype == np.float32
    assert 0.0 <= steps.digit.min() and steps.digit.max() == pytest.approx(1.0)
    np.testing.assert_allclose(steps.digit, steps.centred / 255, rtol=1e-6)
    rows, cols = np.nonzero(steps.centred)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 == 20  # longest side of the ink: 20 pixels


# --------------------------------------------------------------------------- synthetic drawings
def test_dark_bar_on_paper_is_inverted_cropped_scaled_and_centred():
    steps = prepare_digit(bar_on_paper())
    assert steps.inverted
    assert steps.box == (5, 6, 45, 12)
    assert steps.cropped.shape == (40, 6)
    assert steps.scaled.shape == (20, 3)  # 40x6 -> 20x3: the aspect ratio kept
    assert_mnist_form(steps)
    com = ndimage.center_of_mass(steps.centred)
    assert abs(com[0] - 14) <= 0.5 and abs(com[1] - 14) <= 0.5
    np.testing.assert_allclose(com, steps.centre_of_mass)
    assert steps.notes == ()


def test_light_ring_on_black_is_kept_and_centred_within_a_pixel():
    steps = prepare_digit(ring())
    assert not steps.inverted
    assert steps.scaled.shape == (20, 20)
    assert_mnist_form(steps)
    com = ndimage.center_of_mass(steps.centred)
    np.testing.assert_allclose(com, (14, 14), atol=1.0)
    # A ring is symmetric: its centre of mass is its middle, the middle of the field.
    rows, cols = np.nonzero(steps.centred > 0)
    assert abs((rows.min() + rows.max()) / 2 - com[0]) < 1
    assert abs((cols.min() + cols.max()) / 2 - com[1]) < 1


def test_dark_ring_on_paper_gives_the_same_digit_as_light_on_dark():
    light = prepare_digit(ring())
    dark = prepare_digit(ring(ink=0.0, paper=255.0))
    assert dark.inverted and not light.inverted
    np.testing.assert_allclose(dark.digit, light.digit, atol=1e-6)


def test_grey_paper_in_dim_light_is_still_inverted():
    # Paper at 110 and ink at 30: both darker than mid-grey, the paper is still the lighter.
    steps = prepare_digit(bar_on_paper(ink=30.0, paper=110.0))
    assert steps.inverted
    assert steps.background == pytest.approx(145.0)  # 255 - 110
    assert steps.levels.max() == 255 and steps.levels.min() == 0


def test_forced_inversion():
    steps = prepare_digit(ring(ink=0.0, paper=255.0), invert=True)
    assert steps.inverted
    np.testing.assert_allclose(steps.digit, prepare_digit(ring()).digit, atol=1e-6)
    with pytest.raises(ValueError, match=r"looks blank: nothing is brighter than its border"):
        prepare_digit(bar_on_paper(), invert=False)  # the paper would be the "ink"


def test_wide_digit_keeps_its_aspect_ratio():
    steps = prepare_digit(bar_on_paper(shape=(40, 90), rows=(10, 22), cols=(10, 70)))
    assert steps.cropped.shape == (12, 60)
    assert steps.scaled.shape == (4, 20)
    assert_mnist_form(steps)


def test_large_photo_is_shrunk_and_small_drawing_enlarged():
    big = prepare_digit(ring(shape=(900, 700), centre=(400, 300), radii=(150, 260)))
    assert big.cropped.shape == (521, 521) and big.scaled.shape == (20, 20)
    assert_mnist_form(big)
    small = np.zeros((9, 9))
    small[1:8, 3:6] = 255
    tiny = prepare_digit(small)
    assert tiny.scaled.shape == (20, round(3 * 20 / 7))
    assert_mnist_form(tiny)


def test_colour_image_is_turned_to_luma():
    rgb = np.full((50, 50, 3), 255.0)
    rgb[10:40, 20:26] = (200, 0, 0)  # red ink on white: luma 0.299 * 200 = 59.8
    steps = prepare_digit(rgb)
    assert steps.gray[20, 22] == pytest.approx(0.299 * 200)
    assert steps.inverted
    assert_mnist_form(steps)


def test_top_heavy_digit_is_kept_inside_the_field():
    image = np.zeros((40, 40))
    image[2:8, 2:38] = 255  # a heavy bar on top ...
    image[8:38, 19:21] = 40  # ... and a faint stem: the centre of mass is near the top
    steps = prepare_digit(image)
    assert steps.notes and "no ink is cut off" in steps.notes[0]
    assert steps.offset[0] == 28 - 20  # as low as the field allows: the bottom row
    wanted = 14 - ndimage.center_of_mass(steps.scaled)[0]
    assert wanted > steps.offset[0] + 1  # ... though centring wanted it lower still
    assert steps.centred.sum() == pytest.approx(steps.scaled.sum())  # nothing lost


def test_files_bytes_and_upload_entries_are_loaded(tmp_path):
    image = ring(ink=0.0, paper=255.0)
    expected = prepare_digit(image).digit
    data = png_bytes(image)
    path = tmp_path / "digit.png"
    path.write_bytes(data)
    entry = {
        "name": "digit.png",
        "type": "image/png",
        "size": len(data),
        "content": memoryview(data),
    }
    for source in (data, path, str(path), entry):
        np.testing.assert_allclose(prepare_digit(source).digit, expected, atol=1e-6)


def test_bool_mask_is_white_ink_on_black():
    mask = ring() > 0
    steps = prepare_digit(mask)
    assert not steps.inverted and steps.levels.max() == 255
    np.testing.assert_allclose(steps.digit, prepare_digit(ring()).digit, atol=1e-6)


def test_pictures_are_the_steps_in_order():
    steps = prepare_digit(bar_on_paper())
    pictures = steps.pictures()
    assert [p for _, p in pictures][0] is steps.gray
    assert pictures[-1][1] is steps.centred
    assert pictures[1][0] == "2. inverted"
    assert len(pictures) == 6


# --------------------------------------------------------------------------- real MNIST digits
def test_shipped_digits_are_centred_where_prepare_digit_puts_them(shipped):
    # The constant behind step 6: MNIST's centre of mass lies within half a pixel of (14, 14).
    com = np.array([ndimage.center_of_mass(x.astype(float)) for x in shipped.x_test])
    assert np.abs(com - 14).max() <= 0.5 + 1e-9


def test_shipped_digits_pass_through_nearly_unchanged(shipped):
    identical = 0
    for x in shipped.x_test:
        original = x.astype(float)
        out = prepare_digit(x).centred
        if np.abs(out - original).max() <= 1.0:
            identical += 1
            continue
        # Otherwise only faint edge pixels (below the 10% crop threshold) are gone, and the
        # rounding of the centre of mass may move the digit by one pixel.
        best = min(
            np.abs(np.roll(out, (dr, dc), axis=(0, 1)) - original).max()
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
        )
        assert best <= 0.1 * 255 + 1
    assert identical >= 0.75 * len(shipped.x_test)


@pytest.mark.tensorflow
def test_prepared_shipped_digits_are_still_classified_correctly(shipped):
    from cnnviz.models import load_pretrained, predict

    model = load_pretrained()
    raw = predict(model, shipped.x_test).argmax(axis=1)
    prepared = np.stack([prepare_digit(x).digit for x in shipped.x_test])
    cooked = predict(model, prepared).argmax(axis=1)
    raw_accuracy = (raw == shipped.y_test).mean()
    assert (cooked == shipped.y_test).mean() >= raw_accuracy - 0.005
    assert (cooked == raw).mean() >= 0.99


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (
            np.full((30, 30), 200.0),
            ValueError,
            r"looks blank: every pixel is 200, so no ink",
        ),
        (
            np.linspace(100, 110, 900).reshape(30, 30),
            ValueError,
            r"looks blank: every pixel lies between 100 and 110, so no ink",
        ),
        (np.linspace(100, 110, 900).reshape(30, 30), ValueError, r"looks blank"),
        (np.full((30, 30), 300.0), ValueError, r"pixel values 0\.\.255.*got 300\.\.300"),
        (np.full((30, 30), -1.0), ValueError, r"Multiply an image scaled to 0\.\.1 by 255"),
        (np.zeros((30, 30, 4)), ValueError, r"grayscale \(H, W\) or RGB \(H, W, 3\)"),
        (np.zeros(30), ValueError, r"`image` must be 2-D or 3-D"),
        (np.zeros((1, 30)), ValueError, r"at least 2x2 pixels"),
        (np.full((3, 3), np.nan), ValueError, r"finite numbers"),
        (b"not a picture", ValueError, r"not an image Pillow can read"),
        (TRUNCATED_PNG, ValueError, r"truncated or corrupted"),
        ([["a"]], TypeError, r"real numeric array"),
        (None, TypeError, r"`image` must be a numeric array"),
    ],
)
def test_prepare_digit_errors(image, error, match):
    with pytest.raises(error, match=match):
        prepare_digit(image)


def test_prepare_digit_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"does not exist"):
        prepare_digit(str(tmp_path / "nope.png"))


def test_prepare_digit_argument_errors():
    with pytest.raises(ValueError, match=r"`invert` must be one of 'auto'; got 'yes'"):
        prepare_digit(ring(), invert="yes")
    with pytest.raises(TypeError, match=r"`invert` must be 'auto', True or False; got 1"):
        prepare_digit(ring(), invert=1)
    with pytest.raises(ValueError, match=r"`threshold` must be at least 0 and below 1"):
        prepare_digit(ring(), threshold=1.5)
    with pytest.raises(TypeError, match=r"`threshold` must be a real number"):
        prepare_digit(ring(), threshold="0.1")


# --------------------------------------------------------------------------- not a digit
# Issue 10, item 3: a single dot was enlarged to a 20-pixel disc and answered "8 (88%)", and
# so was a single typed '#'. A digit is a line: its ink spans several pen widths.
def pad_drawing(*strokes, radius=11.0, size=280):
    """Black strokes on a white square, as the digit pad draws them."""
    paper = np.full((size, size), 255.0)
    for points in strokes:
        draw_stroke(paper, points, radius)
    return paper


def typed(*cells):
    """A typed 14x14 grid with '#' at the given (row, column) cells, as a 28x28 picture."""
    grid = np.zeros((14, 14), dtype=bool)
    for r, c in cells:
        grid[r, c] = True
    return grid_to_image(grid)


NOT_DIGITS = {
    "a dot on the pad": pad_drawing([(140, 140)]),
    "a dot near the corner": pad_drawing([(30, 250)]),
    "a tiny jiggle": pad_drawing([(140, 140), (146, 143), (141, 147)]),
    "a short dash": pad_drawing([(140, 140), (150, 140)]),
    "one typed #": typed((6, 6)),
    "a typed 2x2 block": typed((6, 6), (6, 7), (7, 6), (7, 7)),
    "a filled disc photo": np.where(
        np.hypot(*np.mgrid[-50:50, -60:60]) < 30, 0.0, 255.0
    ),  # a big blob: too thick for its size, whatever its pixels
}


@pytest.mark.parametrize("name", list(NOT_DIGITS))
def test_a_dot_or_blob_is_not_a_digit(name):
    with pytest.raises(ValueError, match=r"too small or too thin to be a digit: its ink is only"):
        prepare_digit(NOT_DIGITS[name])


def test_real_drawings_are_digits():
    """Small but line-like drawings pass: a short 1, a small 7, two typed cells in a row."""
    for image in (
        pad_drawing([(140, 110), (140, 170)]),  # a "1", 60 px on the 280 px pad
        pad_drawing([(120, 120), (160, 120), (130, 160)]),  # a "7", 40 px wide
        typed((6, 6), (7, 6)),  # a short bar typed as two cells
        grid_to_image(parse_grid(SAMPLE_GRID)),
    ):
        assert_mnist_form(prepare_digit(image))


def test_no_shipped_mnist_digit_is_rejected(shipped):
    """All 5,000 shipped digits go through, and each spans at least 2 stroke widths at the
    20-pixel scale (the margin MIN_STROKE_SPAN keeps below them)."""
    spans = []
    for x in np.concatenate([shipped.x_train, shipped.x_test]):
        steps = prepare_digit(x)  # raises if rejected
        spans.append(stroke_span(steps.scaled > 0.1 * 255))
    assert len(spans) == 5000
    assert min(spans) >= 2.0 > MIN_STROKE_SPAN
    assert np.median(spans) >= 4.0  # typical digits are far from the limit


def test_stroke_span_known_answers():
    bar = np.zeros((40, 40), dtype=bool)
    bar[5:35, 10:16] = True  # 30 long, 6 wide
    assert stroke_span(bar) == pytest.approx(5.0)
    rows, cols = np.mgrid[:41, :41]
    disc = np.hypot(rows - 20, cols - 20) <= 15
    assert stroke_span(disc) == pytest.approx(1.0, abs=0.1)
    ring_mask = ring() > 0  # a "0": 41 across, 9 wide
    assert 3.5 < stroke_span(ring_mask) < 5.5
    edge = np.zeros((5, 5), dtype=bool)
    edge[:, 0] = True  # touching the border: the paper continues outside
    assert stroke_span(edge) == pytest.approx(5 / 2)
    for bad in (np.zeros((5, 5), dtype=bool), np.ones(5, dtype=bool), [[1, 0]]):
        with pytest.raises(ValueError, match=r"`ink` must be a 2-D bool array"):
            stroke_span(bad)


def test_a_thin_line_shrunk_a_lot_is_made_bright_again():
    image = np.full((3000, 2000), 255.0)
    image[200:2800, 1000] = 0  # a 1-pixel pen line on a big photo, shrunk 130 times
    steps = prepare_digit(image)
    assert steps.scaled.shape == (20, 1)
    assert steps.scaled.max() == 255
    assert_mnist_form(steps)


# --------------------------------------------------------------------------- pen strokes
def stroke_reference(shape, points, radius):
    """Which pixel centres lie within ``radius`` of the path, by sampling it densely; and
    which are too close to the edge of the pen to call."""
    points = np.asarray(points, dtype=float)
    samples = [points[:1]]
    for a, b in zip(points[:-1], points[1:], strict=True):
        t = np.linspace(0, 1, 2001)[:, None]
        samples.append(a + t * (b - a))
    path = np.concatenate(samples)
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    centres = np.stack([cols.ravel() + 0.5, rows.ravel() + 0.5], axis=1)
    distance = np.sqrt(((centres[:, None, :] - path[None, :, :]) ** 2).sum(-1)).min(axis=1)
    distance = distance.reshape(shape)
    return distance <= radius, np.abs(distance - radius) < 0.02


@pytest.mark.parametrize(
    ("points", "radius"),
    [
        ([(3.2, 4.7)], 2.5),  # a dot
        ([(2.0, 2.0), (17.5, 9.3)], 1.8),  # a slanted line
        ([(4.0, 15.0), (10.0, 3.0), (16.0, 15.0)], 1.2),  # a corner
        ([(-5.0, 10.0), (30.0, 10.0)], 3.0),  # beyond the edges: clipped
    ],
)
def test_draw_stroke_covers_exactly_the_pixels_near_the_path(points, radius):
    raster = np.full((18, 20), 255.0)
    out = draw_stroke(raster, points, radius)
    assert out is raster
    inside, unsure = stroke_reference(raster.shape, points, radius)
    np.testing.assert_array_equal((raster == 0)[~unsure], inside[~unsure])
    assert set(np.unique(raster)) <= {0.0, 255.0}


def test_draw_stroke_value_and_errors():
    raster = np.zeros((5, 5))
    draw_stroke(raster, [(2.5, 2.5)], 0.5, value=7)
    assert raster[2, 2] == 7 and raster.sum() == 7
    with pytest.raises(TypeError, match=r"`raster` must be a 2-D NumPy array"):
        draw_stroke([[0, 0]], [(0, 0)], 1)
    with pytest.raises(ValueError, match=r"`points` must be \(x, y\) pairs"):
        draw_stroke(raster, [(1, 2, 3)], 1)
    with pytest.raises(ValueError, match=r"`radius` must be positive; got 0"):
        draw_stroke(raster, [(1, 2)], 0)
    with pytest.raises(ValueError, match=r"`points` must not be empty"):
        draw_stroke(raster, np.zeros((0, 2)), 1)


# --------------------------------------------------------------------------- typed grid
def test_sample_grid_parses_to_a_14x14_two():
    grid = parse_grid(SAMPLE_GRID)
    assert grid.shape == (14, 14) and grid.dtype == bool
    lines = SAMPLE_GRID.splitlines()
    assert int(grid.sum()) == sum(line.count("#") for line in lines)
    assert grid[11, 2:12].all() and not grid[0].any()  # the base of the 2; blank first row


def test_parse_grid_is_forgiving_about_layout_and_characters():
    text = "\n\nX.\n.@  \n\n"  # blank lines around, trailing spaces, other ink characters
    np.testing.assert_array_equal(parse_grid(text, size=2), [[True, False], [False, True]])
    np.testing.assert_array_equal(parse_grid("#\n.", size=2), [[True, False], [False, False]])


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("#.\n.#\n##", ValueError, r"must have 2 lines of 2 characters; got 3 lines"),
        ("#..\n.#", ValueError, r"line 1 of the grid has 3 characters; at most 2"),
        ("#.\n.?", ValueError, r"line 2, column 2 of the grid is '\?'"),
        (["#."], TypeError, r"`text` must be a string"),
    ],
)
def test_parse_grid_errors(text, error, match):
    with pytest.raises(error, match=match):
        parse_grid(text, size=2)


def test_grid_to_image_blocks_and_round_trip():
    grid = parse_grid(SAMPLE_GRID)
    image = grid_to_image(grid)
    assert image.shape == (28, 28) and image.dtype == np.uint8
    np.testing.assert_array_equal(image[::2, ::2] == 255, grid)
    np.testing.assert_array_equal(image[1::2, 1::2] == 255, grid)
    assert image_to_grid(image) == SAMPLE_GRID


def test_image_to_grid_of_an_mnist_digit(shipped):
    text = image_to_grid(shipped.x_test[0])
    grid = parse_grid(text)
    blocks = shipped.x_test[0].reshape(14, 2, 14, 2).mean(axis=(1, 3))
    np.testing.assert_array_equal(grid, blocks > 0.35 * 255)


def test_grid_errors():
    with pytest.raises(ValueError, match=r"square 2-D bool array"):
        grid_to_image(np.ones((2, 3), bool))
    with pytest.raises(ValueError, match=r"`size` must be a multiple of the grid's 3 rows"):
        grid_to_image(np.ones((3, 3), bool), size=28)
    with pytest.raises(ValueError, match=r"multiples of `size` = 14"):
        image_to_grid(np.zeros((27, 28)))


def test_module_constants():
    assert (digits.FIELD_SIZE, digits.BOX_SIZE, digits.GRID_SIZE) == (28, 20, 14)
