"""Supervisors on phones: the live ranking changes by itself when a signed sheet arrives; a sealed anonymous
round gives a 通报 notice whose PDF names the praised and criticised posts."""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from inspect_app.demo import DEMO_PASSWORD
from inspect_app.extensions import db
from inspect_app.models import Post
from tests.browser.conftest import PHONE
from tests.web.helpers import anonymous_round, demo_round, items_of, post_code

pytestmark = pytest.mark.browser


def phone_as(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#menu")).to_be_visible()
    return page


def test_live_ranking_updates_itself_when_a_signed_sheet_arrives(
    app: Flask, live_server: str, browser: Browser
) -> None:
    round_id, code = demo_round(app).id, post_code(app)
    watcher = phone_as(browser, live_server, "dangwei")
    watcher.goto(f"{live_server}/rankings/{round_id}")
    row = watcher.locator(f"tr[data-post='{code}'] td")
    expect(row.nth(2)).to_have_text("0")
    expect(row.nth(0)).to_have_text("—")

    assessor = phone_as(browser, live_server, "renshi")
    assessor.goto(f"{live_server}/field/{round_id}/{code}")
    first = next(i for i in items_of(app, code) if not i["veto"])
    assessor.locator(f"#d-{first['id']}").fill("1")
    assessor.get_by_role("button", name="提交评分").click()
    expect(assessor.locator("h1")).to_have_text("评分已保存")

    expect(row.nth(2)).to_have_text("1", timeout=25_000)  # the next htmx poll brings it, no reload
    expect(row.nth(0)).to_have_text(re.compile(r"^\d+$"))
    expect(row.nth(3)).to_have_text(re.compile(r"^\d+\.\d\d$"))
    assert watcher.evaluate("performance.getEntriesByType('navigation').length") == 1  # never reloaded


def test_sealed_anonymous_round_gives_a_notice_pdf_naming_praised_and_criticised_posts(
    app: Flask, live_server: str, browser: Browser, tmp_path: Path
) -> None:
    round_id = anonymous_round(app).id
    page = phone_as(browser, live_server, "dangwei")
    page.goto(f"{live_server}/rounds/{round_id}")
    page.locator("#confirm-seal summary").click()
    page.get_by_role("button", name="确认封箱").click()
    expect(page.locator("#round-status")).to_have_text("已封箱")
    page.get_by_role("button", name="起草通报").click()
    praise, criticism = page.locator("#praise").input_value(), page.locator("#criticism").input_value()
    with app.app_context():
        post_names = list(db.session.scalars(select(Post.name)))
    praised = [n for n in post_names if n in praise]
    criticised = [n for n in post_names if n in criticism]
    assert praised
    assert criticised
    assert not set(praised) & set(criticised)
    page.locator("#title").fill(f"关于本周示范岗检查情况的通报 {uuid.uuid4().hex[:4]}")
    page.locator("#confirm-publish summary").click()
    page.get_by_role("button", name="确认保存并发布").click()
    expect(page.locator("main")).to_contain_text("号")
    response = page.request.get(page.url + ".pdf")
    assert response.status == 200
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for name in praised + criticised:
        assert "".join(name.split()) in flat
