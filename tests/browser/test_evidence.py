"""Evidence on a phone: a supervisor opens a signed sheet and a sealed anonymous post's pooled evidence and
sees their photos (thumbnails loaded, each opening the full photo)."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from inspect_app import demo
from tests.conftest import login
from tests.web.test_ballot import ballot, step_seal
from tests.web.test_evidence import rated_post, signed_with_evidence
from tests.web.test_photos import gps_jpeg, send_anonymous, with_files

from .test_post_lifecycle import phone_as

pytestmark = pytest.mark.browser


def photos_loaded(page: Page, at_least: int) -> None:
    """Every thumbnail arrived and decoded (each scrolled into view: they load lazily)."""
    thumbs = page.locator(".thumbs img")
    expect(thumbs.nth(at_least - 1)).to_be_visible()
    for i in range(thumbs.count()):
        thumbs.nth(i).scroll_into_view_if_needed()
    widths: list[int] = []
    for _ in range(50):  # up to 10 s; the page's CSP allows no wait_for_function
        widths = thumbs.evaluate_all("(imgs) => imgs.map((i) => i.complete ? i.naturalWidth : -1)")
        if all(w > 0 for w in widths):
            break
        page.wait_for_timeout(200)
    assert len(widths) >= at_least
    assert all(w > 0 for w in widths), widths


def test_a_signed_sheet_and_a_sealed_post_show_their_photos(
    app: Flask, live_server: str, browser: Browser
) -> None:
    sheet_id, item, _code = signed_with_evidence(app, app.test_client())
    page = phone_as(browser, live_server, "committee")
    page.goto(f"{live_server}/evidence/sheets/{sheet_id}")
    expect(page.locator(f"#item-{item['id']}")).to_contain_text("护帮板未打到位")
    photos_loaded(page, 2)
    with page.context.expect_page() as opened:
        page.locator(f"#item-{item['id']} .thumbs a").first.click()
    full = opened.value
    full.wait_for_load_state()
    assert full.evaluate("document.images[0].naturalWidth") == 800  # the full photo, not the thumbnail

    round_id, code, _sheets = rated_post(app)
    card = demo.demo_card_codes()[demo.PRESCORING_CARDS]
    form = ballot(app, code, card, defects=1)
    first = next(k for k in form if k.startswith("d-")).removeprefix("d-")
    sent = send_anonymous(app.test_client(), app, code, with_files(form, **{f"photo_{first}": gps_jpeg()}))
    assert sent.status_code == 200
    organiser = app.test_client()
    login(organiser, "committee")
    assert step_seal(organiser, round_id).status_code == 303
    page.goto(f"{live_server}/rankings/{round_id}")
    page.locator(f"tr[data-post='{code}'] a.evidence-link").click()
    expect(page.locator(f"#item-{first}")).to_contain_text("份扣分")
    photos_loaded(page, 1)
