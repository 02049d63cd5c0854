"""Text extraction in a worker process, overlapped with embedding.

pypdf is pure Python and takes seconds per paper; embedding takes longer. With
one worker extracting the next file while the main process embeds the current
one, extraction mostly disappears from the wall-clock time. The worker only
reads files and returns a :class:`LoadedDocument`; it never writes, so killing
either process cannot leave anything half-stored.
"""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType

from ingest.loaders import LoadedDocument, load_document


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle; the worker just stops when the parent goes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # If the parent is killed (kill -9), nothing tells a pool worker to stop, and
    # it would hold the parent's stdout open. Ask Linux to kill it with the parent.
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the worker exits at its next read
        pass


def _extract(path: Path, max_bytes: int, data: bytes | None) -> LoadedDocument:
    return load_document(path, max_bytes=max_bytes, data=data)


def exc_path(future: Future[LoadedDocument]) -> str:
    return str(getattr(future, "ideapump_path", ""))


class Extractor:
    """Runs load_document in one spawned worker (or inline when workers=0)."""

    def __init__(self, workers: int = 1) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            # spawn, not fork: the parent holds ONNX and Chroma threads whose
            # locks a forked child would inherit in an unknown state.
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init,
            )

    def submit(self, path: Path, max_bytes: int, data: bytes) -> Future[LoadedDocument]:
        if self._pool is None:
            future: Future[LoadedDocument] = Future()
            try:
                future.set_result(_extract(path, max_bytes, data))
            except Exception as exc:
                future.set_exception(exc)
        else:
            # The bytes were already read for hashing; the worker rereads the file
            # rather than copying megabytes through a pipe.
            future = self._pool.submit(_extract, path, max_bytes, None)
        future.ideapump_path = str(path)  # type: ignore[attr-defined]
        return future

    def __enter__(self) -> Extractor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=exc_type is None, cancel_futures=True)
