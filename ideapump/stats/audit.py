"""The audit of a document: extract, recompute, group, cross-check (``ideapump.stats``'s API)."""

from __future__ import annotations

import dataclasses
import inspect
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ideapump.errors import DocumentError, InputError, NotFoundError, UnsupportedFileError
from ideapump.stats.causes import assign_causes, with_cause
from ideapump.stats.crosscheck import ci_checks, df_vs_n, effect_size_checks
from ideapump.stats.extract import (
    BareP,
    RawResult,
    bare_p_values,
    extract,
    normalize,
    result_end,
)
from ideapump.stats.flags import largest_stated_n, paper_flags
from ideapump.stats.grim import check_means, check_percentages
from ideapump.stats.grouping import group_results
from ideapump.stats.layout import page_head, page_tail, running_signatures, strip_running
from ideapump.stats.models import (
    AUDIT_VERSION,
    CauseGroup,
    CrossCheck,
    Finding,
    MeanCheck,
    StatsReport,
    StatsResult,
)
from ideapump.stats.recompute import check, raw_of

if TYPE_CHECKING:
    from ideapump.config import Settings
    from ideapump.library import Library


SUPPORTED_SUFFIXES = (".pdf", ".md", ".markdown", ".txt", ".text")


def _check_alpha(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1 (got {alpha})")
    return alpha


def _across_pages(prepared: list[tuple[int, str]]) -> list[list[RawResult]]:
    """Results that start at the end of one page and end at the start of the next."""
    out: list[list[RawResult]] = [[] for _ in prepared]
    for i in range(len(prepared) - 1):
        number, text = prepared[i]
        tail, head = normalize(page_tail(text)), normalize(page_head(prepared[i + 1][1]))
        if not tail or not head:
            continue
        base = max(0, len(normalize(text)) - len(tail))
        for raw in extract(f"{tail} {head}", page=number, normalized=True):
            if raw.offset < len(tail) < result_end(raw):
                out[i].append(dataclasses.replace(raw, offset=base + raw.offset))
    return out


def _merge_checks(checks: list[CrossCheck]) -> list[CrossCheck]:
    """One check per distinct problem: a repeated result gives the same message again."""
    merged: dict[tuple[str, str], CrossCheck] = {}
    for c in checks:
        key = (c.kind, c.message)
        if key in merged:
            first = merged[key]
            pages = sorted({*first.pages, *([c.page] if c.page is not None else [])})
            merged[key] = first.model_copy(update={"pages": pages})
        else:
            merged[key] = c.model_copy(update={"pages": [c.page] if c.page is not None else []})
    return list(merged.values())


def _judged(
    raws: list[RawResult], alpha: float, p_zero_is_error: bool
) -> tuple[list[StatsResult], list[Finding], list[CauseGroup]]:
    results = [check(raw, alpha, p_zero_is_error=p_zero_is_error) for raw in raws]
    results, findings = group_results(results)
    findings, causes, details = assign_causes(results, findings, alpha)
    cause_of = {f.finding_id: f.cause for f in findings if f.cause is not None}
    results = [
        r.model_copy(
            update={
                "cause": cause_of[r.finding_id],
                "explanation": with_cause(
                    r.explanation, r.df_hint, details[r.finding_id], cause_of[r.finding_id]
                ),
            }
        )
        if r.finding_id in cause_of
        else r
        for r in results
    ]
    return results, findings, causes


def check_pages(
    pages: list[tuple[int, str]],
    *,
    alpha: float = 0.05,
    p_zero_is_error: bool = True,
    doc_id: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> StatsReport:
    """Audit a document given as (1-based page number, text) pairs."""
    _check_alpha(alpha)
    running = running_signatures([text for _, text in pages])
    prepared = [(number, strip_running(text, running)) for number, text in pages]
    normalized: list[tuple[int | None, str]] = [(n, normalize(t)) for n, t in prepared]
    straddling = _across_pages(prepared)
    paper_n = largest_stated_n(normalized)
    raws: list[RawResult] = []
    p_values: list[BareP] = []
    means: list[MeanCheck] = []
    checks: list[CrossCheck] = []
    for (number, text), extra in zip(normalized, straddling, strict=True):
        page_raws = extract(text, page=number, normalized=True)
        checks += effect_size_checks(page_raws, text)
        page_raws += extra
        raws += page_raws
        checks += [c for raw in page_raws if (c := df_vs_n(raw, text, paper_n)) is not None]
        checks += ci_checks(text, number)
        checks += check_percentages(text, page=number)
        p_values += bare_p_values(text, page=number)
        means += check_means(text, page=number)
    results, findings, causes = _judged(raws, alpha, p_zero_is_error)
    checks = _merge_checks(checks)
    return StatsReport(
        doc_id=doc_id,
        title=title,
        source=source,
        alpha=alpha,
        p_zero_is_error=p_zero_is_error,
        version=AUDIT_VERSION,
        pages=len(pages),
        results=results,
        findings=findings,
        causes=causes,
        checks=checks,
        means=means,
        flags=paper_flags(results, normalized, p_values, means, checks),
    )


def check_text(
    text: str,
    *,
    alpha: float = 0.05,
    p_zero_is_error: bool = True,
    doc_id: str | None = None,
    title: str | None = None,
) -> StatsReport:
    """Audit plain text; form feeds, if any, separate pages."""
    pages = [(i + 1, part) for i, part in enumerate(text.split("\f"))]
    return check_pages(
        pages, alpha=alpha, p_zero_is_error=p_zero_is_error, doc_id=doc_id, title=title
    )


def rejudge(
    report: StatsReport, alpha: float, *, p_zero_is_error: bool | None = None
) -> StatsReport:
    """The same extracted results judged at another alpha or p = .000 reading.

    Verdicts, findings and causes can change; cross-checks and flags do not
    depend on either.
    """
    _check_alpha(alpha)
    zero = report.p_zero_is_error if p_zero_is_error is None else p_zero_is_error
    if alpha == report.alpha and zero == report.p_zero_is_error and report.version == AUDIT_VERSION:
        return report
    results, findings, causes = _judged([raw_of(r) for r in report.results], alpha, zero)
    return report.model_copy(
        update={
            "alpha": alpha,
            "p_zero_is_error": zero,
            "results": results,
            "findings": findings,
            "causes": causes,
        }
    )


def audit_stored(
    stats: dict[str, Any] | None,
    page_texts: list[str] | None,
    settings: Settings,
    *,
    alpha: float | None = None,
    doc_id: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> StatsReport | None:
    """The audit of an ingested document as the settings ask for it (None: nothing to audit).

    A report stored by this version of the auditor is re-judged (instant); an
    older one is redone from the stored page texts when there are any, so a
    library ingested before a new check gets it.
    """
    alpha = _check_alpha(settings.stats.alpha if alpha is None else alpha)
    zero = settings.stats.p_zero_is_error
    stored = StatsReport.model_validate(stats) if stats else None
    if stored is not None and (stored.version == AUDIT_VERSION or not page_texts):
        return rejudge(stored, alpha, p_zero_is_error=zero)
    if page_texts:
        pages = list(enumerate(page_texts, start=1))
        return check_pages(
            pages, alpha=alpha, p_zero_is_error=zero, doc_id=doc_id, title=title, source=source
        )
    return None


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
        p_zero_is_error=settings.stats.p_zero_is_error,
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
    row = library.get(doc_id)
    report = audit_stored(
        row.stats,
        row.page_texts,
        library.settings,
        alpha=alpha,
        doc_id=row.doc_id,
        title=row.title,
        source=row.source,
    )
    if report is not None:
        return report
    raise NotFoundError(
        f"document {row.doc_id} has no stored text to audit (a data table?); "
        "run check-stats on a PDF, Markdown or text file instead"
    )
