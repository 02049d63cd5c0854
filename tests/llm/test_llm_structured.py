"""generate_structured: JSON-schema constrained requests, validation, bounded re-asks."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx
from pydantic import BaseModel, Field

from ideapump.config import Settings, get_settings
from ideapump.errors import LLMAuthError, LLMOutputError
from ideapump.llm import agenerate_structured, generate_structured, make_chat_model
from ideapump.llm.structured import parse_json_reply
from tests.openai_mock import completion


class Proposal(BaseModel):
    title: str
    sample_size: int = Field(ge=2)


GOOD = json.dumps({"title": "Pupil and exploration", "sample_size": 40})
MESSAGES = [("system", "You are a colleague."), ("user", "Propose one experiment.")]


def _body(call: respx.models.Call) -> dict:
    return json.loads(call.request.content)


def test_json_schema_request_and_parse(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").respond(json=completion(GOOD))
    result = generate_structured(make_chat_model(settings), MESSAGES, Proposal)

    assert result == Proposal(title="Pupil and exploration", sample_size=40)
    body = _body(route.calls.last)
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "Proposal"
    assert fmt["json_schema"]["schema"] == Proposal.model_json_schema()
    assert body["max_tokens"] == 77
    # the system prompt is unchanged (a prefix shared by every call, which llama.cpp
    # caches); the contract ends the user message, fields only: the server enforces them
    system, user = body["messages"]
    assert system["role"] == "system" and system["content"] == MESSAGES[0][1]
    assert user["role"] == "user" and user["content"].startswith("Propose one experiment.")
    assert "- sample_size" in user["content"] and "JSON schema" not in user["content"]


def test_malformed_json_is_asked_again_with_the_error(
    settings: Settings, api: respx.MockRouter
) -> None:
    route = api.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(200, json=completion('{"title": "Half an obj')),
            httpx.Response(200, json=completion(json.dumps({"title": "T", "sample_size": 1}))),
            httpx.Response(200, json=completion(GOOD)),
        ]
    )
    result = generate_structured(make_chat_model(settings), MESSAGES, Proposal)
    assert result.sample_size == 40
    assert route.call_count == 3

    second = _body(route.calls[1])["messages"]
    assert second[-2] == {"role": "assistant", "content": '{"title": "Half an obj'}
    assert second[-1]["role"] == "user"
    assert "not valid JSON" in second[-1]["content"] or "not JSON" in second[-1]["content"]
    third = _body(route.calls[2])["messages"]
    assert "sample_size" in third[-1]["content"]  # the pydantic error names the field
    assert "greater than or equal to 2" in third[-1]["content"]


def test_gives_up_after_the_bound(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").respond(json=completion("I cannot do JSON, sorry"))
    with pytest.raises(LLMOutputError) as exc:
        generate_structured(make_chat_model(settings), MESSAGES, Proposal)
    assert route.call_count == 3  # 1 + structured_output_retries (2)
    assert exc.value.setting == "IDEAPUMP_LLM__STRUCTURED_OUTPUT_RETRIES"
    assert "Proposal" in str(exc.value)

    route.reset()
    with pytest.raises(LLMOutputError):
        generate_structured(make_chat_model(settings), MESSAGES, Proposal, retries=0)
    assert route.call_count == 1


def test_truncated_output_names_the_output_cap(settings: Settings, api: respx.MockRouter) -> None:
    api.post("/chat/completions").respond(json=completion('{"title": "lo', finish="length"))
    with pytest.raises(LLMOutputError) as exc:
        generate_structured(make_chat_model(settings), MESSAGES, Proposal, retries=1)
    assert exc.value.setting == "IDEAPUMP_LLM__MAX_OUTPUT_TOKENS"


def test_auto_mode_falls_back_when_json_schema_is_refused(api: respx.MockRouter) -> None:
    settings = get_settings(
        llm={"base_url": "http://llm.test/v1", "model": "old-server", "max_retries": 0}
    )
    route = api.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(
                400, json={"error": {"message": "response_format json_schema is not supported"}}
            ),
            httpx.Response(200, json=completion(f"Sure!\n```json\n{GOOD}\n```")),
            httpx.Response(200, json=completion(GOOD)),
        ]
    )
    llm = make_chat_model(settings)
    assert generate_structured(llm, MESSAGES, Proposal).sample_size == 40
    assert "response_format" in _body(route.calls[0])
    assert "response_format" not in _body(route.calls[1])
    # remembered for this endpoint: no second refused request
    generate_structured(llm, MESSAGES, Proposal)
    assert "response_format" not in _body(route.calls[2])
    assert route.call_count == 3


def test_json_schema_mode_does_not_fall_back(api: respx.MockRouter) -> None:
    settings = get_settings(
        llm={
            "base_url": "http://llm.test/v1",
            "model": "m",
            "structured_output": "json_schema",
            "api_key": "k",
        }
    )
    api.post("/chat/completions").respond(401, json={"error": {"message": "bad key"}})
    with pytest.raises(LLMAuthError):
        generate_structured(make_chat_model(settings), MESSAGES, Proposal)


def test_json_mode_sends_no_response_format(api: respx.MockRouter) -> None:
    settings = get_settings(
        llm={"base_url": "http://llm.test/v1", "model": "m", "structured_output": "json"}
    )
    route = api.post("/chat/completions").respond(json=completion(GOOD))
    generate_structured(make_chat_model(settings), [("user", "Propose.")], Proposal)
    body = _body(route.calls.last)
    assert "response_format" not in body
    # nothing enforces the schema: the whole schema ends the user message
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert "JSON schema" in body["messages"][0]["content"]
    assert '"sample_size"' in body["messages"][0]["content"]


def test_async_structured(settings: Settings, api: respx.MockRouter) -> None:
    api.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(200, json=completion("nope")),
            httpx.Response(200, json=completion(GOOD)),
        ]
    )
    result = asyncio.run(agenerate_structured(make_chat_model(settings), MESSAGES, Proposal))
    assert result.title == "Pupil and exploration"


@pytest.mark.parametrize(
    "text",
    [GOOD, f"```json\n{GOOD}\n```", f"Here it is: {GOOD} Hope it helps.", f"```\n{GOOD}\n```"],
)
def test_parse_json_reply_is_lenient_about_wrapping(text: str) -> None:
    assert parse_json_reply(text, Proposal).sample_size == 40


def test_parse_json_reply_rejects_non_json() -> None:
    with pytest.raises(ValueError):
        parse_json_reply("no braces at all", Proposal)
