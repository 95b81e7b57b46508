"""Anonymity on real phones: a kept card learns nothing once the round is sealed, phones forget a sealed
round's card, sheets and pages when they next come online, and logging out of a shared phone removes the
signed forms it had downloaded."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from inspect_app.domain.enums import RoundKind
from inspect_app.extensions import db
from inspect_app.models import Post, Round, StandardItem
from tests.browser.test_anonymous_round import create_round, keep_card, log_in, new_phone, print_cards, score
from tests.browser.test_offline import download_round, wait_for_service_worker

pytestmark = pytest.mark.browser


def _codes(app: Flask, n: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Post.code).where(Post.status == "listed").order_by(Post.code)))[
            :n
        ]


def _form(app: Flask, code: str, card: str, defects: int = 0) -> dict[str, str]:
    with app.app_context():
        version = db.session.scalar(select(Post.standard_version_id).where(Post.code == code))
        items = db.session.execute(
            select(StandardItem.id, (StandardItem.max_points == 0).label("veto")).where(
                StandardItem.version_id == version
            )
        ).all()
    form = {"card": card, "submission_id": str(uuid.uuid4())}
    form.update({f"d-{i}": "0" if veto or defects == 0 else str(defects) for i, veto in items})
    return form


def queue_offline(page: Page, base: str, round_id: int, code: str) -> None:
    """Open the form with signal, lose it, score: the sheet waits in the phone's outbox."""
    page.goto(f"{base}/b/{round_id}/{code}")
    expect(page.locator("input[name=card]")).not_to_have_value("")
    page.context.set_offline(True)
    page.locator(".stepper input").first.fill("1")
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("#queued")).to_be_visible()


def _stored_card(page: Page, round_id: int) -> str | None:
    return page.evaluate(f"localStorage.getItem('inspect.card.{round_id}')")  # type: ignore[no-any-return]


def test_a_kept_card_learns_nothing_after_sealing_and_the_phones_forget_the_round(
    app: Flask, live_server: str, browser: Browser, tmp_path: Path
) -> None:
    scored, other, unscored = _codes(app, 3)
    organiser = new_phone(browser).new_page()
    log_in(organiser, live_server, "dangwei")
    round_id = create_round(organiser, live_server, [scored, other, unscored], app)
    first, second = print_cards(organiser, tmp_path, count=2)
    card = first.rsplit("-", 1)[1]

    phone_a, phone_b = new_phone(browser).new_page(), new_phone(browser).new_page()
    keep_card(phone_a, first, live_server)
    keep_card(phone_b, second, live_server)
    assert score(phone_a, live_server, round_id, scored, 1) == 200
    assert score(phone_b, live_server, round_id, scored, 2) == 200
    queue_offline(phone_a, live_server, round_id, other)  # phone A's second sheet waited for signal
    phone_a.goto(f"{live_server}/outbox")
    phone_a.context.set_offline(False)
    expect(phone_a.locator("#outbox-results .result-sent")).to_have_count(1, timeout=15_000)
    assert _stored_card(phone_a, round_id)

    # phone B fills one more sheet underground and is still below ground when the round is sealed
    queue_offline(phone_b, live_server, round_id, other)

    organiser.goto(f"{live_server}/rounds/{round_id}")
    organiser.locator("#confirm-seal summary").click()
    organiser.get_by_role("button", name="确认封箱").click()
    expect(organiser.locator("#round-status")).to_have_text("已封箱")

    # a third person holding card 1 (kept, handed back, or read off the printed sheet) asks every ballot route
    stranger = new_phone(browser).new_page()
    stranger.goto(f"{live_server}/b/card")
    answers = set()
    for code in (scored, unscored):
        for as_json in (True, False):
            response = stranger.request.post(
                f"{live_server}/b/{round_id}/{code}",
                form={
                    **_form(app, code, card, defects=1),
                    "submission_id": "00000000-0000-4000-8000-000000000000",
                },
                headers={"Accept": "application/json" if as_json else "text/html", "Origin": live_server},
            )
            answers.add((as_json, response.status, response.body().replace(code.encode(), b"<post>")))
        page = stranger.request.get(f"{live_server}/b/{round_id}/{code}")
        answers.add(("form", page.status, page.body().replace(code.encode(), b"<post>")))
    assert len(answers) == 3, answers  # one answer per kind of request, the same for both posts
    assert {status for _, status, _ in answers} == {410}

    # phone A comes online again: the round's card, its list of sheets sent and its pages are forgotten
    phone_a.context.set_offline(True)
    phone_a.wait_for_timeout(300)
    phone_a.context.set_offline(False)
    for n in range(300):  # up to 30 s: a loaded CI machine is slow to wake a phone's page
        if _stored_card(phone_a, round_id) is None:
            break
        if n in (100, 200):  # the check sent as the signal came back may have been lost: signal comes again
            phone_a.context.set_offline(True)
            phone_a.wait_for_timeout(300)
            phone_a.context.set_offline(False)
        phone_a.wait_for_timeout(100)
    assert _stored_card(phone_a, round_id) is None
    phone_a.goto(f"{live_server}/outbox")
    expect(phone_a.locator("#outbox-results .result-sent")).to_have_count(0)

    # phone B too; the sheet it could not send is deleted (it can no longer count) and it says so
    phone_b.context.set_offline(False)
    phone_b.goto(f"{live_server}/outbox")
    expect(phone_b.locator(".outbox-item")).to_have_count(0, timeout=15_000)
    expect(phone_b.locator("#outbox-results .result-sealed")).to_contain_text("已封箱")
    assert _stored_card(phone_b, round_id) is None


def test_logging_out_of_a_shared_phone_removes_the_signed_forms_it_downloaded(
    app: Flask, live_server: str, phone: Page
) -> None:
    with app.app_context():
        rnd = db.session.scalars(select(Round).where(Round.kind == RoundKind.TEN_DAY.value)).one()
    log_in(phone, live_server, "renshi")
    download_round(phone, live_server, rnd.id)
    names = phone.evaluate("caches.keys()")
    assert f"inspect-signed-{rnd.id}" in names
    local = phone.locator(f"#local-rounds section[data-round='{rnd.id}']")
    form_url = local.locator("li a", has_not_text="已评").first.get_attribute("href")
    assert form_url is not None
    assert form_url.startswith("/field/")

    phone.locator("#menu summary").click()
    phone.get_by_role("button", name="退出").click()
    expect(phone.get_by_role("link", name="登录")).to_be_visible()
    wait_for_service_worker(phone)
    assert not [n for n in phone.evaluate("caches.keys()") if n.startswith("inspect-signed-")]
    assert str(rnd.id) not in phone.evaluate("JSON.parse(localStorage.getItem('inspect.rounds') || '{}')")

    # the next user of the phone, underground, finds nothing of the last user's forms
    phone.context.set_offline(True)
    phone.goto(f"{live_server}{form_url}")
    expect(phone.locator("main")).not_to_contain_text("组织人事部")
    assert "csrf_token" not in phone.content()
    expect(phone.locator("#unavailable")).to_be_visible()
