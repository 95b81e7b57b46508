"""Anonymous scoring with ballot cards: one sheet per card per post, replay semantics, refusals, and the
promise that nothing ties a sheet to a person, a card or another sheet."""

from __future__ import annotations

import io
import logging
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from inspect_app import demo
from inspect_app.domain.ballots import card_digest, card_from_body, format_card, nullifier
from inspect_app.extensions import db
from inspect_app.models import (
    ANONYMOUS_SHEET_TABLES,
    AnonSheet,
    AnonSheetItem,
    BallotCard,
    Post,
    Round,
    RoundPost,
    StandardItem,
)
from tests.conftest import csrf_token, login

from .helpers import anonymous_round, small_jpeg

#: unused demo cards of the open weekly round (cards 1–5 already scored some posts)
CARDS = demo.demo_card_codes()[demo.PRESCORING_CARDS :]


def unscored_post(app: Flask) -> str:
    """A post of the anonymous round that no demo card has scored yet."""
    rnd = anonymous_round(app)
    with app.app_context():
        scored = select(AnonSheet.post_id).where(AnonSheet.round_id == rnd.id)
        stmt = (
            select(Post.code)
            .join(RoundPost)
            .where(RoundPost.round_id == rnd.id, Post.id.not_in(scored))
            .order_by(Post.code)
        )
        return db.session.scalars(stmt).first() or ""


def items(app: Flask, code: str) -> list[dict[str, Any]]:
    rnd = anonymous_round(app)
    with app.app_context():
        stmt = (
            select(StandardItem)
            .join(RoundPost, RoundPost.standard_version_id == StandardItem.version_id)
            .join(Post)
            .where(Post.code == code, RoundPost.round_id == rnd.id)
            .order_by(StandardItem.position)
        )
        return [{"id": i.id, "veto": i.veto} for i in db.session.scalars(stmt)]


def ballot(
    app: Flask, code: str, card: str, submission: str | None = None, defects: int = 0, **extra: str
) -> dict[str, str]:
    form = {"card": format_card(card), "submission_id": submission or str(uuid.uuid4()), **extra}
    for index, item in enumerate(items(app, code)):
        form[f"d-{item['id']}"] = "0" if item["veto"] or index else str(defects)
    return form


def submit(client: FlaskClient, app: Flask, code: str, form: dict[str, str], json: bool = False):  # type: ignore[no-untyped-def]
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/b/{anonymous_round(app).id}/{code}", data=form, headers=headers)


def anon_count(app: Flask, **where: Any) -> int:
    """Anonymous sheets in the open weekly round matching ``where``."""
    where.setdefault("round_id", anonymous_round(app).id)
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AnonSheet).filter_by(**where)) or 0


def test_post_page_offers_anonymous_scoring_and_the_form_asks_for_a_card(
    app: Flask, client: FlaskClient
) -> None:
    code = unscored_post(app)
    url = f"/b/{anonymous_round(app).id}/{code}"
    assert f'href="{url}"' in client.get(f"/p/{code}").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert 'name="card"' in page
    assert "csrf_token" not in page  # no session, so no session-bound token
    assert "无记名" in page


def test_a_card_scores_a_post_once_and_the_phones_replay_is_acknowledged_without_content(
    app: Flask, client: FlaskClient
) -> None:
    code = unscored_post(app)
    form = ballot(app, code, CARDS[0], defects=1)
    first = submit(client, app, code, form, json=True)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.json == {"result": "stored", "replay": False, "message": "评分已保存"}
    again = submit(client, app, code, form, json=True)  # the phone did not hear the first answer
    assert again.status_code == 200
    assert again.json["replay"] is True
    assert set(again.json) == {"result", "replay", "message"}  # never the stored sheet's score or content
    page = submit(client, app, code, form)  # and once more, as a browser form
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "此前已收到" in text
    assert 'class="score"' not in text
    assert "否决" not in text
    assert anon_count(app, round_id=anonymous_round(app).id, post_id=_post_id(app, code)) == 1


def test_same_card_with_other_content_is_refused_409(app: Flask, client: FlaskClient) -> None:
    code = unscored_post(app)
    assert submit(client, app, code, ballot(app, code, CARDS[0])).status_code == 200
    response = submit(client, app, code, ballot(app, code, CARDS[0], defects=2))
    assert response.status_code == 409
    refused = response.get_data(as_text=True)
    assert "此卡已对该示范岗打过分" in refused
    assert 'href="/scan"' in refused  # the way forward: the next post
    assert "错误代码" not in refused
    # the stored sheet's exact content from another form (another submission id) is a conflict too: the
    # answer is decided by the phone's submission id, never by comparing contents (no content oracle)
    same_content = submit(client, app, code, ballot(app, code, CARDS[0]), json=True)
    assert same_content.status_code == 409
    assert same_content.json["error"] == "card_already_scored"
    other_card = submit(client, app, code, ballot(app, code, CARDS[1], defects=2))
    assert other_card.status_code == 200
    assert anon_count(app, post_id=_post_id(app, code)) == 2


def _post_id(app: Flask, code: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Post.id).where(Post.code == code)).one()


@pytest.mark.parametrize("which", ["unknown", "voided", "other_round"])
def test_invalid_cards_are_refused_403_and_the_entries_stay(
    app: Flask, client: FlaskClient, which: str
) -> None:
    code = unscored_post(app)
    card = card_from_body(CARDS[2][:17][::-1]) if which == "unknown" else CARDS[2]
    card_six = update(BallotCard).where(  # the serial printed on CARDS[2]
        BallotCard.serial == demo.PRESCORING_CARDS + 3, BallotCard.round_id == anonymous_round(app).id
    )
    with app.app_context():
        if which == "voided":
            db.session.execute(card_six.values(voided=True))
        if which == "other_round":
            db.session.execute(card_six.values(round_id=_published(app), serial=99))
        db.session.commit()
    response = submit(client, app, code, ballot(app, code, card, defects=1))
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert ("作废" if which == "voided" else "无效") in page
    assert 'value="1"' in page  # the inspector's entries are still on the form
    assert anon_count(app, post_id=_post_id(app, code)) == 0


def _published(app: Flask) -> int:
    with app.app_context():
        return db.session.scalars(select(Round.id).where(Round.status == "published")).one()


def test_mistyped_card_is_caught_by_its_check_symbol(app: Flask, client: FlaskClient) -> None:
    code = unscored_post(app)
    typo = CARDS[0][:5] + ("A" if CARDS[0][5] != "A" else "B") + CARDS[0][6:]
    form = ballot(app, code, CARDS[0], defects=1)
    form["card"] = typo
    response = submit(client, app, code, form)
    assert response.status_code == 422
    assert "卡号有误" in response.get_data(as_text=True)
    json = submit(client, app, code, form, json=True)
    assert json.status_code == 422
    assert json.json["error"] == "card_format"


def test_after_sealing_a_card_learns_nothing_every_ballot_request_gets_one_answer(
    app: Flask, client: FlaskClient
) -> None:
    """A card is handed back, kept in the phone, printed in the PDF: after sealing, whoever holds it gets the
    same answer whether it scored a post or not, for the stored content, another content, or nothing valid."""
    scored, unscored = unscored_post(app), None
    stored = ballot(app, scored, CARDS[0], defects=1)
    assert submit(client, app, scored, stored).status_code == 200
    unscored = unscored_post(app)
    login(client, "committee")
    assert step_seal(client, anonymous_round(app).id).status_code == 303
    attempts = [
        (scored, stored),  # the phone's own replay of a stored sheet (its first answer was lost)
        (scored, ballot(app, scored, CARDS[0], defects=1)),  # the stored content, another submission
        (scored, ballot(app, scored, CARDS[0], defects=2)),  # other content
        (unscored, ballot(app, unscored, CARDS[0])),  # a post the card did not score
        (unscored, ballot(app, unscored, CARDS[1])),  # an unused card
        (scored, {**ballot(app, scored, CARDS[0]), "card": "WRONG"}),  # a mistyped card
        (scored, {"card": format_card(CARDS[0]), "submission_id": "x"}),  # garbage
    ]
    stranger = app.test_client()
    for as_json in (True, False):
        answers = {  # bodies compared with the post code the request itself named taken out
            (r.status_code, r.get_data().replace(code.encode(), b"<post>"))
            for code, form in attempts
            for r in [
                submit(stranger, app, code, {**form, "submission_id": stored["submission_id"]}, as_json)
            ]
        }
        assert len(answers) == 1, answers
        status, body = answers.pop()
        assert status == 410
        assert "已封箱" in body.decode()
    assert stranger.get(f"/b/{anonymous_round(app).id}/{scored}").status_code == 410


def test_submission_id_must_be_a_random_uuid(app: Flask, client: FlaskClient) -> None:
    code = unscored_post(app)
    for bad in ("", "not-a-uuid", str(uuid.uuid1())):  # version 1 carries a time and a MAC address
        response = submit(client, app, code, ballot(app, code, CARDS[0], submission=bad or "x"), json=True)
        assert response.status_code == 400
    assert anon_count(app, post_id=_post_id(app, code)) == 0


def test_forms_posted_from_another_site_are_refused(app: Flask, client: FlaskClient) -> None:
    code = unscored_post(app)
    response = client.post(
        f"/b/{anonymous_round(app).id}/{code}",
        data=ballot(app, code, CARDS[0]),
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert anon_count(app, post_id=_post_id(app, code)) == 0


def test_submit_ignores_the_session_and_sets_no_cookie(app: Flask, client: FlaskClient) -> None:
    login(client, "inspector")  # a logged-in phone, with a remember-me cookie too
    code = unscored_post(app)
    response = submit(client, app, code, ballot(app, code, CARDS[0]))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    page = response.get_data(as_text=True)
    assert "检查员" not in page
    assert "退出" not in page
    stranger = app.test_client()
    stranger.set_cookie("session", "garbage-that-would-break-a-session-read", domain="inspect.test")
    assert stranger.get(f"/b/{anonymous_round(app).id}/{code}").status_code == 200


def test_card_code_appears_in_no_log_and_no_url(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    code = unscored_post(app)
    caplog.set_level(logging.DEBUG)
    form = ballot(app, code, CARDS[0])
    response = submit(client, app, code, form)
    submit(client, app, code, ballot(app, code, CARDS[0], defects=2))  # a refusal is not logged either
    assert response.status_code == 200
    assert CARDS[0] not in caplog.text
    assert format_card(CARDS[0]) not in caplog.text
    assert CARDS[0] not in response.request.url


def test_anonymous_tables_have_no_person_time_or_sequence_columns(app: Flask) -> None:
    """Pinned column sets, read from the migrated database: adding a user id, a timestamp, an address or
    an autoincrement key to an anonymous table fails here."""
    import sqlalchemy as sa

    with app.app_context():
        schema = sa.inspect(db.engine)
        columns = {
            t: {c["name"]: c for c in schema.get_columns(t)}
            for t in ("anon_sheet", "anon_sheet_item", "anon_sheet_photo", "ballot_card")
        }
        keys = {t: schema.get_pk_constraint(t)["constrained_columns"] for t in columns}
    sheet_key = ["round_id", "post_id", "nullifier"]
    assert set(columns["anon_sheet"]) == {
        *sheet_key,
        "standard_version_id",
        "deducted",
        "score",
        "vetoed",
        "receipt",  # HMAC of the phone's submission id, erased at sealing
    }
    assert set(columns["anon_sheet_item"]) == {
        *sheet_key,
        "item_id",
        "defects",
        "counts",
        "deduction",
        "remark",
    }
    assert set(columns["anon_sheet_photo"]) == {*sheet_key, "sha256", "item_id", "width", "height"}
    assert set(columns["ballot_card"]) == {"digest", "round_id", "serial", "voided"}
    assert keys == {
        "anon_sheet": sheet_key,
        "anon_sheet_item": [*sheet_key, "item_id"],
        "anon_sheet_photo": [*sheet_key, "sha256"],
        "ballot_card": ["digest"],
    }
    # every table keyed by an anonymous sheet is on the one list sealing rewrites
    assert {m.__tablename__ for m in ANONYMOUS_SHEET_TABLES} == set(columns) - {"ballot_card"}
    assert {t.name for t in db.metadata.tables.values() if {"nullifier"} <= set(t.c.keys())} == {
        m.__tablename__ for m in ANONYMOUS_SHEET_TABLES
    }
    for table in columns.values():
        for column in table.values():
            assert not isinstance(column["type"], sa.DateTime | sa.Date | sa.Time), column["name"]
            assert column.get("autoincrement") is not True, column["name"]
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as conn:
            for table in columns:
                with pytest.raises(sa.exc.OperationalError):
                    conn.execute(sa.text(f"SELECT rowid FROM {table}"))  # noqa: S608 — WITHOUT ROWID: no hidden sequence


def _cast(app: Flask, client: FlaskClient, cards: list[str], codes: list[str]) -> None:
    for card in cards:
        for code in codes:
            assert submit(client, app, code, ballot(app, code, card, defects=1)).status_code == 200


def test_a_database_dump_ties_no_sheet_to_a_card_or_to_another_sheet(app: Flask, client: FlaskClient) -> None:
    codes = [unscored_post(app)]
    with app.app_context():
        codes += db.session.scalars(
            select(Post.code)
            .join(RoundPost)
            .where(RoundPost.round_id == anonymous_round(app).id, Post.code != codes[0])
            .limit(2)
        ).all()
    _cast(app, client, CARDS[:3], codes)
    login(client, "committee")
    url = f"/rounds/{anonymous_round(app).id}"
    client.post(f"{url}/step", data={"action": "seal", "csrf_token": csrf_token(client, url)})
    with app.app_context():
        rnd_id = anonymous_round(app).id
        sheets = db.session.execute(select(AnonSheet.__table__).where(AnonSheet.round_id == rnd_id)).all()
        cards = db.session.execute(select(BallotCard.__table__).where(BallotCard.round_id == rnd_id)).all()
        item_keys = set(db.session.scalars(select(AnonSheetItem.nullifier)))
        key = str(app.config["BALLOT_KEY"]).encode()
    card_values = {v for row in cards for v in row if isinstance(v, bytes)}
    sheet_keys = [row.nullifier for row in sheets]
    # nothing stored with a sheet equals anything stored with a card (only the round number is shared)
    assert not card_values & {v for row in sheets for v in row if isinstance(v, bytes)}
    assert not card_values & item_keys
    # keys are 32 unrelated bytes; the table lists them in key order, not in the order they arrived
    assert (
        len(set(sheet_keys)) == len(sheet_keys) == 9 + demo.PRESCORED_ANONYMOUS * demo.PRESCORING_CARDS
    )  # demo cards 1–5 + three test cards
    assert all(len(k) == 32 for k in sheet_keys)
    listed = [(row.post_id, row.nullifier) for row in sheets]
    assert listed == sorted(listed)
    assert all(row.receipt is None for row in sheets)  # receipts are erased at sealing
    # only the printed code links them: with it (and the server key) a card's sheets are found, without
    # it the digest stored for the card leads nowhere
    with app.app_context():
        post_ids = {c: _post_id(app, c) for c in codes}
    for card in CARDS[:3]:
        assert card_digest(key, card) in card_values
        for code in codes:
            assert nullifier(key, card, rnd_id, post_ids[code]) in sheet_keys
    for digest in card_values:
        for code in codes:
            assert nullifier(key, digest.hex(), rnd_id, post_ids[code]) not in sheet_keys


def test_results_are_hidden_until_sealed_then_shown_only_from_the_quorum_of_five_sheets(
    app: Flask, client: FlaskClient
) -> None:
    """With 3 sheets the trimmed mean would be one inspector's exact score: an anonymous round rates a post
    from 5 sheets (3 remain after trimming) and leaves one with 4 unrated."""
    rich, thin = unscored_post(app), None
    with app.app_context():
        thin = db.session.scalars(
            select(Post.code)
            .join(RoundPost)
            .where(RoundPost.round_id == anonymous_round(app).id, Post.code > rich)
            .order_by(Post.code)
        ).first()
    assert thin
    _cast(app, client, CARDS[:5], [rich])
    _cast(app, client, CARDS[:4], [thin])
    rnd_id = anonymous_round(app).id
    login(client, "committee")
    live = client.get(f"/rankings/{rnd_id}").get_data(as_text=True)
    assert "封箱后" in live
    assert _row(live, rich) == ("—", "5", "—")
    url = f"/rounds/{rnd_id}"
    assert (
        client.post(f"{url}/step", data={"action": "seal", "csrf_token": csrf_token(client, url)}).status_code
        == 303
    )
    sealed = client.get(f"/rankings/{rnd_id}").get_data(as_text=True)
    rank, sheets, score = _row(sealed, rich)
    assert rank != "—"
    assert sheets == "5"
    assert score != "—"
    assert _row(sealed, thin)[0::2] == ("—", "—")
    public = app.test_client().get(f"/p/{rich}").get_data(as_text=True)
    assert score not in public.split('id="grades"')[1].split("</section>")[0]  # sealed, not yet published
    client.post(f"{url}/step", data={"action": "publish", "csrf_token": csrf_token(client, url)})
    public = app.test_client().get(f"/p/{rich}").get_data(as_text=True)
    assert score in public.split('id="grades"')[1].split("</section>")[0]


def _row(page: str, code: str) -> tuple[str, str, str]:
    import re

    match = re.search(
        rf'<tr data-post="{code}">\s*<td>([^<]*)</td>'
        r'.*?<td class="num">(\d+)</td>\s*<td class="num">([^<]*)</td>',
        page,
        re.S,
    )
    assert match, code
    return match.group(1).strip(), match.group(2), match.group(3)


def test_inspectors_never_see_an_open_rounds_results(app: Flask, client: FlaskClient) -> None:
    login(client, "inspector")
    assert client.get(f"/rankings/{anonymous_round(app).id}").status_code == 403
    assert client.get(f"/rankings/{_published(app)}").status_code == 200


def test_sealing_leaves_no_arrival_order_in_postgresql_rows(app: Flask, client: FlaskClient) -> None:
    """PostgreSQL keeps rows in arrival order and stamps each with its inserting transaction (xmin); after
    sealing, every row of the round in every table keyed by a sheet (photos too) carries one transaction id
    and the rows lie on disk in key order."""
    import sqlalchemy as sa

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL storage only (tests/web/test_anonymity.py reads SQLite's file)")
    rnd_id = anonymous_round(app).id
    with app.app_context():
        codes = db.session.scalars(
            select(Post.code).join(RoundPost).where(RoundPost.round_id == rnd_id)
        ).all()
    for card in CARDS[:2]:
        for index, code in enumerate(codes[:4]):
            form = {
                **ballot(app, code, card),
                "photo": (io.BytesIO(small_jpeg(index + 9 * len(card))), "p.jpg"),
            }
            assert client.post(f"/b/{rnd_id}/{code}", data=form).status_code == 200
    tables = [m.__tablename__ for m in ANONYMOUS_SHEET_TABLES]
    xmins = "SELECT count(DISTINCT xmin::text) FROM {} WHERE round_id = :r"
    with app.app_context():
        for table in tables:
            assert db.session.scalar(sa.text(xmins.format(table)), {"r": rnd_id}) > 1, table
        db.session.rollback()
    login(client, "committee")
    assert step_seal(client, rnd_id).status_code == 303
    with app.app_context():
        for table in tables:
            assert db.session.scalar(sa.text(xmins.format(table)), {"r": rnd_id}) == 1, table
            key = ", ".join(c.name for c in db.metadata.tables[table].primary_key.columns)
            on_disk = db.session.execute(sa.text(f"SELECT {key} FROM {table} ORDER BY ctid")).all()  # noqa: S608
            assert on_disk == sorted(on_disk), table


def step_seal(client: FlaskClient, round_id: int):  # type: ignore[no-untyped-def]
    url = f"/rounds/{round_id}"
    return client.post(f"{url}/step", data={"action": "seal", "csrf_token": csrf_token(client, url)})
