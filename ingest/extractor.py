"""Preparing files (extraction, chunking, audit) in a worker process, overlapped with embedding.

pypdf, the chunker and the statistics audit are pure Python and take seconds
per paper; embedding takes longer. With one worker preparing the next file
(:func:`ingest.prepare.prepare`) while the main process embeds the current one,
that work mostly disappears from the wall-clock time.

The worker is a plain ``python -m ingest.extractor`` subprocess speaking
length-prefixed pickles over its stdin/stdout, not a multiprocessing pool:
spawn-based pools re-import the caller's ``__main__``, which breaks any user
script without an ``if __name__ == "__main__"`` guard, and fork-based ones
would copy the parent's ONNX and Chroma threads' locks. The worker only reads
files, ignores Ctrl-C, and dies with its parent, so killing either process
cannot leave anything half-stored.

It is also the sandbox for hostile files. A PDF with a huge page count or
deeply nested objects can keep pypdf busy for hours or take all memory; in the
worker it has a time budget per file (``IDEAPUMP_INGEST__FILE_TIME_BUDGET_S``: the
worker is killed and the file fails with that reason) and an address-space limit
(``IDEAPUMP_INGEST__FILE_MEMORY_MB``: a MemoryError fails only that file). PDFs are
therefore always read there, never inline in the calling process (the API's);
text and CSV files, bounded by the size limit, may still be read inline.
"""

from __future__ import annotations

import pickle
import signal
import struct
import subprocess
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ideapump.errors import DocumentError
from ingest.prepare import Prepared, PrepPlan, prepare, warm_up

_HEADER = struct.Struct("!Q")


def _send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _recv(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("extraction worker closed its pipe")
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))


@dataclass(frozen=True)
class Budget:
    """What one file may cost the worker."""

    seconds: float = 120.0
    memory_mb: int = 2048  # address space of the worker; 0: no limit


class Extractor:
    """Runs :func:`prepare` in one worker subprocess (or inline, for files that need no guard).

    ``workers=0``: no worker to overlap with (one file); PDFs still go to a worker,
    which is what enforces the :class:`Budget`.
    """

    def __init__(self, workers: int = 1, budget: Budget | None = None) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self.overlap = workers > 0
        self.budget = budget or Budget()
        # One thread talks to the worker, so requests are answered in order.
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ideapump-extract")

    def _worker(self, plan: PrepPlan) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            proc = subprocess.Popen(
                [sys.executable, "-m", "ingest.extractor", str(self.budget.memory_mb)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            assert proc.stdin is not None and proc.stdout is not None
            # Start-up (imports, tokenizer) is not the first file's: it is done, and
            # the memory limit set, before any file's clock starts.
            try:
                _send(proc.stdin, (None, plan))
                _recv(proc.stdout)
            except (EOFError, BrokenPipeError, OSError) as exc:
                proc.kill()
                proc.wait()
                raise DocumentError(f"the extraction worker did not start ({exc})") from None
            self._proc = proc
        return self._proc

    def _remote(self, path: Path, plan: PrepPlan) -> Prepared:
        proc = self._worker(plan)
        assert proc.stdin is not None and proc.stdout is not None
        over_budget = threading.Event()

        def stop() -> None:
            over_budget.set()
            proc.kill()

        timer = threading.Timer(self.budget.seconds, stop)
        timer.daemon = True
        timer.start()
        try:
            _send(proc.stdin, (path, plan))
            ok, value = _recv(proc.stdout)
        except (EOFError, BrokenPipeError, OSError, pickle.UnpicklingError):
            self._proc = None
            code = proc.wait()
            if over_budget.is_set():
                raise DocumentError(
                    f"reading it took longer than {self.budget.seconds:g} s, so it was stopped "
                    "(a PDF with a huge page count or deeply nested objects?); "
                    "the limit is IDEAPUMP_INGEST__FILE_TIME_BUDGET_S"
                ) from None
            raise DocumentError(
                f"the worker reading it died (exit code {code}; out of memory?); the memory "
                "limit per file is IDEAPUMP_INGEST__FILE_MEMORY_MB"
            ) from None
        finally:
            timer.cancel()
        if not ok:
            raise value
        return value

    def submit(
        self, path: Path, plan: PrepPlan, data: bytes, *, inline: bool = False
    ) -> Future[Prepared]:
        """Prepare ``path`` in the worker, or here and now (a text file with no overlap, or
        ``inline``); a PDF always goes to the worker, whose budget bounds it."""
        guarded = path.suffix.lower() == ".pdf"
        if (inline or not self.overlap) and not guarded:
            future: Future[Prepared] = Future()
            try:
                future.set_result(prepare(path, plan, data))
            except Exception as exc:
                future.set_exception(exc)
        else:
            # The bytes were already read for hashing; the worker rereads the file
            # rather than copying megabytes through a pipe.
            future = self._io.submit(self._remote, path, plan)
        return future

    def close(self) -> None:
        self._io.shutdown(wait=False, cancel_futures=True)
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _die_with_parent() -> None:
    # If the parent is killed (kill -9) nothing else tells the worker to stop.
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the worker exits at EOF on stdin
        pass


def _limit_memory(megabytes: int) -> None:
    if megabytes <= 0:
        return
    try:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not POSIX, or a lower hard limit
        pass


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            path, plan = _recv(stdin)
        except EOFError:
            return
        if path is None:
            # Start-up: what every file needs (tokenizer and its threads, SciPy) first,
            # then the limit, so that it bounds the files' own work alone.
            warm_up(plan)
            _limit_memory(memory_mb)
            _send(stdout, (True, None))
            continue
        try:
            reply: tuple[bool, Any] = (True, prepare(path, plan))
        except MemoryError:
            reply = (
                False,
                DocumentError(
                    f"reading it needed more than the {memory_mb} MB allowed per file "
                    "(IDEAPUMP_INGEST__FILE_MEMORY_MB)"
                ),
            )
        except RecursionError:
            reply = (False, DocumentError("too deeply nested to read (a hostile PDF?)"))
        except Exception as exc:
            reply = (False, exc)
        try:
            _send(stdout, reply)
        except MemoryError:  # the result itself does not fit: fail the file, not the run
            _send(stdout, (False, DocumentError("the text read from it is too large")))


if __name__ == "__main__":
    main()
