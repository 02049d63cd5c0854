"""Uploads with progress events, size limit, get (with statistics audit), delete."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ideapump.config import Settings
from tests.api.conftest import parse_sse, upload
from tests.api.test_basics import assert_error

pytestmark = pytest.mark.anyio

RESULTS = (
    "# Pilot\n\nParticipants (N = 30) recalled more words after sleep, t(28) = 1.20, p = .03, "
    "than after wake."
)


async def test_upload_streams_progress_then_the_report(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/documents?stream=true",
        files=[
            (
                "files",
                ("a.md", b"# Alpha\n\nExploration and noradrenaline in mice.", "text/markdown"),
            ),
            ("files", ("b.md", RESULTS.encode(), "text/markdown")),
        ],
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    kinds = [name for name, _ in events]
    assert kinds[0] == "discovered" and events[0][1]["n"] == 2
    assert kinds.count("file_done") == 2 and "embedded" in kinds
    assert kinds[-1] == "done"
    report = events[-1][1]["report"]
    assert sorted(o["status"] for o in report["outcomes"]) == ["ingested", "ingested"]
    listed = (await client.get("/documents")).json()
    assert sorted(d["title"] for d in listed) == ["Alpha", "Pilot"]


async def test_get_document_carries_its_statistics_audit(client: httpx.AsyncClient) -> None:
    report = await upload(client, "pilot.md", RESULTS)
    doc_id = report["outcomes"][0]["doc_id"]
    detail = (await client.get(f"/documents/{doc_id[:8]}")).json()
    assert detail["document"]["doc_id"] == doc_id
    assert [r["verdict"] for r in detail["stats"]["results"]] == ["decision_error"]
    stats = (await client.get(f"/documents/{doc_id}/stats", params={"alpha": 0.01})).json()
    assert stats["alpha"] == 0.01


async def test_delete_removes_the_document(client: httpx.AsyncClient) -> None:
    doc_id = (await upload(client, "pilot.md", RESULTS))["outcomes"][0]["doc_id"]
    r = await client.delete(f"/documents/{doc_id}")
    assert r.status_code == 200 and r.json()["doc_id"] == doc_id
    assert (await client.get("/documents")).json() == []
    assert_error(await client.get(f"/documents/{doc_id}"), 404, "not_found")
    assert_error(await client.delete(f"/documents/{doc_id}"), 404, "not_found")


async def test_unreadable_file_is_a_failed_outcome_not_a_crash(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/documents", files=[("files", ("broken.pdf", b"%PDF-1.4 not really", "application/pdf"))]
    )
    assert r.status_code == 200, r.text
    outcome = r.json()["outcomes"][0]
    assert outcome["status"] == "failed" and outcome["reason"]


async def test_upload_over_the_size_limit_is_refused(settings: Settings, embeddings: Any) -> None:
    from ideapump.api import create_app

    small = settings.model_copy(
        update={"server": settings.server.model_copy(update={"max_upload_mb": 0.001})}
    )
    app = create_app(small, embeddings=embeddings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        big = b"# Big\n\n" + b"words " * 1000
        r = await c.post("/documents", files=[("files", ("big.md", big, "text/markdown"))])
        err = assert_error(r, 413, "payload_too_large")
        assert "IDEAPUMP_SERVER__MAX_UPLOAD_MB" in str(err)
        assert (await c.get("/documents")).json() == []
