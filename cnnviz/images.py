"""Images to filter: samples that ship with installed packages, and a student's own picture.

Nothing here downloads. The photographs are files inside the scikit-image and matplotlib
packages, asked for through their public APIs (``skimage.data.brick()`` and the like, which
return the files that ship in scikit-image's wheel; ``matplotlib.cbook.get_sample_data``),
never through a downloader such as ``scipy.datasets``; two samples are drawn with NumPy.

Every function returns a float64 array with values in 0..255 (0 is black, 255 white), of
shape (H, W) for grayscale or (H, W, 3) for RGB colour (sizes below are array shapes: rows,
then columns), ready for
:func:`cnnviz.filters.apply_filter`. Colour is turned into grayscale with the ITU-R 601-2
luma weights ``L = 0.299 R + 0.587 G + 0.114 B``, the rule of Pillow's ``"L"`` conversion
(Pillow rounds to integers; here the exact float is kept).
"""

from __future__ import annotations

import difflib
import functools
import io
import os
import struct
import warnings
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnviz._validation import check_file, check_int, describe, shorten

__all__ = [
    "SAMPLE_IMAGES",
    "WORKED_EXAMPLE_PATCH",
    "DEFAULT_MAX_PIXELS",
    "LUMA_WEIGHTS",
    "load_sample",
    "sample_names",
    "load_image",
]

#: ITU-R 601-2 luma weights for (R, G, B), as in Pillow's ``Image.convert("L")``.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)

#: Largest image :func:`load_image` decodes by default: 16 megapixels (a 12 MP phone photo
#: fits). As float64 RGB that is already 384 MB, too much for a 2 GB Binder session.
DEFAULT_MAX_PIXELS = 16_000_000

#: Sample name -> what it shows, what it is good for, and where it comes from.
SAMPLE_IMAGES: dict[str, str] = {
    "brick": (
        "a brick wall, grayscale (512, 512): long vertical mortar lines and short horizontal "
        "joints, the image for the vertical_lines and horizontal_lines filters; "
        "scikit-image skimage.data.brick() (CC0Textures, CC0)"
    ),
    "camera": (
        "a cameraman on a lawn with a tripod, grayscale photograph (512, 512): edges of "
        "every direction and smooth areas, good for blur, sharpen and outline; "
        "scikit-image skimage.data.camera() (Lav Varshney, CC0)"
    ),
    "astronaut": (
        "the astronaut Eileen Collins, colour photograph (512, 512): a face, a flag and a "
        "helmet, good for per-channel filters and colour kernels; "
        "scikit-image skimage.data.astronaut() (NASA, public domain)"
    ),
    "coffee": (
        "a cup of coffee on a saucer, colour photograph (400, 600): ellipses and smooth "
        "porcelain against wood grain, good for outlines and blur; "
        "scikit-image skimage.data.coffee() (Rachel Michetti, CC0)"
    ),
    "chelsea": (
        "Chelsea the cat, colour photograph (300, 451): fur texture, whiskers and diagonal "
        "edges at several scales, good for pooling keeping features; "
        "scikit-image skimage.data.chelsea() (Stefan van der Walt, CC0)"
    ),
    "rocket": (
        "a Falcon 9 rocket on its launch pad at dusk, colour photograph (427, 640): tall "
        "vertical towers and lattice work, good for the vertical_lines filter in colour; "
        "scikit-image skimage.data.rocket() (SpaceX, public domain)"
    ),
    "grace_hopper": (
        "a portrait of the computer scientist Grace Hopper in U.S. Navy uniform, colour "
        "photograph (600, 512): a face and fine detail, good for sharpen and blur; "
        "matplotlib mpl-data/sample_data/grace_hopper.jpg (U.S. Navy, public domain)"
    ),
    "grass": (
        "grass blades, grayscale texture (512, 512): fine edges in every direction and no "
        "object, shows what edge filters do to texture; "
        "scikit-image skimage.data.grass() (linolafett on DeviantArt, CC0)"
    ),
    "text": (
        "handwritten maths on a slanted page, grayscale (172, 448): thin strokes like "
        "digits, good for outlines and pooling; "
        "scikit-image skimage.data.text() (Wikipedia, public domain)"
    ),
    "checkerboard": (
        "a black-and-white checkerboard, grayscale (200, 200): perfectly straight vertical "
        "and horizontal edges and corners, the clearest test of line filters; "
        "scikit-image skimage.data.checkerboard() (scikit-image, BSD-3-Clause)"
    ),
    "coins": (
        "Greek coins from Pompeii on a grey background, grayscale photograph (303, 384): "
        "round objects with detailed faces, good for outlines and pooling; "
        "scikit-image skimage.data.coins() (Brooklyn Museum, no known copyright)"
    ),
    "shapes": (
        "synthetic pattern (512, 512) on a dark background: a tall orange and a wide blue "
        "filled rectangle, a yellow disk, five thin vertical lines (lower left) and five "
        "thin horizontal lines (lower right); shows exactly which edges each filter keeps; "
        "drawn with NumPy by cnnviz (no licence needed), grayscale and colour"
    ),
    "worked_example": (
        "synthetic grayscale image (7, 7) for the course's worked example: pixel (3, 3) is "
        "192 with the neighbourhood [[0, 64, 128], [48, 192, 144], [142, 226, 168]] around "
        "it, the rest a gentle gradient; drawn with NumPy by cnnviz"
    ),
}

# name -> (where the pixels come from, whether a colour version exists). For scikit-image
# the item is the ``skimage.data`` function; each of these reads a file that every
# scikit-image wheel from 0.24 to 0.27 ships (checked), so none of them downloads.
_SOURCES: dict[str, tuple[tuple[str, str], bool]] = {
    "brick": (("skimage", "brick"), False),
    "camera": (("skimage", "camera"), False),
    "astronaut": (("skimage", "astronaut"), True),
    "coffee": (("skimage", "coffee"), True),
    "chelsea": (("skimage", "chelsea"), True),
    "rocket": (("skimage", "rocket"), True),
    "grace_hopper": (("matplotlib", "grace_hopper.jpg"), True),
    "grass": (("skimage", "grass"), False),
    "text": (("skimage", "text"), False),
    "checkerboard": (("skimage", "checkerboard"), False),
    "coins": (("skimage", "coins"), False),
    "shapes": (("numpy", "shapes"), True),
    "worked_example": (("numpy", "worked_example"), False),
}

#: The neighbourhood of pixel (3, 3) in the ``worked_example`` sample.
WORKED_EXAMPLE_PATCH = ((0, 64, 128), (48, 192, 144), (142, 226, 168))

_FORMATS_HINT = "PNG, JPEG, GIF, BMP, WebP, TIFF, ..."


def _check_color(color) -> bool:
    if not isinstance(color, bool | np.bool_):
        raise TypeError(f"`color` must be True or False; got {describe(color)}.")
    return bool(color)


def _luma(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) float RGB -> (H, W) float64 grayscale with the ITU-R 601-2 weights."""
    # Integer per-mille weights, divided last: a gray pixel (v, v, v) gives exactly v,
    # and the result never leaves 0..255 through rounding.
    return (299.0 * rgb[..., 0] + 587.0 * rgb[..., 1] + 114.0 * rgb[..., 2]) / 1000.0


def sample_names(color=None) -> list[str]:
    """Names of the sample images, in the order of :data:`SAMPLE_IMAGES`.

    Parameters
    ----------
    color : bool or None, optional
        ``True``: only the samples that :func:`load_sample` can give in colour.
        ``None`` or ``False`` (default ``None``): all samples, since every one has a
        grayscale version.

    Returns
    -------
    list of str

    Examples
    --------
    >>> "brick" in sample_names()
    True
    >>> "brick" in sample_names(color=True), "astronaut" in sample_names(color=True)
    (False, True)
    """
    if color is None:
        return list(SAMPLE_IMAGES)
    color = _check_color(color)
    return [name for name in SAMPLE_IMAGES if _SOURCES[name][1] or not color]


def _check_sample_name(name) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"`name` must be a sample name (a string); got {describe(name)}. "
            f"Choose one of: {', '.join(SAMPLE_IMAGES)}."
        )
    if name in SAMPLE_IMAGES:
        return name
    if name.lower() in SAMPLE_IMAGES:
        return name.lower()
    close = difflib.get_close_matches(name.lower(), SAMPLE_IMAGES, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"`name` must be one of: {', '.join(SAMPLE_IMAGES)}; got {describe(name)}.{hint} "
        f"For your own picture use `load_image(path)`."
    )


def load_sample(name, color=False) -> np.ndarray:
    """Load a sample image that ships with an installed package (no download).

    Parameters
    ----------
    name : str
        One of :data:`SAMPLE_IMAGES` (see :func:`sample_names`), e.g. ``"brick"``.
    color : bool, optional
        ``False`` (default): grayscale, colour turned into luma ``0.299 R + 0.587 G +
        0.114 B``. ``True``: RGB; only for the samples in ``sample_names(color=True)``.

    Returns
    -------
    ndarray of float64, shape (H, W) or (H, W, 3)
        Values in 0..255 (0 black, 255 white). A fresh copy on every call: change it
        freely.

    Raises
    ------
    TypeError
        If ``name`` is not a string or ``color`` is not a bool.
    ValueError
        For an unknown name, or ``color=True`` for a grayscale-only sample.

    Examples
    --------
    >>> brick = load_sample("brick")
    >>> brick.shape, brick.dtype, float(brick.min()) >= 0, float(brick.max()) <= 255
    ((512, 512), dtype('float64'), True, True)
    >>> load_sample("astronaut", color=True).shape
    (512, 512, 3)
    >>> load_sample("worked_example")[2:5, 2:5]
    array([[  0.,  64., 128.],
           [ 48., 192., 144.],
           [142., 226., 168.]])
    """
    name = _check_sample_name(name)
    color = _check_color(color)
    if color and not _SOURCES[name][1]:
        raise ValueError(
            f"sample {name!r} exists only in grayscale, so `color=True` cannot be given; "
            f"colour samples are: {', '.join(sample_names(color=True))}. "
            f"Pass color=False, or pick one of those."
        )
    return _cached_sample(name, color).copy()


@functools.cache  # lru_cache without a bound: 13 samples, ~30 MB if all are loaded
def _cached_sample(name: str, color: bool) -> np.ndarray:
    (origin, item), _ = _SOURCES[name]
    if origin == "numpy":
        rgb_or_gray = _shapes_rgb() if item == "shapes" else _worked_example()
    elif origin == "skimage":
        rgb_or_gray = _read_skimage(item)
    else:
        rgb_or_gray = _read_matplotlib(item)
    if rgb_or_gray.ndim == 3 and not color:
        rgb_or_gray = _luma(rgb_or_gray)
    rgb_or_gray.flags.writeable = False  # the cached original; callers get copies
    return rgb_or_gray


def _read_skimage(function: str) -> np.ndarray:
    """Pixels of ``skimage.data.<function>()`` as float64 (the file ships with scikit-image)."""
    import skimage.data
    import skimage.util

    try:
        pixels = getattr(skimage.data, function)()
    except (OSError, ImportError) as exc:
        # scikit-image looks in its installed data folder (and its cache) first; it only
        # wants pooch and the network for a file that is missing there.
        raise FileNotFoundError(
            f"scikit-image could not give its sample image `skimage.data.{function}()` "
            f"({type(exc).__name__}: {exc}); the file ships inside scikit-image, so this "
            f"installation is damaged: reinstall it with "
            f"`pip install --force-reinstall scikit-image`."
        ) from None
    if pixels.dtype != np.uint8:  # all are uint8 today; keep 0..255 if one ever changes
        pixels = skimage.util.img_as_ubyte(pixels)
    return np.asarray(pixels, dtype=np.float64)


def _matplotlib_path(filename: str) -> Path:
    from matplotlib import cbook

    return Path(cbook.get_sample_data(filename, asfileobj=False))


def _read_matplotlib(filename: str) -> np.ndarray:
    path = _matplotlib_path(filename)
    if not path.is_file():
        raise FileNotFoundError(
            f"the sample image file {path} is missing from the installed matplotlib; "
            f"reinstall it with `pip install --force-reinstall matplotlib`."
        )
    with Image.open(path) as im:
        im.load()
        if im.mode not in ("L", "RGB"):
            im = im.convert("RGB")
        return np.asarray(im, dtype=np.float64)


def _shapes_rgb() -> np.ndarray:
    """The 512x512 ``shapes`` pattern, float64 RGB in 0..255 (deterministic: no randomness)."""
    size = 512
    rows, cols = np.mgrid[0:size, 0:size]
    img = np.empty((size, size, 3))
    # Colours chosen so that the gray levels differ too: background ~18, blue ~105,
    # orange ~144, yellow ~202, lines 255.
    img[:] = (16, 16, 32)
    img[48:208, 48:128] = (230, 120, 40)  # tall orange rectangle: long vertical edges
    img[168:224, 152:264] = (50, 110, 220)  # wide blue rectangle: long horizontal edges
    img[(rows - 136) ** 2 + (cols - 376) ** 2 <= 88**2] = (240, 210, 60)  # yellow disk
    for c in range(56, 256, 40):  # lower left: five vertical lines, 3 pixels wide
        img[288:464, c : c + 3] = 255
    for r in range(288, 464, 40):  # lower right: five horizontal lines, 3 pixels wide
        img[r : r + 3, 296:472] = 255
    return img


def _worked_example() -> np.ndarray:
    """7x7 grayscale: a gradient 40..160, with the course's 3x3 patch around (3, 3)."""
    rows, cols = np.mgrid[0:7, 0:7]
    img = 40.0 + 10.0 * (rows + cols)
    img[2:5, 2:5] = WORKED_EXAMPLE_PATCH
    return img


# ---------------------------------------------------------------------------------------
# A student's own image
# ---------------------------------------------------------------------------------------

# What Pillow raises while decoding a damaged file (besides OSError).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, IndexError)


def _open_source(source):
    """Return (what Image.open reads, a label for messages) or raise TypeError/ValueError.

    Every label starts with `source`, so every message names the parameter.
    """
    if isinstance(source, Mapping) and "content" in source:
        # An entry of ipywidgets.FileUpload.value: {"name": ..., "content": memoryview, ...}
        name = source.get("name")
        label = f"`source` (the upload {describe(name)})" if name else "`source` (the upload)"
        data = source["content"]
        if isinstance(data, bytes | bytearray | memoryview):
            return io.BytesIO(bytes(data)), label
        raise TypeError(
            f"`source['content']` must be bytes or a memoryview, as ipywidgets.FileUpload "
            f"gives; got {describe(data)}."
        )
    if isinstance(source, np.ndarray):
        raise TypeError(
            f"`source` must be an image file (a path, bytes or an open binary file); got "
            f"{describe(source)}, which is already pixels: use it directly, e.g. "
            f"`source.astype(float)`."
        )
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return io.BytesIO(data), f"`source` (the given {len(data):,} bytes)"
    if isinstance(source, str | os.PathLike):
        text = os.fspath(source)
        if isinstance(text, bytes):
            text = os.fsdecode(text)
        if text.startswith(("http://", "https://")):
            raise ValueError(
                f"`source` must be a local file; got the web address {describe(text)}. cnnviz "
                f"never downloads: save the image first and pass its path."
            )
        path = check_file(text, "source", fix="Check the name and the current folder.")
        label = f"`source` {shorten(str(path), path=True)!r}"
        try:
            return open(path, "rb"), label  # noqa: SIM115 (closed by load_image)
        except OSError as exc:
            raise ValueError(
                f"{label} cannot be read ({exc.strerror or type(exc).__name__}). Check that "
                f"the file is yours to read, or copy it somewhere else."
            ) from None
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        label = (
            f"`source` (the file {describe(name)})"
            if isinstance(name, str)
            else ("`source` (the given file object)")
        )
        if isinstance(source, io.TextIOBase):
            raise TypeError(
                f"{label} must be opened in binary mode, not as text. "
                f"Open it with `open(path, 'rb')`."
            )
        return source, label
    raise TypeError(
        f"`source` must be a path (str or pathlib.Path), bytes, a memoryview, a binary file "
        f"object or an ipywidgets.FileUpload entry; got {describe(source)}."
    )


def load_image(source, color=False, max_pixels=DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Load a student's own picture (PNG, JPEG, GIF, BMP, WebP, TIFF, ...) as an array.

    The size in the file's header is checked before any pixel is decoded, so a huge
    image is refused at once. Transparent pixels are laid over white (a transparent
    background behind a drawn digit is paper), and a phone photo is turned upright as
    its EXIF orientation says. Only the first frame of an animation is read. Colour
    spaces other than RGB (CMYK, YCbCr, CIELAB, HSV, palettes) are converted to RGB.

    Parameters
    ----------
    source : str, pathlib.Path, bytes, bytearray, memoryview, binary file object or dict
        A path to a file; the file's bytes; an open binary file (it is read, not closed);
        or an entry of ``ipywidgets.FileUpload().value`` (a dict whose ``"content"`` is
        a memoryview), or that ``"content"`` itself.
    color : bool, optional
        ``False`` (default): grayscale, colour turned into luma ``0.299 R + 0.587 G +
        0.114 B``. ``True``: RGB; a grayscale file gives three equal channels.
    max_pixels : int or None, optional
        Refuse images with more pixels than this (default 16 million). ``None``: no
        limit of ours (Pillow still refuses decompression bombs).

    Returns
    -------
    ndarray of float64, shape (H, W) or (H, W, 3)
        Values in 0..255. 16-bit images are scaled by 255 / 65535; a float image
        (mode ``"F"``) with values in 0..1 is scaled by 255, one in 0..255 is kept, and
        any other range is stretched to 0..255.

    Raises
    ------
    TypeError
        For a ``source`` that is not a path, bytes or binary file, or a non-bool ``color``.
    FileNotFoundError
        If the path does not exist (it is a ValueError too).
    ValueError
        If the path is a folder or device, or the data is not an image Pillow can read,
        is truncated or corrupted, hides a decompression bomb, or has more pixels than
        ``max_pixels``.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (3, 2), (255, 0, 0)).save(buffer, format="PNG")
    >>> load_image(buffer.getvalue())
    array([[76.245, 76.245, 76.245],
           [76.245, 76.245, 76.245]])
    >>> load_image(buffer.getvalue(), color=True)[0, 0]
    array([255.,   0.,   0.])
    """
    color = _check_color(color)
    if max_pixels is not None:
        max_pixels = check_int(max_pixels, "max_pixels", minimum=1)
    fp, label = _open_source(source)
    try:
        pixels = _decode(fp, label, max_pixels)
    finally:
        if isinstance(source, str | os.PathLike):
            fp.close()
    if pixels.ndim == 3 and not color:
        return _luma(pixels)
    if pixels.ndim == 2 and color:
        return np.repeat(pixels[:, :, None], 3, axis=2)
    return pixels


_BOMB_FIX = (
    "Save the picture again without its metadata (e.g. export it as PNG from an image "
    "editor), or resize it."
)


def _decode(fp, label, max_pixels) -> np.ndarray:
    """Open, check the size, decode: float64 pixels, or a ValueError starting with label."""
    with warnings.catch_warnings():
        # Our own max_pixels check replaces Pillow's warning for large images.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im = Image.open(fp)
        except Image.DecompressionBombError:
            raise ValueError(
                f"{label} is too large to load safely (a decompression bomb?). "
                f"Resize it, e.g. with `PIL.Image.Image.thumbnail((2000, 2000))`."
            ) from None
        except UnidentifiedImageError:
            raise ValueError(
                f"{label} is not an image Pillow can read ({_FORMATS_HINT}). "
                f"Check that it is a picture file and not, e.g., a notebook or a zip."
            ) from None
        except _DECODE_ERRORS as exc:  # a malformed chunk in the header
            raise _decode_error(label, exc) from None
        with im:
            width, height = im.size
            if max_pixels is not None and width * height > max_pixels:
                raise ValueError(
                    f"{label} is {width}x{height} = {width * height:,} pixels, more than "
                    f"`max_pixels` = {max_pixels:,}. Resize it first (e.g. with "
                    f"`PIL.Image.Image.thumbnail`), or pass a larger `max_pixels`."
                )
            try:
                if _pillow_misreads_ycbcr(im):
                    im = _read_ycbcr_tiff(fp, im)
                im.load()
                ImageOps.exif_transpose(im, in_place=True)
                return _to_float(im, label)
            except Image.DecompressionBombError:
                raise ValueError(
                    f"{label} is too large to load safely (a decompression bomb?). {_BOMB_FIX}"
                ) from None
            except _DECODE_ERRORS as exc:
                if isinstance(exc, ValueError) and str(exc).startswith("`source`"):
                    raise  # our own message (e.g. an unsupported colour mode)
                raise _decode_error(label, exc) from None


#: The functions of Pillow's PNG plugin that refuse oversized compressed text (its
#: MAX_TEXT_CHUNK and MAX_TEXT_MEMORY limits), the same in Pillow 10.0 to 13. They raise a
#: plain ValueError whose wording changed ("Decompressed Data Too Large" in 10.0, "...
#: MAX_TEXT_CHUNK" later), so the guard is recognised by where it raised, not by its words.
_PNG_TEXT_GUARDS = frozenset({"_safe_zlib_decompress", "check_text_memory"})


def _is_png_text_bomb(exc: Exception) -> bool:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    frame = tb.tb_frame
    return (
        isinstance(exc, ValueError)
        and frame.f_globals.get("__name__") == "PIL.PngImagePlugin"
        and frame.f_code.co_name in _PNG_TEXT_GUARDS
    )


def _decode_error(label: str, exc: Exception) -> ValueError:
    text = str(exc)
    if _is_png_text_bomb(exc):
        return ValueError(
            f"{label} hides oversized compressed text in its metadata (a decompression "
            f"bomb?), so it was not read. {_BOMB_FIX}"
        )
    return ValueError(
        f"{label} is truncated or corrupted: Pillow could not decode it "
        f"({type(exc).__name__}: {shorten(text, 60)}). Save or download the picture again."
    )


def _pillow_misreads_ycbcr(im: Image.Image) -> bool:
    """An uncompressed YCbCr TIFF that Pillow before 13 opens as RGB and cannot decode.

    Pillow 10 to 12 map TIFF's PhotometricInterpretation 6 (YCbCr), uncompressed, to RGB
    read as RGBX ("image file is truncated"); Pillow 13 opens it as mode "YCbCr".
    Compressed YCbCr TIFFs go through libtiff, which gives RGB on every version.
    """
    return (
        im.format == "TIFF"
        and im.mode == "RGB"
        and im.info.get("compression") == "raw"
        and getattr(im, "tag_v2", {}).get(262) == 6  # PhotometricInterpretation: YCbCr
    )


def _read_ycbcr_tiff(fp, im: Image.Image) -> Image.Image:
    """The first page of an uncompressed YCbCr TIFF as a Pillow "YCbCr" image, as Pillow 13
    opens it, read by tifffile (scikit-image's TIFF reader); its EXIF orientation kept."""
    import tifffile

    fp.seek(0)
    try:
        with tifffile.TiffFile(fp) as tif:
            page = tif.pages[0]
            if page.shape != (im.height, im.width, 3) or page.dtype != np.uint8:
                raise OSError(f"a YCbCr TIFF page of shape {page.shape} and dtype {page.dtype}")
            pixels = np.ascontiguousarray(page.asarray())
    except tifffile.TiffFileError as exc:
        raise OSError(str(exc)) from None
    out = Image.frombytes("YCbCr", im.size, pixels.tobytes())
    orientation = im.getexif().get(0x0112)  # EXIF Orientation, as exif_transpose reads it
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        out.info["exif"] = exif.tobytes()
    return out


def _has_transparency(im: Image.Image) -> bool:
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return True
    # A tRNS chunk (one transparent colour or palette alphas); ignored for 16-bit/float.
    return "transparency" in im.info and im.mode in ("P", "L", "RGB", "1")


#: Modes Pillow turns into RGB exactly (palettes, padding bytes, the printer's CMYK).
_PILLOW_TO_RGB = ("P", "RGBX", "CMYK")


def _to_float(im: Image.Image, label: str = "`source`") -> np.ndarray:
    """Decoded Pillow image -> float64 (H, W) or (H, W, 3) in 0..255.

    Every mode is handled by name; a mode nobody checked is refused, never guessed.
    """
    mode = im.mode
    if _has_transparency(im):
        gray = mode in ("L", "LA", "La", "1")
        arr = np.asarray(im.convert("LA" if gray else "RGBA"), dtype=np.float64)
        alpha = arr[..., -1:] / 255.0
        # Composite over white paper: transparent pixels become 255.
        out = arr[..., :-1] * alpha + 255.0 * (1.0 - alpha)
        return out[..., 0] if gray else out
    if mode == "L":
        return np.asarray(im, dtype=np.float64)
    if mode == "1":
        return np.asarray(im.convert("L"), dtype=np.float64)
    if mode.startswith("I;16") or mode == "I":
        # 16-bit grayscale (PNG, TIFF). Pillow gives mode "I" for some 16-bit files too,
        # so "I" in 0..65535 is read the same way; a wider range is stretched, as for "F".
        arr = np.asarray(im, dtype=np.float64)
        if mode == "I" and (arr.min() < 0 or arr.max() > 65535):
            return _scale_float(arr, label)
        return arr * (255.0 / 65535.0)
    if mode == "F":
        return _scale_float(np.asarray(im, dtype=np.float64), label)
    if mode == "RGB":
        return np.asarray(im, dtype=np.float64)
    if mode in _COLOUR_SPACES:
        return _COLOUR_SPACES[mode](np.asarray(im))
    if mode in _PILLOW_TO_RGB:
        return np.asarray(im.convert("RGB"), dtype=np.float64)
    raise ValueError(
        f"{label} uses Pillow's colour mode {mode!r}, which cnnviz does not convert. "
        f"Save it as an RGB or grayscale PNG first."
    )


def _ycbcr_to_rgb(arr: np.ndarray) -> np.ndarray:
    """JPEG's full-range YCbCr (JFIF, ITU-R BT.601) -> RGB, in float (no rounding)."""
    y, cb, cr = (arr[..., i].astype(np.float64) for i in range(3))
    cb, cr = cb - 128.0, cr - 128.0
    rgb = np.stack([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb], -1)
    return np.clip(rgb, 0.0, 255.0)


def _lab_to_rgb(arr: np.ndarray) -> np.ndarray:
    """Pillow's 8-bit CIELAB (L* scaled to 0..255, a* and b* signed bytes) -> sRGB."""
    from skimage.color import lab2rgb

    lab = np.empty(arr.shape, dtype=np.float64)
    lab[..., 0] = arr[..., 0].astype(np.float64) * (100.0 / 255.0)
    lab[..., 1:] = np.ascontiguousarray(arr[..., 1:]).view(np.int8)
    with warnings.catch_warnings():  # colours outside sRGB are clipped, as intended
        warnings.simplefilter("ignore", UserWarning)
        return np.clip(lab2rgb(lab) * 255.0, 0.0, 255.0)


def _hsv_to_rgb(arr: np.ndarray) -> np.ndarray:
    """Pillow's 8-bit HSV (hue, saturation and value each 0..255) -> RGB."""
    from skimage.color import hsv2rgb

    return hsv2rgb(arr.astype(np.float64) / 255.0) * 255.0


#: Colour spaces Pillow keeps as they are in the file; converted here, in float.
_COLOUR_SPACES = {"YCbCr": _ycbcr_to_rgb, "LAB": _lab_to_rgb, "HSV": _hsv_to_rgb}


def _scale_float(arr: np.ndarray, label: str = "`source`") -> np.ndarray:
    if not np.isfinite(arr).all():
        raise ValueError(
            f"{label} holds NaN or infinite values (a float TIFF?); it cannot be shown. "
            "Fix the file, e.g. with np.nan_to_num, and save it again."
        )
    low, high = float(arr.min()), float(arr.max())
    if low >= 0.0 and high <= 1.0:
        return arr * 255.0
    if low >= 0.0 and high <= 255.0:
        return arr
    if high == low:
        return np.zeros_like(arr)
    return (arr - low) * (255.0 / (high - low))
