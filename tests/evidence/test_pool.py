"""Random-effects pooling against a hand-computed DerSimonian-Laird example."""

from __future__ import annotations

import math

import pytest

from ideapump.evidence.forest import png, svg
from ideapump.evidence.models import Effect
from ideapump.evidence.pool import fit, orient, pool


def _effect(
    doc: str, y: float, v: float, *, stance: str = "supports", audit: str = "consistent"
) -> Effect:
    e = Effect(
        measure="d",
        family="smd",
        reported=f"d = {y}",
        value=y,
        yi=y,
        vi=v,
        derivation="test",
        doc_id=doc,
        title=f"Paper {doc}",
        audit=audit,
    )
    return orient(e, stance)


def test_dersimonian_laird_by_hand() -> None:
    # y = (0.5, 0.2, 0.8), v = (0.04, 0.09, 0.05)
    # fixed weights w = (25, 11.111, 20), sum 56.111; mu_FE = 30.722 / 56.111 = 0.54752
    # Q = 25(0.04752)^2 + 11.111(0.34752)^2 + 20(0.25248)^2 = 2.6733, df = 2
    # C = 56.111 - (625 + 123.457 + 400) / 56.111 = 35.6436
    # tau2 = (Q - df) / C = 0.018889; I2 = (Q - df) / Q = 0.2519
    # RE weights 1 / (v + tau2) = (16.981, 9.1837, 14.516), sum 40.681
    # mu_RE = 21.940 / 40.681 = 0.53932, se = 1 / sqrt(40.681) = 0.15679
    f = fit([0.5, 0.2, 0.8], [0.04, 0.09, 0.05], "dl")
    assert f.q == pytest.approx(2.6733, abs=1e-4)
    assert f.tau2 == pytest.approx(0.018889, abs=1e-5)
    assert f.i2 == pytest.approx(0.2519, abs=1e-3)
    assert f.estimate == pytest.approx(0.53932, abs=1e-4)
    assert f.ci_low == pytest.approx(0.53932 - 1.959964 * 0.15679, abs=1e-3)
    assert f.ci_high == pytest.approx(0.53932 + 1.959964 * 0.15679, abs=1e-3)
    pm = fit([0.5, 0.2, 0.8], [0.04, 0.09, 0.05], "pm")
    assert pm.method == "Paule-Mandel" and pm.tau2 != f.tau2


def test_pool_signs_by_stance_leaves_one_out_and_refits_without_flagged() -> None:
    effects = [
        _effect("a", 0.5, 0.04),
        _effect("b", 0.2, 0.09),
        _effect("c", 0.8, 0.05),
        _effect("d", 0.4, 0.05, stance="contradicts", audit="decision_error"),
        _effect("a", 0.9, 0.04),  # a second effect of paper a: not counted twice
        _effect("e", 0.7, 0.05, stance="neither"),  # no sign: listed, not pooled
    ]
    pooled, note = pool(effects)
    assert pooled is not None and pooled.k == 4 and "Pooled 4 papers" in note
    assert [e.oriented for e in pooled.effects] == [0.5, 0.2, 0.8, -0.4]
    assert len(pooled.leave_one_out) == 4
    assert pooled.flagged == 1 and pooled.without_flagged is not None
    assert pooled.without_flagged.estimate == pytest.approx(0.53932, abs=1e-4)
    assert pooled.headline is pooled.without_flagged
    drawn = svg(pooled)
    assert drawn.startswith("<svg") and drawn.count("<rect") == 5  # background + 4 papers
    assert "[audit flag]" in drawn and "Paule-Mandel" in drawn
    assert png(pooled)[:8] == b"\x89PNG\r\n\x1a\n"


def test_effects_of_different_kinds_are_not_pooled_silently() -> None:
    ratio = _effect("b", math.log(2), 0.05).model_copy(update={"family": "ratio"})
    pooled, note = pool([_effect("a", 0.5, 0.04), ratio])
    assert pooled is None and "not comparable" in note and "counts papers by design" in note
