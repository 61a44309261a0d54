"""A real server and a real browser: the app on a loopback port, Chromium driven by Playwright."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.loopback import free_port

CHROMIUM = os.environ.get("CHECKIN_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("CHECKIN_REQUIRE_BROWSER") == "1"
PHONE = {"width": 390, "height": 844}
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic"]


def _files_read_whole(app):
    """Werkzeug's development server leaves a file's response unclosed when the browser drops
    the connection half-way (its clean-up reads the dropped socket first, which raises, and
    never reaches the close), and pytest then reports the unclosed file in whichever test runs
    next. Here a file is read whole and closed before it is sent."""

    def read_whole(file, _block_size=8192):
        with file:
            return [file.read()]

    def serve(environ, start_response):
        environ["wsgi.file_wrapper"] = read_whole
        return app(environ, start_response)

    return serve


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", free_port(), _files_read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    app.config["CHECKIN_BASE_URL"] = server.url
    yield server
    server.shutdown()


def _need_browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(message + "; CHECKIN_REQUIRE_BROWSER=1 requires it")
        pytest.skip(message)


@pytest.fixture(scope="session")
def playwright_instance():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def launch_browser(playwright_instance):
    """Launch a Chromium with extra flags (a fake camera, say); closed after the test."""
    launched = []

    def launch(*extra_args):
        b = playwright_instance.chromium.launch(executable_path=CHROMIUM,
                                                args=BROWSER_ARGS + list(extra_args))
        launched.append(b)
        return b

    yield launch
    for b in launched:
        b.close()


@pytest.fixture
def phone_context(browser):
    """A browser context the size of a phone (390×844), touch, English first."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="en-US")
    yield context
    context.close()


@pytest.fixture
def page(phone_context):
    page = phone_context.new_page()
    yield page
    page.close()
