"""Request dependencies: the app's state, the caller (API key -> library), limits.

Authentication: when at least one active key exists, every route except the
health checks, the docs and the static page needs ``Authorization: Bearer
<key>`` (or ``X-API-Key``); the key decides the library, so one library's ids
are simply not found from another's key. With no keys configured the service
is open and serves ``IDEAPUMP_LIBRARY`` - ``ideapump serve`` then binds to
loopback only.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from ideapump import capabilities
from ideapump.agent.grounding import AgentOptions
from ideapump.api.agent_engine import agent_reply
from ideapump.api.chat import ChatEngine
from ideapump.api.errors import BusyError, RateLimitedError, UnauthorizedError
from ideapump.api.storage import ServiceStore
from ideapump.capabilities import CAPABILITIES
from ideapump.config import Settings
from ideapump.library import Library
from ideapump.llm.model import ChatModel
from ideapump.runtime import Runtime


class RateLimiter:
    """A token bucket per caller: ``per_minute`` requests, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, who: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(who, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                wait = (1.0 - tokens) / self.rate
                self._buckets[who] = (tokens, now)
                raise RateLimitedError(
                    f"too many requests: the limit is {int(self.capacity)} per minute; "
                    f"retry in {wait:.0f} s",
                    retry_after=wait,
                )
            self._buckets[who] = (tokens - 1.0, now)


class GenerationSlots:
    """A cap on replies generated at once; over it a request answers 503 ``busy`` at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            if self.active >= self.limit:
                raise BusyError(
                    f"{self.active} replies are being generated (the cap is {self.limit}); "
                    "retry in a moment",
                    setting="IDEAPUMP_SERVER__MAX_CONCURRENT_GENERATIONS",
                )
            self.active += 1

    def release(self) -> None:
        with self._lock:
            self.active = max(0, self.active - 1)

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def hold(self) -> GenerationSlot:
        """Take a slot (``busy`` over the cap) for a streamed reply; see :class:`SlotStream`."""
        self.acquire()
        return GenerationSlot(self)


class GenerationSlot:
    """One slot taken from :class:`GenerationSlots`; :meth:`release` gives it back once."""

    def __init__(self, slots: GenerationSlots) -> None:
        self._slots = slots
        self._lock = threading.Lock()
        self.held = True

    def release(self) -> None:
        with self._lock:
            if not self.held:
                return
            self.held = False
        self._slots.release()


class SlotStream(StreamingResponse):
    """A streamed reply that holds a generation slot until the response is over.

    The body generator gives the slot back when the reply is generated; this
    gives it back whatever happened to the response - also when the client left
    before the first byte, so the generator never started and its own
    ``finally`` never ran - and closes the generator.
    """

    def __init__(
        self,
        content: AsyncIterable[str],
        slot: GenerationSlot,
        media_type: str = "text/event-stream",
    ) -> None:
        super().__init__(content, media_type=media_type)
        self.slot = slot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.slot.release()
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                await aclose()


@dataclass
class AppState:
    """What the routes share: the runtime (services), the service store, the limits."""

    runtime: Runtime
    store: ServiceStore
    limiter: RateLimiter = field(init=False)
    generations: GenerationSlots = field(init=False)
    engine: ChatEngine = agent_reply

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.settings.server.rate_limit_per_minute)
        self.generations = GenerationSlots(self.settings.server.max_concurrent_generations)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def library(self, name: str) -> Library:
        return self.runtime.library(name)

    @property
    def chat_model(self) -> ChatModel:
        """The chat model, built on first call (the offline default starts its server then)."""
        return self.runtime.chat_model


@dataclass(frozen=True)
class Caller:
    library: str
    key_id: str | None


def get_state(request: Request) -> AppState:
    return request.app.state.ideapump


def _secret(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.headers.get("x-api-key") or None


async def get_caller(request: Request, state: AppState = Depends(get_state)) -> Caller:
    """Who is calling: the key's library, or the default library when no keys exist."""
    secret = _secret(request)
    if secret is not None:
        row = await asyncio.to_thread(state.store.find_key, secret)
        if row is None:
            raise UnauthorizedError("unknown or revoked API key")
        caller = Caller(library=row.library, key_id=row.key_id)
    elif await asyncio.to_thread(state.store.active_key_count):
        raise UnauthorizedError(
            "this server needs an API key: send 'Authorization: Bearer <key>' "
            "(create one with `ideapump keys create`)"
        )
    else:
        caller = Caller(library=state.settings.library, key_id=None)
    client = request.client.host if request.client else "local"
    state.limiter.hit(caller.key_id or f"ip:{client}")
    return caller


async def get_library(
    caller: Caller = Depends(get_caller), state: AppState = Depends(get_state)
) -> Library:
    return await asyncio.to_thread(state.library, caller.library)


async def run_capability(state: AppState, lib: Library, name: str, request: BaseModel) -> Any:
    """Run capability ``name`` in a worker thread; one that uses the model holds a generation
    slot. The model is built lazily, so a pipeline that abstains never starts it."""
    cap = CAPABILITIES[name]

    def go() -> Any:
        return capabilities.run(name, lib, state.chat_model, request, AgentOptions())

    if not cap.uses_model:
        return await asyncio.to_thread(go)
    with state.generations.slot():
        return await asyncio.to_thread(go)
