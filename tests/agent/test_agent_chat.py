"""chat routing and streaming events, the facade, and the CLI commands."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from ideapump.agent import (
    AgentOptions,
    CitationEvent,
    DoneEvent,
    ProposalEvent,
    StatsFindingEvent,
    TokenEvent,
    chat,
    chat_stream,
)
from ideapump.agent.grounding import quote_occurs
from tests.agent.fakes import FakeLLM, proposal, reflection, winner_a


def _answer(body: dict[str, Any], p: dict[int, str]) -> list[str]:
    # a marker split across tokens, a valid one, and one naming no passage
    return ["The pupil constricts to light [", "1]. Another claim [9", "]. Done [2]."]


def test_question_streams_tokens_and_checked_citations(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("stream", _answer)
    history = [
        {"role": "user", "content": "what do the papers say about the pupillary light response?"},
        {"role": "assistant", "content": "It constricts to bright light."},
        {"role": "user", "content": "and during covert attention?"},
    ]
    events = list(chat_stream(corpus_library, llm, history, options=options))
    kinds = [type(e) for e in events]
    assert kinds[-1] is DoneEvent and TokenEvent in kinds
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.intent == "question"
    text = "".join(e.text for e in events if isinstance(e, TokenEvent))
    assert text == done.text == "The pupil constricts to light [1]. Another claim . Done [2]."
    cites = [e for e in events if isinstance(e, CitationEvent)]
    assert [c.marker for c in cites] == [1, 2] and len(done.citations) == 2
    for c in cites:
        chunk = next(
            x for x in corpus_library.chunks(c.citation.doc_id) if x.chunk_id == c.citation.chunk_id
        )
        assert quote_occurs(c.citation.quote, chunk.quote)
    # the earlier turn shaped the request: history in the prompt, passages in the block
    user = fake.of("stream")[0]["messages"][1]["content"]
    assert "pupillary light response" in user and "<documents>" in user


def test_vague_message_gets_one_clarifying_question(corpus_library, llm, fake: FakeLLM) -> None:
    reply = chat(corpus_library, llm, [("user", "ideas?")])
    assert reply.intent == "clarify" and reply.clarifying and reply.text.count("?") >= 1
    assert fake.requests == []


def test_unsupported_question_abstains(corpus_library, llm, fake: FakeLLM) -> None:
    reply = chat(corpus_library, llm, [("user", "what are mortgage interest rates in Spain?")])
    assert reply.abstained and "does not cover" in reply.text and fake.requests == []


def test_pasted_result_is_checked_without_the_model(corpus_library, llm, fake: FakeLLM) -> None:
    events = list(
        chat_stream(
            corpus_library, llm, [("user", "We found t(28) = 2.20, p = .01. Is that right?")]
        )
    )
    findings = [e for e in events if isinstance(e, StatsFindingEvent)]
    assert len(findings) == 1 and findings[0].finding.severity == "problem"
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.intent == "check_stats"
    assert done.result is not None and done.result["results"][0]["test_type"] == "t"
    assert fake.requests == []


def test_propose_intent_streams_proposals(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("ProposalDraft", lambda b, p: proposal(p))
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    msg = "Could you propose an experiment on pupil size and attention to light?"
    events = list(chat_stream(corpus_library, llm, [("user", msg)], n=1, k=1, options=options))
    assert [e.rank for e in events if isinstance(e, ProposalEvent)] == [1]
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.intent == "propose" and done.citations
    assert "Sample size:" in done.text and "p. " in done.text


def test_facade_and_cli(corpus_library, settings, fake: FakeLLM, monkeypatch) -> None:
    from ideapump.cli import app
    from ideapump.facade import IdeaPump
    from ideapump.runtime import Runtime

    runtime = Runtime(corpus_library.settings, embeddings=corpus_library.store.embeddings)
    pump = IdeaPump(runtime, options=AgentOptions(passages=4))
    assert pump.search("pupil light response", k=2)
    assert pump.weigh("best pizza recipe with basil").abstained  # no model built or called
    assert fake.requests == []

    monkeypatch.setenv("IDEAPUMP_HOME", str(corpus_library.settings.home))
    for key, value in (
        ("BASE_URL", "http://llm.test/v1"),
        ("MODEL", "test-model"),
        ("API_KEY", "k"),
    ):
        monkeypatch.setenv(f"IDEAPUMP_LLM__{key}", value)
    fake.on("ProposalDraft", lambda b, p: proposal(p))
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    runner = CliRunner()
    out = runner.invoke(
        app, ["propose", "pupil size response to light", "-n", "1", "--passages", "3"]
    )
    assert out.exit_code == 0, out.output
    assert "Hypothesis:" in out.output and ", p. " in out.output and "[" in out.output
    out = runner.invoke(app, ["propose", "pupil size response to light", "-n", "1", "--json"])
    data = json.loads(out.output)
    assert data["proposals"][0]["sample_size"]["n_per_group"] >= 2
    out = runner.invoke(app, ["critique", "ffffffffffff"])
    assert out.exit_code != 0
