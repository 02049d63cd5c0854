"""Weighing claims across one topic's papers, scored against a reader's paper-by-paper stances.

    python -m bench.weigh_topic --home /tmp/topic --out topic.jsonl            # all ten claims
    python -m bench.weigh_topic --home /tmp/topic --claims 1,5 --out topic.jsonl
    python -m bench.weigh_topic --report topic.jsonl

The workspace's topic corpus (``../shared/corpus-topic``: 28 openly licensed papers on
holy basil / *Ocimum*, PDFs) comes with ``claims.md``: ten claims and, for each, which
papers a reader found to support, contradict or qualify it, which bear on it only
indirectly (a related species, one compound, a review's background) and which are
silent (every paper not named). That reading is of each abstract, not of the whole
paper the product reads, so it is a yardstick, not a gold standard.

Each claim is weighed with the product's pipeline over the whole library (its
defaults: up to 40 papers, two passages each, the offline model unless
``IDEAPUMP_LLM__BASE_URL`` says otherwise), and each paper's stance is set beside the
reader's. Printed per claim and in total:

* support read: papers the reader marks as support that ``weigh`` counts as supporting
  (or mixed);
* contradiction read: papers marked contradict / qualify / mixed that ``weigh`` counts
  as contradicting (or mixed);
* silent papers given a stance: papers the reader found silent that ``weigh`` counts on
  either side, the error a researcher would be misled by;
* the verdict, papers read, model calls and seconds.

Rows are appended to ``--out`` as each claim finishes (claims already there are
skipped), so a long run can be split.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus-topic"

#: The reader's labels in claims.md, as the bench groups them.
GROUPS = {
    "support": "support",
    "indirect support": "indirect",
    "indirect": "indirect",
    "indirect (non-human)": "indirect",
    "contradict / qualify (other species)": "contradict",
    "contradict / qualify": "contradict",
    "qualify": "contradict",
    "mixed": "contradict",
    "caution": None,  # a remark on papers already listed
}

_CLAIM = re.compile(r"^###\s+(\d+)\.\s+(.+?)\s*$")
_LABEL = re.compile(r"^-\s+\*\*(.+?):\*\*\s*(.*)$")
_PAPER = re.compile(r"\b([a-z]+\d{4})\b")


def plain(text: str) -> str:
    """A claims.md heading as a claim: no Markdown emphasis."""
    return " ".join(text.replace("*", "").split())


def parse_claims(path: Path) -> list[dict[str, Any]]:
    """The claims of ``claims.md`` with each named paper's group (support, indirect,
    contradict); a paper not named under a claim is silent on it."""
    claims: list[dict[str, Any]] = []
    label: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _CLAIM.match(line)
        if m:
            claims.append({"n": int(m[1]), "claim": plain(m[2]), "papers": {}})
            label = None
            continue
        if not claims or line.startswith("---"):
            label = None if line.startswith("---") else label
            continue
        m = _LABEL.match(line)
        if m:
            label = m[1].strip().lower()
            if label.startswith("silent"):
                label = None
            text = m[2]
        elif line.startswith("  ") and label:
            text = line
        else:
            continue
        group = GROUPS.get(label or "")
        if group is None:
            continue
        for paper in _PAPER.findall(text):
            claims[-1]["papers"].setdefault(paper, group)
    return claims


def paper_key(source: str) -> str:
    """``kalagatur2015`` for ``kalagatur2015_frontmicrobiol_antifungal_oil.pdf``."""
    return Path(source).name.split("_", 1)[0]


def score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts over the claims' rows: the reader's group against weigh's paper stance."""
    table: Counter[tuple[str, str]] = Counter()
    for row in rows:
        for paper in row["papers"]:
            table[(paper["reader"], paper["stance"])] += 1

    def n(group: str, *stances: str) -> int:
        return sum(v for (g, s), v in table.items() if g == group and s in stances)

    def total(group: str) -> int:
        return sum(v for (g, _), v in table.items() if g == group)

    sides = ("supports", "contradicts", "mixed")
    return {
        "table": {f"{g}->{s}": v for (g, s), v in sorted(table.items())},
        "support_read": (n("support", "supports", "mixed"), total("support")),
        "contradiction_read": (n("contradict", "contradicts", "mixed"), total("contradict")),
        "silent_given_stance": (n("silent", *sides), total("silent")),
        "silent_as_support": n("silent", "supports"),
        "indirect_given_stance": (n("indirect", *sides), total("indirect")),
    }


def report(paths: list[Path]) -> None:
    rows = [json.loads(x) for p in paths for x in p.read_text().splitlines() if x.strip()]
    for row in rows:
        s = score([row])
        print(
            f"claim {row['n']:>2}: verdict {row['verdict']:<12} support read "
            f"{s['support_read'][0]}/{s['support_read'][1]}, contradiction read "
            f"{s['contradiction_read'][0]}/{s['contradiction_read'][1]}, silent given a stance "
            f"{s['silent_given_stance'][0]}/{s['silent_given_stance'][1]}; papers used "
            f"{row['papers_used']}, {row['calls']} model calls, {row['seconds']:.0f} s"
        )
    s = score(rows)
    secs = [r["seconds"] for r in rows]
    print(
        f"\n{len(rows)} claims: support read {s['support_read'][0]}/{s['support_read'][1]}; "
        f"contradiction read {s['contradiction_read'][0]}/{s['contradiction_read'][1]}; "
        f"silent papers given a stance {s['silent_given_stance'][0]}/"
        f"{s['silent_given_stance'][1]} ({s['silent_as_support']} as support); indirect "
        f"given a stance {s['indirect_given_stance'][0]}/{s['indirect_given_stance'][1]}; "
        f"{sum(secs) / max(1, len(secs)):.0f} s per claim"
    )
    print("reader -> weigh:", ", ".join(f"{k} {v}" for k, v in s["table"].items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--home", type=Path, default=Path("/tmp/ideapump-topic"))
    ap.add_argument("--claims", default="", help="claim numbers, comma-separated (default all)")
    ap.add_argument("--max-papers", type=int, default=40)
    ap.add_argument("--passages-per-paper", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("weigh-topic.jsonl"))
    ap.add_argument("--report", type=Path, nargs="+", default=None)
    args = ap.parse_args()
    if args.report:
        report(args.report)
        return

    from ideapump.agent import WeighOptions, weigh
    from ideapump.config import get_settings
    from ideapump.runtime import Runtime

    claims = parse_claims(args.corpus / "claims.md")
    wanted = {int(x) for x in args.claims.split(",") if x.strip()}
    claims = [c for c in claims if not wanted or c["n"] in wanted]
    runtime = Runtime(get_settings(home=args.home))
    lib = runtime.library("topic")
    if lib.ingest(sorted(args.corpus.glob("*.pdf"))).failed:
        raise SystemExit("ingest failed")
    key_of = {d.doc_id: paper_key(d.source) for d in lib.papers()}
    done = set()
    if args.out.exists():
        done = {json.loads(x)["n"] for x in args.out.read_text().splitlines() if x.strip()}
    wo = WeighOptions(max_papers=args.max_papers, passages_per_paper=args.passages_per_paper)
    with args.out.open("a", encoding="utf-8") as fh:
        for c in claims:
            if c["n"] in done:
                continue
            started = time.perf_counter()
            rep = weigh(lib, runtime.chat_model, c["claim"], weigh_options=wo)
            secs = time.perf_counter() - started
            seen = {r.doc_id: r for r in rep.papers_considered}
            papers = []
            for doc_id, key in sorted(key_of.items(), key=lambda kv: kv[1]):
                r = seen.get(doc_id)
                stance = r.stance if r is not None and r.used else "unused"
                papers.append(
                    {
                        "paper": key,
                        "reader": c["papers"].get(key, "silent"),
                        "stance": stance,
                        "finding": r.finding if r is not None else "",
                    }
                )
            row = {
                "n": c["n"],
                "claim": c["claim"],
                "verdict": rep.verdict,
                "confidence": rep.confidence,
                "rules": rep.rules,
                "papers": papers,
                "papers_used": sum(1 for r in rep.papers_considered if r.used),
                "calls": rep.model_calls,
                "seconds": round(secs, 1),
            }
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            report_row = score([row])
            print(
                f"claim {c['n']}: {rep.verdict} ({rep.confidence}), {secs:.0f} s; "
                f"support read {report_row['support_read']}, silent given a stance "
                f"{report_row['silent_given_stance']}",
                flush=True,
            )
    report([args.out])


if __name__ == "__main__":
    main()
