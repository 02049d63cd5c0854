"""Supervision of the local model server: a dead or wedged server is restarted, within reason.

The offline model runs in a child process (:mod:`ideapump.llm.local`). Out-of-memory
kills and native crashes of llama.cpp happen on laptops and shared machines; without
supervision one crash left a long-running ``ideapump serve`` (or a notebook) failing
every later question. A :class:`Supervisor` per server (one per model and context
size under HOME, in each process that uses it) watches it:

* **before each request** (:func:`before_request`, called by the chat model's error
  mapping): a server whose process is gone is restarted first, once, after the
  backoff; a request never goes to a dead port;
* **after a failed request** (:func:`after_failure`): if the process died, or it
  lives but ``/health`` no longer answers (wedged: a request hung past the time-out),
  the failure is recorded as a crash, a wedged process is killed, and a restart
  begins in the background; the request fails with a message that says so;
* **while it runs**, a watchdog thread checks the process and ``/health`` every
  ``IDEAPUMP_LLM__LOCAL_HEALTH_INTERVAL_S`` and treats a server whose health check
  has failed for ``IDEAPUMP_LLM__LOCAL_WEDGED_AFTER_S`` as wedged.

The new server listens on the port of the one that died, so chat models already
built for that URL (the API's, a notebook's) reach it unchanged. Crashes are
counted over ``IDEAPUMP_LLM__LOCAL_CRASH_WINDOW_S``; at
``IDEAPUMP_LLM__LOCAL_MAX_CRASHES`` the supervisor gives up and every request
fails at once with the log's last lines, until the oldest crash leaves the window.
A server stopped on purpose (``ideapump models stop``, the owner exiting) removes
its state file on the way out and is not counted as a crash. ``/readyz`` reports
:func:`status`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ideapump.errors import IdeaPumpError, LLMTimeoutError, LLMUnavailableError
from ideapump.llm import local

if TYPE_CHECKING:
    from ideapump.config import Settings

SETTING = "IDEAPUMP_LLM__LOCAL_MODEL"
MAX_BACKOFF_S = 30.0

_REGISTRY_LOCK = threading.Lock()
_BY_STATE: dict[Path, Supervisor] = {}
_BY_URL: dict[str, Supervisor] = {}  # base URL (.../v1) -> supervisor
_SHUTDOWN = threading.Event()


@dataclass(frozen=True)
class Status:
    """What ``/readyz`` says about the local model server."""

    state: str  # running | restarting | down | gave_up | stopped
    detail: str

    @property
    def ok(self) -> bool:
        return self.state in ("running", "stopped")


def _how_it_died(server: local.LocalServer) -> str:
    proc = local.owned_process(Path(server.state_file), server.pid)
    code = proc.poll() if proc is not None else None
    if code is None:
        return f"pid {server.pid} is gone"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"pid {server.pid} was killed by {name}"
    return f"pid {server.pid} exited with code {code}"


class Supervisor:
    """Keeps one local model server (model + context size under one HOME) answering."""

    def __init__(self, settings: Settings, server: local.LocalServer) -> None:
        self.settings = settings
        self.state_file = Path(server.state_file)
        self.log_file = Path(server.log_file)
        self.port = int(server.url.rsplit(":", 1)[1])
        self.server: local.LocalServer | None = server
        self.state = "running"
        self.last_error = ""
        self.crashes: deque[tuple[float, str]] = deque()
        self._lock = threading.RLock()  # held while restarting; requests wait on it
        self._unhealthy_since: float | None = None
        self._closed = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._start_watchdog()

    # -- facts ---------------------------------------------------------------
    @property
    def llm(self) -> str:
        return self.settings.llm.local_model

    def _alive(self, server: local.LocalServer) -> bool:
        proc = local.owned_process(self.state_file, server.pid)
        if proc is not None:
            return proc.poll() is None  # also reaps a dead child
        return local.pid_is_server(server.pid)

    def _stopped_on_purpose(self, server: local.LocalServer) -> bool:
        # A server that exits on SIGTERM removes its state file; a crash leaves it.
        state = local.read_state(self.state_file)
        return state is None or int(state.get("pid", 0)) != server.pid

    def _recent(self, now: float | None = None) -> list[tuple[float, str]]:
        now = time.monotonic() if now is None else now
        window = self.settings.llm.local_crash_window_s
        while self.crashes and now - self.crashes[0][0] > window:
            self.crashes.popleft()
        return list(self.crashes)

    def gave_up(self) -> bool:
        return len(self._recent()) >= self.settings.llm.local_max_crashes

    def _gave_up_error(self) -> LLMUnavailableError:
        recent = self._recent()
        llm = self.settings.llm
        wait = max(0.0, recent[0][0] + llm.local_crash_window_s - time.monotonic())
        tail = local.log_tail(self.log_file) or "no output"
        return LLMUnavailableError(
            f"the local model server for {self.llm} crashed {len(recent)} times in "
            f"{llm.local_crash_window_s:.0f} s (last: {recent[-1][1]}), so IdeaPump stopped "
            f"restarting it; last log lines: {tail} (log: {self.log_file}). Fix the cause "
            f"(memory? the model file?) and ask again in {wait:.0f} s, or restart IdeaPump",
            setting=SETTING,
        )

    # -- transitions (under the lock) ------------------------------------------
    def _record_crash(self, why: str) -> None:
        self.crashes.append((time.monotonic(), why))
        self.state = "gave_up" if self.gave_up() else "down"
        self.last_error = why

    def _on_death(self, server: local.LocalServer) -> bool:
        """Note that ``server`` is gone; True if it crashed (rather than being stopped)."""
        if self.server is not server:
            return False  # already noted
        self.server = None
        if self._stopped_on_purpose(server):
            self.state = "stopped"
            return False
        self._record_crash(_how_it_died(server))
        return True

    def _kill(self, server: local.LocalServer, why: str) -> None:
        proc = local.owned_process(self.state_file, server.pid)
        with contextlib.suppress(Exception):  # already gone
            if proc is not None:
                proc.kill()
                proc.wait(timeout=10)
            elif local.pid_is_server(server.pid):
                os.kill(server.pid, signal.SIGKILL)
        if self.server is server:
            self.server = None
            self._record_crash(why)

    def _backoff_left(self) -> float:
        recent = self._recent()
        if not recent:
            return 0.0
        base = self.settings.llm.local_restart_backoff_s
        delay = min(base * 2 ** (len(recent) - 1), MAX_BACKOFF_S)
        return max(0.0, recent[-1][0] + delay - time.monotonic())

    def _ensure_locked(self) -> local.LocalServer:
        if self.server is not None and self._alive(self.server):
            return self.server
        if self.server is not None:
            self._on_death(self.server)
        if self.gave_up():
            self.state = "gave_up"
            raise self._gave_up_error()
        self.state = "restarting"
        wait = self._backoff_left()
        if wait > 0:
            time.sleep(wait)
        try:
            server = local.start_or_reuse(self.settings, port=self.port)
        except IdeaPumpError as exc:
            self._record_crash(f"restart failed: {exc.message}")
            raise
        watch(self.settings, server)  # this supervisor adopts it, under its URL too
        return server

    def adopt(self, server: local.LocalServer) -> None:
        with self._lock:
            self.server = server
            self.state = "running"
            self.last_error = ""
            self._unhealthy_since = None

    # -- entry points ----------------------------------------------------------
    def before_request(self) -> None:
        """Make sure a live server is behind the URL (restart a dead one, once)."""
        server = self.server
        if server is not None and self._alive(server):
            return
        if _SHUTDOWN.is_set():
            return
        with self._lock:
            self._ensure_locked()

    def after_failure(self, error: IdeaPumpError) -> IdeaPumpError:
        """Diagnose a failed request; restart a dead or wedged server; the error to raise."""
        if not isinstance(error, (LLMUnavailableError, LLMTimeoutError)) or _SHUTDOWN.is_set():
            return error
        server = self.server
        if server is None:
            return self._restarting_error(self.last_error) if self.state != "stopped" else error
        if self._healthy_soon(server):
            return error  # the server is fine: a slow answer, or a problem of this request
        with self._lock:
            if self._alive(server):
                self._kill(server, f"pid {server.pid} stopped answering /health (wedged)")
            elif not self._on_death(server):
                return error  # stopped on purpose
            why = self.last_error
        if self.gave_up():
            return self._gave_up_error()
        self._restart_in_background()
        return self._restarting_error(why)

    def _healthy_soon(self, server: local.LocalServer, attempts: int = 3) -> bool:
        for i in range(attempts):  # a loaded machine can be slow to answer
            if not self._alive(server):
                return False
            if local.health(server.url, timeout=2.0):
                return True
            if i + 1 < attempts:
                time.sleep(0.25)
        return False

    def _restarting_error(self, why: str) -> LLMUnavailableError:
        if self.gave_up():
            return self._gave_up_error()
        return LLMUnavailableError(
            f"the local model server for {self.llm} failed during this request "
            f"({why or 'it stopped'}); IdeaPump is restarting it, so ask again in a moment "
            f"(log: {self.log_file})",
            setting=SETTING,
        )

    def _restart_in_background(self) -> None:
        self.state = "restarting"

        def run() -> None:
            try:
                with self._lock:
                    self._ensure_locked()
            except IdeaPumpError:
                pass  # recorded; the next request tries again or reports it

        threading.Thread(target=run, name="ideapump-llm-restart", daemon=True).start()

    # -- watchdog ------------------------------------------------------------------
    def _start_watchdog(self) -> None:
        if self.settings.llm.local_health_interval_s <= 0:
            return
        self._watchdog = threading.Thread(
            target=self._watch, name="ideapump-llm-watchdog", daemon=True
        )
        self._watchdog.start()

    def _watch(self) -> None:
        interval = self.settings.llm.local_health_interval_s
        while not self._closed.wait(interval) and not _SHUTDOWN.is_set():
            with contextlib.suppress(Exception):  # never let the watchdog die of a surprise
                self.tick()

    def tick(self) -> None:
        """One watchdog round: a dead server is restarted, a long-unhealthy one killed first."""
        server = self.server
        if server is None or _SHUTDOWN.is_set():
            return
        if not self._alive(server):
            with self._lock:
                crashed = self._on_death(server)
            if crashed:
                self._restart_in_background()
            return
        timeout = min(5.0, max(1.0, self.settings.llm.local_health_interval_s))
        if local.health(server.url, timeout=timeout):
            self._unhealthy_since = None
            return
        now = time.monotonic()
        self._unhealthy_since = self._unhealthy_since or now
        if now - self._unhealthy_since >= self.settings.llm.local_wedged_after_s:
            with self._lock:
                self._kill(
                    server,
                    f"pid {server.pid} failed /health for "
                    f"{now - self._unhealthy_since:.0f} s (wedged)",
                )
            self._restart_in_background()

    def close(self) -> None:
        self._closed.set()

    def status(self) -> Status:
        server = self.server
        if server is not None and self._alive(server) and self.state == "running":
            return Status("running", f"local model server at {server.base_url}")
        if self.state == "gave_up" or self.gave_up():
            return Status("gave_up", self._gave_up_error().message)
        if self.state == "stopped":
            return Status("stopped", "the local model server was stopped; it starts on next use")
        if self.state == "restarting":
            return Status(
                "restarting",
                f"the local model server for {self.llm} is restarting after: {self.last_error}",
            )
        return Status(
            "down",
            f"the local model server for {self.llm} is down ({self.last_error or 'not running'}); "
            "it is restarted on the next request",
        )


# -- module API (used by the LLM client, the CLI and ideapump.llm.errors) ---------------


def ensure_local_server(settings: Settings, *, port: int = 0) -> local.LocalServer:
    """A running, supervised server for ``settings.llm.local_model`` (reused or started)."""
    server = local.start_or_reuse(settings, port=port)
    watch(settings, server)
    return server


def stop_local_servers(settings: Settings) -> list[local.LocalServer]:
    """Stop every local model server under HOME, on purpose: not restarted as a crash."""
    for server in local.running_servers(settings):
        mark_stopped(Path(server.state_file))
    return local.stop_local_servers(settings)


@contextlib.contextmanager
def local_server(settings: Settings) -> Iterator[local.LocalServer]:
    """Use (or start) the local server for a block; stop it afterwards if this block started it."""
    state_file, _, _ = local.state_paths(settings)
    had = local.owns(state_file) or local.find_local_server(settings) is not None
    server = ensure_local_server(settings)
    try:
        yield server
    finally:
        if not had:
            forget(state_file)
            local.stop_owned(state_file)


def watch(settings: Settings, server: local.LocalServer) -> Supervisor:
    """Supervise ``server`` (called whenever one is started or reused)."""
    state_file = Path(server.state_file)
    with _REGISTRY_LOCK:
        sup = _BY_STATE.get(state_file)
        if sup is None:
            sup = _BY_STATE[state_file] = Supervisor(settings, server)
        _BY_URL[server.base_url] = sup
    sup.adopt(server)
    return sup


def forget(state_file: Path) -> None:
    """Stop supervising (the server is being stopped on purpose)."""
    with _REGISTRY_LOCK:
        sup = _BY_STATE.pop(Path(state_file), None)
        if sup is not None:
            sup.close()
            for url, s in list(_BY_URL.items()):
                if s is sup:
                    del _BY_URL[url]


def mark_stopped(state_file: Path) -> None:
    """The server is being stopped on purpose: not a crash; it starts again on next use."""
    sup = _BY_STATE.get(Path(state_file))
    if sup is not None:
        with sup._lock:
            sup.server = None
            sup.state = "stopped"


def shutdown() -> None:
    """The process is exiting: no more restarts."""
    _SHUTDOWN.set()
    with _REGISTRY_LOCK:
        for sup in _BY_STATE.values():
            sup.close()


def supervisor_for(base_url: str) -> Supervisor | None:
    return _BY_URL.get(base_url.rstrip("/"))


def before_request(base_url: str) -> None:
    sup = supervisor_for(base_url)
    if sup is not None:
        sup.before_request()


def after_failure(base_url: str, error: IdeaPumpError) -> IdeaPumpError:
    sup = supervisor_for(base_url)
    return sup.after_failure(error) if sup is not None else error


def status(settings: Settings) -> Status | None:
    """The supervisor's view of this settings' local server, or None if none was started here."""
    state_file, _, _ = local.state_paths(settings)
    sup = _BY_STATE.get(state_file)
    return sup.status() if sup is not None else None


# Registered after ideapump.llm.local's own hook (imported above), so it runs first:
# no restarts while the process exits and stops its servers.
atexit.register(shutdown)
