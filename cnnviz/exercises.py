"""Checking the notebooks' exercises: the student sets ``answer = ...``, a cell checks it.

The notebook computes the true answer with cnnviz (so it is never typed into the notebook)
and prints what :func:`check_answer` says. An answer left at ``None`` is "not answered yet",
never an error.
"""

from __future__ import annotations

import numbers

import numpy as np

from cnnviz._validation import check_number, describe, shorten

__all__ = ["check_answer"]


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_answer(answer, expected, *, tolerance=1e-6, name="answer"):
    """Say whether ``answer`` is right, without revealing ``expected`` when it is not.

    Parameters
    ----------
    answer : None, number, str, sequence or array
        What the student wrote. ``None`` means not answered yet.
    expected : number, str, sequence or array
        The truth, computed by the notebook.
    tolerance : float, optional
        Largest absolute difference accepted for numbers (element-wise for arrays).
    name : str, optional
        The variable's name, for the messages.

    Returns
    -------
    str
        Starts with ``"not answered yet"``, ``"right"`` or ``"not quite"``, followed by a
        short hint (e.g. that a shape or type differs).

    Examples
    --------
    >>> check_answer(None, 577)
    'not answered yet: set answer = ... in the cell above and run it again.'
    >>> check_answer(577, 577.0)
    'right: 577 is correct.'
    >>> check_answer(576, 577)
    'not quite: 576 is not the value we computed; have another look.'
    >>> check_answer((13, 13), (13, 13))
    'right: (13, 13) is correct.'
    >>> check_answer("Lower", "lower")
    "right: 'Lower' is correct."
    """
    tolerance = check_number(tolerance, "tolerance", minimum=0)
    if not isinstance(name, str):
        raise TypeError(f"`name` must be the variable's name (a string); got {describe(name)}.")
    name = shorten(name, 30)
    if answer is None:
        return f"not answered yet: set {name} = ... in the cell above and run it again."
    shown = describe(answer) if isinstance(answer, str) else _short(answer)
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return f'not quite: {name} should be text, in quotes: {name} = "...".'
        if answer.strip().lower() == expected.strip().lower():
            return f"right: {shown} is correct."
        return f"not quite: {shown} is not the answer; have another look."
    if isinstance(answer, np.ma.MaskedArray) and np.ma.count_masked(answer):
        return f"not quite: {name} has masked (missing) values; fill them in, e.g. with .filled()."
    if _is_scalar(expected):
        if not _is_scalar(answer):
            return f"not quite: {name} should be a number; got {describe(answer)}."
        if _close(answer, expected, tolerance):
            return f"right: {shown} is correct."
        return f"not quite: {shown} is not the value we computed; have another look."
    truth = np.asarray(expected)
    try:
        given = np.asarray(answer)
        # Complex answers keep their imaginary part: a + bj never equals a + cj.
        kind = np.complex128 if "c" in (given.dtype.kind, truth.dtype.kind) else np.float64
        given, truth = given.astype(kind), truth.astype(kind)
    except (TypeError, ValueError, OverflowError):
        return (
            f"not quite: {name} should be numbers shaped {shorten(np.shape(expected))}; got "
            f"{describe(answer)}."
        )
    if given.shape != truth.shape:
        return (
            f"not quite: {name} has shape {shorten(given.shape)}; the expected answer has "
            f"shape {shorten(truth.shape)}."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        off = ~(np.abs(given - truth) <= tolerance)
    if not off.any():
        return f"right: {shown} is correct."
    return f"not quite: {int(off.sum()):,} of {truth.size:,} numbers differ; have another look."


def _is_scalar(value) -> bool:
    """A number (real or complex, not bool), or a 0-d numeric array."""
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "biufc" and value.dtype.kind != "b"
    return isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_)


def _close(answer, expected, tolerance) -> bool:
    """|answer - expected| <= tolerance, exactly for integers, as complex numbers otherwise."""
    a = answer.item() if isinstance(answer, np.ndarray) else answer
    e = expected.item() if isinstance(expected, np.ndarray) else expected
    if isinstance(a, numbers.Integral) and isinstance(e, numbers.Integral):
        return abs(int(a) - int(e)) <= tolerance  # exact: no float rounding for huge ints
    try:
        difference = abs(complex(a) - complex(e))
    except OverflowError:  # an integer beyond float64 against a float: not equal
        return False
    return bool(np.isfinite(difference)) and difference <= tolerance


def _short(value) -> str:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return describe(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, np.ndarray):
        return shorten(np.array2string(value, precision=4, separator=", ", threshold=20))
    if _is_number(value):
        return f"{value:g}"
    try:
        return shorten(repr(value))
    except ValueError:  # a repr with an integer too long to print
        return describe(value)
