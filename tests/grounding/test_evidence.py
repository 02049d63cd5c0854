"""The evidence step on the corpus library: code, not the model, decides what is answerable."""

from __future__ import annotations

from ideapump.agent.grounding import retrieve
from ideapump.grounding.evidence import MIN_EVIDENCE, gather_evidence


def _gather(library, question: str):
    return gather_evidence(library, question, retrieve(library, question, 10, per_paper_cap=4))


def test_a_question_the_library_answers_gets_the_sentences_that_answer_it(corpus_library) -> None:
    found = _gather(corpus_library, "How many young adults took part in the handwashing study?")
    assert found.answerable and found.best >= MIN_EVIDENCE
    assert any("205 young adults" in i.text for i in found.items)
    assert [i.n for i in found.items] == list(range(1, len(found.items) + 1))
    for item in found.items:  # verbatim sentences of their passages, no front matter
        assert " ".join(item.text.split()) in " ".join(item.passage.quote.split())
        assert "Creative Commons" not in item.text
    assert found.block().startswith("<documents>") and 'n="1"' in found.block()


def test_a_question_the_library_does_not_answer_is_not_answerable(corpus_library) -> None:
    for question in (
        "Does caffeine improve working memory in older adults?",
        "Which CRISPR guide RNAs were used to knock out BDNF in mice?",
    ):
        found = _gather(corpus_library, question)
        assert not found.answerable, (question, found.best)
