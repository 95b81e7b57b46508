"""The live ranking of the open round: mean sheet score, shared places, and a self-refreshing table."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from inspect_app.extensions import db
from inspect_app.models import Post, Round, Sheet
from tests.conftest import login

from .helpers import demo_round


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
