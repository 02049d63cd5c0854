"""Can the model's own yes/no probabilities answer PubMedQA? (a ceiling for calibration)

For each item of the same fixed sample as ``bench/pubmedqa.py``, the stance prompt of
``weigh`` (``prompts/weigh_stance.md``) is asked once with the whole abstract, the
answer prefilled up to its first token (``{"answer": "``), and the endpoint's
``logprobs`` for that token are kept: P(yes), P(no), P(unclear). The figures:

* accuracy of the most probable answer (yes / no / unclear as maybe);
* AUC of P(yes) / (P(yes) + P(no)) between the "yes" and the "no" items: 0.5 is
  chance; how well any threshold could separate them;
* accuracy of yes/no by each threshold on that share (the best of them is fitted on
  the items it is measured on, so it is an upper bound, not a result).

    python -m bench.pubmedqa_logprobs --home H --n 100 --seed 20 --out lp.jsonl
    python -m bench.pubmedqa_logprobs --report lp.jsonl

The offline default's llama.cpp server returns ``logprobs``; with ``IDEAPUMP_LLM__BASE_URL``
any OpenAI-compatible endpoint that returns them (and continues a prefilled assistant
message) runs the same.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.pubmedqa import DATA, document, load, sample

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def _share(row: dict[str, Any]) -> float:
    return float(row["yes"] / ((row["yes"] + row["no"]) or 1.0))


def report(rows: list[dict[str, Any]]) -> None:
    def accuracy(pred: list[str]) -> float:
        return sum(p == r["gold"] for p, r in zip(pred, rows, strict=True)) / len(rows)

    label = {"yes": "yes", "no": "no", "unc": "maybe"}
    top = [label[max(("yes", "no", "unc"), key=lambda k: r[k])] for r in rows]
    print(f"{len(rows)} items; gold {dict(Counter(r['gold'] for r in rows))}")
    print(f"most probable answer: accuracy {accuracy(top):.1%}, {dict(Counter(top))}")
    yes = [_share(r) for r in rows if r["gold"] == "yes"]
    no = [_share(r) for r in rows if r["gold"] == "no"]
    if yes and no:
        auc = sum((a > b) + 0.5 * (a == b) for a in yes for b in no) / (len(yes) * len(no))
        print(f"AUC of P(yes)/(P(yes)+P(no)), yes against no items: {auc:.3f}")
    for t in THRESHOLDS:
        pred = ["yes" if _share(r) >= t else "no" for r in rows]
        print(f"  'yes' at share >= {t}: accuracy {accuracy(pred):.1%}, {dict(Counter(pred))}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--home", type=Path, default=Path("/tmp/ideapump-pubmedqa"))
    ap.add_argument("--out", type=Path, default=Path("pubmedqa-logprobs.jsonl"))
    ap.add_argument("--report", type=Path, nargs="*", help="print figures from result files")
    args = ap.parse_args()
    if args.report:
        report([json.loads(x) for f in args.report for x in f.read_text().splitlines() if x])
        return

    import openai

    from ideapump.config import Settings
    from ideapump.prompts import data_block, render_prompt

    settings = Settings(home=args.home)
    llm = settings.llm
    secret = llm.api_key.get_secret_value() if llm.api_key else "none"
    base, model = llm.base_url, llm.model
    if not base:
        from ideapump.llm.supervise import ensure_local_server

        server = ensure_local_server(settings)
        base, model = server.base_url, server.model
    client = openai.OpenAI(base_url=base, api_key=secret)
    items = load(args.data)
    done = set()
    if args.out.exists():
        done = {json.loads(x)["pmid"] for x in args.out.read_text().splitlines() if x}
    with args.out.open("a", encoding="utf-8") as fh:
        for pmid in sample(items, args.n, args.seed):
            if pmid in done:
                continue
            item = items[pmid]
            text = document(pmid, item).split("\n", 2)[2]  # without the "# PMID" heading
            user = render_prompt(
                "weigh_stance",
                documents=data_block([{"n": 1, "title": "", "page": None, "text": text}]),
                statement=f"Question: {item['QUESTION']}",
                ask="According to the results in this passage, what is the answer?",
                yes_hint=" (the answer is yes)",
            )
            started = time.perf_counter()
            reply = client.chat.completions.create(
                model=model or "local",
                messages=[
                    {"role": "system", "content": render_prompt("stance_system")},
                    {"role": "user", "content": user},
                    {"role": "assistant", "content": '{"answer": "'},
                ],
                temperature=0,
                max_tokens=1,
                logprobs=True,
                top_logprobs=10,
            )
            logprobs = reply.choices[0].logprobs
            first = logprobs.content[0].top_logprobs if logprobs and logprobs.content else []
            p = {t.token: math.exp(t.logprob) for t in first}
            row = {
                "pmid": pmid,
                "gold": item["final_decision"],
                "yes": p.get("yes", 0.0),
                "no": p.get("no", 0.0),
                "unc": p.get("unc", 0.0) + p.get("unclear", 0.0) + p.get("unknown", 0.0),
                "seconds": round(time.perf_counter() - started, 1),
            }
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            print(json.dumps(row), flush=True)
    report([json.loads(x) for x in args.out.read_text().splitlines() if x])


if __name__ == "__main__":
    main()
