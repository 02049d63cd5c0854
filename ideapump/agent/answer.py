"""Answering a question: evidence first, the model writes from it, code decides what is shown.

1. Retrieve passages for the question (and the researcher's earlier messages),
   plus the abstracts of the two papers ranked first, then the evidence step (:func:`~ideapump.grounding.evidence.gather_evidence`):
   the sentences that bear on it, numbered. When the best evidence is too weak,
   the answer says the library does not cover the question, without a model
   call. So does a question with a rare word no paper of the library uses
   ("caffeine"; :mod:`~ideapump.grounding.vocabulary`), and one that names a study no
   paper of the library is ("the atomoxetine study"; :mod:`~ideapump.agent.premise`).
   That decision is the code's, from the evidence scores and the library's words,
   never the model's.
2. The model writes a short answer from the numbered evidence, citing by number.
3. :class:`~ideapump.agent.checked.CheckedAnswer` shows the answer one sentence at a time, and only
   checked sentences: each must cite evidence (a sentence without a marker is
   given the evidence item that supports it, if one does) and pass the claim
   check (:mod:`~ideapump.grounding.claims`) against the passages it cites (a
   work it names must be the cited paper or named in the passage). A
   sentence that fails, or stops mid-way ("... after 7 days and"), is removed
   and counted (``unsupported_removed``); a sentence in which the model
   declines is dropped, since the code has found the evidence strong enough
   to answer.
4. When no sentence survives (the model declined, or rambled past its
   evidence), the answer is extractive: "From the library:" and the best
   evidence sentences, verbatim, each with its citation.
5. A question that asks for a number none of the evidence states is told so
   (``NO_FIGURE``), whatever was shown before it. Where it says what the number is of
   ("What dose of atomoxetine ...?") and no evidence sentence with a number names it,
   there is no extractive answer either: other drugs' doses would answer something else.
6. An answer that never names what the question asks the effect of ("Did exercise
   ...?" answered only on bed rest) is followed by the best evidence result on it,
   verbatim and cited (:func:`on_the_cause`); one whose citations, titles included, never
   name what the question asks changes ends by saying so (:func:`not_measured`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from ideapump.agent.causes import asked_head, cause_words
from ideapump.agent.checked import MAX_SENTENCES, CheckedAnswer, reports, results_answer
from ideapump.agent.events import ChatEvent, DoneEvent, TokenEvent
from ideapump.agent.grounding import AgentOptions, persona, retrieve
from ideapump.agent.premise import no_such_study
from ideapump.evidence.directions import outcome_of
from ideapump.evidence.findings import plans_or_supposes, states_result
from ideapump.evidence.stance import no_effect_beside, unmentioned
from ideapump.grounding.citations import Evidence
from ideapump.grounding.directions import directions
from ideapump.grounding.evidence import (
    EvidenceItem,
    ResultReader,
    asks_quantity,
    gather_evidence,
    headed_passages,
    openings_of,
    quantity_of,
)
from ideapump.grounding.normalize import content_words, numbers, quote_key
from ideapump.grounding.quotes import sentences
from ideapump.grounding.vocabulary import not_in_library
from ideapump.grounding.works import cites_others
from ideapump.llm import stream_text
from ideapump.prompts import render_prompt

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.llm.model import ChatModel
    from ideapump.models import Passage

NOT_COVERED = (
    "The library does not cover this: none of the retrieved passages is relevant, so I won't "
    "guess. Could you point me to a paper, or ingest one on the topic?"
)


def not_mentioned(words: Sequence[str]) -> str:
    """The answer to a question whose rare ``words`` no paper of the library uses."""
    named = " or ".join(f'"{w}"' for w in words[:3])
    return (
        f"The library does not cover this: no paper in it mentions {named}, so I won't guess. "
        "Could you point me to a paper, or ingest one on the topic?"
    )


#: Said after an answer to a question that asks for a number none of its evidence states.
NO_FIGURE = "None of the passages I found gives a figure for this."
#: Said after the evidence on an idea the researcher floats: the next step is theirs to take.
OFFER_PROPOSAL = (
    "If you would like to test this, ask me to propose an experiment on it and I will "
    "draft one from these papers."
)
# A researcher floating an idea rather than asking what the papers found: "I wonder
# whether we could use ear position as a welfare marker. What do you think?"
_IDEA = re.compile(
    r"\b(?:I wonder (?:whether|if)|what if we|could we (?:use|test|try|measure|look)|"
    r"we could (?:use|test|try|measure|look)|how about (?:using|testing|trying|measuring)|"
    r"what do you think|I(?:'m| am) thinking (?:of|about)|my idea)\b",
    re.I,
)


def floats_idea(message: str) -> bool:
    """True when ``message`` puts forward the researcher's own idea."""
    return bool(_IDEA.search(message))


#: How the evidence step tells a paper's aim from its own result (grounding reads no stances).
_RESULTS = ResultReader(
    is_aim=plans_or_supposes, is_result=lambda t: states_result(t) and not cites_others(t)
)
#: Tokens an answer of MAX_SENTENCES short sentences needs, with room to spare. The 1.5B
#: model sometimes rambles on to the output cap: 1,024 tokens took 398 s on 2 cores
#: (bench/llm_path.py), and whatever it writes past a few sentences is never shown.
ANSWER_TOKENS = 320
#: Passages retrieved beyond ``AgentOptions.passages`` for the evidence step.
EXTRA_PASSAGES = 6
#: Documents whose abstract joins the evidence step's passages.
ABSTRACTS = 2


def gives_figure(items: Sequence[EvidenceItem], of: str = "") -> bool:
    """True when an evidence item states a number of its own paper's, and names ``of``
    (:func:`~ideapump.grounding.evidence.quantity_of`) when given.

    A sentence on other studies gives none: "... the phase advance observed in
    theexercisegroups42,43" (Mendt et al.), evidence for the Mathot question "How big was
    that effect?", is reference numbers. Nor does a dose of another drug: "What dose of
    atomoxetine did participants in the exploration study receive?" (none did) was
    answered with a rat study's "a dose of 25 mg/kg CHX".
    """
    about = content_words(of)
    return any(
        numbers(i.text, words=True)
        and (
            not about
            or (about & content_words(i.passage.title) and _counts(i.text))
            or _figure_for(i.text, about)
        )
        for i in items
        if not cites_others(i.text)
    )


# A number that measures rather than counts: "(=2 minutes)", "25 mg/kg", "18%".
_MEASURED = re.compile(
    r"^\W*(?:%|percent|ms|s|sec\w*|min\w*|h|hr?s?|hours?|days?|weeks?|months?|years?|"
    r"mg\S*|kg|g|ml|mm|cm|m|hz|times|°c?|bpm)\W*$",
    re.I,
)


def _counts(text: str) -> bool:
    """True when ``text`` has a number that may count things: not "one" (prose's "a"),
    not a list's "(1)", not a measure ("2 minutes", "25 mg/kg").

    The paper's title names horses, so "How many horses were studied in the emotional
    anticipation experiment?" had been answered with "one horse did not spontaneously
    follow ..." and "... the social isolation phase in the negative condition (=2
    minutes)": a figure, in a paper on horses, that counts no horses."""
    words = text.split()
    for k in _number_positions(words):
        w = words[k]
        if re.fullmatch(r"\(\d{1,2}\)[,.;:]?", w):
            continue
        after = words[k + 1] if k + 1 < len(words) else ""
        if re.search(r"\d\s*%", w) or _MEASURED.match(after):
            continue
        return True
    return False


def _number_positions(words: Sequence[str]) -> list[int]:
    """Where ``words`` state a number; "one" is how prose says "a" ("when one horse did
    not follow" counts no horses)."""
    return [
        k
        for k, w in enumerate(words)
        if numbers(w, words=True) and w.strip(",.;:").lower() != "one"
    ]


#: How many words apart a figure and what it counts may stand: "a dose of 25 mg/kg CHX",
#: "205 young adults", "researcher time of 469 minutes".
FIGURE_REACH = 5


def _figure_for(text: str, about: set[str]) -> bool:
    """True when a number in ``text`` stands within ``FIGURE_REACH`` words of a word of
    ``about``. "Hand-washing frequency (explicitly defined as using soap and water or
    antibacterial gel) was assessed by a single item ranging from 1 (0-2 times a day)"
    gives no figure for soap."""
    words = text.split()
    named = [k for k, w in enumerate(words) if about & content_words(w)]
    counted = _number_positions(words)
    return any(abs(a - b) <= FIGURE_REACH for a in named for b in counted)


def not_measured(question: str, quotes: Sequence[str]) -> str | None:
    """What to say when the cited ``quotes`` never name what ``question`` asks changes
    (:func:`~ideapump.evidence.directions.outcome_of`), else None.

    "Does hand washing reduce respiratory infections?" was answered with hand-washing
    rates (Yardley et al.'s trial measured hand-washing, not infections): every
    sentence true and cited, the question left unanswered without a word said.
    """
    outcome = outcome_of(question)
    if not outcome or not quotes or unmentioned(question, " ".join(quotes)) is None:
        return None
    outcome = re.sub(r"^\W*(?:the|a|an)\s+|[\s?.!]+$", "", outcome.strip(), flags=re.I)
    return (
        f"None of the passages cited here measures {outcome}, so they do not answer that directly."
    )


def on_the_cause(
    head: str, shown: str, items: Sequence[EvidenceItem], cited: Iterable[int]
) -> tuple[str, EvidenceItem] | None:
    """``head`` (what the question asks the effect of, :func:`~.causes.asked_head`) and
    the best evidence item reporting a result on it (a direction or no effect), when the
    ``shown`` answer never names it or states no result on it; else None.

    "Did exercise prevent the circadian phase delay during bed rest?" was answered only
    "The paper states that HDBR induces a phase delay of circadian rhythm after 49 days
    of HDBR [3].": true and cited, while the evidence item on the exercise groups' phase
    advance, which answers it, was left unsaid. "How did repeated CHX exposure affect
    immobility in the forced swimming test?" was answered with when it was assessed, the
    result ("Repeated CHX administration reduced immobility ...") second in the evidence.
    """
    asked = cause_words(head)
    if not asked or _states_on(asked, shown):
        return None
    taken = set(cited)
    for item in items:
        if (
            item.n not in taken
            and asked <= content_words(item.text)
            and directions(item.text)
            and reports(item)
            and not cites_others(item.text)
        ):
            return head, item
    return None


def _states_on(asked: set[str], shown: str) -> bool:
    """True when a sentence of ``shown`` that names ``asked`` states a direction or no
    effect: an extractive answer quoted Dubois et al.'s propranolol result beside their
    background sentence naming atomoxetine, and that answered nothing about atomoxetine."""
    return any(asked & content_words(t) and directions(t) for t in sentences(shown, 0))


def no_result_on(head: str, shown: str, items: Sequence[EvidenceItem]) -> str | None:
    """The note for an answer that states no result on ``head``, what the question asks
    the effect of (it does not name it, or names it without a direction), whose evidence
    names it only in aims, background or other studies' work; else None.

    "How does atomoxetine change exploration?" was answered "Atomoxetine (e.g. Warren et
    al., 2017) impacts multiple neurotransmitter systems [1]": Dubois et al. name the
    drug once, among other studies' drugs, and no paper of the library tested it.
    """
    asked = cause_words(head)
    if not asked or _states_on(asked, shown):
        return None
    naming = [i for i in items if asked <= content_words(i.text)]
    if not naming or any(reports(i) and not cites_others(i.text) for i in naming):
        return None
    return f"None of the passages I found reports a result of {head}: they mention it only."


def also_no_effect(shown: str, items: Sequence[EvidenceItem]) -> tuple[int, str] | None:
    """A cited item's clause of no effect beside the result the ``shown`` answer gives,
    where the answer says no such thing; else None.

    "Does the online intervention improve students' health behaviour?" was answered "Yes,
    ..., as evidenced by the reduction in smoking rates [1, 3]", citing the U@Uni
    conclusions, which go on "but it had little effect on fruit and vegetable intake,
    physical activity or alcohol consumption".
    """
    if "none" in directions(shown):
        return None
    for item in items:
        clause = no_effect_beside(item.text)
        if clause and quote_key(clause) not in quote_key(shown):
            return item.n, clause
    return None


def no_figure(of: str) -> str:
    """The note for a quantity question none of whose evidence gives the figure."""
    return f"None of the passages I found gives a figure for {of}." if of else NO_FIGURE


def answer_passages(library: Library, query: str, options: AgentOptions) -> list[Passage]:
    """The passages the evidence step reads for a question.

    The model sees sentences, not chunks, so more passages cost the prompt nothing:
    more of them per paper, and the abstracts of the two papers retrieval ranks first.
    """
    passages = retrieve(
        library,
        query,
        options.passages + EXTRA_PASSAGES,
        per_paper_cap=2 * options.per_paper_cap,
    )
    seen = {p.chunk_id for p in passages}
    for doc_id in list(dict.fromkeys(p.doc_id for p in passages))[:ABSTRACTS]:
        chunks = library.chunks(doc_id)
        passages += [p for p in openings_of(chunks) if p.chunk_id not in seen]
        seen |= {p.chunk_id for p in passages}
        passages += headed_passages(chunks, query, seen)
    return passages


def answer_stream(
    library: Library,
    llm: ChatModel,
    history: list[tuple[str, str]],
    options: AgentOptions,
    history_text: str,
) -> Iterator[ChatEvent]:
    """Answer the last message of ``history`` (see the module docstring)."""
    message = history[-1][1]
    absent = not_in_library(library, message)
    # "What is the effect of caffeine on working memory?" found "the effect of glutathione
    # on memory performance" over the answerable score, and was answered; "the atomoxetine
    # study" was taken for Dubois et al.'s (see premise.py)
    said = not_mentioned(absent) if absent else no_such_study(library, message)
    if said:
        yield TokenEvent(text=said)
        yield DoneEvent(intent="question", text=said, abstained=True)
        return
    earlier = [text for role, text in history[:-1] if role == "user"][-2:]
    query = " ".join([*earlier, message])
    passages = answer_passages(library, query, options)
    gathered = gather_evidence(
        library,
        query,
        passages,
        max_items=options.evidence_items,
        min_score=options.min_evidence,
        results=_RESULTS,
    )
    if not gathered.answerable or not gathered.items:
        yield TokenEvent(text=NOT_COVERED)
        yield DoneEvent(intent="question", text=NOT_COVERED, abstained=True)
        return
    user = render_prompt(
        "chat_answer",
        documents=gathered.block(),
        history=history_text,
        message=message,
        max_sentences=MAX_SENTENCES,
    )
    idea = floats_idea(message)
    of = quantity_of(message)
    # "What dose of atomoxetine ...?" with only other drugs' doses in the evidence: the
    # extractive answer had quoted a rat study's CHX doses; the answer says none is given.
    no_figure_for = asks_quantity(message) and not gives_figure(gathered.items, of)
    answer = CheckedAnswer(
        gathered,
        Evidence([], library),
        idea=message if idea else "",
        extractive=not (no_figure_for and of),
        results_only=results_answer(message, gathered.items),
        gives_answer=(lambda i: gives_figure([i], of)) if asks_quantity(message) else None,
    )
    yield answer.evidence_event()
    # The rules sit in the system message, after the persona: the same bytes for every
    # question, so llama.cpp reads them once and takes them from its prompt cache after
    # (about 200 tokens, 3 s on a 2-core CPU, before the first token of every answer).
    rules = render_prompt("chat_rules", max_sentences=MAX_SENTENCES)
    messages = [("system", f"{persona()}\n\n{rules}"), ("user", user)]
    pieces = stream_text(llm, messages, max_tokens=ANSWER_TOKENS)
    try:
        for piece in pieces:
            yield from answer.feed(piece)
            if answer.full:
                break  # closing the stream closes the request: the server stops writing
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
    yield from answer.flush()
    if no_figure_for:
        # "How big was that effect?" on the Mathot paper: the model wrote "0.3" (in no
        # passage, removed) and the extractive answer quoted sentences with no size.
        yield from answer.note(no_figure(of))
    elif answer.cited:
        shown, extractive, head = answer.text, answer.extractive_used, asked_head(message)
        missed = None if extractive else on_the_cause(head, shown, gathered.items, answer.cited)
        if missed:
            yield from answer.quote(f"On {missed[0]}, the library reports:", missed[1])
        else:
            # also after an extractive answer: the model's "The atomoxetine study shows ..."
            # removed, it quoted Dubois et al.'s propranolol results
            only_named = no_result_on(head, shown, gathered.items)
            if only_named:
                yield from answer.note(only_named)
        cited = [i for i in gathered.items if i.n in answer.cited]
        partly = None if extractive else also_no_effect(answer.text, cited)
        if partly:
            yield from answer.note(f'The same passage adds: "{partly[1]}" [{partly[0]}].')
        # with the cited papers' titles: "Does regular exercise protect the circadian
        # rhythm during bed rest?" was answered with Mendt et al.'s "CTR showed a phase
        # delay of 0.69 h. In contrast, ..." and told that nothing cited measures the
        # circadian rhythm; their title says "circadian shifts ... during ... bed rest"
        beside = not_measured(message, [f"{c.title}. {c.quote}" for c in answer.cited.values()])
        if beside:
            yield from answer.note(beside)
    if idea:
        # The answer says what the papers found on it; a draft is a proposal's job, with
        # its design checks and power analysis (a minute or more on a CPU, so asked for).
        yield from answer.note(OFFER_PROPOSAL)
    yield DoneEvent(
        intent="question",
        text=answer.text,
        abstained=not answer.cited,
        citations=list(answer.cited.values()),
        unsupported_removed=len(answer.removed),
        extractive=answer.extractive_used,
        result={
            "evidence_score": gathered.best,
            "evidence": [
                {
                    "n": i.n,
                    "score": i.score,
                    "title": i.passage.title,
                    "page": i.passage.page,
                    "text": i.text,
                }
                for i in gathered.items
            ],
            "removed": [{"sentence": s, "reason": why} for s, why in answer.removed],
            # supported, but aims or background beside results that answer the question
            "set_aside": answer.set_aside,
            "declined_by_model": answer.declined,
        },
    )
