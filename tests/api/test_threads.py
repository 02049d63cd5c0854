"""Worker threads of the service: the token relay, the pool behind asyncio.to_thread, and
the turns retrievals take."""

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.embeddings import Embeddings

from ideapump.api import create_app
from ideapump.api.agent_engine import relay
from ideapump.config import get_settings
from tests.api.conftest import upload


def test_relay_yields_in_order_and_raises_the_iterators_error() -> None:
    def tokens() -> Iterator[str]:
        yield from ("Noradrenaline ", "raises ", "random ", "exploration")
        raise ValueError("model went away")

    async def collect() -> list[str]:
        got = []
        with pytest.raises(ValueError, match="model went away"):
            async for piece in relay(tokens):
                got.append(piece)
        return got

    assert asyncio.run(collect()) == ["Noradrenaline ", "raises ", "random ", "exploration"]


def test_relay_closes_the_iterator_when_the_client_leaves() -> None:
    closed = threading.Event()
    more = threading.Event()

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                more.wait(5)  # paced like a model's tokens
                yield n
                n += 1
        finally:
            closed.set()  # the model's HTTP stream would be closed here

    async def leave_after_two() -> None:
        more.set()
        stream = relay(endless)
        assert [await anext(stream), await anext(stream)] == [0, 1]
        await stream.aclose()

    asyncio.run(leave_after_two())
    assert closed.wait(5), "the generating thread kept going after the client left"


def test_long_calls_do_not_take_every_worker_thread() -> None:
    # Default asyncio pool: min(32, cores + 4) threads. Hold more calls than that
    # at once (as long agent calls do); each waits for all the others to start.
    settings = get_settings(server={"max_concurrent_generations": 4})
    app = create_app(settings)
    n = 36  # the cap plus 32 quick calls: more than the default pool on any machine

    async def main() -> int:
        barrier = threading.Barrier(n, timeout=10)
        async with app.router.lifespan_context(app):
            ids = await asyncio.gather(
                *(asyncio.to_thread(lambda: barrier.wait() is not None) for _ in range(n))
            )
        return len(ids)

    assert asyncio.run(main()) == n


class CountingEmbeddings(Embeddings):
    """The session's MiniLM, counting how many query embeddings run at once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.1)  # a slow query embedding, so that overlaps would show
            return self.inner.embed_query(text)
        finally:
            with self._lock:
                self.running -= 1


@pytest.mark.parametrize(("slots", "expect_overlap"), [(1, False), (0, True)])
def test_retrievals_take_turns_up_to_the_setting(
    embeddings: Any, tmp_path: Path, slots: int, expect_overlap: bool
) -> None:
    settings = get_settings(home=tmp_path / "home", server={"max_concurrent_retrievals": slots})
    counting = CountingEmbeddings(embeddings)
    app = create_app(settings, embeddings=counting)

    async def main() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://ideapump.test") as client,
        ):
            await upload(client, "notes.md", "# Pupil notes\n\nPupil size tracked uncertainty.")
            queries = [f"pupil size and uncertainty, question {i}" for i in range(4)]
            replies = await asyncio.gather(
                *(client.post("/search", json={"query": q}) for q in queries)
            )
        return [r.status_code for r in replies]

    assert asyncio.run(main()) == [200] * 4
    assert (counting.most > 1) is expect_overlap
