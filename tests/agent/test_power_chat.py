"""A sample-size question in the chat: a power analysis by code on the library's effect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from statsmodels.stats.power import TTestIndPower, TTestPower

from ideapump.agent import DoneEvent, chat_stream
from ideapump.agent.chat import route
from ideapump.agent.grounding import AgentOptions, quote_occurs
from ideapump.agent.power_chat import asks_power, power_reply
from tests.agent.fakes import FakeLLM

PAPER = """# Propranolol and exploration

## Methods

Sixty healthy volunteers took part in a double-blind, placebo-controlled, between-subjects
study of propranolol and amisulpride.

## Results

Amisulpride had a marginal effect on exploitation within its own group (F(1, 35) = 3.035,
p = 0.09). Noradrenaline blockade reduced random exploration (pairwise comparisons: placebo
vs propranolol: t(40) = 2.923, p = 0.005, d = 0.65; placebo vs amisulpride: t(38) = 0.12,
p = 0.905, d = 0.04).
"""


@pytest.fixture
def paper(tmp_path: Path, settings: Any, embeddings: Any) -> Any:
    from ideapump.runtime import Runtime

    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "dubois.md").write_text(PAPER)
    lib = Runtime(settings, embeddings=embeddings).library("power")
    assert not lib.ingest([tmp_path / "papers"]).failed
    return lib


@pytest.mark.parametrize(
    ("message", "n"),
    [
        ("Could we test this with a smaller sample, say 12 people?", 12),  # the 1.5B model
        ("Is n = 20 enough?", 20),  # repeated its previous answer to the first
        ("How many participants would we need?", None),
    ],
)
def test_a_question_of_sample_size_is_a_power_question(message: str, n: int | None) -> None:
    assert asks_power(message) == (True, n)


@pytest.mark.parametrize(
    "message",
    [
        "We recruited 30 patients for the trial; what did they find?",
        # bench/faithfulness.py: routed as a power question, it got a power analysis
        "How many people were in the long-duration bed rest study, and how were they split "
        "into groups?",
    ],
)
def test_what_a_study_had_is_a_question(paper: Any, message: str) -> None:
    assert asks_power(message) == (False, None)
    assert route(paper, message, [("user", message)]) == "question"


def test_the_effect_is_the_topics_arm_against_placebo_and_the_power_is_computed(
    paper: Any,
) -> None:
    said = "Random exploration was reduced under propranolol but not under amisulpride."
    text, citations = power_reply(paper, said, 12, AgentOptions())
    # placebo vs propranolol's printed d: not the t printed with it (the audit flags its
    # p), not amisulpride's within-group F, read first (Dubois et al.'s passage read so)
    assert "d = 0.65 (placebo vs propranolol)" in text
    between = TTestIndPower().power(effect_size=0.65, nobs1=6, alpha=0.05)
    within = TTestPower().power(effect_size=0.65, nobs=12, alpha=0.05)
    assert f"two groups of 6 (between subjects), a two-sample t-test has {between:.0%}" in text
    assert f"a paired t-test has {within:.0%}" in text
    need = TTestIndPower().solve_power(effect_size=0.65, alpha=0.05, power=0.8)
    assert f"{int(-(-need // 1))} per group" in text
    assert "between-subjects" in text  # the study's own design, said
    (cite,) = citations
    assert "d = 0.65" in cite.quote and "[1]" in text
    chunk = next(c for c in paper.chunks(cite.doc_id) if c.chunk_id == cite.chunk_id)
    assert quote_occurs(cite.quote, chunk.quote)


def test_without_an_effect_the_reply_says_so_and_assumes_a_medium_one(paper: Any) -> None:
    text, citations = power_reply(paper, "pupil size in bright light", None, AgentOptions())
    assert citations == [] and "Cohen's medium effect, d = 0.5" in text
    assert "64 per group (128 in all)" in text  # TTestIndPower for d = 0.5: 63.77


def test_chat_answers_a_power_question_without_the_model(
    paper: Any, llm: Any, fake: FakeLLM
) -> None:
    conversation = [
        {"role": "user", "content": "What did propranolol do to exploration?"},
        {
            "role": "assistant",
            "content": "Random exploration was reduced under propranolol but not under "
            "amisulpride [1].",
        },
        {"role": "user", "content": "Could we test this with a smaller sample, say 12 people?"},
    ]
    events = list(chat_stream(paper, llm, conversation))
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.intent == "power"
    assert "d = 0.65 (placebo vs propranolol)" in done.text and done.citations
    assert fake.requests == []  # arithmetic, not a model's reading


def test_a_power_question_with_nothing_to_power_gets_a_question_back(
    paper: Any, llm: Any, fake: FakeLLM
) -> None:
    events = list(
        chat_stream(
            paper, llm, [{"role": "user", "content": "How many participants would we need?"}]
        )
    )
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.intent == "clarify" and done.clarifying
    assert "for which effect?" in done.text and fake.requests == []


def test_this_is_the_last_answer_unless_it_covered_nothing() -> None:
    from ideapump.agent.answer import NOT_COVERED
    from ideapump.agent.power_chat import topic_of

    asked = ("user", "What did propranolol do to exploration?")
    power = ("user", "Could we test this with 12 people?")
    said = ("assistant", "Exploration fell under propranolol [1].")
    assert topic_of([asked, said, power]) == "Exploration fell under propranolol."
    assert topic_of([asked, ("assistant", NOT_COVERED), power]) == asked[1]
    named = "How many participants would we need to detect propranolol's effect on exploration?"
    assert topic_of([("user", named)]) == named
