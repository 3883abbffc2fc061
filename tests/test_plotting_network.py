"""Figures of a trained network (cnnviz.plotting.network): kernels, feature maps, layers.

No pixels are compared: the tests read back the data, limits, titles and patches that
matplotlib holds for each Axes.
"""

from __future__ import annotations

import numpy as np
import pytest
from _plot_helpers import close_figures  # noqa: F401 (autouse)

from cnnviz import plotting as P


# --------------------------------------------------------------------------- kernels and maps
def test_kernel_grid_shares_one_diverging_scale():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(3, 3, 2, 10))
    fig, axes = P.kernel_grid(weights, channel=1, ncols=4)
    assert axes.shape == (3, 4)
    limit = np.abs(weights[:, :, 1, :]).max()
    for f in range(10):
        drawn = axes.flat[f].images[0]
        np.testing.assert_allclose(drawn.get_array(), weights[:, :, 1, f])
        assert drawn.get_clim() == pytest.approx((-limit, limit))
        assert drawn.get_cmap().name == "RdBu_r"
    assert not axes.flat[10].axison and not axes.flat[11].axison  # the two spare panels
    fig3, axes3 = P.kernel_grid(weights[:, :, 0, :3])  # (kh, kw, filters) works too
    np.testing.assert_allclose(axes3.flat[2].images[0].get_array(), weights[:, :, 0, 2])


def test_kernel_grid_errors():
    with pytest.raises(ValueError, match=r"`channel` must be at most 1; got 2"):
        P.kernel_grid(np.zeros((3, 3, 2, 4)), channel=2)
    with pytest.raises(ValueError, match=r"`weights` must be 3-D or 4-D"):
        P.kernel_grid(np.zeros((3, 3)))


def test_show_feature_maps_shared_and_own_scales():
    maps = np.zeros((4, 4, 3))
    maps[..., 0] = 1.0
    maps[..., 2] = 8.0
    fig, axes = P.show_feature_maps(maps, ncols=2)
    assert axes.shape == (2, 2)
    assert [axes.flat[i].images[0].get_clim() for i in range(3)] == [(0.0, 8.0)] * 3
    fig, axes = P.show_feature_maps(maps, shared=False, titles=["a", "b", "c"])
    assert axes.flat[0].images[0].get_clim() == (0.0, 1.0)
    assert axes.flat[1].images[0].get_clim() == (0.0, 1.0)  # an all-zero map: no empty range
    assert axes.flat[2].get_title() == "c"
    with pytest.raises(ValueError, match=r"`titles` must have one title per map \(3\); got 1"):
        P.show_feature_maps(maps, titles=["a"])


def test_show_layers_is_the_classic_grid():
    rng = np.random.default_rng(1)
    images = rng.random((3, 8, 8))
    maps = {"conv1": rng.random((3, 6, 6, 4)), "pool1": rng.random((3, 3, 3, 4))}
    fig, axes = P.show_layers(images, maps, 2, labels=["a", "b", "c"])
    assert axes.shape == (3, 3)
    assert [ax.get_title() for ax in axes[0]] == ["input", "conv1 #2", "pool1 #2"]
    assert axes[1, 0].get_ylabel() == "b"
    for c, name in enumerate(maps, start=1):
        column_max = maps[name][..., 2].max()
        for r in range(3):
            drawn = axes[r, c].images[0]
            np.testing.assert_allclose(drawn.get_array(), maps[name][r, :, :, 2])
            assert drawn.get_clim() == pytest.approx((0.0, column_max))


def test_show_layers_errors():
    images = np.zeros((2, 8, 8))
    maps = {"conv1": np.zeros((2, 6, 6, 4)), "conv2": np.zeros((2, 4, 4, 8))}
    with pytest.raises(ValueError, match=r"`filter_index` must be at most 3; got 5"):
        P.show_layers(images, maps, 5)
    with pytest.raises(ValueError, match=r"`maps\['conv1'\]` must hold maps for the 3 images"):
        P.show_layers(np.zeros((3, 8, 8)), maps)
    with pytest.raises(TypeError, match=r"`maps` must be a dict of layer name"):
        P.show_layers(images, [np.zeros((2, 6, 6, 4))])
    with pytest.raises(ValueError, match=r"`labels` must have one label per image"):
        P.show_layers(images, maps, labels=["x"])
