"""Claim checking and direction words: the sentences a model writes against their passages."""

from __future__ import annotations

import pytest

from ideapump.grounding.claims import (
    borrowed_words,
    check_sentence,
    check_text,
    concludes_from_before,
)
from ideapump.grounding.directions import directions
from ideapump.grounding.works import unsupported_works

ABSTRACT = (
    "In a double-blind, placebo-controlled drug study, assessing contributions of dopamine "
    "(400 mg amisulpride) and noradrenaline (40 mg propranolol), we show that value-free "
    "random exploration is attenuated under the influence of propranolol, but not under "
    "amisulpride. Subjects chose bandits with a lower expected value in the long compared to "
    "the short horizon (F(1, 56) = 19.457, p<0.001; WASI-by-horizon: F(1, 54) = 13.304, "
    "p = 0.001). The study recruited 1,445 students "
    "(58% female), of whom 1,107 completed at least one follow-up (23% attrition)."
)


@pytest.mark.parametrize(
    "sentence",
    [
        "Propranolol (40 mg) reduced value-free random exploration [1].",
        "The study recruited 1445 students, 58 percent of them female [2].",
        "Attrition was 0.23 [1].",
        "The horizon effect was F(1, 56) = 19.46, p < .001 [1].",
        "See Figure 3 and Table 2 [1].",
    ],
)
def test_supported_sentences_pass(sentence: str) -> None:
    assert check_sentence(sentence, [ABSTRACT]).ok


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("Amisulpride was given at 400 mg and propranolol at 50 mg [1].", "50"),
        ("Doses of 12.5, 25 and 50 mg/kg were used.", "12.5"),
        # every number is in the passage, but not as one test: two tests mixed
        ("The horizon effect was F(1, 54) = 19.457, p < .001 [1].", "not a test"),
        ("Propranolol increased value-free random exploration [1].", "direction"),
        ("Propranolol had no effect on value-free random exploration [1].", "direction"),
    ],
)
def test_hallucinated_numbers_tests_and_inverted_directions_fail(sentence: str, why: str) -> None:
    verdict = check_sentence(sentence, [ABSTRACT])
    assert not verdict.ok and why in " ".join(verdict.reasons)


RESULT = (
    "Participants explored more under placebo than under propranolol, t(40) = 2.923, "
    "p = .006, Cohen's d = 0.91. Ward admission was more likely after surgery (odds ratio "
    "1.8, 95% CI 1.2-2.6)."
)


@pytest.mark.parametrize(
    ("sentence", "ok"),
    [
        # the weigh summary of the 1.5B model: the t value called an effect size
        ("The effect was large, with a d of 2.923 (t(40) = 2.923) [1].", False),
        ("Placebo raised exploration relative to propranolol, r = 0.91 [1].", False),
        ("Placebo raised exploration relative to propranolol, t(40) = 2.923 [1].", True),
        ("Placebo raised exploration relative to propranolol, effect size d = 0.91 [1].", True),
        ("Ward admission was more likely after surgery, OR = 1.8 [1].", True),
    ],
)
def test_a_value_called_by_another_statistics_name_fails(sentence: str, ok: bool) -> None:
    verdict = check_sentence(sentence, [RESULT])
    assert verdict.ok is ok, verdict.reasons
    if not ok:
        assert "another statistic's name" in " ".join(verdict.reasons)


def test_strict_numbers_must_come_from_a_sentence_about_the_same_thing() -> None:
    source = (
        "The experiment consisted of 360 trials across 10 blocks. Eight observers (age range "
        "20-30 years) participated."
    )
    claim = "There were 10 sessions in the pupil study [1]."
    assert check_sentence(claim, [source]).ok  # the chunk has a 10 somewhere
    assert not check_sentence(claim, [source], strict=True).ok  # but not about sessions
    # another sentence counts the observers, so 10 of them fails either way
    observers = "There were 10 observers in the pupil experiment [1]."
    assert not check_sentence(observers, [source]).ok
    assert not check_sentence(observers, [source], strict=True).ok
    assert check_sentence(
        "Eight observers aged 20-30 years took part [1].", [source], strict=True
    ).ok


def test_strict_numbers_written_as_words_are_checked_too() -> None:
    # the chat's answer on Mendt et al.: every group size in words, the first one wrong
    source = (
        "Another participant from the RE group withdrew. All other twenty-three "
        "participants (CTR, n = 9; RE, n = 7; RVE, n = 7) completed 60 days of bed rest."
    )
    wrong = (
        "There were twenty-three participants in the bed rest study, with ten from the CTR "
        "group, seven from the RE group and seven from the RVE group [1]."
    )
    got = check_sentence(wrong, [source], strict=True)
    assert not got.ok and "ten in no cited passage" in got.reasons[0]
    right = wrong.replace("ten from", "nine from")
    assert check_sentence(right, [source], strict=True).ok
    # "one" is a word before it is a count
    assert check_sentence(
        "One of the twenty-three who completed the bed rest was in CTR [1].", [source], strict=True
    ).ok


def test_strict_directions_need_a_passage_that_states_them() -> None:
    source = "Both intervention sequences were delivered to young adults over 34 days."
    claim = "Both intervention sequences increased handwashing in young adults."
    assert check_sentence(claim, [source]).ok  # nothing contradicts it ...
    assert not check_sentence(claim, [source], strict=True).ok  # ... and nothing states it


def test_a_comparison_the_passage_makes_the_other_way_round() -> None:
    # Range et al. 2015; the 1.5B model's chat answer gave the box test to the dogs
    source = "Interestingly, wolves clearly outperformed the dogs, all wolves opening the box."
    swapped = check_sentence("Dogs opened the food box more often than wolves [1].", [source])
    assert not swapped.ok and "contradicts" in swapped.reasons[0]
    assert check_sentence("Wolves opened the box more often than dogs [1].", [source]).ok
    # a hedged "not as well as" is a direction too (the chat's answer to the same question)
    hedged = "This suggests that wolves may not open the box as well as dogs [1]."
    assert not check_sentence(hedged, [source]).ok
    said = "Placebo participants explored less than atomoxetine participants."
    claim = "Participants explored more on atomoxetine than on placebo [1]."
    assert check_sentence(claim, [said], strict=True).ok


def test_a_comparison_whose_sides_the_passage_says_the_other_way_round_fails() -> None:
    # the chat's answer in two faithfulness runs, and the sentence it cited
    said = "The motivational intervention (Mot) worked better than the self-regulatory module."
    passage = (
        "In promoting hand hygiene among young adults, the implementation of brief "
        "self-regulatory skill training appears to be promising, whereas an educational "
        "program that provides information to build motivation seems to be less effective."
    )
    verdict = check_sentence(said, [passage])
    assert not verdict.ok and "contradicts" in verdict.reasons[0]
    right = "The self-regulatory module worked better than the motivational intervention."
    assert check_sentence(right, [passage]).ok


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Propranolol reduced exploration.", {"down"}),
        ("Propranolol did not increase exploration.", {"none"}),
        ("There was no significant difference between groups.", {"none"}),
        (
            "Boosting noradrenaline decreased (rather than increased) random exploration.",
            {"down", "none"},
        ),
        ("Hand-washing rates were higher at 4 weeks.", {"up"}),
        ("More or less every subject took part.", set()),
        # one word may name what had none (Dubois et al.'s results) ...
        ("We found no drug effects on the novel bandit.", {"none"}),
        ("There were no group differences in age.", {"none"}),
        # ... but side effects are not the outcome a claim is about
        ("There were no side effects.", set()),
        # a task's framing is no change (Dubois et al.'s loss-frame bandit)
        ("Exploration was higher in the loss-frame environment.", {"up"}),
        ("Participants showed loss aversion in the gain frame.", set()),
        ("The drug caused a loss of appetite.", {"down"}),
        # a learning mechanism is no rise (Range et al.'s "local enhancement task")
        ("We tested dogs and wolves in a local enhancement task.", set()),
        ("Wolves clearly outperformed the dogs.", {"up"}),
        ("Wolves may not cooperate as well as dogs.", {"down"}),
        ("Dogs as well as wolves opened the box.", set()),
        ("Hand-raised wolves were tested.", set()),
        # no effect said in more words: the 1.5B model's answer on the bed rest study,
        # cited to a sentence that says whether exercise mitigates the delay is unknown
        ("Regular exercise did not have any effect on the circadian rhythm.", {"none"}),
        ("Exercise did not significantly affect sleep.", {"none"}),
        ("The drug was without effect on choices.", {"none"}),
        ("The drug did not have any side effects.", set()),
    ],
)
def test_direction_words(sentence: str, found: set[str]) -> None:
    assert directions(sentence) == found


def test_check_text_removes_only_failing_sentences_and_keeps_the_rest_verbatim() -> None:
    text = "Propranolol reduced\nrandom exploration. It was given at 80 mg."
    checked = check_text(text, [ABSTRACT])
    assert checked.text == "Propranolol reduced\nrandom exploration."
    assert [s for s, _ in checked.removed] == ["It was given at 80 mg."]
    assert check_text("Propranolol reduced\nrandom exploration.", [ABSTRACT]).text == (
        "Propranolol reduced\nrandom exploration."
    )


def test_a_claim_is_read_against_the_sentence_that_gives_its_number() -> None:
    # the 1.5B model, right, and removed: "without exercise" was read as a negation of
    # "delayed", and the claim compared with the sentence on the exercise groups
    source = (
        "CTR showed a phase delay of 0.69 h. In contrast, both exercise groups were "
        "characterized by a phase advance (0.45 h for RE and 0.45 h for RVE)."
    )
    claim = (
        "The circadian phase of core body temperature in the bed rest group without "
        "exercise was delayed by 0.69 hours [1]."
    )
    assert check_sentence(claim, [source], strict=True).ok
    assert check_sentence("CTR showed a phase delay of 0.69 h [2].", [source], strict=True).ok
    wrong = "The bed rest group without exercise was advanced by 0.69 hours [1]."
    assert not check_sentence(wrong, [source], strict=True).ok
    assert directions("It was performed without increasing the load.") == {"none"}


RECRUITMENT = (
    "Results: We randomized between 5.1 and 11.1% of those invited through primary care and "
    "SSS, with associated researcher time to recruit one participant varying from 18 to 157 "
    "minutes depending on time and intensity invested. Only six participants were recruited "
    "through a wide variety of other community-based approaches, with an associated "
    "researcher time of 469 minutes to recruit one participant."
)


@pytest.mark.parametrize(
    ("sentence", "ok"),
    [
        # the 1.5B model's answers: the numbers of one route given to the other
        (
            "The researcher time to recruit one smoker through community outreach was 18 to "
            "157 minutes depending on time and intensity invested [1].",
            False,
        ),
        (
            "It took 18 to 157 minutes to recruit one participant through primary care and "
            "SSS, with an associated researcher time of 469 minutes to recruit one participant.",
            False,
        ),
        ("It took 18 to 157 minutes to recruit one participant through primary care [1].", True),
        ("Recruiting one participant through community approaches took 469 minutes.", True),
    ],
)
def test_a_number_given_to_what_another_sentence_measures_fails(sentence: str, ok: bool) -> None:
    verdict = check_sentence(sentence, [RECRUITMENT], strict=True)
    assert verdict.ok is ok, verdict.reasons
    assert ok or "to what another sentence of the passage measures" in verdict.reasons[0]


def test_a_conclusion_drawn_from_a_removed_sentence_goes_with_it() -> None:
    # a final quick start's rationale was only "This suggests that noradrenaline may have a
    # significant impact ..." once the sentence before it had failed
    wrong = "Propranolol increased random exploration by 80%."
    so = "This suggests that noradrenaline shapes random exploration."
    checked = check_text(f"{wrong} {so} Amisulpride was given at 400 mg.", [ABSTRACT])
    assert checked.text == "Amisulpride was given at 400 mg."
    assert checked.removed[1] == (so, "draws on the sentence before it, which was removed")
    kept = "Propranolol reduced random exploration."
    assert check_text(f"{kept} {so}", [ABSTRACT]).text == f"{kept} {so}"
    # a sentence that only starts with "This" is read on its own
    alone = "This study recruited 1,445 students."
    assert check_text(f"{wrong} {alone}", [ABSTRACT]).text == alone
    # one that goes on from it: "The authors argue, however, that these characteristics
    # ..." was a whole chat answer once the sentence naming them had been set aside
    for goes_on in (
        "The authors argue, however, that these drugs shape random exploration.",
        "In contrast, amisulpride was given at 400 mg.",
    ):
        checked = check_text(f"{wrong} {goes_on}", [ABSTRACT])
        assert checked.text == "" and len(checked.removed) == 2, goes_on
    assert concludes_from_before("However, it is unknown whether exercise helps.")
    assert not concludes_from_before("Twenty Welsh mares were studied.")


def test_a_sentence_crediting_a_work_the_passage_does_not_name_fails() -> None:
    # What the 1.5B model wrote from Dubois' own abstract (2021).
    credited = (
        "The paper by Silvetti et al. (2018) shows that value-free random exploration is "
        "attenuated under the influence of propranolol [2]."
    )
    verdict = check_sentence(credited, [ABSTRACT], years=[2021])
    assert not verdict.ok and "Silvetti et al. (2018)" in verdict.reasons[0]
    assert check_sentence(credited, [ABSTRACT]).ok  # only checked where years are given
    own = credited.replace("The paper by Silvetti et al. (2018)", "Dubois et al. (2021)")
    assert check_sentence(own, [ABSTRACT], years=[2021]).ok  # the cited paper itself
    named = ABSTRACT + " As Silvetti et al. (2018) argued, noradrenaline matters."
    assert check_sentence(credited, [named], years=[2021]).ok  # a work the passage names
    # a date is no work
    assert unsupported_works("In 2015, and in March, 2016, students were recruited.", [], []) == []


def test_a_sentence_taking_words_from_evidence_it_does_not_cite_is_caught() -> None:
    cited = ["Oxidative stress in rats. We used a pharmacological method that induces stress."]
    others = ["Methamphetamine induces much stronger oxidative stress than cocaine."]
    question = "Which compound did the rat study use?"
    mixed = "The rat study used methamphetamine to induce oxidative stress [1]."
    assert borrowed_words(mixed, cited, others, question) == ["metha"]
    # the cited title, the question and framing words lend nothing borrowed
    fine = "The study found that the pharmacological method induces oxidative stress in rats."
    assert borrowed_words(fine, cited, others, question) == []
    # nor does an abbreviation the sentence defines, or a word no evidence has
    own = "A pharmacological method (PM) induced stress, a classic approach."
    assert borrowed_words(own, cited, [*others, "PM was given daily."], question) == []


def test_a_number_enumerating_a_list_is_a_label() -> None:
    sentence = "They tested (1) washing hands and (2) replacing snacks with fruit [1]."
    assert check_sentence(sentence, ["Participants washed hands and replaced snacks."]).ok


def test_a_change_for_what_the_passage_says_had_none_fails() -> None:
    # Dubois et al.'s abstract; asked "And amisulpride?", the 1.5B model answered with the
    # first sentence below and cited this passage
    abstract = (
        "In a double-blind, placebo-controlled drug study, assessing contributions of "
        "dopamine (400 mg amisulpride) and noradrenaline (40 mg propranolol), we show that "
        "value-free random exploration is attenuated under the influence of propranolol, "
        "but not under amisulpride."
    )
    swapped = "Value-free random exploration was attenuated under the influence of amisulpride."
    for strict in (False, True):
        verdict = check_sentence(swapped, [abstract], strict=strict)
        assert not verdict.ok and "no such effect" in verdict.reasons[0]
        # what the passage says, of either drug, passes
        for said in (
            "Value-free random exploration was attenuated under propranolol.",
            "Amisulpride had no effect on value-free random exploration.",
            "Exploration was attenuated under propranolol but not under amisulpride.",
        ):
            assert check_sentence(said, [abstract], strict=strict).ok, said
    # a source that says so too lets the change through
    also = abstract + " In the long horizon, amisulpride attenuated directed exploration."
    assert check_sentence(swapped, [also]).ok


def test_a_change_for_an_outcome_the_passage_says_did_not_move_fails() -> None:
    # Epton et al.; the 1.5B model wrote the first sentence below, citing it
    result = (
        "The intervention reduced rates of smoking at the 6-month follow-up (8.70% of "
        "participants in the intervention arm were smokers compared to 13.01% of the control "
        "arm) but did not affect fruit and vegetable intake, physical activity or alcohol "
        "consumption."
    )
    abstract = (
        "The results of the RCT indicate that the online health behaviour intervention "
        "reduced smoking rates, but it had little effect on fruit and vegetable intake."
    )
    swapped = "The online intervention reduced fruit and vegetable intake."
    for source in (result, abstract):
        verdict = check_sentence(swapped, [source], strict=True)
        assert not verdict.ok and "no such effect" in verdict.reasons[0]
        said = "The online intervention reduced smoking rates."
        assert check_sentence(said, [source], strict=True).ok
        unmoved = "The intervention did not change fruit and vegetable intake."
        assert check_sentence(unmoved, [source], strict=True).ok


def test_the_question_said_back_is_not_supported_by_a_passage_that_does_not_say_it() -> None:
    from ideapump.grounding.claims import restated_question

    question = "Does exercise during bed rest prevent the circadian phase delay?"
    # the 1.5B model's answer, and the Mendt discussion sentence it cited
    answer = "The study found that exercise during bed rest prevents the circadian phase delay [1]."
    cited = (
        "Phase delays have been also observed in horizontal bed rest studies, suggesting that "
        "immobilization rather than head-down tilt posture account for the phase shifts."
    )
    assert restated_question(answer, [cited], question) == ["exercise", "prevents", "circadian"]
    # a passage that says it, or an answer with its own words, is not the question said back
    says = "Resistance exercise during bed rest prevented the circadian phase delay."
    assert restated_question(answer, [says], question) == []
    own = "The control group showed a phase delay of 1.4 hours, the exercise groups none [1]."
    assert restated_question(own, [cited], question) == []


def test_a_study_named_by_what_its_passage_does_not_say_is_not_that_study() -> None:
    from ideapump.grounding.claims import misnamed_study

    # the 1.5B model, asked about "the atomoxetine study", citing Dubois et al.
    dubois = (
        "Human complex exploration strategies are enriched by noradrenaline-modulated "
        "heuristics. When we tested whether value-free random exploration was sensitive to "
        "neuromodulatory influences, we found a difference in how often drug groups sampled"
    )
    said = "The atomoxetine study found that random exploration was sensitive to drugs [4]."
    assert misnamed_study(said, [dubois]) == ["atomoxetine"]
    # named by what it is about, or by which study it is: nothing to check
    assert misnamed_study("The noradrenaline study found a difference.", [dubois]) == []
    assert misnamed_study("The present study found a difference.", [dubois]) == []
    assert misnamed_study("The study found a difference.", [dubois]) == []
