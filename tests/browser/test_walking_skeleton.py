"""The core loop on a phone: QR URL → log in as the assessor → fill the form → submit → see the ranking."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, expect
from pyzbar.pyzbar import decode

from inspect_app.demo import DEMO_PASSWORD
from tests.conftest import ROLE_LOGINS
from tests.web.helpers import items_of, post_code

pytestmark = pytest.mark.browser


def test_assessor_scores_a_post_from_its_qr_url_and_sees_it_ranked(
    app: Flask, live_server: str, phone: Page
) -> None:
    code = post_code(app)
    items = items_of(app, code)
    phone.goto(f"{live_server}/p/{code}")
    name = phone.locator("h1").inner_text()
    phone.get_by_role("link", name="登录").click()
    phone.get_by_label("用户名").fill(ROLE_LOGINS["hr"])
    phone.get_by_label("密码").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="登录").click()

    expect(phone).to_have_url(re.compile(rf"/p/{code}$"))
    phone.get_by_role("link", name=re.compile("^评分")).first.click()
    expect(phone.locator("h1")).to_have_text(name)

    first = next(i for i in items if not i["veto"])
    plus = phone.locator(f"#item-{first['id']} .stepper button").last
    plus.click()
    plus.click()  # two defects, with the glove-sized + button
    expect(phone.locator(f"#d-{first['id']}")).to_have_value("2")
    phone.get_by_role("button", name="提交评分").click()

    expect(phone.locator("h1")).to_have_text("评分已保存")
    expected = (sum(i["max"] for i in items) - 2 * first["per"]) / sum(i["max"] for i in items) * 100
    expect(phone.locator(".score strong")).to_have_text(f"{expected:.2f}")

    phone.get_by_role("link", name="排名").last.click()
    row = phone.locator(f"tr[data-post='{code}']")
    expect(row).to_contain_text(name)
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(row.locator("td").nth(3)).to_have_text(f"{expected:.2f}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone


def test_svg_qr_rendered_by_the_browser_decodes_to_the_post_url(
    app: Flask, live_server: str, phone: Page
) -> None:
    code = post_code(app)
    phone.goto(f"{live_server}/p/{code}")
    shot = phone.locator(".qr img").screenshot()
    symbols = decode(Image.open(io.BytesIO(shot)))
    assert [s.data.decode() for s in symbols] == [f"{live_server}/p/{code}"]


def test_the_loop_works_with_javascript_off(app: Flask, live_server: str, phone_without_js: Page) -> None:
    page = phone_without_js
    code = post_code(app)
    first = next(i for i in items_of(app, code) if not i["veto"])
    page.goto(f"{live_server}/login?next=/p/{code}")
    page.get_by_label("用户名").fill(ROLE_LOGINS["hr"])
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name=re.compile("^评分")).first.click()
    expect(page.locator(".stepper button")).to_have_count(0)  # no script, no ± buttons: the plain field
    page.locator(f"#d-{first['id']}").fill("1")
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("h1")).to_have_text("评分已保存")
