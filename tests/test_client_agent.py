"""The notebook client's propose/critique/weigh (sync and async) and ``Proposals.to_dataframe``."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from ideapump.agent import Critique, EvidenceReport, Proposals
from ideapump.api import create_app
from ideapump.api.storage import ServiceStore
from ideapump.client import AsyncClient, Client
from ideapump.config import Settings
from ideapump.errors import ConfigError, IdeaPumpError, NotFoundError
from ideapump.runtime import Runtime
from tests.api.conftest import settings  # noqa: F401  (fixture)
from tests.api.test_agent_routes import CLAIM, PAPER, Model, model  # noqa: F401  (fixture)
from tests.servers import free_port


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    path = tmp_path / "ne.md"
    path.write_text(PAPER)
    return path


@pytest.fixture
def ip(settings: Settings, embeddings: Any, model: Model) -> Iterator[Client]:  # noqa: F811
    """The sync client over real HTTP to the app served by uvicorn in a thread.

    (Starlette's TestClient speaks httpx2, which the model mock intercepts; the
    client speaks plain httpx, which it does not.)
    """
    app = create_app(settings, embeddings=embeddings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    client = Client(f"http://127.0.0.1:{port}")
    client.app = app  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)


def test_sync_client_agent_methods(ip: Client, paper: Path, model: Model) -> None:  # noqa: F811
    doc_id = ip.upload([paper]).outcomes[0].doc_id
    assert doc_id
    result = ip.propose("how does noradrenaline shape exploration?", n=2, k=2)
    assert isinstance(result, Proposals) and len(result.proposals) == 2
    assert all(c.doc_id == doc_id for p in result.proposals for c in p.citations)
    crit = ip.critique(doc_id[:8])
    assert isinstance(crit, Critique) and crit.doc_id == doc_id and crit.methods
    report = ip.weigh(CLAIM)
    assert isinstance(report, EvidenceReport) and report.verdict == "supported"
    with pytest.raises(NotFoundError):
        ip.critique("ffffffff")

    pytest.importorskip("pandas")
    frame = result.to_dataframe()
    assert list(frame["rank"]) == [1, 2]
    assert list(frame["title"]) == [p.title for p in result.proposals]
    assert list(frame["total_n"]) == [p.sample_size.total_n for p in result.proposals]
    assert doc_id and "p. 1" in frame["citations"][0]


def test_to_dataframe_without_pandas_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    with pytest.raises(ConfigError, match=r"pip install 'ideapump\[pandas\]'"):
        Proposals(question="q").to_dataframe()


def test_busy_maps_to_a_retryable_error(ip: Client, settings: Settings) -> None:  # noqa: F811
    slots = ip.app.state.ideapump.generations  # type: ignore[attr-defined]
    slots.limit = 0
    with pytest.raises(IdeaPumpError, match="cap") as info:
        ip.weigh(CLAIM)
    assert info.value.status_code == 503 and info.value.retryable


@pytest.mark.anyio
async def test_async_client_agent_methods(
    settings: Settings,  # noqa: F811
    embeddings: Any,
    model: Model,  # noqa: F811
    paper: Path,
) -> None:
    _, secret = ServiceStore(Runtime(settings).registry).create_key("lab-a")
    app = create_app(settings, embeddings=embeddings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        ip = AsyncClient(api_key=secret, http=http)
        doc_id = (await ip.upload([paper])).outcomes[0].doc_id
        assert doc_id
        result = await ip.propose("how does noradrenaline shape exploration?", n=2, k=1)
        assert len(result.proposals) == 1 and result.proposals[0].citations[0].doc_id == doc_id
        assert (await ip.critique(doc_id)).title == "Noradrenaline and exploration"
        assert (await ip.weigh(CLAIM)).supporting[0].citation.doc_id == doc_id
    assert model.schemas().count("CritiqueDraft") == 1


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
