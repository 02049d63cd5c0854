"""PubMedQA (expert-labelled, 500 items): are IdeaPump's yes/no/maybe answers right?

    python -m bench.pubmedqa --setting closed --n 100 --seed 20 --home /tmp/pqa --out closed.jsonl
    python -m bench.pubmedqa --setting library --n 100 --seed 20 --home /tmp/pqa --out library.jsonl
    python -m bench.pubmedqa --report closed.jsonl library.jsonl

Each item's contexts (the abstract without its conclusion, section labels kept,
no title and never the conclusion) are ingested as one Markdown document
``PMID <id>``, all 500 into one library under ``--home`` (re-runs skip them).
The question is weighed as the claim with the product's own pipeline
(:func:`ideapump.agent.weigh`: per-passage stance by one model call each,
cross-checked, verdict by rules) and the verdict is the answer:
supported -> yes, contradicted -> no, mixed / insufficient -> maybe.

* closed: the weigh is restricted to the item's own abstract (``doc_ids``);
* library: the whole library; retrieval must find the right abstract. The
  report adds how often it was among the papers used, and at rank 1.

In the library setting the product's defaults read every paper within 0.25 of the
best paper's relevance (up to 40), which for some questions is dozens of
abstracts; ``--margin`` / ``--max-papers`` narrow that (say which in a report).
The summary call is skipped (``WeighOptions(summary=False)``): the verdict never
depends on it. The model is whatever the settings say: the offline default
unless ``IDEAPUMP_LLM__BASE_URL`` (and ``__MODEL``, ``__API_KEY``) point at an
OpenAI-compatible endpoint. Items are a fixed random sample (``--seed``);
``--offset``/``--limit`` run a slice of it, appending to ``--out`` (items
already there are skipped), so a long run can be split into parts.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "pubmedqa" / "pqal_dev500.json"
LABELS = ("yes", "no", "maybe")
ANSWER = {"supported": "yes", "contradicted": "no", "mixed": "maybe", "insufficient": "maybe"}


def load(path: Path) -> dict[str, dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def sample(items: dict[str, dict[str, Any]], n: int, seed: int) -> list[str]:
    ids = sorted(items)
    return ids if n >= len(ids) else sorted(random.Random(seed).sample(ids, n))


def document(pmid: str, item: dict[str, Any]) -> str:
    """The abstract as ingested: its sections, labels inline; no title, no conclusion."""
    paras = [
        f"**{label.title()}.** {text}"
        for label, text in zip(item["LABELS"], item["CONTEXTS"], strict=True)
    ]
    return f"# PMID {pmid}\n\n" + "\n\n".join(paras) + "\n"


def build_library(items: dict[str, dict[str, Any]], home: Path) -> tuple[Any, dict[str, str]]:
    """All abstracts in one library under ``home``; returns it and pmid -> doc_id."""
    from ideapump.config import get_settings
    from ideapump.runtime import Runtime

    folder = home / "pubmedqa-docs"
    folder.mkdir(parents=True, exist_ok=True)
    for pmid, item in items.items():
        path = folder / f"{pmid}.md"
        if not path.exists():
            path.write_text(document(pmid, item), encoding="utf-8")
    settings = get_settings(home=home)
    lib = Runtime(settings).library("pubmedqa")
    report = lib.ingest([folder])
    if report.failed:
        raise SystemExit(f"ingest failed: {report.failed}")
    by_source = {Path(d.source).stem: d.doc_id for d in lib.papers()}
    return lib, by_source


def macro_f1(gold: list[str], pred: list[str]) -> float:
    f1s = []
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


def report(paths: list[Path]) -> None:
    for path in paths:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if not rows:
            print(f"{path}: no rows")
            continue
        gold = [r["gold"] for r in rows]
        pred = [r["pred"] for r in rows]
        majority = Counter(gold).most_common(1)[0][0]
        base = [majority] * len(gold)
        acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows)
        base_acc = sum(g == majority for g in gold) / len(rows)
        secs = [r["seconds"] for r in rows]
        print(
            f"{path.name}: setting {rows[0]['setting']}, model {rows[0]['model']}, {len(rows)} items"
        )
        print(f"  accuracy {acc:.1%}  macro-F1 {macro_f1(gold, pred):.3f}")
        print(
            f"  majority baseline ('{majority}'): accuracy {base_acc:.1%}  "
            f"macro-F1 {macro_f1(gold, base):.3f}"
        )
        print(f"  gold {dict(Counter(gold))}  predicted {dict(Counter(pred))}")
        print(
            f"  seconds per question: mean {sum(secs) / len(secs):.1f}, "
            f"median {sorted(secs)[len(secs) // 2]:.1f}; model calls per question "
            f"{sum(r['calls'] for r in rows) / len(rows):.1f}"
        )
        vetoes = sum(r.get("vetoes", 0) for r in rows)
        print(f"  stances vetoed by the direction-word cross-check: {vetoes}")
        if rows[0]["setting"] == "library":
            found = sum(1 for r in rows if r["own_used"])
            first = sum(1 for r in rows if r["own_rank"] == 1)
            print(
                f"  own abstract among the papers used: {found}/{len(rows)}; ranked first: "
                f"{first}/{len(rows)}; papers used per question "
                f"{sum(r['papers_used'] for r in rows) / len(rows):.1f}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--setting", choices=["closed", "library"], default="closed")
    ap.add_argument("--n", type=int, default=100, help="sample size (500: all)")
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--home", type=Path, default=Path("/tmp/ideapump-pubmedqa"))
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--max-papers", type=int, default=40, help="weigh's default: 40")
    ap.add_argument(
        "--margin", type=float, default=0.25, help="relevance margin; weigh's default: 0.25"
    )
    ap.add_argument("--report", type=Path, nargs="*", help="print figures from result files")
    args = ap.parse_args()
    if args.report:
        report(args.report)
        return

    from ideapump.agent import AgentOptions, WeighOptions, weigh
    from ideapump.runtime import Runtime

    items = load(args.data)
    ids = sample(items, args.n, args.seed)
    ids = ids[args.offset : None if args.limit is None else args.offset + args.limit]
    lib, doc_of = build_library(items, args.home)
    out = args.out or Path(f"pubmedqa-{args.setting}-seed{args.seed}.jsonl")
    done = set()
    if out.exists():
        done = {json.loads(x)["pmid"] for x in out.read_text().splitlines() if x.strip()}
    llm = Runtime(lib.settings).chat_model
    model = lib.settings.llm.model or lib.settings.llm.local_model
    wo = WeighOptions(summary=False, max_papers=args.max_papers, relevance_margin=args.margin)
    with out.open("a", encoding="utf-8") as fh:
        for pmid in ids:
            if pmid in done:
                continue
            item = items[pmid]
            own = doc_of[pmid]
            started = time.perf_counter()
            rep = weigh(
                lib,
                llm,
                item["QUESTION"],
                options=AgentOptions(),
                weigh_options=wo,
                doc_ids=[own] if args.setting == "closed" else None,
            )
            secs = time.perf_counter() - started
            used = [r for r in rep.papers_considered if r.used]
            rank = next((i for i, r in enumerate(used, 1) if r.doc_id == own), None)
            row = {
                "pmid": pmid,
                "setting": args.setting,
                "model": model,
                "question": item["QUESTION"],
                "gold": item["final_decision"],
                "pred": ANSWER[rep.verdict],
                "verdict": rep.verdict,
                "stances": [p.stance for p in rep.passages],
                "model_stances": [p.model_stance for p in rep.passages],
                "findings": [p.finding for p in rep.passages],
                "vetoes": sum(1 for p in rep.passages if p.model_stance != p.stance),
                "papers_used": len(used),
                "own_used": rank is not None,
                "own_rank": rank,
                "calls": rep.model_calls,
                "seconds": round(secs, 2),
            }
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            print(
                f"{pmid} gold {row['gold']:<5} pred {row['pred']:<5} {secs:5.1f}s "
                f"{row['stances']} {item['QUESTION'][:70]}",
                flush=True,
            )
    report([out])


if __name__ == "__main__":
    main()
