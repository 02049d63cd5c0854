"""The conversation plumbing behind ``/conversations`` and ``/v1/chat/completions``.

A *chat engine* is an async function ``engine(ctx) -> AsyncIterator[event]``
taking a :class:`ChatContext` (library, chat model, earlier turns, the new
message) and yielding the typed events of :mod:`ideapump.api.schemas`
(token, citation, proposal, stats_finding). The routes add ``done``/``error``,
store the reply and frame the events (SSE or OpenAI chunks).

:func:`grounded_reply` is the built-in engine: retrieve passages for the
message, announce them as numbered citations, and stream the model's answer
with the persona prompt, the passages inside a ``<documents>`` data block and
the conversation history trimmed to the model's context window - whole
messages are dropped oldest first, with a note saying how many, never cut
mid-message.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from ideapump.api.schemas import Citation, CitationEvent, TokenEvent
from ideapump.errors import LLMContextError
from ideapump.library import Library
from ideapump.models import Passage
from ideapump.prompts import data_block, load_prompt, render_prompt

#: Rough tokens per character for budgeting (conservative for English and numbers).
_CHARS_PER_TOKEN = 3.0
_PER_MESSAGE = 6


@dataclass
class Turn:
    role: str  # "user" | "assistant"
    content: str


@dataclass
class ChatContext:
    library: Library
    model: Any
    message: str
    history: list[Turn] = field(default_factory=list)
    k: int = 6
    context_size: int = 8192
    max_output_tokens: int = 1024


ChatEngine = Callable[[ChatContext], AsyncIterator[BaseModel]]


def estimate_tokens(text: str) -> int:
    return int(len(text) / _CHARS_PER_TOKEN) + _PER_MESSAGE


def fit_history(history: Sequence[Turn], budget: int) -> tuple[list[Turn], int]:
    """The newest whole turns that fit ``budget`` tokens, and how many older ones were left out."""
    kept: list[Turn] = []
    used = 0
    for turn in reversed(history):
        cost = estimate_tokens(turn.content)
        if used + cost > budget:
            break
        kept.append(turn)
        used += cost
    kept.reverse()
    # A reply without the question it answers reads as noise: start on a user turn.
    while kept and kept[0].role != "user":
        kept.pop(0)
    return kept, len(history) - len(kept)


def search_query(message: str, history: Sequence[Turn]) -> str:
    """The retrieval query: the message, with the previous question when it is a short follow-up."""
    if len(message.split()) >= 8:
        return message
    previous = next((t.content for t in reversed(history) if t.role == "user"), "")
    return f"{previous}\n{message}".strip()


def citations_for(passages: Sequence[Passage]) -> list[Citation]:
    return [
        Citation(n=i, doc_id=p.doc_id, title=p.title, page=p.page, quote=p.quote)
        for i, p in enumerate(passages, start=1)
    ]


def build_messages(ctx: ChatContext, citations: Sequence[Citation]) -> list[BaseMessage]:
    """Persona, the data block and instructions, the trimmed history, the new message."""
    block = data_block(
        {"ref": c.n, "id": c.doc_id, "title": c.title, "page": c.page, "text": c.quote}
        for c in citations
    )
    system = [
        SystemMessage(content=load_prompt("persona").template),
        SystemMessage(content=render_prompt("service_chat", documents=block)),
    ]
    fixed = sum(estimate_tokens(str(m.content)) for m in system) + estimate_tokens(ctx.message)
    budget = ctx.context_size - ctx.max_output_tokens - fixed
    if budget < 0:
        raise LLMContextError(
            f"the message and retrieved passages need about {fixed} tokens, more than the "
            f"model's context ({ctx.context_size}) leaves after {ctx.max_output_tokens} for the "
            "reply; shorten the message",
            setting="IDEAPUMP_LLM__CONTEXT_SIZE",
        )
    kept, omitted = fit_history(ctx.history, budget)
    messages: list[BaseMessage] = list(system)
    if omitted:
        messages.append(
            SystemMessage(
                content=f"({omitted} earlier message(s) of this conversation are not shown "
                "because they do not fit the context window.)"
            )
        )
    for turn in kept:
        cls = HumanMessage if turn.role == "user" else AIMessage
        messages.append(cls(content=turn.content))
    messages.append(HumanMessage(content=ctx.message))
    return messages


async def retrieve(ctx: ChatContext) -> list[Passage]:
    query = search_query(ctx.message, ctx.history)

    def run() -> list[Passage]:
        if not ctx.library.registry.complete(ctx.library.name):
            return []
        return ctx.library.search(query, k=ctx.k)

    return await asyncio.to_thread(run)


async def grounded_reply(ctx: ChatContext) -> AsyncIterator[BaseModel]:
    """Retrieval-grounded answer: citations first, then the streamed reply text."""
    from ideapump.llm import astream_text

    citations = citations_for(await retrieve(ctx))
    for c in citations:
        yield CitationEvent(**c.model_dump())
    async for piece in astream_text(ctx.model, build_messages(ctx, citations)):
        yield TokenEvent(text=piece)


def default_engine() -> ChatEngine:
    """The agent's intent router when :mod:`ideapump.agent` is installed, else grounded Q&A."""
    from ideapump.api.agent_engine import agent_available, agent_reply

    return agent_reply if agent_available() else grounded_reply


def sse(event: BaseModel | dict[str, Any], name: str | None = None) -> str:
    """One Server-Sent Event: ``event: <type>`` and the JSON payload on one ``data:`` line."""
    payload = event.model_dump(mode="json") if isinstance(event, BaseModel) else event
    name = name or str(payload.get("type", "message"))
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def references_text(citations: Sequence[Citation]) -> str:
    """Numbered references for clients that only show text (OpenAI-compatible UIs)."""
    if not citations:
        return ""
    lines = [f"[{c.n}] {c.title}, p. {c.page}" for c in citations]
    return "\n\nReferences:\n" + "\n".join(lines)
