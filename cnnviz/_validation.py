"""Shared argument checks for the public functions of cnnviz.

Every message names the parameter, says what is required, shows what was passed and,
where there is one, the fix. Wrong kind of object -> TypeError; bad value or shape ->
ValueError. Only public functions call these; internal helpers trust their inputs.
"""

from __future__ import annotations

import numbers
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "MAX_ELEMENTS",
    "MAX_LENGTH",
    "MESSAGE_LIMIT",
    "shorten",
    "describe",
    "check_elements",
    "check_depth",
    "check_file",
    "MissingFileError",
    "overflow_error",
    "as_float_array",
    "check_finite_result",
    "check_int",
    "check_pair",
    "check_choice",
    "check_number",
    "model_images",
]


#: Most values an array that cnnviz creates from an argument may hold: 50 million (400 MB as
#: float64). A size, padding or header that asks for more is refused with a ValueError that
#: says so, before anything is allocated (instead of a MemoryError after a long wait).
MAX_ELEMENTS = 50_000_000
#: Largest side length, padding or stride the size arithmetic accepts (a billion pixels).
MAX_LENGTH = 1_000_000_000
#: Every message cnnviz writes fits in about this many characters.
MESSAGE_LIMIT = 300
#: What a message shows of one argument, at most.
_SHOWN = 60
#: Most dimensions a NumPy array has in NumPy 1 (NumPy 2: 64). Nested lists deeper than this
#: are refused before NumPy sees them, with the same message on every supported NumPy.
_MAX_DEPTH = 32


def shorten(text: str, limit: int = _SHOWN, *, path: bool = False) -> str:
    """``text`` cut to at most ``limit`` characters, keeping its start and end.

    ``path=True`` keeps the end only (the file name is what a reader needs).

    Examples
    --------
    >>> shorten("x" * 100, 20)
    'xxxxxxxxxx ... xxxxx'
    >>> shorten("short")
    'short'
    >>> shorten("/very/long/folder/name/and/more/digits.png", 20, path=True)
    '...more/digits.png'
    """
    text = str(text)
    if len(text) <= limit:
        return text
    if path:
        return "..." + text[-(limit - 3) :]
    tail = max((limit - 5) // 3, 1)
    return f"{text[: limit - 5 - tail]} ... {text[-tail:]}"


def _int_text(value: int) -> str:
    if abs(value) < 10**24:
        return str(value)
    digits = int(abs(value).bit_length() * 0.30103) + 1  # no str(): huge ints refuse it
    return f"an integer of about {digits} digits"


def describe(value) -> str:
    """Short, readable description of what was passed, for error messages (<= ~80 chars).

    Examples
    --------
    >>> describe(np.zeros((2, 3), np.uint8))
    'array of shape (2, 3) and dtype uint8'
    >>> describe(10**400)
    'an integer of about 401 digits'
    >>> describe("a" * 1000)
    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ... aaaaaaaaaaaaaaaaa' (1000 characters)"
    """
    if isinstance(value, np.ndarray):
        kind = "masked array" if isinstance(value, np.ma.MaskedArray) else "array"
        return f"{kind} of shape {shorten(value.shape)} and dtype {value.dtype}"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        return _int_text(int(value))
    if isinstance(value, str):
        text = repr(value)  # escapes (e.g. \U0001f600) can make it 10 times the length
        if len(text) <= _SHOWN + 2:
            return text
        return f"{shorten(text)} ({len(value)} characters)"
    if isinstance(value, bool | numbers.Number | type(None)):
        return shorten(repr(value))
    if isinstance(value, list | tuple):
        try:
            arr = np.asarray(value)
        except Exception:  # ragged or exotic: fall back to the type
            return f"{type(value).__name__} of length {len(value)}"
        if arr.dtype != object:
            return f"{type(value).__name__} of shape {shorten(arr.shape)}"
        return f"{type(value).__name__} of length {len(value)}"
    try:
        text = repr(value)
    except Exception:  # a repr that raises (huge ints inside, broken objects)
        text = "?"
    return f"{type(value).__name__} {shorten(text, 50)}"


def check_elements(count: int, name: str, what: str, fix: str) -> int:
    """Refuse to create an array of ``count`` values when that exceeds :data:`MAX_ELEMENTS`.

    ``what`` says what would be created (e.g. "a 2000003x2000003 padded image"), ``fix``
    how to stay below the limit. Exact integer arithmetic: no float, no overflow.
    """
    if count > MAX_ELEMENTS:
        raise ValueError(
            f"`{name}` would make {what} with {_count_text(count)} values; cnnviz makes at most "
            f"{MAX_ELEMENTS:,}. {fix}"
        )
    return count


def _count_text(count: int) -> str:
    return f"{count:,}" if count < 10**15 else f"{count:.2e}" if count < 10**300 else "over 1e300"


def overflow_error(names: str, fix: str = "Use smaller numbers.") -> ValueError:
    """The error for finite inputs whose result is too large for float64 (about 1.8e308)."""
    return ValueError(
        f"{names} are finite but so large that the result overflows (float64 ends near "
        f"1.8e308). {fix}"
    )


def check_depth(value, name: str, wanted: str, example: str) -> None:
    """Refuse nested lists or tuples deeper than any NumPy array (32 dimensions in NumPy 1).

    Only the first element at each level is followed (at most 33 steps), so this is cheap;
    NumPy itself reports such input with its own words, differently in NumPy 1 and 2.

    Examples
    --------
    >>> deep = 1.0
    >>> for _ in range(40):
    ...     deep = [deep]
    >>> check_depth(deep, "image", "2-D or 3-D", "np.ones((4, 4))")
    Traceback (most recent call last):
    ...
    ValueError: `image` must be 2-D or 3-D; got a list nested more than 32 levels deep. Pass e.g. np.ones((4, 4)).
    """  # noqa: E501
    depth, item = 0, value
    while isinstance(item, list | tuple) and len(item) and depth <= _MAX_DEPTH:
        depth, item = depth + 1, item[0]
    if isinstance(item, np.ndarray):
        depth += item.ndim
    if depth > _MAX_DEPTH:
        raise ValueError(
            f"`{name}` must be {wanted}; got a {type(value).__name__} nested more than "
            f"{_MAX_DEPTH} levels deep. Pass e.g. {example}."
        )


def as_float_array(
    value, name: str, ndim: Sequence[int], *, example: str, allow_empty=False, check_finite=True
):
    """Convert ``value`` to a float64 array of one of the allowed dimensions.

    Accepts anything NumPy reads as a real numeric array (bool, integer, float, nested
    lists). Rejects strings, objects, complex numbers, NaN and infinity. Integer input is
    converted before any arithmetic, so uint8 images never overflow or wrap.

    ``check_finite=False`` leaves the NaN/infinity scan to the caller, who can run
    :func:`check_finite_result` on a smaller result instead (the scan of a whole 512x512
    image costs as much as a 2x2 max pooling of it).
    """
    if isinstance(value, str | bytes) or value is None:
        raise TypeError(
            f"`{name}` must be a numeric array; got {describe(value)}. Pass e.g. {example}."
        )
    if isinstance(value, np.ma.MaskedArray) and np.ma.count_masked(value):
        raise ValueError(
            f"`{name}` is a masked array with {np.ma.count_masked(value):,} masked values; "
            f"cnnviz does not skip masked values. Fill them first, e.g. `{name}.filled(0)`."
        )
    wanted = " or ".join(f"{d}-D" for d in ndim)
    check_depth(value, name, wanted, example)
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError, OverflowError) as exc:  # ragged nested lists
        raise ValueError(
            f"`{name}` must be a rectangular numeric array; got a ragged "
            f"{type(value).__name__} ({shorten(exc, 80)}). Pass e.g. {example}."
        ) from None
    if arr.dtype == object:
        arr = _python_numbers(arr, value, name, example)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"`{name}` must be a real numeric array (bool, int or float); got "
            f"{describe(value)}. Pass e.g. {example}."
        )
    if arr.ndim not in ndim:
        raise ValueError(
            f"`{name}` must be {wanted}; got {arr.ndim}-D with shape {shorten(arr.shape)}. "
            f"Pass e.g. {example}."
        )
    if not allow_empty and arr.size == 0:
        raise ValueError(
            f"`{name}` must not be empty; got shape {shorten(arr.shape)}. Pass e.g. {example}."
        )
    # float64 holds every bool, integer and float32; only wider floats can overflow here.
    needs_scan = check_finite or arr.dtype.itemsize > 8
    original = arr
    with np.errstate(over="ignore"):
        arr = arr.astype(np.float64, copy=False)
    if needs_scan and arr.dtype.kind == "f" and original.dtype.kind == "f":
        if not np.isfinite(arr).all():
            nan, inf = int(np.isnan(original).sum()), int(np.isinf(original).sum())
            if not nan and not inf:
                raise ValueError(
                    f"`{name}` holds values beyond float64's range (about 1.8e308); got "
                    f"dtype {original.dtype}. Scale them down first."
                )
            if check_finite:
                raise ValueError(
                    f"`{name}` must contain only finite numbers; got {nan:,} NaN and "
                    f"{inf:,} infinite values. Replace them first, e.g. with np.nan_to_num."
                )
    return arr


def _python_numbers(arr, value, name, example):
    """An object array of Python numbers (e.g. ints beyond int64) as float64, or raise."""
    flat = arr.ravel()
    if flat.size > MAX_ELEMENTS or not all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) for v in flat
    ):
        raise TypeError(
            f"`{name}` must be a real numeric array (bool, int or float); got "
            f"{describe(value)}. Pass e.g. {example}."
        )
    try:
        return np.array([float(v) for v in flat], dtype=np.float64).reshape(arr.shape)
    except OverflowError:
        raise ValueError(
            f"`{name}` holds an integer too large for float64 (beyond about 1.8e308). "
            f"Use smaller numbers."
        ) from None


def check_finite_result(result, name: str, *, source=None, overflow: str | None = None):
    """Raise if ``result`` holds NaN or infinity, blaming the input ``name`` it came from.

    NaN and infinity spread through sums and maxima, so a clean result proves that every
    input value that mattered was finite. When ``source`` (the input) is given and is
    finite, or ``overflow`` says the inputs were already checked, the non-finite result
    came from finite numbers too large to sum: that is reported as an overflow, naming
    ``overflow`` (default: ``name``).
    """
    if np.isfinite(result).all():
        return result
    if overflow is not None or (source is not None and np.isfinite(source).all()):
        raise overflow_error(
            f"`{name}` values" if overflow is None else overflow,
            "Scale them down first, e.g. divide by 1e6.",
        )
    raise ValueError(
        f"`{name}` must contain only finite numbers; it holds NaN or infinite values "
        f"that reach the result. Replace them first, e.g. with np.nan_to_num."
    )


class MissingFileError(FileNotFoundError, ValueError):
    """A path that names no file: a FileNotFoundError that is also a ValueError (a bad value)."""


def check_file(
    path, name: str, *, what: str = "file", fix: str = "Check the name and folder."
) -> Path:
    """``path`` as a Path to an existing regular file, or a short error naming ``name``.

    TypeError for something that is not a path; :class:`MissingFileError` for a missing
    file; ValueError for a folder, a device, a name too long for the system, or a file the
    system will not let us look at. The path is shown shortened, keeping its end.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"`{name}` must be a {what} path (str or pathlib.Path); got {describe(path)}."
        )
    try:
        text = os.fspath(path)
        if isinstance(text, bytes):
            text = os.fsdecode(text)
        resolved = Path(text).expanduser()
        info = resolved.stat()
    except FileNotFoundError:
        raise MissingFileError(
            f"`{name}`: {shorten(text, path=True)!r} does not exist. {fix}"
        ) from None
    except (OSError, ValueError) as exc:  # too long, embedded NUL, permission, loops
        reason = getattr(exc, "strerror", None) or shorten(exc, 60)
        raise ValueError(
            f"`{name}` {describe(text)} cannot be used as a {what} path ({reason}). {fix}"
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise ValueError(
            f"`{name}` must be a {what}; {shorten(text, path=True)!r} is a folder. {fix}"
        )
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(
            f"`{name}` must be a regular {what}; {shorten(text, path=True)!r} is a device, "
            f"pipe or other special file. {fix}"
        )
    return resolved


def check_int(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as a Python int, or raise naming ``name``. Bools are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer; got {describe(value)}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum:,}; got {describe(value)}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be at most {maximum:,}; got {describe(value)}.")
    return value


def check_pair(value, name: str, *, minimum: int = 1, maximum: int = MAX_LENGTH) -> tuple[int, int]:
    """An int or a pair of ints (rows, columns), as Keras accepts for sizes and strides.

    Sizes above ``maximum`` (default :data:`MAX_LENGTH`) are refused with the limit.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        v = check_int(value, name, minimum=minimum, maximum=maximum)
        return (v, v)
    if isinstance(value, tuple | list) and len(value) == 2:
        return (
            check_int(value[0], f"{name}[0]", minimum=minimum, maximum=maximum),
            check_int(value[1], f"{name}[1]", minimum=minimum, maximum=maximum),
        )
    raise TypeError(
        f"`{name}` must be an integer or a pair of integers (rows, columns); "
        f"got {describe(value)}. Pass e.g. 2 or (2, 2)."
    )


def check_choice(value, name: str, choices: Sequence[str]) -> str:
    """A string from ``choices`` (case-insensitive); returns the canonical spelling."""
    if not isinstance(value, str):
        raise TypeError(
            f"`{name}` must be one of {', '.join(map(repr, choices))}; got {describe(value)}."
        )
    lowered = {c.lower(): c for c in choices}
    if value.lower() not in lowered:
        raise ValueError(
            f"`{name}` must be one of {', '.join(map(repr, choices))}; got {describe(value)}."
        )
    return lowered[value.lower()]


def check_number(value, name: str, *, minimum: float | None = None) -> float:
    """A finite real number (int or float, not bool), at least ``minimum`` if given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number; got {describe(value)}.")
    try:
        number = float(value)
    except OverflowError:  # a Python int beyond float64
        number = float("inf")
    if not np.isfinite(number):
        if isinstance(value, numbers.Integral) or _finite_in_own_type(value):
            raise ValueError(
                f"`{name}` is too large: {describe(value)} is beyond float64's range "
                f"(about 1.8e308). Use a smaller number."
            )
        raise ValueError(f"`{name}` must be finite; got {describe(value)}.")
    if minimum is not None and number < minimum:
        raise ValueError(f"`{name}` must be at least {minimum:g}; got {describe(value)}.")
    return number


def _finite_in_own_type(value) -> bool:
    """Whether a number that float() made infinite was finite before (long double, Fraction)."""
    try:
        return bool(np.isfinite(value))
    except (TypeError, OverflowError):  # exact types (Fraction) are always finite
        return True


_MODEL_IMAGE_EXAMPLE = "the uint8 digits of `cnnviz.data.load_dataset('mnist').x_test[:8]`"


def model_images(images, image_shape=None) -> np.ndarray:
    """Images as a model takes them: float32 (N, H, W, C) in 0..1.

    The one check-and-scale step shared by :func:`cnnviz.models.preprocess` (Keras) and
    :class:`cnnviz.network.Network` (NumPy): integer images 0..255 are divided by 255,
    float images must already be 0..1, bool masks are 0/1, one image becomes a batch of one.

    ``image_shape`` is the (H, W, C) a model takes, or None for grayscale images of any
    size. With one channel, (N, H, W), (N, H, W, 1) and (H, W) are accepted; with C > 1,
    (N, H, W, C) and (H, W, C).
    """
    if isinstance(images, str | bytes) or images is None:
        raise TypeError(f"`images` must be a numeric array; got {describe(images)}.")
    check_depth(images, "images", "a batch of images", _MODEL_IMAGE_EXAMPLE)
    arr = np.asarray(images)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"`images` must be a real numeric array; got {describe(images)}. "
            f"Pass e.g. {_MODEL_IMAGE_EXAMPLE}."
        )
    channels = 1 if image_shape is None else image_shape[2]
    if channels == 1:
        if arr.ndim == 4 and arr.shape[-1] == 1:
            arr = arr[..., 0]
        elif arr.ndim == 2:
            arr = arr[None]
        ok = arr.ndim == 3
        wanted = "grayscale images of shape (N, H, W), (N, H, W, 1) or (H, W)"
    else:
        if arr.ndim == 3:
            arr = arr[None]
        ok = arr.ndim == 4 and arr.shape[-1] == channels
        wanted = (
            f"images with {channels} channels, of shape (N, H, W, {channels}) or (H, W, {channels})"
        )
    if not ok or arr.size == 0:
        raise ValueError(
            f"`images` must be {wanted}; got shape {np.shape(images)}. "
            f"Pass e.g. {_MODEL_IMAGE_EXAMPLE}."
        )
    if image_shape is not None and tuple(arr.shape[1:3]) != tuple(image_shape[:2]):
        rows, cols = image_shape[:2]
        raise ValueError(
            f"`images` must be {rows}x{cols} pixels, the size this model takes (its input is "
            f"{(None, *image_shape)}); got shape {np.shape(images)}. Resize them to "
            f"{rows}x{cols} first (a photo of a digit: `cnnviz.digits.prepare_digit`)."
        )
    if arr.dtype.kind == "b":  # a mask: True is full white
        out = arr.astype(np.float32)
    elif arr.dtype.kind == "f":
        low, high = float(np.min(arr)), float(np.max(arr))
        if not (np.isfinite(low) and np.isfinite(high)) or low < 0 or high > 1:
            raise ValueError(
                f"float `images` must already be scaled to 0..1; got values {low}..{high}. "
                f"Pass the uint8 images (0..255) instead, or divide by 255 first."
            )
        out = arr.astype(np.float32)
    else:
        if arr.min() < 0 or arr.max() > 255:
            raise ValueError(
                f"integer `images` must hold pixel values 0..255; got {arr.min()}..{arr.max()}."
            )
        out = arr.astype(np.float32) / np.float32(255)
    return out[..., None] if channels == 1 else out


_MAX_TEXT = 40


def parse_number(text, name: str) -> float:
    """Parse text typed into a widget as a number: ``-1``, ``0.5``, ``1/9``, ``2*-0.25``.

    Only number literals, unary signs, ``+ - * /`` and parentheses are accepted. The text is
    parsed with :mod:`ast`, never evaluated as code, so ``__import__('os')`` is refused.
    """
    import ast
    import operator

    if not isinstance(text, str):
        if isinstance(text, bool) or not isinstance(text, numbers.Real):
            raise TypeError(f"`{name}` must be text or a number; got {describe(text)}.")
        return check_number(text, name)
    stripped = text.strip().replace("−", "-").replace("×", "*").replace("÷", "/")
    hint = "type a number such as -1, 0.5 or 1/9"
    shown = describe(stripped)
    if not stripped:
        raise ValueError(f"`{name}` is empty: {hint}.")
    if len(stripped) > _MAX_TEXT:
        raise ValueError(f"`{name}` is too long ({len(stripped):,} characters): {hint}.")
    try:  # a plain number, in any script's digits (float() reads "١٢" and "１２" as 12)
        number = float(stripped)
    except ValueError:
        pass
    else:
        if not np.isfinite(number):
            if stripped.lstrip("+-").lower() in ("nan", "inf", "infinity"):
                raise ValueError(f"`{name}`: {shown} is not a finite number; {hint}.")
            raise ValueError(f"`{name}`: {shown} is too large; {hint}.")
        return number
    try:
        tree = ast.parse(stripped, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ValueError(f"`{name}`: {shown} is not a number; {hint}.") from None

    binary = {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
        ast.Div: operator.truediv,
    }
    unary = {ast.UAdd: operator.pos, ast.USub: operator.neg}

    def value(node):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and type(node.op) in unary:
            return unary[type(node.op)](value(node.operand))
        if isinstance(node, ast.BinOp) and type(node.op) in binary:
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise ValueError(f"`{name}`: {shown} divides by zero; {hint}.")
            return binary[type(node.op)](left, right)
        raise ValueError(f"`{name}`: {shown} is not a number; {hint}.")

    try:
        result = value(tree.body)
    except (OverflowError, RecursionError):
        result = float("inf")
    if not np.isfinite(result):
        raise ValueError(f"`{name}`: {shown} is too large; {hint}.")
    return result
