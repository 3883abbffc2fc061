"""check_answer: the exercise checker of the notebooks."""

import numpy as np
import pytest

from cnnviz.exercises import check_answer


def test_unanswered_is_not_an_error():
    assert check_answer(None, 577).startswith("not answered yet")
    assert "answer_2 = ..." in check_answer(None, (1, 2), name="answer_2")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (577, 577.0),
        (577.0000001, 577),
        (np.float64(4.5), 4.5),
        (np.int64(3), 3),
        ((13, 13), (13, 13)),
        ([[4, 2], [2, 8]], np.array([[4.0, 2.0], [2.0, 8.0]])),
        (" Lower ", "lower"),
    ],
)
def test_right_answers(answer, expected):
    assert check_answer(answer, expected).startswith("right")


@pytest.mark.parametrize(
    ("answer", "expected", "hint"),
    [
        (576, 577, "not the value we computed"),
        ("577", 577, "should be a number"),
        (True, 1, "should be a number"),
        ((13, 14), (13, 13), "1 of 2 numbers differ"),
        ([1, 2, 3], (13, 13), "has shape (3,); the expected answer has shape (2,)"),
        (["a", "b"], (13, 13), "should be numbers shaped (2,)"),
        ("higher", "lower", "not the answer"),
        (3, "lower", "should be text"),
    ],
)
def test_wrong_answers_get_a_hint_but_not_the_truth(answer, expected, hint):
    message = check_answer(answer, expected)
    assert message.startswith("not quite")
    assert hint in message
    assert str(expected) not in message.replace(repr(answer), "")  # truth never given away


def test_large_whole_numbers_are_shown_in_full():
    assert check_answer(3125824, 3125824) == "right: 3125824 is correct."
    assert check_answer(3125824.0, 3125824) == "right: 3125824 is correct."


def test_tolerance():
    assert check_answer(0.44, 0.4412, tolerance=0.01).startswith("right")
    assert check_answer(0.40, 0.4412, tolerance=0.01).startswith("not quite")


def test_errors():
    with pytest.raises(TypeError, match="`tolerance` must be a real number"):
        check_answer(1, 1, tolerance="small")
