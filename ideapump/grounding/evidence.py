"""The evidence step: the sentences of the retrieved passages that bear on a question.

Before an answer is written, every finding sentence
(:func:`~ideapump.grounding.quotes.is_finding`) of the retrieved passages is
scored against the question:

    score = EMBEDDING_WEIGHT * cosine(sentence, question)
            + (1 - EMBEDDING_WEIGHT) * share of the question's content words in the sentence

(cosine by the library's own embedding model; content words by
:func:`~ideapump.grounding.normalize.terms`). The best ``max_items`` sentences, at most
``per_passage`` from one passage, none under half the best score, neighbours in a passage
joined, become the numbered evidence the model writes from, and each carries its passage
for the citation. A question that asks for a quantity ("how many", "what dose", "when
were") ranks sentences stating numbers ``QUANTITY_BONUS`` higher; a sentence that cites
other work ranks ``BACKGROUND_PENALTY`` lower; the names a question gives a paper by
("Dubois et al.", "the EARS pilot") count as said by that paper's sentences
(:func:`named_authors`, :func:`named_by_title`), which alone are its evidence. A chunk's
opening that ends a sentence begun in the chunk before is no evidence
(:func:`opens_mid_sentence`).

Whether the library answers the question at all is decided here, by code:
:attr:`Gathered.answerable` is true when the best sentence scores at least
``min_score``. A question whose words the library does not use (a drug, a species, a
measure it never mentions) scores low on both halves, which the passage-level cosine
alone (0.3-0.5 for off-topic questions on the corpus) could not tell apart.

Also here: the vector helpers the agent and the digest share (:func:`cosine`,
:func:`passage_vectors`, :func:`relevance`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ideapump.errors import InputError, NotFoundError
from ideapump.grounding.citations import DATA_KINDS, opens_mid_sentence
from ideapump.grounding.claims import study_named_by
from ideapump.grounding.normalize import content_words, numbers, quote_key, terms
from ideapump.grounding.quotes import (
    ENDS_SENTENCE,
    after_heading,
    heading_lines,
    is_finding,
    sentence_spans,
    tidy,
)
from ideapump.grounding.works import cites_others
from ideapump.prompts import data_block

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.models import Passage
    from ideapump.store.tables import DocumentRow

#: Weight of the embedding cosine in a sentence's evidence score (the rest: word overlap).
EMBEDDING_WEIGHT = 0.5
#: A question is answerable when its best evidence sentence scores at least this.
#: Set on the faithfulness bench's questions (bench/faithfulness.py): answerable
#: questions' best sentences scored 0.44-0.95, unanswerable ones' 0.18-0.38.
MIN_EVIDENCE = 0.40
#: A question asking for a quantity ranks the sentences that state numbers higher by this
#: much (ranking only: whether the question is answerable does not change).
QUANTITY_BONUS = 0.2
#: How much lower a sentence that cites other work ranks: it reports that work. Asked what
#: happened to memory in rats given cycloheximide, the chat answered first with Iguchi et
#: al.'s "the pharmacological depletion of glutathione is an established method ... [16]".
#: On the faithfulness bench's 36 answerable questions, 0.2 leaves 6 such sentences of
#: 176 in the evidence (25 of 180 without) and every fact found before.
BACKGROUND_PENALTY = 0.2
#: Result sentences of a paper's front page or abstract put right after its aim, when the
#: best evidence is that aim. "Did regular exercise change the circadian rhythm of core
#: body temperature during bed rest?" scored Mendt et al.'s aim 0.78 and their results
#: ("CTR showed a phase delay of 0.69 h. In contrast, both exercise groups were
#: characterized by a phase advance") 0.05 and 0.24: a result words the question unlike
#: it. On the faithfulness bench's 36 answerable questions: facts in the evidence 42 -> 43
#: of 57, questions with one 28 -> 29, none lost (for questions of any kind and no
#: quantity: 44 and 29, and "How was core body temperature measured?" was answered with
#: the phase advance; 1 or 3 sentences instead of 2: no better).
RESULTS_AFTER_AIM = 2


# A question about what a study found: yes or no ("Did regular exercise change ...?"),
# "what happened to ...", "what did ... find", "what showed that ...", "how did X affect Y".
# Not how something was done or measured: "How was core body temperature measured ...?"
# got Mendt et al.'s phase advance beside their aim, and the model answered with it.
_RESULT_QUESTION = re.compile(
    r"^\W*(?:did|does|do|is|are|was|were|has|have|can|could)\b|"
    r"\bwhat\s+(?:happened|(?:did|does|do)\b.{0,80}?\b(?:find|show|report|conclude)\w*)|"
    # "What showed that going to a novel environment alone was a negative experience for
    # the horses?": the evidence for a finding
    r"\bwhat\s+(?:showed|shows|indicated|indicates|demonstrated|suggested|confirmed)\b|"
    r"\bhow\s+(?:did|does|do)\b.{0,80}?\b(?:affect|change|influence|alter)\w*|"
    r"\b(?:effects?|impact|results?|findings?)\s+of\b",
    re.I,
)


def asks_result(query: str) -> bool:
    """True when ``query`` asks what a study found, not how it was done."""
    return bool(_RESULT_QUESTION.search(query))


@dataclass(frozen=True)
class ResultReader:
    """Tells an aim from a result: the agent passes :mod:`ideapump.evidence.findings`'
    readers (this layer does not read stances)."""

    is_aim: Callable[[str], bool]
    is_result: Callable[[str], bool]


_QUANTITY = re.compile(
    r"\b(?:how (?:many|much|often|long|old|large|big)|when (?:were|was|did)|"
    r"what (?:share|proportion|percentage|fraction|dose|doses|number|age|sample size)|"
    r"what (?:was|were|is|are) the (?:dose|doses|number|sample size|age)|"
    r"at what (?:dose|age|time))\b",
    re.I,
)
# A capitalised word, not an acronym ("CHX", "EARS"): a name has lower case after its capital.
_NAME = re.compile(r"(?<=\S\s)([A-Z][a-z\u00e0-\u00ff][\w'\u2019-]+)")
_POSSESSIVE = re.compile(r"['\u2019]s?$")


def _plain(text: str) -> str:
    """``text`` without accents: "Mathot" in a question meets "Mathôt" on the title page."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def named_authors(query: str, passages: Sequence[Passage]) -> dict[str, set[str]]:
    """The papers ``query`` names by their authors: doc_id -> the content words of the
    names.

    A name is a capitalised word of the question (not its first, not an acronym) printed
    on the first page of one of ``passages``' papers, not in its title and never written
    in lower case in its text ("Dubois", not "Human" or "Cooperation"; an e-mail address
    is lower case). The evidence step reads only the named papers' sentences, and counts
    a name as said by each of them (sentences never repeat their authors' names): "What dose of
    propranolol did Dubois et al. give?" had scored 0.37 against the Dubois methods' "we
    administered 40 mg of ... propranolol", and was declined. Taking the name out of the
    question instead let "What dose of atomoxetine did participants in the Dubois study
    receive?" (none: Dubois et al. gave propranolol) be answered with a rat paper's CHX
    doses.
    """
    words = [m[1] for m in _NAME.finditer(query)]
    if not words:
        return {}
    docs: dict[str, list[Passage]] = {}
    for p in passages:
        docs.setdefault(p.doc_id, []).append(p)
    out: dict[str, set[str]] = {}
    for doc_id, own in docs.items():
        front = _plain(" ".join(p.quote for p in own if p.page == 1))
        if not front:
            continue
        text = _plain(" ".join(p.quote for p in own))
        title = _plain(own[0].title).lower()
        for word in words:
            name = _POSSESSIVE.sub("", _plain(word))
            low = re.escape(name.lower())
            # "Magda Dubois1*": on a title page a name runs into its affiliation's number
            if (
                re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![a-z])", front)
                and not re.search(rf"(?<![\w.@]){low}(?![\w@])", text)
                and not re.search(rf"\b{low}\b", title)
            ):
                out.setdefault(doc_id, set()).update(terms(name))
    return out


# A word with two capitals or more, "@" allowed: "EARS", "U@Uni", "LifeGuide".
_ACRONYM_WORD = re.compile(r"(?<![\w@])([A-Za-z@]*[A-Z][A-Za-z@]*[A-Z][A-Za-z@]*)(?![\w@])")


def named_by_title(query: str, passages: Sequence[Passage]) -> dict[str, set[str]]:
    """The papers ``query`` names by an acronym that one title of ``passages`` has, and
    no other: doc_id -> the content words of the acronym.

    Asked how many smokers "the EARS pilot" recruited through primary care, the 1.5B
    model wrote, beside Thompson et al.'s counts, "8.7% of smokers in the intervention
    arm (8.7%) than in the control arm (13.0%; ...)", from Epton et al.'s U@Uni trial.
    """
    titles = {p.doc_id: p.title for p in passages}
    out: dict[str, set[str]] = {}
    for word in {m[1] for m in _ACRONYM_WORD.finditer(query)}:
        said = re.compile(rf"(?<![\w@]){re.escape(word)}(?![\w@])")
        docs = [doc_id for doc_id, title in titles.items() if said.search(title)]
        if len(docs) == 1:
            out.setdefault(docs[0], set()).update(content_words(word))
    return out


def asks_quantity(question: str) -> bool:
    """True when ``question`` asks for a number: "how many", "what dose", "how big"."""
    return bool(_QUANTITY.search(question))


# What a quantity is of: "dose of atomoxetine", "doses of propranolol and amisulpride",
# "how many horses". Up to three words, cut at the first word that is not part of a name.
_QUANTITY_OF = re.compile(
    r"\b(?:doses?|amounts?|concentrations?|number|quantity|how many|how much)(?:\s+of)?\s+"
    r"((?:[\w-]+\s*){1,3})",
    re.I,
)
_OBJECT_END = re.compile(
    r"\b(?:did|do|does|was|were|is|are|had|has|have|in|at|for|per|on|to|from|by|with|"
    r"each|every|took|take|received?|gave|given|used?|that|which|who)\b.*",
    re.I | re.S,
)
# Who or when a figure is counted in: sentences name them many ways ("Sixty healthy
# volunteers" for "How many participants ...?"), so they do not say what a figure is of.
_GENERIC_OBJECT = frozenset(
    terms(
        "participants people persons subjects volunteers adults children adolescents "
        "students patients individuals animals times days weeks months years hours "
        "minutes seconds sessions trials"
    )
)


def quantity_of(question: str) -> str:
    """What ``question`` asks a number of, when that is a thing the figure's sentence must
    name: "What dose of atomoxetine ...?" -> "atomoxetine". Empty for people and units of
    time ("How many participants ...?"), which sentences name in many ways ("Sixty
    healthy volunteers")."""
    m = _QUANTITY_OF.search(question)
    if not m:
        return ""
    phrase = _OBJECT_END.sub("", m[1]).strip(" ?.,;")
    return phrase if content_words(phrase) - _GENERIC_OBJECT else ""


#: Evidence sentences scoring under this share of the best one are not shown to the model.
RELATIVE_FLOOR = 0.5
#: Longer "sentences" are run-on tables or PDF columns without full stops.
MAX_ITEM_WORDS = 80
_TABLE = re.compile(r"^Table\s+[A-Z]?\d+")


def cosine(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of ``rows`` with every row of ``cols``."""
    norms = np.linalg.norm(rows, axis=1)[:, None] * np.linalg.norm(cols, axis=1)[None, :]
    return np.asarray(rows @ cols.T / np.where(norms == 0, 1.0, norms))


def passage_vectors(library: Library, passages: Sequence[Passage]) -> np.ndarray:
    """The passages' embeddings, one row each, read back from the store where stored.

    A passage's quote is its stored chunk, so its vector is read back instead of
    being embedded again: re-embedding six passages cost about half a CPU-second
    per chat reply on the local model.
    """
    emb = library.store.embeddings
    stored = library.store.vectors([p.chunk_id for p in passages])
    missing = [p.quote for p in passages if p.chunk_id not in stored]
    fresh = iter(emb.embed_documents(missing) if missing else [])
    return np.asarray(
        [stored[p.chunk_id] if p.chunk_id in stored else next(fresh) for p in passages],
        dtype=np.float32,
    )


def relevance(library: Library, query: str, passages: Sequence[Passage]) -> list[float]:
    """Cosine similarity of each passage to the query, by the library's embedding model."""
    if not passages:
        return []
    q = np.asarray([library.store.embeddings.embed_query(query)], dtype=np.float32)
    sims = cosine(passage_vectors(library, passages), q)[:, 0]
    return [round(float(s), 4) for s in sims]


def opening_passages(library: Library, doc_id: str, k: int = 2) -> list[Passage]:
    """A document's abstract (by its section name), else its first ``k`` chunks.

    An abstract states a paper's design, sample, doses and main results in a few
    sentences; as one broad chunk it ranks below narrower ones in retrieval (Dubois'
    abstract, with both doses, came 10th for "what doses of propranolol and
    amisulpride"), but its sentences score well in the evidence step.
    """
    return openings_of(library.chunks(doc_id), k)


def openings_of(chunks: list[Passage], k: int = 2) -> list[Passage]:
    """:func:`opening_passages` of a document whose chunks are already at hand."""
    abstract = [p for p in chunks if p.section.strip().casefold() == "abstract"]
    return (abstract or chunks)[:k]


# Words a question and a heading share that say nothing of which section: "What is the
# effect of ...?", "Results".
_HEADING_GENERIC = frozenset(terms("effect effects study studies result results group groups"))
#: Content words a section heading must share with a question to bring its section in.
HEADING_SHARED = 2


def headed_passages(chunks: Sequence[Passage], query: str, seen: set[str]) -> list[Passage]:
    """The chunk (and the one after it) under the section heading of ``chunks`` that
    shares the most content words with ``query``, at least ``HEADING_SHARED``; none
    already in ``seen``.

    Papers title their results by what was found: Dubois et al.'s "Novelty exploration is
    unaffected by catecholaminergic drugs" heads the answer to "What is the effect of
    propranolol on novelty exploration?", and that chunk, full of F-tests, ranked 32nd of
    the paper's chunks in retrieval; the chat had answered with the drug's effect on
    value-free random exploration instead.
    """
    wanted = terms(query) - _HEADING_GENERIC
    # Chunks overlap, so a heading near one chunk's end opens the next: the chunk where it
    # stands first holds most of its section (Dubois et al.'s result sentence on novelty
    # exploration runs into the chunk after the heading's).
    best, at = (0, 0), -1
    for i, chunk in enumerate(chunks):
        for line in heading_lines(chunk.quote):
            rank = (len(wanted & terms(line)), -chunk.quote.find(line))
            if rank > best:
                best, at = rank, i
    if best[0] < HEADING_SHARED:
        return []
    return [c for c in chunks[at : at + 2] if c.chunk_id not in seen]


@dataclass
class EvidenceItem:
    """One numbered piece of evidence: a sentence (or adjacent sentences) of a passage."""

    n: int
    passage: Passage
    text: str  # verbatim in passage.quote (tidied: single spaces)
    score: float  # the evidence score, plus QUANTITY_BONUS where that applies
    start: int = 0  # character span in passage.quote
    end: int = 0


@dataclass
class Gathered:
    """The evidence for one question and whether it answers the question.

    Items are numbered down the page: papers in the order of their best item, each
    paper's items best first.
    """

    query: str
    items: list[EvidenceItem] = field(default_factory=list)
    best: float = 0.0
    answerable: bool = False

    def block(self) -> str:
        """The ``<documents>`` block the model writes from: one document per item."""
        return data_block(
            (
                {"title": i.passage.title, "n": i.n, "page": i.passage.page, "text": i.text}
                for i in self.items
            ),
            group="title",
        )

    def item(self, n: int) -> EvidenceItem | None:
        return next((i for i in self.items if i.n == n), None)


def _candidates(
    passage: Passage, *, fragments: bool = False, mid: bool = False
) -> list[tuple[int, int, str]]:
    """The finding sentences of ``passage`` (lines, for a data table), with their spans.

    Left out: a sentence that opens with the paper's title (its title page run on:
    title, authors, affiliations without a full stop), the chunk's opening fragment
    of a sentence the previous chunk holds whole (``mid``: the chunk starts inside a
    sentence, :func:`opens_mid_sentence`), its closing fragment of a sentence
    the next chunk goes on with ("... after 7 days and"), a table dumped as text
    ("Table 3 Time associated with ..."), and run-on text over ``MAX_ITEM_WORDS``.
    ``fragments``: keep the chunk's opening and closing fragments (to score a
    passage, not to quote it).
    """
    title = quote_key(passage.title)[:40]
    if passage.kind in DATA_KINDS:
        spans, data = [], True
        pos = 0
        for line in passage.quote.split("\n"):
            spans.append((pos, pos + len(line)))
            pos += len(line) + 1
    else:
        spans, data = sentence_spans(passage.quote), False
    out = []
    for a, b in spans:
        if not data:
            a += after_heading(passage.quote[a:b])
        text = tidy(passage.quote[a:b])
        if data:
            if is_finding(text, data=True):
                out.append((a, b, text))
            continue
        fragment = not fragments and (
            (a == 0 and (mid or text[:1].islower()))
            or (b >= len(passage.quote.rstrip()) and not ENDS_SENTENCE.search(text))
        )
        if (
            is_finding(text)
            and not fragment
            and len(text.split()) <= MAX_ITEM_WORDS
            and not _TABLE.match(text)
            and not (title and quote_key(text).startswith(title))
        ):
            out.append((a, b, text))
    return out


# "... there was no difference between drug groups in terms of this effect": the sentence
# before says what "this effect" is ("The novelty bonus h captures the intrinsic reward of
# selecting a novel option.").
_ANAPHOR = re.compile(
    r"\b(?:this|these|that|those|such)\s+(?:effects?|differences?|bias(?:es)?|parameters?|"
    r"measures?|findings?|patterns?|results?|index|indices|scores?|tendenc(?:y|ies)|"
    r"behaviou?rs?|changes?)\b",
    re.I,
)


def refers_back(sentence: str) -> bool:
    """True when ``sentence`` names what it reports on only by referring to an earlier
    sentence: "this effect", where nothing before it in the sentence is that effect. In
    "Response speed was slightly higher ... than in the Onset condition, but this
    difference was not reliable" the difference is the sentence's own."""
    m = _ANAPHOR.search(sentence)
    if not m:
        return False
    head = sentence[: m.start()].lower()
    noun = m[0].split()[-1].lower()[:5]
    return noun not in head and not re.search(r"\bthan\b", head)


def sentence_scores(
    library: Library, query: str, passages: Sequence[Passage]
) -> list[tuple[Passage, str, float]]:
    """Every finding sentence of ``passages`` with its evidence score for ``query``.

    A sentence a chunk boundary cuts counts too: a chunk's result can be the sentence
    it ends in. The score of the evidence step (embedding cosine and the share of the query's
    content words, weighted by ``EMBEDDING_WEIGHT``), without the quantity bonus; in
    the passages' order.
    """
    cands: list[tuple[Passage, str, str]] = []
    for p in passages:
        for a, _, text in _candidates(p, fragments=True):
            read = text
            if refers_back(text):
                before = [span for span in sentence_spans(p.quote) if span[1] <= a]
                if before:
                    read = f"{tidy(p.quote[before[-1][0] : before[-1][1]])} {text}"
            cands.append((p, text, read))
    if not cands:
        return []
    scores = _scores(library, query, [read for _, _, read in cands])
    return [(p, text, round(score, 4)) for (p, text, _), score in zip(cands, scores, strict=True)]


def _scores(
    library: Library, query: str, texts: list[str], said: Sequence[set[str]] = ()
) -> list[float]:
    """The evidence score of each of ``texts`` for ``query``: embedding cosine and the
    share of the query's content words it has (with ``said``'s, one set per text, counted
    as its own), weighted by ``EMBEDDING_WEIGHT``."""
    emb = library.store.embeddings
    q = np.asarray([emb.embed_query(query)], dtype=np.float32)
    sims = cosine(np.asarray(emb.embed_documents(texts), dtype=np.float32), q)[:, 0]
    wanted = terms(query)
    out = []
    for i, (text, sim) in enumerate(zip(texts, sims, strict=True)):
        words = terms(text) | (said[i] if said else set())
        lexical = len(wanted & words) / len(wanted) if wanted else 0.0
        out.append(EMBEDDING_WEIGHT * float(sim) + (1 - EMBEDDING_WEIGHT) * lexical)
    return out


_Scored = tuple[float, float, "Passage", int, int, str]  # rank, score, passage, span, text


def _results_after_aim(scored: list[_Scored], results: ResultReader, floor: float) -> list[_Scored]:
    """``scored`` (best first) with the result sentences of the best one's front page or
    abstract moved up behind it, when the best one is an aim; their score raised to the
    floor that keeps a sentence in the evidence."""
    top = scored[0]
    if not results.is_aim(top[5]):
        return scored
    front = [
        s
        for s in scored[1:]
        if s[2].doc_id == top[2].doc_id
        and (s[2].page <= 1 or s[2].section.strip().casefold() == "abstract")
        and results.is_result(s[5])
    ][:RESULTS_AFTER_AIM]
    lifted = [(top[0], max(s[1], floor), *s[2:]) for s in front]
    return [top, *lifted, *(s for s in scored[1:] if s not in front)]


class DocumentRows:
    """The registry rows of the retrieved passages' documents, read once per question."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.rows: dict[str, DocumentRow | None] = {}

    def get(self, doc_id: str) -> DocumentRow | None:
        if doc_id not in self.rows:
            try:
                self.rows[doc_id] = self.library.get(doc_id)
            except (NotFoundError, InputError):
                self.rows[doc_id] = None  # a document the registry lost
        return self.rows[doc_id]

    def pages(self, doc_id: str) -> list[str]:
        row = self.get(doc_id)
        return (row.page_texts or []) if row else []

    def front(self, doc_id: str) -> set[str]:
        """The content words of the document's title, authors and first page."""
        row = self.get(doc_id)
        if row is None:
            return set()
        first = (row.page_texts or [""])[0]
        return content_words(" ".join([row.title, *row.authors, first]))


def named_as_study(
    query: str, passages: Sequence[Passage], rows: DocumentRows
) -> dict[str, set[str]]:
    """The paper ``query`` names as "the <words> study" (or trial, experiment, or the
    intervention it tested: "the web-based hand-washing intervention"): the one
    retrieved paper whose title, authors or first page has the words, where only one
    has them; doc_id -> the words.

    Asked "How many people were in the long-duration bed rest study, and how were they
    split into groups?", the 1.5B model added "Recruitment was split between two distinct
    approaches: 1) primary care and 2) other community-based approaches", from the
    smoking trial.
    """
    out: dict[str, set[str]] = {}
    docs = list(dict.fromkeys(p.doc_id for p in passages))
    for words, _ in study_named_by(query, interventions=True):
        having = [doc_id for doc_id in docs if words <= rows.front(doc_id)]
        if len(having) == 1:
            out.setdefault(having[0], set()).update(words)
    return out


def gather_evidence(
    library: Library,
    query: str,
    passages: Sequence[Passage],
    *,
    max_items: int = 6,
    per_passage: int = 3,
    min_score: float = MIN_EVIDENCE,
    results: ResultReader | None = None,
) -> Gathered:
    """Score the finding sentences of ``passages`` against ``query``; keep the best ones.

    ``results``: with it, a question about what a study found (:func:`asks_result`, not
    one asking for a quantity) whose best sentence is an aim gets that paper's front-page
    results next to it (``RESULTS_AFTER_AIM``).
    """
    found = Gathered(query=query)
    rows = DocumentRows(library)
    named = named_authors(query, passages)
    for also in (named_by_title(query, passages), named_as_study(query, passages, rows)):
        for doc_id, words in also.items():
            named.setdefault(doc_id, set()).update(words)
    # "the Dubois study" is that paper: its sentences are the evidence, not a rat paper's
    # CHX doses beside them
    own = [p for p in passages if p.doc_id in named]
    cands = [
        (p, a, b, text)
        for p in own or passages
        for a, b, text in _candidates(
            p, mid=p.char_start > 0 and opens_mid_sentence(p, rows.pages(p.doc_id))
        )
    ]
    if not cands:
        return found
    scores = _scores(
        library,
        query,
        [text for _, _, _, text in cands],
        [named.get(p.doc_id, set()) for p, _, _, _ in cands],
    )
    quantity = asks_quantity(query)
    scored = []
    for (p, a, b, text), score in zip(cands, scores, strict=True):
        rank = score + (QUANTITY_BONUS if quantity and numbers(text, words=True) else 0.0)
        rank -= BACKGROUND_PENALTY if cites_others(text) else 0.0
        scored.append((round(rank, 4), round(score, 4), p, a, b, text))
    found.best = max(s[1] for s in scored)
    found.answerable = found.best >= min_score
    scored.sort(key=lambda s: -s[0])
    if results is not None and not quantity and asks_result(query):
        scored = _results_after_aim(scored, results, RELATIVE_FLOOR * found.best)
    per: dict[str, list[tuple[float, int, int]]] = {}
    picked = 0
    seen: set[str] = set()
    for rank, score, p, a, b, text in scored:
        if picked >= max_items:
            break
        # Chunks overlap: the same sentence can come from two of them.
        if score < RELATIVE_FLOOR * found.best or quote_key(text) in seen:
            continue
        seen.add(quote_key(text))
        spans = per.setdefault(p.chunk_id, [])
        if len(spans) >= per_passage:
            continue
        spans.append((rank, a, b))
        picked += 1
    by_chunk = {p.chunk_id: p for p in passages}
    items: list[tuple[float, Passage, int, int]] = []
    for chunk_id, spans in per.items():
        spans.sort(key=lambda s: s[1])
        merged: list[list[float]] = []
        for score, a, b in spans:
            # Neighbours read as one piece: a sentence and the one it continues.
            gap = by_chunk[chunk_id].quote[int(merged[-1][2]) : a] if merged else "x"
            if merged and not gap.strip():
                merged[-1][2] = b
                merged[-1][0] = max(merged[-1][0], score)
            else:
                merged.append([score, a, b])
        items += [(s, by_chunk[chunk_id], int(a), int(b)) for s, a, b in merged]
    items.sort(key=lambda t: -t[0])
    # A paper's items side by side (papers in the order of their best item), so the
    # block names each paper once and the numbers still read 1, 2, 3 down the page.
    first: dict[str, int] = {}
    for rank, (_, p, _, _) in enumerate(items):
        first.setdefault(p.doc_id, rank)
    items.sort(key=lambda t: first[t[1].doc_id])
    found.items = [
        EvidenceItem(n=i, passage=p, text=tidy(p.quote[a:b]), score=s, start=a, end=b)
        for i, (s, p, a, b) in enumerate(items, start=1)
    ]
    return found
