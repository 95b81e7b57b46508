"""A live server on 127.0.0.1 (a thread, same database as the test) and Debian's Chromium via Playwright."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from inspect_app.extensions import db
from tests.conftest import make_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_server(app: Flask, migrated_url: str) -> Iterator[str]:
    """The demo data is already loaded by ``app``; this serves it to a real browser."""
    yield from serve(app, migrated_url)


def serve(app: Flask, migrated_url: str) -> Iterator[str]:
    """Serve ``app``'s database from a thread on 127.0.0.1 until the generator is closed."""
    served = make_app(migrated_url, SERVER_NAME=None, PHOTO_DIR=app.config["PHOTO_DIR"])
    yield from serve_wsgi(served.wsgi_app)
    with served.app_context():
        release_connections()


def serve_wsgi(wsgi_app: WSGIApplication) -> Iterator[str]:
    """Serve ``wsgi_app`` from a thread on 127.0.0.1 until the generator is closed."""
    server = make_server("127.0.0.1", 0, buffered(wsgi_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


def buffered(app: WSGIApplication) -> WSGIApplication:
    """Read each response whole and close it before the server writes a byte. Werkzeug's dev server skips
    ``close()`` on a body when the browser drops the connection mid-write (its drain read raises first), so a
    static file would be left open and reported as a ResourceWarning during some later test."""

    def app_buffered(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return app_buffered


def release_connections(seconds: float = 10) -> None:
    """Close the served app's pool once the request threads still running (a page's late fetches, a server
    stopped mid-request) have given their connections back; else PostgreSQL's connections would be
    garbage-collected open during a later test."""
    end = time.monotonic() + seconds
    while db.engine.pool.checkedout() and time.monotonic() < end:  # type: ignore[attr-defined]
        time.sleep(0.05)
    db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_without_js(browser: Browser) -> Iterator[Page]:
    """Some in-app browsers and locked-down phones run no script: every page must still work."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
                                  java_script_enabled=False)  # fmt: skip
    page = context.new_page()
    yield page
    context.close()
