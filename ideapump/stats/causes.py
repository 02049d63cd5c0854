"""Inconsistencies that share a probable cause are told once.

When most inconsistencies of a paper have the same probable cause, a reviewer
wants that cause once, not thirty-five near-identical lines. Causes tried for
each distinct inconsistency (a finding of :mod:`.grouping`):

* ``p_zero``: p printed as .000, or p < .000;
* ``one_tailed``: p is half the two-tailed p, and the text does not say one-tailed;
* ``df_typo``: one edited digit of a printed df (F(2, 5) -> F(2, 54)) makes p fit,
  and neighbouring results of the paper print that df;
* ``p_typo``: p with a zero dropped or added (.01 for .001) fits;
* ``pooled_df``: p fits a larger df than printed (the p-values of pairwise
  comparisons computed with a pooled error term, e.g. the ANOVA's);
* ``welch_df``: p fits a smaller df than printed (a Welch correction);
* ``p_rounded_down``: p truncated instead of rounded (.00568 printed as .005);
* ``statistic_truncated``: the statistic truncated instead of rounded.

``pooled_df`` and ``welch_df`` alone prove little (almost any small mismatch
fits some other df), so they count only when two or more findings share them.
Each finding gets one cause: the cause that explains most findings wins, the
specific ones (a typo, a halved p) weighing more than a df range.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import special

from ideapump.stats.extract import RawResult
from ideapump.stats.models import (
    CAUSE_PRIORITY,
    CauseCode,
    CauseGroup,
    Finding,
    StatsResult,
)
from ideapump.stats.recompute import (
    decimals,
    describe_test,
    fits,
    fmt_p,
    open_ends,
    parse_p,
    raw_of,
    statistic_p_range,
)

_EPS = 1e-12
#: Largest df tried when looking for the df a p-value fits.
MAX_DF = 10_000
#: Largest numerator df tried for an F.
MAX_DF1 = 20
#: A cause that only a df range supports needs this many findings.
MIN_SHARED = 2
#: How much more a specific cause weighs than a df range when findings could have either.
WEIGHT: dict[str, float] = {
    "p_zero": 100.0,
    "one_tailed": 4.0,
    "df_typo": 4.0,
    "p_typo": 4.0,
    "pooled_df": 1.0,
    "welch_df": 1.0,
    "p_rounded_down": 1.0,
    "statistic_truncated": 0.5,
}
#: A df-range cause shared by this many findings is systematic: it overrides their df typos.
CLUSTER = 3
#: Causes a member of such a cluster may fit by coincidence.
_COINCIDENCES: tuple[CauseCode, ...] = (
    "df_typo",
    "one_tailed",
    "p_rounded_down",
    "statistic_truncated",
)
_DF_CAUSES: tuple[CauseCode, ...] = ("df_typo", "pooled_df", "welch_df")
_DFS = np.arange(1, MAX_DF + 1, dtype=float)
Neighbours = dict[tuple[str, str], dict[float, tuple[int, int | None]]]


# -- candidate causes of one inconsistency --------------------------------------------


@dataclass(frozen=True)
class Candidate:
    code: CauseCode
    detail: str  # what this finding shows, e.g. "p = 0.01 fits as p = 0.001"
    df_low: int | None = None  # for pooled/welch: the df range that fits
    df_high: int | None = None


def _p_at(test: str, x: float | np.ndarray, df1: object, df2: object) -> np.ndarray:
    """recompute.p_value, vectorized over the statistic or over either df."""
    if test == "z":
        return np.asarray(2 * special.ndtr(-np.abs(x)))
    if test == "t":
        return np.asarray(2 * special.stdtr(df1, -np.abs(x)))
    if test == "F":
        return np.asarray(special.fdtrc(df1, df2, x))
    if test == "r":
        r = np.minimum(np.abs(x), 1 - 1e-15)
        return np.asarray(2 * special.stdtr(df1, -r * np.sqrt(np.asarray(df1) / (1 - r * r))))
    return np.asarray(special.chdtrc(df1, x))


def _fit_mask(raw: RawResult, p: float, half: float, df1: object, df2: object) -> np.ndarray:
    """For "p = x": which of the (vectorized) df make the printed statistic give x."""
    value = abs(float(raw.stat_text.replace(",", "")))
    step = 0.5 * 10.0 ** -decimals(raw.stat_text)
    top = value + step if raw.test_type != "r" else min(value + step, 1.0)
    low = _p_at(raw.test_type, top, df1, df2)
    high = _p_at(raw.test_type, max(value - step, 0.0), df1, df2)
    return np.asarray((low <= p + half + _EPS) & (high + _EPS >= max(p - half, 0.0)))


def _slots(raw: RawResult) -> list[str]:
    if raw.test_type == "F":
        return ["df2", "df1"]
    return ["df1"] if raw.test_type in ("t", "chi2", "r") else []


def _edits(df: float) -> set[int]:
    """Integers one keystroke away from a printed integer df (drop, add, change, swap)."""
    if df != int(df):
        return set()
    s = str(int(df))
    out = set()
    for i in range(len(s) + 1):
        for d in "0123456789":
            out.add(s[:i] + d + s[i:])
            if i < len(s):
                out.add(s[:i] + d + s[i + 1 :])
        if i < len(s):
            out.add(s[:i] + s[i + 1 :])
        if i + 1 < len(s):
            out.add(s[:i] + s[i + 1] + s[i] + s[i + 2 :])
    return {int(e) for e in out if e and not e.startswith("0")} - {int(df)}


def _with_df(raw: RawResult, slot: str, df: float) -> str:
    df1, df2 = (df, raw.df2) if slot == "df1" else (raw.df1, df)
    if raw.test_type == "F":
        return f"F({df1:g}, {df2:g})"
    name = {"t": "t", "chi2": "χ2", "r": "r"}[raw.test_type]
    return f"{name}({df1:g})"


def candidates(
    r: StatsResult,
    neighbours: Neighbours,
    alpha: float = 0.05,
) -> list[Candidate]:
    """Every cause that would explain this inconsistent result on its own."""
    raw = raw_of(r)
    out: list[Candidate] = []
    test = f"{describe_test(raw)}, p {r.reported_comparator} {r.reported_p_text}"
    if r.p_zero:
        out.append(Candidate("p_zero", f"{test} (p. {r.page})" if r.page else test))
        return out
    if r.reported_p is None or r.computed_p is None:
        return out
    p, half = parse_p(r.reported_p_text or "")
    cmp = r.reported_comparator
    point, low, high = statistic_p_range(raw)
    ends = open_ends(raw.stat_comparator)
    if r.test_type in ("t", "z", "r") and fits(cmp, p, half, low / 2, high / 2, alpha, ends):
        out.append(Candidate("one_tailed", f"{test}: one-tailed p = {fmt_p(point / 2, 4)}"))
    if cmp != "=" or raw.stat_comparator != "=":
        return out
    digits = decimals(r.reported_p_text or "")
    for factor, how in ((10.0, "a zero dropped"), (0.1, "a zero too many")):
        q, qh = p / factor, half / factor
        if fits("=", q, qh, low, high, 0.05):
            shown = f"{q:.{digits + (1 if factor > 1 else -1)}f}".lstrip("0") or "0"
            out.append(
                Candidate("p_typo", f"{test} fits p = {shown} ({how}; p = {fmt_p(point, 4)})")
            )
    unit = 10.0**-digits
    if p < low and p <= high + _EPS and p + unit > low:
        out.append(
            Candidate(
                "p_rounded_down",
                f"{test}: p = {fmt_p(point, digits + 1)} cut to {r.reported_p_text}",
            )
        )
    value = abs(float(raw.stat_text.replace(",", "")))
    step = 10.0 ** -decimals(raw.stat_text)
    t_low = _p_at(raw.test_type, value + step, raw.df1, raw.df2).item()
    t_high = _p_at(raw.test_type, value, raw.df1, raw.df2).item()
    if fits("=", p, half, t_low, t_high, 0.05):
        out.append(
            Candidate(
                "statistic_truncated", f"{test} fits a statistic in [{value:g}, {value + step:g})"
            )
        )
    out += _df_candidates(raw, p, half, test, neighbours)
    return out


def _df_candidates(
    raw: RawResult,
    p: float,
    half: float,
    test: str,
    neighbours: Neighbours,
) -> list[Candidate]:
    out: list[Candidate] = []
    for slot in _slots(raw):
        printed = raw.df1 if slot == "df1" else raw.df2
        if printed is None or (raw.test_type == "F" and (raw.df1 is None or raw.df2 is None)):
            continue
        dfs = _DFS[:MAX_DF1] if slot == "df1" and raw.test_type == "F" else _DFS
        if slot == "df1":
            mask = _fit_mask(raw, p, half, dfs, raw.df2)
        else:
            mask = _fit_mask(raw, p, half, raw.df1, dfs)
        fitting = dfs[mask]
        if fitting.size == 0:
            continue
        fit_set = {int(d) for d in fitting}
        seen = neighbours.get((raw.test_type, slot), {})
        typos = [df for df in _edits(printed) & fit_set if df in seen]
        if typos:
            # The df the paper prints most often among those that fit.
            df = max(typos, key=lambda d: (seen[d][0], -d))
            page = seen[df][1]
            where = f" (e.g. p. {page})" if page is not None else ""
            out.append(
                Candidate(
                    "df_typo",
                    f"{test} fits {_with_df(raw, slot, df)}, as neighbouring results print{where}",
                )
            )
        if (slot == "df1" and raw.test_type == "F") or printed != int(printed):
            continue
        larger = fitting[fitting > printed]
        # Pairwise comparisons (t, or F with one numerator df) printed with their own df
        # but tested against a pooled error term; an omnibus F's df2 is its error df.
        if larger.size and (raw.test_type == "t" or (raw.test_type == "F" and raw.df1 == 1)):
            out.append(Candidate("pooled_df", test, int(larger[0]), int(larger[-1])))
        smaller = fitting[fitting < printed]
        if smaller.size and raw.test_type == "t":
            out.append(Candidate("welch_df", test, int(smaller[0]), int(smaller[-1])))
    return out


# -- choosing one cause per finding and telling each cause once ----------------------


def _neighbours(results: list[StatsResult]) -> Neighbours:
    """For each test type and df slot: how often each df is printed, and its first page."""
    seen: Neighbours = {}
    for r in results:
        for slot, df in (("df1", r.df1), ("df2", r.df2)):
            if df is not None:
                slot_seen = seen.setdefault((r.test_type, slot), {})
                count, page = slot_seen.get(df, (0, r.page))
                slot_seen[df] = (count + 1, page)
    return seen


def _pages_text(pages: list[int]) -> str:
    if not pages:
        return ""
    return f"p. {pages[0]}" if len(pages) == 1 else f"pp. {', '.join(map(str, pages))}"


def assign_causes(
    results: list[StatsResult], findings: list[Finding], alpha: float = 0.05
) -> tuple[list[Finding], list[CauseGroup], dict[str, str]]:
    """Findings with their probable cause, one CauseGroup per cause, and per finding
    the sentence that says what its cause is."""
    rep = {r.finding_id: r for r in results if r.finding_id is not None}
    neighbours = _neighbours(results)
    options: dict[str, dict[CauseCode, Candidate]] = {}
    for f in findings:
        if f.is_problem:
            found = candidates(rep[f.finding_id], neighbours, alpha)
            if found:
                options[f.finding_id] = {c.code: c for c in reversed(found)}
    # Range-only causes need company; with enough of it they are systematic, and a
    # member that a one-digit df edit, a halved p or a cut p would also fit is taken to
    # share the systematic cause rather than a coincidence of its own.
    for code in ("pooled_df", "welch_df"):
        sharing = [fid for fid, opts in options.items() if code in opts]
        for fid in sharing:
            if len(sharing) < MIN_SHARED:
                del options[fid][code]
            elif len(sharing) >= CLUSTER:
                for weaker in _COINCIDENCES:
                    options[fid].pop(weaker, None)
    chosen: dict[str, CauseCode] = {}
    open_ids = {fid for fid, opts in options.items() if opts}
    while open_ids:
        counts = Counter(code for fid in open_ids for code in options[fid])
        best = max(counts, key=lambda c: (counts[c] * WEIGHT[c], -CAUSE_PRIORITY.index(c)))
        for fid in [fid for fid in open_ids if best in options[fid]]:
            chosen[fid] = best
            open_ids.discard(fid)
    by_id = {f.finding_id: f for f in findings}
    groups = []
    details: dict[str, str] = {}
    for code in CAUSE_PRIORITY:
        ids = [f.finding_id for f in findings if chosen.get(f.finding_id) == code]
        if ids:
            cands = [options[i][code] for i in ids]
            groups.append(_group(code, [by_id[i] for i in ids], cands, rep))
            for fid, cand in zip(ids, cands, strict=True):
                details[fid] = _detail(code, cand, len(ids))
    groups.sort(key=lambda g: -g.occurrences)
    out = [
        f.model_copy(
            update={
                "cause": chosen.get(f.finding_id),
                "explanation": with_cause(
                    f.explanation,
                    rep[f.finding_id].df_hint,
                    details.get(f.finding_id),
                    chosen.get(f.finding_id),
                ),
            }
        )
        for f in findings
    ]
    return out, groups, details


_LABEL = {
    "p_zero": "p printed as zero",
    "one_tailed": "a one-tailed p",
    "df_typo": "a typo in df",
    "p_typo": "a typo in p",
    "pooled_df": "p from a pooled error df",
    "welch_df": "p from Welch-corrected df",
    "p_rounded_down": "p truncated, not rounded",
    "statistic_truncated": "statistic truncated, not rounded",
}


def _detail(code: CauseCode, cand: Candidate, shared: int) -> str:
    if code in ("pooled_df", "welch_df"):
        side = "larger" if code == "pooled_df" else "smaller"
        top = f"–{cand.df_high}" if (cand.df_high or 0) < MAX_DF else " or more"
        span = f"{cand.df_low}" if cand.df_low == cand.df_high else f"{cand.df_low}{top}"
        return (
            f"{_LABEL[code]}: p fits {side} df ({span}), as {shared - 1} other result(s) of "
            "this paper do"
        )
    return f"{_LABEL[code]}: {cand.detail}"


def with_cause(
    explanation: str, hint: str, detail: str | None, cause: CauseCode | None = None
) -> str:
    """The explanation with the probable cause added; a cause about df replaces the df hint."""
    if detail is None:
        return explanation
    if hint and cause in _DF_CAUSES:
        explanation = explanation.replace(hint, "")
    return f"{explanation} Probable cause, {detail}."


def _group(
    code: CauseCode,
    members: list[Finding],
    cands: list[Candidate],
    rep: dict[str, StatsResult],
) -> CauseGroup:
    occurrences = sum(f.occurrences for f in members)
    pages = sorted({p for f in members for p in (f.pages or ([f.page] if f.page else []))})
    n = len(members)
    head = (
        f"{occurrences} printed results ({n} distinct, {_pages_text(pages)})"
        if occurrences != n
        else f"{n} result{'s' if n > 1 else ''} ({_pages_text(pages)})"
    )
    # Verbs agree with the head: "1 result fits", "3 results fit".
    v = {"fit": "fit", "print": "print", "look": "look", "have": "have", "report": "report"}
    if occurrences == 1:
        v = {"fit": "fits", "print": "prints", "look": "looks", "have": "has", "report": "reports"}
    details = "; ".join(c.detail for c in cands)
    if code == "pooled_df" or code == "welch_df":
        message = _df_range_message(code, head, v["report"], members, cands, rep)
    else:
        message = {
            "p_zero": f"{head} {v['print']} p as zero: a p-value is never zero (or below it); "
            f"report p < .001. {details}.",
            "one_tailed": f"{head} {v['fit']} one-tailed p-values (half the two-tailed p), but "
            f"the text near them does not say one-tailed: say so, or report two-tailed p. "
            f"{details}.",
            "df_typo": f"{head} {v['look']} like a typo in the degrees of freedom: {details}.",
            "p_typo": f"{head} {v['fit']} with a zero dropped from or added to p: {details}.",
            "p_rounded_down": f"{head} {v['have']} p cut (truncated) instead of rounded: "
            f"{details}.",
            "statistic_truncated": f"{head} {v['fit']} if the statistic was truncated instead of "
            f"rounded: {details}.",
        }[code]
    decisions = sum(1 for f in members if f.verdict == "decision_error")
    if decisions:
        message += f" {decisions} of them change the conclusion at the paper's alpha."
    return CauseGroup(
        cause=code,
        message=message,
        finding_ids=[f.finding_id for f in members],
        occurrences=occurrences,
        decision_errors=decisions,
        pages=pages,
        quote=members[0].quote,
    )


def _df_range_message(
    code: CauseCode,
    head: str,
    verb: str,
    members: list[Finding],
    cands: list[Candidate],
    rep: dict[str, StatsResult],
) -> str:
    slots = [rep[f.finding_id] for f in members]
    printed = sorted({int(d) for r in slots if (d := r.df2 if r.test_type == "F" else r.df1)})
    ranges = [(c.df_low or 0, c.df_high or 0) for c in cands]
    # The df that fits the most of them, and how many it fits.
    lo_all, hi_all = min(r[0] for r in ranges), max(r[1] for r in ranges)
    best, best_n = lo_all, 0
    for d in sorted({x for r in ranges for x in r}):
        k = sum(1 for a, b in ranges if a <= d <= b)
        if k > best_n:
            best, best_n = d, k
    # Report the whole run of df that fits that many.
    end = best
    while end < hi_all and sum(1 for a, b in ranges if a <= end + 1 <= b) == best_n:
        end += 1
    span = f"{best}" if best == end else f"{best}–{end}"
    shown = "/".join(str(d) for d in printed)
    top = f"{hi_all}" if hi_all < MAX_DF else "any larger df"
    if code == "pooled_df":
        return (
            f"{head} {verb} p-values that fit larger df than the printed {shown}: df {span} fits "
            f"{best_n} of the {len(members)} (the df that fit one or another run from {lo_all} "
            f"to {top}). The p-values were probably computed with a pooled error term (e.g. the "
            "ANOVA's, over all groups) while the df printed are each comparison's own; report "
            "the df the p-values come from."
        )
    return (
        f"{head} {verb} p-values that fit smaller df than the printed {shown} (df {span} fits "
        f"{best_n} of the {len(members)}), as a Welch correction for unequal variances gives: "
        "report the corrected df."
    )
