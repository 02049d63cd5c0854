"""What the stores' failures mean to a user: unreachable (retry later) or full (free space).

Chroma (a ``chroma run`` server, or embedded under HOME) and the registry database
fail in their own vocabularies: httpx transport errors, ``chromadb.errors.InternalError``,
``sqlite3.OperationalError: database or disk is full``, psycopg's ``OperationalError``.
:func:`store_errors` turns each into the one hierarchy: :class:`StoreError` (503,
retryable: the server is down or restarting) or :class:`StorageFullError` (507: the
disk is full). :class:`GuardedCollection` applies it to every call on a Chroma
collection, so callers that use the collection directly (hybrid retrieval, the
BM25 index sync) get the same errors as :class:`~ideapump.store.vectors.VectorStore`.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ideapump.errors import IdeaPumpError, StorageFullError, StoreError

_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_FULL_WORDS = ("database or disk is full", "no space left on device", "disk full", "disk is full")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a full disk or quota."""
    for e in _chain(exc):
        if isinstance(e, StorageFullError):
            return True
        if isinstance(e, OSError) and e.errno in _FULL_ERRNOS:
            return True
        if any(word in str(e).lower() for word in _FULL_WORDS):
            return True
    return False


def full_error(where: str, exc: BaseException) -> StorageFullError:
    return StorageFullError(
        f"no space left for {where}: the disk is full ({_first_line(exc)}); free space or "
        "move IDEAPUMP_HOME to a larger disk",
        setting="IDEAPUMP_HOME",
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _is_unreachable(exc: BaseException) -> bool:
    """A transport failure or a server-side failure: the same call can succeed later."""
    import httpx

    if isinstance(exc, (httpx.TransportError, ConnectionError, TimeoutError)):
        return True
    try:
        from chromadb.errors import ChromaError
    except ImportError:  # pragma: no cover - chromadb is a dependency
        return False
    return isinstance(exc, ChromaError) and exc.code() >= 500


#: Below this much free space, a store's internal error is taken for a full disk:
#: embedded Chroma reports one only as "Error in compaction: Failed to apply logs".
LOW_SPACE_BYTES = 16 * 1024 * 1024


def disk_nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path).free < LOW_SPACE_BYTES
    except OSError:
        return False


@contextmanager
def store_errors(where: str, setting: str, disk: Path | None = None) -> Iterator[None]:
    """Re-raise a store's failure inside the block as StoreError or StorageFullError.

    ``disk``: the folder of an embedded store, whose free space tells a full disk
    from another internal error.
    """
    try:
        yield
    except IdeaPumpError:
        raise
    except Exception as exc:
        if is_disk_full(exc) or (disk is not None and disk_nearly_full(disk)):
            raise full_error(where, exc) from exc
        if _is_unreachable(exc):
            verb = "failed" if disk is not None else "does not answer"
            raise StoreError(
                f"{where} {verb} ({type(exc).__name__}: {_first_line(exc)}); retry in a moment",
                setting=setting,
            ) from exc
        raise


class GuardedCollection:
    """A Chroma collection whose calls raise IdeaPumpErrors for outages and full disks."""

    def __init__(self, collection: Any, where: str, setting: str, disk: Path | None = None) -> None:
        self._collection = collection
        self._where = where
        self._setting = setting
        self._disk = disk

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._collection, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            with store_errors(self._where, self._setting, self._disk):
                return value(*args, **kwargs)

        return _named(call, value)


def _named(wrapper: Callable[..., Any], wrapped: Callable[..., Any]) -> Callable[..., Any]:
    wrapper.__name__ = getattr(wrapped, "__name__", "call")
    wrapper.__doc__ = getattr(wrapped, "__doc__", None)
    return wrapper
