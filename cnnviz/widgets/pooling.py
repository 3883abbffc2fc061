"""Pooling widgets (notebook 02): the pooling sandbox, the pooling explorer, the shift explorer."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from cnnviz._validation import (
    as_float_array,
    check_choice,
    check_int,
)
from cnnviz.filters import KERNELS, apply_filter
from cnnviz.plotting.png import array_to_png
from cnnviz.plotting.text_alternatives import describe_values
from cnnviz.widgets._access import Picture, control_names
from cnnviz.widgets._base import (
    CAPTION_COLOUR,
    PICTURE_FRAME,
    PICTURE_MIN_SIZE,
    NumberGrid,
    _amount,
    _beside,
    _cached_sample,
    _check_names,
    _error_html,
    _hide,
    _message,
    _note_html,
    _number_html,
    _picture,
    _resolve_image,
    _tag,
    _titled,
)

__all__ = [
    "PoolingExplorer",
    "PoolingSandbox",
    "ShiftExplorer",
    "pooling_explorer",
    "pooling_sandbox",
    "shift_explorer",
]


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

    ``grid``, ``cells``
        The :class:`~cnnviz.widgets._base.NumberGrid` and its 4x4 list of ``Text`` fields;
        each 2x2 block has its own colour, and with max pooling the winner of each block is
        filled with the strong colour.
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
        self.grid = NumberGrid(
            4,
            4,
            "pooling-sandbox",
            width=56,
            kept="The result shows the last valid numbers.",
            bad_colour=_BAD_CELL,
            name="input number",
        )
        self.cells = self.grid.cells
        self.kind = widgets.ToggleButtons(
            options=["max", "average"],
            value=kind,
            description="Pooling",
            style={"button_width": "86px"},
        )
        self.new_numbers = widgets.Button(description="New numbers", icon="refresh")
        self.output = widgets.HTML()
        self.explanation = widgets.HTML()
        self.message = self.grid.message
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
        arrow = widgets.HTML('<span style="font-size:2.5em;padding:0 14px">→</span>')
        super().__init__(
            [
                widgets.HBox([self.kind, self.new_numbers]),
                _beside(
                    _titled("<b>4×4 input</b> (16 numbers)", self.grid, "auto"),
                    arrow,
                    _titled("<b>2×2 result</b> (4 numbers)", self.output, "auto"),
                    self.message,
                ),
                self.explanation,
                control_names("cnnviz-pooling-sandbox"),
            ]
        )
        self.add_class("cnnviz-pooling-sandbox")
        self.set_values(values)
        self.grid.on_edit(self._on_change)
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
            self.grid.fill(arr)
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
    def _recompute(self):
        from cnnviz.pooling import avg_pool, max_pool, pool_winners

        values = self.grid.read()
        if values is None:
            return
        try:  # four huge finite numbers can overflow their average
            if self.kind.value == "max":
                result, winners = max_pool(values), pool_winners(values)
            else:
                result, winners = avg_pool(values), np.zeros((4, 4), dtype=bool)
        except (TypeError, ValueError) as error:
            self.message.value = _error_html(f"{error} {self.grid.kept}")
            return
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
            # The block's colour as a bar beside its name: the text keeps the theme's colour.
            lines.append(
                f'<span style="border-left:0.8em solid {colour};padding-left:0.4em">'
                f"<b>{name}</b>: {html.escape(text)}</span>"
            )
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
        # Framed: a 1x1 result of one bright value is a white square, else lost on the page.
        self.steps = [
            Picture(format="png", layout=widgets.Layout(border=PICTURE_FRAME)) for _ in range(4)
        ]
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
                _beside(self.size, self.stride, self.message),
                self.shapes,
                widgets.HBox(
                    [
                        _titled("<b>Feature map</b> (filter, then ReLU)", self.feature),
                        _titled(self._output_title, self.output),
                    ]
                ),
                self.caption,
                widgets.HTML("<b>Each step at half its real size in pixels</b>"),
                widgets.HBox(self._step_boxes, layout=widgets.Layout(align_items="flex-end")),
                control_names("cnnviz-pooling-explorer"),
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
        """(feature map, its PNG, its display limit, its text alternative), cached per image
        and filter: a pooling control changes none of them."""
        key = (self.image_menu.value, self.kernel_menu.value)
        if key not in self._features:
            feature = np.maximum(apply_filter(self._image(), KERNELS[self.kernel_menu.value]), 0.0)
            limit = float(feature.max()) or 1.0
            png = array_to_png(feature, "gray", 0.0, limit)
            alt = (
                f"Feature map: {self.kernel_menu.value} applied to {self.image_menu.value}, "
                f"then ReLU: {describe_values(feature)}, black 0 to white {limit:,.0f}"
            )
            self._features[key] = (feature, png, limit, alt)
        return self._features[key]

    def _recompute(self):
        from cnnviz.pooling import avg_pool, max_pool

        feature, feature_png, limit, feature_alt = self._feature_map()
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
        self._draw(feature_png, limit, feature_alt)

    def _draw(self, feature_png, limit, feature_alt):
        maps = self.maps
        scale = f"black 0 to white {limit:,.0f}"
        self.feature.show(feature_png, feature_alt)  # unchanged by pooling: no message
        steps = len(maps) - 1
        word = "once" if steps == 1 else ("twice" if steps == 2 else f"{steps} times")
        last = maps[-1]
        how = f"{self.kind.value} pooling {self.size.value}x{self.size.value}, stride "
        how += f"{self.stride.value or self.size.value}"
        # Enlarged crisply (whole pixels as squares) so a 63x63 map is not blurred.
        output_png = array_to_png(last, "gray", 0.0, limit, min_size=PICTURE_MIN_SIZE)
        self.output.show(output_png, f"Pooled {word} ({how}): {describe_values(last)}, {scale}")
        self._output_title.value = (
            f"<b>Pooled {word}</b> ({last.shape[0]}×{last.shape[1]}, shown at the same width)"
        )
        # The small step pictures after the large one: it reaches the page first.
        # A last map not enlarged (255x255 and up) is the large picture's PNG: encoded once.
        pngs = [feature_png] + [array_to_png(m, "gray", 0.0, limit) for m in maps[1:-1]]
        large = min(last.shape) >= PICTURE_MIN_SIZE  # maps holds at least one pooled map
        pngs.append(output_png if large else array_to_png(last, "gray", 0.0, limit))
        for i, (box, picture, label) in enumerate(
            zip(self._step_boxes, self.steps, self._step_labels, strict=True)
        ):
            if i < len(maps):
                h, w = maps[i].shape
                picture.show(
                    pngs[i],
                    f"{'Feature map' if i == 0 else f'Step {i}'} at half its size in pixels: "
                    f"{h}x{w}",
                )
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
        peaks = " → ".join(_amount(m.max(), 0) for m in maps)
        pixels = " → ".join(f"{m.size:,}" for m in maps)
        self.caption.value = (
            f'<span style="color:{CAPTION_COLOUR}">pixels: {pixels}; strongest response: {peaks}'
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
        self._measured = {}  # (shift, pooling kind) -> what _update shows
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
                # One row of four close-ups (not two rows of 480 px): "after pooling" stays
                # in view next to the slider that changes it.
                widgets.HBox(
                    [
                        _titled(
                            "<b>Feature map</b> of the original (close-up)", self.before, "25%"
                        ),
                        _titled(
                            "<b>Feature map</b> of the shifted input (same place)",
                            self.before_shifted,
                            "25%",
                        ),
                        _titled(self._after_title, self.after, "25%"),
                        _titled(self._after_shifted_title, self.after_shifted, "25%"),
                    ],
                    layout=widgets.Layout(align_items="flex-end"),
                ),
                control_names("cnnviz-shift-explorer"),
            ]
        )
        self.add_class("cnnviz-shift-explorer")
        self._show_close_up(self.before, feature, 1, "Feature map of the original")
        self.shift.observe(self._on_change, names="value")
        self.pool.observe(self._on_change, names="value")
        self._update()

    def _close_up(self, values, factor, what):
        """(PNG, text alternative) of the close-up of ``values`` (a map pooled ``factor``)."""
        top, left, side = self._window
        t, lft, sd = top // factor, left // factor, side // factor
        crop = values[t : t + sd, lft : lft + sd]
        return (
            array_to_png(crop, "gray", 0.0, self._limit, min_size=PICTURE_MIN_SIZE),
            f"{what}, close-up of rows {t} to {t + sd - 1}, columns {lft} to {lft + sd - 1}: "
            f"{describe_values(crop)}, black 0 to white {self._limit:.0f}",
        )

    def _show_close_up(self, picture, values, factor, what):
        picture.show(*self._close_up(values, factor, what))

    def _on_change(self, change):
        self._update()

    def _measure(self, k, kind):
        """Everything a shift of ``k`` with ``kind`` pooling shows: the numbers and the two
        close-ups of the shifted input. Cached per (shift, pooling): a drag back and forth
        over the same few shifts filters each shifted image once."""
        key = (k, kind)
        if key not in self._measured:
            from cnnviz.pooling import avg_pool, max_pool

            pool = max_pool if kind == "max" else avg_pool
            if kind not in self._pooled:
                self._pooled[kind] = pool(self._feature, self._size)
            # One filter per new shift: the original's feature map and its pooling are cached.
            inv = self._invariance
            moved = np.maximum(apply_filter(inv._shift(self._image, k, 1), self._kernel), 0.0)
            equivariance = inv._moved_difference(self._feature, moved, k, 1)
            before, after = inv._compare_maps(
                self._feature,
                moved,
                self._pooled[kind],
                pool,
                (self._size, self._size),
                1,
                self._max_shift,
            )
            size = self._size
            moved_by = f"the input moved {k} pixel{'s' if k != 1 else ''} right"
            words = f"After {size}x{size} {kind} pooling"
            self._measured[key] = (
                (equivariance, before, after),
                self._close_up(moved, 1, f"Feature map, {moved_by}"),
                self._close_up(self._pooled[kind], size, f"{words}, the original"),
                self._close_up(pool(moved, size), size, f"{words}, {moved_by}"),
            )
        return self._measured[key]

    def _update(self):
        k = self.shift.value
        kind = self.pool.value
        numbers, before_shifted, after, after_shifted = self._measure(k, kind)
        self.equivariance, self.correlation_before, self.correlation_after = numbers
        size = self._size
        label = f"{size}×{size} {kind} pooling"
        self.before_shifted.show(*before_shifted)
        self.after.show(*after)
        self.after_shifted.show(*after_shifted)
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
