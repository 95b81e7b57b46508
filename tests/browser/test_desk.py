"""工作台 on a 390×844 phone, as 党委, 组织人事部 and a branch secretary: login lands on the desk, its counts
match the seeded state, each to-do is done in at most three taps from it, and the count drops after."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.web.test_feedback import send

from .test_post_lifecycle import phone_as

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"


def count(page: Page, task: str) -> int:
    card = page.locator(f"#todo-{task}")
    if card.count() == 0:
        return 0
    return int(card.locator("[data-count]").inner_text())


def back_to_desk(page: Page) -> None:
    page.locator("header .brand").click()  # the brand is the way home, not a to-do's tap
    expect(page.locator("h1")).to_have_text("我的工作台")


def one_row_header(page: Page) -> None:
    box = page.locator("header.bar").bounding_box()
    assert box is not None
    assert box["height"] <= 64, box
    summary = page.locator("#menu summary").bounding_box()
    assert summary is not None
    assert summary["height"] >= 44
    assert summary["width"] >= 44


def test_committee_starts_the_review_of_an_application(
    app: Flask, live_server: str, browser: Browser
) -> None:
    page = phone_as(browser, live_server, "committee")
    expect(page.locator("h1")).to_have_text("我的工作台")
    one_row_header(page)
    assert count(page, "applications") == 1
    assert count(page, "reviews") == 1
    page.locator("#todo-applications li a").first.click()  # tap 1: the application
    expect(page.locator("h1")).to_contain_text("1004掘进工作面")
    page.locator("form:has(button[value=review]) button[value=review]").click()  # tap 2: start 调研论证
    back_to_desk(page)
    assert count(page, "applications") == 0
    assert count(page, "reviews") == 2


def test_hr_scores_a_post_waiting_for_them(app: Flask, live_server: str, browser: Browser) -> None:
    page = phone_as(browser, live_server, "hr")
    before = count(page, "to_sign")
    assert before == 6  # the ten-day round's six posts naming the HR department
    page.locator("#todo-to_sign li a").first.click()  # tap 1: the post's form
    page.get_by_role("button", name="提交评分").click()  # tap 2: a clean sheet
    expect(page.locator("h1")).to_have_text("评分已保存")
    back_to_desk(page)
    assert count(page, "to_sign") == before - 1


def test_secretary_publishes_a_miners_note(app: Flask, live_server: str, browser: Browser) -> None:
    miner = app.test_client()
    assert send(miner, "K7M3Q", "运料巷：积水需要排").status_code == 303
    assert send(miner, "K7M3Q", "运料巷：照明不足").status_code == 303
    assert send(miner, "S6C4M", "三水平上车场：轨道有松动").status_code == 303  # another unit's
    page = phone_as(browser, live_server, "branch_secretary")
    one_row_header(page)
    assert count(page, "notes") == 2
    if os.environ.get("UPDATE_DOCS") == "1":  # the README's picture of the desk
        page.screenshot(path=str(DOCS / "desk.png"))
    page.locator("#todo-notes li a").first.click()  # tap 1: the unit's waiting notes
    page.locator("form button[value=approve]").first.click()  # tap 2: publish one
    back_to_desk(page)
    assert count(page, "notes") == 1


def test_every_page_is_two_taps_from_the_desk(app: Flask, live_server: str, browser: Browser) -> None:
    page = phone_as(browser, live_server, "committee")
    page.locator("#menu summary").click()
    links = page.locator("#menu nav a")
    expect(links.first).to_be_visible()
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None
        assert box["height"] >= 44, links.nth(i).inner_text()
    page.locator("#menu nav a", has_text="整改").click()
    expect(page.locator("h1")).to_contain_text("整改")
