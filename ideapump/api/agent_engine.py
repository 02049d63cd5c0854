"""The service's chat engine: the agent's router (:func:`ideapump.agent.chat.chat_stream`).

The agent routes the researcher's message by intent (question, propose,
critique, weigh, check a pasted result, or one clarifying question) and yields
its own typed events from a synchronous iterator; this adapter runs it in a
worker thread, passes the conversation trimmed to the context window (whole
messages, oldest dropped first) and maps the events onto the service's
:mod:`ideapump.api.schemas` events. Its ``done`` event is folded into the
route's own ``done`` (which carries the stored message id).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import iterate_in_threadpool

from ideapump.api.chat import ChatContext, fit_history
from ideapump.api.schemas import CitationEvent, ProposalEvent, StatsFindingEvent, TokenEvent

#: Tokens kept free for the agent's own prompts and retrieved passages.
PROMPT_RESERVE = 3000


def map_event(event: Any) -> BaseModel | None:
    kind = getattr(event, "type", None)
    if kind == "token":
        return TokenEvent(text=event.text)
    if kind == "citation":
        c = event.citation
        return CitationEvent(
            n=event.marker, doc_id=c.doc_id, title=c.title, page=c.page, quote=c.quote
        )
    if kind == "proposal":
        return ProposalEvent(
            proposal={"rank": event.rank, **event.proposal.model_dump(mode="json")}
        )
    if kind == "stats_finding":
        return StatsFindingEvent(finding=event.finding.model_dump(mode="json"))
    return None  # "done": the route sends its own


async def agent_reply(ctx: ChatContext) -> AsyncIterator[BaseModel]:
    """Route through the agent's chat and stream its events."""
    from ideapump.agent.chat import chat_stream

    budget = ctx.context_size - ctx.max_output_tokens - PROMPT_RESERVE
    kept, _omitted = fit_history(ctx.history, max(budget, 0))
    messages = [{"role": t.role, "content": t.content} for t in kept]
    messages.append({"role": "user", "content": ctx.message})

    def run() -> Iterator[Any]:
        return chat_stream(ctx.library, ctx.model, messages)

    async for event in iterate_in_threadpool(run()):
        mapped = map_event(event)
        if mapped is not None:
            yield mapped
