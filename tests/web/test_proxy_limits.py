"""Behind the reverse proxy: rate limits count per phone (X-Forwarded-For believed from exactly the trusted
proxies, never from a client), logins are limited per address and per account, limits shared by all workers
through Redis (the documented deployment), and a warning when they are not."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from flask import Flask

from inspect_app.extensions import db
from tests.conftest import make_app

from .helpers import post_code

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def apps(migrated_url: str) -> Iterator[list[Flask]]:
    made: list[Flask] = []
    yield made
    for app in made:
        with app.app_context():
            db.engine.dispose()


def limited(apps: list[Flask], migrated_url: str, **config: object) -> Flask:
    app = make_app(migrated_url, RATELIMIT_ENABLED=True, **config)
    apps.append(app)
    return app


def from_phone(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_a_forged_forwarded_for_changes_nothing_without_a_trusted_proxy(
    app: Flask, migrated_url: str, apps: list[Flask]
) -> None:
    client = limited(apps, migrated_url, RATELIMIT_PUBLIC="2 per minute").test_client()
    url = f"/p/{post_code(app)}"
    statuses = [client.get(url, headers=from_phone(f"10.8.0.{n}")).status_code for n in range(3)]
    assert statuses == [200, 200, 429]  # one socket address: one budget, whatever the header claims


def test_behind_one_trusted_proxy_each_phone_has_its_own_limit(
    app: Flask, migrated_url: str, apps: list[Flask]
) -> None:
    client = limited(apps, migrated_url, RATELIMIT_PUBLIC="2 per minute", TRUSTED_PROXIES=1).test_client()
    url = f"/p/{post_code(app)}"
    assert [client.get(url, headers=from_phone(f"10.9.0.{n}")).status_code for n in range(5)] == [200] * 5
    same = [client.get(url, headers=from_phone("10.9.1.1")).status_code for _ in range(3)]
    assert same == [200, 200, 429]


def _log_in(client, username: str, password: str, phone: str):  # type: ignore[no-untyped-def]
    from tests.conftest import CSRF_RE

    page = client.get("/login", headers=from_phone(phone)).get_data(as_text=True)
    match = CSRF_RE.search(page)
    data = {"username": username, "password": password, "csrf_token": match.group(1) if match else ""}
    return client.post("/login", data=data, headers=from_phone(phone))


def test_wrong_passwords_are_limited_per_account_not_per_mine(
    app: Flask, migrated_url: str, apps: list[Flask]
) -> None:
    """Behind the proxy 18 wrong logins once locked the right password out for the whole mine."""
    limits = {"RATELIMIT_LOGIN": "100 per minute", "RATELIMIT_LOGIN_ACCOUNT": "3 per 15 minutes"}
    mine = limited(apps, migrated_url, TRUSTED_PROXIES=1, **limits)
    for n in range(3):  # someone tries shuji's password from three phones
        assert _log_in(mine.test_client(), "shuji", "wrong", f"10.7.0.{n}").status_code == 422
    assert _log_in(mine.test_client(), "shuji", "demo-2026", "10.7.1.1").status_code == 429
    assert _log_in(mine.test_client(), "dangwei", "demo-2026", "10.7.1.2").status_code == 303  # others log in


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS).flushdb()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis unreachable at {REDIS} and CI=true: {error}")
        pytest.skip(f"Redis unreachable at {REDIS}")


def test_limits_are_shared_by_all_workers_through_redis(
    app: Flask, migrated_url: str, apps: list[Flask]
) -> None:
    """The documented deployment: several workers, one Redis; the `redis` package is a dependency."""
    _redis_or_skip()
    config = {"RATELIMIT_PUBLIC": "2 per minute", "RATELIMIT_STORAGE_URI": REDIS}
    workers = [limited(apps, migrated_url, **config).test_client() for _ in range(2)]
    url = f"/p/{post_code(app)}"
    assert [workers[0].get(url).status_code, workers[1].get(url).status_code] == [200, 200]
    assert workers[0].get(url).status_code == 429  # the second worker's request counted for the first


def test_memory_limits_with_several_workers_are_announced_at_start(
    migrated_url: str, apps: list[Flask], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        apps.append(make_app(migrated_url, TESTING=False, RATELIMIT_ENABLED=True))
    assert "INSPECT_RATELIMIT_STORAGE_URI" in caplog.text


def test_every_route_with_a_rate_limit_goes_through_the_limiter(app: Flask) -> None:
    """Routes that declare no limit skip the limiter (security.rate_limited, issue 22): the shortcut must know
    every route the limiter would limit, or a limit would silently stop counting. Asked of the limiter itself,
    so a ``limiter.limit`` written around ``rate_limited`` fails here."""
    from inspect_app.extensions import limiter
    from inspect_app.security import route_declares_no_limit

    limited_by_limiter, skipped = set(), set()
    with app.test_request_context():
        for endpoint in app.view_functions:
            blueprint = endpoint.rpartition(".")[0] or None
            defaults, decorated = limiter.limit_manager.resolve_limits(app, endpoint, blueprint)
            if defaults or decorated:
                limited_by_limiter.add(endpoint)
            if route_declares_no_limit(app, endpoint, blueprint):
                skipped.add(endpoint)
    assert {
        "auth.login",
        "auth.password",
        "setup.start",
        "ballot.submit",
        "public.feedback",
    } <= limited_by_limiter
    assert "field.submit" in skipped  # the storm's route
    assert not limited_by_limiter & skipped


def test_changing_one_s_password_is_rate_limited(app: Flask, migrated_url: str, apps: list[Flask]) -> None:
    """Guessing the current password on a logged-in phone meets the login limit like the login page."""
    from tests.conftest import CSRF_RE, login

    client = limited(apps, migrated_url, RATELIMIT_LOGIN="3 per minute").test_client()
    login(client, "renshi")
    page = client.get("/password").get_data(as_text=True)
    match = CSRF_RE.search(page)
    form = {"current": "guess", "new": "Another-2026-pass", "repeat": "Another-2026-pass",
            "csrf_token": match.group(1) if match else ""}  # fmt: skip
    statuses = [client.post("/password", data=form).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
