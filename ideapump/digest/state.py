"""Digest state in the registry database: digests, per-document entries, feeds, feed items.

The tables are defined with the others in :mod:`ideapump.store.tables`.

* ``digest_entries`` - one row per (library, document): ``done`` (in the digest
  of ``digest_date``), ``failed`` (retried next run, up to ``max_attempts``),
  ``gave_up``, or ``baseline`` (present before the first digest: not news).
  A document with a ``done`` row is never digested again, which is what makes
  a rerun the same night add nothing.
* ``digests`` - one row per (library, date): the notes of the latest run that
  day and the files written.
* ``feeds`` / ``feed_items`` - saved literature topics and the items already taken.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from ideapump.errors import InputError, NotFoundError
from ideapump.store.registry import Registry
from ideapump.store.tables import DigestEntryRow, DigestRow, FeedItemRow, FeedRow

DONE, FAILED, GAVE_UP, BASELINE = "done", "failed", "gave_up", "baseline"
FEED_SOURCES = ("arxiv", "pubmed", "biorxiv")


def _now() -> datetime:
    return datetime.now(UTC)


class DigestState:
    """Digest and feed bookkeeping of one library."""

    def __init__(self, registry: Registry, library: str) -> None:
        self.registry = registry
        self.library = library

    # -- entries -------------------------------------------------------------------
    def entries(self) -> dict[str, DigestEntryRow]:
        with self.registry.session() as s:
            rows = s.scalars(select(DigestEntryRow).where(DigestEntryRow.library == self.library))
            return {r.doc_id: r for r in rows}

    def has_history(self) -> bool:
        with self.registry.session() as s:
            return (
                s.scalars(
                    select(DigestEntryRow.doc_id).where(DigestEntryRow.library == self.library)
                ).first()
                is not None
                or s.scalars(
                    select(DigestRow.date).where(DigestRow.library == self.library)
                ).first()
                is not None
            )

    def record_baseline(self, doc_ids: list[str]) -> None:
        with self.registry.session() as s:
            for doc_id in doc_ids:
                if s.get(DigestEntryRow, (self.library, doc_id)) is None:
                    s.add(
                        DigestEntryRow(
                            library=self.library,
                            doc_id=doc_id,
                            status=BASELINE,
                            updated_at=_now(),
                        )
                    )

    def record(
        self,
        doc_id: str,
        date: str,
        payload: dict[str, Any],
        *,
        error: str | None,
        max_attempts: int,
        count: bool = True,
    ) -> str:
        """Store one document's outcome; returns the status it got.

        ``count=False`` (the model was down, not the document's fault) does not
        count the attempt towards ``max_attempts``.
        """
        with self.registry.session() as s:
            row = s.get(DigestEntryRow, (self.library, doc_id))
            if row is None:
                row = DigestEntryRow(library=self.library, doc_id=doc_id, attempts=0)
                s.add(row)
            row.attempts = (row.attempts or 0) + (1 if count or error is None else 0)
            row.error = error
            row.payload = payload
            row.digest_date = date
            row.updated_at = _now()
            if error is None:
                row.status = DONE
            else:
                row.status = GAVE_UP if row.attempts >= max_attempts else FAILED
            return row.status

    def entries_on(self, date: str) -> list[DigestEntryRow]:
        with self.registry.session() as s:
            return list(
                s.scalars(
                    select(DigestEntryRow)
                    .where(
                        DigestEntryRow.library == self.library,
                        DigestEntryRow.digest_date == date,
                    )
                    .order_by(DigestEntryRow.updated_at)
                )
            )

    # -- digests -------------------------------------------------------------------
    def save_digest(self, date: str, notes: list[str], files: list[str]) -> None:
        with self.registry.session() as s:
            row = s.get(DigestRow, (self.library, date))
            if row is None:
                row = DigestRow(library=self.library, date=date, created_at=_now(), runs=0)
                s.add(row)
            row.runs = (row.runs or 0) + 1
            row.notes = notes
            row.files = files
            row.updated_at = _now()

    def digest(self, date: str) -> DigestRow | None:
        with self.registry.session() as s:
            return s.get(DigestRow, (self.library, date))

    def digests(self) -> list[DigestRow]:
        with self.registry.session() as s:
            return list(
                s.scalars(
                    select(DigestRow)
                    .where(DigestRow.library == self.library)
                    .order_by(DigestRow.date.desc())
                )
            )

    # -- feeds ---------------------------------------------------------------------
    def add_feed(self, topic: str, source: str) -> FeedRow:
        topic = " ".join(topic.split())
        if not topic:
            raise InputError("the feed topic is empty")
        if len(topic) > 300:
            raise InputError("the feed topic is longer than 300 characters")
        if source not in FEED_SOURCES:
            raise InputError(f"unknown feed source {source!r}: use {', '.join(FEED_SOURCES)}")
        with self.registry.session() as s:
            existing = s.scalars(
                select(FeedRow).where(
                    FeedRow.library == self.library,
                    FeedRow.source == source,
                    FeedRow.topic == topic,
                )
            ).first()
            if existing is not None:
                return existing
            row = FeedRow(library=self.library, source=source, topic=topic, created_at=_now())
            s.add(row)
            s.flush()
            return row

    def feeds(self) -> list[FeedRow]:
        with self.registry.session() as s:
            return list(
                s.scalars(
                    select(FeedRow).where(FeedRow.library == self.library).order_by(FeedRow.id)
                )
            )

    def remove_feed(self, topic: str, source: str | None = None) -> list[FeedRow]:
        """Remove the feeds with this topic (or this numeric id), from one source or all."""
        topic = " ".join(topic.split())
        with self.registry.session() as s:
            query = select(FeedRow).where(FeedRow.library == self.library)
            if topic.isdigit():
                query = query.where(FeedRow.id == int(topic))
            else:
                query = query.where(FeedRow.topic == topic)
            if source:
                query = query.where(FeedRow.source == source)
            rows = list(s.scalars(query))
            if not rows:
                raise NotFoundError(f"no saved feed {topic!r} in library {self.library!r}")
            for row in rows:
                s.delete(row)
            return rows

    def feed_ran(self, feed_id: int, *, error: str | None, new_items: int) -> None:
        with self.registry.session() as s:
            row = s.get(FeedRow, feed_id)
            if row is not None:
                row.last_run_at = _now()
                row.last_error = error
                row.items = (row.items or 0) + new_items

    def seen_items(self, source: str, item_ids: list[str]) -> set[str]:
        if not item_ids:
            return set()
        with self.registry.session() as s:
            return set(
                s.scalars(
                    select(FeedItemRow.item_id).where(
                        FeedItemRow.library == self.library,
                        FeedItemRow.source == source,
                        FeedItemRow.item_id.in_(item_ids),
                    )
                )
            )

    def add_item(self, feed_id: int, source: str, item_id: str, title: str, path: str) -> None:
        with self.registry.session() as s:
            s.merge(
                FeedItemRow(
                    library=self.library,
                    source=source,
                    item_id=item_id,
                    feed_id=feed_id,
                    title=title,
                    path=path,
                    fetched_at=_now(),
                )
            )
