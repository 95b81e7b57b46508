"""Charts on a phone, drawn by the server as SVG (no script needed): a post's trend with each value and the
grade bands, the units compared and the deduction Pareto; nothing wider than a 360 px screen."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from .test_post_lifecycle import phone_as

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"


def no_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_trend_units_and_pareto_read_on_a_phone(app: Flask, live_server: str, browser: Browser) -> None:
    page = phone_as(browser, live_server, "committee")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/p/S6C4M")  # a post with published results
    trend = page.locator("#grades svg.chart.trend")
    expect(trend).to_be_visible()
    table_scores = page.locator("#grades tbody tr td.num:nth-child(2)").all_inner_texts()
    drawn = trend.locator("text.value").all_text_contents()
    assert sorted(drawn) == sorted(table_scores)  # every result is written on it, as the table has it
    assert trend.locator("rect.band").count() == 4  # 一级, 二级, 三级, 不合格
    no_overflow(page)

    page.goto(f"{live_server}/rankings/period?period={date.today().year}")
    charts = page.locator("#charts")
    expect(charts.locator("svg.chart.bars")).to_be_visible()
    pareto = charts.locator("svg.chart.pareto")
    expect(pareto).to_be_visible()
    values = [float(v) for v in pareto.locator("text.value").all_text_contents()]
    assert values == sorted(values, reverse=True)  # largest first
    shares = [int(s.split()[-1].rstrip("%")) for s in pareto.locator("text.share").all_text_contents()]
    assert shares == sorted(shares)
    assert 0 < shares[-1] <= 100
    no_overflow(page)
    if os.environ.get("UPDATE_DOCS") == "1":  # the README's picture of a chart page
        charts.screenshot(path=str(DOCS / "charts.png"))
