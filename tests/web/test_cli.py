"""The commands an operator runs: loading the demo once, creating accounts, and migrations matching models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import func, select

from inspect_app import demo, demo_data
from inspect_app.extensions import db
from inspect_app.models import (
    AnonSheet,
    BallotCard,
    Member,
    Post,
    Round,
    Sheet,
    StandardItem,
    StandardVersion,
    Unit,
    User,
)
from tests.conftest import reset_database


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_loads_the_seed_mine_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        reset_database()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo-2026" in result.output
    with app.app_context():
        assert count(Unit) == 6
        statuses = {name: status for name, status in db.session.execute(select(Post.name, Post.status))}
        assert (
            sum(status != "draft" and status not in ("applied", "review") for status in statuses.values())
            == 12
        )
        assert {"draft", "applied", "review", "listed", "expired", "revoked"} <= set(statuses.values())
        assert statuses["802溜子道"] == "revoked"  # as in the seed
        assert count(Member) >= 60
        assert count(User) == len(demo.DEMO_USERS)
        weekly = db.session.scalars(select(Round).where(Round.status == "open", Round.anonymous)).one()
        assert len(weekly.entries) == sum(status == "listed" for status in statuses.values())
        anonymous = select(func.count()).select_from(AnonSheet).where(AnonSheet.round_id == weekly.id)
        assert db.session.scalar(anonymous) == demo.PRESCORED_ANONYMOUS * demo.PRESCORING_CARDS
        cards = select(func.count()).select_from(BallotCard).where(BallotCard.round_id == weekly.id)
        assert db.session.scalar(cards) == demo.DEMO_CARDS
        signed = db.session.scalars(select(Round).where(Round.kind == "ten_day")).one()
        assert all("组织人事部" in e.post.assessor for e in signed.entries)
        open_sheets = select(func.count()).select_from(Sheet).where(Sheet.round_id == signed.id)
        assert db.session.scalar(open_sheets) == demo.PRESCORED * 2
        published = db.session.scalars(select(Round).where(Round.status == "published")).one()
        assert published.anonymous
        assert db.session.scalar(select(func.count()).where(AnonSheet.round_id == published.id)) > 0
        rebuilt = db.session.scalars(select(Post).where(Post.name == "804切眼")).one()
        assert [e.action for e in rebuilt.events].count("reject") == 2
        names = set(db.session.scalars(select(Post.name)))
        assert {"56804工作面运料巷", "1002溜子道", "802溜子道", "三水平上车场"} <= names
        for version in db.session.scalars(select(StandardVersion)):
            assert version.total_points == 100
    again = runner.invoke(args=["demo"])
    assert "already has data" in again.output
    with app.app_context():
        assert count(Post) == len(statuses)


def test_every_demo_standard_has_a_veto_item_and_real_deduction_rules(app: Flask) -> None:
    with app.app_context():
        for standard in demo_data.STANDARDS:
            assert sum(1 for item in standard.items if item.veto) == 1
            assert all("扣" in item.rule or item.veto for item in standard.items)
        assert count(StandardItem) == sum(len(s.items) for s in demo_data.STANDARDS)


def test_create_user_refuses_bad_input_with_a_message(app: Flask) -> None:
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=["create-user", "zhang", "--role", "hr", "--name", "张三", "--password", "s3cret-pass"]
    )
    assert ok.exit_code == 0, ok.output
    duplicate = runner.invoke(
        args=["create-user", "zhang", "--role", "hr", "--name", "张三", "--password", "x"]
    )
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output
    no_unit = runner.invoke(
        args=["create-user", "lisi", "--role", "branch_secretary", "--name", "李四", "--password", "x"]
    )
    assert no_unit.exit_code != 0
    assert "--unit" in no_unit.output


def test_migrations_match_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_an_older_demo_database_is_named_instead_of_asking_for_setup(app: Flask) -> None:
    """scripts/run on a demo database made before first-run setup: `flask demo` names it and it is served."""
    from inspect_app.models import Mine

    with app.app_context():
        db.session.delete(db.session.get(Mine, 1))
        db.session.commit()
    client = app.test_client()
    app.extensions.pop("inspect_mine", None)
    assert client.get("/posts/").headers["Location"].endswith("/setup/")
    result = app.test_cli_runner().invoke(args=["demo"])
    assert "demo mine's names" in result.output
    assert client.get("/p/S6C4M").status_code == 200
    with app.app_context():
        assert count(User) == len(demo.DEMO_USERS)  # no second administrator
