"""Alternatives a sentence gives as the whole choice, read against its passage's list."""

from __future__ import annotations

import pytest

from ideapump.grounding.claims import check_sentence
from ideapump.grounding.lists import omitted_alternatives

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
