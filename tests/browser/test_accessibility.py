"""Accessibility in a real browser: axe-core (WCAG 2.0/2.1, A and AA) on every notebook's
outputs after running all cells.

A violation inside what cnnviz renders fails the test; violations that belong to JupyterLab or
ipywidgets (``a11y.THIRD_PARTY``) are only reported. Every run writes its report to
test-artifacts/a11y/.
"""

from __future__ import annotations

import a11y
import browser_helpers as ui
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NOTEBOOKS = [
    "01_what_a_filter_does",
    "02_pooling",
    "03_sizes_channels_parameters",
    "04_why_cnns",
    "05_inside_a_trained_cnn",
    "06_your_own_digit",
]


def check_outputs(page, report_name: str) -> None:
    result = a11y.run_axe(page)
    report = a11y.write_report(report_name, result)
    ours = [v for v in result["violations"] if v["origin"] == "cnnviz"]
    assert not ours, (
        f"{len(ours)} WCAG 2.1 A/AA violations in cnnviz's outputs "
        f"{a11y.summary(ours)} (report: {report}):\n{a11y.describe(ours)}"
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_axe_in_jupyterlab(page, steps, jupyter_server, name):
    ui.open_notebook(page, jupyter_server.lab_url(f"notebooks/{name}.ipynb"))
    ui.wait_for_kernel_idle(page)
    ui.run_all_cells(page)
    steps.shot("ran-all-cells")
    errors = ui.error_outputs(page)
    assert not errors, "error output in the notebook:\n\n" + "\n\n".join(errors)
    check_outputs(page, f"lab-{name}")
