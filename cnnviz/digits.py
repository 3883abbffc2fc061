"""A student's own digit, prepared the way MNIST's digits were: every step kept for display.

MNIST's digits are light ink on a black background; each was size-normalised so that its
longest side is 20 pixels (aspect ratio kept) and then placed in a 28x28 field so that its
centre of mass sits at the centre (LeCun, Bottou, Bengio and Haffner, "Gradient-based
learning applied to document recognition", 1998, and the MNIST page). A photo of a digit
on paper, or one drawn with a mouse, looks nothing like that until it goes through the
same steps. :func:`prepare_digit` does them one by one and keeps each intermediate image
in a :class:`DigitSteps`, so a notebook can show what happened:

1. grayscale (colour turned into luma, as :func:`cnnviz.images.load_image` does);
2. invert if the background is lighter than the ink (decided from the border pixels);
3. levels: the background level becomes 0 and the brightest ink 255;
4. crop to the bounding box of the ink;
5. scale the longest side to 20 pixels, keeping the aspect ratio (the brightest pixel set
   back to 255: shrinking a thin pen line makes it faint);
6. paste into a 28x28 field with the centre of mass at (14, 14) (on the shipped MNIST test
   digits it lies within half a pixel of (14, 14): ``tests/test_digits.py`` checks it);
7. scale to 0..1 float32, what the models take.

Also here: the pure NumPy parts of the digit pad widget, so they can be tested alone: a
thick pen stroke drawn into an array (:func:`draw_stroke`), and the ``.``/``#`` text grid
a student can type a digit into (:func:`parse_grid`, :func:`grid_to_image`,
:func:`image_to_grid`).

Nothing here imports TensorFlow.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cnnviz._validation import (
    MAX_LENGTH,
    as_float_array,
    check_choice,
    check_elements,
    check_int,
    check_number,
    describe,
)

__all__ = [
    "BOX_SIZE",
    "FIELD_SIZE",
    "GRID_SIZE",
    "MIN_STROKE_SPAN",
    "SAMPLE_GRID",
    "DigitSteps",
    "draw_stroke",
    "grid_to_image",
    "image_to_grid",
    "parse_grid",
    "prepare_digit",
    "stroke_span",
]

#: Side of the 28x28 field the models take.
FIELD_SIZE = 28
#: The longest side of a digit after size normalisation, as in MNIST.
BOX_SIZE = 20
#: Rows and columns of the text grid a digit can be typed into.
GRID_SIZE = 14
#: Smallest difference between background and ink (out of 255) that counts as a drawing.
MIN_CONTRAST = 16.0
#: Fewest stroke widths the ink's longest side must span to be a digit (see
#: :func:`stroke_span`): a dot or a blob spans about 1, and every one of the 5,000 MNIST
#: digits shipped with cnnviz spans at least 2 (half of them 5 or more); 1.5 is halfway.
MIN_STROKE_SPAN = 1.5

#: A handwritten-looking 2 in the text grid (``#`` is ink): the digit pad starts with it.
SAMPLE_GRID = "\n".join(
    [
        "..............",
        "....#####.....",
        "...##...##....",
        "..##.....##...",
        ".........##...",
        "........##....",
        ".......##.....",
        "......##......",
        ".....##.......",
        "....##........",
        "...##.........",
        "..##########..",
        "..##########..",
        "..............",
    ]
)

_INK_CHARS = "#Xx@*"
_PAPER_CHARS = ".-_ o0"
_SOURCE_TYPES = (str, os.PathLike, bytes, bytearray, memoryview, Mapping)


@dataclass(frozen=True, eq=False)
class DigitSteps:
    """Every step of :func:`prepare_digit`, for display; ``digit`` is what a model takes.

    All images are float64 with values 0..255 unless said otherwise.

    Attributes
    ----------
    gray : ndarray, shape (H, W)
        The image in grayscale.
    inverted : bool
        Whether the colours were inverted (the background was lighter than the ink).
    oriented : ndarray, shape (H, W)
        Light ink on a dark background: ``255 - gray`` if inverted, else ``gray``.
    background : float
        The background level taken away (the 90th percentile of the border pixels of
        ``oriented``), and ``peak``, float: its brightest value.
    levels : ndarray, shape (H, W)
        ``oriented`` with the background at 0 and the brightest ink at 255.
    box : (int, int, int, int)
        (top, left, bottom, right) of the ink in ``levels``, bottom and right exclusive:
        the pixels above ``threshold`` times 255.
    cropped : ndarray, shape (bottom - top, right - left)
    scaled : ndarray, shape (h, w)
        ``cropped`` resized so that ``max(h, w)`` is 20 (the aspect ratio kept).
    offset : (int, int)
        Where the top-left corner of ``scaled`` was placed in the 28x28 field.
    centre_of_mass : (float, float)
        The centre of mass of ``centred`` (row, column): within half a pixel of (14, 14)
        unless a note says the digit had to be kept inside the field.
    centred : ndarray, shape (28, 28)
        The digit in its 28x28 field, 0..255.
    digit : ndarray of float32, shape (28, 28)
        ``centred / 255``: values 0..1, ready for :func:`cnnviz.models.predict`.
    notes : tuple of str
        Anything worth telling the student (e.g. a digit too close to the border).
    """

    gray: np.ndarray
    inverted: bool
    oriented: np.ndarray
    background: float
    peak: float
    levels: np.ndarray
    box: tuple[int, int, int, int]
    cropped: np.ndarray
    scaled: np.ndarray
    offset: tuple[int, int]
    centre_of_mass: tuple[float, float]
    centred: np.ndarray
    digit: np.ndarray
    notes: tuple[str, ...] = ()

    def pictures(self) -> list[tuple[str, np.ndarray]]:
        """The steps as (title, image 0..255) pairs, in order, for a row of pictures.

        Examples
        --------
        >>> steps = prepare_digit(np.pad(np.full((10, 4), 255.0), 9))
        >>> [title for title, _ in steps.pictures()]  # doctest: +NORMALIZE_WHITESPACE
        ['1. grayscale', '2. not inverted', '3. background to 0', '4. cropped',
         '5. scaled to 20 px', '6. centred in 28x28']
        """
        return [
            ("1. grayscale", self.gray),
            ("2. inverted" if self.inverted else "2. not inverted", self.oriented),
            ("3. background to 0", self.levels),
            ("4. cropped", self.cropped),
            (f"5. scaled to {max(self.scaled.shape)} px", self.scaled),
            (f"6. centred in {self.centred.shape[0]}x{self.centred.shape[1]}", self.centred),
        ]


def _border(image: np.ndarray) -> np.ndarray:
    """The pixels of a ring around the edge, about 5% of the shorter side wide (at least 1)."""
    ring = max(1, min(image.shape) // 20)
    mask = np.ones(image.shape, dtype=bool)
    mask[ring:-ring, ring:-ring] = False
    return image[mask]


def _resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a float image with Pillow: Lanczos to shrink, bilinear to enlarge (no ringing)."""
    from PIL import Image

    rows, cols = shape
    if image.shape == shape:
        return image.copy()
    shrinking = rows * cols < image.shape[0] * image.shape[1]
    resample = Image.Resampling.LANCZOS if shrinking else Image.Resampling.BILINEAR
    picture = Image.fromarray(np.ascontiguousarray(image, dtype=np.float32))  # mode "F"
    out = np.asarray(picture.resize((cols, rows), resample), dtype=np.float64)
    return np.clip(out, 0.0, 255.0)


def _as_gray(image) -> np.ndarray:
    if isinstance(image, _SOURCE_TYPES) or hasattr(image, "read"):
        from cnnviz.images import load_image

        return load_image(image)
    arr = as_float_array(
        image, "image", (2, 3), example="a (H, W) grayscale array with values 0..255"
    )
    if np.asarray(image).dtype == bool:  # a mask: True is full white
        arr = arr * 255.0
    if arr.ndim == 3:
        if arr.shape[2] != 3:
            raise ValueError(
                f"`image` must be grayscale (H, W) or RGB (H, W, 3); got shape {arr.shape}. "
                f"Load a file with `cnnviz.images.load_image(path)`, which lays transparent "
                f"pixels over white paper."
            )
        from cnnviz.images import LUMA_WEIGHTS

        arr = arr @ np.array(LUMA_WEIGHTS)
    if min(arr.shape) < 2:
        raise ValueError(
            f"`image` must be at least 2x2 pixels; got shape {arr.shape}. Pass a picture of "
            f"one digit."
        )
    low, high = float(arr.min()), float(arr.max())
    if low < 0 or high > 255:
        raise ValueError(
            f"`image` must hold pixel values 0..255 (0 black, 255 white); got {low:g}..{high:g}. "
            f"Multiply an image scaled to 0..1 by 255 first."
        )
    return arr


def stroke_span(ink) -> float:
    """How many stroke widths the ink's longest side spans: about 1 for a dot, 5 for a 2.

    A digit is a line drawn with a pen, so its bounding box is several pen widths long; a
    dot, a blob or a single typed ``#`` is about one pen width across whatever its size,
    and enlarging it to 20 pixels makes a disc or a square that a network answers with
    confidence. The stroke width is read from the ink itself: twice the median distance
    from the ridge of the strokes (the pixels farthest from the paper in their
    neighbourhood) to the nearest paper, so a filled loop does not count as one thick
    stroke.

    Parameters
    ----------
    ink : array_like of bool, shape (H, W)
        True where there is ink (at least one pixel).

    Returns
    -------
    float
        ``longest side of the ink's bounding box / stroke width``.

    Examples
    --------
    >>> bar = np.zeros((30, 30), dtype=bool)
    >>> bar[5:25, 13:17] = True  # a "1": 20 pixels long, 4 wide
    >>> stroke_span(bar)
    5.0
    >>> stroke_span(np.ones((4, 4), dtype=bool))  # a square blob
    1.0
    """
    from scipy import ndimage

    mask = np.asarray(ink)
    if mask.dtype != bool or mask.ndim != 2 or not mask.any():
        raise ValueError(
            f"`ink` must be a 2-D bool array with at least one True pixel; got "
            f"{describe(ink)}. Pass e.g. `image > 0.1 * 255`."
        )
    mask = np.pad(mask, 1)  # the paper goes on around the picture
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    side = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    distance = ndimage.distance_transform_edt(mask)
    ridge = mask & (ndimage.maximum_filter(distance, size=3) == distance)
    return float(side / (2.0 * np.median(distance[ridge])))


def prepare_digit(image, *, invert="auto", threshold=0.1) -> DigitSteps:
    """Pre-process one digit like MNIST's: grayscale, invert, crop, 20 px, centre, 0..1.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, 3), or an image file
        Pixel values 0..255 (0 black), e.g. from :func:`cnnviz.images.load_image`, a
        drawing, or a uint8 MNIST digit; a bool mask counts True as white (255). A path,
        bytes or an ``ipywidgets.FileUpload`` entry is loaded with
        :func:`cnnviz.images.load_image` first.
    invert : {"auto", True, False}, optional
        ``"auto"``: invert when the background is lighter than the ink, judged from the
        border pixels (their median is nearer the image's brightest value than its
        darkest). ``True``/``False`` force it.
    threshold : float, optional
        A pixel belongs to the ink (for the crop) when its level is above ``threshold *
        255``; 0.1 keeps the faint anti-aliased edges of MNIST digits inside the box.

    Returns
    -------
    DigitSteps
        ``digit`` (28, 28) float32 in 0..1 is what a model takes; the other fields are the
        intermediate images (see :meth:`DigitSteps.pictures`).

    Raises
    ------
    TypeError
        For something that is not an image.
    ValueError
        For a wrong shape, values outside 0..255, NaN, or an image that is blank (no ink
        stands out from the background); for ink too small or too thin to be a digit (a
        dot, a blob: it spans fewer than :data:`MIN_STROKE_SPAN` stroke widths, see
        :func:`stroke_span`); a file that is not an image, is truncated or is huge (from
        :func:`cnnviz.images.load_image`).

    Examples
    --------
    A dark bar (a "1") on white paper, off-centre:

    >>> paper = np.full((60, 50), 255.0)
    >>> paper[5:45, 6:12] = 0
    >>> steps = prepare_digit(paper)
    >>> steps.inverted, steps.box, steps.scaled.shape, steps.offset
    (True, (5, 6, 45, 12), (20, 3), (5, 13))
    >>> steps.digit.shape, steps.digit.dtype, float(steps.digit.max())
    ((28, 28), dtype('float32'), 1.0)
    """
    from scipy import ndimage

    gray = _as_gray(image)
    if isinstance(invert, str):
        invert = check_choice(invert, "invert", ("auto",))  # "AUTO" means "auto" too
    elif not isinstance(invert, bool):
        raise TypeError(f"`invert` must be 'auto', True or False; got {describe(invert)}.")
    threshold = check_number(threshold, "threshold")
    if not 0 <= threshold < 1:
        raise ValueError(
            f"`threshold` must be at least 0 and below 1 (a fraction of the brightest ink); "
            f"got {threshold:g}. Pass e.g. 0.1."
        )

    low, high = float(gray.min()), float(gray.max())
    if high - low < MIN_CONTRAST:
        # "between 255 and 255" reads oddly: one value is said as one value.
        levels_said = (
            f"every pixel is {low:.0f}"
            if f"{low:.0f}" == f"{high:.0f}"
            else f"every pixel lies between {low:.0f} and {high:.0f}"
        )
        raise ValueError(
            f"`image` looks blank: {levels_said}, so no ink stands out from the background. "
            f"Draw or photograph a digit with more contrast (dark on light or light on dark)."
        )
    notes = []
    if invert == "auto":
        paper = float(np.median(_border(gray)))
        invert = bool(paper - low > high - paper)
    oriented = 255.0 - gray if invert else gray.copy()

    background = float(np.percentile(_border(oriented), 90))
    peak = float(oriented.max())
    if peak - background < MIN_CONTRAST:
        raise ValueError(
            f"`image` looks blank: nothing is brighter than its border (the background, level "
            f"{background:.0f} after {'inverting' if invert else 'no inversion'}). Keep the "
            f"digit away from the edges and draw it with more contrast."
        )
    levels = np.clip((oriented - background) * (255.0 / (peak - background)), 0.0, 255.0)

    ink = levels > threshold * 255.0
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    cropped = levels[top:bottom, left:right]

    height, width = cropped.shape
    longest = max(height, width)
    shape = (
        max(1, round(height * BOX_SIZE / longest)),
        max(1, round(width * BOX_SIZE / longest)),
    )
    scaled = _resize(cropped, shape)
    # Shrinking a thin pen line a hundred times makes it faint: the brightest pixel goes
    # back to 255, as in MNIST. (The crop holds ink, so the maximum is positive.)
    scaled *= 255.0 / scaled.max()
    # Judged at MNIST's own scale (the 20-pixel box), where MNIST's digits were measured.
    span = stroke_span(scaled > threshold * 255.0)
    if span < MIN_STROKE_SPAN:
        raise ValueError(
            f"`image` is too small or too thin to be a digit: its ink is only {span:.1f} "
            f"stroke widths across (a dot or a blob), and every MNIST digit spans at least "
            f"2. Draw the digit larger, filling most of the square."
        )

    centre = FIELD_SIZE / 2
    mass_row, mass_col = ndimage.center_of_mass(scaled)
    wanted = (math.floor(centre - mass_row + 0.5), math.floor(centre - mass_col + 0.5))
    offset = (
        min(max(wanted[0], 0), FIELD_SIZE - shape[0]),
        min(max(wanted[1], 0), FIELD_SIZE - shape[1]),
    )
    if offset != wanted:
        notes.append(
            "the digit's centre of mass is far from the middle of its box; it was moved "
            "only as far as the 28x28 field allows, so no ink is cut off"
        )
    centred = np.zeros((FIELD_SIZE, FIELD_SIZE))
    centred[offset[0] : offset[0] + shape[0], offset[1] : offset[1] + shape[1]] = scaled
    com = ndimage.center_of_mass(centred)
    return DigitSteps(
        gray=gray,
        inverted=invert,
        oriented=oriented,
        background=background,
        peak=peak,
        levels=levels,
        box=(top, left, bottom, right),
        cropped=cropped,
        scaled=scaled,
        offset=offset,
        centre_of_mass=(float(com[0]), float(com[1])),
        centred=centred,
        digit=(centred / 255.0).astype(np.float32),
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- drawing
def draw_stroke(raster, points, radius, value=0.0):
    """Draw a thick pen stroke through ``points`` into ``raster``, in place.

    Every pixel whose centre lies within ``radius`` of the polyline gets ``value``: round
    ends and joints, as a felt pen draws. Only the pixels near each segment are touched,
    so a mouse move costs microseconds.

    Parameters
    ----------
    raster : ndarray, shape (H, W)
        Written into; pixel (r, c) has its centre at x = c + 0.5, y = r + 0.5.
    points : sequence of (x, y)
        Pen positions in pixel units (x to the right, y down, as a canvas reports a
        mouse). One point draws a dot.
    radius : float
        Half the pen's width, in pixels (> 0).
    value : float, optional
        The ink value (0 for black ink on white paper).

    Returns
    -------
    ndarray
        ``raster``.

    Examples
    --------
    >>> paper = np.full((5, 7), 255.0)
    >>> draw_stroke(paper, [(1.5, 2.5), (5.5, 2.5)], radius=0.6)[2].tolist()
    [255.0, 0.0, 0.0, 0.0, 0.0, 0.0, 255.0]
    """
    if (
        not isinstance(raster, np.ndarray)
        or raster.ndim != 2
        or raster.dtype.kind not in "biuf"
        or not raster.flags.writeable
    ):
        raise TypeError(
            f"`raster` must be a 2-D NumPy array of numbers (writeable) to draw into; got "
            f"{describe(raster)}. Pass e.g. `np.full((280, 280), 255.0)`."
        )
    pts = as_float_array(points, "points", (2,), example="[(10, 20), (30, 40)]")
    if pts.shape[1] != 2:
        raise ValueError(f"`points` must be (x, y) pairs, shape (N, 2); got shape {pts.shape}.")
    if np.abs(pts).max() > MAX_LENGTH:
        raise ValueError(
            f"`points` must lie within ±{MAX_LENGTH:,} pixels; got a coordinate of "
            f"{np.abs(pts).max():.3g}. Pass pen positions in the raster's pixels."
        )
    radius = check_number(radius, "radius")
    if not 0 < radius <= MAX_LENGTH:
        raise ValueError(
            f"`radius` must be positive; got {radius:g} (at most {MAX_LENGTH:,}). Pass e.g. 10."
        )
    value = check_number(value, "value")
    if raster.dtype.kind == "b":
        fits = value in (0.0, 1.0)
    elif raster.dtype.kind in "iu":
        fits = value.is_integer() and np.can_cast(np.min_scalar_type(int(value)), raster.dtype)
    else:
        fits = True
    if not fits:
        raise ValueError(
            f"`value` {value:g} does not fit the {raster.dtype} raster: it would be changed "
            f"silently. Pass a value the raster's dtype holds, or a float raster."
        )
    height, width = raster.shape
    starts = pts if len(pts) == 1 else pts[:-1]
    ends = pts if len(pts) == 1 else pts[1:]
    for (x0, y0), (x1, y1) in zip(starts, ends, strict=True):
        r0 = max(int(math.floor(min(y0, y1) - radius)), 0)
        r1 = min(int(math.ceil(max(y0, y1) + radius)) + 1, height)
        c0 = max(int(math.floor(min(x0, x1) - radius)), 0)
        c1 = min(int(math.ceil(max(x0, x1) + radius)) + 1, width)
        if r0 >= r1 or c0 >= c1:
            continue
        ys = np.arange(r0, r1)[:, None] + 0.5
        xs = np.arange(c0, c1)[None, :] + 0.5
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        if length2 == 0:
            t = 0.0
        else:
            t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0.0, 1.0)
        dist2 = (xs - (x0 + t * dx)) ** 2 + (ys - (y0 + t * dy)) ** 2
        window = raster[r0:r1, c0:c1]
        window[dist2 <= radius * radius] = value
    return raster


# --------------------------------------------------------------------------- text grid
def parse_grid(text, size=GRID_SIZE) -> np.ndarray:
    """Read a digit typed as ``size`` lines of ``size`` characters: ``#`` ink, ``.`` paper.

    Ink may also be written ``X``, ``x``, ``@`` or ``*``; paper ``-``, ``_``, ``o``, ``0``
    or a space. Blank lines before and after the grid are ignored, so are spaces at the
    end of a line (a short line is filled with paper).

    Parameters
    ----------
    text : str
    size : int, optional
        Rows and columns of the grid.

    Returns
    -------
    ndarray of bool, shape (size, size)
        True where there is ink.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        For the wrong number of lines, a line too long, or another character; the message
        names the line and column.

    Examples
    --------
    >>> parse_grid("#..\\n.#.\\n..#", size=3).astype(int).tolist()
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a string of '.' and '#'; got {describe(text)}.")
    size = check_int(size, "size", minimum=2, maximum=MAX_LENGTH)
    check_elements(size * size, "size", f"a {size}x{size} grid", "Use e.g. size=14.")
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) != size:
        raise ValueError(
            f"`text`: the grid must have {size} lines of {size} characters; got "
            f"{len(lines):,} lines. Use '#' for ink and '.' for paper."
        )
    grid = np.zeros((size, size), dtype=bool)
    for r, line in enumerate(lines):
        if len(line) > size:
            raise ValueError(
                f"`text`: line {r + 1} of the grid has {len(line):,} characters; at most "
                f"{size} fit. Use '#' for ink and '.' for paper."
            )
        for c, char in enumerate(line):
            if char in _INK_CHARS:
                grid[r, c] = True
            elif char not in _PAPER_CHARS:
                raise ValueError(
                    f"`text`: line {r + 1}, column {c + 1} of the grid is {char!r}; use '#' for "
                    f"ink and '.' for paper."
                )
    return grid


def grid_to_image(grid, size=FIELD_SIZE) -> np.ndarray:
    """A typed ink grid as a picture: each cell a block of pixels, ink white on black.

    Parameters
    ----------
    grid : array_like of bool, shape (n, n)
        From :func:`parse_grid`; ``size`` must be a multiple of ``n``.
    size : int, optional

    Returns
    -------
    ndarray of uint8, shape (size, size)
        255 for ink, 0 for paper (like MNIST).

    Examples
    --------
    >>> grid_to_image([[True, False], [False, False]], size=4).tolist()
    [[255, 255, 0, 0], [255, 255, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    """
    arr = np.asarray(grid)
    if arr.dtype != bool or arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(
            f"`grid` must be a square 2-D bool array (True for ink); got {describe(grid)}. "
            f"Pass e.g. `parse_grid(SAMPLE_GRID)`."
        )
    size = check_int(size, "size", minimum=1, maximum=MAX_LENGTH)
    check_elements(size * size, "size", f"a {size}x{size} picture", "Use e.g. size=28.")
    if size % arr.shape[0]:
        raise ValueError(
            f"`size` must be a multiple of the grid's {arr.shape[0]} rows; got {size}."
        )
    factor = size // arr.shape[0]
    return np.kron(arr, np.ones((factor, factor), dtype=bool)).astype(np.uint8) * 255


def image_to_grid(image, size=GRID_SIZE, threshold=0.35) -> str:
    """Write a light-on-dark digit (e.g. an MNIST one) as a ``size`` x ``size`` text grid.

    Parameters
    ----------
    image : array_like, shape (H, W)
        Values 0..255, ink bright; H and W multiples of ``size`` (a 28x28 digit for 14).
    size : int, optional
    threshold : float, optional
        A cell is ink when its block's mean is above ``threshold * 255``.

    Returns
    -------
    str
        ``size`` lines of ``#`` and ``.``, for :func:`parse_grid`.

    Examples
    --------
    >>> print(image_to_grid(np.kron(np.eye(3), np.ones((2, 2))) * 255, size=3))
    #..
    .#.
    ..#
    """
    arr = as_float_array(image, "image", (2,), example="a 28x28 MNIST digit")
    size = check_int(size, "size", minimum=1, maximum=MAX_LENGTH)
    threshold = check_number(threshold, "threshold")
    rows, cols = arr.shape
    if rows % size or cols % size:
        raise ValueError(
            f"`image` must have rows and columns that are multiples of `size` = {size}; got "
            f"shape {arr.shape}. Pass e.g. a 28x28 digit with size=14."
        )
    blocks = arr.reshape(size, rows // size, size, cols // size).mean(axis=(1, 3))
    return "\n".join("".join("#" if v > threshold * 255 else "." for v in row) for row in blocks)
