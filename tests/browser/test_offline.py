"""Underground: download the round at the surface, score with no signal, and every sheet arrives exactly once.

The phone is Debian's Chromium with the service worker of /sw.js; "offline" is the browser context's
network switched off (the page, its service worker and its fetches all lose the server).
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from sqlalchemy import delete, func, select
from werkzeug.serving import BaseWSGIServer, make_server

from inspect_app import demo
from inspect_app.ballot.services import submit_anonymous_sheet
from inspect_app.domain.ballots import format_card, normalise_card
from inspect_app.domain.enums import RoundKind
from inspect_app.domain.scoring import ItemEntry
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, AnonSheetPhoto, Post, Round, RoundPost, Sheet, StandardItem
from inspect_app.offline import shell
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, buffered, release_connections
from tests.conftest import make_app
from tests.web.helpers import anonymous_round

pytestmark = pytest.mark.browser

USER_AGENTS = {
    "android-chrome": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "iphone-safari": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "wechat": "Mozilla/5.0 (Linux; Android 13; V2218A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
    "Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560 "
    "WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
}


def new_phone(browser: Browser, user_agent: str | None = None) -> BrowserContext:
    return browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN",
        user_agent=user_agent,
    )  # fmt: skip


@pytest.fixture(params=sorted(USER_AGENTS))
def handset(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = new_phone(browser, USER_AGENTS[request.param])
    yield context.new_page()
    context.close()


def photo_file(tmp_path: Path, name: str = "defect.jpg") -> Path:
    image = Image.new("RGB", (640, 480), (200, 60, 20))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def round_posts(app: Flask, round_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        stmt = select(Post.code, Post.name).join(RoundPost).where(RoundPost.round_id == round_id)
        return [(code, name) for code, name in db.session.execute(stmt.order_by(Post.code))]


def stored_sheets(app: Flask, round_id: int) -> tuple[int, int]:
    """(sheets, photos) the server holds for the round."""
    with app.app_context():
        sheets = db.session.scalar(
            select(func.count()).select_from(AnonSheet).where(AnonSheet.round_id == round_id)
        )
        photos = db.session.scalar(
            select(func.count())
            .select_from(AnonSheetPhoto)
            .join(AnonSheet)
            .where(AnonSheet.round_id == round_id)
        )
        return int(sheets or 0), int(photos or 0)


def wait_for_service_worker(page: Page) -> None:
    """Until /sw.js controls the page. A page loaded while the worker was still installing may be left out of
    its clients.claim(): it is reloaded once the worker is active."""
    active = page.evaluate(
        """() => Promise.race([navigator.serviceWorker.ready.then(() => true),
                               new Promise(done => setTimeout(() => done(false), 15000))])"""
    )
    assert active, "the service worker did not install"
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")


def download_round(page: Page, base: str, round_id: int, card: str | None = None) -> None:
    page.goto(f"{base}/offline/")
    wait_for_service_worker(page)
    section = page.locator(f"#offline section.round[data-round='{round_id}']")
    section.get_by_role("button", name="下载本轮").click()
    expect(section.locator(".round-state")).to_contain_text("本机已保存")
    if card:
        local = page.locator(f"#local-rounds section[data-round='{round_id}']")
        local.locator("input[name=card]").fill(card)
        local.get_by_role("button", name="将选票卡保存在本机").click()
        expect(local.locator(".card-state")).to_contain_text("本机已存选票卡")


def score_offline(
    page: Page, base: str, round_id: int, code: str, photo: Path | None, defects: int = 1
) -> None:
    """Open the post from its board URL, follow its anonymous-scoring button, score and submit."""
    page.goto(f"{base}/p/{code}")
    page.locator(f"a[href='/b/{round_id}/{code}']").click()
    expect(page.locator("input[name=card]")).not_to_have_value("")
    plus = page.locator(".stepper").first.get_by_role("button", name=re.compile(r"\+|增加"))
    for _ in range(defects):
        plus.click()
    if photo:
        page.locator("#photo").set_input_files(str(photo))
        expect(page.locator("#photo + .photo-note")).to_contain_text("KB")
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("#queued")).to_be_visible()


def test_score_underground_with_a_photo_and_it_arrives_once(
    app: Flask, live_server: str, handset: Page, tmp_path: Path
) -> None:
    page = handset
    rnd = anonymous_round(app)
    card = format_card(demo.demo_card_codes()[demo.PRESCORING_CARDS + 1])
    download_round(page, live_server, rnd.id, card)
    before = stored_sheets(app, rnd.id)
    code, name = round_posts(app, rnd.id)[-1]

    page.context.set_offline(True)
    score_offline(page, live_server, rnd.id, code, photo_file(tmp_path))
    expect(page.locator("#outbox-badge")).to_contain_text("1")
    page.goto(f"{live_server}/outbox")
    item = page.locator(".outbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(name)
    expect(item).to_contain_text("1 张照片")
    page.reload()  # still offline: the outbox is on the phone, not in the page
    expect(page.locator(".outbox-item")).to_have_count(1)
    assert stored_sheets(app, rnd.id) == before

    page.context.set_offline(False)  # the phone sees the network: `online` replays the outbox
    expect(page.locator("#outbox-empty")).to_be_visible()
    expect(page.locator("#outbox-results")).to_contain_text("服务器已收到")
    assert stored_sheets(app, rnd.id) == (before[0] + 1, before[1] + 1)
    page.reload()
    page.get_by_role("button", name="立即发送").click()
    page.wait_for_timeout(500)
    assert stored_sheets(app, rnd.id) == (before[0] + 1, before[1] + 1)


class Restartable:
    """The app served on a fixed port that a test can stop and start again (same database, same photos)."""

    def __init__(self, served: Flask) -> None:
        self.served = served
        self.port = 0
        self.arrived = 0  # sheet POSTs that reached the app
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        inner = served.wsgi_app

        def slow(environ: dict[str, Any], start_response: Any) -> Any:
            if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].startswith(("/b/", "/field/")):
                self.arrived += 1
                time.sleep(0.15)  # a slow link: the server goes down while sheets are still on their way
            return inner(environ, start_response)

        served.wsgi_app = slow  # type: ignore[method-assign]

    def start(self) -> str:
        self._server = make_server("127.0.0.1", self.port, buffered(self.served.wsgi_app), threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        assert self._server
        assert self._thread
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def restartable(app: Flask, migrated_url: str) -> Iterator[Restartable]:
    served = make_app(migrated_url, SERVER_NAME=None, PHOTO_DIR=app.config["PHOTO_DIR"])
    server = Restartable(served)
    yield server
    with suppress(AssertionError):
        server.stop()
    with served.app_context():
        release_connections()


def wait_until(page: Page, check: Callable[[], bool], seconds: float = 20) -> None:
    """Poll the server side while the page runs (and Playwright dispatches its route handlers)."""
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out"
        page.wait_for_timeout(50)


def test_twenty_sheets_with_photos_survive_a_server_stop_and_a_lost_answer(
    app: Flask, restartable: Restartable, browser: Browser, tmp_path: Path
) -> None:
    base = restartable.start()
    context = new_phone(browser)
    page = context.new_page()
    rnd = anonymous_round(app)
    cards = [
        format_card(c) for c in demo.demo_card_codes()[demo.PRESCORING_CARDS + 1 : demo.PRESCORING_CARDS + 3]
    ]
    download_round(page, base, rnd.id, cards[0])
    posts = round_posts(app, rnd.id)
    before = stored_sheets(app, rnd.id)
    photo = photo_file(tmp_path)

    context.set_offline(True)
    for card in cards:
        for code, _name in posts:
            page.goto(f"{base}/p/{code}")
            page.locator(f"a[href='/b/{rnd.id}/{code}']").click()
            page.locator("input[name=card]").fill(card)
            page.locator("#photo").set_input_files(str(photo))
            expect(page.locator("#photo + .photo-note")).to_contain_text("KB")
            page.get_by_role("button", name="提交评分").click()
            expect(page.locator("#queued")).to_be_visible()
    page.goto(f"{base}/outbox")
    expect(page.locator(".outbox-item")).to_have_count(2 * len(posts))

    lost: list[str] = []

    def lose_one_answer(route: Route) -> None:
        """The fifth sheet reaches the server, but its answer never reaches the phone."""
        if route.request.method == "POST" and not lost and restartable.arrived >= 4:
            route.fetch()
            lost.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.fallback()

    context.route(re.compile(r"/b/\d+/"), lose_one_answer)
    context.set_offline(False)
    wait_until(page, lambda: stored_sheets(app, rnd.id)[0] >= before[0] + 8)
    restartable.stop()  # mid-sync: the rest fail, wait in the outbox, and back off
    expect(page.locator(".outbox-item .outbox-error").first).to_be_visible()
    assert lost
    assert stored_sheets(app, rnd.id)[0] < before[0] + 2 * len(posts)
    assert page.locator(".outbox-item").count() > 0

    restartable.start()
    page.get_by_role("button", name="立即发送").click()
    expect(page.locator("#outbox-empty")).to_be_visible(timeout=30_000)
    assert stored_sheets(app, rnd.id) == (before[0] + 2 * len(posts), before[1] + 2 * len(posts))
    context.close()


def test_a_signed_round_offline_arrives_once_although_its_answer_was_lost(
    app: Flask, live_server: str, phone: Page
) -> None:
    with app.app_context():
        rnd = db.session.scalars(select(Round).where(Round.kind == RoundKind.TEN_DAY.value)).one()
        signed_before = db.session.scalar(
            select(func.count()).select_from(Sheet).where(Sheet.round_id == rnd.id)
        )
    phone.goto(f"{live_server}/login")
    phone.get_by_label("用户名").fill("renshi")
    phone.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    phone.get_by_role("button", name="登录").click()
    download_round(phone, live_server, rnd.id)
    local = phone.locator(f"#local-rounds section[data-round='{rnd.id}']")
    expect(local.locator("li").first).to_be_visible()

    phone.context.set_offline(True)
    to_score = local.locator("li a", has_not_text="已评").first
    name = to_score.evaluate("a => a.firstChild.textContent")
    to_score.click()  # the downloaded form, from the list on the phone
    expect(phone.locator("h1")).to_have_text(name)
    phone.locator(".stepper").first.get_by_role("button", name=re.compile(r"\+|增加")).click()
    phone.get_by_role("button", name="提交评分").click()
    expect(phone.locator("#queued")).to_be_visible()

    answers_lost: list[str] = []

    def lose_first_answer(route: Route) -> None:
        if route.request.method == "POST" and not answers_lost:
            route.fetch()  # the server stores the sheet…
            answers_lost.append(route.request.url)
            route.abort("connectionreset")  # …and the phone never hears back
        else:
            route.fallback()

    phone.context.route(re.compile(r"/field/\d+/"), lose_first_answer)
    phone.goto(f"{live_server}/outbox")
    phone.context.set_offline(False)
    expect(phone.locator("#outbox-empty")).to_be_visible(timeout=20_000)
    expect(phone.locator("#outbox-results")).to_contain_text(name)
    assert answers_lost
    with app.app_context():
        signed_after = db.session.scalar(
            select(func.count()).select_from(Sheet).where(Sheet.round_id == rnd.id)
        )
    assert signed_after == signed_before + 1


def qr_video(path: Path, text: str) -> Path:
    """A few seconds of camera: a signboard's QR code on grey, as Y4M for Chromium's fake camera."""
    import qrcode

    width, height = 640, 480
    code = qrcode.make(text, box_size=8, border=4).get_image().convert("L")
    frame = Image.new("L", (width, height), 170)
    frame.paste(code.resize((320, 320)), ((width - 320) // 2, (height - 320) // 2))
    y = frame.tobytes()
    chroma = bytes([128]) * (width // 2 * height // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + y + chroma + chroma)
    return path


def test_the_in_app_scanner_opens_the_post_on_this_site(
    app: Flask, live_server: str, browser: Browser, tmp_path: Path
) -> None:
    rnd = anonymous_round(app)
    code, name = round_posts(app, rnd.id)[0]
    video = qr_video(
        tmp_path / "board.y4m", f"https://mine.example.cn/p/{code}"
    )  # the host printed on boards
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"],
    )  # fmt: skip
    try:
        context = new_phone(camera)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.goto(f"{live_server}/scan")
        expect(page).to_have_url(f"{live_server}/p/{code}", timeout=15_000)
        expect(page.locator("h1")).to_have_text(name)
    finally:
        camera.close()


def test_a_dirty_board_s_code_typed_by_hand_opens_the_downloaded_post_offline(
    app: Flask, live_server: str, phone: Page
) -> None:
    rnd = anonymous_round(app)
    code, name = round_posts(app, rnd.id)[1]
    download_round(phone, live_server, rnd.id)
    phone.goto(f"{live_server}/scan")
    phone.context.set_offline(True)
    phone.get_by_label("二维码下方印的编码").fill(f" {code.lower()} ")
    phone.get_by_role("button", name="打开示范岗").click()
    expect(phone.locator("h1")).to_have_text(name)
    phone.goto(f"{live_server}/p/ZZZZZ")  # not downloaded: says so, instead of the browser's error page
    expect(phone.locator("#unavailable")).to_be_visible()


DOCS = Path(__file__).resolve().parents[2] / "docs"
#: what a gloved finger must be able to hit on the form
TARGETS = (
    "main button, main .button, main summary, main label.check, main .choice label, main input[type=number]"
)


def test_the_form_in_high_contrast_fits_360_px_with_glove_sized_targets(
    app: Flask, live_server: str, phone: Page
) -> None:
    rnd = anonymous_round(app)
    code, _name = round_posts(app, rnd.id)[2]
    phone.goto(f"{live_server}/b/{rnd.id}/{code}")
    toggle = phone.locator("[data-theme-toggle]")
    expect(toggle).to_have_text("高对比度")
    toggle.click()
    expect(phone.locator("html")).to_have_attribute("data-theme", "contrast")
    phone.reload()  # the choice is kept (a cookie the server reads as well)
    expect(phone.locator("html")).to_have_attribute("data-theme", "contrast")
    expect(toggle).to_have_text("标准配色")
    assert phone.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    phone.locator(".stepper").first.get_by_role("button", name=re.compile(r"\+|增加")).click()
    if os.environ.get("UPDATE_DOCS") == "1":  # scripts/screenshots refreshes the picture in the README
        phone.evaluate("window.scrollTo(0, 0)")
        phone.screenshot(path=str(DOCS / "form-high-contrast.png"))

    for path in (f"/b/{rnd.id}/{code}", "/offline/", "/outbox", "/scan", f"/p/{code}"):
        phone.set_viewport_size({"width": 360, "height": 740})
        phone.goto(live_server + path)
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 360 px"
        small = phone.evaluate(
            """(sel) => Array.from(document.querySelectorAll(sel))
                 .filter(e => e.offsetParent !== null)
                 .map(e => [e.textContent.trim().slice(0, 20) || e.name, e.getBoundingClientRect().height])
                 .filter(([, h]) => h < 48)""",
            TARGETS,
        )
        assert small == [], f"{path}: targets under 48 px: {small}"


def score_on_the_server(app: Flask, round_id: int, code: str, card: str, defects: int) -> None:
    """Another phone (or this card by other means) scores the post first."""
    with app.app_context():
        stmt = (
            select(StandardItem.id, (StandardItem.max_points == 0).label("veto"))
            .join(RoundPost, RoundPost.standard_version_id == StandardItem.version_id)
            .join(Post)
            .where(RoundPost.round_id == round_id, Post.code == code)
        )
        entries = [
            ItemEntry(item_id, (0 if veto else defects,)) for item_id, veto in db.session.execute(stmt)
        ]
        key = str(app.config["BALLOT_KEY"]).encode()
        submit_anonymous_sheet(round_id, code, normalise_card(card) or "", entries, key, str(uuid.uuid4()))


def test_already_scored_is_dropped_and_shown_a_refused_sheet_is_kept_for_reading(
    app: Flask, live_server: str, phone: Page
) -> None:
    """(A sealed round's sheets are forgotten instead: tests/browser/test_anonymity.py.)"""
    rnd = anonymous_round(app)
    card = format_card(demo.demo_card_codes()[demo.PRESCORING_CARDS + 3])
    download_round(phone, live_server, rnd.id, card)
    (first, first_name), (second, second_name) = round_posts(app, rnd.id)[-2:]
    phone.context.set_offline(True)
    score_offline(phone, live_server, rnd.id, first, None, defects=2)
    score_offline(phone, live_server, rnd.id, second, None, defects=2)

    score_on_the_server(app, rnd.id, first, card, defects=0)  # the same card, a different sheet: 409
    with app.app_context():  # the other post left the round before the phone is back: 404
        post_id = db.session.scalar(select(Post.id).where(Post.code == second))
        db.session.execute(
            delete(RoundPost).where(RoundPost.round_id == rnd.id, RoundPost.post_id == post_id)
        )
        db.session.commit()

    phone.goto(f"{live_server}/outbox")
    phone.context.set_offline(False)
    kept = phone.locator(".outbox-item")
    expect(kept).to_have_count(1)
    expect(kept).to_contain_text(second_name)
    expect(kept.locator(".outbox-state")).to_have_text("未被接收")
    expect(kept.locator(".outbox-error")).to_have_text("该示范岗不在本轮检查范围内。")  # the server's words
    expect(phone.locator("#outbox-results .result-duplicate")).to_contain_text(first_name)
    expect(phone.locator("#outbox-results .result-duplicate")).to_contain_text("已评过")
    phone.reload()
    phone.get_by_role("button", name="立即发送").click()
    expect(phone.locator(".outbox-item")).to_have_count(1)  # never dropped by itself: the inspector reads it
    phone.once("dialog", lambda dialog: dialog.accept())
    kept.get_by_role("button", name="删除").click()
    expect(phone.locator(".outbox-item")).to_have_count(0)


def test_a_new_version_replaces_the_old_shell_and_keeps_the_rounds(
    app: Flask, live_server: str, phone: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    rnd = anonymous_round(app)
    download_round(phone, live_server, rnd.id)
    names = phone.evaluate("caches.keys()")
    old = shell.version()
    assert f"inspect-shell-{old}" in names
    assert f"inspect-round-{rnd.id}" in names
    monkeypatch.setattr(shell, "version", lambda: "next-release")
    phone.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    for _ in range(150):  # the new worker installs, activates and deletes the old shell
        names = phone.evaluate("caches.keys()")
        if "inspect-shell-next-release" in names and f"inspect-shell-{old}" not in names:
            break
        phone.wait_for_timeout(100)
    assert "inspect-shell-next-release" in names
    assert f"inspect-shell-{old}" not in names
    assert f"inspect-round-{rnd.id}" in names


def test_a_sealed_round_s_waiting_sheets_are_counted_once_when_two_checks_learn_of_it_together(
    live_server: str, handset: Page
) -> None:
    """The sending loop and the page's own check of live rounds can both learn at once that a round was
    sealed: the phone deletes its waiting sheets once and says so in one line, not two."""
    page = handset
    page.goto(f"{live_server}/outbox")
    lines = page.evaluate(
        """async () => {
            const api = window.InspectOutbox;
            for (const n of [1, 2]) {
                await api.putItem({id: "sealed-" + n, kind: "ballot", url: "/b/987654/P00" + n,
                                   post: "P00" + n, round: "封箱的那一轮", state: "waiting", nextAt: 0,
                                   fields: [], files: []});
            }
            await Promise.all([api.dropRound("987654"), api.dropRound("987654")]);
            return api.results().filter(r => r.kind === "sealed").map(r => r.n);
        }"""
    )
    assert lines == [2]
    expect(page.locator("#outbox-results .result-sealed")).to_have_count(1)
