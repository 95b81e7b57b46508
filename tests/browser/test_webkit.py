"""The underground flow in a real WebKit (WebKitGTK, iPhone Safari's engine family): download the anonymous
round at the surface, score a post with the server gone, and the sheet arrives exactly once when it is back.

Mirrors test_offline.py's Chromium test. "No signal" is the origin stopped: WebKitGTK has no network switch
and keeps navigator.onLine true, so the form's own POST fails in the service worker (which shows the queued
page) and the sheet waits in IndexedDB for the outbox's next pass or for 立即发送.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from selenium.webdriver.remote.webdriver import WebDriver

from inspect_app import demo
from inspect_app.domain.ballots import format_card
from tests.browser.test_offline import photo_file, round_posts, stored_sheets
from tests.browser.webkit import (  # the *_fixture imports register the fixtures for this module
    Origin,
    origin_fixture,  # noqa: F401
    run_async,
    wait_for,
    wait_for_service_worker,
    wait_until,
    webkit_fixture,  # noqa: F401
    webkit_home_fixture,  # noqa: F401
    xvfb_fixture,  # noqa: F401
)
from tests.web.helpers import anonymous_round

pytestmark = pytest.mark.browser


def test_webkit_scores_with_the_server_down_and_the_sheet_arrives_once(
    app: Flask, origin: Origin, webkit: WebDriver, tmp_path: Path
) -> None:
    browser, base = webkit, origin.url
    rnd = anonymous_round(app)
    card = format_card(demo.demo_card_codes()[demo.PRESCORING_CARDS + 1])
    code, name = round_posts(app, rnd.id)[-1]
    before = stored_sheets(app, rnd.id)

    browser.get(f"{base}/")  # the start page registers the service worker
    wait_for_service_worker(browser)
    browser.get(f"{base}/offline/")
    wait_for_service_worker(browser)
    assert browser.execute_script("return document.documentElement.lang") == "zh-CN"
    section = f"#offline section.round[data-round='{rnd.id}']"
    wait_for(browser, f"{section} button[data-action=download]").click()
    wait_for(browser, f"{section} .round-state", 20, text="本机已保存")
    local = f"#local-rounds section[data-round='{rnd.id}']"
    wait_for(browser, f"{local} input[name=card]").send_keys(card)
    wait_for(browser, f"{local} form button[type=submit]").click()
    wait_for(browser, f"{local} .card-state", text="本机已存选票卡")

    origin.stop()  # underground
    browser.get(f"{base}/p/{code}")  # from the round's cache
    wait_for(browser, "h1", text=name)
    wait_for(browser, f"a[href='/b/{rnd.id}/{code}']").click()
    card_input = wait_for(browser, "form.sheet input[name=card]")
    wait_until(lambda: card_input.get_attribute("value"), what="the saved card in the form")
    wait_for(browser, ".stepper button[aria-label]:last-child").click()  # "+": one defect
    assert wait_for(browser, ".stepper input[type=number]").get_attribute("value") == "1"
    browser.find_element("css selector", "#photo").send_keys(str(photo_file(tmp_path)))  # a hidden input
    wait_for(browser, "#photo + .photo-note", text="KB")
    submit = wait_for(browser, "form.sheet button[type=submit]")
    assert submit.text == "提交评分"
    submit.click()
    wait_for(browser, "#queued", 30)  # the service worker's answer to the failed POST

    browser.get(f"{base}/outbox")
    wait_for(browser, ".outbox-item", text=name)
    wait_for(browser, ".outbox-item", text="1 张照片")
    kept = run_async(
        browser,
        "window.InspectOutbox.allItems().then(items => items.map(i => ({state: i.state, "
        "bytes: i.files.map(f => f.data instanceof ArrayBuffer ? f.data.byteLength : -1)})))",
    )
    assert len(kept) == 1
    assert kept[0]["state"] == "waiting"
    assert kept[0]["bytes"][0] > 1000  # the shrunk photo, as an ArrayBuffer in IndexedDB
    assert stored_sheets(app, rnd.id) == before

    origin.start()  # back at the surface, same origin: no `online` event in WebKitGTK, so send by hand
    wait_for(browser, "#send-now").click()
    wait_for(browser, "#outbox-empty", 20)
    wait_for(browser, "#outbox-results", text="服务器已收到")
    assert stored_sheets(app, rnd.id) == (before[0] + 1, before[1] + 1)
    browser.refresh()
    wait_for(browser, "#send-now").click()
    run_async(browser, "navigator.locks.request('inspect-outbox', () => true)")  # that pass is over
    wait_for(browser, "#outbox-empty")
    assert stored_sheets(app, rnd.id) == (before[0] + 1, before[1] + 1)
