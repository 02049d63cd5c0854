"""chat routing and streaming events, the facade, and the CLI commands."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from ideapump.agent import (
    AgentOptions,
    CitationEvent,
    DoneEvent,
    EvidenceEvent,
    ProposalEvent,
    StatsFindingEvent,
    TokenEvent,
    chat,
    chat_stream,
)
from ideapump.agent.answer import ANSWER_TOKENS
from ideapump.agent.grounding import quote_occurs
from ideapump.grounding.claims import strip_markers
from tests.agent.fakes import FakeLLM, item_with, proposal, reflection, winner_a
from tests.agent.libraries import one_paper_library

QUESTION = "Did the hand hygiene intervention sequences increase handwashing frequency?"


def _mixed_answer(body: dict[str, Any], p: dict[int, str]) -> list[str]:
    """A true sentence, an invented number, an inverted direction, a marker naming no
    evidence, and a true sentence without a marker; markers split across tokens."""
    n = item_with(p, "increase in handwashing")
    return [
        "Both intervention sequences led to an increase in handwashing frequency [",
        f"{n}]. Washing rose by 35% in both groups [{n}]. ",
        "Both intervention sequences led to a decrease in handwashing frequency. ",
        "Cats prefer tuna [9",
        "]. Intention, self-efficacy and planning increased in both intervention sequences.",
    ]


def _chunk_of(library: Any, c: Any) -> str:
    return next(x.quote for x in library.chunks(c.doc_id) if x.chunk_id == c.chunk_id)


def test_question_shows_only_checked_sentences_each_with_a_citation(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("stream", _mixed_answer)
    events = list(chat_stream(corpus_library, llm, [("user", QUESTION)], options=options))
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.intent == "question" and not done.abstained
    text = "".join(e.text for e in events if isinstance(e, TokenEvent))
    assert text == done.text
    shown = [s for s in text.split(". ") if s]
    assert len(shown) == 2, text
    assert shown[0].startswith("Both intervention sequences led to an increase")
    assert shown[1].startswith("Intention, self-efficacy and planning increased in both")
    assert re.search(r"sequences \[\d+\]\.?$", shown[1]), text  # cited by code
    assert "35%" not in text and "decrease" not in text and "Cats" not in text
    assert done.unsupported_removed == 3 and not done.extractive
    cites = [e for e in events if isinstance(e, CitationEvent)]
    assert len(cites) == 1 and len(done.citations) == 1  # both rest on one sentence
    for c in cites:
        assert f"[{c.marker}]" in text
        # announced before the sentence that carries its marker
        first = next(
            i
            for i, e in enumerate(events)
            if isinstance(e, TokenEvent) and f"[{c.marker}]" in e.text
        )
        assert events.index(c) < first
        assert quote_occurs(c.citation.quote, _chunk_of(corpus_library, c.citation))
        assert len(c.citation.quote.split()) >= 8
    removed = done.result["removed"] if done.result else []
    assert any("35%" in r["sentence"] for r in removed)
    # the prompt: persona and the answering rules, then the numbered evidence, then the
    # question; the rules are the same bytes for every question, so a server's prompt
    # cache holds them and only the evidence and the question are read per answer
    messages = fake.of("stream")[0]["messages"]
    assert messages[0]["role"] == "system" and "End every sentence with" in messages[0]["content"]
    assert messages[1]["content"].startswith("<documents>")
    assert "End every sentence with" not in messages[1]["content"]
    chat(
        corpus_library,
        llm,
        [("user", "Which hand hygiene interventions were compared?")],
        options=options,
    )
    again = fake.of("stream")[1]["messages"]
    assert again[0] == messages[0] and again[1] != messages[1]


def test_an_answer_stops_at_its_length(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # told "at most 4 sentences", the 1.5B model wrote six on the Thompson paper
    def six(body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "increase in handwashing")
        said = "intervention sequences led to an increase in handwashing frequency"
        return [
            f"{w} {said} [{n}]. " for w in ("Both", "Overall, both", "So both", "Hence both")
        ] + [f"Again both {said} [{n}]. Finally both {said} [{n}]."]

    fake.on("stream", six)
    done = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    shown = [s for s in done.text.split(". ") if s]
    assert len(shown) == 4 and shown[-1].startswith("Hence both"), done.text
    assert "Again" not in done.text and "Finally" not in done.text
    assert done.unsupported_removed == 0 and not done.extractive


def test_a_question_for_a_number_its_evidence_does_not_give_says_so(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the Mathot follow-up "How big was that effect?": the 1.5B model wrote "0.3", in no
    # passage, and the extractive answer that replaced it gave no size either
    fake.on("stream", lambda b, p: ["The effect size was 0.3 [1]."])
    question = "How big was the effect of eye-movement preparation on the pupil?"
    done = chat(corpus_library, llm, [("user", question)], options=options)
    assert done.extractive and "0.3" not in done.text
    assert done.text.endswith("None of the passages I found gives a figure for this.")
    # reference numbers glued to a word are no figure (the Mathot follow-up's evidence)
    from ideapump.agent.answer import gives_figure
    from ideapump.grounding.evidence import EvidenceItem
    from tests.conftest import make_passage

    def item(text: str) -> EvidenceItem:
        return EvidenceItem(n=1, passage=make_passage(text), text=text, score=0.5)

    glued = "This could contribute to the phase advance observed in theexercisegroups42,43."
    assert not gives_figure([item(glued)])
    assert gives_figure([item(glued), item("The phase advanced by 0.5 h in the RE group.")])
    # a figure for another thing is none: "What dose of atomoxetine ...?" (no study gave
    # it) had been answered with a rat study's CHX doses
    dosed = item("Rats received a dose of 25 mg/kg CHX 60 min before each session.")
    assert gives_figure([dosed]) and gives_figure([dosed], "CHX")
    assert not gives_figure([dosed], "atomoxetine")
    # a figure far from the word counts something else (Lhakhang et al.'s measure)
    scale = (
        "Hand-washing frequency (explicitly defined as using soap and water or antibacterial "
        "gel) was assessed by a single item ranging from 1 (0-2 times a day) to 6."
    )
    assert not gives_figure([item(scale)], "soap") and gives_figure([item(scale)], "item")
    # in a paper whose title names horses, a figure that counts none: "How many horses
    # were studied in the emotional anticipation experiment?" had been answered so
    title = "Characterisation of facial expressions and behaviours of horses"

    def horses(text: str) -> EvidenceItem:
        return EvidenceItem(n=1, passage=make_passage(text, title=title), text=text, score=0.5)

    measured = [
        horses("This limit point was reached when one horse did not follow the experimenter."),
        horses("The horses were never left alone except in the negative condition (=2 minutes)."),
    ]
    assert not gives_figure(measured, "horses")
    mares = horses("Twenty Welsh mares aged between 4 and 11 years were studied.")
    assert gives_figure([*measured, mares], "horses")
    fake.on("stream", lambda b, p: ["I cannot answer this."])
    done = chat(
        corpus_library,
        llm,
        [("user", "How much soap did the young adults in the handwashing study get?")],
        options=options,
    )
    # only the note: quoting the young adults' ages instead would answer something else
    assert done.text == "None of the passages I found gives a figure for soap."
    assert done.abstained and not done.extractive and not done.citations
    # a question whose evidence states numbers gets no such sentence
    fake.on("stream", lambda b, p: ["I cannot answer this."])
    done = chat(
        corpus_library, llm, [("user", "How many young adults took part?")], options=options
    )
    assert done.extractive and "gives a figure" not in done.text


def test_an_idea_gets_the_evidence_on_it_and_an_offer_to_draft_an_experiment(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    from ideapump.agent.answer import OFFER_PROPOSAL
    from ideapump.agent.chat import route

    def endorse(body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n, said = next((n, t) for n, t in sorted(p.items()) if "handwashing" in t.lower())
        # what the evidence says, then the idea said back as if it were a finding
        return [f"{said} [{n}]. ", f"Handwashing frequency is a good welfare marker [{n}]."]

    fake.on("stream", endorse)
    idea = (
        "I wonder whether we could use handwashing frequency as a welfare marker for "
        "students. What do you think?"
    )
    done = chat(corpus_library, llm, [("user", idea)], options=options)
    assert done.intent == "question" and done.citations
    assert not done.extractive and "welfare" not in done.text and done.unsupported_removed == 1
    reasons = [r["reason"] for r in (done.result or {})["removed"]]
    assert "endorses the researcher's idea" in reasons[0] and "welfare, marker" in reasons[0]
    assert done.text.endswith(OFFER_PROPOSAL)
    # taken up, the offer leads to a proposal on the idea
    history = [("user", idea), ("assistant", done.text), ("user", "Yes, propose an experiment.")]
    assert route(corpus_library, history[-1][1], history) == "propose"
    # a plain question gets no offer
    plain = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert OFFER_PROPOSAL not in plain.text


def options_cap(llm: Any) -> int:
    return int(llm.llm_settings.max_output_tokens)


def test_the_evidence_is_shown_before_the_model_is_asked(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("stream", _mixed_answer)
    stream = chat_stream(corpus_library, llm, [("user", QUESTION)], options=options)
    first = next(stream)
    # on a CPU where the first token takes seconds, what was found is on screen already
    assert isinstance(first, EvidenceEvent) and fake.of("stream") == []
    events = [first, *stream]
    prompt = fake.of("stream")[0]["messages"][1]["content"]
    # a short answer is asked for, and capped: a rambling model costs minutes on a CPU
    assert fake.of("stream")[0]["max_tokens"] == min(ANSWER_TOKENS, options_cap(llm))
    assert len(first.items) >= 3
    for item in first.items:  # numbered as the model sees them, each a verbatim sentence
        assert f'n="{item.marker}"' in prompt
        assert quote_occurs(item.citation.quote, _chunk_of(corpus_library, item.citation))
    assert any("increase in handwashing" in i.citation.quote for i in first.items)
    # the answer's citations are among the evidence shown, under the same numbers
    shown = {i.marker: i.citation.chunk_id for i in first.items}
    cites = [e for e in events if isinstance(e, CitationEvent)]
    assert cites and all(shown.get(c.marker) == c.citation.chunk_id for c in cites)


def test_a_yes_no_question_gets_the_result_next_to_the_aim_it_matches(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the 1.5B model, shown only Mendt et al.'s aim and background, answered "regular
    # exercise did not have any effect" (the paper found a phase advance with exercise)
    fake.on("stream", lambda b, p: [f"{p[1].rstrip('. ')} [1]."])
    asked = (
        "Did regular exercise change the circadian rhythm of core body temperature during bed rest?"
    )
    first = next(iter(chat_stream(corpus_library, llm, [("user", asked)], options=options)))
    assert isinstance(first, EvidenceEvent)
    assert any("phase advance" in i.citation.quote for i in first.items)


def test_history_shapes_the_question(corpus_library, llm, fake: FakeLLM, options) -> None:
    # the model restates the first evidence sentence whole, as a faithful model would
    fake.on("stream", lambda b, p: [f"{p[1].rstrip('. ')} [1]."])
    history = [
        {"role": "user", "content": "what do the papers say about the pupillary light response?"},
        {"role": "assistant", "content": "It constricts to bright light."},
        {"role": "user", "content": "and during covert attention?"},
    ]
    done = list(chat_stream(corpus_library, llm, history, options=options))[-1]
    assert isinstance(done, DoneEvent) and done.citations and done.unsupported_removed == 0
    user = fake.of("stream")[0]["messages"][1]["content"]
    assert "pupillary light response" in user and "Latest message: and during covert" in user


def test_a_sentence_the_model_writes_twice_is_shown_once(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the 1.5B model's answer on the pupillary light response said one sentence twice
    fake.on("stream", lambda b, p: [f"{p[1].rstrip('. ')} [1]. ", f"{p[1].rstrip('. ')} [1]."])
    asked = [("user", "what do the papers say about the pupillary light response?")]
    done = chat(corpus_library, llm, asked, options=options)
    said = done.text.rstrip(".").split(" [1]")[0]
    assert said and done.text.count(said) == 1 and done.unsupported_removed == 0


def test_a_sentence_that_names_the_cited_study_by_what_it_is_not_about_is_removed(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # "The atomoxetine study found ...", citing a study of other drugs (the 1.5B model)
    fake.on("stream", lambda b, p: [f"The exercise study found: {p[1].rstrip('. ')} [1]."])
    asked = [("user", "what do the papers say about the pupillary light response?")]
    done = chat(corpus_library, llm, asked, options=options)
    assert "exercise study" not in done.text and done.unsupported_removed == 1
    assert done.result is not None
    assert "names the study by exercise" in done.result["removed"][0]["reason"]


def test_a_model_that_declines_strong_evidence_gets_an_extractive_answer(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("stream", lambda b, p: ["The library does not cover this question. ", "Sorry."])
    reply = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert not reply.abstained and reply.extractive
    assert reply.text.startswith("From the library: ") and "does not cover" not in reply.text
    # the paper's result, not its closing words on what the research explored
    assert "Both intervention sequences led to an increase in handwashing" in reply.text
    assert "this research has explored" not in reply.text
    markers = set(re.findall(r"\[(\d+)\]", reply.text))
    assert reply.citations and len(markers) == len(reply.citations)
    for c in reply.citations:
        # the evidence itself, verbatim, each sentence with its marker
        assert c.quote in strip_markers(reply.text)
        assert quote_occurs(c.quote, _chunk_of(corpus_library, c))


def test_a_marker_used_as_a_sentences_subject_keeps_the_sentence_readable(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "increase in handwashing")
        # the 1.5B model writes "[4] shows that ..."; the marker arrives as its own token
        return [
            f"Both intervention sequences led to an increase in handwashing frequency (cf [{n}].",
            f" [{n}]",
            " reports that both intervention sequences led to an increase in handwashing "
            f"frequency. According to [{n}], both intervention sequences led to an increase "
            "in handwashing frequency.",
            f" The paper by [{n}] shows that both intervention sequences led to an increase "
            "in handwashing frequency.",
        ]

    fake.on("stream", answer)
    reply = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert not reply.extractive and reply.unsupported_removed == 0, reply.result
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", reply.text) if s.strip()]
    assert len(sentences) == 4, reply.text
    assert sentences[1].startswith("The study reports that both"), reply.text
    assert sentences[2].startswith("According to the study, both"), reply.text
    # the marker stood for the authors, and a parenthesis only pointed at the evidence
    assert sentences[3].startswith("The paper shows that both"), reply.text
    assert re.search(r"frequency \[\d+\]\.$", sentences[0]), reply.text
    assert "(cf" not in reply.text and "by the study" not in reply.text
    assert all(re.search(r"\[\d+\]\.$", s) for s in sentences), reply.text


def test_a_sentence_cut_off_mid_way_is_not_shown(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        # evidence copied up to an "and", as the 1.5B model copied a chunk's unfinished
        # last sentence ("... in sixteen healthy men after 7 days and [2].")
        n, words = next(
            (n, t.split()) for n, t in sorted(p.items()) if " and " in " ".join(t.split()[6:])
        )
        cut = next(i for i, w in enumerate(words) if i >= 6 and w == "and")
        return [f"{' '.join(words[: cut + 1])} [{n}]."]

    fake.on("stream", answer)
    reply = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert not reply.abstained and reply.extractive  # nothing else survived
    assert not any(s.rstrip(" .").endswith(" and") for s in strip_markers(reply.text).split("."))
    assert reply.unsupported_removed == 1
    assert reply.result and reply.result["removed"][0]["reason"] == "cut off mid-sentence"


def test_a_conclusion_from_a_sentence_that_was_not_shown_is_not_shown_either(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n, t = next(iter(sorted(p.items())))
        said = t[0].lower() + t[1:].rstrip(". ")
        # a number the evidence does not give, then "This suggests" the evidence itself
        return [f"In 97 of 98 cases, {said} [{n}]. ", f"This suggests that {said} [{n}]."]

    fake.on("stream", answer)
    reply = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert reply.extractive and "This suggests" not in reply.text, reply.text
    assert reply.result and [r["reason"] for r in reply.result["removed"]][1] == (
        "draws on the sentence before it, which was removed"
    )


def test_a_sentence_saying_what_no_evidence_says_is_not_shown(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # "Core body temperature was measured using a thermocouple placed on the skin of the
    # subject's arm", citing Mendt et al.'s aim (the 1.5B model, from its own memory)
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n, t = next(iter(sorted(p.items())))
        said = t.rstrip(". ")
        return [
            f"{said}, using a thermocouple taped to the skin [{n}]. ",
            f"{said}, as noted clearly [{n}].",  # two words of its own: a paraphrase
        ]

    fake.on("stream", answer)
    # (not a yes/no question: there the first item, an aim, would be set aside anyway)
    asked = "Tell me about the hand hygiene intervention sequences and handwashing frequency."
    reply = chat(corpus_library, llm, [("user", asked)], options=options)
    assert "thermocouple" not in reply.text and "as noted clearly" in reply.text, reply.text
    assert reply.result and reply.result["removed"][0]["reason"] == (
        "not supported by the evidence it cites: says thermocouple, taped, skin, which no "
        "evidence it was given says"
    )


def test_a_sentence_mixing_two_sources_is_not_shown(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    """The 1.5B model wrote "the CTR group trained three times per week", citing
    "The exercise was scheduled three times per week": CTR, the group that did not
    exercise, came from another piece of evidence. Every word and number but that
    one is in the cited sentence, so only the mixing gives it away."""
    schedule = "The exercise was scheduled three times per week"

    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = next(n for n, t in p.items() if schedule in t)
        assert "CTR" not in p[n] and any("CTR" in t for t in p.values())
        return [
            f"The exercise groups trained three times per week [{n}]. ",
            f"The CTR group trained three times per week [{n}].",
        ]

    fake.on("stream", answer)
    question = "How often did the exercise groups train during the bed rest?"
    reply = chat(corpus_library, llm, [("user", question)], options=options)
    assert not reply.abstained and not reply.extractive
    assert reply.text.startswith("The exercise groups trained three times per week [")
    assert "CTR" not in reply.text
    assert reply.unsupported_removed == 1 and reply.result
    (removed,) = reply.result["removed"]
    assert removed["sentence"].startswith("The CTR group")
    assert "ctr" in removed["reason"] and "does not cite" in removed["reason"]
    assert [schedule in c.quote for c in reply.citations] == [True]


def test_vague_message_gets_one_clarifying_question(corpus_library, llm, fake: FakeLLM) -> None:
    reply = chat(corpus_library, llm, [("user", "ideas?")])
    assert reply.intent == "clarify" and reply.clarifying and reply.text.count("?") >= 1
    assert fake.requests == []


@pytest.mark.parametrize(
    ("message", "said"),
    [
        # this session's first message of a chat, answered with four sentences of methods
        ("I want to do something on pupil responses.", "The Pupillary Light Response"),
        ("We would like to work on hand hygiene in schools.", "Evaluating brief motivational"),
        ("I want to look at caffeine and memory.", "nothing in the library on caffeine"),
    ],
)
def test_an_interest_without_a_question_gets_the_papers_on_it_and_a_question(
    corpus_library, llm, fake: FakeLLM, message: str, said: str
) -> None:
    reply = chat(corpus_library, llm, [("user", message)])
    assert reply.intent == "clarify" and reply.clarifying and reply.text.endswith("?")
    assert said in reply.text and fake.requests == []


def test_unsupported_question_abstains(corpus_library, llm, fake: FakeLLM) -> None:
    reply = chat(corpus_library, llm, [("user", "what are mortgage interest rates in Spain?")])
    assert reply.abstained and "does not cover" in reply.text and fake.requests == []


def test_a_question_on_something_no_paper_mentions_abstains_and_names_it(
    corpus_library, llm, fake: FakeLLM
) -> None:
    # Asked about caffeine, the 12-paper library answered from "the effect of glutathione
    # on memory performance": the other words of the question were there. Here the rest of
    # the question is the bed rest paper's own words.
    asked = "Did caffeine shift the circadian rhythm of core body temperature during bed rest?"
    reply = chat(corpus_library, llm, [("user", asked)])
    assert reply.abstained and '"caffeine"' in reply.text and fake.requests == []
    # the same question without the drug is answered from the paper
    fake.on("stream", lambda b, p: [f"{p[1].rstrip('. ')} [1]."])
    reply = chat(corpus_library, llm, [("user", asked.replace("caffeine ", ""))])
    assert not reply.abstained and fake.requests


def test_a_question_on_a_study_the_library_does_not_hold_asks_which_is_meant(
    corpus_library, llm, fake: FakeLLM
) -> None:
    # "What did the atomoxetine study find ...?" was answered from Dubois et al., who name
    # atomoxetine once; here the hand hygiene paper names alcohol in passing
    reply = chat(corpus_library, llm, [("user", "What did the alcohol study find on hands?")])
    assert reply.abstained and fake.requests == []
    assert reply.text.startswith("I found no alcohol study in the library")
    assert "Evaluating brief motivational" in reply.text and reply.text.count("?") == 1
    # a first study whose words the library never uses leaves the next one to be read
    from ideapump.agent.premise import no_such_study

    both = "Did the unicorn study or the alcohol study find more?"
    assert (no_such_study(corpus_library, both) or "").startswith("I found no alcohol study")
    # a study the library holds is answered
    fake.on("stream", lambda b, p: [f"{p[1].rstrip('. ')} [1]."])
    reply = chat(corpus_library, llm, [("user", "What did the bed rest study find?")])
    assert not reply.abstained and fake.requests


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


def test_the_question_said_back_as_a_finding_is_not_shown(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the 1.5B model on the Mendt bed-rest paper: the question turned into a statement,
    # cited to an evidence sentence that does not say it (since background sentences rank
    # lower, every evidence sentence names exercise; which check removes it first is
    # tested in tests/grounding/test_claims.py)
    question = "Does exercise during bed rest prevent the circadian phase delay?"

    def said_back(body: dict[str, Any], p: dict[int, str]) -> list[str]:
        said = re.compile(r"prevent|mitigat|counteract", re.I)
        n = next(n for n, t in sorted(p.items()) if not said.search(t))
        return [
            f"The study found that exercise during bed rest prevents the circadian phase delay [{n}]."
        ]

    fake.on("stream", said_back)
    done = chat(corpus_library, llm, [("user", question)], options=options)
    assert "prevents the circadian phase delay" not in done.text
    assert done.unsupported_removed == 1
    removed = done.result["removed"] if done.result else []
    assert [r["sentence"] for r in removed] == [
        "The study found that exercise during bed rest prevents the circadian phase delay."
    ]


def test_an_extractive_answer_quotes_the_papers_own_words_first(corpus_library) -> None:
    from ideapump.agent.checked import extractive_items
    from ideapump.grounding.evidence import EvidenceItem

    # the Mendt bed-rest answer, its two best evidence sentences in score order
    passage = next(c for c in corpus_library.chunks(corpus_library.papers()[0].doc_id))
    others = EvidenceItem(
        1,
        passage,
        "Phase delays have been also observed in horizontal bed rest studies19,25, suggesting "
        "that immobilization rather than head-down tilt posture account for the phase shifts.",
        0.62,
    )
    own = EvidenceItem(2, passage, "We found that HDBR induces a phase delay after 49 days.", 0.60)
    weak = EvidenceItem(3, passage, "Bed rest lasted 60 days in this study of 24 men.", 0.40)
    assert extractive_items([others, own, weak]) == [own, others]
    assert extractive_items([weak]) == [weak]
    # an aim and a field's trend (the Mendt question on the group without exercise) give
    # way to a result a little further down
    aim = EvidenceItem(
        1,
        passage,
        "We here investigated the effects of long-duration bed rest with and without "
        "resistance exercise on the circadian rhythm of core body temperature.",
        0.62,
    )
    trend = EvidenceItem(
        2, passage, "Exercise has gained increasing interest as an aid to entrain rhythms.", 0.6
    )
    result = EvidenceItem(3, passage, "CTR showed a phase delay of 0.69 h after 60 days.", 0.47)
    assert extractive_items([aim, trend, result])[0] == result
    # a caption is no result
    caption = EvidenceItem(
        5, passage, "Fig. 2 Changes in the circadian phase of rectal temperature.", 0.6
    )
    assert extractive_items([aim, trend, caption]) == [aim, trend]
    # an item whose second sentence reports counts as a report (the horse study's "This
    # study aimed to ... Twenty horses were daily trained ..."), and a field's trend is
    # not quoted beside it
    both = EvidenceItem(4, passage, f"{aim.text} Twenty horses were trained daily.", 0.62)
    assert extractive_items([trend, both]) == [both]


def test_an_answer_whose_citations_never_measure_what_was_asked_says_so(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # The 1.5B model answered "Does hand washing reduce respiratory infections?" with
    # hand-washing rates: the trial it cited measured hand-washing, not infections.
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "increase in handwashing")
        return [f"Both intervention sequences led to an increase in handwashing frequency [{n}]."]

    fake.on("stream", answer)
    asked = "Does hand washing reduce respiratory infections?"
    reply = chat(corpus_library, llm, [("user", asked)], options=options)
    assert reply.citations and reply.text.endswith(
        "None of the passages cited here measures respiratory infections, so they do not "
        "answer that directly."
    )
    # asked what the passage does measure, the answer stands alone
    reply = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert reply.citations and "None of the passages" not in reply.text


def test_the_papers_we_is_shown_as_the_authors(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # The 1.5B model copied "..., we could rule out that ..." (Range et al.) into an
    # answer, which then read as if the assistant had run the experiments.
    copied: list[str] = []

    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n, said = next(
            (n, m[0]) for n, t in sorted(p.items()) if (m := re.search(r"We found that [^.]+\.", t))
        )
        copied.append(said)
        return [f"{said[:-1]} [{n}]."]

    fake.on("stream", answer)
    asked = "Did head-down tilt bed rest delay the circadian rhythm?"
    reply = chat(corpus_library, llm, [("user", asked)], options=options)
    assert copied and reply.citations, reply.text
    assert reply.text.startswith(f"The authors found that {copied[0][len('We found that ') : -1]}")
    assert "We found" not in reply.text


def test_an_extractive_answer_of_aims_only_says_it_answers_nothing(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    from ideapump.agent.checked import AIMS_ONLY

    # Mendt et al.'s two sentences of what they investigated had been the whole answer
    fake.on("stream", lambda b, p: ["I cannot answer this."])
    asked = "How was core body temperature measured in the head-down tilt bed rest study?"
    done = chat(corpus_library, llm, [("user", asked)], options=options)
    assert done.extractive and "investigated" in done.text
    assert done.text.endswith(AIMS_ONLY)
    # evidence that reports a result is quoted without it
    done = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert done.extractive and AIMS_ONLY not in done.text


def test_a_yes_no_answer_is_made_of_results_not_background(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # "Did exercise prevent the circadian phase delay during bed rest?" opened with Mendt
    # et al.'s background ("... it is unknown whether regular exercise could mitigate
    # such effects"), before their result that it did
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = next((n for n, t in sorted(p.items()) if "increase in handwashing" in t), 1)
        return [
            "Frequent handwashing can prevent infections, but non-compliance to hand hygiene "
            "is pervasive. ",
            f"Both intervention sequences led to an increase in handwashing frequency [{n}].",
        ]

    fake.on("stream", answer)
    reply = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert reply.text.startswith("Both intervention sequences led to an increase"), reply.text
    assert "pervasive" not in reply.text and reply.unsupported_removed == 0
    assert reply.result and "pervasive" in reply.result["set_aside"][0]
    # asked what is known, not yes or no, the background is part of the answer
    asked = "What is known about hand hygiene compliance?"
    reply = chat(corpus_library, llm, [("user", asked)], options=options)
    assert "non-compliance to hand hygiene is pervasive" in reply.text, reply.text


def test_an_extractive_answer_quotes_a_result_before_what_was_done() -> None:
    # Hartgerink et al.'s evidence for "What share of nonsignificant results in psychology
    # might be false negatives?", word for word with its scores: the extractive answer
    # quoted what the authors analysed and applied, not the share they found
    from ideapump.agent.checked import extractive_items
    from ideapump.grounding.evidence import EvidenceItem
    from tests.conftest import make_passage

    said = [
        (
            "To show that statistically nonsignificant results do not warrant the "
            "interpretation that there is truly no effect, we analyzed statistically "
            "nonsignificant results from eight major psychology journals.",
            0.998,
        ),
        (
            "Third, we applied the Fisher test to the nonsignificant results in 14,765 "
            "psychology papers from these eight flagship psychology journals to inspect how "
            "many papers show evidence of at least one false negative result.",
            0.958,
        ),
        (
            "Of articles reporting at least one nonsignificant result, 66.7% show evidence of "
            "false negatives, which is much more than the 10% predicted by chance alone.",
            0.951,
        ),
    ]
    items = [
        EvidenceItem(n=n, passage=make_passage(t), text=t, score=score)
        for n, (t, score) in enumerate(said, 1)
    ]
    assert [i.n for i in extractive_items(items)] == [3, 1]


def test_the_evidence_from_paper_is_the_paper(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # "The evidence from paper states that ..." (the 1.5B model, 4 of 16 chat answers read)
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "increase in handwashing")
        return [
            "The evidence from paper states that both intervention sequences led to an "
            f"increase in handwashing frequency [{n}]."
        ]

    fake.on("stream", answer)
    reply = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert reply.text.startswith("The paper states that both intervention sequences"), reply.text
    # "The evidence from document shows ..." (a bench answer): the paper shows it
    fake.on(
        "stream",
        lambda b, p: [
            "The evidence from document shows that both intervention sequences led to an "
            f"increase in handwashing frequency [{min(p)}]."
        ],
    )
    reply = chat(corpus_library, llm, [("user", QUESTION)], options=options)
    assert reply.text.startswith("The paper shows that both"), reply.text


def test_an_answer_that_never_names_what_was_asked_about_quotes_the_result_on_it(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # The 1.5B model answered "Did exercise prevent the circadian phase delay during bed
    # rest?" only with "The paper states that HDBR induces a phase delay ...": true,
    # cited, and silent on the exercise groups, whose result was in its evidence.
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "HDBR induces a phase delay")
        return [f"The paper states that HDBR induces a phase delay of circadian rhythm [{n}]."]

    fake.on("stream", answer)
    asked = "Did exercise prevent the circadian phase delay during bed rest?"
    reply = chat(corpus_library, llm, [("user", asked)], options=options)
    assert reply.text.startswith("The paper states that HDBR induces a phase delay")
    lead = "On exercise, the library reports: "
    assert lead in reply.text
    added = reply.text.split(lead, 1)[1]
    assert "both exercise groups were characterized by a phase advance" in added
    # the quoted result carries its citation, verbatim from the paper
    assert re.search(r"\[\d+\]\.$", added)
    assert any("exercise groups were characterized" in c.quote for c in reply.citations)
    # an answer that names it is left as it is
    fake.on(
        "stream",
        lambda _b, p: [
            "Both exercise groups were characterized by a phase advance [{}].".format(
                item_with(p, "exercise groups")
            )
        ],
    )
    named = chat(corpus_library, llm, [("user", asked)], options=options)
    assert lead not in named.text and named.citations


def test_a_cited_papers_title_names_what_its_result_sentence_measures(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # "Does regular exercise protect the circadian rhythm during bed rest?" was answered
    # with Mendt et al.'s phase results and then told that none of the cited passages
    # measures the circadian rhythm: the sentence says "phase delay", the paper's title
    # "circadian shifts ... during long-duration bed rest".
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "exercise groups were characterized")
        return [f"Both exercise groups were characterized by a phase advance [{n}]."]

    fake.on("stream", answer)
    asked = "Does regular exercise protect the circadian rhythm during bed rest?"
    reply = chat(corpus_library, llm, [("user", asked)], options=options)
    assert reply.citations and "phase advance" in reply.text
    assert "None of the passages cited here measures" not in reply.text


def test_an_answer_that_states_no_result_on_what_was_asked_about_quotes_one(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # "How did repeated CHX exposure affect immobility in the forced swimming test?" was
    # answered with when the test was done; here the Mendt study's aim stands in for it
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "We here investigated")
        return [
            "The authors investigated the effects of long-duration head-down tilt bed rest "
            f"(HDBR) with and without resistance exercise on the circadian rhythm [{n}]."
        ]

    fake.on("stream", answer)
    asked = "How did exercise affect the circadian phase during bed rest?"
    reply = chat(corpus_library, llm, [("user", asked)], options=options)
    assert reply.text.startswith("The authors investigated")
    assert "On exercise, the library reports: " in reply.text
    assert "phase advance" in reply.text.split("the library reports: ", 1)[1]


def test_an_extractive_answer_to_how_many_quotes_the_count_first(corpus_library) -> None:
    from ideapump.agent.answer import gives_figure
    from ideapump.agent.checked import extractive_items
    from ideapump.grounding.evidence import EvidenceItem

    # "How many horses were studied in the emotional anticipation experiment?": the
    # extractive answer quoted the first two of these, its evidence in score order
    chunk = next(c for c in corpus_library.chunks(corpus_library.papers()[0].doc_id))
    passage = chunk.model_copy(update={"title": "Facial expressions of horses"})
    one = EvidenceItem(
        1,
        passage,
        "This limit point was reached when one horse did not spontaneously follow the "
        "experimenter.",
        0.87,
    )
    alone = EvidenceItem(
        2,
        passage,
        "The horses were never left alone except during the social isolation phase in the "
        "negative condition (=2 minutes).",
        0.86,
    )
    count = EvidenceItem(
        3, passage, "Twenty Welsh mares aged between 4 and 11 years were studied.", 0.85
    )
    items = [one, alone, count]
    assert extractive_items(items)[0] is not count
    first = extractive_items(items, lambda i: gives_figure([i], "horses"))
    assert first[0] is count


def test_an_answer_on_a_drug_the_library_only_mentions_says_so(
    dubois_only, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # "How does atomoxetine change exploration?": Dubois et al. name atomoxetine once,
    # among other studies' drugs, and the 1.5B model wrote that sentence up as the answer
    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "such as atomoxetine")
        return [f"Atomoxetine impacts multiple neurotransmitter systems [{n}]."]

    fake.on("stream", answer)
    reply = chat(
        dubois_only, llm, [("user", "How does atomoxetine change exploration?")], options=options
    )
    assert reply.text.endswith(
        "None of the passages I found reports a result of atomoxetine: they mention it only."
    )
    # the same after an extractive answer: this session's model named "the atomoxetine
    # study" for Dubois et al.'s propranolol result, was removed, and the extractive
    # answer quoted the propranolol results
    fake.on(
        "stream",
        lambda _b, p: [
            "The atomoxetine study shows that value-free random exploration is attenuated "
            "under the influence of propranolol [1]."
        ],
    )
    quoted = chat(
        dubois_only, llm, [("user", "How does atomoxetine change exploration?")], options=options
    )
    assert quoted.extractive and quoted.text.endswith("they mention it only.")
    # a drug the paper tested gets no such note
    fake.on("stream", lambda _b, p: ["Propranolol reduced value-free random exploration [1]."])
    tested = chat(
        dubois_only, llm, [("user", "How does propranolol change exploration?")], options=options
    )
    assert "they mention it only" not in tested.text


def test_an_answer_that_leaves_out_the_no_effect_half_of_its_citation_is_told_it(
    tmp_path, settings, embeddings, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the U@Uni conclusions (Epton et al. 2014, BMC Public Health 14:563, CC BY 2.0)
    conclusions = (
        "# A theory-based online health behaviour intervention for new university students\n\n"
        "Conclusions: The results of the RCT indicate that the online health behaviour "
        "intervention reduced smoking rates, but it had little effect on fruit and vegetable "
        "intake, physical activity or alcohol consumption, during the first six months at "
        "university.\n"
    )
    lib = one_paper_library(tmp_path, settings, embeddings, "uatuni", conclusions)

    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "reduced smoking rates")
        return [f"The online intervention reduced smoking rates [{n}]."]

    fake.on("stream", answer)
    asked = "Does the online intervention improve students' health behaviour?"
    reply = chat(lib, llm, [("user", asked)], options=options)
    assert reply.text.startswith("The online intervention reduced smoking rates")
    assert (
        'The same passage adds: "it had little effect on fruit and vegetable intake' in reply.text
    )


def test_a_hypothesis_shown_as_a_finding_is_not_shown(
    tmp_path, settings, embeddings, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # Phelipon et al. 2025 (PLOS ONE, CC BY 4.0), introduction and abstract: the 1.5B model
    # answered with "The study found that horses showed lower cortisol variation in the
    # negative condition ...", citing the hypothesis (and swapping its sides)
    paper = (
        "# Characterisation of facial expressions and behaviours of horses\n\n"
        "We hypothesized that horses would show lower cortisol variation in the positive "
        "condition (going to pasture) compared to the negative condition (social isolation).\n\n"
        "## Results\n\n"
        "We confirmed that the two conditions induced contrasting emotional valence, as "
        "evidenced by the higher maximal heart rate and cortisol variation in the negative "
        "condition.\n"
    )
    lib = one_paper_library(tmp_path, settings, embeddings, "horses", paper)

    def answer(_body: dict[str, Any], p: dict[int, str]) -> list[str]:
        n = item_with(p, "hypothesized")
        return [
            "The study found that horses showed lower cortisol variation in the positive "
            f"condition compared to the negative condition [{n}]."
        ]

    fake.on("stream", answer)
    asked = "Did cortisol variation differ between the positive and negative conditions?"
    reply = chat(lib, llm, [("user", asked)], options=options)
    assert "showed lower cortisol variation" not in reply.text, reply.text
    assert reply.unsupported_removed == 1
    assert "higher maximal heart rate and cortisol variation" in reply.text, reply.text
    # said as the hypothesis it is, the same sentence is shown
    fake.on(
        "stream",
        lambda _b, p: [
            "The authors hypothesized that horses would show lower cortisol variation in the "
            "positive condition compared to the negative condition "
            f"[{item_with(p, 'hypothesized')}]."
        ],
    )
    expected = "What did the authors expect of cortisol variation in the two conditions?"
    said = chat(lib, llm, [("user", expected)], options=options)
    assert said.text.startswith("The authors hypothesized"), said.text


def test_an_answer_naming_the_paper_by_its_title_is_checked_on_what_it_says(
    tmp_path, settings, embeddings, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # Peach et al. 2017 (CC BY 4.0), discussion: the 1.5B model named the paper by its
    # title, whose words made the design sentence the closest, and whose "promote" was
    # read as a direction; the answer, said word for word by the next sentence, was removed
    title = "Utilising implementation intentions to promote healthy eating in adolescents"
    paper = (
        f"# {title}\n\n"
        "We conducted a school-based behaviour change intervention with adolescents aged "
        "16-18 utilising implementation intention formation to achieve two healthy eating "
        "goals between baseline and 5-month follow-up. Contrary to our expectations, we found "
        "that implementation intentions were not effective in achieving the healthy eating "
        "goals.\n"
    )
    lib = one_paper_library(tmp_path, settings, embeddings, "peach", paper)
    said = (
        f'The paper "{title}" shows that implementation intentions were not effective in '
        "achieving the healthy eating goals"
    )
    fake.on("stream", lambda _b, p: [f"{said} [{item_with(p, 'Contrary to our')}]."])
    asked = (
        "Did forming implementation intentions help adolescents reach their healthy eating goals?"
    )
    reply = chat(lib, llm, [("user", asked)], options=options)
    assert reply.text.startswith(said) and not reply.extractive, reply.text
    assert reply.unsupported_removed == 0
