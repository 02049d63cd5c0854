"""The typed events of :func:`ideapump.agent.chat.chat_stream` (documented there)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel

from ideapump.results import Citation, ExperimentProposal, StatsFinding, WeighProgress

Intent = Literal["question", "propose", "critique", "weigh", "check_stats", "power", "clarify"]


class TokenEvent(BaseModel):
    type: Literal["token"] = "token"
    text: str


class CitationEvent(BaseModel):
    type: Literal["citation"] = "citation"
    marker: int
    citation: Citation


class EvidenceEvent(BaseModel):
    """What the library holds for the question, numbered as the answer will cite it.

    Sent before the model is asked, so a researcher sees what was found within a
    second or two on a CPU where the first token takes many more. Each item is a
    verbatim sentence of its passage; the answer may cite fewer of them.
    """

    type: Literal["evidence"] = "evidence"
    items: list[CitationEvent]


class ProposalEvent(BaseModel):
    type: Literal["proposal"] = "proposal"
    rank: int
    proposal: ExperimentProposal


class StatsFindingEvent(BaseModel):
    type: Literal["stats_finding"] = "stats_finding"
    finding: StatsFinding


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"
    intent: Intent
    text: str
    citations: list[Citation] = []
    abstained: bool = False
    clarifying: bool = False
    result: dict[str, Any] | None = None
    unsupported_removed: int = 0
    extractive: bool = False


ChatEvent = (
    TokenEvent
    | CitationEvent
    | EvidenceEvent
    | ProposalEvent
    | StatsFindingEvent
    | WeighProgress
    | DoneEvent
)


class ChatReply(BaseModel):
    """What :func:`chat` returns: the DoneEvent's content plus the streamed side events."""

    intent: Intent
    text: str
    citations: list[Citation] = []
    abstained: bool = False
    clarifying: bool = False
    result: dict[str, Any] | None = None
    unsupported_removed: int = 0
    extractive: bool = False


_STOP = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "about",
        "this",
        "that",
        "it",
        "is",
        "are",
        "was",
        "be",
        "do",
        "does",
        "can",
        "could",
        "would",
        "should",
        "what",
        "how",
        "why",
        "tell",
        "me",
        "more",
        "please",
        "help",
        "idea",
        "ideas",
        "something",
        "anything",
        "thing",
        "hi",
        "hello",
        "hey",
        "thanks",
        "ok",
        "yes",
        "no",
        "you",
        "we",
        "our",
        "my",
    ]
)


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9-]+", text.lower()) if w not in _STOP]
