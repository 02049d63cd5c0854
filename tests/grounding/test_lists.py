"""Alternatives a sentence gives as the whole choice, read against its passage's list."""

from __future__ import annotations

import pytest

from ideapump.grounding.claims import check_sentence
from ideapump.grounding.lists import cut_respectively, omitted_alternatives

# Peach et al.: three arms, said twice in two ways
ARMS = (
    "Participants were individually randomly assigned to passive control (n = 36), active "
    "control (n = 36) or intervention (n = 35) conditions."
)
TASKS = (
    "Intervention participants formed implementation intentions for achieving the healthy "
    "eating goals; participants in the active control condition completed health-related "
    "tasks; and passive control participants read health information."
)
DRUGS = (
    "In a double-blind, placebo-controlled, between-subjects study design, we assigned "
    "subjects (N=60) randomly to one of three experimental groups: amisulpride, "
    "propranolol, or placebo."
)


@pytest.mark.parametrize(
    ("sentence", "source", "left_out"),
    [
        # the 1.5B model's answer, and two like it in earlier bench runs
        (
            "Adolescents were randomised to either the active control condition or the "
            "intervention condition [3].",
            ARMS,
            ["passive control"],
        ),
        (
            "Participants were randomised to receive either an intervention or a passive "
            "control condition [3].",
            TASKS,
            ["participants in the active control condition completed ..."],
        ),
        ("Subjects were assigned to either propranolol or placebo.", DRUGS, ["amisulpride"]),
        # every arm named, one arm named without "either", or a list of other things
        (
            "Adolescents were randomised to either passive, active control or intervention.",
            ARMS,
            [],
        ),
        ("Adolescents in the intervention condition formed plans [3].", ARMS, []),
        ("Subjects were assigned to one of amisulpride, propranolol or placebo.", DRUGS, []),
        ("Participants received either noradrenaline or a placebo.", DRUGS, []),
    ],
)
def test_alternatives_given_as_the_whole_choice_name_every_one_the_passage_lists(
    sentence: str, source: str, left_out: list[str]
) -> None:
    assert omitted_alternatives(sentence, [source]) == left_out
    verdict = check_sentence(sentence, [source])
    assert any("also lists" in r for r in verdict.reasons) == bool(left_out)


THOMPSON = (
    "Overall, approximately 44% and 56% of all mailed invitations went to males and females "
    "respectively, indicating very similar recruitment rates for males (7.7%) and females "
    "(7.4%), suggesting the approach to recruitment and appeal of the invitation is equally "
    "effective at recruiting both males and females."
)


def test_one_value_of_a_respectively_list_is_not_the_list() -> None:
    # the 1.5B model, word for word, asked how many smokers responded to the invitations
    cut = (
        "44% of all mailed invitations went to males and females respectively, indicating "
        "very similar recruitment rates for males (7.7%) and females (7.4%) [2]."
    )
    assert cut_respectively(cut, [THOMPSON]) == ["56"]
    verdict = check_sentence(cut, [THOMPSON], strict=True)
    assert not verdict.ok and "without 56" in verdict.reasons[0]
    # the whole list, or another list of the sentence, is what the passage says
    whole = "44% and 56% of all mailed invitations went to males and females respectively."
    assert cut_respectively(whole, [THOMPSON]) == []
    rates = "Recruitment rates were 7.7% and 7.4% for males and females, respectively."
    assert cut_respectively(rates, [THOMPSON]) == []
