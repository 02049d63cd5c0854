"""Quotes: sentences of a passage, verbatim matching, repair, and what makes a quote a finding.

* :func:`sentence_spans` / :func:`sentences` split PDF prose into sentences:
  not after "et al.", "e.g.", "Fig." or an initial, and a short heading line
  ("Results", "2.3 Participants") is a segment of its own.
* :func:`quote_occurs` - the quote (pieces joined by ellipses, in order) occurs
  in the text after :func:`~ideapump.grounding.normalize.quote_key`.
* :func:`repair_quote` - a quote that does not occur is cut to its longest
  verbatim run when that run has at least ``MIN_REPAIR_WORDS`` words.
* :func:`snap_quote` - a verbatim quote widened to the whole sentence(s) it
  sits in, so a citation never starts or stops mid-clause.
* :func:`is_finding` - a quote a reader can use: at least
  ``MIN_FINDING_WORDS`` words, not a bare reference ("Rogers et al., 2004"), a
  heading, a figure label, front matter or a reference-list entry.
* :func:`closest_sentence` - the passage's finding sentence closest to a claim.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable

from ideapump.grounding.normalize import quote_key

MIN_QUOTE_WORDS = 3
# Eight consecutive words of one chunk are no accident; the number is a judgement.
MIN_REPAIR_WORDS = 8
#: A citation's quote is a claim the reader can use: eight words at least.
MIN_FINDING_WORDS = 8
#: Longer sentences (run-on PDF text without full stops) are cut to their clause.
MAX_QUOTE_WORDS = 60
_WORD = re.compile(r"\S+")
_ELLIPSIS = re.compile(r"\.\.\.|\u2026")

# -- sentences ----------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    [
        "al",
        "e.g",
        "i.e",
        "fig",
        "figs",
        "vs",
        "cf",
        "approx",
        "ca",
        "no",
        "nos",
        "eq",
        "eqs",
        "ref",
        "refs",
        "dr",
        "mr",
        "ms",
        "st",
        "resp",
        "inc",
        "ltd",
        "ed",
        "eds",
        "vol",
        "pp",
        "p",
        "ch",
        "sec",
        "viz",
        "ibid",
        "corp",
        "jr",
        "sr",
        "mt",
        "suppl",
    ]
)
# A sentence end: . ! or ? (and closing quotes or brackets), white space, then
# something that can open a sentence.
# Markdown emphasis may close a sentence or open the next: "... at 6-month follow-up.
# **Conclusions.** The results ..." (a lab summary's bold run-in headings) is three.
_BOUNDARY = re.compile(
    r"(?<=[.!?])[\"'\u201d\u2019)\]*_]*\s+(?=[\"'\u201c\u2018(\[]?(?:\*{1,2}|_{1,2})?[A-Z0-9])"
)
_TERMINAL = re.compile(r"[.!?:;,]\s*$")


def _is_heading(line: str) -> bool:
    if re.match(r"\s*#{1,6}\s", line):
        return True  # a Markdown heading
    words = line.split()
    return 0 < len(words) <= 8 and not _TERMINAL.search(line) and line.strip()[0].isupper()


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` cut around heading lines (short, unpunctuated, after a sentence end)."""
    spans: list[tuple[int, int]] = []
    start = 0
    pos = 0
    lines = text.split("\n")
    prev_ends = True  # the text's start counts as a sentence end
    for i, line in enumerate(lines):
        end = pos + len(line)
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if prev_ends and _is_heading(line) and (not nxt or nxt[0].isupper() or nxt[0].isdigit()):
            if pos > start:
                spans.append((start, pos))
            spans.append((pos, end))
            start = end + 1
        if line.strip():
            prev_ends = bool(re.search(r"[.!?:][\"'\u201d\u2019)\]]*\s*$", line)) or (
                _is_heading(line) and prev_ends
            )
        pos = end + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def heading_lines(text: str) -> list[str]:
    """The section headings of ``text``: lines :func:`sentence_spans` keeps apart as
    headings (short, unpunctuated, after a sentence end, before a capital)."""
    out = []
    for a, b in _blocks(text):
        line = text[a:b].strip()
        if line and "\n" not in line and _is_heading(line):
            out.append(line)
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences (and heading lines) of ``text``, in order."""
    out: list[tuple[int, int]] = []
    for b0, b1 in _blocks(text):
        start = b0
        for m in _BOUNDARY.finditer(text, b0, b1):
            before = text[start : m.start()].rstrip("\"'\u201d\u2019)] ")
            # "(e.g. Warren et al., 2017)": an abbreviation may open a bracket
            last = (
                before.split()[-1].rstrip(".!?").lstrip("([{\"'\u201c\u2018")
                if before.split()
                else ""
            )
            if last.lower() in _ABBREVIATIONS or re.fullmatch(r"[A-Z]", last):
                continue  # "et al." or an initial ("M. Dubois"), not a sentence end
            out.append((start, m.start()))
            start = m.end()
        out.append((start, b1))
    return [(a, b) for a, b in ((_trim(text, a, b)) for a, b in out) if b > a]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def tidy(text: str) -> str:
    """A span of page text as a quote shows it: broken words joined, single spaces."""
    text = re.sub(r"(?<=[a-z])-[ \t]*\n[ \t]*(?=[a-z])", "", text)
    return " ".join(text.split())


def sentences(text: str, min_words: int = 5) -> list[str]:
    """The sentences of ``text`` with at least ``min_words`` words, in order, tidied."""
    found = (tidy(text[a:b]) for a, b in sentence_spans(text))
    return [s for s in found if len(s.split()) >= min_words]


# -- verbatim matching -----------------------------------------------------------


def quote_occurs(quote: str, text: str) -> bool:
    """True when ``quote`` (pieces joined by ellipses, in order) occurs in ``text``."""
    pieces = [p for p in (quote_key(x) for x in _ELLIPSIS.split(quote)) if p]
    if not pieces or len(quote.split()) < MIN_QUOTE_WORDS:
        return False
    hay, pos = quote_key(text), 0
    for piece in pieces:
        found = hay.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def _word(word: str) -> str:
    return quote_key(word).strip(".,;:!?()[]{}")


def _longest_run(quote: str, text: str) -> tuple[int, int, int] | None:
    """(start char, end char, words) of the longest run of ``quote``'s words in ``text``."""
    spans = [m.span() for m in _WORD.finditer(text)]
    hay = [_word(text[a:b]) for a, b in spans]
    needle = [_word(w) for w in quote.split()]
    if not needle or not hay:
        return None
    match = difflib.SequenceMatcher(None, needle, hay, autojunk=False).find_longest_match(
        0, len(needle), 0, len(hay)
    )
    if not match.size:
        return None
    return spans[match.b][0], spans[match.b + match.size - 1][1], match.size


def repair_quote(quote: str, text: str, min_words: int = MIN_REPAIR_WORDS) -> str | None:
    """The longest run of ``quote``'s words found in ``text``, as ``text`` prints it.

    None when that run is shorter than ``min_words``. Words compare as
    :func:`~ideapump.grounding.normalize.quote_key` leaves them without edge
    punctuation, so case, quote marks, dashes and a stray bracket or full stop
    do not matter.
    """
    run = _longest_run(quote, text)
    if run is None or run[2] < min_words:
        return None
    return text[run[0] : run[1]]


def snap_quote(quote: str, text: str, claim: str = "") -> str | None:
    """The whole sentence(s) of ``text`` that hold ``quote``, tidied; None when not found.

    Sentences that together run past ``MAX_QUOTE_WORDS`` give way to the whole
    sentences that hold most of ``claim``'s words (when there is a claim) and then most
    of the quote, as many as fit. A single sentence longer than that (a run-on table or
    a PDF column without full stops) is cut to the clause around the quote instead.
    """
    run = _longest_run(quote, text)
    if run is None:
        return None
    a, b = run[0], run[1]
    spans = [s for s in sentence_spans(text) if s[1] > a and s[0] < b]
    if not spans:
        return None
    whole = tidy(text[spans[0][0] : spans[-1][1]])
    if len(whole.split()) <= MAX_QUOTE_WORDS:
        return whole
    kept = _most_of(spans, a, b, text, claim)
    if kept is not None:
        return tidy(text[kept[0] : kept[1]])
    top = max(spans, key=lambda s: min(s[1], b) - max(s[0], a))
    lo, hi = top
    a, b = max(a, lo), min(b, hi)
    left = max((m.end() for m in re.finditer(r"[;:,]\s", text[lo:a])), default=0) + lo
    right = next((m.start() + 1 for m in re.finditer(r"[;:,.]\s", text[b:hi])), hi - b) + b
    return tidy(text[left:right])


def _most_of(
    spans: list[tuple[int, int]], a: int, b: int, text: str, claim: str = ""
) -> tuple[int, int] | None:
    """The run of whole sentences among ``spans`` within ``MAX_QUOTE_WORDS`` that shares
    most words with ``claim`` and then covers most of ``[a, b)``; None when no sentence fits.

    A proposal cited "and/or distinct activity modes of noradrenaline ... (with no effect on
    the value-based exploration parameter,": three sentences of Dubois et al. held that
    quote, 90 words together, and cutting them to clauses started and stopped mid-sentence.
    A chat answer on the post-task heart rate cited an evidence item of two sentences, over
    60 words: the one that says it is the one to show, not the longer one before it.
    """
    wanted = _words(claim)

    def shared(i: int, j: int) -> int:
        return len(wanted & _words(text[spans[i][0] : spans[j][1]]))

    def size(i: int, j: int) -> int:
        return len(text[spans[i][0] : spans[j][1]].split())

    def covered(i: int, j: int) -> int:
        return sum(max(0, min(e, b) - max(s, a)) for s, e in spans[i : j + 1])

    runs = [
        (i, j)
        for i in range(len(spans))
        for j in range(i, len(spans))
        if size(i, j) <= MAX_QUOTE_WORDS
    ]
    if not runs:
        return None
    i, j = max(runs, key=lambda r: (shared(*r), covered(*r), -size(*r)))
    return spans[i][0], spans[j][1]


# -- what a quote must be ----------------------------------------------------------

_FRONT_MATTER = re.compile(
    r"\b(?:article history|received:? \d|accepted:? \d|published:? \d|keywords?\b|"
    r"correspondence\b|copyright\b|licensee\b|open access\b|trial registration\b|"
    r"creative commons|distributed under the terms|competing interests?\b|"
    r"author contributions?\b|acknowledg|citation:|to cite this article|doi\.org)"
    r"|\u00a9|@\w+\.\w+",
    re.I,
)
# In-text citations: "Rogers et al., 2004", "(Sokol-Hessner et al., 2015)",
# "Wilson and Collins, 2019", "Auer, 2003", "[12]", "[3,4]", "(1990a)".
_CITATION = re.compile(
    r"(?:\b[A-Z][\w'\u2019\u00b4-]+(?:\s+(?:and|&)\s+[A-Z][\w'\u2019\u00b4-]+|\s+et\s+al\.?)?"
    r",?\s*\(?(?:19|20)\d\d[a-z]?\)?)"
    r"|\[\s*\d+(?:\s*[,\u2013-]\s*\d+)*\s*\]"
    r"|\(\s*(?:19|20)\d\d[a-z]?\s*\)"
    r"|\b(?:e\.g\.|i\.e\.|cf\.|see)\s*,?"
)
_LABEL = re.compile(
    r"^\s*(?:fig(?:ure)?s?\.?|tables?|appendix|supplementary\s+\w+|panel)\s*[\dA-Z]+[a-z]?"
    r"(?:\s*(?:continued|\u2014|-).*)?[.:]?\s*$",
    re.I,
)
_INITIALS = re.compile(r"\b[A-Z]\.\s?(?:[A-Z]\.\s?)?,")
_VOLUME = re.compile(r"\b\d+\s*\(\d+\)\s*[:,]\s*\d+|\bdoi\s*:|https?://|\bwww\.", re.I)
# An author list ("Iguchi Y, Kosugi S, Nishikawa H") or an affiliation block.
_AUTHORS = re.compile(r"\b[A-Z][a-z\u00e0-\u00ff'-]+ [A-Z]{1,3}\b,")
_AFFILIATION = re.compile(r"\b(?:University|Department|School|Faculty|Institute|Centre|Center)\b")
_CONTENT = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
# An abbreviations list: "BMI: Body mass index; CO: Carbon monoxide; ..." (Thompson et al.'s
# page 13 became chat evidence for a question on its response rate, 100 tokens of it).
_GLOSSARY_ENTRY = re.compile(r"(?:^|;)\s*[A-Za-z][\w-]{0,9}\s*:\s*[^;:]{2,80}(?=;|\.?$)")


def is_bare_reference(quote: str) -> bool:
    """True when ``quote`` names works rather than saying anything: "Rogers et al., 2004"."""
    rest = _CITATION.sub(" ", quote)
    words = [w for w in _CONTENT.findall(rest) if w.lower() not in ("and", "the", "for", "also")]
    return len(words) < 3


_PAREN_REFERENCE = re.compile(r"\([^()]*\b(?:1[89]|20)\d\d[a-z]?\b[^()]*\)")


# A section or figure title: "Effects of 2-cyclohexen-1-one (CHX) on immobility during the
# forced swimming test." (Iguchi et al.'s figure, quoted by the 1.5B model as a finding),
# "Comparison of physiological indicators between conditions on the Test Day".
_HEADING = re.compile(
    r"^\s*(?:fig(?:ure)?\.?\s*\d+[a-z]?\.?\s*)?(?:the\s+)?"
    r"(?:effects?|influence|impact|role|changes?|comparison|relationship|association)\s+"
    r"(?:of|in|between)\b",
    re.I,
)
# What makes a title a sentence: "The effect of eye-movement preparation on the PLR was
# evident in two main ways."
_FINITE = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|did|does|do|can|could|may|might|will|"
    r"would|should|must|revealed|reveals|relies|rely|showed|shows|show|found|"
    r"indicat(?:ed|es)|suggest(?:ed|s)|demonstrat(?:ed|es)|depend(?:ed|s)|differ(?:ed|s)|"
    r"led|leads|increased|decreased|reduced|improved)\b",
    re.I,
)
# Where a title run on into its section's first sentence ends: "Effect of repeated CHX
# administration on the forced swimming test The effect of repeated CHX ... was assessed".
_RUN_ON = re.compile(r"(?<=[a-z0-9)])\s+(?=(?:The|We|In|To|This|These|Our|A|An|Here)\s)")


def is_heading(text: str) -> bool:
    """True when ``text`` is a section or figure title, not a sentence."""
    return bool(_HEADING.match(text)) and not _FINITE.search(text)


def after_heading(text: str) -> int:
    """Where the sentence starts in ``text`` when a title runs on into it; 0 when none
    does."""
    if not _HEADING.match(text):
        return 0
    for m in _RUN_ON.finditer(text):
        if not _FINITE.search(text[: m.start()]):
            return m.end()
        break
    return 0


def is_finding(quote: str, *, data: bool = False) -> bool:
    """True when ``quote`` is a claim a reader can use.

    At least ``MIN_FINDING_WORDS`` words (``data=True``, a lab's table summary:
    three), and none of: a bare reference, a heading or figure label, front
    matter (history, keywords, licence, correspondence), a reference-list entry
    (author initials, volume(issue): pages, DOIs), a list of abbreviations, or
    mostly digits.
    """
    words = quote.split()
    if len(words) < (MIN_QUOTE_WORDS if data else MIN_FINDING_WORDS):
        return False
    if data:
        return True
    # Words inside a parenthetical reference say nothing: "that subjects could deploy
    # (Jepma and Nieuwenhuis, 2011)." is four words of a sentence cut at a chunk's start.
    if len(_PAREN_REFERENCE.sub(" ", quote).split()) < MIN_FINDING_WORDS:
        return False
    if _FRONT_MATTER.search(quote) or _LABEL.match(quote) or is_bare_reference(quote):
        return False
    if is_heading(quote):
        return False
    if len(_INITIALS.findall(quote)) >= 2 or _VOLUME.search(quote) or quote.count("|") >= 2:
        return False  # a reference-list entry, or a journal's running footer
    if len(_AUTHORS.findall(quote)) >= 2 or len(_AFFILIATION.findall(quote)) >= 2:
        return False  # the author list and affiliations of a title page
    if len(_GLOSSARY_ENTRY.findall(quote)) >= 3:
        return False
    letters = sum(c.isalpha() for c in quote)
    return letters >= 0.5 * sum(not c.isspace() for c in quote)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9-]+", text.lower()) if len(w) > 3}


def closest_sentence(
    text: str,
    claim: str,
    words: Callable[[str], Iterable[str]] = _words,
    max_words: int = 40,
    avoid: str = "",
) -> str:
    """The finding sentence of ``text`` sharing most words with ``claim``.

    Shared words count against the square root of the sentence's length, so a
    run-on block without full stops (a publisher's cover page, a table) does not
    win on size alone. Sentences that are no findings (front matter, bare
    references, labels) are passed over while there is anything else. Ties go
    to the earlier sentence; with no sentence at all, the opening words. Sentences
    that open with ``avoid`` (the paper's title, run on into its first line) are
    passed over too.
    """
    found = sentences(text)
    if avoid:
        found = [s for s in found if not opens_with(s, avoid)] or found
    found = [s for s in found if not continues(s, text) and not unfinished(s, text)] or found
    # A journal's front matter has no full stops, so its keyword list reads as one
    # short sentence made of the paper's topic words, and won on shared words alone.
    found = (
        [s for s in found if is_finding(s)]
        or [s for s in found if not _FRONT_MATTER.search(s)]
        or found
    )
    if not found:
        return " ".join(text.split()[:25])
    wanted = set(words(claim))
    best = max(found, key=lambda s: len(wanted & set(words(s))) / math.sqrt(len(s.split())))
    return " ".join(best.split()[:max_words])


def continues(sentence: str, text: str) -> bool:
    """True when ``sentence`` is the tail of a sentence cut at the start of ``text``.

    A chunk often opens mid-sentence ("that subjects could deploy (Jepma and
    Nieuwenhuis, 2011)."): shown as a citation, such a tail says nothing.
    """
    head = quote_key(sentence)[:40]
    return sentence.lstrip()[:1].islower() and bool(head) and quote_key(text).startswith(head)


def unfinished(sentence: str, text: str) -> bool:
    """True when ``sentence`` is the head of a sentence cut at the end of ``text``.

    A proposal cited "Based on a previous experiment investigating the effects of time of
    exercise on a circadian rhythm during 3-day horizontal bed rest25, we predicted that
    HDBR without exercise would induce a phase": the chunk ends there.
    """
    tail = quote_key(sentence)[-40:]
    return (
        bool(tail)
        and not ENDS_SENTENCE.search(sentence.rstrip())
        and quote_key(text).endswith(tail)
    )


#: How a whole sentence ends: a full stop, ! or ?, perhaps inside quotes or brackets.
ENDS_SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")


def cut_to_whole(quote: str, text: str) -> str:
    """``quote`` without the sentences the chunk ``text`` cuts: a tail it opens with
    (:func:`continues`), a head it ends with (:func:`unfinished`), as long as a sentence
    is left.

    The final quick start cited "that subjects could deploy (Jepma and Nieuwenhuis,
    2011). Future studies might usefully include indirect measures of noradrenaline
    activity, for example pupillometry, ...": the model's quote began at the chunk's
    start, and widening it to whole sentences kept the chunk's opening fragment.
    """
    spans = [(a, b) for a, b in sentence_spans(quote) if quote[a:b].strip()]
    while len(spans) > 1 and continues(quote[spans[0][0] : spans[0][1]], text):
        spans = spans[1:]
    while len(spans) > 1 and unfinished(quote[spans[-1][0] : spans[-1][1]], text):
        spans = spans[:-1]
    return quote[spans[0][0] : spans[-1][1]].strip() if spans else quote


def opens_with(text: str, title: str) -> bool:
    """True when ``text`` starts with ``title`` (its first 40 characters, as keys)."""
    head = quote_key(title)[:40]
    return bool(head) and quote_key(text).startswith(head)


def names_title(quote: str, title: str) -> bool:
    """True when ``quote`` is the title (or its first words) rather than a quote."""
    q, t = quote_key(quote), quote_key(title)
    return len(quote.split()) >= MIN_QUOTE_WORDS and bool(t) and t.startswith(q)


def lead_words(text: str, words: int = 25) -> str:
    """The first ``words`` words of a passage: a verbatim quote of it."""
    return " ".join(text.split()[:words])
