"""The shared base of the widget families: the number grid both grids of numbers use."""

import ipywidgets
import numpy as np
import pytest

import cnnviz.widgets as W
from cnnviz.widgets._base import NumberField, NumberGrid


def test_both_grids_of_numbers_are_one_control():
    editor, sandbox = W.kernel_editor(np.eye(8) * 255, "identity"), W.pooling_sandbox()
    assert isinstance(editor.grid, NumberGrid) and isinstance(sandbox.grid, NumberGrid)
    assert editor.grid.shape == (3, 3) and sandbox.grid.shape == (4, 4)
    assert editor.cells is editor.grid.cells and sandbox.message is sandbox.grid.message


def test_grid_cells_and_message_carry_css_classes():
    grid = NumberGrid(2, 3, "demo", width=40, kept="Kept.")
    assert "cnnviz-demo-cell-1-2" in grid.cells[1][2]._dom_classes
    assert "cnnviz-demo-message" in grid.message._dom_classes
    assert len(grid.children) == 6


def test_grid_keeps_exact_values_behind_rounded_text():
    grid = NumberGrid(1, 3, "demo", width=40, kept="Kept.")
    grid.fill(np.array([[0.0123456789, 1 / 9, 4.5]]))
    assert [cell.value for cell in grid.cells[0]] == ["0.0123", "1/9", "4.5"]
    assert grid.read().tolist() == [[0.0123456789, 1 / 9, 4.5]]
    grid.cells[0][0].value = "0.5"  # a changed text is read as typed
    assert grid.read()[0, 0] == 0.5


def test_sandbox_keeps_exact_values_too():
    sandbox = W.pooling_sandbox(np.full((4, 4), 1 / 3))
    assert sandbox.cells[0][0].value == "1/3"
    assert sandbox.result[0, 0] == 1 / 3


@pytest.mark.parametrize("text", ["__import__('os')", "2 +", "", "1/0"])
def test_grid_names_the_first_bad_field_and_never_evaluates(text):
    grid = NumberGrid(2, 2, "demo", width=40, kept="The picture stays.", bad_colour="#ffcdd2")
    grid.fill(np.zeros((2, 2)))
    grid.cells[1][0].value = text
    assert grid.read() is None
    assert "row 2, column 1" in grid.message.value
    assert "The picture stays." in grid.message.value
    assert grid.cells[1][0].style.background == "#ffcdd2"


def test_grid_on_edit_sees_every_field():
    grid = NumberGrid(2, 2, "demo", width=40, kept="Kept.")
    seen = []
    grid.on_edit(lambda change: seen.append(change["owner"]))
    for row in grid.cells:
        for cell in row:
            cell.value = "7"
    assert len(seen) == 4 and len(set(map(id, seen))) == 4


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-0.0360012, "-0.036"),
        (-0.00449123, "-0.00449"),
        (0.123456, "0.123"),
        (1234.5678, "1230"),
        (-1e-7, "-1e-07"),
        (-0.0, "0"),
        (2.0, "2"),
        (1 / 16, "1/16"),
    ],
)
def test_number_field_shows_three_digits_and_keeps_the_value(value, text):
    """Issue 10, item 7: readable learned values, exact behind the text."""
    field = NumberField()
    field.set_number(value)
    assert field.value == text
    assert field.number("weight") == value
    field.value = text  # typing the same text back keeps the exact value
    assert field.number("weight") == value
    field.value = "x"
    with pytest.raises(ValueError, match=r"weight"):
        field.number("weight")


# --------------------------------------------------------------------------- messages
def _parents(widget, parent=None):
    """(child, parent) for every widget in the tree under ``widget``."""
    yield widget, parent
    for child in getattr(widget, "children", ()):
        yield from _parents(child, widget)


def _message_rows(root):
    return [
        (child, parent)
        for child, parent in _parents(root)
        if any(c.endswith("-message") for c in getattr(child, "_dom_classes", ()))
    ]


@pytest.mark.parametrize(
    "build",
    [
        lambda: W.kernel_editor(np.eye(8) * 255, "identity"),
        lambda: W.pooling_sandbox(),
        lambda: W.pooling_explorer("shapes"),
        lambda: W.output_size_calculator(),
    ],
    ids=["kernel_editor", "pooling_sandbox", "pooling_explorer", "sizes"],
)
def test_messages_take_a_line_of_their_own_and_never_shrink_a_control(build):
    """Issue 10, item 2: a message beside a control squeezed it (the sandbox's 4th column,
    the editor's 3rd column and Weight/Bias, the upload button). A message has a full-width
    line of its own; a row holding one wraps, and its controls keep their size."""
    rows = _message_rows(build())
    assert rows, "every widget has a message"
    for message, parent in rows:
        assert message.layout.flex == "0 0 100%" and message.layout.width == "100%"
        if isinstance(parent, ipywidgets.VBox):
            continue  # a line of its own already
        assert isinstance(parent, ipywidgets.HBox), type(parent)
        assert parent.layout.flex_flow == "row wrap"
        for sibling in parent.children:
            if sibling is message or sibling is getattr(parent, "_description", None):
                continue
            flex = (sibling.layout.flex or "").split()
            # "0 0 auto": never shrinks; "1 1 220px": a text that wraps to its own line
            assert flex and (flex[1] == "0" or flex[2].endswith("px")), (
                f"{type(sibling).__name__} may shrink beside a message: flex {flex}"
            )
