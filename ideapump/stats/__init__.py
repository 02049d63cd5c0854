"""Statistics auditor: find every reported test, recompute it, flag what does not add up.

Public API::

    check_text(text, *, alpha=0.05, p_zero_is_error=True, doc_id=None, title=None) -> StatsReport
    check_pages(pages, *, alpha=0.05, p_zero_is_error=True, doc_id=None, title=None, source=None)
    check_path(path, settings, *, alpha=None) -> StatsReport      # PDF, Markdown, text
    check_document(library, doc_id, *, alpha=None) -> StatsReport  # an ingested document
    audit_stored(stats, page_texts, settings, ...) -> StatsReport | None  # a registry row's audit
    rejudge(report, alpha, *, p_zero_is_error=None) -> StatsReport  # same results, new reading

Beyond recomputing p (statcheck's method), a report groups repeated results
into findings (:mod:`.grouping`) and inconsistencies into probable causes
(:mod:`.causes`), and
cross-checks df against N, confidence intervals against p, effect sizes
against their statistic (:mod:`.crosscheck`) and percentages against N (GRIM,
:mod:`.grim`). Everything is deterministic and offline; language models never
do the arithmetic. Ingestion stores ``check_pages(...).model_dump(mode="json")``
with the document (the registry's ``stats`` field) so that ``check_document``
is instant; reports stored by an older version of the auditor are redone from
the stored page text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ideapump.lazy import exports

if TYPE_CHECKING:
    from ideapump.stats.audit import (
        audit_stored,
        check_document,
        check_pages,
        check_path,
        check_text,
        read_pages,
        rejudge,
    )
    from ideapump.stats.models import (
        CONTRACT_KEYS,
        EXTRA_KEYS,
        CauseGroup,
        CrossCheck,
        Finding,
        MeanCheck,
        PaperFlag,
        Problem,
        StatsReport,
        StatsResult,
    )

__all__ = [
    "CONTRACT_KEYS",
    "EXTRA_KEYS",
    "CauseGroup",
    "CrossCheck",
    "Finding",
    "MeanCheck",
    "PaperFlag",
    "Problem",
    "StatsReport",
    "StatsResult",
    "audit_stored",
    "check_document",
    "check_pages",
    "check_path",
    "check_text",
    "read_pages",
    "rejudge",
]

# Members are imported on first use: the report models (ideapump.stats.models) must
# not pull in scipy and the extractor (the notebook client reads reports).
__getattr__ = exports(
    __name__,
    {
        "CONTRACT_KEYS": "ideapump.stats.models",
        "CauseGroup": "ideapump.stats.models",
        "CrossCheck": "ideapump.stats.models",
        "EXTRA_KEYS": "ideapump.stats.models",
        "Finding": "ideapump.stats.models",
        "MeanCheck": "ideapump.stats.models",
        "PaperFlag": "ideapump.stats.models",
        "Problem": "ideapump.stats.models",
        "StatsReport": "ideapump.stats.models",
        "StatsResult": "ideapump.stats.models",
        "audit_stored": "ideapump.stats.audit",
        "check_document": "ideapump.stats.audit",
        "check_pages": "ideapump.stats.audit",
        "check_path": "ideapump.stats.audit",
        "check_text": "ideapump.stats.audit",
        "read_pages": "ideapump.stats.audit",
        "rejudge": "ideapump.stats.audit",
    },
)
