"""Alembic environment of the group catalogue (group mode): its own engine, schema and metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy import text

from inspect_app import tenancy
from inspect_app.group.models import GroupBase

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

engine = tenancy.group_state().catalogue


def run_migrations_online() -> None:
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {tenancy.GROUP_SCHEMA}"))
            connection.commit()
        context.configure(connection=connection, target_metadata=GroupBase.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("the group catalogue is migrated online only")
run_migrations_online()
