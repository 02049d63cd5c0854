"""``/documents``: upload (multipart, with progress events), list, get, delete, statistics."""

from __future__ import annotations

import asyncio
import os
import re
import threading
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import StreamingResponse

from ideapump.api.chat import sse
from ideapump.api.deps import AppState, get_library, get_state
from ideapump.api.errors import ERROR_RESPONSES, PayloadTooLargeError, error_event
from ideapump.errors import InputError, NotFoundError
from ideapump.library import Library, to_info
from ideapump.models import DocumentInfo, IngestOutcome, IngestReport
from ideapump.schemas import DocumentDetail, DocumentPage, IngestEvent
from ideapump.stats import audit_stored
from ideapump.stats.models import StatsReport
from ideapump.store.failures import full_error, is_disk_full
from ingest.pipeline import IngestProgress

router = APIRouter(prefix="/documents", tags=["documents"], responses=ERROR_RESPONSES)

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_INGEST_LOCKS: dict[str, threading.Lock] = {}
_CHUNK = 1 << 20


class QueueProgress(IngestProgress):
    """Pipeline callbacks (in a worker thread) -> events on the request's asyncio queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[IngestEvent]):
        self.loop, self.queue = loop, queue
        self.current: str | None = None

    def _put(self, event: IngestEvent) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, event)

    def discovered(self, total_files: int) -> None:
        self._put(IngestEvent(type="discovered", n=total_files))

    def file_started(self, path: Path) -> None:
        self.current = path.name
        self._put(IngestEvent(type="file_started", file=path.name))

    def pages_loaded(self, n: int) -> None:
        self._put(IngestEvent(type="pages", file=self.current, n=n))

    def chunks_planned(self, n: int) -> None:
        self._put(IngestEvent(type="chunks", file=self.current, n=n))

    def chunks_embedded(self, n: int) -> None:
        self._put(IngestEvent(type="embedded", file=self.current, n=n))

    def file_done(self, outcome: IngestOutcome) -> None:
        self._put(IngestEvent(type="file_done", file=Path(outcome.path).name, outcome=outcome))


def safe_name(filename: str | None) -> str:
    """A plain file name for an upload: no folders, no dot-dot, no odd bytes, its suffix kept.

    The name a client sends is untrusted: ``../../x.pdf``, ``/etc/passwd``,
    ``..\\..\\x.pdf`` or a 400-character name all become a name inside the
    upload folder (checked again on the resolved path by :func:`upload_path`).
    """
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", base).strip(" .")
    if not name or not Path(name).suffix:
        raise InputError("every uploaded file needs a file name with an extension")
    if len(name) > 200:
        stem, suffix = Path(name).stem, Path(name).suffix[:20]
        name = stem[: 200 - len(suffix)] + suffix
    return name


def upload_path(folder: Path, filename: str | None) -> Path:
    """Where an upload named ``filename`` is kept: always directly inside ``folder``."""
    path = (folder / safe_name(filename)).resolve()
    if path.parent != folder.resolve():
        raise InputError(f"file name {filename!r} is not allowed")
    return path


async def save_uploads(
    state: AppState, library: str, files: list[UploadFile], request: Request
) -> list[Path]:
    """Write the uploads under HOME/uploads/<library>/ (their stable source path).

    Each file is written to a temporary name and renamed into place only when it is
    whole and within the per-file limit, so a refused or failed upload never
    replaces (or half-overwrites) an earlier file of the same name. A file over
    ``IDEAPUMP_INGEST__MAX_FILE_MB`` is refused as soon as its bytes pass the limit.
    """
    server, ingest = state.settings.server, state.settings.ingest
    limit = int(server.max_upload_mb * 1_000_000)
    per_file = int(ingest.max_file_mb * 1_000_000)
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit:
        raise PayloadTooLargeError(
            f"the upload is {declared / 1e6:.1f} MB; the limit is {server.max_upload_mb:g} MB",
            setting="IDEAPUMP_SERVER__MAX_UPLOAD_MB",
        )
    folder = state.settings.home / "uploads" / library
    paths, total = [], 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        targets = [upload_path(folder, u.filename) for u in files]
        for upload, path in zip(files, targets, strict=True):
            tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
            try:
                size = 0
                with tmp.open("wb") as out:
                    while chunk := await upload.read(_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > per_file:
                            raise PayloadTooLargeError(
                                f"{path.name} is over the {ingest.max_file_mb:g} MB per-file limit",
                                setting="IDEAPUMP_INGEST__MAX_FILE_MB",
                            )
                        if total > limit:
                            raise PayloadTooLargeError(
                                f"the upload exceeds the {server.max_upload_mb:g} MB limit",
                                setting="IDEAPUMP_SERVER__MAX_UPLOAD_MB",
                            )
                        out.write(chunk)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
            paths.append(path)
    except OSError as exc:
        if is_disk_full(exc):
            raise full_error("the upload", exc) from None
        raise
    return paths


def _ingest(lib: Library, paths: list[Path], progress: IngestProgress | None) -> IngestReport:
    lock = _INGEST_LOCKS.setdefault(lib.name, threading.Lock())
    with lock:
        return lib.ingest(paths, progress)


@router.post(
    "",
    response_model=IngestReport,
    summary="Upload and ingest PDFs, Markdown or CSV files",
    description="Multipart field `files` (one or many). With `stream=true` the answer is an "
    "SSE stream of IngestEvent (`discovered`, `file_started`, `pages`, `chunks`, `embedded`, "
    "`file_done`) ending with `done` carrying the IngestReport, or `error`.",
)
async def upload(
    request: Request,
    files: list[UploadFile] = File(..., description="PDF, Markdown, text or CSV files"),
    stream: bool = Query(False, description="Stream progress events (text/event-stream)"),
    lib: Library = Depends(get_library),
    state: AppState = Depends(get_state),
) -> IngestReport | StreamingResponse:
    paths = await save_uploads(state, lib.name, files, request)
    if not stream:
        return await asyncio.to_thread(_ingest, lib, paths, None)

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[IngestEvent | None] = asyncio.Queue()
    progress = QueueProgress(loop, queue)  # type: ignore[arg-type]

    def run() -> IngestReport:
        try:
            return _ingest(lib, paths, progress)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    async def events() -> AsyncIterator[str]:
        task = asyncio.ensure_future(asyncio.to_thread(run))
        while (event := await queue.get()) is not None:
            yield sse(event)
        try:
            yield sse(IngestEvent(type="done", report=await task))
        except Exception as exc:
            yield sse({"type": "error", "error": error_event(exc)})

    return StreamingResponse(events(), media_type="text/event-stream")


@router.get("", response_model=list[DocumentInfo], summary="Documents of this key's library")
async def list_documents(lib: Library = Depends(get_library)) -> list[DocumentInfo]:
    return await asyncio.to_thread(lib.papers)


def _stored_report(lib: Library, doc_id: str, alpha: float | None) -> StatsReport | None:
    row = lib.get(doc_id)
    return audit_stored(
        row.stats,
        row.page_texts,
        lib.settings,
        alpha=alpha,
        doc_id=row.doc_id,
        title=row.title,
        source=row.source,
    )


@router.get("/{doc_id}", response_model=DocumentDetail, summary="Metadata and statistics audit")
async def get_document(doc_id: str, lib: Library = Depends(get_library)) -> DocumentDetail:
    row = await asyncio.to_thread(lib.get, doc_id)
    stats = StatsReport.model_validate(row.stats) if row.stats else None
    return DocumentDetail(document=to_info(row), stats=stats)


@router.get(
    "/{doc_id}/stats", response_model=StatsReport, summary="The document's statistics audit"
)
async def document_stats(
    doc_id: str,
    alpha: float | None = Query(None, gt=0, lt=1),
    lib: Library = Depends(get_library),
) -> StatsReport:
    report = await asyncio.to_thread(_stored_report, lib, doc_id, alpha)
    if report is None:
        raise NotFoundError(f"document {doc_id} has no text to audit (a data table?)")
    return report


@router.get(
    "/{doc_id}/pages/{page}",
    response_model=DocumentPage,
    summary="One page's stored text (what a citation link opens)",
)
async def document_page(
    doc_id: str, page: int, lib: Library = Depends(get_library)
) -> DocumentPage:
    row = await asyncio.to_thread(lib.get, doc_id)
    texts = row.page_texts or []
    if not 1 <= page <= len(texts):
        raise NotFoundError(f"document {row.doc_id} has no page {page} (it has {len(texts)})")
    return DocumentPage(
        doc_id=row.doc_id, title=row.title, page=page, pages=len(texts), text=texts[page - 1]
    )


@router.delete("/{doc_id}", response_model=DocumentInfo, summary="Remove a document")
async def delete_document(doc_id: str, lib: Library = Depends(get_library)) -> DocumentInfo:
    return await asyncio.to_thread(lib.remove, doc_id)
