"""Voila, the projector mode: every notebook rendered without its code, offline, and working.

Voila runs as the instructor guide says (``JUPYTER_PATH=share/jupyter voila
--template=cnnviz ...``) on 127.0.0.1 with the test kernels' environment (fast mode, no
network). Each test records every request the page makes: all of them must go to the Voila
server itself (Voila's stock templates link Font Awesome on a CDN, voila#539; a school that
blocks it gets a page that waits and shows no icons).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import a11y
import browser_helpers as ui
import pytest
from test_browser import KERNEL_CELL, KERNEL_EDITOR, KERNEL_OUTPUT, NB01, ONE, PAD

# Its own group: with --dist loadgroup the Voila tests (their own Voila servers) can run on
# the other worker while the JupyterLab tests run on one.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("voila")]

NOTEBOOKS = [
    "01_what_a_filter_does",
    "02_pooling",
    "03_sizes_channels_parameters",
    "04_why_cnns",
    "05_inside_a_trained_cnn",
    "06_your_own_digit",
]
# The main widget of each notebook, which must be on the page.
MAIN_WIDGET = {
    "01_what_a_filter_does": KERNEL_OUTPUT,
    "02_pooling": "cnnviz-pooling-explorer-output",
    "03_sizes_channels_parameters": "cnnviz-size-calculator-drawing",
    "04_why_cnns": None,
    "05_inside_a_trained_cnn": "cnnviz-feature-map-explorer-output",
    "06_your_own_digit": f"{PAD}-verdict",
}


@pytest.fixture(scope="module")
def voila_server(tmp_path_factory):
    server = ui.VoilaServer(tmp_path_factory.mktemp("voila"))
    server.reset_files()
    server.start()
    yield server
    server.shutdown_kernels()
    server.stop()


@pytest.fixture(scope="module")
def presenter_server(tmp_path_factory):
    server = ui.VoilaServer(tmp_path_factory.mktemp("voila-presenter"), "cnnviz-presenter")
    server.reset_files()
    server.start()
    yield server
    server.shutdown_kernels()
    server.stop()


@pytest.fixture(autouse=True)
def _end_kernels(request):
    """Each Voila page starts a kernel: end it after the test (05 and 06 hold TensorFlow)."""
    yield
    for name in ("voila_server", "presenter_server"):
        if name in request.fixturenames:
            request.getfixturevalue(name).shutdown_kernels()


def record_requests(page) -> list[str]:
    """Every URL the page asks for from now on (documents, scripts, fonts, WebSockets)."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("websocket", lambda ws: urls.append(ws.url))
    return urls


def foreign(urls: list[str], *servers) -> list[str]:
    """The URLs that go to none of ``servers`` (data: and blob: URLs stay in the page)."""
    own = {urlsplit(server.url).netloc for server in servers}
    return [
        u
        for u in urls
        if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc not in own
    ]


def assert_clean(page, server, urls, *also) -> None:
    """No error in the page, and no request to any host but ``server`` (and ``also``)."""
    errors = ui.voila_errors(page)
    assert not errors, "error output in Voila:\n\n" + "\n\n".join(errors)
    outside = foreign(urls, server, *also)
    assert not outside, f"the Voila page asked hosts other than {server.url}: {outside}"
    assert urls, "no request recorded: the recorder is broken"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[n[:2] for n in NOTEBOOKS])
def test_notebook_renders_in_voila_offline_without_code(page, steps, voila_server, nb):
    urls = record_requests(page)
    voila_server.open(page, f"notebooks/{nb}.ipynb")
    steps.shot("rendered")
    assert_clean(page, voila_server, urls)
    assert page.locator(".jp-InputArea-editor, .cm-editor").count() == 0, "Voila shows code"
    assert page.locator(".jp-RenderedMarkdown, .jp-RenderedHTMLCommon").count() > 3
    if MAIN_WIDGET[nb]:
        ui.widget(page, MAIN_WIDGET[nb])
        steps.shot("main-widget", focus=ui.widget(page, MAIN_WIDGET[nb]))
    # Issue 13 on the projector too: WCAG 2.1 AA in what cnnviz renders, every control named.
    a11y.assert_accessible(page, f"voila-{nb}")


def test_voila_harness_sees_foreign_requests(page, voila_server):
    """The offline check can fail: a page that asks another host is caught."""
    urls = record_requests(page)
    voila_server.open(page, NB01)
    page.evaluate("() => { const i = new Image(); i.src = 'http://192.0.2.1/x.png'; }")
    page.wait_for_timeout(500)
    assert foreign(urls, voila_server) == ["http://192.0.2.1/x.png"]


def test_notebook01_kernel_editor_in_voila(page, steps, voila_server):
    urls = record_requests(page)
    voila_server.open(page, NB01)
    before = ui.image_bytes(page, KERNEL_OUTPUT)
    steps.shot("before-kernel-edit", focus=ui.widget(page, KERNEL_EDITOR))
    ui.type_text(page, KERNEL_CELL, "1")
    after = ui.wait_for_change(lambda: ui.image_bytes(page, KERNEL_OUTPUT), before)
    steps.shot("after-kernel-edit", focus=ui.widget(page, KERNEL_EDITOR))
    assert after != before, "typing a kernel value in Voila did not change the picture"
    assert_clean(page, voila_server, urls)


def square_label(page) -> str:
    """What a screen reader reads for the digit pad's drawing square (it counts the strokes)."""
    return ui.widget(page, f"{PAD}-canvas").locator("canvas").get_attribute("aria-label") or ""


def test_notebook06_digit_pad_draws_in_voila(page, steps, voila_server):
    """In Voila, a 1 drawn with the mouse shows its ink on the square and is read as a 1;
    Clear blanks the square; a 7 whose top bar runs off the square and comes back in with
    the button held is one stroke, inked and read as a 7 (issue 10, item 3)."""
    urls = record_requests(page)
    voila_server.open(page, "notebooks/06_your_own_digit.ipynb")
    canvas, verdict = f"{PAD}-canvas", f"{PAD}-verdict"
    ui.widget(page, f"{PAD}-clear").click()
    page.wait_for_function(
        f"() => document.querySelector('.{PAD}-draw-message').innerText.includes('Cleared')"
    )
    assert ui.canvas_ink(page, canvas) == 0
    before = ui.shown(page, verdict)
    ui.draw(page, canvas, ONE)
    after = ui.wait_for_change(lambda: ui.shown(page, verdict), before)
    steps.shot("drew-one", focus=ui.widget(page, canvas))
    assert after.split()[0] == "1", f"a mouse-drawn 1 read as {after!r}"
    assert "your drawing" in after
    assert ui.canvas_ink(page, canvas) > 500, "the 1 drawn is not on the square"
    assert "1 stroke of ink" in square_label(page)

    ui.widget(page, f"{PAD}-clear").click()
    ui.wait_for_change(lambda: ui.canvas_ink(page, canvas), ui.canvas_ink(page, canvas))
    assert ui.canvas_ink(page, canvas) == 0, "Clear did not blank the square"
    assert "blank" in square_label(page)
    off_and_back = [(60, 50), (240, 50), (340, 50), (340, 90), (220, 60), (175, 150), (130, 250)]
    before = ui.shown(page, verdict)
    ui.draw(page, canvas, off_and_back)
    after = ui.wait_for_change(lambda: ui.shown(page, verdict), before)
    steps.shot("drew-seven-off-the-square", focus=ui.widget(page, canvas))
    assert after.split()[0] == "7", f"a 7 drawn off the square and back read as {after!r}"
    assert "1 stroke of ink" in square_label(page), square_label(page)
    assert ui.canvas_ink(page, canvas) > 800, "the 7's stem is not on the square"
    assert_clean(page, voila_server, urls)


def test_presenter_template_makes_everything_larger(page, steps, voila_server, presenter_server):
    """The projector mode: text, numbers and controls at least 1.4x their size in the plain
    template, in the same 1280-pixel window; the pictures larger too (at least 1.2x: two
    side by side fill the window's width); still offline and working."""

    def sizes(server):
        server.open(page, NB01)
        editor = ui.widget(page, KERNEL_EDITOR)
        steps.shot(f"kernel-editor-{server.template}", focus=editor)
        return {
            "picture width": ui.widget(page, KERNEL_OUTPUT).bounding_box()["width"],
            "number field height": ui.widget(page, KERNEL_CELL).bounding_box()["height"],
            "prose line height": page.locator(".jp-RenderedMarkdown p").first.bounding_box()[
                "height"
            ],
        }

    plain = sizes(voila_server)
    urls = record_requests(page)
    large = sizes(presenter_server)
    wanted = {"picture width": 1.2, "number field height": 1.4, "prose line height": 1.4}
    small = {k: v for k, v in large.items() if v < wanted[k] * plain[k]}
    assert not small, f"not enough larger in the presenter template: {small} vs {plain}"
    before = ui.image_bytes(page, KERNEL_OUTPUT)
    ui.type_text(page, KERNEL_CELL, "1")
    assert ui.wait_for_change(lambda: ui.image_bytes(page, KERNEL_OUTPUT), before) != before
    # Leaving the first page tells the plain server to end its kernel: local too.
    assert_clean(page, presenter_server, urls, voila_server)
