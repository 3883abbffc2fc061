"""The shared argument checks: what they accept, and the messages they give."""

import numpy as np
import pytest

from cnnviz._validation import (
    as_float_array,
    check_choice,
    check_finite_result,
    check_int,
    check_number,
    check_pair,
    describe,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1", -1.0),
        ("0.5", 0.5),
        ("1/9", 1 / 9),
        (" 2*-0.25 ", -0.5),
        ("(1 + 2) / 4", 0.75),
        ("+3", 3.0),
        ("1e-3", 0.001),
        ("−2", -2.0),  # the minus sign a word processor pastes
        ("4 × 0.5", 2.0),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_parse_number_accepts_numbers_and_simple_arithmetic(text, expected):
    assert parse_number(text, "cell") == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "`cell` is empty"),
        ("   ", "`cell` is empty"),
        ("1/", "'1/' is not a number"),
        ("abc", "'abc' is not a number"),
        ("2**100", "is not a number"),  # powers can build huge numbers: refused
        ("True", "is not a number"),
        ("[1]", "is not a number"),
        ("'1'", "is not a number"),
        ("1j", "is not a number"),
        ("1/0", "divides by zero"),
        ("1e308*10", "too large"),
        ("9" * 41, "too long"),
    ],
)
def test_parse_number_refuses_anything_else_with_a_hint(text, match):
    with pytest.raises(ValueError, match=match) as info:
        parse_number(text, "cell")
    assert "1/9" in str(info.value)  # the message shows what to type instead


def test_parse_number_never_evaluates_code(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    monkeypatch.chdir(tmp_path)
    attack = f"__import__('pathlib').Path('{marker.name}').touch()"
    with pytest.raises(ValueError, match="too long|is not a number"):
        parse_number(attack, "cell")
    with pytest.raises(ValueError, match="is not a number"):
        parse_number("__import__('os')", "cell")
    assert not marker.exists()


@pytest.mark.parametrize("value", [None, [1], True, object()])
def test_parse_number_wrong_type(value):
    with pytest.raises(TypeError, match="`cell` must be text or a number"):
        parse_number(value, "cell")


def test_as_float_array_converts_integers_without_overflow():
    image = np.array([[200, 255]], dtype=np.uint8)
    out = as_float_array(image, "image", (2,), example="x")
    assert out.dtype == np.float64
    assert (out * -4).tolist() == [[-800.0, -1020.0]]  # uint8 arithmetic would wrap or raise


def test_as_float_array_accepts_bool_and_nested_lists():
    assert as_float_array([[True, False]], "image", (2,), example="x").tolist() == [[1.0, 0.0]]


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ("brick", TypeError, r"`image` must be a numeric array; got 'brick'\. Pass e\.g\. X"),
        (None, TypeError, "got None"),
        (np.array([["a"]]), TypeError, "real numeric array"),
        (np.array([[1 + 2j]]), TypeError, "complex128"),
        ([[1, 2], [3]], ValueError, "ragged"),
        (np.zeros(3), ValueError, r"must be 2-D; got 1-D with shape \(3,\)"),
        (np.zeros((0, 3)), ValueError, "must not be empty"),
        (np.array([[np.nan, np.inf]]), ValueError, "1 NaN and 1 infinite"),
    ],
)
def test_as_float_array_errors_name_the_parameter_and_what_was_passed(value, error, match):
    with pytest.raises(error, match=match):
        as_float_array(value, "image", (2,), example="X")


def test_check_int():
    assert check_int(np.int64(3), "size") == 3
    with pytest.raises(TypeError, match="`size` must be an integer; got 2.5"):
        check_int(2.5, "size")
    with pytest.raises(TypeError, match="got True"):
        check_int(True, "size")
    with pytest.raises(ValueError, match="`size` must be at least 1; got 0"):
        check_int(0, "size", minimum=1)
    with pytest.raises(ValueError, match="`size` must be at most 5; got 6"):
        check_int(6, "size", maximum=5)


def test_check_pair():
    assert check_pair(2, "stride") == (2, 2)
    assert check_pair((1, 3), "stride") == (1, 3)
    with pytest.raises(ValueError, match=r"`stride\[1\]` must be at least 1; got 0"):
        check_pair((1, 0), "stride")
    with pytest.raises(TypeError, match="pair of integers"):
        check_pair((1, 2, 3), "stride")


def test_check_choice_is_case_insensitive_and_lists_the_choices():
    assert check_choice("SAME", "padding", ("valid", "same")) == "same"
    with pytest.raises(ValueError, match="`padding` must be one of 'valid', 'same'; got 'full'"):
        check_choice("full", "padding", ("valid", "same"))
    with pytest.raises(TypeError, match="got 1"):
        check_choice(1, "padding", ("valid", "same"))


def test_check_number():
    assert check_number(np.float32(0.5), "bias") == 0.5
    with pytest.raises(TypeError, match="`bias` must be a real number; got '1'"):
        check_number("1", "bias")
    with pytest.raises(ValueError, match="`bias` must be finite; got nan"):
        check_number(float("nan"), "bias")


def test_describe_is_short_and_informative():
    assert describe(np.zeros((2, 3), np.uint8)) == "array of shape (2, 3) and dtype uint8"
    assert describe([[1, 2]]) == "list of shape (1, 2)"
    assert describe("x") == "'x'"
    assert len(describe(object())) < 80


def test_check_finite_result_blames_the_input():
    assert check_finite_result(np.ones(3), "image").tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="`image` must contain only finite numbers"):
        check_finite_result(np.array([1.0, np.nan]), "image")


def test_as_float_array_can_leave_the_finite_scan_to_the_caller():
    out = as_float_array([[np.nan]], "image", (2,), example="x", check_finite=False)
    assert np.isnan(out).all()


def test_pooling_rejects_non_finite_values_that_reach_the_result():
    from cnnviz import avg_pool, max_pool

    with pytest.raises(ValueError, match="finite"):
        max_pool([[1.0, np.inf], [0.0, 0.0]])
    with pytest.raises(ValueError, match="finite"):
        avg_pool([[1.0, -np.inf], [0.0, 0.0]])
    # A -inf that loses every maximum does not change the result, so it is not an error.
    assert max_pool([[1.0, -np.inf], [0.0, 0.0]]).tolist() == [[1.0]]
