"""A small fake OpenAI-compatible model server on loopback, for end-to-end tests and benches.

    python -m tests.fake_llm_server --port 8765 --tokens-per-s 50 --tokens 40

``POST /v1/chat/completions`` answers like a real endpoint, streamed or not:

* ``response_format`` json_schema named after one of the agent's drafts
  (ProposalDraft, ReflectionDraft, ComparisonDraft, CritiqueDraft, StanceAnswer,
  SummaryDraft):
  a valid draft that cites passage 1 (and 2) of the request's ``<documents>``
  block with verbatim quotes, so the agent's citation check passes;
* otherwise text: ``--tokens`` words; when documents were sent, the opening words of
  each document, cited ("... [2]."), as a faithful model answers from evidence.

Streams pace their tokens at ``--tokens-per-s`` after ``--prefill-s``, so the
model's own latency is known. ``GET /_timings`` returns, per request tagged
``bench-<id>`` in its messages, when the request arrived, its first token left
and its last token left (``time.time()``), for benches to subtract the model's
time from what a client sees, and the client's port (one per connection).

It also takes the command line of ``python -m ideapump.llm.serve_local`` (``--model``,
``--alias``, ``--ctx``, ``--threads``, ``--state-file``, ``--parent-pid``, ``--port 0``)
and answers ``/health``, writing and removing the same state file: with
``ideapump.llm.local.SERVE_MODULE`` pointed at this module, the real start,
supervision and stop of the offline model run against it (tests/llm/test_supervise.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.openai_mock import documents

_TAG = re.compile(r"bench-(\d+)")
_FILLER = [
    "This",
    "suggests",
    "a",
    "follow-up",
    "that",
    "manipulates",
    "the",
    "factor",
    "directly",
    "while",
    "holding",
    "arousal",
    "and",
    "luminance",
    "constant,",
    "with",
    "a",
    "preregistered",
    "primary",
    "measure",
    "and",
    "a",
    "matched",
    "control",
    "group",
]


def passages(body: dict[str, Any]) -> dict[int, str]:
    text = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
    return {d.n: " ".join(d.text.split()) for d in documents(text)}


def quote(text: str, words: int = 8, skip: int = 0) -> str:
    return " ".join(text.split()[skip : skip + words])


# What a model told the experiments already proposed measures next (propose drops a
# draft of an experiment it already has).
_OUTCOMES = (
    "the outcome reported in the cited passage",
    "reaction time to the cue",
    "error rate in a transfer task",
)


def already_proposed(body: dict[str, Any] | None) -> int:
    """How many experiments the request says were already proposed."""
    text = json.dumps((body or {}).get("messages", []))
    line = re.search(r"Already proposed[^:]*:([^\\]*)", text)
    return line[1].count(" vs ") if line else 0


def draft(name: str, docs: dict[int, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A valid draft for the agent's schema ``name``, citing the request's passages; a
    proposal differs from those the request names as already proposed."""
    first = min(docs) if docs else 1
    q1 = quote(docs.get(first, ""))
    if name == "ProposalDraft":
        k = already_proposed(body) % len(_OUTCOMES)
        return {
            "title": "Manipulate the retrieved factor in a preregistered follow-up"
            + (f", part {k + 1}" if k else ""),
            "hypothesis": f"Changing the factor reported in the cited work shifts {_OUTCOMES[k]}.",
            "rationale": "The cited passage reports the effect in one sample only.",
            "design": "Between-subjects, two groups, randomised and blinded.",
            "conditions": ["manipulation", "control"],
            "controls": ["matched placebo", "luminance held constant"],
            "primary_measure": _OUTCOMES[k],
            "expected_if_true": "A larger effect in the manipulation group.",
            "expected_if_false": "No group difference.",
            "risks": ["small effect"],
            "citations": [{"n": first, "quote": q1}],
        }
    if name == "ReflectionDraft":
        return {
            "feasibility": "Feasible in a standard lab within a semester.",
            "confounds": ["arousal"],
            "missing_controls": ["attention check"],
            "already_done": False,
            "how_it_differs": "Adds a direct manipulation.",
            "feasibility_score": 4,
            "novelty_score": 3,
        }
    if name == "ComparisonDraft":
        return {"winner": "A", "reason": "better controlled"}
    if name == "CritiqueDraft":
        return {
            "summary": "A careful study with a small sample.",
            "points": [
                {
                    "aspect": "sample_size",
                    "issue": "Small sample.",
                    "suggestion": "Replicate with more participants.",
                    "n": first,
                    "quote": q1,
                }
            ],
        }
    if name == "StanceAnswer":  # weigh: one passage at a time
        return {"answer": "yes", "effect": None}
    if name == "SummaryDraft":
        return {"sentences": [{"text": "The papers read support the claim.", "papers": [1]}]}
    raise ValueError(f"the fake model has no canned answer for schema {name!r}")


def words(n: int, docs: dict[int, str]) -> list[str]:
    """``n`` words: with documents, each document's opening words, cited ("... [2]."), as a
    faithful model answers from numbered evidence; without, filler."""
    if docs:
        out: list[str] = []
        while len(out) < n:
            for i, text in sorted(docs.items()):
                lead = text.split()[:7]
                out += [*lead[:-1], f"{lead[-1].rstrip('.,;:')} [{i}]."] if lead else []
            if not any(t.split() for t in docs.values()):
                break
        return [w + " " for w in out[:n]]
    out = ["The", "library", "reports", "this", "directly", "."]
    lead_n = len(out)
    while len(out) < n:
        out.append(_FILLER[(len(out) - lead_n) % len(_FILLER)])
    return [w + " " for w in out[:n]]


def _chunk(content: str | None, finish: str | None = None, role: bool = False) -> str:
    delta: dict[str, Any] = {} if content is None else {"content": content}
    if role:
        delta["role"] = "assistant"
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "fake",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n"


def make_app(tokens_per_s: float = 50.0, tokens: int = 40, prefill_s: float = 0.05) -> Starlette:
    timings: dict[str, dict[str, float]] = {}

    async def completions(request: Request) -> Response:
        arrived = time.time()
        body = await request.json()
        docs = passages(body)
        # the newest tag: earlier turns of the conversation may be quoted before it
        tags = _TAG.findall(json.dumps(body.get("messages", [])))
        tag = tags[-1] if tags else None
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            try:
                content = json.dumps(draft(fmt["json_schema"]["name"], docs, body))
            except ValueError as exc:
                return JSONResponse({"error": {"message": str(exc)}}, status_code=400)
            pieces = [content]
        else:
            pieces = words(min(tokens, int(body.get("max_tokens") or tokens)), docs)
        if not body.get("stream"):
            await asyncio.sleep(prefill_s + len(pieces) / tokens_per_s)
            return JSONResponse(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": "fake",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(pieces)},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": len(pieces)},
                }
            )

        async def stream() -> AsyncIterator[str]:
            await asyncio.sleep(prefill_s)
            first = 0.0
            start = time.monotonic()
            for i, piece in enumerate(pieces):
                # paced against the start, so a slow consumer does not slow the model down
                await asyncio.sleep(max(0.0, start + i / tokens_per_s - time.monotonic()))
                yield _chunk(piece, role=i == 0)
                first = first or time.time()
            yield _chunk(None, finish="stop")
            yield "data: [DONE]\n\n"
            if tag is not None:
                timings[tag] = {
                    "arrived": arrived,
                    "first": first,
                    "last": time.time(),
                    # the client's port tells one connection from another
                    "client_port": request.client.port if request.client else 0,
                }

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def models(_request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def get_timings(_request: Request) -> Response:
        return JSONResponse(timings)

    return Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/v1/models", models),
            Route("/health", health),
            Route("/_timings", get_timings),
        ]
    )


def _serve_as_local_model(app: Starlette, a: argparse.Namespace) -> None:
    """Serve like ideapump.llm.serve_local: state file once listening, removed on the way out."""
    import os
    import socket
    import threading

    import uvicorn

    from ideapump.llm.serve_local import remove_state_if_mine, write_state

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", a.port))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        state = {"pid": os.getpid(), "url": url, "model": a.alias, "n_ctx": a.ctx}
        write_state(a.state_file, {**state, "owner_pid": a.parent_pid, "started_at": time.time()})
        print(f"fake model server: serving {a.alias} at {url}", flush=True)
        while a.parent_pid and not server.should_exit:  # die with the parent, as serve_local
            if os.getppid() != a.parent_pid:
                server.should_exit = True
            time.sleep(0.5)

    threading.Thread(target=announce, daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        remove_state_if_mine(a.state_file)
        print("fake model server: stopped", flush=True)


def main() -> None:
    import uvicorn

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--tokens-per-s", type=float, default=50.0)
    ap.add_argument("--tokens", type=int, default=40, help="words per text answer")
    ap.add_argument("--prefill-s", type=float, default=0.05, help="delay before the first token")
    # serve_local's command line (the model file is not read)
    ap.add_argument("--model", help="as serve_local (ignored)")
    ap.add_argument("--alias", default="fake")
    ap.add_argument("--ctx", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--state-file", type=Path)
    ap.add_argument("--parent-pid", type=int, default=0)
    ap.add_argument("--speculative", default="none", help="as serve_local (ignored)")
    a = ap.parse_args()
    app = make_app(a.tokens_per_s, a.tokens, a.prefill_s)
    if a.state_file:
        _serve_as_local_model(app, a)
        return
    uvicorn.run(app, host="127.0.0.1", port=a.port, log_level="warning")


if __name__ == "__main__":
    main()
