"""Fixtures: one migrated database per test run (SQLite file or PostgreSQL), reset and loaded with the demo
mine before each test; an app, a client, and a helper to log in as any demo role.

``--db sqlite`` (default) or ``--db postgresql`` (URL from TEST_DATABASE_URL). With CI=true an unreachable
PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from inspect_app import create_app, demo
from inspect_app.extensions import db

#: photos written by tests stay out of the repository's instance/ folder
PHOTO_DIR = tempfile.mkdtemp(prefix="inspect-test-photos-")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROLE_LOGINS = {
    "admin": "admin",
    "committee": "dangwei",
    "hr": "renshi",
    "branch_secretary": "shuji",
    "inspector": "jiancha",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db", choices=("sqlite", "postgresql"), default="sqlite", help="database to test against"
    )


@pytest.fixture(scope="session")
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.config.getoption("--db") == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.exit(f"PostgreSQL unreachable at {url} and CI=true: {exc}", returncode=1)
        pytest.skip(f"PostgreSQL unreachable at {url}")
    finally:
        engine.dispose()
    return url


def make_app(db_url: str, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # demo logins hash fast in tests only
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "inspect.test",
        "PHOTO_DIR": PHOTO_DIR,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def migrated_url(db_url: str) -> str:
    """Drop whatever a previous run left, then build the schema through the migrations (not create_all)."""
    from flask_migrate import upgrade

    app = make_app(db_url)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()
    return db_url


def reset_database() -> None:
    """Empty every table (children first) inside the current app context."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(
                sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(migrated_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(migrated_url, PHOTO_DIR=str(tmp_path / "photos"))  # each test its own photo store
    with app.app_context():
        reset_database()
        demo.load()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def empty_app(migrated_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database: what a real mine gets after the README's deployment steps."""
    app = make_app(migrated_url, PHOTO_DIR=str(tmp_path / "photos"))
    with app.app_context():
        reset_database()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on ``url`` (tests post forms the way a browser does)."""
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def login(client: FlaskClient, role_or_username: str, password: str = demo.DEMO_PASSWORD) -> None:
    username = ROLE_LOGINS.get(role_or_username, role_or_username)
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(page)
    token = match.group(1) if match else ""  # none when a test app turns CSRF off
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
