"""The shared normaliser, numbers, sentences and what makes a quote a finding: no model."""

from __future__ import annotations

import pytest

from ideapump.grounding.normalize import Number, fold, number_in, numbers, quote_key
from ideapump.grounding.quotes import (
    is_bare_reference,
    is_finding,
    quote_occurs,
    sentences,
    snap_quote,
)


def _values(text: str, **kw: bool) -> list[float]:
    return [n.value for n in numbers(text, **kw)]


def test_numbers_are_read_as_values_in_every_spelling() -> None:
    assert _values("p = .022 and 0.022") == [0.022, 0.022]
    assert _values("1,445 students, F(1,1397) = 5.73") == [1445, 1, 1397, 5.73]
    assert _values("a change of \u22123.5 (range 12.5\u201350)") == [3.5, 12.5, 50]
    assert [n.percent for n in numbers("18% and 18 percent and 18")] == [True, True, False]
    # labels, markers, names and in-text citation years are not claims
    assert _values("see Figure 3, Table 2 and Experiment 1 [4]; passage 2 says") == []
    assert _values("D2 receptors, COVID-19, Dubois et al. (2021), Mathot, 2014") == []
    assert _values("Sixty healthy men and twenty-five women", words=True) == [60, 25]


@pytest.mark.parametrize(
    ("claimed", "stated", "found"),
    [
        ("0.022", ".022", True),
        ("1445", "1,445", True),
        ("55%", "55.25%", True),  # a rounding of the passage's number
        ("0.69 h", "0.692 h", True),
        ("18%", "0.18", True),  # a percentage and a proportion
        ("2", "2.4", False),  # one significant digit: no rounding
        ("0.71", "0.75", False),
        ("12.5", "25 and 50", False),
    ],
)
def test_a_claimed_number_is_found_only_as_a_value_the_passage_states(
    claimed: str, stated: str, found: bool
) -> None:
    number: Number = numbers(claimed)[0]
    assert number_in(number, numbers(stated)) is found


def test_fold_reads_reported_statistics_as_the_auditor_does(corpus_library) -> None:
    from ideapump.stats.extract import normalize

    pages = [t for d in corpus_library.papers() for t in corpus_library.get(d.doc_id).page_texts]
    assert pages and all(fold(t) == normalize(t) for t in pages)
    assert (
        fold("t\u00bc 2.1, /C02.5, *t*(28), explo-\nration") == "t= 2.1, -2.5, t(28), exploration"
    )
    assert quote_key("Explo- ration \u201cwell-being\u201d") == quote_key("exploration wellbeing")


def test_sentences_keep_et_al_initials_and_headings_apart() -> None:
    text = (
        "Results\nAs shown by Wilson et al. (2014), subjects explored more. "
        "M. Dubois ran the task, e.g. for 60 min. The drug had no effect. Many drugs, such as "
        "atomoxetine (e.g. Warren et al., 2017), also act on dopamine."
    )
    assert sentences(text, 1) == [
        "Results",
        "As shown by Wilson et al. (2014), subjects explored more.",
        "M. Dubois ran the task, e.g. for 60 min.",
        "The drug had no effect.",
        # a chat answer quoted "... such as atomoxetine (e.g" as a whole sentence
        "Many drugs, such as atomoxetine (e.g. Warren et al., 2017), also act on dopamine.",
    ]


@pytest.mark.parametrize(
    "quote",
    [
        "Sokol-Hessner et al., 2015",
        "(Rogers et al., 2004; Daw and Doya, 2006)",
        "Figure 3",
        "ARTICLE HISTORY Received 6 April 2016 Accepted 30 October 2016 KEYWORDS Obesity",
        "Wilson, R. C., Geana, A., White, J. M. (2014). Humans use directed and random "
        "exploration. J Exp Psychol Gen, 143(6), 2074-2081.",
        "the pupil constricts",  # a fragment
        # Thompson et al.'s list of abbreviations (p. 13), once chat evidence
        "BMI: Body mass index; CO: Carbon monoxide; EARS: Exercise assisted reduction then "
        "stop; FTND: Fagerström test for nicotine dependence; GP: General practitioner.",
        # Iguchi et al.'s figure titles, shown by the 1.5B model as an answer
        "Effects of 2-cyclohexen-1-one (CHX) on immobility during the forced swimming test.",
        "Fig. 2 Changes in the circadian phase of rectal temperature from day 7 to day 49.",
    ],
)
def test_what_is_no_finding(quote: str) -> None:
    assert not is_finding(quote)


def test_a_finding_and_a_bare_reference() -> None:
    sentence = "Value-free random exploration is attenuated under the influence of propranolol."
    assert is_finding(sentence) and not is_bare_reference(sentence)
    assert is_bare_reference("as shown before (Warren et al., 2017)")
    # one sentence with colons and semicolons is still a finding
    assert is_finding(
        "Results: smokers in the exercise arm cut down more; response rates were low; "
        "recruitment took longer than planned."
    )


def test_a_title_run_on_into_its_sections_first_sentence_is_cut_off() -> None:
    from ideapump.grounding.quotes import after_heading

    title = "Effect of repeated CHX administration on the forced swimming test"
    sentence = "The effect of repeated CHX administration on immobility was assessed 35 days after."
    assert sentence == f"{title}\n{sentence}"[after_heading(f"{title}\n{sentence}") :]
    assert after_heading(sentence) == 0 and is_finding(sentence)
    # a title with its verb is a sentence
    said = "The effect of eye-movement preparation on the PLR was evident in two main ways."
    assert is_finding(said) and after_heading(said) == 0


def test_a_fragment_is_snapped_to_its_whole_sentence() -> None:
    text = (
        "Participants came twice. We show that value-free random exploration is attenuated "
        "under the influence of propranolol, but not under amisulpride. Then they left."
    )
    snapped = snap_quote("attenuated under the influence", text)
    assert snapped == (
        "We show that value-free random exploration is attenuated under the influence of "
        "propranolol, but not under amisulpride."
    )
    assert snapped is not None and quote_occurs(snapped, text)


def test_a_quote_the_chunk_cuts_off_gives_way_to_a_whole_sentence() -> None:
    from ideapump.grounding.citations import finding_quote
    from tests.conftest import make_passage

    # a proposal read this session cited the first sentence below as it stops
    cut = (
        "Based on a previous experiment investigating the effects of time of exercise on a "
        "circadian rhythm during 3-day horizontal bed rest, we predicted that HDBR without "
        "exercise would induce a phase"
    )
    whole = "We found that HDBR induces a phase delay of circadian rhythm after 49 days."
    passage = make_passage(f"{whole} {cut}")
    assert finding_quote(passage, cut, "exercise shifts the circadian phase") == whole
    assert finding_quote(make_passage(cut), cut) is None
    assert finding_quote(passage, whole) == whole


def test_a_quote_keeps_no_sentence_the_chunk_cuts() -> None:
    from ideapump.grounding.citations import finding_quote
    from tests.conftest import make_passage

    # the final quick start's citation opened with the chunk's first words
    future = (
        "Future studies might usefully include indirect measures of noradrenaline activity, "
        "for example pupillometry, to examine a potential link with value-free random "
        "exploration."
    )
    text = f"that subjects could deploy (Jepma and Nieuwenhuis, 2011). {future} We also"
    quote = f"that subjects could deploy (Jepma and Nieuwenhuis, 2011). {future}"
    assert finding_quote(make_passage(text), quote) == future
    assert finding_quote(make_passage(text), f"{quote} We also") == future


def test_markdown_emphasis_does_not_join_sentences() -> None:
    # a lab summary's bold run-in heading: weigh read the sentence before it, the heading
    # and the sentence after it as one finding
    text = (
        "There were no effects at 6-month follow-up. **Conclusions.** The results indicate "
        "that the intervention reduced smoking rates. He said **no** twice."
    )
    assert sentences(text, 1) == [
        "There were no effects at 6-month follow-up.",
        "**Conclusions.",
        "The results indicate that the intervention reduced smoking rates.",
        "He said **no** twice.",
    ]


def test_a_quote_across_long_sentences_is_cut_to_whole_sentences() -> None:
    # Dubois et al., p. 14: a proposal cited this chunk from "and/or distinct" to
    # "parameter," - three sentences, 90 words, cut to clauses at both ends
    text = (
        "For example, they might be capturing different aspects of an assumed U-shaped "
        "noradrenaline functioning curve, and/or distinct activity modes of noradrenaline "
        "(i.e. tonic and phasic firing) (Aston-Jones and Cohen, 2005). Further studies can "
        "shed light on how different modes of activity affect value-free random exploration. "
        "This idea can be extended also to tasks where propranolol has been shown to attenuate "
        "a discrimination between different levels of loss (with no effect on the value-based "
        "exploration parameter, referred to in these studies as consistency) (Rogers et al., "
        "2004) and a reduction in loss aversion (Sokol-Hessner et al., 2015)."
    )
    quote = text[text.index("and/or distinct") : text.index("parameter,") + len("parameter,")]
    snapped = snap_quote(quote, text)
    assert snapped is not None
    # the two whole sentences that hold most of it, within 60 words
    assert snapped.startswith("For example, they might be capturing")
    assert snapped.endswith("affect value-free random exploration.")
    assert len(snapped.split()) <= 60 and quote_occurs(snapped, text)
    # one run-on sentence is still cut to the clause that holds the quote
    run_on = "Group, " + ", ".join(f"item {i} was {i * 3} ms" for i in range(40)) + "."
    clause = snap_quote("item 7 was 21 ms", run_on)
    assert clause is not None and "item 7 was 21 ms" in clause and len(clause.split()) <= 10


def test_a_long_quote_is_cut_to_the_sentence_its_claim_is_about() -> None:
    # Dubois et al., Appendix 2: a chat answer on the post-task heart rate cited this
    # evidence item (74 words); cut by length alone it showed the first sentence
    first = (
        "Heart rate, systolic and diastolic pressure were obtained at 3 time points: at the "
        "beginning of the experiment before giving the drug ('at arrival'), after giving the "
        "drug just before the task ('pre-task') and after the task ('post-task')."
    )
    second = (
        "The post-task heart rate was lower for participants who received propranolol "
        "compared to the other two groups (one-way ANOVA: F(2, 55) = 7.249, p = 0.002)."
    )
    text = f"{first} {second}"
    claim = "The post-task heart rate was lower for participants who received propranolol."
    assert snap_quote(text, text, claim) == second
    assert snap_quote(text, text) == first
