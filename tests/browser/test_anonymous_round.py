"""A whole anonymous round (无记名打分) in real phone-sized browsers: the organiser creates a round and prints
ballot cards; three inspectors, none logged in, keep a card on their phone by scanning its QR and score two
posts; one replays a sheet, one tries to score a post twice; sealing shows aggregates only (the round is not
trimmed, so its quorum is 3 sheets)."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect
from sqlalchemy import func, select

from inspect_app.demo import DEMO_PASSWORD
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, Post
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser
TITLE = "浏览器测试周检查"


def new_phone(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#menu")).to_be_visible()


def create_round(
    page: Page,
    base: str,
    codes: list[str],
    app: Flask,
    kind: str = "weekly",
    mode: str = "joint",
    title: str = TITLE,
    trim: bool = True,
    anonymous: bool | None = None,
) -> int:
    """As the organiser: a draft round of ``codes`` (anonymous unless a self-check), then open it."""
    page.goto(f"{base}/rounds/new")
    page.locator("#title").fill(title)
    page.locator("#kind").select_option(kind)
    page.locator("#mode").select_option(mode)
    page.locator("#period_start").fill(date.today().isoformat())
    page.locator("#period_end").fill((date.today() + timedelta(days=6)).isoformat())
    if not (mode != "self" if anonymous is None else anonymous):  # a self-check is signed by default
        page.locator("input[name=anonymous]").uncheck()
    if not trim:
        page.locator("input[name=trim]").uncheck()
    with app.app_context():
        ids = db.session.scalars(select(Post.id).where(Post.code.in_(codes))).all()
    for post_id in ids:
        page.locator(f"input[name=post][value='{post_id}']").check()
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/rounds/\d+$"))
    round_id = int(page.url.rsplit("/", 1)[1])
    page.get_by_role("button", name="开始检查").click()
    expect(page.locator("#round-status")).to_have_text("进行中")
    return round_id


def print_cards(page: Page, tmp_path: Path, count: int = 3) -> list[str]:
    """Make ``count`` cards; read their QR codes from the PDF as a printer would print it."""
    page.locator("#count").fill(str(count))
    with page.expect_download() as download:
        page.get_by_role("button", name="生成并打印选票卡（PDF）").click()
    pdf = tmp_path / "cards.pdf"
    download.value.save_as(pdf)
    links: list[str] = []
    for dpi in (150, 300):  # zbar now and then misses one code at 150 dpi: a printer's resolution is higher
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp_path / f"p{dpi}")], check=True)
        found = subprocess.run(
            ["zbarimg", "-q", "--raw", *sorted(str(p) for p in tmp_path.glob(f"p{dpi}*.png"))],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        links = found.stdout.split()
        if len(links) == count:
            break
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert len(links) == count
    for link in links:
        code = link.rsplit("-", 1)[1]
        assert code in "".join(text.split())  # the same code, printed in groups for typing
    return links


def keep_card(page: Page, link: str, base: str) -> None:
    page.goto(base + link[link.index("/b/card") :])
    expect(page.locator("#card-saved")).to_be_visible()
    assert "#" not in page.url  # the code left the address bar and the history entry


def score(page: Page, base: str, round_id: int, code: str, defects: int, card: str | None = None) -> int:
    """Open the post from its public page, fill the form (the card comes from the phone), submit."""
    page.goto(f"{base}/p/{code}")
    page.locator(f"a[href='/b/{round_id}/{code}']").click()
    field = page.locator("input[name=card]")
    if card:
        field.fill(card)
    else:
        expect(field).not_to_have_value("")
    page.locator(".stepper input").first.fill(str(defects))
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="提交评分").click()
    last_sheet[page] = answer.value.request
    return answer.value.status


#: the last sheet each phone posted (to replay it as a phone whose answer was lost would)
last_sheet: dict[Page, Request] = {}


def anonymous_sheets(app: Flask, round_id: int, code: str | None = None) -> list[Decimal]:
    with app.app_context():
        stmt = select(AnonSheet.score).where(AnonSheet.round_id == round_id)
        if code:
            stmt = stmt.join(Post).where(Post.code == code)
        return list(db.session.scalars(stmt))


def test_anonymous_round_from_printed_cards_to_sealed_aggregates(
    app: Flask, live_server: str, browser: Browser, tmp_path: Path
) -> None:
    with app.app_context():
        codes = list(
            db.session.scalars(select(Post.code).where(Post.status == "listed").order_by(Post.code))
        )[:2]
    organiser = new_phone(browser).new_page()
    log_in(organiser, live_server, "dangwei")
    round_id = create_round(organiser, live_server, codes, app, trim=False)  # quorum 3 without trimming
    links = print_cards(organiser, tmp_path)

    phones = [new_phone(browser).new_page() for _ in links]
    for page, link in zip(phones, links, strict=True):
        keep_card(page, link, live_server)
    typed = links[2].rsplit("-", 1)[1]
    phones[2].evaluate("localStorage.clear()")  # the third inspector types the card instead
    for n, page in enumerate(phones):
        for code in codes:
            status = score(page, live_server, round_id, code, n, card=typed if n == 2 else None)
            assert status == 200
            expect(page.locator("#stored h1")).to_have_text("评分已保存")

    # a replay (the phone resends the same submission, its first answer lost): stored once, acknowledged
    # without its content; the same sheet from a form opened again is a new submission: refused
    page = phones[0]
    sent = last_sheet[page]
    headers = {
        "Content-Type": sent.headers["content-type"],
        "Accept": "application/json",
        "Origin": live_server,
    }
    replay = page.request.post(sent.url, data=sent.post_data_buffer, headers=headers)
    assert replay.status == 200
    assert replay.json() == {
        "result": "stored",
        "replay": True,
        "message": "这份评分表此前已收到，只保存一次。",
    }
    page.go_back()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="提交评分").click()
    assert answer.value.status == 409
    # the same card on the same post with other content: refused
    assert score(phones[1], live_server, round_id, codes[0], 5) == 409
    expect(phones[1].locator("main")).to_contain_text("此卡已对该示范岗打过分")
    assert len(anonymous_sheets(app, round_id)) == 6

    inspector = new_phone(browser).new_page()
    log_in(inspector, live_server, "jiancha")
    assert inspector.goto(f"{live_server}/rankings/{round_id}").status == 403
    organiser.goto(f"{live_server}/rankings/{round_id}")
    expect(organiser.locator("main")).to_contain_text("封箱后")
    expect(organiser.locator(f"tr[data-post='{codes[0]}'] td").nth(3)).to_have_text("—")

    organiser.goto(f"{live_server}/rounds/{round_id}")
    organiser.locator("#confirm-seal summary").click()
    expect(organiser.locator("#confirm-seal")).to_contain_text("不可撤销")
    organiser.get_by_role("button", name="确认封箱").click()
    expect(organiser.locator("#round-status")).to_have_text("已封箱")
    organiser.goto(f"{live_server}/rankings/{round_id}")
    for code in codes:
        scores = anonymous_sheets(app, round_id, code)
        mean = (sum(scores) / 3).quantize(Decimal("0.01"), ROUND_HALF_UP)  # untrimmed: the mean of three
        row = organiser.locator(f"tr[data-post='{code}'] td")
        expect(row.nth(2)).to_have_text("3")
        expect(row.nth(3)).to_have_text(f"{mean:.2f}")
        assert re.fullmatch(r"[12]", row.nth(0).inner_text().strip())
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AnonSheet.round_id == round_id)) == 6
