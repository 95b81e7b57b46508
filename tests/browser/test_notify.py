"""A rectification issued on a phone reaches the unit's 企业微信 group (a loopback robot), @-ing the
responsible person, and the message's link opens the rectification on the phone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from inspect_app.domain.enums import RoundKind
from inspect_app.extensions import db
from inspect_app.models import Member, NotifyChannel, Unit
from inspect_app.notify.sender import deliver
from tests.browser.test_rectification import log_in, round_of, sign
from tests.fakechat import fake_robots

pytestmark = pytest.mark.browser
MOBILE = "13912345678"


def test_a_rectification_issued_on_a_phone_arrives_in_the_group_with_a_working_link(
    app: Flask, live_server: str, phone: Page
) -> None:
    with fake_robots() as robots:
        with app.app_context():
            unit_id = db.session.scalars(select(Unit.id).where(Unit.code == "zc1")).one()
            address = robots.url("wecom", "zc1")
            group = NotifyChannel(name="综采一区党支部群", kind="wecom", address=address, unit_id=unit_id)
            group.events = "rect_issued"
            db.session.add(group)
            db.session.execute(update(Member).where(Member.name == "张海涛").values(phone=MOBILE))
            db.session.commit()
        log_in(phone, live_server, "shuji")
        sign(phone, live_server, round_of(app, RoundKind.MONTHLY))
        phone.get_by_role("link", name="下发整改").click()
        line = phone.locator("fieldset.item").first
        line.locator("input[name=line]").check()
        line.get_by_label("存在问题").fill("3架支架初撑力不足24MPa")
        line.get_by_label("整改措施").fill("补液升柱，班前逐架检查初撑力")
        line.get_by_label("整改期限").fill((date.today() + timedelta(days=5)).isoformat())
        line.get_by_label("责任人").fill("张海涛")
        phone.get_by_role("button", name="下发所选整改").click()
        expect(phone.locator("#rectifications li").first).to_contain_text("已下发")
        with app.app_context():
            assert deliver().counts == {"sent": 1}
        (arrival,) = robots.ok()
    assert arrival.mentions == [MOBILE]
    assert "3架支架初撑力不足24MPa" in arrival.text
    link = arrival.text.rsplit("打开查看: ", 1)[1].strip()
    assert link.startswith(live_server + "/rectifications/")
    phone.goto(link)
    expect(phone.locator("#rect-status")).to_have_text("已下发")
    expect(phone.locator("main")).to_contain_text("补液升柱，班前逐架检查初撑力")
