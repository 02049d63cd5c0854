"""Every surface offers every capability of ideapump/capabilities.py, with the same arguments.

The table is the one declaration: a capability missing from the CLI, the API, the
facade, the notebook client or the async client, or offered there with other
arguments or defaults, fails here by name.
"""

from __future__ import annotations

import inspect
from typing import Any, get_args

import pytest
import typer.main

from ideapump.api import create_app
from ideapump.capabilities import CAPABILITIES, Capability, http_request
from ideapump.cli import app as cli_app
from ideapump.client import AsyncClient, Client
from ideapump.config import Settings
from ideapump.facade import IdeaPump
from ideapump.schemas import CritiqueRequest, SearchRequest

CAPS = sorted(CAPABILITIES.values(), key=lambda c: c.name)
#: Where a CLI option is spelled otherwise than the field (the CLI's documented names).
CLI_NAMES = {("propose", "n"): "n", ("propose", "k"): "k", ("check_stats", "text"): "target"}


def fields(cap: Capability) -> dict[str, Any]:
    return {name: f.default for name, f in cap.request.model_fields.items()}


def method_params(cls: type, name: str) -> dict[str, Any]:
    params = inspect.signature(getattr(cls, name)).parameters
    return {k: p.default for k, p in params.items() if k != "self"}


@pytest.mark.parametrize("cap", CAPS, ids=lambda c: c.name)
@pytest.mark.parametrize("surface", [IdeaPump, Client, AsyncClient], ids=lambda s: s.__name__)
def test_methods_take_the_requests_fields_with_its_defaults(surface: type, cap: Capability) -> None:
    assert hasattr(surface, cap.name), f"{surface.__name__} has no {cap.name}()"
    expected = {
        k: (inspect.Parameter.empty if v is not None and str(v) == "PydanticUndefined" else v)
        for k, v in fields(cap).items()
    }
    assert method_params(surface, cap.name) == expected


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("capabilities") / "h"
    return create_app(Settings(home=home)).openapi()


def _result_ref(result: Any) -> dict[str, Any]:
    """The OpenAPI schema of a capability's result: the model, or an array of it."""
    args = get_args(result)
    if args:
        return {"type": "array", "items": {"$ref": f"#/components/schemas/{args[0].__name__}"}}
    return {"$ref": f"#/components/schemas/{result.__name__}"}


@pytest.mark.parametrize("cap", CAPS, ids=lambda c: c.name)
def test_the_api_has_the_route(cap: Capability, openapi: dict[str, Any]) -> None:
    operation = openapi["paths"].get(cap.path, {}).get(cap.method.lower())
    assert operation is not None, f"no {cap.method} {cap.path}"
    shown = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert {k: v for k, v in shown.items() if k != "title"} == _result_ref(cap.result)
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    body_fields = set(fields(cap)) - set(cap.path_fields)
    if body_fields:
        assert body["schema"] == {"$ref": f"#/components/schemas/{cap.request.__name__}"}


@pytest.mark.parametrize("cap", CAPS, ids=lambda c: c.name)
def test_the_cli_has_the_command_with_an_option_per_field(cap: Capability) -> None:
    group = typer.main.get_command(cli_app)
    name = cap.name.replace("_", "-")
    command = group.commands.get(name)  # type: ignore[attr-defined]
    assert command is not None, f"no `ideapump {name}`"
    params = {p.name for p in command.params}
    for field in fields(cap):
        if cap.name == "check_stats" and field == "text":
            continue  # the CLI audits a file or an ingested document (its own TARGET)
        if cap.name == "search" and field == "doc_ids":
            continue  # scripts restrict a search by library, not by id list
        assert CLI_NAMES.get((cap.name, field), field) in params, f"{name}: no option {field}"


def test_chat_intents_are_capabilities() -> None:
    from ideapump.agent.events import Intent

    intents = {c.intent for c in CAPS if c.intent}
    assert intents <= set(get_args(Intent))
    assert intents == {"check_stats", "propose", "critique", "weigh"}


def test_http_requests_put_path_fields_in_the_path() -> None:
    assert http_request("critique", CritiqueRequest(doc_id="ab12cd")) == (
        "POST",
        "/documents/ab12cd/critique",
        None,
    )
    method, path, body = http_request("search", SearchRequest(query="pupil"))
    assert (method, path) == ("POST", "/search")
    assert body == {"query": "pupil", "k": 5, "doc_ids": None, "mode": "hybrid"}
