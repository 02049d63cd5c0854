"""Repeated results are one finding; inconsistencies sharing a probable cause are told once."""

from __future__ import annotations

from scipy import stats

from ideapump.stats import check_text, rejudge
from ideapump.stats.models import CONTRACT_KEYS, StatsReport


def _two_tailed(t: float, df: int) -> str:
    return f"{2 * stats.t.sf(t, df):.3f}".lstrip("0")


def test_a_result_printed_on_several_pages_is_one_finding() -> None:
    text = "\f".join(
        [
            "In the text: t(28) = 2.20, p = .03, and t(28) = 2.50, p = .019.",
            "Nothing here.",
            "Figure 2 legend: t(28) = 2.20, p = .03.",
            "Appendix: t(28) = 2.20, p = .03.",
        ]
    )
    report = check_text(text)
    assert report.counts["inconsistent"] == 3
    (problem,) = [f for f in report.findings if f.is_problem]
    assert (problem.pages, problem.occurrences, problem.page) == ([1, 3, 4], 3, 1)
    assert report.distinct_counts["inconsistent"] == 1
    ids = {r.finding_id for r in report.results if r.verdict == "inconsistent"}
    assert ids == {problem.finding_id}
    # The grouped view says it once, with every page (p = .0362 printed as .03: cut).
    (line,) = report.grouped_problems()
    assert line.pages == [1, 3, 4] and "3 printed results (1 distinct" in line.message
    # JSON: pages only for the repeated result; the others keep the ten keys plus the id.
    objs = report.to_json()["results"]
    repeated = [o for o in objs if o["finding_id"] == problem.finding_id]
    assert len(repeated) == 3 and all(o["pages"] == [1, 3, 4] for o in repeated)
    single = next(o for o in objs if o["finding_id"] != problem.finding_id)
    assert list(single) == [*CONTRACT_KEYS, "finding_id"]


def test_same_numbers_with_another_sample_size_are_another_result() -> None:
    report = check_text("χ2(1, N = 93) = 4.45, p = .035 and χ2(1, N = 92) = 4.45, p = .035")
    assert len(report.findings) == 2


def _pooled_paper() -> str:
    # Pairwise t-tests printed with their own df (18) but p from a pooled df of 57.
    lines = [
        f"Contrast {i}: t(18) = {t:.3f}, p = {_two_tailed(t, 57)}."
        for i, t in enumerate([2.5, 2.1, 1.7, 2.9], start=1)
    ]
    return " ".join(lines) + "\fThe omnibus test: F(3, 57) = 4.10, p = .011."


def test_pooled_error_df_is_one_cause_for_all_its_results() -> None:
    report = check_text(_pooled_paper())
    problems = [f for f in report.findings if f.is_problem]
    assert len(problems) == 4 and {f.cause for f in problems} == {"pooled_df"}
    (group,) = report.causes
    assert group.cause == "pooled_df" and len(group.finding_ids) == 4
    assert "larger df than the printed 18" in group.message
    # 57 is among the df that fit them all.
    assert "fits 4 of the 4" in group.message
    low, high = group.message.split("df ")[2].split(" fits")[0].split("–")
    assert int(low) <= 57 <= int(high)
    # t = 2.1 gives p = .050 with 18 df: reported .040 changes the conclusion.
    assert group.decision_errors == 1 and "change the conclusion" in group.message
    # Said once in the grouped view, not four times.
    lines = report.grouped_problems()
    assert [p.kind for p in lines] == ["cause"] and lines[0].finding_ids == group.finding_ids
    # Each result names its cause, in its explanation and in the JSON.
    assert all(
        "Probable cause, p from a pooled error df" in r.explanation
        for r in report.results
        if r.cause
    )
    assert {o.get("cause") for o in report.to_json()["results"][:4]} == {"pooled_df"}


def test_welch_df_for_two_results_fitting_smaller_df() -> None:
    text = (
        f"Women vs men, placebo: t(30) = 2.300, p = {_two_tailed(2.3, 20)}; "
        f"drug: t(30) = 2.800, p = {_two_tailed(2.8, 20)}."
    )
    (group,) = check_text(text).causes
    assert group.cause == "welch_df" and "smaller df than the printed 30" in group.message


def test_a_lone_df_mismatch_is_not_called_pooled() -> None:
    report = check_text(f"Only one: t(18) = 2.500, p = {_two_tailed(2.5, 57)}.")
    assert report.causes == [] and report.findings[0].cause is None
    assert "would fit df" in report.results[0].explanation


def test_one_tailed_p_without_saying_so() -> None:
    report = check_text("The groups differed, t(30) = 1.80, p = .041.")
    (group,) = report.causes
    assert group.cause == "one_tailed" and "does not say one-tailed" in group.message


def test_p_truncated_instead_of_rounded() -> None:
    # t(28) = 2.193 gives p = .0368, which rounds to .037; printed .036.
    report = check_text("The effect: t(28) = 2.193, p = .036.")
    assert report.findings[0].cause == "p_rounded_down"
    assert ".0368 cut to .036" in report.causes[0].message


def test_p_with_a_zero_dropped() -> None:
    report = check_text("The drug lowered it, t(40) = -3.525, p = .01.")
    (group,) = report.causes
    assert group.cause == "p_typo" and "fits p = .001" in group.message


def test_df_typo_needs_neighbours_that_print_the_intended_df() -> None:
    neighbours = "Main effect: F(2, 54) = 7.00, p = .002; horizon: F(2, 54) = 3.35, p = .042."
    typo = " Total score: F(2, 5) = 2.313, p = .109."
    report = check_text(neighbours + typo)
    bad = next(f for f in report.findings if f.is_problem)
    assert bad.cause == "df_typo"
    assert "fits F(2, 54), as neighbouring results print" in report.causes[0].message
    # Without neighbours printing F(2, 54) a one-digit edit is no evidence.
    alone = check_text(typo)
    assert alone.findings[0].cause != "df_typo"


def test_numerator_df_typo() -> None:
    text = (
        "All participants: F(2, 103) = 3.90, p = .023. Completers (N = 74): "
        "F(3, 70) = 2.16, p = .123."
    )
    report = check_text(text)
    assert "fits F(2, 70)" in report.causes[0].message


def test_p_zero_results_are_grouped_under_one_cause() -> None:
    report = check_text("First t(28) = 5.20, p = .000; then F(1, 40) = 30.10, p = .000.")
    (group,) = report.causes
    assert group.cause == "p_zero" and len(group.finding_ids) == 2


def test_a_systematic_df_mismatch_wins_over_coincidental_typos() -> None:
    # Pairwise t(38) with p from df 58; the paper also prints t(58) elsewhere, so 38 -> 58
    # would be a one-digit "typo" in each of them.
    pairs = " ".join(
        f"Pair {i}: t(38) = {t:.3f}, p = {_two_tailed(t, 58)}."
        for i, t in enumerate([2.171, 2.723, 2.5, 1.9], start=1)
    )
    report = check_text(pairs + " Elsewhere, t(58) = -12.16, p < .001.")
    assert [g.cause for g in report.causes] == ["pooled_df"]


def test_rejudge_keeps_finding_ids_and_redoes_causes() -> None:
    report = check_text(_pooled_paper())
    again = rejudge(report, 0.01)
    assert [r.finding_id for r in again.results] == [r.finding_id for r in report.results]
    assert [g.cause for g in again.causes] == ["pooled_df"]
    # A stored report (JSON round trip) reads back the same.
    stored = StatsReport.model_validate(report.model_dump(mode="json"))
    assert stored.causes == report.causes and stored.findings == report.findings


def test_critique_and_digest_read_the_grouped_findings(tmp_path) -> None:
    from ideapump.agent.critique import stats_findings
    from ideapump.config import Settings
    from ideapump.digest.compose import stats_summary
    from ideapump.stats import check_pages
    from ideapump.store.registry import DocumentRow

    pages = [(1, _pooled_paper()), (2, "Figure legend: t(18) = 2.500, p = .015.")]
    report = check_pages(pages)
    assert report.counts["inconsistent"] + report.counts["decision_error"] == 5
    problems = [f for f in stats_findings(report) if f.severity == "problem"]
    assert len(problems) == 1 and problems[0].pages == [1, 2]
    assert problems[0].message == report.causes[0].message

    row = DocumentRow(stats=report.model_dump(mode="json"), page_texts=[t for _, t in pages])
    summary = stats_summary(row, Settings(home=tmp_path))
    assert [(p.kind, p.page) for p in summary.problems] == [("decision_error", 1)]
    assert "5 printed results (4 distinct, pp. 1, 2)" in summary.problems[0].explanation


def test_an_old_stored_report_is_redone_from_the_page_texts(tmp_path) -> None:
    from ideapump.config import Settings
    from ideapump.stats import audit_stored

    old = check_text(_pooled_paper()).model_dump(mode="json")
    for key in ("version", "findings", "causes", "checks", "p_zero_is_error"):
        old.pop(key)
    for r in old["results"]:
        for key in ("finding_id", "pages", "cause"):
            r.pop(key)
    report = audit_stored(old, _pooled_paper().split("\f"), Settings(home=tmp_path))
    assert report is not None and [g.cause for g in report.causes] == ["pooled_df"]
    # Without page texts the old results are judged again, grouped all the same.
    report = audit_stored(old, [], Settings(home=tmp_path))
    assert report is not None and [g.cause for g in report.causes] == ["pooled_df"]


def test_every_kind_of_test_goes_through_cause_inference() -> None:
    text = (
        "z = 2.20, p = .04; Q(28) = 22.20, p = .09; r(28) = .22, p = .06; "
        "χ2(28) = 22.20, p = .079; F(2, 28) = 2.20, p = .15; t(28) = 2.20, p = .08; "
        "z = 2.2, p = .014"
    )
    report = check_text(text)
    assert report.counts["inconsistent"] + report.counts["decision_error"] == 7
    # Half the two-tailed p of z = 2.2 is .0139.
    assert report.results[-1].cause == "one_tailed"
