"""A coal group on one deployment, in Chromium (issue 23): two mines' staff each see only their own mine;
the group administrator publishes a standard, both mines put a post on it and follow its next edition, and
the group compares the mines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from inspect_app import demo, tenancy
from inspect_app.extensions import db
from inspect_app.models import Post
from tests.browser.conftest import serve_wsgi
from tests.groups import GROUP_ADMIN, GROUP_PASSWORD, build_group, close_group

pytestmark = pytest.mark.browser

TITLE = "集团采煤专业示范岗考核标准"
ONLY_YI = "乙矿三采区轨道巷"


@pytest.fixture
def deployment(db_url: str, tmp_path: Path) -> Iterator[str]:
    app = build_group(db_url, tmp_path, SERVER_NAME=None)
    with app.app_context(), tenancy.use_mine("yi"):
        post = db.session.get_one(Post, db.session.query(Post.id).filter(Post.code == "W3K9P").scalar())
        other = db.session.query(Post).filter(Post.code != "W3K9P").order_by(Post.id.desc()).first()
        assert other is not None
        other.name = ONLY_YI
        db.session.commit()
        assert post.status == "draft"
    yield from serve_wsgi(app.wsgi_app)
    close_group(app)


def log_in(page: Page, url: str, username: str, password: str = demo.DEMO_PASSWORD) -> None:
    page.goto(url)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def sheet(points: str) -> bytes:
    rows = "类别,序号,项目,标准分,检查方法,评分办法\n"
    rows += f"现场管理,1,巷道无积水浮煤,{points},现场查看,每处扣0.5分\n"
    return (rows + "安全,2,支护完好,10,现场查看,一处不符合扣1分\n").encode()


def upload_and_publish(page: Page, base: str, points: str, note: str) -> None:
    page.goto(f"{base}/group/standards")
    page.fill("#title", TITLE)
    page.select_option("#profession", "coal")
    page.fill("#note", note)
    page.set_input_files("#file", {"name": "standard.csv", "mimeType": "text/csv", "buffer": sheet(points)})
    page.click("form[action$='/group/standards'] button[type=submit]")
    expect(page.locator("[role=status]")).to_contain_text("集团标准已保存")
    page.locator("section.card", has_text=TITLE).locator("li").first.get_by_role("button").click()
    published = page.locator("#published")
    expect(published.locator('[data-mine="jia"]')).to_be_visible()
    expect(published.locator('[data-mine="yi"]')).to_be_visible()


def put_post_on_the_group_standard(page: Page, base: str, mine: str, version: int) -> None:
    page.goto(f"{base}/m/{mine}/posts/W3K9P/edit")
    option = page.locator("#standard_version_id option", has_text=TITLE)
    page.select_option("#standard_version_id", option.get_attribute("value"))
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text(f"{TITLE} (第{version}版)")


def test_two_mines_a_group_standard_and_the_comparison(deployment: str, phone: Page) -> None:
    base = deployment
    # each mine's staff see their own mine only
    log_in(phone, f"{base}/m/jia/login", "admin")
    phone.goto(f"{base}/m/jia/posts/?unit=all")
    expect(phone.locator("main")).not_to_contain_text(ONLY_YI)
    log_in(phone, f"{base}/m/yi/login", "admin")
    phone.goto(f"{base}/m/yi/posts/?unit=all")
    expect(phone.locator("main")).to_contain_text(ONLY_YI)
    phone.goto(f"{base}/m/jia/posts/?unit=all")  # still logged in at jia: two mines, two logins
    expect(phone.locator("main")).not_to_contain_text(ONLY_YI)
    # the group administrator publishes a standard to both mines
    log_in(phone, f"{base}/group/login", GROUP_ADMIN, GROUP_PASSWORD)
    expect(phone.locator("h1")).to_contain_text("各矿比较")
    upload_and_publish(phone, base, "10", "")
    # both mines put a post on it; the next edition reaches both, and their posts follow it
    for mine in ("jia", "yi"):
        phone.goto(f"{base}/m/{mine}/standards/")
        expect(phone.locator("main")).to_contain_text(TITLE)
        expect(phone.locator("main .tag", has_text="集团标准")).to_be_visible()
        put_post_on_the_group_standard(phone, base, mine, 1)
    upload_and_publish(phone, base, "20", "巷道积水条款分值调整")
    for mine in ("jia", "yi"):
        phone.goto(f"{base}/m/{mine}/posts/W3K9P")
        expect(phone.locator("main")).to_contain_text(f"{TITLE} (第2版)")
        phone.goto(f"{base}/m/{mine}/standards/")
        phone.get_by_role("link", name=TITLE).click()
        expect(phone.locator("#group-standard")).to_be_visible()
        expect(phone.get_by_role("link", name="逐条编辑")).to_have_count(0)
    # the comparison: both mines ranked from their years, no sheet on the page
    phone.goto(f"{base}/group/")
    rows = phone.locator("#mines tbody tr")
    expect(rows).to_have_count(2)
    expect(phone.locator('#mines [data-mine="jia"]')).to_be_visible()
    expect(phone.locator('#mines [data-mine="yi"]')).to_be_visible()
    # a mine's page is not the group administrator's
    phone.goto(f"{base}/m/jia/rounds/")
    expect(phone).to_have_url(f"{base}/m/jia/rounds/")  # the mine's admin session of this phone still holds
    phone.context.clear_cookies()
    log_in(phone, f"{base}/group/login", GROUP_ADMIN, GROUP_PASSWORD)
    phone.goto(f"{base}/m/jia/rounds/")
    assert phone.url.startswith(f"{base}/m/jia/login")
