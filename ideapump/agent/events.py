"""The typed events of :func:`ideapump.agent.chat.chat_stream` (documented there), and the
filter that turns streamed text into token and checked citation events."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel

from ideapump.agent.grounding import Evidence, closest_sentence
from ideapump.results import Citation, ExperimentProposal, StatsFinding, WeighProgress

Intent = Literal["question", "propose", "critique", "weigh", "check_stats", "clarify"]


class TokenEvent(BaseModel):
    type: Literal["token"] = "token"
    text: str


class CitationEvent(BaseModel):
    type: Literal["citation"] = "citation"
    marker: int
    citation: Citation


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


ChatEvent = (
    TokenEvent | CitationEvent | ProposalEvent | StatsFindingEvent | WeighProgress | DoneEvent
)


class ChatReply(BaseModel):
    """What :func:`chat` returns: the DoneEvent's content plus the streamed side events."""

    intent: Intent
    text: str
    citations: list[Citation] = []
    abstained: bool = False
    clarifying: bool = False
    result: dict[str, Any] | None = None


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


class MarkerFilter:
    """Pass streamed text through, holding back "[..." until the marker is checked."""

    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self.pending = ""
        self.text = ""
        self.cited: dict[int, Citation] = {}

    def feed(self, piece: str) -> Iterator[TokenEvent | CitationEvent]:
        self.pending += piece
        while self.pending:
            start = self.pending.find("[")
            if start < 0:
                yield from self._emit(self.pending)
                self.pending = ""
                return
            if start:
                yield from self._emit(self.pending[:start])
                self.pending = self.pending[start:]
            end = self.pending.find("]")
            if end < 0:
                if len(self.pending) > 12:  # not a marker
                    yield from self._emit(self.pending[0])
                    self.pending = self.pending[1:]
                    continue
                return
            yield from self._marker(self.pending[: end + 1])
            self.pending = self.pending[end + 1 :]

    def flush(self) -> Iterator[TokenEvent | CitationEvent]:
        if self.pending:
            yield from self._emit(self.pending)
            self.pending = ""

    def _emit(self, text: str) -> Iterator[TokenEvent]:
        self.text += text
        yield TokenEvent(text=text)

    def _marker(self, marker: str) -> Iterator[TokenEvent | CitationEvent]:
        numbers = re.findall(r"\d+", marker)
        if not re.fullmatch(r"\[\s*\d+(\s*,\s*\d+)*\s*\]", marker):
            yield from self._emit(marker)
            return
        good = []
        for n in map(int, numbers):
            citation = self.cited.get(n) or self._citation(n)
            if citation is None:
                continue  # an unknown passage: the marker is dropped, never shown
            good.append(n)
            if n not in self.cited:
                self.cited[n] = citation
                yield CitationEvent(marker=n, citation=citation)
        if good:
            yield from self._emit("[" + ", ".join(map(str, good)) + "]")

    def _citation(self, n: int) -> Citation | None:
        """Passage n, quoted by its sentence closest to the sentence being written."""
        if not 1 <= n <= len(self.evidence.passages):
            return None
        claim = re.split(r"[.!?]\s", self.text)[-1]
        best = closest_sentence(self.evidence.passages[n - 1].quote, claim, content_words)
        return self.evidence.resolve(n, best)
