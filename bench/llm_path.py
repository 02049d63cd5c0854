"""The model path with the real offline model: what a researcher waits for, and why.

    .venv/bin/python -m bench.llm_path --home H [--questions 10] [--only chat,propose,...]

``H`` holds an ingested library (the 12 corpus papers: ``ideapump ingest``) and the
offline model (``H/models``). The bench starts the local model server as the code
under test does (``ensure_local_server``: its own server settings), puts a recording
proxy in front of it and points IdeaPump at the proxy, so every model call is seen
the same way whatever the commit: prompt tokens, how many llama.cpp read and how
many it took from the slot's cache (its ``timings``), tokens written, seconds.

It runs, through the facade of the code under test (``PYTHONPATH=<worktree>`` runs
another commit's code with this bench):

* chat: ``--questions`` questions from the corpus, one conversation each; time to
  the first evidence (a citation or evidence event, before the answer's text),
  to the first token of the answer, and to the end;
* ``propose`` (``-n 3``), ``critique`` of the Dubois paper, ``weigh`` of a claim.

Figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

QUESTIONS = [
    "What dose of atomoxetine did participants in the Dubois study receive?",
    "How many participants took part in the noradrenaline exploration study?",
    "Did propranolol change directed exploration?",
    "What did the Mendt bed rest study find for core body temperature with exercise?",
    "How long did the bed rest last in the Mendt study?",
    "What response rate did the EARS smoking trial report for recruitment?",
    "Which hand hygiene interventions were compared in the Lhakhang cross-over study?",
    "Did the web-based hand hygiene intervention in Yardley et al. increase hand washing?",
    "What does the pupillary light response reflect according to Mathot?",
    "Which oxidative stress agent was given to the rats in Iguchi et al.?",
    "What did the U@Uni trial find for fruit and vegetable intake?",
    "How were horse facial expressions analysed in the Phelipon study?",
]
PROPOSE = "how does noradrenaline shape exploration?"
CLAIM = "atomoxetine increases random exploration"
REPAIRS = ("Requote", "DesignFix")  # schemas of the targeted re-asks (ideapump.agent)


class Recorder:
    """Model calls seen by the proxy, with llama.cpp's timings."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def add(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(record)

    def since(self, start: int) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.calls[start:])

    def mark(self) -> int:
        with self.lock:
            return len(self.calls)


def _asked(raw: bytes) -> str:
    """The end of the request's last message: the stage's task, a re-ask's correction.

    A request that carries an earlier reply of the model (an assistant message), or
    asks for a repair of one (:data:`REPAIRS`), is a re-ask, marked ``[re-ask]``: an
    extra call after a failed check.
    """
    with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):
        body = json.loads(raw)
        messages = body["messages"]
        schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
        # a targeted repair (failing citations, design fields) is a re-ask too
        reask = any(m.get("role") == "assistant" for m in messages) or schema in REPAIRS
        return ("[re-ask] " if reask else "") + str(messages[-1]["content"])[-1500:]
    return ""


def _record(
    body: dict[str, Any], wall: float, first: float | None, asked: str = "", reply: str = ""
) -> dict[str, Any]:
    t = body.get("timings") or {}
    usage = body.get("usage") or {}
    if not reply:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            reply = body["choices"][0]["message"]["content"] or ""
    finish = None
    with contextlib.suppress(KeyError, IndexError, TypeError):
        finish = body["choices"][0].get("finish_reason")
    return {
        "wall_s": round(wall, 2),
        "first_token_s": None if first is None else round(first, 2),
        "prompt_tokens": usage.get("prompt_tokens"),
        "prompt_read": t.get("prompt_n"),
        "prompt_cached": t.get("cache_n"),
        "written": t.get("predicted_n", usage.get("completion_tokens")),
        "prompt_s": round(t.get("prompt_ms", 0) / 1000, 2),
        "write_s": round(t.get("predicted_ms", 0) / 1000, 2),
        "draft": t.get("draft_n"),
        "draft_accepted": t.get("draft_n_accepted"),
        # what was asked and written (in --out only): re-asks and wasted fields show here
        "finish": finish,
        "asked": asked,
        "reply": reply,
    }


def proxy(upstream: str, recorder: Recorder) -> ThreadingHTTPServer:
    """A loopback HTTP proxy to ``upstream`` that records every chat completion."""
    client = httpx.Client(base_url=upstream, timeout=None)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            r = client.get(self.path)
            self._answer(r.status_code, r.headers.get("content-type", ""), r.content)

        def _answer(self, status: int, ctype: str, content: bytes) -> None:
            self.send_response(status)
            self.send_header("content-type", ctype or "application/json")
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", 0)))
            started = time.monotonic()
            try:
                stream = bool(json.loads(raw).get("stream"))
            except ValueError:
                stream = False
            headers = {"content-type": "application/json"}
            if not stream:
                r = client.post(self.path, content=raw, headers=headers)
                self._answer(r.status_code, r.headers.get("content-type", ""), r.content)
                with contextlib.suppress(ValueError):
                    recorder.add(_record(r.json(), time.monotonic() - started, None, _asked(raw)))
                return
            with client.stream("POST", self.path, content=raw, headers=headers) as r:
                self.send_response(r.status_code)
                self.send_header("content-type", r.headers.get("content-type", ""))
                self.send_header("connection", "close")
                self.end_headers()
                first: float | None = None
                last: dict[str, Any] = {}
                usage: dict[str, Any] = {}
                pieces: list[str] = []
                for line in r.iter_lines():
                    self.wfile.write((line + "\n").encode())
                    self.wfile.flush()
                    if not line.startswith("data:") or line.endswith("[DONE]"):
                        continue
                    with contextlib.suppress(ValueError):
                        event = json.loads(line[5:])
                        usage = event.get("usage") or usage
                        if event.get("timings"):
                            last = event
                        for choice in event.get("choices") or ():
                            piece = (choice.get("delta") or {}).get("content")
                            if piece:
                                pieces.append(piece)
                            if piece and first is None:
                                first = time.monotonic() - started
            recorder.add(
                _record(
                    {**last, "usage": usage},
                    time.monotonic() - started,
                    first,
                    _asked(raw),
                    "".join(pieces),
                )
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def summarize(calls: list[dict[str, Any]]) -> dict[str, Any]:
    def total(key: str) -> int:
        return sum(c.get(key) or 0 for c in calls)

    return {
        "calls": len(calls),
        # calls that repeat a request's stage: a correction after a failed check
        "reasks": sum(1 for c in calls if _is_reask(c.get("asked", ""))),
        "prompt_tokens": total("prompt_tokens"),
        "prompt_read": total("prompt_read"),
        "prompt_cached": total("prompt_cached"),
        "written": total("written"),
        "prompt_s": round(sum(c["prompt_s"] for c in calls), 1),
        "write_s": round(sum(c["write_s"] for c in calls), 1),
    }


def _is_reask(asked: str) -> bool:
    return asked.startswith("[re-ask] ")


def timed_chat(pump: Any, question: str) -> dict[str, Any]:
    started = time.monotonic()
    first_evidence = first_token = None
    text, citations = "", 0
    for event in pump.chat_stream([{"role": "user", "content": question}]):
        now = time.monotonic() - started
        kind = getattr(event, "type", "")
        if kind in ("evidence", "citation") and first_evidence is None:
            first_evidence = now
        if kind == "token" and event.text.strip() and first_token is None:
            first_token = now
        if kind == "citation":
            citations += 1
        if kind == "done":
            text = event.text
    return {
        "question": question,
        "first_evidence_s": None if first_evidence is None else round(first_evidence, 2),
        "first_token_s": None if first_token is None else round(first_token, 2),
        "total_s": round(time.monotonic() - started, 2),
        "citations": citations,
        "answer": text,
    }


def median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return round(statistics.median(got), 2) if got else None


def run(home: Path, questions: int, only: set[str], library: str | None) -> dict[str, Any]:
    from ideapump.config import Settings
    from ideapump.facade import IdeaPump

    try:
        from ideapump.llm.supervise import ensure_local_server
    except ImportError:  # commits before supervision (the baseline of issue 17)
        from ideapump.llm.local import ensure_local_server  # type: ignore[attr-defined,no-redef]

    settings = Settings(home=home)
    server = ensure_local_server(settings)
    recorder = Recorder()
    front = proxy(server.url, recorder)
    url = f"http://127.0.0.1:{front.server_address[1]}/v1"
    llm = settings.llm.model_copy(update={"base_url": url, "model": server.model})
    bench_settings = settings.model_copy(update={"llm": llm})
    pump = IdeaPump.from_settings(bench_settings, library=library)
    out: dict[str, Any] = {"server": {"model": server.model, "threads": server.threads}}

    if "chat" in only:
        rows = []
        for q in QUESTIONS[:questions]:
            mark = recorder.mark()
            row = timed_chat(pump, q)
            row["model"] = summarize(recorder.since(mark))
            rows.append(row)
            print(
                f"chat  first evidence {row['first_evidence_s']}s  first token "
                f"{row['first_token_s']}s  total {row['total_s']}s  {row['citations']} cit  "
                f"{row['model']}",
                file=sys.stderr,
                flush=True,
            )
        out["chat"] = {
            "median_first_evidence_s": median([r["first_evidence_s"] for r in rows]),
            "median_first_token_s": median([r["first_token_s"] for r in rows]),
            "median_total_s": median([r["total_s"] for r in rows]),
            "max_total_s": max(r["total_s"] for r in rows),
            "rows": rows,
        }

    for name, call in (
        ("propose", lambda: pump.propose(PROPOSE, n=3, k=2)),
        ("critique", lambda: pump.critique(_dubois(pump))),
        ("weigh", lambda: pump.weigh(CLAIM)),
    ):
        if name not in only:
            continue
        mark = recorder.mark()
        started = time.monotonic()
        result = call()
        seconds = round(time.monotonic() - started, 1)
        calls = recorder.since(mark)
        out[name] = {"seconds": seconds, "model": summarize(calls), "per_call": calls}
        out[name]["result"] = result.model_dump(mode="json")
        print(f"{name}  {seconds}s  {summarize(calls)}", file=sys.stderr, flush=True)
    front.shutdown()
    return out


def _dubois(pump: Any) -> str:
    for doc in pump.library.papers():
        if doc.title.startswith("Human complex exploration"):
            return str(doc.doc_id)
    raise SystemExit("the Dubois paper is not in the library (ingest ../shared/corpus)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--home", type=Path, required=True, help="IDEAPUMP_HOME with the corpus")
    ap.add_argument("--library", default=None)
    ap.add_argument("--questions", type=int, default=10)
    ap.add_argument("--only", default="chat,propose,critique,weigh")
    ap.add_argument("--out", type=Path, help="write the full results (JSON) here")
    args = ap.parse_args(argv)
    result = run(args.home, args.questions, set(args.only.split(",")), args.library)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    summary = {k: v for k, v in result.items() if k != "chat"}
    for value in summary.values():
        if isinstance(value, dict):
            value.pop("per_call", None)
            value.pop("result", None)
    if "chat" in result:
        summary["chat"] = {k: v for k, v in result["chat"].items() if k != "rows"}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
