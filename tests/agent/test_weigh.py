"""weigh over 24 papers end to end: a mocked model, real retrieval, effects, pooling, verdict.

Every paper is a small Markdown report of one trial of "drug X" on recovery, with
an odds ratio and its CI. The mocked model answers one passage at a time and
mislabels the paper whose recovery *decreased* as supporting: the direction-word
cross-check must catch it. One paper's odds ratio lies outside its own CI: the
audit must flag it and the pooled estimate must be given with and without it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from ideapump.agent import AgentOptions, EvidenceReport, WeighOptions, WeighProgress, weigh
from ideapump.agent.render_weigh import evidence_html, evidence_markdown, render_evidence
from ideapump.agent.weigh_summary import fallback_summary
from tests.agent.fakes import FakeLLM, passages_in
from tests.agent.libraries import markdown_library, one_paper_library

CLAIM = "drug X increases recovery after knee surgery"
SUPPORT = [(1.8, 1.2, 2.7), (2.1, 1.3, 3.4), (1.5, 1.1, 2.0), (1.9, 1.2, 3.0), (1.6, 1.1, 2.3)]


def _paper(i: int) -> str:
    if i == 20:  # recovery went down; the mocked model calls it support
        body = (
            "In a randomized trial of N = 90 patients after knee surgery, drug X decreased "
            "recovery compared with placebo (OR 0.60, 95% CI 0.40-0.90)."
        )
    elif i == 21:  # no effect
        body = (
            "In a cohort of N = 120 patients after knee surgery, drug X did not increase "
            "recovery; there was no significant difference (OR 1.05, 95% CI 0.80-1.38)."
        )
    elif i == 22:  # an odds ratio outside its own CI: the audit flags it
        body = (
            "In a randomized trial of N = 60 patients after knee surgery, drug X increased "
            "recovery compared with placebo (OR 9.50, 95% CI 1.20-3.10)."
        )
    else:
        est, lo, hi = SUPPORT[i % len(SUPPORT)]
        n = 40 + 10 * i
        body = (
            f"In a randomized controlled trial of N = {n} patients after knee surgery, drug X "
            f"increased recovery compared with placebo (OR {est:.2f}, 95% CI {lo:.2f}-{hi:.2f})."
        )
    return f"# Trial {i}: drug X and recovery after knee surgery\n\n{body}\n"


@pytest.fixture
def trials(tmp_path: Path, settings: Any, embeddings: Any) -> Any:
    from ideapump.runtime import Runtime

    folder = tmp_path / "trials"
    folder.mkdir()
    for i in range(24):
        (folder / f"trial{i:02d}.md").write_text(_paper(i))
    (folder / "pupil.md").write_text(
        "# Pupil responses\n\nThe pupil constricts to bright light in healthy volunteers.\n"
    )
    lib = Runtime(settings, embeddings=embeddings).library("trials")
    assert not lib.ingest([folder]).failed
    return lib


def _quotes_read(
    tmp_path: Path,
    settings: Any,
    embeddings: Any,
    llm: Any,
    fake: FakeLLM,
    text: str,
    claim: str,
    answer: str,
) -> list[str]:
    """The quotes of the passages weigh reads in a one-paper library, the model answering
    ``answer`` to every passage."""
    lib = one_paper_library(tmp_path, settings, embeddings, "paper", text)
    fake.on("StanceAnswer", lambda body, p: {"answer": answer, "effect": None})
    report = weigh(lib, llm, claim, weigh_options=WeighOptions(summary=False))
    return [p.citation.quote for p in report.passages]


def _answer(body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
    (text,) = p.values()  # one passage per call
    if "did not increase" in text:
        return {"answer": "no", "effect": None}
    return {"answer": "yes", "effect": None}  # wrong for the paper where recovery decreased


def test_weigh_over_two_dozen_papers(trials: Any, llm: Any, fake: FakeLLM) -> None:
    fake.on("StanceAnswer", _answer)
    fake.on(
        "SummaryDraft",
        lambda body, p: {
            "sentences": [
                {
                    "text": "Most randomized trials report more recovery with drug X.",
                    "papers": [1, 2],
                },
                {"text": "The pooled odds ratio is 7.77.", "papers": [1]},  # invented number
                {"text": "most randomized trials report more", "papers": [1]},  # a fragment
                {"text": "Most randomized trials report more recovery with drug X.", "papers": [2]},
            ]
        },
    )
    events: list[WeighProgress] = []
    report = weigh(
        trials,
        llm,
        CLAIM,
        options=AgentOptions(),
        weigh_options=WeighOptions(passages_per_paper=1),
        progress=events.append,
    )
    used = [r for r in report.papers_considered if r.used]
    assert len(used) == 24  # every trial read, one model call per passage
    # 24 passages, a second look at the vetoed one, the summary
    assert len(fake.of("StanceAnswer")) == 25 and report.model_calls == 26
    assert all(len(passages_in(b)) == 1 for b in fake.of("StanceAnswer"))
    # stance is judged greedily (the same answer every run); the summary is sampled
    assert {b["temperature"] for b in fake.of("StanceAnswer")} == {0.0}
    assert fake.of("SummaryDraft")[0]["temperature"] == llm.llm_settings.temperature == 0.3
    unused = [r for r in report.papers_considered if not r.used]
    assert all("Pupil" in r.title and r.reason for r in unused)
    # progress: papers found, then each passage judged, then the summary
    assert [e.stage for e in events][:2] == ["papers", "stance"]
    assert [e.done for e in events if e.stage == "stance"] == list(range(1, 25))

    # the mislabelled passage is caught by the direction words, the reason kept
    down = next(p for p in report.passages if "decreased" in p.citation.quote)
    assert down.model_stance == "supports" and down.stance == "neither"
    assert "set to neither" in down.reason
    assert down.second_look == "supports" and "asked again" in down.reason
    nul = next(p for p in report.passages if "did not increase" in p.citation.quote)
    assert nul.stance == "contradicts"

    # per-paper effects read by code, the impossible one flagged
    assert sum(r.effects for r in used) == 24
    flagged = [e for e in report.effects if e.flagged]
    assert len(flagged) == 1 and flagged[0].value == 9.5 and "outside" in flagged[0].audit_note
    # pooled: 23 papers with a stance (the vetoed one has no sign), with and without the flag
    pooled = report.pooled
    assert pooled is not None and pooled.family == "ratio" and pooled.k == 23
    assert pooled.flagged == 1 and pooled.without_flagged is not None
    assert pooled.without_flagged.k == 22 and pooled.dl.ci_low > 0
    assert len(pooled.leave_one_out) == 23
    null = next(e for e in pooled.effects if e.value == 1.05)
    assert null.oriented == pytest.approx(-math.log(1.05))  # against the claim
    assert report.verdict == "supported" and report.confidence == "high"
    assert pooled.headline.i2 < 0.5 and pooled.headline.k >= 3  # rule 6
    assert any("without flagged" in r for r in report.rules)

    # the summary keeps the sentence built on the evidence, drops the invented number
    assert [s.text for s in report.summary_sentences] == [
        "Most randomized trials report more recovery with drug X."
    ]
    assert report.unsupported_removed == 3 and report.summary_sentences[0].citations

    svg = report.forest_svg()
    assert svg is not None and svg.count("[audit flag]") == 1
    assert (report.forest_png() or b"")[:4] == b"\x89PNG"
    text = render_evidence(report)
    assert "Verdict: supported" in text and "Paule-Mandel" in text and "Leave-one-out" in text
    assert "(model said supports: " in text
    md = evidence_markdown(report)
    assert "<svg" in md and md.count("\n| ") == 25 + 1  # header + one row per paper
    assert "<svg" in evidence_html(report)
    again = EvidenceReport.model_validate_json(report.model_dump_json())
    assert again.pooled is not None and again.pooled.k == 23


def test_a_veto_gets_a_second_look_at_the_result_sentence(
    trials: Any, llm: Any, fake: FakeLLM
) -> None:
    # Over the whole passage the model says "yes" (as the 1.5B model did beside "no
    # statistical difference"); on the result sentence alone it says "no", which that
    # sentence's direction words confirm: the passage contradicts the claim.
    def answer(body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        (text,) = p.values()
        alone = text.startswith("In a randomized") and "decreased" in text
        return {"answer": "no" if alone else "yes", "effect": None}

    fake.on("StanceAnswer", answer)
    doc = next(d.doc_id for d in trials.papers() if d.source.endswith("trial20.md"))
    report = weigh(trials, llm, CLAIM, doc_ids=[doc], weigh_options=WeighOptions(summary=False))
    (passage,) = report.passages
    assert passage.model_stance == "supports" and passage.second_look == "contradicts"
    assert passage.stance == "contradicts" and "result sentence alone" in passage.reason
    assert report.model_calls == 2 and report.verdict == "contradicted"
    asked = [next(iter(passages_in(b).values())) for b in fake.of("StanceAnswer")]
    assert "Trial 20" in asked[0] and asked[1].startswith("In a randomized")


# (paper name, Results text, claim, words of the first passage the model answers "yes"
# to, the start of the clauses the second look asks about)
_SECOND_LOOKS = [
    # Iguchi et al. 2014 (the first held-out set): asked again on the whole sentence, the
    # model read the larger doses' reduction as the 12.5 mg/kg dose's
    (
        "iguchi",
        "Rats received CHX or vehicle before the tissue was taken. Acute administration of "
        "12.5 mg/kg CHX did not detectably reduce glutathione levels, whereas CHX doses of "
        "25 mg/kg induced a significant reduction in total glutathione levels in the NAc.",
        "a single 12.5 mg/kg dose of CHX lowers glutathione in the nucleus accumbens",
        "25 mg/kg",
        "Acute administration of 12.5 mg/kg CHX did not detectably reduce glutathione levels",
    ),
    # Mathot et al. 2014 (the second held-out set): the clause on the claim's two
    # conditions does not name the slope its sentence is about; asked on that clause, the
    # model's "no" was right, yet it stayed vetoed until the answer was read with the
    # sentence the clause is part of
    (
        "mathot",
        "We fitted a line to the pupil trace of each participant. This showed that the "
        "slope was lower in the Constant and Swap conditions than in the Onset condition, "
        "whereas there was no significant difference between the Constant and Swap "
        "conditions.",
        "the slope of the pupil response differed between the Constant and Swap conditions",
        "fitted",
        "there was no significant difference between the Constant and Swap conditions",
    ),
]


@pytest.mark.parametrize(("name", "results", "claim", "yes_to", "clauses"), _SECOND_LOOKS)
def test_the_second_look_reads_the_clauses_on_the_claim(
    tmp_path: Path,
    settings: Any,
    embeddings: Any,
    llm: Any,
    fake: FakeLLM,
    name: str,
    results: str,
    claim: str,
    yes_to: str,
    clauses: str,
) -> None:
    paper = f"# A study of {name}\n\n## Results\n\n{results}\n"
    lib = one_paper_library(tmp_path, settings, embeddings, name, paper)

    def answer(body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        (text,) = p.values()
        return {"answer": "yes" if yes_to in text else "no", "effect": None}

    fake.on("StanceAnswer", answer)
    report = weigh(lib, llm, claim, weigh_options=WeighOptions(summary=False))
    (passage,) = report.passages
    assert passage.model_stance == "supports" and passage.second_look == "contradicts"
    assert passage.stance == "contradicts", passage.reason
    asked = [next(iter(passages_in(b).values())) for b in fake.of("StanceAnswer")]
    assert asked[1].startswith(clauses)


def test_a_model_that_says_no_to_everything_contradicts_only_where_a_passage_does(
    trials: Any, llm: Any, fake: FakeLLM
) -> None:
    # The 1.5B model answered "no" to passages that did not mention the claim's result;
    # weigh then filed supporting papers as contradicting ("contradicted" on 8 of 11
    # held-out claims). Only the passages stating "decreased" and "did not increase"
    # contradict.
    fake.on("StanceAnswer", lambda body, p: {"answer": "no", "effect": None})
    report = weigh(trials, llm, CLAIM, weigh_options=WeighOptions(summary=False))
    contra = {
        report.papers_considered[p.paper - 1].title
        for p in report.passages
        if p.stance == "contradicts"
    }
    assert contra == {f"Trial {i}: drug X and recovery after knee surgery" for i in (20, 21)}
    assert report.verdict != "contradicted"
    assert all("neither the opposite" in p.reason for p in report.passages if p.stance == "neither")


def test_a_passage_of_aims_alone_is_neither_without_a_model_call(
    tmp_path: Path, settings: Any, embeddings: Any, llm: Any, fake: FakeLLM
) -> None:
    # PubMedQA abstracts: the 1.5B model said "yes" to the objectives-and-setting
    # passage, and that outvoted the result passage's "no".
    text = (
        "# PMID 1\n\n**Objectives.** To compare a sliding compression hip screw and an "
        "intramedullary nail in the treatment of pertrochanteric fractures. **Design.** "
        "Prospective randomised study of 100 patients. **Setting.** A university hospital.\n"
    )
    lib = one_paper_library(tmp_path, settings, embeddings, "nail", text)
    fake.on("StanceAnswer", lambda body, p: {"answer": "yes", "effect": None})
    claim = "an intramedullary nail gives better results than a sliding hip screw"
    report = weigh(lib, llm, claim, weigh_options=WeighOptions(summary=False))
    assert not fake.of("StanceAnswer") and report.model_calls == 0
    assert report.verdict == "insufficient"
    assert all("reports no result" in p.reason for p in report.passages)


def test_weigh_restricted_to_one_paper(trials: Any, llm: Any, fake: FakeLLM) -> None:
    fake.on("StanceAnswer", _answer)
    doc = next(d.doc_id for d in trials.papers() if d.source.endswith("trial21.md"))
    report = weigh(trials, llm, CLAIM, doc_ids=[doc], weigh_options=WeighOptions(summary=False))
    assert [r.doc_id for r in report.papers_considered] == [doc]
    assert report.verdict == "contradicted" and report.pooled is None
    assert "not comparable" in report.pooling_note
    assert re.search(r"Rule 5: only contradicting", " ".join(report.rules))


def test_a_summary_sentence_with_the_statistics_of_an_earlier_one_is_not_shown(
    trials: Any, llm: Any, fake: FakeLLM
) -> None:
    # the 1.5B model's summary for Dubois et al.: one result, its statistics, said twice
    first = (
        "One cohort of 120 patients found no difference in recovery (OR 1.05, 95% CI 0.80-1.38)."
    )
    again = "The evidence also shows no difference in recovery (OR 1.05, 95% CI 0.80-1.38)."
    fake.on("StanceAnswer", _answer)
    fake.on(
        "SummaryDraft",
        lambda body, p: {"sentences": [{"text": t, "papers": [1]} for t in (first, again)]},
    )
    doc = next(d.doc_id for d in trials.papers() if d.source.endswith("trial21.md"))
    report = weigh(trials, llm, CLAIM, doc_ids=[doc])
    assert [s.text for s in report.summary_sentences] == [first]
    assert report.unsupported_removed == 1


def test_a_claim_of_no_effect_is_asked_without_its_negation(
    trials: Any, llm: Any, fake: FakeLLM
) -> None:
    # The 1.5B model answered "no" to "X does not affect Y" beside "Y was not affected":
    # it judged whether there was an effect. _answer does the same.
    fake.on("StanceAnswer", _answer)
    docs = {Path(d.source).stem: d.doc_id for d in trials.papers()}
    claim = "drug X does not increase recovery after knee surgery"
    report = weigh(
        trials,
        llm,
        claim,
        doc_ids=[docs["trial21"], docs["trial00"]],
        weigh_options=WeighOptions(summary=False),
    )
    asked = [b["messages"][-1]["content"] for b in fake.of("StanceAnswer")]
    assert asked and all("does increase recovery" in a and "does not" not in a for a in asked)
    stance = {r.doc_id: r.stance for r in report.papers_considered}
    assert stance[docs["trial21"]] == "supports"  # "did not increase recovery"
    assert stance[docs["trial00"]] == "contradicts"  # "increased recovery"


_MELATONIN = """# Melatonin for night-shift nurses

## Abstract

This report describes a randomised trial of a sleep aid in night-shift nurses.

## Introduction

Whether melatonin shortens sleep onset latency in shift workers is debated. Melatonin
is thought to shorten sleep onset latency, and several authors have asked whether
melatonin shortens sleep onset latency in shift workers who sleep by day. We aimed to
test whether melatonin shortens sleep onset latency in shift workers.

## Rationale

Sleep onset latency in shift workers is long, and melatonin for shift workers is sold
widely. Melatonin and sleep onset latency in shift workers have been studied only in
small samples of shift workers, so the question of melatonin and sleep onset latency in
shift workers remains open for shift workers and their employers.

## Methods

Forty nurses took 3 mg tablets or placebo before their day sleep for 14 days and kept
sleep diaries; the diaries were collected weekly by the study nurse.

## Results

Compared with placebo, melatonin shortened the nurses' sleep onset latency by 12
minutes on average (p = .003).
"""


def test_weigh_reads_the_passage_that_reports_the_result(
    tmp_path: Path, settings: Any, embeddings: Any, llm: Any, fake: FakeLLM
) -> None:
    # Retrieval's two best chunks for the claim are the introduction and the rationale,
    # which repeat its words and report nothing; the result is in its own chunk.
    lib = one_paper_library(tmp_path, settings, embeddings, "sleep", _MELATONIN)

    def answer(body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        (text,) = p.values()
        return {"answer": "yes" if "by 12" in text else "unclear", "effect": None}

    fake.on("StanceAnswer", answer)
    claim = "melatonin shortens sleep onset latency in shift workers"
    report = weigh(lib, llm, claim, weigh_options=WeighOptions(summary=False))
    (row,) = [r for r in report.papers_considered if r.used]
    assert row.stance == "supports"
    assert any("by 12" in p.citation.quote for p in report.passages)


_BED_REST = """# Exercise and circadian phase in bed rest

## Introduction

Earlier bed rest studies found that immobilisation delays the circadian phase of core
body temperature by about an hour in healthy men.

## Discussion

We here investigated whether resistive exercise during bed rest delays the circadian
phase of core body temperature in healthy men.

## Results

In the exercise group the circadian phase was advanced by 0.45 h (p = 0.026), while the
bed rest group without exercise showed a phase delay.
"""


def test_weigh_reads_results_not_the_aim_or_the_introductions_citations(
    tmp_path: Path, settings: Any, embeddings: Any, llm: Any, fake: FakeLLM
) -> None:
    # The Mendt paper's aim ("we here investigated ...") and its introduction's account of
    # earlier studies repeat the claim's words; weigh read them and not the result.
    lib = one_paper_library(tmp_path, settings, embeddings, "bedrest", _BED_REST)

    def answer(body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        (text,) = p.values()
        return {"answer": "no" if "advanced by 0.45" in text else "yes", "effect": None}

    fake.on("StanceAnswer", answer)
    claim = "resistive exercise during bed rest delays the circadian phase of core body temperature"
    report = weigh(lib, llm, claim, weigh_options=WeighOptions(summary=False, passages_per_paper=1))
    (passage,) = report.passages
    assert "advanced by 0.45" in passage.citation.quote
    assert passage.stance == "contradicts" and passage.checked  # phase advance vs delay
    assert report.verdict == "contradicted"


_NURSES = """# Melatonin in night-shift nurses

## Abstract

Forty nurses took melatonin or placebo for 14 days. Sleep onset latency fell by 12
minutes with melatonin (p = 0.01).

## Discussion

In night-shift nurses, melatonin shortened sleep onset latency, as it does in day
workers; melatonin shortened sleep onset latency most in the first week.

## Limitations

Melatonin shortened sleep onset latency in night-shift nurses who slept at home; in
nurses who slept at the hospital, melatonin shortened sleep onset latency less.
"""


def test_weigh_reads_the_abstracts_result_beside_the_best_passage(
    tmp_path: Path, settings: Any, embeddings: Any, llm: Any, fake: FakeLLM
) -> None:
    # The abstract says what the paper found overall; narrower passages that repeat
    # the claim's words outscore it, so one of the passages read is kept for it.
    claim = "melatonin shortens sleep onset latency in night-shift nurses"
    quotes = _quotes_read(tmp_path, settings, embeddings, llm, fake, _NURSES, claim, "yes")
    assert len(quotes) == 2 and any("fell by 12" in q for q in quotes)


_FILLER = " ".join(
    f"Rats were housed in pairs in cage {i} with food and water available at all times."
    for i in range(1, 13)
)
_GLUTATHIONE = f"""# Glutathione and behaviour after CHX in adult rats

## Abstract

CHX given to adult rats lowered glutathione for a few hours (p < 0.05) and changed
several behaviours.

## Introduction

{_FILLER}

## Methods

{_FILLER}

## Results

Glutathione in the nucleus accumbens fell after 25 mg/kg CHX, and glutathione in the
nucleus accumbens fell further after 50 mg/kg CHX (p < 0.01 for both doses).

## Results, dose finding

A single dose of 12.5 mg/kg CHX did not detectably reduce glutathione.

## Discussion

Other studies found that higher doses of CHX lower glutathione in the nucleus accumbens
of adult rats and lower glutathione in the striatum of adult rats.
"""


def test_weigh_reads_the_result_on_the_claims_dose_and_keeps_results_over_discussion(
    tmp_path: Path, settings: Any, embeddings: Any, llm: Any, fake: FakeLLM
) -> None:
    # Iguchi: the sentence on the claim's dose ranked below sentences sharing more of
    # its words, and the abstract's slot then pushed the results passage out.
    claim = "a single 12.5 mg/kg dose of CHX lowers glutathione in the nucleus accumbens"
    read = _quotes_read(tmp_path, settings, embeddings, llm, fake, _GLUTATHIONE, claim, "unclear")
    quotes = " | ".join(read)
    assert "12.5 mg/kg CHX did not detectably reduce" in quotes
    assert "lowered glutathione for a few hours" in quotes  # the abstract's result
    assert "Other studies" not in quotes


def test_a_passage_that_never_names_the_claims_outcome_is_neither_without_a_model_call(
    trials: Any, llm: Any, fake: FakeLLM
) -> None:
    # The trials report recovery, never sleep: the model (here answering "yes" to all
    # but one) is not asked, and no paper counts for or against the claim.
    fake.on("StanceAnswer", _answer)
    docs = {Path(d.source).stem: d.doc_id for d in trials.papers()}
    ids = [docs["trial00"], docs["trial01"]]
    claim = "after knee surgery, drug X improves sleep quality"
    report = weigh(trials, llm, claim, doc_ids=ids, weigh_options=WeighOptions(summary=False))
    assert not fake.of("StanceAnswer") and report.model_calls == 0
    assert {r.stance for r in report.papers_considered if r.used} == {"neither"}
    assert report.verdict == "insufficient"
    assert all(
        "never mentions" in p.reason and "sleep quality" in p.reason for p in report.passages
    )
    # The same papers on what they do report: the model is asked.
    claim = "after knee surgery, drug X improves recovery"
    report = weigh(trials, llm, claim, doc_ids=ids, weigh_options=WeighOptions(summary=False))
    assert fake.of("StanceAnswer") and report.verdict != "insufficient"


@pytest.mark.parametrize(
    ("score", "floor", "shown"),
    [(0.2996, 0.3, "0.2996"), (0.296, 0.3, "0.296"), (0.21, 0.3, "0.21")],
)
def test_a_paper_left_out_for_relevance_shows_a_score_below_the_floor(
    score: float, floor: float, shown: str
) -> None:
    # a row read "relevance 0.30 below the minimum 0.3"
    from ideapump.agent.weigh_papers import shown_score

    assert shown_score(score, floor) == shown


def _paper_library(factory: pytest.TempPathFactory, embeddings: Any, pdf: Path) -> Any:
    """A library of one real paper, for the passage-choice tests."""
    from ideapump.config import Settings
    from ideapump.runtime import Runtime

    lib = Runtime(Settings(home=factory.mktemp(pdf.stem[:12])), embeddings=embeddings).library()
    assert not lib.ingest([pdf]).failed
    return lib


@pytest.fixture(scope="module")
def iguchi_library(tmp_path_factory: pytest.TempPathFactory, embeddings):
    from tests.conftest import DATA

    pdf = DATA / "iguchi2014_plosone_oxidative_stress_rats.pdf"
    return _paper_library(tmp_path_factory, embeddings, pdf)


def test_a_result_sentence_in_a_chunk_retrieval_ranks_low_is_read(iguchi_library) -> None:
    # Retrieval ranks whole chunks: the paper's best sentence for this claim sits in its
    # 20th chunk by retrieval, and weigh read two others (a held-out stance pair).
    from ideapump.agent.grounding import retrieve
    from ideapump.agent.weigh_papers import paper_passages

    claim = "rats given repeated CHX were more active than controls during habituation"
    (doc,) = iguchi_library.papers()
    target = next(
        c.chunk_id
        for c in iguchi_library.chunks(doc.doc_id)
        if "increased locomotor activity compared with control" in " ".join(c.quote.split())
    )
    top = retrieve(iguchi_library, claim, 8, doc_ids=[doc.doc_id])
    assert target not in {p.chunk_id for p in top}
    read = paper_passages(iguchi_library, claim, doc.doc_id, AgentOptions(), WeighOptions())
    assert target in {p.chunk_id for p in read}


def test_effects_of_arms_the_claim_does_not_name_are_not_its_effects() -> None:
    from ideapump.agent.weigh import about_claim
    from ideapump.evidence.effects import extract_effects

    # Dubois et al. 2021, p. 28: all three comparisons were listed under a propranolol claim
    found = extract_effects(
        "amisulpride vs propranolol: t(38) = 2.171, p = 0.034; placebo vs amisulpride: "
        "t(38) = -0.587, p = 0.559; placebo vs propranolol: t(40) = 2.923, p = 0.005",
        n=60,
    )
    shown = about_claim(found, "propranolol reduces value-free random exploration")
    # the claim's arm against placebo first, then against the other drug; not the other pair
    assert [e.comparison for e in shown] == ["placebo vs propranolol", "amisulpride vs propranolol"]
    # a claim in other words than the arms': nothing to tell them apart by, all stay
    assert about_claim(found, "noradrenaline shapes exploration") == found


def test_an_effect_named_by_a_factor_the_claim_is_not_about_is_not_its_effect() -> None:
    from ideapump.agent.weigh import about_claim
    from ideapump.evidence.effects import extract_effects

    # Dubois et al. 2021, p. 8: the table showed the horizon main effect as the paper's
    # effect on a claim about the drug groups, and pooled it
    found = extract_effects(
        "we found a difference in consistency (drug main effect: F(2, 54) = 7.154, p = 0.002; "
        "horizon main effect: F(1, 54) = 1.333, p = 0.253). The performance did not differ "
        "between drug groups (drug main effect: F(1, 54) = 2.313, p = 0.134) but it was "
        "increased in subjects with higher IQ scores (WASI main effect: F(1, 54) = 17.172, "
        "p<0.001).",
        n=60,
    )
    assert [e.factor for e in found] == ["horizon", "drug", "WASI"]
    shown = about_claim(found, "task performance scores differed between the drug groups")
    assert [e.reported for e in shown] == ["F(1, 54) = 2.313, p = 0.134"]
    # a claim on the horizon keeps the horizon's effect
    horizon = about_claim(found, "people explored more consistently in the long horizon")
    assert [e.factor for e in horizon] == ["horizon", "drug"]


@pytest.fixture(scope="module")
def dubois_library(tmp_path_factory: pytest.TempPathFactory, embeddings):
    from tests.conftest import PAPERS

    return _paper_library(tmp_path_factory, embeddings, PAPERS["dubois"])


def test_a_result_that_names_its_topic_in_the_sentence_before_is_read(dubois_library) -> None:
    # "The novelty bonus h captures the intrinsic reward of selecting a novel option. ...
    # there was no difference between drug groups in terms of this effect (F(2, 54) =
    # 0.249 ...)": weigh read a passage on choice consistency instead, and said
    # "insufficient" (a held-out stance pair)
    from ideapump.agent.weigh_papers import paper_passages
    from ideapump.grounding.evidence import refers_back

    claim = "the drug groups differed in the novelty bonus for choosing a novel option"
    (doc,) = dubois_library.papers()
    target = next(
        c.chunk_id
        for c in dubois_library.chunks(doc.doc_id)
        if "in terms of this effect" in " ".join(c.quote.split())
    )
    read = paper_passages(dubois_library, claim, doc.doc_id, AgentOptions(), WeighOptions())
    assert target in {p.chunk_id for p in read}
    assert refers_back("There was no difference between drug groups in terms of this effect.")
    # the difference is the sentence's own
    assert not refers_back(
        "Speed was higher in Constant than in Onset, but this difference was not reliable."
    )
    assert not refers_back("The novelty bonus was larger in the long horizon.")


def test_a_paper_named_among_several_markers_is_checked_too() -> None:
    from ideapump.agent.weigh_summary import misstates_stance
    from ideapump.results import EvidenceReport, PaperRow

    rows = [
        PaperRow(n=1, doc_id="a", title="A", relevance=0.6, used=True, stance="supports"),
        PaperRow(n=2, doc_id="b", title="B", relevance=0.5, used=True, stance="contradicts"),
    ]
    report = EvidenceReport(claim="c", verdict="supported", papers_considered=rows)
    assert misstates_stance("Papers [1, 2] support the claim.", [], report) is not None
    assert misstates_stance("Paper [1] supports the claim.", [], report) is None


def test_a_summary_that_denies_what_code_found_is_caught_clause_by_clause() -> None:
    # weighing 27 PubMedQA abstracts on maternal conditions in pregnancy (verdict
    # "supported": two papers support, none contradicts), the 1.5B model wrote both
    from ideapump.agent.weigh_summary import misstates_stance
    from ideapump.results import EvidenceReport, PaperRow

    stances = {1: "neither", 2: "supports", 3: "neither", 4: "supports"}
    rows = [
        PaperRow(n=n, doc_id=str(n), title=str(n), relevance=0.5, used=True, stance=s)
        for n, s in stances.items()
    ]
    report = EvidenceReport(claim="c", verdict="supported", papers_considered=rows)

    def wrong(text: str) -> bool:
        return misstates_stance(text, [], report) is not None

    assert wrong("The evidence does not support the claim that maternal conditions matter.")
    assert wrong("The papers [2, 3] do not support the claim, and the papers [1] contradict it.")
    assert wrong("The papers [1, 3] do not support the claim, and the paper [3] contradicts it.")
    assert wrong("No paper supports the claim.")
    # what code found, said with a negation or a clause each, stands
    assert not wrong("The papers [1, 3] do not support the claim, and [2, 4] support it.")
    assert not wrong("No paper contradicts the claim.")
    assert not wrong("Overall, the evidence supports the claim.")
    assert not wrong("Paper [2], which found no drop in risk elsewhere, supports the claim.")
    # a count cannot tell which papers
    assert not wrong("Two of the papers do not support the claim.")


def test_a_summary_that_says_the_evidence_lacks_what_a_paper_gives_is_caught() -> None:
    # the 1.5B model's summary of 27 PubMedQA abstracts on pregnancy; paper 6's finding
    from ideapump.agent.weigh_summary import denies_given

    line = (
        "[6] PMID 12913347: supports; design not stated; N not stated; finding: An analysis "
        "of the microbiological culture from the lower genital tract revealed that unmarried "
        "pregnant women had a higher risk for several types of pathological microflora"
    )
    lacks = (
        "The evidence does not provide information on the microbiological culture from the "
        "lower genital tract."
    )
    assert denies_given(lacks, [line]) == line
    # what no line gives may be said to be missing
    assert denies_given("No data on long-term outcomes were reported.", [line]) is None
    assert denies_given("The evidence does not contradict the claim.", [line]) is None


def test_a_summary_sentence_that_gives_a_paper_the_wrong_stance_is_not_shown(
    trials: Any, llm: Any, fake: FakeLLM
) -> None:
    # The 1.5B model's summary of a weigh whose one paper contradicted the claim (verdict
    # "contradicted"): "The only paper that supports this claim is [1], which ... found no
    # drug effects on other parameters."
    verdict = "The claim is contradicted by the one paper read [1]."
    wrong = "The only paper that supports this claim is [1], which found no difference."
    overall = "Overall, the evidence supports the claim."
    hedged = "No paper supports the claim."
    fake.on("StanceAnswer", _answer)
    fake.on(
        "SummaryDraft",
        lambda body, p: {
            "sentences": [{"text": t, "papers": [1]} for t in (verdict, wrong)]
            + [{"text": t, "papers": []} for t in (overall, hedged)]
        },
    )
    doc = next(d.doc_id for d in trials.papers() if d.source.endswith("trial21.md"))
    report = weigh(trials, llm, CLAIM, doc_ids=[doc])
    assert report.verdict == "contradicted"
    assert [s.text for s in report.summary_sentences] == [verdict, hedged]
    assert report.unsupported_removed == 2
    # the report says why, and not "numbers" when it was the stance
    from ideapump.agent.render_weigh import render_evidence

    assert "2 summary sentence(s) removed: a number, a stance or a lack" in render_evidence(report)


# The U@Uni trial's abstract, results and conclusions (Epton et al. 2014, BMC Public
# Health 14:563, CC BY 2.0): a session's weigh filed the conclusions as support, whole
_U_AT_UNI = (
    "# A theory-based online health behaviour intervention for new university students\n\n"
    "**Results.** The study recruited 1,445 students (intervention n = 736, control n = 709, "
    "58% female, Mean age = 18.9 years), of whom 1,107 completed at least one follow-up (23% "
    "attrition). The intervention had a statistically significant effect on one primary "
    "outcome, smoking status at 6-month follow-up, with fewer smokers in the intervention arm "
    "(8.7%) than in the control arm (13.0%; Odds ratio = 1.92, p = .010). There were no "
    "significant intervention effects on the other primary outcomes (physical activity, "
    "alcohol or fruit and vegetable consumption) at 6-month follow-up.\n\n"
    "**Conclusions.** The results of the RCT indicate that the online health behaviour "
    "intervention reduced smoking rates, but it had little effect on fruit and vegetable "
    "intake, physical activity or alcohol consumption, during the first six months at "
    "university.\n"
)


def test_a_passage_that_also_states_no_effect_supports_in_part(
    tmp_path: Path, settings: Any, embeddings: Any, llm: Any, fake: FakeLLM
) -> None:
    lib = one_paper_library(tmp_path, settings, embeddings, "uatuni", _U_AT_UNI)
    fake.on("StanceAnswer", lambda body, p: {"answer": "yes", "effect": None})
    claim = "Online health behaviour interventions improve the health behaviour of students"
    report = weigh(lib, llm, claim, weigh_options=WeighOptions(summary=False))
    (conclusion,) = [p for p in report.passages if "smoking rates" in p.citation.quote]
    assert conclusion.stance == "supports"
    assert conclusion.partly.startswith("it had little effect on fruit and vegetable intake")
    # the paper counts on both sides, and the verdict is no "supported"
    (row,) = [r for r in report.papers_considered if r.used]
    assert row.stance == "mixed" and report.verdict == "mixed"
    shown = render_evidence(report)
    assert "supports in part" in shown and "it had little effect on fruit" in shown
    assert "0 contradict the claim, 1 is mixed" in fallback_summary(report)


def test_a_paper_that_never_names_what_the_claim_says_acts_is_not_read_for_it(
    tmp_path: Path, settings: Any, embeddings: Any, llm: Any, fake: FakeLLM
) -> None:
    # A session's weigh read a school-based implementation-intentions study (Peach et al.)
    # as contradicting "Online health behaviour interventions improve ...": its abstract
    # never says "online". These two papers are ours, written for the test.
    papers = {
        "online": "# An online health behaviour intervention for students\n\n"
        "**Results.** Students given the online health behaviour intervention ate more "
        "fruit than controls (p = .01).\n",
        "school": "# Implementation intentions and healthy eating in adolescents\n\n"
        "**Results.** The classroom health behaviour intervention did not improve healthy "
        "eating in adolescents (p = .40).\n",
    }
    lib = markdown_library(tmp_path, settings, embeddings, "qualifier", papers)
    fake.on(
        "StanceAnswer",
        lambda body, p: {
            "answer": "no" if "classroom" in " ".join(p.values()) else "yes",
            "effect": None,
        },
    )
    claim = "Online health behaviour interventions improve the health behaviour of students"
    report = weigh(lib, llm, claim, weigh_options=WeighOptions(summary=False))
    assert report.verdict == "supported"
    rows = {r.title.split()[0]: r for r in report.papers_considered if r.used}
    assert set(rows) == {"An", "Implementation"}
    assert rows["Implementation"].stance == "neither" and rows["An"].stance == "supports"
    school = [p for p in report.passages if p.paper == rows["Implementation"].n]
    assert school and all("never say 'Online'" in p.reason for p in school)
    # no model call was spent on it
    asked = " ".join(str(b["messages"]) for b in fake.of("StanceAnswer"))
    assert "classroom" not in asked


def _chunk(n: int, section: str, quote: str = "") -> Any:
    from ideapump.models import Passage

    return Passage(
        doc_id="d",
        title="T",
        source="t.pdf",
        page=n,
        page_end=n,
        section=section,
        score=0.5,
        quote=quote or f"chunk {n}",
        chunk_id=f"c{n}",
        char_start=0,
        char_end=1,
    )


def test_a_section_label_that_runs_through_the_paper_does_not_hide_its_results() -> None:
    # Range et al. 2015: "INTRODUCTION" ran from page 2 to the acknowledgements (the
    # ingest missed the headings after it), so "We found that wolves clearly outperformed
    # the dogs ..." was never read as a result
    from ideapump.agent.weigh_papers import _setup_sections

    missed = [_chunk(1, ""), *(_chunk(n, "INTRODUCTION") for n in range(2, 9)), _chunk(9, "REFS")]
    assert _setup_sections(missed) == set()
    found = [
        _chunk(1, "Introduction"),
        _chunk(2, "Methods"),
        *(_chunk(n, "Results") for n in (3, 4)),
    ]
    assert _setup_sections(found) == {"Introduction", "Methods"}


def test_a_sentence_two_overlapping_chunks_share_is_read_once() -> None:
    # Hartgerink et al. 2017: two overlapping chunks led with "... sample size in
    # psychology articles has stayed stable across time", read twice
    from ideapump.agent.weigh_papers import _once_each

    a, b, c = _chunk(1, "Results"), _chunk(2, "Results"), _chunk(3, "Discussion")
    said = {
        "c1": "This cannot be explained by a decrease in sample size, as sample size has stayed stable.",
        "c2": "as sample size has stayed stable.",  # the next chunk starts mid-sentence
        "c3": "Average sample sizes have been remarkably stable since 1985.",
    }
    assert [p.chunk_id for p in _once_each([a, b, c], said)] == ["c1", "c3"]
