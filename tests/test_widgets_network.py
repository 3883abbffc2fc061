"""The feature-map explorer and the digit pad on a cnnviz.network.Network: the same widgets
as on a Keras model, checked against the Keras outputs stored beside the shipped model, and
never importing TensorFlow."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import cnnviz.widgets as W
from cnnviz.data import load_dataset
from cnnviz.network import SHIPPED_MODEL, Network, keras_outputs


@pytest.fixture(scope="module")
def net():
    return Network.from_keras_file(SHIPPED_MODEL)


@pytest.fixture(scope="module")
def shipped():
    return load_dataset("mnist", source="shipped")


@pytest.fixture
def counted(net, monkeypatch):
    """Count the network's forward passes (batch sizes) made by the widgets."""
    made = {"activations": [], "predict": []}
    real_activations, real_predict = Network.activations, Network.predict

    def activations(self, images, layers=None):
        made["activations"].append(len(np.asarray(images)))
        return real_activations(self, images, layers)

    def predict(self, images):
        made["predict"].append(np.asarray(images).shape)
        return real_predict(self, images)

    monkeypatch.setattr(Network, "activations", activations)
    monkeypatch.setattr(Network, "predict", predict)
    return made


def test_explorer_on_a_network_shows_what_keras_computed(net, shipped, counted):
    stored = keras_outputs()
    explorer = W.feature_map_explorer(net, shipped.x_test[:20])
    assert counted["activations"] == [3]
    assert explorer.indices == tuple(stored.digits) == (0, 1, 2)
    assert explorer.columns == [("conv1", 0), ("pool1", 0), ("conv2", 0), ("pool2", 0)]
    assert explorer.filter.max == 31
    explorer.filter.value = 9
    assert counted["activations"] == [3]  # a slider move never runs the network
    for r in range(3):
        for c, (name, f) in enumerate(explorer.columns):
            keras_map = stored.activations[name][r, :, :, f]
            np.testing.assert_allclose(explorer.shown[r][c], keras_map, rtol=1e-5, atol=1e-5)
    limit = float(stored.activations["conv1"][:, :, :, 9].max())
    assert explorer.limits[0] == pytest.approx((0.0, limit), rel=1e-5)
    explorer.layer.value = "conv2"
    assert explorer.filter.max == 64 - 6  # "from filter": 6 side by side
    assert counted["activations"] == [3]
    explorer.images.value = "4, 5"
    assert counted["activations"] == [3, 2]
    explorer.images.value = "0, 1, 2"  # seen before: cached
    assert counted["activations"] == [3, 2]


def test_explorer_on_a_network_keeps_the_grid_on_bad_input(net, shipped):
    explorer = W.feature_map_explorer(net, shipped.x_test[:5])
    before = explorer.picture.value
    explorer.images.value = "0, 99"
    assert "there is no image 99" in explorer.message.value
    assert explorer.picture.value == before
    with pytest.raises(ValueError, match=r"`images` must be 28x28 pixels"):
        explorer.set_images(np.zeros((2, 32, 32), np.uint8))
    assert explorer.picture.value == before


def test_digit_pad_on_a_network(net, counted):
    pad = W.digit_pad(net)
    assert pad.source == "the typed grid" and pad.prediction == 2
    assert counted["predict"] == [(28, 28)] and counted["activations"] == [1]
    pad.clear_drawing()
    pad.stroke([(140, 40), (140, 240)])  # a vertical bar: a one
    assert pad.source == "your drawing" and pad.prediction == 1
    np.testing.assert_allclose(pad.probabilities, net.predict(pad.steps.digit)[0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"one name per model output \(10\); got 3"):
        W.digit_pad(net, class_names=["a", "b", "c"])


def test_the_pad_family_shows_the_feature_view_it_is_given(net):
    import ipywidgets

    from cnnviz.widgets import digit_pad as pad_family  # the function; its module below

    family = sys.modules["cnnviz.widgets.digit_pad"]
    assert pad_family is W.digit_pad and family.digit_pad is not W.digit_pad
    # The public builder hands the pad the feature-map explorer ...
    assert isinstance(W.digit_pad(net, canvas=False).explorer, W.FeatureMapExplorer)
    # ... the family alone shows no feature maps, or the view it is given, fed every digit.
    alone = family.digit_pad(net, canvas=False)
    assert alone.explorer is None and alone.prediction == 2
    made = []

    class View(ipywidgets.HTML):
        def set_images(self, images, labels=None):
            made.append((np.asarray(images).shape, labels))

    def view(model, images, labels=None, max_images=None):
        made.append((model, np.asarray(images).shape, labels, max_images))
        return View("maps")

    pad = family.digit_pad(net, canvas=False, feature_view=view)
    assert isinstance(pad.explorer, View) and pad.explorer in pad.children
    assert made[0][0] is net and made[0][1:] == ((1, 28, 28), ["the typed grid: 2"], 1)
    pad.stroke([(140, 40), (140, 240)])
    assert made[-1] == ((1, 28, 28), ["your drawing: 1"])
    with pytest.raises(TypeError, match=r"`feature_view` must be a function .*; got 'feature_"):
        family.digit_pad(net, feature_view="feature_map_explorer")


def test_widgets_on_a_network_never_import_tensorflow():
    code = (
        "import sys, numpy as np\n"
        "import cnnviz.widgets as W\n"
        "from cnnviz.network import Network, SHIPPED_MODEL\n"
        "net = Network.from_keras_file(SHIPPED_MODEL)\n"
        "e = W.feature_map_explorer(net, np.zeros((5, 28, 28), np.uint8))\n"
        "e.filter.value = 3; e.layer.value = 'conv2'; e.images.value = '3, 4'\n"
        "pad = W.digit_pad(net, canvas=False)\n"
        "pad.grid.value = pad.grid.value.replace('#', '.', 5)\n"
        "print(pad.prediction in range(10), sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('tensorflow', 'keras')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True []"


def test_model_opener_opens_good_files_and_explains_bad_ones():
    from _widget_helpers import upload_entry

    opener = W.model_opener()
    assert opener.network is None
    opener.upload.value = (upload_entry(SHIPPED_MODEL.read_bytes(), "mnist_cnn.keras", ""),)
    assert opener.network is not None and opener.network.name == "mnist_cnn"
    assert "mnist_cnn.keras: opened &#x27;mnist_cnn&#x27;, 7 layers" in opener.message.value
    assert "Total params: 225,034" in opener.summary.value
    good = opener.network
    assert not opener.open_file(b"Dear diary", "diary.keras")
    assert opener.network is good  # the last model that opened stays
    assert opener.error.startswith("diary.keras is not a zip archive")
    assert "&#9888;" in opener.message.value and "last one that opened" in opener.message.value
    assert "Total params: 225,034" in opener.summary.value
