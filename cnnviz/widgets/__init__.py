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
* ``digit_pad``: the digit pad (notebook 06).
"""

# Constants a notebook or a test may read (not in __all__, as before the split).
from cnnviz.widgets._base import MARK_COLOUR as MARK_COLOUR
from cnnviz.widgets._base import PICTURE_MIN_SIZE as PICTURE_MIN_SIZE
from cnnviz.widgets.digit_pad import MAX_UPLOAD_BYTES as MAX_UPLOAD_BYTES
from cnnviz.widgets.digit_pad import STEP_PICTURE_SIZE as STEP_PICTURE_SIZE
from cnnviz.widgets.digit_pad import DigitPad, digit_pad
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
