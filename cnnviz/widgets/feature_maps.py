"""Inside a trained network (notebook 05): the feature-map explorer."""

from __future__ import annotations

import html

import ipywidgets as widgets

from cnnviz._validation import (
    check_int,
    describe,
)
from cnnviz.plotting.png import array_to_png, grid_to_png
from cnnviz.plotting.text_alternatives import describe_scale, describe_values
from cnnviz.widgets._access import control_names
from cnnviz.widgets._base import (
    _error_html,
    _feature_channels,
    _feature_maps,
    _hide,
    _latest_upload,
    _message,
    _model_images,
    _note_html,
    _picture,
    _tag,
)

__all__ = [
    "FeatureMapExplorer",
    "ModelOpener",
    "feature_map_explorer",
    "model_opener",
]


# The model is a cnnviz.network.Network (NumPy, no TensorFlow) or a Keras model; the helpers
# of cnnviz.widgets._base call the right one.
#: Side, in screen pixels, of each picture in the feature-map grid.
FEATURE_PICTURE_SIZE = 112
_LABEL_HEIGHT = 22  # room above each row of feature maps for its image's label
_ROW_GAP = 6
_COLUMN_GAP = 8


_ALL_LAYERS = "all"


def _parse_indices(text, count, max_images):
    """'0, 5, 12' -> (0, 5, 12): whole numbers only, each below ``count``, duplicates dropped."""
    parts = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
    if not parts:
        raise ValueError(
            f"`images` is empty: type the numbers of 1 to {max_images} images, e.g. 0, 1, 2."
        )
    chosen = []
    for part in parts:
        # isdecimal, not isdigit: "²" is a digit that int() refuses; any script's 0-9 are fine.
        if not part.isdecimal() or len(part) > 12:
            raise ValueError(
                f"`images`: {describe(part)} is not an image number; type whole numbers from 0 to "
                f"{count - 1}, separated by commas, e.g. 0, 1, 2."
            )
        index = int(part)
        if index >= count:
            have = (
                "there is one image, number 0"
                if count == 1
                else (f"the numbers go from 0 to {count - 1}")
            )
            raise ValueError(f"`images`: there is no image {index}; {have}.")
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
    ``picture``, ``header``, ``inputs``
        One ``ipywidgets.Image`` with every feature map of the grid (CSS class
        ``cnnviz-feature-map-explorer-output``; :meth:`cell_box` says where each one is),
        the ``HTML`` column titles above it, and the input pictures beside it.
    ``shown``
        The 2-D arrays in ``picture`` (rows x columns), and ``limits`` the colour
        range of each column: (0, largest value of the column's maps over the images).
    """

    def __init__(
        self, model, images, *, indices, labels, filter, layer, cmap, max_images, per_layer
    ):
        self.model = model
        self.cmap = cmap
        self.max_images = max_images
        self.per_layer = per_layer
        self.channels = _feature_channels(model)
        self.layer_names = list(self.channels)
        if not self.layer_names:
            raise ValueError(
                f"`model` ({model.name}) has no Conv2D or pooling layer to explore; pass a CNN "
                f"such as `Network.from_keras_file(cnnviz.network.SHIPPED_MODEL)`."
            )
        self._pool = None
        self._labels = None
        self._cache = {}
        self.indices = ()
        self.maps = None
        self.columns = []
        self.inputs = []
        self._rows = []  # (row, label, picture) widgets of the input column, reused
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
        # One picture for all the feature maps: a slider move sends one message and the
        # page redraws once (a dozen Image widgets took a dozen messages and redraws).
        self.picture = _picture("cnnviz-feature-map-explorer-output", width="auto")
        self.picture.layout.max_width = "none"
        self.header = widgets.HTML()
        self._input_column = widgets.VBox(layout=widgets.Layout(margin="0"))
        self.grid = widgets.VBox([self.header, widgets.HBox([self._input_column, self.picture])])
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
                control_names("cnnviz-feature-map-explorer"),
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
        pool = _model_images(self.model, images)[..., 0]
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
        # One image (the digit pad's own digit): nothing to choose, so no Images field.
        _hide(self.images, len(pool) == 1)
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
        # Same images: only the grid of feature maps changes (the input column stays).
        self._redraw_grid()

    def _on_filter(self, change):
        if self._busy:
            return
        self._redraw_grid()

    def _redraw_grid(self):
        self._set_columns()
        self._draw_maps()

    # -- work
    def _load(self, indices):
        if indices not in self._cache:
            if len(self._cache) >= 8:  # a few sets back and forth stay instant; memory bounded
                self._cache.pop(next(iter(self._cache)))
            self._cache[indices] = _feature_maps(self.model, self._pool[list(indices)])
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
        """Show the current images beside the grid, then draw the grid.

        The rows of input pictures are widgets kept from one call to the next: a new set of
        images changes their pictures and labels (one message each) instead of creating new
        widgets, which the page would have to build and lay out again.
        """
        self._set_columns()
        size = FEATURE_PICTURE_SIZE
        while len(self._rows) < len(self.indices):
            picture = _picture("cnnviz-feature-map-explorer-input", width=f"{size}px")
            picture.layout.height = f"{size}px"
            picture.layout.margin = "0"
            title = widgets.HTML(layout=widgets.Layout(height=f"{_LABEL_HEIGHT}px", margin="0"))
            row = widgets.VBox(
                [title, picture],
                layout=widgets.Layout(
                    height=f"{_LABEL_HEIGHT + size + _ROW_GAP}px",
                    width=f"{size + _COLUMN_GAP}px",
                    margin="0",
                ),
            )
            self._rows.append((row, title, picture))
        self.inputs = []
        for (_, title, picture), index in zip(self._rows, self.indices, strict=False):
            picture.show(
                array_to_png(self._pool[index], "gray", 0, 1, min_size=size),
                f"Input {self._image_name(index)}: {describe_values(self._pool[index])}, "
                f"{describe_scale('gray', 0, 1)}",
            )
            label = f"image {index}" + (
                f": {html.escape(self._labels[index])}" if self._labels else ""
            )
            title.value = f"<small>{label}</small>"
            self.inputs.append(picture)
        rows = tuple(row for row, _, _ in self._rows[: len(self.indices)])
        if self._input_column.children != rows:
            self._input_column.children = rows
        self._draw_maps()

    def cell_box(self, row: int, column: int) -> tuple[int, int, int, int]:
        """(top, left, bottom, right) pixels of feature map (row, column) in ``picture``."""
        size = FEATURE_PICTURE_SIZE
        top = row * (_LABEL_HEIGHT + size + _ROW_GAP) + _LABEL_HEIGHT
        left = column * (size + _COLUMN_GAP)
        return top, left, top + size, left + size

    def _draw_maps(self):
        self.shown = [[None] * len(self.columns) for _ in self.indices]
        self.limits = []
        titles = []
        for c, (name, f) in enumerate(self.columns):
            chosen = self.maps[name][..., f]
            high = float(chosen.max())
            limit = high if high > 0 else 1.0  # a filter silent on these images shows black
            self.limits.append((0.0, limit))
            height, width = chosen.shape[1:]
            titles.append(f"<b>{name} #{f}</b><br><small>{height}×{width}, max {high:.2g}</small>")
            for r in range(len(self.indices)):
                self.shown[r][c] = chosen[r]
        size = FEATURE_PICTURE_SIZE
        cell = f'<div style="display:inline-block;width:{size + _COLUMN_GAP}px;' + (
            'vertical-align:bottom;line-height:1.2">'
        )
        png = grid_to_png(
            self.shown,
            self.limits,
            self.cmap,
            size=size,
            gap=_COLUMN_GAP,
            top=_LABEL_HEIGHT,
            bottom=_ROW_GAP,
        )
        self.picture.show(png, self._grid_alt())
        self.picture.layout.width = f"{len(self.columns) * (size + _COLUMN_GAP)}px"
        # The picture first (the page shows it a message earlier), then its titles.
        rows, cols = self._pool.shape[1:3]
        # Two lines like every column title (name, then size), so "input" sits on the title
        # line and its size on the size line.
        self.header.value = f"{cell}<b>input</b><br><small>{rows}×{cols}</small></div>" + "".join(
            f"{cell}{t}</div>" for t in titles
        )
        self._describe()

    def _grid_alt(self) -> str:
        """The grid of feature maps in words: which filter each column is, each map's range."""
        images = ", ".join(self._image_name(i) for i in self.indices)
        low, high = describe_scale(self.cmap, 0, 1).split(" for ")[0], "bright"
        parts = []
        for c, (name, f) in enumerate(self.columns):
            maps = "; ".join(
                f"{describe_values(self.shown[r][c]).split(', ', 1)[1]}"
                for r in range(len(self.indices))
            )
            h, w = self.shown[0][c].shape
            parts.append(f"{name} filter {f}, {h}x{w}: {maps}")
        return (
            f"Feature maps, one row per image ({images}), one column per filter, {low} for 0 "
            f"up to {high} at each column's largest value. " + ". ".join(parts) + "."
        )

    def _image_name(self, index) -> str:
        return f"image {index}" + (f" ({self._labels[index]})" if self._labels else "")

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
    model : cnnviz.network.Network or keras.Model
        A CNN: a :class:`cnnviz.network.Network` (NumPy; never imports TensorFlow) or a
        Keras model with an explicit input, e.g. :func:`cnnviz.models.load_pretrained`.
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
    >>> from cnnviz.network import SHIPPED_MODEL, Network
    >>> import numpy as np
    >>> net = Network.from_keras_file(SHIPPED_MODEL)
    >>> explorer = feature_map_explorer(net, np.zeros((4, 28, 28), np.uint8))
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
    from cnnviz.plotting.png import _lut

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


# --------------------------------------------------------------------------- your own model
#: Largest .keras upload the model opener reads (bytes).
MAX_MODEL_BYTES = 200_000_000


class ModelOpener(widgets.VBox):
    """Upload a ``.keras`` file and open it as a :class:`cnnviz.network.Network`.

    Attributes
    ----------
    upload : ipywidgets.FileUpload
    message : ipywidgets.HTML
        What was opened, or why the file cannot be opened (and what to do).
    summary : ipywidgets.HTML
        The opened network's layers, output shapes and parameter counts.
    network : cnnviz.network.Network or None
        The last file that opened; a bad file leaves it unchanged.
    error : str
        Why the last file did not open, as plain text ("" if it opened).
    """

    def __init__(self):
        self.network = None
        self.error = ""
        self.upload = widgets.FileUpload(accept=".keras", multiple=False, description="Model")
        self.message = _message("cnnviz-model-opener-message")
        self.summary = widgets.HTML()
        _tag("model-opener", {"upload": self.upload})
        super().__init__([widgets.HBox([self.upload, self.message]), self.summary])
        self.add_class("cnnviz-model-opener")
        self.message.value = _note_html(
            "Choose a .keras file saved by Keras 3 (model.save('name.keras'))."
        )
        self.upload.observe(self._on_upload, names="value")

    def open_file(self, content, name="the file") -> bool:
        """Open ``content`` (the bytes of a .keras file); True if it opened."""
        from cnnviz.network import Network

        try:
            if (
                isinstance(content, bytes | bytearray | memoryview)
                and len(content) > MAX_MODEL_BYTES
            ):
                raise ValueError(
                    f"{name} is {len(content) / 1e6:.0f} MB; at most "
                    f"{MAX_MODEL_BYTES / 1e6:.0f} MB are read here."
                )
            network = Network.from_keras_file(content, name=name)
        except (TypeError, ValueError) as error:
            self.error = str(error).replace("`", "")
            self.message.value = _error_html(
                f"{error} The model shown is the last one that opened."
            )
            return False
        self.network, self.error = network, ""
        self.message.value = _note_html(
            f"{name}: opened {network.name!r}, {len(network.layers)} layers, input "
            f"{(None, *network.input_shape)}, output {(None, *network.output_shape)}."
        )
        self.summary.value = f"<pre>{html.escape(str(network.summary()))}</pre>"
        return True

    def _on_upload(self, change):
        entry, name = _latest_upload(change)
        if entry is None:
            return
        content = entry.get("content", b"") if isinstance(entry, dict) else b""
        self.open_file(bytes(content), name)


def model_opener() -> ModelOpener:
    """A file upload that opens any supported ``.keras`` file without TensorFlow.

    The file is read by :meth:`cnnviz.network.Network.from_keras_file` (zipfile, json and
    h5py; no code from the file runs). A file it cannot open (not a .keras file, truncated,
    a layer it does not support, weights that do not fit) gets the reason and the fix
    beside the button, and the last model that opened stays.

    Returns
    -------
    ModelOpener
        Display it; ``opener.network`` is the opened network.

    Examples
    --------
    >>> from cnnviz.network import SHIPPED_MODEL
    >>> opener = model_opener()
    >>> opener.open_file(SHIPPED_MODEL.read_bytes(), "mnist_cnn.keras"), opener.network.name
    (True, 'mnist_cnn')
    >>> opener.open_file(b"hello", "notes.keras"), opener.network.name
    (False, 'mnist_cnn')
    """
    return ModelOpener()
