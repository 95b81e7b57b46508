"""职工监督意见: anonymous, rate-limited, hostile input handled, public only after the branch approves."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Feedback, Post
from tests.conftest import csrf_token, login, make_app

OWN_POST = "56804工作面运料巷"  # 综采一区, the demo branch secretary's unit


def code_of(app: Flask, name: str = OWN_POST) -> str:
    with app.app_context():
        return db.session.scalars(select(Post.code).where(Post.name == name)).one()


def send(client: FlaskClient, code: str, body: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/p/{code}/feedback")
    return client.post(f"/p/{code}/feedback", data={"body": body, "csrf_token": token})


def test_note_waits_for_the_secretary_then_appears_escaped(app: Flask, client: FlaskClient) -> None:
    code = code_of(app)
    hostile = '<script>alert("x")</script> 巷道积水无人处理'
    response = send(client, code, hostile)
    assert response.status_code == 303
    assert "谢谢" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "巷道积水无人处理" not in client.get(f"/p/{code}").get_data(as_text=True)

    secretary = app.test_client()
    login(secretary, "branch_secretary")
    queue = secretary.get("/posts/feedback").get_data(as_text=True)
    assert "&lt;script&gt;" in queue
    assert "<script>alert" not in queue
    with app.app_context():
        note_id = db.session.scalars(select(Feedback.id).where(Feedback.body == hostile)).one()
    token = csrf_token(secretary, "/posts/feedback")
    decided = secretary.post(
        f"/posts/feedback/{note_id}", data={"csrf_token": token, "decision": "approve", "reply": "已安排排水"}
    )
    assert decided.status_code == 303
    page = app.test_client().get(f"/p/{code}").get_data(as_text=True)
    assert "巷道积水无人处理" in page
    assert "已安排排水" in page
    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "请先填写意见"),
        ("好", "意见太短"),
        ("长" * 20_000, "最多300个字"),
        ("坏\x07人\x1b[2J", "控制字符"),
    ],
)
def test_bad_notes_are_refused_with_a_message_and_not_stored(
    app: Flask, client: FlaskClient, body: str, message: str
) -> None:
    response = send(client, code_of(app), body)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Feedback)) == 0


def test_other_units_secretary_and_committee_cannot_publish(app: Flask, client: FlaskClient) -> None:
    send(client, code_of(app, "1002溜子道"), "轨道有松动")  # 掘进一区: not the demo secretary's unit
    with app.app_context():
        note_id = db.session.scalars(select(Feedback.id)).one()
    secretary = app.test_client()
    login(secretary, "branch_secretary")
    assert "轨道有松动" not in secretary.get("/posts/feedback").get_data(as_text=True)
    token = csrf_token(secretary, "/posts/feedback")
    data = {"csrf_token": token, "decision": "approve"}
    assert secretary.post(f"/posts/feedback/{note_id}", data=data).status_code == 403
    committee = app.test_client()
    login(committee, "committee")
    assert "轨道有松动" in committee.get("/posts/feedback").get_data(as_text=True)
    token = csrf_token(committee, "/posts/feedback")
    assert committee.post(f"/posts/feedback/{note_id}", data={**data, "csrf_token": token}).status_code == 403


def test_feedback_is_rate_limited(migrated_url: str, app: Flask) -> None:
    limited = make_app(migrated_url, RATELIMIT_ENABLED=True, RATELIMIT_FEEDBACK="2 per hour")
    client = limited.test_client()
    code = code_of(app)
    statuses = [send(client, code, f"第{i}条意见").status_code for i in range(3)]
    assert statuses == [303, 303, 429]
    with limited.app_context():
        db.engine.dispose()


def test_notes_get_random_ids_that_do_not_follow_their_arrival(app: Flask, client: FlaskClient) -> None:
    """Sequential ids would put notes in arrival order, to be matched with the access log's lines."""
    code = code_of(app)
    for text in ("巷道积水请处理", "皮带托辊有异响", "照明不足", "安全帽挂钩损坏"):
        assert send(client, code, text).status_code == 303
    with app.app_context():
        ids = db.session.scalars(select(Feedback.id).order_by(Feedback.id)).all()
    assert len(ids) >= 4
    assert all(2**52 <= i < 2**53 for i in ids)  # 16 digits each: not a counter, one length in every URL
    assert all(b - a > 1000 for a, b in zip(ids, ids[1:], strict=False))


def test_stored_note_has_nothing_that_could_identify_its_author() -> None:
    """No author, address, user agent or time of day: a new column here must be a deliberate decision."""
    columns = {c.name for c in Feedback.__table__.columns}
    assert columns == {"id", "post_id", "body", "received_on", "status", "reply"}
