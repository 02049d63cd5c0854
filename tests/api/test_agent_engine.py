"""Conversations through the agent's chat router: proposals and stats findings as typed events.

The model is the OpenAI HTTP API mocked at the transport: structured requests get the
fake server's canned draft for their schema (citing the request's own numbered
passages), streamed ones the ``llm`` fixture's text.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from ideapump.api.agent_engine import agent_reply
from tests import openai_mock
from tests.api.conftest import llm_requests, parse_sse, upload
from tests.api.test_agent_routes import PAPER
from tests.fake_llm_server import draft, passages

pytestmark = pytest.mark.anyio

PROPOSE = "Propose an experiment to follow up on how noradrenaline shapes exploration"


@pytest.fixture
def drafts(llm: respx.MockRouter) -> respx.MockRouter:
    """The model answers structured requests with canned drafts, streams with 'Hello there [1].'"""

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("stream"):
            return httpx.Response(
                200,
                content=openai_mock.sse("Hello ", "there ", "[1]."),
                headers={"content-type": "text/event-stream"},
            )
        content = draft(body["response_format"]["json_schema"]["name"], passages(body), body)
        return httpx.Response(200, json=openai_mock.completion(json.dumps(content)))

    llm.post("/chat/completions").mock(side_effect=answer)
    return llm


def test_the_service_chats_through_the_agent(app: Any) -> None:
    assert app.state.ideapump.engine is agent_reply


async def test_proposals_stream_as_proposal_events_and_are_stored(
    client: httpx.AsyncClient, drafts: respx.MockRouter
) -> None:
    doc_id = (await upload(client, "ne.md", PAPER))["outcomes"][0]["doc_id"]
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    r = await client.post(f"/conversations/{conv}/messages", json={"content": PROPOSE})
    events = parse_sse(r.text)
    kinds = [k for k, _ in events]
    assert kinds[-1] == "done" and "error" not in kinds
    proposals = [p["proposal"] for k, p in events if k == "proposal"]
    assert [p["rank"] for p in proposals] == [1, 2]
    assert all(p["citations"][0]["doc_id"] == doc_id for p in proposals)
    # the proposals come first, then their numbered citations, then the text
    assert kinds.index("citation") > kinds.index("proposal")
    assert kinds.index("token") > kinds.index("citation")
    citations = [p for k, p in events if k == "citation"]
    assert [c["n"] for c in citations] == list(range(1, len(citations) + 1))
    assert {c["doc_id"] for c in citations} == {doc_id}
    done = events[-1][1]
    assert proposals[0]["title"] in done["text"] and proposals[0]["hypothesis"] in done["text"]

    stored = (await client.get(f"/conversations/{conv}")).json()["messages"][-1]
    assert stored["proposals"] == proposals
    assert stored["content"] == done["text"]
    assert [c["n"] for c in stored["citations"]] == [c["n"] for c in citations]


async def test_openai_clients_get_proposals_as_text_with_references(
    client: httpx.AsyncClient, drafts: respx.MockRouter
) -> None:
    await upload(client, "ne.md", PAPER)
    body = {"model": "ideapump", "messages": [{"role": "user", "content": PROPOSE}]}
    r = await client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    text = r.json()["choices"][0]["message"]["content"]
    assert "1. Manipulate the retrieved factor" in text and "2. Manipulate" in text
    assert "References:\n[1] Noradrenaline and exploration, p. 1" in text


async def test_pasted_result_streams_stats_findings(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    await upload(client, "n.md", "# Notes\n\nPupil size grew under atomoxetine.")
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    r = await client.post(
        f"/conversations/{conv}/messages",
        json={"content": "Can you check this result: t(28) = 1.20, p = .03"},
    )
    events = parse_sse(r.text)
    findings = [p["finding"] for k, p in events if k == "stats_finding"]
    assert findings and findings[0]["severity"] == "problem"
    assert events[-1][0] == "done" and events[-1][1]["text"]
    stored = (await client.get(f"/conversations/{conv}")).json()["messages"][-1]
    assert stored["stats_findings"] == findings
    assert llm_requests(llm) == []  # the auditor, not the model, did the arithmetic
