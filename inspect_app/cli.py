"""``flask --app inspect_app <command>``: demo data, account management, daily post expiry and upkeep."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from . import demo
from .auth.services import hash_password
from .database import write_transaction
from .domain.ballots import format_card
from .domain.enums import Role, values
from .extensions import db
from .models import Unit, User
from .photos.cleanup import remove_orphans


@click.command("demo")
@with_appcontext
@click.option("--no-sheets", is_flag=True, help="Load posts and standards but no sample sheets.")
def demo_command(no_sheets: bool) -> None:
    """Load the demo mine into an empty database (does nothing if data exists)."""
    if not demo.is_empty():
        click.echo("Database already has data; demo not loaded.")
        return
    demo.load(with_sheets=not no_sheets)
    click.echo(
        f"Demo loaded. Logins: {', '.join(u[0] for u in demo.DEMO_USERS)} / password {demo.DEMO_PASSWORD}"
    )
    codes = enumerate(demo.demo_card_codes(), 1)
    cards = ", ".join(f"{i}: {format_card(c)}" for i, c in codes if i > demo.PRESCORING_CARDS)
    click.echo(f"Ballot cards of this week's anonymous check (unused): {cards}")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(values(Role)), required=True)
@click.option("--name", "display_name", required=True, help="Name shown on screen.")
@click.option("--unit", "unit_code", help="Unit code (required for branch secretaries).")
@click.password_option()
def create_user_command(
    username: str, role: str, display_name: str, unit_code: str | None, password: str
) -> None:
    """Create a login."""
    unit = db.session.query(Unit).filter_by(code=unit_code).one_or_none() if unit_code else None
    if unit_code and unit is None:
        raise click.BadParameter(f"no unit with code {unit_code!r}", param_hint="--unit")
    if role == Role.BRANCH_SECRETARY and unit is None:
        raise click.BadParameter("a branch secretary needs --unit", param_hint="--unit")
    if db.session.query(User.id).filter_by(username=username).first():
        raise click.BadParameter(f"user {username!r} already exists", param_hint="USERNAME")
    with write_transaction():
        db.session.add(
            User(
                username=username,
                display_name=display_name,
                role=role,
                unit=unit,
                password_hash=hash_password(password),
            )
        )
    click.echo(f"Created {username} ({role}).")


@click.command("expire-posts")
@with_appcontext
def expire_posts_command() -> None:
    """Mark listed posts past their end date as expired (已到期). Run daily, e.g. from cron."""
    from datetime import date

    from .audit import SYSTEM_ACTOR
    from .posts.services import expire_due

    codes = expire_due(SYSTEM_ACTOR, date.today())
    click.echo(f"Expired {len(codes)} post(s): {', '.join(codes) or '-'}")


@click.command("photos-cleanup")
@with_appcontext
@click.option("--wait", default=120, show_default=True, help="Seconds an orphan must stay unreferenced.")
def photos_cleanup_command(wait: int) -> None:
    """Delete stored photos no sheet references (left by requests that failed after writing them)."""
    removed = remove_orphans(wait)
    click.echo(f"{removed} orphan photo files removed.")


@click.command("forget-order")
@with_appcontext
def forget_order_command() -> None:
    """Finish what sealing anonymous rounds could not (run daily): held photos of closed rounds written into
    the store, SQLite's WAL truncated, PostgreSQL's anonymous tables rewritten in key order."""
    from .ballot.sealing import forget_everywhere

    released, done = forget_everywhere()
    state = "yes" if done else "busy, try again"
    click.echo(f"photo batches released: {released}; database rewritten: {state}")
    if not done:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(forget_order_command)
    app.cli.add_command(expire_posts_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(photos_cleanup_command)
