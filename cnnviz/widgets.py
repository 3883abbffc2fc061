"""ipywidgets builders for the notebooks.

Every builder returns a widget and leaves ``display`` to the notebook. Each widget keeps the
objects a test (or a curious student) needs as attributes, so it can be driven without a
browser: set ``editor.cells[1][1].value = "5"`` and look at ``editor.result``.

Two rules hold for all of them:

* Bad input never kills a widget: the message appears next to the control and the last good
  picture stays. Typed text is parsed as a number, never evaluated as code.
* Pictures are PNG bytes in an ``ipywidgets.Image`` updated in place (no flicker, no
  matplotlib redraw), so a change shows in a few milliseconds.

Interactive parts carry CSS classes ``cnnviz-<widget>-<part>`` so browser tests can find them.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from cnnviz._validation import (
    as_float_array,
    check_choice,
    check_number,
    describe,
    parse_number,
)
from cnnviz.filters import DISPLAY_MODES, KERNEL_DESCRIPTIONS, KERNELS, apply_filter
from cnnviz.filters import display_transform as _display_transform
from cnnviz.plotting import MODE_CMAPS, array_to_png

__all__ = ["KernelEditor", "kernel_editor"]

#: Shortest side, in screen pixels, that small images (a 28x28 digit) are enlarged to.
PICTURE_MIN_SIZE = 252


# --------------------------------------------------------------------------- plumbing
def _picture(css_class: str, width: str = "100%") -> widgets.Image:
    image = widgets.Image(format="png", layout=widgets.Layout(width=width, max_width="512px"))
    image.add_class(css_class)
    return image


def _message(css_class: str) -> widgets.HTML:
    label = widgets.HTML(value="", layout=widgets.Layout(min_height="1.5em"))
    label.add_class(css_class)
    return label


def _error_html(error: Exception) -> str:
    text = html.escape(str(error)).replace("`", "")
    return f'<span style="color:#b00020">&#9888; {text}</span>'


def _note_html(text: str) -> str:
    return f'<span style="color:#555">{html.escape(text)}</span>'


def _resolve_image(image, name: str) -> tuple[str, np.ndarray]:
    """A sample name or an array -> (label, grayscale float64 image)."""
    from cnnviz.images import load_sample

    if isinstance(image, str):
        return image, load_sample(image)
    arr = as_float_array(image, name, (2, 3), example="'brick' or a (H, W) array")
    if arr.ndim == 3:
        raise ValueError(
            f"`{name}` must be grayscale here, (H, W); got shape {arr.shape}. Pass e.g. "
            f"`cnnviz.images.load_sample('astronaut')` (grayscale by default)."
        )
    return "your image", arr


# --------------------------------------------------------------------------- kernel editor
_CUSTOM = "custom"


class KernelEditor(widgets.VBox):
    """A 3x3 kernel as nine number fields, applied live to an image.

    Built by :func:`kernel_editor`; see there for the parameters. Attributes a notebook or
    a test can use:

    ``cells``
        3x3 list of ``Text`` fields (row, column).
    ``preset``, ``image_menu``, ``mode``, ``padding``, ``weight``, ``bias``
        The other controls.
    ``original``, ``output``
        ``ipywidgets.Image`` pictures of the input and of the filtered result.
    ``message``
        ``HTML`` next to the grid: the error for bad text, else empty.
    ``caption``
        ``HTML`` under the pictures: sizes, value range, what the display mode hides.
    ``kernel``, ``result``
        The last valid kernel (3x3 float array) and its filter result (float64 array).
    """

    def __init__(self, image, kernel, *, images, mode, padding, weight, bias):
        self._busy = False
        self._images = {}
        # Exact values behind the rounded text of each cell (a learned kernel's 0.0123456789
        # shows as 0.0123457): used while the text is unchanged, so nothing is lost.
        self._exact = {}
        self._result_image = None
        label, first = _resolve_image(image, "image")
        self._images[label] = first
        names = list(dict.fromkeys([label, *images]))

        self.preset = widgets.Dropdown(
            options=[*KERNELS, _CUSTOM], description="Preset", layout=widgets.Layout(width="250px")
        )
        self.image_menu = widgets.Dropdown(
            options=names, value=label, description="Image", layout=widgets.Layout(width="250px")
        )
        self.mode = widgets.ToggleButtons(
            options=list(DISPLAY_MODES),
            value=mode,
            description="Display",
            tooltips=list(DISPLAY_MODES.values()),
            style={"button_width": "64px"},
        )
        self.padding = widgets.ToggleButtons(
            options=["valid", "same"],
            value=padding,
            description="Padding",
            style={"button_width": "64px"},
        )
        self.cells = [
            [
                widgets.Text(layout=widgets.Layout(width="64px"), continuous_update=True)
                for _ in range(3)
            ]
            for _ in range(3)
        ]
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                cell.add_class(f"cnnviz-kernel-editor-cell-{r}-{c}")
        self.weight = widgets.Text(
            value=_fmt(weight), description="Weight ×", layout=widgets.Layout(width="160px")
        )
        self.bias = widgets.Text(
            value=_fmt(bias), description="Bias +", layout=widgets.Layout(width="160px")
        )
        self.message = _message("cnnviz-kernel-editor-message")
        self.description = widgets.HTML()
        self.original = _picture("cnnviz-kernel-editor-input")
        self.output = _picture("cnnviz-kernel-editor-output")
        self.caption = widgets.HTML()
        self.kernel = None
        self.result = None
        for control, css in (
            (self.preset, "preset"),
            (self.image_menu, "image"),
            (self.mode, "mode"),
            (self.padding, "padding"),
            (self.weight, "weight"),
            (self.bias, "bias"),
        ):
            control.add_class(f"cnnviz-kernel-editor-{css}")

        grid = widgets.GridBox(
            [cell for row in self.cells for cell in row],
            layout=widgets.Layout(grid_template_columns="repeat(3, 68px)", grid_gap="2px"),
        )
        numbers = widgets.VBox([self.weight, self.bias])
        super().__init__(
            [
                widgets.HBox([self.preset, self.image_menu]),
                widgets.HBox([grid, numbers, widgets.VBox([self.description, self.message])]),
                self.padding,
                self.mode,
                widgets.HBox(
                    [
                        widgets.VBox(
                            [widgets.HTML("<b>Input</b>"), self.original],
                            layout=widgets.Layout(width="50%"),
                        ),
                        widgets.VBox(
                            [widgets.HTML("<b>Filtered</b>"), self.output],
                            layout=widgets.Layout(width="50%"),
                        ),
                    ]
                ),
                self.caption,
            ]
        )
        self.add_class("cnnviz-kernel-editor")

        self.set_kernel(kernel)
        self._show_original()
        for row in self.cells:
            for cell in row:
                cell.observe(self._on_kernel_text, names="value")
        for control in (self.weight, self.bias, self.padding, self.image_menu):
            control.observe(self._on_change, names="value")
        self.preset.observe(self._on_preset, names="value")
        self.mode.observe(self._on_mode, names="value")
        self._recompute()

    # -- public
    def set_kernel(self, kernel) -> None:
        """Fill the grid from a preset name or a 3x3 array (one picture update)."""
        if isinstance(kernel, str):
            name = check_choice(kernel, "kernel", tuple(KERNELS))
            values = KERNELS[name]
        else:
            values = as_float_array(kernel, "kernel", (2,), example="KERNELS['blur']")
            if values.shape != (3, 3):
                raise ValueError(
                    f"`kernel` must be 3x3 for the editor; got shape {values.shape}. Pass one "
                    f"3x3 slice, e.g. `kernels[:, :, 0, 5]` of a Conv2D layer's weights."
                )
        self._busy = True
        try:
            for (r, c), value in np.ndenumerate(values):
                text = _fmt(value)
                self._exact[r, c] = (text, float(value))
                self.cells[r][c].value = text
            self.preset.value = _matching_preset(values)
        finally:
            self._busy = False
        self._describe()
        self._recompute()

    @property
    def image(self) -> np.ndarray:
        """The input image currently shown (grayscale float64)."""
        return self._current_image()

    # -- callbacks
    def _on_kernel_text(self, change):
        if self._busy:
            return
        kernel = self._read_kernel()
        if kernel is not None:
            self._busy = True
            try:
                self.preset.value = _matching_preset(kernel)
            finally:
                self._busy = False
            self._describe()
        self._recompute()

    def _on_preset(self, change):
        if self._busy or change["new"] == _CUSTOM:
            return
        self.set_kernel(change["new"])

    def _on_change(self, change):
        if self._busy:
            return
        if change["owner"] is self.image_menu:
            self._show_original()
        self._recompute()

    def _on_mode(self, change):
        if self.result is not None:
            self._show_result()  # the filter result is cached: only the picture changes

    # -- work
    def _current_image(self):
        name = self.image_menu.value
        if name not in self._images:
            from cnnviz.images import load_sample

            self._images[name] = load_sample(name)
        return self._images[name]

    def _read_kernel(self):
        values = np.empty((3, 3))
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                exact = self._exact.get((r, c))
                if exact is not None and exact[0] == cell.value:
                    values[r, c] = exact[1]
                    continue
                try:
                    values[r, c] = parse_number(cell.value, f"row {r + 1}, column {c + 1}")
                except ValueError as error:
                    self.message.value = _error_html(
                        f"{error} The picture shows the last valid kernel."
                    )
                    return None
        return values

    def _recompute(self):
        kernel = self._read_kernel()
        if kernel is None:
            return
        try:
            weight = parse_number(self.weight.value, "weight")
            bias = parse_number(self.bias.value, "bias")
            result = apply_filter(
                self._current_image(), kernel, self.padding.value, weight=weight, bias=bias
            )
        except (TypeError, ValueError) as error:
            self.message.value = _error_html(f"{error} The picture shows the last valid result.")
            return
        self.message.value = ""
        self.kernel, self.result = kernel, result
        self._result_image = self._current_image()
        self._show_result()

    def _show_original(self):
        self.original.value = array_to_png(
            self._current_image(), "gray", 0, 255, min_size=PICTURE_MIN_SIZE
        )

    def _show_result(self):
        mode = self.mode.value
        shown, (low, high) = _display_transform(self.result, mode)
        self.output.value = array_to_png(
            shown, MODE_CMAPS[mode], low, high, min_size=PICTURE_MIN_SIZE
        )
        # The image the result was computed from: after a bad edit the menu may already
        # show another image while the last good result stays.
        self.caption.value = _result_caption(self._result_image, self.result, mode)

    def _describe(self):
        name = self.preset.value
        text = KERNEL_DESCRIPTIONS.get(name, "your own kernel: every weight is yours to choose")
        self.description.value = _note_html(f"{name}: {text}")


def _fmt(value) -> str:
    value = float(value)
    if value.is_integer():
        return str(int(value))
    if abs(value * 10 - round(value * 10)) < 1e-9:  # one decimal reads best: 4.5, not 72/16
        return f"{value:g}"
    for denominator in (3, 9, 16):  # the usual normalising fractions, as a teacher types them
        if abs(value * denominator - round(value * denominator)) < 1e-12:
            return f"{round(value * denominator)}/{denominator}"
    return f"{value:.6g}"


def _matching_preset(kernel) -> str:
    for name, preset in KERNELS.items():
        if np.allclose(kernel, preset, rtol=0, atol=1e-12):
            return name
    return _CUSTOM


def _result_caption(image, result, mode) -> str:
    low, high = float(result.min()), float(result.max())
    negative = float((result < 0).mean()) * 100
    above = float((result > 255).mean()) * 100
    parts = [
        f"{image.shape[0]}×{image.shape[1]} input → {result.shape[0]}×{result.shape[1]} output",
        f"values {low:,.1f} … {high:,.1f}",
    ]
    if mode in ("clip", "relu") and negative:
        parts.append(f"<b>{negative:.0f}% of pixels are negative and shown as black</b>")
    if mode == "clip" and above:
        parts.append(f"{above:.0f}% are above 255 and shown as white")
    if mode == "signed":
        parts.append("blue below 0, white 0, red above 0")
    if mode == "abs":
        parts.append("negative and positive responses both bright")
    return '<span style="color:#333">' + "; ".join(parts) + "</span>"


def kernel_editor(
    image="brick",
    kernel="vertical_lines",
    *,
    images=None,
    mode="clip",
    padding="valid",
    weight=1.0,
    bias=0.0,
):
    """An editable 3x3 kernel applied live to an image, original and result side by side.

    Type into the nine fields (``-1``, ``0.5``, ``1/9`` are all numbers), pick a preset,
    an image and how to display the signed result. Bad text gets a message beside the grid
    and the last good picture stays.

    Parameters
    ----------
    image : str or array_like, shape (H, W), optional
        A sample name (:func:`cnnviz.images.sample_names`) or your own grayscale image,
        e.g. a 28x28 digit.
    kernel : str or array_like, shape (3, 3), optional
        A preset name from :data:`cnnviz.filters.KERNELS` or a 3x3 array, e.g. a kernel
        a Conv2D layer learned.
    images : sequence of str, optional
        Sample names offered in the image menu (default: every grayscale sample).
    mode : {"clip", "signed", "relu", "abs"}, optional
        How the signed result is displayed (:data:`cnnviz.filters.DISPLAY_MODES`).
    padding : {"valid", "same"}, optional
    weight, bias : float, optional
        ``result = weight * sum + bias``, as in :func:`cnnviz.filters.apply_filter`.

    Returns
    -------
    KernelEditor
        An ``ipywidgets.VBox``; display it in the notebook.

    Examples
    --------
    >>> editor = kernel_editor(np.eye(8) * 255, "identity")
    >>> editor.cells[1][1].value = "2"
    >>> float(editor.result.max())
    510.0
    """
    from cnnviz.images import sample_names

    mode = check_choice(mode, "mode", tuple(DISPLAY_MODES))
    padding = check_choice(padding, "padding", ("valid", "same"))
    weight = check_number(weight, "weight")
    bias = check_number(bias, "bias")
    if images is None:
        images = sample_names()
    elif isinstance(images, str) or not all(isinstance(n, str) for n in images):
        raise TypeError(f"`images` must be a list of sample names; got {describe(images)}.")
    return KernelEditor(
        image, kernel, images=list(images), mode=mode, padding=padding, weight=weight, bias=bias
    )
