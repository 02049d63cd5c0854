"""``run_digest``: ingest what arrived, digest each new document, write and deliver the digest.

What counts as new: every complete document of the library without a ``done``
digest entry. On a library's first digest, the documents it already held are
recorded as the baseline (not news); ``--since DATE`` brings baseline documents
ingested on or after DATE back in. A document digested once is never digested
again, so rerunning the same night adds nothing; the digest file of a date is
rendered from every entry of that date, so a rerun that picks up what failed
earlier completes the same file instead of writing a second one.

Failures never stop the digest: a broken file, a failing feed, a model error on
one document each become a note in the digest, and the document is retried on
the next run (``IDEAPUMP_DIGEST__MAX_ATTEMPTS`` times). When the model is
unreachable, the remaining documents get their statistics audit only and wait
for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ideapump.config import Settings
from ideapump.digest.compose import compose, new_entry
from ideapump.digest.feeds import FETCHERS, FeedItem, PoliteClient, fetch_pdf, write_item
from ideapump.digest.models import Digest, DocDigest
from ideapump.digest.render import write_files
from ideapump.digest.state import BASELINE, DONE, FAILED, DigestState
from ideapump.errors import ConfigError, IdeaPumpError, LLMAuthError, LLMUnavailableError
from ideapump.library import Library

if TYPE_CHECKING:
    from ideapump.llm.model import ChatModel
    from ideapump.runtime import Runtime
    from ideapump.store.registry import Registry

log = logging.getLogger(__name__)
#: Errors after which no further document is sent to the model this run.
MODEL_DOWN = (LLMUnavailableError, LLMAuthError, ConfigError)


@dataclass
class DigestResult:
    digest: Digest
    files: list[Path]
    ingested: int = 0
    delivered: list[str] = field(default_factory=list)


def out_dir_for(settings: Settings, library: str, out: Path | None = None) -> Path:
    return Path(out or settings.digest.out_dir or settings.home / "digests" / library)


def _ingest(
    lib: Library, paths: list[Path], origin: str, notes: list[str], origins: dict[str, str]
) -> int:
    if not paths:
        return 0
    report = lib.ingest(paths)
    added = 0
    for o in report.outcomes:
        if o.status == "failed":
            notes.append(f"Could not ingest {o.path}: {o.reason}")
        elif o.status in ("ingested", "replaced") and o.doc_id:
            origins[o.doc_id] = origin
            added += 1
    return added


def collect_feeds(
    lib: Library,
    state: DigestState,
    settings: Settings,
    today: date,
    notes: list[str],
    origins: dict[str, str],
    client: PoliteClient | None = None,
) -> int:
    """Fetch every saved feed, write new items as documents, ingest them; notes on failure."""
    feeds = state.feeds()
    if not feeds:
        return 0
    opts = settings.digest
    folder = settings.home / "feeds" / lib.name
    own = client is None
    client = client or PoliteClient(opts)
    added = 0
    try:
        for feed in feeds:
            try:
                items = FETCHERS[feed.source](client, feed.topic, opts.feed_max_items * 3, today)
            except IdeaPumpError as exc:
                notes.append(f"Feed {feed.source} '{feed.topic}' failed: {exc}")
                state.feed_ran(feed.id, error=str(exc), new_items=0)
                continue
            seen = state.seen_items(feed.source, [i.item_id for i in items])
            fresh = [i for i in items if i.item_id not in seen][: opts.feed_max_items]
            taken = 0
            for item in fresh:
                paths = [write_item(folder, item, feed.topic)]
                if opts.feed_fetch_pdf and item.pdf_url:
                    try:
                        paths.append(
                            fetch_pdf(client, item, folder, int(settings.ingest.max_file_mb * 1e6))
                        )
                    except IdeaPumpError as exc:
                        notes.append(f"PDF of {item.source} {item.item_id} not fetched: {exc}")
                if _ingest_item(lib, item, paths, notes, origins):
                    state.add_item(feed.id, item.source, item.item_id, item.title, str(paths[0]))
                    taken += 1
            added += taken
            state.feed_ran(feed.id, error=None, new_items=taken)
    finally:
        if own:
            client.close()
    return added


def _ingest_item(
    lib: Library, item: FeedItem, paths: list[Path], notes: list[str], origins: dict[str, str]
) -> bool:
    report = lib.ingest(paths)
    ok = True
    for o in report.outcomes:
        if o.status == "failed":
            notes.append(f"Could not ingest {item.source} item {item.item_id}: {o.reason}")
            ok = ok and not o.path.endswith(".md")
        elif o.doc_id and o.status in ("ingested", "replaced"):
            origins[o.doc_id] = f"feed:{item.source}"
    return ok


def pending(lib: Library, state: DigestState, since: date | None) -> list[Any]:
    entries = state.entries()
    out = []
    for paper in lib.papers():
        entry = entries.get(paper.doc_id)
        status = entry.status if entry else None
        if status == DONE or (status == BASELINE and since is None) or status == "gave_up":
            continue
        if since is not None and paper.ingested_at.date() < since:
            continue
        out.append(paper)
    return out


def run_digest(
    runtime: Runtime,
    *,
    library: str | None = None,
    since: date | None = None,
    watch: Sequence[Path] = (),
    out_dir: Path | None = None,
    fmt: str | None = None,
    today: date | None = None,
    llm: ChatModel | None = None,
    deliver: bool = True,
    feed_client: PoliteClient | None = None,
) -> DigestResult:
    """Ingest what arrived, digest every new document of ``library``, write and deliver.

    The library and (unless ``llm`` is given) the chat model come from ``runtime``;
    the model is built only when a document needs a summary.
    """
    settings = runtime.settings
    lib = runtime.library(library)
    state = DigestState(lib.registry, lib.name)
    day = (today or date.today()).isoformat()
    first_today = state.digest(day) is None
    notes: list[str] = []
    origins: dict[str, str] = {}
    if not state.has_history():
        state.record_baseline([p.doc_id for p in lib.papers()])

    folders = [Path(p) for p in [*settings.digest.watch, *watch]]
    for folder in folders:
        if not folder.exists():
            notes.append(f"Watched folder {folder} does not exist")
    ingested = _ingest(lib, [f for f in folders if f.exists()], "watch", notes, origins)
    ingested += collect_feeds(
        lib, state, settings, today or date.today(), notes, origins, feed_client
    )

    llm = llm if llm is not None else runtime.chat_model
    model_down: str | None = None
    new = 0
    todo = list(pending(lib, state, since))
    news = {p.doc_id for p in todo}
    for paper in todo:
        row = lib.get(paper.doc_id)
        entry = new_entry(row, settings, origins.get(paper.doc_id, "library"))
        error: str | None = None
        blameless = False  # the model being down is not this document's fault
        if model_down:
            error, blameless = f"not summarised: {model_down}", True
        else:
            try:
                compose(entry, lib, llm, settings, news)
            except MODEL_DOWN as exc:
                model_down = f"the language model is unavailable ({exc})"
                error, blameless = f"not summarised: {model_down}", True
            except IdeaPumpError as exc:
                error = f"{type(exc).__name__}: {exc}"
        entry.error = error
        status = state.record(
            row.doc_id,
            day,
            entry.model_dump(mode="json"),
            error=error,
            max_attempts=settings.digest.max_attempts,
            count=not blameless,
        )
        if status == DONE:
            new += 1
    if model_down:
        notes.append(f"Summaries stopped: {model_down}. The next run picks the rest up.")

    digest = load_digest(state, day, notes, new)
    paths = write_files(
        digest, out_dir_for(settings, lib.name, out_dir), fmt or settings.digest.format
    )
    state.save_digest(day, notes, [str(p) for p in paths])
    result = DigestResult(digest=digest, files=paths, ingested=ingested)
    if deliver and (new or first_today):
        from ideapump.digest.deliver import deliver_digest

        result.delivered = deliver_digest(settings, digest)
    return result


def load_digest(state: DigestState, day: str, notes: list[str], new: int = 0) -> Digest:
    entries: list[DocDigest] = []
    failed: list[DocDigest] = []
    for row in state.entries_on(day):
        if not row.payload:
            continue
        entry = DocDigest.model_validate(row.payload)
        (entries if row.status == DONE else failed).append(entry)
        if row.status not in (DONE, FAILED):
            entry.error = f"{entry.error} (given up after {row.attempts} attempts)"
    return Digest(
        library=state.library,
        date=day,
        generated_at=datetime.now(UTC),
        entries=entries,
        failed=failed,
        notes=notes,
        new_this_run=new,
    )


def list_digests(registry: Registry, library: str) -> list[dict[str, Any]]:
    """Digests of a library, newest first (for the CLI and the API)."""
    state = DigestState(registry, library)
    return [
        {
            "date": d.date,
            "runs": d.runs,
            "notes": d.notes,
            "files": d.files,
            "updated_at": d.updated_at.isoformat(),
        }
        for d in state.digests()
    ]
