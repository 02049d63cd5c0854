"""Faithfulness of the collaborator: does it answer what the library covers, and only that?

Runs the question set in ``bench/faithfulness_questions.json`` (the 12 corpus papers)
through the public API (:class:`ideapump.facade.IdeaPump`) with whatever model the
settings name: the offline default, or any OpenAI-compatible endpoint through
``IDEAPUMP_LLM__BASE_URL`` / ``IDEAPUMP_LLM__MODEL`` / ``IDEAPUMP_LLM__API_KEY``.

    python -m bench.faithfulness --ingest ../shared/corpus          # once, into IDEAPUMP_HOME
    python -m bench.faithfulness --part answerable --start 0 --limit 12 --out runs/a1.jsonl
    python -m bench.faithfulness --part unanswerable,stance,propose --out runs/b.jsonl
    python -m bench.faithfulness --report runs/*.jsonl               # figures over all parts

Figures (each part writes one JSON line per item, so long runs can be split):

* answered with a citation: share of answerable questions answered (not declined)
  with at least one citation; also how many cite the answer's paper and page;
* declined: share of unanswerable questions the answer declines;
* shown numbers supported: of the numbers in shown answer sentences, the share that
  occur in a passage the sentence cites (counted here with the bench's own number
  reader, not the claim checker's);
* stance accuracy: for each claim-passage pair, the stance ``weigh`` gives that
  passage (through the facade, whatever ``weigh`` is merged), against the hand-set one;
  beside it, the stance weigh's table gives the pair's paper (what a reader sees first;
  right also when weigh read another passage stating the same result);
* stance on the hand-set passage (``--part stance_passage``): the narrow check alone,
  on the passage each pair names, whichever passages weigh would read;
* the same two on the held-out pairs (``--part stance_heldout,stance_heldout_passage``):
  pairs written before any tuning on them, so a change fitted to the first set shows
  whether it carries over; ``stance_heldout2`` is a second such set, written after the
  first had been looked at while the stance code changed, and ``stance_heldout3`` a third,
  written by someone who had not seen the stance code;
* proposals passing the coherence rules (two manipulated conditions, a control that is
  no condition, a primary measure, a power analysis that follows the design);
* bare-reference citations: citation quotes that only name works ("Rogers et al., 2004")
  or are under eight words;
* seconds per answer.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

QUESTIONS = Path(__file__).with_name("faithfulness_questions.json")

# -- the bench's own readers (deliberately not the product's) ---------------------------

_NUM = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)(\s?%)?")
_MARK = re.compile(r"\[(\d+(?:,\s*\d+)*)\]")
_LABEL = re.compile(
    r"\[\d+(?:,\s*\d+)*\]|\b(?:fig(?:ure)?|table|experiment|study|appendix|passage|p)\.?\s*\d+"
    r"|\b[A-Z][a-z]+(?: et al\.?| and [A-Z][a-z]+),? \(?\d{4}\)?",
    re.I,
)
_REF = re.compile(
    r"\b[A-Z][\w'-]+(?:\s+(?:and|&)\s+[A-Z][\w'-]+|\s+et\s+al\.?)?,?\s*\(?(?:19|20)\d\d[a-z]?\)?"
    r"|\[\d+(?:[,-]\s*\d+)*\]|\(\s*(?:19|20)\d\d\s*\)"
)
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TENS |= {"eighty": 80, "ninety": 90}
_WORDS |= _TENS
# "twenty-three", "Sixty five": a tens word and a unit word.
_COMPOUND = re.compile(
    rf"\b({'|'.join(_TENS)})[- ]({'|'.join(w for w, i in _WORDS.items() if 0 < i < 10)})\b",
    re.I,
)


def _values(text: str, words: bool = False) -> list[tuple[float, bool, str]]:
    """Numbers as values; ``words``: also spelled out (a passage's "two out of three")."""
    out = []
    if words:
        out += [
            (float(_TENS[m[1].lower()] + _WORDS[m[2].lower()]), False, m[0])
            for m in _COMPOUND.finditer(text)
        ]
        out += [
            (float(_WORDS[w.lower()]), False, w)
            for w in re.findall(r"[A-Za-z]+", text)
            if w.lower() in _WORDS
        ]
    for m in _NUM.finditer(_LABEL.sub(" ", text.replace("\u2212", "-"))):
        raw = m.group(1).replace(",", "")
        out.append((float(raw), bool(m.group(2)), m.group(1)))
    return out


def _number_found(claimed: tuple[float, bool, str], passage: str) -> bool:
    value, percent, raw = claimed
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    for v, p, _ in _values(passage, words=True):
        options = [v, v * 100] if (percent and not p and v <= 1) else [v]
        if any(abs(round(o, decimals) - value) < 1e-9 or abs(o - value) < 1e-9 for o in options):
            return True
    return False


def bare_reference(quote: str) -> bool:
    """A citation quote that names works instead of saying something, or is a fragment."""
    rest = [w for w in re.findall(r"[A-Za-z]{3,}", _REF.sub(" ", quote)) if w.lower() != "and"]
    return len(rest) < 3 or len(quote.split()) < 8


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


#: The claim-passage sets: the tuning set and two held-out ones.
STANCE_SETS = ("stance", "stance_heldout", "stance_heldout2", "stance_heldout3")


# -- parts ------------------------------------------------------------------------------


def run_question(pump: Any, item: dict[str, Any], kind: str) -> dict[str, Any]:
    from ideapump.agent import CitationEvent, DoneEvent

    started = time.perf_counter()
    cited: dict[int, Any] = {}
    done: Any = None
    for event in pump.chat_stream([{"role": "user", "content": item["question"]}]):
        if isinstance(event, CitationEvent):
            cited[event.marker] = event.citation
        elif isinstance(event, DoneEvent):
            done = event
    seconds = time.perf_counter() - started
    assert done is not None
    chunks = {}
    for c in cited.values():
        chunks[c.chunk_id] = next(
            x.quote for x in pump.library.chunks(c.doc_id) if x.chunk_id == c.chunk_id
        )
    numbers = supported = 0
    unsupported: list[str] = []
    for sentence in _SENT.split(done.text):
        marks = [int(n) for m in _MARK.finditer(sentence) for n in m.group(1).split(",")]
        passages = [chunks[cited[n].chunk_id] for n in marks if n in cited]
        for value in _values(sentence):
            numbers += 1
            if any(_number_found(value, p) for p in passages):
                supported += 1
            else:
                unsupported.append(f"{value[2]} in {sentence!r}")
    paper = item.get("paper", "")
    on_paper = [c for c in cited.values() if paper and paper in pump.library.get(c.doc_id).source]
    return {
        "part": kind,
        "question": item["question"],
        "paper": paper,
        "pages": item.get("pages", []),
        "answer": done.text,
        "abstained": done.abstained,
        "extractive": done.extractive,
        "unsupported_removed": done.unsupported_removed,
        "removed": (done.result or {}).get("removed", []),
        "set_aside": (done.result or {}).get("set_aside", []),
        "declined_by_model": (done.result or {}).get("declined_by_model", 0),
        "evidence_score": (done.result or {}).get("evidence_score"),
        "citations": [
            {"marker": n, "title": c.title, "page": c.page, "quote": c.quote}
            for n, c in cited.items()
        ],
        "cites_paper": bool(on_paper),
        "cites_page": any(c.page in item.get("pages", []) for c in on_paper),
        "facts_cited": any(
            _norm(f) in _norm(c.quote) for f in item.get("facts", []) for c in on_paper
        ),
        "numbers": numbers,
        "numbers_supported": supported,
        "numbers_unsupported": unsupported,
        "bare_citations": sum(bare_reference(c.quote) for c in cited.values()),
        "seconds": round(seconds, 2),
    }


def _judged(report: Any) -> list[tuple[str, Any]]:
    """(stance, citation) of every passage ``weigh`` judged, whichever report it returns.

    A report with ``passages`` (one checked stance per passage) is read from there;
    an older one from its supporting / contradicting / neutral lists.
    """
    passages = getattr(report, "passages", None)
    if passages:
        return [(p.stance, p.citation) for p in passages]
    lists = [*report.supporting, *report.contradicting, *report.neutral]
    return [(w.stance, w.citation) for w in lists]


def run_stance(pump: Any, pair: dict[str, Any], part: str = "stance") -> dict[str, Any]:
    started = time.perf_counter()
    row: dict[str, Any] = {
        "part": part,
        "claim": pair["claim"],
        "expected": pair["stance"],
        "got": None,
        "found": False,
        "correct": False,
        "verdict": None,
        "bare_citations": 0,
        "citations": 0,
    }
    try:
        report = pump.weigh(pair["claim"])
    except Exception as exc:  # a report, not a crash: the other parts' figures still count
        row.update(error=f"{type(exc).__name__}: {exc}"[:300])
        row["seconds"] = round(time.perf_counter() - started, 2)
        return row
    seconds = time.perf_counter() - started
    want = _norm(pair["phrase"])
    judged = _judged(report)
    for stance, c in judged:
        if pair["paper"] not in pump.library.get(c.doc_id).source:
            continue
        chunk = next(x.quote for x in pump.library.chunks(c.doc_id) if x.chunk_id == c.chunk_id)
        if want in _norm(chunk):
            row["got"] = {"supports": "supports", "contradicts": "contradicts"}.get(
                stance, "neither"
            )
            break
    rows = [
        r for r in report.papers_considered if pair["paper"] in pump.library.get(r.doc_id).source
    ]
    row["paper_stance"] = rows[0].stance if rows and rows[0].used else None
    row.update(
        found=row["got"] is not None,
        correct=row["got"] == pair["stance"],
        verdict=report.verdict,
        bare_citations=sum(bare_reference(c.quote) for _, c in judged),
        citations=len(judged),
        seconds=round(seconds, 2),
    )
    return row


def run_stance_passage(
    pump: Any, pair: dict[str, Any], part: str = "stance_passage"
) -> dict[str, Any]:
    """The narrow stance check alone, on the hand-set passage (the chunk holding ``phrase``).

    ``stance`` measures weigh end to end, so a pair counts as wrong when weigh read
    other passages of the paper; this part separates the stance check from that choice.
    """
    from ideapump.evidence.stance import judge

    started = time.perf_counter()
    want = _norm(pair["phrase"])
    doc = next(d for d in pump.library.papers() if pair["paper"] in d.source)
    chunk = next(x for x in pump.library.chunks(doc.doc_id) if want in _norm(x.quote))
    stance, _ = judge(pump.llm, pair["claim"], chunk.quote, chunk.title, chunk.page)
    return {
        "part": part,
        "claim": pair["claim"],
        "expected": pair["stance"],
        "got": stance.stance,
        "model": stance.model_stance,
        "reason": stance.reason,
        "correct": stance.stance == pair["stance"],
        "seconds": round(time.perf_counter() - started, 2),
    }


def run_propose(pump: Any, question: str) -> dict[str, Any]:
    from ideapump.agent.coherence import proposal_problems
    from ideapump.agent.design import manipulations, within_subject
    from ideapump.results import ProposalDraft

    started = time.perf_counter()
    result = pump.propose(question, n=2, k=2)
    seconds = time.perf_counter() - started
    shown = []
    for p in result.proposals:
        draft = ProposalDraft.model_validate(
            {
                **p.model_dump(include=set(ProposalDraft.model_fields) - {"citations"}),
                "citations": [],
            }
        )
        problems = proposal_problems(draft)
        within = within_subject(p.design)
        if p.sample_size.within_subject != within:
            problems.append("power analysis does not follow the design")
        if not within and p.sample_size.groups != max(2, len(manipulations(p.conditions))):
            problems.append("groups differ from the conditions")
        shown.append(
            {
                "title": p.title,
                "conditions": p.conditions,
                "controls": p.controls,
                "primary_measure": p.primary_measure,
                "design": p.design,
                "test": p.sample_size.test,
                "n": p.sample_size.total_n,
                "problems": problems,
                "quotes": [c.quote for c in p.citations],
            }
        )
    quotes = [q for s in shown for q in s["quotes"]]
    return {
        "part": "propose",
        "question": question,
        "abstained": result.abstained,
        "proposals": shown,
        "coherent": sum(not s["problems"] for s in shown),
        "unsupported_removed": result.unsupported_removed,
        "incoherent_dropped": result.incoherent_dropped,
        "bare_citations": sum(bare_reference(q) for q in quotes),
        "citations": len(quotes),
        "seconds": round(seconds, 2),
    }


# -- figures ----------------------------------------------------------------------------


def _share(num: int, den: int) -> str:
    return f"{num}/{den} = {100 * num / den:.1f}%" if den else "n/a"


def _report_stance(name: str, stance: list[dict[str, Any]]) -> None:
    if not stance:
        return
    found = [r for r in stance if r["found"]]
    failed = [r for r in stance if r.get("error")]
    print(f"{name} pairs: {len(stance)} (passage shown by weigh: {len(found)})")
    if failed:
        print(f"  weigh failed on {len(failed)}: {failed[0]['error']}")
    print(
        f"  stance accuracy:        {_share(sum(r['correct'] for r in stance), len(stance))}"
        f" (on shown passages: {_share(sum(r['correct'] for r in found), len(found))})"
    )
    paper = sum(r.get("paper_stance") == r["expected"] for r in stance)
    print(f"  the paper's stance in weigh's table: {_share(paper, len(stance))}")
    secs = [r["seconds"] for r in stance if "seconds" in r]
    if secs:
        print(f"  seconds per claim:      mean {statistics.mean(secs):.1f}, max {max(secs):.1f}")


def _report_narrow(name: str, narrow: list[dict[str, Any]]) -> None:
    if not narrow:
        return
    right = sum(r["correct"] for r in narrow)
    alone = sum(r["model"] == r["expected"] for r in narrow)
    print(
        f"{name} on the hand-set passage: {_share(right, len(narrow))}"
        f" (the model alone: {_share(alone, len(narrow))})"
    )


def report(rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    ans = [r for r in rows if r["part"] == "answerable"]
    una = [r for r in rows if r["part"] == "unanswerable"]
    stance = [r for r in rows if r["part"] in STANCE_SETS]
    prop = [r for r in rows if r["part"] == "propose"]
    chat = ans + una
    print(f"answerable questions:     {len(ans)}")
    ok = [r for r in ans if not r["abstained"] and r["citations"]]
    print(f"  answered with citation: {_share(len(ok), len(ans))}")
    print(f"    of which extractive:  {sum(r['extractive'] for r in ok)}")
    print(f"  cite the answer's paper {_share(sum(r['cites_paper'] for r in ans), len(ans))}")
    print(f"  ... and its page:       {_share(sum(r['cites_page'] for r in ans), len(ans))}")
    print(
        f"  a cited quote holds the answer's fact: "
        f"{_share(sum(r['facts_cited'] for r in ans), len(ans))}"
    )
    print(f"unanswerable questions:   {len(una)}")
    print(f"  declined:               {_share(sum(r['abstained'] for r in una), len(una))}")
    nums = sum(r["numbers"] for r in chat)
    sup = sum(r["numbers_supported"] for r in chat)
    print(f"numbers in shown sentences supported by a cited passage: {_share(sup, nums)}")
    print(f"sentences removed by the claim check: {sum(r['unsupported_removed'] for r in chat)}")
    aside = sum(len(r.get("set_aside", [])) for r in chat)
    print(f"aims/background set aside beside results (yes/no questions): {aside}")
    parts = {
        "chat": (sum(r["bare_citations"] for r in chat), sum(len(r["citations"]) for r in chat)),
        "propose": (sum(r["bare_citations"] for r in prop), sum(r["citations"] for r in prop)),
        "weigh": (sum(r["bare_citations"] for r in stance), sum(r["citations"] for r in stance)),
    }
    bare, total = (sum(v[i] for v in parts.values()) for i in (0, 1))
    each = ", ".join(f"{k} {b} of {t}" for k, (b, t) in parts.items() if t)
    print(f"bare-reference citations: {bare} of {total} ({each})")
    if chat:
        secs = [r["seconds"] for r in chat]
        print(
            f"seconds per answer:       mean {statistics.mean(secs):.1f}, "
            f"median {statistics.median(secs):.1f}, max {max(secs):.1f}"
        )
        answered = [r["seconds"] for r in ans]
        if answered:
            print(f"  answerable only:        mean {statistics.mean(answered):.1f}")
    for name in STANCE_SETS:
        _report_stance(name, [r for r in rows if r["part"] == name])
        _report_narrow(name, [r for r in rows if r["part"] == f"{name}_passage"])
    if prop:
        shown = sum(len(r["proposals"]) for r in prop)
        print(
            f"proposals shown:          {shown} for {len(prop)} questions "
            f"({sum(r['incoherent_dropped'] for r in prop)} candidates dropped as incoherent)"
        )
        print(f"  passing the coherence rules: {_share(sum(r['coherent'] for r in prop), shown)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--part", default="answerable,unanswerable,stance,propose")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--out", type=Path, help="append one JSON line per item here")
    ap.add_argument("--ingest", type=Path, help="ingest this folder's PDFs first")
    ap.add_argument("--report", type=Path, nargs="*", help="only print figures from these files")
    args = ap.parse_args()
    if args.report is not None:
        report(json.loads(line) for f in args.report for line in f.read_text().splitlines())
        return

    from ideapump.facade import IdeaPump

    pump = IdeaPump.from_settings()
    if args.ingest:
        pump.ingest(sorted(args.ingest.glob("*.pdf")))
    data = json.loads(args.questions.read_text())
    rows = []
    for part in args.part.split(","):
        key = part.removesuffix("_passage")
        items = data[key][args.start :][: args.limit]
        for item in items:
            if part in ("answerable", "unanswerable"):
                row = run_question(pump, item, part)
            elif part in STANCE_SETS:
                row = run_stance(pump, item, part)
            elif key in STANCE_SETS:
                row = run_stance_passage(pump, item, part)
            else:
                row = run_propose(pump, item)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False)[:300], flush=True)
            if args.out:
                with args.out.open("a") as f:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print()
    report(rows)


if __name__ == "__main__":
    main()
