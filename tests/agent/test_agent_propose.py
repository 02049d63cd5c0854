"""propose on the corpus library with a respx-mocked OpenAI API."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from typing import Any

import pytest

from ideapump.agent import AgentOptions, propose
from ideapump.agent.design import DESIGN_MENU
from ideapump.agent.grounding import quote_occurs
from ideapump.agent.render import render_proposals
from ideapump.llm.structured import output_contract
from ideapump.prompts import render_prompt
from ideapump.results import Proposals
from ideapump.runtime import Runtime
from tests.agent.fakes import (
    FakeLLM,
    design_fix,
    incoherent,
    inverted_in,
    menu_of,
    proposal,
    quote_of,
    reference_in,
    reflection,
    requote,
    three_experiments,
    winner_a,
)

QUESTION = "how does pupil size respond to light and attention?"


def _check_resolves(library: Any, citation: Any) -> None:
    chunk = next(c for c in library.chunks(citation.doc_id) if c.chunk_id == citation.chunk_id)
    assert quote_occurs(citation.quote, chunk.quote)


def test_propose_end_to_end(corpus_library, llm, fake: FakeLLM, options: AgentOptions) -> None:
    fake.on("ProposalDraft", three_experiments())
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=3, k=2, options=options)

    assert not result.abstained and result.candidates == 3 and len(result.proposals) == 2
    assert result.proposals[0].score >= result.proposals[1].score
    assert sum(p.comparisons for p in result.proposals) <= 2 * 3
    for p in result.proposals:
        assert p.citations
        for c in p.citations:
            _check_resolves(corpus_library, c)
        s = p.sample_size
        assert s.n_per_group >= 2 and s.total_n == s.n_per_group * s.groups and s.groups == 2
        assert s.formula and s.effect_source
        if not s.conventional_default:  # effect taken from a cited paper's statistic
            assert s.source is not None
            _check_resolves(corpus_library, s.source)
        assert p.novelty.closest is not None and p.novelty.how_it_differs
        _check_resolves(corpus_library, p.novelty.closest)
        # the closest passage is shown by a whole sentence, not a chunk's opening words
        assert p.novelty.closest.quote[:1].isupper(), p.novelty.closest.quote
        assert p.reflection is not None and p.reflection.confounds == ["arousal"]
        assert p.reflection.missing_controls == ["heart-rate monitoring"]

    # the requests: model, response_format, persona system prompt + contract, data block
    assert len(fake.of("ProposalDraft")) == 3 and len(fake.of("ComparisonDraft")) == 3
    first = fake.of("ProposalDraft")[0]
    assert first["model"] == "test-model"
    assert first["response_format"]["type"] == "json_schema"
    system, user = first["messages"][0], first["messages"][1]
    assert system["role"] == "system"
    from ideapump.results import ProposalDraft

    # the system prompt is the persona alone and the documents open the user message, so
    # every stage of the request shares that prefix (llama.cpp's prompt cache); the
    # output contract (fields only: the server enforces the schema) ends the message
    assert system["content"] == render_prompt("persona")
    assert user["content"].startswith("<documents>")
    assert user["content"].endswith(output_contract(ProposalDraft, enforced=True))
    reflect = fake.of("ReflectionDraft")[0]["messages"]
    prefix = user["content"][: user["content"].index("</documents>")]
    assert reflect[0] == system and reflect[1]["content"].startswith(prefix)
    block = user["content"][user["content"].index("<documents>") :]
    assert block.count("<documents>") == 1 and "</documents>" in block
    lab_titles = {d.title for d in corpus_library.papers() if d.kind in ("table", "markdown")}
    assert any(f'title="{t}"' in user["content"] for t in lab_titles)  # lab data is context
    # the second candidate is told what was already proposed
    second = fake.of("ProposalDraft")[1]["messages"][1]["content"]
    assert "Light x attention (atomoxetine vs placebo)" in second


def test_the_same_experiment_under_another_title_is_shown_once(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # one `propose -n 3` (1.5B model) showed "Effect of Noradrenaline on Exploration
    # Strategies in Adult Rats" twice: the same drug against placebo, the same outcome
    titles = iter(["Horizon x drug", "Drug and novelty", "Novelty under atomoxetine"])
    fake.on("ProposalDraft", lambda body, p: proposal(p, title=next(titles)))
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=3, k=2, options=options)
    assert [p.title for p in result.proposals] == ["Horizon x drug"]
    assert result.candidates == 1 and result.duplicates_dropped == 2
    assert fake.of("ComparisonDraft") == []  # nothing to compare it with
    assert "2 candidate(s) dropped as the same experiment as another" in render_proposals(result)


def test_a_fabricated_citation_is_asked_for_again_alone(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("ProposalDraft", lambda body, p: proposal(p, fabricated=True))
    fake.on("Requote", requote)
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)

    # the draft is written once; only the citation that failed is asked for again
    assert len(fake.of("ProposalDraft")) == 1 and len(fake.of("Requote")) == 1
    ask = fake.of("Requote")[0]
    assert ask["response_format"]["json_schema"]["schema"]["properties"]["quotes"]["maxItems"] == 1
    reask = ask["messages"][-1]["content"]
    assert "noradrenaline doubles exploration" in reask and "do not occur" in reask
    # it opens with the draft's own documents block: a prefix the server has cached
    first = fake.of("ProposalDraft")[0]["messages"][-1]["content"]
    block = first[: first.index("</documents>")]
    assert reask.startswith(block)
    shown = result.proposals[0]
    # repaired, not removed; the new quote is the sentence the draft already cites: shown once
    assert len(shown.citations) == 1 and result.removed_citations == 0
    assert not any("doubles exploration" in c.quote for c in shown.citations)
    for c in shown.citations:
        _check_resolves(corpus_library, c)


def test_a_fabrication_that_persists_is_never_shown(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fabricated = {"n": 2, "quote": "noradrenaline doubles exploration in every species tested"}
    fake.on("ProposalDraft", lambda body, p: proposal(p, fabricated=True))
    fake.on("Requote", lambda body, p: {"quotes": [fabricated]})
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    assert len(fake.of("ProposalDraft")) == 1
    assert len(fake.of("Requote")) == options.citation_retries
    assert result.removed_citations == 1
    dumped = result.model_dump_json()
    assert "doubles exploration" not in dumped


def test_malformed_json_is_retried(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("ProposalDraft", lambda body, p: '{"title": "cut off', lambda body, p: proposal(p))
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    asks = fake.of("ProposalDraft")
    assert len(asks) == 2 and "did not validate" in asks[1]["messages"][-1]["content"]
    assert result.proposals[0].title == "Horizon x drug"


def test_nothing_relevant_abstains_without_a_model_call(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    result = propose(corpus_library, llm, "mortgage interest rates in Spain", options=options)
    assert result.abstained and result.proposals == []
    assert "nothing relevant" in result.message
    assert fake.requests == []


def test_empty_library_abstains(embeddings, llm, fake: FakeLLM, settings) -> None:

    empty = Runtime(settings, embeddings=embeddings).library("empty")
    assert propose(empty, llm, QUESTION).abstained
    assert fake.requests == []


def test_sample_size_takes_no_effect_from_a_paper_the_proposal_does_not_cite(
    corpus_library,
) -> None:
    from ideapump.agent.grounding import Evidence
    from ideapump.agent.power import power_analysis
    from ideapump.results import Citation

    docs = corpus_library.papers()
    notes = next(d for d in docs if d.kind == "markdown")  # the pilot notes: no test statistics
    bed_rest = next(d for d in docs if "bed rest" in d.title.lower())  # F(1, 14) = 6.19 and more
    note, *_ = corpus_library.chunks(notes.doc_id)
    evidence = Evidence([note, *corpus_library.chunks(bed_rest.doc_id)], corpus_library)

    def cite(p: Any) -> list[Citation]:
        quote = p.quote[:60]
        return [
            Citation(doc_id=p.doc_id, title=p.title, page=p.page, quote=quote, chunk_id=p.chunk_id)
        ]

    # Only the notes are cited: the bed-rest study was retrieved, but a rats or a
    # pupil experiment powered on its effect would be the wrong paper's number.
    s = power_analysis(corpus_library, evidence, cite(note), conditions=2)
    assert s.conventional_default and s.source is None
    assert s.effect_source.startswith("conventional default")

    cited = cite(corpus_library.chunks(bed_rest.doc_id)[0])
    s = power_analysis(corpus_library, evidence, cited, conditions=2)
    assert not s.conventional_default and s.source is not None
    assert s.source.doc_id == bed_rest.doc_id


def test_sample_size_prefers_an_effect_from_the_same_kind_of_subject(corpus_library) -> None:
    # the quick start's rat experiment was powered on a study of volunteers, unmarked
    from dataclasses import replace as copy

    from ideapump.agent.grounding import Evidence
    from ideapump.agent.power import effect_candidates, pick_effect, power_analysis
    from ideapump.agent.subjects import studied_in
    from ideapump.results import Citation

    bed_rest = next(d for d in corpus_library.papers() if "bed rest" in d.title.lower())
    chunk = corpus_library.chunks(bed_rest.doc_id)[0]
    cited = [
        Citation(
            doc_id=chunk.doc_id,
            title=chunk.title,
            page=chunk.page,
            quote=chunk.quote[:60],
            chunk_id=chunk.chunk_id,
        )
    ]
    evidence = Evidence(corpus_library.chunks(bed_rest.doc_id), corpus_library)
    people = power_analysis(corpus_library, evidence, cited, conditions=2, unit="volunteers")
    rats = power_analysis(corpus_library, evidence, cited, conditions=2, unit="rats")
    assert "comes from a study of" not in people.note
    assert rats.note.endswith(
        "The effect comes from a study of people, not rats: a rough guide at best."
    )
    assert rats.size.endswith("rats") and rats.n_per_group == people.n_per_group
    # a cited paper on the proposal's own kind of subject is preferred when it has a result
    cands = effect_candidates(corpus_library, cited)
    assert cands and all(c.studied == "people" for c in cands)
    on_rats = copy(cands[-1], value=cands[-1].value * 1.5, studied="animals")
    assert pick_effect([*cands, on_rats], "rats") is on_rats
    assert pick_effect([*cands, on_rats], "participants") is not on_rats
    # who a paper studies is counted, not first found
    assert studied_in("Sixty subjects took part. Subjects ... decision noise in rats.") == "people"
    assert studied_in("The dogs and their owners. Subjects were 40 dogs; dogs sat.") == "dogs"


def test_an_incoherent_design_is_sent_back_once_and_the_repair_shown(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("ProposalDraft", lambda b, p: incoherent(p))
    fake.on("DesignFix", design_fix)
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    assert len(fake.of("ProposalDraft")) == 1 and len(fake.of("DesignFix")) == 1
    # only the fields that break a rule are written again, not the whole draft
    ask = fake.of("DesignFix")[0]
    assert set(ask["response_format"]["json_schema"]["schema"]["properties"]) == {
        "conditions",
        "controls",
    }
    reask = ask["messages"][-1]["content"]
    assert "not yet a coherent design" in reask and "manipulations" in reask
    assert "Win model" in reask  # the draft it is to correct
    # told which controls are conditions: told only the rule, the model gave them back
    assert "'Win model', 'Second place model', 'Third place model' are conditions" in reask
    shown = result.proposals[0]
    assert shown.conditions == ["atomoxetine", "placebo"] and result.incoherent_dropped == 0
    # controls are chosen from the menu the schema allows: asked to write them again,
    # the 1.5B model gave back "none" or the placebo condition
    assert shown.controls == [
        "a placebo matched to the active condition in appearance and schedule"
    ]
    assert shown.controls[0] in menu_of(ask) and "- a placebo matched" in reask
    assert shown.title == "Horizon x drug" and shown.citations  # the rest of the draft stays
    assert shown.sample_size.groups == 2 and "two-sample" in shown.sample_size.test


def test_controls_written_as_conditions_in_a_repair_stay_controls(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # The README's quick start (1.5B model): asked for conditions and controls again, with
    # the menu of controls beside them, it wrote menu items as conditions too, and the
    # draft was dropped: "'a baseline measurement ...' are conditions, not controls".
    def fix(body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        chosen = menu_of(body)[-2:]
        return {"conditions": ["atomoxetine", "placebo", *chosen], "controls": chosen}

    fake.on("ProposalDraft", lambda b, p: incoherent(p))
    fake.on("DesignFix", fix)
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    assert len(fake.of("DesignFix")) == 1 and result.incoherent_dropped == 0
    shown = result.proposals[0]
    assert shown.conditions == ["atomoxetine", "placebo"]
    assert shown.controls == menu_of(fake.of("DesignFix")[0])[-2:]


def test_a_design_that_stays_incoherent_is_dropped(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("ProposalDraft", lambda b, p: incoherent(p))
    fake.on(
        "DesignFix",
        lambda b, p: {"conditions": incoherent(p)["conditions"], "controls": menu_of(b)[:1]},
    )
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    # asked for one draft, and one more when the first was dropped; no more than that
    assert len(fake.of("ProposalDraft")) == 1 + options.redrafts == 2
    assert len(fake.of("DesignFix")) == 2 * options.coherence_retries
    assert result.abstained and result.proposals == [] and result.incoherent_dropped == 2
    # the researcher is told which rule each draft broke, not only that it was dropped
    assert "Draft 1: conditions must name at least two" in result.message
    assert "Draft 2: conditions must name at least two" in result.message
    assert "Win model" not in result.model_dump_json()
    assert fake.of("ReflectionDraft") == []  # nothing left to review


def test_a_dropped_draft_is_drafted_again_once_told_why(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("ProposalDraft", lambda b, p: incoherent(p), lambda b, p: proposal(p))
    fake.on("DesignFix", lambda b, p: {"conditions": incoherent(p)["conditions"]})
    fake.on("ReflectionDraft", reflection)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    assert not result.abstained and result.incoherent_dropped == 1
    assert [p.conditions for p in result.proposals] == [["atomoxetine", "placebo"]]
    first, second = (b["messages"][-1]["content"] for b in fake.of("ProposalDraft"))
    assert "An earlier draft was dropped" not in first
    assert "An earlier draft was dropped because conditions must name at least two" in second


def test_only_controls_that_are_controls_are_shown(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    controls = ["none", "placebo", "matched placebo pill", "novel-option choices"]
    fake.on("ProposalDraft", lambda b, p: {**proposal(p), "controls": controls})
    fake.on("ReflectionDraft", reflection)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    assert fake.of("DesignFix") == []  # one real control: nothing to repair
    assert [p.controls for p in result.proposals] == [["matched placebo pill"]]


def test_a_design_that_says_within_and_between_is_chosen_from_two(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the quick start's proposal (1.5B model), its design word for word
    def draft(_body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        return {
            **proposal(p),
            "design": "We will conduct a within-subject experiment with participants who are "
            "randomly assigned to receive either a placebo or atomoxetine. Participants play "
            "the horizon task.",
            "controls": ["the order of conditions counterbalanced across participants"],
            "expected_if_true": "More novel choices than those in the placebo group.",
        }

    fake.on("ProposalDraft", draft)
    fake.on("DesignFix", design_fix)  # chooses the between-subjects design
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    first, second = fake.of("DesignFix")
    assert set(first["response_format"]["json_schema"]["schema"]["properties"]) == {"design"}
    reask = first["messages"][-1]["content"]
    assert "say only one of them" in reask and all(f"- {m}" in reask for m in DESIGN_MENU)
    # the new design leaves a counterbalanced order that fits only the old one: one more ask
    assert set(second["response_format"]["json_schema"]["schema"]["properties"]) == {"controls"}
    assert not any("order" in m for m in menu_of(second))
    shown = result.proposals[0]
    # the task sentence stays; the sentence that said both goes
    assert shown.design == f"{DESIGN_MENU[1]} Participants play the horizon task."
    assert not any("order" in c for c in shown.controls)
    assert not shown.sample_size.within_subject and "two-sample" in shown.sample_size.test


def test_a_within_subject_draft_compares_conditions_not_groups(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    def draft(_body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        return {
            **proposal(p),
            # "of both groups" in a within-subject design: a session's final quick start
            "design": "Within-subject: every participant receives both atomoxetine and "
            "placebo. We will measure novel-option choices of both groups.",
            "controls": ["the order of conditions counterbalanced across participants"],
            "expected_if_true": "More novel choices than those in the placebo group.",
        }

    fake.on("ProposalDraft", draft)
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    # asked twice, the 1.5B model wrote "the placebo group" again: the words change instead
    assert fake.of("DesignFix") == []
    assert shown.expected_if_true == "More novel choices than in the placebo condition."
    assert shown.design.endswith("novel-option choices of both conditions.")
    assert shown.sample_size.within_subject and "paired" in shown.sample_size.test


def test_a_failure_that_predicts_only_the_opposite_effect_is_led_by_no_difference(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # 27 of 62 kept drafts: "less" if it fails, beside "more" if it holds
    fake.on(
        "ProposalDraft",
        lambda b, p: {
            **proposal(p),
            "expected_if_false": "Fewer novel choices on atomoxetine than on placebo.",
        },
    )
    fake.on("ReflectionDraft", reflection)
    shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    assert shown.expected_if_false == (
        "No difference in proportion of novel-option choices between atomoxetine and "
        "placebo, or the reverse: Fewer novel choices on atomoxetine than on placebo."
    )
    # the opposite with its sides swapped (the quick start's, with the drug renamed)
    swapped = (
        "Participants in the placebo condition will exhibit more novel choices compared to "
        "participants in the atomoxetine condition."
    )
    fake.on("ProposalDraft", lambda b, p: {**proposal(p), "expected_if_false": swapped})
    shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    assert shown.expected_if_false.startswith("No difference in proportion of novel-option")
    assert shown.expected_if_false.endswith(f"or the reverse: {swapped}")
    # a failure that already says nothing differs is shown as written
    fake.on("ProposalDraft", lambda b, p: proposal(p))
    shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    assert shown.expected_if_false == "No difference between drug and placebo."


def test_an_if_it_fails_that_breaks_a_rule_is_no_difference_without_a_re_ask(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the drafts bench's drafts: an "If it fails" naming no condition, or the same words as
    # "If the hypothesis holds"; re-asked, the model often wrote it the same way again
    for failing in ("Exploration will look different.", "More novel choices on atomoxetine."):

        def draft(_body: dict[str, Any], p: dict[int, str], f: str = failing) -> dict[str, Any]:
            return {**proposal(p), "expected_if_false": f}

        fake.on("ProposalDraft", draft)
        fake.on("ReflectionDraft", reflection)
        shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
        assert shown.expected_if_false == (
            "No difference in proportion of novel-option choices between atomoxetine and placebo."
        )
    assert not fake.of("DesignFix")


def test_a_draft_without_a_control_gets_one_chosen_from_its_design(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # What the offline model wrote in 2 of 3 drafts for the quick start's question:
    # good conditions, no control; asked again, it gave "none" back.
    fake.on(
        "ProposalDraft",
        lambda b, p: {
            **proposal(p),
            "hypothesis": "Noradrenaline increases novelty exploration in long horizons.",
            "design": "Within-subject: each participant completes both sessions.",
            "conditions": ["noradrenaline", "placebo"],
            "controls": ["none"],
            "expected_if_true": "More novel choices on noradrenaline.",
        },
    )
    fake.on(  # the same control chosen twice, as the 1.5B model did
        "DesignFix", lambda b, p: {"controls": [m for m in menu_of(b) if "blind to which" in m] * 2}
    )
    fake.on("ReflectionDraft", reflection)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    menu = menu_of(fake.of("DesignFix")[0])
    # a within-subject drug design is offered order, blinding and washout, not allocation
    assert any("counterbalanced" in m for m in menu) and any("washout" in m for m in menu)
    assert not any("allocation" in m for m in menu)
    assert [p.controls for p in result.proposals] == [
        ["participants and experimenters blind to which condition is given"]
    ]
    assert result.proposals[0].sample_size.test.startswith("paired")


def test_a_repair_off_the_menu_drops_the_draft_without_an_error(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("ProposalDraft", lambda b, p: {**proposal(p), "controls": ["none"]})
    fake.on("DesignFix", lambda b, p: {"controls": ["none"]})
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    assert fake.of("DesignFix")  # asked (and re-asked by the schema check), never accepted
    assert result.abstained and result.incoherent_dropped == 1 + options.redrafts
    assert "Draft 1: controls must name at least one control" in result.message


def test_invented_numbers_and_bare_reference_quotes_are_never_shown(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    kept: list[str] = []

    def draft(_body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        n, reference = reference_in(p)
        kept.append(proposal(p)["rationale"])
        return {
            **proposal(p),
            "rationale": f"Pupils dilated by 73% in the cited study. {kept[-1]}",
            "design": "Between-subjects, drug vs placebo, 120 participants per group.",
            "citations": [{"n": n, "quote": reference}],
        }

    fake.on("ProposalDraft", draft)
    fake.on("DesignFix", design_fix)
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    shown = result.proposals[0]
    assert "73%" not in shown.rationale and shown.rationale == kept[0]
    assert "120" not in shown.design and result.unsupported_removed == 2
    # the design's only sentence went with its number, so the design was asked for again
    ask = fake.of("DesignFix")[0]
    assert set(ask["response_format"]["json_schema"]["schema"]["properties"]) == {"design"}
    assert shown.design == DESIGN_MENU[1]  # chosen from the menu, not free text
    for c in shown.citations:
        # the reference the model quoted is shown as the whole sentence it sits in
        assert len(c.quote.split()) >= 8 and not re.fullmatch(r"[\w\s.,&()-]*\d{4}\)?", c.quote)
        _check_resolves(corpus_library, c)


def test_a_rationale_that_turns_a_finding_round_or_credits_another_work_loses_it(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    seen: dict[str, str] = {}

    def draft(_body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        n, true, turned = inverted_in(p)
        seen.update(true=true, turned=turned)
        return {
            **proposal(p),
            "rationale": f"{true} {turned} Nobody et al. (1999) found the same.",
            "citations": [{"n": n, "quote": true}],
        }

    fake.on("ProposalDraft", draft)
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    # four passages of the pupil paper: the introduction's light sentences are among them
    wider = replace(options, passages=8, per_paper_cap=4)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=wider)
    shown = result.proposals[0]
    # the same words, one direction word changed: the passage's sentence stays, its
    # inversion goes, and so does the credit to a work no cited passage names
    assert shown.rationale == seen["true"]
    assert seen["turned"] not in shown.rationale and result.unsupported_removed == 2


def test_a_rationale_the_check_empties_is_what_the_citations_quote(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # 3 of the 6 drafts a session's quick starts dropped: every rationale sentence removed
    # ("The passage discusses the role of ..."), and the re-ask came back as vague
    fake.on(
        "ProposalDraft",
        lambda b, p: {**proposal(p), "rationale": "Pupils dilated by 73% in the cited study."},
    )
    fake.on("ReflectionDraft", reflection)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    (shown,) = result.proposals
    assert shown.rationale.startswith("The cited passages report: \u201c")
    assert shown.citations[0].quote in shown.rationale and "73%" not in shown.rationale
    assert result.unsupported_removed == 1 and not fake.of("DesignFix")


def test_a_rationale_is_not_written_from_a_quoted_aim(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # a bed rest proposal's only quotes were the study's aim ("We here investigated the
    # effects of ...") and background: "The cited passages report:" them said nothing found
    from ideapump.evidence.findings import plans_or_supposes
    from ideapump.grounding.quotes import sentences

    def draft(_body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        n, aim = next((n, s) for n, t in p.items() for s in sentences(t, 8) if plans_or_supposes(s))
        return {
            **proposal(p),
            "rationale": "Pupils dilated by 73% in the cited study.",
            "citations": [{"n": n, "quote": aim}],
        }

    fake.on("ProposalDraft", draft)
    fake.on("DesignFix", lambda b, p: {"rationale": "Too vague to keep."})
    fake.on("ReflectionDraft", reflection)
    propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    assert fake.of("DesignFix")  # asked again, not filled with the aim


def _propose_designed(
    library: Any, llm: Any, fake: FakeLLM, options: AgentOptions, design: str
) -> Any:
    """One proposal whose draft has ``design``."""
    fake.on("ProposalDraft", lambda b, p: {**proposal(p), "design": design})
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", winner_a)
    return propose(library, llm, QUESTION, n=1, k=1, options=options)


def test_a_within_subject_design_is_powered_as_paired(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    design = "Within-subject crossover: each participant receives both drug and placebo."
    result = _propose_designed(corpus_library, llm, fake, options, design)
    s = result.proposals[0].sample_size
    assert s.within_subject and s.test.startswith("paired t-test")
    assert s.total_n == s.n_per_group and s.groups == 2
    # said the same way on every surface: the CLI, the API's JSON, the chat page's card
    assert s.size == f"{s.total_n} participants, each in all 2 conditions"
    assert f"Sample size: {s.size} (paired t-test" in render_proposals(result)
    assert result.model_dump(mode="json")["proposals"][0]["sample_size"]["size"] == s.size


def test_a_sample_size_counts_who_the_design_names(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the quick start's rat study was sized in "participants"
    design = "Between-subjects: each rat is randomly assigned to CHX or saline."
    s = _propose_designed(corpus_library, llm, fake, options, design).proposals[0].sample_size
    assert s.unit == "rats"
    assert s.size == f"{s.n_per_group} per group x 2 = {s.total_n} rats"


def test_a_rat_study_speaks_of_rats_not_participants(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the quick start's rat experiment expected that "Participants in the placebo condition
    # will ..." and its review spoke of training "participants"
    fake.on(
        "ProposalDraft",
        lambda b, p: {
            **proposal(p),
            "design": "Between-subjects: each rat gets atomoxetine or placebo, bandit task.",
            "expected_if_true": "Participants on atomoxetine make more novel choices.",
            "controls": ["random allocation of participants to conditions"],
        },
    )
    fake.on(
        "ReflectionDraft",
        lambda b, p: {**reflection(b, p), "feasibility": "Each participant needs training."},
    )
    fake.on("ComparisonDraft", winner_a)
    shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    assert shown.expected_if_true == "Rats on atomoxetine make more novel choices."
    assert shown.controls == ["random allocation of rats to conditions"]
    assert (
        shown.reflection is not None and "Each rat needs training" in shown.reflection.feasibility
    )
    # a study of people keeps its participants
    fake.on(
        "ProposalDraft",
        lambda b, p: {
            **proposal(p),
            "expected_if_true": "Participants on atomoxetine make more novel choices.",
        },
    )
    people = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    assert people.expected_if_true == "Participants on atomoxetine make more novel choices."


def test_the_tournament_asks_each_judge_for_its_verdict_alone(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # A reason written after the winner cannot change the winner and was never shown:
    # on a 2-core CPU it cost a quarter minute per comparison.
    fake.on("ProposalDraft", three_experiments())
    fake.on("ReflectionDraft", reflection)
    fake.on("ComparisonDraft", lambda body, p: {"winner": "B"})
    result = propose(corpus_library, llm, QUESTION, n=3, k=3, options=options)

    compares = fake.of("ComparisonDraft")
    assert len(compares) == 3  # a bare verdict validates: no re-ask
    schema = compares[0]["response_format"]["json_schema"]["schema"]
    assert list(schema["properties"]) == ["winner"]
    assert "reason" not in compares[0]["messages"][-1]["content"]
    assert sum(p.wins for p in result.proposals) == 3


def test_a_review_shows_at_most_three_confounds_and_three_missing_controls(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    def verbose(body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        # what an endpoint that does not enforce the schema may write
        return {
            **reflection(body, p),
            "confounds": ["arousal", "fatigue", "practice", "time of day", "caffeine"],
            "missing_controls": ["heart rate", "pupil baseline", "sleep log", "diet"],
        }

    fake.on("ProposalDraft", lambda body, p: proposal(p))
    fake.on("ReflectionDraft", verbose)
    fake.on("ComparisonDraft", winner_a)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)

    review = result.proposals[0].reflection
    assert review is not None
    assert review.confounds == ["arousal", "fatigue", "practice"]
    assert review.missing_controls == ["heart rate", "pupil baseline", "sleep log"]
    (ask,) = fake.of("ReflectionDraft")  # cut, not refused and asked again
    schema = ask["response_format"]["json_schema"]["schema"]["properties"]
    # the server's grammar stops the model after three of each
    assert schema["confounds"]["maxItems"] == schema["missing_controls"]["maxItems"] == 3


@pytest.mark.parametrize(
    ("review", "confounds", "missing"),
    [
        (  # the 1.5B model's review: the controls as confounds, and as "missing"
            {
                "confounds": [
                    "Matched placebo pill",
                    "The experiment does not control for the effects of the placebo pill.",
                    "arousal",
                ],
                "missing_controls": [
                    "no controls for the placebo pill",
                    "already_done",  # a field name of the review's schema
                    "heart-rate monitoring",
                ],
            },
            ["arousal"],
            ["heart-rate monitoring"],
        ),
        (  # it says the proposal lacks what it has (the quick start's review, verbatim)
            {
                "missing_controls": [
                    "the primary measure is not specified",
                    "The design lacks a control group.",
                    "no control for caffeine intake",
                ]
            },
            ["arousal"],
            ["no control for caffeine intake"],
        ),
        (  # a condition given back as a missing control (the quick start's review: "a
            # placebo" beside its placebo condition; this draft's control names a placebo)
            {"missing_controls": ["the atomoxetine", "heart-rate monitoring"]},
            ["arousal"],
            ["heart-rate monitoring"],
        ),
        (  # the bed rest proposal's review: a control it has as a confound, a condition
            # as "a control group for ..."
            {
                "confounds": ["The confound of the lack of a matched placebo pill", "arousal"],
                "missing_controls": ["A control group for the atomoxetine", "heart rate"],
            },
            ["arousal"],
            ["heart rate"],
        ),
        (  # a fifth session's review, word for word (two items shortened): a confound
            # repeating part of another, a sentence said three times (the third cut off),
            # "a control group will be needed" beside a placebo condition
            {
                "confounds": [
                    "The experiment will have confounds related to the novelty of the "
                    "environment. The experiment will also have confounds related to the type "
                    "of drug being administered, the timing of the drug administration.",
                    "The experiment will have confounds related to the type of drug being "
                    "administered, the timing of the drug administration.",
                ],
                "missing_controls": [
                    "A control group will be needed to compare the effect of noradrenaline. "
                    "A control group will be needed to compare the effect of noradrenaline. "
                    "A control group will be needed to compare the",
                    "Heart rate. Heart rate. Heart",
                ],
            },
            [
                "The experiment will have confounds related to the novelty of the "
                "environment. The experiment will also have confounds related to the type "
                "of drug being administered, the timing of the drug administration."
            ],
            ["Heart rate."],
        ),
        (  # a sixth session's quick start, word for word: each confound said again as a
            # control group that "is needed"
            {
                "confounds": [
                    "The experiment does not control for the loss frame environment, which "
                    "could affect the results.",
                    "The experiment does not control for the loss aversion parameter, which "
                    "could affect the results.",
                ],
                "missing_controls": [
                    "A control group for the loss frame environment is needed.",
                    "A control group for the loss aversion parameter is needed.",
                    "heart rate",
                ],
            },
            [
                "The experiment does not control for the loss frame environment, which "
                "could affect the results.",
                "The experiment does not control for the loss aversion parameter, which "
                "could affect the results.",
            ],
            ["heart rate"],
        ),
        (  # the final quick start of that session: the proposal's own controls, "lacking"
            {
                "confounds": [
                    "The experiment lacks controls for the matched placebo pill, which could "
                    "introduce bias.",
                    "arousal",
                ]
            },
            ["arousal"],
            ["heart-rate monitoring"],  # the fake review's own missing control
        ),
        (  # a confound said again as a missing control for it
            {
                "confounds": ["caffeine intake", "arousal"],
                "missing_controls": ["no control for caffeine intake", "heart rate"],
            },
            ["caffeine intake", "arousal"],
            ["heart rate"],
        ),
        (  # a confound that says there is none (a quick start's review, word for word)
            {
                "confounds": [
                    "The placebo condition does not introduce any confounds, as it is a "
                    "control group.",
                    "arousal",
                ]
            },
            ["arousal"],
            ["heart-rate monitoring"],
        ),
        (  # the conditions as confounds (a horse study's review: "does not control for
            # the presence of positive or negative emotional anticipation")
            {
                "confounds": [
                    "The experiment does not control for the presence of atomoxetine or "
                    "placebo, which may affect the results.",
                    "The order of atomoxetine and placebo sessions, which may affect the results.",
                    "arousal",
                ]
            },
            [
                "The order of atomoxetine and placebo sessions, which may affect the results.",
                "arousal",
            ],
            ["heart-rate monitoring"],
        ),
        (  # the conditions compared, as a confound (a quick start's review)
            {"confounds": ["Placebo vs. Atomoxetine", "arousal"]},
            ["arousal"],
            ["heart-rate monitoring"],
        ),
        (  # the quick start's review, word for word: the primary measure "after the
            # manipulation is missing" beside a primary measure; its reliability is a point
            {
                "missing_controls": [
                    "A measure of the primary measure after the manipulation is missing.",
                    "The primary measure's reliability is missing.",
                    "heart rate",
                ]
            },
            ["arousal"],
            ["The primary measure's reliability is missing.", "heart rate"],
        ),
        (  # the study's own subjects and setting as confounds (the quick start's review
            # of a rat study "in a loss-frame environment": "Rats", "Loss-Frame Environment")
            {"confounds": ["Long horizons.", "Bandit task practice", "arousal"]},
            ["Bandit task practice", "arousal"],
            ["heart-rate monitoring"],
        ),
        (  # its own primary measure as a confound (a quick start's review)
            {"confounds": ["proportion of novel-option choices", "arousal"]},
            ["arousal"],
            ["heart-rate monitoring"],
        ),
        (  # its control given back as "a potential confound", in another word form (the
            # final quick start's review did so with each of its three controls)
            {"confounds": ["Placebo pill matching, which is a potential confound.", "arousal"]},
            ["arousal"],
            ["heart-rate monitoring"],
        ),
        (  # a group given one of its conditions as a missing control (a session's final
            # quick start, word for word, beside its noradrenaline and placebo conditions)
            {
                "missing_controls": [
                    "A control group that receives placebo instead of atomoxetine to compare "
                    "the effects of the drug on value-free random exploration strategies.",
                    "A control group that receives a saline injection.",
                ]
            },
            ["arousal"],
            ["A control group that receives a saline injection."],
        ),
        (  # its comparison condition asked for as a control (the first quick start of a
            # later session, word for word)
            {
                "missing_controls": [
                    "a comparison with a placebo treatment",
                    "a comparison with a saline injection",
                ]
            },
            ["arousal"],
            ["a comparison with a saline injection"],
        ),
    ],
)
def test_a_review_does_not_repeat_or_deny_what_the_proposal_has(
    corpus_library,
    llm,
    fake: FakeLLM,
    options: AgentOptions,
    review: dict[str, list[str]],
    confounds: list[str],
    missing: list[str],
) -> None:
    fake.on("ProposalDraft", lambda body, p: {**proposal(p), "controls": ["matched placebo pill"]})
    fake.on("ReflectionDraft", lambda body, p: {**reflection(body, p), **review})
    shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    assert shown.controls == ["matched placebo pill"] and shown.primary_measure
    assert shown.reflection is not None
    assert shown.reflection.confounds == confounds
    assert shown.reflection.missing_controls == missing


def _reviewed(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions, **review: Any
) -> Proposals:
    """One proposal of the fake draft, its review's ``review`` fields as given."""
    fake.on("ProposalDraft", lambda body, p: proposal(p))
    fake.on("ReflectionDraft", lambda body, p: {**reflection(body, p), **review})
    return propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)


def test_a_review_is_its_own_assessment_not_a_copied_introduction(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # a quick start's review: one sentence of its own, then Dubois et al.'s introduction
    # copied to the last word of its chunk
    copied = (
        "A typical lab can run this experiment with the appropriate equipment. The LC has "
        "two known modes of synaptic signalling (Rajkowski et al., 1994), tonic and phasic. "
        "Tonic noradrenaline has been associated with increased exploration (Aston-Jones "
        "and Cohen, 2005). This"
    )
    shown = _reviewed(corpus_library, llm, fake, options, feasibility=copied).proposals[0]
    assert shown.reflection is not None
    assert shown.reflection.feasibility == (
        "A typical lab can run this experiment with the appropriate equipment."
    )


def test_how_a_proposal_differs_may_not_deny_what_the_closest_study_states(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the final quick start of a session set its blinding "instead of a control group that
    # is not blind" against a double-blind study; here the closest passage is the lab's
    # placebo-controlled pilot
    differs = (
        "It adds a horizon manipulation. It compares drug and placebo, rather than an "
        "uncontrolled pilot without placebo."
    )
    result = _reviewed(corpus_library, llm, fake, options, how_it_differs=differs)
    novelty = result.proposals[0].novelty
    assert novelty.closest is not None and "placebo" in novelty.closest.quote
    assert novelty.how_it_differs == "It adds a horizon manipulation."
    assert result.unsupported_removed == 1


def test_how_a_proposal_differs_may_not_deny_what_the_proposal_has(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the README quick start's review of a proposal with a baseline measurement among its
    # controls, and a confound cut short after a sentence it had said already
    differs = (
        "It adds a horizon manipulation. The proposal differs from the closest existing "
        "passage in that it does not have a baseline measurement of the primary measure "
        "before the manipulation."
    )
    said = "The experiment does not control for the effects of loss aversion."
    baseline = "a baseline measurement of the primary measure before the manipulation"
    fake.on(
        "ProposalDraft",
        lambda body, p: {**proposal(p), "controls": [*proposal(p)["controls"], baseline]},
    )
    review = {
        "how_it_differs": differs,
        "confounds": [said, f"{said} The experiment does not have"],
    }
    fake.on("ReflectionDraft", lambda body, p: {**reflection(body, p), **review})
    shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    assert any("baseline" in c for c in shown.controls)
    assert shown.novelty.how_it_differs == "It adds a horizon manipulation."
    assert shown.reflection is not None and shown.reflection.confounds == [said]


def test_a_risk_may_not_deny_the_proposals_controls(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the bed rest proposal (1.5B model): a control condition, and this risk beside it
    lack = "The lack of a control group means that we cannot compare exercise to bed rest."
    fake.on("ProposalDraft", lambda b, p: {**proposal(p), "risks": [lack, "dropouts"]})
    fake.on("ReflectionDraft", reflection)
    shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    assert shown.controls and shown.risks == ["dropouts"]


def test_a_risk_listed_twice_is_shown_once(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    twice = "Participants may be less motivated in the loss frame."
    fake.on("ProposalDraft", lambda body, p: {**proposal(p), "risks": [twice, twice]})
    fake.on("ReflectionDraft", reflection)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    assert result.proposals[0].risks == [twice]


def test_a_review_item_that_names_nothing_is_not_shown(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    result = _reviewed(corpus_library, llm, fake, options, missing_controls=["None.", "heart rate"])
    review = result.proposals[0].reflection
    assert review is not None and review.missing_controls == ["heart rate"]


def test_a_passage_cited_twice_is_shown_once(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    def cites_twice(body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        draft = proposal(p)
        return {**draft, "citations": draft["citations"] * 2}

    fake.on("ProposalDraft", cites_twice)
    fake.on("ReflectionDraft", reflection)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    (shown,) = result.proposals
    assert len(shown.citations) == 1


def test_conditions_that_do_not_vary_the_hypothesis_cause_are_sent_back(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # The final quick start of a session: a hypothesis on the drug, a loss frame varied.
    fake.on(
        "ProposalDraft",
        lambda b, p: {**proposal(p), "conditions": ["Exposure to loss", "Exposure to placebo"]},
    )
    # (its expected result names neither condition, and is asked for too)
    more = "More novel choices on atomoxetine."
    fake.on(
        "DesignFix",
        lambda b, p: {"conditions": ["atomoxetine", "placebo"], "expected_if_true": more},
    )
    fake.on("ReflectionDraft", reflection)
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    ask = fake.of("DesignFix")[0]
    assert "conditions" in ask["response_format"]["json_schema"]["schema"]["properties"]
    assert "the hypothesis says 'Atomoxetine' has the effect" in ask["messages"][-1]["content"]
    assert result.proposals[0].conditions == ["atomoxetine", "placebo"]
    # given back unchanged, the draft is not shown
    loss = ["Exposure to loss", "Exposure to placebo"]
    fake.on("DesignFix", lambda b, p: {"conditions": loss, "expected_if_true": more})
    result = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options)
    assert result.proposals == [] and "'Atomoxetine' has the effect" in result.message


def test_a_drug_a_shown_passage_found_no_effect_of_is_no_hypothesis_for_another_question(
    dubois_only: Any, llm: Any, fake: FakeLLM, options: AgentOptions
) -> None:
    # a bench draft: amisulpride against placebo for "how does noradrenaline shape
    # exploration?", citing a passage on other studies, beside Dubois et al.'s "... with
    # no effect of amisulpride", which the model had been shown
    denied: list[int] = []

    def amisulpride(_body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        denied.extend(n for n, t in p.items() if "no effect of amisulpride" in " ".join(t.split()))
        n = next(n for n, t in sorted(p.items()) if "amisulpride" not in t.lower())
        return {
            **proposal(p),
            "hypothesis": "Amisulpride decreases exploration in loss-frame environments.",
            "conditions": ["Amisulpride", "placebo"],
            "primary_measure": "proportion of exploratory choices",
            "expected_if_true": "Less exploration on amisulpride than on placebo.",
            "citations": [{"n": n, "quote": quote_of(p[n], 12)}],
        }

    fake.on("ProposalDraft", amisulpride)
    fake.on("DesignFix", lambda b, p: {"hypothesis": "x", "conditions": ["Amisulpride", "placebo"]})
    question = "how does noradrenaline shape exploration?"
    # one paper: as many of its passages as the quick start reads of the whole library
    wide = dataclasses.replace(options, passages=6, per_paper_cap=6)
    result = propose(dubois_only, llm, question, n=1, k=1, options=wide)
    assert denied, "the passages shown hold Dubois et al.'s sentence"
    assert result.proposals == []
    assert "reports no effect of amisulpride" in result.message.lower()
    # every draft was told, before any was dropped, what the question asks about
    for body in fake.of("ProposalDraft"):
        asked = body["messages"][-1]["content"]
        assert "The question asks what noradrenaline does" in asked
        assert "conditions vary noradrenaline itself" in asked


def test_a_question_that_names_no_cause_steers_no_draft(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    fake.on("ProposalDraft", lambda b, p: proposal(p))
    fake.on("ReflectionDraft", reflection)
    propose(
        corpus_library, llm, "how could we reduce smoking in students?", n=1, k=1, options=options
    )
    (body,) = fake.of("ProposalDraft")
    assert "The question asks what" not in body["messages"][-1]["content"]


def test_a_review_point_loses_the_sentence_that_denies_a_control_and_what_it_said_before(
    corpus_library, llm, fake: FakeLLM, options: AgentOptions
) -> None:
    # the final quick start of a session: three sentences in one confound, the first
    # denying the proposal's time control, and two of them again as a missing control
    fair = (
        "The study does not control for the participants' prior knowledge or experience "
        "with the task. The study does not control for the participants' mood or stress levels."
    )
    fake.on(
        "ProposalDraft",
        lambda body, p: {
            **proposal(p),
            "controls": [
                "random allocation of participants to conditions",
                "All participants are given the same amount of time to complete the task",
            ],
        },
    )
    fake.on(
        "ReflectionDraft",
        lambda body, p: {
            **reflection(body, p),
            "confounds": [
                "The study lacks controls for the duration of the task, which could lead to "
                f"bias in the results. {fair}"
            ],
            "missing_controls": [f"{fair} The study does not control for the use of caffeine."],
        },
    )
    shown = propose(corpus_library, llm, QUESTION, n=1, k=1, options=options).proposals[0]
    assert shown.reflection is not None
    assert shown.reflection.confounds == [fair]
    assert shown.reflection.missing_controls == [
        "The study does not control for the use of caffeine."
    ]
