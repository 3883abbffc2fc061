"""A student's own digit (notebook 06): the digit pad.

The pad shows its digit's feature maps in a view it is given (``feature_view``, e.g. the
feature-map explorer, passed in by :func:`cnnviz.widgets.digit_pad`): no family imports
another.
"""

from __future__ import annotations

import functools
import html
import math
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import traitlets

from cnnviz._validation import (
    as_float_array,
    check_int,
    check_number,
    describe,
)
from cnnviz.plotting.png import array_to_png
from cnnviz.plotting.text_alternatives import describe_values
from cnnviz.widgets._access import control_names, name_field
from cnnviz.widgets._base import (
    _beside,
    _error_html,
    _latest_upload,
    _marked_png,
    _message,
    _note_html,
    _output_count,
    _picture,
    _probabilities,
)

__all__ = [
    "DigitPad",
    "digit_pad",
]


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


#: Most pen positions one stroke from the page may bring (the page skips moves under a pixel:
#: this is a pen path of 5,000 pixels, about 18 times across the square).
MAX_STROKE_POINTS = 5_000
#: Most pen positions the drawing keeps (every change sends them all to the page).
MAX_DRAWING_POINTS = 20_000


def _surface_label(size: int, strokes: int) -> str:
    """What a screen reader reads for the drawing square: what it shows, and the way in
    without a mouse."""
    shown = "blank" if strokes == 0 else f"{strokes} stroke{'s' if strokes > 1 else ''} of ink"
    return (
        f"Drawing square for a digit, {size} by {size} pixels: {shown}. Draw with the mouse, a "
        f"pen or a finger. Keyboard users: the Type tab takes the digit as typed characters."
    )


@functools.cache
def _drawing_surface_class():
    import anywidget  # only when a pad is built: importing cnnviz stays light

    class DrawingSurface(anywidget.AnyWidget):
        """The square the student draws on. The page draws the ink as the pointer moves and
        sends each finished stroke to Python (a message at pen-up); Python, the authority,
        keeps the drawing in ``strokes`` and the page redraws it from there, so a page opened
        later (Voila) shows the drawing too. The script is ``digit_pad.js``."""

        _esm = Path(__file__).with_name("digit_pad.js").read_text(encoding="utf-8")
        size = traitlets.Int(280).tag(sync=True)
        brush = traitlets.Float(11.0).tag(sync=True)
        strokes = traitlets.List().tag(sync=True)
        handled = traitlets.Dict().tag(sync=True)
        label = traitlets.Unicode("").tag(sync=True)

        def set_state(self, sync_data):
            # The page sends strokes as messages and never sets the drawing's state: an
            # update from a page (a stale or hostile one) is ignored and the page is sent
            # Python's state back.
            keys = [name for name in sync_data if name in self.keys]
            if keys:
                self.send_state(keys)

    return DrawingSurface


def _finite(value) -> bool:
    """Whether ``value`` (from a JSON message) is a finite number, not a bool or a text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond float64
        return False


def _page_points(points):
    """The pen positions of a stroke message from the page as an (N, 2) float array; a
    ValueError that says what is wrong for anything else (the page's data is never
    trusted: no exception but these two reaches the pad)."""
    if not isinstance(points, list | tuple) or not points:
        raise ValueError(
            f"a stroke from the page must be a list of [x, y] pen positions; got "
            f"{describe(points)}. Draw the stroke again."
        )
    if len(points) > MAX_STROKE_POINTS:
        raise ValueError(
            f"a stroke from the page may have at most {MAX_STROKE_POINTS:,} pen positions; "
            f"got {len(points):,}. Draw shorter strokes."
        )
    for point in points:
        if not isinstance(point, list | tuple) or len(point) != 2 or not all(map(_finite, point)):
            raise ValueError(
                f"a pen position from the page must be [x, y], two finite numbers; got "
                f"{describe(point)}. Draw the stroke again."
            )
    return np.array(points, dtype=np.float64)


def _thumbnail(values, box=None, size=STEP_PICTURE_SIZE):
    """PNG of a 0..255 picture at most ``size`` pixels on its longer side (small ones are
    enlarged crisply), with the crop ``box`` outlined if given."""
    arr = np.asarray(values, dtype=np.float64)
    longest = max(arr.shape)
    if longest > size:
        from PIL import Image

        scale = size / longest
        shape = (max(1, round(arr.shape[0] * scale)), max(1, round(arr.shape[1] * scale)))
        picture = Image.fromarray(arr.astype(np.float32))  # 2-D float32: mode "F"
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

    ``canvas``, ``frame``, ``raster``, ``clear``, ``draw_message``
        The drawing square (an anywidget; None with ``canvas=False``), the framed box
        around it, the drawing as a float array (255 paper, 0 ink; Python's copy is the one
        that counts), the "Clear" button and the message under the square.
    ``strokes``
        The drawing's strokes, each an (N, 2) array of pen positions (x, y) in the square's
        pixels; the square shows them (``canvas.strokes``).
    ``upload``, ``upload_message``
        The ``FileUpload`` and the message beside it.
    ``grid``, ``grid_message``
        The ``Textarea`` of ``#`` (ink) and ``.`` (paper) and its message.
    ``steps``, ``probabilities``, ``prediction``, ``source``
        The last good digit: its :class:`cnnviz.digits.DigitSteps`, the model's
        probabilities (classes,), the predicted class and where the digit came from.
    ``step_pictures``, ``bars``, ``verdict``, ``explorer``
        The pre-processing pictures, the probability bars (HTML), the prediction in words,
        and the view of the digit's feature maps that ``feature_view`` built (None without
        one; :func:`cnnviz.widgets.digit_pad` gives a :class:`FeatureMapExplorer`).
    """

    def __init__(self, model, *, class_names, canvas, size, brush, start, feature_view=None):
        from cnnviz import digits

        self._digits = digits
        self.model = model
        self.class_names = class_names
        self.brush = brush
        self.steps = self.probabilities = self.prediction = self.source = None
        self.strokes = []

        # Drawing: Python's raster is the authority; the square in the page draws the ink
        # under the pointer itself, sends each finished stroke here, and redraws `strokes`.
        self.raster = np.full((size, size), 255.0)
        self.canvas = None
        if canvas:
            self.canvas = _drawing_surface_class()(
                size=size,
                brush=float(brush),
                label=_surface_label(size, 0),
                layout=widgets.Layout(width=f"{size}px"),
            )
            self.canvas.add_class("cnnviz-digit-pad-canvas")
            self.canvas.on_msg(self._on_page_message)
        self.frame = widgets.Box(
            [] if self.canvas is None else [self.canvas],
            layout=widgets.Layout(
                border="2px solid #555", width="fit-content", padding="0", margin="4px 0"
            ),
        )
        self.frame.add_class("cnnviz-digit-pad-frame")
        self.clear = widgets.Button(description="Clear", icon="eraser")
        self.clear.add_class("cnnviz-digit-pad-clear")
        self.clear.on_click(lambda _: self.clear_drawing())
        self.draw_message = _message("cnnviz-digit-pad-draw-message")

        self.upload = widgets.FileUpload(
            accept="image/*",
            multiple=False,
            description="Image file",
            layout=widgets.Layout(width="auto"),  # its whole label, never "Image …"
        )
        self.upload.add_class("cnnviz-digit-pad-upload")
        self.upload_message = _message("cnnviz-digit-pad-upload-message")

        self.grid = widgets.Textarea(
            value=start,
            continuous_update=False,
            rows=digits.GRID_SIZE + 1,
            layout=widgets.Layout(width="16em"),
        )
        name_field(
            self.grid,
            f"Digit grid: {digits.GRID_SIZE} lines of {digits.GRID_SIZE} characters, "
            f"# for ink, . for paper",
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
                        widgets.HTML(
                            "Draw a digit with the mouse, large, in the middle. "
                            "<b>No mouse?</b> The <b>Type</b> tab takes the digit from the "
                            "keyboard alone."
                        ),
                        # A visible frame: white paper on a white page shows where to draw.
                        # (Around the canvas, not on it, so pointer coordinates stay exact.)
                        self.frame,
                        _beside(self.clear, self.draw_message),
                    ]
                )
            )
            titles.append("Draw")
        pages.append(
            widgets.VBox(
                [
                    widgets.HTML("A photo or scan of one digit (PNG, JPEG, ...)."),
                    _beside(self.upload, self.upload_message),
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
                        f"the box, or press Tab, to use it. This is the way in with the "
                        f"keyboard alone."
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
        self.explorer = None
        if feature_view is not None:
            self.explorer = feature_view(
                model, self.steps.digit[None], labels=[self._label()], max_images=1
            )
        maps = [widgets.HTML("<b>Feature maps of this digit</b>"), self.explorer]
        super().__init__(
            [
                self.tabs,
                widgets.HTML("<b>Pre-processing, step by step</b>"),
                steps_row,
                self.notes,
                widgets.HBox([self.bars, self.verdict]),
                *(maps if self.explorer is not None else []),
                control_names("cnnviz-digit-pad"),
            ]
        )
        self.add_class("cnnviz-digit-pad")

    # -- drawing
    def stroke(self, points) -> None:
        """Draw through ``points`` [(x, y), ...] (the square's pixels) from code, exactly as
        a stroke drawn in the page: ink, then the drawing classified. One point is a dot."""
        pts = as_float_array(points, "points", (2,), example="[(60, 60), (200, 60)]")
        if pts.shape[1] != 2:
            raise ValueError(
                f"`points` must be (x, y) pairs, shape (N, 2); got shape {pts.shape}. Pass "
                f"e.g. [(60, 60), (200, 60)]."
            )
        self._add_stroke(pts)

    def clear_drawing(self) -> None:
        """Blank paper again (the last prediction stays until a new digit is drawn)."""
        self.raster[:] = 255.0
        self.strokes = []
        self._sync_canvas()
        self.draw_message.value = _note_html("Cleared: draw a digit.")

    def _on_page_message(self, _surface, content, _buffers) -> None:
        """A message from the page: a finished stroke, ``{"event": "stroke", "view": ...,
        "seq": ..., "points": [[x, y], ...]}``. Whatever it holds, the pad answers with
        ink or a message, never an exception, and tells the page it is handled."""
        if not isinstance(content, dict) or content.get("event") != "stroke":
            return  # not ours (anywidget's own messages come this way too)
        try:
            points = _page_points(content.get("points"))
        except ValueError as error:
            self.draw_message.value = _error_html(
                f"{error} The prediction shown is the last good one."
            )
            points = None
        # The page stops showing this stroke (and those before it) as its own: from now on
        # `strokes` says whether it is part of the drawing.
        handled = None
        view, seq = content.get("view"), content.get("seq")
        if isinstance(view, str) and len(view) <= 64 and _finite(seq):
            handled = {k: v for k, v in self.canvas.handled.items() if k != view}
            handled[view] = seq
            handled = dict(list(handled.items())[-16:])  # the most recent pages
        if points is None or not self._add_stroke(points, handled):
            self._sync_canvas(handled)

    def _add_stroke(self, pts, handled=None) -> bool:
        """Ink the stroke ``pts`` (N, 2) into the raster and classify the drawing; False
        (message shown, drawing unchanged) for one beyond the limits. ``handled``: see
        :meth:`_sync_canvas`."""
        kept = sum(len(stroke) for stroke in self.strokes)
        if kept + len(pts) > MAX_DRAWING_POINTS:
            self.draw_message.value = _error_html(
                f"The drawing is full ({kept:,} pen positions; at most "
                f"{MAX_DRAWING_POINTS:,}). Press Clear to start again. The prediction shown "
                f"is the last good one."
            )
            return False
        try:
            self._digits.draw_stroke(self.raster, pts, self.brush, 0.0)
        except (TypeError, ValueError) as error:
            self.draw_message.value = _error_html(
                f"{error} The prediction shown is the last good one."
            )
            return False
        self.strokes.append(np.array(pts, dtype=np.float64))  # our own copy
        self._sync_canvas(handled)
        if self._show(self.raster, "your drawing", self.draw_message):
            self.draw_message.value = ""
        return True

    def _sync_canvas(self, handled=None) -> None:
        """Send the drawing (and ``handled``, the page strokes now dealt with, if given) to
        the page in one message: it redraws from it."""
        if self.canvas is None:
            return
        with self.canvas.hold_sync():
            self.canvas.strokes = [stroke.tolist() for stroke in self.strokes]
            self.canvas.label = _surface_label(self.raster.shape[0], len(self.strokes))
            if handled is not None:
                self.canvas.handled = handled

    # -- the other inputs
    def _on_upload(self, change):
        entry, name = _latest_upload(change)
        if entry is None:
            return
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
        probabilities = _probabilities(self.model, steps.digit)[0]
        self.steps, self.probabilities, self.source = steps, probabilities, source
        self.prediction = int(np.argmax(probabilities))
        for (title, picture), label, widget in zip(
            steps.pictures(), self.step_titles, self.step_pictures, strict=True
        ):
            label.value = f"<small>{html.escape(title)}</small>"
            box = steps.box if picture is steps.levels else None
            alt = f"Step {title}: {describe_values(picture)}, black 0 to white 255"
            if box is not None:
                alt += (
                    f"; a green box marks the digit, rows {box[0]} to {box[2] - 1}, "
                    f"columns {box[1]} to {box[3] - 1}"
                )
            widget.show(_thumbnail(picture, box), alt)
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


def digit_pad(
    model, *, class_names=None, canvas=True, size=280, brush=11, start=None, feature_view=None
):
    """A digit pad: draw, upload or type a digit; the model classifies it live.

    Three ways in: a drawing square (the page draws the ink under the pointer; each stroke
    goes to Python when the button is released, and a stroke that leaves the square goes on
    while the button is held; Python keeps the drawing and classifies it), an image file (a
    photo or a scan), or a grid of ``#``/``.`` characters typed into a text box (the way in
    with the keyboard alone). Every digit goes through
    :func:`cnnviz.digits.prepare_digit`; the steps are shown as pictures, then the
    model's probabilities as bars, then the digit's feature maps in the view
    ``feature_view`` builds (:func:`cnnviz.widgets.digit_pad` passes the
    :func:`feature_map_explorer`). A file that is not an image, is truncated or too large
    gets a message beside the upload button, and the last good prediction stays.

    Parameters
    ----------
    model : cnnviz.network.Network or keras.Model
        A digit classifier taking (N, 28, 28, 1): a :class:`cnnviz.network.Network` (runs
        in NumPy, never imports TensorFlow) or a Keras model, e.g.
        :func:`cnnviz.models.load_pretrained`.
    class_names : sequence of str, optional
        Default ``"0"`` to ``"9"``.
    canvas : bool, optional
        Offer the drawing square.
    size : int, optional
        Side of the drawing surface in pixels.
    brush : float, optional
        Pen radius in pixels (11 on a 280-pixel surface gives MNIST-like strokes).
    start : str, optional
        The typed grid the pad starts with (default :data:`cnnviz.digits.SAMPLE_GRID`).
    feature_view : callable, optional
        ``feature_view(model, images, labels=[name], max_images=1)`` returns a widget with a
        ``set_images(images, labels=...)`` method that shows a digit's feature maps; called
        once, then given every new digit. None (the default here) shows no feature maps.

    Returns
    -------
    DigitPad
        An ``ipywidgets.VBox``; display it in the notebook.

    Examples
    --------
    >>> from cnnviz.network import SHIPPED_MODEL, Network
    >>> pad = digit_pad(Network.from_keras_file(SHIPPED_MODEL))
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
    size = check_int(size, "size", minimum=28, maximum=2000)
    brush = check_number(brush, "brush")
    if not 0 < brush <= size:
        raise ValueError(
            f"`brush` must be a positive radius in pixels, at most `size` = {size}; got "
            f"{brush:g}. Pass e.g. 11."
        )
    if start is None:
        start = digits.SAMPLE_GRID
    elif not isinstance(start, str):
        raise TypeError(f"`start` must be a typed grid (a string); got {describe(start)}.")
    if feature_view is not None and not callable(feature_view):
        raise TypeError(
            f"`feature_view` must be a function that builds a feature-map view, e.g. "
            f"`cnnviz.widgets.feature_map_explorer`; got {describe(feature_view)}."
        )
    outputs = _output_count(model)
    if outputs is not None and len(class_names) != outputs:
        raise ValueError(
            f"`class_names` must have one name per model output ({outputs}); got "
            f"{len(class_names)}."
        )
    return DigitPad(
        model,
        class_names=list(class_names),
        canvas=canvas,
        size=size,
        brush=brush,
        start=start,
        feature_view=feature_view,
    )
