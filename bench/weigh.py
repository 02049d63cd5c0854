"""Dozens of papers on one claim: ``weigh`` over PubMedQA abstracts that share a MeSH topic.

    python -m bench.weigh --mesh Pregnancy \
        --claim "Maternal conditions in pregnancy increase the risk of adverse outcomes" \
        --home /tmp/pqa --out weigh-pregnancy.md

Every abstract carrying the MeSH term (``--mesh``; ``Pregnancy`` has 33 of the
500) is ingested into a library of its own (the same Markdown as
``bench.pubmedqa``: contexts only, no title, no conclusion), and the claim is
weighed with the product's pipeline, the model given by the settings (offline
default unless ``IDEAPUMP_LLM__BASE_URL`` is set). Printed: the verdict and the
rules behind it, papers found / used, stances, effects read, the pooled
estimate where effects are comparable, model calls and seconds. ``--out``
writes the Markdown report (forest plot as inline SVG). ``--dry`` lists the
papers retrieval would use, without the model.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.pubmedqa import DATA, document, load


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--mesh", default="Pregnancy")
    ap.add_argument(
        "--claim", default="Maternal conditions in pregnancy increase the risk of adverse outcomes"
    )
    ap.add_argument("--home", type=Path, default=Path("/tmp/ideapump-pubmedqa"))
    ap.add_argument("--max-papers", type=int, default=40)
    ap.add_argument("--passages-per-paper", type=int, default=1)
    ap.add_argument("--margin", type=float, default=0.25, help="relevance margin (product default)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the EvidenceReport")
    ap.add_argument("--dry", action="store_true")
    args = ap.parse_args()

    from ideapump.agent import AgentOptions, WeighOptions, weigh
    from ideapump.agent.render_weigh import evidence_markdown, render_evidence
    from ideapump.agent.weigh_papers import find_papers
    from ideapump.config import get_settings
    from ideapump.runtime import Runtime

    items = {k: v for k, v in load(args.data).items() if args.mesh in v["MESHES"]}
    folder = args.home / f"mesh-{args.mesh.lower().replace(' ', '-')}"
    folder.mkdir(parents=True, exist_ok=True)
    for pmid, item in items.items():
        (folder / f"{pmid}.md").write_text(document(pmid, item), encoding="utf-8")
    settings = get_settings(home=args.home)
    runtime = Runtime(settings)
    lib = runtime.library("mesh-" + args.mesh.lower().replace(" ", "-"))
    if lib.ingest([folder]).failed:
        raise SystemExit("ingest failed")
    wo = WeighOptions(
        max_papers=args.max_papers,
        passages_per_paper=args.passages_per_paper,
        relevance_margin=args.margin,
    )
    print(f"MeSH {args.mesh!r}: {len(items)} abstracts; claim: {args.claim}")
    if args.dry:
        rows = find_papers(lib, args.claim, AgentOptions(), wo, None)
        for r in rows:
            print(f"  {r.relevance:.2f} {'used' if r.used else r.reason} {r.title}")
        return
    started = time.perf_counter()
    report = weigh(lib, runtime.chat_model, args.claim, weigh_options=wo)
    secs = time.perf_counter() - started
    print(render_evidence(report))
    used = [r for r in report.papers_considered if r.used]
    print(
        f"\nverdict {report.verdict} ({report.confidence}); papers found "
        f"{len(report.papers_considered)}, used {len(used)}; effects read {len(report.effects)}; "
        f"pooled: {f'k = {report.pooled.k}' if report.pooled else 'none'}; "
        f"model calls {report.model_calls}; {secs:.0f} s"
    )
    if args.out:
        args.out.write_text(evidence_markdown(report), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(report.model_dump(mode="json"), indent=1))


if __name__ == "__main__":
    main()
