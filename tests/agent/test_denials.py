"""What a critique or a review may not deny: no model."""

from __future__ import annotations

import pytest

from ideapump.agent.denials import contradicts_facts, denies_draft
from ideapump.grounding.claims import split_sentences
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


def test_a_review_point_may_not_say_a_listed_control_is_missing() -> None:
    d = draft_of(
        controls=[
            "random allocation of participants to conditions",
            "a baseline measurement of the primary measure before the manipulation",
            "the primary measure scored by someone blind to condition",
        ]
    )
    # the quick start's review, word for word
    said = (
        "The design leaves open the possibility of confounds related to the baseline "
        "measurement of the primary measure before the manipulation, the lack of a baseline "
        "measurement, or the lack of a blind scorer for the primary measure."
    )
    assert denies_draft(said, d) == "controls"
    assert denies_draft("The scorer is not blind to condition.", d) == "controls"
    assert denies_draft("Participants were not randomly assigned.", d) == "controls"
    # blinding someone else, or a control the draft does not list, is a fair point
    assert denies_draft("Participants were not blinded to their condition.", d) is None
    assert denies_draft("No counterbalancing of task order.", d) is None
    assert denies_draft("Groups may differ at baseline in motivation.", d) is None
    assert denies_draft("the lack of a baseline measurement", draft_of()) is None


def test_blinding_is_denied_by_saying_who_knows_the_condition() -> None:
    d = draft_of(controls=["participants and experimenters blind to which condition is given"])
    # the final quick start of a session, word for word
    said = (
        "The experiment leaves open whether participants are aware of the condition they "
        "are in (e.g., whether they know they are receiving noradrenaline or placebo)."
    )
    assert denies_draft(said, d) == "controls"
    # blinding that may fail, or someone else who knows, is a fair point
    assert denies_draft("Participants may be aware of the condition from side effects.", d) is None
    assert denies_draft("Scorers know which condition each animal was in.", d) is None
    assert denies_draft("Participants know the task well.", d) is None


@pytest.mark.parametrize(
    ("differs", "kept"),
    [
        (  # the final quick start of a session, against Dubois et al.'s double-blind study
            "It uses a within-subject design instead of a between-subject design. It also "
            "controls for distractions instead of a control group that is not blind to the "
            "condition they are in.",
            "It uses a within-subject design instead of a between-subject design.",
        ),
        (  # a design the closest study does not have, named as its own
            "It uses drug and placebo rather than a within-subject comparison.",
            "",
        ),
        (  # what the proposal lacks is its own point
            "Unlike the closest study, it has no placebo condition.",
            "Unlike the closest study, it has no placebo condition.",
        ),
        ("The closest study was not randomised. It adds a horizon.", "It adds a horizon."),
    ],
)
def test_how_a_proposal_differs_may_not_deny_the_closest_study(differs: str, kept: str) -> None:
    from ideapump.agent.review import says_of_the_closest

    study = PaperProfile(
        doc_id="d",
        title="t",
        design=["randomized", "double-blind", "placebo-controlled", "between-subjects"],
    )
    said = len(split_sentences(differs))
    assert says_of_the_closest(differs, study) == (kept, said - len(split_sentences(kept)))


def test_a_point_the_grammar_cut_short_ends_at_its_last_whole_sentence() -> None:
    from ideapump.results import ReflectionDraft

    whole = "Confounds related to the baseline measurement may remain."
    cut = f"{whole} The lack of a baseline measurement might lead to biased results, the lack"
    cut = (cut + " of" * 200)[:300]  # the grammar stops at 300 characters
    got = ReflectionDraft(
        feasibility="f",
        confounds=[cut, "Order effects"],
        missing_controls=[],
        already_done=False,
        how_it_differs="d",
        feasibility_score=3,
        novelty_score=3,
    )
    assert got.confounds == [whole, "Order effects"]


def test_a_review_may_not_say_a_listed_time_control_is_missing() -> None:
    # a quick start's review and the control its proposal listed
    d = draft_of(
        controls=["All participants are given the same amount of time to complete the task"]
    )
    said = "The study lacks controls for the duration of the task, which could lead to bias."
    assert denies_draft(said, d) == "controls"
    assert denies_draft("The study does not control for the time of day.", d) is None
    at_noon = draft_of(controls=["every session at the same time of day"])
    assert denies_draft("The study does not control for the time of day.", at_noon) == "controls"
    assert denies_draft(said, at_noon) is None
