"""``ideapump db upgrade|current|revision``: the SQL schema, migrated with Alembic.

Every process migrates the database when it opens it (unless
IDEAPUMP_STORE__MIGRATE_ON_START=false); these commands are for operators who
migrate by hand before starting workers, and for developers changing a table.
"""

from __future__ import annotations

import typer

from ideapump.cli.common import JsonOption, console, load_settings, print_json
from ideapump.store import schema
from ideapump.store.registry import Registry

db_app = typer.Typer(help="The SQL database's schema (Alembic migrations).")


def _registry() -> Registry:
    return Registry.connect(load_settings().database_url, migrate_schema=None)


@db_app.command("upgrade")
def upgrade(
    revision: str = typer.Argument("head", help="Revision to upgrade to (default: the newest)."),
) -> None:
    """Apply the migrations the database lacks (several workers may run it at once)."""
    before, after = schema.migrate(_registry().engine, revision)
    if before == after:
        console.print(f"the database is at revision {after}: nothing to do", highlight=False)
    else:
        console.print(f"upgraded the database from {before or 'none'} to {after}", highlight=False)


@db_app.command("current")
def current(json_out: bool = JsonOption) -> None:
    """Show the database's schema revision and the newest one this IdeaPump knows."""
    now, head = schema.current_revision(_registry().engine), schema.head_revision()
    if json_out:
        print_json({"current": now, "head": head, "up_to_date": now == head})
        return
    state = "up to date" if now == head else "run `ideapump db upgrade`"
    console.print(f"database at {now or 'none'}; newest {head}: {state}", highlight=False)


@db_app.command("revision")
def revision(
    message: str = typer.Option(..., "-m", "--message", help="What the schema change is."),
) -> None:
    """(Developers) write a migration for what ideapump/store/tables.py changed; review it.

    Compares the tables with a database at the newest revision, so run it against
    an up-to-date database (e.g. IDEAPUMP_HOME=$(mktemp -d) after `ideapump db upgrade`).
    """
    registry = _registry()
    schema.require_head(registry.engine)
    for path in schema.new_revision(registry.engine, message):
        console.print(f"wrote {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
