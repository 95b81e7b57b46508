"""The anonymity model attacked as a card holder, a copy of the disk and a reader of the access log would.

Each test stands for one promise of the README's *Anonymity model*: the database file and its WAL, the photo
files, the responses' sizes, the guess limit, the access log and the miners' notes' ids.
"""

from __future__ import annotations

import io
import random
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app import demo
from inspect_app.domain.ballots import card_digest, format_card, new_card_code, nullifier
from inspect_app.extensions import db
from inspect_app.models import AnonSheetPhoto, BallotCard, Post, RoundPost, StandardItem
from inspect_app.photos.storage import object_name
from inspect_app.photos.uploads import photo_store
from tests.conftest import login, make_app
from tests.forensics import sqlite_order_evidence

from .helpers import anonymous_round, small_jpeg
from .test_ballot import CARDS, ballot, step_seal, submit, unscored_post


def _round_posts(app: Flask) -> list[tuple[str, int, list[tuple[int, bool]]]]:
    """(code, post id, [(item id, veto)]) of every post of the open anonymous round."""
    rnd = anonymous_round(app)
    with app.app_context():
        entries = db.session.execute(
            select(Post.code, Post.id, RoundPost.standard_version_id)
            .join(RoundPost)
            .where(RoundPost.round_id == rnd.id)
            .order_by(Post.code)
        ).all()
        items = {
            version: [
                (i.id, i.veto)
                for i in db.session.scalars(
                    select(StandardItem)
                    .where(StandardItem.version_id == version)
                    .order_by(StandardItem.position)
                )
            ]
            for _, _, version in entries
        }
        return [(code, post_id, items[version]) for code, post_id, version in entries]


def _new_cards(app: Flask, count: int) -> list[str]:
    rnd = anonymous_round(app)
    key = str(app.config["BALLOT_KEY"]).encode()
    cards = [new_card_code() for _ in range(count)]
    with app.app_context():
        db.session.add_all(
            BallotCard(digest=card_digest(key, c), round_id=rnd.id, serial=100 + i)
            for i, c in enumerate(cards)
        )
        db.session.commit()
    return cards


def _form(card: str, items: list[tuple[int, bool]], rng: random.Random) -> dict[str, Any]:
    form: dict[str, Any] = {"card": format_card(card), "submission_id": str(uuid.uuid4())}
    for item_id, veto in items:
        form[f"d-{item_id}"] = "0" if veto else str(rng.choice((0, 0, 1, 2)))
    return form


# --- the database file and its WAL --------------------------------------------------------------------


def test_after_sealing_neither_the_sqlite_file_nor_its_wal_orders_a_rounds_sheets(
    app: Flask, client: FlaskClient
) -> None:
    """Sheets are written in a known order (inspectors walking from post to post), the round is sealed, and
    the raw file and WAL are read as an attacker would: before sealing the order shows, after it a pair of a
    post's sheets lies in arrival order no more often than for random orders (tests/forensics.py)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("reads SQLite's file (PostgreSQL: test_ballot.py checks xmin and row order)")
        path = Path(db.engine.url.database or "")
    rnd_id = anonymous_round(app).id
    posts = _round_posts(app)
    cards = _new_cards(app, 40)
    rng = random.Random(7)
    key = str(app.config["BALLOT_KEY"]).encode()
    arrival, post_of = [], []
    for card in cards:  # each inspector walks the route; their walks interleave
        for code, post_id, items in rng.sample(posts, len(posts)):
            response = client.post(f"/b/{rnd_id}/{code}", data=_form(card, items, rng))
            assert response.status_code == 200
            arrival.append(nullifier(key, card, rnd_id, post_id))
            post_of.append(post_id)
    before = sqlite_order_evidence(path, arrival, post_of)
    assert not before.at_chance(), before  # the attack works on an open round: the test has teeth
    committee = app.test_client()
    login(committee, "committee")
    assert step_seal(committee, rnd_id).status_code == 303
    after = sqlite_order_evidence(path, arrival, post_of)
    assert after.sheets == len(arrival)
    assert after.wal_bytes == 0
    assert after.at_chance(), after


# --- photo files -----------------------------------------------------------------------------------------


def test_photo_files_carry_no_arrival_time_or_order(app: Flask, client: FlaskClient) -> None:
    """No anonymous photo is in the store while its round is open; at sealing all are written one after the
    other in the sheets' key order, so file times (mtime, ctime), inode numbers and folder times say when the
    round was sealed and nothing about when or in which order the sheets came."""
    rnd_id = anonymous_round(app).id
    posts = _round_posts(app)[:4]
    rng = random.Random(3)
    shade = 0
    for card in CARDS[:3]:
        for code, _, items in posts:
            shade += 1
            form = {**_form(card, items, rng), "photo": (io.BytesIO(small_jpeg(shade)), "p.jpg")}
            assert client.post(f"/b/{rnd_id}/{code}", data=form).status_code == 200
            time.sleep(0.002)  # arrivals a few ms apart, as a file's nanosecond ctime would show
    root = Path(app.config["PHOTO_DIR"])
    with app.app_context():
        assert list(photo_store(app).names()) == []  # held apart until sealing
    sealed_from = time.time_ns()
    committee = app.test_client()
    login(committee, "committee")
    assert step_seal(committee, rnd_id).status_code == 303
    with app.app_context():
        rows = db.session.scalars(
            select(AnonSheetPhoto).order_by(
                AnonSheetPhoto.post_id, AnonSheetPhoto.nullifier, AnonSheetPhoto.sha256
            )
        ).all()
        names = [object_name(r.sha256) for r in rows]
    assert len(names) == 12
    files = [next(root.rglob(name)) for name in names]
    stats = [f.stat() for f in files]
    assert all(s.st_ctime_ns >= sealed_from for s in stats)
    assert [s.st_ctime_ns for s in stats] == sorted(s.st_ctime_ns for s in stats)  # written in key order
    assert all(s.st_mtime % 86400 == 0 for s in stats)  # the day only
    assert all(f.parent.stat().st_mtime_ns >= sealed_from for f in files)
    assert not (root / "held").exists() or not any((root / "held").iterdir())
    assert {f.name[:64] for f in files} == {r.sha256 for r in rows}  # names are content hashes, no time


# --- what the access log can record ----------------------------------------------------------------------


def test_every_ballot_answer_of_a_kind_has_one_size_whatever_the_sheet(
    app: Flask, client: FlaskClient
) -> None:
    """A vetoed, a perfect and an ordinary sheet get answers of equal size (JSON and page), stored and
    replayed: the access log's byte count says nothing about a score."""
    code = unscored_post(app)
    rnd_id = anonymous_round(app).id
    items = next(items for c, _, items in _round_posts(app) if c == code)
    veto = next((item_id for item_id, is_veto in items if is_veto), None)
    sheets = {
        "perfect": {f"d-{i}": "0" for i, _ in items},
        "ordinary": {f"d-{i}": "0" if v else "1" for i, v in items},
        "vetoed": {f"d-{i}": "1" if i == veto else "0" for i, _ in items},
    }
    assert veto is not None, "the demo standard has a veto item"
    sizes: dict[tuple[bool, bool], set[int]] = {}
    cards = iter(_new_cards(app, 6))
    for as_json in (True, False):
        for sheet in sheets.values():
            form = {"card": format_card(next(cards)), "submission_id": str(uuid.uuid4())}
            form.update(sheet)
            headers = {"Accept": "application/json"} if as_json else {}
            for replay in (False, True):
                response = client.post(f"/b/{rnd_id}/{code}", data=form, headers=headers)
                assert response.status_code == 200, response.get_data(as_text=True)[-300:]
                sizes.setdefault((as_json, replay), set()).add(len(response.get_data()))
    assert all(len(found) == 1 for found in sizes.values()), sizes


def test_refused_ballot_requests_of_every_kind_count_towards_the_guess_limit(
    migrated_url: str, app: Flask
) -> None:
    limited = make_app(migrated_url, RATELIMIT_ENABLED=True, RATELIMIT_CARD_GUESSES="3 per minute")
    client = limited.test_client()
    code = unscored_post(app)
    stored = ballot(app, code, CARDS[0])
    assert submit(client, app, code, stored).status_code == 200  # stored sheets are not counted
    refusals = [
        ballot(app, code, CARDS[0], defects=1),  # 409: the card scored this post
        {**ballot(app, code, CARDS[1]), "card": "X"},  # 422: not a card
        {**ballot(app, code, CARDS[1]), "submission_id": "x"},  # 400
    ]
    assert [submit(client, app, code, form).status_code for form in refusals] == [409, 422, 400]
    assert submit(client, app, code, ballot(app, code, CARDS[1])).status_code == 429
    with limited.app_context():
        db.engine.dispose()


def test_the_access_log_keeps_no_address_agent_size_or_time_of_day_for_anonymous_requests() -> None:
    from gunicorn.config import Config

    from inspect_app.accesslog import AnonymousAwareLogger

    log = AnonymousAwareLogger(Config())
    resp = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
    took = timedelta(milliseconds=37)

    def environ(path: str, mine: str = "") -> dict[str, Any]:
        """A request as gunicorn logs it; a group's mine (``mine``): its path moved into SCRIPT_NAME."""
        return {
            "REQUEST_METHOD": "POST", "RAW_URI": mine + path, "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.8.0.7", "HTTP_USER_AGENT": "Phone/1.0",
            "HTTP_X_FORWARDED_FOR": "10.8.0.7", "SCRIPT_NAME": mine,
        }  # fmt: skip

    fmt = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-forwarded-for}i)s'
    for path, mine in [("/b/3/K7M3Q", ""), ("/p/K7M3Q/feedback", ""), ("/b/3/K7M3Q", "/m/jia"),
                       ("/m/jia/p/K7M3Q/feedback", "")]:  # fmt: skip
        atoms = log.atoms_wrapper_class(
            log.atoms(resp, SimpleNamespace(headers=[]), environ(path, mine), took)
        )
        line = fmt % atoms
        assert "10.8.0.7" not in line
        assert "Phone" not in line
        assert "1234" not in line
        assert "37" not in line
        assert f'"POST {mine}{path} HTTP/1.1" 200' in line
        assert ":" not in atoms["t"]  # [03/Dec/2026]: the day, no time of day
    other = log.atoms(resp, SimpleNamespace(headers=[]), environ("/rounds/3"), took)
    assert other["b"] == "1234"  # other requests are logged as configured


def test_sealing_a_round_without_sheets_and_the_daily_upkeep_on_an_empty_database(
    app: Flask, client: FlaskClient
) -> None:
    """A real mine starts with nothing: a round nobody scored seals, and `flask forget-order` runs on an
    empty database."""
    from sqlalchemy import delete

    from inspect_app.models import ANONYMOUS_SHEET_TABLES
    from tests.conftest import reset_database

    rnd_id = anonymous_round(app).id
    with app.app_context():
        for model in reversed(ANONYMOUS_SHEET_TABLES):
            db.session.execute(delete(model))
        db.session.commit()
    login(client, "committee")
    assert step_seal(client, rnd_id).status_code == 303
    with app.app_context():
        reset_database()
    result = app.test_cli_runner().invoke(args=["forget-order"])
    assert result.exit_code == 0, result.output
    assert "photo batches released: 0; database rewritten: yes" in result.output


def test_no_sheet_slips_in_while_a_round_is_being_sealed(app: Flask) -> None:
    """Phones keep sending while the organiser seals: every sheet is either stored before the seal (and
    rewritten by it: its receipt erased, on PostgreSQL one transaction id) or refused 410 — none lands after
    the rewrite with its own arrival trace. Threads against the real database (both passes)."""
    import threading

    from sqlalchemy import func, text

    from inspect_app.audit import Actor
    from inspect_app.ballot.services import submit_anonymous_sheet
    from inspect_app.domain.ballots import RoundAction
    from inspect_app.domain.enums import Role
    from inspect_app.domain.scoring import ItemEntry
    from inspect_app.field.services import SubmitRefused
    from inspect_app.models import AnonSheet
    from inspect_app.rounds.services import step_round

    rnd_id = anonymous_round(app).id
    posts = _round_posts(app)
    cards = _new_cards(app, 96)
    key = str(app.config["BALLOT_KEY"]).encode()
    outcomes: list[str] = []
    started = threading.Barrier(13)

    def phone(mine: list[str]) -> None:
        """Sends sheet after sheet (up to eight cards' worth; a phone's network takes a moment between two)
        until the round answers 410."""
        with app.app_context():
            started.wait()
            for card in mine:
                for code, _, items in posts:
                    entries = [ItemEntry(item_id, (0,)) for item_id, _ in items]
                    time.sleep(0.001)
                    try:
                        submit_anonymous_sheet(rnd_id, code, card, entries, key, str(uuid.uuid4()))
                        outcomes.append("stored")
                    except SubmitRefused as refused:
                        outcomes.append(str(refused.status))
                        if refused.status == 410:
                            db.session.remove()
                            return
            db.session.remove()

    threads = [threading.Thread(target=phone, args=(cards[i::12],)) for i in range(12)]
    for thread in threads:
        thread.start()
    with app.app_context():
        started.wait()
        time.sleep(0.02)  # some sheets are in
        step_round(Actor(None, "test", Role.COMMITTEE), rnd_id, RoundAction.SEAL)
        for thread in threads:
            thread.join()
        stored = db.session.scalar(
            select(func.count()).select_from(AnonSheet).where(AnonSheet.round_id == rnd_id)
        )
        with_receipt = db.session.scalar(
            select(func.count())
            .select_from(AnonSheet)
            .where(AnonSheet.round_id == rnd_id, AnonSheet.receipt.is_not(None))
        )
        if db.engine.dialect.name == "postgresql":
            xmins = db.session.scalar(
                text("SELECT count(DISTINCT xmin::text) FROM anon_sheet WHERE round_id = :r"), {"r": rnd_id}
            )
            assert xmins == 1
    assert set(outcomes) <= {"stored", "410"}
    assert "stored" in outcomes, outcomes
    assert "410" in outcomes, outcomes  # the seal came while phones were sending
    prescored = demo.PRESCORED_ANONYMOUS * demo.PRESCORING_CARDS
    assert stored == outcomes.count("stored") + prescored
    assert with_receipt == 0
