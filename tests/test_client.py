"""The notebook client against the app in-process (sync: Starlette's TestClient, async: ASGI)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from pydantic import BaseModel
from starlette.testclient import TestClient

from ideapump.api import create_app
from ideapump.api.chat import ChatContext
from ideapump.api.storage import ServiceStore
from ideapump.client import AsyncClient, Client, stats_dataframe
from ideapump.config import Settings
from ideapump.errors import IdeaPumpError, NotFoundError
from ideapump.runtime import Runtime
from ideapump.schemas import CitationEvent, TokenEvent
from tests.api.conftest import llm, settings  # noqa: F401  (fixtures)

NOTE = "# Sleep study\n\nSleep after learning improved recall, t(28) = 1.20, p = .03 (n = 30)."


@pytest.fixture
def note(tmp_path: Path) -> Path:
    path = tmp_path / "sleep.md"
    path.write_text(NOTE)
    return path


async def scripted_engine(ctx: ChatContext) -> AsyncIterator[BaseModel]:
    """Cites the top passage and says a fixed text (the LLM path is tested in tests/api)."""
    for p in await asyncio.to_thread(ctx.library.search, ctx.message, k=1):
        yield CitationEvent(n=1, doc_id=p.doc_id, title=p.title, page=p.page, quote=p.quote)
    for piece in ("Hello ", "there ", "[1]."):
        yield TokenEvent(text=piece)


@pytest.fixture
def ip(settings: Settings, embeddings: Any) -> Iterator[Client]:  # noqa: F811
    # Starlette's TestClient runs the app in-process; respx (the LLM mock) cannot pass it through.
    app = create_app(settings, embeddings=embeddings, engine=scripted_engine)
    app.state.ideapump.llm = object()  # never called by the scripted engine
    with TestClient(app, base_url="http://t", raise_server_exceptions=False) as http:
        yield Client(http=http)


def test_documents_search_and_stats(ip: Client, note: Path) -> None:
    report = ip.upload([note])
    doc = report.outcomes[0]
    assert doc.status == "ingested" and doc.doc_id
    assert [d.title for d in ip.documents()] == ["Sleep study"]
    assert ip.search("recall after sleep")[0].doc_id == doc.doc_id
    (lexical,) = ip.search("recall after sleep", k=1, mode="lexical")
    assert lexical.doc_id == doc.doc_id and lexical.dense_score is None
    detail = ip.document(doc.doc_id)
    assert detail.stats is not None and detail.stats.results[0].verdict == "decision_error"
    frame = stats_dataframe(ip.document_stats(doc.doc_id))
    assert list(frame["verdict"]) == ["decision_error"]
    assert ip.check_stats("r(48) = .30, p = .03").results[0].test_type == "r"
    ip.delete_document(doc.doc_id)
    with pytest.raises(NotFoundError, match="no document"):
        ip.document(doc.doc_id)


def test_upload_progress_events(ip: Client, note: Path) -> None:
    events = list(ip.upload_progress([note]))
    assert events[0].type == "discovered" and events[-1].type == "done"
    assert events[-1].report is not None and events[-1].report.outcomes[0].status == "ingested"


def test_conversation_stream_and_history(ip: Client, note: Path) -> None:
    ip.upload([note])
    conv = ip.create_conversation("sleep")
    events = list(ip.send(conv.conv_id, "What does sleep do to recall?"))
    assert [e.type for e in events] == ["citation", "token", "token", "token", "done"]
    assert events[0].title == "Sleep study" and events[0].page == 1
    done = ip.ask(conv.conv_id, "And for older adults?")
    assert done.text == "Hello there [1]."
    history = ip.conversation(conv.conv_id).messages
    assert [m.role for m in history] == ["user", "assistant", "user", "assistant"]
    assert [c.conv_id for c in ip.conversations()] == [conv.conv_id]
    ip.delete_conversation(conv.conv_id)
    with pytest.raises(NotFoundError):
        ip.conversation(conv.conv_id)


def test_errors_map_to_exceptions(ip: Client, settings: Settings) -> None:  # noqa: F811
    with pytest.raises(NotFoundError):
        ip.conversation("nope")
    ServiceStore(Runtime(settings).registry).create_key("lab-a")
    with pytest.raises(IdeaPumpError, match="needs an API key") as info:
        ip.documents()
    assert info.value.status_code == 401


@pytest.mark.anyio
async def test_async_client(
    settings: Settings,  # noqa: F811
    embeddings: Any,
    llm: respx.MockRouter,  # noqa: F811
    note: Path,
) -> None:
    _, secret = ServiceStore(Runtime(settings).registry).create_key("lab-a")
    app = create_app(settings, embeddings=embeddings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        ip = AsyncClient(api_key=secret, http=http)
        assert (await ip.upload([note])).outcomes[0].status == "ingested"
        assert (await ip.documents())[0].library == "lab-a"
        conv = await ip.create_conversation()
        kinds = [e.type async for e in ip.send(conv.conv_id, "What does sleep do to recall?")]
        assert "citation" in kinds and "token" in kinds and kinds[-1] == "done"
        assert len((await ip.conversation(conv.conv_id)).messages) == 2


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
