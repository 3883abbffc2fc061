"""Helpers and fixtures the widget tests share (tests/test_widgets_*.py).

References are computed here independently of cnnviz: filters with SciPy or explicit
window sums, pooling by reshaping, feature maps by calling the layers one by one.
The fixtures are registered for every test by tests/conftest.py.
"""

from __future__ import annotations

import datetime
import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

import cnnviz.widgets.filters as WF
import cnnviz.widgets.pooling as WP
from cnnviz import models
from cnnviz.data import load_dataset
from cnnviz.models import load_pretrained, preprocess

COURSE_HOOD = np.array([[0, 64, 128], [48, 192, 144], [142, 226, 168]], dtype=float)


def correlate_valid(image, kernel):
    """Keras-style valid cross-correlation by SciPy, cropped by hand."""
    kernel = np.asarray(kernel, dtype=float)
    full = ndimage.correlate(np.asarray(image, dtype=float), kernel, mode="constant")
    kh, kw = kernel.shape
    return full[
        kh // 2 : full.shape[0] - (kh - 1 - kh // 2), kw // 2 : full.shape[1] - (kw - 1 - kw // 2)
    ]


def window_sums(image, kernel):
    """The same by an explicit loop over positions (for tiny images)."""
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = (image[r : r + kh, c : c + kw] * kernel).sum()
    return out


def pool_by_reshape(values, size, kind="max"):
    h, w = (values.shape[0] // size) * size, (values.shape[1] // size) * size
    blocks = values[:h, :w].reshape(h // size, size, w // size, size)
    return blocks.max(axis=(1, 3)) if kind == "max" else blocks.mean(axis=(1, 3))


def decode(png):
    return np.array(Image.open(io.BytesIO(png)).convert("RGB"))


def classes(widget):
    return set(widget._dom_classes)


@pytest.fixture
def count_filters(monkeypatch):
    """Count calls of apply_filter made by the filter widgets."""
    calls = []
    original = WF.apply_filter

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    for family in (WF, WP):
        monkeypatch.setattr(family, "apply_filter", counting)
    return calls


@pytest.fixture(scope="module")
def model(keras):
    return load_pretrained()


@pytest.fixture(scope="module")
def shipped():
    return load_dataset("mnist", source="shipped")


@pytest.fixture
def calls(monkeypatch):
    """Count the model calls the widgets make (activations and predictions), with sizes."""
    made = {"activations": [], "predict": []}
    real_activations, real_predict = models.activations, models.predict

    def activations(model, images):
        made["activations"].append(len(np.asarray(images)))
        return real_activations(model, images)

    def predict(model, images):
        made["predict"].append(np.asarray(images).shape)
        return real_predict(model, images)

    monkeypatch.setattr(models, "activations", activations)
    monkeypatch.setattr(models, "predict", predict)
    return made


def layer_by_layer(model, images):
    """Every layer's output, calling the layers one after the other (no activation model)."""
    h = preprocess(images)
    out = {}
    for layer in model.layers:
        h = layer(h)
        out[layer.name] = np.asarray(h)
    return out


def palette_indices(png, shape):
    """The colour-table index of every pixel of an enlarged palette PNG, at ``shape``."""
    picture = Image.open(io.BytesIO(png))
    assert picture.mode == "P"
    indices = np.array(picture)
    factor = indices.shape[0] // shape[0]
    assert indices.shape == (shape[0] * factor, shape[1] * factor)
    return indices[::factor, ::factor].astype(int)


def expected_indices(values, limit):
    return np.round(np.clip(values / limit, 0, 1) * 255).astype(int)


def upload_entry(data, name="digit.png", kind="image/png", size=None):
    """One entry of ipywidgets 8's FileUpload.value."""
    return {
        "name": name,
        "type": kind,
        "size": len(data) if size is None else size,
        "content": memoryview(data),
        "last_modified": datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
    }


def png(image, mode="L"):
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_of(digit, factor=8):
    """A shipped digit as a scan would show it: dark ink on white paper, larger, off-centre."""
    ink = np.kron(digit.astype(float), np.ones((factor, factor)))
    paper = np.full((28 * factor + 60, 28 * factor + 20), 255.0)
    paper[50 : 50 + 28 * factor, 5 : 5 + 28 * factor] -= ink * 0.9
    return paper
