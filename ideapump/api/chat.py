"""The conversation plumbing behind ``/conversations`` and ``/v1/chat/completions``.

A *chat engine* is an async function ``engine(ctx) -> AsyncIterator[event]``
taking a :class:`ChatContext` (library, chat model, earlier turns, the new
message) and yielding the typed events of :mod:`ideapump.schemas`
(token, citation, proposal, stats_finding). The routes add ``done``/``error``,
store the reply and frame the events (SSE or OpenAI chunks).

The service's engine is the agent's router (:func:`ideapump.api.agent_engine.agent_reply`);
``create_app(engine=...)`` swaps it, for tests and embedders. The conversation
handed to it is trimmed to the model's context window by :func:`fit_history`:
whole messages are dropped oldest first, never cut mid-message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ideapump.library import Library
from ideapump.llm.model import ChatModel
from ideapump.schemas import Citation
from ideapump.sse import encode

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
    model: ChatModel
    message: str
    history: list[Turn] = field(default_factory=list)
    k: int = 6
    context_size: int = 8192
    max_output_tokens: int = 1024
    #: set by the engine when the reply is done: sentences the claim check removed
    unsupported_removed: int = 0


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


def sse(event: BaseModel | dict[str, Any], name: str | None = None) -> str:
    """One Server-Sent Event: ``event: <type>`` and the JSON payload on one ``data:`` line."""
    payload = event.model_dump(mode="json") if isinstance(event, BaseModel) else event
    return encode(payload, name or str(payload.get("type", "message")))


def references_text(citations: Sequence[Citation]) -> str:
    """Numbered references for clients that only show text (OpenAI-compatible UIs)."""
    if not citations:
        return ""
    lines = [f"[{c.n}] {c.title}, p. {c.page}" for c in citations]
    return "\n\nReferences:\n" + "\n".join(lines)
