"""The Alembic revisions build exactly the schema the SQLModel tables describe, on every backend."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db.migrate import context_options, current_revision, head_revision, upgrade_to_head


def test_migrated_database_has_no_pending_autogenerate_diff(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=context_options(conn))
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrated_tables_are_the_model_tables(engine):
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(SQLModel.metadata.tables)


def test_upgrade_twice_is_a_no_op(engine):
    upgrade_to_head(engine)
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()


def test_migrated_database_is_at_head(engine):
    assert current_revision(engine) == head_revision()
