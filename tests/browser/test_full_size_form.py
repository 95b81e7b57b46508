"""Real score sheets at full size on a phone (issue 18): the 129-item sheet of 11 sections and 1100 points
(tests/real_sheets.py) as the anonymous form, at 360 × 740 in Chromium and in a real WebKit.

Online: no sideways scrolling with 1,800-character texts and open remarks, glove-sized targets, the jump
list, the sticky bar's running score (the figure the server then stores) and answered count, "only items
with deductions", a typed count clamped to its rule's limit, and a sheet refused for a hidden character in a
remark with three photos attached: the summary on top, the photos put back into their inputs, sent again and
stored once with its three photos. Offline: the downloaded form gets its checklist (kept once per standard)
back from the service worker, and the sheet scored underground arrives exactly once. In both, a ticked
不得分 box is stored as ticked (the server reads a field's first value: the box comes before its hidden 0).

WebKit uses its own ``webkit`` fixture here (``steady_webkit``): tests/browser/webkit.py's resizes the window
once and reads the viewport at once, which WebKitGTK has not always applied yet (360 × 712 now and then).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select

from inspect_app import clock
from inspect_app.domain.ballots import RoundAction, format_card
from inspect_app.domain.deductions import RuleKind
from inspect_app.domain.enums import PostStatus, Profession, RoundKind, RoundMode
from inspect_app.extensions import db
from inspect_app.models import (
    AnonSheet,
    AnonSheetItem,
    AnonSheetPhoto,
    Post,
    RoundPost,
    StandardItem,
)
from inspect_app.rounds.services import RoundInput, create_round, print_cards, step_round
from tests.browser.test_offline import download_round
from tests.browser.webkit import (  # the *_fixture imports register the fixtures for this module
    Origin,
    origin_fixture,  # noqa: F401
    resize_viewport,
    run_async,
    start_webkit,
    wait_for,
    wait_until,
    webkit_home_fixture,  # noqa: F401
    xvfb_fixture,  # noqa: F401
)
from tests.browser.webkit import wait_for_service_worker as webkit_service_worker
from tests.real_sheets import to_xlsx_bytes
from tests.web.helpers import small_jpeg
from tests.web.test_score_sheets import ORGANISER, SHEET, checklist, committee, standard_of, upload

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 740
COUNTING = (RuleKind.EACH, RuleKind.MISSING)
CENT = Decimal("0.01")
#: what a gloved finger must hit on the form (at least 48 px high; the first three at least 48 px wide too)
TARGETS = {
    "stepper": "form.sheet .stepper button",
    "photo": "form.sheet label.button.photo",
    "bar": "#sheet-bar .button",
    "not-applicable": "form.sheet .tools label.check",
    "toggle": "form.sheet label.check.toggle",
    "jump": "#jump a",
    "summary": "form.sheet summary",
}
WIDE_TARGETS = ("stepper", "photo", "bar")
#: per kind of target: how many are shown, and those under 48 px high (or narrow, for WIDE_TARGETS)
MEASURE_JS = """([targets, wide]) => Object.fromEntries(Object.entries(targets).map(([kind, css]) => {
  const shown = Array.from(document.querySelectorAll(css)).filter(e => e.getClientRects().length > 0);
  const small = shown.map(e => { const r = e.getBoundingClientRect();
      return [e.textContent.trim().slice(0, 12), Math.round(r.width), Math.round(r.height)]; })
    .filter(([, w, h]) => h < 48 || (wide.includes(kind) && w < 48));
  return [kind, {shown: shown.length, small: small}];
}))"""
#: whether an item's top is under its section's sticky heading
HIDDEN_UNDER_HEADING_JS = """(id) => { const item = document.getElementById(id);
  const heading = item.closest('section.sec').querySelector('h2');
  return item.getBoundingClientRect().top < heading.getBoundingClientRect().bottom - 1; }"""
VISIBLE_ITEMS_JS = """Array.from(document.querySelectorAll('fieldset.item[data-max]'))
  .filter(e => e.getClientRects().length > 0).map(e => e.id)"""
FILE_NAMES_JS = "Array.from(document.getElementById(arguments[0]).files || []).map(f => f.name)"


@dataclass
class FullRound:
    """An open anonymous round over one coal post scored on the real 129-item sheet."""

    round_id: int
    code: str
    name: str
    post_id: int
    version_id: int
    items: list[StandardItem]
    cards: list[str]  # as printed: XXXXXX-XXXXXX-XXXXXX

    @property
    def form(self) -> str:
        return f"/b/{self.round_id}/{self.code}"


@pytest.fixture
def full_round(app: Flask) -> FullRound:
    """Like tests/web/test_score_sheets.py's ``scene``: the real sheet imported as the coal standard's new
    version, and a round opened on it with a few cards (the live server shares ``app``'s database)."""
    coal_standard = standard_of(app, "coal")
    assert upload(committee(app), coal_standard, "一通三防.xlsx", to_xlsx_bytes(SHEET)) == 303
    with app.app_context():
        listed = select(Post).where(Post.status == PostStatus.LISTED.value).order_by(Post.code)
        post = next(p for p in db.session.scalars(listed) if p.profession == Profession.COAL)
        code, name, post_id = post.code, post.name, post.id
        today = clock.today()
        data = RoundInput(
            "全尺寸评分表", RoundKind.WEEKLY, RoundMode.JOINT, today, today + timedelta(days=1), True,
            (post_id,), 3, False,
        )  # fmt: skip
        round_id = create_round(ORGANISER, data)
        step_round(ORGANISER, round_id, RoundAction.OPEN)
        _, cards = print_cards(ORGANISER, round_id, 4, str(app.config["BALLOT_KEY"]).encode())
        version_id = db.session.scalar(
            select(RoundPost.standard_version_id).where(
                RoundPost.round_id == round_id, RoundPost.post_id == post_id
            )
        )
    items = checklist(app, code, round_id)
    assert len(items) == 129
    assert sum(item.max_points for item in items) == 1100
    return FullRound(round_id, code, name, post_id, int(version_id or 0), items,
                     [format_card(c) for _, c in cards])  # fmt: skip


# --- the sheet as the server scores it ----------------------------------------------------------------------


def key(item: StandardItem, rule: int) -> str:
    """The form field of the item's rule (0-based): ``d-<id>`` for the first, ``d-<id>-<k>`` for rule k."""
    return f"d-{item.id}" if rule == 0 else f"d-{item.id}-{rule + 1}"


def limit(item: StandardItem, rule: int) -> int:
    """The most a count can be (the stepper's max): until the rule alone empties the item."""
    amount = item.rules[rule].amount or Decimal(1)
    return max(1, int((item.max_points / amount).to_integral_value(rounding=ROUND_CEILING)))


def expected_score(items: list[StandardItem], marks: dict[int, list[int]]) -> Decimal:
    """The percentage rule spelled out: each item loses Σ count × amount (all its points for 不得分), at most
    its points; kept / applicable × 100, rounded half up (``marks``: item id → a count per rule)."""
    applicable = sum((item.max_points for item in items), Decimal(0))
    lost = Decimal(0)
    for item in items:
        counts = marks.get(item.id)
        if not counts:
            continue
        pairs = list(zip(item.rules, counts, strict=True))
        assert not any(c and r.kind == RuleKind.VETO for r, c in pairs), "no veto in these tests"
        each = sum(((r.amount or 0) * c for r, c in pairs if r.kind in COUNTING), Decimal(0))
        whole = any(c and r.kind == RuleKind.WHOLE for r, c in pairs)
        lost += item.max_points if whole else min(each, item.max_points)
    return ((applicable - lost) / applicable * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def bar_text(score: Decimal) -> str:
    return f"{score:.2f} 分"


@dataclass(frozen=True)
class Picks:
    """Items to score: ``plus`` by + (first rule), ``second`` by its second rule, ``whole`` by its 不得分 box
    (in a later section), ``clamped`` by a typed count over its limit (last section), ``remark`` for the
    remark with a hidden character; ``plus`` also gets two photos."""

    plus: StandardItem
    second: StandardItem
    whole: StandardItem
    whole_rule: int
    clamped: StandardItem
    remark: StandardItem


def pick(items: list[StandardItem]) -> Picks:
    scored = [item for item in items if item.max_points > 0]
    plus = next(i for i in scored if i.rules[0].kind in COUNTING and limit(i, 0) >= 3)
    second = next(i for i in scored if i is not plus and len(i.rules) >= 2 and i.rules[1].kind in COUNTING)
    whole = next(i for i in scored[60:] if any(r.kind == RuleKind.WHOLE for r in i.rules))
    whole_rule = next(k for k, r in enumerate(whole.rules) if r.kind == RuleKind.WHOLE)
    clamped = next(i for i in reversed(scored) if i.rules[0].kind in COUNTING and limit(i, 0) < 90)
    remark = next(i for i in scored if i not in (plus, second, whole, clamped))
    assert len({plus.id, second.id, whole.id, clamped.id, remark.id}) == 5
    return Picks(plus, second, whole, whole_rule, clamped, remark)


def zeros(item: StandardItem) -> list[int]:
    return [0] * len(item.rules)


@dataclass
class Stored:
    """What the server holds for the post in the round."""

    scores: list[Decimal]
    counts: dict[int, list[int] | None]  # item id → counts, over all sheets (one in these tests)
    photos: list[int | None]  # the item each photo is attached to (None: the whole sheet)


def stored(app: Flask, rnd: FullRound) -> Stored:
    with app.app_context():
        mine = (AnonSheet.round_id == rnd.round_id, AnonSheet.post_id == rnd.post_id)
        scores = list(db.session.scalars(select(AnonSheet.score).where(*mine)))
        lines = db.session.execute(
            select(AnonSheetItem.item_id, AnonSheetItem.counts).where(
                AnonSheetItem.round_id == rnd.round_id, AnonSheetItem.post_id == rnd.post_id
            )
        )
        photos = db.session.scalars(
            select(AnonSheetPhoto.item_id).where(
                AnonSheetPhoto.round_id == rnd.round_id, AnonSheetPhoto.post_id == rnd.post_id
            )
        )
        return Stored(scores, {item: counts for item, counts in lines}, list(photos))


def jpeg(tmp_path: Path, name: str, shade: int) -> Path:
    """A small JPEG of its own colour (photos are stored by content: each must differ)."""
    path = tmp_path / name
    path.write_bytes(small_jpeg(shade))
    return path


# --- Chromium -----------------------------------------------------------------------------------------------


@pytest.fixture
def narrow_phone(browser: Browser) -> Iterator[Page]:
    """A 360 × 740 phone (a small Android), touch, zh-CN."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")  # fmt: skip
    yield context.new_page()
    context.close()


def stepper_button(page: Page, field: str, sign: str = "+") -> Locator:
    last = "last" if sign == "+" else "first"
    return page.locator(f".stepper:has(> input[name='{field}']) > button:{last}-of-type")


def page_width(page: Page) -> int:
    """How wide the page scrolls (over 360: it scrolls sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


def box_top(page: Page, css: str) -> float:
    return float(page.evaluate("(css) => document.querySelector(css).getBoundingClientRect().top", css))


def assert_in_view(page: Page, css: str) -> None:
    top, bottom = page.evaluate(
        "(css) => { const r = document.querySelector(css).getBoundingClientRect();"
        " return [r.top, r.bottom]; }",
        css,
    )
    assert 0 <= top < HEIGHT - 100, f"{css} is not in view (top {top}, bottom {bottom})"


def measure_targets(result: dict[str, dict[str, object]]) -> None:
    for kind, found in result.items():
        assert found["shown"], f"no {kind} target shown"
        assert found["small"] == [], f"{kind} targets under 48 px: {found['small']}"


def test_the_full_size_form_online_at_360_px(
    app: Flask, live_server: str, narrow_phone: Page, full_round: FullRound, tmp_path: Path
) -> None:
    page, rnd = narrow_phone, full_round
    picks = pick(rnd.items)
    page.goto(live_server + rnd.form)
    expect(page.locator("fieldset.item[data-max]")).to_have_count(129)
    expect(page.locator("section.sec")).to_have_count(11)
    expect(page.locator("#running")).to_have_text("100.00 分")
    expect(page.locator("#answered")).to_have_text("已填 0 / 129 项")

    # (a) no sideways scrolling, with a remark open and the 1,800-character texts open; glove-sized targets
    assert page_width(page) <= WIDTH
    page.locator(f"#item-{picks.remark.id} details:has(textarea) > summary").tap()
    expect(page.locator(f"textarea[name='r-{picks.remark.id}']")).to_be_visible()
    long_texts = page.locator("form.sheet details.req, form.sheet details.how")
    assert long_texts.count() >= 3
    long_texts.first.locator("summary").tap()
    page.evaluate("document.querySelectorAll('form.sheet details').forEach(d => { d.open = true; })")
    longest = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('form.sheet details p'))"
        ".map(p => p.textContent.length))"
    )
    assert longest >= 1700
    assert page_width(page) <= WIDTH, "the form scrolls sideways with its long texts and remarks open"
    counted = page.evaluate(MEASURE_JS, [TARGETS, list(WIDE_TARGETS)])
    measure_targets(counted)
    assert counted["photo"]["shown"] == 129
    assert counted["jump"]["shown"] == 11
    assert counted["bar"]["shown"] == 2
    page.evaluate("document.querySelectorAll('form.sheet details').forEach(d => { d.open = false; })")
    assert page_width(page) <= WIDTH

    # (b) the jump list takes the thumb to a section; the sticky bar stays at the bottom, and leads back
    page.locator("#jump a[href='#sec-7']").tap()
    assert_in_view(page, "#sec-7 > h2")
    assert box_top(page, "#sec-7 > h2") < 150
    bar = page.evaluate("(() => { const r = document.getElementById('sheet-bar').getBoundingClientRect(); "
                        "return [r.top, r.bottom]; })()")  # fmt: skip
    assert bar[0] > HEIGHT / 2
    assert abs(bar[1] - HEIGHT) <= 1, f"the sticky bar is not at the bottom: {bar}"
    page.locator("#sheet-bar a.button").tap()
    assert_in_view(page, "#jump")

    # (c) steppers, a 不得分 box: the running score and the items entered follow
    marks: dict[int, list[int]] = {}
    plus = stepper_button(page, key(picks.plus, 0))
    for _ in range(3):
        plus.tap()
    stepper_button(page, key(picks.plus, 0), "-").tap()
    expect(page.locator(f"input[name='{key(picks.plus, 0)}']")).to_have_value("2")
    marks[picks.plus.id] = [2] + zeros(picks.plus)[1:]
    expect(page.locator("#running")).to_have_text(bar_text(expected_score(rnd.items, marks)))
    stepper_button(page, key(picks.second, 1)).tap()
    marks[picks.second.id] = zeros(picks.second)
    marks[picks.second.id][1] = 1
    whole_field = key(picks.whole, picks.whole_rule)
    page.locator(f"label.toggle:has(> input[name='{whole_field}'])").tap()
    expect(page.locator(f"input[type=checkbox][name='{whole_field}']")).to_be_checked()
    marks[picks.whole.id] = zeros(picks.whole)
    marks[picks.whole.id][picks.whole_rule] = 1
    expect(page.locator("#running")).to_have_text(bar_text(expected_score(rnd.items, marks)))
    expect(page.locator("#answered")).to_have_text("已填 3 / 129 项")

    # (d) a count typed over its rule's limit is set to the limit, and the phone says so
    clamped = page.locator(f"input[name='{key(picks.clamped, 0)}']")
    most = limit(picks.clamped, 0)
    assert clamped.get_attribute("max") == str(most)
    clamped.fill("99")
    clamped.blur()
    expect(clamped).to_have_value(str(most))
    note = page.locator(f".stepper:has(> input[name='{key(picks.clamped, 0)}']) .clamped")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"已改为 {most}")
    marks[picks.clamped.id] = [most] + zeros(picks.clamped)[1:]
    expected = expected_score(rnd.items, marks)
    expect(page.locator("#running")).to_have_text(bar_text(expected))
    expect(page.locator("#answered")).to_have_text("已填 4 / 129 项")

    # (c) only the items with deductions, to review before sending; then all again
    page.locator("#only-lost").tap()
    expect(page.locator("#only-lost")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#only-lost")).to_have_text("显示全部项目")
    shown = page.evaluate(VISIBLE_ITEMS_JS)
    assert sorted(shown) == sorted(f"item-{i}" for i in marks)
    assert page.locator("#jump").is_hidden()
    page.locator("#only-lost").tap()
    assert len(page.evaluate(VISIBLE_ITEMS_JS)) == 129

    # (e) three photos, and a remark with an invisible direction mark: refused, the photos stay attached
    page.locator("input[name=card]").fill(rnd.cards[0])
    page.locator(f"#item-{picks.remark.id} details:has(textarea) > summary").tap()
    page.locator(f"textarea[name='r-{picks.remark.id}']").fill("积水\u202e")
    item_photos = [jpeg(tmp_path, "积水1.jpg", 40), jpeg(tmp_path, "积水2.jpg", 90)]
    page.locator(f"#photo-{picks.plus.id}").set_input_files([str(p) for p in item_photos])
    page.locator("#photo").set_input_files(str(jpeg(tmp_path, "全景.jpg", 150)))
    expect(page.locator(f"#photo-{picks.plus.id} + .photo-note")).to_contain_text("2 ×")
    expect(page.locator("#photo + .photo-note")).to_contain_text("1 ×")
    expect(page.locator(f"label[for='photo-{picks.plus.id}']")).to_have_text("拍照 (2)")
    before = page.locator("#running").inner_text()
    page.get_by_role("button", name="提交评分").click()

    problems = page.locator("#problems")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("有 1 处需要更正")
    expect(problems).to_contain_text("控制字符")
    assert box_top(page, "#problems") < box_top(page, "form.sheet")
    assert_in_view(page, "#problems")
    assert page.evaluate("document.activeElement.id") == "problems"
    expect(problems.locator("a")).to_have_count(1)
    expect(problems.locator(f"a[href='#item-{picks.remark.id}']")).to_have_text(picks.remark.clause)
    link = problems.locator("a").bounding_box()
    assert link
    assert link["height"] >= 48
    assert link["width"] >= 48, "the link to the item is too narrow for a gloved finger"
    expect(page.locator("#photos-kept")).to_be_visible()
    expect(page.locator("#photos-again")).to_be_hidden()
    page.wait_for_function(
        "([a, b]) => document.getElementById(a).files.length === 2"
        " && document.getElementById(b).files.length === 1",
        arg=[f"photo-{picks.plus.id}", "photo"],
    )
    names = "(id) => Array.from(document.getElementById(id).files).map(f => f.name)"
    assert page.evaluate(names, f"photo-{picks.plus.id}") == ["积水1.jpg", "积水2.jpg"]
    assert page.evaluate(names, "photo") == ["全景.jpg"]
    expect(page.locator(f"label[for='photo-{picks.plus.id}']")).to_have_text("拍照 (2)")
    expect(page.locator("#running")).to_have_text(before)  # every count and box came back as typed
    assert stored(app, rnd).scores == []

    problems.locator("a").tap()  # to the item, to fix it
    assert_in_view(page, f"#item-{picks.remark.id}")
    assert not page.evaluate(HIDDEN_UNDER_HEADING_JS, f"item-{picks.remark.id}")
    remark = page.locator(f"textarea[name='r-{picks.remark.id}']")
    expect(remark).to_be_visible()
    remark.fill("积水")
    bar_figure = page.locator("#running").inner_text()
    assert bar_figure == bar_text(expected)
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("#stored")).to_be_visible()

    kept = stored(app, rnd)
    assert kept.scores == [Decimal(bar_figure.split()[0])]  # the bar said what the server stored
    assert kept.scores == [expected]
    assert sorted(kept.photos, key=lambda i: i or 0) == [None, picks.plus.id, picks.plus.id]
    for item_id, counts in marks.items():
        assert kept.counts[item_id] == counts


def test_the_full_size_form_downloaded_opens_and_sends_offline(
    app: Flask, live_server: str, narrow_phone: Page, full_round: FullRound
) -> None:
    page, rnd = narrow_phone, full_round
    picks = pick(rnd.items)
    download_round(page, live_server, rnd.round_id, rnd.cards[1])
    part = f"/offline/parts/{rnd.round_id}/{rnd.version_id}.html"
    kept_form = page.evaluate("(url) => caches.match(url).then(r => r.text())", rnd.form)
    assert f"<!--inspect-items:{part}-->" in kept_form  # the form is kept without its checklist…
    assert 'id="item-' not in kept_form
    kept_part = page.evaluate("(url) => caches.match(url).then(r => r.text())", part)
    assert kept_part.count('<fieldset class="item') == 129  # …which is kept once for the standard

    page.context.set_offline(True)
    page.goto(f"{live_server}/p/{rnd.code}")
    page.locator(f"a[href='{rnd.form}']").click()
    expect(page.locator("h1")).to_have_text(rnd.name)
    expect(page.locator("fieldset.item[data-max]")).to_have_count(129)  # spliced back by the service worker
    expect(page.locator("section.sec")).to_have_count(11)
    expect(page.locator("#jump a")).to_have_count(11)
    expect(page.locator("input[name=card]")).to_have_value(rnd.cards[1])
    expect(page.locator("#running")).to_have_text("100.00 分")
    assert page_width(page) <= WIDTH

    marks = {picks.plus.id: [2] + zeros(picks.plus)[1:]}
    stepper_button(page, key(picks.plus, 0)).tap()
    stepper_button(page, key(picks.plus, 0)).tap()
    marks[picks.second.id] = zeros(picks.second)
    marks[picks.second.id][1] = 1
    stepper_button(page, key(picks.second, 1)).tap()
    marks[picks.clamped.id] = [1] + zeros(picks.clamped)[1:]
    stepper_button(page, key(picks.clamped, 0)).tap()
    expected = expected_score(rnd.items, marks)
    expect(page.locator("#running")).to_have_text(bar_text(expected))
    expect(page.locator("#answered")).to_have_text("已填 3 / 129 项")
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("#queued")).to_be_visible()

    page.goto(f"{live_server}/outbox")
    expect(page.locator(".outbox-item")).to_have_count(1)
    expect(page.locator(".outbox-item")).to_contain_text(rnd.name)
    assert stored(app, rnd).scores == []

    page.context.set_offline(False)  # `online`: the outbox sends it
    expect(page.locator("#outbox-empty")).to_be_visible(timeout=20_000)
    expect(page.locator("#outbox-results")).to_contain_text("服务器已收到")
    kept = stored(app, rnd)
    assert kept.scores == [expected]
    for item_id, counts in marks.items():
        assert kept.counts[item_id] == counts
    page.reload()
    page.get_by_role("button", name="立即发送").click()
    page.wait_for_timeout(500)
    assert stored(app, rnd).scores == [expected]


# --- WebKit -------------------------------------------------------------------------------------------------


@pytest.fixture(name="webkit")
def steady_webkit(xvfb: str, webkit_home: Path, tmp_path: Path) -> Iterator[WebDriver]:
    """tests/browser/webkit.py's ``webkit``, but sized until the size holds: WebKitGTK applies a window size
    asynchronously, and that fixture's single read after resizing saw 360 × 712 in about one start of four."""
    driver = start_webkit(xvfb, webkit_home, log=tmp_path / "webkitwebdriver.log")
    inner = "return [window.innerWidth, window.innerHeight]"

    def steady() -> bool:
        resize_viewport(driver, WIDTH, HEIGHT)
        time.sleep(0.2)
        return tuple(driver.execute_script(inner)) == (WIDTH, HEIGHT)

    try:
        wait_until(steady, 15, f"a {WIDTH} × {HEIGHT} viewport")
    except BaseException:
        driver.quit()
        raise
    yield driver
    with suppress(WebDriverException):
        driver.quit()


def wk_tap(driver: WebDriver, css: str) -> None:
    """Bring the element to the middle of the screen (clear of the sticky heading and bar) and click it."""
    element = wait_for(driver, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def wk_value(driver: WebDriver, css: str) -> str:
    return str(driver.execute_script("return document.querySelector(arguments[0]).value", css))


def test_webkit_opens_the_downloaded_full_size_form_offline_and_it_arrives_once(
    app: Flask, origin: Origin, webkit: WebDriver, full_round: FullRound
) -> None:
    browser, base, rnd = webkit, origin.url, full_round
    picks = pick(rnd.items)
    browser.get(f"{base}/")  # the start page registers the service worker
    webkit_service_worker(browser)
    browser.get(f"{base}/offline/")
    webkit_service_worker(browser)
    section = f"#offline section.round[data-round='{rnd.round_id}']"
    wait_for(browser, f"{section} button[data-action=download]").click()
    wait_for(browser, f"{section} .round-state", 30, text="本机已保存")
    local = f"#local-rounds section[data-round='{rnd.round_id}']"
    wait_for(browser, f"{local} input[name=card]").send_keys(rnd.cards[2])
    wait_for(browser, f"{local} form button[type=submit]").click()
    wait_for(browser, f"{local} .card-state", text="本机已存选票卡")

    origin.stop()  # underground (WebKitGTK keeps navigator.onLine true)
    browser.get(f"{base}/p/{rnd.code}")
    wait_for(browser, "h1", text=rnd.name)
    wk_tap(browser, f"a[href='{rnd.form}']")
    wait_for(browser, "#running", 15, text="100.00 分")
    shape = browser.execute_script(
        "return [document.querySelectorAll('fieldset.item[data-max]').length, "
        "document.querySelectorAll('section.sec').length, document.querySelectorAll('#jump a').length, "
        "document.documentElement.scrollWidth]"
    )
    assert shape[:3] == [129, 11, 11]
    assert shape[3] <= WIDTH
    wait_until(lambda: wk_value(browser, "input[name=card]") == rnd.cards[2], what="the saved card")

    plus = f".stepper:has(> input[name='{key(picks.plus, 0)}']) > button:last-of-type"
    wk_tap(browser, plus)
    wk_tap(browser, plus)
    marks = {picks.plus.id: [2] + zeros(picks.plus)[1:]}
    assert wk_value(browser, f"input[name='{key(picks.plus, 0)}']") == "2"
    expected = expected_score(rnd.items, marks)
    wait_for(browser, "#running", text=bar_text(expected))
    wait_for(browser, "#answered", text="已填 1 / 129 项")
    wk_tap(browser, "form.sheet button[type=submit]")
    wait_for(browser, "#queued", 30)  # the service worker's answer to the failed POST

    browser.get(f"{base}/outbox")
    wait_for(browser, ".outbox-item", text=rnd.name)
    assert stored(app, rnd).scores == []

    origin.start()
    wait_for(browser, "#send-now").click()
    wait_for(browser, "#outbox-empty", 20)
    wait_for(browser, "#outbox-results", text="服务器已收到")
    kept = stored(app, rnd)
    assert kept.scores == [expected]
    assert kept.counts[picks.plus.id] == marks[picks.plus.id]
    browser.refresh()
    wait_for(browser, "#send-now").click()
    run_async(browser, "navigator.locks.request('inspect-outbox', () => true)")  # that pass is over
    wait_for(browser, "#outbox-empty")
    assert stored(app, rnd).scores == [expected]


def test_webkit_puts_the_photos_of_a_refused_full_size_sheet_back(
    app: Flask, origin: Origin, webkit: WebDriver, full_round: FullRound, tmp_path: Path
) -> None:
    browser, base, rnd = webkit, origin.url, full_round
    picks = pick(rnd.items)
    browser.get(base + rnd.form)
    wait_for(browser, "#running", 15, text="100.00 分")
    browser.execute_script("document.querySelectorAll('form.sheet details').forEach(d => { d.open = true; })")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= WIDTH
    measure_targets(browser.execute_script(f"return ({MEASURE_JS})([arguments[0], arguments[1]])",
                                           TARGETS, list(WIDE_TARGETS)))  # fmt: skip
    browser.execute_script(
        "document.querySelectorAll('form.sheet details').forEach(d => { d.open = false; })"
    )

    wait_for(browser, "input[name=card]").send_keys(rnd.cards[3])
    wk_tap(browser, f".stepper:has(> input[name='{key(picks.plus, 0)}']) > button:last-of-type")
    marks = {picks.plus.id: [1] + zeros(picks.plus)[1:]}
    whole_field = key(picks.whole, picks.whole_rule)
    wk_tap(browser, f"label.toggle:has(> input[name='{whole_field}'])")
    assert browser.execute_script(
        f"return document.querySelector(\"input[type=checkbox][name='{whole_field}']\").checked"
    )
    marks[picks.whole.id] = zeros(picks.whole)
    marks[picks.whole.id][picks.whole_rule] = 1
    expected = expected_score(rnd.items, marks)
    wait_for(browser, "#running", text=bar_text(expected))
    wk_tap(browser, f"#item-{picks.remark.id} details:has(textarea) > summary")
    remark = wait_for(browser, f"textarea[name='r-{picks.remark.id}']")
    remark.send_keys("积水\u202e")
    assert browser.execute_script("return arguments[0].value", remark) == "积水\u202e"
    item_photos = [jpeg(tmp_path, "积水1.jpg", 40), jpeg(tmp_path, "积水2.jpg", 90)]
    browser.find_element("css selector", f"#photo-{picks.plus.id}").send_keys(
        "\n".join(str(p) for p in item_photos)
    )
    browser.find_element("css selector", "#photo").send_keys(str(jpeg(tmp_path, "全景.jpg", 150)))
    wait_for(browser, f"#photo-{picks.plus.id} + .photo-note", text="2 ×")
    wait_for(browser, "#photo + .photo-note", text="1 ×")
    wk_tap(browser, "form.sheet button[type=submit]")

    wait_for(browser, "#problems", 15, text="控制字符")
    assert browser.execute_script(
        "return document.getElementById('problems').getBoundingClientRect().top"
        " < document.querySelector('form.sheet').getBoundingClientRect().top"
    )
    assert browser.execute_script("return document.activeElement.id") == "problems"
    link = wait_for(browser, f"#problems a[href='#item-{picks.remark.id}']")
    assert link.rect["height"] >= 48
    assert link.rect["width"] >= 48
    wait_until(
        lambda: (
            browser.execute_script(f"return {FILE_NAMES_JS}", f"photo-{picks.plus.id}")
            == ["积水1.jpg", "积水2.jpg"]
        ),
        what="the item's two photos back in their input",
    )
    assert browser.execute_script(f"return {FILE_NAMES_JS}", "photo") == ["全景.jpg"]
    wait_for(browser, "#photos-kept")
    assert not browser.find_element("css selector", "#photos-again").is_displayed()
    wait_for(browser, "#running", text=bar_text(expected))
    assert stored(app, rnd).scores == []

    remark = wait_for(browser, f"textarea[name='r-{picks.remark.id}']")
    remark.clear()
    remark.send_keys("积水")
    figure = wait_for(browser, "#running").text
    wk_tap(browser, "form.sheet button[type=submit]")
    wait_for(browser, "#stored", 15)
    kept = stored(app, rnd)
    assert kept.scores == [Decimal(figure.split()[0])]
    assert kept.scores == [expected]
    assert sorted(kept.photos, key=lambda i: i or 0) == [None, picks.plus.id, picks.plus.id]
    for item_id, counts in marks.items():
        assert kept.counts[item_id] == counts
