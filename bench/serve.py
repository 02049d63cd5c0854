"""Service bench: N concurrent streamed conversations against the real server.

    .venv/bin/python bench/serve.py --streams 32 --rounds 3 --tokens-per-s 50 --tokens 40

Starts the fake OpenAI-compatible model (tests/fake_llm_server.py: a fixed
prefill delay, then ``--tokens`` words at ``--tokens-per-s``) and IdeaPump
(``uvicorn --factory ideapump.api:create_app``, one process, its own temporary
home) on loopback, uploads one paper, then runs ``--streams`` conversations at
once, each sending ``--rounds`` questions one after the other and reading the
SSE reply to its ``done`` event.

Every message carries a tag the model server records with its own timings
(request arrived, first and last token sent), so per request::

    model time      = model's last token - model's request arrival
    added           = client's total time - model time           (all IdeaPump adds)
    before model    = model's arrival - client's send            (routing, retrieval, DB)
    added excl. retrieval = added - before model                 (relaying the stream,
                      storing the reply, the done event)
    last token lag  = client's last token - model's last token     (relaying)
    closing         = client's done event - client's last token    (storing the reply)

Retrieval alone is also timed: ``--streams`` concurrent POST /search.
Memory: the server's resident set (VmRSS) after the run and its peak (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import fake_llm, ideapump_server, server_env

PAPER = (
    "# Noradrenaline and exploration\n\n"
    "Participants (N = 60) given atomoxetine chose novel options more often in long horizons "
    "than participants given placebo, t(58) = 2.40, p = .02. Random exploration increased "
    "with noradrenaline while directed exploration did not change.\n\n"
    "Pupil size tracked uncertainty, and the drug effect was strongest when the horizon was long."
)
QUESTION = "What did atomoxetine do to exploration in long horizons? (bench-{tag})"


@dataclass
class Sample:
    tag: str
    sent: float
    first_token: float
    last_token: float
    done: float
    ok: bool


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def one_reply(http: httpx.AsyncClient, conv_id: str, tag: str) -> Sample:
    sent = time.time()
    first = last = 0.0
    ok = False
    body = {"content": QUESTION.format(tag=tag)}
    async with http.stream("POST", f"/conversations/{conv_id}/messages", json=body) as r:
        event = ""
        async for line in r.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
                if event == "token":
                    last = time.time()
                    first = first or last
                ok = ok or event == "done"
    return Sample(tag, sent, first, last, time.time(), ok and r.status_code == 200)


async def stream_worker(http: httpx.AsyncClient, i: int, rounds: int) -> list[Sample]:
    conv = (await http.post("/conversations", json={"title": f"bench {i}"})).json()
    return [await one_reply(http, conv["conv_id"], str(1000 * (i + 1) + j)) for j in range(rounds)]


async def timed_search(http: httpx.AsyncClient) -> float:
    t0 = time.perf_counter()
    r = await http.post("/search", json={"query": "atomoxetine exploration long horizons"})
    r.raise_for_status()
    return time.perf_counter() - t0


def memory(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields


async def run(args: argparse.Namespace, base_url: str, llm_url: str) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=args.streams + 4)
    async with httpx.AsyncClient(base_url=base_url, timeout=300, limits=limits) as http:
        files = [("files", ("paper.md", PAPER.encode(), "text/markdown"))]
        (await http.post("/documents", files=files)).raise_for_status()
        warm = (await http.post("/conversations", json={})).json()
        await one_reply(http, warm["conv_id"], "0")  # first-use costs (model client, BM25)

        searches = await asyncio.gather(*(timed_search(http) for _ in range(args.streams)))
        t0 = time.perf_counter()
        per_stream = await asyncio.gather(
            *(stream_worker(http, i, args.rounds) for i in range(args.streams))
        )
        wall = time.perf_counter() - t0
    samples = [s for batch in per_stream for s in batch]
    timings = httpx.get(llm_url.removesuffix("/v1") + "/_timings").json()
    if not any(s.ok and s.tag in timings for s in samples):
        raise SystemExit(f"no reply was timed by the model: {samples[:2]}, {list(timings)[:5]}")

    added, before, excl, ttft, model_ttft, total, model_total = [], [], [], [], [], [], []
    relay_lag, closing = [], []
    for s in samples:
        m = timings.get(s.tag)
        if not (s.ok and m):
            continue
        model_time = m["last"] - m["arrived"]
        added.append(s.done - s.sent - model_time)
        before.append(m["arrived"] - s.sent)
        excl.append(added[-1] - before[-1])
        relay_lag.append(s.last_token - m["last"])
        closing.append(s.done - s.last_token)
        ttft.append(s.first_token - s.sent)
        model_ttft.append(m["first"] - m["arrived"])
        total.append(s.done - s.sent)
        model_total.append(model_time)
    ms = 1000.0
    return {
        "streams": args.streams,
        "rounds": args.rounds,
        "requests": len(samples),
        "failed": sum(not s.ok for s in samples),
        "wall_s": round(wall, 2),
        "requests_per_s": round(len(samples) / wall, 2),
        "model": {
            "tokens_per_s": args.tokens_per_s,
            "tokens": args.tokens,
            "prefill_ms": args.prefill_s * ms,
            "ttft_p50_ms": round(statistics.median(model_ttft) * ms, 1),
            "total_p50_ms": round(statistics.median(model_total) * ms, 1),
        },
        "client": {
            "ttft_p50_ms": round(statistics.median(ttft) * ms, 1),
            "ttft_p95_ms": round(pct(ttft, 95) * ms, 1),
            "total_p50_ms": round(statistics.median(total) * ms, 1),
            "total_p95_ms": round(pct(total, 95) * ms, 1),
        },
        "added_by_ideapump": {
            "p50_ms": round(statistics.median(added) * ms, 1),
            "p95_ms": round(pct(added, 95) * ms, 1),
            "before_model_p50_ms": round(statistics.median(before) * ms, 1),
            "before_model_p95_ms": round(pct(before, 95) * ms, 1),
            "excluding_retrieval_p50_ms": round(statistics.median(excl) * ms, 1),
            "excluding_retrieval_p95_ms": round(pct(excl, 95) * ms, 1),
            "last_token_lag_p50_ms": round(statistics.median(relay_lag) * ms, 1),
            "last_token_lag_p95_ms": round(pct(relay_lag, 95) * ms, 1),
            "closing_p50_ms": round(statistics.median(closing) * ms, 1),
            "closing_p95_ms": round(pct(closing, 95) * ms, 1),
        },
        "search_alone": {
            "concurrent": args.streams,
            "p50_ms": round(statistics.median(searches) * ms, 1),
            "p95_ms": round(pct(list(searches), 95) * ms, 1),
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="IdeaPump service bench (streamed conversations)")
    ap.add_argument("--streams", type=int, default=32, help="concurrent conversations")
    ap.add_argument("--rounds", type=int, default=3, help="messages per conversation")
    ap.add_argument("--tokens-per-s", type=float, default=50.0, help="fake model speed")
    ap.add_argument("--tokens", type=int, default=40, help="words per fake model answer")
    ap.add_argument("--prefill-s", type=float, default=0.05, help="fake model's first-token delay")
    ap.add_argument(
        "--max-concurrent-retrievals",
        type=int,
        default=0,
        help="the server's IDEAPUMP_SERVER__MAX_CONCURRENT_RETRIEVALS (0: no limit)",
    )
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="ideapump-bench-") as home,
        fake_llm(args.tokens_per_s, args.tokens, args.prefill_s) as llm_url,
    ):
        env = server_env(
            Path(home),
            llm_url,
            IDEAPUMP_SERVER__MAX_CONCURRENT_GENERATIONS=str(args.streams),
            IDEAPUMP_SERVER__RATE_LIMIT_PER_MINUTE="1000000",
            IDEAPUMP_LLM__TIMEOUT_S="120",
            IDEAPUMP_SERVER__MAX_CONCURRENT_RETRIEVALS=str(args.max_concurrent_retrievals),
        )
        procs: list[Any] = []
        with ideapump_server(env, procs=procs) as base_url:
            result = asyncio.run(run(args, base_url, llm_url))
            result["server_memory_mb"] = {k: round(v, 1) for k, v in memory(procs[0].pid).items()}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    a, c, m = result["added_by_ideapump"], result["client"], result["model"]
    print(
        f"{result['streams']} concurrent streams x {result['rounds']} rounds = "
        f"{result['requests']} replies ({result['failed']} failed) in {result['wall_s']} s: "
        f"{result['requests_per_s']} replies/s"
    )
    print(
        f"model alone: TTFT p50 {m['ttft_p50_ms']} ms, reply p50 {m['total_p50_ms']} ms "
        f"({m['tokens']} tokens at {m['tokens_per_s']:g} tok/s)"
    )
    print(
        f"client: TTFT p50 {c['ttft_p50_ms']} / p95 {c['ttft_p95_ms']} ms; reply p50 "
        f"{c['total_p50_ms']} / p95 {c['total_p95_ms']} ms"
    )
    print(
        f"added by IdeaPump: p50 {a['p50_ms']} / p95 {a['p95_ms']} ms; before the model call "
        f"(routing, retrieval, DB) p50 {a['before_model_p50_ms']} / p95 "
        f"{a['before_model_p95_ms']} ms; excluding retrieval p50 "
        f"{a['excluding_retrieval_p50_ms']} / p95 {a['excluding_retrieval_p95_ms']} ms"
    )
    print(
        f"  of which: last token relayed after the model sent it p50 {a['last_token_lag_p50_ms']} "
        f"/ p95 {a['last_token_lag_p95_ms']} ms; last token to done (store the reply) p50 "
        f"{a['closing_p50_ms']} / p95 {a['closing_p95_ms']} ms"
    )
    s = result["search_alone"]
    print(
        f"retrieval alone ({s['concurrent']} concurrent /search): p50 {s['p50_ms']} / p95 {s['p95_ms']} ms"
    )
    print(f"server memory: {result['server_memory_mb']} MB")


if __name__ == "__main__":
    main()
