"""First-run setup on an empty database: nothing else answers until the mine has its names, time zone and
first administrator; it happens once (also when two setups race); the setup key keeps strangers out."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Mine, User
from inspect_app.setup.services import setup_key
from tests.conftest import csrf_token, login

STRONG = "Kuang-2026-jiancha"


def _form(app: Flask, **over: str) -> dict[str, str]:
    with app.app_context():
        key = setup_key()
    form = {
        "setup_key": key.lower().replace("-", " "),  # typed as read: case and separators do not matter
        "name": "山东能源集团鲍店煤矿",
        "short_name": "鲍店煤矿",
        "committee_name": "中共鲍店煤矿委员会",
        "time_zone": "Asia/Shanghai",
        "base_url": "https://inspect.baodian.example.cn/",
        "username": "zhangsan",
        "display_name": "系统管理员 张三",
        "password": STRONG,
        "password2": STRONG,
    }
    return form | over


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def _setup(app: Flask, client: FlaskClient, **over: str) -> Any:
    token = csrf_token(client, "/setup/")
    return client.post("/setup/", data=_form(app, **over) | {"csrf_token": token})


@pytest.mark.parametrize(
    "path", ["/", "/posts/", "/login", "/p/ABCDE", "/rounds/", "/b/rounds/1/bundle.json"]
)
def test_an_empty_database_sends_every_page_to_setup(empty_app: Flask, path: str) -> None:
    response = empty_app.test_client().get(path)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/setup/")


def test_setup_asks_for_names_zone_and_the_first_administrator(empty_app: Flask) -> None:
    page = empty_app.test_client().get("/setup/").get_data(as_text=True)
    for field in ("setup_key", "name", "short_name", "committee_name", "time_zone", "base_url", "username"):
        assert f'name="{field}"' in page
    assert "Asia/Shanghai" in page


def test_setup_writes_the_mine_and_its_administrator_once(empty_app: Flask) -> None:
    client = empty_app.test_client()
    response = _setup(empty_app, client)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    with empty_app.app_context():
        mine = db.session.get(Mine, 1)
        assert mine is not None
        assert (mine.committee_name, mine.time_zone) == ("中共鲍店煤矿委员会", "Asia/Shanghai")
        assert mine.base_url == "https://inspect.baodian.example.cn"
        admin = db.session.scalars(select(User)).one()
        assert (admin.username, admin.role) == ("zhangsan", "admin")
        assert STRONG not in admin.password_hash
    login(client, "zhangsan", STRONG)
    assert "鲍店煤矿" in client.get("/posts/").get_data(as_text=True)  # the page title names the mine
    again = client.get("/setup/")
    assert again.status_code == 409
    assert "已经" in again.get_data(as_text=True) or "already" in again.get_data(as_text=True)
    second = client.post("/setup/", data=_form(empty_app, username="other") | {"csrf_token": "x"})
    assert second.status_code in (400, 409)  # a stale form: CSRF or "already set up", never a second admin
    assert _count(empty_app, User) == 1


def test_a_wrong_setup_key_stores_nothing(empty_app: Flask) -> None:
    client = empty_app.test_client()
    response = _setup(empty_app, client, setup_key="AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 422
    assert "flask --app inspect_app setup-key" in response.get_data(as_text=True)
    assert _count(empty_app, Mine) == 0
    assert _count(empty_app, User) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Asia/Beijing", "时区"),
        ("time_zone", "../../etc/passwd", "时区"),
        ("base_url", "javascript:alert(1)", "https://"),
        ("base_url", "https://inspect.example.cn/p/?x=1", "https://"),
        ("name", "", "必填"),
        ("committee_name", "中" * 129, "128"),
        ("password", "12345678901", "常见"),
        ("password2", "something-else-2026", "不一致"),
        ("username", "张三", "字母"),
    ],
)
def test_bad_setup_entries_are_refused_with_a_message_next_to_the_field(
    empty_app: Flask, field: str, value: str, message: str
) -> None:
    client = empty_app.test_client()
    response = _setup(empty_app, client, **{field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(empty_app, Mine) == 0


def test_two_setups_racing_make_one_mine_and_one_administrator(empty_app: Flask) -> None:
    from inspect_app.domain.mine import MineFields
    from inspect_app.setup.services import FirstAdmin, SetupRefused, init_mine

    start = threading.Barrier(6)
    outcomes: list[str] = []

    def run(n: int) -> None:
        with empty_app.app_context():
            fields = MineFields(f"矿{n}", f"矿{n}", f"中共矿{n}委员会", "Asia/Shanghai", "")
            start.wait()
            try:
                init_mine(fields, FirstAdmin(f"admin{n}", "管理员", STRONG))
                outcomes.append("set up")
            except SetupRefused as refused:
                outcomes.append(refused.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done"] * 5 + ["set up"]
    assert _count(empty_app, Mine) == 1
    assert _count(empty_app, User) == 1


def test_init_mine_command_sets_up_an_empty_database_once(empty_app: Flask) -> None:
    runner = empty_app.test_cli_runner()
    args = ["init-mine", "--name", "兖矿能源济宁二号煤矿", "--short-name", "济宁二号煤矿",
            "--admin", "admin", "--admin-name", "系统管理员"]  # fmt: skip
    weak = runner.invoke(args=args, input="12345678\n12345678\n")
    assert weak.exit_code != 0
    assert _count(empty_app, Mine) == 0
    result = runner.invoke(args=args, input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        mine = db.session.get(Mine, 1)
        assert mine is not None
        assert mine.committee_name == "中共济宁二号煤矿委员会"  # styled from the short name when not given
        assert db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "mine.setup")
        )
    twice = runner.invoke(args=args, input=f"{STRONG}\n{STRONG}\n")
    assert twice.exit_code != 0
    assert "done" in twice.output
    assert _count(empty_app, User) == 1


def test_setup_key_command_prints_what_the_page_accepts(empty_app: Flask) -> None:
    printed = empty_app.test_cli_runner().invoke(args=["setup-key"]).output.strip()
    client = empty_app.test_client()
    response = _setup(empty_app, client, setup_key=printed)
    assert response.status_code == 303


def test_the_administrator_corrects_the_mines_names_and_the_letterhead_follows(app: Flask) -> None:
    client = app.test_client()
    login(client, "admin")
    token = csrf_token(client, "/setup/mine")
    form = {"csrf_token": token, "name": "示范矿业集团采矿公司", "short_name": "采矿公司",
            "committee_name": "中共示范采矿公司委员会", "time_zone": "Asia/Urumqi",
            "base_url": ""}  # fmt: skip
    assert client.post("/setup/mine", data=form).status_code == 303
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mine.edit")).one()
        assert entry.before
        assert entry.before["committee_name"] == "中共采矿公司委员会"
    login_other = app.test_client()
    login(login_other, "committee")
    assert login_other.get("/setup/mine").status_code == 403


def test_login_ignores_the_case_a_phone_gives_the_username(app: Flask) -> None:
    client = app.test_client()
    login(client, "Renshi")  # phones capitalise the first letter of a field
    assert client.get("/rounds/").status_code == 200


def test_an_upgraded_database_without_an_administrator_gets_one_and_keeps_its_accounts(
    empty_app: Flask,
) -> None:
    from inspect_app.auth.services import hash_password

    with empty_app.app_context():
        db.session.add(User(username="zhangsan", display_name="检查员 张三", role="inspector",
                            password_hash=hash_password(STRONG)))  # fmt: skip
        db.session.commit()
    client = empty_app.test_client()
    assert 'name="username"' in client.get("/setup/").get_data(as_text=True)  # no administrator yet: asked
    taken = _setup(empty_app, client, username="ZhangSan")
    assert taken.status_code == 422
    assert "该用户名已被使用" in taken.get_data(as_text=True)
    assert _count(empty_app, Mine) == 0
    assert _setup(empty_app, client, username="admin").status_code == 303
    with empty_app.app_context():
        roles = sorted(db.session.scalars(select(User.role)))
    assert roles == ["admin", "inspector"]
