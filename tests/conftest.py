"""Shared test setup: headless plotting, quiet TensorFlow, and no network at all."""

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

OFFLINE_DIR = Path(__file__).parent / "offline"
sys.path.insert(0, str(OFFLINE_DIR))
import _network_guard  # noqa: E402,F401  (installs the guard for the whole test session)

# The widget tests' shared fixtures (tests/_widget_helpers.py), registered for every test.
from _widget_helpers import calls, count_filters, model, shipped  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]

# The version matrix's sessions without TensorFlow (noxfile.py, run by CI) ask whether cnnviz
# works with other versions of its dependencies, not for new inputs: `--hypothesis-profile
# compat` gives every property test at most COMPAT_EXAMPLES examples, also those whose
# @settings ask for more (a profile alone changes only the defaults). The README's test
# command keeps Hypothesis' default profile and every test's own max_examples.
COMPAT_PROFILE = "compat"
COMPAT_EXAMPLES = 10
# derandomize: the same examples on every run, so CI never fails at random (the README's test
# command keeps drawing new ones).
settings.register_profile(
    COMPAT_PROFILE, max_examples=COMPAT_EXAMPLES, deadline=None, derandomize=True
)


def pytest_collection_modifyitems(config, items):
    if config.getoption("hypothesis_profile", None) != COMPAT_PROFILE:
        return
    for item in items:
        test = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        # Where @given keeps a test's settings, read when the test runs (Hypothesis 6.100+).
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if own is not None and own.max_examples > COMPAT_EXAMPLES:
            test._hypothesis_internal_use_settings = settings(own, max_examples=COMPAT_EXAMPLES)


@pytest.fixture(scope="session")
def keras():
    """Keras 3 on TensorFlow, imported once (it costs seconds)."""
    import keras as _keras

    return _keras


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO
