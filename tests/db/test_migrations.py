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


def test_times_of_day_downgrade_keeps_receptions_and_what_hangs_off_them(engine):
    """The times-of-day revision alters reception in place: on SQLite a table copy would
    cascade the follow-ups away when the old table is dropped."""
    from datetime import date, time

    from alembic import command
    from sqlalchemy import func, select
    from sqlmodel import Session

    from db.migrate import alembic_config, migration_transaction
    from db.models import Reception, ReceptionFollowUp, VisitorCategory

    with Session(engine) as session:
        visit = Reception(visit_date=date(2026, 3, 10), start_time=time(14), visitor_name_zh="訪客",
                          country="美國", category=VisitorCategory.OTHER)  # fmt: skip
        session.add(visit)
        session.commit()
        session.add(ReceptionFollowUp(reception_id=visit.id, action_item="寄送感謝函"))
        session.commit()

    def run(step, target: str) -> None:
        with migration_transaction(engine) as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            step(config, target)

    run(command.downgrade, "8b3f6c2d9e14")
    assert "start_time" not in {c["name"] for c in inspect(engine).get_columns("reception")}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ReceptionFollowUp)).scalar() == 1
    run(command.upgrade, "head")
    with Session(engine) as session:
        assert session.scalars(select(Reception)).one().start_time is None  # not kept down there
        assert session.scalar(select(func.count()).select_from(ReceptionFollowUp)) == 1
