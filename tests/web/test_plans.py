"""检查计划: the committee sets the year's plan once; the daily run (flask run-plans, the mine's date) makes
and opens each period's round on its day with the listed posts — once, however often or concurrently it runs;
monthly self-checks come one per unit; 互查 rings turn monthly; a change holds from its date on."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app import clock
from inspect_app.audit import Actor
from inspect_app.domain.enums import Role
from inspect_app.domain.lifecycle import period_overlaps
from inspect_app.extensions import db
from inspect_app.models import Post, QuarterReview, Round, RoundPlan
from inspect_app.plans.services import PlanInput, PlanRefused, change_plan, run_plans
from tests.conftest import csrf_token, login

from .helpers import together

MINE = ZoneInfo("Asia/Shanghai")


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


def at(day: date, hour: int = 6) -> datetime:
    return datetime.combine(day, time(hour), MINE)


def add_line(client: FlaskClient, **fields: str):  # type: ignore[no-untyped-def]
    form = {"csrf_token": csrf_token(client, "/plans/new"), "kind": "weekly", "mode": "joint", "scope": "all",
            "weekday": "1", "anonymous": "1", "min_sheets": "3", "trim": "1",
            "valid_from": next_monday().isoformat()}  # fmt: skip
    form.update(fields)
    return client.post("/plans/new", data=form)


def run(app: Flask, day: date) -> str:
    with clock.frozen(at(day)):
        result = app.test_cli_runner().invoke(args=["run-plans"])
    assert result.exit_code == 0, result.output
    return result.output


def planned(app: Flask) -> list[Round]:
    with app.app_context():
        rounds = list(db.session.scalars(select(Round).where(Round.plan_id.is_not(None)).order_by(Round.id)))
        for rnd in rounds:
            _ = rnd.entries, rnd.pairings
        db.session.expunge_all()
        return rounds


def listed(app: Flask, unit: str | None = None) -> set[int]:
    with app.app_context():
        stmt = select(Post.id).where(Post.status == "listed", Post.standard_version_id.is_not(None))
        if unit:
            stmt = stmt.where(Post.unit.has(code=unit))
        return set(db.session.scalars(stmt))


def units_with_posts(app: Flask, month: date) -> set[int]:
    """Units with a listed post that is a model post during ``month``."""
    end = (month + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    with app.app_context():
        posts = db.session.scalars(select(Post).where(Post.id.in_(listed(app))))
        return {p.unit_id for p in posts if period_overlaps(p.start_date, p.end_date, month, end)}


def test_the_weekly_line_opens_its_round_on_its_day_once(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    assert add_line(client).status_code == 303
    assert "周二" in client.get("/plans/").get_data(as_text=True)
    monday = next_monday()
    assert "0 round(s) created" in run(app, monday)  # the joint check is on Tuesdays
    out = run(app, monday + timedelta(days=1))
    assert "created:" in out
    (rnd,) = planned(app)
    assert rnd.status == "open"
    assert rnd.anonymous
    assert (rnd.period_start, rnd.period_end) == (monday, monday + timedelta(days=6))
    assert rnd.title == f"{monday.isocalendar().year}年第{monday.isocalendar().week}周党员示范岗联合检查"
    assert {e.post_id for e in rnd.entries} == listed(app)
    assert "exists:" in run(app, monday + timedelta(days=3))  # later in the week: already made
    assert len(planned(app)) == 1
    page = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert "进行中" in page


def test_monthly_self_checks_come_one_per_unit(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    first = next_monday().replace(day=1) + timedelta(days=31)
    first = first.replace(day=1)
    assert add_line(client, kind="monthly", mode="self", scope="units", anonymous="",
                    valid_from=first.isoformat()).status_code == 303  # fmt: skip
    run(app, first + timedelta(days=2))
    rounds = planned(app)
    assert len(rounds) == len(units_with_posts(app, first))  # one per unit with a listed post
    for rnd in rounds:
        assert rnd.mode == "self"
        assert rnd.unit_id is not None
        assert not rnd.anonymous
        assert rnd.period_start == first
        with app.app_context():
            units = set(
                db.session.scalars(select(Post.unit_id).where(Post.id.in_([e.post_id for e in rnd.entries])))
            )
        assert units == {rnd.unit_id}
    shuji = app.test_client()
    login(shuji, "branch_secretary")
    own = [r for r in rounds if "综采一区" in r.title]
    assert len(own) == 1
    assert shuji.get(f"/rounds/{own[0].id}").status_code == 200


def test_mutual_rings_turn_each_month(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    first = (next_monday().replace(day=1) + timedelta(days=31)).replace(day=1)
    response = add_line(client, kind="monthly", mode="mutual", scope="all", anonymous="", rotate="1",
                        valid_from=first.isoformat())  # fmt: skip
    assert response.status_code == 303
    second = (first + timedelta(days=31)).replace(day=1)
    run(app, first)
    run(app, second)
    one, two = planned(app)
    checkers = [{p.inspected_unit_id: p.inspecting_unit_id for p in r.pairings} for r in (one, two)]
    assert set(checkers[0]) == units_with_posts(app, first)
    assert all(a != b for b, a in checkers[0].items())
    assert all(checkers[0][u] != checkers[1][u] for u in checkers[0])  # each unit has a new checker


def test_a_change_holds_from_its_date_on(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    assert add_line(client).status_code == 303
    monday = next_monday()
    run(app, monday + timedelta(days=1))
    with app.app_context():
        plan_id = db.session.scalars(select(RoundPlan.id)).one()
    url = f"/plans/{plan_id}"
    form = {"csrf_token": csrf_token(client, url), "kind": "weekly", "mode": "joint", "scope": "all",
            "weekday": "3", "anonymous": "1", "min_sheets": "3", "trim": "1",
            "valid_from": (monday + timedelta(days=7)).isoformat()}  # fmt: skip
    assert client.post(url, data=form).status_code == 303
    with app.app_context():
        lines = list(db.session.scalars(select(RoundPlan).order_by(RoundPlan.id)))
        assert lines[0].valid_to == monday + timedelta(days=6)
        assert (lines[1].valid_from, lines[1].weekday) == (monday + timedelta(days=7), 3)
    assert "0 round(s) created" in run(app, monday + timedelta(days=8))  # Tuesday: no longer the day
    assert "1 round(s) created" in run(app, monday + timedelta(days=10))  # Thursday, by the new line
    assert len(planned(app)) == 2


def test_bad_lines_are_refused_with_their_reason(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    wrong = add_line(client, mode="self", scope="all")
    assert wrong.status_code == 422
    assert "自查" in wrong.get_data(as_text=True)
    assert add_line(client, rotate="1").status_code == 422  # rotation is for 互查
    assert add_line(client, valid_to="2000-01-01").status_code == 422
    assert add_line(client, valid_from="明天").status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RoundPlan)) == 0
    inspector = app.test_client()
    login(inspector, "inspector")
    assert inspector.get("/plans/").status_code == 403


def test_concurrent_runs_make_each_round_once(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    assert add_line(client, kind="monthly", mode="self", scope="units", anonymous="").status_code == 303
    day = (next_monday().replace(day=1) + timedelta(days=31)).replace(day=1)
    with app.app_context():
        db.session.execute(db.update(RoundPlan).values(valid_from=day))
        db.session.commit()
    made: list[str] = []
    with clock.frozen(at(day)):
        succeeded, errors = together(app, lambda _: made.extend(m.outcome for m in run_plans(clock.today())))
    assert not errors, errors
    units = len(units_with_posts(app, day))
    assert made.count("created") == units  # one per unit, whichever thread made it
    assert len(planned(app)) == units


def test_a_quarterly_line_opens_the_review_of_the_quarter_just_ended(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    today = date.today()
    next_quarter = date(today.year + (today.month > 9), ((today.month - 1) // 3 + 1) % 4 * 3 + 1, 1)
    assert add_line(client, kind="quarterly", valid_from=next_quarter.isoformat()).status_code == 303
    ended = next_quarter - timedelta(days=1)
    out = run(app, next_quarter + timedelta(days=2))
    quarter = "一二三四"[(ended.month - 1) // 3]
    assert f"created: {ended.year}年第{quarter}季度党员示范岗讲评" in out
    assert "exists:" in run(app, next_quarter + timedelta(days=5))
    with app.app_context():
        review = db.session.scalars(select(QuarterReview)).one()
        assert (review.year, review.quarter) == (ended.year, (ended.month - 1) // 3 + 1)
    assert planned(app) == []  # a review, not a round


def test_two_changes_of_one_line_at_once_leave_one_next_line(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    assert add_line(client).status_code == 303
    with app.app_context():
        plan_id = db.session.scalars(select(RoundPlan.id)).one()
    data = PlanInput(kind="weekly", mode="joint", anonymous=True, scope="all", weekday=3, min_sheets=3,
                     trim=True, rotate=False, valid_from=next_monday() + timedelta(days=14))  # fmt: skip
    committee = Actor(None, "党委", Role.COMMITTEE.value)
    succeeded, errors = together(app, lambda _: change_plan(committee, plan_id, data))
    assert succeeded == 1
    assert all(isinstance(e, PlanRefused) and e.code == "ended" for e in errors), errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RoundPlan)) == 2
