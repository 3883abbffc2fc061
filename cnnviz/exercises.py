"""Checking the notebooks' exercises: the student sets ``answer = ...``, a cell checks it.

The notebook computes the true answer with cnnviz (so it is never typed into the notebook)
and prints what :func:`check_answer` says. An answer left at ``None`` is "not answered yet",
never an error.
"""

from __future__ import annotations

import numbers

import numpy as np

from cnnviz._validation import check_number, describe

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
    tolerance = check_number(tolerance, "tolerance")
    if answer is None:
        return f"not answered yet: set {name} = ... in the cell above and run it again."
    shown = repr(answer) if isinstance(answer, str) else _short(answer)
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return f'not quite: {name} should be text, in quotes: {name} = "...".'
        if answer.strip().lower() == expected.strip().lower():
            return f"right: {shown} is correct."
        return f"not quite: {shown} is not the answer; have another look."
    if _is_number(expected) or (isinstance(expected, np.ndarray) and expected.ndim == 0):
        if not _is_number(answer) and not (
            isinstance(answer, np.ndarray) and answer.ndim == 0 and answer.dtype.kind in "biuf"
        ):
            return f"not quite: {name} should be a number; got {describe(answer)}."
        if abs(float(answer) - float(expected)) <= tolerance:
            return f"right: {shown} is correct."
        return f"not quite: {shown} is not the value we computed; have another look."
    truth = np.asarray(expected, dtype=np.float64)
    try:
        given = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return f"not quite: {name} should be numbers shaped {truth.shape}; got {describe(answer)}."
    if given.shape != truth.shape:
        return (
            f"not quite: {name} has shape {given.shape}; the expected answer has shape "
            f"{truth.shape}."
        )
    if np.allclose(given, truth, rtol=0, atol=tolerance):
        return f"right: {shown} is correct."
    wrong = int((np.abs(given - truth) > tolerance).sum())
    return f"not quite: {wrong} of {truth.size} numbers differ; have another look."


def _short(value) -> str:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, separator=", ")
    return repr(value) if not _is_number(value) else f"{value:g}"
