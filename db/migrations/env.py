"""Alembic environment: SQLModel.metadata on a given connection, `-x url=` or the configured DB."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers every table on SQLModel.metadata)
from core.kernel.config import get_settings
from db.engine import make_engine, normalize_url
from db.migrate import context_options, migration_transaction

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    """`alembic -x url=...` wins over DATABASE_URL and the embedded SQLite default."""
    return normalize_url(
        context.get_x_argument(as_dictionary=True).get("url") or get_settings().url
    )


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=target_metadata, **context_options(connection)
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        render_as_batch=make_url(url).get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        # db.migrate.upgrade_to_head (app start, tests) passes its locked connection.
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with migration_transaction(engine) as conn:
            _run(conn)
    finally:
        engine.dispose()


if config.config_file_name is not None and "connection" not in config.attributes:
    # Only from the alembic command line: never reconfigure the app's or pytest's logging.
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
