"""A post's life through the staff pages: draft → 申报 → 调研论证 → 推倒重建 → 申报 → 挂牌 → 调整 → 撤销,
with the history, the audit log and the public page following along."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Member, Post, Standard, StandardVersion, Unit
from tests.conftest import csrf_token, login


def client_as(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    login(client, role)
    return client


def draft_form(app: Flask, **over: object) -> dict[str, object]:
    """A complete form for a new 综采一区 post; ``over`` replaces fields (empty string = left out)."""
    with app.app_context():
        unit = db.session.scalars(select(Unit).where(Unit.code == "zc1")).one()
        members = db.session.scalars(
            select(Member.id).where(Member.unit_id == unit.id, Member.party_member).limit(2)
        ).all()
        version = db.session.scalars(
            select(StandardVersion.id).join(Standard).where(Standard.profession == "coal")
        ).one()
    form: dict[str, object] = {
        "name": "56806工作面回风巷",
        "profession": "coal",
        "area": "二水平五采区56806工作面回风巷",
        "basis": "集团公司安全质量标准化标准",
        "standard_version_id": str(version),
        "assessor": "党委组织人事部 王建华",
        "assessment": "周检查、月考核",
        "duties": "回风巷支护与通风设施管理",
        "commitment": "巷道无失修",
        "start_date": "2026-12-01",
        "end_date": "2027-11-30",
        "demonstrator": [str(m) for m in members],
    }
    form.update(over)
    return form


def create(app: Flask, secretary: FlaskClient, **over: object) -> str:
    token = csrf_token(secretary, "/posts/new")
    response = secretary.post("/posts/new", data={**draft_form(app, **over), "csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return response.headers["Location"].rsplit("/", 1)[1]


def step(client: FlaskClient, code: str, action: str, reason: str = ""):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/posts/{code}")
    return client.post(f"/posts/{code}/step", data={"action": action, "reason": reason, "csrf_token": token})


def status_of(app: Flask, code: str) -> str:
    with app.app_context():
        return db.session.scalars(select(Post.status).where(Post.code == code)).one()


def test_apply_names_each_missing_clarity_and_changes_nothing(app: Flask) -> None:
    secretary = client_as(app, "branch_secretary")
    code = create(app, secretary, area="", demonstrator=[], start_date="", end_date="")
    response = step(secretary, code, "apply")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "五明确不完整" in page
    for name in ("明确区域", "明确示范者", "明确示范的起止时间"):
        assert name in page
    assert "明确考核人和考核标准" not in page.split("五明确不完整")[1].split("</p>")[0]
    assert status_of(app, code) == "draft"


def test_full_life_rebuilt_then_listed_adjusted_and_revoked(app: Flask) -> None:
    secretary, committee = client_as(app, "branch_secretary"), client_as(app, "committee")
    code = create(app, secretary)
    assert step(secretary, code, "apply").status_code == 303
    assert step(committee, code, "review").status_code == 303
    refused = step(committee, code, "reject", "  ")
    assert refused.status_code == 422
    assert "请填写理由" in refused.get_data(as_text=True)
    assert step(committee, code, "reject", "示范内容空泛").status_code == 303
    assert status_of(app, code) == "rejected"
    assert "示范内容空泛" in secretary.get(f"/posts/{code}").get_data(as_text=True)

    token = csrf_token(secretary, f"/posts/{code}/edit")
    form = {**draft_form(app, duties="回风巷支护、通风设施，党员分段包保"), "csrf_token": token}
    assert secretary.post(f"/posts/{code}/edit", data=form).status_code == 303
    assert step(secretary, code, "apply").status_code == 303
    assert step(committee, code, "review").status_code == 303
    assert step(committee, code, "findings", "现场符合，同意").status_code == 303
    assert step(committee, code, "approve").status_code == 303
    assert status_of(app, code) == "listed"

    history = committee.get(f"/posts/{code}").get_data(as_text=True)
    assert history.count("申报") >= 2
    assert "推倒重建" in history
    assert "现场符合" in history

    token = csrf_token(secretary, f"/posts/{code}/edit")
    adjusted = {**draft_form(app, area="56806回风巷延伸段"), "csrf_token": token}
    no_reason = secretary.post(f"/posts/{code}/edit", data=adjusted)
    assert no_reason.status_code == 422
    assert secretary.post(f"/posts/{code}/edit", data={**adjusted, "reason": "工作面推进"}).status_code == 303
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.code == code)).one()
        assert post.revision == 2
        assert post.area == "56806回风巷延伸段"
        snapshots = [e.snapshot["area"] for e in post.events if e.snapshot]
        assert "二水平五采区56806工作面回风巷" in snapshots  # the earlier version stays readable

    assert step(secretary, code, "revoke", "质量下滑").status_code == 403  # committee only
    assert step(committee, code, "revoke", "质量下滑，两次排名末位").status_code == 303
    public = app.test_client().get(f"/p/{code}").get_data(as_text=True)
    assert "已撤销示范荣誉" in public
    assert "两次排名末位" in public

    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == code)).all()
    assert {"post.create", "post.apply", "post.reject", "post.approve", "post.edit", "post.revoke"} <= set(
        actions
    )
    audit = committee.get(f"/admin/audit?entity=post&id={code}").get_data(as_text=True)
    entries = audit[audit.index('<ol class="list audit">') :]
    assert "取消示范荣誉" in entries  # the action in words, never its key
    assert "post.revoke" not in entries
    assert "两次排名末位" in audit


def test_wrong_role_or_wrong_order_is_refused_without_change(app: Flask) -> None:
    secretary, hr = client_as(app, "branch_secretary"), client_as(app, "hr")
    code = create(app, secretary)
    assert step(secretary, code, "approve").status_code == 409  # not under review yet
    assert step(secretary, code, "apply").status_code == 303
    assert step(hr, code, "review").status_code == 403
    assert step(secretary, code, "apply").status_code == 409
    assert step(secretary, code, "fly").status_code == 400
    assert status_of(app, code) == "applied"


def test_secretary_cannot_create_for_another_unit(app: Flask) -> None:
    secretary = client_as(app, "branch_secretary")
    with app.app_context():
        other = db.session.scalars(select(Unit.id).where(Unit.code == "jj2")).one()
    code = create(app, secretary, unit_id=str(other), demonstrator=[])
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.code == code)).one()
        assert post.unit.code == "zc1"  # the form's unit is ignored: a secretary works on their own unit


def test_bad_form_input_gets_messages_not_errors(app: Flask) -> None:
    secretary = client_as(app, "branch_secretary")
    token = csrf_token(secretary, "/posts/new")
    bad = draft_form(
        app, name="", start_date="2027-13-01", standard_version_id="99999999999999", demonstrator=["x"]
    )
    response = secretary.post("/posts/new", data={**bad, "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请填写示范岗名称" in page
    assert "日期格式" in page
    late = draft_form(app, start_date="2027-01-01", end_date="2026-01-01", area="x" * 501)
    response = secretary.post("/posts/new", data={**late, "csrf_token": token})
    assert response.status_code == 422
    assert "结束日期早于开始日期" in response.get_data(as_text=True)


def test_expiry_command_expires_listed_posts_past_their_end(app: Flask) -> None:
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.status == "listed")).first()
        assert post is not None
        code = post.code
        post.end_date = post.start_date
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["expire-posts"])
    assert code in result.output
    assert status_of(app, code) == "expired"
    page = app.test_client().get(f"/p/{code}").get_data(as_text=True)
    assert "已到期" in page


def test_demo_history_shows_a_post_rebuilt_twice(app: Flask) -> None:
    committee = client_as(app, "committee")
    with app.app_context():
        code = db.session.scalars(select(Post.code).where(Post.name == "804切眼")).one()
    page = committee.get(f"/posts/{code}").get_data(as_text=True)
    history = page.split('id="history"')[1]
    assert len(re.findall(r"<strong>推倒重建</strong>", history)) == 2
