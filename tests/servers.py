"""Subprocess servers on loopback for end-to-end tests and benches: IdeaPump and the fake model.

with fake_llm(tokens_per_s=200) as llm_url, ideapump_server(env) as base_url:
    httpx.get(base_url + "/healthz")
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
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


# -- the shared services, as processes a test can stop and start again ------------------


class Service:
    """A server process on loopback that can be stopped (an outage) and started again."""

    def __init__(
        self,
        name: str,
        cmd: list[str],
        ready: Callable[[], bool],
        log: Path,
        user: str | None = None,
    ) -> None:
        self.name, self.cmd, self.ready, self.log, self.user = name, cmd, ready, log, user
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # the server itself, so signals reach it
                self.cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                user=self.user,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{tail}")
            if self.ready():
                return
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} did not start within {timeout:.0f} s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def chroma_cli() -> str | None:
    local = Path(sys.executable).parent / "chroma"
    return str(local) if local.exists() else shutil.which("chroma")


@contextmanager
def chroma_service(folder: Path, port: int | None = None) -> Iterator[tuple[Service, int]]:
    """``chroma run`` (the chromadb package's server) on loopback, data under ``folder``."""
    cli = chroma_cli()
    if cli is None:
        raise RuntimeError("no chroma CLI (pip install chromadb)")
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [cli, "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)]

    def ready() -> bool:
        try:
            url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    service = Service("chroma", cmd, ready, folder / "chroma.log")
    service.start()
    try:
        yield service, port
    finally:
        service.stop()


def postgres_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server binaries, if installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def can_run_postgres() -> bool:
    """A private PostgreSQL needs its binaries and root (to run it as user postgres)."""
    return postgres_bin() is not None and os.geteuid() == 0


@contextmanager
def postgres_service(folder: Path, port: int | None = None) -> Iterator[tuple[Service, str]]:
    """A private PostgreSQL cluster on loopback (not the system's); yields it and its URL.

    Run as user ``postgres`` (the server refuses root) from a fresh data folder, with
    trust authentication on loopback only, so stopping it disturbs nothing else.
    """
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server binaries (apt-get install postgresql)")
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    # The cluster's own folder must be reachable by user postgres (pytest's tmp_path is not).
    own = Path(tempfile.mkdtemp(prefix="ideapump-pg-"))
    own.chmod(0o755)
    data, sockets = own / "pgdata", own / "sockets"
    sockets.mkdir()
    shutil.chown(own, "postgres")
    shutil.chown(sockets, "postgres")
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
        user="postgres",
        cwd=own,
    )
    cmd = [
        str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
        "-k", str(sockets), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
    ]  # fmt: skip
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def ready() -> bool:
        import psycopg

        try:
            with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres", connect_timeout=2):
                return True
        except psycopg.Error:
            return False

    service = Service("postgresql", cmd, ready, folder / "postgres.log", user="postgres")
    try:
        service.start()
        yield service, url
    finally:
        service.stop(signal.SIGINT)  # PostgreSQL's fast shutdown
        shutil.rmtree(own, ignore_errors=True)
