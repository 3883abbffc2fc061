"""Filter widgets (notebook 01): the kernel editor and the pixel inspector."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from cnnviz._validation import (
    as_float_array,
    check_choice,
    check_int,
    check_number,
    describe,
)
from cnnviz.filters import (
    DISPLAY_MODES,
    KERNEL_DESCRIPTIONS,
    KERNEL_WEIGHTS,
    KERNELS,
    apply_filter,
)
from cnnviz.filters import display_transform as _display_transform
from cnnviz.plotting.png import MODE_CMAPS, array_to_png
from cnnviz.plotting.text_alternatives import describe_values
from cnnviz.widgets._access import control_names
from cnnviz.widgets._base import (
    CAPTION_COLOUR,
    PICTURE_MIN_SIZE,
    NumberField,
    NumberGrid,
    _amount,
    _beside,
    _cached_sample,
    _check_names,
    _error_html,
    _fmt,
    _hide,
    _marked_png,
    _message,
    _note_html,
    _number_html,
    _picture,
    _resolve_image,
    _sent_after,
    _tag,
    _titled,
)

__all__ = [
    "KernelEditor",
    "PixelInspector",
    "kernel_editor",
    "pixel_inspector",
]


_CUSTOM = "custom"


class KernelEditor(widgets.VBox):
    """A 3x3 kernel as nine number fields, applied live to an image.

    Built by :func:`kernel_editor`; see there for the parameters. Attributes a notebook or
    a test can use:

    ``grid``, ``cells``
        The :class:`~cnnviz.widgets._base.NumberGrid` and its 3x3 list of ``Text`` fields
        (row, column).
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
        self._result_image = None
        self._result_label = self._result_name = None
        self._shown = {}
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
        # 80 px: a learned weight rounded to three digits ("-0.00449") fits whole.
        self.grid = NumberGrid(
            3,
            3,
            "kernel-editor",
            width=80,
            kept="The picture shows the last valid kernel.",
            name="kernel weight",
        )
        self.cells = self.grid.cells
        self.weight = NumberField(description="Weight ×", layout=widgets.Layout(width="176px"))
        self.weight.set_number(1.0)
        self.bias = NumberField(description="Bias +", layout=widgets.Layout(width="176px"))
        self.bias.set_number(bias)
        self.message = self.grid.message
        # Beside the grid when there is room, else on a line of its own (never squeezing it).
        self.description = widgets.HTML(layout=widgets.Layout(flex="1 1 220px", margin="0 8px"))
        self.original = _picture("cnnviz-kernel-editor-input")
        self.output = _picture("cnnviz-kernel-editor-output")
        self.caption = widgets.HTML()
        self.kernel = None
        self.result = None
        _tag(
            "kernel-editor",
            {
                "preset": self.preset,
                "image": self.image_menu,
                "mode": self.mode,
                "padding": self.padding,
                "weight": self.weight,
                "bias": self.bias,
            },
        )

        numbers = widgets.VBox([self.weight, self.bias])
        super().__init__(
            [
                widgets.HBox([self.preset, self.image_menu]),
                _beside(self.grid, numbers, self.description, self.message),
                self.padding,
                self.mode,
                widgets.HBox(
                    [
                        _titled("<b>Input</b>", self.original),
                        _titled("<b>Filtered</b>", self.output),
                    ]
                ),
                self.caption,
                control_names("cnnviz-kernel-editor"),
            ]
        )
        self.add_class("cnnviz-kernel-editor")

        self.set_kernel(kernel)
        if weight is not None:  # else the preset's own normalising weight (1/9 for blur), or 1
            self.weight.set_number(weight)
            self._update_preset(self.grid.read())
        self._show_original()
        self.grid.on_edit(self._on_kernel_text)
        for control in (self.weight, self.bias, self.padding, self.image_menu):
            control.observe(self._on_change, names="value")
        self.preset.observe(self._on_preset, names="value")
        self.mode.observe(self._on_mode, names="value")
        self._recompute()

    # -- public
    def set_kernel(self, kernel) -> None:
        """Fill the grid from a preset name or a 3x3 array (one picture update).

        A preset also sets "Weight ×" to its normalising weight: the blur shows nine 1s
        and 1/9 (:data:`cnnviz.filters.KERNEL_WEIGHTS`), the others their cells and 1. An
        array leaves the weight as it is.
        """
        # The new picture goes to the page first, the fields' new text right after it.
        controls = (*(cell for row in self.cells for cell in row), self.weight)
        with _sent_after(*controls, self.preset, self.description):
            self._set_kernel(kernel)

    def _set_kernel(self, kernel) -> None:
        if isinstance(kernel, str):
            name = check_choice(kernel, "kernel", tuple(KERNELS))
            weight = KERNEL_WEIGHTS.get(name, 1.0)
            values = KERNELS[name] / weight
            self._busy = True
            try:
                self.weight.set_number(weight)
            finally:
                self._busy = False
        else:
            values = as_float_array(kernel, "kernel", (2,), example="KERNELS['blur']")
            if values.shape != (3, 3):
                raise ValueError(
                    f"`kernel` must be 3x3 for the editor; got shape {values.shape}. Pass one "
                    f"3x3 slice, e.g. `kernels[:, :, 0, 5]` of a Conv2D layer's weights."
                )
        self._busy = True
        try:
            # A learned kernel's 0.0123456789 shows as 0.0123457; the grid keeps the rest.
            self.grid.fill(values)
            self.preset.value = self._matching_preset(values)
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
        kernel = self.grid.read()
        if kernel is not None:
            self._update_preset(kernel)
        self._recompute()

    def _update_preset(self, kernel):
        self._busy = True
        try:
            self.preset.value = self._matching_preset(kernel)
        finally:
            self._busy = False
        self._describe()

    def _on_preset(self, change):
        if self._busy or change["new"] == _CUSTOM:
            return
        self.set_kernel(change["new"])

    def _on_change(self, change):
        if self._busy:
            return
        if change["owner"] is self.image_menu:
            self._show_original()
        if change["owner"] is self.weight:  # blur's 1s times 1 is no longer the blur
            kernel = self.grid.read()
            if kernel is not None:
                self._update_preset(kernel)
        self._recompute()

    def _on_mode(self, change):
        if self.result is not None:
            self._show_result()  # the filter result is cached: only the picture changes

    # -- work
    def _current_image(self):
        return _cached_sample(self._images, self.image_menu.value)

    def _recompute(self):
        kernel = self.grid.read()
        if kernel is None:
            return
        try:
            weight = self.weight.number("weight")
            bias = self.bias.number("bias")
            result = apply_filter(
                self._current_image(), kernel, self.padding.value, weight=weight, bias=bias
            )
        except (TypeError, ValueError) as error:
            self.message.value = _error_html(f"{error} The picture shows the last valid result.")
            return
        self.message.value = ""
        self.kernel, self.result = kernel, result
        self._shown = {}  # display mode -> (PNG, text alternative, caption) of this result
        self._result_image = self._current_image()
        self._result_label = self.image_menu.value
        self._result_name = (
            self.preset.value if self.preset.value != _CUSTOM else _kernel_name(kernel * weight)
        )
        self._show_result()

    def _show_original(self):
        image = self._current_image()
        self.original.show(
            array_to_png(image, "gray", 0, 255, min_size=PICTURE_MIN_SIZE),
            f"Input: {self.image_menu.value}, {describe_values(image)}, "
            f"shown from black (0) to white (255)",
        )

    def _show_result(self):
        mode = self.mode.value
        # Flipping the display mode back and forth shows pictures of one result: each is
        # encoded once (the cache is emptied by every new result).
        if mode not in self._shown:
            shown, (low, high) = _display_transform(self.result, mode)
            self._shown[mode] = (
                array_to_png(shown, MODE_CMAPS[mode], low, high, min_size=PICTURE_MIN_SIZE),
                _result_alt(self._result_name, self._result_label, self.result, mode),
                # The image the result was computed from: after a bad edit the menu may
                # already show another image while the last good result stays.
                _result_caption(self._result_image, self.result, mode),
            )
        png, alt, caption = self._shown[mode]
        self.output.show(png, alt)
        self.caption.value = caption

    def _describe(self):
        name = self.preset.value
        text = KERNEL_DESCRIPTIONS.get(name, "your own kernel: every weight is yours to choose")
        self.description.value = _note_html(f"{name}: {text}")

    def _matching_preset(self, cells) -> str:
        """The preset that ``cells`` times the weight in the field is, else "custom"."""
        try:
            weight = self.weight.number("weight")
        except ValueError:
            weight = 1.0
        # Huge typed values overflow to inf here; inf matches no preset, and the overflow is
        # reported beside the grid by the filtering itself, not as a warning in the output.
        with np.errstate(over="ignore", invalid="ignore"):
            return _matching_preset(cells * weight)


def _matching_preset(kernel) -> str:
    for name, preset in KERNELS.items():
        if np.allclose(kernel, preset, rtol=0, atol=1e-12):
            return name
    return _CUSTOM


def _kernel_name(kernel) -> str:
    """A preset's name, the 3x3 weights row by row, or the size of a larger kernel."""
    if kernel.shape != (3, 3):
        return f"your {kernel.shape[0]}x{kernel.shape[1]} kernel"
    name = _matching_preset(kernel)
    if name != _CUSTOM:
        return name
    rows = " / ".join(" ".join(_fmt(v) for v in row) for row in kernel)
    return f"the kernel {rows}"


#: How each display mode shows the signed result, said in words (no meaning in colour alone).
_MODE_WORDS = {
    "signed": "blue below 0, white at 0, red above 0",
    "abs": "negative and positive responses both bright",
}


def _result_alt(kernel_name, image_label, result, mode) -> str:
    """The filtered picture in words: what was applied to what, size, values, what is hidden."""
    text = f"Filtered: {kernel_name} applied to {image_label}, "
    if mode in ("clip", "relu"):
        text += describe_values(result, negative="black")
        if mode == "clip" and (result > 255).any():
            text += f", {float((result > 255).mean()) * 100:.0f}% above 255 shown white"
    else:
        text += f"{describe_values(result)}, {_MODE_WORDS[mode]}"
    return text


def _result_caption(image, result, mode) -> str:
    low, high = float(result.min()), float(result.max())
    negative = float((result < 0).mean()) * 100
    above = float((result > 255).mean()) * 100
    parts = [
        f"{image.shape[0]}×{image.shape[1]} input → {result.shape[0]}×{result.shape[1]} output",
        f"values {_amount(low)} … {_amount(high)}",
    ]
    if mode in ("clip", "relu") and negative:
        parts.append(f"<b>{negative:.0f}% of pixels are negative and shown as black</b>")
    if mode == "clip" and above:
        parts.append(f"{above:.0f}% are above 255 and shown as white")
    if mode == "signed":
        parts.append("blue below 0, white 0, red above 0")
    if mode == "abs":
        parts.append("negative and positive responses both bright")
    return f'<span style="color:{CAPTION_COLOUR}">' + "; ".join(parts) + "</span>"


def kernel_editor(
    image="brick",
    kernel="vertical_lines",
    *,
    images=None,
    mode="clip",
    padding="valid",
    weight=None,
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
    weight : float, optional
        ``result = weight * sum + bias``, as in :func:`cnnviz.filters.apply_filter`.
        Default: the preset's normalising weight (1/9 for ``"blur"``, whose cells then show
        as 1s; :data:`cnnviz.filters.KERNEL_WEIGHTS`), else 1.
    bias : float, optional

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
    >>> editor.preset.value = "blur"
    >>> editor.cells[0][0].value, editor.weight.value
    ('1', '1/9')
    """
    from cnnviz.images import sample_names

    mode = check_choice(mode, "mode", tuple(DISPLAY_MODES))
    padding = check_choice(padding, "padding", ("valid", "same"))
    if weight is not None:
        weight = check_number(weight, "weight")
    bias = check_number(bias, "bias")
    if images is None:
        images = sample_names()
    elif isinstance(images, str) or not all(isinstance(n, str) for n in images):
        raise TypeError(f"`images` must be a list of sample names; got {describe(images)}.")
    return KernelEditor(
        image, kernel, images=list(images), mode=mode, padding=padding, weight=weight, bias=bias
    )


def _sign_colour(value, limit):
    """A pale red for positive, pale blue for negative products, stronger when larger."""
    if value == 0 or limit == 0:
        return "#ffffff"
    strength = min(abs(value) / limit, 1.0)
    fade = int(round(235 - 135 * strength))
    return f"rgb(255,{fade},{fade})" if value > 0 else f"rgb({fade},{fade},255)"


def _grid_html(values, title, colours=None, *, highlight=None):
    """A small HTML table of numbers; optional cell colours; ``highlight`` = (r, c) in bold."""
    rows = []
    for r, row in enumerate(np.asarray(values)):
        cells = []
        for c, value in enumerate(row):
            background = colours[r][c] if colours is not None else "#ffffff"
            weight = "bold" if highlight == (r, c) else "normal"
            cells.append(
                f'<td style="border:1px solid #999;padding:3px 8px;text-align:right;'
                f"background:{background};color:#000;font-weight:{weight};"
                f'font-family:monospace">'
                f"{_number_html(value)}</td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div style="display:inline-block;margin-right:14px;vertical-align:top">'
        f'<div style="text-align:center"><b>{html.escape(title)}</b></div>'
        f'<table style="border-collapse:collapse">{"".join(rows)}</table></div>'
    )


class PixelInspector(widgets.VBox):
    """One output pixel of a filter, worked out: neighbourhood × weights = products, summed.

    Built by :func:`pixel_inspector`; see there for the parameters. Attributes:

    ``image_menu``, ``preset``, ``row``, ``col``, ``padding``
        The controls (``row``/``col`` are ``IntSlider``; their range follows the image
        and the padding).
    ``picture``, ``zoom``, ``output``
        ``ipywidgets.Image``: the input with the pixel's neighbourhood boxed, a close-up
        around it (hidden for small images), and the filter result with the landing place
        boxed (signed colours: red positive, blue negative).
    ``tables``, ``equation``, ``message``
        ``HTML``: the three 3x3 tables, the sum written out and where it lands, errors.
    ``products``, ``result``
        The :class:`cnnviz.filters.PixelProducts` shown and the whole filter result.
    """

    def __init__(self, image, kernel, row, col, *, images, padding):
        from cnnviz.filters import pixel_products

        self._pixel_products = pixel_products
        self._busy = False
        self._images = {}
        self._results = {}
        label, first = _resolve_image(image, "image")
        self._images[label] = first
        names = list(dict.fromkeys([label, *images]))
        self._custom = None
        if isinstance(kernel, str):
            kernel_name = check_choice(kernel, "kernel", tuple(KERNELS))
            options = list(KERNELS)
        else:
            self._custom = as_float_array(kernel, "kernel", (2,), example="KERNELS['blur']")
            kernel_name = _CUSTOM
            options = [*KERNELS, _CUSTOM]

        self.image_menu = widgets.Dropdown(
            options=names, value=label, description="Image", layout=widgets.Layout(width="250px")
        )
        self.preset = widgets.Dropdown(
            options=options,
            value=kernel_name,
            description="Kernel",
            layout=widgets.Layout(width="250px"),
        )
        self.padding = widgets.ToggleButtons(
            options=["valid", "same"],
            value=padding,
            description="Padding",
            style={"button_width": "64px"},
        )
        self.row = widgets.IntSlider(description="Row", continuous_update=True)
        self.col = widgets.IntSlider(description="Column", continuous_update=True)
        self.picture = _picture("cnnviz-pixel-inspector-input")
        self.zoom = _picture("cnnviz-pixel-inspector-zoom")
        self.output = _picture("cnnviz-pixel-inspector-output")
        self.tables = widgets.HTML()
        self.equation = widgets.HTML()
        self.message = _message("cnnviz-pixel-inspector-message")
        self.products = None
        self.result = None
        _tag(
            "pixel-inspector",
            {
                "image": self.image_menu,
                "preset": self.preset,
                "padding": self.padding,
                "row": self.row,
                "col": self.col,
                "tables": self.tables,
                "equation": self.equation,
            },
        )
        self._zoom_box = _titled("<b>Close-up</b>", self.zoom, "33%")
        super().__init__(
            [
                widgets.HBox([self.image_menu, self.preset, self.padding]),
                widgets.HBox([self.row, self.col, self.message]),
                widgets.HBox(
                    [
                        _titled(
                            "<b>Input</b> (the box: the pixel and its neighbours)",
                            self.picture,
                            "33%",
                        ),
                        self._zoom_box,
                        _titled("<b>Output</b> (the box: where the sum lands)", self.output, "33%"),
                    ]
                ),
                self.tables,
                self.equation,
                control_names("cnnviz-pixel-inspector"),
            ]
        )
        self.add_class("cnnviz-pixel-inspector")

        self._set_ranges(row, col, strict=True)
        self.row.observe(self._on_pixel, names="value")
        self.col.observe(self._on_pixel, names="value")
        for control in (self.image_menu, self.preset, self.padding):
            control.observe(self._on_setting, names="value")
        self._update()

    # -- public
    @property
    def kernel(self) -> np.ndarray:
        """The kernel in use (read-only preset or the array passed in)."""
        if self.preset.value == _CUSTOM:
            return self._custom
        return KERNELS[self.preset.value]

    @property
    def image(self) -> np.ndarray:
        """The input image shown (grayscale float64)."""
        return _cached_sample(self._images, self.image_menu.value)

    def _kernel_words(self) -> str:
        return self.preset.value if self.preset.value != _CUSTOM else _kernel_name(self.kernel)

    # -- callbacks
    def _on_pixel(self, change):
        if not self._busy:
            self._update()

    def _on_setting(self, change):
        if self._busy:
            return
        try:  # image, kernel and padding together may leave no pixel with an output
            self._set_ranges(self.row.value, self.col.value, strict=False)
        except ValueError as error:
            self.message.value = _error_html(f"{error} The pictures show the last valid pixel.")
            return
        self._update()

    # -- work
    def _set_ranges(self, row, col, *, strict):
        """Let the sliders reach exactly the pixels that have an output with this padding."""
        h, w = self.image.shape
        kh, kw = self.kernel.shape
        ar, ac = (kh - 1) // 2, (kw - 1) // 2
        if self.padding.value == "valid":
            rows, cols = (ar, h - kh + ar), (ac, w - kw + ac)
        else:
            rows, cols = (0, h - 1), (0, w - 1)
        if rows[1] < rows[0] or cols[1] < cols[0]:
            raise ValueError(
                f"`kernel` ({kh}x{kw}) does not fit in the image ({h}x{w}) with "
                f"padding='valid'; use padding='same' or a larger image."
            )
        if strict:
            check_int(row, "row", minimum=rows[0], maximum=rows[1])
            check_int(col, "col", minimum=cols[0], maximum=cols[1])
        self._busy = True
        try:
            for slider, (low, high), value in ((self.row, rows, row), (self.col, cols, col)):
                # Widen first so that min <= max holds at every step.
                slider.min, slider.max = min(slider.min, low), max(slider.max, high)
                slider.value = int(min(max(value, low), high))
                slider.min, slider.max = low, high
        finally:
            self._busy = False

    def _filtered(self):
        key = (self.image_menu.value, self.preset.value, self.padding.value)
        if key not in self._results:
            self._results[key] = apply_filter(self.image, self.kernel, self.padding.value)
        return self._results[key]

    def _update(self):
        try:
            result = self._filtered()
            products = self._pixel_products(
                self.image, self.kernel, self.row.value, self.col.value, self.padding.value
            )
        except (TypeError, ValueError) as error:
            self.message.value = _error_html(f"{error} The pictures show the last valid pixel.")
            return
        self.message.value = ""
        self.result, self.products = result, products
        self._draw()

    def _draw(self):
        image, result, p = self.image, self.result, self.products
        r, c = self.row.value, self.col.value
        kh, kw = self.kernel.shape
        top, left = r - (kh - 1) // 2, c - (kw - 1) // 2
        hood_box = (top, left, top + kh, left + kw)
        big = max(image.shape) > 32
        boxes = [hood_box]
        if big:  # a 3x3 box is 3 pixels of a 512-pixel picture: add a large locator ring
            reach = max(image.shape) // 24
            boxes.append((r - reach, c - reach, r + reach + 1, c + reach + 1))
        where = f"the pixel at row {r}, column {c}"
        self.picture.show(
            _marked_png(image, "gray", 0, 255, boxes),
            f"Input: {self.image_menu.value}, {describe_values(image)}, black 0 to white 255; "
            f"a green box marks {where} and its neighbours"
            + ("; a larger green ring around it shows where it is" if big else ""),
        )
        _hide(self._zoom_box, not big)
        if big:
            half = 7
            r0 = min(max(r - half, 0), max(image.shape[0] - 2 * half - 1, 0))
            c0 = min(max(c - half, 0), max(image.shape[1] - 2 * half - 1, 0))
            crop = image[r0 : r0 + 2 * half + 1, c0 : c0 + 2 * half + 1]
            box = (top - r0, left - c0, top - r0 + kh, left - c0 + kw)
            self.zoom.show(
                _marked_png(crop, "gray", 0, 255, [box]),
                f"Close-up: {describe_values(crop)}, the pixels around {where}; "
                f"a green box marks its {kh}x{kw} neighbourhood",
            )
        limit = float(np.abs(result).max()) or 1.0
        orow, ocol = p.output_index
        out_boxes = [(orow, ocol, orow + 1, ocol + 1)]
        if max(result.shape) > 32:
            reach = max(result.shape) // 24
            out_boxes.append((orow - reach, ocol - reach, orow + reach + 1, ocol + reach + 1))
        self.output.show(
            _marked_png(result, "RdBu_r", -limit, limit, out_boxes),
            f"Output: {self._kernel_words()} applied to {self.image_menu.value}, "
            f"{describe_values(result)}, {_MODE_WORDS['signed']}; a green box marks where the "
            f"sum lands: row {orow}, column {ocol}, value {_number_html(p.value)}",
        )

        product_limit = float(np.abs(p.products).max())
        colours = [[_sign_colour(v, product_limit) for v in row] for row in p.products]
        centre = ((kh - 1) // 2, (kw - 1) // 2)
        self.tables.value = (
            _grid_html(p.neighbourhood, "Pixels", highlight=centre)
            + '<span style="font-size:2em;vertical-align:middle">×</span> '
            + _grid_html(p.weights, "Weights", highlight=centre)
            + '<span style="font-size:2em;vertical-align:middle">=</span> '
            + _grid_html(p.products, "Products", colours, highlight=centre)
        )
        oh, ow = result.shape
        self.equation.value = (
            f'<div style="font-family:monospace;white-space:normal">{html.escape(p.equation())}'
            f"</div><div>Pixel (row {r}, column {c}) of the {image.shape[0]}×{image.shape[1]} "
            f"input → <b>{_number_html(p.value)}</b> at (row {orow}, column {ocol}) of the "
            f"{oh}×{ow} output (padding '{self.padding.value}').</div>"
        )


def pixel_inspector(
    image="worked_example", kernel="course_example", row=3, col=3, *, images=None, padding="valid"
):
    """Choose one pixel and see its filter arithmetic: the nine products and their sum.

    The pixel and its 3x3 neighbourhood are boxed on the image; the tables show the
    pixels, the kernel's weights and their products (red positive, blue negative); the sum
    is written out, and its place in the output is boxed on the filtered picture. It opens
    on the worked example of the course: pixel 192 under the centre weight 4.5, total 577.

    Parameters
    ----------
    image : str or array_like, shape (H, W), optional
        A sample name (default the 7x7 ``"worked_example"``) or your own grayscale image.
    kernel : str or array_like, shape (kh, kw), optional
        A preset name of :data:`cnnviz.filters.KERNELS` or your own kernel.
    row, col : int, optional
        The pixel under the kernel's centre.
    images : sequence of str, optional
        Sample names offered in the image menu (default: every sample).
    padding : {"valid", "same"}, optional
        With ``"valid"`` only pixels whose whole neighbourhood lies inside the image can be
        chosen; ``"same"`` allows the border (missing neighbours are zeros).

    Returns
    -------
    PixelInspector
        An ``ipywidgets.VBox``; display it in the notebook.

    Examples
    --------
    >>> inspector = pixel_inspector()
    >>> float(inspector.products.total), inspector.products.output_index
    (577.0, (2, 2))
    >>> inspector.row.value = 2
    >>> float(inspector.products.neighbourhood[1, 1])
    64.0
    """
    from cnnviz.images import sample_names

    padding = check_choice(padding, "padding", ("valid", "same"))
    row = check_int(row, "row", minimum=0)
    col = check_int(col, "col", minimum=0)
    if images is None:
        images = ["worked_example", *[n for n in sample_names() if n != "worked_example"]]
    images = _check_names(images)
    return PixelInspector(image, kernel, row, col, images=images, padding=padding)
