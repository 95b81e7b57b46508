"""Invisible characters that hide or reorder what a reader sees (U+202E right-to-left override, zero-width
spaces, other control and format characters) are refused with a message wherever people type text that
others read: post fields, round titles, notices, sheet remarks, standards. Nothing is stored."""

from __future__ import annotations

import io
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Notice, Post, Round, Standard
from tests.conftest import csrf_token, login

from .helpers import demo_round, items_of, post_code, sheet_count, sheet_form
from .test_ballot import CARDS, anon_count, ballot, submit, unscored_post
from .test_post_lifecycle import draft_form
from .test_rounds import listed_posts, round_form

RTL = "56804\u202e巷道运料"  # shows as "56804料运道巷"
ZERO_WIDTH = "好\u200b评"
MESSAGE = "看不见的控制字符"


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("field", ["name", "duties", "commitment"])
def test_post_fields_refuse_hidden_characters(app: Flask, field: str) -> None:
    secretary = app.test_client()
    login(secretary, "branch_secretary")
    before = count(app, Post)
    token = csrf_token(secretary, "/posts/new")
    response = secretary.post("/posts/new", data={**draft_form(app, **{field: RTL}), "csrf_token": token})
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
    assert count(app, Post) == before


def test_round_titles_refuse_hidden_characters(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    before = count(app, Round)
    form = round_form(client, "/rounds/new", [listed_posts(app)[0][0]], title=ZERO_WIDTH)
    response = client.post("/rounds/new", data=form)
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
    assert count(app, Round) == before


def test_notices_refuse_hidden_characters(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    with app.app_context():
        published = db.session.scalars(select(Round.id).where(Round.status == "published")).one()
    client.post(
        f"/notices/draft/{published}", data={"csrf_token": csrf_token(client, f"/rounds/{published}")}
    )
    with app.app_context():
        notice = db.session.scalars(select(Notice).where(Notice.round_id == published)).one()
        notice_id, praise = notice.id, notice.praise
    url = f"/notices/{notice_id}"
    form = {"csrf_token": csrf_token(client, url), "title": "通报", "praise": RTL, "criticism": ""}
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get_one(Notice, notice_id).praise == praise


def test_sheet_remarks_refuse_hidden_characters_signed_and_anonymous(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    code = post_code(app)
    url = f"/field/{demo_round(app).id}/{code}"
    items = items_of(app, code)
    form = sheet_form(items, csrf_token(client, url), str(uuid.uuid4()))
    form[f"r-{items[0]['id']}"] = RTL
    before = sheet_count(app)
    signed = client.post(url, data=form)
    assert signed.status_code == 422
    assert MESSAGE in signed.get_data(as_text=True)
    assert sheet_count(app) == before
    anonymous_code = unscored_post(app)
    stored = anon_count(app)
    sheet = ballot(app, anonymous_code, CARDS[0])
    first_item = next(k for k in sheet if k.startswith("d-")).removeprefix("d-")
    refused = submit(app.test_client(), app, anonymous_code, {**sheet, f"r-{first_item}": ZERO_WIDTH})
    assert refused.status_code == 422
    assert MESSAGE in refused.get_data(as_text=True)
    assert anon_count(app) == stored


def test_standards_refuse_hidden_characters_in_an_uploaded_file(app: Flask, client: FlaskClient) -> None:
    login(client, "admin")
    rows = "类别,条款,分值,每处扣分,扣分标准,一票否决\n质量,1.1,100,5,每处扣5分\u202e,否\n"
    before = count(app, Standard)
    token = csrf_token(client, "/standards/new")
    data = {
        "csrf_token": token,
        "title": "测试标准",
        "profession": "coal",
        "file": (io.BytesIO(rows.encode("utf-8")), "items.csv"),
    }
    response = client.post("/standards/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
    assert count(app, Standard) == before


def test_a_reply_to_a_miners_note_refuses_hidden_characters(app: Flask, client: FlaskClient) -> None:
    from inspect_app.models import Feedback

    from .test_feedback import code_of, send

    assert send(client, code_of(app), "巷道积水请尽快处理").status_code == 303
    with app.app_context():
        note_id = db.session.scalars(select(Feedback.id)).one()
    secretary = app.test_client()
    login(secretary, "branch_secretary")
    token = csrf_token(secretary, "/posts/feedback")
    data = {"csrf_token": token, "decision": "approve", "reply": RTL}
    response = secretary.post(f"/posts/feedback/{note_id}", data=data)
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get_one(Feedback, note_id).status == "pending"
