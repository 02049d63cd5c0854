"""Uploads built to hurt: path names, over-size bodies, PDFs that never end, fakes named .pdf."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ideapump.api import create_app
from ideapump.config import get_settings
from tests.hostile import PATH_NAMES, many_pages_pdf, nested_pdf, not_a_pdf
from tests.servers import ideapump_server, server_env

pytestmark = pytest.mark.anyio

NOTE = "# Pilot\n\nAtomoxetine increased baseline pupil size in the pilot (n = 12)."


async def client_for(tmp_path: Path, embeddings: Any, **sections: Any) -> httpx.AsyncClient:
    settings = get_settings(home=tmp_path / "home", **sections)
    transport = httpx.ASGITransport(app=create_app(settings, embeddings=embeddings))
    return httpx.AsyncClient(transport=transport, base_url="http://t", timeout=120)


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


async def test_path_like_names_cannot_leave_the_upload_folder(
    tmp_path: Path, embeddings: Any
) -> None:
    before = files_under(tmp_path)
    folder = (tmp_path / "home" / "uploads" / "default").resolve()
    async with await client_for(tmp_path, embeddings) as c:
        for i, name in enumerate(PATH_NAMES):
            body = f"# Note {i}\n\nPupil size rose by {i} percent after atomoxetine {i}."
            r = await c.post(
                "/documents", files=[("files", (name, body.encode(), "text/markdown"))]
            )
            assert r.status_code in (200, 400), r.text
            if r.status_code == 400:  # a name with nothing left, e.g. "....md"
                assert "file name" in r.json()["error"]["message"]
                continue
            stored = Path(r.json()["outcomes"][0]["path"]).resolve()
            assert stored.parent == folder, (name, stored)
            assert r.json()["outcomes"][0]["status"] == "ingested"
    new = files_under(tmp_path) - before
    outside = [p for p in new if not p.resolve().is_relative_to(tmp_path / "home")]
    assert outside == []
    uploads = {p.name for p in folder.iterdir()}
    assert "escape.md" in uploads and "passwd.md" in uploads and "windows-escape.md" in uploads
    assert all(len(n) <= 200 and n.endswith(".md") for n in uploads)


async def test_an_over_size_body_is_cut_off_while_it_streams(
    tmp_path: Path, embeddings: Any
) -> None:
    """No Content-Length (chunked): refused once the bytes pass the limit, not after."""
    sent = {"chunks": 0}
    boundary = "hostile-boundary"
    chunk = b"x" * 65536
    total_chunks = 64  # 4 MB against a 1 MB limit

    async def body() -> AsyncIterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="big.md"\r\nContent-Type: text/markdown\r\n\r\n'
        ).encode()
        for _ in range(total_chunks):
            sent["chunks"] += 1
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    async with await client_for(tmp_path, embeddings, server={"max_upload_mb": 1}) as c:
        r = await c.post(
            "/documents",
            content=body(),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        assert r.status_code == 413, r.text
        assert r.json()["error"]["type"] == "payload_too_large"
        assert "IDEAPUMP_SERVER__MAX_UPLOAD_MB" in r.json()["error"]["message"]
        assert sent["chunks"] < total_chunks // 2  # the rest was never read
        assert (await c.get("/healthz")).status_code == 200
    assert not (tmp_path / "home" / "uploads" / "default").exists() or not any(
        (tmp_path / "home" / "uploads" / "default").iterdir()
    )


async def test_a_file_over_the_per_file_limit_is_not_kept(tmp_path: Path, embeddings: Any) -> None:
    folder = tmp_path / "home" / "uploads" / "default"
    async with await client_for(tmp_path, embeddings, ingest={"max_file_mb": 0.5}) as c:
        ok = await c.post("/documents", files=[("files", ("a.md", NOTE.encode(), "text/markdown"))])
        assert ok.status_code == 200
        big = ("# Big\n\n" + "pupil " * 200_000).encode()  # 1.2 MB
        r = await c.post("/documents", files=[("files", ("a.md", big, "text/markdown"))])
        assert r.status_code == 413, r.text
        assert "a.md is over the 0.5 MB per-file limit" in r.json()["error"]["message"]
        # the earlier a.md is intact: the refused one went to a temporary name
        assert [p.name for p in folder.iterdir()] == ["a.md"]
        assert (folder / "a.md").read_text() == NOTE


def test_hostile_pdfs_fail_alone_while_the_service_keeps_answering(tmp_path: Path) -> None:
    """A real server process; a 30,000-page PDF, a nested one and a fake, with a 3 s budget."""
    uploads = [
        ("huge.pdf", many_pages_pdf(30_000), "application/pdf"),
        ("nested.pdf", nested_pdf(100_000), "application/pdf"),
        ("word.pdf", not_a_pdf(), "application/pdf"),
        ("note.md", NOTE.encode(), "text/markdown"),
    ]
    env = server_env(tmp_path / "home", IDEAPUMP_INGEST__FILE_TIME_BUDGET_S="3")
    with ideapump_server(env) as url, httpx.Client(base_url=url, timeout=120) as c:
        result: dict[str, Any] = {}

        def upload() -> None:
            result["r"] = c.post("/documents", files=[("files", u) for u in uploads])

        worker = threading.Thread(target=upload)
        worker.start()
        answered = 0
        while worker.is_alive():
            assert c.get("/healthz").status_code == 200
            assert c.get("/documents").status_code == 200
            answered += 1
            time.sleep(0.2)
        worker.join()
        r = result["r"]
        assert r.status_code == 200, r.text
        outcomes = {Path(o["path"]).name: o for o in r.json()["outcomes"]}
        assert "longer than 3 s" in outcomes["huge.pdf"]["reason"]
        assert "nested too deeply" in outcomes["nested.pdf"]["reason"]
        assert "ZIP archive" in outcomes["word.pdf"]["reason"]
        assert outcomes["note.md"]["status"] == "ingested"
        assert answered >= 3, "the service was not asked while the upload ran"
        papers = c.get("/documents").json()
        assert [p["title"] for p in papers] == ["Pilot"]
