"""Text alternatives for pictures: what a screen reader says instead of a figure or a widget
picture, with the numbers behind it.

Figures: in IPython (Jupyter), importing :mod:`cnnviz.plotting` calls :func:`enable`, which
registers a display formatter for matplotlib figures. Every figure the notebook shows is then
sent as an HTML ``<img>`` with an ``alt`` text (JupyterLab, Notebook 7 and Voila render that
before the plain PNG, which keeps the same text in its ``alt`` metadata) and the text itself as
the plain-text form. The text is the figure's own (:func:`set_alt_text`) or one read from what
is drawn (:func:`describe_figure`): titles, every picture's size and value range, the colours
that carry a meaning, bars, curves and axis labels. Notebook cells stay as they are.
"""

from __future__ import annotations

import base64
import html

import numpy as np

__all__ = [
    "alt_text",
    "describe_figure",
    "describe_scale",
    "describe_values",
    "disable",
    "enable",
    "set_alt_text",
    "shorten",
]

_ATTRIBUTE = "_cnnviz_alt_text"
#: Longest text written for one picture (characters); the rest is cut with "...". Chromium
#: drops an accessible name of more than about 1,000 characters altogether (checked with
#: Chromium's accessibility tree): a screen reader would then get nothing.
MAX_LENGTH = 900
#: Panels described one by one; a figure with more is summarised.
MAX_PANELS = 12
#: Numbers, bars or points listed one by one; more are summarised.
MAX_ITEMS = 24


def _number(value) -> str:
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}".replace(",", "")
    return f"{value:.3g}"


def describe_values(values, *, negative: str | None = None) -> str:
    """Size and value range of a 2-D picture (or a colour picture), for a text alternative.

    Parameters
    ----------
    values : array_like, shape (H, W) or (H, W, C)
    negative : str, optional
        How negative values are shown (e.g. ``"black"``): adds the share of negative pixels.

    Returns
    -------
    str

    Examples
    --------
    >>> describe_values([[-1, 0], [2, 3]], negative="black")
    '2x2, values -1 to 3, 25% negative shown black'
    """
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 3:
        return f"{arr.shape[0]}x{arr.shape[1]} colour picture"
    if arr.size == 0:
        return f"{'x'.join(str(n) for n in arr.shape)}, empty"
    finite = arr[np.isfinite(arr)]
    if arr.ndim != 2 or finite.size == 0:
        return f"{'x'.join(str(n) for n in arr.shape)}"
    low, high = _number(finite.min()), _number(finite.max())
    text = f"{arr.shape[0]}x{arr.shape[1]}, values {low} to {high}"
    if negative is not None:
        share = float((finite < 0).mean()) * 100
        if share:
            text += f", {share:.0f}% negative shown {negative}"
    return text


def set_alt_text(fig, text: str):
    """Give ``fig`` (a matplotlib Figure) the text alternative ``text``; return ``fig``.

    Examples
    --------
    >>> import matplotlib.figure
    >>> fig = set_alt_text(matplotlib.figure.Figure(), "an empty figure")
    >>> alt_text(fig)
    'an empty figure'
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str; got {type(text).__name__}.")
    setattr(fig, _ATTRIBUTE, text)
    return fig


def alt_text(fig) -> str:
    """The text alternative of ``fig``: the one set with :func:`set_alt_text`, or
    :func:`describe_figure`.

    Examples
    --------
    >>> import matplotlib.figure
    >>> fig = matplotlib.figure.Figure()
    >>> fig.subplots().bar(["cat", "dog"], [3, 5])
    <BarContainer object of 2 artists>
    >>> alt_text(fig)
    'Figure: bars: cat 3, dog 5.'
    """
    text = getattr(fig, _ATTRIBUTE, None)
    return text if text else describe_figure(fig)


# ------------------------------------------------------------------ reading a figure
_COLOUR_WORDS = [
    ("black", (0, 0, 0)),
    ("white", (1, 1, 1)),
    ("grey", (0.5, 0.5, 0.5)),
    ("dark red", (0.5, 0, 0)),
    ("red", (0.85, 0.1, 0.1)),
    ("orange", (1, 0.6, 0)),
    ("yellow", (1, 1, 0.3)),
    ("green", (0.1, 0.6, 0.2)),
    ("blue", (0.15, 0.3, 0.85)),
    ("dark blue", (0.05, 0.1, 0.4)),
    ("purple", (0.45, 0.1, 0.55)),
    ("dark purple", (0.25, 0.0, 0.3)),
    ("pale yellow", (0.99, 0.99, 0.75)),
]


def _colour_word(rgb) -> str:
    rgb = np.asarray(rgb[:3], dtype=float)
    return min(_COLOUR_WORDS, key=lambda item: float(((rgb - item[1]) ** 2).sum()))[0]


def describe_scale(cmap, vmin, vmax) -> str:
    """What the colours of ``cmap`` mean between ``vmin`` and ``vmax``, in words (a colour
    map's meaning must never be in colour alone).

    Parameters
    ----------
    cmap : str or matplotlib Colormap
    vmin, vmax : float

    Returns
    -------
    str

    Examples
    --------
    >>> describe_scale("gray", 0, 255)
    'black for 0 and below, white for 255 and above'
    >>> describe_scale("RdBu_r", -4, 4)
    'dark blue for -4 and below, dark red for 4 and above, white for 0'
    """
    import matplotlib

    cmap = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    low, high = _colour_word(cmap(0.0)), _colour_word(cmap(1.0))
    text = f"{low} for {_number(vmin)} and below, {high} for {_number(vmax)} and above"
    if vmin < 0 < vmax:
        text += f", {_colour_word(cmap((0.0 - vmin) / (vmax - vmin)))} for 0"
    return text


def _image_text(image) -> str:
    arr = np.ma.getdata(image.get_array())
    if arr is None:
        return "a picture"
    arr = np.asarray(arr, dtype=float)
    if arr.ndim == 3:
        return f"a {arr.shape[0]}x{arr.shape[1]} colour picture"
    text = f"a {describe_values(arr).replace(', ', ' picture, ', 1)}"
    norm, cmap = image.norm, image.get_cmap()
    if norm.vmin is not None and norm.vmax is not None and norm.vmax > norm.vmin:
        if _colour_word(cmap(0.0)) != _colour_word(cmap(1.0)):
            text += f" ({describe_scale(cmap, norm.vmin, norm.vmax)})"
    return text


def _numbers_text(texts) -> str:
    words = [t.get_text().strip() for t in texts if t.get_visible() and t.get_text().strip()]
    if not words:
        return ""
    if len(words) > MAX_ITEMS:
        return f"{len(words)} numbers written on it, starting {', '.join(words[:8])}"
    return "written on it: " + ", ".join(words)


def _tick_labels(ax, axis):
    ticks = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in ticks]


def _bars_text(ax) -> str:
    from matplotlib.container import BarContainer

    parts = []
    for container in ax.containers:
        if not isinstance(container, BarContainer):
            continue
        heights = [
            p.get_height() if container.orientation == "vertical" else p.get_width()
            for p in container.patches
        ]
        if container.orientation == "vertical":
            places = [p.get_x() + p.get_width() / 2 for p in container.patches]
            ticks, labels = ax.get_xticks(), _tick_labels(ax, "x")
        else:
            places = [p.get_y() + p.get_height() / 2 for p in container.patches]
            ticks, labels = ax.get_yticks(), _tick_labels(ax, "y")
        names = []
        for place in places:
            near = [i for i, t in enumerate(ticks) if abs(t - place) < 1e-6]
            known = near and near[0] < len(labels) and labels[near[0]]
            names.append(labels[near[0]] if known else _number(place))
        label = container.get_label()
        head = f"bars {label}: " if label and not label.startswith("_") else "bars: "
        items = [f"{n} {_number(h)}" for n, h in zip(names, heights, strict=True)]
        if len(items) > MAX_ITEMS:
            items = items[:MAX_ITEMS] + [f"and {len(items) - MAX_ITEMS} more"]
        parts.append(head + ", ".join(items))
    return "; ".join(parts)


def _lines_text(ax) -> str:
    parts = []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        if y.size == 0:
            continue
        label = line.get_label()
        named = bool(label) and not label.startswith("_")
        if not named and y.size <= 2:
            continue  # a guide line (grid, marker) without a label says nothing by itself
        name = label if named else "a line"
        if y.size <= 12:
            values = ", ".join(_number(v) for v in y)
            parts.append(f"{name}: {values} (x {_number(x[0])} to {_number(x[-1])})")
        else:
            parts.append(
                f"{name}: {y.size} points, from {_number(y[0])} to {_number(y[-1])}, "
                f"lowest {_number(np.nanmin(y))}, highest {_number(np.nanmax(y))}"
            )
    return "; ".join(parts[:MAX_ITEMS])


def _axes_text(ax) -> str:
    parts = []
    images = ax.get_images()
    for image in images:
        parts.append(_image_text(image))
    bars = _bars_text(ax)
    if bars:
        parts.append(bars)
    lines = _lines_text(ax)
    if lines:
        parts.append(lines)
    numbers = _numbers_text(ax.texts)
    if numbers:
        parts.append(numbers)
    if not images:
        labels = [
            f"{axis} axis {label}"
            for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel()))
            if label
        ]
        if labels:
            parts.append(", ".join(labels))
    return "; ".join(parts)


def _title(ax) -> str:
    for loc in ("center", "left", "right"):
        title = ax.get_title(loc=loc).strip()
        if title:
            return title.replace("\n", " ")
    return ""


def _is_colorbar(ax) -> bool:
    return getattr(ax, "_colorbar", None) is not None


def describe_figure(fig) -> str:
    """A text alternative read from what ``fig`` draws: the title, then per panel its title,
    its pictures (size, value range, what the colours mean), bars, curves and numbers.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    str

    Examples
    --------
    >>> import matplotlib.figure
    >>> fig = matplotlib.figure.Figure()
    >>> ax = fig.subplots()
    >>> _ = ax.imshow([[0, 255], [128, 64]], cmap="gray", vmin=0, vmax=255)
    >>> _ = ax.set_title("four pixels")
    >>> print(describe_figure(fig))
    Figure: four pixels: a 2x2 picture, values 0 to 255 (black for 0 and below, white for 255
    and above).
    """
    panels = [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax)]
    suptitle = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    head = f"Figure: {suptitle.strip()}" if suptitle and suptitle.strip() else "Figure"
    described = [(ax, _title(ax), _axes_text(ax)) for ax in panels]
    described = [(ax, t, d) for ax, t, d in described if t or d]
    if not described:
        return f"{head}, empty."
    if len(described) == 1:
        _, title, text = described[0]
        body = ": ".join(p for p in (title, text) if p)
        return shorten(f"{head}: {body}.")
    if len(described) <= MAX_PANELS:
        items = [
            f"({i}) " + ": ".join(p for p in (title, text) if p)
            for i, (_, title, text) in enumerate(described, 1)
        ]
        return shorten(f"{head}, {len(described)} panels. " + "; ".join(items) + ".")
    # Many panels (a grid of kernels or feature maps): what they have in common.
    sizes, lows, highs = set(), [], []
    for ax, _, _ in described:
        for image in ax.get_images():
            arr = np.asarray(np.ma.getdata(image.get_array()), dtype=float)
            sizes.add("x".join(str(n) for n in arr.shape[:2]))
            finite = arr[np.isfinite(arr)]
            if finite.size:
                lows.append(finite.min())
                highs.append(finite.max())
    text = f"{head}, {len(described)} panels"
    if sizes:
        text += f", each a {' or '.join(sorted(sizes))} picture"
    if lows:
        text += f", values {_number(min(lows))} to {_number(max(highs))} overall"
        first = described[0][0].get_images()
        colours = _image_text(first[0]) if first else ""
        if "(" in colours:
            text += " " + colours[colours.index("(") :]
    titles = [t for _, t, _ in described if t]
    if titles:
        shown = titles[:MAX_ITEMS]
        text += ". Titles: " + ", ".join(shown) + (", ..." if len(titles) > len(shown) else "")
    return shorten(text + ".")


def shorten(text: str) -> str:
    """``text`` on one line, cut to :data:`MAX_LENGTH` characters.

    Examples
    --------
    >>> shorten("a title   on two lines")
    'a title on two lines'
    """
    text = " ".join(text.split())  # a title on two lines reads as one
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 3].rstrip() + "..."


# ------------------------------------------------------------------ IPython display
def _mimebundle(fig, include=None, exclude=None):
    """IPython mimebundle formatter: PNG, ``<img alt>`` and the text, or None to step aside."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            return None
        data = shell.display_formatter.formatters["image/png"](fig)
        if data is None:
            return None  # PNG output is switched off (e.g. SVG figures): IPython's own way
        metadata = {}
        if isinstance(data, tuple):
            data, metadata = data
        encoded = data if isinstance(data, str) else base64.b64encode(data).decode("ascii")
        text = alt_text(fig)
        size = "".join(
            f' {key}="{int(metadata[key])}"' for key in ("width", "height") if key in metadata
        )
        img = f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(text)}"{size}>'
    except Exception:  # a figure is always shown, with or without its text
        return None
    return (
        {"image/png": data, "text/html": img, "text/plain": text},
        {"image/png": {**metadata, "alt": text}},
    )


def enable(shell=None) -> bool:
    """Show every matplotlib figure in IPython with its text alternative (see the module
    docstring). Called when :mod:`cnnviz.plotting` is imported.

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell, optional
        The running one by default.

    Returns
    -------
    bool
        False outside IPython (nothing to do).

    Examples
    --------
    >>> enable()  # in a plain Python session there is no notebook to show figures in
    False
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    from matplotlib.figure import Figure

    shell.display_formatter.mimebundle_formatter.for_type(Figure, _mimebundle)
    return True


def disable(shell=None) -> None:
    """Undo :func:`enable`: figures are shown as IPython shows them by default.

    Examples
    --------
    >>> disable()  # outside IPython: nothing to undo
    """
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        return
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.mimebundle_formatter
    if formatter.type_printers.get(Figure) is _mimebundle:
        formatter.pop(Figure)
