"""Fixtures for the service: the app in-process over httpx's ASGI transport, a mocked LLM.

The LLM is the OpenAI HTTP API mocked at the transport with respx (the same
``httpx2`` mocker as tests/llm), so the real LangChain/openai client code runs.
"""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from ideapump import sse
from ideapump.api import create_app
from ideapump.api.storage import ServiceStore
from ideapump.config import Settings, get_settings
from ideapump.runtime import Runtime
from tests import openai_mock

BASE = "http://llm.test/v1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return get_settings(
        home=tmp_path / "home",
        llm={"base_url": BASE, "model": "test-model", "api_key": "sk-test", "max_retries": 0},
    )


ECHO_WORDS = 8


def echo(evidence: str) -> str:
    """What the default model answers: evidence 1's first words, cited: "Sleep after ... [1]."."""
    words = " ".join(evidence.split()[:ECHO_WORDS]).rstrip(".,;:")
    return f"{words} [1]."


def _echo_reply(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    prompt = body["messages"][-1]["content"]
    first = [d for d in openai_mock.documents(prompt) if d.n == 1]
    reply = echo(html.unescape(first[0].text)) if first else "Nothing to say."
    words = reply.split(" ")
    pieces = [" ".join(words[:2]) + " ", " ".join(words[2:])]  # two pieces, as a stream
    return httpx.Response(
        200, content=openai_mock.sse(*pieces), headers={"content-type": "text/event-stream"}
    )


@pytest.fixture
def llm() -> Iterator[respx.MockRouter]:
    """The model endpoint; by default it streams :func:`echo` of the first evidence sentence."""
    with respx.mock(using="httpx2", base_url=BASE, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=_echo_reply)
        router.get("/models").respond(200, json={"object": "list", "data": []})
        yield router


@pytest.fixture
def app(settings: Settings, embeddings: Any, llm: respx.MockRouter) -> Any:
    return create_app(settings, embeddings=embeddings)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ideapump.test") as c:
        yield c


def make_key(settings: Settings, library: str) -> dict[str, str]:
    _, secret = ServiceStore(Runtime(settings).registry).create_key(library, name=f"test {library}")
    return {"Authorization": f"Bearer {secret}"}


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, JSON payload) for each event of an SSE body."""
    return list(sse.parse_named(text.splitlines()))


def llm_requests(router: respx.MockRouter) -> list[dict[str, Any]]:
    """The JSON bodies the service sent to /chat/completions."""
    return [
        json.loads(call.request.content)
        for call in router.calls
        if call.request.url.path.endswith("/chat/completions")
    ]


async def upload(
    client: httpx.AsyncClient, name: str, text: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    r = await client.post(
        "/documents", files=[("files", (name, text.encode(), "text/markdown"))], headers=headers
    )
    assert r.status_code == 200, r.text
    return r.json()
