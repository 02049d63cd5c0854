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
"""

from __future__ import annotations

import pickle
import signal
import struct
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ingest.prepare import Prepared, PrepPlan, prepare

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


class Extractor:
    """Runs :func:`prepare` in one worker subprocess (or inline when workers=0)."""

    def __init__(self, workers: int = 1) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        # One thread talks to the worker, so requests are answered in order.
        self._io = ThreadPoolExecutor(max_workers=1) if workers > 0 else None

    def _worker(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "ingest.extractor"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._proc

    def _remote(self, path: Path, plan: PrepPlan) -> Prepared:
        proc = self._worker()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            _send(proc.stdin, (path, plan))
            ok, value = _recv(proc.stdout)
        except (EOFError, BrokenPipeError, OSError):
            # The worker died (out of memory, killed): do this file here instead.
            self._proc = None
            return prepare(path, plan)
        if not ok:
            raise value
        return value

    def submit(
        self, path: Path, plan: PrepPlan, data: bytes, *, inline: bool = False
    ) -> Future[Prepared]:
        """Prepare ``path`` in the worker, or here and now (no worker, or ``inline``)."""
        if self._io is None or inline:
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
        if self._io is not None:
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


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            path, plan = _recv(stdin)
        except EOFError:
            return
        try:
            reply: tuple[bool, Any] = (True, prepare(path, plan))
        except Exception as exc:
            reply = (False, exc)
        _send(stdout, reply)


if __name__ == "__main__":
    main()
