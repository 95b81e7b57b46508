"""自查完成情况: per unit and month, from the signed sheets of the unit's self-check rounds: done on time,
late, not finished, not done — shown on its page (a secretary sees their own unit) and, when behind, on the
工作台 of the committee and HR; the 整改 a self-check raised are listed with it."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app import clock
from inspect_app.domain.completion import SelfCheck, state
from inspect_app.extensions import db
from inspect_app.models import Round
from tests.conftest import login

from .test_mutual import account
from .test_plans import add_line, at, next_monday, run
from .test_rectifications import raise_one, sign


def month_after_next() -> date:
    return ((next_monday().replace(day=1) + timedelta(days=31)).replace(day=1) + timedelta(days=31)).replace(
        day=1
    )


def self_check_round(app: Flask, unit: str) -> tuple[int, list[str]]:
    with app.app_context():
        rnd = db.session.scalars(
            select(Round).where(Round.plan_id.is_not(None), Round.unit.has(code=unit))
        ).one()
        codes = [e.post.code for e in rnd.entries]
        return rnd.id, codes


def test_states() -> None:
    assert state(3, 3, 3, month_over=False) == SelfCheck.DONE
    assert state(3, 3, 2, month_over=True) == SelfCheck.LATE
    assert state(3, 1, 1, month_over=False) == SelfCheck.RUNNING
    assert state(3, 1, 1, month_over=True) == SelfCheck.PARTIAL
    assert state(3, 0, 0, month_over=True) == SelfCheck.MISSING
    assert state(0, 0, 0, month_over=True) == SelfCheck.NONE_DUE


def test_each_units_month_is_judged_from_its_sheets(app: Flask, client: FlaskClient) -> None:
    month = month_after_next()
    account(app, "shuji_jj1", "branch_secretary", unit="jj1")
    login(client, "committee")
    assert add_line(client, kind="monthly", mode="self", scope="units", anonymous="",
                    valid_from=month.isoformat()).status_code == 303  # fmt: skip
    run(app, month)
    zc1, zc1_posts = self_check_round(app, "zc1")
    jj1, jj1_posts = self_check_round(app, "jj1")
    shuji, shuji_jj1 = app.test_client(), app.test_client()
    with clock.frozen(at(month + timedelta(days=4), 10)):
        login(shuji, "branch_secretary")
        login(shuji_jj1, "shuji_jj1")
        for code in zc1_posts:
            done = sign(app, shuji, zc1, code)
            assert done.status_code == 303
        sheet = int(done.headers["Location"].rsplit("/", 1)[1])
        assert (
            raise_one(
                shuji,
                f"/rectifications/new?round={zc1}&post={code}&sheet={sheet}",
                deadline=f"{month:%Y-%m}-20",
            ).status_code
            == 303
        )
        assert sign(app, shuji_jj1, jj1, jj1_posts[0]).status_code == 303
        running = client.get(f"/plans/self-checks?month={month:%Y-%m}").get_data(as_text=True)
        assert "按时完成" in running.split('id="unit-zc1"')[1].split("</li>")[0]
        assert "进行中" in running.split('id="unit-jj1"')[1].split("</li>")[0]
        own = shuji_jj1.get("/desk/").get_data(as_text=True)
        assert f"{month:%Y-%m}：已查 1 / {len(jj1_posts)} 个示范岗" in own  # the secretary's month to finish
    later = (month + timedelta(days=40)).replace(day=3)
    with clock.frozen(at(later, 10)):
        page = client.get(f"/plans/self-checks?month={month:%Y-%m}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        card = {u: html.split(f'id="unit-{u}"')[1].split("</li>")[0] for u in ("zc1", "jj1", "jj2")}
        assert "按时完成" in card["zc1"]
        assert f"已查 {len(zc1_posts)} / {len(zc1_posts)} 个示范岗" in card["zc1"]
        assert "ZG" in card["zc1"]  # the 整改 its self-check raised
        assert "未完成" in card["jj1"]
        assert "未开展" in card["jj2"]
        desk = client.get("/desk/").get_data(as_text=True)
        section = desk.split('id="todo-self_checks"')[1].split("</article>")[0]
        assert "掘进一区" in section
        assert "掘进二区" in section
        assert "综采一区" not in section
        mine = shuji_jj1.get(f"/plans/self-checks?month={month:%Y-%m}").get_data(as_text=True)
        assert "掘进一区" in mine
        assert "掘进二区" not in mine  # a secretary sees their own unit
        with app.test_request_context():  # a group's comparison reads the same months in four queries
            from collections import Counter

            from inspect_app.plans.completion import months_summary, unit_months

            months = [(month - timedelta(days=1)).replace(day=1), month, later.replace(day=1)]
            by_month: dict[int, Counter[str]] = {}
            for each in months:
                for row in unit_months(each):
                    by_month.setdefault(row.unit.id, Counter())[row.state.value] += 1
            together = {unit.id: counts for unit, counts in months_summary(months)}
        assert together == by_month
        states = {s for counts in together.values() for s in counts}
        assert {SelfCheck.DONE.value, SelfCheck.PARTIAL.value, SelfCheck.MISSING.value} <= states
