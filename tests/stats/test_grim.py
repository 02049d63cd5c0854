"""GRIM and GRIMMER against brute-force enumeration of small integer samples."""

from __future__ import annotations

import itertools
import statistics

import pytest

from ideapump.stats import check_text
from ideapump.stats.grim import check_means, grim, grimmer


def test_grim_known_cases() -> None:
    # n = 28: 145/28 = 5.179 and 146/28 = 5.214, so 5.19 cannot be a mean of 28 integers.
    assert grim("5.19", 28) == "inconsistent"
    assert grim("5.18", 28) == "consistent"
    assert grim("5.21", 28) == "consistent"
    # Three items per person: means are multiples of 1/84, and 5.19 = 436/84 rounds fine.
    assert grim("5.19", 28, items=3) == "consistent"
    # n * items >= 10**decimals: every value is possible, GRIM says nothing.
    assert grim("5.19", 120) == "not_checkable"
    assert grim("5.2", 28) == "not_checkable"


def _possible(n: int, low: int, high: int) -> set[tuple[str, str]]:
    out = set()
    for sample in itertools.combinations_with_replacement(range(low, high + 1), n):
        out.add((f"{statistics.mean(sample):.2f}", f"{statistics.stdev(sample):.2f}"))
    return out


@pytest.mark.parametrize("n", [4, 5, 6])
def test_grimmer_agrees_with_enumeration(n: int) -> None:
    possible = _possible(n, 1, 7)
    means = {m for m, _ in possible}
    checked = inconsistent = 0
    for mean in sorted(means):
        for sd_hundredths in range(0, 350):
            sd = f"{sd_hundredths / 100:.2f}"
            verdict = grimmer(mean, sd, n)
            if (mean, sd) in possible:
                # Never call a real sample impossible.
                assert verdict == "consistent", (mean, sd)
            checked += 1
            inconsistent += verdict == "inconsistent"
    # And the parity test does rule out a good share of impossible SDs.
    assert inconsistent > checked * 0.3


def test_grimmer_known_impossible_sd() -> None:
    # n = 5, integer data, M = 3.00 (sum 15): sum of squares must be odd, and
    # SD = 1.00 needs Q = 4 + 45 = 49 (odd, fine), SD = 1.12 needs Q = 50.0 (even: impossible).
    assert grimmer("3.00", "1.00", 5) == "consistent"
    assert grimmer("3.00", "1.12", 5) == "inconsistent"
    assert grimmer("5.19", "1.00", 28) == "not_checkable"  # the mean itself fails GRIM


def test_means_found_in_text_with_their_n() -> None:
    checks = check_means("Scores were higher in group A (M = 5.19, SD = 1.20, n = 28) than B.")
    assert len(checks) == 1
    c = checks[0]
    assert (c.mean, c.sd, c.n, c.items, c.grim) == (5.19, 1.2, 28, 1, "inconsistent")
    assert "integer" in c.explanation
    assert check_means("(n = 28, M = 5.18, SD = 1.20)")[0].grim == "consistent"
    # A neighbour's n is never borrowed, and no n means no check.
    assert check_means("M = 5.19, SD = 1.2; the other group (n = 28)") == []
    # Stated item counts widen the grid.
    assert check_means("On the 3-item scale (M = 5.19, n = 28)")[0].grim == "consistent"


def test_report_flags_impossible_means() -> None:
    report = check_text("Group A (M = 5.19, SD = 1.20, n = 28) rated the task.")
    assert report.counts["impossible_means"] == 1
    assert [f.code for f in report.flags] == ["impossible_means"]
