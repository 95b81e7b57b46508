"""Whatever a phone (or anyone) posts to the sheet form, the answer is a page with a status below 500."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_token, login

from .helpers import demo_round, items_of, post_code

texts = st.text(st.characters(codec="utf-8"), max_size=30)
counts = st.one_of(
    texts, st.integers(-(10**30), 10**30).map(str), st.sampled_from(["", " 3 ", "1e3", "0x10", "３"])
)


@pytest.fixture
def inspector(client: FlaskClient) -> FlaskClient:
    login(client, "hr")
    return client


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    defects=st.lists(counts, min_size=0, max_size=20),
    extra=st.dictionaries(
        st.sampled_from(["d-", "na-", "r-", "d-x", "na-0", "d--1"]).flatmap(
            lambda p: st.just(p) | texts.map(lambda t: p + t)
        ),
        texts,
        max_size=5,
    ),
    submission=st.one_of(st.just(None), texts),
    not_applicable=st.lists(st.booleans(), max_size=20),
)
def test_any_sheet_input_gets_a_clear_answer(
    app: Flask, inspector: FlaskClient, defects: list[str], extra: dict[str, str], submission: str | None,
    not_applicable: list[bool],
) -> None:  # fmt: skip
    code = post_code(app)
    url = f"/field/{demo_round(app).id}/{code}"
    form = {"csrf_token": csrf_token(inspector, "/posts/"), "submission_id": submission or str(uuid.uuid4())}
    for item, value in zip(items_of(app, code), defects, strict=False):
        form[f"d-{item['id']}"] = value
    for item, flag in zip(items_of(app, code), not_applicable, strict=False):
        if flag:
            form[f"na-{item['id']}"] = "1"
    form.update(extra)
    response = inspector.post(url, data=form)
    assert response.status_code in (303, 400, 404, 409, 422), response.get_data(as_text=True)[:300]
