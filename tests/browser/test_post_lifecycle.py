"""A post's way to its board on phone-sized pages: the branch applies, the committee rejects it for
rebuilding, the branch revises and re-applies, the committee approves; the signboard PDF is printed and
its QR scanned."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pyzbar.pyzbar import decode

from inspect_app.demo import DEMO_PASSWORD
from tests.conftest import ROLE_LOGINS

from .conftest import PHONE

pytestmark = pytest.mark.browser


def phone_as(browser: Browser, live_server: str, role: str) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名").fill(ROLE_LOGINS[role])
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#menu")).to_be_visible()
    return page


def take_step(page: Page, action: str, button: str, reason: str | None = None) -> None:
    ask = page.locator(f"#confirm-{action}")
    if ask.count():  # a step that cannot be undone asks first, saying what it does
        ask.locator("summary").click()
        expect(ask.locator(".alert")).to_be_visible()
    form = page.locator(f"form:has(input[name=action][value={action}])")
    if reason is not None:
        form.locator("textarea").fill(reason)
    form.get_by_role("button", name=button).click()


def test_apply_reject_reapply_approve_print_and_scan(
    app: Flask, live_server: str, browser: Browser, tmp_path: Path
) -> None:
    secretary = phone_as(browser, live_server, "branch_secretary")
    secretary.goto(f"{live_server}/posts/new")
    secretary.get_by_label("示范岗名称").fill("56806工作面回风巷")
    secretary.locator("#area").fill("二水平五采区56806工作面回风巷")
    secretary.get_by_label(re.compile("张海涛")).check()
    secretary.get_by_label(re.compile("刘国华")).check()
    secretary.get_by_label("示范依据").fill("集团公司安全质量标准化标准")
    coal = secretary.locator("#standard_version_id option", has_text="采煤").get_attribute("value")
    secretary.select_option("#standard_version_id", value=coal)
    secretary.get_by_label("考核人").fill("党委组织人事部 王建华")
    secretary.locator("#assessment").fill("周检查、月考核")
    secretary.locator("#start_date").fill(date.today().isoformat())
    secretary.locator("#end_date").fill((date.today() + timedelta(days=365)).isoformat())
    secretary.locator("#duties").fill("回风巷支护")
    secretary.get_by_role("button", name="保存").click()
    expect(secretary.locator("h1")).to_have_text("56806工作面回风巷")
    post_url = secretary.url
    code = post_url.rsplit("/", 1)[1]
    take_step(secretary, "apply", "申报")
    expect(secretary.get_by_role("status")).to_contain_text("已申报")

    committee = phone_as(browser, live_server, "committee")
    committee.goto(post_url)
    take_step(committee, "review", "开始实地调研、考察论证")
    take_step(committee, "reject", "推倒重建", "职责不清，示范内容空泛")
    expect(committee.get_by_role("status")).to_contain_text("推倒重建")

    secretary.goto(post_url)
    expect(secretary.locator(".card.alert").first).to_contain_text("职责不清")
    secretary.get_by_role("link", name="编辑").click()
    secretary.locator("#duties").fill("回风巷支护、通风设施维护，党员分段包保、责任到人")
    secretary.get_by_role("button", name="保存").click()
    take_step(secretary, "apply", "申报")

    committee.goto(post_url)
    take_step(committee, "review", "开始实地调研、考察论证")
    take_step(committee, "approve", "审批通过，挂牌")
    expect(committee.get_by_role("status")).to_contain_text("已批准挂牌")
    history = committee.locator("#history")
    expect(history.get_by_text("推倒重建", exact=True)).to_have_count(1)
    expect(history.get_by_text("申报", exact=True)).to_have_count(2)

    pdf_link = committee.get_by_role("link", name="牌板（PDF）")
    pdf = committee.context.request.get(live_server + pdf_link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "board.pdf").write_bytes(pdf.body())
    subprocess.run(["pdftoppm", "-r", "100", "-png", "board.pdf", "page"], cwd=tmp_path, check=True)
    with Image.open(tmp_path / "page-1.png") as printed:
        (found,) = decode(printed)
    assert found.data.decode() == f"{live_server}/p/{code}"

    miner = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN").new_page()
    miner.goto(found.data.decode())
    expect(miner.locator("h1")).to_have_text("56806工作面回风巷")
    expect(miner.locator(".tag.big")).to_have_text("挂牌中")
    expect(miner.get_by_text("分段包保")).to_be_visible()
    for page in (secretary, committee, miner):
        page.context.close()
