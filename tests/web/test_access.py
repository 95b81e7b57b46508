"""Every route × every role: each view declares who may use it, and the app enforces exactly that."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inspect_app.domain.enums import Role
from inspect_app.extensions import db
from tests.conftest import ROLE_LOGINS, login, make_app

from .helpers import demo_round, post_code


def sample_url(app: Flask, rule: str) -> str:
    code = post_code(app)
    rnd = demo_round(app)
    return (
        rule.replace("<code>", code)
        .replace("<int:round_id>", str(rnd.id))
        .replace("<int:sheet_id>", "1")
        .replace("<path:filename>", "css/app.css")
    )


def routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route the app serves."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return found


def test_every_view_declares_its_access(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    assert undeclared == []


@pytest.mark.parametrize("role", [None, *ROLE_LOGINS])
def test_each_role_gets_exactly_what_its_views_allow(app: Flask, migrated_url: str, role: str | None) -> None:
    # CSRF is off for this walk only, so a POST reaches the access check instead of the CSRF check.
    walk = make_app(migrated_url, WTF_CSRF_ENABLED=False)
    client = walk.test_client()
    if role:
        login(client, role)
    failures = []
    for endpoint, method, rule in routes(app):
        if endpoint == "static" or endpoint == "auth.logout":
            continue  # logout is checked by itself: it would end this walk's session
        access = app.view_functions[endpoint].access
        response = client.open(sample_url(app, rule), method=method, data={})
        if access == "public":
            ok = response.status_code < 500 and response.status_code not in (401, 403)
        elif role is None:
            ok = response.status_code == 302 and "/login" in response.headers["Location"]
        elif Role(role) in access:
            ok = response.status_code not in (401, 403) and response.status_code < 500
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append((method, rule, response.status_code))
    with walk.app_context():
        db.engine.dispose()
    assert failures == []


def test_logout_needs_a_post_with_csrf(app: Flask, client: FlaskClient) -> None:
    login(client, "inspector")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/posts/").status_code == 200
