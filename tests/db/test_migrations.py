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


def test_newest_revision_downgrades_and_upgrades_again(engine):
    from alembic import command

    from db.migrate import alembic_config, migration_transaction

    def run(step, target: str) -> None:
        with migration_transaction(engine) as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            step(config, target)

    run(command.downgrade, "-1")
    assert current_revision(engine) != head_revision()
    run(command.upgrade, "head")
    assert current_revision(engine) == head_revision()
    test_migrated_tables_are_the_model_tables(engine)
    test_migrated_database_has_no_pending_autogenerate_diff(engine)
