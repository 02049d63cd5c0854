"""Faults a lab's deployment meets, against real processes on loopback; prints one table.

    .venv/bin/python -m bench.faults [--only llm,chroma,postgres,disk,hostile]
                                     [--model real|fake] [--models DIR] [--outage-s 6]

* **llm**: the local model server (llama.cpp, Qwen2.5-Coder-0.5B; ``--model fake``: the
  fake model server in its place) is SIGKILLed while a reply streams, under a
  bounded chat load; the service is not restarted.
* **chroma** / **postgres**: the Chroma server (``chroma run``) or a private PostgreSQL
  cluster is stopped for ``--outage-s`` under a bounded load of searches, chats and
  uploads, then started again; uploads refused during the outage are sent again.
* **disk**: ``ideapump ingest`` of the corpus onto an 8 MB tmpfs until it fills,
  then the filesystem is enlarged and the ingest run again.
* **hostile**: a 30,000-page PDF, a deeply nested PDF, a ZIP named .pdf, path-like
  names and a chunked over-size body are uploaded while /healthz and /documents
  are polled.

Columns: requests made during the fault; errors seen (by type; ``retry`` = how
many carried ``retry: true`` and, outside streams, a Retry-After); recovery time
(from the end of the fault, or from the kill, to the first success of every kind
of request); items lost (acknowledged documents, chunks or messages missing or
doubled afterwards; must be 0). postgres and disk need root (a private cluster
run as user postgres, a tmpfs mount); without it they are reported as skipped.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.hostile import PATH_NAMES, many_pages_pdf, nested_pdf, not_a_pdf
from tests.servers import (
    ROOT,
    can_run_postgres,
    chroma_service,
    fake_llm,
    ideapump_server,
    postgres_service,
    server_env,
)

CORPUS = ROOT.parent / "shared" / "corpus"
#: The load is the fault's, not a rate limit's.
UNLIMITED = {"IDEAPUMP_SERVER__RATE_LIMIT_PER_MINUTE": "100000"}
QUESTION = "What did atomoxetine do to pupil size and exploration in the pilot?"


@dataclass
class Row:
    fault: str
    during: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    retry: int = 0
    recovery_s: float | None = None
    lost: int = 0
    note: str = ""

    def cells(self) -> list[str]:
        errs = ", ".join(f"{n} {k}" for k, n in self.errors.most_common()) or "none"
        if self.retry:
            errs += f" (retry: {self.retry})"
        rec = "-" if self.recovery_s is None else f"{self.recovery_s:.1f} s"
        return [self.fault, str(self.during), errs, rec, str(self.lost), self.note]


# -- load ------------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    start: float
    end: float
    ok: bool
    error: str | None = None
    retry: bool = False
    item: str | None = None  # what was acknowledged: a document name or a message id


def note(i: int) -> str:
    return (
        f"# Pilot {i}\n\nIn session {i} atomoxetine increased baseline pupil size by {i % 9 + 2}"
        f" percent and mice explored {i % 5 + 1} more patches in the foraging task (n = 12)."
    )


class Load:
    """Searches, chats and uploads from ``threads`` clients until stopped; every answer kept."""

    def __init__(self, url: str, kinds: tuple[str, ...], threads: int = 2) -> None:
        self.url, self.kinds, self.threads = url, kinds, threads
        self.results: list[Result] = []
        self.conv = httpx.post(f"{url}/conversations", json={}, timeout=60).json()["conv_id"]
        self.asked: list[str] = []  # questions whose user message the server accepted
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._n = 0
        self._workers: list[threading.Thread] = []

    def _next(self) -> tuple[str, int]:
        with self._lock:
            self._n += 1
            return self.kinds[self._n % len(self.kinds)], self._n

    def one(self, c: httpx.Client, kind: str, i: int) -> Result:
        start = time.monotonic()
        try:
            if kind == "search":
                r = c.post("/search", json={"query": "pupil size atomoxetine", "k": 3})
                return self._plain(kind, start, r)
            if kind == "upload":
                name = f"pilot-{i}.md"
                r = c.post(
                    "/documents", files=[("files", (name, note(i).encode(), "text/markdown"))]
                )
                res = self._plain(kind, start, r)
                if res.ok and r.json()["outcomes"][0]["status"] != "ingested":
                    res.ok, res.error = False, "not ingested"
                res.item = name
                return res
            question = f"{QUESTION} (question {i})"
            r = c.post(f"/conversations/{self.conv}/messages", json={"content": question})
            if r.status_code != 200:
                return self._plain(kind, start, r)
            with self._lock:
                self.asked.append(question)
            last = _last_event(r.text)
            if last.get("type") == "done" or "message_id" in last:
                return Result(kind, start, time.monotonic(), True, item=str(last["message_id"]))
            err = last.get("error", {})
            return Result(
                kind, start, time.monotonic(), False, err.get("type"), bool(err.get("retry"))
            )
        except httpx.HTTPError as exc:
            return Result(kind, start, time.monotonic(), False, type(exc).__name__)

    @staticmethod
    def _plain(kind: str, start: float, r: httpx.Response) -> Result:
        if r.status_code == 200:
            return Result(kind, start, time.monotonic(), True)
        try:
            err = r.json()["error"]
        except (ValueError, KeyError):
            err = {"type": f"http {r.status_code}"}
        retry = bool(err.get("retry")) and "retry-after" in r.headers
        return Result(kind, start, time.monotonic(), False, err.get("type"), retry)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=300) as c:
            while not self._stop.is_set():
                kind, i = self._next()
                res = self.one(c, kind, i)
                with self._lock:
                    self.results.append(res)
                time.sleep(0.1)

    def start(self) -> None:
        for _ in range(self.threads):
            t = threading.Thread(target=self._run, daemon=True)
            t.start()
            self._workers.append(t)

    def stop(self) -> None:
        self._stop.set()
        for t in self._workers:
            t.join()

    def wait_recovered(self, since: float, timeout: float = 180) -> float | None:
        """Seconds from ``since`` until every kind has succeeded after it (None: never)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                firsts = {
                    k: min((r.end for r in self.results if r.kind == k and r.ok and r.start > since),
                           default=None)
                    for k in self.kinds
                }  # fmt: skip
            if all(v is not None for v in firsts.values()):
                return max(v for v in firsts.values() if v is not None) - since
            time.sleep(0.2)
        return None


def _last_event(sse_text: str) -> dict[str, Any]:
    data = [line[6:] for line in sse_text.splitlines() if line.startswith("data: ")]
    return json.loads(data[-1]) if data else {}


def tally(row: Row, results: list[Result], t0: float, t1: float) -> None:
    """Requests that started during [t0, t1] (the fault) and every error seen."""
    row.during = sum(1 for r in results if t0 <= r.start <= t1)
    for r in results:
        if not r.ok:
            row.errors[r.error or "?"] += 1
            row.retry += r.retry


def losses(url: str, load: Load, retried: list[str]) -> tuple[int, str]:
    """Acknowledged items missing or doubled: documents, chunks, messages."""
    c = httpx.Client(base_url=url, timeout=300)
    names = [r.item for r in load.results if r.kind == "upload" and r.ok and r.item]
    r = c.get("/documents")
    r.raise_for_status()
    docs = r.json()
    sources = collections.Counter(Path(d["source"]).name for d in docs)
    lost = sum(1 for n in names if sources[n] == 0)
    lost += sum(1 for n in retried if sources[n] == 0)  # refused during the fault, sent again
    lost += sum(n - 1 for n in sources.values() if n > 1)  # doubled
    messages = c.get(f"/conversations/{load.conv}").json()["messages"]
    ids = {str(m["message_id"]) for m in messages}
    acked = [r.item for r in load.results if r.kind == "chat" and r.ok and r.item]
    lost += sum(1 for m in acked if m not in ids)
    users = collections.Counter(m["content"] for m in messages if m["role"] == "user")
    lost += sum(1 for q in load.asked if users[q] == 0) + sum(
        n - 1 for n in users.values() if n > 1
    )
    claimed = sum(d["chunks"] for d in docs)
    detail = f"{len(docs)} docs, {claimed} chunks claimed"
    return lost, detail


def chunk_check(settings_env: dict[str, str]) -> tuple[int, int, int]:
    """(registry's claimed chunks, Chroma's chunks, unfinished rows), read directly."""
    code = (
        "import json; from ideapump.config import Settings; from ideapump.runtime import Runtime;"
        "lib = Runtime(Settings()).library(); rows = lib.registry.complete(lib.name);"
        "print(json.dumps([sum(r.chunks for r in rows), lib.store.count(),"
        " len(lib.registry.unfinished(lib.name))]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=settings_env, capture_output=True, text=True, check=True
    )
    claimed, stored, unfinished = json.loads(out.stdout.strip().splitlines()[-1])
    return claimed, stored, unfinished


# -- faults ------------------------------------------------------------------------------


def store_outage(name: str, outage_s: float, tmp: Path) -> Row:
    row = Row(name)
    with contextlib.ExitStack() as stack:
        llm_url = stack.enter_context(fake_llm(tokens_per_s=200, tokens=20))
        if name == "chroma":
            service, port = stack.enter_context(chroma_service(tmp / "chroma"))
            extra = {
                "IDEAPUMP_STORE__CHROMA_MODE": "http",
                "IDEAPUMP_STORE__CHROMA_HOST": "127.0.0.1",
                "IDEAPUMP_STORE__CHROMA_PORT": str(port),
            }
        else:
            service, db_url = stack.enter_context(postgres_service(tmp / "pg"))
            extra = {"IDEAPUMP_STORE__DATABASE_URL": db_url}
        env = server_env(tmp / f"home-{name}", llm_url, **extra, **UNLIMITED)
        url = stack.enter_context(ideapump_server(env))
        httpx.post(f"{url}/documents", files=[("files", ("seed.md", note(0).encode(), "text/markdown"))], timeout=120)  # fmt: skip
        load = Load(url, ("search", "chat", "upload"))
        load.start()
        time.sleep(3)
        t0 = time.monotonic()
        service.stop(signal.SIGINT if name == "postgres" else signal.SIGTERM)
        time.sleep(outage_s / 2)
        ready = httpx.get(f"{url}/readyz", timeout=30)
        names_part = ready.json().get("checks", {}).get("store", {}).get("detail", "")
        time.sleep(outage_s / 2)
        service.start()
        t1 = time.monotonic()
        row.recovery_s = load.wait_recovered(t1)
        time.sleep(2)
        load.stop()
        tally(row, load.results, t0, t1)
        refused = [r.item for r in load.results if r.kind == "upload" and not r.ok and r.item]
        with httpx.Client(base_url=url, timeout=300) as c:
            for item in refused:  # the interrupted uploads, again
                i = int(item.removeprefix("pilot-").removesuffix(".md"))
                c.post("/documents", files=[("files", (item, note(i).encode(), "text/markdown"))])
        row.lost, detail = losses(url, load, refused)
        claimed, stored, unfinished = chunk_check(env)
        row.lost += abs(claimed - stored) + unfinished
        row.note = (
            f"readyz during: {ready.status_code} '{names_part[:40]}'; after: {detail}, "
            f"Chroma {stored}, {len(refused)} refused uploads re-sent"
        )
    return row


def llm_crash(model: str, models_dir: Path | None, tmp: Path) -> Row:
    row = Row(f"llm ({'llama.cpp 0.5B' if model == 'real' else 'fake model'})")
    home = tmp / "home-llm"
    home.mkdir(parents=True)
    if models_dir is not None:
        (home / "models").symlink_to(models_dir)
    extra = {
        "IDEAPUMP_LLM__LOCAL_MODEL": "qwen2.5-coder-0.5b",
        "IDEAPUMP_LLM__CONTEXT_SIZE": "4096",
        "IDEAPUMP_LLM__MAX_OUTPUT_TOKENS": "96",
        "IDEAPUMP_LLM__TIMEOUT_S": "300",
        "IDEAPUMP_LLM__LOCAL_RESTART_BACKOFF_S": "0.5",
    }
    env = server_env(home, None, **extra, **UNLIMITED)
    with _server_with_model(env, model) as url:
        httpx.post(f"{url}/documents", files=[("files", ("seed.md", note(0).encode(), "text/markdown"))], timeout=120)  # fmt: skip
        load = Load(url, ("chat",), threads=2)
        # the first reply starts the model server (not part of the fault)
        with httpx.Client(base_url=url, timeout=600) as c:
            load.one(c, "chat", 0)
        load.start()
        pid = _wait_for_stream(home, 3.0 if model == "real" else 1.0)
        t0 = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        ready = httpx.get(f"{url}/readyz", timeout=30).json()["checks"]["llm"]
        row.recovery_s = load.wait_recovered(t0, timeout=300)
        time.sleep(1)
        load.stop()
        tally(row, load.results, t0, t0 + (row.recovery_s or 0))
        row.lost, detail = losses(url, load, [])
        new = _model_pid(home)
        row.note = (
            f"readyz after kill: {ready['detail'][:48]!r}; new server pid "
            f"{'differs' if new and new != pid else 'SAME?'}; {detail}"
        )
    return row


@contextlib.contextmanager
def _server_with_model(env: dict[str, str], model: str) -> Iterator[str]:
    if model == "real":
        with ideapump_server(env) as url:
            yield url
        return
    # The fake model in the local server's place (as tests/llm/test_supervise.py does).
    gguf = Path(env["IDEAPUMP_HOME"]) / "fake.gguf"
    gguf.write_bytes(b"not read")
    boot = (
        "import sys, uvicorn; from pathlib import Path; from ideapump.llm import local;"
        "local.SERVE_MODULE = 'tests.fake_llm_server'; local._check_xllamacpp = lambda: None;"
        f"local.weights.ensure_model = lambda d, n: Path({str(gguf)!r});"
        "uvicorn.run('ideapump.api:create_app', factory=True, host='127.0.0.1',"
        " port=int(sys.argv[1]), log_level='warning')"
    )
    from tests.servers import _running, free_port

    port = free_port()
    with _running([sys.executable, "-c", boot, str(port)], env, f"http://127.0.0.1:{port}/healthz"):
        yield f"http://127.0.0.1:{port}"


def _model_pid(home: Path) -> int | None:
    for state in (home / "run").glob("llm-*.json"):
        with contextlib.suppress(ValueError, OSError):
            return int(json.loads(state.read_text())["pid"])
    return None


def _wait_for_stream(home: Path, after_s: float) -> int:
    """The model server's pid, once a reply is under way (a moment after the load starts)."""
    time.sleep(after_s)
    pid = _model_pid(home)
    if pid is None:
        raise RuntimeError("no local model server recorded under HOME/run")
    return pid


def full_disk(tmp: Path) -> Row:
    row = Row("disk full (8 MB tmpfs)")
    mount = tmp / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], check=True)
    try:
        files = (
            sorted(CORPUS.glob("*.pdf"))
            if CORPUS.is_dir()
            else sorted((ROOT / "tests" / "data").glob("*.pdf"))
        )
        env = server_env(mount / "home")
        cmd = [sys.executable, "-m", "ideapump", "ingest", *map(str, files), "--json"]
        first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        report = json.loads(first.stdout)
        outcomes = report["outcomes"]
        row.during = len(outcomes)
        for o in outcomes:
            if o["status"] == "failed":
                kind = (
                    "no space left"
                    if "no space" in o["reason"]
                    else (
                        "not ingested (disk full)"
                        if "disk filled up" in o["reason"]
                        else o["reason"][:30]
                    )
                )
                row.errors[kind] += 1
        one_line = all("\n" not in (o.get("reason") or "") for o in outcomes)
        ok_first = [o for o in outcomes if o["status"] == "ingested"]
        t1 = time.monotonic()
        subprocess.run(["mount", "-o", "remount,size=256m", str(mount)], check=True)
        # Chroma cannot even open on a full disk (it replays its log first): the state
        # the failed run left is read once there is room, before anything else runs.
        claimed, stored, unfinished = chunk_check(env)
        second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        row.recovery_s = time.monotonic() - t1
        after = json.loads(second.stdout)["outcomes"]
        claimed2, stored2, unfinished2 = chunk_check(env)
        done = {Path(o["path"]).name for o in after if o["status"] in ("ingested", "unchanged")}
        row.lost = sum(1 for o in ok_first if Path(o["path"]).name not in done)
        row.lost += abs(claimed - stored) + unfinished + abs(claimed2 - stored2) + unfinished2
        row.lost += len(files) - len(done)
        row.note = (
            f"exit codes {first.returncode} then {second.returncode}; one-line reasons: {one_line};"
            f" left by the full run: registry {claimed} / Chroma {stored} chunks, "
            f"{unfinished} half-stored;"
            f" rerun after enlarging: {len(done)}/{len(files)} stored"
        )
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
    return row


def hostile(tmp: Path) -> Row:
    row = Row("hostile uploads")
    env = server_env(tmp / "home-hostile", IDEAPUMP_INGEST__FILE_TIME_BUDGET_S="5",
                     IDEAPUMP_SERVER__MAX_UPLOAD_MB="20", **UNLIMITED)  # fmt: skip
    with ideapump_server(env) as url, httpx.Client(base_url=url, timeout=300) as c:
        polls: list[tuple[float, bool]] = []
        stop = threading.Event()

        def poll() -> None:
            with httpx.Client(base_url=url, timeout=60) as p:
                while not stop.is_set():
                    t = time.monotonic()
                    ok = (
                        p.get("/healthz").status_code == 200
                        and p.get("/documents").status_code == 200
                    )
                    polls.append((time.monotonic() - t, ok))
                    time.sleep(0.2)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        bad = [
            ("huge.pdf", many_pages_pdf(30_000)),
            ("nested.pdf", nested_pdf(100_000)),
            ("word.pdf", not_a_pdf()),
        ]
        r = c.post("/documents", files=[("files", (n, d, "application/pdf")) for n, d in bad]
                   + [("files", ("note.md", note(1).encode(), "text/markdown"))])  # fmt: skip
        labels = {"longer than": "time budget", "nested": "nesting", "not a PDF": "not a PDF"}
        for o in r.json()["outcomes"]:
            if o["status"] == "failed":
                label = next((v for k, v in labels.items() if k in o["reason"]), o["reason"][:30])
                row.errors[f"failed file ({label})"] += 1
        for i, name in enumerate(PATH_NAMES):
            res = c.post(
                "/documents", files=[("files", (name, note(100 + i).encode(), "text/markdown"))]
            )
            if res.status_code != 200:
                row.errors[f"{res.status_code} {res.json()['error']['type']}"] += 1

        def big() -> Iterator[bytes]:
            yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.md"\r\n\r\n'
            for _ in range(400):  # 26 MB against a 20 MB limit
                yield b"x" * 65536
            yield b"\r\n--b--\r\n"

        over = c.post(
            "/documents", content=big(), headers={"content-type": "multipart/form-data; boundary=b"}
        )
        row.errors[f"{over.status_code} {over.json()['error']['type']}"] += 1
        stop.set()
        poller.join()
        row.during = len(polls)
        failed_polls = sum(1 for _, ok in polls if not ok)
        slowest = max((t for t, _ in polls), default=0.0)
        home = Path(env["IDEAPUMP_HOME"])
        uploads = home / "uploads" / "default"
        escapes = {"escape.md", "passwd.md", "windows-escape.md", "up.md", "encoded.md"}
        stray = [
            p
            for where in (tmp, ROOT, Path("/etc"))
            for p in where.glob("**/*.md" if where == tmp else "*.md")
            if p.name in escapes and not p.resolve().is_relative_to(uploads.resolve())
        ]
        docs = c.get("/documents").json()
        claimed, stored, unfinished = chunk_check(env)
        row.lost = failed_polls + len(stray) + abs(claimed - stored) + unfinished
        row.note = (
            f"polls failed {failed_polls}, slowest {slowest:.2f} s; {len(docs)} docs stored, all in "
            f"{uploads.name}/: {all(Path(d['source']).parent == uploads.resolve() for d in docs)};"
            f" files outside HOME {len(stray)}"
        )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--only", default="llm,chroma,postgres,disk,hostile")
    ap.add_argument("--model", choices=["real", "fake"], default=None,
                    help="the local model (default: real when xllamacpp is installed)")  # fmt: skip
    ap.add_argument("--models", type=Path, default=None, help="a models dir to link as HOME/models")
    ap.add_argument("--outage-s", type=float, default=6.0)
    args = ap.parse_args()
    import importlib.util

    model = args.model or ("real" if importlib.util.find_spec("xllamacpp") else "fake")
    root = os.geteuid() == 0
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="ideapump-faults-"))
    tmp.chmod(0o755)
    steps: dict[str, Callable[[], Row]] = {
        "llm": lambda: llm_crash(model, args.models, tmp),
        "chroma": lambda: store_outage("chroma", args.outage_s, tmp),
        "postgres": lambda: store_outage("postgres", args.outage_s, tmp)
        if can_run_postgres() else Row("postgres", note="skipped: needs root and Debian's PostgreSQL"),
        "disk": lambda: full_disk(tmp) if root and shutil.which("mount")
        else Row("disk full", note="skipped: mounting a tmpfs needs root"),
        "hostile": lambda: hostile(tmp),
    }  # fmt: skip
    try:
        for name in args.only.split(","):
            print(f"... {name}", file=sys.stderr, flush=True)
            rows.append(steps[name]())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    head = ["fault", "requests during", "errors seen", "recovery", "lost", "notes"]
    table = [head, *(r.cells() for r in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(head) - 1)]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
    if any(r.lost for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
