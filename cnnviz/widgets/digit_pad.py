"""A student's own digit (notebook 06): the digit pad.

The pad shows its digit's feature maps in a view it is given (``feature_view``, e.g. the
feature-map explorer, passed in by :func:`cnnviz.widgets.digit_pad`): no family imports
another.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from cnnviz._validation import (
    as_float_array,
    check_int,
    check_number,
    describe,
)
from cnnviz.plotting.png import array_to_png
from cnnviz.plotting.text_alternatives import describe_values
from cnnviz.widgets._access import control_names, name_field, titled
from cnnviz.widgets._base import (
    _beside,
    _error_html,
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


_CANVAS_NAME = (
    "Drawing surface for a digit, with the mouse or a finger. Keyboard users: the Type tab "
    "takes the digit as typed characters."
)


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

    ``canvas``, ``frame``, ``events``, ``raster``, ``clear``, ``draw_message``
        The ipycanvas ``Canvas`` (None where drawing is not available), the framed box
        around it, the ipyevents ``Event`` that reports the mouse button when the pointer
        comes back onto the canvas, the drawing as a float array (255 paper, 0 ink;
        Python's copy is the one that counts), the "Clear" button and the message under
        the canvas.
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
        self._pen = None  # last pen position while a mouse button is down
        self._inked = False
        self._left = False  # the pen left the canvas mid-stroke: it may come back held
        self._resume = False  # it came back with the button held: the next move draws

        # Drawing: Python's raster is the authority, the canvas mirrors it.
        self.raster = np.full((size, size), 255.0)
        self.canvas = self.events = None
        if canvas:
            try:
                import ipycanvas
            except ImportError:
                ipycanvas = None
            if ipycanvas is not None:
                self.canvas = titled(ipycanvas.Canvas)(
                    width=size,
                    height=size,
                    layout=widgets.Layout(width=f"{size}px"),
                    tooltip=_CANVAS_NAME,
                )
                self.canvas.add_class("cnnviz-digit-pad-canvas")
                self.canvas.on_mouse_down(self.on_mouse_down)
                self.canvas.on_mouse_move(self.on_mouse_move)
                self.canvas.on_mouse_up(self.on_mouse_up)
                self.canvas.on_mouse_out(self.on_mouse_out)
                self._watch_pointer_coming_back()
                # A page that shows the canvas later than the kernel draws on it (Voila runs
                # the whole notebook first) gets the drawing when it is ready to draw.
                self.canvas.on_client_ready(self._redraw_canvas)
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
        self._reset_canvas()

    # -- drawing (the canvas calls these with canvas pixel coordinates)
    def on_mouse_down(self, x, y):
        """Pen down at (x, y): a dot of ink."""
        self._pen = (x, y)
        if not self._ink([self._pen]):
            return
        if self.canvas is not None:
            self.canvas.fill_circle(self._pen[0], self._pen[1], self.brush)

    def on_mouse_move(self, x, y):
        """Pen moved to (x, y): a thick line from the last position, if the pen is down."""
        if self._resume:  # back on the canvas with the button held: the stroke goes on
            self._resume = False
            self.on_mouse_down(x, y)
            return
        if self._pen is None:
            return
        start = self._pen
        if not self._ink([start, (x, y)]):
            return
        if self.canvas is not None:
            self.canvas.stroke_line(start[0], start[1], self._pen[0], self._pen[1])

    def on_mouse_up(self, x, y):
        """Pen lifted: classify the drawing."""
        self._left = self._resume = False
        if self._pen is None:
            return
        self.on_mouse_move(x, y)
        self._pen = None
        if self._show(self.raster, "your drawing", self.draw_message):
            self.draw_message.value = ""

    def on_mouse_out(self, x, y):
        """The pen left the canvas: classify what is there (the button may be let go out
        there, where the canvas cannot see it), and be ready to go on with the stroke if the
        pointer comes back with the button still held (:meth:`on_pointer_enter`)."""
        drawing = self._pen is not None
        self.on_mouse_up(x, y)
        self._left = drawing

    def on_pointer_enter(self, buttons: int) -> None:
        """The pointer came back onto the canvas; ``buttons`` is the DOM's button mask.

        With the main button held after leaving mid-stroke, the next move goes on drawing
        (from where the pointer now is, not across the edge); otherwise nothing is drawn.
        """
        self._resume = self._left and bool(int(buttons) & 1)
        self._left = False

    def _watch_pointer_coming_back(self):
        # ipycanvas reports positions but not the buttons; ipyevents reports the button mask
        # of the pointer entering the canvas. Without it a stroke ends where it leaves.
        try:
            from ipyevents import Event
        except ImportError:
            self.events = None
            return
        self.events = Event(source=self.canvas, watched_events=["mouseenter"])
        self.events.on_dom_event(lambda event: self.on_pointer_enter(event.get("buttons", 0)))

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

    def _ink(self, points) -> bool:
        """Draw into the raster; False (pen lifted, message shown) for a position that is
        not a finite number inside the limits (a canvas event never kills the pad)."""
        try:
            self._digits.draw_stroke(self.raster, points, self.brush, 0.0)
        except (TypeError, ValueError) as error:
            self._pen = None
            self.draw_message.value = _error_html(error)
            return False
        self._pen = tuple(float(v) for v in points[-1])
        self._inked = True
        return True

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

    def _redraw_canvas(self):
        """Paint Python's raster onto the canvas (the page missed the strokes so far)."""
        self._reset_canvas()
        if self._inked:
            grey = np.clip(self.raster, 0, 255).astype(np.uint8)
            self.canvas.put_image_data(np.repeat(grey[:, :, None], 3, axis=2), 0, 0)

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

    Three ways in: a drawing surface (an ipycanvas ``Canvas``; Python keeps the drawing
    and classifies it when the mouse button is released), an image file (a photo or a
    scan), or a grid of ``#``/``.`` characters typed into a text box (works everywhere,
    even where the drawing surface cannot show). Every digit goes through
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
        Offer the drawing surface (if ipycanvas is installed).
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
