"""操作日志 reads in Chinese: actions, records and changed fields in words, values as the pages label them,
filtered by person, action, record and the mine's dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask

from inspect_app import clock
from tests.web.test_post_lifecycle import client_as, create, step


def entries(page: str) -> list[str]:
    return re.findall(r'<li class="card">(.*?)</li>', page, flags=re.S)


def test_entries_read_as_words_with_changed_fields(app: Flask) -> None:
    secretary, committee = client_as(app, "branch_secretary"), client_as(app, "committee")
    code = create(app, secretary)
    assert step(secretary, code, "apply").status_code == 303
    page = committee.get(f"/admin/audit?entity=post&id={code}").get_data(as_text=True)
    applied = next(e for e in entries(page) if "申报示范岗" in e)
    assert "示范岗 " + code in applied
    assert '<th scope="row">状态</th><td>草稿</td><td>已申报</td>' in applied
    assert "说明" not in applied  # a field that stayed empty is no change
    for raw in ("post.apply", '"status"', "draft", "{"):
        assert raw not in applied


def test_filters_by_person_action_and_date(app: Flask) -> None:
    secretary, committee = client_as(app, "branch_secretary"), client_as(app, "committee")
    code = create(app, secretary)
    later = datetime.now(UTC) + timedelta(days=3)
    with clock.frozen(later):
        assert step(secretary, code, "apply").status_code == 303
        assert step(committee, code, "review").status_code == 303
    by_action = committee.get("/admin/audit?action=post.review").get_data(as_text=True)
    assert all("开始调研论证" in e for e in entries(by_action))
    assert len(entries(by_action)) >= 1
    with app.app_context():
        from sqlalchemy import select

        from inspect_app.extensions import db
        from inspect_app.models import User

        name = db.session.scalar(select(User.display_name).where(User.username == "shuji"))
    by_person = entries(committee.get("/admin/audit", query_string={"actor": name}).get_data(as_text=True))
    assert len(by_person) >= 2
    assert all(str(name) in e for e in by_person)
    day = clock.local(later).date().isoformat()
    that_day = committee.get(f"/admin/audit?from={day}&to={day}").get_data(as_text=True)
    assert {"申报示范岗", "开始调研论证"} <= {
        a for e in entries(that_day) for a in re.findall(r"<strong>(.*?)</strong>", e)
    }
    assert not any("新建示范岗" in e for e in entries(that_day))  # created three days earlier
    assert committee.get("/admin/audit?from=2026-13-01").status_code == 400
