"""Shared test setup: headless plotting, quiet TensorFlow, and no network at all."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

OFFLINE_DIR = Path(__file__).parent / "offline"
sys.path.insert(0, str(OFFLINE_DIR))
import _network_guard  # noqa: E402,F401  (installs the guard for the whole test session)

# The widget tests' shared fixtures (tests/_widget_helpers.py), registered for every test.
from _widget_helpers import calls, count_filters, model, shipped  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def keras():
    """Keras 3 on TensorFlow, imported once (it costs seconds)."""
    import keras as _keras

    return _keras


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO
