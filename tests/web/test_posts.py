"""The post register staff see after logging in."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Post, Unit
from tests.conftest import login


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
    fragment = client.get("/posts/?unit=ys", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="posts"')
    assert "三水平上车场" in fragment
    assert "56804工作面运料巷" not in fragment
