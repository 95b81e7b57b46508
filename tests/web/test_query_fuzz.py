"""Every query parameter of every GET route, fed random text and integers: answers are 2xx, 3xx or 4xx with a
message, never a 5xx. The parameters are found by watching which ones each view reads on a plain visit."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from htmx_flask.requests import HtmxAwareRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict

from tests.conftest import login, make_app

from .test_access import name_every_signer, routes, sample_url

#: endpoint → the query parameters its view read
READ: dict[str, set[str]] = defaultdict(set)


class _Watched(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query arguments that note which keys the view asks for."""

    def _note(self, key: object) -> None:
        if isinstance(key, str) and request.endpoint:
            READ[request.endpoint].add(key)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002
        self._note(key)
        return super().get(key, default, type) if type else super().get(key, default)

    def getlist(self, key: Any, type: Any = None) -> Any:  # noqa: A002
        self._note(key)
        return super().getlist(key, type) if type else super().getlist(key)

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)


class _WatchedRequest(HtmxAwareRequest):
    parameter_storage_class = _Watched


NASTY = [
    "", "0", "-1", "9" * 30, "-" + "9" * 30, "２０２６", "２０２６-Q１", "1e9", "0x10", "NaN", "Infinity",
    "3.5",
    "2026-13-45", "2026-02-30", "9999-12-31", "0001-01-01", "2026-Q9", "2026-W60", "2026-00", "a\nb",
    "\r\nSet-Cookie: x=1", "%0d%0a", "//evil.example", "\\\\evil", "/\\evil", "javascript:alert(1)", "\x00",
    "\u202e", "../../etc/passwd", "' OR 1=1 --", "<script>", "x" * 5000, "所有", "🙂",
]  # fmt: skip


def _get_routes(app: Flask) -> list[tuple[str, str]]:
    return [(e, rule) for e, method, rule in routes(app) if method == "GET" and e != "static"]


@pytest.fixture
def watched(app: Flask, migrated_url: str) -> Iterator[tuple[Flask, FlaskClient, dict[str, str]]]:
    # a crash answers 500 here, as it would in production, instead of raising into the test
    fuzzed = make_app(migrated_url, WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False)
    fuzzed.request_class = _WatchedRequest
    client = fuzzed.test_client()
    login(client, "committee")
    name_every_signer(app, "56804工作面运料巷")
    urls = {endpoint: sample_url(app, rule, endpoint=endpoint) for endpoint, rule in _get_routes(app)}
    for url in urls.values():  # a plain visit of each: which parameters does the view read?
        client.get(url)
    yield fuzzed, client, urls
    with fuzzed.app_context():
        from inspect_app.extensions import db

        db.engine.dispose()


def _pairs() -> list[tuple[str, str]]:
    """(endpoint, parameter) to fuzz. A parameter every view reads (``lang``: the locale, chosen before any
    view runs) is one code path: it is fuzzed on the first view only, not on every PDF (~0.8 s each)."""
    readers: dict[str, list[str]] = defaultdict(list)
    for endpoint, keys in sorted(READ.items()):
        for key in sorted(keys):
            readers[key].append(endpoint)
    everywhere = {key for key, endpoints in readers.items() if len(endpoints) == len(READ)}
    return [
        (e, k)
        for k, endpoints in sorted(readers.items())
        for e in (endpoints[:1] if k in everywhere else endpoints)
    ]


def _status(client: FlaskClient, url: str, key: str, value: str) -> int:
    return client.get(url, query_string={key: value}).status_code


def test_every_query_parameter_survives_hostile_values(
    watched: tuple[Flask, FlaskClient, dict[str, str]],
) -> None:
    _, client, urls = watched
    assert READ, "no view read a query parameter: the watch is broken"
    crashes = [
        (urls[endpoint], key, value[:40])
        for endpoint, key in _pairs()
        for value in NASTY
        if _status(client, urls[endpoint], key, value) >= 500
    ]
    assert crashes == [], "\n".join(map(repr, crashes))


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_every_query_parameter_survives_random_text_and_integers(
    watched: tuple[Flask, FlaskClient, dict[str, str]], data: st.DataObject
) -> None:
    _, client, urls = watched
    pairs = _pairs()
    endpoint, key = data.draw(st.sampled_from(pairs))
    value = data.draw(st.one_of(st.text(max_size=40), st.integers().map(str)))
    assert _status(client, urls[endpoint], key, value) < 500, (urls[endpoint], key, value)


def test_a_nul_character_anywhere_is_refused_with_400(app: Flask, client: FlaskClient) -> None:
    """PostgreSQL refuses NUL in any string: a note, a form field or a path holding one was a 500 there."""
    from .test_ballot import CARDS, ballot, submit, unscored_post
    from .test_feedback import code_of, send

    assert send(client, code_of(app), "巷道\x00积水").status_code == 400
    code = unscored_post(app)
    sheet = ballot(app, code, CARDS[0])
    item = next(k for k in sheet if k.startswith("d-")).removeprefix("d-")
    assert submit(client, app, code, {**sheet, f"r-{item}": "浮煤\x00"}).status_code == 400
    assert client.get("/p/K7M3Q%00").status_code == 400
