"""The evidence step on the corpus library: code, not the model, decides what is answerable."""

from __future__ import annotations

from ideapump.agent.answer import answer_passages
from ideapump.agent.grounding import AgentOptions
from ideapump.grounding.evidence import MIN_EVIDENCE, gather_evidence


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
