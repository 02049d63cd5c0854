"""``ideapump keys create|list|revoke``: API keys, stored hashed, each mapped to a library."""

from __future__ import annotations

import typer
from rich.table import Table

from ideapump.api.storage import ServiceStore
from ideapump.cli.common import (
    JsonOption,
    LibraryOption,
    console,
    load_settings,
    open_runtime,
    print_json,
)

keys_app = typer.Typer(help="API keys for the service: each key sees one library.")


def _store() -> ServiceStore:
    return ServiceStore(open_runtime().registry)


@keys_app.command("create")
def create(
    library: str | None = LibraryOption,
    name: str = typer.Option("", "--name", help="Who or what the key is for."),
    json_out: bool = JsonOption,
) -> None:
    """Create a key; the secret is printed once and stored only as a hash."""
    settings = load_settings()
    row, secret = _store().create_key(library or settings.library, name)
    if json_out:
        print_json({"key_id": row.key_id, "library": row.library, "name": name, "key": secret})
        return
    console.print(f"key {row.key_id} for library [bold]{row.library}[/]:")
    console.print(secret, highlight=False, soft_wrap=True)
    console.print("[dim]Shown once: store it now (clients send 'Authorization: Bearer <key>').[/]")


@keys_app.command("list")
def list_keys(
    all_keys: bool = typer.Option(False, "--all", help="Include revoked keys."),
    json_out: bool = JsonOption,
) -> None:
    """Keys (ids, libraries, names; never the secrets)."""
    rows = _store().list_keys(include_revoked=all_keys)
    data: list[dict[str, str]] = [
        {
            "key_id": r.key_id,
            "library": r.library,
            "name": r.name,
            "created_at": r.created_at.isoformat(),
            "revoked": "yes" if r.revoked_at is not None else "no",
        }
        for r in rows
    ]
    if json_out:
        print_json(data)
        return
    table = Table("id", "library", "name", "created", "revoked")
    for d in data:
        table.add_row(d["key_id"], d["library"], d["name"], d["created_at"][:19], d["revoked"])
    console.print(table if data else "no keys (the service is open, on loopback only)")


@keys_app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="The key id from `ideapump keys list`.")) -> None:
    """Revoke a key: requests with it answer 401 from now on."""
    row = _store().revoke_key(key_id)
    console.print(f"revoked key {row.key_id} (library {row.library})")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
