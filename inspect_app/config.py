"""Configuration: defaults here, overrides from ``INSPECT_*`` environment variables.

Secrets never live in code: SECRET_KEY comes from ``INSPECT_SECRET_KEY`` or is generated once into
``instance/secret_key`` (mode 0600) and reused by every worker and restart.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ("zh_CN", "en"),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    #: 「在此手机上保持登录」 lasts a month of shifts, not Flask-Login's default year
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    #: cookies only over HTTPS (INSPECT_SECURE_COOKIES=true behind the TLS proxy; off for the local demo)
    "SECURE_COOKIES": False,
    "WTF_CSRF_TIME_LIMIT": None,  # a form opened at the workface may be submitted hours later
    #: a sheet with its photos; phones shrink photos to ~300 KB first, a phone without script sends originals
    "MAX_CONTENT_LENGTH": 24 * 1024 * 1024,
    "MAX_PHOTOS_PER_SHEET": 8,
    #: where clean photos go: "local" (PHOTO_DIR, default instance/photos) or "s3" (S3_BUCKET, …)
    "PHOTO_STORE": "local",
    "PHOTO_DIR": None,
    "S3_BUCKET": None,
    "S3_ENDPOINT_URL": None,
    "RATELIMIT_STORAGE_URI": "memory://",  # set INSPECT_RATELIMIT_STORAGE_URI=redis://… with several workers
    "RATELIMIT_PUBLIC": "120 per minute",
    "RATELIMIT_LOGIN": "10 per minute",  # login attempts per address (one phone, behind TRUSTED_PROXIES)
    #: wrong passwords per account, whatever the address: guessing one account stays slow
    "RATELIMIT_LOGIN_ACCOUNT": "10 per 15 minutes",
    #: reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (0: none, so a
    #: client cannot pick its own address); behind the one TLS proxy of README's Deploying, 1
    "TRUSTED_PROXIES": 0,
    "RATELIMIT_HEADERS_ENABLED": True,
    "PASSWORD_HASH_METHOD": "scrypt",
    "PUBLIC_BASE_URL": None,  # e.g. https://inspect.example.cn — the host printed into QR codes
    #: CJK font embedded in signboard PDFs (Debian fonts-wqy-microhei, installed by scripts/setup)
    "CJK_FONT": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    #: 公文 (GB/T 9704): a Song/serif face for the body and a bold one for titles and letterheads (Debian
    #: fonts-noto-cjk, installed by scripts/setup); ``path#n`` picks the n-th face of a collection (2 = SC)
    "DOC_SERIF_FONT": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc#2",
    "DOC_TITLE_FONT": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc#2",
    "RATELIMIT_FEEDBACK": "5 per hour",
    #: refused ballot-card submissions (403) per client address: guessing an 84-bit code stays hopeless
    "RATELIMIT_CARD_GUESSES": "20 per minute",
    #: key of the card hashes and sheet nullifiers; derived from SECRET_KEY unless set (INSPECT_BALLOT_KEY).
    #: It must not change while a round is open: cards would stop working and nullifiers would differ.
    "BALLOT_KEY": None,
    #: period roll-up weights per kind of round (re-normalised over the kinds that rated a post)
    "ROLLUP_WEIGHTS": {"weekly": 0.4, "ten_day": 0.2, "monthly": 0.4},
    #: lowest score of 一级, 二级, 三级 (below the last: 不合格), and the quarterly review's 预警 line
    "GRADE_BOUNDS": [90, 80, 70],
    "WARN_BELOW": 80,
    #: 年总评: weights of a Party branch's year result (domain/annual.py; shown on the 评分办法 page)
    "ANNUAL_WEIGHTS": {"posts": 0.7, "self_checks": 0.2, "rectifications": 0.1},
    #: 工作群消息 (notify/): a reminder N days before a fix's deadline; overdue fixes go to 党委 after M days
    "NOTIFY_DUE_DAYS": 2,
    "NOTIFY_ESCALATE_DAYS": 3,
    "NOTIFY_TIMEOUT": 10,  # seconds a robot or the mail server has to answer
    #: the e-mail fallback: INSPECT_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _SECURITY (starttls/ssl/none)
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_FROM": "",
    "SMTP_SECURITY": "starttls",
    #: a coal group's mines on one deployment (tenancy.py): DATABASE_URL is then the group's catalogue and
    #: each mine has its own database (SQLite file or PostgreSQL schema), reached at /m/<code>/ or by host
    "GROUP": False,
    #: host → mine code, e.g. {"a.inspect.example.cn": "a"} (INSPECT_MINE_HOSTS as JSON)
    "MINE_HOSTS": {},
    #: the mine a command works on in group mode (INSPECT_MINE=<code> flask …)
    "MINE": None,
}


def group_mode(app: Flask) -> bool:
    return app.config["GROUP"] in (True, "true", "1", 1)


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config``: defaults, then environment, then the test overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("INSPECT")
    if test_config:
        app.config.from_mapping(test_config)
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'inspect.db'}"
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", normalise_db_url(url))
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server can drop idle connections; a SQLite file cannot, so it skips the per-checkout ping.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    secure = app.config["SECURE_COOKIES"] in (True, "true", "1", 1)
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    _private_files(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    if not app.config.get("BALLOT_KEY"):
        secret = str(app.config["SECRET_KEY"]).encode()
        app.config["BALLOT_KEY"] = hmac.new(secret, b"inspect_app ballot key", hashlib.sha256).hexdigest()


def _private_files(app: Flask) -> None:
    """The instance folder (secret key, SQLite database, photos) is the server user's alone: 0700, and a
    SQLite file is created 0600 before SQLite creates it with the default 0644 (its WAL and SHM files
    take the database file's mode)."""
    instance = Path(app.instance_path)
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        instance.chmod(0o700)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        path = Path(uri.removeprefix("sqlite:///"))
        if not path.exists() and path.parent.is_dir():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def normalise_db_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and route them to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(path: Path) -> str:
    """Read the instance secret, creating it the first time.

    The secret is written to a private temp file and hard-linked into place, so workers racing at first
    start all end up reading the same complete value.
    """
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
