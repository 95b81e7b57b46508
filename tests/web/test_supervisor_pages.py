"""What supervisors read on the ranking, the notice and the 下发整改 page: every column named, the grade and
the time of the results; a notice's deductions on the same footing as its scores; the criticised posts marked
where their rectifications are raised; and a page that says why there is nothing to raise."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app import demo
from inspect_app.extensions import db
from inspect_app.models import Post
from tests.conftest import csrf_token, login

from .helpers import anonymous_round
from .test_ballot import ballot, step_seal, submit, unscored_post
from .test_notices import draft, weekly


def test_the_ranking_names_every_column_and_gives_grade_and_time(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    page = client.get(f"/rankings/{weekly(app, 'published')}").get_data(as_text=True)
    table = page[page.index('<table class="ranking">') : page.index("</table>")]
    headers = re.findall(r"<th scope=\"col\"[^>]*>([^<]+)</th>", table)
    assert headers == ["名次", "示范岗", "评分表数", "得分", "等级"]
    for row in re.findall(r"<tr data-post=.*?</tr>", table, flags=re.S):
        assert row.count("<td") == len(headers)  # no column without a header
    assert re.search(r"一级|二级|三级|不合格", table)
    assert re.search(r"结果截至 \d{4}-\d\d-\d\d \d\d:\d\d", page)


def test_the_notice_gives_deductions_per_sheet_and_marks_the_criticised(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "committee")
    round_id = weekly(app, "published")
    url = draft(client, round_id).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    criticism = page.split('id="criticism"')[1].split("</textarea>")[0]
    first = re.search(r"1\. (.+?)（.+?主要扣分：(\S+) \S+ 平均每份扣 (\d+\.\d\d) 分", criticism)
    assert first is not None
    name, clause, per_sheet = first.group(1), first.group(2), Decimal(first.group(3))
    with app.app_context():
        code = db.session.scalars(select(Post.code).where(Post.name == name)).one()
    pooled = client.get(f"/evidence/rounds/{round_id}/{code}").get_data(as_text=True)
    sheets = int(re.search(r"共 (\d+) 份评分表", pooled).group(1))  # type: ignore[union-attr]
    item = pooled[pooled.index(f'<span class="muted">{clause}</span>') :]
    total = Decimal(re.search(r"扣 ([\d.]+) 分", item).group(1))  # type: ignore[union-attr]
    assert per_sheet == (total / sheets).quantize(Decimal("0.01"))  # the mean per sheet, not the sum
    assert "; " not in criticism
    link = f"/rankings/{round_id}?criticised=1"
    assert link in page
    marked = client.get(link).get_data(as_text=True)
    criticised = re.findall(r'<tr data-post="([A-Z0-9]+)" class="criticised">', marked)
    assert 1 <= len(criticised) <= 3
    with app.app_context():
        names = db.session.scalars(select(Post.name).where(Post.code.in_(criticised))).all()
    assert all(name in criticism for name in names)


def test_raising_for_an_unrated_post_says_why_there_is_nothing(app: Flask, client: FlaskClient) -> None:
    lone = unscored_post(app)
    card = demo.demo_card_codes()[demo.PRESCORING_CARDS]
    assert submit(client, app, lone, ballot(app, lone, card, defects=2)).status_code == 200
    committee = app.test_client()
    login(committee, "committee")
    round_id = anonymous_round(app).id
    assert step_seal(committee, round_id).status_code == 303
    page = committee.get(f"/rectifications/new?round={round_id}&post={lone}").get_data(as_text=True)
    assert "不予评定" in page
    assert "无需整改" not in page  # it lost points; it is not rated
    assert csrf_token(committee, f"/rounds/{round_id}")


def test_a_published_note_is_shown_as_public_not_as_a_notice(app: Flask, client: FlaskClient) -> None:
    from .test_feedback import send

    assert send(client, "K7M3Q", "运料巷：照明不足").status_code == 303
    secretary = app.test_client()
    login(secretary, "branch_secretary")
    queue = secretary.get("/posts/feedback?status=pending").get_data(as_text=True)
    note_id = re.findall(r'action="/posts/feedback/(\d+)"', queue)[0]
    token = csrf_token(secretary, "/posts/feedback")
    secretary.post(f"/posts/feedback/{note_id}", data={"csrf_token": token, "decision": "approve"})
    page = secretary.get("/posts/feedback").get_data(as_text=True)
    assert "已公开" in page
    assert "已通报" not in page  # 通报 is a notice of results, not a miner's note


def test_the_period_trend_writes_its_values(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    assert step_seal(client, anonymous_round(app).id).status_code == 303  # a second round for five posts
    page = client.get(f"/rankings/period?period={anonymous_round(app).period_end.year}").get_data(
        as_text=True
    )
    values = re.findall(r'<span class="trend-values">([^<]*)</span>', page)
    assert any("→" in v for v in values)
    assert all(re.fullmatch(r"\d+\.\d\d( → \d+\.\d\d)*", v) for v in values if v)


def test_steps_that_cannot_be_undone_ask_once_saying_what_happens(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    page = client.get("/posts/Q8H4D").get_data(as_text=True)  # under review: approve or reject
    for action, says in (("approve", "挂牌后"), ("reject", "退回党支部")):
        ask = page[page.index(f'id="confirm-{action}"') :]
        ask = ask[: ask.index("</details>")]
        assert says in ask
        assert f'value="{action}">确认' in ask  # the button that does it is inside the question
    assert 'id="confirm-findings"' not in page  # findings can be added to: no question
    url = "/notices/draft/" + str(weekly(app, "published"))
    notice = client.get(
        client.post(url, data={"csrf_token": csrf_token(client, "/notices/")}).headers["Location"]
    )
    text = notice.get_data(as_text=True)
    assert 'id="confirm-publish"' in text
    assert "不能再修改" in text
