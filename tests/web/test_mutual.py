"""互查: a mutual round assigns inspecting units to inspected units; only the assigned unit's people (its
branch secretary, inspectors on its roster) sign those posts — not the post's own unit, not the staff, not a
third unit. An assignment that leaves a unit unchecked, or has a unit check itself, is refused with its
units named."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.accounts.services import AccountInput, create_account, set_password
from inspect_app.audit import SYSTEM_ACTOR
from inspect_app.demo import DEMO_PASSWORD
from inspect_app.extensions import db
from inspect_app.models import Member, Unit
from tests.conftest import login

from .test_rectifications import sign
from .test_rounds import listed_posts, round_form, step


def unit_ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {u.code: u.id for u in db.session.scalars(select(Unit))}


def account(
    app: Flask, username: str, role: str, unit: str | None = None, member_unit: str | None = None
) -> None:
    with app.app_context():
        units = {u.code: u.id for u in db.session.scalars(select(Unit))}
        member = None
        if member_unit:
            member = db.session.scalars(select(Member.id).where(Member.unit_id == units[member_unit])).first()
        user_id, _once = create_account(
            SYSTEM_ACTOR, AccountInput(username, f"测试 {username}", role, units.get(unit or ""), member)
        )
        set_password(user_id, DEMO_PASSWORD, must_change=False)


def mutual_form(
    client: FlaskClient, app: Flask, pairs: dict[str, list[str]], **fields: str
) -> dict[str, object]:
    units = unit_ids(app)
    posts = [pid for pid, _code in listed_posts(app, "zc1")[:1] + listed_posts(app, "jj1")[:1]]
    form = round_form(client, "/rounds/new", posts, mode="mutual", anonymous="", title="12月互查", **fields)
    for inspected, inspecting in pairs.items():
        form[f"pair-{units[inspected]}"] = [str(units[u]) for u in inspecting]
    return form


def test_the_assigned_unit_signs_and_everyone_else_is_refused(app: Flask, client: FlaskClient) -> None:
    account(app, "shuji_jj1", "branch_secretary", unit="jj1")
    account(app, "shuji_jj2", "branch_secretary", unit="jj2")
    account(app, "jiancha_jj1", "inspector", member_unit="jj1")
    login(client, "committee")
    response = client.post("/rounds/new", data=mutual_form(client, app, {"zc1": ["jj1"], "jj1": ["zc1"]}))
    assert response.status_code == 303
    round_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "综采一区 由 掘进一区 检查" in page
    assert step(client, round_id, "open").status_code == 303
    zc1_post, jj1_post = listed_posts(app, "zc1")[0][1], listed_posts(app, "jj1")[0][1]

    refused = sign(app, client, round_id, jj1_post)  # the committee is not an assigned unit
    assert refused.status_code == 403
    assert "互查" in refused.get_data(as_text=True)
    for username, code, allowed in (
        ("shuji", jj1_post, True),  # 综采一区 checks 掘进一区
        ("shuji", zc1_post, False),  # … but never its own posts
        ("shuji_jj1", zc1_post, True),
        ("jiancha_jj1", zc1_post, True),  # an inspector on 掘进一区's roster is one of its people
        ("shuji_jj2", jj1_post, False),  # a third unit
        ("shuji_jj2", zc1_post, False),
    ):
        other = app.test_client()
        login(other, username)
        form = other.get(f"/field/{round_id}/{code}")
        assert (form.status_code == 200) is allowed  # the form itself is refused up front too
        done = sign(app, other, round_id, code)
        assert (done.status_code == 303) is allowed, (username, code, done.status_code)


def test_an_assignment_must_cover_every_unit_and_never_the_unit_itself(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "committee")
    missing = client.post("/rounds/new", data=mutual_form(client, app, {"zc1": ["jj1"]}))
    assert missing.status_code == 422
    assert "以下单位尚未指定：掘进一区。" in missing.get_data(as_text=True)
    form = mutual_form(client, app, {"zc1": ["jj1"], "jj1": ["jj1"]})
    itself = client.post("/rounds/new", data=form)
    assert itself.status_code == 422
    assert "自查" in itself.get_data(as_text=True)
    unknown = client.post("/rounds/new", data={**form, f"pair-{unit_ids(app)['jj1']}": ["99999"]})
    assert unknown.status_code == 422
    joint = client.post("/rounds/new", data={**mutual_form(client, app, {}), "mode": "joint"})
    assert joint.status_code == 303  # a joint check needs no assignment


def test_the_ring_button_fills_a_rotation_without_saving(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    units = unit_ids(app)
    page = client.post("/rounds/new", data={**mutual_form(client, app, {}), "ring": "1"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for inspected, inspecting in (("zc1", "jj1"), ("jj1", "zc1")):
        select_html = html.split(f'name="pair-{units[inspected]}"', 1)[1].split("</select>", 1)[0]
        assert f'value="{units[inspecting]}" selected' in select_html
    assert "12月互查" in html  # the rest of the form is kept
    assert client.get("/rounds/").get_data(as_text=True).count("12月互查") == 0  # nothing saved
