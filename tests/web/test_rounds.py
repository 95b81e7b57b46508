"""Organising rounds: create and edit a draft, open (standards frozen), print and void ballot cards, watch
progress without content, seal and publish; and every bad input answered with a message."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from inspect_app.domain.ballots import card_digest, normalise_card
from inspect_app.extensions import db
from inspect_app.models import BallotCard, Post, Round, RoundPost, StandardItem
from tests.conftest import csrf_token, login

from .test_signboard import scan_pdf


def listed_posts(app: Flask, unit: str | None = None) -> list[tuple[int, str]]:
    with app.app_context():
        stmt = select(Post.id, Post.code).where(Post.status == "listed").order_by(Post.code)
        if unit:
            stmt = stmt.where(Post.unit.has(code=unit))
        return [(r.id, r.code) for r in db.session.execute(stmt)]


def round_form(client: FlaskClient, url: str, posts: list[int], **fields: str) -> dict[str, object]:
    today = date.today()
    form: dict[str, object] = {
        "csrf_token": csrf_token(client, url), "title": "第48周联合检查", "kind": "weekly", "mode": "joint",
        "period_start": today.isoformat(), "period_end": (today + timedelta(days=6)).isoformat(),
        "anonymous": "1", "post": [str(p) for p in posts],
    }  # fmt: skip
    form.update(fields)
    return form


def create(client: FlaskClient, posts: list[int], **fields: str) -> int:
    response = client.post("/rounds/new", data=round_form(client, "/rounds/new", posts, **fields))
    assert response.status_code == 303, response.get_data(as_text=True)[-800:]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def step(client: FlaskClient, round_id: int, action: str):  # type: ignore[no-untyped-def]
    url = f"/rounds/{round_id}"
    return client.post(f"{url}/step", data={"action": action, "csrf_token": csrf_token(client, url)})


def cards(client: FlaskClient, round_id: int, count: str):  # type: ignore[no-untyped-def]
    url = f"/rounds/{round_id}"
    return client.post(f"{url}/cards", data={"count": count, "csrf_token": csrf_token(client, url)})


@pytest.fixture
def committee(client: FlaskClient) -> FlaskClient:
    login(client, "committee")
    return client


def test_round_is_drafted_edited_opened_with_frozen_standards(app: Flask, committee: FlaskClient) -> None:
    posts = listed_posts(app)
    round_id = create(committee, [posts[0][0], posts[1][0]])
    url = f"/rounds/{round_id}/edit"
    edited = committee.post(url, data=round_form(committee, url, [posts[2][0]], title="改过的名称"))
    assert edited.status_code == 303
    assert step(committee, round_id, "open").status_code == 303
    with app.app_context():
        rnd = db.session.get_one(Round, round_id)
        assert (rnd.title, rnd.status, rnd.anonymous) == ("改过的名称", "open", True)
        assert [(e.post_id, e.standard_version_id) for e in rnd.entries] == [
            (posts[2][0], rnd.entries[0].post.standard_version_id)
        ]
    again = committee.post(url, data=round_form(committee, url, [posts[0][0]]))
    assert again.status_code == 409
    assert "只有草稿" in again.get_data(as_text=True)
    assert step(committee, round_id, "open").status_code == 409
    page = committee.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "已开始" in page or "进行中" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "请填写检查名称"),
        ({"kind": "daily"}, "请选择检查类别"),
        ({"period_start": "2026-13-01"}, "2026-01-31"),
        ({"period_end": "2000-01-01"}, "结束日期早于开始日期"),
        ({"post": []}, "请至少选择一个示范岗"),
        ({"post": ["999999"]}, "只能检查已挂牌"),
        ({"post": ["x"]}, "请从列表中选择"),
        ({"min_sheets": "0"}, "请填写 1 至 50 份"),
        ({"min_sheets": "many"}, "请填写 1 至 50 份"),
    ],
)
def test_bad_round_input_is_refused_with_a_message(
    app: Flask, committee: FlaskClient, fields: dict[str, object], message: str
) -> None:
    form = round_form(committee, "/rounds/new", [listed_posts(app)[0][0]])
    form.update(fields)
    response = committee.post("/rounds/new", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_branch_secretary_runs_self_checks_of_the_own_unit_only(app: Flask, client: FlaskClient) -> None:
    login(client, "branch_secretary")
    own, other = listed_posts(app, "zc1")[0][0], listed_posts(app, "jj1")[0][0]
    assert b'value="joint"' not in client.get("/rounds/new").data
    round_id = create(client, [own], mode="self", anonymous="", min_sheets="1", trim="")
    with app.app_context():
        rnd = db.session.get_one(Round, round_id)
        assert (rnd.min_sheets, rnd.trim) == (1, False)  # one secretary signs each post of a self-check
        assert rnd.unit_id is not None
        assert rnd.mode == "self"
        assert not rnd.anonymous
    refused = client.post("/rounds/new", data=round_form(client, "/rounds/new", [other], mode="self"))
    assert refused.status_code == 422
    joint = client.post("/rounds/new", data=round_form(client, "/rounds/new", [own], mode="joint"))
    assert joint.status_code == 403
    with app.app_context():
        mine_wide = db.session.scalars(select(Round.id).where(Round.kind == "weekly").limit(1)).one()
    assert step(client, mine_wide, "seal").status_code == 403


def test_printed_cards_work_once_and_exist_only_on_paper(
    app: Flask, committee: FlaskClient, tmp_path: Path, migrated_url: str
) -> None:
    round_id = create(committee, [listed_posts(app)[0][0]])
    response = cards(committee, round_id, "4")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    assert "attachment" in response.headers["Content-Disposition"]
    links = scan_pdf(response.data, tmp_path, dpi=150)
    assert len(links) == 4
    codes = []
    for link in links:
        match = re.fullmatch(rf"http://inspect\.test/b/card#{round_id}-([0-9A-Z]+)", link)
        assert match, link
        codes.append(match.group(1))
    assert all(normalise_card(c) == c for c in codes)
    key = str(app.config["BALLOT_KEY"]).encode()
    with app.app_context():
        stored = db.session.execute(select(BallotCard).where(BallotCard.round_id == round_id)).scalars().all()
        assert sorted(c.serial for c in stored) == [1, 2, 3, 4]
        assert {c.digest for c in stored} == {card_digest(key, code) for code in codes}
    if migrated_url.startswith("sqlite:///"):
        files = [Path(migrated_url.removeprefix("sqlite:///") + suffix) for suffix in ("", "-wal")]
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        assert not any(code.encode() in raw for code in codes)  # not in the database file, nor its log
    more = cards(committee, round_id, "2")
    assert len(scan_pdf(more.data, tmp_path, dpi=150)) == 2
    with app.app_context():
        serials = db.session.scalars(select(BallotCard.serial).where(BallotCard.round_id == round_id)).all()
        assert sorted(serials) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("count", ["0", "201", "abc", ""])
def test_card_count_out_of_range_is_refused(app: Flask, committee: FlaskClient, count: str) -> None:
    round_id = create(committee, [listed_posts(app)[0][0]])
    response = cards(committee, round_id, count)
    assert response.status_code == 422
    assert "每次可生成" in response.get_data(as_text=True)


def test_signed_rounds_have_no_cards_and_sealed_rounds_print_none(app: Flask, committee: FlaskClient) -> None:
    signed = create(committee, [listed_posts(app)[0][0]], anonymous="")
    assert cards(committee, signed, "3").status_code == 409
    anonymous = create(committee, [listed_posts(app)[0][0]])
    step(committee, anonymous, "open")
    step(committee, anonymous, "seal")
    assert cards(committee, anonymous, "3").status_code == 410


def _ballot(app: Flask, round_id: int, code: str, card: str) -> dict[str, str]:
    with app.app_context():
        item_ids = db.session.scalars(
            select(StandardItem.id)
            .join(RoundPost, RoundPost.standard_version_id == StandardItem.version_id)
            .join(Post)
            .where(RoundPost.round_id == round_id, Post.code == code)
        ).all()
    return {"card": card, "submission_id": str(uuid.uuid4()), **{f"d-{i}": "0" for i in item_ids}}


def test_voided_cards_score_nothing_and_progress_shows_counts_not_content(
    app: Flask, committee: FlaskClient, tmp_path: Path
) -> None:
    (post_id, code) = listed_posts(app)[0]
    round_id = create(committee, [post_id])
    step(committee, round_id, "open")
    codes = [link.rsplit("-", 1)[1] for link in scan_pdf(cards(committee, round_id, "3").data, tmp_path, 150)]
    voter = committee.application.test_client()
    assert voter.post(f"/b/{round_id}/{code}", data=_ballot(app, round_id, code, codes[0])).status_code == 200
    url = f"/rounds/{round_id}"
    voided = committee.post(f"{url}/void", data={"serial": "2", "csrf_token": csrf_token(committee, url)})
    assert voided.status_code == 303
    with app.app_context():
        serial_of = {c.digest: c.serial for c in db.session.scalars(select(BallotCard))}
    key = str(app.config["BALLOT_KEY"]).encode()
    void_code = next(c for c in codes if serial_of[card_digest(key, c)] == 2)
    refused = voter.post(f"/b/{round_id}/{code}", data=_ballot(app, round_id, code, void_code))
    assert refused.status_code == 403
    twice = committee.post(f"{url}/void", data={"serial": "2", "csrf_token": csrf_token(committee, url)})
    assert twice.status_code == 409
    by_code = committee.post(
        f"{url}/void", data={"code": "nonsense", "csrf_token": csrf_token(committee, url)}
    )
    assert by_code.status_code == 422
    progress = committee.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert progress.lstrip().startswith('<div id="progress"')
    assert re.search(rf'data-post="{code}">.*?<td class="num">1</td>', progress, re.S)
    assert "100.00" not in progress
    assert "score" not in progress


def test_sealed_round_takes_no_sheets_and_publishing_shows_it_publicly(
    app: Flask, committee: FlaskClient
) -> None:
    with app.app_context():
        weekly = db.session.scalars(
            select(Round.id).where(Round.kind == "weekly", Round.status == "open")
        ).one()
        db.session.execute(update(Round).where(Round.id == weekly).values(title="公开测试周检查"))
        db.session.commit()
    assert step(committee, weekly, "publish").status_code == 409  # sealing comes first
    assert step(committee, weekly, "seal").status_code == 303
    assert step(committee, weekly, "publish").status_code == 303
    with app.app_context():
        code = db.session.scalars(
            select(Post.code).join(RoundPost).where(RoundPost.round_id == weekly).order_by(Post.code)
        ).first()
    page = app.test_client().get(f"/p/{code}").get_data(as_text=True)
    assert "公开测试周检查" in page


def test_a_post_is_checked_only_while_it_is_a_model_post(app: Flask, committee: FlaskClient) -> None:
    """A post listed from 12-15 once went into a round ending 12-13: refused with the post named, when the
    round is made and again when it is opened (its dates may have changed since)."""
    post_id, _code = listed_posts(app)[0]
    start = date.today() + timedelta(days=10)
    with app.app_context():
        post = db.session.get_one(Post, post_id)
        name, saved = post.name, (post.start_date, post.end_date)
        post.start_date, post.end_date = start, start + timedelta(days=300)
        db.session.commit()
    response = committee.post("/rounds/new", data=round_form(committee, "/rounds/new", [post_id]))
    assert response.status_code == 422
    assert name in response.get_data(as_text=True)
    assert "起止" in response.get_data(as_text=True)
    with app.app_context():
        post = db.session.get_one(Post, post_id)
        post.start_date, post.end_date = saved
        db.session.commit()
    round_id = create(committee, [post_id])
    with app.app_context():  # the post's term is cut short after the draft was made
        post = db.session.get_one(Post, post_id)
        post.start_date, post.end_date = date.today() - timedelta(days=60), date.today() - timedelta(days=1)
        db.session.commit()
    opened = step(committee, round_id, "open")
    assert opened.status_code == 422
    assert name in opened.get_data(as_text=True)
    with app.app_context():
        assert db.session.get_one(Round, round_id).status == "draft"


def test_sealing_asks_first_naming_the_posts_that_will_stay_unrated(
    app: Flask, committee: FlaskClient
) -> None:
    from tests.web.helpers import anonymous_round

    rnd = anonymous_round(app)  # the demo's weekly check: cards 1–5 scored five of its ten posts
    page = committee.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    confirm = page[
        page.index('id="confirm-seal"') : page.index("</details>", page.index('id="confirm-seal"'))
    ]
    assert "不可撤销" in confirm
    assert "10 个示范岗中有 5 个不足 5 份评分表，将不予评定" in confirm
    assert confirm.count("<li>") == 5
    assert "确认封箱" in confirm  # the one button that seals sits inside the question
    assert 'name="serial"' in page  # a lost card can still be voided while the round is open
    assert step(committee, rnd.id, "seal").status_code == 303
    sealed = committee.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert 'id="confirm-publish"' in sealed
    assert 'name="serial"' not in sealed  # nothing left to void once sealed
    token = csrf_token(committee, f"/rounds/{rnd.id}")
    late = committee.post(f"/rounds/{rnd.id}/void", data={"serial": "7", "csrf_token": token})
    assert late.status_code == 410
    assert "没有需要作废的卡" in late.get_data(as_text=True)
