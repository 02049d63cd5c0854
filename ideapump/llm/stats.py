"""How fast the model answered last: one small JSON file under HOME.

Every call through :func:`ideapump.llm.make_chat_model`'s model rewrites
``HOME/run/llm-last-call.json`` with the latency, the token counts and the
tokens/s of that call (output tokens over wall time, prompt processing
included). ``ideapump models`` shows it. Writing it never fails a call.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ideapump.config import Settings
    from ideapump.llm.errors import Endpoint


def stats_path(settings: Settings) -> Path:
    return settings.home / "run" / "llm-last-call.json"


def record_call(
    path: Path,
    *,
    endpoint: Endpoint,
    latency_s: float,
    usage: dict[str, Any],
    stream: bool,
) -> None:
    completion = usage.get("completion_tokens")
    data = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "endpoint": endpoint.url,
        "model": endpoint.model,
        "local": endpoint.local,
        "stream": stream,
        "latency_s": round(latency_s, 3),
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": completion,
        "tokens_per_s": round(completion / latency_s, 2)
        if isinstance(completion, int) and latency_s > 0
        else None,
    }
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        # One temporary name per thread: concurrent replies in one server each write.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(data, indent=2))
        os.replace(tmp, path)


def last_call(settings: Settings) -> dict[str, Any] | None:
    try:
        data = json.loads(stats_path(settings).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
