"""The post register staff see after logging in."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Member, Post, Unit
from tests.conftest import csrf_token, login


def names(app: Flask, unit: str | None = None) -> set[str]:
    with app.app_context():
        stmt = select(Post.name).join(Unit)
        if unit:
            stmt = stmt.where(Unit.code == unit)
        return set(db.session.scalars(stmt))


def test_committee_sees_every_post(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    page = client.get("/posts/").get_data(as_text=True)
    assert all(name in page for name in names(app))


def test_branch_secretary_sees_only_own_unit(app: Flask, client: FlaskClient) -> None:
    login(client, "branch_secretary")  # 综采一区
    others = names(app) - names(app, "zc1")
    for url in ("/posts/", "/posts/?unit=all", "/posts/?unit=jj2"):
        page = client.get(url).get_data(as_text=True)
        assert all(name in page for name in names(app, "zc1"))
        assert not any(name in page for name in others), url


def test_unit_filter_answers_htmx_with_the_list_only(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    answer = client.get("/posts/?unit=ys&status=listed", headers={"HX-Request": "true"})
    fragment = answer.get_data(as_text=True)
    assert answer.headers["HX-Push-Url"] == "/posts/?unit=ys&status=listed"  # back and reload return here
    assert "HX-Push-Url" not in client.get("/posts/?unit=ys").headers  # a whole page is its own address
    assert fragment.lstrip().startswith('<div id="posts"')
    assert "三水平上车场" in fragment
    assert "56804工作面运料巷" not in fragment


def test_demonstrators_come_from_the_open_roster_with_the_post_leader_first(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        unit = db.session.scalars(select(Unit).where(Unit.code == "zc1")).one()
        party = db.session.scalars(
            select(Member).where(Member.unit_id == unit.id, Member.party_member).order_by(Member.id)
        ).all()
        first, second, gone = party[0], party[1], party[2]
        gone.closed_on = date(2026, 1, 1)
        db.session.commit()
        ids, gone_name = (first.id, second.id), gone.name
    login(client, "branch_secretary")
    page = client.get("/posts/new").get_data(as_text=True)
    assert gone_name not in page  # who left is not offered
    form = {"csrf_token": csrf_token(client, "/posts/new"), "name": "岗长测试岗", "profession": "coal",
            "demonstrator": [str(i) for i in ids]}  # fmt: skip
    wrong = client.post("/posts/new", data=form | {"leader": str(gone.id)})
    assert wrong.status_code == 422
    assert "岗长必须是已勾选的示范者之一" in wrong.get_data(as_text=True)
    saved = client.post("/posts/new", data=form | {"leader": str(ids[1])})
    assert saved.status_code == 303
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.name == "岗长测试岗")).one()
        assert [d.member_id for d in post.demonstrators] == [ids[1], ids[0]]  # position 0 is the 岗长
