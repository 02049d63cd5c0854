"""Statistics auditor: find every reported test, recompute it, flag what does not add up.

Public API::

    check_text(text, *, alpha=0.05, doc_id=None, title=None) -> StatsReport
    check_pages(pages, *, alpha=0.05, doc_id=None, title=None, source=None) -> StatsReport
    check_path(path, settings, *, alpha=None) -> StatsReport      # PDF, Markdown, text
    check_document(library, doc_id, *, alpha=None) -> StatsReport  # an ingested document
    rejudge(report, alpha) -> StatsReport                           # same results, new alpha

Everything is deterministic and offline; language models never do the arithmetic.
Ingestion stores ``check_pages(...).model_dump(mode="json")`` with the document
(the registry's ``stats`` field) so that ``check_document`` is instant.
"""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ideapump.errors import DocumentError, InputError, NotFoundError, UnsupportedFileError
from ideapump.stats.extract import BareP, RawResult, bare_p_values, extract, normalize
from ideapump.stats.flags import paper_flags
from ideapump.stats.grim import check_means
from ideapump.stats.models import (
    CONTRACT_KEYS,
    MeanCheck,
    PaperFlag,
    StatsReport,
    StatsResult,
)
from ideapump.stats.recompute import check

if TYPE_CHECKING:
    from ideapump.config import Settings
    from ideapump.library import Library

__all__ = [
    "CONTRACT_KEYS",
    "MeanCheck",
    "PaperFlag",
    "StatsReport",
    "StatsResult",
    "check_document",
    "check_pages",
    "check_path",
    "check_text",
    "read_pages",
    "rejudge",
]

SUPPORTED_SUFFIXES = (".pdf", ".md", ".markdown", ".txt", ".text")


def _check_alpha(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1 (got {alpha})")
    return alpha


def check_pages(
    pages: list[tuple[int, str]],
    *,
    alpha: float = 0.05,
    doc_id: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> StatsReport:
    """Audit a document given as (1-based page number, text) pairs."""
    _check_alpha(alpha)
    normalized: list[tuple[int | None, str]] = [(number, normalize(text)) for number, text in pages]
    raws: list[RawResult] = []
    p_values: list[BareP] = []
    means: list[MeanCheck] = []
    for number, text in normalized:
        raws.extend(extract(text, page=number, normalized=True))
        p_values.extend(bare_p_values(text, page=number))
        means.extend(check_means(text, page=number))
    results = [check(raw, alpha) for raw in raws]
    return StatsReport(
        doc_id=doc_id,
        title=title,
        source=source,
        alpha=alpha,
        pages=len(pages),
        results=results,
        means=means,
        flags=paper_flags(results, normalized, p_values, means),
    )


def check_text(
    text: str, *, alpha: float = 0.05, doc_id: str | None = None, title: str | None = None
) -> StatsReport:
    """Audit plain text; form feeds, if any, separate pages."""
    pages = [(i + 1, part) for i, part in enumerate(text.split("\f"))]
    return check_pages(pages, alpha=alpha, doc_id=doc_id, title=title)


def rejudge(report: StatsReport, alpha: float) -> StatsReport:
    """The same extracted results judged at another alpha (only verdicts can change)."""
    _check_alpha(alpha)
    if alpha == report.alpha:
        return report
    results = [check(_raw_of(r), alpha) for r in report.results]
    return report.model_copy(update={"alpha": alpha, "results": results})


def _raw_of(result: StatsResult) -> RawResult:
    return RawResult(
        test_type=result.test_type,
        df1=result.df1,
        df2=result.df2,
        n=result.n,
        stat_comparator=result.statistic_comparator,
        stat_text=result.statistic_text,
        p_comparator=result.reported_comparator,
        p_text=result.reported_p_text,
        page=result.page,
        offset=result.offset,
        quote=result.quote,
        one_tailed_context=result.one_tailed_mentioned,
    )


# -- files ---------------------------------------------------------------------


def read_pages(path: Path, settings: Settings) -> tuple[list[tuple[int, str]], str, str | None]:
    """(pages, title, doc_id) of a file, through the ingestion loaders when present."""
    if not path.is_file():
        raise NotFoundError(f"no such file: {path}")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileError(
            f"check-stats reads PDF, Markdown and text files, not {path.suffix or 'this file'!r}"
        )
    try:
        from ingest.loaders import load_document
    except ImportError:
        return _read_pages_directly(path, settings)
    max_bytes = int(settings.ingest.max_file_mb * 1_000_000)
    params = inspect.signature(load_document).parameters
    kwargs: dict[str, Any] = {}
    if "settings" in params:
        kwargs["settings"] = settings
    elif "max_bytes" in params:
        kwargs["max_bytes"] = max_bytes
    doc = load_document(path, **kwargs)
    return [(p.number, p.text) for p in doc.pages], doc.title, doc.doc_id


def _read_pages_directly(path: Path, settings: Settings) -> tuple[list[tuple[int, str]], str, None]:
    """Fallback reader for a checkout without the ingest package."""
    if path.stat().st_size > settings.ingest.max_file_mb * 1_000_000:
        raise DocumentError(f"file is larger than {settings.ingest.max_file_mb:g} MB")
    if path.suffix.lower() != ".pdf":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise DocumentError("not UTF-8 text; save it as UTF-8") from None
        return [(i + 1, t) for i, t in enumerate(text.split("\f"))], path.stem, None
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        texts = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"corrupt PDF: {exc}") from None
    if not any(t.strip() for t in texts):
        raise DocumentError("no text layer in the PDF (scanned?)")
    return [(i + 1, t) for i, t in enumerate(texts)], path.stem, None


def check_path(path: Path | str, settings: Settings, *, alpha: float | None = None) -> StatsReport:
    """Audit a PDF, Markdown or text file directly, without ingesting it."""
    path = Path(path)
    pages, title, doc_id = read_pages(path, settings)
    return check_pages(
        pages,
        alpha=settings.stats.alpha if alpha is None else alpha,
        doc_id=doc_id,
        title=title,
        source=str(path),
    )


def check_document(library: Library, doc_id: str, *, alpha: float | None = None) -> StatsReport:
    """The report stored with an ingested document (re-judged if another alpha is asked for).

    ``doc_id`` may be a unique prefix of at least 4 characters. Documents ingested
    before the auditor existed have no stored report; their stored page texts are
    audited on the fly instead.
    """
    alpha = _check_alpha(library.settings.stats.alpha if alpha is None else alpha)
    row = library.get(doc_id)
    if row.stats:
        return rejudge(StatsReport.model_validate(row.stats), alpha)
    if row.page_texts:
        pages = list(enumerate(row.page_texts, start=1))
        return check_pages(
            pages, alpha=alpha, doc_id=row.doc_id, title=row.title, source=row.source
        )
    raise NotFoundError(
        f"document {row.doc_id} has no stored text to audit (a data table?); "
        "run check-stats on a PDF, Markdown or text file instead"
    )
