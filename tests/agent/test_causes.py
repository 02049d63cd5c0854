"""What a hypothesis says acts, and whether a proposal's conditions vary it: no model."""

from __future__ import annotations

import pytest

from ideapump.agent.causes import asked_cause, asked_head, cause, untested_cause
from tests.agent.fakes import draft_of

NORADRENALINE = "Noradrenaline increases value-free random exploration."
# Dubois et al., p. 2: the one sentence of the corpus that names both
LINK = (
    "In human pharmacological studies, interpreting the specific function of noradrenaline "
    "on exploration strategies is problematic as many drugs, such as atomoxetine (e.g. "
    "Warren et al., 2017), impact multiple systems."
)
UNRELATED = (
    "Our results provide evidence that value-free random exploration is particularly "
    "sensitive to noradrenergic modulation, with no effect of amisulpride."
)


@pytest.mark.parametrize(
    ("hypothesis", "acting"),
    [
        ("Boosting noradrenaline increases novelty exploration.", "Boosting noradrenaline"),
        (
            "Noradrenaline administration affects exploration strategies.",
            "Noradrenaline administration",
        ),
        (
            "Higher levels of noradrenaline will lead to more exploration.",
            "Higher levels of noradrenaline",
        ),
        ("The effect of noradrenaline on exploration is larger in long horizons.", "noradrenaline"),
        ("Amisulpride has no effect on exploration.", "Amisulpride"),
        ("Exercising in the morning leads to a smaller phase delay.", "Exercising in the morning"),
        # the outcome first, what acts after the verb
        ("Random exploration increases under noradrenaline.", "noradrenaline"),
        ("Exploration is reduced by propranolol in long horizons.", "propranolol"),
        # names no effect: nothing to vary
        ("Ear position can be used as a welfare marker in horses.", None),
    ],
)
def test_what_a_hypothesis_says_acts(hypothesis: str, acting: str | None) -> None:
    assert cause(hypothesis) == acting


def test_conditions_that_vary_something_else_do_not_test_the_hypothesis() -> None:
    # the final quick start of a session, word for word in its conditions
    loss = draft_of(
        hypothesis=NORADRENALINE,
        conditions=["Exposure to loss", "Exposure to placebo"],
    )
    fault = untested_cause(loss, [UNRELATED, LINK])["conditions"]
    assert "'Noradrenaline' has the effect" in fault and "'Exposure to loss'" in fault
    # the drug itself varied: tested
    named = loss.model_copy(update={"conditions": ["noradrenaline infusion", "saline"]})
    assert untested_cause(named, [UNRELATED]) == {}


def test_a_condition_the_passages_link_to_the_cause_tests_it() -> None:
    atomoxetine = draft_of(hypothesis=NORADRENALINE, conditions=["atomoxetine", "placebo"])
    # a passage the model was shown names atomoxetine beside noradrenaline
    assert untested_cause(atomoxetine, [UNRELATED, LINK]) == {}
    # none does: the library does not say atomoxetine acts on noradrenaline
    assert "'atomoxetine'" in untested_cause(atomoxetine, [UNRELATED])["conditions"]


def test_no_rule_where_the_hypothesis_names_no_cause_or_a_condition() -> None:
    ears = draft_of(
        hypothesis="Ear position can be used as a welfare marker in horses.",
        conditions=["positive context", "negative context"],
    )
    assert untested_cause(ears, []) == {}
    # the outcome first: "exploration increases under noradrenaline" names the condition
    inverted = draft_of(
        hypothesis="Random exploration increases under noradrenaline.",
        conditions=["noradrenaline", "placebo"],
    )
    assert untested_cause(inverted, []) == {}
    # only a comparison arm beside a generic one: the other rules speak for it
    generic = draft_of(hypothesis=NORADRENALINE, conditions=["treatment", "placebo"])
    assert untested_cause(generic, []) == {}


def test_a_condition_named_in_the_hypothesis_but_not_its_cause_does_not_test_it() -> None:
    # a bench draft: the drug in the hypothesis, a loss frame and a control varied
    frame = draft_of(
        hypothesis="Noradrenaline increases exploration in loss-frame environments compared "
        "to control conditions.",
        conditions=["loss-frame environment", "control condition"],
        primary_measure="Exploration strategies",
    )
    assert "'loss-frame environment'" in untested_cause(frame, [UNRELATED])["conditions"]


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("how does noradrenaline shape exploration?", "noradrenaline"),
        ("What is the effect of caffeine on sleep?", "caffeine"),
        ("does exercise during bed rest protect the circadian rhythm?", "exercise during bed rest"),
        ("Is exploration reduced by propranolol?", "propranolol"),
        ("Does loss framing change risk taking?", "loss framing"),
        # capitalised only because it opens the question; a name inside it stays
        ("Noradrenaline increases random exploration?", "noradrenaline"),
        ("Does Ritalin improve attention?", "Ritalin"),
        # a goal, a population or a topic: nothing the question says acts
        ("how could we reduce smoking in students?", None),
        ("Do smokers respond to text messages?", None),
        ("noradrenaline and exploration", None),
        ("What should we test next on exploration?", None),
    ],
)
def test_what_a_question_asks_the_effect_of(question: str, asked: str | None) -> None:
    assert asked_cause(question) == asked


def test_what_a_question_asks_about_without_its_setting() -> None:
    assert asked_head("does exercise during bed rest protect the circadian rhythm?") == "exercise"
    assert asked_head("how does noradrenaline shape exploration?") == "noradrenaline"
    assert asked_head("how could we reduce smoking in students?") == ""
    # the faithfulness bench's answer went on "On Were wolves, the library reports: ..."
    assert asked_head("Were wolves less attentive to their social partners than dogs?") == (
        "wolves"
    )
