"""The shared base of the widget families: pictures, messages, CSS part tags, error display,
the number grid (:class:`NumberGrid`) and the cached sample loader."""

from __future__ import annotations

import html
from contextlib import ExitStack, contextmanager

import ipywidgets as widgets
import numpy as np

from cnnviz._validation import MESSAGE_LIMIT, as_float_array, describe, parse_number, shorten
from cnnviz.widgets._access import Picture, name_field

#: Shortest side, in screen pixels, that small images (a 28x28 digit) are enlarged to.
PICTURE_MIN_SIZE = 252


#: A thin frame around every picture: a uniform picture (a 1x1 pooled result of one bright
#: value, blank paper) is a white square that would vanish on a white page.
PICTURE_FRAME = "1px solid #999"


def _picture(css_class: str, width: str = "100%") -> Picture:
    """A framed picture with a text alternative (``picture.show(png, alt)``)."""
    image = Picture(
        format="png", layout=widgets.Layout(width=width, max_width="512px", border=PICTURE_FRAME)
    )
    image.add_class(css_class)
    return image


def _tag(widget_name: str, parts: dict) -> None:
    """Give each part the CSS class ``cnnviz-<widget_name>-<part>``: browser tests find it."""
    for part, control in parts.items():
        control.add_class(f"cnnviz-{widget_name}-{part}")


def _message(css_class: str) -> widgets.HTML:
    """The HTML a widget writes its messages into: a line of its own, always there.

    Its flex basis is the whole width, so in a row made by :func:`_beside` it wraps onto its
    own line under the controls, and its height is reserved even when empty: a message
    appearing never squeezes, clips or moves a control.
    """
    label = widgets.HTML(
        value="", layout=widgets.Layout(min_height="1.5em", width="100%", flex="0 0 100%")
    )
    label.add_class(css_class)
    return label


def _beside(*children, **layout) -> widgets.HBox:
    """A row of controls that keep their size: a long message or a narrow page makes the row
    wrap instead of shrinking a control (the fourth column of a grid, an upload button).

    Children whose layout sets no ``flex`` get ``0 0 auto`` (never shrink); a message from
    :func:`_message` takes a line of its own.
    """
    for child in children:
        if not child.layout.flex:
            child.layout.flex = "0 0 auto"
    return widgets.HBox(
        list(children),
        layout=widgets.Layout(flex_flow="row wrap", align_items="center", **layout),
    )


# Text colours from the page's theme (JupyterLab, Notebook 7 and Voila define these), with
# fallbacks; each meets WCAG AA contrast (4.5:1) on its theme's background, light or dark.
_ERROR_COLOUR = "var(--jp-error-color1, #b00020)"
_NOTE_COLOUR = "var(--jp-content-font-color2, #555)"
CAPTION_COLOUR = "var(--jp-content-font-color1, #333)"


def _error_html(error: Exception) -> str:
    # cnnviz's messages are short; anything else (a library's) is cut to a readable length.
    text = html.escape(shorten(str(error), MESSAGE_LIMIT)).replace("`", "")
    return f'<span style="color:{_ERROR_COLOUR}">&#9888; {text}</span>'


def _note_html(text: str) -> str:
    return f'<span style="color:{_NOTE_COLOUR}">{html.escape(text)}</span>'


def _amount(value, decimals: int = 1) -> str:
    """A number for a caption: ``1,020.5`` below a million, ``3.4e+300`` above."""
    value = float(value)
    return f"{value:,.{decimals}f}" if abs(value) < 1e6 else f"{value:.3g}"


def _fmt(value) -> str:
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1e15:
        return f"{value:.6g}"
    if abs(value * 10 - round(value * 10)) < 1e-9:  # one decimal reads best: 4.5, not 72/16
        return f"{value:g}"
    for denominator in (3, 9, 16):  # the usual normalising fractions, as a teacher types them
        if abs(value * denominator - round(value * denominator)) < 1e-12:
            return f"{round(value * denominator)}/{denominator}"
    # Anything else (a learned weight such as -0.0360012) is rounded to three significant
    # digits so it fits its field and reads at a glance; a NumberField keeps the exact value.
    if 1e-4 <= abs(value) < 1e6:
        return np.format_float_positional(value, precision=3, fractional=False, trim="-")
    return f"{value:.3g}"


class NumberField(widgets.Text):
    """A text field for one number: shows it rounded, keeps the exact value behind the text.

    Typed text is parsed as a number (``-1``, ``0.5``, ``1/9``), never evaluated as code.
    After :meth:`set_number` the field shows e.g. ``-0.036`` for -0.0360012; :meth:`number`
    returns the exact value while that text is unchanged, and the typed number once it
    changes, so a learned kernel loaded into the editor computes exactly what the layer does.
    """

    def set_number(self, value) -> None:
        """Show ``value`` rounded (see ``_fmt``) and remember it exactly."""
        text = _fmt(value)
        self._exact = (text, float(value))
        self.value = text

    def number(self, name: str) -> float:
        """The exact value if the text is still the one shown, else the parsed text.

        Raises ValueError naming ``name`` for text that is not a number.
        """
        exact = getattr(self, "_exact", None)
        if exact is not None and exact[0] == self.value:
            return exact[1]
        return parse_number(self.value, name)


class NumberGrid(widgets.GridBox):
    """A grid of number fields, the control the kernel editor and the pooling sandbox share.

    Typed text is parsed as a number (``-1``, ``0.5``, ``1/9``), never evaluated as code.
    A value filled in by :meth:`fill` shows rounded (``0.0123457``) but the exact value stays
    behind the text until the text changes, so nothing is lost on the way back.

    ``cells``
        ``rows`` x ``cols`` list of ``Text`` fields (row, column), each with the CSS class
        ``cnnviz-<widget>-cell-<row>-<col>`` and the accessible name "<name>, row r, column c"
        (a screen reader says which field it is; Tab moves along the rows).
    ``message``
        ``HTML`` for beside the grid (CSS class ``cnnviz-<widget>-message``): :meth:`read`
        names the first bad field there; the widget clears it after a good update.
    """

    def __init__(self, rows, cols, widget_name, *, width, kept, bad_colour=None, name="value"):
        self.shape = (rows, cols)
        self.kept = kept
        self.bad_colour = bad_colour
        self.cells = [
            [
                NumberField(layout=widgets.Layout(width=f"{width}px"), continuous_update=True)
                for _ in range(cols)
            ]
            for _ in range(rows)
        ]
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                cell.add_class(f"cnnviz-{widget_name}-cell-{r}-{c}")
                name_field(cell, f"{name}, row {r + 1}, column {c + 1}")
        self.message = _message(f"cnnviz-{widget_name}-message")
        super().__init__(
            [cell for row in self.cells for cell in row],
            layout=widgets.Layout(
                grid_template_columns=f"repeat({cols}, {width + 4}px)", grid_gap="2px"
            ),
        )

    def on_edit(self, callback) -> None:
        """Call ``callback(change)`` whenever the text of a field changes."""
        for row in self.cells:
            for cell in row:
                cell.observe(callback, names="value")

    def fill(self, values) -> None:
        """Write ``values`` (an array of the grid's shape) into the fields, exact values kept."""
        for (r, c), value in np.ndenumerate(values):
            self.cells[r][c].set_number(value)

    def read(self):
        """The numbers in the fields as a float array, or None if a field is not a number.

        For a bad field the message names its row and column and says what the picture
        keeps (``kept``); with ``bad_colour`` the field is also filled with that colour.
        """
        values = np.empty(self.shape)
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                try:
                    values[r, c] = cell.number(f"row {r + 1}, column {c + 1}")
                except ValueError as error:
                    if self.bad_colour is not None:
                        cell.style.background = self.bad_colour
                        cell.style.text_color = "black"  # dark text on the pale colour
                    self.message.value = _error_html(f"{error} {self.kept}")
                    return None
        return values


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

    from cnnviz.plotting.png import _lut, _to_indices

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


@contextmanager
def _sent_after(*controls):
    """Hold the new values of ``controls`` and send them when the block ends.

    A preset that fills nine fields sends ten messages; the page handles them one by one,
    and a picture sent after them waits for all ten. Inside this block the picture goes out
    first and the fields follow it (one message each, as before), so the new picture is in
    the page sooner; nothing is lost: every held value is sent when the block ends, even
    after an error.
    """
    with ExitStack() as stack:
        for control in controls:
            stack.enter_context(control.hold_sync())
        yield


def _latest_upload(change):
    """The newest file of a ``FileUpload`` value change, as ``(entry, name)``; ``(None, "")``
    when the upload was cleared. ``entry`` is the dict ipywidgets delivers (name, size,
    content, ...), passed on whole; anything else is named "the file"."""
    entries = change["new"]
    if not entries:
        return None, ""
    entry = entries[-1]
    return entry, entry.get("name", "the file") if isinstance(entry, dict) else "the file"


def _hide(widget, hidden: bool) -> None:
    widget.layout.display = "none" if hidden else None


def _titled(title_html, picture, width="50%"):
    """A title over a picture. The box never scrolls (a box that scrolls must take the focus
    for keyboard users: WCAG 2.1.1); the picture fits its width."""
    title = title_html if isinstance(title_html, widgets.Widget) else widgets.HTML(title_html)
    if width.endswith("%"):  # side by side boxes and their margins (2px each side) fit exactly
        width = f"calc({width} - 4px)"
    return widgets.VBox([title, picture], layout=widgets.Layout(width=width, overflow="visible"))


def _number_html(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"


def _check_names(images, name="images"):
    if isinstance(images, str) or not all(isinstance(n, str) for n in images):
        raise TypeError(f"`{name}` must be a list of sample names; got {describe(images)}.")
    return list(images)


def _models():
    from cnnviz import models

    return models


# A trained network for the inside-a-CNN widgets: a cnnviz.network.Network (NumPy: never
# imports TensorFlow) or a Keras model (through cnnviz.models, looked up at call time so
# that a test can count the model calls).


def _is_network(model) -> bool:
    from cnnviz.network import Network  # light: NumPy and h5py

    return isinstance(model, Network)


def _feature_channels(model) -> dict[str, int]:
    """Conv2D and pooling layer name -> its number of feature maps, in model order."""
    if _is_network(model):
        return {name: int(model.layer(name).output_shape[-1]) for name in model.feature_layers}
    names = _models().feature_layer_names(model)
    return {name: int(model.get_layer(name).output.shape[-1]) for name in names}


def _model_images(model, images):
    """``images`` as ``model`` takes them, float32 (N, H, W, 1); a Network checks the size."""
    if _is_network(model):
        return model.preprocess(images)
    return _models().preprocess(images)


def _feature_maps(model, images):
    """Every Conv2D and pooling layer's maps for a batch: one forward pass."""
    if _is_network(model):
        return model.activations(images, model.feature_layers)
    return _models().activations(model, images)


def _probabilities(model, images):
    """The model's output for a batch, (N, classes)."""
    if _is_network(model):
        return model.predict(images)
    return _models().predict(model, images)


def _output_count(model):
    """Length of the model's output vector, or None if it cannot tell."""
    shape = getattr(model, "output_shape", None)
    return int(shape[-1]) if shape else None
