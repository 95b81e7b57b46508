"""The app shell a phone keeps: static files and the few pages that must open with no signal.

Its version is a digest of those files and of the templates of the shell pages, so any change to them makes
a new service worker, which caches the new shell and deletes the old one.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import url_for

from inspect_app import ROOT

STATIC = ROOT / "static"
#: static files every phone keeps (the scanner's worker too: the scanner must work underground)
STATIC_FILES = (
    "css/app.css",
    "vendor/htmx-2.0.11.min.js",
    "js/app.js",
    "js/memory.js",
    "js/outbox.js",
    "js/ballot.js",
    "js/photos.js",
    "js/sheet.js",
    "js/guard.js",
    "js/download.js",
    "js/scan.js",
    "vendor/qr-scanner-1.4.2.umd.min.js",
    "vendor/qr-scanner-worker-1.4.2.js",
    "icons/icon-192.png",
)
#: pages that are the same for everybody and must open offline
SHELL_ENDPOINTS = (
    "public.home",
    "offline.index",
    "offline.outbox",
    "offline.scan",
    "offline.queued",
    "offline.unavailable",
    "ballot.card",
)
SHELL_TEMPLATES = ("base.html", "public/home.html", "offline", "ballot")


def _files() -> list[Path]:
    files = [STATIC / name for name in STATIC_FILES]
    for name in SHELL_TEMPLATES:
        path = ROOT / "templates" / name
        files.extend(sorted(path.rglob("*")) if path.is_dir() else [path])
    files.extend(sorted((ROOT / "inspect_app" / "translations").rglob("*.mo")))  # the shell pages' words
    return [f for f in files if f.is_file()]


@cache
def version() -> str:
    digest = hashlib.sha256()
    for path in _files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def urls() -> list[str]:
    pages = [url_for(endpoint) for endpoint in SHELL_ENDPOINTS]
    return pages + [url_for("static", filename=name) for name in STATIC_FILES] + [url_for("offline.manifest")]
