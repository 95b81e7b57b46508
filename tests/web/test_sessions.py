"""Sessions: logout ends them on the server (a copied cookie is dead), cookies carry SameSite, HttpOnly, a
month's lifetime and Secure when configured, private pages and exports are never stored by the browser, and
the instance folder and SQLite file are the server user's alone."""

from __future__ import annotations

import stat
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Round
from tests.conftest import CSRF_RE, ROLE_LOGINS, csrf_token, login, make_app

PRIVATE = "/posts/"


def _log_in_remembered(client: FlaskClient, role: str) -> None:
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True))
    data = {"username": ROLE_LOGINS[role], "password": "demo-2026", "remember": "y",
            "csrf_token": token.group(1) if token else ""}  # fmt: skip
    assert client.post("/login", data=data).status_code == 303


def _copy_cookie(source: FlaskClient, target: FlaskClient, name: str) -> None:
    cookie = source.get_cookie(name, domain="inspect.test")
    assert cookie is not None, name
    target.set_cookie(name, cookie.value, domain="inspect.test")


def test_logout_kills_every_copy_of_the_session_and_remember_cookies(app: Flask) -> None:
    phone = app.test_client()
    _log_in_remembered(phone, "branch_secretary")
    thief, remembered = app.test_client(), app.test_client()
    _copy_cookie(phone, thief, "session")
    _copy_cookie(phone, remembered, "remember_token")
    assert thief.get(PRIVATE).status_code == 200
    assert remembered.get(PRIVATE).status_code == 200  # the remember cookie alone logs in…
    phone.post("/logout", data={"csrf_token": csrf_token(phone, PRIVATE)})
    for copy in (thief, remembered):
        response = copy.get(PRIVATE)
        assert response.status_code == 302  # …until logout: then every copy is dead
        assert "/login" in response.headers["Location"]
    login(phone, "branch_secretary")  # logging in again works, with a new session
    assert phone.get(PRIVATE).status_code == 200


def test_a_session_cookie_checked_before_still_expires_and_a_forged_one_never_passes(app: Flask) -> None:
    """Workers remember a session cookie whose signature they checked (security.CardSessionInterface): its
    age is still checked on every request, and only the exact cookie they checked is found."""
    from datetime import timedelta

    phone = app.test_client()
    login(phone, "branch_secretary")
    assert phone.get(PRIVATE).status_code == 200  # checked, and remembered
    cookie = phone.get_cookie("session", domain="inspect.test")
    assert cookie is not None
    forger = app.test_client()
    payload, _, signature = cookie.value.rpartition(".")
    forger.set_cookie("session", f"{payload}.{signature[::-1]}", domain="inspect.test")
    assert forger.get(PRIVATE).status_code == 302  # same payload, wrong signature: logged out
    lifetime = app.permanent_session_lifetime
    try:
        app.permanent_session_lifetime = timedelta(seconds=1)
        signed = time.time()
        while time.time() < signed + 2.1:  # the wall clock, which signatures use (it may lag a sleep here)
            time.sleep(0.1)
        response = phone.get(PRIVATE)
        assert response.status_code == 302  # the remembered cookie has expired all the same
        assert "/login" in response.headers["Location"]
    finally:
        app.permanent_session_lifetime = lifetime


def test_cookies_are_samesite_httponly_and_remembered_for_a_month(app: Flask) -> None:
    phone = app.test_client()
    _log_in_remembered(phone, "committee")
    session = phone.get_cookie("session", domain="inspect.test")
    remember = phone.get_cookie("remember_token", domain="inspect.test")
    assert session is not None
    assert remember is not None
    for cookie in (session, remember):
        assert cookie.http_only
        assert cookie.same_site == "Lax"
        assert not cookie.secure  # the local demo runs on http://
    assert remember.expires is not None
    lifetime = remember.expires.timestamp() - time.time()
    assert 29 * 86400 < lifetime <= 30 * 86400 + 60


def test_cookies_are_secure_when_served_over_https(app: Flask, migrated_url: str) -> None:
    secure = make_app(migrated_url, SECURE_COOKIES=True)
    client = secure.test_client()
    token = CSRF_RE.search(client.get("/login", base_url="https://inspect.test").get_data(as_text=True))
    data = {"username": "dangwei", "password": "demo-2026", "remember": "y",
            "csrf_token": token.group(1) if token else ""}  # fmt: skip
    response = client.post(
        "/login",
        data=data,
        base_url="https://inspect.test",
        headers={"Referer": "https://inspect.test/login"},
    )
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("session=") and "Secure" in c for c in cookies)
    assert any(c.startswith("remember_token=") and "Secure" in c for c in cookies)
    with secure.app_context():
        db.engine.dispose()


def test_private_pages_and_exports_are_never_stored_public_pages_may_be(
    app: Flask, client: FlaskClient
) -> None:
    public = client.get("/rankings/rules")
    assert "no-store" not in public.headers.get("Cache-Control", "")
    login(client, "committee")
    with app.app_context():
        published = db.session.scalars(select(Round.id).where(Round.status == "published")).one()
    for url in (PRIVATE, "/rounds/", f"/rankings/{published}/results.csv", "/rectifications/ledger.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url
    live = client.get(f"/rankings/{published}")
    assert set(live.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}  # polled with 304s


def test_the_instance_folder_and_sqlite_files_are_private(tmp_path: Path) -> None:
    import sqlite3

    from inspect_app import config

    instance = tmp_path / "instance"
    app = Flask("mine", instance_path=str(instance))
    config.load(app, {"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{instance / 'inspect.db'}"})
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    database = instance / "inspect.db"
    with sqlite3.connect(database) as conn:  # SQLite gives its WAL and SHM files the database's mode
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
        for path in (database, instance / "inspect.db-wal"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
