"""``ideapump keys`` and the loopback rule of ``ideapump serve``."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from ideapump.api.storage import ServiceStore
from ideapump.cli import app
from ideapump.cli.serve import choose_host
from ideapump.config import get_settings
from ideapump.errors import NotFoundError
from ideapump.runtime import Runtime


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_keys_create_list_revoke() -> None:
    created = run("keys", "create", "--library", "lab-a", "--name", "alice", "--json")
    assert created.exit_code == 0, created.output
    key = json.loads(created.stdout)
    assert key["library"] == "lab-a" and key["key"].startswith("ipk_")
    assert ServiceStore(Runtime(get_settings()).registry).find_key(key["key"]) is not None

    listed = json.loads(run("keys", "list", "--json").stdout)
    assert [(k["key_id"], k["library"], k["revoked"]) for k in listed] == [
        (key["key_id"], "lab-a", "no")
    ]
    assert key["key"] not in run("keys", "list").stdout

    assert run("keys", "revoke", key["key_id"]).exit_code == 0
    assert json.loads(run("keys", "list", "--json").stdout) == []
    again = run("keys", "revoke", key["key_id"])
    assert isinstance(again.exception, NotFoundError) and "no active key" in str(again.exception)


def test_serve_without_keys_binds_loopback_only() -> None:
    host, note = choose_host("0.0.0.0", keys=0)
    assert host == "127.0.0.1" and note and "ideapump keys create" in note
    host, note = choose_host("127.0.0.1", keys=0)
    assert host == "127.0.0.1" and note and "open" in note
    assert choose_host("0.0.0.0", keys=2) == ("0.0.0.0", None)
