"""Subprocess servers on loopback for end-to-end tests and benches: IdeaPump and the fake model.

with fake_llm(tokens_per_s=200) as llm_url, ideapump_server(env) as base_url:
    httpx.get(base_url + "/healthz")
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(
    url: str, proc: subprocess.Popen[bytes], log: Path | None = None, timeout: float = 90.0
) -> None:
    """Wait until ``url`` answers 200; fail with the process's output if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = log.read_text(errors="replace") if log else ""
            raise RuntimeError(f"server exited with {proc.returncode}:\n{out[-3000:]}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def _running(
    cmd: list[str], env: Mapping[str, str], ready_url: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``cmd`` (output to a temporary log, never a pipe that could fill) until the block ends."""
    with tempfile.NamedTemporaryFile(prefix="ideapump-server-", suffix=".log") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(ready_url, proc, Path(log.name))
            yield proc
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def fake_llm(
    tokens_per_s: float = 200.0, tokens: int = 40, prefill_s: float = 0.02
) -> Iterator[str]:
    """The fake OpenAI-compatible model (tests/fake_llm_server.py); yields its base URL (.../v1)."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "tests.fake_llm_server", "--port", str(port),
        "--tokens-per-s", str(tokens_per_s), "--tokens", str(tokens),
        "--prefill-s", str(prefill_s),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with _running(cmd, env, f"http://127.0.0.1:{port}/v1/models"):
        yield f"http://127.0.0.1:{port}/v1"


def server_env(home: Path, llm_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment for an IdeaPump server: its own home, the fake model, no stray IDEAPUMP_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDEAPUMP_")}
    env.update({"IDEAPUMP_HOME": str(home), "PYTHONPATH": str(ROOT)})
    if llm_url:
        env.update(
            {
                "IDEAPUMP_LLM__BASE_URL": llm_url,
                "IDEAPUMP_LLM__MODEL": "fake",
                "IDEAPUMP_LLM__API_KEY": "sk-fake",
                "IDEAPUMP_LLM__MAX_RETRIES": "0",
            }
        )
    env.update(extra)
    return env


@contextmanager
def ideapump_server(
    env: Mapping[str, str],
    port: int | None = None,
    procs: list[subprocess.Popen[bytes]] | None = None,
) -> Iterator[str]:
    """``uvicorn --factory ideapump.api:create_app`` on loopback; yields its base URL.

    ``procs``, when given, receives the server's process (for its pid).
    """
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "ideapump.api:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    with _running(cmd, env, f"http://127.0.0.1:{port}/healthz") as proc:
        if procs is not None:
            procs.append(proc)
        yield f"http://127.0.0.1:{port}"
