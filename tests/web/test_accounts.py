"""Accounts (账号管理): the administrator creates, resets, disables and enables logins; a one-time password is
shown once and must be replaced at the first login; the own-password page keeps the policy; 整改 people are
picked from the roster and the accounts."""

from __future__ import annotations

import io
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select, update
from werkzeug.security import check_password_hash

from inspect_app.accounts.services import AccountRefused, set_active
from inspect_app.audit import SYSTEM_ACTOR
from inspect_app.auth.messages import password_message
from inspect_app.extensions import db
from inspect_app.i18n import local_time
from inspect_app.models import AuditEntry, Member, Post, Rectification, Unit, User
from tests.conftest import CSRF_RE, csrf_token, login
from tests.web.test_rectifications import POST, issued_from_a_sheet, jpeg, raise_one, round_id, sign

ONE_TIME = re.compile(r'id="one-time-password"[^>]*>([^<]+)<')
NEW_PASSWORD = "tunnel-lamp-42x"


def unit_id(app: Flask, code: str = "zc1") -> int:
    with app.app_context():
        return db.session.scalars(select(Unit.id).where(Unit.code == code)).one()


def account(app: Flask, username: str) -> User:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        db.session.expunge(user)
        return user


def create(client: FlaskClient, **fields: object) -> tuple[int, str]:
    """As the logged-in administrator: POST the new-account form; (status, page)."""
    form = {"csrf_token": csrf_token(client, "/accounts/new"), "username": "zhangsan",
            "display_name": "综采一区党支部书记 张三", "role": "branch_secretary"}  # fmt: skip
    form.update({k: str(v) for k, v in fields.items()})
    response = client.post("/accounts/new", data=form)
    return response.status_code, response.get_data(as_text=True)


def one_time_password(page: str) -> str:
    match = ONE_TIME.search(page)
    assert match, page[:2000]
    return match.group(1).strip()


def new_secretary(app: Flask, client: FlaskClient) -> str:
    login(client, "admin")
    status, page = create(client, unit_id=unit_id(app))
    assert status == 200, page[:2000]
    return one_time_password(page)


def fresh_login(app: Flask, username: str, password: str) -> tuple[FlaskClient, str]:
    """A new phone logging in; (its client, where the login sent it)."""
    phone = app.test_client()
    token = CSRF_RE.search(phone.get("/login").get_data(as_text=True))
    assert token
    answer = phone.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    return phone, answer.headers.get("Location", str(answer.status_code))


def change(phone: FlaskClient, current: str, new: str, repeat: str | None = None) -> tuple[int, str]:
    form = {"csrf_token": csrf_token(phone, "/password"), "current": current, "new": new,
            "repeat": new if repeat is None else repeat}  # fmt: skip
    response = phone.post("/password", data=form)
    return response.status_code, response.get_data(as_text=True)


def message(app: Flask, problem: str) -> str:
    with app.test_request_context():
        return str(escape(password_message(problem)))


def test_the_one_time_password_is_shown_once_and_kept_only_as_a_hash(app: Flask, client: FlaskClient) -> None:
    password = new_secretary(app, client)
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    assert password not in client.get("/accounts/").get_data(as_text=True)
    assert password not in client.get("/accounts/new").get_data(as_text=True)
    status, again = create(client, unit_id=unit_id(app))  # the browser's "resend the form?" on reload
    assert status == 422
    assert password not in again
    assert ONE_TIME.search(again) is None
    user = account(app, "zhangsan")
    assert (user.role, user.unit_id, user.must_change_password) == ("branch_secretary", unit_id(app), True)
    assert password not in user.password_hash
    assert check_password_hash(user.password_hash, password)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "user")).all()
        logged = json.dumps([[e.action, e.before, e.after] for e in entries], ensure_ascii=False)
    assert "account.create" in logged
    assert "zhangsan" in logged
    assert password not in logged
    assert user.password_hash not in logged
    assert "password_hash" not in logged


def test_the_first_login_opens_nothing_but_the_password_page(app: Flask, client: FlaskClient) -> None:
    password = new_secretary(app, client)
    phone, landed = fresh_login(app, "zhangsan", password)
    assert landed.endswith("/password")
    blocked = phone.get("/posts/")
    assert blocked.status_code == 303
    assert blocked.headers["Location"].endswith("/password")
    for public in ("/", f"/p/{POST}", "/offline/", "/offline/session.json"):  # they would show what it may do
        assert phone.get(public).headers.get("Location", "").endswith("/password"), public
    assert 'href="/posts/"' not in phone.get("/password").get_data(as_text=True)  # no menu either
    status, page = change(phone, password, "password123")
    assert status == 422
    assert message(app, "common") in page
    status, page = change(phone, password, "short-1")
    assert status == 422
    assert message(app, "too_short") in page
    assert change(phone, "wrong-password-1", NEW_PASSWORD)[0] == 422
    assert change(phone, password, NEW_PASSWORD, "tunnel-lamp-43x")[0] == 422
    assert phone.get("/posts/").status_code == 303  # nothing refused was saved
    assert change(phone, password, NEW_PASSWORD)[0] == 303
    assert phone.get("/posts/").status_code == 200
    assert account(app, "zhangsan").must_change_password is False
    assert fresh_login(app, "zhangsan", NEW_PASSWORD)[1].endswith("/desk/")


def test_changing_ones_password_keeps_this_phone_and_ends_the_others(app: Flask) -> None:
    phone, _ = fresh_login(app, "jiancha", "demo-2026")
    other, _ = fresh_login(app, "jiancha", "demo-2026")
    assert change(phone, "demo-2026", NEW_PASSWORD)[0] == 303
    assert phone.get("/posts/").status_code == 200
    assert other.get("/posts/").status_code == 302


def test_a_reset_ends_the_sessions_and_forces_a_new_change(app: Flask, client: FlaskClient) -> None:
    first = new_secretary(app, client)
    phone, _ = fresh_login(app, "zhangsan", first)
    assert change(phone, first, NEW_PASSWORD)[0] == 303
    assert phone.get("/posts/").status_code == 200
    user = account(app, "zhangsan")
    form = {"csrf_token": csrf_token(client, "/accounts/"), "username": "zhangsan"}
    reset = client.post(f"/accounts/{user.id}/reset", data=form)
    assert reset.status_code == 200
    second = one_time_password(reset.get_data(as_text=True))
    assert second != first
    assert phone.get("/posts/").status_code == 302  # logged out
    assert fresh_login(app, "zhangsan", NEW_PASSWORD)[1] == "422"
    assert fresh_login(app, "zhangsan", second)[1].endswith("/password")
    assert second not in client.get("/accounts/").get_data(as_text=True)


def test_a_bare_post_neither_resets_nor_disables(app: Flask, client: FlaskClient) -> None:
    login(client, "admin")
    target = account(app, "jiancha3")
    token = csrf_token(client, "/accounts/")
    assert client.post(f"/accounts/{target.id}/reset", data={"csrf_token": token}).status_code == 422
    assert client.post(f"/accounts/{target.id}/active", data={"csrf_token": token}).status_code == 422
    after = account(app, "jiancha3")
    assert (after.password_hash, after.active) == (target.password_hash, True)


def test_disabling_ends_the_sessions_and_refuses_the_login(app: Flask, client: FlaskClient) -> None:
    phone, _ = fresh_login(app, "jiancha", "demo-2026")
    assert phone.get("/posts/").status_code == 200
    login(client, "admin")
    target = account(app, "jiancha")
    form = {"csrf_token": csrf_token(client, "/accounts/"), "username": "jiancha", "active": "0"}
    assert client.post(f"/accounts/{target.id}/active", data=form).status_code == 303
    assert phone.get("/posts/").status_code == 302
    assert fresh_login(app, "jiancha", "demo-2026")[1] == "422"
    assert account(app, "jiancha").active is False
    listed = client.get("/accounts/").get_data(as_text=True)
    assert '<input type="hidden" name="active" value="1">' in listed  # its card offers 启用
    form["active"] = "1"
    assert client.post(f"/accounts/{target.id}/active", data=form).status_code == 303
    assert fresh_login(app, "jiancha", "demo-2026")[1].endswith("/desk/")


def test_an_admin_cannot_disable_themselves_or_the_last_administrator(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "admin")
    me = account(app, "admin")
    form = {"csrf_token": csrf_token(client, "/accounts/"), "username": "admin", "active": "0"}
    refused = client.post(f"/accounts/{me.id}/active", data=form)
    assert refused.status_code == 409
    assert account(app, "admin").active
    with app.app_context(), pytest.raises(AccountRefused, match="last_admin"):
        set_active(SYSTEM_ACTOR, me.id, False)
    assert account(app, "admin").active


def test_the_list_shows_the_last_login_in_the_mines_time(app: Flask, client: FlaskClient) -> None:
    fresh_login(app, "jiancha", "demo-2026")
    login(client, "admin")
    seen = account(app, "jiancha").last_login_at
    assert seen is not None
    with app.app_context():
        shown = local_time(seen)
    page = client.get("/accounts/").get_data(as_text=True)
    assert shown in page
    assert "检查员 刘志刚" in page


def test_only_the_administrator_manages_accounts(app: Flask) -> None:
    for role in ("committee", "hr", "branch_secretary", "inspector"):
        phone = app.test_client()
        login(phone, role)
        assert phone.get("/accounts/").status_code == 403
        assert phone.get("/accounts/new").status_code == 403
        assert 'href="/accounts/"' not in phone.get("/posts/").get_data(as_text=True)
    admin = app.test_client()
    login(admin, "admin")
    assert 'href="/accounts/"' in admin.get("/posts/").get_data(as_text=True)


def test_bad_input_is_refused_with_its_message(app: Flask, client: FlaskClient) -> None:
    login(client, "admin")
    with app.test_request_context():
        from inspect_app.accounts.messages import refusal

        no_unit = str(escape(refusal(AccountRefused("unit_required"))))
        taken = str(escape(refusal(AccountRefused("username_taken"))))
        not_secretary = str(escape(refusal(AccountRefused("unit_not_allowed"))))
    status, page = create(client)
    assert (status, no_unit in page) == (422, True)
    status, page = create(client, username="jiancha", role="inspector")
    assert (status, taken in page) == (422, True)
    status, page = create(client, username="JianCha", role="inspector")  # usernames differ in more than case
    assert (status, taken in page) == (422, True)
    status, page = create(client, username="wangwu", role="inspector", unit_id=unit_id(app))
    assert (status, not_secretary in page) == (422, True)
    assert create(client, username="a b", role="inspector")[0] == 422
    assert create(client, username="wangwu", role="root")[0] == 422
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username.in_(["zhangsan", "wangwu"]))) is None


def test_create_user_names_the_unit_codes_when_the_code_is_unknown(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "lisi", "--role", "branch_secretary", "--name", "李四",
                                 "--unit", "nope", "--password", NEW_PASSWORD])  # fmt: skip
    assert result.exit_code != 0
    assert "no open unit with code 'nope'" in result.output
    assert "zc1" in result.output
    weak = runner.invoke(args=["create-user", "lisi", "--role", "inspector", "--name", "李四",
                               "--password", "woaini1314"])  # fmt: skip
    assert weak.exit_code != 0
    assert "common" in weak.output
    ok = runner.invoke(args=["create-user", "lisi", "--role", "branch_secretary", "--name", "李四",
                             "--unit", "zc1", "--password", NEW_PASSWORD])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert account(app, "lisi").must_change_password is False


def test_a_fix_names_a_roster_member_and_its_checker_account_rechecks_it(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.code == POST)).one()
        member = db.session.scalars(
            select(Member)
            .where(Member.unit_id == post.unit_id, Member.closed_on.is_(None))
            .order_by(Member.id)
        ).first()
        assert member is not None
        member_id, member_name, post_unit = member.id, member.name, post.unit_id
        # the inspectors may sign the post (its assessor names them): only the named one may re-check
        db.session.execute(update(Post).where(Post.code == POST).values(assessor="检查员 刘志刚 陈海涛"))
        db.session.commit()
    issued = issued_from_a_sheet(app, client)  # typed 张海涛 (on the roster) and 王建华 (组织人事部 王建华)
    with app.app_context():
        hr_id = db.session.scalar(select(User.id).where(User.username == "renshi"))
        zhang = db.session.scalar(
            select(Member.id).where(Member.name == "张海涛", Member.unit_id == post_unit)
        )
    assert (issued.responsible_member_id, issued.checker_user_id) == (zhang, hr_id)
    monthly = round_id(app, "monthly")
    url = f"/rectifications/new?round={monthly}&post={POST}"
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{member_name}">' in page
    assert '<option value="检查员 刘志刚">' in page
    assert raise_one(client, url, responsible="外协队 老周", checker="矿外专家 钱工").status_code == 303
    with app.app_context():
        outside = db.session.scalars(select(Rectification).order_by(Rectification.id.desc())).first()
        assert outside is not None
        assert (outside.responsible, outside.responsible_member_id) == ("外协队 老周", None)
        assert (outside.checker, outside.checker_user_id) == ("矿外专家 钱工", None)
    assert raise_one(client, url, responsible=member_name, checker="检查员 刘志刚").status_code == 303
    with app.app_context():
        rect = db.session.scalars(select(Rectification).order_by(Rectification.id.desc())).first()
        assert rect is not None
        rect_id = rect.id
        assert (rect.responsible, rect.responsible_member_id) == (member_name, member_id)
        assert rect.checker_user_id == db.session.scalar(select(User.id).where(User.username == "jiancha"))
    token = csrf_token(client, f"/rectifications/{rect_id}")
    client.post(f"/rectifications/{rect_id}/assign", data={"csrf_token": token, "responsible": member_name})
    photo = {"photo": (io.BytesIO(jpeg()), "after.jpg")}
    client.post(f"/rectifications/{rect_id}/complete", data={"csrf_token": token, "note": "已补液", **photo})
    ten_day = round_id(app, "ten_day")
    other = app.test_client()
    login(other, "jiancha2")  # signs the post too, but is not the checker
    assert f'name="rc-{rect_id}"' not in other.get(f"/field/{ten_day}/{POST}").get_data(as_text=True)
    checker = app.test_client()
    login(checker, "jiancha")
    assert f'name="rc-{rect_id}"' in checker.get(f"/field/{ten_day}/{POST}").get_data(as_text=True)
    assert sign(app, checker, ten_day, **{f"rc-{rect_id}": "pass"}).status_code == 303
    with app.app_context():
        assert db.session.get(Rectification, rect_id).status == "passed"  # type: ignore[union-attr]
