"""The Chroma server and PostgreSQL go away under the service and come back.

Real processes on loopback (tests/servers.py): ``chroma run`` from the chromadb package,
and a private PostgreSQL cluster (needs Debian's server binaries and root, as in CI;
otherwise that test skips). During the outage every request answers 503 in the error
shape with ``retry: true`` and a ``Retry-After``, ``/readyz`` names the part that is
down; afterwards the same app answers again, and nothing is lost or duplicated.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from ideapump.api import create_app
from ideapump.config import Settings, get_settings
from tests.api.conftest import BASE, parse_sse
from tests.servers import can_run_postgres, chroma_service, postgres_service

pytestmark = pytest.mark.anyio

NOTE_A = "# Pupil pilot\n\nAtomoxetine increased baseline pupil size in the pilot (n = 12)."
NOTE_B = "# Foraging pilot\n\nMice on atomoxetine explored more patches in the foraging task."


def llm_settings() -> dict[str, Any]:
    return {"base_url": BASE, "model": "test-model", "api_key": "sk-test", "max_retries": 0}


async def upload(c: httpx.AsyncClient, name: str, text: str) -> httpx.Response:
    return await c.post("/documents", files=[("files", (name, text.encode(), "text/markdown"))])


def assert_retry_later(r: httpx.Response, names: str) -> None:
    assert r.status_code == 503, r.text
    error = r.json()["error"]
    assert error["type"] == "store_unavailable" and error["retry"] is True
    assert names in error["message"] and "Traceback" not in r.text
    assert int(r.headers["Retry-After"]) >= 1


async def serving(settings: Settings, embeddings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, embeddings=embeddings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as c:
        yield c


async def ask(c: httpx.AsyncClient, conv: str, text: str) -> list[tuple[str, Any]]:
    r = await c.post(f"/conversations/{conv}/messages", json={"content": text})
    assert r.status_code == 200, r.text
    return parse_sse(r.text)


def consistent(settings: Settings, embeddings: Any) -> tuple[int, int, int]:
    """(documents, chunks the registry claims, chunks Chroma holds) of the default library."""
    from ideapump.runtime import Runtime

    lib = Runtime(settings, embeddings=embeddings).library()
    rows = lib.registry.complete(lib.name)
    return len(rows), sum(r.chunks for r in rows), lib.store.count()


async def test_the_chroma_server_goes_away_and_comes_back(
    tmp_path: Path, embeddings: Any, llm: respx.MockRouter
) -> None:
    with chroma_service(tmp_path / "chroma") as (chroma, port):
        settings = get_settings(
            home=tmp_path / "home",
            store={"chroma_mode": "http", "chroma_host": "127.0.0.1", "chroma_port": port},
            llm=llm_settings(),
        )
        async for c in serving(settings, embeddings):
            assert (await upload(c, "a.md", NOTE_A)).status_code == 200
            conv = (await c.post("/conversations", json={})).json()["conv_id"]
            assert (await ask(c, conv, "What did atomoxetine do to pupil size?"))[-1][0] == "done"

            chroma.stop()
            where = f"Chroma server at 127.0.0.1:{port}"
            assert_retry_later(await c.post("/search", json={"query": "pupil size"}), where)
            assert_retry_later(await upload(c, "b.md", NOTE_B), where)
            events = await ask(c, conv, "What did atomoxetine do to foraging?")
            assert events[-1][0] == "error"
            assert events[-1][1]["error"]["type"] == "store_unavailable"
            assert events[-1][1]["error"]["retry"] is True
            ready = await c.get("/readyz")
            assert ready.status_code == 503 and ready.headers["Retry-After"]
            assert ready.json()["checks"]["store"]["detail"].startswith("Chroma (http)")
            assert ready.json()["checks"]["llm"]["ok"] is True

            chroma.start()  # same port, same data; the app is not restarted
            assert (await c.get("/readyz")).status_code == 200
            r = await c.post("/search", json={"query": "pupil size", "k": 3})
            assert r.status_code == 200 and r.json()[0]["title"] == "Pupil pilot"
            r = await upload(c, "b.md", NOTE_B)  # the interrupted upload, again
            assert r.status_code == 200 and r.json()["outcomes"][0]["status"] == "ingested"
            assert (await ask(c, conv, "And foraging?"))[-1][0] == "done"
            messages = (await c.get(f"/conversations/{conv}")).json()["messages"]
            assert [(m["role"], m["error"] is not None) for m in messages] == [
                ("user", False),
                ("assistant", False),
                ("user", False),
                ("assistant", True),  # the reply that met the outage: a marker
                ("user", False),
                ("assistant", False),
            ]
        docs, claimed, stored = consistent(settings, embeddings)
        assert docs == 2 and claimed == stored  # nothing half-stored, nothing twice


@pytest.mark.skipif(
    not can_run_postgres() and os.environ.get("CI") != "true",
    reason="needs Debian's PostgreSQL server binaries and root (as in CI) for a private cluster",
)
async def test_postgresql_goes_away_and_comes_back(
    tmp_path: Path, embeddings: Any, llm: respx.MockRouter
) -> None:
    with postgres_service(tmp_path / "pg") as (pg, url):
        settings = get_settings(
            home=tmp_path / "home", store={"database_url": url}, llm=llm_settings()
        )
        async for c in serving(settings, embeddings):
            assert (await upload(c, "a.md", NOTE_A)).status_code == 200
            conv = (await c.post("/conversations", json={})).json()["conv_id"]
            assert (await ask(c, conv, "What did atomoxetine do to pupil size?"))[-1][0] == "done"

            pg.stop(signal.SIGINT)  # fast shutdown: every pooled connection dies
            where = "registry database error"
            assert_retry_later(await c.post("/search", json={"query": "pupil size"}), where)
            assert_retry_later(await upload(c, "b.md", NOTE_B), where)
            r = await c.post(f"/conversations/{conv}/messages", json={"content": "Foraging?"})
            assert_retry_later(r, where)
            ready = await c.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["store"]["detail"].startswith("database:")

            pg.start()  # pre-ping replaces the dead connections; the app is not restarted
            assert (await c.get("/readyz")).status_code == 200
            r = await c.post("/search", json={"query": "pupil size", "k": 3})
            assert r.status_code == 200 and r.json()[0]["title"] == "Pupil pilot"
            r = await upload(c, "b.md", NOTE_B)
            assert r.status_code == 200 and r.json()["outcomes"][0]["status"] == "ingested"
            assert (await ask(c, conv, "And foraging?"))[-1][0] == "done"
            messages = (await c.get(f"/conversations/{conv}")).json()["messages"]
            # the message refused during the outage was never stored; nothing twice
            assert [m["role"] for m in messages] == ["user", "assistant"] * 2
        docs, claimed, stored = consistent(settings, embeddings)
        assert docs == 2 and claimed == stored
