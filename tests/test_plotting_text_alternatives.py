"""Text alternatives of figures: what they say, and that IPython shows every figure with one."""

import base64
import html
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnviz import plotting
from cnnviz.plotting import text_alternatives as ta


def test_describe_values_counts_the_negative_share():
    values = np.array([[-3.0, -1.0, 0.0, 2.0], [5.0, 7.0, 9.0, 11.0]])
    assert ta.describe_values(values) == "2x4, values -3 to 11"
    # 2 of 8 pixels are negative
    assert ta.describe_values(values, negative="black") == (
        "2x4, values -3 to 11, 25% negative shown black"
    )
    assert ta.describe_values(np.zeros((5, 6, 3))) == "5x6 colour picture"
    assert ta.describe_values([[0.25, 0.5]]) == "1x2, values 0.25 to 0.5"
    assert ta.describe_values(np.full((2, 2), np.nan)) == "2x2"


def test_describe_figure_gives_sizes_ranges_and_what_the_colours_mean():
    fig = Figure()
    left, right = fig.subplots(1, 2)
    left.imshow(np.arange(12.0).reshape(3, 4), cmap="gray", vmin=0, vmax=255)
    left.set_title("input")
    right.imshow(np.array([[-4.0, 0.0], [1.0, 2.0]]), cmap="RdBu_r", vmin=-4, vmax=4)
    right.set_title("signed")
    fig.suptitle("two pictures")
    text = ta.describe_figure(fig)
    assert text.startswith(
        "Figure: two pictures, 2 panels. (1) input: a 3x4 picture, values 0 to 11"
    )
    assert "black for 0 and below, white for 255 and above" in text
    # RdBu_r: blue below, red above, white at 0: the colours that carry the sign are named
    assert "(2) signed: a 2x2 picture, values -4 to 2" in text
    assert re.search(r"blue for -4 and below, [a-z ]*red for 4 and above, white for 0", text)


def test_describe_figure_reads_numbers_bars_and_curves():
    fig = Figure()
    ax = fig.subplots()
    ax.bar(["0", "1", "2"], [0.1, 0.7, 0.2])
    ax.set_ylabel("probability")
    assert ta.describe_figure(fig) == "Figure: bars: 0 0.1, 1 0.7, 2 0.2; y axis probability."

    fig = Figure()
    ax = fig.subplots()
    ax.plot([1, 2, 3], [0.5, 0.75, 0.875], label="train")
    ax.plot(np.arange(20), np.linspace(1, 0, 20), label="loss")
    ax.axhline(0.5)  # an unlabelled guide line adds nothing
    ax.text(0, 0, "42")
    ax.set_xlabel("epoch")
    text = ta.describe_figure(fig)
    assert text == (
        "Figure: train: 0.5, 0.75, 0.875 (x 1 to 3); loss: 20 points, from 1 to 0, lowest 0, "
        "highest 1; written on it: 42; x axis epoch."
    )


def test_many_panels_are_summarised_and_colour_bars_skipped():
    fig = Figure()
    axes = fig.subplots(4, 8)
    for i, ax in enumerate(axes.flat):
        image = ax.imshow(np.full((3, 3), float(i)), cmap="gray", vmin=0, vmax=31)
        ax.set_title(f"#{i}")
    fig.colorbar(image, ax=axes[0, 0])
    text = ta.describe_figure(fig)
    assert text.startswith("Figure, 32 panels, each a 3x3 picture, values 0 to 31 overall")
    assert "Titles: #0, #1, #2" in text and "#24" not in text
    assert len(text) <= ta.MAX_LENGTH


def test_set_alt_text_wins_and_is_checked():
    fig = Figure()
    fig.subplots().imshow(np.eye(2))
    assert ta.set_alt_text(fig, "the identity") is fig
    assert ta.alt_text(fig) == "the identity"
    with pytest.raises(TypeError, match="`text` must be a str; got int"):
        ta.set_alt_text(fig, 5)


def test_long_descriptions_are_cut():
    fig = Figure()
    ax = fig.subplots()
    for i in range(40):
        ax.plot(np.arange(30), np.arange(30) * i, label=f"a rather long curve name number {i}")
    text = ta.describe_figure(fig)
    assert len(text) == ta.MAX_LENGTH and text.endswith("...")


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats

    shell = InteractiveShell.instance()
    select_figure_formats(shell, {"png"})  # what the inline backend sets up
    yield shell
    ta.disable(shell)
    InteractiveShell.clear_instance()


def test_ipython_shows_figures_with_an_img_alt(shell):
    assert ta.enable(shell)
    fig, ax = plt.subplots()
    try:
        ax.imshow(np.array([[0.0, 255.0], [64.0, 128.0]]), cmap="gray", vmin=0, vmax=255)
        data, metadata = shell.display_formatter.format(fig)
    finally:
        plt.close(fig)
    expected = ta.alt_text(fig)
    assert "2x2 picture, values 0 to 255" in expected
    # The HTML image carries the text and the same PNG the plain image output has.
    img = r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)">'
    match = re.fullmatch(img, data["text/html"])
    assert match, data["text/html"][:200]
    png = data["image/png"]
    png = base64.b64decode(png) if isinstance(png, str) else png
    assert png.startswith(b"\x89PNG") and base64.b64decode(match.group(1)) == png
    assert html.unescape(match.group(2)) == expected
    assert metadata["image/png"]["alt"] == expected
    assert data["text/plain"] == expected


def test_figures_shown_without_text_when_disabled_or_png_is_off(shell):
    fig, ax = plt.subplots()
    try:
        ax.plot([1, 2, 3])
        ta.enable(shell)
        ta.disable(shell)
        data, _ = shell.display_formatter.format(fig)
        assert "text/html" not in data and "image/png" in data
        # SVG figures (PNG switched off): IPython's own way, never an error
        from IPython.core.pylabtools import select_figure_formats

        ta.enable(shell)
        select_figure_formats(shell, {"svg"})
        data, _ = shell.display_formatter.format(fig)
        assert "image/svg+xml" in data and "text/html" not in data
    finally:
        plt.close(fig)


def test_plotting_enables_text_alternatives_on_import():
    # Outside IPython the import must not fail and must change nothing.
    assert plotting.text_alternatives.enable() is False
