"""The year's cycle on a phone (390×844): the committee sets a weekly line of the plan and the daily run
(flask run-plans, clock frozen on the line's day) opens the week's round by itself; a 互查 round made on the
form with its ring button accepts the assigned unit's secretary and refuses another unit's; a quarter's
季讲评 is decided, revokes a post and drafts the quarter's notice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from inspect_app import clock
from inspect_app.demo import DEMO_PASSWORD
from inspect_app.extensions import db
from inspect_app.models import Post
from tests.browser.conftest import PHONE
from tests.conftest import ROLE_LOGINS
from tests.web.test_mutual import account


def phone(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(ROLE_LOGINS.get(username, username))
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#menu")).to_be_visible()
    return page


def menu(page: Page, name: str) -> None:
    page.locator("#menu summary").click()
    page.locator("#menu nav").get_by_role("link", name=name, exact=True).click()


def test_the_plan_opens_the_weeks_round_by_itself(app: Flask, live_server: str, browser: Browser) -> None:
    page = phone(browser, live_server, "committee")
    menu(page, "检查计划")
    page.get_by_role("link", name="添加一项计划").click()
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    page.get_by_label("周检查开启日").select_option(label="周二")
    page.get_by_label("生效日期").fill(monday.isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#menu ~ *, main").first).to_contain_text("周检查")
    tuesday = datetime.combine(monday + timedelta(days=1), time(6), ZoneInfo("Asia/Shanghai"))
    with clock.frozen(tuesday):  # what cron does at 06:00 on the line's day
        result = app.test_cli_runner().invoke(args=["run-plans"])
    assert "1 round(s) created and opened" in result.output, result.output
    menu(page, "检查")
    week = monday.isocalendar()
    link = page.get_by_role("link", name=f"{week.year}年第{week.week}周党员示范岗联合检查")
    link.click()
    expect(page.locator("#round-status")).to_have_text("进行中")


def test_a_mutual_round_takes_the_assigned_unit_only(app: Flask, live_server: str, browser: Browser) -> None:
    account(app, "shuji_jj2", "branch_secretary", unit="jj2")
    with app.app_context():
        posts = {
            unit: db.session.scalars(
                select(Post).where(Post.status == "listed", Post.unit.has(code=unit)).order_by(Post.code)
            ).first()
            for unit in ("zc1", "jj1")
        }
        names = {u: (p.name, p.code) for u, p in posts.items() if p is not None}
    page = phone(browser, live_server, "committee")
    page.goto(f"{live_server}/rounds/new")
    page.get_by_label("名称", exact=True).fill("12月互查")
    page.get_by_label("检查方式").select_option(label="互查")
    page.get_by_label("检查期间自").fill(date.today().isoformat())
    page.get_by_label("至", exact=True).fill((date.today() + timedelta(days=6)).isoformat())
    page.get_by_label("无记名打分").uncheck()
    for unit in ("zc1", "jj1"):
        page.get_by_label(names[unit][0]).check()
    page.get_by_role("button", name="按所选示范岗的单位顺序轮换填写").click()
    expect(page.locator("#pairs select").first).to_be_visible()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#pairs")).to_contain_text("综采一区 由 掘进一区 检查")
    page.locator("button[name=action][value=open]").click()
    expect(page.locator("#round-status")).to_have_text("进行中")
    round_id = page.url.rstrip("/").rsplit("/", 1)[1]

    assigned = phone(browser, live_server, "branch_secretary")  # 综采一区 checks 掘进一区
    assigned.goto(f"{live_server}/field/{round_id}/{names['jj1'][1]}")
    expect(assigned.locator("form.sheet")).to_be_visible()
    other = phone(browser, live_server, "shuji_jj2")
    response = other.goto(f"{live_server}/field/{round_id}/{names['jj1'][1]}")
    assert response is not None
    assert response.status == 403
    expect(other.locator("main")).to_contain_text("互查")


def test_the_quarter_is_reviewed_and_noticed(app: Flask, live_server: str, browser: Browser) -> None:
    page = phone(browser, live_server, "committee")
    menu(page, "季讲评")
    page.get_by_role("button", name="打开讲评记录").click()
    expect(page.locator("#review-status")).to_have_text("草稿")
    last = page.locator("article[id^=post-]").last
    code = (last.get_attribute("id") or "").removeprefix("post-")
    last.get_by_label("决定").select_option(label="取消示范荣誉")
    last.get_by_label("理由（取消示范荣誉时必填）").fill("连续两次预警，整改不力")
    page.get_by_label("讲评会日期").fill(date.today().isoformat())
    page.get_by_label("参会人员").fill("党委书记 赵国强；组织人事部 王建华")
    page.locator("#confirm-close summary").click()
    page.get_by_role("button", name="确认结束讲评").click()
    expect(page.locator("#revocation")).to_contain_text("连续两次预警，整改不力")
    with app.app_context():
        assert db.session.scalars(select(Post.status).where(Post.code == code)).one() == "revoked"


def test_the_year_yields_branch_results_and_a_decision(
    app: Flask, live_server: str, browser: Browser
) -> None:
    page = phone(browser, live_server, "committee")
    menu(page, "季讲评")
    year = date.today().year
    page.get_by_role("link", name=f"{year}年度总评").click()
    expect(page.locator("#branches li").first).to_contain_text("1.")
    first = page.locator("#choose input[name=post]:checked")
    expect(first).to_have_count(3)  # the three best are offered ticked
    page.locator("#confirm-choose summary").click()
    page.get_by_role("button", name="确认评定并起草表彰决定").click()
    expect(page.locator("#praise")).to_contain_text("优秀党员示范岗")
    page.get_by_label("名称", exact=True).fill(f"关于表彰{year}年度优秀党员示范岗的决定")
    page.locator("#confirm-publish summary").click()
    page.get_by_role("button", name="确认保存并发布").click()
    page.get_by_role("link", name="打印页（手机可看）").click()
    expect(page.locator(".doc-letterhead")).to_have_text("中共采矿公司委员会文件")
    expect(page.locator(".doc-number")).to_contain_text(f"采矿党发〔{year}〕")
    expect(page.locator(".doc-title")).to_have_text(f"关于表彰{year}年度优秀党员示范岗的决定")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # the paper fits the phone
