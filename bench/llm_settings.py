"""How fast the offline model reads and writes under llama.cpp's server settings.

    .venv/bin/python -m bench.llm_settings --home H [--variants default,fa_off,...] [--rounds 2]

``H`` holds the offline model (``H/models``; ``ideapump models pull`` puts it there).
Each variant starts its own llama.cpp server (xllamacpp, with
``ideapump.llm.serve_local``'s settings and the variant's changes to them) in a child
process, sends three prompts of about 600 tokens that share nothing (so nothing comes
from the prompt cache) and writes 48 tokens for each; printed: the median
prompt-reading and writing speed from the server's own ``timings``. Rounds alternate the variants, so a machine that slows down
during the run slows all of them. Issue 17 asked to try the thread count, batch sizes
and attention settings before building on them; figures only, nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

# name -> (CommonParams attribute or "poll"/"threads", value) pairs
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "fa_off": {"flash_attn_type": 0},
    "fa_on": {"flash_attn_type": 1},
    "ubatch256": {"n_ubatch": 256},
    "poll0": {"poll": 0},
    "poll100": {"poll": 100},
    "one_thread": {"threads": 1},
    "no_repack": {"no_extra_bufts": True},
}
_TEXT = Path(__file__).resolve().parent.parent / "README.md"


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        url + "/completion",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=600) as r:
        return dict(json.load(r))


def _one(model: str, name: str, round_: int) -> dict[str, float]:
    """Runs in a child process: start a server with ``name``'s settings, time 3 prompts."""
    import xllamacpp as xlc

    from ideapump.config import Settings
    from ideapump.llm.serve_local import server_params

    variant = VARIANTS[name]
    threads = variant.get("threads") or os.cpu_count() or 1
    p = server_params(Path(model), "bench", Settings().llm.context_size, threads)
    for key, value in variant.items():
        if key == "poll":
            p.cpuparams.poll = value
            p.cpuparams_batch.poll = value
        elif key != "threads":
            setattr(p, key, value)
    server = xlc.Server(p)
    url = str(server.listening_address).rstrip("/")
    text = _TEXT.read_text(encoding="utf-8")
    read, written = [], []
    for i in range(3):
        prompt = f"{i}{round_} " + text[i * 400 : i * 400 + 2400]
        body = {"prompt": prompt, "n_predict": 48, "cache_prompt": False, "temperature": 0}
        t = _post(url, body)["timings"]
        read.append(t["prompt_per_second"])
        written.append(t["predicted_per_second"])
    return {"read": statistics.median(read), "write": statistics.median(written)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--home", type=Path, help="IDEAPUMP_HOME with the offline model")
    ap.add_argument("--variants", default=",".join(VARIANTS), help=", ".join(VARIANTS))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child", nargs=2, metavar=("MODEL", "VARIANT"), help=argparse.SUPPRESS)
    ap.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.child[0], args.child[1], args.round)))
        return

    from ideapump.config import Settings
    from ideapump.llm import weights

    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in names if v not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variant(s) {unknown}: choose from {', '.join(VARIANTS)}")
    settings = Settings(home=args.home) if args.home else Settings()
    model = str(weights.ensure_model(settings.models_dir, settings.llm.local_model))
    got: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    for round_ in range(args.rounds):
        for name in names:
            cmd = [sys.executable, "-m", "bench.llm_settings", "--child", model, name]
            out = subprocess.run(
                [*cmd, "--round", str(round_)], capture_output=True, text=True, timeout=900
            )
            lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
            if out.returncode or not lines:
                print(f"{name:11s} round {round_}: failed ({out.stderr.strip()[-200:]})")
                continue
            row = json.loads(lines[-1])
            got[name].append(row)
            print(
                f"{name:11s} round {round_}: reads {row['read']:5.1f} tokens/s, "
                f"writes {row['write']:5.1f} tokens/s",
                flush=True,
            )
    print("\nmedian over rounds:")
    for name, rows in got.items():
        if rows:
            read = statistics.median(r["read"] for r in rows)
            write = statistics.median(r["write"] for r in rows)
            print(f"  {name:11s} reads {read:5.1f} tokens/s, writes {write:5.1f} tokens/s")


if __name__ == "__main__":
    main()
