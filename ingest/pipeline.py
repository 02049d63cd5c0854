"""The ingestion pipeline: files -> pages -> chunks -> vectors -> store.

Incremental and idempotent: a document's id is its content hash, so an
unchanged file is recognized before any parsing; a changed file at a known
path replaces the old document in one registry transaction. Each file is
all-or-nothing: its vectors are written while its registry row says
``pending`` and become visible only when the row flips to ``complete``.
An interrupted run (SIGINT, SIGKILL, power loss) leaves at most a pending row
whose chunks the next run removes before redoing that file.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ideapump.errors import DocumentError, StorageFullError, StoreError, UnsupportedFileError
from ideapump.models import IngestOutcome, IngestReport
from ideapump.retrieval.context import CHUNK_CONTEXT, context_text
from ideapump.store.failures import full_error, is_disk_full
from ideapump.store.registry import COMPLETE, DELETING, DocumentRow, Registry
from ingest.chunking import Chunk
from ingest.extractor import Budget, Extractor
from ingest.loaders import doc_id_for, kind_of, read_checked
from ingest.prepare import Prepared, PrepPlan

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ideapump.config import Settings
    from ideapump.store.vectors import VectorStore

# A pending row older than this belongs to a run that died, not to one that is
# still writing in another process.
STALE_AFTER = timedelta(minutes=15)
LOOKAHEAD = 2  # files queued for the worker

#: A file either settled by the cheap checks, or (doc_id, extraction in progress).
Planned = IngestOutcome | tuple[Path, str, "Future[Prepared]"]


class IngestProgress:
    """Receives progress from the pipeline; the CLI and the API subclass it."""

    def discovered(self, total_files: int) -> None: ...
    def file_started(self, path: Path) -> None: ...
    def pages_loaded(self, n: int) -> None: ...
    def chunks_planned(self, n: int) -> None: ...
    def chunks_embedded(self, n: int) -> None: ...
    def file_done(self, outcome: IngestOutcome) -> None: ...


#: Room kept on HOME's disk while an ingest runs. When the disk fills up mid-file, the
#: undo of that file must itself be written (SQLite and Chroma log a delete before they
#: apply it); freeing this lets it be, so no half-stored document is left behind.
RESERVE_BYTES = 2_000_000


class Reserve:
    """A ballast file under ``HOME/run`` for the length of an ingest run."""

    def __init__(self, home: Path) -> None:
        # One per run: API workers run several ingests in one process at once.
        self.path = home / "run" / f"ingest-{os.getpid()}-{uuid.uuid4().hex[:8]}.reserve"

    def __enter__(self) -> Reserve:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("wb") as f:
                f.write(bytes(RESERVE_BYTES))
        except OSError:  # already too full to keep room: the run will say so
            self.release()
        return self

    def release(self) -> None:
        self.path.unlink(missing_ok=True)

    def __exit__(self, *exc: object) -> None:
        self.release()


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[IngestOutcome]]:
    """Expand folders (recursively, skipping hidden entries) into files to ingest."""
    files: list[Path] = []
    problems: list[IngestOutcome] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            problems.append(
                IngestOutcome(path=str(raw), status="failed", reason="no such file or folder")
            )
            continue
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found = [path]
        for f in found:
            resolved = f.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(resolved)
    return files, problems


class Pipeline:
    def __init__(self, settings: Settings, store: VectorStore, registry: Registry) -> None:
        from ideapump.embeddings import count_limit

        self.settings = settings
        self.store = store
        self.registry = registry
        self.library = store.library
        self.max_bytes = int(settings.ingest.max_file_mb * 1_000_000)
        self.plan = PrepPlan(
            max_bytes=self.max_bytes,
            chunk_tokens=settings.ingest.chunk_tokens,
            overlap=settings.ingest.chunk_overlap,
            count_max_tokens=count_limit(store.embeddings),
            alpha=settings.stats.alpha,
        )
        #: The file that met a full disk, for the reason given to the files after it.
        self.full: str | None = None
        self.reserve = Reserve(settings.home)

    # -- recovery ------------------------------------------------------------
    def recover(self, doc_ids: set[str] | None = None) -> int:
        """Finish what an interrupted run left: drop its pending and deleting documents."""
        now = datetime.now(UTC)
        fixed = 0
        for row in self.registry.unfinished(self.library):
            started = (
                row.ingested_at if row.ingested_at.tzinfo else row.ingested_at.replace(tzinfo=UTC)
            )
            if (
                row.status == DELETING
                or now - started > STALE_AFTER
                or row.doc_id in (doc_ids or ())
            ):
                self._delete_chunks(row)
                self.registry.delete(self.library, row.doc_id)
                fixed += 1
        return fixed

    def _delete_chunks(self, row: DocumentRow) -> None:
        # By id as well as by document: a write that failed half-way (a full disk) can
        # sit in Chroma's log, applied only later, where a delete by metadata finds
        # nothing yet; a delete by id is logged after it and undoes it then.
        ids = [Chunk(row.doc_id, i, "", "", 0, 0, 0, 0).chunk_id for i in range(row.chunks)]
        self.store.delete_ids(ids)
        self.store.delete_document(row.doc_id)

    def remove(self, doc_id: str) -> None:
        self.registry.mark_deleting(self.library, doc_id)
        self.store.delete_document(doc_id)
        self.registry.delete(self.library, doc_id)

    # -- ingest --------------------------------------------------------------
    def run(self, paths: Sequence[Path], progress: IngestProgress | None = None) -> IngestReport:
        progress = progress or IngestProgress()
        report = IngestReport(library=self.library)
        files, problems = discover(paths)
        report.outcomes.extend(problems)
        self.recover()
        progress.discovered(len(files))
        budget = Budget(
            self.settings.ingest.file_time_budget_s, self.settings.ingest.file_memory_mb
        )
        with (
            Reserve(self.settings.home) as self.reserve,
            Extractor(workers=1 if len(files) > 1 else 0, budget=budget) as extractor,
        ):
            planned: dict[int, Planned] = {}
            for i, path in enumerate(files):
                if self.full:
                    # The disk is full: each later file would be read and embedded only
                    # to fail at the same point; say so for each instead.
                    outcome = IngestOutcome(
                        path=str(path),
                        status="failed",
                        reason=f"not ingested: the disk filled up while storing {self.full}; "
                        "free space and run again",
                    )
                    report.outcomes.append(outcome)
                    progress.file_done(outcome)
                    continue
                progress.file_started(path)
                t0 = time.perf_counter()
                # Keep the worker busy on the next files while this one is embedded:
                # with one file queued it idled after a short file and the main
                # process then waited on a long one.
                for j in range(i + 1, min(i + 1 + LOOKAHEAD, len(files))):
                    if j not in planned:
                        planned[j] = self._plan(files[j], report, extractor)
                # The first file is prepared here, alongside the worker's start on
                # the second: nothing is being embedded yet to overlap it with.
                item = planned.pop(i, None) or self._plan(path, report, extractor, inline=True)
                outcome = self._finish(item, report, progress)
                outcome.seconds = round(time.perf_counter() - t0, 3)
                report.outcomes.append(outcome)
                progress.file_done(outcome)
        return report

    def _plan(
        self, path: Path, report: IngestReport, extractor: Extractor, *, inline: bool = False
    ) -> Planned:
        """Cheap checks in this process: type, size, content hash, already stored?"""
        t = time.perf_counter()
        shown = str(path)
        try:
            kind_of(path)
            data = read_checked(path, self.max_bytes)
        except UnsupportedFileError as exc:
            return IngestOutcome(path=shown, status="skipped", reason=str(exc))
        except DocumentError as exc:
            return IngestOutcome(path=shown, status="failed", reason=str(exc))
        doc_id = doc_id_for(hashlib.sha256(data).hexdigest())
        existing = self.registry.get(self.library, doc_id)
        stale = existing is not None and self._embedded_without_context(existing)
        report.timings.other_s += time.perf_counter() - t
        if existing is not None and existing.status == COMPLETE and not stale:
            if existing.source != shown and not Path(existing.source).exists():
                self.registry.update_source(self.library, doc_id, shown)  # the file moved
            return IngestOutcome(
                path=shown,
                status="unchanged",
                doc_id=doc_id,
                title=existing.title,
                pages=existing.pages,
                chunks=existing.chunks,
                reason=None if existing.source == shown else f"same content as {existing.source}",
            )
        if existing is not None:
            self.recover({doc_id})
        t = time.perf_counter()
        future = extractor.submit(path, self.plan, data, inline=inline)
        report.timings.wait_s += time.perf_counter() - t  # inline, this process did the work
        return path, doc_id, future

    def _embedded_without_context(self, row: DocumentRow) -> bool:
        """A complete document whose chunks were embedded before chunk context
        (``CHUNK_CONTEXT``): ingesting its file again re-embeds it."""
        if row.status != COMPLETE or not row.chunks:
            return False
        found = self.store.collection.get(
            where={"$and": [{"doc_id": row.doc_id}, {"ctx": {"$gte": CHUNK_CONTEXT}}]},
            limit=1,
            include=[],
        )
        return not found["ids"]

    def _finish(
        self, item: Planned, report: IngestReport, progress: IngestProgress
    ) -> IngestOutcome:
        if isinstance(item, IngestOutcome):
            return item
        path, doc_id, future = item
        try:
            t = time.perf_counter()
            try:
                prepared = future.result()
            finally:
                # Work that overlapped embedding was free; the wait is what it cost.
                report.timings.wait_s += time.perf_counter() - t
            timings = report.timings
            timings.extract_s += prepared.seconds.get("extract", 0.0)
            timings.chunk_s += prepared.seconds.get("chunk", 0.0)
            timings.audit_s += prepared.seconds.get("audit", 0.0)
            progress.pages_loaded(len(prepared.doc.pages))
            return self._store(prepared, report, progress)
        except DocumentError as exc:
            return IngestOutcome(path=str(path), status="failed", doc_id=doc_id, reason=str(exc))
        except BaseException as exc:
            # Ctrl-C or a store failure mid-file: undo this file, keep the others.
            full_disk = isinstance(exc, Exception) and is_disk_full(exc)
            if full_disk:
                self.reserve.release()  # room for the undo's own writes
            self._undo(doc_id)
            if full_disk:
                self.full = path.name
                full = exc if isinstance(exc, StorageFullError) else full_error("the store", exc)
                reason = full.message
                return IngestOutcome(path=str(path), status="failed", doc_id=doc_id, reason=reason)
            raise

    def _undo(self, doc_id: str) -> None:
        """Remove a document that was being written; if the store cannot even do that
        (down, full), its row stays ``pending``, invisible, and the next run removes it."""
        try:
            row = self.registry.get(self.library, doc_id)
            if row is not None and row.status != COMPLETE:
                self.recover({doc_id})
        except (StoreError, StorageFullError):
            pass

    def _store(
        self, prepared: Prepared, report: IngestReport, progress: IngestProgress
    ) -> IngestOutcome:
        doc, chunks, stats = prepared.doc, prepared.chunks, prepared.stats
        progress.chunks_planned(len(chunks))

        t = time.perf_counter()
        vectors: list[list[float]] = []
        step = max(self.settings.embeddings.batch_size * 2, 16)
        for start in range(0, len(chunks), step):
            batch = [
                context_text(doc.title, c.section, c.text) for c in chunks[start : start + step]
            ]
            vectors.extend(self.store.embeddings.embed_documents(batch))
            progress.chunks_embedded(len(batch))
        report.timings.embed_s += time.perf_counter() - t

        t = time.perf_counter()
        source = str(doc.source)
        self.registry.begin(
            DocumentRow(
                library=self.library,
                doc_id=doc.doc_id,
                title=doc.title,
                authors=doc.authors,
                year=doc.year,
                doi=doc.doi,
                kind=doc.kind,
                source=source,
                sha256=doc.sha256,
                size_bytes=doc.size_bytes,
                pages=len(doc.pages),
                chunks=len(chunks),
                references=doc.references,
                page_texts=[p.text for p in doc.pages],
                table=doc.table,
                stats=stats,
            )
        )
        self.store.delete_document(doc.doc_id)  # leftovers of an earlier, killed attempt
        self.store.add(
            chunks, vectors, {"kind": doc.kind, "title": doc.title[:300], "ctx": CHUNK_CONTEXT}
        )
        replaced = [
            r.doc_id
            for r in self.registry.by_source(self.library, source)
            if r.doc_id != doc.doc_id
        ]
        self.registry.commit(self.library, doc.doc_id, replaces=replaced)
        for old in replaced:
            self.store.delete_document(old)
            self.registry.delete(self.library, old)
        report.timings.store_s += time.perf_counter() - t
        return IngestOutcome(
            path=source,
            status="replaced" if replaced else "ingested",
            doc_id=doc.doc_id,
            title=doc.title,
            pages=len(doc.pages),
            chunks=len(chunks),
        )
