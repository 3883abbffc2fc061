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
    check_int,
    check_number,
    describe,
    parse_number,
)
from cnnviz.filters import DISPLAY_MODES, KERNEL_DESCRIPTIONS, KERNELS, apply_filter
from cnnviz.filters import display_transform as _display_transform
from cnnviz.plotting import MODE_CMAPS, array_to_png

__all__ = [
    "KernelEditor",
    "OutputSizeCalculator",
    "PixelInspector",
    "PoolingExplorer",
    "PoolingSandbox",
    "ShiftExplorer",
    "kernel_editor",
    "output_size_calculator",
    "pixel_inspector",
    "pooling_explorer",
    "pooling_sandbox",
    "shift_explorer",
]

#: Shortest side, in screen pixels, that small images (a 28x28 digit) are enlarged to.
PICTURE_MIN_SIZE = 252


# --------------------------------------------------------------------------- plumbing
def _picture(css_class: str, width: str = "100%") -> widgets.Image:
    image = widgets.Image(format="png", layout=widgets.Layout(width=width, max_width="512px"))
    image.add_class(css_class)
    return image


def _tag(widget_name: str, parts: dict) -> None:
    """Give each part the CSS class ``cnnviz-<widget_name>-<part>``: browser tests find it."""
    for part, control in parts.items():
        control.add_class(f"cnnviz-{widget_name}-{part}")


def _message(css_class: str) -> widgets.HTML:
    label = widgets.HTML(value="", layout=widgets.Layout(min_height="1.5em"))
    label.add_class(css_class)
    return label


def _error_html(error: Exception) -> str:
    text = html.escape(str(error)).replace("`", "")
    return f'<span style="color:#b00020">&#9888; {text}</span>'


def _note_html(text: str) -> str:
    return f'<span style="color:#555">{html.escape(text)}</span>'


def _cached_sample(cache: dict, name: str) -> np.ndarray:
    """The sample ``name``, decoded once per widget (the image menu switches back and forth)."""
    if name not in cache:
        from cnnviz.images import load_sample

        cache[name] = load_sample(name)
    return cache[name]


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
        return _cached_sample(self._images, self.image_menu.value)

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


# --------------------------------------------------------------------------- marked pictures
#: Colour of the boxes that mark a pixel, a neighbourhood or a landing place on a picture.
MARK_COLOUR = (0, 176, 80)


def _marked_png(values, cmap, vmin, vmax, boxes=(), *, min_size=PICTURE_MIN_SIZE):
    """Colour-map a 2-D array, enlarge it crisply, draw box outlines, encode as a PNG.

    ``boxes`` holds ``(row0, col0, row1, col1)`` in image pixels (end exclusive), drawn
    after the enlargement so a box around one pixel of a 512x512 picture stays visible.
    The picture stays a one-byte-per-pixel palette PNG (as fast as :func:`array_to_png`):
    the top colour of the map gives its palette slot to the box colour, a change of one
    level in 255 that nobody sees.
    """
    import io

    from PIL import Image

    from cnnviz.plotting import _lut, _to_indices

    if vmax <= vmin:
        vmin, vmax = vmin - 1.0, vmin + 1.0
    indices = _to_indices(values, vmin, vmax)
    np.minimum(indices, 254, out=indices)
    factor = -(-min_size // min(values.shape)) if min_size else 1
    if factor > 1:
        indices = np.repeat(np.repeat(indices, factor, axis=0), factor, axis=1)
    height, width = indices.shape
    thick = max(2, min(height, width) // 150)
    for r0, c0, r1, c1 in boxes:
        top, left = max(r0 * factor - thick, 0), max(c0 * factor - thick, 0)
        bottom, right = min(r1 * factor + thick, height), min(c1 * factor + thick, width)
        indices[top : top + thick, left:right] = 255
        indices[bottom - thick : bottom, left:right] = 255
        indices[top:bottom, left : left + thick] = 255
        indices[top:bottom, right - thick : right] = 255
    palette = _lut(cmap).copy()
    palette[255] = MARK_COLOUR
    picture = Image.frombytes("P", (width, height), np.ascontiguousarray(indices).tobytes())
    picture.putpalette(palette.ravel().tolist())
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _hide(widget, hidden: bool) -> None:
    widget.layout.display = "none" if hidden else None


def _titled(title_html, picture, width="50%"):
    return widgets.VBox([widgets.HTML(title_html), picture], layout=widgets.Layout(width=width))


def _sign_colour(value, limit):
    """A pale red for positive, pale blue for negative products, stronger when larger."""
    if value == 0 or limit == 0:
        return "#ffffff"
    strength = min(abs(value) / limit, 1.0)
    fade = int(round(235 - 135 * strength))
    return f"rgb(255,{fade},{fade})" if value > 0 else f"rgb({fade},{fade},255)"


def _number_html(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.4g}"


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
                f'background:{background};font-weight:{weight};font-family:monospace">'
                f"{_number_html(value)}</td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div style="display:inline-block;margin-right:14px;vertical-align:top">'
        f'<div style="text-align:center"><b>{html.escape(title)}</b></div>'
        f'<table style="border-collapse:collapse">{"".join(rows)}</table></div>'
    )


def _check_names(images, name="images"):
    if isinstance(images, str) or not all(isinstance(n, str) for n in images):
        raise TypeError(f"`{name}` must be a list of sample names; got {describe(images)}.")
    return list(images)


# --------------------------------------------------------------------------- pixel inspector
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

    # -- callbacks
    def _on_pixel(self, change):
        if not self._busy:
            self._update()

    def _on_setting(self, change):
        if self._busy:
            return
        self._set_ranges(self.row.value, self.col.value, strict=False)
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
                f"the kernel ({kh}x{kw}) does not fit in the image ({h}x{w}) with "
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
        self.picture.value = _marked_png(image, "gray", 0, 255, boxes)
        _hide(self._zoom_box, not big)
        if big:
            half = 7
            r0 = min(max(r - half, 0), max(image.shape[0] - 2 * half - 1, 0))
            c0 = min(max(c - half, 0), max(image.shape[1] - 2 * half - 1, 0))
            crop = image[r0 : r0 + 2 * half + 1, c0 : c0 + 2 * half + 1]
            box = (top - r0, left - c0, top - r0 + kh, left - c0 + kw)
            self.zoom.value = _marked_png(crop, "gray", 0, 255, [box])
        limit = float(np.abs(result).max()) or 1.0
        orow, ocol = p.output_index
        out_boxes = [(orow, ocol, orow + 1, ocol + 1)]
        if max(result.shape) > 32:
            reach = max(result.shape) // 24
            out_boxes.append((orow - reach, ocol - reach, orow + reach + 1, ocol + reach + 1))
        self.output.value = _marked_png(result, "RdBu_r", -limit, limit, out_boxes)

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


# --------------------------------------------------------------------------- pooling sandbox
#: Pale and strong colour of each 2x2 block of the sandbox (reading order).
_BLOCK_COLOURS = (
    ("#dbeafe", "#2563eb"),
    ("#fde68a", "#b45309"),
    ("#d1fae5", "#047857"),
    ("#fbcfe8", "#be185d"),
)
_BAD_CELL = "#ffcdd2"
_SANDBOX_START = ((1, 3, 0, 2), (4, 2, 1, 0), (0, 1, 5, 6), (2, 0, 7, 8))


class PoolingSandbox(widgets.VBox):
    """Sixteen editable numbers pooled into four, 2x2 windows, the winners highlighted.

    Built by :func:`pooling_sandbox`. Attributes:

    ``cells``
        4x4 list of ``Text`` fields; each 2x2 block has its own colour, and with max
        pooling the winner of each block is filled with the strong colour.
    ``kind``
        ``ToggleButtons`` ``"max"`` / ``"average"``.
    ``new_numbers``
        ``Button`` that fills the grid with random whole numbers 0..9.
    ``output``, ``explanation``, ``message``
        ``HTML``: the 2x2 result, each block's arithmetic, errors beside the grid.
    ``values``, ``result``, ``winners``
        The last valid 4x4 input, its 2x2 result, and a 4x4 bool mask of the winners
        (all False for average pooling).
    """

    def __init__(self, values, kind, seed):
        self._busy = False
        self._rng = np.random.default_rng(seed)
        self.cells = [
            [widgets.Text(layout=widgets.Layout(width="56px")) for _ in range(4)] for _ in range(4)
        ]
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                cell.add_class(f"cnnviz-pooling-sandbox-cell-{r}-{c}")
        self.kind = widgets.ToggleButtons(
            options=["max", "average"],
            value=kind,
            description="Pooling",
            style={"button_width": "86px"},
        )
        self.new_numbers = widgets.Button(description="New numbers", icon="refresh")
        self.output = widgets.HTML()
        self.explanation = widgets.HTML()
        self.message = _message("cnnviz-pooling-sandbox-message")
        _tag(
            "pooling-sandbox",
            {
                "kind": self.kind,
                "new": self.new_numbers,
                "output": self.output,
                "explanation": self.explanation,
            },
        )
        self.values = None
        self.result = None
        self.winners = None
        grid = widgets.GridBox(
            [cell for row in self.cells for cell in row],
            layout=widgets.Layout(grid_template_columns="repeat(4, 60px)", grid_gap="2px"),
        )
        arrow = widgets.HTML('<span style="font-size:2.5em;padding:0 14px">→</span>')
        super().__init__(
            [
                widgets.HBox([self.kind, self.new_numbers]),
                widgets.HBox(
                    [
                        _titled("<b>4×4 input</b> (16 numbers)", grid, "auto"),
                        arrow,
                        _titled("<b>2×2 result</b> (4 numbers)", self.output, "auto"),
                        self.message,
                    ]
                ),
                self.explanation,
            ]
        )
        self.add_class("cnnviz-pooling-sandbox")
        self.set_values(values)
        for row in self.cells:
            for cell in row:
                cell.observe(self._on_change, names="value")
        self.kind.observe(self._on_change, names="value")
        self.new_numbers.on_click(self._on_new_numbers)

    # -- public
    def set_values(self, values) -> None:
        """Fill the grid with a 4x4 array (one update)."""
        arr = as_float_array(values, "values", (2,), example="np.arange(16).reshape(4, 4)")
        if arr.shape != (4, 4):
            raise ValueError(
                f"`values` must be 4x4 for the sandbox; got shape {arr.shape}. "
                f"Pass e.g. `np.arange(16).reshape(4, 4)`."
            )
        self._busy = True
        try:
            for (r, c), value in np.ndenumerate(arr):
                self.cells[r][c].value = _number_html(value)
        finally:
            self._busy = False
        self._recompute()

    # -- callbacks
    def _on_change(self, change):
        if not self._busy:
            self._recompute()

    def _on_new_numbers(self, button=None):
        self.set_values(self._rng.integers(0, 10, size=(4, 4)))

    # -- work
    def _read(self):
        values = np.empty((4, 4))
        bad = None
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                try:
                    values[r, c] = parse_number(cell.value, f"row {r + 1}, column {c + 1}")
                except ValueError as error:
                    if bad is None:
                        bad = (r, c, error)
        return values, bad

    def _recompute(self):
        from cnnviz.pooling import avg_pool, max_pool, pool_winners

        values, bad = self._read()
        if bad is not None:
            r, c, error = bad
            self.cells[r][c].style.background = _BAD_CELL
            self.message.value = _error_html(f"{error} The result shows the last valid numbers.")
            return
        if self.kind.value == "max":
            result, winners = max_pool(values), pool_winners(values)
        else:
            result, winners = avg_pool(values), np.zeros((4, 4), dtype=bool)
        self.message.value = ""
        self.values, self.result, self.winners = values, result, winners
        self._draw()

    def _draw(self):
        for (r, c), winner in np.ndenumerate(self.winners):
            pale, strong = _BLOCK_COLOURS[(r // 2) * 2 + c // 2]
            style = self.cells[r][c].style
            style.background = strong if winner else pale
            style.text_color = "white" if winner else "black"
        cells = []
        for i, value in enumerate(self.result.ravel()):
            cells.append(
                f'<td style="width:56px;height:40px;text-align:center;font-size:1.4em;'
                f'font-family:monospace;color:white;background:{_BLOCK_COLOURS[i][1]}">'
                f"{_number_html(value)}</td>"
            )
        self.output.value = (
            '<table style="border-collapse:separate;border-spacing:3px">'
            f"<tr>{cells[0]}{cells[1]}</tr><tr>{cells[2]}{cells[3]}</tr></table>"
        )
        lines = []
        names = ("top left", "top right", "bottom left", "bottom right")
        for i, name in enumerate(names):
            r, c = divmod(i, 2)
            block = self.values[2 * r : 2 * r + 2, 2 * c : 2 * c + 2].ravel()
            numbers = ", ".join(_number_html(v) for v in block)
            if self.kind.value == "max":
                text = f"max({numbers}) = {_number_html(self.result[r, c])}"
            else:
                text = f"({numbers.replace(', ', ' + ')}) / 4 = {_number_html(self.result[r, c])}"
            colour = _BLOCK_COLOURS[i][1]
            lines.append(f'<span style="color:{colour}"><b>{name}</b>: {html.escape(text)}</span>')
        self.explanation.value = "<br>".join(lines)


def pooling_sandbox(values=None, *, kind="max", seed=None):
    """A 4x4 grid of numbers pooled into 2x2: type numbers, see which ones survive.

    Each 2x2 block of the grid has its own colour. With max pooling the largest number of
    each block (the winner) is filled with the block's strong colour and becomes that
    block's result; with average pooling each result is the mean of its block.

    Parameters
    ----------
    values : array_like, shape (4, 4), optional
        The starting numbers (default a small example with one clear winner per block).
    kind : {"max", "average"}, optional
    seed : int, optional
        Seed of the "New numbers" button's random generator (for repeatable lessons).

    Returns
    -------
    PoolingSandbox
        An ``ipywidgets.VBox``; display it in the notebook.

    Examples
    --------
    >>> sandbox = pooling_sandbox()
    >>> sandbox.result
    array([[4., 2.],
           [2., 8.]])
    >>> sandbox.cells[0][0].value = "9"
    >>> float(sandbox.result[0, 0])
    9.0
    """
    kind = check_choice(kind, "kind", ("max", "average"))
    if seed is not None:
        seed = check_int(seed, "seed", minimum=0)
    return PoolingSandbox(_SANDBOX_START if values is None else values, kind, seed)


# --------------------------------------------------------------------------- pooling explorer
_EXPLORER_IMAGES = ("brick", "camera", "shapes", "checkerboard", "text", "coins")


class PoolingExplorer(widgets.VBox):
    """A filtered real image pooled once, twice or three times, with the shapes at each step.

    Built by :func:`pooling_explorer`. Attributes:

    ``image_menu``, ``kernel_menu``
        Choose the image and the filter (the feature map is the filter result after a
        ReLU, as a ``Conv2D`` layer with ``activation="relu"`` produces).
    ``kind``, ``size``, ``stride``, ``times``
        Pooling type (``"max"``/``"average"``), window size (``IntSlider``), stride
        (``Dropdown``; 0 means "same as the size", Keras' default) and how many times.
    ``feature``, ``output``
        ``ipywidgets.Image``: the feature map and the final pooled map, shown at the same
        width so you can see which features survive.
    ``steps``
        Four small ``Image`` pictures, each at half its pixel size (feature map, then each
        pooling), so the shrinking is visible; unused ones are hidden.
    ``shapes``, ``caption``, ``message``
        ``HTML``: "510×510 → 255×255 → ...", what was kept, errors.
    ``maps``
        The arrays: ``[feature_map, pooled_once, ...]``.
    """

    def __init__(self, image, kernel, *, images, kind, size, stride, times):
        self._busy = False
        self._images = {}
        self._features = {}
        label, first = _resolve_image(image, "image")
        self._images[label] = first
        names = list(dict.fromkeys([label, *images]))
        self.image_menu = widgets.Dropdown(
            options=names, value=label, description="Image", layout=widgets.Layout(width="230px")
        )
        self.kernel_menu = widgets.Dropdown(
            options=list(KERNELS),
            value=kernel,
            description="Filter",
            layout=widgets.Layout(width="250px"),
        )
        self.kind = widgets.ToggleButtons(
            options=["max", "average"],
            value=kind,
            description="Pooling",
            style={"button_width": "86px"},
        )
        self.size = widgets.IntSlider(value=size, min=2, max=8, description="Size")
        self.stride = widgets.Dropdown(
            options=[("same as size", 0), *[(str(s), s) for s in range(1, 9)]],
            value=stride,
            description="Stride",
            layout=widgets.Layout(width="200px"),
        )
        self.times = widgets.IntSlider(value=times, min=1, max=3, description="Times")
        self.feature = _picture("cnnviz-pooling-explorer-feature")
        self.output = _picture("cnnviz-pooling-explorer-output")
        self.steps = [widgets.Image(format="png") for _ in range(4)]
        self._step_labels = [widgets.HTML() for _ in range(4)]
        self._step_boxes = [
            widgets.VBox([label, picture], layout=widgets.Layout(margin="0 8px 0 0"))
            for label, picture in zip(self._step_labels, self.steps, strict=True)
        ]
        self.shapes = widgets.HTML()
        self.caption = widgets.HTML()
        self.message = _message("cnnviz-pooling-explorer-message")
        self.maps = []
        _tag(
            "pooling-explorer",
            {
                "image": self.image_menu,
                "kernel": self.kernel_menu,
                "kind": self.kind,
                "size": self.size,
                "stride": self.stride,
                "times": self.times,
                "shapes": self.shapes,
                "caption": self.caption,
            },
        )
        for i, picture in enumerate(self.steps):
            picture.add_class(f"cnnviz-pooling-explorer-step-{i}")
        self._output_title = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.image_menu, self.kernel_menu]),
                widgets.HBox([self.kind, self.times]),
                widgets.HBox([self.size, self.stride, self.message]),
                self.shapes,
                widgets.HBox(
                    [
                        _titled("<b>Feature map</b> (filter, then ReLU)", self.feature),
                        widgets.VBox(
                            [self._output_title, self.output], layout=widgets.Layout(width="50%")
                        ),
                    ]
                ),
                self.caption,
                widgets.HTML("<b>Each step at half its real size in pixels</b>"),
                widgets.HBox(self._step_boxes, layout=widgets.Layout(align_items="flex-end")),
            ]
        )
        self.add_class("cnnviz-pooling-explorer")
        for control in (self.image_menu, self.kernel_menu):
            control.observe(self._on_feature, names="value")
        for control in (self.kind, self.size, self.stride, self.times):
            control.observe(self._on_pooling, names="value")
        self._recompute()

    # -- callbacks
    def _on_feature(self, change):
        self._recompute()

    def _on_pooling(self, change):
        self._recompute()

    # -- work
    def _image(self):
        return _cached_sample(self._images, self.image_menu.value)

    def _feature_map(self):
        """(feature map, its PNG, its display limit), cached per image and filter."""
        key = (self.image_menu.value, self.kernel_menu.value)
        if key not in self._features:
            feature = np.maximum(apply_filter(self._image(), KERNELS[self.kernel_menu.value]), 0.0)
            limit = float(feature.max()) or 1.0
            png = array_to_png(feature, "gray", 0.0, limit)
            self._features[key] = (feature, png, limit)
        return self._features[key]

    def _recompute(self):
        from cnnviz.pooling import avg_pool, max_pool

        feature, feature_png, limit = self._feature_map()
        size = self.size.value
        stride = self.stride.value or size
        pool = max_pool if self.kind.value == "max" else avg_pool
        maps = [feature]
        try:
            for step in range(self.times.value):
                current = maps[-1]
                if min(current.shape) < size:
                    raise ValueError(
                        f"after {step} pooling step(s) the map is "
                        f"{current.shape[0]}×{current.shape[1]}, smaller than the "
                        f"{size}×{size} window. Pool fewer times or use a smaller size."
                    )
                maps.append(pool(current, size, stride))
        except (TypeError, ValueError) as error:
            self.message.value = _error_html(f"{error} The pictures show the last valid result.")
            return
        notes = []
        if stride > size:
            notes.append(
                f"stride {stride} is larger than the window {size}: some pixels are never looked at"
            )
        self.message.value = _note_html("; ".join(notes)) if notes else ""
        self.maps = maps
        self._draw(feature_png, limit)

    def _draw(self, feature_png, limit):
        maps = self.maps
        pngs = [feature_png] + [array_to_png(m, "gray", 0.0, limit) for m in maps[1:]]
        self.feature.value = feature_png
        # Enlarged crisply (whole pixels as squares) so a 63x63 map is not blurred.
        self.output.value = array_to_png(maps[-1], "gray", 0.0, limit, min_size=PICTURE_MIN_SIZE)
        steps = len(maps) - 1
        word = "once" if steps == 1 else ("twice" if steps == 2 else f"{steps} times")
        last = maps[-1]
        self._output_title.value = (
            f"<b>Pooled {word}</b> ({last.shape[0]}×{last.shape[1]}, shown at the same width)"
        )
        for i, (box, picture, label) in enumerate(
            zip(self._step_boxes, self.steps, self._step_labels, strict=True)
        ):
            if i < len(maps):
                h, w = maps[i].shape
                picture.value = pngs[i]
                picture.layout.width = f"{max(w // 2, 1)}px"
                label.value = f"{'feature map' if i == 0 else f'step {i}'}: {h}×{w}"
                _hide(box, False)
            else:
                _hide(box, True)
        size = self.size.value
        stride = self.stride.value or size
        kind = "max" if self.kind.value == "max" else "average"
        arrows = " → ".join(f"{m.shape[0]}×{m.shape[1]}" for m in maps)
        self.shapes.value = (
            f'<span style="font-size:1.15em"><b>{arrows}</b></span> '
            f"({kind} pooling {size}×{size}, stride {stride}, {steps}×)"
        )
        peaks = " → ".join(f"{m.max():,.0f}" for m in maps)
        pixels = " → ".join(f"{m.size:,}" for m in maps)
        self.caption.value = (
            f'<span style="color:#333">pixels: {pixels}; strongest response: {peaks}'
            f"{' (max pooling keeps it)' if kind == 'max' else ' (averaging dilutes it)'}"
            f"</span>"
        )


def pooling_explorer(
    image="brick",
    kernel="vertical_lines",
    *,
    images=None,
    kind="max",
    size=2,
    stride=None,
    times=1,
):
    """Pool a filtered real image and see its features survive at a fraction of the size.

    The image is filtered (e.g. ``vertical_lines``) and passed through a ReLU: that is the
    feature map a ``Conv2D`` layer would produce. Then it is pooled ``times`` times; the
    shapes at each step are shown, and the first and last maps side by side at the same
    width. Only the pooling is recomputed when a pooling control moves.

    Parameters
    ----------
    image : str or array_like, shape (H, W), optional
        A sample name or your own grayscale image.
    kernel : str, optional
        A preset name of :data:`cnnviz.filters.KERNELS`.
    images : sequence of str, optional
        Sample names offered in the image menu.
    kind : {"max", "average"}, optional
    size : int, optional
        Pooling window, 2..8.
    stride : int, optional
        Step between windows, 1..8; default the window size (Keras' default).
    times : int, optional
        How many times to pool, 1..3.

    Returns
    -------
    PoolingExplorer
        An ``ipywidgets.VBox``; display it in the notebook.

    Examples
    --------
    >>> explorer = pooling_explorer(times=2)
    >>> [m.shape for m in explorer.maps]
    [(510, 510), (255, 255), (127, 127)]
    >>> explorer.size.value = 4
    >>> explorer.maps[-1].shape
    (31, 31)
    """
    kernel = check_choice(kernel, "kernel", tuple(KERNELS))
    kind = check_choice(kind, "kind", ("max", "average"))
    size = check_int(size, "size", minimum=2, maximum=8)
    stride = 0 if stride is None else check_int(stride, "stride", minimum=1, maximum=8)
    times = check_int(times, "times", minimum=1, maximum=3)
    images = _check_names(_EXPLORER_IMAGES if images is None else images)
    return PoolingExplorer(
        image, kernel, images=images, kind=kind, size=size, stride=stride, times=times
    )


# --------------------------------------------------------------------------- shift explorer
class ShiftExplorer(widgets.VBox):
    """Shift the input with a slider: the feature map moves with it; pooling forgives a little.

    Built by :func:`shift_explorer`. Attributes:

    ``shift``
        ``IntSlider``: pixels the input moves to the right.
    ``pool``
        ``ToggleButtons`` ``"max"`` / ``"average"``.
    ``before``, ``before_shifted``, ``after``, ``after_shifted``
        ``ipywidgets.Image``: the same close-up of the feature map for the original and the
        shifted input, before pooling and after pooling.
    ``numbers``
        ``HTML``: the equivariance check and the correlations for this shift.
    ``equivariance``, ``correlation_before``, ``correlation_after``
        The numbers shown: the largest difference between "filter the shifted image" and
        "shift the filtered image" (0), and the correlations of the shifted with the
        unshifted map at the same positions, before and after pooling.
    """

    def __init__(self, image, kernel, *, max_shift, size, crop):
        from cnnviz import invariance

        self._invariance = invariance
        self._pooled = {}  # pooling kind -> pooled feature map of the original
        self._label, self._image = _resolve_image(image, "image")
        self._kernel = KERNELS[kernel]
        self._kernel_name = kernel
        self._size = size
        self._max_shift = max_shift
        feature = np.maximum(apply_filter(self._image, self._kernel), 0.0)
        h, w = feature.shape
        if w < 4 * max_shift + 2 * size:
            raise ValueError(
                f"`image` is too narrow for shifts up to {max_shift}: its feature map has "
                f"{w} columns, at least {4 * max_shift + 2 * size} are needed. Use a larger "
                f"image or a smaller `max_shift`."
            )
        # A close-up in the middle: at full size a shift of 2 pixels is invisible.
        side = min(crop, h, w)
        side -= side % size
        top = ((h - side) // 2) // size * size
        left = ((w - side) // 2) // size * size
        self._window = (top, left, side)
        self._feature = feature
        self._limit = float(feature.max()) or 1.0

        self.shift = widgets.IntSlider(
            value=0, min=0, max=max_shift, description="Shift →", continuous_update=True
        )
        self.pool = widgets.ToggleButtons(
            options=["max", "average"],
            value="max",
            description="Pooling",
            style={"button_width": "86px"},
        )
        self.before = _picture("cnnviz-shift-explorer-before")
        self.before_shifted = _picture("cnnviz-shift-explorer-before-shifted")
        self.after = _picture("cnnviz-shift-explorer-after")
        self.after_shifted = _picture("cnnviz-shift-explorer-after-shifted")
        self.numbers = widgets.HTML()
        self.shift.add_class("cnnviz-shift-explorer-shift")
        self.pool.add_class("cnnviz-shift-explorer-pool")
        self.numbers.add_class("cnnviz-shift-explorer-numbers")
        self.equivariance = None
        self.correlation_before = None
        self.correlation_after = None
        self._after_title = widgets.HTML()
        self._after_shifted_title = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.shift, self.pool]),
                self.numbers,
                widgets.HBox(
                    [
                        _titled("<b>Feature map</b> of the original (close-up)", self.before),
                        _titled(
                            "<b>Feature map</b> of the shifted input (same place)",
                            self.before_shifted,
                        ),
                    ]
                ),
                widgets.HBox(
                    [
                        widgets.VBox(
                            [self._after_title, self.after], layout=widgets.Layout(width="50%")
                        ),
                        widgets.VBox(
                            [self._after_shifted_title, self.after_shifted],
                            layout=widgets.Layout(width="50%"),
                        ),
                    ]
                ),
            ]
        )
        self.add_class("cnnviz-shift-explorer")
        self.before.value = self._close_up(feature, 1)
        self.shift.observe(self._on_change, names="value")
        self.pool.observe(self._on_change, names="value")
        self._update()

    def _close_up(self, values, factor):
        top, left, side = self._window
        t, lft, sd = top // factor, left // factor, side // factor
        return array_to_png(
            values[t : t + sd, lft : lft + sd], "gray", 0.0, self._limit, min_size=PICTURE_MIN_SIZE
        )

    def _on_change(self, change):
        self._update()

    def _update(self):
        from cnnviz.pooling import avg_pool, max_pool

        k = self.shift.value
        kind = self.pool.value
        pool = max_pool if kind == "max" else avg_pool
        if kind not in self._pooled:
            self._pooled[kind] = pool(self._feature, self._size)
        # One filter per move: the original's feature map and its pooling are cached.
        inv = self._invariance
        moved = np.maximum(apply_filter(inv._shift(self._image, k, 1), self._kernel), 0.0)
        self.equivariance = inv._moved_difference(self._feature, moved, k, 1)
        self.correlation_before, self.correlation_after = inv._compare_maps(
            self._feature,
            moved,
            self._pooled[kind],
            pool,
            (self._size, self._size),
            1,
            self._max_shift,
        )
        size = self._size
        self.before_shifted.value = self._close_up(moved, 1)
        self.after.value = self._close_up(self._pooled[kind], size)
        self.after_shifted.value = self._close_up(pool(moved, size), size)
        label = f"{size}×{size} {self.pool.value} pooling"
        self._after_title.value = f"<b>After {label}</b> of the original"
        self._after_shifted_title.value = f"<b>After {label}</b> of the shifted input"
        self.numbers.value = (
            f"Input moved {k} pixel{'s' if k != 1 else ''} to the right. "
            f"<b>The same filter finds the same features</b>: the feature map moved by exactly "
            f"{k} (largest difference from the moved original map: "
            f"{self.equivariance:g}).<br>"
            f"Seen from a fixed place, correlation with the unshifted map: "
            f"<b>{self.correlation_before:.3f}</b> before pooling, "
            f"<b>{self.correlation_after:.3f}</b> after {label} "
            f"(1 = unchanged, 0 = unrelated; measured on the whole "
            f"{self._feature.shape[0]}×{self._feature.shape[1]} map of '{self._label}' with "
            f"{self._kernel_name}, borders left out)."
        )


def shift_explorer(image="brick", kernel="vertical_lines", *, max_shift=6, size=2, crop=64):
    """Move the input a few pixels with a slider and watch the feature map, before and after
    pooling.

    The filter finds the same features wherever they are, so the feature map moves exactly
    with the input (the difference is shown as a number: 0). A unit looking at one fixed
    place sees the change, though; after pooling it sees less of it for small shifts. The
    correlations with the unshifted map are shown for each shift.

    Parameters
    ----------
    image : str or array_like, shape (H, W), optional
        A sample name or your own grayscale image.
    kernel : str, optional
        A preset name of :data:`cnnviz.filters.KERNELS`.
    max_shift : int, optional
        The slider's range, 1..16 pixels.
    size : int, optional
        Pooling window, 2..4 (stride equal to the window).
    crop : int, optional
        Side of the close-up, in feature-map pixels.

    Returns
    -------
    ShiftExplorer
        An ``ipywidgets.VBox``; display it in the notebook.

    Examples
    --------
    >>> explorer = shift_explorer()
    >>> explorer.shift.value = 1
    >>> explorer.equivariance
    0.0
    >>> explorer.correlation_after > explorer.correlation_before
    True
    """
    kernel = check_choice(kernel, "kernel", tuple(KERNELS))
    max_shift = check_int(max_shift, "max_shift", minimum=1, maximum=16)
    size = check_int(size, "size", minimum=2, maximum=4)
    crop = check_int(crop, "crop", minimum=8)
    return ShiftExplorer(image, kernel, max_shift=max_shift, size=size, crop=crop)


# --------------------------------------------------------------------------- size calculator
def _parse_padding(text):
    """'valid', 'same' or a whole number of zeros typed into the padding field."""
    if isinstance(text, str) and text.strip().lower() in ("valid", "same"):
        return text.strip().lower()
    try:
        value = parse_number(text, "padding")
    except ValueError:
        value = None
    if value is None or value < 0 or not float(value).is_integer():
        raise ValueError(
            f"`padding`: {text!r} is neither valid, same nor a whole number of zeros; type "
            f"valid, same, or a number such as 0, 1 or 2."
        )
    return int(value)


def _figure_png(fig) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    return buffer.getvalue()


class OutputSizeCalculator(widgets.VBox):
    """Input size, kernel, padding and stride -> output size: the formula, a drawing, Keras.

    Built by :func:`output_size_calculator`. Attributes:

    ``size``, ``kernel_size``, ``stride``
        ``IntSlider`` controls.
    ``padding``
        ``Combobox``: type ``valid``, ``same`` or a number of zeros per side.
    ``formula``, ``keras``, ``message``
        ``HTML``: the formula with the numbers in, what a Keras layer reports (when
        ``keras_check`` is on), errors beside the controls.
    ``drawing``
        ``ipywidgets.Image``: the padded input grid, the kernel's positions, the output.
    ``output_size``
        The last valid output size (int).
    ``keras_shape``
        The shape Keras reported for the last valid settings, or None.
    """

    def __init__(self, size, kernel_size, padding, stride, *, keras_check):
        self._keras_check = keras_check
        self._last_error = ""
        self.size = widgets.IntSlider(value=size, min=1, max=32, description="Input n")
        self.kernel_size = widgets.IntSlider(
            value=kernel_size, min=1, max=7, description="Kernel k"
        )
        self.padding = widgets.Combobox(
            value=str(padding),
            options=["valid", "same", "0", "1", "2"],
            ensure_option=False,
            description="Padding p",
            layout=widgets.Layout(width="220px"),
        )
        self.stride = widgets.IntSlider(value=stride, min=1, max=4, description="Stride s")
        self.message = _message("cnnviz-size-calculator-message")
        self.formula = widgets.HTML()
        self.keras = widgets.HTML()
        self.drawing = _picture("cnnviz-size-calculator-drawing", width="auto")
        self.drawing.layout.max_width = "640px"
        self.output_size = None
        self.keras_shape = None
        _tag(
            "size-calculator",
            {
                "size": self.size,
                "kernel": self.kernel_size,
                "padding": self.padding,
                "stride": self.stride,
                "formula": self.formula,
                "keras": self.keras,
            },
        )
        super().__init__(
            [
                widgets.HBox([self.size, self.kernel_size]),
                widgets.HBox([self.padding, self.stride]),
                self.message,
                self.formula,
                self.keras,
                self.drawing,
            ]
        )
        self.add_class("cnnviz-size-calculator")
        for control in (self.size, self.kernel_size, self.padding, self.stride):
            control.observe(self._on_change, names="value")
        self._update()
        if self.output_size is None:  # the starting settings themselves were impossible
            raise ValueError(html.unescape(self._last_error))

    def _on_change(self, change):
        self._update()

    def _update(self):
        from matplotlib.figure import Figure

        from cnnviz.plotting import show_conv_grid
        from cnnviz.shapes import conv_output_size, explain_conv_output_size

        n, k, s = self.size.value, self.kernel_size.value, self.stride.value
        try:
            padding = _parse_padding(self.padding.value)
            out = conv_output_size(n, k, padding, s)
            formula = explain_conv_output_size(n, k, padding, s)
        except (TypeError, ValueError) as error:
            self._last_error = str(error)
            self.message.value = _error_html(f"{error} The drawing shows the last valid settings.")
            return
        self.message.value = ""
        self.output_size = out
        name = {"valid": "'valid' (no padding)", "same": "'same'"}.get(padding, f"{padding}")
        self.formula.value = (
            f'<span style="font-size:1.15em">output size = <code>{html.escape(formula)}</code>'
            f"</span> &nbsp; (n={n}, k={k}, padding {html.escape(name)}, s={s}): "
            f"<b>{n}×{n} → {out}×{out}</b>"
        )
        fig = Figure(figsize=(6.4, 3.2))
        try:
            show_conv_grid(n, k, padding, s, axes=fig.subplots(1, 2))
            self.drawing.value = _figure_png(fig)
        except ValueError as error:
            self.message.value = _note_html(f"{error}")
        self.keras_shape = None
        if self._keras_check:
            self.keras_shape, text = _keras_output_shape(n, k, padding, s)
            same = self.keras_shape is not None and self.keras_shape[1:3] == (out, out)
            verdict = " ✓ same as the formula" if same else ""
            self.keras.value = f"Keras: <code>{html.escape(text)}</code>{verdict}"
        else:
            self.keras.value = _note_html(
                "Pass keras_check=True to see what a Keras layer reports for these settings."
            )


def _keras_output_shape(n, k, padding, s):
    """What Keras computes for the settings, and the code that asks it (Keras imported here,
    quietly and with the thread pools sized, as everywhere in cnnviz)."""
    from cnnviz.models import _keras

    keras = _keras()

    if isinstance(padding, str):
        layer = keras.layers.Conv2D(1, k, strides=s, padding=padding)
        code = f"Conv2D(1, {k}, strides={s}, padding={padding!r})"
        shape = layer.compute_output_shape((None, n, n, 1))
    else:
        pad = keras.layers.ZeroPadding2D(padding)
        layer = keras.layers.Conv2D(1, k, strides=s, padding="valid")
        code = f"ZeroPadding2D({padding}) + Conv2D(1, {k}, strides={s}, padding='valid')"
        shape = layer.compute_output_shape(pad.compute_output_shape((None, n, n, 1)))
    shape = tuple(shape)
    return shape, f"{code} on (None, {n}, {n}, 1) → {shape}"


def output_size_calculator(size=7, kernel_size=3, padding="valid", stride=1, *, keras_check=False):
    """Work out a convolution's output size: the formula filled in, a drawing, and Keras.

    Parameters
    ----------
    size : int, optional
        Input rows and columns (square), 1..32.
    kernel_size : int, optional
        1..7.
    padding : {"valid", "same"} or int, optional
        Keras' two paddings, or a number of zeros added on every side.
    stride : int, optional
        1..4.
    keras_check : bool, optional
        Also ask a Keras ``Conv2D`` layer (after ``ZeroPadding2D`` for a number) for its
        output shape. Imports Keras (and TensorFlow) on first use: seconds and ~0.5 GB.

    Returns
    -------
    OutputSizeCalculator
        An ``ipywidgets.VBox``; display it in the notebook.

    Raises
    ------
    ValueError
        If the starting settings are impossible (a kernel larger than the padded input).

    Examples
    --------
    >>> calculator = output_size_calculator(7, 3)
    >>> calculator.output_size
    5
    >>> calculator.padding.value = "same"
    >>> calculator.output_size
    7
    """
    size = check_int(size, "size", minimum=1, maximum=32)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1, maximum=7)
    stride = check_int(stride, "stride", minimum=1, maximum=4)
    if isinstance(padding, str):
        padding = check_choice(padding, "padding", ("valid", "same"))
    else:
        padding = check_int(padding, "padding", minimum=0)
    if not isinstance(keras_check, bool):
        raise TypeError(f"`keras_check` must be True or False; got {describe(keras_check)}.")
    return OutputSizeCalculator(size, kernel_size, padding, stride, keras_check=keras_check)


# --------------------------------------------------------------------------- notebooks 05-06
# Keras models: cnnviz.models is imported inside the functions (it is light, but the names
# are looked up at call time so that a test can count the model calls).
#: Side, in screen pixels, of each picture in the feature-map grid.
FEATURE_PICTURE_SIZE = 112
_ALL_LAYERS = "all"


def _models():
    from cnnviz import models

    return models


def _parse_indices(text, count, max_images):
    """'0, 5, 12' -> (0, 5, 12): whole numbers only, each below ``count``, duplicates dropped."""
    parts = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
    if not parts:
        raise ValueError(
            f"`images` is empty: type the numbers of 1 to {max_images} images, e.g. 0, 1, 2."
        )
    chosen = []
    for part in parts:
        if not part.isdigit():
            raise ValueError(
                f"`images`: {part!r} is not an image number; type whole numbers from 0 to "
                f"{count - 1}, separated by commas, e.g. 0, 1, 2."
            )
        index = int(part)
        if index >= count:
            raise ValueError(
                f"`images`: there is no image {index}; the numbers go from 0 to {count - 1}."
            )
        if index not in chosen:
            chosen.append(index)
    if len(chosen) > max_images:
        raise ValueError(
            f"`images`: at most {max_images} images fit in the grid; got {len(chosen)}."
        )
    return tuple(chosen)


class FeatureMapExplorer(widgets.VBox):
    """A grid of feature maps: images by layers (or by filters), live with a slider.

    Built by :func:`feature_map_explorer`; see there for the parameters. The feature maps
    of the chosen images are computed by one model call
    (:func:`cnnviz.models.activations`) when the images change and cached; moving the
    filter slider or choosing another layer only colour-maps and encodes pictures.

    Attributes a notebook or a test can use:

    ``images``
        ``Text`` with the numbers of the images shown, e.g. ``"0, 1, 2"``.
    ``layer``
        ``Dropdown``: ``"all"`` (every conv and pool layer, one filter number) or one
        layer's name (several of its filters side by side).
    ``filter``
        ``IntSlider``: the filter shown (``"all"``), or the first of the filters shown.
    ``message``, ``caption``
        ``HTML``: the error for bad input (else empty), and what the grid shows.
    ``indices``, ``maps``
        The image numbers shown and their cached activations (layer name -> float32
        array (n, h, w, filters)).
    ``columns``
        (layer, filter) of each column of feature maps.
    ``pictures``, ``inputs``
        One row of ``ipywidgets.Image`` per image: the feature maps (CSS class
        ``cnnviz-feature-map-explorer-output``) and the input pictures.
    ``shown``
        The 2-D arrays behind ``pictures`` (rows x columns), and ``limits`` the colour
        range of each column: (0, largest value of the column's maps over the images).
    """

    def __init__(
        self, model, images, *, indices, labels, filter, layer, cmap, max_images, per_layer
    ):
        models = _models()
        self.model = model
        self.cmap = cmap
        self.max_images = max_images
        self.per_layer = per_layer
        self.layer_names = models.feature_layer_names(model)
        if not self.layer_names:
            raise ValueError(
                f"`model` ({model.name}) has no Conv2D or pooling layer to explore; pass a CNN "
                f"such as `cnnviz.models.load_pretrained()`."
            )
        self.channels = {
            name: int(model.get_layer(name).output.shape[-1]) for name in self.layer_names
        }
        self._pool = None
        self._labels = None
        self._cache = {}
        self.indices = ()
        self.maps = None
        self.columns = []
        self.pictures = []
        self.inputs = []
        self.shown = []
        self.limits = []

        options = [("all conv and pool layers", _ALL_LAYERS)] + [
            (f"{name} ({self.channels[name]} filters)", name) for name in self.layer_names
        ]
        if layer not in [value for _, value in options]:
            raise ValueError(f"`layer` must be 'all' or one of {self.layer_names}; got {layer!r}.")
        self.images = widgets.Text(
            description="Images", continuous_update=False, layout=widgets.Layout(width="260px")
        )
        self.layer = widgets.Dropdown(
            options=options, value=layer, description="Layer", layout=widgets.Layout(width="330px")
        )
        self.filter = widgets.IntSlider(
            value=0, min=0, max=1, description="Filter", continuous_update=True
        )
        self.message = _message("cnnviz-feature-map-explorer-message")
        self.caption = widgets.HTML()
        self.grid = widgets.GridBox()
        _tag(
            "feature-map-explorer",
            {"images": self.images, "layer": self.layer, "filter": self.filter},
        )
        super().__init__(
            [
                widgets.HBox([self.images, self.layer]),
                self.filter,
                self.message,
                self.grid,
                self.caption,
            ]
        )
        self.add_class("cnnviz-feature-map-explorer")
        self._busy = False
        self.set_images(images, labels=labels, indices=indices)
        self._busy = True
        try:
            self._set_slider_range()
            self.filter.value = min(check_int(filter, "filter", minimum=0), self.filter.max)
        finally:
            self._busy = False
        self._layout()
        self.images.observe(self._on_images, names="value")
        self.layer.observe(self._on_layer, names="value")
        self.filter.observe(self._on_filter, names="value")

    # -- public
    def set_images(self, images, *, labels=None, indices=None) -> None:
        """Explore other images (e.g. a student's digit): one model call.

        ``images`` (N, H, W) as :func:`cnnviz.models.preprocess` takes them; ``labels``
        one per image for the row titles; ``indices`` the ones to show (default the first
        three).
        """
        pool = _models().preprocess(images)[..., 0]
        if labels is not None:
            labels = [str(v) for v in labels]
            if len(labels) != len(pool):
                raise ValueError(
                    f"`labels` must have one label per image ({len(pool)}); got {len(labels)}."
                )
        if indices is None:
            indices = tuple(range(min(3, len(pool), self.max_images)))
        elif isinstance(indices, str):
            indices = _parse_indices(indices, len(pool), self.max_images)
        else:
            indices = _parse_indices(
                ", ".join(str(check_int(i, "indices", minimum=0)) for i in indices),
                len(pool),
                self.max_images,
            )
        self._pool, self._labels, self._cache = pool, labels, {}
        self._load(indices)
        self._busy = True
        try:
            self.images.value = ", ".join(map(str, indices))
        finally:
            self._busy = False
        if self.columns:  # after construction: redraw
            self._layout()

    # -- callbacks
    def _on_images(self, change):
        if self._busy:
            return
        try:
            indices = _parse_indices(change["new"], len(self._pool), self.max_images)
        except ValueError as error:
            self.message.value = _error_html(f"{error} The grid shows the last valid images.")
            return
        if indices != self.indices:
            self._load(indices)
            self._layout()
        else:
            self.message.value = ""

    def _on_layer(self, change):
        if self._busy:
            return
        self._busy = True
        try:
            self._set_slider_range()
        finally:
            self._busy = False
        self._layout()

    def _on_filter(self, change):
        if self._busy:
            return
        self._set_columns()
        self._draw_maps()

    # -- work
    def _load(self, indices):
        if indices not in self._cache:
            if len(self._cache) >= 8:  # a few sets back and forth stay instant; memory bounded
                self._cache.pop(next(iter(self._cache)))
            self._cache[indices] = _models().activations(self.model, self._pool[list(indices)])
        self.indices = indices
        self.maps = self._cache[indices]
        self.message.value = ""

    def _set_slider_range(self):
        if self.layer.value == _ALL_LAYERS:
            top = min(self.channels.values()) - 1
            self.filter.description = "Filter"
        else:
            top = self.channels[self.layer.value] - self._filters_per_view()
            self.filter.description = "From filter"
        self.filter.max = max(top, 0)
        self.filter.value = min(self.filter.value, self.filter.max)

    def _filters_per_view(self):
        return min(self.per_layer, self.channels[self.layer.value])

    def _set_columns(self):
        f = self.filter.value
        if self.layer.value == _ALL_LAYERS:
            self.columns = [(name, f) for name in self.layer_names]
        else:
            self.columns = [(self.layer.value, f + k) for k in range(self._filters_per_view())]

    def _layout(self):
        """Rebuild the grid for the current images and columns, then draw it."""
        self._set_columns()
        size = f"{FEATURE_PICTURE_SIZE}px"
        self.inputs, self.pictures, self.titles = [], [], []
        header = [widgets.HTML("<b>input</b>")]
        for _ in self.columns:
            title = widgets.HTML()
            self.titles.append(title)
            header.append(title)
        cells = list(header)
        for index in self.indices:
            picture = _picture("cnnviz-feature-map-explorer-input", width=size)
            picture.value = array_to_png(self._pool[index], "gray", 0, 1, min_size=112)
            label = f"image {index}" + (
                f": {html.escape(self._labels[index])}" if self._labels else ""
            )
            row = [picture]
            for _ in self.columns:
                row.append(_picture("cnnviz-feature-map-explorer-output", width=size))
            self.inputs.append(picture)
            self.pictures.append(row[1:])
            cells.append(widgets.VBox([widgets.HTML(f"<small>{label}</small>"), picture]))
            cells.extend(row[1:])
        self.grid.children = cells
        self.grid.layout.grid_template_columns = (
            f"repeat({1 + len(self.columns)}, {FEATURE_PICTURE_SIZE + 8}px)"
        )
        self.grid.layout.grid_gap = "4px"
        self.grid.layout.align_items = "flex-end"
        self._draw_maps()

    def _draw_maps(self):
        self.shown = [[None] * len(self.columns) for _ in self.indices]
        self.limits = []
        for c, (name, f) in enumerate(self.columns):
            chosen = self.maps[name][..., f]
            high = float(chosen.max())
            limit = high if high > 0 else 1.0  # a filter silent on these images shows black
            self.limits.append((0.0, limit))
            height, width = chosen.shape[1:]
            title = f"<b>{name} #{f}</b><br><small>{height}×{width}, max {high:.2g}</small>"
            self.titles[c].value = title
            for r in range(len(self.indices)):
                self.shown[r][c] = chosen[r]
                self.pictures[r][c].value = array_to_png(
                    chosen[r], self.cmap, 0.0, limit, min_size=FEATURE_PICTURE_SIZE
                )
        self._describe()

    def _describe(self):
        if self.layer.value == _ALL_LAYERS:
            text = (
                f"Filter {self.filter.value} in every layer. A pooling layer keeps the filters "
                f"of the convolution before it; {self.layer_names[-1]}'s filter "
                f"{self.filter.value} is not related to {self.layer_names[0]}'s: every "
                f"convolution has its own filters."
            )
            wider = [n for n in self.layer_names if self.channels[n] > self.filter.max + 1]
            if wider:
                text += (
                    f" The slider stops at {self.filter.max} (the fewest filters of any layer);"
                    f" choose {wider[0]} in Layer to see all {self.channels[wider[0]]}."
                )
        else:
            first, last = self.columns[0][1], self.columns[-1][1]
            text = (
                f"Filters {first} to {last} of {self.layer.value} "
                f"({self.channels[self.layer.value]} in all)."
            )
        text += " Dark is 0; each column has its own scale, from 0 to its largest value."
        self.caption.value = _note_html(text)


def feature_map_explorer(
    model,
    images,
    *,
    indices=None,
    labels=None,
    filter=0,
    layer="all",
    cmap="inferno",
    max_images=6,
    per_layer=6,
):
    """Explore a CNN's feature maps: a grid of images by layers, one filter number at a time.

    The classic "first, second, third image by convolution number" figure, interactive:
    type the numbers of the images, choose all layers (one filter number in each conv
    and pool layer) or one layer (``per_layer`` of its filters side by side), and move the
    filter slider. The activations are computed once per set of images (one model call)
    and cached; a slider move only encodes new pictures.

    Parameters
    ----------
    model : keras.Model
        A CNN with an explicit input, e.g. :func:`cnnviz.models.load_pretrained`.
    images : array_like, shape (N, 28, 28)
        The images to choose from (uint8 0..255 or float 0..1), e.g. ``data.x_test[:100]``.
    indices : sequence of int or str, optional
        The images shown first (default the first three), e.g. ``(0, 1, 2)`` or ``"0, 7"``.
    labels : sequence, optional
        One label per image (e.g. its class name), shown beside it.
    filter : int, optional
        The filter shown first.
    layer : str, optional
        ``"all"`` or a layer name such as ``"conv1"``.
    cmap : str, optional
        Colour map of the feature maps (dark is 0).
    max_images : int, optional
        Most images in the grid at once.
    per_layer : int, optional
        Filters side by side when one layer is chosen.

    Returns
    -------
    FeatureMapExplorer
        An ``ipywidgets.VBox``; display it in the notebook.

    Examples
    --------
    >>> from cnnviz.models import load_pretrained
    >>> explorer = feature_map_explorer(load_pretrained(), np.zeros((4, 28, 28), np.uint8))
    >>> explorer.indices, [name for name, _ in explorer.columns]
    ((0, 1, 2), ['conv1', 'pool1', 'conv2', 'pool2'])
    >>> explorer.filter.value = 5
    >>> explorer.columns[0], explorer.shown[0][0].shape
    (('conv1', 5), (26, 26))
    """
    if not isinstance(cmap, str):
        raise TypeError(
            f"`cmap` must be a colour map name such as 'inferno'; got {describe(cmap)}."
        )
    from cnnviz.plotting import _lut

    _lut(cmap)  # an unknown name fails here, with the list of what to pass
    max_images = check_int(max_images, "max_images", minimum=1)
    per_layer = check_int(per_layer, "per_layer", minimum=1)
    if not isinstance(layer, str):
        raise TypeError(f"`layer` must be 'all' or a layer name; got {describe(layer)}.")
    return FeatureMapExplorer(
        model,
        images,
        indices=indices,
        labels=labels,
        filter=filter,
        layer=layer,
        cmap=cmap,
        max_images=max_images,
        per_layer=per_layer,
    )


# --------------------------------------------------------------------------- digit pad
#: Largest upload the digit pad decodes (bytes): a phone photo fits, a video does not.
MAX_UPLOAD_BYTES = 20_000_000
#: Longest side, in screen pixels, of the pre-processing pictures of the digit pad.
STEP_PICTURE_SIZE = 120


def _probability_html(probabilities, class_names) -> str:
    """A small HTML bar chart: one row per class, the most likely one highlighted."""
    best = int(np.argmax(probabilities))
    rows = []
    for k, p in enumerate(probabilities):
        colour = "#1f77b4" if k == best else "#9e9e9e"
        weight = "bold" if k == best else "normal"
        rows.append(
            f'<div style="display:flex;align-items:center;gap:6px;font-weight:{weight}">'
            f'<span style="width:6em;text-align:right">{html.escape(str(class_names[k]))}</span>'
            f'<span style="display:inline-block;height:0.9em;width:{200 * float(p):.1f}px;'
            f'background:{colour}"></span><span>{float(p):.1%}</span></div>'
        )
    return '<div class="cnnviz-digit-pad-bars">' + "".join(rows) + "</div>"


def _thumbnail(values, box=None, size=STEP_PICTURE_SIZE):
    """PNG of a 0..255 picture at most ``size`` pixels on its longer side (small ones are
    enlarged crisply), with the crop ``box`` outlined if given."""
    arr = np.asarray(values, dtype=np.float64)
    longest = max(arr.shape)
    if longest > size:
        from PIL import Image

        scale = size / longest
        shape = (max(1, round(arr.shape[0] * scale)), max(1, round(arr.shape[1] * scale)))
        picture = Image.fromarray(arr.astype(np.float32), mode="F")
        arr = np.asarray(picture.resize(shape[::-1], Image.Resampling.BOX), dtype=np.float64)
        if box is not None:
            box = tuple(int(round(v * scale)) for v in box)
    if box is None:
        return array_to_png(arr, "gray", 0, 255, min_size=size)
    top, left, bottom, right = box
    return _marked_png(
        arr,
        "gray",
        0,
        255,
        [(top, left, max(bottom, top + 1), max(right, left + 1))],
        min_size=size,
    )


class DigitPad(widgets.VBox):
    """Draw, upload or type a digit; see it pre-processed, classified and its feature maps.

    Built by :func:`digit_pad`; see there for the parameters. Attributes a notebook or a
    test can use:

    ``canvas``, ``raster``, ``clear``, ``draw_message``
        The ipycanvas ``Canvas`` (None where drawing is not available), the drawing as a
        float array (255 paper, 0 ink; Python's copy is the one that counts), the "Clear"
        button and the message under the canvas.
    ``upload``, ``upload_message``
        The ``FileUpload`` and the message beside it.
    ``grid``, ``grid_message``
        The ``Textarea`` of ``#`` (ink) and ``.`` (paper) and its message.
    ``steps``, ``probabilities``, ``prediction``, ``source``
        The last good digit: its :class:`cnnviz.digits.DigitSteps`, the model's
        probabilities (classes,), the predicted class and where the digit came from.
    ``step_pictures``, ``bars``, ``verdict``, ``explorer``
        The pre-processing pictures, the probability bars (HTML), the prediction in words,
        and a :class:`FeatureMapExplorer` on the digit.
    """

    def __init__(self, model, *, class_names, canvas, size, brush, start):
        from cnnviz import digits

        self._digits = digits
        self.model = model
        self.class_names = class_names
        self.brush = brush
        self.steps = self.probabilities = self.prediction = self.source = None
        self._pen = None  # last pen position while a mouse button is down
        self._inked = False

        # Drawing: Python's raster is the authority, the canvas mirrors it.
        self.raster = np.full((size, size), 255.0)
        self.canvas = None
        if canvas:
            try:
                import ipycanvas
            except ImportError:
                ipycanvas = None
            if ipycanvas is not None:
                self.canvas = ipycanvas.Canvas(
                    width=size, height=size, layout=widgets.Layout(width=f"{size}px")
                )
                self.canvas.add_class("cnnviz-digit-pad-canvas")
                self.canvas.on_mouse_down(self.on_mouse_down)
                self.canvas.on_mouse_move(self.on_mouse_move)
                self.canvas.on_mouse_up(self.on_mouse_up)
                self.canvas.on_mouse_out(self.on_mouse_up)
        self.clear = widgets.Button(description="Clear", icon="eraser")
        self.clear.add_class("cnnviz-digit-pad-clear")
        self.clear.on_click(lambda _: self.clear_drawing())
        self.draw_message = _message("cnnviz-digit-pad-draw-message")

        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Image file")
        self.upload.add_class("cnnviz-digit-pad-upload")
        self.upload_message = _message("cnnviz-digit-pad-upload-message")

        self.grid = widgets.Textarea(
            value=start,
            continuous_update=False,
            rows=digits.GRID_SIZE + 1,
            layout=widgets.Layout(width="16em"),
        )
        self.grid.add_class("cnnviz-digit-pad-grid")
        self.grid_message = _message("cnnviz-digit-pad-grid-message")

        side = f"{STEP_PICTURE_SIZE}px"
        self.step_pictures = [_picture("cnnviz-digit-pad-step", width=side) for _ in range(6)]
        for picture in self.step_pictures:  # tall, wide and square steps in equal boxes
            picture.layout.height = side
            picture.layout.object_fit = "contain"
        self.step_titles = [widgets.HTML() for _ in range(6)]
        self.bars = widgets.HTML()
        self.verdict = widgets.HTML()
        self.verdict.add_class("cnnviz-digit-pad-verdict")
        self.notes = widgets.HTML()

        pages, titles = [], []
        if self.canvas is not None:
            pages.append(
                widgets.VBox(
                    [
                        widgets.HTML("Draw a digit with the mouse, large, in the middle."),
                        self.canvas,
                        widgets.HBox([self.clear, self.draw_message]),
                    ]
                )
            )
            titles.append("Draw")
        pages.append(
            widgets.VBox(
                [
                    widgets.HTML("A photo or scan of one digit (PNG, JPEG, ...)."),
                    widgets.HBox([self.upload, self.upload_message]),
                ]
            )
        )
        titles.append("Upload")
        pages.append(
            widgets.VBox(
                [
                    widgets.HTML(
                        f"Type a digit: {digits.GRID_SIZE} lines of {digits.GRID_SIZE} "
                        f"characters, <code>#</code> ink, <code>.</code> paper; click outside "
                        f"the box to use it."
                    ),
                    # The columns of the grid only line up in a monospace font.
                    widgets.HTML(
                        "<style>.cnnviz-digit-pad-grid textarea "
                        "{font-family: monospace; line-height: 1.2}</style>"
                    ),
                    self.grid,
                    self.grid_message,
                ]
            )
        )
        titles.append("Type")
        self.tabs = widgets.Tab(children=pages, titles=titles)

        steps_row = widgets.HBox(
            [
                widgets.VBox(
                    [title, picture], layout=widgets.Layout(width=f"{STEP_PICTURE_SIZE + 12}px")
                )
                for title, picture in zip(self.step_titles, self.step_pictures, strict=True)
            ]
        )
        self.grid.observe(self._on_grid, names="value")
        self.upload.observe(self._on_upload, names="value")
        if not self._show_grid(start):
            raise ValueError(f"`start` must be a digit the pad can read: {self._start_error}")
        self.explorer = feature_map_explorer(
            model, self.steps.digit[None], labels=[self._label()], max_images=1
        )
        super().__init__(
            [
                self.tabs,
                widgets.HTML("<b>Pre-processing, step by step</b>"),
                steps_row,
                self.notes,
                widgets.HBox([self.bars, self.verdict]),
                widgets.HTML("<b>Feature maps of this digit</b>"),
                self.explorer,
            ]
        )
        self.add_class("cnnviz-digit-pad")
        self._reset_canvas()

    # -- drawing (the canvas calls these with canvas pixel coordinates)
    def on_mouse_down(self, x, y):
        """Pen down at (x, y): a dot of ink."""
        self._pen = (float(x), float(y))
        self._ink([self._pen])
        if self.canvas is not None:
            self.canvas.fill_circle(self._pen[0], self._pen[1], self.brush)

    def on_mouse_move(self, x, y):
        """Pen moved to (x, y): a thick line from the last position, if the pen is down."""
        if self._pen is None:
            return
        point = (float(x), float(y))
        self._ink([self._pen, point])
        if self.canvas is not None:
            self.canvas.stroke_line(self._pen[0], self._pen[1], point[0], point[1])
        self._pen = point

    def on_mouse_up(self, x, y):
        """Pen lifted (or left the canvas): classify the drawing."""
        if self._pen is None:
            return
        self.on_mouse_move(x, y)
        self._pen = None
        if self._show(self.raster, "your drawing", self.draw_message):
            self.draw_message.value = ""

    def stroke(self, points) -> None:
        """Draw through ``points`` [(x, y), ...] from code, exactly as a mouse would."""
        pts = as_float_array(points, "points", (2,), example="[(60, 60), (200, 60)]")
        self.on_mouse_down(*pts[0])
        for x, y in pts[1:]:
            self.on_mouse_move(x, y)
        self.on_mouse_up(*pts[-1])

    def clear_drawing(self) -> None:
        """Blank paper again (the last prediction stays until a new digit is drawn)."""
        self.raster[:] = 255.0
        self._inked = False
        self._pen = None
        self._reset_canvas()
        self.draw_message.value = _note_html("Cleared: draw a digit.")

    def _ink(self, points):
        self._digits.draw_stroke(self.raster, points, self.brush, 0.0)
        self._inked = True

    def _reset_canvas(self):
        if self.canvas is None:
            return
        self.canvas.clear()
        self.canvas.fill_style = "white"
        self.canvas.fill_rect(0, 0, self.canvas.width, self.canvas.height)
        self.canvas.fill_style = "black"
        self.canvas.stroke_style = "black"
        self.canvas.line_width = 2 * self.brush
        self.canvas.line_cap = "round"

    # -- the other inputs
    def _on_upload(self, change):
        entries = change["new"]
        if not entries:
            return
        entry = entries[-1]
        name = entry.get("name", "the file") if isinstance(entry, dict) else "the file"
        size = entry.get("size") if isinstance(entry, dict) else None
        if isinstance(size, int) and size > MAX_UPLOAD_BYTES:
            self.upload_message.value = _error_html(
                f"{name} is {size / 1e6:.1f} MB; at most {MAX_UPLOAD_BYTES / 1e6:.0f} MB are "
                f"accepted. Upload a smaller picture. The prediction shown is the last good one."
            )
            return
        if self._show(entry, f"the upload {name!r}", self.upload_message):
            self.upload_message.value = _note_html(f"{name}: done.")

    def _on_grid(self, change):
        self._show_grid(change["new"])

    def _show_grid(self, text):
        try:
            image = self._digits.grid_to_image(self._digits.parse_grid(text))
        except (TypeError, ValueError) as error:
            self._start_error = str(error)
            self.grid_message.value = _error_html(
                f"{error} The prediction shown is the last good one."
            )
            return False
        if self._show(image, "the typed grid", self.grid_message):
            self.grid_message.value = ""
            return True
        return False

    # -- work
    def _label(self):
        return f"{self.source}: {self.class_names[self.prediction]}"

    def _show(self, image, source, message) -> bool:
        """Pre-process, classify and show ``image``; on bad input, a message and no change."""
        try:
            steps = self._digits.prepare_digit(image)
        except (TypeError, ValueError, OSError) as error:
            self._start_error = str(error)
            message.value = _error_html(f"{error} The prediction shown is the last good one.")
            return False
        probabilities = _models().predict(self.model, steps.digit)[0]
        self.steps, self.probabilities, self.source = steps, probabilities, source
        self.prediction = int(np.argmax(probabilities))
        for (title, picture), label, widget in zip(
            steps.pictures(), self.step_titles, self.step_pictures, strict=True
        ):
            label.value = f"<small>{html.escape(title)}</small>"
            widget.value = _thumbnail(picture, steps.box if picture is steps.levels else None)
        self.bars.value = _probability_html(probabilities, self.class_names)
        ranked = np.argsort(probabilities)[::-1]
        best, second = int(ranked[0]), int(ranked[1])
        self.verdict.value = (
            f'<div style="padding-left:2em;font-size:1.3em">'
            f"<b>{html.escape(str(self.class_names[best]))}</b> "
            f"({probabilities[best]:.0%})<br><small>next: "
            f"{html.escape(str(self.class_names[second]))} ({probabilities[second]:.0%})<br>"
            f"from {html.escape(source)}</small></div>"
        )
        self.notes.value = (
            _note_html("Note: " + "; ".join(steps.notes) + ".") if steps.notes else ""
        )
        if getattr(self, "explorer", None) is not None:
            self.explorer.set_images(steps.digit[None], labels=[self._label()])
        return True


def digit_pad(model, *, class_names=None, canvas=True, size=280, brush=11, start=None):
    """A digit pad: draw, upload or type a digit; the model classifies it live.

    Three ways in: a drawing surface (an ipycanvas ``Canvas``; Python keeps the drawing
    and classifies it when the mouse button is released), an image file (a photo or a
    scan), or a grid of ``#``/``.`` characters typed into a text box (works everywhere,
    even where the drawing surface cannot show). Every digit goes through
    :func:`cnnviz.digits.prepare_digit`; the steps are shown as pictures, then the
    model's probabilities as bars, then the digit's feature maps in a
    :class:`FeatureMapExplorer`. A file that is not an image, is truncated or too large
    gets a message beside the upload button, and the last good prediction stays.

    Parameters
    ----------
    model : keras.Model
        A digit classifier taking (N, 28, 28, 1), e.g. :func:`cnnviz.models.load_pretrained`.
    class_names : sequence of str, optional
        Default ``"0"`` to ``"9"``.
    canvas : bool, optional
        Offer the drawing surface (if ipycanvas is installed).
    size : int, optional
        Side of the drawing surface in pixels.
    brush : float, optional
        Pen radius in pixels (11 on a 280-pixel surface gives MNIST-like strokes).
    start : str, optional
        The typed grid the pad starts with (default :data:`cnnviz.digits.SAMPLE_GRID`).

    Returns
    -------
    DigitPad
        An ``ipywidgets.VBox``; display it in the notebook.

    Examples
    --------
    >>> from cnnviz.models import load_pretrained
    >>> pad = digit_pad(load_pretrained())
    >>> pad.source, pad.prediction
    ('the typed grid', 2)
    >>> pad.stroke([(140, 40), (140, 240)])  # a vertical bar: a one
    >>> pad.source, pad.prediction
    ('your drawing', 1)
    """
    from cnnviz import digits

    if class_names is None:
        class_names = [str(d) for d in range(10)]
    elif isinstance(class_names, str) or not hasattr(class_names, "__len__"):
        raise TypeError(f"`class_names` must be a list of names; got {describe(class_names)}.")
    if not isinstance(canvas, bool):
        raise TypeError(f"`canvas` must be True or False; got {describe(canvas)}.")
    size = check_int(size, "size", minimum=28)
    brush = check_number(brush, "brush")
    if brush <= 0:
        raise ValueError(f"`brush` must be a positive radius in pixels; got {brush:g}.")
    if start is None:
        start = digits.SAMPLE_GRID
    elif not isinstance(start, str):
        raise TypeError(f"`start` must be a typed grid (a string); got {describe(start)}.")
    outputs = int(model.output_shape[-1]) if hasattr(model, "output_shape") else None
    if outputs is not None and len(class_names) != outputs:
        raise ValueError(
            f"`class_names` must have one name per model output ({outputs}); got "
            f"{len(class_names)}."
        )
    return DigitPad(
        model, class_names=list(class_names), canvas=canvas, size=size, brush=brush, start=start
    )


__all__ += [
    "DigitPad",
    "FeatureMapExplorer",
    "digit_pad",
    "feature_map_explorer",
]
