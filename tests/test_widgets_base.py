"""The shared base of the widget families: the number grid both grids of numbers use."""

import numpy as np
import pytest

import cnnviz.widgets as W
from cnnviz.widgets._base import NumberGrid


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
    assert [cell.value for cell in grid.cells[0]] == ["0.0123457", "1/9", "4.5"]
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
