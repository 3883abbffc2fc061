"""Feature-map size widget (notebook 03): the output-size calculator."""

from __future__ import annotations

import functools
import html

import ipywidgets as widgets

from cnnviz._validation import (
    check_choice,
    check_int,
    describe,
    parse_number,
)
from cnnviz.widgets._access import control_names
from cnnviz.widgets._base import (
    _error_html,
    _hide,
    _message,
    _note_html,
    _picture,
    _tag,
)

__all__ = [
    "OutputSizeCalculator",
    "output_size_calculator",
]


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
            f"`padding`: {describe(text)} is neither valid, same nor a whole number of zeros; type "
            f"valid, same, or a number such as 0, 1 or 2."
        )
    return int(value)


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
    ``drawing``, ``drawing_title``
        ``ipywidgets.Image``: the padded input grid, the kernel's positions, the output
        (:func:`cnnviz.plotting.conv_grid_png`); ``HTML`` above it saying which is which.
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
        self.drawing_title = widgets.HTML()
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
                self.drawing_title,
                self.drawing,
                control_names("cnnviz-size-calculator"),
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
        from cnnviz.filters import padding_amounts
        from cnnviz.plotting.sizes import _MAX_GRID as MAX_DRAWN
        from cnnviz.plotting.sizes import _conv_grid_text, conv_grid_png
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
        try:
            # NumPy and Pillow, not a matplotlib figure: a few ms per slider move, not 200.
            png = conv_grid_png(n, k, padding, s)
            before, after = padding_amounts(n, k, padding, s)
            self.drawing.show(png, "Drawing. " + _conv_grid_text(n, k, before, after, s, out))
            _hide(self.drawing, False)
        except ValueError:
            # Never a drawing of other settings under this formula: hide it and say why, in
            # the words of the controls ("Input n", "Padding p").
            before, after = padding_amounts(n, k, padding, s)
            _hide(self.drawing, True)
            self.drawing_title.value = ""
            self.message.value = _note_html(
                f"No drawing: with Padding p = {before} the padded input is {n} + {before} + "
                f"{after} = {n + before + after} cells per side, more than the {MAX_DRAWN} a "
                f"drawing can show. The formula above is right; make Padding p smaller (or "
                f"Input n) to see the grid again."
            )
        else:
            before, after = padding_amounts(n, k, padding, s)
            padded = n + before + after
            zeros = f" + padding (orange) → {padded}×{padded}" if before or after else ""
            self.drawing_title.value = (
                f"<b>Left</b>: input {n}×{n}{zeros}; the kernel's first position (solid box), "
                f"its second (dashed), a dot for every position. <b>Right</b>: output "
                f"{out}×{out}, one cell per dot."
            )
        # The formula after the drawing: the picture reaches the page a message earlier.
        name = {"valid": "'valid' (no padding)", "same": "'same'"}.get(padding, f"{padding}")
        self.formula.value = (
            f'<span style="font-size:1.15em">output size = <code>{html.escape(formula)}</code>'
            f"</span> &nbsp; (n={n}, k={k}, padding {html.escape(name)}, s={s}): "
            f"<b>{n}×{n} → {out}×{out}</b>"
        )
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


@functools.lru_cache(maxsize=512)
def _keras_output_shape(n, k, padding, s):
    """What Keras computes for the settings, and the code that asks it (Keras imported here,
    quietly and with the thread pools sized, as everywhere in cnnviz). Remembered: building
    the Keras layers took most of a slider move (5 of 8 ms), and the answer never changes."""
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
