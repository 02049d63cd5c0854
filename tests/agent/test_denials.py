"""What a critique or a review may not deny: no model."""

from __future__ import annotations

import pytest

from ideapump.agent.denials import contradicts_facts, denies_draft
from ideapump.results import PaperProfile
from tests.agent.fakes import draft_of


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("The study does not mention any potential controls.", "placebo-controlled"),
        ("Participants were not randomized.", "randomized"),
        ("The trial was unblinded.", "double-blind"),
        ("The sample size is not reported.", "N = 60"),
        # the 1.5B model's critique of Dubois et al., each cited to the sentence with its N
        (
            "The paper does not provide a clear description of the sample size, including "
            "the number of trials per condition.",
            "N = 60",
        ),
        (
            "The paper does not provide a clear description of the study design, including "
            "the number of trials and the specific conditions used.",
            "states its design (randomized",
        ),
        ("All statistics are consistent.", "auditor"),
    ],
)
def test_critique_points_that_deny_design_facts(text: str, fact: str) -> None:
    profile = PaperProfile(
        doc_id="d",
        title="t",
        design=["randomized", "double-blind", "placebo-controlled"],
        sample_size=60,
    )
    found = contradicts_facts(text, profile, {"total": 10, "decision_error": 1})
    assert found is not None and fact in found
    # asking for another kind of control denies nothing
    assert contradicts_facts("It lacks an active control condition.", profile, {}) is None
    # nor does asking why the sample is that size
    why = "The paper does not report a power calculation for its sample size."
    assert contradicts_facts(why, profile, {}) is None


def test_a_review_point_may_not_deny_what_the_proposal_has() -> None:
    d = draft_of()  # a primary measure and a control
    # the quick start's review, word for word
    assert denies_draft("the primary measure is not specified", d) == "primary_measure"
    assert denies_draft("The study lacks a control group.", d) == "controls"
    assert denies_draft("no control for caffeine intake", d) is None  # names what to control
    assert denies_draft("It lacks an active control condition.", d) is None
    no_measure = draft_of(primary_measure="")
    assert denies_draft("the primary measure is not specified", no_measure) is None
