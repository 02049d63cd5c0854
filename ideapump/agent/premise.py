"""A question's premise: the study it names must be one of the library's.

Asked "What did the atomoxetine study find about random exploration?", the 1.5B model
answered "The atomoxetine study found that random exploration was sensitive to
neuromodulatory influences", citing Dubois et al., a study of propranolol and
amisulpride that names atomoxetine once, among other studies' drugs. Once the sentence
check removed that, the answer was three sentences that did not answer. The library
has no atomoxetine study, and a colleague would say so and ask which paper was meant.

A paper is a "<words> study" when its title, its authors, its first page or its
abstract has the words, or when at least ``MIN_CHUNKS`` of its chunks do. Words that
say which study ("the present study", "the same trial") name no topic.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ideapump.grounding.claims import study_named_by
from ideapump.grounding.normalize import content_words

if TYPE_CHECKING:
    from ideapump.library import Library

#: Chunks that must have the words for a paper to be a study of them, when its title,
#: authors, first page and abstract do not.
MIN_CHUNKS = 3
#: Chunks searched for the words (by BM25 alone).
SEARCHED = 30


def no_such_study(library: Library, question: str) -> str | None:
    """What to say when ``question`` names a study ("the atomoxetine study") that no paper
    of the library is; None when one is, or when the question names none."""
    for words, said in study_named_by(question):
        hits = [
            h
            for h in library.search(said, SEARCHED, mode="lexical")
            if words <= content_words(f"{h.title} {h.quote}")
        ]
        if not hits:
            continue  # words the library never uses together: the evidence step decides
        chunks = Counter(h.doc_id for h in hits)
        if any(n >= MIN_CHUNKS for n in chunks.values()):
            continue
        if any(words <= _front_words(library, doc_id) for doc_id in chunks):
            continue
        first = hits[0]
        return (
            f'I found no {said} study in the library: "{said}" comes up only in passing, in '
            f"{first.title} (p. {first.page}). Which paper do you mean? Give a few words of "
            "its title, or ingest it."
        )
    return None


def _front_words(library: Library, doc_id: str) -> set[str]:
    row = library.get(doc_id)
    front = [
        c.quote
        for c in library.chunks(doc_id)
        if c.page <= 1 or c.section.strip().casefold() == "abstract"
    ]
    return content_words(" ".join([row.title, *row.authors, *front]))
