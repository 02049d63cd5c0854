"""Quote matching, power analysis formulas, draft filtering: no model, no library."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.power import TTestIndPower

from ideapump.agent.grounding import (
    Evidence,
    check_draft,
    closest_sentence,
    quote_occurs,
    repair_quote,
    strip_bad,
)
from ideapump.agent.power import effect_from_result, solve_n
from ideapump.models import Passage
from ideapump.results import CritiqueDraft, PointDraft
from ideapump.stats import check_text
from tests.conftest import make_passage

CHUNK = (
    "Participants explored more under atomox-\netine than placebo, t(28) = 2.20, "
    "p = .036 \u2013 a medium   effect on random exploration."
)


def _passage(text: str = CHUNK) -> Passage:
    return make_passage(text, page=3, page_end=3, chunk_id="d1:00001")


@pytest.mark.parametrize(
    "quote",
    [
        "explored more under atomoxetine than placebo",  # line-break hyphen joined
        "p = .036 - a medium effect",  # en dash, spacing
        "PARTICIPANTS EXPLORED MORE",  # case
        "explored more under ... a medium effect",  # ellipsis joins pieces in order
    ],
)
def test_quotes_that_occur(quote: str) -> None:
    assert quote_occurs(quote, CHUNK)


@pytest.mark.parametrize(
    "quote",
    [
        "explored less under atomoxetine",
        "a medium effect ... explored more under",  # pieces out of order
        "placebo",  # too short to be a quote
        "",
    ],
)
def test_quotes_that_do_not(quote: str) -> None:
    assert not quote_occurs(quote, CHUNK)


def test_evidence_resolves_only_real_quotes() -> None:
    ev = Evidence([_passage()])
    good = ev.resolve(1, "than placebo, t(28) = 2.20")
    assert good is not None and good.chunk_id == "d1:00001" and good.page == 3
    assert ev.resolve(2, "than placebo, t(28) = 2.20") is None  # no passage 2
    assert ev.resolve(1, "than placebo, t(28) = 3.20") is None
    assert 'n="1"' in ev.block() and ev.block().startswith("<documents>")


NEXT_CHUNK = (
    "previous studies found no effect of propranolol on pupil diameter (Hauser et al., "
    "2019; Koudas et al., 2009), so we opted against using pupillometry in this study."
)


def test_a_quote_that_runs_past_its_chunk_is_cut_to_the_words_in_it() -> None:
    # What the 1.5B model did in a real digest: it quoted the end of the previous
    # chunk, then passage n, then closed a bracket that is not in the paper.
    quote = (
        "Because the effect of noradrenaline on pupil size remains poorly understood, including "
        "the fact that previous studies found no effect of propranolol on pupil diameter "
        "(Hauser et al., 2019;)"
    )
    assert not quote_occurs(quote, NEXT_CHUNK)
    cited = Evidence([_passage(NEXT_CHUNK)]).resolve(1, quote)
    assert cited is not None
    # cut to its verbatim run, then shown as the whole sentence that run is in
    assert cited.quote == " ".join(NEXT_CHUNK.split())
    assert quote_occurs(cited.quote, NEXT_CHUNK)


def test_a_short_overlap_or_a_changed_number_is_not_repaired() -> None:
    # Seven words in common: not enough to say the model pointed at this text.
    assert (
        repair_quote("no effect of propranolol on pupil diameter at all in mice", NEXT_CHUNK)
        is None
    )
    # The run stops at the wrong number, so the number never reaches the citation.
    cut = repair_quote(
        "so we opted against using pupillometry in this study of 90 patients", NEXT_CHUNK
    )
    assert cut == "so we opted against using pupillometry in this study."
    assert (
        Evidence([_passage()]).resolve(1, "explored more under atomoxetine, t(28) = 9.99") is None
    )


def test_a_true_quote_under_the_wrong_number_cites_its_passage_in_the_same_paper() -> None:
    first = _passage("We show that preparation triggers a pupillary response to the brightness.")
    second = _passage("Next, we used paired-samples t-tests on slope and intercept.").model_copy(
        update={"chunk_id": "d1:00002", "page": 7, "page_end": 7}
    )
    other = _passage("Dogs follow human gaze around obstacles in most trials.").model_copy(
        update={"doc_id": "d2", "title": "Dogs", "chunk_id": "d2:00001"}
    )
    ev = Evidence([first, second, other])
    cited = ev.resolve(2, "preparation triggers a pupillary response to the brightness")
    assert cited is not None and (cited.chunk_id, cited.page) == ("d1:00001", 3)
    # never across papers: a quote of paper d1 under d2's number is not a citation of d2
    assert ev.resolve(3, "preparation triggers a pupillary response to the brightness") is None
    assert ev.resolve(1, "Dogs follow human gaze around obstacles") is None


def test_a_quote_that_is_the_title_cites_the_sentence_closest_to_the_claim() -> None:
    text = (
        "Participants came to the lab twice, a week apart. Earlier studies found no effect "
        "of propranolol on pupil diameter, so we opted against pupillometry in this study."
    )
    passage = _passage(text).model_copy(update={"title": "Propranolol and pupil size in humans"})
    ev = Evidence([passage])
    cited = ev.resolve(1, "Propranolol and pupil size", "Should we skip pupillometry here?")
    assert cited is not None
    assert cited.quote.startswith("Earlier studies found no effect of propranolol")
    assert ev.resolve(1, "Propranolol and pupil size in mice", "pupillometry") is None


def test_the_closest_sentence_is_never_the_journals_front_matter() -> None:
    # Peach et al. 2016, p. 2, as pypdf reads it: the keyword block has no full stop
    text = (
        "The intervention was not effective in achieving the healthy eating goals.\n"
        "ARTICLE HISTORY\nReceived 6 April 2016\nAccepted 30 October 2016\nKEYWORDS\n"
        "Obesity; adolescents;\nimplementation intentions;\nbehaviour change\n1. Introduction\n"
        "In the UK, it is estimated that by 2025, 25% of all children could be obese."
    )
    idea = "An implementation intentions intervention for adolescents' behaviour change."
    assert closest_sentence(text, idea).startswith("The intervention was not effective")
    # Epton et al. 2014, p. 1: the abstract ends in its registration number
    epton = (
        "Engagement with the intervention was low. Further research is needed on health "
        "lifestyle habits in new university students. Trial registration: Current Controlled "
        "Trials, ISRCTN67684181."
    )
    assert closest_sentence(epton, "controlled trials of health habits").startswith(
        "Further research"
    )
    # front matter alone is still better than nothing
    only = "ARTICLE HISTORY Received 6 April 2016 Accepted 30 October 2016 KEYWORDS Obesity"
    assert closest_sentence(only, idea).startswith("ARTICLE HISTORY")


def test_bad_cited_items_are_stripped() -> None:
    ev = Evidence([_passage()])
    draft = CritiqueDraft(
        summary="s",
        points=[
            PointDraft(
                aspect="design", issue="ok", suggestion="", n=1, quote="explored more under"
            ),
            PointDraft(
                aspect="controls",
                issue="made up",
                suggestion="",
                n=1,
                quote="no blinding at all was used",
            ),
        ],
    )
    assert [p.issue for p in check_draft(draft, ev)] == ["made up"]
    cleaned, removed = strip_bad(draft, ev)
    assert removed == 1 and [p.issue for p in cleaned.points] == ["ok"]
    assert len(draft.points) == 2  # the original is untouched


def test_effect_sizes_from_audited_results() -> None:
    t = check_text("t(28) = 2.20, p = .036").results[0]
    metric, d, formula = effect_from_result(t)  # type: ignore[misc]
    assert metric == "d" and d == pytest.approx(2 * 2.20 / math.sqrt(28))
    assert formula.startswith("d = 2t/sqrt(df)")
    f1 = check_text("F(1, 40) = 9.00, p = .005").results[0]
    assert effect_from_result(f1)[1] == pytest.approx(2 * 3 / math.sqrt(40))  # type: ignore[index]
    f3 = check_text("F(2, 54) = 7.00, p = .002").results[0]
    metric, f, _ = effect_from_result(f3)  # type: ignore[misc]
    eta = 14 / (14 + 54)
    assert metric == "f" and f == pytest.approx(math.sqrt(eta / (1 - eta)))
    r = check_text("r(48) = .30, p = .034").results[0]
    assert effect_from_result(r)[1] == pytest.approx(0.6 / math.sqrt(1 - 0.09))  # type: ignore[index]


def test_solve_n_matches_statsmodels() -> None:
    assert solve_n("d", 0.5, 2, 0.05, 0.8) == 64  # the textbook figure
    expected = math.ceil(TTestIndPower().solve_power(effect_size=0.8, alpha=0.05, power=0.9))
    assert solve_n("d", 0.8, 2, 0.05, 0.9) == expected
    assert solve_n("f", 0.25, 3, 0.05, 0.8) == 53  # 158 total / 3 groups, rounded up


def test_paired_n_for_within_subject_designs() -> None:
    from statsmodels.stats.power import TTestPower

    from ideapump.agent.power import solve_paired_n

    expected = math.ceil(TTestPower().solve_power(effect_size=0.5, alpha=0.05, power=0.8))
    assert solve_paired_n(0.5, 2, 0.05, 0.8) == (expected, 0.05)  # 34, not 64 per group
    n3, alpha3 = solve_paired_n(0.5, 3, 0.05, 0.8)  # three pairs, Bonferroni
    assert alpha3 == pytest.approx(0.05 / 3) and n3 > expected


def test_chat_history_shows_whole_messages_and_says_what_it_left_out() -> None:
    from ideapump.agent.chat import HISTORY_CHARS, _history_text

    long = "pupil " * (HISTORY_CHARS // 4)  # longer than the whole history budget
    history = [
        ("user", long),
        ("assistant", "Atomoxetine raised baseline pupil size [1]."),
        ("user", "And exploration?"),
        ("assistant", "Random exploration went up [2]."),
        ("user", "What next?"),
    ]
    text = _history_text(history, omitted=2)
    assert text.startswith("(3 earlier messages not shown)")  # 2 dropped upstream + the long one
    assert "pupil pupil" not in text  # never a cut piece of the long message
    assert "assistant: Random exploration went up [2]." in text
    assert "What next?" not in text  # the latest message has its own place in the prompt
    assert _history_text([("user", "hi")]) == "(none)"


def test_a_sample_size_in_words_is_the_papers_n_not_a_group_size() -> None:
    from ideapump.agent.papers import profile_chunks

    # Dubois et al. 2021 state their N in words and their group size in digits; the
    # critique said "a sample size of 20 subjects" for this 60-participant study.
    methods = make_passage(
        "Sixty healthy volunteers aged 18-35 participated in a double-blind, "
        "placebo-controlled, between-subjects study. Each subject was randomly allocated "
        "to one of three drug groups (n = 20 per group).",
        section="Materials and methods",
    )
    profile = profile_chunks("d1", "Paper", [methods], Evidence([methods]))
    assert profile.sample_size == 60
    assert profile.sample_citation is not None
    assert profile.sample_citation.quote.startswith("Sixty healthy volunteers")


def test_a_papers_design_is_what_it_says_of_itself_not_of_the_studies_it_discusses() -> None:
    from ideapump.agent.papers import profile_chunks

    # Yardley et al. 2011 in the corpus got "meta-analysis" from its background, and
    # another paper "between-subjects" from its discussion.
    own = make_passage(
        "An exploratory randomised controlled trial with 517 participants.", section="Abstract"
    )
    others = [
        make_passage("A recent meta-analysis found small effects.", section="Background"),
        make_passage("A between-subjects design could test this.", section="4. Discussion"),
    ]
    chunks = [own, *others]
    profile = profile_chunks("d1", "Paper", chunks, Evidence(chunks))
    assert profile.design == ["randomized controlled trial"]


def test_design_words_that_name_an_analysis_are_not_the_papers_design() -> None:
    from ideapump.agent.papers import profile_chunks

    # Dubois et al. 2021, word for word: a between-subjects study was labelled
    # "within-subject, between-subjects, pilot" from its analyses and a pilot it mentions.
    chunks = [
        make_passage(
            "Sixty healthy volunteers participated in a double-blind, placebo-controlled, "
            "between-subjects study.",
            section="Subjects",
        ),
        make_passage(
            "We compared behavioural measures using repeated-measures (rm-) ANOVAs with a "
            "between-subject factor of drug group and a within-subject factor horizon.",
            section="Statistical analyses",
        ),
        make_passage(
            "In the pilot experiments (data not shown), we noted some exploration strategies "
            "tended to overshadow other strategies.",
            section="Results",
        ),
    ]
    profile = profile_chunks("d1", "Paper", chunks, Evidence(chunks))
    assert profile.design == ["double-blind", "placebo-controlled", "between-subjects"]
    # a study that says it is a pilot, or a cross-over, is one (Thompson 2015, Lhakhang 2015)
    pilot = make_passage(
        "Lessons learned from recruiting smokers into a pilot randomized controlled trial.",
        section="Abstract",
    )
    crossover = make_passage(
        "Participants were allocated to two intervention groups using a cross-over design.",
        section="Participants",
    )
    both = [pilot, crossover]
    profile = profile_chunks("d2", "Paper", both, Evidence(both))
    assert profile.design == ["randomized controlled trial", "within-subject", "pilot"]


def test_the_papers_first_person_is_said_in_the_third() -> None:
    from ideapump.agent.checked import in_their_voice

    source = (
        "Moreover, conducting control experiments, we could rule out that the difference "
        "arose due to developmental pathways. Our results provide evidence for it."
    )
    copied = (
        "Moreover, conducting control experiments, we could rule out that the difference arose."
    )
    assert in_their_voice(copied, [source]).startswith(
        "Moreover, conducting control experiments, the authors could rule out"
    )
    assert in_their_voice("Our results provide evidence for it.", [source]).startswith(
        "Their results"
    )
    # the colleague's own "we": no source says these words
    own = "We could test this with a placebo."
    assert in_their_voice(own, [source]) == own


def test_a_quoted_result_loses_its_link_to_a_sentence_not_shown() -> None:
    from ideapump.agent.checked import CheckedAnswer
    from ideapump.agent.events import CitationEvent
    from ideapump.grounding.citations import Evidence
    from ideapump.grounding.evidence import EvidenceItem, Gathered

    # a chat read's supplement: "On wolves, the library reports: However, we found ..."
    text = (
        "However, we found that the wolves were at least as attentive as the dogs. "
        "In contrast, the dogs waited longer."
    )
    item = EvidenceItem(n=1, passage=make_passage(text), text=text, score=0.8)
    answer = CheckedAnswer(Gathered(query="wolves", items=[item]), Evidence([]))
    events = list(answer.quote("On wolves, the library reports:", item))
    assert answer.text == (
        "On wolves, the library reports: we found that the wolves were at least as attentive "
        "as the dogs [1]. In contrast, the dogs waited longer [1]."
    )
    # the citation keeps the paper's words
    quotes = [e.citation.quote for e in events if isinstance(e, CitationEvent)]
    assert quotes and "However, we found" in quotes[0]
