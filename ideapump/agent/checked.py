"""The model's streamed answer, shown one checked sentence at a time (:class:`CheckedAnswer`).

Each sentence must cite evidence (a sentence without a marker is given the evidence
item that supports it, if one does) and pass the claim check
(:mod:`~ideapump.grounding.claims`) against the passages it cites; one that fails,
stops mid-way or declines is not shown. At most ``MAX_SENTENCES`` are shown. When
none survives, the answer is extractive: "From the library:" and the best evidence
sentences, verbatim, each with its citation (:func:`extractive_items`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from ideapump.agent.events import CitationEvent, EvidenceEvent, TokenEvent
from ideapump.errors import NotFoundError
from ideapump.evidence.findings import P_VALUE, plans_or_supposes, supposed_only
from ideapump.grounding.citations import Citation, Evidence
from ideapump.grounding.claims import (
    MIN_SHARED_TERMS,
    borrowed_words,
    check_sentence,
    concludes_from_before,
    endorses_idea,
    marker_numbers,
    misnamed_study,
    restated_question,
    strip_markers,
    unsaid_words,
)
from ideapump.grounding.evidence import EvidenceItem, Gathered
from ideapump.grounding.normalize import quote_key, terms
from ideapump.grounding.quotes import sentence_spans, tidy
from ideapump.grounding.works import cites_others

EXTRACTIVE = "From the library:"
#: Evidence sentences quoted in an extractive answer.
EXTRACTIVE_ITEMS = 2
#: ... each within this score of the best one (a weak second sentence is no answer).
EXTRACTIVE_MARGIN = 0.1
#: Said after an extractive answer whose every sentence is an aim, background or other
#: studies' work (:func:`_reports`).
AIMS_ONLY = (
    "These passages say what the studies set out to do or what others found, not a "
    "result that answers this."
)
#: The model's sentences shown; the rest is not read (see :attr:`CheckedAnswer.full`).
MAX_SENTENCES = 4

# One citation marker: "[2]", "[1, 3]".
_MARKER = r"\[\s*\d+(?:\s*,\s*\d+)*\s*\]"
_LEADING_MARKERS = re.compile(rf"^(?:\s*{_MARKER})+")
# "exploration.[1] Next": a marker after the full stop that ends its sentence. Only once
# what follows it is seen: "exploration. [4] shows that ..." opens the next sentence with
# the marker as its subject, and moving it would leave "shows that ..." without one.
_MARKER_AFTER_STOP = re.compile(rf"([.!?])\s*({_MARKER})(?=\s*[^\sa-z\[])")
_MARKER_AT_END = re.compile(rf"([.!?])\s*({_MARKER})\s*$")
# A marker the model used as a noun: "[4] shows that ...", "According to [2], ...".
_MARKER_AS_SUBJECT = re.compile(rf"^(\s*)({_MARKER})(?=\s+[a-z])")
_MARKER_AFTER_PREPOSITION = re.compile(
    rf"\b(according to|in|by|from|of|see)\s+({_MARKER})(?=\s*[,;:]|\s+[a-z])", re.I
)
# "The paper by [3] shows": the marker stands for the authors; "The paper [3] shows"
# reads as the model meant it once the marker moves to the sentence's end.
_WORK_BY_MARKER = re.compile(
    rf"\b(paper|study|article|work|research|trial|review|report)\s+by\s+({_MARKER})", re.I
)
# "The evidence from paper states that ..." (the 1.5B model, in 2 of 8 chat answers in each
# of two reads of a session; "The evidence from document shows ...", 1 of 48 bench
# answers): the paper states it.
_EVIDENCE_FROM = re.compile(
    r"\b([Tt])he evidence (?:from|in) (?:the |this )?(paper|study|article|document)\b"
)
# "(cf [1]." / "(see [2, 3])": a parenthesis that only points at evidence.
_POINTER = re.compile(rf"\(\s*(?:cf\.?|see|e\.g\.,?)?\s*((?:{_MARKER}\s*,?\s*)+)\)?", re.I)
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*\u2022])\s*$")
_BULLET = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*\u2022])\s+")
# A sentence that stops on one of these words was cut off: the model copied a
# passage's last, unfinished sentence or ran out of tokens.
_DANGLING = re.compile(
    r"\b(?:and|or|but|nor|of|the|an|to|with|into|for|by|from|than|which|whose|between|"
    r"versus|vs|during|whereas)\W*$",
    re.I,
)
# The model's escape phrases: the library / passages / evidence "do not cover / say ...".
_DECLINE = re.compile(
    r"\b(?:library|passages?|evidence|documents?|text|sources?|context|information|study|"
    r"paper|authors?|it)\b[^.]{0,25}?\b(?:does not|doesn't|do not|don't|did not|didn't|"
    r"cannot|can't|can not)\b[^.]{0,40}?\b(?:cover\w*|say|mention\w*|contain\w*|"
    r"provide\w*|address\w*|specif\w*|answer\w*|discuss\w*|state|report|give)\b"
    r"|\b(?:no|not enough|insufficient) (?:information|mention|details?|data)\b"
    r"|\bI (?:cannot|can't|could not|couldn't|am unable to) (?:find|answer|say|determine)\b"
    r"|\bnot (?:specified|stated|mentioned|given|provided|available)\b"
    r"|\b(?:given|provided) (?:information|evidence|passages?|context)\b",
    re.I,
)


def declines(sentence: str) -> bool:
    """True when ``sentence`` is the model saying it cannot answer rather than answering."""
    return bool(_DECLINE.search(sentence))


def _study(marker: str) -> str:
    """What a marker used as a noun stands for, once the marker moves to the sentence end."""
    return "the studies" if "," in marker else "the study"


def _with_markers(sentence: str, numbers: list[int]) -> str:
    """``sentence`` with "[n, m]" before its final punctuation."""
    if not numbers:
        return sentence
    marker = "[" + ", ".join(map(str, numbers)) + "]"
    m = re.search(r"([.!?]+[\"'\u201d\u2019)]*)$", sentence)
    if m:
        return f"{sentence[: m.start()].rstrip()} {marker}{m.group(1)}"
    return f"{sentence} {marker}"


# A sentence's link to the one before it in the paper: "In contrast, ...", "However, ...".
_LINK = re.compile(
    r"^(?:however|in contrast|by contrast|on the other hand|conversely|nevertheless|"
    r"nonetheless|moreover|furthermore|in addition|additionally|also|similarly|likewise|"
    r"therefore|thus|hence|consequently|accordingly|indeed|still|yet|instead|importantly|"
    r"interestingly|notably|finally|first|second|third|lastly)\s*,\s*",
    re.I,
)


# The paper's voice: "we", "our" and "us", with the two words after them.
_FIRST_PERSON = re.compile(r"\b(we|our|ours|us)\b((?:\s+[\w-]+){0,2})", re.I)
_THIRD_PERSON = {"we": "the authors", "our": "their", "ours": "theirs", "us": "them"}


def in_their_voice(sentence: str, sources: Sequence[str]) -> str:
    """``sentence`` with the paper's "we" / "our" said as "the authors" / "their", where a
    cited source says the same words: the researcher's colleague did not run the study.

    The 1.5B model copied "Moreover, conducting control experiments, we could rule out
    that the difference between wolves and dogs arose ..." (Range et al.) into an
    answer, which then read as if the assistant had run the experiments. "We could
    test this ..." of the model's own, with no source saying "we could", stays.
    """

    def third(m: re.Match[str]) -> str:
        word, after = m[1], m[2] or ""
        said = re.compile(rf"\b{word}{re.escape(after)}\b", re.I)
        if not any(said.search(s) for s in sources):
            return m[0]
        name = _THIRD_PERSON[word.lower()]
        opens = not re.search(r"[A-Za-z0-9]", sentence[: m.start()])
        return (name[0].upper() + name[1:] if opens else name) + after

    return _FIRST_PERSON.sub(third, sentence)


class CheckedAnswer:
    """The model's streamed answer, shown one checked sentence at a time."""

    def __init__(
        self,
        gathered: Gathered,
        evidence: Evidence,
        idea: str = "",
        *,
        extractive: bool = True,
        results_only: bool = False,
        gives_answer: Callable[[EvidenceItem], bool] | None = None,
    ) -> None:
        self.gathered = gathered
        # True of an evidence item that gives what was asked (a quantity question's
        # figure): an extractive answer quotes those first
        self.gives_answer = gives_answer
        # True: a sentence that rests only on aims or background is set aside (a yes/no
        # question whose evidence holds a result; see :func:`results_answer`)
        self.results_only = results_only
        self.set_aside: list[str] = []
        self.evidence = evidence
        self.idea = idea  # the researcher's own idea, which a sentence may not endorse
        # False: no extractive answer when the model's sentences all fail (the evidence
        # does not hold what was asked; the caller says so)
        self.extractive_ok = extractive
        self.pending = ""
        self.text = ""
        self.cited: dict[int, Citation] = {}
        self.removed: list[tuple[str, str]] = []  # (sentence, why)
        self.declined = 0
        self.years: dict[str, int | None] = {}
        self.why = ""
        self.shown = 0  # the model's sentences shown
        self.said: set[str] = set()  # each sentence met, as its quote key
        self.after_removed = False  # the last sentence read was not shown

    @property
    def full(self) -> bool:
        """True once ``MAX_SENTENCES`` of the model's sentences are shown: the rest is
        not read. Told "at most 4", the 1.5B model wrote a sixth sentence copying the
        Thompson paper's "Background: Research is needed ..." (57 s in all)."""
        return self.shown >= MAX_SENTENCES

    # -- streaming -------------------------------------------------------------------

    def feed(self, piece: str) -> Iterator[TokenEvent | CitationEvent]:
        # "... exploration.[1] Next" -> "... exploration [1]. Next": the marker ends its sentence.
        self.pending = _MARKER_AFTER_STOP.sub(r" \2\1", self.pending + piece)
        spans = sentence_spans(self.pending)
        # The last span may still be growing; a sentence is done once the next one has
        # begun with words (its leading "[2]" belongs to the sentence before it).
        while len(spans) >= 2:
            nxt = self.pending[spans[1][0] : spans[1][1]]
            lead = _LEADING_MARKERS.match(nxt)
            if lead and re.match(r"\s+[a-z]", nxt[lead.end() :]):
                lead = None  # "[4] shows that ...": the marker is the next sentence's subject
            rest = nxt[lead.end() :] if lead else nxt
            if not rest.strip():
                break
            end = spans[1][0] + (lead.end() if lead else 0)
            yield from self._sentence(self.pending[spans[0][0] : end])
            self.pending = self.pending[end:]
            spans = sentence_spans(self.pending)

    def flush(self) -> Iterator[TokenEvent | CitationEvent]:
        if self.full:
            self.pending = ""  # the start of a sentence past the answer's length
        self.pending = _MARKER_AT_END.sub(r" \2\1", self.pending)
        for a, b in sentence_spans(self.pending):
            yield from self._sentence(self.pending[a:b])
        self.pending = ""
        if not self.text and self.extractive_ok:
            yield from self.extractive()

    # -- one sentence ------------------------------------------------------------------

    def _sentence(self, raw: str) -> Iterator[TokenEvent | CitationEvent]:
        if self.full or _ENUMERATOR.match(raw):
            return  # a list number on its own ("1."), not a sentence
        raw = _BULLET.sub("", tidy(raw))
        raw = _POINTER.sub(lambda m: f" {m[1].strip().rstrip(',')}", raw)
        raw = _WORK_BY_MARKER.sub(r"\1 \2", raw)
        raw = _MARKER_AS_SUBJECT.sub(lambda m: f"{m[1]}{_study(m[2]).capitalize()} {m[2]}", raw)
        raw = _MARKER_AFTER_PREPOSITION.sub(lambda m: f"{m[1]} {_study(m[2])} {m[2]}", raw)
        raw = _EVIDENCE_FROM.sub(lambda m: f"{m[1]}he {m[2].replace('document', 'paper')}", raw)
        given = marker_numbers(raw)
        plain = " ".join(strip_markers(raw).split())
        if not plain or not re.search(r"[A-Za-z]", plain):
            return
        if declines(plain):
            self.declined += 1
            return
        key = quote_key(plain)
        if key in self.said:
            # the 1.5B model wrote "The pupillary light response (PLR) is traditionally
            # believed to be purely reflexive ..." twice in one answer
            return
        self.said.add(key)
        why = None
        if _DANGLING.search(plain):
            why = "cut off mid-sentence"
        elif self.after_removed and concludes_from_before(plain):
            why = "draws on the sentence before it, which was removed"
        numbers = self.support(plain, given) if why is None else None
        if numbers is None:
            why = why or f"not supported by the evidence it cites: {self.why}"
            self.removed.append((plain, why))
            self.after_removed = True
            return
        items = [i for n in numbers if (i := self.gathered.item(n))]
        if self.results_only and items and not any(reports(i) for i in items):
            # "Did exercise prevent the circadian phase delay during bed rest?" opened
            # with Mendt et al.'s background, "... it is unknown whether regular exercise
            # could mitigate such effects [1]", before their result that it did.
            self.set_aside.append(plain)
            self.after_removed = True
            return
        self.after_removed = False
        self.shown += 1
        plain = in_their_voice(plain, [i.text for i in items])
        yield from self._show(_with_markers(plain, numbers), numbers)

    def support(self, sentence: str, given: list[int]) -> list[int] | None:
        """The evidence numbers that support ``sentence``, or None when none does.

        Its own markers first (those that name evidence); failing those, another
        item of the same paper; for a sentence without markers, the item that
        supports it best. Supported means: the claim check passes against the
        item's passage (strict about directions: the passage must state the same
        one; a work it names is that paper or named there), the sentence shares at
        least ``MIN_SHARED_TERMS`` content words with it, and it takes no content
        word from evidence it does not cite
        (:func:`~ideapump.grounding.claims.borrowed_words`).
        Why the first candidate failed is kept in ``self.why``.
        """
        self.why = "no evidence item shares its content words"
        items = [i for n in dict.fromkeys(given) if (i := self.gathered.item(n))]
        tried = bool(items)
        if items:
            why = self._unsupported(sentence, items)
            if why is None:
                return [i.n for i in items]
            self.why = why
        pool = self.gathered.items
        if items:  # a wrong number: try the cited paper's other evidence only
            docs = {i.passage.doc_id for i in items}
            pool = [i for i in pool if i.passage.doc_id in docs]
        about = terms(sentence)
        ranked = sorted(pool, key=lambda i: -len(about & terms(i.text)))
        for item in ranked:
            if len(about & terms(item.text)) < MIN_SHARED_TERMS:
                break
            why = self._unsupported(sentence, [item])
            if why is None:
                return [item.n]
            if not tried:
                tried, self.why = True, why
        return None

    def _unsupported(self, sentence: str, items: list[EvidenceItem]) -> str | None:
        """Why ``items`` do not support ``sentence``; None when they do."""
        sentence = without_titles(sentence, [i.passage.title for i in items])
        sources = [i.passage.quote for i in items]
        about = terms(sentence)
        if not any(len(about & terms(s)) >= MIN_SHARED_TERMS for s in sources):
            return "shares too few words with the evidence it cites"
        years = [y for i in items if (y := self._year(i.passage.doc_id)) is not None]
        verdict = check_sentence(sentence, sources, strict=True, years=years)
        if not verdict.ok:
            return "; ".join(verdict.reasons)
        supposed = supposed_only(sentence, sources)
        if supposed is not None:
            return f"states as found what the passage only supposes: {supposed[:120]!r}"
        # The model sees each item's title and sentence, not the chunk: only the cited
        # ones may lend words (a word of the chunk it was not shown came from elsewhere).
        cited = [f"{i.passage.title}. {i.text}" for i in items]
        others = [i.text for i in self.gathered.items if i not in items]
        mixed = borrowed_words(sentence, cited, others, self.gathered.query)
        if mixed:
            return f"takes {', '.join(mixed)}... from evidence it does not cite"
        unsaid = unsaid_words(sentence, [*cited, *others], self.gathered.query)
        if unsaid:
            return f"says {', '.join(unsaid)}, which no evidence it was given says"
        wrong = misnamed_study(sentence, [f"{i.passage.title}. {i.passage.quote}" for i in items])
        if wrong:
            return f"names the study by {', '.join(wrong)}, which the passage it cites does not"
        echoed = restated_question(sentence, cited, self.gathered.query)
        if echoed:
            return f"says the question back; the evidence it cites does not say {', '.join(echoed)}"
        endorsed = endorses_idea(sentence, cited, self.idea) if self.idea else []
        if endorsed:
            return (
                f"endorses the researcher's idea; the evidence it cites does not say "
                f"{', '.join(endorsed)}"
            )
        return None

    def _year(self, doc_id: str) -> int | None:
        """The cited document's year: a sentence may name the paper it cites by it."""
        if doc_id not in self.years:
            library = self.evidence.library
            try:
                self.years[doc_id] = library.get(doc_id).year if library else None
            except NotFoundError:
                self.years[doc_id] = None
        return self.years[doc_id]

    def _show(self, sentence: str, numbers: list[int]) -> Iterator[TokenEvent | CitationEvent]:
        for n in numbers:
            if n in self.cited:
                continue
            citation = self._citation(n, sentence)
            if citation is not None:
                self.cited[n] = citation
                yield CitationEvent(marker=n, citation=citation)
        text = (" " if self.text else "") + sentence
        self.text += text
        yield TokenEvent(text=text)

    def _citation(self, n: int, claim: str) -> Citation | None:
        item = self.gathered.item(n)
        if item is None:
            return None
        number = self.evidence.add(item.passage)
        return self.evidence.resolve(number, item.text, claim)

    def evidence_event(self) -> EvidenceEvent:
        """Every evidence item, cited by its own sentence, under the number the model sees."""
        items = []
        for item in self.gathered.items:
            citation = self._citation(item.n, item.text)
            if citation is not None:
                items.append(CitationEvent(marker=item.n, citation=citation))
        return EvidenceEvent(items=items)

    def extractive(self) -> Iterator[TokenEvent | CitationEvent]:
        """The best evidence sentences, verbatim, as the answer."""
        items = extractive_items(self.gathered.items, self.gives_answer)
        if not items:
            return
        yield from self.note(EXTRACTIVE)
        for item in items:
            yield from self._verbatim(item)
        if not any(reports(i) for i in items):
            # "How was core body temperature measured in the head-down tilt bed rest
            # study?" was answered with Mendt et al.'s two sentences of what they
            # investigated: quoted as they are, they read like an answer.
            yield from self.note(AIMS_ONLY)

    def quote(self, lead: str, item: EvidenceItem) -> Iterator[TokenEvent | CitationEvent]:
        """``lead``, then ``item``'s sentences verbatim, each with its citation; the first
        without a word that links it to the sentence before it in the paper, which the
        reader is not shown ("On exercise, the library reports: In contrast, both exercise
        groups ..." read as if the library contrasted exercise with itself)."""
        yield from self.note(lead)
        yield from self._verbatim(item, unlinked=True)

    def _verbatim(
        self, item: EvidenceItem, unlinked: bool = False
    ) -> Iterator[TokenEvent | CitationEvent]:
        # Every sentence shown carries its citation, also inside a multi-sentence item.
        for i, (a, b) in enumerate(sentence_spans(item.text)):
            text = item.text[a:b]
            if unlinked and i == 0:
                text = _LINK.sub("", text, count=1) or text
            yield from self._show(_with_markers(text, [item.n]), [item.n])

    def note(self, text: str) -> Iterator[TokenEvent]:
        """A sentence of the code's own (no citation) at the end of the answer."""
        piece = (" " if self.text else "") + text
        self.text += piece
        yield TokenEvent(text=piece)

    @property
    def extractive_used(self) -> bool:
        return self.text.startswith(EXTRACTIVE)


# A question answered yes or no: "Did exercise prevent ...?", "Is X higher ...?"
_YES_NO = re.compile(
    r"^\W*(?:did|does|do|is|was|were|are|can|could|has|have|had|will|would|should)\b", re.I
)


def results_answer(question: str, items: Sequence[EvidenceItem]) -> bool:
    """True when ``question`` is answered yes or no and some evidence item reports a
    result: its answer is then made of results, and a sentence resting only on an aim
    or background is set aside (:class:`CheckedAnswer`)."""
    return bool(_YES_NO.match(question)) and any(reports(i) for i in items)


def extractive_items(
    items: Sequence[EvidenceItem], gives_answer: Callable[[EvidenceItem], bool] | None = None
) -> list[EvidenceItem]:
    """The evidence an extractive answer quotes: the best items, within
    ``EXTRACTIVE_MARGIN`` of the best, those that report the paper's own result first
    (not its aim, background or other studies).

    The Mendt bed-rest answer quoted "Phase delays have been also observed in horizontal
    bed rest studies19,25, ..." first, a discussion of other studies, beside the paper's
    own "We found that HDBR induces a phase delay".
    """
    best = max((i.score for i in items), default=0.0)
    near = [i for i in items if i.score >= best - EXTRACTIVE_MARGIN]
    if not any(reports(i) for i in near):
        # "What happened to the circadian phase ... without exercise?" was answered with
        # the Mendt study's aim and "Exercise has gained increasing interest ...": a
        # result a little further down says more than either.
        near += [
            i
            for i in items
            if i not in near and i.score >= best - 2 * EXTRACTIVE_MARGIN and reports(i)
        ]
    own = [i for i in near if reports(i)]
    # Among its own, a result first: "What share of nonsignificant results in psychology
    # might be false negatives?" quoted what the authors analysed and applied ("we
    # analyzed statistically nonsignificant results from eight major psychology
    # journals"), not "Of articles reporting at least one nonsignificant result, 66.7%
    # show evidence of false negatives, ...", within the margin beside them.
    found = [i for i in own if _states(i)]
    ranked = found + [i for i in own if i not in found]
    # others' results after the paper's own; its aims and a field's trend only where it
    # has none near: the hand-hygiene question, answered from the one paper it names,
    # quoted Lhakhang et al.'s "Overall, this research has explored ..." beside its result
    ranked += [i for i in near if i not in own and (not own or cites_others(i.text))]
    if gives_answer is not None:
        # "How many horses were studied in the emotional anticipation experiment?" quoted
        # "... when one horse did not spontaneously follow the experimenter ..." and "...
        # (=2 minutes)" before "Twenty Welsh mares ... were studied.", within the margin
        ranked.sort(key=lambda i: not gives_answer(i))
    return ranked[:EXTRACTIVE_ITEMS]


# A figure or table caption says what is shown, not what was found: "Fig. 2 Changes in
# the circadian phase of rectal temperature from day 7 to day 49 ..." (Mendt et al.).
_CAPTION = re.compile(r"^\W*(?:fig(?:ure)?|table)\.?\s*[A-Z]?\d", re.I)


# A figure that is a finding: a percentage, a p-value, a test statistic.
_FIGURE = re.compile(rf"\d\s*%|{P_VALUE.pattern}|\b(?:t|F|r|z|chi2?|\u03c7\u00b2?)\s*\(\s*\d")


def _states(item: EvidenceItem) -> bool:
    """True when a sentence of ``item`` of the paper's own gives a figure that is a
    finding (a percentage, a p-value, a test statistic). Words alone do not tell: "To
    show that ... there is truly no effect, we analyzed ..." has a direction."""
    return any(
        bool(_FIGURE.search(t))
        for t in (item.text[a:b] for a, b in sentence_spans(item.text))
        if not plans_or_supposes(t)
    )


def reports(item: EvidenceItem) -> bool:
    """True when a sentence of ``item`` is the paper's own, not an aim, a conjecture,
    background, another study's result (:func:`~ideapump.evidence.findings.plans_or_supposes`)
    or a caption."""
    return any(
        not plans_or_supposes(t) and not _CAPTION.match(t)
        for t in (item.text[a:b] for a, b in sentence_spans(item.text))
    )


def without_titles(sentence: str, titles: Sequence[str]) -> str:
    """``sentence`` without the cited papers' titles it names ("The paper \"Utilising
    implementation intentions to promote healthy eating in adolescents\" shows that ...").

    A title is a name, not a claim: its words had made the paper's design sentence the
    closest to that answer (and "promote" a direction it stated), so the answer, which
    the next sentence of the passage says word for word, was removed.
    """
    for title in titles:
        words = [re.escape(w) for w in title.split()]
        if len(words) < 3:
            continue
        named = r"\s+".join(words)
        sentence = re.sub(
            rf"\s*[\"'\u201c\u2018]{named}[\"'\u201d\u2019]", "", sentence, flags=re.I
        )
        sentence = re.sub(named, "the paper", sentence, flags=re.I)
    return sentence
