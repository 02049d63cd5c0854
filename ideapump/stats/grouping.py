"""Repeated results become one finding: the same test, df, statistic and p printed again.

A paper may print one result in its text, a figure legend and an appendix;
a reviewer wants it once, with all three pages. Results keep their own
verdicts (the JSON contract lists every printed result); each gets the id
of its finding, and its pages when it is printed more than once.
"""

from __future__ import annotations

from ideapump.stats.models import Finding, StatsResult
from ideapump.stats.recompute import decimals, describe_test, raw_of


def result_key(r: StatsResult) -> tuple[object, ...]:
    """Same test, df, statistic (as printed) and p: the same result printed again."""
    stat = float(r.statistic_text.replace(",", ""))
    p = r.reported_p
    return (
        r.test_type,
        r.df1,
        r.df2,
        r.n,
        r.statistic_comparator,
        stat,
        decimals(r.statistic_text),
        r.reported_comparator,
        p,
    )


def _test_line(r: StatsResult) -> str:
    said = (
        "ns" if r.reported_comparator == "ns" else f"p {r.reported_comparator} {r.reported_p_text}"
    )
    return f"{describe_test(raw_of(r))}, {said}"


_LENIENT = {"consistent": 0, "not_checkable": 1, "inconsistent": 2, "decision_error": 3}


def group_results(results: list[StatsResult]) -> tuple[list[StatsResult], list[Finding]]:
    """Results with finding ids (and pages when repeated), and one Finding per distinct result.

    Ids are R1, R2, ... in reading order of first occurrence, so they do not
    change when the same paper is audited again or at another alpha.
    """
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, r in enumerate(results):
        groups.setdefault(result_key(r), []).append(i)
    out = list(results)
    findings = []
    for n, members in enumerate(groups.values(), start=1):
        fid = f"R{n}"
        pages = sorted({page for i in members if (page := results[i].page) is not None})
        for i in members:
            out[i] = results[i].model_copy(
                update={"finding_id": fid, "pages": pages if len(members) > 1 else []}
            )
        # The same result may be said to be one-tailed next to one copy only.
        best = min(members, key=lambda i: _LENIENT[results[i].verdict])
        first = results[members[0]]
        findings.append(
            Finding(
                finding_id=fid,
                test=_test_line(first),
                verdict=results[best].verdict,
                page=first.page,
                pages=pages,
                occurrences=len(members),
                quote=first.quote,
                explanation=results[best].explanation,
            )
        )
    return out, findings
