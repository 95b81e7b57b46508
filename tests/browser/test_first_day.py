"""A real mine's first day, in Chromium, from an empty database and without the demo loader: first-run
setup, units and branches imported, a 60-member roster imported, accounts made (each changes the one-time
password at first login), a standard, a post with its demonstrators picked from the roster, applied,
reviewed and listed, its signboard printed, a round opened, scored and ranked."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from inspect_app.setup.services import setup_key
from tests.browser.conftest import serve

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "Baodian-Kuang-2027"
UNITS = [
    ("综采一区", "区队", "采煤", "综采一区党支部", "zc1"),
    ("掘进二区", "区队", "掘进", "掘进二区党支部", ""),
    ("机电科", "科室", "机电", "机关第一党支部", ""),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国志强海涛立新永刚德胜文斌长青春雷晓东"
STANDINGS = ("中共党员", "中共党员", "中共预备党员", "入党积极分子", "群众")


def roster_xlsx() -> bytes:
    """60 people in the shape an organisation department keeps them (Chinese headers, date cells)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["姓名", "性别", "所在区队", "岗位/工种", "政治面貌", "入党时间", "手机号", "工号", "党内职务"]
    )
    for n in range(60):
        name = SURNAMES[n % 20] + GIVEN[(n * 2) % 20 : (n * 2) % 20 + 2]
        standing = STANDINGS[n % 5]
        joined = datetime(2005 + n % 18, 1 + n % 12, 1) if standing.startswith("中共") else None
        sheet.append([name, "男" if n % 7 else "女", UNITS[n % 3][0], "支架工" if n % 2 else "采煤机司机",
                      standing, joined, f"139{n:08d}" if n % 4 else "", f"BD{1000 + n}",
                      "党小组长" if n == 5 else ""])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def units_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位名称", "类型", "专业", "所属党支部", "单位代码"])
    writer.writerows(UNITS)
    return out.getvalue().encode("gb18030")  # as Excel in a Chinese office saves CSV


def standard_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["类别", "条款", "分值", "每处扣分", "扣分标准", "一票否决"])
    for n, category in enumerate(("顶板管理", "机电设备", "文明生产", "现场管理")):
        writer.writerow([category, f"{n + 1}.1", "25", "5", f"{category}不符合要求每处扣5分", "否"])
    writer.writerow(["安全红线", "5.1", "0", "0", "违章指挥、违章作业", "是"])
    return out.getvalue().encode("utf-8-sig")


@pytest.fixture
def empty_server(empty_app: Flask, migrated_url: str) -> Iterator[str]:
    yield from serve(empty_app, migrated_url)


def log_in(page: Page, base: str, username: str, password: str, new_password: str | None = None) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form.card button[type=submit]").click()
    if new_password:  # the one-time password: the first page is 修改密码, and nothing else opens before it
        expect(page).to_have_url(re.compile(r"/password"))
        page.goto(f"{base}/posts/")
        expect(page).to_have_url(re.compile(r"/password"))
        page.locator("#current").fill(password)
        page.locator("#new").fill(new_password)
        page.locator("#repeat").fill(new_password)
        page.locator("form.card button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/password"))


def first_run(page: Page, base: str, key: str) -> None:
    page.goto(f"{base}/posts/")
    expect(page).to_have_url(re.compile(r"/setup/$"))
    page.locator("#setup_key").fill(key)
    page.locator("#name").fill("山东能源集团鲍店煤矿")
    page.locator("#short_name").fill("鲍店煤矿")
    page.locator("#committee_name").fill("中共鲍店煤矿委员会")
    page.locator("#username").fill("admin")
    page.locator("#display_name").fill("系统管理员 张三")
    page.locator("#password").fill(ADMIN_PASSWORD)
    page.locator("#password2").fill(ADMIN_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login"))


def organise(page: Page, base: str) -> None:
    page.goto(f"{base}/org/import")
    page.set_input_files(
        "#units-file", files=[{"name": "单位.csv", "mimeType": "text/csv", "buffer": units_csv()}]
    )
    page.locator("#import-units button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("机关第一党支部")
    page.goto(f"{base}/org/import")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    page.set_input_files(
        "#members-file", files=[{"name": "花名册.xlsx", "mimeType": xlsx, "buffer": roster_xlsx()}]
    )
    page.locator("#import-members button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("60")
    page.goto(f"{base}/org/members?q=BD1005")
    expect(page.locator("main")).to_contain_text("党小组长")


def make_account(page: Page, base: str, username: str, name: str, role: str, unit: str = "") -> str:
    page.goto(f"{base}/accounts/new")
    page.locator("#username").fill(username)
    page.locator("#display_name").fill(name)
    page.locator("#role").select_option(role)
    if unit:
        page.locator("#unit_id").select_option(label=unit)
    page.locator("form.card button[type=submit]").click()
    one_time = page.locator("#one-time-password").inner_text().strip()
    assert len(one_time) >= 12
    return one_time


def add_standard(page: Page, base: str) -> None:
    page.goto(f"{base}/standards/new")
    page.locator("#title").fill("鲍店煤矿采煤专业示范岗考核标准")
    page.locator("#profession").select_option("coal")
    page.set_input_files(
        "#file", files=[{"name": "采煤.csv", "mimeType": "text/csv", "buffer": standard_csv()}]
    )
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("顶板管理")


def create_post(page: Page, base: str, today: str, end: str) -> str:
    page.goto(f"{base}/posts/new")
    page.locator("#name").fill("8301综采工作面")
    page.locator("#profession").select_option("coal")
    page.locator("#area").fill("8301工作面及两巷")
    people = page.locator(".person")
    expect(people.first).to_be_visible()
    page.locator("#people-filter").fill("支架工")  # the roster narrowed by what is typed
    shown = page.locator(".person:visible")
    assert 0 < shown.count() < people.count()
    shown.nth(0).locator("input[type=checkbox]").check()
    shown.nth(1).locator("input[type=checkbox]").check()
    shown.nth(1).locator("input[name=leader]").check()
    page.locator("#basis").fill("集团公司安全质量标准化标准")
    page.locator("#standard_version_id").select_option(index=1)
    page.locator("#assessor").fill("综采一区党支部")
    page.locator("#assessment").fill("月考核自查")
    page.locator("#start_date").fill(today)
    page.locator("#end_date").fill(end)
    page.locator("#duties").fill("带头执行规程，确保工程质量")
    page.locator("#commitment").fill("安全生产无事故")
    page.locator("form.post-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/posts/[A-Z0-9]{5}$"))
    code = page.url.rsplit("/", 1)[1]
    page.locator("button[name=go][value=apply]").click()
    expect(page.locator("main")).to_contain_text("申报")
    return code


def approve(page: Page, base: str, code: str) -> None:
    page.goto(f"{base}/posts/{code}")
    page.locator("button[name=go][value=review]").click()
    page.locator("#confirm-approve summary").click()  # 挂牌 asks once, saying what it does
    page.locator("button[name=go][value=approve]").click()
    expect(page.locator("main")).to_contain_text("挂牌")


def signboard_text(page: Page, base: str, code: str, tmp_path: Path) -> str:
    response = page.request.get(f"{base}/posts/{code}/signboard.pdf")
    assert response.headers["content-type"] == "application/pdf"
    (tmp_path / "board.pdf").write_bytes(response.body())
    out = subprocess.run(
        ["pdftotext", str(tmp_path / "board.pdf"), "-"], capture_output=True, text=True, check=True
    )
    return "".join(out.stdout.split())


def run_round(page: Page, base: str, code: str, start: str, end: str) -> None:
    page.goto(f"{base}/rounds/new")
    page.locator("#title").fill("综采一区12月月考核自查")
    page.locator("#kind").select_option("monthly")
    page.locator("#mode").select_option("self")
    page.locator("#period_start").fill(start)
    page.locator("#period_end").fill(end)
    page.locator("input[name=anonymous]").uncheck()
    page.locator("#min_sheets").fill("1")
    page.locator("input[name=trim]").uncheck()
    page.locator("input[name=post]").first.check()
    page.locator("main form.stack button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/rounds/\d+$"))
    round_url = page.url
    page.locator("button[name=action][value=open]").click()
    round_id = round_url.rsplit("/", 1)[1]
    page.goto(f"{base}/field/{round_id}/{code}")
    page.locator(".stepper button").nth(1).click()  # one defect on the first item, with the + button
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("h1")).to_have_text("评分已保存")
    expect(page.locator(".score strong")).to_have_text("95.00")
    page.goto(f"{base}/rankings/{round_id}")
    row = page.locator(f"tr[data-post='{code}']")
    expect(row).to_contain_text("8301综采工作面")
    expect(row.locator("td").nth(3)).to_have_text("95.00")


def test_a_mine_goes_from_an_empty_database_to_its_first_ranking(
    empty_app: Flask, empty_server: str, phone: Page, tmp_path: Path
) -> None:
    base = empty_server
    with empty_app.app_context():
        key = setup_key()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    first_run(phone, base, key)
    log_in(phone, base, "admin", ADMIN_PASSWORD)
    organise(phone, base)
    secretary = make_account(
        phone, base, "zc1.shuji", "综采一区党支部书记 王建国", "branch_secretary", "综采一区"
    )
    committee = make_account(phone, base, "dangwei", "党委书记 李志强", "committee")
    add_standard(phone, base)

    log_in(phone, base, "zc1.shuji", secretary, new_password="Zongcai-yiqu-8301")
    code = create_post(phone, base, today.isoformat(), (today + timedelta(days=365)).isoformat())
    log_in(phone, base, "dangwei", committee, new_password="Baodian-Party-2027")
    approve(phone, base, code)

    log_in(phone, base, "zc1.shuji", "Zongcai-yiqu-8301")
    phone.goto(f"{base}/posts/")
    expect(phone.locator("main")).to_contain_text("8301综采工作面")
    board = signboard_text(phone, base, code, tmp_path)
    assert "中共鲍店煤矿委员会" in board
    assert "8301综采工作面" in board
    run_round(phone, base, code, today.isoformat(), (today + timedelta(days=3)).isoformat())
    assert "鲍店煤矿" in phone.title()
