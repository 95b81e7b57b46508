"""``flask group …`` and ``flask mines …`` (group mode): the catalogue, the group's administrators, the
mines' databases, and the daily jobs run for every mine."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from inspect_app import tenancy
from inspect_app.domain.group import check_mine_rows
from inspect_app.domain.passwords import password_problem
from inspect_app.tables_in import FileRefused, read_upload

from . import services

ROOT = Path(__file__).resolve().parent.parent.parent


def upgrade_catalogue() -> None:
    from flask_migrate import upgrade

    upgrade(directory=str(ROOT / "migrations_group"))


@click.group("group")
def group_cli() -> None:
    """The group's catalogue and administrators (INSPECT_GROUP=true)."""


@group_cli.command("init")
@with_appcontext
def init_command() -> None:
    """Make or upgrade the catalogue (its tables; on PostgreSQL its schema)."""
    upgrade_catalogue()
    click.echo("The group catalogue is up to date.")


@group_cli.command("add-admin")
@with_appcontext
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name shown on screen.")
@click.password_option()
def add_admin_command(username: str, display_name: str, password: str) -> None:
    """A group administrator (asks the password)."""
    problem = password_problem(password, username, display_name)
    if problem:
        raise click.ClickException(f"password refused: {problem}")
    try:
        services.create_admin(username, display_name, password)
    except services.GroupRefused as refused:
        raise click.ClickException(refused.code) from None
    click.echo(f"Group administrator {username} added.")


@click.group("mines")
def mines_cli() -> None:
    """The group's mines (INSPECT_GROUP=true)."""


@mines_cli.command("list")
@with_appcontext
def list_command() -> None:
    for mine in services.mines(active_only=False):
        click.echo(f"{mine.code}\t{mine.short_name}\t{'' if mine.active else 'closed'}")


@mines_cli.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Mines and their first administrators from a spreadsheet (as on /group/mines)."""
    try:
        rows = read_upload(file.name, file.read_bytes(), services.MINES_LAYOUT)
    except FileRefused as refused:
        raise click.ClickException(f"file refused: {refused.code} {refused.detail}") from None
    found, problems = check_mine_rows(rows, services.mine_codes())
    if problems:
        for p in problems:
            click.echo(f"row {p.row} {p.column}: {p.code} {p.detail}", err=True)
        raise click.ClickException("nothing was added")
    for added in services.add_mines(found):
        click.echo(f"{added.code}\t{added.admin_username}\t{added.password}")


@mines_cli.command("upgrade")
@with_appcontext
def upgrade_command() -> None:
    """Migrate the catalogue, then every mine's database, to the newest schema."""
    upgrade_catalogue()
    for mine in services.mines(active_only=False):
        services.prepare_database(mine.code)
        click.echo(f"{mine.code}: up to date")


@mines_cli.command("each", context_settings={"ignore_unknown_options": True})
@with_appcontext
@click.argument("command")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def each_command(command: str, args: tuple[str, ...]) -> None:
    """Run a daily job for every active mine in turn, e.g. ``flask mines each run-plans``."""
    found = current_app.cli.get_command(click.get_current_context(), command)
    if found is None or command in ("mines", "group", "db", "run", "shell", "demo"):
        raise click.ClickException(f"no such job: {command}")
    for mine in services.mines():
        click.echo(f"== {mine.code}")
        with tenancy.use_mine(mine.code):
            found.main(list(args), prog_name=command, standalone_mode=False)


def init_app(app: Flask) -> None:
    app.cli.add_command(group_cli)
    app.cli.add_command(mines_cli)
