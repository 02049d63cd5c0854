"""Bring a database to the schema of :mod:`ideapump.store.tables` with Alembic.

:func:`migrate` runs on every start (``Registry.connect``) and as ``ideapump db
upgrade``: it applies the revisions in ``ideapump/store/migrations/versions``
that the database has not seen, in one transaction, under a lock so that
several workers starting together migrate once (a PostgreSQL advisory lock; a
file lock beside a SQLite database). A database made by IdeaPump 0.1.0, which
created its tables without Alembic, is taken up by the baseline revision.

For developers changing a table: edit :mod:`ideapump.store.tables`, then
``ideapump db revision -m "what changed"`` writes the migration to review.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from ideapump.errors import StoreError

SCRIPTS = "ideapump.store:migrations"
#: An arbitrary constant: the PostgreSQL advisory lock IdeaPump's migrations hold.
_PG_LOCK = 0x1DEA9_0001


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPTS)
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision this IdeaPump knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated, e.g. made by 0.1.0)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migration_lock(engine: Engine, conn: Connection) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        yield
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    lock = Path(database).with_name(Path(database).name + ".migrate.lock")
    with lock.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def migrate(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the database to ``revision``; returns (revision before, revision after).

    A database already at ``revision`` costs one query.
    """
    before = current_revision(engine)
    if revision == "head" and before == head_revision():
        return before, before
    if before is not None:
        try:
            ScriptDirectory.from_config(_config()).get_revision(before)
        except CommandError:
            raise StoreError(
                f"the database is at schema revision {before!r}, which this IdeaPump does not "
                "know: it was upgraded by a newer IdeaPump. Install that version (or newer)",
                setting="IDEAPUMP_STORE__DATABASE_URL",
            ) from None
    with engine.begin() as conn, _migration_lock(engine, conn):
        command.upgrade(_config(conn), revision)
    return before, current_revision(engine)


def require_head(engine: Engine) -> None:
    """Refuse a database whose schema is behind this IdeaPump (auto-migration is off)."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise StoreError(
            f"the database schema is at revision {current or 'none'}, this IdeaPump needs "
            f"{head}: run `ideapump db upgrade` (or set IDEAPUMP_STORE__MIGRATE_ON_START=true)",
            setting="IDEAPUMP_STORE__MIGRATE_ON_START",
        )


def new_revision(engine: Engine, message: str) -> list[Path]:
    """Write a migration for what :mod:`ideapump.store.tables` changed (developers, review it)."""
    with engine.begin() as conn:
        scripts = command.revision(_config(conn), message=message, autogenerate=True)
    found = scripts if isinstance(scripts, list) else [scripts]
    return [Path(s.path) for s in found if s is not None]
