"""The evidence step on the corpus library: code, not the model, decides what is answerable."""

from __future__ import annotations

import pytest

from ideapump.agent.answer import answer_passages
from ideapump.agent.grounding import AgentOptions
from ideapump.grounding.evidence import (
    MIN_EVIDENCE,
    ResultReader,
    asks_quantity,
    gather_evidence,
    named_authors,
    quantity_of,
)
from tests.conftest import make_passage


def _gather(library, question: str):
    """What the chat's evidence step reads: retrieval plus the leading papers' abstracts."""
    return gather_evidence(library, question, answer_passages(library, question, AgentOptions()))


def test_a_question_the_library_answers_gets_the_sentences_that_answer_it(corpus_library) -> None:
    found = _gather(corpus_library, "How many young adults took part in the handwashing study?")
    assert found.answerable and found.best >= MIN_EVIDENCE
    assert any("205 young adults" in i.text for i in found.items)
    assert [i.n for i in found.items] == list(range(1, len(found.items) + 1))
    for item in found.items:  # verbatim sentences of their passages, no front matter
        assert " ".join(item.text.split()) in " ".join(item.passage.quote.split())
        assert "Creative Commons" not in item.text
    block = found.block()
    assert block.startswith("<documents>") and 'n="1"' in block
    # a paper's sentences sit together under its title, written once
    papers = list(dict.fromkeys(i.passage.doc_id for i in found.items))
    assert [i.passage.doc_id for i in found.items] == sorted(
        (i.passage.doc_id for i in found.items), key=papers.index
    )
    for title in {i.passage.title for i in found.items}:
        assert block.count(f'title="{title}"') == 1


def test_a_question_the_library_does_not_answer_is_not_answerable(corpus_library) -> None:
    for question in (
        "Does caffeine improve working memory in older adults?",
        "Which CRISPR guide RNAs were used to knock out BDNF in mice?",
    ):
        found = _gather(corpus_library, question)
        assert not found.answerable, (question, found.best)


def test_a_sentence_the_chunk_cuts_off_is_no_evidence(corpus_library) -> None:
    # What the 1.5B model copied from Mendt's abstract chunk: its last sentence stops
    # where the next chunk goes on, and the answer showed "... after 7 days and".
    from tests.conftest import make_passage

    text = (
        "We investigated the effects of long-term head-down tilt bed rest on the circadian "
        "rhythm of core body temperature. Core body temperature was recorded for 24 h using "
        "a rectal probe in sixteen healthy men after 7 days and"
    )
    passage = make_passage(text, title="Bed rest")
    found = gather_evidence(
        corpus_library, "How was core body temperature recorded in bed rest?", [passage]
    )
    assert found.items and all(i.text.endswith(".") for i in found.items)
    assert not any("rectal probe" in i.text for i in found.items)


def test_a_paper_named_by_its_authors_is_answered_from_that_paper(corpus_library) -> None:
    # "What dose of propranolol did Dubois et al. give?" was declined in the chat (0.37):
    # no sentence repeats its authors' names, so the name only diluted the question
    named = _gather(corpus_library, "How many young adults did Lhakhang et al. recruit?")
    assert named.answerable and any("205 young adults" in i.text for i in named.items)
    plain = _gather(corpus_library, "How many young adults were recruited?")
    assert named.best >= plain.best - 0.05
    # ... and only from that paper: the bed-rest study's numbers are no answer to it
    assert {i.passage.title for i in named.items} == {
        next(i.passage.title for i in named.items if "205 young adults" in i.text)
    }


def test_only_names_printed_on_a_papers_first_page_name_it() -> None:
    front = make_passage(
        "Magda Dubois1*, Tobias U Hauser2. magda.dubois.18@ucl.ac.uk. A dose of CHX was "
        "given; exploration is thought to be costly.",
        title="Human complex exploration strategies",
    )
    methods = make_passage("We administered 40 mg propranolol.", page=5)
    rats = make_passage("Ryo Iguchi1, rats got CHX.", doc_id="d2", chunk_id="d2:00000")
    ask = "What dose of propranolol did Dubois et al. give?"
    assert named_authors(ask, [front, methods, rats]) == {"d1": {"duboi"}}
    assert named_authors("Was Hauser's result robust?", [front]) == {"d1": {"hause"}}
    assert named_authors("What did Iguchi and Dubois find?", [front, rats]) == {
        "d1": {"duboi"},
        "d2": {"iguch"},
    }
    assert named_authors("What did Mathot and colleagues find?", [front]) == {}
    # acronyms, words of the title or written in lower case, and a paper never seen
    for kept in ("Was CHX given?", "Is Human exploration costly?", "Was the Exploration costly?"):
        assert named_authors(kept, [front]) == {}
    assert named_authors(ask, [methods]) == {}


def test_a_quantity_question_says_what_its_figure_is_of() -> None:
    assert quantity_of("What dose of atomoxetine did participants receive?") == "atomoxetine"
    assert quantity_of("What was the dose of CHX in the rat study?") == "CHX"
    assert asks_quantity("What was the dose of CHX in the rat study?")
    both = "What doses of propranolol and amisulpride did the drug study use?"
    assert quantity_of(both) == "propranolol and amisulpride"
    assert quantity_of("How many horses were studied?") == "horses"
    # people are counted under many names ("Sixty healthy volunteers"), so none is required
    assert quantity_of("How many participants took part in the trial?") == ""
    assert quantity_of("How big was the effect?") == ""


def test_an_aim_at_the_top_brings_its_papers_results_to_the_evidence(corpus_library) -> None:
    from ideapump.evidence.findings import plans_or_supposes, states_result

    # Mendt et al.'s aim scored 0.78 for this question, their results 0.05 and 0.24
    question = (
        "Did regular exercise change the circadian rhythm of core body temperature during bed rest?"
    )
    reader = ResultReader(is_aim=plans_or_supposes, is_result=states_result)
    passages = answer_passages(corpus_library, question, AgentOptions())
    found = gather_evidence(corpus_library, question, passages, results=reader)
    plain = gather_evidence(corpus_library, question, passages)
    assert plans_or_supposes(found.items[0].text) or plans_or_supposes(plain.items[0].text)
    assert any("phase advance" in i.text for i in found.items)
    assert not any("phase advance" in i.text for i in plain.items)
    assert found.best == plain.best  # whether it is answered does not change
    # how something was done asks for no result: the model answered this with the advance
    how = "How was core body temperature measured in the head-down tilt bed rest study?"
    passages = answer_passages(corpus_library, how, AgentOptions())
    found = gather_evidence(corpus_library, how, passages, results=reader)
    assert not any("phase advance" in i.text for i in found.items)


def test_a_chunk_that_starts_inside_a_sentence_gives_no_evidence_of_its_opening(
    corpus_library,
) -> None:
    # The chat's whole answer to "Did the web-based hand hygiene intervention reduce
    # respiratory infections?" was "From the library: Web-based intervention on hand
    # hygiene, as an essential precursor to a pragmatic trial ...": a chunk's opening, the
    # end of Yardley et al.'s "The present study was designed to test the effects of our
    # Web-based intervention ...". Mendt et al. have such a chunk too.
    question = "How large was the phase advance in the exercise groups?"
    chunks = [c for d in corpus_library.papers() for c in corpus_library.chunks(d.doc_id)]
    cut = [c for c in chunks if c.quote.startswith("CTR group (about 0.7 h) this corresponds")]
    assert len(cut) == 1, "the corpus chunk this test is about"
    found = gather_evidence(corpus_library, question, cut)
    assert not any(i.text.startswith("CTR group") for i in found.items), found.items
    # the chunk before it holds the sentence whole
    whole = [c for c in chunks if "Considering the HDBR-induced phase delay" in c.quote]
    found = gather_evidence(corpus_library, question, whole)
    assert any("Considering the HDBR-induced phase delay" in i.text for i in found.items)


def test_a_sentence_citing_other_work_ranks_below_the_papers_own(corpus_library) -> None:
    # Asked what happened to memory in rats given cycloheximide, the chat answered first
    # with Iguchi et al.'s background "... established method used to investigate the
    # effect of glutathione on memory performance ... [16]"
    question = "What happened to spatial memory in rats given cycloheximide?"
    said = "Rats given cycloheximide showed impaired spatial memory in the water maze"
    own = make_passage(f"{said} test.", doc_id="own1", chunk_id="own1:00000", title="Ours")
    cited = make_passage(f"{said} [16].", doc_id="bg01", chunk_id="bg01:00000", title="Theirs")
    for passages in ([cited, own], [own, cited]):
        found = gather_evidence(corpus_library, question, passages, max_items=1)
        assert [i.passage.doc_id for i in found.items] == ["own1"]
    # how answerable the question is stays the evidence's own score
    alone = gather_evidence(corpus_library, question, [cited])
    assert alone.answerable and [i.passage.doc_id for i in alone.items] == ["bg01"]


def test_a_paper_named_by_an_acronym_of_its_title_is_answered_from_that_paper(
    corpus_library,
) -> None:
    from ideapump.grounding.evidence import named_by_title

    # beside Thompson et al.'s counts, the 1.5B model quoted Epton et al.'s smoking rates
    # for "How many smokers were recruited ... in the EARS pilot?"
    ears = make_passage(
        "Smokers were recruited through mailed invitations from three primary care practices "
        "(62 participants).",
        doc_id="ears",
        chunk_id="ears:00000",
        title="Recruiting smokers into a trial of Exercise Assisted Reduction then Stop (EARS)",
    )
    uni = make_passage(
        "Fewer smokers were recruited into the intervention arm (8.7%) than the control arm.",
        doc_id="unis",
        chunk_id="unis:00000",
        title="An online intervention for new students (U@Uni:LifeGuide): an RCT",
    )
    question = "How many smokers were recruited through primary care in the EARS pilot?"
    assert named_by_title(question, [ears, uni]) == {"ears": {"ears"}}
    assert set(named_by_title("Did the U@Uni trial reduce smoking?", [ears, uni])) == {"unis"}
    # an acronym two titles share names neither: "RCT" is one of many
    twice = uni.model_copy(update={"doc_id": "two", "title": "Smokers in an RCT"})
    assert named_by_title("How many smokers did the RCT recruit?", [uni, twice]) == {}
    found = gather_evidence(corpus_library, question, [uni, ears])
    assert {i.passage.doc_id for i in found.items} == {"ears"}


def test_a_paper_named_as_the_study_of_its_front_pages_words_is_answered_from_it(
    corpus_library,
) -> None:
    from ideapump.grounding.evidence import DocumentRows, named_as_study

    # the 1.5B model added the smoking trial's recruitment routes to this answer
    question = (
        "How many people were in the long-duration bed rest study, and how were they split "
        "into groups?"
    )
    passages = answer_passages(corpus_library, question, AgentOptions())
    assert len({p.doc_id for p in passages}) > 1
    named = named_as_study(question, passages, DocumentRows(corpus_library))
    assert [corpus_library.get(d).title[:30] for d in named] == ["Regular exercise counteracts c"]
    found = gather_evidence(corpus_library, question, passages)
    assert {i.passage.doc_id for i in found.items} == set(named)
    # a word two papers' front pages share names neither
    rows = DocumentRows(corpus_library)
    fronts = [rows.front(d) for d in dict.fromkeys(p.doc_id for p in passages)]
    common = sorted(w for w in fronts[0] & fronts[1] if w.isalpha() and len(w) == 5)
    assert common, "two front pages with a word in common"
    assert named_as_study(f"What did the {common[0]} study find?", passages, rows) == {}


def test_a_paper_named_by_the_intervention_it_tested_is_answered_from_it(
    tmp_path, embeddings
) -> None:
    from ideapump.config import get_settings
    from tests.agent.libraries import markdown_library

    # Yardley et al. 2011 (JMIR, CC BY 2.0) and Lhakhang et al. 2015 (BMC Public Health,
    # CC BY 4.0): the web-based trial's question was answered with the cross-over study's
    # "the interventions were equally effective in men and women" (this session's bench)
    papers = {
        "yardley": "# Evaluation of a Web-Based Intervention to Promote Hand Hygiene\n\n"
        "Objective: to evaluate whether a Web-based intervention can encourage more frequent "
        "hand-washing in the home. Moderator analyses confirmed that the intervention was similarly effective for men "
        "and women, those of higher and lower socioeconomic status.\n",
        "lhakhang": "# Evaluating brief motivational and self-regulatory hand hygiene "
        "interventions\n\nThus, the interventions were equally effective in men and women.\n",
    }
    lib = markdown_library(tmp_path, get_settings(), embeddings, "hands", papers)
    question = "Was the web-based hand-washing intervention equally effective for men and women?"
    passages = answer_passages(lib, question, AgentOptions())
    assert len({p.doc_id for p in passages}) == 2
    found = gather_evidence(lib, question, passages)
    assert {lib.get(i.passage.doc_id).title[:30] for i in found.items} == {
        "Evaluation of a Web-Based Inte"
    }


def test_a_section_headed_by_the_question_joins_the_evidence() -> None:
    from ideapump.grounding.evidence import headed_passages
    from tests.conftest import make_passage

    # Dubois et al. (eLife 2021, CC BY 4.0), Results: the heading's section ranked 32nd of
    # the paper's chunks for the question, and chunks overlap around it
    texts = [
        "Subjects demonstrate value-free random behaviour.\n"
        "Value-free random behaviour is modulated by noradrenaline function\n"
        "The propranolol group chose the low-value bandit less often.",
        "The drug effect was specific.\n"
        "Novelty exploration is unaffected by catecholaminergic drugs\n"
        "Next, we examined whether subjects show evidence for novelty exploration.",
        "Novelty exploration is unaffected by catecholaminergic drugs\n"
        "We next assessed whether novelty exploration was sensitive to our drug manipulation, "
        "but found no drug effects on the novel bandit (F(2, 54) = 1.498, p = 0.233,",
        "h2 = 0.02). Thus, there was no evidence that an attenuation of dopamine or "
        "noradrenaline function impacts novelty exploration in this task.",
        "Subjects combine computationally demanding strategies and exploration heuristics.",
    ]
    chunks = [make_passage(t, chunk_id=f"d1:{i:05d}") for i, t in enumerate(texts)]
    question = "What is the effect of propranolol on novelty exploration?"
    # where the heading opens a chunk, that chunk and the next, which ends its result
    assert [p.chunk_id for p in headed_passages(chunks, question, set())] == [
        "d1:00002",
        "d1:00003",
    ]
    assert [p.chunk_id for p in headed_passages(chunks, question, {"d1:00002"})] == ["d1:00003"]
    # one shared word ("exploration", "effect" aside) brings no section in
    assert headed_passages(chunks, "What was the effect of exploration on mood?", set()) == []


@pytest.mark.parametrize(
    ("question", "result"),
    [
        ("Did regular exercise change the circadian rhythm during bed rest?", True),
        ("What happened to the circadian phase without exercise?", True),
        # the faithfulness bench's horse question had only the aim and a hypothesis as
        # evidence; the abstract's results now come beside the aim
        (
            "What showed that going to a novel environment alone was a negative experience "
            "for the horses?",
            True,
        ),
        ("How was core body temperature measured in the bed rest study?", False),
        ("What dose of CHX was given to the rats?", False),
    ],
)
def test_what_asks_for_a_result(question: str, result: bool) -> None:
    from ideapump.grounding.evidence import asks_result

    assert asks_result(question) is result
