"""The live ranking of the open round: mean sheet score, shared places, and a self-refreshing table."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from inspect_app.extensions import db
from inspect_app.models import Post, Round, Sheet
from tests.conftest import login

from .helpers import anonymous_round, demo_round


def ranked_rows(page: str) -> list[tuple[str, str, str, str]]:
    """(rank, post code, sheets, score) for every table row."""
    pattern = (
        r'<tr data-post="(\w+)">\s*<td>([^<]*)</td>'
        r'.*?<td class="num">(\d+)</td>\s*<td class="num">([^<]*)</td>'
    )
    rows = re.findall(pattern, page, re.S)
    return [(rank.strip(), code, sheets, score) for code, rank, sheets, score in rows]


def test_current_ranking_redirects_to_the_open_round(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    response = client.get("/rankings/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/rankings/{demo_round(app).id}")


def test_posts_are_ordered_by_mean_score_with_shared_places(app: Flask, client: FlaskClient) -> None:
    rnd = demo_round(app)
    with app.app_context():
        sheets = db.session.scalars(
            select(Sheet).where(Sheet.round_id == rnd.id).order_by(Sheet.post_id, Sheet.id)
        ).all()
        by_post: dict[int, list[Sheet]] = {}
        for sheet in sheets:
            by_post.setdefault(sheet.post_id, []).append(sheet)
        first, second, third = list(by_post)[:3]
        # two posts tie on 95 (one via 94 + 96), a third is clearly ahead
        for post_id, scores in ((first, ("94", "96")), (second, ("95", "95")), (third, ("99", "100"))):
            for sheet, score in zip(by_post[post_id], scores, strict=True):
                db.session.execute(update(Sheet).where(Sheet.id == sheet.id).values(score=Decimal(score)))
        db.session.commit()
        codes = {
            pid: db.session.scalar(select(Post.code).where(Post.id == pid)) for pid in (first, second, third)
        }
    login(client, "hr")
    rows = ranked_rows(client.get(f"/rankings/{rnd.id}").get_data(as_text=True))
    assert rows[0] == ("1", codes[third], "2", "99.50")
    ranks = {code: (rank, score) for rank, code, _, score in rows}
    assert ranks[codes[first]][1] == ranks[codes[second]][1] == "95.00"
    assert ranks[codes[first]][0] == ranks[codes[second]][0]
    unscored = [row for row in rows if row[2] == "0"]
    assert unscored
    assert all(rank == "—" and score == "—" for rank, _, _, score in unscored)
    assert rows[-len(unscored) :] == unscored


def test_htmx_poll_gets_only_the_table_and_a_vary_header(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    url = f"/rankings/{demo_round(app).id}"
    full = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    restore = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="ranking"')
    assert ranked_rows(body) == ranked_rows(full.get_data(as_text=True))
    assert "<html" in restore.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_no_open_round_says_so(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db.session.execute(update(Round).values(status="sealed"))
        db.session.commit()
    login(client, "committee")
    response = client.get("/rankings/")
    assert response.status_code == 200
    assert "没有进行中的检查" in response.get_data(as_text=True)
    assert client.get("/rankings/999999").status_code == 404


def test_published_anonymous_round_trims_and_leaves_thin_posts_unrated(
    app: Flask, client: FlaskClient
) -> None:
    """Last week's demo round: four sheets per post (three for none, two for one): the shown score is the mean
    of the middle two, computed here by hand; the post with two sheets is unrated."""
    from inspect_app.demo import THIN_POST
    from inspect_app.models import AnonSheet

    with app.app_context():
        rnd = db.session.scalars(select(Round).where(Round.status == "published")).one()
        rows = db.session.execute(
            select(Post.code, AnonSheet.score).join(Post).where(AnonSheet.round_id == rnd.id)
        ).all()
        round_id = rnd.id
    by_post: dict[str, list[Decimal]] = {}
    for code, score in rows:
        by_post.setdefault(code, []).append(score)
    login(client, "inspector")  # published: inspectors may see it
    shown = {
        code: (rank, score)
        for rank, code, _, score in ranked_rows(client.get(f"/rankings/{round_id}").get_data(as_text=True))
    }
    assert shown[THIN_POST] == ("—", "—")
    for code, scores in by_post.items():
        if len(scores) < 3:
            continue
        middle = sorted(scores)[1:-1]
        expected = (sum(middle) / len(middle)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert shown[code][1] == f"{expected:.2f}", code


def test_scoring_rules_page_is_public(client: FlaskClient) -> None:
    page = client.get("/rankings/rules")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "去掉一个最高分和一个最低分" in text
    assert "90.50" in text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_aggregation_and_the_domain_rules_agree_on_random_rounds(app: Flask, seed: int) -> None:
    import os
    import random

    from sqlalchemy import delete

    from inspect_app.domain.ranking import Rules
    from inspect_app.models import AnonSheet, RoundPost
    from inspect_app.queries import sheet_scores, standings
    from inspect_app.rankings.aggregate import sql_standings

    rng = random.Random(seed)  # noqa: S311 — test data
    with app.app_context():
        rnd = db.session.scalars(select(Round).where(Round.kind == "weekly", Round.status == "open")).one()
        db.session.execute(delete(AnonSheet).where(AnonSheet.round_id == rnd.id))
        entries = db.session.scalars(select(RoundPost).where(RoundPost.round_id == rnd.id)).all()
        for entry in entries:
            pool = [Decimal(rng.randint(0, 10000)) / 100 for _ in range(4)]  # few values: many ties
            for _ in range(rng.randint(0, 15)):
                score = rng.choice(pool) if rng.random() < 0.5 else Decimal(rng.randint(0, 10000)) / 100
                db.session.add(AnonSheet(nullifier=os.urandom(32), round_id=rnd.id, post_id=entry.post_id,
                                         standard_version_id=entry.standard_version_id, deducted=100 - score,
                                         score=score, vetoed=False))  # fmt: skip
        db.session.commit()
        scores = sheet_scores([rnd.id])[rnd.id]
        for rules in (Rules(), Rules(1, trim=False), Rules(2, trim=True), Rules(5, trim=False)):
            assert sql_standings(rnd.id, rules) == standings(scores, rules), rules


def test_round_results_export_to_excel_with_chinese_headers(app: Flask, client: FlaskClient) -> None:
    import io

    from openpyxl import load_workbook

    with app.app_context():
        published = db.session.scalars(select(Round.id).where(Round.status == "published")).one()
        open_anonymous = db.session.scalars(
            select(Round.id).where(Round.status == "open", Round.anonymous)
        ).one()
    login(client, "committee")
    page_rows = ranked_rows(client.get(f"/rankings/{published}").get_data(as_text=True))
    response = client.get(f"/rankings/{published}/results.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("名次", "示范岗", "区队", "评分表数", "得分", "等级")
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 20
    assert len(rows) - 1 == len(page_rows)
    for (rank, _code, sheets, score), row in zip(page_rows, rows[1:], strict=True):
        assert (str(row[0] or "—"), str(row[3])) == (rank, sheets)
        assert (f"{row[4]:.2f}" if row[4] is not None else "—") == score
    csv_text = client.get(f"/rankings/{published}/results.csv").data.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "名次,示范岗,区队,评分表数,得分,等级"
    assert client.get(f"/rankings/{open_anonymous}/results.xlsx").status_code == 409
    assert client.get(f"/rankings/{published}/results.pdf").status_code == 404


def test_unchanged_ranking_poll_is_answered_304_until_a_sheet_arrives(
    app: Flask, client: FlaskClient
) -> None:
    import uuid

    from tests.conftest import csrf_token

    from .helpers import items_of, post_code, sheet_form

    login(client, "hr")
    url = f"/rankings/{demo_round(app).id}"
    poll = {"HX-Request": "true"}
    first = client.get(url, headers=poll)
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert "HX-Request" in first.headers["Vary"]
    again = client.get(url, headers={**poll, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    full_page = client.get(url, headers={"If-None-Match": etag})
    assert full_page.status_code == 200  # the whole page is another representation
    code = post_code(app)
    form_url = f"/field/{demo_round(app).id}/{code}"
    form = sheet_form(items_of(app, code), csrf_token(client, form_url), str(uuid.uuid4()))
    assert client.post(form_url, data=form).status_code == 303
    changed = client.get(url, headers={**poll, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.headers["HX-Trigger"] == "ranking-changed"  # the page fetches its charts again
    assert "HX-Trigger" not in full_page.headers
    charts = client.get(url, headers={**poll, "HX-Target": "charts-box"})
    body = charts.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="charts-box"')
    assert 'id="ranking"' not in body
    assert "HX-Trigger" not in charts.headers


def test_anonymous_round_etag_never_carries_a_running_total(app: Flask) -> None:
    from inspect_app.rankings.services import ranking_fingerprint

    with app.app_context():
        rnd = db.session.scalars(select(Round).where(Round.status == "open", Round.anonymous)).one()
        hidden = ranking_fingerprint(rnd, visible=False)
        shown = ranking_fingerprint(rnd, visible=True)
    assert hidden[-1] is None
    assert shown[-1] is not None  # the same round once sealed: the total is part of it
    assert hidden[:-1] == shown[:-1]


def test_period_ranking_weights_kinds_over_the_rounds_that_rated_each_post(
    app: Flask, client: FlaskClient
) -> None:
    """Last week's published check (周检查, weight 0.4) and HR's ten-day supervision (旬督导, 0.2) sealed in
    the same year: a post rated by both scores (0.4 W + 0.2 T) / 0.6, a post rated by one keeps its score."""
    with app.app_context():
        weekly = db.session.scalars(select(Round).where(Round.status == "published")).one()
        ten_day = db.session.scalars(select(Round).where(Round.kind == "ten_day")).one()
        db.session.execute(
            update(Round)
            .where(Round.id == ten_day.id)
            .values(status="sealed", period_start=weekly.period_start, period_end=weekly.period_end)
        )
        db.session.commit()
        ids, year = (weekly.id, ten_day.id), weekly.period_end.year
    login(client, "committee")
    w = {
        code: score
        for _, code, _, score in ranked_rows(client.get(f"/rankings/{ids[0]}").get_data(as_text=True))
    }
    t = {
        code: score
        for _, code, _, score in ranked_rows(client.get(f"/rankings/{ids[1]}").get_data(as_text=True))
    }
    page = client.get(f"/rankings/period?period={year}").get_data(as_text=True)
    shown = dict(
        re.findall(
            r'<tr data-post="(\w+)">.*?<td class="num">\d+</td>\s*<td class="num">([^<]*)</td>', page, re.S
        )
    )
    both = [c for c in shown if w.get(c, "—") != "—" and t.get(c, "—") != "—"]
    assert both
    for code in both:
        expected = (Decimal("0.4") * Decimal(w[code]) + Decimal("0.2") * Decimal(t[code])) / Decimal("0.6")
        assert shown[code] == f"{expected.quantize(Decimal('0.01'), rounding='ROUND_HALF_UP'):.2f}", code
    for code in shown:
        if code not in both and w.get(code, "—") != "—":
            assert shown[code] == w[code]
    assert "<svg" in page  # trends where a post was rated twice
    assert client.get("/rankings/period?period=someday").status_code == 400


def test_quarterly_review_flags_weak_posts_on_the_ranking_and_the_post_page(
    app: Flask, client: FlaskClient
) -> None:
    from inspect_app.models import AnonSheet

    with app.app_context():
        rnd = db.session.scalars(select(Round).where(Round.status == "published")).one()
        weak = db.session.scalars(
            select(Post).where(
                Post.status == "listed",
                Post.id.in_(select(AnonSheet.post_id).where(AnonSheet.round_id == rnd.id)),
            )
        ).first()
        assert weak is not None
        db.session.execute(
            update(AnonSheet)
            .where(AnonSheet.round_id == rnd.id, AnonSheet.post_id == weak.id)
            .values(score=Decimal("61.5"))
        )
        db.session.commit()
        code, end = weak.code, rnd.period_end
    quarter = f"{end.year}-Q{(end.month - 1) // 3 + 1}"
    login(client, "committee")
    page = client.get(f"/rankings/period?period={quarter}").get_data(as_text=True)
    row = page.split(f'<tr data-post="{code}">')[1].split("</tr>")[0]
    assert "预警" in row
    assert "61.50" in row
    strong = re.findall(r'<tr data-post="(\w+)">(.*?)</tr>', page, re.S)
    assert any("预警" not in cells for _, cells in strong)  # only the weak are flagged
    detail = client.get(f"/posts/{code}").get_data(as_text=True)
    if end >= date.today().replace(day=1, month=(date.today().month - 1) // 3 * 3 + 1):
        assert 'id="warning"' in detail  # this quarter's review flags it on the post page too
        assert "取消示范荣誉" in detail


def test_period_ranking_exports_to_excel(app: Flask, client: FlaskClient) -> None:
    import io

    from openpyxl import load_workbook

    with app.app_context():
        end = db.session.scalars(select(Round.period_end).where(Round.status == "published")).one()
    login(client, "hr")
    page = client.get(f"/rankings/period?period={end.year}").get_data(as_text=True)
    shown = re.findall(r'<tr data-post="(\w+)">\s*<td>([^<]*)</td>', page)
    book = load_workbook(io.BytesIO(client.get(f"/rankings/period.xlsx?period={end.year}").data))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("名次", "示范岗", "区队", "检查次数", "得分", "等级", "预警")
    assert sheet.freeze_panes == "A2"
    assert [str(r[0] or "—") for r in rows[1:]] == [rank.strip() for _, rank in shown]
    assert client.get(f"/rankings/period.csv?period={end.year}").data.decode("utf-8-sig").startswith("名次,")
    assert client.get("/rankings/period.xlsx?period=never").status_code == 400


def test_deduction_statistics_export_aggregates_and_leaves_out_thin_posts(
    app: Flask, client: FlaskClient
) -> None:
    import io
    from collections import Counter

    from openpyxl import load_workbook

    from inspect_app.demo import THIN_POST
    from inspect_app.models import AnonSheet, AnonSheetItem, StandardItem

    with app.app_context():
        rnd = db.session.scalars(select(Round).where(Round.status == "published")).one()
        lines = db.session.execute(
            select(Post.name, StandardItem.clause, AnonSheetItem.deduction)
            .join(AnonSheet, AnonSheet.nullifier == AnonSheetItem.nullifier)
            .join(Post, Post.id == AnonSheet.post_id)
            .join(StandardItem, StandardItem.id == AnonSheetItem.item_id)
            .where(AnonSheet.round_id == rnd.id, Post.code != THIN_POST)
        ).all()
        thin = db.session.scalar(select(Post.name).where(Post.code == THIN_POST))
        round_id = rnd.id
    totals: Counter[tuple[str, str]] = Counter()
    hits: Counter[tuple[str, str]] = Counter()
    for name, clause, deduction in lines:
        totals[(name, clause)] += deduction
        hits[(name, clause)] += deduction > 0
    login(client, "committee")
    sheet = load_workbook(io.BytesIO(client.get(f"/rankings/{round_id}/deductions.xlsx").data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("示范岗", "区队", "条款", "类别", "扣分评分表数", "扣分合计")
    got = {(r[0], r[2]): (r[4], Decimal(str(r[5]))) for r in rows[1:]}
    assert got == {k: (hits[k], v) for k, v in totals.items() if v > 0}
    assert all(r[0] != thin for r in rows[1:])  # two sheets: too few to show even as an aggregate
    with app.app_context():
        open_round = db.session.scalars(select(Round.id).where(Round.status == "open", Round.anonymous)).one()
    assert client.get(f"/rankings/{open_round}/deductions.csv").status_code == 409


def test_grade_bounds_and_warning_line_come_from_configuration(migrated_url: str, app: Flask) -> None:
    from tests.conftest import make_app

    strict_app = make_app(migrated_url, GRADE_BOUNDS=[95, 90, 85], WARN_BELOW=90)
    page = strict_app.test_client().get("/rankings/rules").get_data(as_text=True)
    with strict_app.app_context():  # every request reads the mine's row: its connection goes back now
        db.engine.dispose()
    assert "≥ 95" in page
    assert "≥ 85" in page
    assert "低于 90 分" in page
    default = app.test_client().get("/rankings/rules").get_data(as_text=True)
    assert "≥ 90" in default
    assert "低于 80 分" in default


def test_a_sealed_round_ranks_from_the_totals_stored_at_sealing(app: Flask) -> None:
    """Sealing the week's anonymous check stores each post's totals; its standings (and the month, quarter
    and year rankings over it) come from them and agree with the domain's rules over the sheets."""
    from inspect_app.audit import Actor
    from inspect_app.domain.ballots import RoundAction
    from inspect_app.domain.enums import Role
    from inspect_app.models import AnonSheet, RoundTotal
    from inspect_app.queries import round_rules, sheet_scores, standings
    from inspect_app.rankings.aggregate import rounds_standings
    from inspect_app.rounds.services import step_round

    rnd_id = anonymous_round(app).id
    with app.app_context():
        step_round(Actor(None, "test", Role.COMMITTEE), rnd_id, RoundAction.SEAL)
        rnd = db.session.get_one(Round, rnd_id)
        totals = {
            t.post_id: t for t in db.session.scalars(select(RoundTotal).where(RoundTotal.round_id == rnd_id))
        }
        sheets = sheet_scores([rnd_id])[rnd_id]
        assert {pid for pid, scores in sheets.items() if scores} == set(totals)
        for pid, total in totals.items():
            assert (total.sheets, total.total) == (len(sheets[pid]), sum(sheets[pid]))
        table = rounds_standings([rnd])[rnd_id]
        assert table == standings(sheets, round_rules(rnd))
        assert any(s.rank is not None for s in table.values())
        # what is read is what sealing stored: a sheet row altered afterwards (by hand) changes nothing
        db.session.execute(update(AnonSheet).where(AnonSheet.round_id == rnd_id).values(score=0))
        db.session.commit()
        app.extensions.pop("inspect_sealed_standings", None)
        assert rounds_standings([rnd])[rnd_id] == table
