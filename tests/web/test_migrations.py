"""The database schema comes from Alembic migrations, and they match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from planner.web.models import Base, alembic_config, make_engine, make_sessions


def test_a_new_database_is_migrated_to_head_and_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    make_sessions(url)
    make_sessions(url)  # a second start finds it at head and changes nothing
    engine = make_engine(url)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == head
        # fails when a model changes without a migration: add one with
        #   alembic -c <ini with script_location = planner/web/migrations> revision --autogenerate -m "..."
        assert compare_metadata(context, Base.metadata) == []
