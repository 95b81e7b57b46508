"""A real mine starts with nothing: after first-run setup, with one unit and an account per role but no
posts, rounds, sheets, standards or notices, every route answers every role without a 500, and each role
gets exactly the access its views declare."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask

from inspect_app.auth.services import hash_password
from inspect_app.database import write_transaction
from inspect_app.domain.mine import MineFields
from inspect_app.extensions import db
from inspect_app.models import Branch, Unit, User
from inspect_app.setup.services import FirstAdmin, init_mine
from tests.conftest import ROLE_LOGINS, csrf_token, login, make_app

PASSWORD = "Kuang-2026-jiancha"
#: any URL parameter the walk meets: ids that name nothing (a real mine has none yet)
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
SAMPLES = {"code": "ABCDE", "fmt": "csv", "filename": "css/app.css", "kind": "members"}


def _set_up(app: Flask) -> None:
    with app.app_context():
        init_mine(
            MineFields("山东能源集团新建煤矿", "新建煤矿", "中共新建煤矿委员会", "Asia/Shanghai", ""),
            FirstAdmin(ROLE_LOGINS["admin"], "系统管理员", PASSWORD),
        )
        with write_transaction():
            unit = Unit(code="u1", name="综采一区", branch=Branch(name="综采一区党支部"))
            db.session.add(unit)
            db.session.flush()
            for role, username in ROLE_LOGINS.items():
                if role != "admin":
                    db.session.add(User(username=username, display_name=username, role=role,
                                        unit_id=unit.id if role == "branch_secretary" else None,
                                        password_hash=hash_password(PASSWORD)))  # fmt: skip
        db.session.remove()


def _sample(rule: str) -> str:
    def one(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name in SAMPLES:
            return SAMPLES[name]
        return "1" if converter in ("int", "rid") else "x"

    return PARAM.sub(one, rule)


@pytest.mark.parametrize("role", [None, *ROLE_LOGINS])
def test_every_route_answers_every_role_on_an_empty_mine(
    empty_app: Flask, migrated_url: str, role: str | None
) -> None:
    _set_up(empty_app)
    walk = make_app(migrated_url, WTF_CSRF_ENABLED=False)
    client = walk.test_client()
    if role:
        login(client, role, PASSWORD)
    failures = []
    for rule in empty_app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        access = empty_app.view_functions[rule.endpoint].access
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(_sample(rule.rule), method=method, data={})
            status = response.status_code
            if status >= 500:
                ok = False
            elif access == "public":
                ok = status not in (401, 403)
            elif role is None:
                ok = status == 302 and "/login" in response.headers["Location"]
            else:
                ok = (status != 403) if role in access else status == 403
            if not ok:
                failures.append((method, rule.rule, status))
    with walk.app_context():
        db.engine.dispose()
    assert failures == [], "\n".join(map(repr, failures))


def test_the_lists_of_an_empty_mine_say_so_instead_of_failing(empty_app: Flask) -> None:
    _set_up(empty_app)
    client = empty_app.test_client()
    login(client, "admin", PASSWORD)
    for path in ("/posts/", "/rounds/", "/rankings/", "/notices/", "/rectifications/", "/standards/",
                 "/admin/audit", "/posts/new"):  # fmt: skip
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
    new_post = client.get("/posts/new").get_data(as_text=True)
    assert 'name="name"' in new_post  # one unit exists: the form is there
    with empty_app.app_context(), write_transaction():
        db.session.get(Unit, 1).closed_on = db.func.current_date()  # type: ignore[union-attr]
    closed = client.get("/posts/new").get_data(as_text=True)
    assert 'name="name"' not in closed  # no open unit: it says where units are entered instead


def test_an_empty_mine_creates_its_first_standard_from_its_real_score_sheet(empty_app: Flask) -> None:
    """The first standard of a new mine: the 安全质量标准化 sheet as kept (merged 类别, 1100 points)."""
    from tests.real_sheets import real_sheet, to_xlsx_bytes

    _set_up(empty_app)
    client = empty_app.test_client()
    login(client, ROLE_LOGINS["admin"], PASSWORD)
    assert client.get("/standards/").status_code == 200
    token = csrf_token(client, "/standards/new")
    sheet = to_xlsx_bytes(real_sheet(), merged_categories=True)
    data = {"csrf_token": token, "title": "采煤专业安全质量标准化评分表", "profession": "coal",
            "file": (io.BytesIO(sheet), "评分表.xlsx")}  # fmt: skip
    response = client.post("/standards/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "共 129 项，11 类，1100 分。" in page
    assert client.get("/s/1").status_code == 200  # the public page of the standard
