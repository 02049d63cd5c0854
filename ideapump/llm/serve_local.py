"""Run the offline model's OpenAI-compatible server: ``python -m ideapump.llm.serve_local``.

This is the child process that :mod:`ideapump.llm.local` starts (and what
``ideapump models serve`` runs in the foreground). It loads the GGUF into
xllamacpp's embedded llama.cpp server on 127.0.0.1 (a free port chosen by the
OS), writes a state file with its pid and URL once the model answers, and
serves until SIGTERM/SIGINT, or until its parent process dies when started with
``--parent-pid`` (so a killed CLI never leaves a model server behind). On the
way out it stops the server and removes its state file.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any


def write_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, indent=2))
    os.replace(tmp, path)


def remove_state_if_mine(path: Path) -> None:
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m ideapump.llm.serve_local")
    ap.add_argument("--model", required=True, type=Path, help="GGUF file (already verified)")
    ap.add_argument("--alias", required=True, help="model name the server reports")
    ap.add_argument("--ctx", type=int, required=True, help="context size in tokens")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: all cores)")
    ap.add_argument("--state-file", type=Path, required=True)
    ap.add_argument("--parent-pid", type=int, default=0, help="exit when this process dies")
    ap.add_argument("--port", type=int, default=0, help="0: a free port")
    ap.add_argument(
        "--speculative",
        choices=["none", "ngram"],
        default="none",
        help="ngram: draft tokens from n-grams already in the context",
    )
    return ap.parse_args(argv)


def server_params(
    model: Path, alias: str, ctx: int, threads: int, *, port: int = 0, speculative: str = "none"
) -> Any:
    """xllamacpp's ``CommonParams`` for the offline model's server, here and in
    ``bench/llm_settings.py`` (which varies them from these)."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(model)
    params.model_alias = {alias}
    params.n_ctx = ctx
    params.n_parallel = 1  # one slot gets the whole context; 2 cores gain nothing from more
    params.port = port
    params.hostnames = ["127.0.0.1"]
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    if speculative == "ngram":
        # llama.cpp's n-gram lookup: no draft model, drafts from the prompt and the reply
        # so far, verified by the model in one batch (the output does not change).
        kind = xlc.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE
        params.speculative.types = [kind]
    return params


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    import xllamacpp as xlc

    threads = args.threads or os.cpu_count() or 1
    params = server_params(
        args.model, args.alias, args.ctx, threads, port=args.port, speculative=args.speculative
    )

    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    started = time.monotonic()
    server = xlc.Server(params)  # blocks until the model is loaded and warmed up
    startup_s = time.monotonic() - started
    url = str(server.listening_address).rstrip("/")
    write_state(
        args.state_file,
        {
            "pid": os.getpid(),
            "url": url,
            "model": args.alias,
            "model_path": str(args.model),
            "n_ctx": args.ctx,
            "threads": threads,
            "owner_pid": args.parent_pid,
            "started_at": time.time(),
            "startup_s": round(startup_s, 3),
            "xllamacpp": getattr(xlc, "__version__", "?"),
        },
    )
    print(f"ideapump: serving {args.alias} at {url} (loaded in {startup_s:.1f}s)", flush=True)

    if args.parent_pid:

        def _watch_parent() -> None:
            while not stop.wait(1.0):
                if os.getppid() != args.parent_pid:
                    stop.set()

        threading.Thread(target=_watch_parent, daemon=True).start()

    try:
        while not stop.wait(0.5):
            pass
    finally:
        remove_state_if_mine(args.state_file)
        del server
        print("ideapump: local model server stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
