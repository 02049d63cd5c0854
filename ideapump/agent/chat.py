"""Conversational entry point for the service: ``chat`` and its streaming twin ``chat_stream``.

``chat_stream(library, llm, messages)`` is a (synchronous) iterator of typed
events; FastAPI can send it as SSE with ``iterate_in_threadpool``. Each event is
a pydantic model with a ``type`` field (``event.model_dump(mode="json")``)::

    TokenEvent         type="token"          text: str
        a piece of the answer's text, in order; concatenated they are the answer.
        A question's answer streams one checked sentence at a time.
    CitationEvent      type="citation"       marker: int, citation: Citation
        the answer text contains "[marker]"; citation = {doc_id, title, page, quote,
        chunk_id}, already checked (quote occurs in that retrieved chunk). Sent
        when the marker is first streamed. Unverifiable markers are never sent.
    EvidenceEvent      type="evidence"       items: [CitationEvent]
        a question's evidence, numbered as the model sees it, sent before the model
        is asked (the first thing a researcher sees); the answer may cite fewer.
    ProposalEvent      type="proposal"       rank: int, proposal: ExperimentProposal
    StatsFindingEvent  type="stats_finding"  finding: StatsFinding
        {kind: result|flag|mean, severity: problem|flag|ok, page, quote, message}
        from the deterministic auditor (critique, or a pasted result).
    WeighProgress      type="progress"       stage, done, total, message
        while a claim is weighed (papers found, passages judged, summary).
    DoneEvent          type="done"           intent, text, citations, abstained,
                                             clarifying, result, unsupported_removed,
                                             extractive
        last event: intent is one of question|propose|critique|weigh|check_stats|
        power|clarify; text the whole answer; result the pipeline's JSON (Proposals,
        Critique, EvidenceReport or the stats report) or null; unsupported_removed
        the sentences the claim check removed; extractive true when the answer
        is the evidence itself ("From the library: ...").

``messages`` is the conversation: ``[{"role": "user"|"assistant", "content": str}]``
(or ``(role, content)`` pairs), the last one the researcher's new message.
Routing is deterministic (patterns, and the auditor finding a reported test in
the message; a question of sample size is answered by a power analysis,
:mod:`ideapump.agent.power_chat`); a message too vague to act on gets one clarifying question, and
earlier user messages are added to the retrieval query so follow-ups build on
them. Questions are answered from evidence sentences only
(:mod:`ideapump.agent.answer`): when the evidence is too weak the answer says
the library does not cover it, without a model call, and every sentence shown
has passed the claim check against the passage it cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ideapump.agent.answer import NOT_COVERED, answer_stream
from ideapump.agent.clarify import clarifying_question, interest_only
from ideapump.agent.events import (
    ChatEvent,
    ChatReply,
    CitationEvent,
    DoneEvent,
    Intent,
    ProposalEvent,
    StatsFindingEvent,
    TokenEvent,
    content_words,
)
from ideapump.agent.grounding import AgentOptions
from ideapump.agent.power_chat import asks_power, power_reply, topic_of
from ideapump.errors import InputError, NotFoundError
from ideapump.results import StatsFinding

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.llm.model import ChatModel

_PROPOSE = re.compile(
    r"\b(propos\w*|suggest\w*|design|plan)\b.{0,60}\b(experiment|study|studies|test|follow[- ]?up)"
    r"|\bwhat (experiment|study|should we (test|run|do))|\bideas? for\b",
    re.IGNORECASE,
)
_CRITIQUE = re.compile(r"\b(critiqu\w*|critici[sz]\w*|review|assess|evaluate|appraise)\b", re.I)
_WEIGH = re.compile(
    r"\b(is it true|weigh|evidence (for|that|on|against)|does the (evidence|literature)|"
    r"claim that|how strong is the evidence)\b",
    re.IGNORECASE,
)
_DOC_ID = re.compile(r"\b[0-9a-f]{6,16}\b")
_GENERIC = set(
    [
        "paper",
        "papers",
        "study",
        "article",
        "manuscript",
        "critique",
        "review",
        "assess",
        "evaluate",
        "appraise",
        "methods",
        "results",
        "effect",
        "effects",
        "human",
        "humans",
        "data",
        "analysis",
    ]
)
__all__ = ["NOT_COVERED", "chat", "chat_stream", "find_document", "route"]


def _norm(messages: Sequence[Any]) -> list[tuple[str, str]]:
    out = []
    for m in messages:
        role, content = (m["role"], m["content"]) if isinstance(m, dict) else m
        out.append((str(role), str(content)))
    if not out or out[-1][0] != "user" or not out[-1][1].strip():
        raise InputError("the conversation must end with a non-empty user message")
    return out


def find_document(library: Library, text: str) -> str | None:
    """A document named in ``text``: by id (prefix) or by most title words in common."""
    for m in _DOC_ID.finditer(text):
        try:
            return library.get(m[0]).doc_id
        except (NotFoundError, InputError):
            continue
    words = set(content_words(text)) - _GENERIC
    best: tuple[int, str] | None = None
    for doc in library.papers():
        common = len(words & set(content_words(doc.title + " " + " ".join(doc.authors))))
        if common >= 1 and (best is None or common > best[0]):
            best = (common, doc.doc_id)
    return best[1] if best else None


def route(library: Library, message: str, history: list[tuple[str, str]]) -> Intent:
    from ideapump.stats import check_text

    if check_text(message).results:
        return "check_stats"
    if asks_power(message)[0]:
        return "power"
    if _PROPOSE.search(message):
        return "propose"
    if _CRITIQUE.search(message):
        return "critique"
    if _WEIGH.search(message):
        return "weigh"
    earlier = any(role == "user" for role, _ in history[:-1])
    if len(content_words(message)) < 2 and not earlier:
        return "clarify"
    if interest_only(message):
        return "clarify"
    return "question"


#: Characters of earlier conversation shown to the model (about 2,000 tokens).
HISTORY_CHARS = 8000


def _history_text(history: list[tuple[str, str]], omitted: int = 0) -> str:
    """The earlier turns, newest kept first, each whole or not at all.

    A message is never cut mid-way: what does not fit is left out and the model
    is told how many earlier messages it does not see (``omitted`` counts those a
    caller already dropped to fit the context window).
    """
    shown: list[str] = []
    used = 0
    earlier = history[:-1]
    for role, text in reversed(earlier):
        line = f"{role}: {text}"
        if used + len(line) > HISTORY_CHARS:
            break
        shown.append(line)
        used += len(line) + 1
    omitted += len(earlier) - len(shown)
    shown.reverse()
    if omitted:
        shown.insert(0, f"({omitted} earlier message{'s' if omitted != 1 else ''} not shown)")
    return "\n".join(shown) or "(none)"


def _say(text: str) -> Iterator[TokenEvent]:
    for line in text.splitlines(keepends=True):
        yield TokenEvent(text=line)


def chat_stream(
    library: Library,
    llm: ChatModel,
    messages: Sequence[Any],
    *,
    n: int = 3,
    k: int = 2,
    options: AgentOptions | None = None,
    omitted: int = 0,
) -> Iterator[ChatEvent]:
    """Route the researcher's last message and stream the answer as typed events.

    ``omitted``: earlier messages the caller left out to fit the context window;
    the model is told they exist.
    """
    from ideapump.agent.critique import critique
    from ideapump.agent.propose import propose
    from ideapump.agent.render import (
        render_critique,
        render_evidence,
        render_proposals,
        render_stats,
    )
    from ideapump.results import EvidenceReport
    from ideapump.stats import check_text

    options = options or AgentOptions()
    history = _norm(messages)
    message = history[-1][1]
    intent = route(library, message, history)
    doc_id = find_document(library, message) if intent == "critique" else None
    if intent == "clarify" or (intent == "critique" and doc_id is None):
        text = clarifying_question(library, intent, message)
        yield from _say(text)
        yield DoneEvent(intent="clarify", text=text, clarifying=True)
        return
    if intent == "question":
        yield from answer_stream(library, llm, history, options, _history_text(history, omitted))
        return
    if intent == "check_stats":
        report = check_text(
            message,
            alpha=library.settings.stats.alpha,
            p_zero_is_error=library.settings.stats.p_zero_is_error,
        )
        for r in report.results:
            finding = StatsFinding(
                kind="result",
                severity="problem" if r.is_problem else "ok",
                page=None,
                quote=r.quote,
                message=r.explanation,
            )
            yield StatsFindingEvent(finding=finding)
        text = render_stats(report)
        yield from _say(text)
        yield DoneEvent(intent=intent, text=text, result=report.to_json())
        return
    if intent == "propose":
        earlier = [t for role, t in history[:-1] if role == "user"][-1:]
        result = propose(library, llm, " ".join([*earlier, message]), n=n, k=k, options=options)
        for rank, proposal in enumerate(result.proposals, 1):
            yield ProposalEvent(rank=rank, proposal=proposal)
        text = render_proposals(result)
        citations = [c for p in result.proposals for c in p.citations]
        payload = result.model_dump(mode="json")
        abstained, unsupported = result.abstained, result.unsupported_removed
    elif intent == "power":
        # "Could we test this with 12 people?": "this" is what the last answer said (the
        # question's words, "smaller sample", chose an unrelated passage of Dubois et al.)
        topic = topic_of(history)
        if topic is None:
            text = (
                "Happy to work out a sample size - for which effect? Ask me about the finding "
                "first, or name it (for example: how many participants would we need to "
                "detect propranolol's effect on exploration?)."
            )
            yield from _say(text)
            yield DoneEvent(intent="clarify", text=text, clarifying=True)
            return
        text, citations = power_reply(library, topic, asks_power(message)[1], options)
        payload, abstained, unsupported = None, False, 0
    elif intent == "critique":
        assert doc_id is not None
        crit = critique(library, llm, doc_id, options=options)
        for finding in crit.stats_findings:
            yield StatsFindingEvent(finding=finding)
        text = render_critique(crit)
        citations = [p.citation for p in crit.methods]
        payload, abstained = crit.model_dump(mode="json"), False
        unsupported = crit.unsupported_removed
    else:
        from ideapump.agent.weigh import weigh_stream

        report_w = EvidenceReport(claim=message)
        for item in weigh_stream(library, llm, message, options=options):
            if isinstance(item, EvidenceReport):
                report_w = item
            else:
                yield item  # progress while papers are read one by one
        citations = [
            w.citation for w in [*report_w.supporting, *report_w.contradicting, *report_w.neutral]
        ]
        text = render_evidence(report_w)
        payload, abstained = report_w.model_dump(mode="json"), report_w.abstained
        unsupported = 0
    for i, citation in enumerate(citations, 1):
        yield CitationEvent(marker=i, citation=citation)
    yield from _say(text)
    yield DoneEvent(
        intent=intent,
        text=text,
        citations=citations,
        abstained=abstained,
        result=payload,
        unsupported_removed=unsupported,
    )


def chat(
    library: Library,
    llm: ChatModel,
    messages: Sequence[Any],
    *,
    n: int = 3,
    k: int = 2,
    options: AgentOptions | None = None,
) -> ChatReply:
    """The non-streaming reply: the final DoneEvent of :func:`chat_stream`."""
    for event in chat_stream(library, llm, messages, n=n, k=k, options=options):
        if isinstance(event, DoneEvent):
            return ChatReply(**event.model_dump(exclude={"type"}))
    raise AssertionError("chat_stream ended without a done event")  # pragma: no cover
