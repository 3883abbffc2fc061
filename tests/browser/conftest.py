"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium per session,
a fresh browser page (and fresh kernels, pristine notebooks) per test.

Chromium is Debian's (``apt-get install -y chromium``), driven by Playwright through its
``executable_path``; ``playwright install`` is never run and nothing is downloaded.
"""

from __future__ import annotations

import pytest
from browser_helpers import (
    CHROMIUM_ARGS,
    JupyterServer,
    Steps,
    find_chromium,
)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.fail(
            "No Chromium found for the browser tests (looked at $CNNVIZ_CHROMIUM, "
            "/usr/bin/chromium and PATH). Install Debian's: `apt-get install -y chromium`, "
            "or point CNNVIZ_CHROMIUM at a Chromium binary. Never `playwright install`.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory):
    server = JupyterServer(tmp_path_factory.mktemp("jupyter"))
    server.reset_files()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, jupyter_server, request):
    """A fresh page; afterwards every kernel is shut down and the notebooks are put back."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda msg: (
            console.append(f"{msg.type}: {msg.text}") if msg.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda exc: console.append(f"page error: {exc}"))
    request.node.cnnviz_console = console
    yield page
    context.close()
    jupyter_server.shutdown_kernels()
    jupyter_server.reset_files()


@pytest.fixture
def steps(page, request) -> Steps:
    """Numbered screenshots of this test's steps in test-artifacts/screenshots/<test>/."""
    return Steps(page, request.node.name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    # A failing browser test shows what the server and the page said, not only the assertion.
    server = item.funcargs.get("jupyter_server")
    if server is not None:
        report.sections.append(("jupyter server log (tail)", server.log_tail(8000)))
    console = getattr(item, "cnnviz_console", None)
    if console:
        report.sections.append(("browser console", "\n".join(console[-100:])))
    page = item.funcargs.get("page")
    steps = item.funcargs.get("steps")
    if page is not None and steps is not None:
        try:
            path = steps.shot("failure")
            report.sections.append(("screenshot of the failure", str(path)))
        except Exception as exc:  # the page may be gone; the report matters more
            report.sections.append(("screenshot of the failure", f"not taken: {exc}"))
