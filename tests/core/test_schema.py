"""The migrations and the models agree: a database migrated to head has exactly the tables, columns, indexes and
constraints the models declare (Alembic's autogenerate finds nothing to add or drop)."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from core.storage.migrate import alembic_config
from core.storage.models import Base


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []


def test_migrations_form_one_line() -> None:
    """Two migrations written on parallel branches both claim the same parent; renumber the later one."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads}"
