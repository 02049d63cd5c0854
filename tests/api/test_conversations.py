"""Conversations: streamed typed events, stored history across restarts, trimming, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from ideapump.api import create_app
from ideapump.api.chat import Turn, fit_history, grounded_reply
from ideapump.config import Settings
from tests.api.conftest import llm_requests, parse_sse, upload
from tests.api.test_basics import assert_error

pytestmark = pytest.mark.anyio

NOTE = (
    "# Atomoxetine pilot\n\nAtomoxetine increased baseline pupil size and made mice explore "
    "more in the foraging task (n = 12)."
)


async def ask(client: httpx.AsyncClient, conv: str, text: str) -> list[tuple[str, Any]]:
    r = await client.post(f"/conversations/{conv}/messages", json={"content": text})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    return parse_sse(r.text)


async def test_reply_streams_citations_tokens_and_done(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    doc_id = (await upload(client, "atx.md", NOTE))["outcomes"][0]["doc_id"]
    conv = (await client.post("/conversations", json={"title": "pupils"})).json()["conv_id"]
    events = await ask(client, conv, "What did atomoxetine do to pupil size and exploration?")
    kinds = [k for k, _ in events]
    assert kinds == ["citation", "token", "token", "token", "done"]
    citation = events[0][1]
    assert citation["n"] == 1 and citation["doc_id"] == doc_id and citation["page"] == 1
    assert "Atomoxetine increased" in citation["quote"]
    done = events[-1][1]
    assert done["text"] == "Hello there [1]." and done["citations"][0]["doc_id"] == doc_id

    detail = (await client.get(f"/conversations/{conv}")).json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"]
    assert detail["messages"][1]["content"] == "Hello there [1]."
    assert detail["messages"][1]["citations"][0]["title"] == "Atomoxetine pilot"
    assert detail["messages"][1]["message_id"] == done["message_id"]

    sent = llm_requests(llm)[0]
    assert sent["stream"] is True
    assert [m["role"] for m in sent["messages"]] == ["system", "system", "user"]
    assert 'ref="1"' in sent["messages"][1]["content"]


async def test_history_survives_a_restart_and_reaches_the_model(
    settings: Settings, embeddings: Any, llm: respx.MockRouter
) -> None:
    transport = httpx.ASGITransport(
        app=create_app(settings, embeddings=embeddings, engine=grounded_reply)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        conv = (await c.post("/conversations", json={})).json()["conv_id"]
        await ask(c, conv, "We see larger pupils under atomoxetine. What next?")
    # a new app on the same data dir: a restarted server
    transport = httpx.ASGITransport(
        app=create_app(settings, embeddings=embeddings, engine=grounded_reply)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        listed = (await c.get("/conversations")).json()
        assert [x["conv_id"] for x in listed] == [conv]
        assert listed[0]["title"].startswith("We see larger pupils")
        await ask(c, conv, "And the controls?")
    second = llm_requests(llm)[1]["messages"]
    assert [m["role"] for m in second] == ["system", "system", "user", "assistant", "user"]
    assert second[2]["content"].startswith("We see larger pupils")
    assert second[3]["content"] == "Hello there [1]."


def test_fit_history_drops_whole_old_turns_never_mid_message() -> None:
    history = [Turn("user", "a" * 3000), Turn("assistant", "b" * 3000), Turn("user", "c" * 300)]
    history.append(Turn("assistant", "d" * 300))
    kept, omitted = fit_history(history, budget=400)
    assert omitted == 2 and [t.content for t in kept] == ["c" * 300, "d" * 300]
    kept, omitted = fit_history(history, budget=10_000)
    assert omitted == 0 and kept == history
    # a budget that would start on an assistant reply starts at the next user turn instead
    kept, omitted = fit_history(history, budget=110)
    assert kept == [] and omitted == 4


async def test_long_conversation_is_trimmed_with_a_note(
    settings: Settings, embeddings: Any, llm: respx.MockRouter
) -> None:
    small = settings.model_copy(
        update={
            "llm": settings.llm.model_copy(update={"context_size": 2048, "max_output_tokens": 256})
        }
    )
    transport = httpx.ASGITransport(
        app=create_app(small, embeddings=embeddings, engine=grounded_reply)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        conv = (await c.post("/conversations", json={})).json()["conv_id"]
        for i in range(4):
            await ask(c, conv, f"Question {i}: " + "long context words " * 120)
    last = llm_requests(llm)[-1]["messages"]
    notes = [m for m in last if m["role"] == "system" and "not shown" in m["content"]]
    assert len(notes) == 1 and "earlier message(s)" in notes[0]["content"]
    users = [m["content"] for m in last if m["role"] == "user"]
    assert users[-1].startswith("Question 3") and all(u.endswith("words ") for u in users)


async def test_llm_failure_mid_stream_is_an_error_event(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").respond(401, json={"error": {"message": "bad key"}})
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    events = await ask(client, conv, "hello")
    assert events[-1][0] == "error"
    assert events[-1][1]["error"]["type"] == "llm_auth_error"
    messages = (await client.get(f"/conversations/{conv}")).json()["messages"]
    assert [m["role"] for m in messages] == ["user"]  # no empty reply stored


async def test_conversation_crud(client: httpx.AsyncClient) -> None:
    conv = (await client.post("/conversations")).json()
    assert conv["title"] == "" and conv["library"] == "default"
    assert (await client.delete(f"/conversations/{conv['conv_id']}")).status_code == 204
    assert_error(await client.get(f"/conversations/{conv['conv_id']}"), 404, "not_found")
    r = await client.post(f"/conversations/{conv['conv_id']}/messages", json={"content": ""})
    assert_error(r, 422, "invalid_request")
