"""The service's chat engine: the agent's router (:func:`ideapump.agent.chat.chat_stream`).

The agent routes the researcher's message by intent (question, propose,
critique, weigh, check a pasted result, or one clarifying question) and yields
its own typed events from a synchronous iterator; this adapter runs it in a
worker thread, passes the conversation trimmed to the context window (whole
messages, oldest dropped first) and maps the events onto the service's
:mod:`ideapump.schemas` events. Its ``done`` event is folded into the
route's own ``done`` (which carries the stored message id).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

from pydantic import BaseModel

from ideapump.api.chat import ChatContext, fit_history
from ideapump.schemas import (
    Citation,
    CitationEvent,
    EvidenceEvent,
    ProgressEvent,
    ProposalEvent,
    RankedProposal,
    StatsFindingEvent,
    TokenEvent,
)

#: Tokens kept free for the agent's own prompts and retrieved passages.
PROMPT_RESERVE = 3000

T = TypeVar("T")
_END = object()


async def relay(make: Callable[[], Iterator[T]]) -> AsyncGenerator[T, None]:
    """Iterate a blocking iterator in its own thread, handing items to the event loop.

    ``iterate_in_threadpool`` hops to a pool thread and back for every item: one
    round trip per token, which at 32 concurrent streams was most of the delay the
    service added to a reply (bench/serve). Here one thread per stream runs the
    iterator to its end and queues what it yields. When the consumer stops (the
    client left), the thread is told to close the iterator at its next item.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[Any, BaseException | None]] = asyncio.Queue()
    stop = threading.Event()

    def put(item: Any, error: BaseException | None = None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is listening
            loop.call_soon_threadsafe(queue.put_nowait, (item, error))

    def produce() -> None:
        iterator = make()
        try:
            for item in iterator:
                if stop.is_set():
                    break
                put(item)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_END, exc)
            return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
        put(_END)

    threading.Thread(target=produce, name="ideapump-relay", daemon=True).start()
    try:
        while True:
            item, error = await queue.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()


def map_event(event: Any) -> BaseModel | None:
    kind = getattr(event, "type", None)
    if kind == "token":
        return TokenEvent(text=event.text)
    if kind == "citation":
        c = event.citation
        return CitationEvent(
            n=event.marker, doc_id=c.doc_id, title=c.title, page=c.page, quote=c.quote
        )
    if kind == "evidence":
        return EvidenceEvent(
            items=[
                Citation(
                    n=i.marker,
                    doc_id=i.citation.doc_id,
                    title=i.citation.title,
                    page=i.citation.page,
                    quote=i.citation.quote,
                )
                for i in event.items
            ]
        )
    if kind == "proposal":
        return ProposalEvent(proposal=RankedProposal(rank=event.rank, **dict(event.proposal)))
    if kind == "stats_finding":
        return StatsFindingEvent(finding=event.finding)
    if kind == "progress":
        return ProgressEvent(
            stage=event.stage, done=event.done, total=event.total, message=event.message
        )
    return None  # "done": the route sends its own


async def agent_reply(ctx: ChatContext) -> AsyncIterator[BaseModel]:
    """Route through the agent's chat and stream its events."""
    from ideapump.agent.chat import chat_stream

    budget = ctx.context_size - ctx.max_output_tokens - PROMPT_RESERVE
    kept, omitted = fit_history(ctx.history, max(budget, 0))
    messages = [{"role": t.role, "content": t.content} for t in kept]
    messages.append({"role": "user", "content": ctx.message})

    def run() -> Iterator[Any]:
        return chat_stream(ctx.library, ctx.model, messages, omitted=omitted)

    async for event in relay(run):
        if getattr(event, "type", None) == "done":
            ctx.unsupported_removed = event.unsupported_removed
        mapped = map_event(event)
        if mapped is not None:
            yield mapped
