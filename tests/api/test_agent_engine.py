"""The service wired to the agent's chat router (skipped where ideapump.agent is absent)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from ideapump.api import create_app
from ideapump.api.agent_engine import agent_reply
from ideapump.api.chat import default_engine
from ideapump.config import Settings
from tests.api.conftest import llm_requests, parse_sse, upload

pytestmark = pytest.mark.anyio


@pytest.fixture
async def agent_client(settings: Settings, embeddings: Any, llm: respx.MockRouter) -> Any:
    app = create_app(settings, embeddings=embeddings)
    assert app.state.ideapump.engine is agent_reply
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


def test_default_engine_is_the_agent() -> None:
    assert default_engine() is agent_reply


async def test_pasted_result_streams_stats_findings(
    agent_client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    await upload(agent_client, "n.md", "# Notes\n\nPupil size grew under atomoxetine.")
    conv = (await agent_client.post("/conversations", json={})).json()["conv_id"]
    r = await agent_client.post(
        f"/conversations/{conv}/messages",
        json={"content": "Can you check this result: t(28) = 1.20, p = .03"},
    )
    events = parse_sse(r.text)
    findings = [p["finding"] for k, p in events if k == "stats_finding"]
    assert findings and findings[0]["severity"] == "problem"
    assert events[-1][0] == "done" and events[-1][1]["text"]
    stored = (await agent_client.get(f"/conversations/{conv}")).json()["messages"][-1]
    assert stored["stats_findings"] == findings
    assert llm_requests(llm) == []  # the auditor, not the model, did the arithmetic
