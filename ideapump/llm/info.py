"""What ``ideapump models`` reports: the configured model, where it runs, how fast it was."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from importlib import metadata
from typing import TYPE_CHECKING, Any

from ideapump.llm import stats, weights
from ideapump.llm.local import running_servers

if TYPE_CHECKING:
    from ideapump.config import Settings
    from ideapump.llm.client import IdeaPumpChatModel


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _chunks_installed(spec: weights.LocalModelSpec) -> bool:
    return all(_version(name) == version for name, version in spec.packages)


def describe(settings: Settings, *, verify: bool = False) -> dict[str, Any]:
    """A JSON-able description of the LLM configuration. Starts nothing.

    ``verify=True`` hashes the local model file (seconds for 1 GB) instead of
    trusting its verification stamp.
    """
    llm = settings.llm
    info: dict[str, Any] = {
        "mode": "endpoint" if llm.base_url else "local",
        "temperature": llm.temperature,
        "context_size": llm.context_size,
        "max_output_tokens": llm.max_output_tokens,
        "timeout_s": llm.timeout_s,
        "max_retries": llm.max_retries,
        "structured_output": llm.structured_output,
    }
    if llm.base_url:
        info["endpoint"] = {
            "base_url": llm.base_url,
            "model": llm.model,
            "api_key": "set" if llm.api_key else "not set",
        }
    else:
        spec = weights.get_spec(llm.local_model)
        path = settings.models_dir / spec.filename
        local: dict[str, Any] = {
            "model": spec.key,
            "description": spec.description,
            "file": str(path),
            "file_exists": path.exists(),
            "size_bytes": spec.size,
            "sha256_expected": spec.sha256,
            "gguf_name_expected": spec.general_name,
            "packages_installed": _chunks_installed(spec),
            "xllamacpp": _version("xllamacpp") if importlib.util.find_spec("xllamacpp") else None,
            "install": spec.pip_command(),
            "threads": llm.local_threads or "all cores",
        }
        if verify and path.exists():
            try:
                weights.verify_file(path, spec)
                local["sha256_ok"] = True
            except Exception as exc:  # report, do not raise: this is a status page
                local["sha256_ok"] = False
                local["error"] = str(exc)
        else:
            local["sha256_ok"] = weights.is_verified(settings.models_dir, spec.key) or None
        info["local"] = local
    servers = []
    for srv in running_servers(settings):
        servers.append(
            {
                "model": srv.model,
                "url": srv.base_url,
                "pid": srv.pid,
                "context_size": srv.n_ctx,
                "threads": srv.threads,
                "owner_pid": srv.owner_pid or None,
                "startup_s": srv.startup_s,
                "up_s": round(time.time() - srv.started_at, 1) if srv.started_at else None,
                "log": srv.log_file,
            }
        )
    info["servers"] = servers
    info["last_call"] = stats.last_call(settings)
    return info


def ping(model: Callable[[], IdeaPumpChatModel], settings: Settings) -> dict[str, Any]:
    """Send one tiny request through the normal path (starting the local server if needed).

    ``model`` builds the probe's model (the runtime's ``make_chat_model`` with a small cap).
    """
    started = time.monotonic()
    probe = model()
    ready_s = time.monotonic() - started
    t0 = time.monotonic()
    reply = probe.invoke("Reply with the single word: ready")
    return {
        "ready_s": round(ready_s, 3),
        "latency_s": round(time.monotonic() - t0, 3),
        "reply": reply.content if isinstance(reply.content, str) else str(reply.content),
        "last_call": stats.last_call(settings),
    }
