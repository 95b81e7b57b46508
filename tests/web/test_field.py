"""Scoring a post from its QR page: the form, what gets stored, and every way a sheet is refused."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from inspect_app.extensions import db
from inspect_app.models import Post, Round, RoundPost, Sheet, SheetItem, StandardItem
from tests.conftest import csrf_token, login

from .helpers import DEMO_SHEETS, anonymous_round, demo_round, items_of, post_code, sheet_count, sheet_form


@pytest.fixture
def inspector(client: FlaskClient) -> FlaskClient:
    """HR's assessor: signs the demo's ten-day supervision of the posts naming HR."""
    login(client, "hr")
    return client


def form_url(app: Flask, code: str) -> str:
    return f"/field/{demo_round(app).id}/{code}"


def post_sheet(
    client: FlaskClient, app: Flask, code: str, submission_id: str | None = None, **defects: object
):
    url = form_url(app, code)
    token = csrf_token(client, url)
    data = sheet_form(items_of(app, code), token, submission_id or str(uuid.uuid4()), **defects)
    return client.post(url, data=data)


def test_inspector_finds_score_button_on_the_post_page(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    page = inspector.get(f"/p/{code}").get_data(as_text=True)
    assert f'href="{form_url(app, code)}"' in page
    assert "评分" in page


def test_form_lists_every_item_of_the_posts_standard(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    page = inspector.get(form_url(app, code)).get_data(as_text=True)
    for item in items_of(app, code):
        assert f'name="d-{item["id"]}"' in page
    assert "不适用" in page
    assert "一票否决" in page or "否决项" in page


def test_submitted_sheet_is_stored_scored_and_confirmed(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    items = items_of(app, code)
    first = next(i for i, item in enumerate(items) if not item["veto"])
    response = post_sheet(inspector, app, code, **{f"d{first}": 2, "na1": True})
    assert response.status_code == 303
    confirmation = inspector.get(response.headers["Location"])
    assert confirmation.status_code == 200
    with app.app_context():
        rnd = demo_round(app)
        sheet = db.session.scalars(
            select(Sheet).join(Post).where(Post.code == code, Sheet.round_id == rnd.id)
        ).one()
        stored = {
            si.item_id: si
            for si in db.session.scalars(select(SheetItem).where(SheetItem.sheet_id == sheet.id))
        }
        lost = items[first]["per"] * 2
        applicable = sum(i["max"] for i in items) - items[1]["max"]
        expected = ((applicable - lost) / applicable * 100).quantize(Decimal("0.01"))
        assert sheet.score == expected
        assert stored[items[first]["id"]].deduction == lost
        assert stored[items[1]["id"]].defects is None  # 不适用
        assert len(stored) == len(items)
    assert f"{expected:.2f}" in confirmation.get_data(as_text=True)


def test_double_tap_stores_one_sheet(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    submission = str(uuid.uuid4())
    first = post_sheet(inspector, app, code, submission)
    again = inspector.post(
        form_url(app, code),
        data=sheet_form(items_of(app, code), csrf_token(inspector, "/posts/"), submission),
    )
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert sheet_count(app) == DEMO_SHEETS + 1


def test_second_sheet_for_the_same_post_is_refused(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    assert post_sheet(inspector, app, code).status_code == 303
    url = form_url(app, code)
    assert inspector.get(url).status_code == 303  # the form now points at the stored sheet
    token = csrf_token(inspector, "/posts/")
    response = inspector.post(url, data=sheet_form(items_of(app, code), token, str(uuid.uuid4()), d0=1))
    assert response.status_code == 409
    assert "已" in response.get_data(as_text=True)
    assert sheet_count(app) == DEMO_SHEETS + 1


@pytest.mark.parametrize(
    ("defects", "message"),
    [
        ({"d0": -1}, "不能为负数"),
        ({"d0": "abc"}, "整数"),
        ({"d0": 10_000}, "最多"),
    ],
)
def test_bad_counts_are_refused_next_to_the_item(
    app: Flask, inspector: FlaskClient, defects: dict[str, object], message: str
) -> None:
    code = post_code(app)
    response = post_sheet(inspector, app, code, **defects)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    first_item = items_of(app, code)[0]["id"]
    assert page.rindex(message) > page.index(f'id="item-{first_item}"')  # next to the item…
    summary = page[page.index('id="problems"') : page.index(f'id="item-{first_item}"')]
    assert f'href="#item-{first_item}"' in summary
    assert message in summary
    assert sheet_count(app) == DEMO_SHEETS


def test_unknown_item_is_refused(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    url = form_url(app, code)
    data = sheet_form(items_of(app, code), csrf_token(inspector, url), str(uuid.uuid4()))
    data["d-999999"] = "1"
    response = inspector.post(url, data=data)
    assert response.status_code == 422
    assert "不在该岗位的标准中" in response.get_data(as_text=True)
    assert sheet_count(app) == DEMO_SHEETS


def test_all_not_applicable_is_refused(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    items = items_of(app, code)
    marks = {f"na{i}": True for i, item in enumerate(items) if not item["veto"]}
    response = post_sheet(inspector, app, code, **marks)
    assert response.status_code == 422
    assert "没有可评分" in response.get_data(as_text=True)


def test_damaged_submission_id_is_refused(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    response = post_sheet(inspector, app, code, submission_id="not-a-uuid")
    assert response.status_code == 400
    assert sheet_count(app) == DEMO_SHEETS


@pytest.mark.parametrize(("status", "http"), [("sealed", 410), ("published", 410), ("draft", 409)])
def test_round_that_is_not_open_refuses_sheets(
    app: Flask, inspector: FlaskClient, status: str, http: int
) -> None:
    code = post_code(app)
    url = form_url(app, code)
    token = csrf_token(inspector, url)
    items = items_of(app, code)
    round_id = demo_round(app).id
    with app.app_context():
        db.session.execute(update(Round).where(Round.id == round_id).values(status=status))
        db.session.commit()
    response = inspector.post(url, data=sheet_form(items, token, str(uuid.uuid4())))
    assert response.status_code == http
    assert "检查" in response.get_data(as_text=True)
    assert inspector.get(url).status_code == http
    assert sheet_count(app, round_id=round_id) == DEMO_SHEETS


def test_post_outside_the_round_is_refused(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    url = form_url(app, code)
    token = csrf_token(inspector, url)
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.code == code))
        db.session.execute(RoundPost.__table__.delete().where(RoundPost.post_id == post_id))
        db.session.commit()
    response = inspector.post(url, data=sheet_form(items_of(app, code), token, str(uuid.uuid4())))
    assert response.status_code == 404
    assert "不在本轮检查范围内" in response.get_data(as_text=True)


def test_sheet_without_csrf_token_is_refused(app: Flask, inspector: FlaskClient) -> None:
    code = post_code(app)
    data = sheet_form(items_of(app, code), "", str(uuid.uuid4()))
    response = inspector.post(form_url(app, code), data=data)
    assert response.status_code == 400
    assert sheet_count(app) == DEMO_SHEETS


def test_confirmation_is_only_for_the_inspector_who_signed(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        someone_elses = db.session.scalars(select(Sheet.id)).first()
    login(client, "inspector")
    assert client.get(f"/field/sheets/{someone_elses}").status_code == 404


def test_signed_round_admits_only_the_assessor_named_by_the_post(app: Flask, client: FlaskClient) -> None:
    """HR signs posts whose five clarities name HR; an inspector named nowhere is refused on every post."""
    code = post_code(app)
    with app.app_context():
        other = db.session.scalar(
            select(Post.code).where(Post.status == "listed", Post.assessor.not_like("%组织人事部%")).limit(1)
        )
    login(client, "inspector")
    refused = client.get(form_url(app, code))
    assert refused.status_code == 403
    assert "考核人" in refused.get_data(as_text=True)
    assert f'href="{form_url(app, code)}"' not in client.get(f"/p/{code}").get_data(as_text=True)
    token = csrf_token(client, "/posts/")
    response = client.post(
        form_url(app, code), data=sheet_form(items_of(app, code), token, str(uuid.uuid4()))
    )
    assert response.status_code == 403
    assert sheet_count(app) == DEMO_SHEETS
    client.post("/logout", data={"csrf_token": token})
    login(client, "hr")
    assert client.get(form_url(app, code)).status_code == 200
    assert client.get(f"/field/{demo_round(app).id}/{other}").status_code in (403, 404)


def test_branch_secretary_signs_the_own_units_self_check(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        rnd = db.session.scalars(select(Round).where(Round.kind == "monthly")).one()
        codes = db.session.scalars(
            select(Post.code).join(RoundPost).where(RoundPost.round_id == rnd.id)
        ).all()
        round_id = rnd.id
    login(client, "branch_secretary")
    url = f"/field/{round_id}/{codes[0]}"
    assert client.get(url).status_code == 200
    with app.app_context():
        items = [
            {"id": i.id, "veto": i.veto}
            for i in db.session.scalars(
                select(StandardItem)
                .join(RoundPost, RoundPost.standard_version_id == StandardItem.version_id)
                .join(Post)
                .where(RoundPost.round_id == round_id, Post.code == codes[0])
                .order_by(StandardItem.position)
            )
        ]
    response = client.post(url, data=sheet_form(items, csrf_token(client, url), str(uuid.uuid4())))
    assert response.status_code == 303
    assert sheet_count(app, round_id=round_id) == 1


def test_anonymous_round_is_not_scored_through_the_signed_form(app: Flask, inspector: FlaskClient) -> None:
    rnd = anonymous_round(app)
    response = inspector.get(f"/field/{rnd.id}/{post_code(app)}")
    assert response.status_code == 409
    assert "选票卡" in response.get_data(as_text=True)
