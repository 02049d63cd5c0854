"""Alembic migrations: new databases, databases made by 0.1.0 (SQLite and PostgreSQL), and
databases from a newer IdeaPump.

``tests/data/db/ideapump-0.1.0.sql`` and ``...postgres.sql`` are dumps of databases made
by IdeaPump 0.1.0 (commit 1cc4725, which created its tables with ``create_all``): a
document, an API key, and a conversation with two messages, without the digest tables.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from ideapump.api.storage import ServiceStore
from ideapump.digest.state import DigestState
from ideapump.errors import StoreError
from ideapump.store import schema
from ideapump.store.registry import Registry
from ideapump.store.tables import Base

DUMPS = Path(__file__).resolve().parents[1] / "data" / "db"
LEGACY_DOC = "0123456789abcdef0123456789abcdef"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def legacy_sqlite(tmp_path: Path) -> str:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript((DUMPS / "ideapump-0.1.0.sql").read_text(encoding="utf-8"))
    return sqlite_url(db)


def check_legacy_rows(registry: Registry) -> None:
    """What 0.1.0 stored is all there, and every table of this release works on it."""
    doc = registry.resolve("lab-a", LEGACY_DOC[:8])
    assert doc.title == "A legacy paper" and doc.page_texts == ["Some text on page one."]
    store = ServiceStore(registry)
    (conv,) = store.conversations("lab-a")
    messages = store.messages(conv.conv_id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].extras["citations"][0]["quote"] == "Some text on page one."
    (key,) = store.list_keys()
    assert key.name == "legacy key" and key.library == "lab-a"
    store.add_message(conv.conv_id, "user", "and now?")
    assert len(store.messages(conv.conv_id)) == 3
    state = DigestState(registry, "lab-a")  # tables 0.1.0 never created here
    state.add_feed("pupil size", "arxiv")
    assert [f.topic for f in state.feeds()] == ["pupil size"]


def test_a_new_database_gets_the_whole_schema(tmp_path: Path) -> None:
    registry = Registry.connect(sqlite_url(tmp_path / "new.db"))
    assert schema.current_revision(registry.engine) == schema.head_revision()
    with registry.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []  # the migrations build exactly the tables the code defines


def test_a_database_made_by_0_1_0_is_upgraded_in_place(tmp_path: Path) -> None:
    url = legacy_sqlite(tmp_path)
    assert schema.current_revision(create_engine(url)) is None
    registry = Registry.connect(url)
    assert schema.current_revision(registry.engine) == schema.head_revision()
    check_legacy_rows(registry)
    with registry.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    # opening it again changes nothing
    assert schema.migrate(registry.engine) == (schema.head_revision(),) * 2


def test_an_outdated_schema_is_refused_when_migration_on_start_is_off(tmp_path: Path) -> None:
    url = legacy_sqlite(tmp_path)
    with pytest.raises(StoreError, match="ideapump db upgrade"):
        Registry.connect(url, migrate_schema=False)
    runner = CliRunner()
    from ideapump.cli import app

    env = {"IDEAPUMP_STORE__DATABASE_URL": url}
    out = runner.invoke(app, ["db", "current"], env=env)
    assert out.exit_code == 0 and "database at none" in out.output
    out = runner.invoke(app, ["db", "upgrade"], env=env)
    assert out.exit_code == 0 and f"from none to {schema.head_revision()}" in out.output
    check_legacy_rows(Registry.connect(url, migrate_schema=False))
    out = runner.invoke(app, ["db", "upgrade"], env=env)
    assert "nothing to do" in out.output


def test_a_database_from_a_newer_ideapump_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "new.db")
    Registry.connect(url)
    with create_engine(url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    with pytest.raises(StoreError, match="newer IdeaPump"):
        Registry.connect(url)


# -- PostgreSQL (CI starts it: scripts/ci_services.sh) ------------------------------------

PG_URL = os.environ.get("CI_POSTGRES_URL", "")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema in the CI database; the URL puts it first on the search path."""
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI_POSTGRES_URL is not set: scripts/ci_services.sh did not run")
        pytest.skip("no PostgreSQL (CI_POSTGRES_URL)")
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    try:
        yield name
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def test_a_postgresql_database_made_by_0_1_0_is_upgraded(pg_schema: str) -> None:
    dump = (DUMPS / "ideapump-0.1.0.postgres.sql").read_text(encoding="utf-8")
    dump = dump.replace("SELECT pg_catalog.set_config('search_path', '', false);", "")
    dump = dump.replace("public.", "")
    url = f"{PG_URL}?options=-csearch_path%3D{pg_schema}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(dump)
    assert "alembic_version" not in inspect(engine).get_table_names()
    registry = Registry.connect(url)
    assert schema.current_revision(registry.engine) == schema.head_revision()
    check_legacy_rows(registry)
