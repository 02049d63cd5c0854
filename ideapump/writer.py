"""Writes made by one background thread, every item waiting at that moment in one commit.

Callers get a future and carry on (or wait on it); the thread drains the queue,
hands all waiting items to one ``commit`` call, and ends when idle.

* Conversation messages (:mod:`ideapump.api.storage`). Under 32 concurrent chat
  replies, storing each reply in its own transaction was most of what the service
  added after the model's last token (``bench/serve.py``: p50 97 / p95 295 ms).
  SQLite has one writer at a time, so the replies queued for it, and each
  transaction took about ten times its standalone 0.6 ms because its thread
  waited for the GIL between statements. One commit for all waiting messages
  pays that once per batch. PostgreSQL gains the same way.
* The model's last-call figures (:mod:`ideapump.llm.stats`): a reply's stream ends
  without waiting for the disk, and a burst of replies writes the file once.

Nothing is half-written: a batch is one commit; when it fails, each of its items
is tried again on its own, so one bad item (on PostgreSQL, a message whose
conversation was deleted meanwhile) fails only its own caller.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")

#: A bound on one transaction's size, so the first caller of a long queue is not kept waiting.
MAX_BATCH = 128
#: The thread ends after this long without work (an idle app, a test's app) and restarts on demand.
IDLE_S = 2.0


class BatchWriter(Generic[T]):
    """``submit(item)`` returns a future, resolved once ``commit(batch)`` has stored it."""

    def __init__(
        self,
        commit: Callable[[Sequence[T]], None],
        name: str = "ideapump-writer",
        idle_s: float = IDLE_S,
    ) -> None:
        self._commit = commit
        self._name = name
        self._idle_s = idle_s
        self._queue: queue.SimpleQueue[tuple[T, Future[T]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False

    @property
    def running(self) -> bool:
        """Whether the writing thread is alive (it ends when idle, and starts again on demand)."""
        return self._running

    def submit(self, item: T) -> Future[T]:
        done: Future[T] = Future()
        with self._lock:
            if not self._running:
                # start() fails at interpreter shutdown: then nothing is queued or marked.
                threading.Thread(target=self._run, name=self._name, daemon=True).start()
                self._running = True
            self._queue.put((item, done))
        return done

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=self._idle_s)]
            except queue.Empty:
                with self._lock:  # submit() puts under this lock: nothing can slip in unseen
                    if self._queue.empty():
                        self._running = False
                        return
                continue
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[tuple[T, Future[T]]]) -> None:
        try:
            self._commit([item for item, _ in batch])
        except BaseException as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for one in batch:
                self._write([one])
            return
        for item, done in batch:
            done.set_result(item)
