"""The document registry: which documents a library holds, in SQL (SQLAlchemy).

Its engine is the one every SQL table of IdeaPump lives on (:mod:`ideapump.store.tables`);
:meth:`Registry.connect` migrates the database to the current schema first.

SQLite under the data dir by default; any SQLAlchemy URL (PostgreSQL for a lab
that runs several workers) by setting. Chunks and vectors live in Chroma; the
registry row is the *commit point* of a document: a document is visible only
once its row says ``complete``. Rows in the transient states ``pending``
(chunks being written) and ``deleting`` (chunks being removed) are what an
interrupted run leaves behind, and the next run finishes or undoes them, so a
kill at any instant leaves no half-stored document visible.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ideapump.errors import InputError, NotFoundError, StorageFullError, StoreError
from ideapump.store.failures import full_error, is_disk_full
from ideapump.store.schema import migrate, require_head
from ideapump.store.tables import COMPLETE, DELETING, PENDING, DocumentRow


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL: readers (the API, a search) never block the ingesting writer, and a
    # killed writer cannot corrupt committed rows.
    cur.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL still never corrupts the database; it only skips the
    # fsync per commit, which made 32 concurrent chat replies queue on the disk.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def engine_options(url: str) -> dict[str, Any]:
    """Pool settings: a database server can restart under us, a file cannot."""
    if url.startswith("sqlite"):
        return {}
    options: dict[str, Any] = {
        # A pooled connection to a server that restarted is dead: test each one as it
        # is taken, so the first request after an outage does not fail on it.
        "pool_pre_ping": True,
        # During an outage, fail a request in seconds (503, retry) rather than wait
        # on the pool or on a connect that cannot succeed.
        "pool_timeout": 10,
    }
    if url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": 5}
    return options


def _store_error(exc: DBAPIError) -> StoreError | StorageFullError:
    if is_disk_full(exc):
        return full_error("the registry database", exc)
    detail = (str(exc.orig or exc).strip().splitlines() or [type(exc).__name__])[0]
    return StoreError(
        f"registry database error: {detail}; retry in a moment",
        setting="IDEAPUMP_STORE__DATABASE_URL",
    )


#: Session.info key: this session holds the process's SQLite writer turn.
_TURN = "ideapump_writer_turn"


class Registry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer at a time, and a blocked writer polls with sleeps
        # of up to 100 ms: under 32 concurrent replies that added seconds (bench/
        # serve). Writing threads of one process take turns on a lock instead,
        # which wakes the next one at once; readers never wait (WAL). Other
        # processes still meet busy_timeout.
        self._writer = threading.Lock() if engine.dialect.name == "sqlite" else None
        if self._writer is not None:
            # Registered once on the factory, not on every session: sessions are
            # opened on every search and message.
            event.listen(self._session, "before_flush", lambda s, *_: self._take_turn(s))
            event.listen(self._session, "do_orm_execute", self._take_turn_for_dml)

    def _take_turn(self, session: Session) -> None:
        # The first flush is where SQLite's write lock is taken; ours comes first.
        if self._writer is not None and not session.info.get(_TURN):
            self._writer.acquire()
            session.info[_TURN] = True

    def _take_turn_for_dml(self, state: Any) -> None:
        if not state.is_select:
            self._take_turn(state.session)

    @classmethod
    def connect(cls, url: str, *, migrate_schema: bool | None = True) -> Registry:
        """Open the database at ``url`` and bring its schema up to date.

        ``migrate_schema``: True runs the migrations it lacks (:mod:`ideapump.store.schema`);
        False only checks that none is missing (``ideapump db upgrade`` applies them);
        None neither (``ideapump db`` itself).
        """
        try:
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, **engine_options(url))
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            if migrate_schema:
                migrate(engine)
            elif migrate_schema is not None:
                require_head(engine)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot open the registry database: {exc.__class__.__name__}: {exc}".split("\n")[
                    0
                ],
                setting="IDEAPUMP_STORE__DATABASE_URL",
            ) from None
        except ModuleNotFoundError as exc:
            raise StoreError(
                f"the database driver {exc.name!r} is not installed for {url.split(':')[0]}",
                setting="IDEAPUMP_STORE__DATABASE_URL",
            ) from None
        return cls(engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._session()
        try:
            with session.begin():
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise _store_error(exc) from None
        except DBAPIError as exc:
            if exc.connection_invalidated or is_disk_full(exc):
                raise _store_error(exc) from None
            raise
        finally:
            turn = session.info.pop(_TURN, False)
            session.close()
            if turn and self._writer is not None:
                self._writer.release()

    # -- reads -------------------------------------------------------------
    def get(self, library: str, doc_id: str) -> DocumentRow | None:
        with self.session() as s:
            return s.get(DocumentRow, (library, doc_id))

    def resolve(self, library: str, doc_id: str) -> DocumentRow:
        """A complete document by id or unique id prefix (ids are long to type)."""
        doc_id = doc_id.strip().lower()
        if len(doc_id) < 4:
            raise InputError("give at least 4 characters of the document id")
        with self.session() as s:
            rows = s.scalars(
                select(DocumentRow).where(
                    DocumentRow.library == library,
                    DocumentRow.status == COMPLETE,
                    DocumentRow.doc_id.startswith(doc_id),
                )
            ).all()
        if not rows:
            raise NotFoundError(f"no document {doc_id!r} in library {library!r}")
        if len(rows) > 1:
            raise InputError(
                f"document id {doc_id!r} is ambiguous: {', '.join(r.doc_id for r in rows)}"
            )
        return rows[0]

    def complete(self, library: str) -> list[DocumentRow]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(DocumentRow)
                    .where(DocumentRow.library == library, DocumentRow.status == COMPLETE)
                    .order_by(DocumentRow.ingested_at)
                )
            )

    def by_source(self, library: str, source: str) -> list[DocumentRow]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(DocumentRow).where(
                        DocumentRow.library == library,
                        DocumentRow.source == source,
                        DocumentRow.status == COMPLETE,
                    )
                )
            )

    def unfinished(self, library: str) -> list[DocumentRow]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(DocumentRow).where(
                        DocumentRow.library == library, DocumentRow.status != COMPLETE
                    )
                )
            )

    def titles(self, library: str, doc_ids: set[str]) -> dict[str, DocumentRow]:
        if not doc_ids:
            return {}
        with self.session() as s:
            rows = s.scalars(
                select(DocumentRow).where(
                    DocumentRow.library == library,
                    DocumentRow.status == COMPLETE,
                    DocumentRow.doc_id.in_(doc_ids),
                )
            )
            return {r.doc_id: r for r in rows}

    # -- writes ------------------------------------------------------------
    def begin(self, row: DocumentRow) -> None:
        """Record that a document's chunks are about to be written."""
        row.status = PENDING
        row.ingested_at = datetime.now(UTC)
        with self.session() as s:
            s.merge(row)

    def commit(self, library: str, doc_id: str, *, replaces: list[str] = ()) -> None:  # type: ignore[assignment]
        """Make a document visible and, in the same transaction, retire what it replaces."""
        with self.session() as s:
            row = s.get(DocumentRow, (library, doc_id))
            if row is None:
                raise StoreError(f"document {doc_id} vanished from the registry during ingest")
            row.status = COMPLETE
            row.ingested_at = datetime.now(UTC)
            for old in replaces:
                old_row = s.get(DocumentRow, (library, old))
                if old_row is not None and old != doc_id:
                    old_row.status = DELETING

    def mark_deleting(self, library: str, doc_id: str) -> None:
        with self.session() as s:
            row = s.get(DocumentRow, (library, doc_id))
            if row is not None:
                row.status = DELETING

    def delete(self, library: str, doc_id: str) -> None:
        with self.session() as s:
            row = s.get(DocumentRow, (library, doc_id))
            if row is not None:
                s.delete(row)

    def update_source(self, library: str, doc_id: str, source: str) -> None:
        with self.session() as s:
            row = s.get(DocumentRow, (library, doc_id))
            if row is not None:
                row.source = source

    def set_stats(self, library: str, doc_id: str, stats: dict[str, Any] | None) -> None:
        with self.session() as s:
            row = s.get(DocumentRow, (library, doc_id))
            if row is not None:
                row.stats = stats
