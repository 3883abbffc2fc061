"""What a figure in a notebook shows can be seen at the size it is shown (issue 10).

Item 10: notebook 01's family of filters showed the whole 512x512 ``camera`` at about 175
pixels, where identity, blur and gaussian_blur looked the same and "detail fades" could not
be seen. The notebook shows a piece instead; here the piece it names is measured at the
size it is drawn, against the whole photograph.
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
from _notebook_runner import NOTEBOOKS_DIR
from PIL import Image
from scipy import ndimage

from cnnviz.images import load_sample

SHOWN_PX = 175  # a 3-inch panel of plotting.image_grid in JupyterLab at its default zoom


def as_shown(image):
    """The picture at the size a student sees it (Pillow's bilinear resampling)."""
    picture = Image.fromarray(np.clip(image, 0, 255).astype(np.float32), mode="F")
    return np.asarray(picture.resize((SHOWN_PX, SHOWN_PX), Image.Resampling.BILINEAR))


def visible_change(image, kernel):
    """Mean grey-level change a 3x3 filter makes to ``image``, seen at SHOWN_PX."""
    filtered = ndimage.correlate(image, kernel, mode="constant")[1:-1, 1:-1]
    return float(np.abs(as_shown(image[1:-1, 1:-1]) - as_shown(filtered)).mean())


def family_piece():
    nb = nbformat.read(NOTEBOOKS_DIR / "01_what_a_filter_does.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if 'image_like = ["identity", "blur"' in c.source)
    found = re.search(r"piece = camera\[(\d+):(\d+), (\d+):(\d+)\]", source)
    assert found, f"the family cell no longer shows a piece of camera:\n{source}"
    assert "apply_filter(piece," in source, source
    r0, r1, c0, c1 = map(int, found.groups())
    return load_sample("camera")[r0:r1, c0:c1]


def test_the_family_shows_a_piece_where_the_blurs_differ_visibly():
    blur, gaussian = np.ones((3, 3)) / 9, np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16
    camera = load_sample("camera")
    piece = family_piece()
    assert piece.shape[0] <= SHOWN_PX  # enlarged, not shrunk
    whole = visible_change(camera, blur)
    assert whole < 1.0  # why the whole photograph could not show it (under 1 grey level)
    for kernel in (blur, gaussian):
        assert visible_change(piece, kernel) > 5 * whole
    assert visible_change(piece, blur) > 4.0  # grey levels on average: plainly visible
