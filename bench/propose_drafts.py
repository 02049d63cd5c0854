"""How often a proposal draft of the offline model ends coherent: ``propose``'s drafting stage alone.

    python -m bench.propose_drafts --home H --runs 6 [--passages 4] [--question Q]

``H`` holds an ingested library (the 12 corpus papers) and the offline model
(``H/models``); the model is whatever the settings say. Each run asks for one
draft as ``propose`` does (citations checked and re-quoted, the claim check,
the design rules, one targeted repair, one more draft when it is dropped:
``AgentOptions.redrafts``) and stops there: no review, no
tournament, so a run is 35-110 s on a 2-core CPU instead of minutes. The
question and ``--passages 4`` default to the README quick start's
``propose -n 1``. Printed per run: kept or dropped, why, seconds; then the count.
``--out F.jsonl`` keeps every kept draft whole (and why each dropped one was
dropped), to be read as a researcher would. Figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

QUESTION = "how does noradrenaline shape exploration?"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--home", type=Path, required=True, help="IDEAPUMP_HOME with the corpus")
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--passages", type=int, default=4)
    ap.add_argument("--question", default=QUESTION)
    ap.add_argument("--out", type=Path, help="JSON lines: each run's draft or why it was dropped")
    args = ap.parse_args(argv)

    from ideapump.agent import AgentOptions
    from ideapump.agent.grounding import Evidence
    from ideapump.agent.propose import _generate, gather
    from ideapump.config import Settings
    from ideapump.errors import IdeaPumpError
    from ideapump.facade import IdeaPump

    options = AgentOptions(passages=args.passages)
    pump = IdeaPump.from_settings(Settings(home=args.home), options=options)
    passages = gather(pump.library, args.question, options)
    if not passages:
        sys.exit("nothing relevant in the library for the question: ingest the corpus first")
    evidence = Evidence(passages, pump.library)
    block = evidence.block()
    kept = 0
    out = args.out.open("w", encoding="utf-8") if args.out else None
    for run in range(1, args.runs + 1):
        started = time.monotonic()
        try:
            made = _generate(pump.llm, args.question, evidence, block, 1, options)
        except IdeaPumpError as exc:  # a time-out under load: say which setting, go on
            print(f"run {run}: failed after {time.monotonic() - started:.1f} s: {exc}", flush=True)
            continue
        seconds = time.monotonic() - started
        if made.drafts:
            kept += 1
            d = made.drafts[0]
            what = f"kept: {d.title!r}; conditions {d.conditions}; controls {d.controls}"
            if made.why:
                what += f" (drafted again after: {made.why[0]})"
        else:
            what = f"dropped: {made.why[0] if made.why else '?'}"
        print(f"run {run}: {seconds:.1f} s  {what}", flush=True)
        if out:
            row = {"run": run, "seconds": round(seconds, 1), "why": made.why}
            row["draft"] = made.drafts[0].model_dump() if made.drafts else None
            out.write(json.dumps(row) + "\n")
            out.flush()
    print(f"coherent drafts: {kept} of {args.runs}")


if __name__ == "__main__":
    main()
