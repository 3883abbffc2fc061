"""ipywidgets builders for the notebooks, one module per widget family.

Every builder returns a widget and leaves ``display`` to the notebook. Each widget keeps the
objects a test (or a curious student) needs as attributes, so it can be driven without a
browser: set ``editor.cells[1][1].value = "5"`` and look at ``editor.result``.

Two rules hold for all of them:

* Bad input never kills a widget: the message appears next to the control and the last good
  picture stays. Typed text is parsed as a number, never evaluated as code.
* Pictures are PNG bytes in an ``ipywidgets.Image`` updated in place (no flicker, no
  matplotlib redraw), so a change shows in a few milliseconds.

Interactive parts carry CSS classes ``cnnviz-<widget>-<part>`` so browser tests can find them.

The rooms, named after what they teach (no family imports another):

* ``_base``: the shared controls: pictures, messages, CSS part tags, error display.
* ``filters``: the kernel editor and the pixel inspector (notebook 01).
* ``pooling``: the pooling sandbox, explorer and shift explorer (notebook 02).
* ``sizes``: the output-size calculator (notebook 03).
* ``feature_maps``: the feature-map explorer (notebook 05).
* ``digit_pad``: the digit pad (notebook 06); :func:`digit_pad` below hands it the
  feature-map explorer it shows the digit's feature maps in.
"""

# Constants a notebook or a test may read (not in __all__, as before the split).
from cnnviz.widgets._base import MARK_COLOUR as MARK_COLOUR
from cnnviz.widgets._base import PICTURE_MIN_SIZE as PICTURE_MIN_SIZE
from cnnviz.widgets.digit_pad import MAX_UPLOAD_BYTES as MAX_UPLOAD_BYTES
from cnnviz.widgets.digit_pad import STEP_PICTURE_SIZE as STEP_PICTURE_SIZE
from cnnviz.widgets.digit_pad import DigitPad
from cnnviz.widgets.digit_pad import digit_pad as _pad_alone
from cnnviz.widgets.feature_maps import FEATURE_PICTURE_SIZE as FEATURE_PICTURE_SIZE
from cnnviz.widgets.feature_maps import (
    FeatureMapExplorer,
    ModelOpener,
    feature_map_explorer,
    model_opener,
)
from cnnviz.widgets.filters import KernelEditor, PixelInspector, kernel_editor, pixel_inspector
from cnnviz.widgets.pooling import (
    PoolingExplorer,
    PoolingSandbox,
    ShiftExplorer,
    pooling_explorer,
    pooling_sandbox,
    shift_explorer,
)
from cnnviz.widgets.sizes import OutputSizeCalculator, output_size_calculator


def digit_pad(model, *, class_names=None, canvas=True, size=280, brush=11, start=None):
    """A digit pad: draw, upload or type a digit; the model classifies it live.

    The family's :func:`cnnviz.widgets.digit_pad.digit_pad` with its digit's feature maps
    in a :func:`feature_map_explorer` (the pad and the explorer are separate families; this
    is where they meet). Every digit is pre-processed step by step, classified with
    probabilities, and its feature maps shown.

    Parameters
    ----------
    model : cnnviz.network.Network or keras.Model
        A digit classifier taking (N, 28, 28, 1).
    class_names, canvas, size, brush, start
        As for :func:`cnnviz.widgets.digit_pad.digit_pad`: the class names (default ``"0"``
        to ``"9"``), whether to offer the drawing surface, its side in pixels, the pen
        radius and the typed grid the pad starts with.

    Returns
    -------
    DigitPad
        An ``ipywidgets.VBox``; display it in the notebook. ``pad.explorer`` is its
        :class:`FeatureMapExplorer`.

    Examples
    --------
    >>> from cnnviz.network import SHIPPED_MODEL, Network
    >>> pad = digit_pad(Network.from_keras_file(SHIPPED_MODEL), canvas=False)
    >>> pad.prediction, type(pad.explorer).__name__
    (2, 'FeatureMapExplorer')
    """
    return _pad_alone(
        model,
        class_names=class_names,
        canvas=canvas,
        size=size,
        brush=brush,
        start=start,
        feature_view=feature_map_explorer,
    )


__all__ = [
    "DigitPad",
    "FeatureMapExplorer",
    "KernelEditor",
    "OutputSizeCalculator",
    "PixelInspector",
    "PoolingExplorer",
    "PoolingSandbox",
    "ShiftExplorer",
    "digit_pad",
    "feature_map_explorer",
    "model_opener",
    "ModelOpener",
    "kernel_editor",
    "output_size_calculator",
    "pixel_inspector",
    "pooling_explorer",
    "pooling_sandbox",
    "shift_explorer",
]
