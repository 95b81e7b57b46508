"""The ballot form guards on the phone: underground, a sheet without a card (or with a number that cannot be
a card) is stopped before it is queued; a phone that already sent this card's sheet for this post says so on
opening the form again, from its own records only (no request is made for it)."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from inspect_app import demo
from tests.web.helpers import anonymous_round
from tests.web.test_ballot import unscored_post

from .test_offline import new_phone, stored_sheets

pytestmark = pytest.mark.browser


def test_no_card_is_asked_for_before_queueing_and_a_sent_card_is_recognised(
    app: Flask, live_server: str, browser: Browser
) -> None:
    round_id = anonymous_round(app).id
    code = unscored_post(app)
    context = new_phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/b/{round_id}/{code}")
    expect(page.locator("input[name=card]")).to_have_value("")
    context.set_offline(True)
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("#card-problem")).to_contain_text("请先填写打分卡卡号")
    expect(page.locator("#queued")).to_have_count(0)
    page.locator("input[name=card]").fill("ABCDEF-ABCDEF-ABCDEF")  # 18 symbols, wrong check symbol
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("#card-problem")).to_contain_text("这不是打分卡卡号")
    assert page.evaluate(f"localStorage.getItem('inspect.sent.{round_id}')") is None

    context.set_offline(False)
    before = stored_sheets(app, round_id)[0]
    card = demo.demo_card_codes()[demo.PRESCORING_CARDS]
    page.locator("input[name=card]").fill(card)
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("h1")).to_have_text("评分已保存")
    assert stored_sheets(app, round_id)[0] == before + 1

    page.goto(f"{live_server}/b/{round_id}/{code}")  # the same post again; the card is kept on the phone
    expect(page.locator("input[name=card]")).not_to_have_value("")
    expect(page.locator("#card-sent-before")).to_be_visible()
    page.locator("input[name=card]").fill(demo.demo_card_codes()[demo.PRESCORING_CARDS + 1])
    page.locator("input[name=card]").dispatch_event("change")
    expect(page.locator("#card-sent-before")).to_be_hidden()  # another card has not scored this post
    context.close()
