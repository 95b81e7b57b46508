"""工作台: the logged-in home lists each role's to-dos with counts drawn from the same rows the pages act on,
and a to-do done on its page is gone from the desk."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inspect_app import clock
from tests.conftest import ROLE_LOGINS, csrf_token, login
from tests.web.test_feedback import send
from tests.web.test_post_lifecycle import client_as, step


def counts(client: FlaskClient) -> dict[str, int]:
    """Each to-do card on the desk: its task and the number it shows."""
    page = client.get("/desk/").get_data(as_text=True)
    found = re.findall(r'id="todo-([a-z_]+)">\s*<h3><span class="count" data-count>(\d+)</span>', page)
    return {task: int(n) for task, n in found}


def test_login_lands_on_the_desk_and_the_menu_is_one_row(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": "dangwei", "password": "demo-2026", "csrf_token": token}
    )
    assert response.headers["Location"].endswith("/desk/")
    page = client.get("/desk/").get_data(as_text=True)
    header = page[page.index('<header class="bar">') : page.index("</header>")]
    assert header.count("<details") == 1  # every link but the brand sits in the one menu
    for path in ("/desk/", "/posts/", "/rounds/", "/rectifications/", "/admin/audit", "/password"):
        assert f'href="{path}"' in header


def test_committee_reviews_an_application_and_it_leaves_the_desk(app: Flask) -> None:
    committee = client_as(app, "committee")
    before = counts(committee)
    assert before["applications"] == 1  # 1004掘进工作面 (F6V2C) applied
    assert before["reviews"] == 1  # 三水平主运皮带机头 (Q8H4D) under review
    assert "/posts/F6V2C" in committee.get("/desk/").get_data(as_text=True)
    assert step(committee, "F6V2C", "review").status_code == 303
    after = counts(committee)
    assert "applications" not in after
    assert after["reviews"] == 2


def test_hr_sees_reviews_until_findings_are_recorded(app: Flask) -> None:
    hr = client_as(app, "hr")
    assert counts(hr)["findings"] == 1
    assert "applications" not in counts(hr)  # starting a review is the committee's
    assert step(hr, "Q8H4D", "findings", "现场查看：皮带机头防护齐全").status_code == 303
    assert "findings" not in counts(hr)
    assert counts(client_as(app, "committee"))["reviews"] == 1  # the committee still has to decide


def test_secretary_counts_own_units_notes_and_publishing_one_drops_the_count(
    app: Flask, client: FlaskClient
) -> None:
    secretary = client_as(app, "branch_secretary")
    assert "notes" not in counts(secretary)
    assert send(client, "S6C4M", "三水平上车场：轨道有松动").status_code == 303  # another unit's post
    assert send(client, "K7M3Q", "运料巷：积水需要排").status_code == 303
    assert send(client, "K7M3Q", "运料巷：照明不足").status_code == 303
    assert counts(secretary)["notes"] == 2
    queue = secretary.get("/posts/feedback?status=pending").get_data(as_text=True)
    note_id = re.findall(r'action="/posts/feedback/(\d+)"', queue)[0]
    token = csrf_token(secretary, "/posts/feedback")
    decided = secretary.post(f"/posts/feedback/{note_id}", data={"csrf_token": token, "decision": "approve"})
    assert decided.status_code == 303
    assert counts(secretary)["notes"] == 1


def test_signer_sees_posts_to_score_and_a_signed_sheet_drops_it(app: Flask) -> None:
    from tests.web.helpers import items_of, sheet_form

    hr = client_as(app, "hr")
    before = counts(hr)["to_sign"]
    page = hr.get("/desk/").get_data(as_text=True)
    round_id, code = re.findall(r'href="/field/(\d+)/([A-Z0-9]+)"', page)[0]
    token = csrf_token(hr, f"/field/{round_id}/{code}")
    import uuid

    sent = hr.post(
        f"/field/{round_id}/{code}", data=sheet_form(items_of(app, code), token, str(uuid.uuid4()))
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
    assert counts(hr)["to_sign"] == before - 1
    assert f'href="/field/{round_id}/{code}"' not in hr.get("/desk/").get_data(as_text=True)


def test_inspector_and_empty_desks_say_nothing_waits(app: Flask) -> None:
    page = client_as(app, "inspector").get("/desk/").get_data(as_text=True)
    assert "没有待办事项" in page


def test_overdue_fixes_show_first_for_the_unit_once_the_deadline_passes(
    app: Flask, client: FlaskClient
) -> None:
    from tests.web.test_rectifications import issued_from_a_sheet

    rect = issued_from_a_sheet(app, client)  # the secretary raises a fix on their unit's post
    secretary, committee = client_as(app, "branch_secretary"), client_as(app, "committee")
    assert counts(secretary)["fixes_to_assign"] == 1
    assert "fixes_overdue" not in counts(committee)
    with clock.frozen(datetime.combine(rect.deadline, datetime.min.time(), UTC) + timedelta(days=2)):
        assert counts(secretary)["fixes_overdue"] == 1
        assert "fixes_to_assign" not in counts(secretary)  # each fix is in one card
        assert counts(committee)["fixes_overdue"] == 1
        page = committee.get("/desk/").get_data(as_text=True)
        assert f'href="/rectifications/{rect.id}"' in page
        assert counts(client_as(app, "hr"))["fixes_overdue"] == 1  # HR answers for every unit's


def test_changes_since_the_last_visit_name_what_others_did(app: Flask) -> None:
    start = datetime.now(UTC)
    committee = app.test_client()
    with clock.frozen(start):
        login(committee, "committee")
        first = committee.get("/desk/").get_data(as_text=True)
        assert "第一次访问" in first
    with clock.frozen(start + timedelta(minutes=5)):
        assert step(client_as(app, "hr"), "Q8H4D", "findings", "现场查看：防护齐全").status_code == 303
    with clock.frozen(start + timedelta(hours=2)):
        page = committee.get("/desk/").get_data(as_text=True)
        assert "已记录调研论证意见" in page
        assert "× 1" in page
        again = committee.get("/desk/").get_data(as_text=True)  # a reload within the visit keeps the list
        assert "已记录调研论证意见" in again
    with clock.frozen(start + timedelta(hours=5)):
        assert "已记录调研论证意见" not in committee.get("/desk/").get_data(as_text=True)


def test_posts_filter_by_status(app: Flask) -> None:
    committee = client_as(app, "committee")
    page = committee.get("/posts/?status=applied").get_data(as_text=True)
    assert "F6V2C" in page
    assert "Q8H4D" not in page
    assert "Q8H4D" in committee.get("/posts/?status=bogus").get_data(as_text=True)  # unknown: no filter


def test_an_htmx_poll_after_the_session_ended_is_sent_to_the_login_page(
    app: Flask, client: FlaskClient
) -> None:
    headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost/rankings/1?x=1"}
    polled = client.get("/rankings/1", headers=headers)
    assert polled.status_code == 401
    assert polled.headers["HX-Redirect"] == "/login?next=/rankings/1?x%3D1"
    assert client.get("/rankings/1").status_code == 302  # without htmx: the usual redirect


def test_a_secretary_hears_of_their_own_units_records_only(app: Flask) -> None:
    start = datetime.now(UTC)
    secretary = app.test_client()
    with clock.frozen(start):
        login(secretary, "branch_secretary")
        secretary.get("/desk/")
    with clock.frozen(start + timedelta(minutes=5)):
        committee = client_as(app, "committee")
        assert step(committee, "F6V2C", "review").status_code == 303  # 掘进一区's application
        assert step(committee, "K7M3Q", "revoke", "连续两次排名末位").status_code == 303  # 综采一区's post
    with clock.frozen(start + timedelta(hours=2)):
        page = secretary.get("/desk/").get_data(as_text=True)
    changed = page[page.index('id="changes-h"') :]
    assert "取消示范荣誉 <strong>× 1</strong>" in changed
    assert "开始调研论证" not in changed


def test_an_inspector_named_as_checker_gets_a_recheck_they_can_open(app: Flask, client: FlaskClient) -> None:
    from sqlalchemy import select, update

    from inspect_app.extensions import db
    from inspect_app.models import Rectification, User
    from tests.web.test_rectifications import issued_from_a_sheet

    rect = issued_from_a_sheet(app, client)
    with app.app_context():
        inspector_id = db.session.scalar(select(User.id).where(User.username == "jiancha"))
        db.session.execute(
            update(Rectification).values(status="done", checker_user_id=inspector_id, checker="检查员")
        )
        db.session.commit()
    inspector = client_as(app, "inspector")
    assert counts(inspector)["rechecks"] == 1
    page = inspector.get("/desk/").get_data(as_text=True)
    link = re.search(r'id="todo-rechecks">.*?<a href="([^"]+)"', page, flags=re.S)
    assert link is not None
    assert inspector.get(link.group(1)).status_code == 200  # never a page the inspector may not open
    assert rect.id


@pytest.mark.parametrize("role", ROLE_LOGINS)
def test_every_link_on_a_desk_opens_for_its_user(app: Flask, role: str) -> None:
    user = client_as(app, role)
    page = user.get("/desk/").get_data(as_text=True)
    main = page[page.index("<main>") : page.index("</main>")]
    links = set(re.findall(r'href="(/[^"]*)"', main))
    assert links
    for link in links:
        assert user.get(link.replace("&amp;", "&")).status_code == 200, link
