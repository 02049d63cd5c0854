"""Alembic's environment: migrate the connection :func:`ideapump.store.schema.migrate` hands in.

Used through ``ideapump db ...`` (and on every start); a bare ``alembic`` command
line is not needed. ``render_as_batch`` lets SQLite, which cannot ALTER most
column properties, take the same migrations as PostgreSQL (Alembic copies the
table).
"""

from __future__ import annotations

from alembic import context

from ideapump.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `ideapump db upgrade`, which supplies the database")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
