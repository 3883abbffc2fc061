"""Shared argument checks for the public functions of cnnviz.

Every message names the parameter, says what is required, shows what was passed and,
where there is one, the fix. Wrong kind of object -> TypeError; bad value or shape ->
ValueError. Only public functions call these; internal helpers trust their inputs.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "describe",
    "as_float_array",
    "check_finite_result",
    "check_int",
    "check_pair",
    "check_choice",
    "check_number",
    "model_images",
]


def describe(value) -> str:
    """Short, readable description of what was passed, for error messages."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, bool | numbers.Number | str | type(None)):
        return repr(value)
    if isinstance(value, list | tuple):
        try:
            arr = np.asarray(value)
        except Exception:  # ragged or exotic: fall back to the type
            return f"{type(value).__name__} of length {len(value)}"
        if arr.dtype != object:
            return f"{type(value).__name__} of shape {arr.shape}"
        return f"{type(value).__name__} of length {len(value)}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


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
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(
            f"`{name}` must be a rectangular numeric array; got a ragged {type(value).__name__} "
            f"({exc}). Pass e.g. {example}."
        ) from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"`{name}` must be a real numeric array (bool, int or float); got "
            f"{describe(value)}. Pass e.g. {example}."
        )
    if arr.ndim not in ndim:
        wanted = " or ".join(f"{d}-D" for d in ndim)
        raise ValueError(
            f"`{name}` must be {wanted}; got {arr.ndim}-D with shape {arr.shape}. "
            f"Pass e.g. {example}."
        )
    if not allow_empty and arr.size == 0:
        raise ValueError(f"`{name}` must not be empty; got shape {arr.shape}. Pass e.g. {example}.")
    needs_scan = check_finite and arr.dtype.kind == "f"  # bools and integers are always finite
    arr = arr.astype(np.float64, copy=False)
    if needs_scan and not np.isfinite(arr).all():
        raise ValueError(
            f"`{name}` must contain only finite numbers; got {np.isnan(arr).sum()} NaN and "
            f"{np.isinf(arr).sum()} infinite values. Replace them first, e.g. with np.nan_to_num."
        )
    return arr


def check_finite_result(result, name: str):
    """Raise if ``result`` holds NaN or infinity, blaming the input ``name`` it came from.

    NaN and infinity spread through sums and maxima, so a clean result proves that every
    input value that mattered was finite.
    """
    if not np.isfinite(result).all():
        raise ValueError(
            f"`{name}` must contain only finite numbers; it holds NaN or infinite values "
            f"that reach the result. Replace them first, e.g. with np.nan_to_num."
        )
    return result


def check_int(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as a Python int, or raise naming ``name``. Bools are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer; got {describe(value)}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be at most {maximum}; got {value}.")
    return value


def check_pair(value, name: str, *, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints (rows, columns), as Keras accepts for sizes and strides."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        v = check_int(value, name, minimum=minimum)
        return (v, v)
    if isinstance(value, tuple | list) and len(value) == 2:
        return (
            check_int(value[0], f"{name}[0]", minimum=minimum),
            check_int(value[1], f"{name}[1]", minimum=minimum),
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
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))}; got {value!r}.")
    return lowered[value.lower()]


def check_number(value, name: str) -> float:
    """A finite real number (int or float, not bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number; got {describe(value)}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"`{name}` must be finite; got {value}.")
    return value


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
    if not stripped:
        raise ValueError(f"`{name}` is empty: {hint}.")
    if len(stripped) > _MAX_TEXT:
        raise ValueError(f"`{name}` is too long ({len(stripped)} characters): {hint}.")
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError:
        raise ValueError(f"`{name}`: {text!r} is not a number; {hint}.") from None

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
                raise ValueError(f"`{name}`: {text!r} divides by zero; {hint}.")
            return binary[type(node.op)](left, right)
        raise ValueError(f"`{name}`: {text!r} is not a number; {hint}.")

    result = value(tree.body)
    if not np.isfinite(result):
        raise ValueError(f"`{name}`: {text!r} is too large; {hint}.")
    return result
