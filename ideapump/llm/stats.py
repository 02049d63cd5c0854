"""How fast the model answered last: one small JSON file under HOME.

Every call through :func:`ideapump.llm.make_chat_model`'s model rewrites
``HOME/run/llm-last-call.json`` with the latency, the token counts and the
tokens/s of that call (output tokens over wall time, prompt processing
included). ``ideapump models`` shows it. Writing it never fails or delays a call:
one background thread writes the newest figures (:mod:`ideapump.writer`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ideapump.writer import BatchWriter

if TYPE_CHECKING:
    from ideapump.config import Settings
    from ideapump.llm.errors import Endpoint


def stats_path(settings: Settings) -> Path:
    return settings.home / "run" / "llm-last-call.json"


def call_figures(
    *,
    endpoint: Endpoint,
    latency_s: float,
    usage: dict[str, Any],
    stream: bool,
    timings: dict[str, Any] | None = None,
    first_token_s: float | None = None,
) -> dict[str, Any]:
    """One call's figures. ``timings`` is llama.cpp's: of the ``prompt_tokens``, how many it
    read (``prompt_read``) and how many it took from the slot's cache (``prompt_cached``)."""
    completion = usage.get("completion_tokens")
    data: dict[str, Any] = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "endpoint": endpoint.url,
        "model": endpoint.model,
        "local": endpoint.local,
        "stream": stream,
        "latency_s": round(latency_s, 3),
        "first_token_s": None if first_token_s is None else round(first_token_s, 3),
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": completion,
        "tokens_per_s": round(completion / latency_s, 2)
        if isinstance(completion, int) and latency_s > 0
        else None,
    }
    if timings:
        data["prompt_read"] = timings.get("prompt_n")
        data["prompt_cached"] = timings.get("cache_n")
        data["prompt_ms"] = timings.get("prompt_ms")
        data["generation_ms"] = timings.get("predicted_ms")
    return data


def record_call(path: Path, figures: dict[str, Any]) -> None:
    """Queue the call's figures for the background writer (the caller does not wait)."""
    global _pending
    _pending = _writer.submit((path, figures))


def _write_latest(records: Sequence[tuple[Path, dict[str, Any]]]) -> None:
    for path, data in dict(records).items():  # the newest record of each file
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, indent=2))
            os.replace(tmp, path)


def wait_for_records(timeout: float = 5.0) -> None:
    """Until this process's queued figures are on disk (FIFO: the newest done means all)."""
    pending = _pending
    if pending is not None:
        with contextlib.suppress(Exception):
            pending.result(timeout)


_writer: BatchWriter[tuple[Path, dict[str, Any]]] = BatchWriter(
    _write_latest, name="ideapump-llm-stats"
)
_pending: Future[tuple[Path, dict[str, Any]]] | None = None
atexit.register(wait_for_records)  # a CLI run that ends right after its call still records it


def last_call(settings: Settings) -> dict[str, Any] | None:
    wait_for_records()
    try:
        data = json.loads(stats_path(settings).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
