"""API keys: each sees only its library; unknown/revoked keys; rate limit; generation cap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ideapump.api.storage import ServiceStore
from ideapump.config import Settings
from ideapump.runtime import Runtime
from tests.api.conftest import make_key, upload
from tests.api.test_basics import assert_error

pytestmark = pytest.mark.anyio


async def test_keys_isolate_libraries(client: httpx.AsyncClient, settings: Settings) -> None:
    lab_a, lab_b = make_key(settings, "lab-a"), make_key(settings, "lab-b")
    doc = (await upload(client, "a.md", "# A\n\nOnly lab A has this.", lab_a))["outcomes"][0]
    conv = (await client.post("/conversations", json={}, headers=lab_a)).json()

    assert [d["doc_id"] for d in (await client.get("/documents", headers=lab_a)).json()] == [
        doc["doc_id"]
    ]
    assert (await client.get("/documents", headers=lab_b)).json() == []
    assert (await client.get("/conversations", headers=lab_b)).json() == []
    assert (await client.post("/search", json={"query": "lab A"}, headers=lab_b)).json() == []
    for method, path in (
        ("GET", f"/documents/{doc['doc_id']}"),
        ("DELETE", f"/documents/{doc['doc_id']}"),
        ("GET", f"/documents/{doc['doc_id']}/stats"),
        ("GET", f"/conversations/{conv['conv_id']}"),
        ("DELETE", f"/conversations/{conv['conv_id']}"),
    ):
        assert_error(await client.request(method, path, headers=lab_b), 404, "not_found")
    r = await client.post(
        f"/conversations/{conv['conv_id']}/messages", json={"content": "hi"}, headers=lab_b
    )
    assert_error(r, 404, "not_found")
    # lab A still has both
    assert (await client.get(f"/documents/{doc['doc_id']}", headers=lab_a)).status_code == 200
    assert (await client.get(f"/conversations/{conv['conv_id']}", headers=lab_a)).status_code == 200


async def test_keys_are_required_once_one_exists(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert (await client.get("/documents")).status_code == 200  # open: no keys yet
    store = ServiceStore(Runtime(settings).registry)
    row, secret = store.create_key("lab-a")
    assert_error(await client.get("/documents"), 401, "unauthorized")
    bad = {"Authorization": "Bearer ipk_nope"}
    assert_error(await client.get("/documents", headers=bad), 401, "unauthorized")
    assert (await client.get("/documents", headers={"X-API-Key": secret})).status_code == 200
    assert (await client.get("/healthz")).status_code == 200  # health stays open
    store.revoke_key(row.key_id)
    ok = {"Authorization": f"Bearer {secret}"}
    assert_error(await client.get("/documents", headers=ok), 401, "unauthorized")


def test_keys_are_stored_hashed(settings: Settings) -> None:
    store = ServiceStore(Runtime(settings).registry)
    row, secret = store.create_key("lab-a", "alice")
    assert secret.startswith("ipk_") and secret not in row.key_hash
    db = (settings.home / "ideapump.db").read_bytes()
    assert secret.encode() not in db
    assert store.find_key(secret).library == "lab-a"  # type: ignore[union-attr]


async def test_rate_limit_per_key(settings: Settings, embeddings: Any) -> None:
    from ideapump.api import create_app

    limited = settings.model_copy(
        update={"server": settings.server.model_copy(update={"rate_limit_per_minute": 3})}
    )
    app = create_app(limited, embeddings=embeddings)
    a, b = make_key(limited, "lab-a"), make_key(limited, "lab-b")
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        for _ in range(3):
            assert (await c.get("/conversations", headers=a)).status_code == 200
        r = await c.get("/conversations", headers=a)
        assert_error(r, 429, "rate_limited")
        assert int(r.headers["retry-after"]) >= 1
        assert (await c.get("/conversations", headers=b)).status_code == 200  # per key


async def test_generation_cap_answers_busy(settings: Settings, embeddings: Any) -> None:
    from ideapump.api import create_app

    release = asyncio.Event()

    async def slow_engine(ctx: object) -> AsyncIterator[Any]:
        from ideapump.schemas import TokenEvent

        yield TokenEvent(text="thinking")
        await release.wait()

    capped = settings.model_copy(
        update={"server": settings.server.model_copy(update={"max_concurrent_generations": 1})}
    )
    app = create_app(capped, embeddings=embeddings, engine=slow_engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        conv = (await c.post("/conversations", json={})).json()["conv_id"]
        first = asyncio.create_task(
            c.post(f"/conversations/{conv}/messages", json={"content": "one"})
        )
        while app.state.ideapump.generations.active == 0:
            await asyncio.sleep(0.01)
        second = await c.post(f"/conversations/{conv}/messages", json={"content": "two"})
        assert_error(second, 503, "busy")
        release.set()
        assert (await first).status_code == 200
        assert app.state.ideapump.generations.active == 0
