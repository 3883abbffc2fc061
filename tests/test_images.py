"""Tests for cnnviz.images: packaged samples and loading a student's own picture.

References are computed independently: scikit-image's own loaders and matplotlib for the
samples, Pillow's "L" conversion for grayscale, SciPy for the line filters, and pixels the
tests write themselves with Pillow into ``tmp_path``.
"""

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from cnnviz import images
from cnnviz.images import SAMPLE_IMAGES, load_image, load_sample, sample_names

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)  # vertical edges


def pillow_gray(rgb):
    """Pillow's own ITU-R 601-2 "L" conversion of a uint8 RGB array."""
    return np.asarray(Image.fromarray(np.asarray(rgb, dtype=np.uint8)).convert("L"), float)


# --------------------------------------------------------------------------- samples


def skimage_reference(name):
    import skimage.data

    loader = {"checkerboard": skimage.data.checkerboard}.get(name) or getattr(skimage.data, name)
    return loader()


SKIMAGE_SAMPLES = [
    "brick",
    "camera",
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "grass",
    "text",
    "checkerboard",
    "coins",
]


def test_sample_registry_is_complete_and_described():
    assert sample_names() == list(SAMPLE_IMAGES)
    assert set(SKIMAGE_SAMPLES) | {"grace_hopper", "shapes", "worked_example"} == set(SAMPLE_IMAGES)
    for name, text in SAMPLE_IMAGES.items():
        assert "\n" not in text and len(text) > 60, name
    for name in SKIMAGE_SAMPLES:
        assert "scikit-image" in SAMPLE_IMAGES[name]
    assert "matplotlib" in SAMPLE_IMAGES["grace_hopper"]
    assert "synthetic" in SAMPLE_IMAGES["shapes"]
    assert "synthetic" in SAMPLE_IMAGES["worked_example"]


@pytest.mark.parametrize("name", list(SAMPLE_IMAGES))
def test_every_sample_is_float64_in_0_255(name):
    gray = load_sample(name)
    assert gray.dtype == np.float64
    assert gray.ndim == 2
    assert gray.min() >= 0 and gray.max() <= 255
    assert gray.std() > 10  # a real picture, not a blank
    if name in sample_names(color=True):
        rgb = load_sample(name, color=True)
        assert rgb.dtype == np.float64
        assert rgb.shape == (*gray.shape, 3)
        assert rgb.min() >= 0 and rgb.max() <= 255


@pytest.mark.parametrize("name", SKIMAGE_SAMPLES)
def test_skimage_samples_match_skimage_loaders(name):
    reference = skimage_reference(name)
    if reference.ndim == 3:
        np.testing.assert_array_equal(load_sample(name, color=True), reference)
        np.testing.assert_allclose(load_sample(name), pillow_gray(reference), atol=0.5)
    else:
        np.testing.assert_array_equal(load_sample(name), reference)


def test_grace_hopper_matches_matplotlib():
    import matplotlib.image
    from matplotlib import cbook

    reference = matplotlib.image.imread(cbook.get_sample_data("grace_hopper.jpg"))
    np.testing.assert_array_equal(load_sample("grace_hopper", color=True), reference)
    np.testing.assert_allclose(load_sample("grace_hopper"), pillow_gray(reference), atol=0.5)


@pytest.mark.parametrize("name", ["astronaut", "coffee", "shapes", "grace_hopper"])
def test_grayscale_matches_pillow_L_conversion(name):
    rgb = load_sample(name, color=True)
    np.testing.assert_allclose(load_sample(name), pillow_gray(rgb), atol=0.5)


def test_expected_sizes_and_colour_sets():
    assert load_sample("brick").shape == (512, 512)
    assert load_sample("camera").shape == (512, 512)
    assert load_sample("astronaut", color=True).shape == (512, 512, 3)
    assert load_sample("shapes").shape == (512, 512)
    assert load_sample("worked_example").shape == (7, 7)
    colour = set(sample_names(color=True))
    assert {"astronaut", "coffee", "chelsea", "rocket", "grace_hopper", "shapes"} == colour
    assert sample_names(color=False) == sample_names()


def test_load_sample_returns_a_fresh_writable_copy():
    first = load_sample("camera")
    first[:] = 0  # students mutate arrays
    second = load_sample("camera")
    assert second.flags.writeable
    assert second.max() == 255
    assert not np.shares_memory(first, second)


def test_load_sample_is_deterministic_after_cache_clear():
    before = load_sample("shapes", color=True)
    images._cached_sample.cache_clear()
    np.testing.assert_array_equal(load_sample("shapes", color=True), before)


def test_shapes_grayscale_and_colour_are_consistent():
    rgb = load_sample("shapes", color=True)
    gray = load_sample("shapes")
    by_hand = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    np.testing.assert_allclose(gray, by_hand, atol=1e-9)
    # dark background, bright white lines, and distinct gray levels for the shapes
    assert gray[0, 0] < 30 and gray.max() == 255
    assert len(np.unique(gray)) >= 5


def _edge_energy(gray, kernel):
    return np.abs(ndimage.correlate(gray, kernel, mode="nearest"))


def test_shapes_lower_left_has_vertical_lines():
    gray = load_sample("shapes")
    quadrant = (slice(256, 512), slice(0, 256))
    vertical = _edge_energy(gray, SOBEL_X)[quadrant]
    horizontal = _edge_energy(gray, SOBEL_X.T)[quadrant]
    assert vertical.sum() > 20 * horizontal.sum()
    per_column = np.sort(vertical.sum(axis=0))[::-1]
    # five thin lines: their two edges each touch a handful of columns, the rest is flat
    assert per_column[:25].sum() > 0.99 * per_column.sum()
    assert (vertical.sum(axis=0) > 0.1 * per_column[0]).sum() >= 10


def test_shapes_lower_right_has_horizontal_lines():
    gray = load_sample("shapes")
    quadrant = (slice(256, 512), slice(256, 512))
    vertical = _edge_energy(gray, SOBEL_X)[quadrant]
    horizontal = _edge_energy(gray, SOBEL_X.T)[quadrant]
    assert horizontal.sum() > 20 * vertical.sum()
    per_row = np.sort(horizontal.sum(axis=1))[::-1]
    assert per_row[:25].sum() > 0.99 * per_row.sum()
    assert (horizontal.sum(axis=1) > 0.1 * per_row[0]).sum() >= 10


def test_brick_has_both_vertical_and_horizontal_edges():
    gray = load_sample("brick")
    vertical = _edge_energy(gray, SOBEL_X).mean()
    horizontal = _edge_energy(gray, SOBEL_X.T).mean()
    assert vertical > horizontal > 5  # long vertical mortar lines, short horizontal joints


def test_worked_example_neighbourhood_and_course_total():
    from cnnviz.filters import KERNELS, apply_filter

    image = load_sample("worked_example")
    assert image.shape == (7, 7)
    assert image[3, 3] == 192
    np.testing.assert_array_equal(image[2:5, 2:5], [[0, 64, 128], [48, 192, 144], [142, 226, 168]])
    # The course's sum, written out by hand:
    # -1*0 + 0*64 - 2*128 + 0.5*48 + 4.5*192 - 1.5*144 + 1.5*142 + 2*226 - 3*168 = 577
    assert apply_filter(image, KERNELS["course_example"], padding="same")[3, 3] == 577
    outside = np.ones((7, 7), bool)
    outside[2:5, 2:5] = False
    assert np.all(np.abs(np.diff(image, axis=1)[outside[:, 1:] & outside[:, :-1]]) <= 20)


def test_unknown_sample_suggests_a_close_name():
    with pytest.raises(ValueError, match=r"got 'brik'\. Did you mean 'brick'\?.*load_image"):
        load_sample("brik")
    with pytest.raises(ValueError, match="must be one of: brick, camera, astronaut") as info:
        load_sample("ascent")
    assert "Did you mean" not in str(info.value)


@pytest.mark.parametrize(
    "error",
    [
        # What scikit-image raises for a file missing from its data folder: without pooch,
        # and with pooch but no network.
        ModuleNotFoundError("The requested file is part of the scikit-image distribution"),
        ConnectionError("Tried to download a scikit-image dataset, but no internet"),
    ],
)
def test_missing_skimage_file_says_how_to_fix(monkeypatch, error):
    import skimage.data

    def damaged():
        raise error

    monkeypatch.setattr(skimage.data, "brick", damaged)
    images._cached_sample.cache_clear()
    try:
        with pytest.raises(
            FileNotFoundError, match=r"skimage\.data\.brick\(\).*damaged.*pip install --force"
        ):
            load_sample("brick")
    finally:
        images._cached_sample.cache_clear()


def test_missing_matplotlib_file_says_how_to_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(images, "_matplotlib_path", lambda name: tmp_path / name)
    images._cached_sample.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match=r"grace_hopper\.jpg is missing.*matplotlib"):
            load_sample("grace_hopper")
    finally:
        images._cached_sample.cache_clear()


def test_samples_come_through_the_public_api_not_a_path_inside_the_package():
    source = Path(images.__file__).read_text(encoding="utf-8")
    assert "importlib" not in source and "resources.files" not in source
    assert 'skimage" / "data' not in source.replace("'", '"')


def test_sample_name_is_case_insensitive():
    np.testing.assert_array_equal(load_sample("Brick"), load_sample("brick"))


def test_colour_of_a_grayscale_only_sample_is_refused():
    with pytest.raises(ValueError, match=r"'brick' exists only in grayscale.*astronaut"):
        load_sample("brick", color=True)


@pytest.mark.parametrize("bad", [3, None, ["brick"]])
def test_sample_name_must_be_a_string(bad):
    with pytest.raises(TypeError, match="`name` must be a sample name"):
        load_sample(bad)


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_color_must_be_bool(bad):
    with pytest.raises(TypeError, match="`color` must be True or False"):
        load_sample("astronaut", color=bad)
    with pytest.raises(TypeError, match="`color` must be True or False"):
        load_image(b"whatever", color=bad)
    if bad is not None:
        with pytest.raises(TypeError, match="`color` must be True or False"):
            sample_names(color=bad)


# --------------------------------------------------------------------------- load_image


def save(tmp_path, image, name, **kwargs):
    path = tmp_path / name
    image.save(path, **kwargs)
    return path


def png_bytes(image, **kwargs):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **kwargs)
    return buffer.getvalue()


RNG = np.random.default_rng(7)
GRAY_U8 = RNG.integers(0, 256, size=(9, 13), dtype=np.uint8)
RGB_U8 = RNG.integers(0, 256, size=(9, 13, 3), dtype=np.uint8)


def test_grayscale_png_round_trips(tmp_path):
    path = save(tmp_path, Image.fromarray(GRAY_U8), "gray.png")
    out = load_image(path)
    assert out.dtype == np.float64 and out.shape == (9, 13)
    np.testing.assert_array_equal(out, GRAY_U8)
    np.testing.assert_array_equal(load_image(path, color=True), np.dstack([GRAY_U8] * 3))


def test_rgb_png_colour_and_gray(tmp_path):
    path = save(tmp_path, Image.fromarray(RGB_U8), "rgb.png")
    np.testing.assert_array_equal(load_image(path, color=True), RGB_U8)
    np.testing.assert_allclose(load_image(str(path)), pillow_gray(RGB_U8), atol=0.5)


@pytest.mark.parametrize(
    "fmt, options",
    [("BMP", {}), ("GIF", {}), ("WEBP", {"lossless": True}), ("TIFF", {}), ("PNG", {})],
)
def test_other_lossless_formats(tmp_path, fmt, options):
    path = save(tmp_path, Image.fromarray(GRAY_U8), f"gray.{fmt.lower()}", **options)
    np.testing.assert_allclose(load_image(path), GRAY_U8, atol=1 if fmt == "WEBP" else 0)


def test_jpeg_is_read_close_to_the_original(tmp_path):
    smooth = np.tile(np.linspace(0, 255, 64), (48, 1)).astype(np.uint8)
    path = save(tmp_path, Image.fromarray(smooth), "smooth.jpg", quality=95)
    out = load_image(path)
    assert out.shape == (48, 64)
    assert np.abs(out - smooth).mean() < 3


def rgba_image():
    # column 0: fully transparent red; 1: half-transparent black; 2: opaque red;
    # 3: opaque white
    pixels = np.array(
        [[[255, 0, 0, 0], [0, 0, 0, 128], [255, 0, 0, 255], [255, 255, 255, 255]]],
        dtype=np.uint8,
    )
    return Image.fromarray(pixels)


def test_rgba_is_composited_over_white(tmp_path):
    path = save(tmp_path, rgba_image(), "rgba.png")
    gray = load_image(path)
    assert gray.shape == (1, 4)
    assert gray[0, 0] == 255  # transparent: paper
    assert gray[0, 1] == pytest.approx(127.5, abs=0.6)  # half-transparent black
    assert gray[0, 2] == pytest.approx(0.299 * 255, abs=1e-9)  # opaque red
    assert gray[0, 3] == 255
    rgb = load_image(path, color=True)
    np.testing.assert_array_equal(rgb[0, 0], [255, 255, 255])
    np.testing.assert_array_equal(rgb[0, 2], [255, 0, 0])
    np.testing.assert_allclose(rgb[0, 1], [127.5] * 3, atol=0.6)


def test_la_is_composited_over_white(tmp_path):
    pixels = np.array([[[0, 0], [0, 128], [40, 255]]], dtype=np.uint8)
    path = save(tmp_path, Image.fromarray(pixels), "la.png")
    np.testing.assert_allclose(load_image(path), [[255, 127.5, 40]], atol=0.6)


def test_palette_with_transparency_is_composited_over_white(tmp_path):
    image = Image.new("P", (3, 1))
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * 759)
    image.putdata([0, 1, 2])
    path = save(tmp_path, image, "palette_transparent.png", transparency=0)
    np.testing.assert_allclose(
        load_image(path, color=True), [[[255, 255, 255], [255, 0, 0], [0, 0, 255]]]
    )
    # GIF keeps a transparent palette index the same way
    gif = save(tmp_path, image, "palette_transparent.gif", transparency=0)
    np.testing.assert_allclose(load_image(gif, color=True)[0, 0], [255, 255, 255])


def test_palette_without_transparency(tmp_path):
    image = Image.new("P", (2, 1))
    image.putpalette([0, 128, 255, 200, 100, 0] + [0] * 762)
    image.putdata([0, 1])
    path = save(tmp_path, image, "palette.png")
    np.testing.assert_array_equal(load_image(path, color=True), [[[0, 128, 255], [200, 100, 0]]])
    expected_gray = [0.299 * 0 + 0.587 * 128 + 0.114 * 255, 0.299 * 200 + 0.587 * 100]
    np.testing.assert_allclose(load_image(path)[0], expected_gray)


def test_one_bit_image(tmp_path):
    bits = np.array([[True, False, True]])
    path = save(tmp_path, Image.fromarray(bits), "bits.png")
    with Image.open(path) as check:
        assert check.mode == "1"
    np.testing.assert_array_equal(load_image(path), [[255, 0, 255]])


def test_sixteen_bit_grayscale_is_scaled(tmp_path):
    values = np.array([[0, 32768, 65535, 257]], dtype=np.uint16)
    path = save(tmp_path, Image.fromarray(values), "deep.png")
    with Image.open(path) as check:
        assert check.mode.startswith("I")  # "I;16" in current Pillow
    np.testing.assert_allclose(load_image(path), [[0, 32768 * 255 / 65535, 255, 1]])


def test_mode_I_is_read_as_16_bit(tmp_path):
    values = np.array([[0, 65535, 1000]], dtype=np.int32)
    path = save(tmp_path, Image.fromarray(values), "int32.tif")
    with Image.open(path) as check:
        assert check.mode == "I"
    np.testing.assert_allclose(load_image(path), [[0, 255, 1000 * 255 / 65535]])


@pytest.mark.parametrize(
    "values, expected",
    [
        ([0.0, 0.5, 1.0], [0, 127.5, 255]),  # 0..1 floats
        ([0.0, 100.0, 255.0], [0, 100, 255]),  # already 0..255
        ([-1.0, 0.0, 3.0], [0, 63.75, 255]),  # anything else: stretched
    ],
)
def test_float_image(tmp_path, values, expected):
    arr = np.array([values], dtype=np.float32)
    path = save(tmp_path, Image.fromarray(arr), "float.tif")
    np.testing.assert_allclose(load_image(path), [expected], atol=1e-4)


def test_float_image_with_nan_is_refused(tmp_path):
    arr = np.array([[0.0, np.nan, 1.0]], dtype=np.float32)
    path = save(tmp_path, Image.fromarray(arr), "nan.tif")
    with pytest.raises(ValueError, match="NaN or infinite values"):
        load_image(path)


def cmyk_image(cmyk):
    """(H, W, 4) uint8 ink -> a CMYK Pillow image (fromarray would guess RGBA)."""
    return Image.frombytes("CMYK", (cmyk.shape[1], cmyk.shape[0]), cmyk.tobytes())


def test_cmyk_image(tmp_path):
    cmyk = np.array([[[0, 0, 0, 0], [255, 0, 0, 0], [0, 0, 0, 255]]], dtype=np.uint8)
    path = save(tmp_path, cmyk_image(cmyk), "cmyk.tif")
    # no ink is white, full cyan is (0, 255, 255), full black ink is black
    np.testing.assert_array_equal(
        load_image(path, color=True), [[[255, 255, 255], [0, 255, 255], [0, 0, 0]]]
    )
    jpeg = save(tmp_path, cmyk_image(cmyk).resize((24, 8)), "cmyk.jpg")
    assert load_image(jpeg, color=True).shape == (8, 24, 3)


def test_exif_orientation_is_applied(tmp_path):
    # Stored 40 wide and 20 high with a white block at the top left. Orientation 6 means
    # "rotate 90 degrees clockwise to display", which puts the block at the top right.
    stored = np.zeros((20, 40), dtype=np.uint8)
    stored[:8, :8] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    path = save(tmp_path, Image.fromarray(stored), "phone.jpg", exif=exif, quality=95)
    out = load_image(path)
    assert out.shape == (40, 20)
    assert out[:8, -8:].mean() > 200  # top right
    assert out[:8, :8].mean() < 50 and out[-8:, :].mean() < 50


def test_animated_gif_gives_its_first_frame(tmp_path):
    frames = [Image.fromarray(np.full((4, 5), v, dtype=np.uint8)) for v in (10, 200)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    np.testing.assert_array_equal(load_image(path), np.full((4, 5), 10.0))


def test_every_kind_of_source_gives_the_same_pixels(tmp_path):
    data = png_bytes(Image.fromarray(RGB_U8))
    path = tmp_path / "same.png"
    path.write_bytes(data)
    reference = load_image(path, color=True)
    upload_entry = {"name": "same.png", "type": "image/png", "content": memoryview(data)}
    sources = [
        str(path),
        data,
        bytearray(data),
        memoryview(data),
        io.BytesIO(data),
        upload_entry,
    ]
    for source in sources:
        np.testing.assert_array_equal(load_image(source, color=True), reference)
    with open(path, "rb") as handle:
        np.testing.assert_array_equal(load_image(handle, color=True), reference)
        assert not handle.closed  # the caller's file stays the caller's


def test_ipywidgets_file_upload_entry():
    import ipywidgets

    upload = ipywidgets.FileUpload(accept="image/*")
    data = png_bytes(Image.fromarray(GRAY_U8))
    # What the browser sends and the widget deserialises into .value (ipywidgets 8).
    upload.set_state(
        {
            "value": [
                {
                    "name": "digit.png",
                    "type": "image/png",
                    "size": len(data),
                    "last_modified": 0,
                    "content": memoryview(data),
                }
            ]
        }
    )
    entry = upload.value[0]
    assert isinstance(entry["content"], memoryview)
    np.testing.assert_array_equal(load_image(entry), GRAY_U8)
    np.testing.assert_array_equal(load_image(entry["content"]), GRAY_U8)


def test_upload_entry_with_wrong_content_type():
    with pytest.raises(TypeError, match=r"`source\['content'\]` must be bytes"):
        load_image({"name": "x.png", "content": "not bytes"})


def noise_png():
    noise = np.random.default_rng(1).integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    return png_bytes(Image.fromarray(noise))


def test_truncated_png_is_reported(tmp_path):
    data = noise_png()
    cut = data[: len(data) // 2]
    with pytest.raises(ValueError, match="truncated or corrupted"):
        load_image(cut)
    path = tmp_path / "cut.png"
    path.write_bytes(cut)
    with pytest.raises(ValueError, match=r"'.*cut\.png' is truncated"):
        load_image(path)


def test_truncated_jpeg_is_reported():
    buffer = io.BytesIO()
    Image.fromarray(RGB_U8).resize((200, 200)).save(buffer, format="JPEG")
    data = buffer.getvalue()
    with pytest.raises(ValueError, match="truncated"):
        load_image(data[: len(data) // 2])


def test_corrupted_png_data_is_reported():
    data = bytearray(noise_png())
    middle = len(data) // 2
    data[middle : middle + 200] = b"\x00" * 200  # damage the compressed pixels
    with pytest.raises(ValueError, match="truncated or corrupted"):
        load_image(bytes(data))


@pytest.mark.parametrize(
    "data", [b"hello, this is a text file\n", b"", b'{ "cells": [] }', b"PK\x03\x04zip"]
)
def test_not_an_image(data):
    with pytest.raises(ValueError, match=r"is not an image Pillow can read \(PNG, JPEG"):
        load_image(data)


def test_text_file_on_disk_is_not_an_image(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a picture")
    with pytest.raises(ValueError, match=r"'.*notes\.txt' is not an image"):
        load_image(path)


def test_too_many_pixels_gives_the_numbers():
    data = png_bytes(Image.new("L", (100, 50)))
    with pytest.raises(ValueError, match=r"100x50 = 5,000 pixels.*`max_pixels` = 4,999.*Resize"):
        load_image(data, max_pixels=4_999)
    assert load_image(data, max_pixels=5_000).shape == (50, 100)
    assert load_image(data, max_pixels=None).shape == (50, 100)


def png_header_only(width, height):
    """A PNG that claims a size but holds almost no pixel data."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def test_huge_image_is_refused_from_its_header():
    # 12000x12000 would need 1.1 GB as float64; only the header is read.
    with pytest.raises(ValueError, match=r"12000x12000 = 144,000,000 pixels.*16,000,000"):
        load_image(png_header_only(12_000, 12_000))


def test_decompression_bomb_is_refused():
    with pytest.raises(ValueError, match=r"too large to load safely.*decompression bomb"):
        load_image(png_header_only(30_000, 30_000), max_pixels=None)


@pytest.mark.parametrize("bad", [0, -5])
def test_max_pixels_must_be_positive(bad):
    with pytest.raises(ValueError, match="`max_pixels` must be at least 1"):
        load_image(b"", max_pixels=bad)


def test_max_pixels_must_be_an_int():
    with pytest.raises(TypeError, match="`max_pixels` must be an integer"):
        load_image(b"", max_pixels=1e6)


@pytest.mark.parametrize("bad", [42, 3.5, ["a.png"], None, object()])
def test_wrong_source_type(bad):
    with pytest.raises(TypeError, match="`source` must be a path .*got"):
        load_image(bad)


def test_array_source_is_refused_with_a_hint():
    with pytest.raises(TypeError, match="already pixels"):
        load_image(np.zeros((4, 4)))


def test_text_mode_file_is_refused():
    with pytest.raises(TypeError, match="binary mode"):
        load_image(io.StringIO("abc"))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'.*nope\.png' does not exist"):
        load_image(tmp_path / "nope.png")


def test_directory_is_refused(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        load_image(tmp_path)


def test_web_address_is_refused_without_downloading():
    with pytest.raises(ValueError, match="never downloads"):
        load_image("https://example.org/cat.png")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts files via /proc")
def test_no_file_handle_is_left_open(tmp_path):
    good = save(tmp_path, Image.fromarray(RGB_U8), "good.png")
    cut = tmp_path / "cut.png"
    cut.write_bytes(noise_png()[:300])
    text = tmp_path / "text.png"
    text.write_text("hello")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        load_image(good)
        for bad, kwargs in ((cut, {}), (text, {}), (good, {"max_pixels": 10})):
            with pytest.raises(ValueError):
                load_image(bad, **kwargs)
    assert len(os.listdir("/proc/self/fd")) == before
