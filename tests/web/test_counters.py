"""Every "max + 1" counter under concurrent writers, on the real database of the pass (PostgreSQL does not
serialise writers the way SQLite's BEGIN IMMEDIATE does): ballot card serials, notice numbers 〔year〕N号, a
round's one notice and standard version numbers. Each test runs 6 threads against one counter and expects
no error, no duplicate and no gap."""

from __future__ import annotations

import time
import uuid
from datetime import date
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from inspect_app.audit import Actor
from inspect_app.domain.ballots import RoundAction, Signer
from inspect_app.domain.deductions import Deduction, RuleKind
from inspect_app.domain.enums import Role, RoundStatus
from inspect_app.domain.scoring import ItemEntry
from inspect_app.domain.standards import ItemDraft
from inspect_app.extensions import db
from inspect_app.field.services import SubmitRefused, submit_signed_sheet
from inspect_app.models import BallotCard, Notice, Round, RoundPost, RoundTotal, Sheet, StandardVersion, User
from inspect_app.notices.services import draft_notice, edit_notice
from inspect_app.rounds.services import print_cards, step_round
from inspect_app.standards.services import add_version

from .helpers import THREADS, anonymous_round, demo_round, together

ORGANISER = Actor(None, "test", Role.COMMITTEE)


def test_ballot_card_serials_stay_unique_and_gapless_under_concurrent_printing(app: Flask) -> None:
    rnd = anonymous_round(app).id
    key = str(app.config["BALLOT_KEY"]).encode()
    with app.app_context():
        before = len(db.session.scalars(select(BallotCard.serial).where(BallotCard.round_id == rnd)).all())
    _, errors = together(app, lambda _: print_cards(ORGANISER, rnd, 1, key), times=20)
    assert errors == []
    with app.app_context():
        serials = sorted(db.session.scalars(select(BallotCard.serial).where(BallotCard.round_id == rnd)))
    assert serials == list(range(1, before + THREADS * 20 + 1))


def _sealed_rounds(app: Flask, count: int) -> list[int]:
    with app.app_context():
        rounds = [
            Round(title=f"并发测试{n}", kind="weekly", mode="joint", status=RoundStatus.SEALED.value,
                  anonymous=False, period_start=date(2026, 11, 2), period_end=date(2026, 11, 8))
            for n in range(count)
        ]  # fmt: skip
        db.session.add_all(rounds)
        db.session.commit()
        return [r.id for r in rounds]


def test_a_round_gets_one_notice_however_many_organisers_draft_it_at_once(app: Flask) -> None:
    (rnd,) = _sealed_rounds(app, 1)
    drafted: list[int] = []
    _, errors = together(app, lambda _: drafted.append(draft_notice(ORGANISER, rnd)))
    assert errors == []
    assert len(set(drafted)) == 1
    with app.app_context():
        assert len(db.session.scalars(select(Notice.id).where(Notice.round_id == rnd)).all()) == 1


def test_notice_numbers_stay_unique_and_gapless_when_published_at_once(app: Flask) -> None:
    rounds = _sealed_rounds(app, THREADS)
    with app.test_request_context():
        notices = [draft_notice(ORGANISER, rnd) for rnd in rounds]
        db.session.remove()
    day = date(2031, 3, 4)  # a year no demo notice uses
    _, errors = together(app, lambda n: edit_notice(ORGANISER, notices[n], f"通报{n}", "表扬", "批评", day))
    assert errors == []
    with app.app_context():
        numbers = sorted(db.session.scalars(select(Notice.seq).where(Notice.year == day.year)))
    assert numbers == list(range(1, THREADS + 1))


def test_a_notice_published_twice_at_once_keeps_one_number(app: Flask) -> None:
    (rnd,) = _sealed_rounds(app, 1)
    with app.test_request_context():
        notice = draft_notice(ORGANISER, rnd)
        db.session.remove()
    day = date(2032, 5, 6)
    _, errors = together(app, lambda _: edit_notice(ORGANISER, notice, "通报", "表扬", "批评", day))
    assert len(errors) == THREADS - 1  # the others find it published: refused, never renumbered
    with app.app_context():
        assert db.session.scalars(select(Notice.seq).where(Notice.year == day.year)).all() == [1]


def test_standard_version_numbers_stay_unique_and_gapless_under_concurrent_edits(app: Flask) -> None:
    with app.app_context():
        standard_id, latest = db.session.execute(
            select(StandardVersion.standard_id, StandardVersion.number).order_by(
                StandardVersion.number.desc()
            )
        ).first() or (0, 0)
    items = [
        ItemDraft(
            "质量",
            "1.1",
            "",
            Decimal("5"),
            "",
            "每处扣1分",
            (Deduction(RuleKind.EACH, Decimal("1"), "每处扣1分"),),
        )
    ]
    _, errors = together(app, lambda n: add_version(ORGANISER, standard_id, items, f"并发修订{n}"))
    assert errors == []
    with app.app_context():
        numbers = sorted(
            db.session.scalars(
                select(StandardVersion.number).where(StandardVersion.standard_id == standard_id)
            )
        )
    assert numbers[-THREADS:] == list(range(latest + 1, latest + THREADS + 1))
    assert len(numbers) == len(set(numbers))


def _hr_signers(app: Flask, count: int) -> list[tuple[int, Signer]]:
    with app.app_context():
        users = [
            User(username=f"封箱并发{n}", display_name=f"考核员{n}", role=Role.HR.value, password_hash="-")
            for n in range(count)
        ]
        db.session.add_all(users)
        db.session.commit()
        return [(u.id, Signer(Role.HR, None, u.display_name, user_id=u.id)) for u in users]


def test_a_round_sealed_while_sheets_arrive_keeps_totals_of_exactly_the_sheets_it_took(app: Flask) -> None:
    """Sealing stores each post's totals (what month and year rankings read); a signed sheet arriving at the
    same moment is either counted in them or refused (410), never stored beside them uncounted."""
    rnd = demo_round(app)
    with app.app_context():
        posts = [
            (e.post.code, [ItemEntry(i.id, (0,)) for i in e.standard_version.items])
            for e in db.session.scalars(select(RoundPost).where(RoundPost.round_id == rnd.id))
        ]
    signers = _hr_signers(app, THREADS - 1)
    refused: list[str] = []

    def work(thread: int) -> None:
        if thread == 0:  # seals once a few sheets are in, while the others keep sending
            for _ in range(500):
                if (db.session.scalar(select(func.count()).where(Sheet.round_id == rnd.id)) or 0) >= 3:
                    break
                time.sleep(0.01)
            step_round(ORGANISER, rnd.id, RoundAction.SEAL)
            return
        user_id, signer = signers[thread - 1]
        for code, entries in posts:
            try:
                submit_signed_sheet(rnd.id, code, signer, user_id, uuid.uuid4(), entries)
            except SubmitRefused as refusal:
                refused.append(refusal.code)
            db.session.remove()

    _, errors = together(app, work)
    assert errors == []
    assert set(refused) <= {"round_closed"}
    with app.app_context():
        stored = db.session.scalars(select(Sheet.score).where(Sheet.round_id == rnd.id)).all()
        totals = db.session.scalars(select(RoundTotal).where(RoundTotal.round_id == rnd.id)).all()
        assert sum(t.sheets for t in totals) == len(stored) >= 3
        assert sum(t.total for t in totals) == sum(stored)
