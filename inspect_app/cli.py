"""``flask --app inspect_app <command>``: demo data, account management, daily post expiry and upkeep."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from . import clock, demo, tenancy
from .domain.ballots import format_card
from .domain.enums import Role, values
from .extensions import db
from .models import Unit
from .photos.cleanup import remove_orphans


@click.command("demo")
@with_appcontext
@click.option("--no-sheets", is_flag=True, help="Load posts and standards but no sample sheets.")
def demo_command(no_sheets: bool) -> None:
    """Load the demo mine into an empty database (does nothing if data exists)."""
    if not demo.is_empty():
        if demo.name_an_older_demo():
            click.echo("An older demo database: it now carries the demo mine's names (first-run setup done).")
        click.echo("Database already has data; demo not loaded.")
        return
    demo.load(with_sheets=not no_sheets)
    click.echo(
        f"Demo loaded. Logins: {', '.join(u[0] for u in demo.DEMO_USERS)} / password {demo.DEMO_PASSWORD}"
    )
    codes = enumerate(demo.demo_card_codes(), 1)
    cards = ", ".join(f"{i}: {format_card(c)}" for i, c in codes if i > demo.PRESCORING_CARDS)
    click.echo(f"Ballot cards of this week's anonymous check (unused): {cards}")


@click.command("init-mine")
@with_appcontext
@click.option("--name", required=True, help="The mine's full name, e.g. 山东能源集团××煤矿.")
@click.option("--short-name", required=True, help="Short name for page titles, e.g. ××煤矿.")
@click.option("--committee", help="The Party committee as printed on documents (default 中共<short>委员会).")
@click.option("--time-zone", default="Asia/Shanghai", show_default=True, help="IANA zone of the mine.")
@click.option(
    "--base-url", default="", help="Public address printed into QR codes, e.g. https://inspect.example.cn"
)
@click.option("--doc-code", default="", help="发文机关代字 before the year in document numbers, e.g. 矿党发.")
@click.option("--admin", "username", help="First administrator's username (on a database without accounts).")
@click.option("--admin-name", "display_name", help="First administrator's name shown on screen.")
def init_mine_command(
    name: str, short_name: str, committee: str | None, time_zone: str, base_url: str, doc_code: str,
    username: str | None, display_name: str | None,
) -> None:  # fmt: skip
    """First-run setup without a browser: the mine's names, time zone and first administrator (once)."""
    from .domain.mine import MineFields, committee_suggestion
    from .domain.passwords import password_problem
    from .setup.services import FirstAdmin, SetupRefused, has_accounts, init_mine

    short = short_name.strip()
    committee_name = (committee or committee_suggestion(short)).strip()
    fields = MineFields(
        name.strip(), short, committee_name, time_zone.strip(), base_url.strip().rstrip("/"), doc_code.strip()
    )
    admin = None
    if not has_accounts():
        if not username or not display_name:
            raise click.UsageError(
                "an empty database needs --admin and --admin-name for the first administrator"
            )
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = password_problem(password, username, display_name)
        if problem:
            raise click.UsageError(f"password refused: {problem}")
        admin = FirstAdmin(username, display_name, password)
    try:
        init_mine(fields, admin)
    except SetupRefused as refused:
        details = ", ".join(f"{k}: {v}" for k, v in refused.problems.items())
        raise click.ClickException(f"setup refused: {refused.code} {details}".strip()) from None
    click.echo(f"Set up {fields.short_name} ({fields.time_zone}).")


@click.command("setup-key")
@with_appcontext
def setup_key_command() -> None:
    """Print the key the web setup page (/setup) asks for."""
    from .setup.services import setup_key

    click.echo(setup_key())


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
    """Create a login with the given password (kept to the password policy; no change forced)."""
    from .accounts.services import AccountInput, AccountRefused, create_account, open_units
    from .audit import SYSTEM_ACTOR

    unit_id = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code, Unit.closed_on.is_(None)))
        if unit is None:
            codes = (
                ", ".join(u.code for u in open_units()) or "none yet (run flask init-mine, then add units)"
            )
            raise click.BadParameter(
                f"no open unit with code {unit_code!r}; unit codes: {codes}", param_hint="--unit"
            )
        unit_id = unit.id
    data = AccountInput(username, display_name, role, unit_id)
    try:
        create_account(SYSTEM_ACTOR, data, password=password)
    except AccountRefused as refused:
        hint, message = _CLI_REFUSALS.get(refused.code, ("", refused.code))
        if refused.problem:
            message = f"{message}: {refused.problem.replace('_', ' ')}"
        raise click.BadParameter(message, param_hint=hint or None) from None
    click.echo(f"Created {username.strip().lower()} ({role}).")


#: ``AccountRefused`` codes as the command line says them: (option at fault, message)
_CLI_REFUSALS = {
    "bad_username": ("USERNAME", "3 to 64 characters: ASCII letters, digits and . _ -"),
    "username_taken": ("USERNAME", "this user already exists"),
    "bad_display_name": ("--name", "one line of at most 64 characters"),
    "unit_required": ("--unit", "a branch secretary needs --unit"),
    "unit_not_allowed": ("--unit", "only a branch secretary has a unit"),
    "unknown_unit": ("--unit", "no such open unit"),
    "weak_password": ("--password", "password refused by the policy"),
}


@click.command("expire-posts")
@with_appcontext
def expire_posts_command() -> None:
    """Mark listed posts past their end date as expired (已到期). Run daily, e.g. from cron."""

    from .audit import SYSTEM_ACTOR
    from .posts.services import expire_due

    codes = expire_due(SYSTEM_ACTOR, clock.today())
    click.echo(f"Expired {len(codes)} post(s): {', '.join(codes) or '-'}")


@click.command("run-plans")
@with_appcontext
def run_plans_command() -> None:
    """Make and open the rounds of the year's plan whose period opens today (the mine's date). Run daily,
    e.g. from cron or a systemd timer; running it twice, or on two servers at once, makes each round once."""
    from .plans.services import run_plans

    made = run_plans(clock.today())
    for line in made:
        click.echo(f"{line.outcome}: {line.title}" + (f" (round {line.round_id})" if line.round_id else ""))
    created = sum(1 for line in made if line.outcome == "created")
    click.echo(f"{clock.today().isoformat()}: {created} round(s) created and opened, {len(made)} due.")


@click.command("notify")
@with_appcontext
@click.option("--limit", type=int, help="Send at most this many messages in this run.")
def notify_command(limit: int | None) -> None:
    """Send the waiting work-chat and e-mail messages, each once (safe every minute, and twice at once)."""
    from .notify.sender import deliver

    done = deliver(limit)
    shown = ", ".join(f"{k} {v}" for k, v in sorted(done.counts.items())) or "nothing due"
    click.echo(f"notify: {shown}")


@click.command("remind")
@with_appcontext
def remind_command() -> None:
    """Write today's reminders (deadlines, overdue fixes, re-checks, notes, rounds short of sheets) to the
    outbox; once a day, e.g. at 07:30. Running it again the same day writes nothing new."""
    from .notify.reminders import remind

    done = remind(clock.today())
    shown = ", ".join(f"{k} {v}" for k, v in sorted(done.counts.items()) if v) or "nothing new"
    click.echo(f"{clock.today().isoformat()} reminders: {shown}")


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
    app.cli.add_command(run_plans_command)
    app.cli.add_command(notify_command)
    app.cli.add_command(remind_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(init_mine_command)
    app.cli.add_command(setup_key_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(photos_cleanup_command)
    if tenancy.is_group(app):
        from .group.cli import init_app as group_commands

        group_commands(app)
