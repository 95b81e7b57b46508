"""A real WebKit engine for the browser tests: Debian's WebKitGTK (webkit2gtk-driver's WebKitWebDriver and its
MiniBrowser) under Xvfb, driven by Selenium. It is the engine family of iPhone Safari, not iOS itself.

Fixtures (not in a conftest: a test module imports them, as test_webkit.py does with
``from tests.browser.webkit import origin_fixture, webkit_fixture, webkit_home_fixture, xvfb_fixture``):

- ``xvfb`` (session): an X server on a free display, e.g. ``":1"``.
- ``webkit``: a fresh WebKitGTK (Selenium ``WebDriver``) with a 360 × 740 CSS-pixel viewport and zh-CN as its
  language; its storage (service workers, Cache Storage, IndexedDB) starts empty and is gone after the test.
- ``origin``: the test's app served on 127.0.0.1, already started; ``origin.stop()`` is "no signal" and
  ``origin.start()`` brings it back on the same port (same origin, so the phone's caches still apply).

Without WebKitWebDriver, MiniBrowser, Xvfb or a zh_CN.UTF-8 locale the fixtures skip, or fail with CI=true
(``scripts/setup --dev`` installs them).

WebKitGTK differs from Playwright's Chromium here: there is no network switch and navigator.onLine stays true
while the server is down, so "no signal" is a stopped origin and a failed fetch, never the ``offline`` or
``online`` event; there is no mobile emulation (device pixel ratio 1, a desktop user agent unless given one).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.webkitgtk.service import Service
from werkzeug.serving import BaseWSGIServer, make_server

from tests.browser.conftest import buffered, release_connections
from tests.conftest import make_app

WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
XVFB = "/usr/bin/Xvfb"
LOCALE = "zh_CN.UTF-8"
VIEWPORT = {"width": 360, "height": 740}
#: MiniBrowser's toolbar (back, forward, reload, address, zoom …) keeps its window at least 447 px wide in
#: the default GTK theme. Without the buttons' and the entry's padding and minimum widths it goes down to 305.
GTK_CSS = "button, entry { min-width: 0; min-height: 0; padding: 0; margin: 0; }\n"


def unavailable(why: str) -> None:
    """Skip the test, or fail it with CI=true (CI must not pass by skipping WebKit)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"WebKit tests cannot run and CI=true: {why}", pytrace=False)
    pytest.skip(f"WebKit tests need it (scripts/setup --dev): {why}")


@pytest.fixture(scope="session", name="xvfb")
def xvfb_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Xvfb server on a display it picks itself (``-displayfd``), for the whole test session."""
    if not os.access(XVFB, os.X_OK):
        unavailable(f"{XVFB} is missing (Debian package xvfb)")
    read_end, write_end = os.pipe()
    log = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [XVFB, "-displayfd", str(write_end), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            pass_fds=(write_end,),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            number = pipe.readline().strip().decode()  # written once the server accepts connections
        if not number.isdigit():
            unavailable(f"Xvfb did not start: {log.read_text(errors='replace')[-500:]}")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session", name="webkit_home")
def webkit_home_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """XDG folders for the browser: the GTK CSS that lets its window shrink, caches away from $HOME."""
    home = tmp_path_factory.mktemp("webkit-home")
    (home / "config" / "gtk-3.0").mkdir(parents=True)
    (home / "config" / "gtk-3.0" / "gtk.css").write_text(GTK_CSS)
    (home / "cache").mkdir()
    (home / "data").mkdir()
    return home


def start_webkit(
    display: str,
    home: Path,
    *,
    viewport: dict[str, int] | None = None,
    user_agent: str | None = None,
    log: Path | None = None,
) -> WebDriver:
    """A new WebKitGTK browser (a MiniBrowser window in automation mode, ephemeral storage) on ``display``."""
    for path, package in ((WEBKIT_DRIVER, "webkit2gtk-driver"), (MINIBROWSER, "webkit2gtk-driver")):
        if not os.access(path, os.X_OK):
            unavailable(f"{path} is missing (Debian package {package})")
    options = webdriver.WebKitGTKOptions()
    options.binary_location = MINIBROWSER
    options.add_argument("--automation")
    if user_agent:
        options.add_argument(f"--user-agent={user_agent}")
    env = {
        **os.environ,
        "DISPLAY": display,
        "LANG": LOCALE,  # WebKitGTK's navigator.language and Accept-Language (needs the built locale)
        "LANGUAGE": "",
        "LC_ALL": "",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "GTK_THEME": "Adwaita",  # the CSS above is measured against it
        "NO_AT_BRIDGE": "1",  # no accessibility bus under Xvfb (it only warns)
    }
    service = Service(executable_path=WEBKIT_DRIVER, env=env, log_output=str(log) if log else os.devnull)
    with (
        warnings.catch_warnings()
    ):  # Selenium's own WebKitGTK start-up uses its deprecated connection argument
        warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
        driver = webdriver.WebKitGTK(options=options, service=service)
    try:
        language = driver.execute_script("return navigator.language")
        if not str(language).lower().startswith("zh"):
            unavailable(f"WebKit reports {language!r}: no {LOCALE} locale (locale-gen)")
        if viewport:
            size = resize_viewport(driver, viewport["width"], viewport["height"])
            assert size == (viewport["width"], viewport["height"]), f"the viewport stays {size}"
    except BaseException:
        driver.quit()
        raise
    return driver


def resize_viewport(driver: WebDriver, width: int, height: int) -> tuple[int, int]:
    """Size the window so that the page gets ``width`` × ``height`` CSS pixels; returns what it got (the
    window cannot be narrower than MiniBrowser's toolbar: 305 px with GTK_CSS, 447 px without)."""
    inner = "return [window.innerWidth, window.innerHeight]"
    window_w, window_h = width, height
    got_w, got_h = 0, 0
    for _ in range(6):  # WebKitGTK applies a size a moment later: resize until the page has held it
        driver.set_window_size(window_w, window_h)
        time.sleep(0.05)
        got_w, got_h = driver.execute_script(inner)
        if (got_w, got_h) == (width, height):
            break
        window_w += max(0, width - got_w)  # the toolbar's height (and any border) comes on top
        window_h += height - got_h
    return int(got_w), int(got_h)


@pytest.fixture(name="webkit")
def webkit_fixture(xvfb: str, webkit_home: Path, tmp_path: Path) -> Iterator[WebDriver]:
    """A fresh phone-sized WebKit (about 0.5 s to start), quit after the test."""
    driver = start_webkit(xvfb, webkit_home, viewport=VIEWPORT, log=tmp_path / "webkitwebdriver.log")
    yield driver
    with suppress(WebDriverException):
        driver.quit()


def wait_for(
    driver: WebDriver, css: str, timeout: float = 10, *, text: str | None = None, visible: bool = True
) -> WebElement:
    """The first element matching ``css`` (displayed, unless ``visible=False``; containing ``text`` if given)
    once there is one; fails with what was last seen after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    seen = "nothing"
    while True:
        with suppress(StaleElementReferenceException):
            for element in driver.find_elements("css selector", css):
                if visible and not element.is_displayed():
                    seen = "hidden"
                    continue
                content = element.text if visible else element.get_attribute("textContent") or ""
                if text is None or text in content:
                    return element
                seen = repr(content[:200])
        if time.monotonic() > end:
            pytest.fail(f"no {css!r}{f' with {text!r}' if text else ''} after {timeout} s (saw {seen}) "
                        f"on {driver.current_url}")  # fmt: skip
        time.sleep(0.05)


def wait_until(check: Callable[[], Any], timeout: float = 10, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something true (returned), else fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > end:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return result


def wait_for_service_worker(driver: WebDriver, timeout: float = 15) -> None:
    """Until /sw.js is active and controls the page (a page loaded while it installed is reloaded once)."""
    driver.set_script_timeout(timeout + 1)
    active = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           Promise.race([navigator.serviceWorker.ready.then(() => true),
                         new Promise(r => setTimeout(() => r(false), arguments[0]))]).then(done);""",
        int(timeout * 1000),
    )
    assert active, "the service worker did not install"
    if not driver.execute_script("return navigator.serviceWorker.controller !== null"):
        driver.refresh()
    assert driver.execute_script("return navigator.serviceWorker.controller !== null")


def run_async(driver: WebDriver, body: str, *args: Any, timeout: float = 10) -> Any:
    """Run ``body`` (a JS expression giving a promise; arguments as ``args[0]`` …) and return its value."""
    driver.set_script_timeout(timeout)
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; const args = Array.from(arguments).slice(0, -1);"
        f"Promise.resolve().then(() => ({body})).then(done, e => done({{error: String(e)}}));",
        *args,
    )


class Origin:
    """The test's app served from a thread on 127.0.0.1 and a port that stays the same across restarts."""

    def __init__(self, served: Flask) -> None:
        self.served = served
        self.port = 0
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self.port, "not started yet"
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        """Serve (again, on the same port); returns the base URL."""
        assert self._server is None, "already serving"
        self._server = make_server("127.0.0.1", self.port, buffered(self.served.wsgi_app), threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """No signal: new connections are refused until ``start``."""
        assert self._server is not None, "not serving"
        assert self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None


@pytest.fixture(name="origin")
def origin_fixture(app: Flask, migrated_url: str) -> Iterator[Origin]:
    """``app``'s database (demo mine loaded) served to the browser; started, and stopped after the test."""
    served = make_app(migrated_url, SERVER_NAME=None, PHOTO_DIR=app.config["PHOTO_DIR"])
    server = Origin(served)
    server.start()
    yield server
    if server.running:
        server.stop()
    with served.app_context():
        release_connections()
