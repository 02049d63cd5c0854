"""Worker threads of the service: the token relay and the pool behind asyncio.to_thread."""

import asyncio
import threading
from collections.abc import Iterator

import pytest

from ideapump.api import create_app
from ideapump.api.agent_engine import relay
from ideapump.config import get_settings


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
