"""Conversations: streamed typed events, stored history across restarts, trimming, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from ideapump.api import create_app
from ideapump.api.chat import Turn, fit_history
from ideapump.config import Settings
from tests import openai_mock
from tests.api.conftest import echo, llm_requests, parse_sse, upload
from tests.api.test_basics import assert_error

pytestmark = pytest.mark.anyio

NOTE = (
    "# Atomoxetine pilot\n\nAtomoxetine increased baseline pupil size and made mice explore "
    "more in the foraging task (n = 12)."
)
ANSWER = echo(NOTE.split("\n\n")[1])  # what the default model says: the evidence, cited


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
    # what the library holds comes first (before the model is asked); then each citation
    # just before the (checked) sentence that carries its marker
    assert kinds == ["evidence", "citation", "token", "done"]
    assert "".join(p["text"] for k, p in events if k == "token") == ANSWER
    evidence = events[0][1]["items"]
    assert evidence[0]["n"] == 1 and evidence[0]["doc_id"] == doc_id
    assert "Atomoxetine increased" in evidence[0]["quote"]
    citation = events[1][1]
    assert citation["n"] == 1 and citation["doc_id"] == doc_id and citation["page"] == 1
    assert "Atomoxetine increased" in citation["quote"]
    done = events[-1][1]
    assert done["text"] == ANSWER and done["citations"][0]["doc_id"] == doc_id
    assert done["unsupported_removed"] == 0

    detail = (await client.get(f"/conversations/{conv}")).json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"]
    assert detail["messages"][1]["content"] == ANSWER
    assert detail["messages"][1]["citations"][0]["title"] == "Atomoxetine pilot"
    assert detail["messages"][1]["message_id"] == done["message_id"]

    sent = llm_requests(llm)[0]
    assert sent["stream"] is True
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    prompt = sent["messages"][1]["content"]
    assert '<paper title="Atomoxetine pilot">\n<document n="1" page="1">' in prompt
    assert "Latest message: What did atomoxetine do to pupil size" in prompt


async def test_history_survives_a_restart_and_reaches_the_model(
    settings: Settings, embeddings: Any, llm: respx.MockRouter
) -> None:
    transport = httpx.ASGITransport(app=create_app(settings, embeddings=embeddings))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        await upload(c, "atx.md", NOTE)
        conv = (await c.post("/conversations", json={})).json()["conv_id"]
        await ask(c, conv, "We see larger pupils under atomoxetine. What next?")
    # a new app on the same data dir: a restarted server
    transport = httpx.ASGITransport(app=create_app(settings, embeddings=embeddings))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        listed = (await c.get("/conversations")).json()
        assert [x["conv_id"] for x in listed] == [conv]
        assert listed[0]["title"].startswith("We see larger pupils")
        done = (await ask(c, conv, "And the controls?"))[-1]
        assert done[0] == "done" and done[1]["text"] == ANSWER
    prompt = llm_requests(llm)[1]["messages"][-1]["content"]
    earlier = prompt[prompt.index("Conversation so far:") : prompt.index("Latest message:")]
    assert "user: We see larger pupils under atomoxetine. What next?" in earlier
    assert f"assistant: {ANSWER}" in earlier
    assert prompt.rstrip().endswith("Latest message: And the controls?")


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


async def test_long_conversation_keeps_the_newest_turns_within_the_context(
    settings: Settings, embeddings: Any, llm: respx.MockRouter
) -> None:
    small = settings.model_copy(
        update={
            "llm": settings.llm.model_copy(update={"context_size": 4096, "max_output_tokens": 256})
        }
    )
    transport = httpx.ASGITransport(app=create_app(small, embeddings=embeddings))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        await upload(c, "atx.md", NOTE)
        conv = (await c.post("/conversations", json={})).json()["conv_id"]
        for i in range(4):
            question = f"Question {i}: " + "What did atomoxetine do to pupil size? " * 60
            assert (await ask(c, conv, question))[-1][0] == "done"
    last = llm_requests(llm)[-1]["messages"]
    assert sum(len(m["content"]) for m in last) / 3 < 4096 - 256  # fits the model's window
    prompt = last[-1]["content"]
    earlier = prompt[prompt.index("Conversation so far:") : prompt.index("Latest message:")]
    # older turns are dropped first: the previous question stays, the first two do not
    assert "user: Question 2:" in earlier and f"assistant: {ANSWER}" in earlier
    assert "Question 0" not in earlier and "Question 1" not in earlier
    # what is shown is whole, and the model is told what it does not see
    shown = "Question 2: " + "What did atomoxetine do to pupil size? " * 60
    assert "user: " + shown.strip() in earlier
    assert "earlier messages not shown)" in earlier
    assert prompt.rstrip().endswith("Latest message: " + question.strip())


async def test_llm_failure_mid_stream_is_an_error_event(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").respond(401, json={"error": {"message": "bad key"}})
    await upload(client, "atx.md", NOTE)
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    events = await ask(client, conv, "What did atomoxetine do to pupil size?")
    assert events[-1][0] == "error"
    assert events[-1][1]["error"]["type"] == "llm_auth_error"
    messages = (await client.get(f"/conversations/{conv}")).json()["messages"]
    # the question is kept, followed by a failed-reply marker: no text, the error
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["content"] == "" and messages[1]["error"]["type"] == "llm_auth_error"
    assert messages[1]["error"]["retry"] is False

    llm.post("/chat/completions").respond(
        200, content=openai_mock.sse(ANSWER), headers={"content-type": "text/event-stream"}
    )
    events = await ask(client, conv, "And what did atomoxetine do to pupil size?")
    assert events[-1][0] == "done" and events[-1][1]["text"] == ANSWER
    prompt = llm_requests(llm)[-1]["messages"][-1]["content"]
    assert "user: What did atomoxetine do" in prompt and "assistant:" not in prompt


async def test_conversation_crud(client: httpx.AsyncClient) -> None:
    conv = (await client.post("/conversations")).json()
    assert conv["title"] == "" and conv["library"] == "default"
    assert (await client.delete(f"/conversations/{conv['conv_id']}")).status_code == 204
    assert_error(await client.get(f"/conversations/{conv['conv_id']}"), 404, "not_found")
    r = await client.post(f"/conversations/{conv['conv_id']}/messages", json={"content": ""})
    assert_error(r, 422, "invalid_request")
