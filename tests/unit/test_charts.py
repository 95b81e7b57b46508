"""The SVG charts: values written on them, text escaped, the Pareto's shares adding up, nothing drawn for
nothing."""

from __future__ import annotations

import re
from decimal import Decimal as D

from inspect_app.charts import bar_chart, pareto_chart, trend_chart

BANDS = [("grade1", D(90), "一级"), ("grade2", D(80), "二级"), ("grade3", D(70), "三级")]


def test_the_pareto_is_largest_first_and_its_shares_reach_all_points_lost() -> None:
    rows = [("1.1 支护", D("3")), ("2.1 <b>防爆</b>", D("6")), ("3.1 通风", D("1")), ("4.1 无扣分", D("0"))]
    svg = str(pareto_chart(rows, "扣分最多的条款", "累计 {p}%"))
    values = re.findall(r'class="value"[^>]*>([\d.]+)<', svg)
    assert values == ["6.00", "3.00", "1.00"]  # a line that lost nothing is left out
    assert re.findall(r"累计 (\d+)%", svg) == ["60", "90", "100"]
    assert "<b>" not in svg
    assert "&lt;b&gt;" in svg  # a label is text, never markup
    assert str(pareto_chart([("x", D(0))], "t", "{p}")) == ""


def test_a_trend_writes_every_value_on_its_grade_bands() -> None:
    points = [("11-07", D("92.5")), ("11-14", D("78.25")), ("11-21", D("64"))]
    svg = str(trend_chart(points, BANDS, "趋势"))
    assert re.findall(r'class="value"[^>]*>([\d.]+)<', svg) == ["92.50", "78.25", "64.00"]
    assert svg.count('class="band ') == 4  # the three grades and 不合格 below them
    assert all(name in svg for _, _, name in BANDS)
    assert 'role="img" aria-label="趋势"' in svg
    assert str(trend_chart([], BANDS, "t")) == ""


def test_bars_start_from_a_stated_baseline() -> None:
    svg = str(bar_chart([("综采一区", D("94.33")), ("掘进二区", D("85.50"))], "单位对比"))
    assert re.findall(r'class="value"[^>]*>([\d.]+)<', svg) == ["94.33", "85.50"]
    assert re.search(r'class="axis"[^>]*>70<', svg)  # bars begin at 70, and the chart says so
    widths = [float(w) for w in re.findall(r'class="bar"[^>]*width="([\d.]+)"', svg)]
    assert widths[0] > widths[1] > 0


def test_a_long_trend_rounds_half_up_to_one_decimal() -> None:
    points = [(f"{i:02d}", D("78.25")) for i in range(9)]
    assert set(re.findall(r'class="value"[^>]*>([\d.]+)<', str(trend_chart(points, BANDS, "t")))) == {"78.3"}
