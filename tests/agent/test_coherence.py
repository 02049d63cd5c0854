"""Design rules for proposals and the facts a critique may not deny: no model."""

from __future__ import annotations

import pytest

from ideapump.agent.coherence import (
    check_proposal,
    controls_of,
    failing_as_no_difference,
    if_it_fails,
    proposal_faults,
    proposal_problems,
    same_experiment,
)
from ideapump.agent.design import (
    DESIGN_MENU,
    conditions_not_groups,
    manipulations,
    repaired_design,
    within_subject,
)
from ideapump.grounding.citations import finding_quote
from tests.agent.fakes import draft_of
from tests.conftest import make_passage


@pytest.mark.parametrize(
    "conditions",
    [
        ["Win model", "Second place model", "Third place model"],  # a paper's model names
        ["Group 1", "Group 2"],
        ["M", "N"],
        ["placebo", "Placebo"],  # one condition twice
    ],
)
def test_conditions_that_are_no_manipulations(conditions: list[str]) -> None:
    assert len(manipulations(conditions)) < 2
    assert any("conditions" in p for p in proposal_problems(draft_of(conditions=conditions)))


def test_conditions_must_name_what_is_manipulated() -> None:
    # the 1.5B model's conditions for a noradrenaline study: which arm, not what it gets
    generic = proposal_problems(draft_of(conditions=["control", "treatment"]))
    assert any("only 'control' and 'treatment'" in p for p in generic)
    assert proposal_problems(draft_of(conditions=["atomoxetine", "control group"])) == []


def test_a_condition_that_leaves_something_out_needs_one_that_gives_it() -> None:
    # the quick start's draft: its hypothesis's drug arm was missing
    faults = proposal_faults(
        draft_of(
            hypothesis="Noradrenaline administration enhances value-free random exploration.",
            conditions=["No noradrenaline administration", "Exploration heuristics"],
            expected_if_true="More exploration with exploration heuristics.",
            expected_if_false="No difference with exploration heuristics.",
        )
    )
    assert "'No noradrenaline administration' is compared with no condition" in faults.get(
        "conditions", ""
    )
    kept = draft_of(conditions=["atomoxetine", "no atomoxetine"])
    assert "conditions" not in proposal_faults(kept)


def test_a_coherent_design_and_its_other_rules() -> None:
    assert proposal_problems(draft_of()) == []
    assert proposal_problems(draft_of(controls=["No Treatment Group"])) == []
    problems = proposal_problems(draft_of(controls=["placebo"], primary_measure=""))
    assert any("controls" in p for p in problems) and any("primary_measure" in p for p in problems)


@pytest.mark.parametrize(
    "controls",
    [
        ["none"],
        ["None."],
        ["N/A"],
        ["no control"],
        ["-"],
        ["No other manipulations", "No additional stimuli"],  # bench/propose_drafts.py
    ],
)
def test_a_control_that_says_there_is_none_is_no_control(controls: list[str]) -> None:
    # the 1.5B model's proposal in bench/llm_path.py: controls ["none"]
    assert any("controls" in p for p in proposal_problems(draft_of(controls=controls)))
    assert proposal_problems(draft_of(controls=[*controls, "matched placebo pill"])) == []


@pytest.mark.parametrize(
    "controls",
    [
        ["control group"],
        ["All participants"],
        ["the control condition"],
        ["No condition"],
        ["Random"],
    ],
)
def test_a_control_that_names_nothing_is_no_control(controls: list[str]) -> None:
    # the 1.5B model's controls in bench/llm_path.py proposals
    assert any("controls" in p for p in proposal_problems(draft_of(controls=controls)))
    for named in ("healthy controls", "a placebo control group", "baseline session"):
        assert proposal_problems(draft_of(controls=[*controls, named])) == []


def test_a_control_of_all_other_factors_is_no_control() -> None:
    # the only control of the README quick start's proposal at 3483da3
    vague = [
        "All other factors that could influence exploration strategies (e.g., drug dosage, "
        "task complexity, participant age)"
    ]
    assert any("controls" in p for p in proposal_problems(draft_of(controls=vague)))
    assert proposal_problems(draft_of(controls=["the same drug dosage for all participants"])) == []


def test_a_control_that_gives_everyone_the_same_treatment_is_no_control() -> None:
    # a bench draft of this session: noradrenaline against placebo, and this its only control
    same = ["All participants receive the same treatment"]
    assert any("controls" in p for p in proposal_problems(draft_of(controls=same)))
    for held in (
        "All participants receive the same amount of the drug or placebo",
        "all participants receive the same dose",
    ):
        assert proposal_problems(draft_of(controls=[held])) == []


def test_within_subject_only_when_the_design_says_so_and_nothing_else() -> None:
    assert within_subject("Crossover: each participant receives both drug and placebo.")
    assert not within_subject("Between-subjects, drug vs placebo.")
    # what the 1.5B model wrote: 'within-subject', then two randomly assigned groups
    assert not within_subject(
        "A within-subject study where participants are randomly assigned to either a placebo "
        "group or a drug group."
    )


def test_a_quote_that_is_the_title_page_run_on_gives_way_to_a_finding() -> None:
    title = "Regular exercise counteracts circadian shifts in core body temperature"
    text = (
        f"{title} during long-duration bed rest\nStefan Mendt, Hanns Gunga\n"
        "CTR showed a phase delay of 0.69 h. In contrast, both exercise groups were "
        "characterized by a phase advance of 0.45 h."
    )
    passage = make_passage(text, doc_id="d", title=title, score=1.0, chunk_id="d:1")
    shown = finding_quote(passage, f"{title} during long-duration bed rest", "exercise phase")
    assert shown is not None and shown.startswith("In contrast, both exercise groups")


def test_a_sentence_tail_of_references_is_no_citation() -> None:
    # What the offline model cited from Dubois: the chunk opens mid-sentence.
    text = (
        "that subjects could deploy (Jepma and Nieuwenhuis, 2011). Atomoxetine reduced "
        "value-free random exploration compared with placebo in the novelty task."
    )
    passage = make_passage(text, doc_id="d", title="Exploration", score=1.0, chunk_id="d:2")
    shown = finding_quote(passage, "that subjects could deploy (Jepma and Nieuwenhuis, 2011).")
    assert shown is not None and shown.startswith("Atomoxetine reduced value-free")
    # a passage with nothing but such a tail is not cited at all
    tail = make_passage(text.split(". ")[0] + ".", doc_id="d", title="E", score=1.0, chunk_id="d:3")
    assert finding_quote(tail, "that subjects could deploy (Jepma and Nieuwenhuis, 2011).") is None


def test_a_design_emptied_by_the_claim_check_is_sent_back() -> None:
    # the claim check removed the design's only sentence (a dose no passage gave)
    problems = proposal_faults(draft_of(design=""))
    assert set(problems) == {"design"} and "within-subject" in problems["design"]


def test_a_design_silent_on_who_does_which_condition_is_sent_back() -> None:
    # a kept draft of the quick start's question (bench/propose_drafts.py), word for word;
    # the power analysis would have assumed two groups without saying so
    silent = (
        "We will measure value-free random exploration using a primary measure of this "
        "behavior, such as the number of times participants explore without any specific goal."
    )
    faults = proposal_faults(draft_of(design=silent))
    assert set(faults) == {"design"} and "between-subjects" in faults["design"]
    for says in (*DESIGN_MENU, "A parallel-group trial of atomoxetine against placebo."):
        assert proposal_faults(draft_of(design=says)) == {}


def test_a_design_must_say_one_thing_about_who_does_which_condition() -> None:
    # the quick start's proposal (1.5B model), word for word
    mixed = (
        "We will conduct a within-subject experiment with participants who are randomly "
        "assigned to receive either a placebo or a single dose of noradrenaline."
    )
    faults = proposal_faults(draft_of(design=mixed))
    assert set(faults) == {"design"} and "say only one" in faults["design"]
    # a bed rest draft (this session), word for word
    both = (
        "Between-subjects design, with participants doing both regular exercise and light "
        "exercise for 60 days."
    )
    assert "say only one" in proposal_faults(draft_of(design=both))["design"]
    # randomising the order of conditions is within-subject, and no fault
    ordered = (
        "Within-subject crossover: participants are randomly assigned to one of two orders "
        "of the conditions."
    )
    assert within_subject(ordered)
    assert proposal_faults(draft_of(design=ordered, controls=["washout week"])) == {}


def test_a_group_of_other_people_is_no_control_within_subject() -> None:
    # the final quick start's within-subject proposal: "Controls: No Treatment Group"
    within = "Within-subject: every participant does every condition, in counterbalanced order."
    faults = proposal_faults(draft_of(design=within, controls=["No Treatment Group"]))
    assert "'No Treatment Group' gives each participant one condition" in faults["controls"]
    between = "Between-subjects: each participant is randomly assigned to one condition."
    assert proposal_faults(draft_of(design=between, controls=["No Treatment Group"])) == {}


def test_a_within_subject_design_compares_conditions_not_groups() -> None:
    within = "Within-subject: each participant receives both atomoxetine and placebo."
    faulty = "More novel choices than those in the placebo group."
    faults = proposal_faults(
        draft_of(
            design=within,
            expected_if_true=faulty,
            expected_if_false="No difference between the atomoxetine and placebo conditions.",
        )
    )
    assert set(faults) == {"expected_if_true", "design"}
    assert "the placebo group'" in faults["expected_if_true"]
    # the words are changed instead of asking again (see conditions_not_groups)
    fixed = conditions_not_groups(draft_of(design=within, expected_if_true=faulty))
    assert fixed.expected_if_true == "More novel choices than in the placebo condition."
    sentence = "Participants in the atomoxetine group explore as much as the placebo group."
    assert conditions_not_groups(
        draft_of(design=within, expected_if_false=sentence)
    ).expected_if_false == (
        "Participants in the atomoxetine condition explore as much as the placebo condition."
    )
    # the quick start's proposal: a condition of two words, named as a group
    quick = draft_of(
        design=within,
        conditions=["noradrenaline administration group", "placebo group"],
        expected_if_true="Participants in the noradrenaline administration group will show "
        "more randomness than a placebo group.",
    )
    fixed = conditions_not_groups(quick)
    assert fixed.expected_if_true == (
        "Participants in the noradrenaline administration condition will show more "
        "randomness than a placebo condition."
    )
    assert fixed.conditions == ["noradrenaline administration", "placebo"]
    # the design's and the risks' words too (the quick start, after a design chosen from
    # the menu kept the draft's other design sentences)
    menu_within = (
        f"{DESIGN_MENU[0]} In the placebo group, participants will receive a standard task."
    )
    risk = "Participants in the placebo group may tire."
    fixed = conditions_not_groups(draft_of(design=menu_within, risks=[risk]))
    assert fixed.design == (
        f"{DESIGN_MENU[0]} In the placebo condition, participants will receive a standard task."
    )
    assert fixed.risks == ["Participants in the placebo condition may tire."]
    # between subjects, groups are what is compared
    between = "Between-subjects: participants are randomised to atomoxetine or placebo."
    assert proposal_faults(draft_of(design=between, expected_if_true="the placebo group")) == {}
    kept = conditions_not_groups(draft_of(design=between, expected_if_true=faulty))
    assert kept.expected_if_true == faulty


def test_a_group_named_for_its_role_is_its_condition_within_subject() -> None:
    # the quick start's proposal after its design was chosen from the menu
    quick = draft_of(
        design=f"{DESIGN_MENU[0]} We will compare it to the control group.",
        conditions=["Noradrenaline", "Placebo"],
        expected_if_true="More exploration in the experimental group than in the control group.",
    )
    fixed = conditions_not_groups(quick)
    assert fixed.design == f"{DESIGN_MENU[0]} We will compare it to the placebo condition."
    assert fixed.expected_if_true == (
        "More exploration in the noradrenaline condition than in the placebo condition."
    )
    # two active conditions: "the experimental group" names neither, and stays
    doses = draft_of(
        design=DESIGN_MENU[0],
        conditions=["high dose", "low dose", "placebo"],
        expected_if_true="More exploration in the experimental group.",
    )
    assert conditions_not_groups(doses).expected_if_true == doses.expected_if_true
    # between subjects the control group is a group
    between = quick.model_copy(update={"design": DESIGN_MENU[1] + " Compare to the control group."})
    assert conditions_not_groups(between).design == between.design


def test_a_control_that_restates_the_comparison_condition_is_no_control() -> None:
    # the quick start's proposal: its only control was the placebo condition, reworded
    restated = "Standard loss frame task without noradrenaline"
    faults = proposal_faults(draft_of(conditions=["noradrenaline", "placebo"], controls=[restated]))
    assert f"{restated!r} is a condition, not a control" in faults["controls"]
    # beside it, a control that is one passes
    two = [restated, "random allocation of participants to conditions"]
    noradrenaline = draft_of(
        conditions=["noradrenaline", "placebo"],
        controls=two,
        expected_if_true="More novel choices on noradrenaline.",
    )
    assert proposal_faults(noradrenaline) == {}
    # a session without any drug is a control of a drug-vs-placebo design
    baseline = ["a baseline session without any drug"]
    assert proposal_faults(draft_of(controls=baseline)) == {}
    # a comparison condition said "without": a proposal read with the model, whose only
    # control was "No exercise"
    rest = ["HDBR without exercise", "HDBR with regular resistive exercise"]
    faults = proposal_faults(draft_of(conditions=rest, controls=["No exercise"]))
    assert "'No exercise' is a condition, not a control" in faults["controls"]
    # a condition under a label: a drafts bench run's only control
    labelled = draft_of(
        conditions=["Drug: low dose of noradrenaline", "placebo"], controls=["Drug: placebo"]
    )
    assert "'Drug: placebo' is a condition, not a control" in proposal_faults(labelled)["controls"]
    # with no comparison condition, "without noradrenaline" adds one, and is a control
    doses = ["high dose of noradrenaline", "low dose of noradrenaline"]
    no_drug = ["a session without noradrenaline"]
    more = "More novel choices on the high dose of noradrenaline."
    assert (
        proposal_faults(draft_of(conditions=doses, controls=no_drug, expected_if_true=more)) == {}
    )


def test_a_control_that_names_what_is_measured_is_no_control() -> None:
    # a kept draft (bench/propose_drafts.py): its controls beside its primary measure
    measured = ["strategic exploration", "value-free random exploration"]
    d = draft_of(
        hypothesis="Noradrenaline enhances value-free random exploration.",
        primary_measure="exploration strategies",
        controls=measured,
    )
    fault = proposal_faults(d)["controls"]
    assert "'strategic exploration' is what is measured, not a control" in fault
    # beside a control that is one, the draft passes and only that one is shown
    d = d.model_copy(update={"controls": [*measured, "loss-frame environment"]})
    assert proposal_faults(d) == {} and controls_of(d) == ["loss-frame environment"]
    # a baseline of the measure is a control
    baseline = "a baseline measurement of the primary measure before the manipulation"
    assert controls_of(d.model_copy(update={"controls": [baseline]})) == [baseline]


def test_expected_results_must_tell_the_two_outcomes_apart() -> None:
    # the quick start's proposal: both expected results were this sentence
    same = (
        "Participants will show a more balanced exploration strategy between value-free "
        "random and directed, with no significant differences between the two conditions."
    )
    faults = proposal_faults(draft_of(expected_if_true=same, expected_if_false=same))
    assert set(faults) == {"expected_if_false"}
    assert "says what expected_if_true says" in faults["expected_if_false"]
    # a word is no expected result (a sixth session's draft)
    assert set(proposal_faults(draft_of(expected_if_true="Yes"))) == {"expected_if_true"}
    # the final quick start of that session: a condition the design does not have
    elsewhere = draft_of(
        conditions=["amisulpride", "placebo"],
        expected_if_true="Subjects will perform better with noradrenaline than those without.",
        expected_if_false="Subjects on amisulpride will perform as those on placebo.",
    )
    fault = proposal_faults(elsewhere)
    assert set(fault) == {"expected_if_true"}
    assert "which of the conditions (amisulpride, placebo)" in fault["expected_if_true"]
    # "no difference" if an effect is hypothesised, unless the hypothesis is of none
    null = "Atomoxetine and placebo will not differ in novel-option choices."
    faults = proposal_faults(
        draft_of(hypothesis="Atomoxetine increases novel-option choices.", expected_if_true=null)
    )
    assert set(faults) == {"expected_if_true"}
    no_effect = draft_of(
        hypothesis="Atomoxetine has no effect on novel-option choices.",
        expected_if_true=null,
        expected_if_false="More novel choices on atomoxetine.",
    )
    assert proposal_faults(no_effect) == {}
    # the same effect with its sides swapped: "fewer on placebo than on atomoxetine"
    swapped = draft_of(
        expected_if_true="More novel choices on atomoxetine than on placebo.",
        expected_if_false="Fewer novel choices on placebo than on atomoxetine.",
    )
    faults = proposal_faults(swapped)
    assert set(faults) == {"expected_if_false"}
    assert "the same difference" in faults["expected_if_false"]
    # "less than or equal to": no difference would confirm the hypothesis (a bed rest draft)
    or_equal = draft_of(
        expected_if_true="Novel choices on atomoxetine at least as high as on placebo."
    )
    assert "allows no difference" in proposal_faults(or_equal)["expected_if_true"]


def test_a_failure_read_with_the_measures_name_and_the_words_that_tell_conditions_apart() -> None:
    from ideapump.agent.coherence import if_it_fails

    # a bed rest draft (1.5B model), word for word: "delay" is the measure, not a decrease,
    # and "exercise" names both conditions
    bed_rest = draft_of(
        conditions=["regular exercise", "no exercise"],
        primary_measure="circadian phase delay",
        expected_if_true="The circadian phase delay observed in the regular exercise group "
        "should be less than the circadian phase delay observed in the no exercise group.",
        expected_if_false="The circadian phase delay observed in the regular exercise group "
        "should be greater than the circadian phase delay observed in the no exercise group.",
    )
    assert if_it_fails(bed_rest).startswith(
        "No difference in circadian phase delay between regular exercise and no exercise, "
        "or the reverse: The circadian phase delay"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("More novel choices on atomoxetine than on placebo.", "up"),
        ("Fewer novel choices on placebo than on atomoxetine.", "up"),
        # the quick start's "If it fails", word for word, with the drug renamed
        (
            "We expect that participants in the placebo condition will exhibit more "
            "value-free random exploration compared to participants in the atomoxetine "
            "condition.",
            "down",
        ),
        ("Compared with placebo, atomoxetine will lower exploration.", "down"),
        ("Atomoxetine will lower exploration.", "down"),  # one side named
        ("More exploration than on placebo.", "up"),
        ("Novel choices on atomoxetine and placebo will not differ.", None),
    ],
)
def test_which_condition_is_higher_is_read_with_its_sides(text: str, said: str | None) -> None:
    from ideapump.grounding.directions import first_against_second

    assert first_against_second(text, {"atomoxetine"}, {"placebo"}) == said


def test_a_direction_word_in_a_conditions_name_says_which_side_not_which_way() -> None:
    from ideapump.grounding.directions import first_against_second

    # a drafts bench run's "If it fails", beside "Placebo" and "Higher Dose of Noradrenaline"
    fails = (
        "Participants will make fewer choices during the decision-making task when exposed "
        "to the higher dose of noradrenaline compared to the placebo."
    )
    higher = {"higher", "dose", "noradrenaline"}
    assert first_against_second(fails, higher, {"placebo"}) == "down"
    draft = draft_of(
        conditions=["Placebo", "Higher Dose of Noradrenaline"],
        primary_measure="Number of choices made during the task",
        expected_if_true=fails.replace("fewer", "more"),
        expected_if_false=fails,
    )
    assert if_it_fails(draft).startswith("No difference in number of choices made during the task")


def test_a_condition_that_says_the_design_again_is_no_condition() -> None:
    # a kept draft (bench/propose_drafts.py), its two conditions word for word
    design_said = [
        "Participants receive either noradrenaline or a placebo.",
        "Participants are randomly assigned to one of the two conditions.",
    ]
    assert manipulations(design_said) == []
    assert "not 'either X or Y'" in proposal_faults(draft_of(conditions=design_said))["conditions"]
    assert manipulations(["noradrenaline", "placebo"]) == ["noradrenaline", "placebo"]


def test_a_condition_that_names_the_predicted_outcome_is_a_measure() -> None:
    # a kept quick-start draft (bench/propose_drafts.py), its fields word for word
    hypothesis = "Noradrenaline administration enhances value-free random exploration strategies."
    measures = ["Exploration heuristics condition", "Value-free random exploration condition"]
    faults = proposal_faults(draft_of(hypothesis=hypothesis, conditions=measures))
    assert (
        "'Value-free random exploration condition' is what the hypothesis predicts"
        in (faults["conditions"])
    )
    assert manipulations(measures) == measures  # without the hypothesis, nothing to tell
    # the outcome follows the predicted change, not a setting named with a direction word
    # (a sixth session's drafts: "loss" read as the direction, so nothing was a measure)
    for setting in ("in a loss-frame environment", "in loss frame environments"):
        in_frames = f"Noradrenaline modulates exploration {setting}, enhancing random exploration."
        assert manipulations(["random exploration", "placebo"], in_frames) == ["placebo"]
    # conditions the outcome is measured in, or stimuli it is measured on, stay
    horizons = draft_of(
        hypothesis="Atomoxetine increases exploration in long horizons.",
        conditions=["long horizon", "short horizon"],
        expected_if_true="More novel choices in the long horizon.",
        expected_if_false="As many novel choices in the long horizon as in the short one.",
    )
    assert proposal_faults(horizons) == {}
    faces = draft_of(
        hypothesis="Noradrenaline increases attention to fearful faces.",
        conditions=["fearful faces", "neutral faces"],
        primary_measure="looking time at the faces",
        expected_if_true="Longer looks at fearful faces.",
        expected_if_false="Looks as long at fearful faces as at neutral faces.",
    )
    assert proposal_faults(faces) == {}


def test_a_between_subjects_design_has_no_order_to_counterbalance() -> None:
    between = "Between-subjects: participants are randomised to atomoxetine or placebo."
    controls = ["the order of conditions counterbalanced across participants", "matched pill"]
    faults = proposal_faults(draft_of(design=between, controls=controls))
    assert set(faults) == {"controls"} and "order of conditions" in faults["controls"]
    assert proposal_faults(draft_of(design=between, controls=["matched pill"])) == {}
    # groups described in words are between-subjects too (bench/propose_drafts.py)
    two_groups = "Two groups: one group will receive a placebo, the other atomoxetine."
    assert "controls" in proposal_faults(draft_of(design=two_groups, controls=controls))
    # the final quick start of a later session: its only control, between subjects
    same = ["Same participants in both groups", "matched pill"]
    faults = proposal_faults(draft_of(design=between, controls=same))
    assert set(faults) == {"controls"} and "Same participants" in faults["controls"]
    within = "Within-subject: every participant does every condition, in counterbalanced order."
    assert proposal_faults(draft_of(design=within, controls=same)) == {}


def test_a_within_subject_design_allocates_no_one_to_a_condition() -> None:
    # the menu of a design that said both, kept after the design became within-subject
    within = "Within-subject: every participant does every condition, in counterbalanced order."
    allocation = ["random allocation of participants to conditions", "matched pill"]
    faults = proposal_faults(draft_of(design=within, controls=allocation))
    assert set(faults) == {"controls"} and "random allocation" in faults["controls"]
    assert proposal_faults(draft_of(design=within, controls=["random allocation to orders"])) == {}
    # the quick start's control in its within-subject design
    either = ["all participants are randomly assigned to either group"]
    assert "controls" in proposal_faults(draft_of(design=within, controls=either))


def test_a_repaired_design_keeps_what_says_nothing_about_who_does_what() -> None:
    old = (
        "We will conduct a within-subject experiment with participants who are randomly "
        "assigned to receive either a placebo or noradrenaline. The primary measure will be "
        "the number of random explorations."
    )
    new = repaired_design(DESIGN_MENU[0], old)
    assert new == f"{DESIGN_MENU[0]} The primary measure will be the number of random explorations."
    assert within_subject(new) and proposal_faults(draft_of(design=new, controls=["washout"])) == {}
    assert not within_subject(repaired_design(DESIGN_MENU[1], old))


def test_each_subject_given_one_of_two_conditions_is_between_subjects() -> None:
    # a final quick start kept this sentence after the design was chosen from the menu
    either = "Each rat is exposed to either a placebo or noradrenaline for a fixed duration."
    old = f"{DESIGN_MENU[0]} {either} The primary measure is the number of trials."
    assert not within_subject(old)
    assert "design" in proposal_faults(draft_of(design=old))
    assert repaired_design(DESIGN_MENU[0], old) == (
        f"{DESIGN_MENU[0]} The primary measure is the number of trials."
    )
    per_session = "Each rat is given either a placebo or noradrenaline on each of two days."
    assert within_subject(f"{DESIGN_MENU[0]} {per_session}")


def test_the_same_experiment_drafted_twice() -> None:
    # two of the three candidates of one `propose -n 3` (1.5B model), both shown
    title = "Effect of Noradrenaline on Exploration Strategies in Adult Rats"
    first = draft_of(
        title=title,
        conditions=[
            "Control group: rats administered with a placebo",
            "Experimental group: rats administered with noradrenaline",
        ],
        primary_measure="Behavioral flexibility and motivation",
    )
    again = draft_of(
        title=title,
        conditions=[
            "Treatment group: Adult rats receive noradrenaline administration.",
            "Control group: Adult rats receive no treatment.",
        ],
        primary_measure="Exploration strategies, specifically the proportion of time exploring",
    )
    assert same_experiment(first, again) and same_experiment(again, first)
    # drug against placebo is not a dose comparison, though both give noradrenaline
    doses = draft_of(conditions=["high dose of noradrenaline", "low dose of noradrenaline"])
    assert not same_experiment(draft_of(conditions=["noradrenaline", "placebo"]), doses)
    # the same drug, another outcome and title: a different experiment
    other = draft_of(title="Sleep", primary_measure="sleep latency")
    assert not same_experiment(draft_of(title="Choices"), other)
    assert same_experiment(draft_of(title="Choices"), draft_of(title="Novel choices"))


def test_an_expected_result_says_what_the_experiment_will_show_not_what_is_known() -> None:
    # the quick start's proposal (1.5B model): a claim about the literature that no
    # passage makes, which the claim check let through (it states no number)
    known = "Amisulpride is known to affect exploration strategies in rats."
    will = "Participants on atomoxetine will choose the novel option more often."
    source = "Atomoxetine increased novel-option choices in the long horizon."
    draft = draft_of(expected_if_true=f"{will} {known}")
    checked, removed = check_proposal(draft, [source])
    assert checked.expected_if_true == will and removed == 1
    # a field left with nothing to say is sent back, not shown empty
    emptied, _ = check_proposal(draft_of(expected_if_true=known), [source])
    faults = proposal_faults(emptied)
    assert set(faults) == {"expected_if_true"} and "will show" in faults["expected_if_true"]


def test_an_expected_result_is_about_the_experiment_not_the_passages() -> None:
    # the final quick start of a later session: both expected results, one word apart
    states = (
        "by the passage, which states that value-free random exploration is particularly "
        "sensitive to noradrenergic modulation."
    )
    draft = draft_of(
        expected_if_true=f"The hypothesis is supported {states}",
        expected_if_false=f"The hypothesis is refuted {states}",
    )
    faults = proposal_faults(draft)
    assert set(faults) == {"expected_if_true", "expected_if_false"}
    assert "speaks of the passages" in faults["expected_if_true"]
    cited = draft_of(expected_if_true="As the cited study found, atomoxetine raises exploration.")
    assert proposal_faults(cited) == {}  # names no passage and is not "supported by" it
    prior = draft_of(expected_if_false="The effect is refuted by previous studies of placebo.")
    assert set(proposal_faults(prior)) == {"expected_if_false"}
    # what the conditions will show is the point, whatever word opens it
    shown = draft_of(
        expected_if_true="The hypothesis is supported by more novel choices on atomoxetine."
    )
    assert proposal_faults(shown) == {}


def test_a_condition_its_citation_says_did_nothing_is_not_varied_for_another_hypothesis() -> None:
    from ideapump.agent.coherence import null_conditions

    # the quick start's final draft of a sixth session, and the Dubois sentence it cited
    cited = [
        "Our results provide evidence that value-free random exploration is particularly "
        "sensitive to noradrenergic modulation, with no effect of amisulpride."
    ]
    amisulpride = draft_of(
        hypothesis="Noradrenaline modulates exploration strategies in a learning task.",
        conditions=["Placebo", "Amisulpride"],
        expected_if_true="Fewer trials under the amisulpride condition than under placebo.",
    )
    fault = null_conditions(amisulpride, cited)
    assert "reports no effect of Amisulpride" in fault["conditions"]
    # what to vary instead, named: told "vary what the hypothesis names", a quick start's
    # next draft varied a loss frame
    assert "vary 'Noradrenaline', what the hypothesis names" in fault["conditions"]
    # a hypothesis about amisulpride itself may vary it; other drugs are not touched
    about_it = amisulpride.model_copy(
        update={"hypothesis": "Amisulpride leaves exploration as it is."}
    )
    assert null_conditions(about_it, cited) == {}
    assert null_conditions(draft_of(conditions=["noradrenaline", "placebo"]), cited) == {}
    # told so, the model wrote its hypothesis about amisulpride (this session's final
    # quick start): for a question about noradrenaline that is the same fault
    question = "how does noradrenaline shape exploration?"
    effect = amisulpride.model_copy(
        update={"hypothesis": "Amisulpride affects exploration strategies."}
    )
    faults = null_conditions(effect, cited, question)
    assert set(faults) == {"hypothesis", "conditions"}
    assert "question is not about it" in faults["hypothesis"]
    assert null_conditions(effect, cited, "does amisulpride change exploration?") == {}
    # a hypothesis of no effect, as the passage found, may stand
    none = amisulpride.model_copy(
        update={"hypothesis": "Amisulpride has no effect on exploration."}
    )
    assert null_conditions(none, cited, question) == {}


def test_a_rationale_may_not_credit_the_passages_with_the_hypothesis() -> None:
    # a proposal drafted from a researcher's idea (1.5B model), citing an ethogram
    source = (
        "The behaviours and body positions observed were previously defined by an ethogram "
        "based on bibliographical knowledge of horse behaviour in positive and negative contexts."
    )
    credited = (
        "The passage discusses the use of ear position as a welfare marker in horses when "
        "they are experiencing positive emotional anticipation."
    )
    found = "Body positions of horses were coded in positive and negative contexts."
    draft = draft_of(
        hypothesis="Ear position can be used as a welfare marker in horses during positive "
        "emotional anticipation.",
        rationale=f"{credited} {found}",
    )
    checked, removed = check_proposal(draft, [source])
    assert checked.rationale == found and removed == 1
    # the passage's own words credited to it stay
    fair = "The passage describes body positions of horses in positive and negative contexts."
    assert (
        check_proposal(draft_of(hypothesis=draft.hypothesis, rationale=fair), [source])[0].rationale
        == fair
    )
    # "It" opening a rationale is the passage
    it = "It suggests that ear position can be a welfare marker."
    assert (
        check_proposal(draft_of(hypothesis=draft.hypothesis, rationale=f"{it} {found}"), [source])[
            0
        ].rationale
        == found
    )
    # a rationale left with nothing is sent back, not shown empty
    emptied, _ = check_proposal(draft_of(hypothesis=draft.hypothesis, rationale=credited), [source])
    faults = proposal_faults(emptied)
    assert set(faults) == {"rationale"} and "cited passages" in faults["rationale"]
    # how it would be tested is the design's (18 of 71 saved drafts), when a finding stays
    tested = (
        "This hypothesis can be tested by comparing the exploration strategies of rats "
        "given noradrenaline and those given a placebo."
    )
    both = draft_of(hypothesis=draft.hypothesis, rationale=f"{found} {tested}")
    assert check_proposal(both, [source]) == (both.model_copy(update={"rationale": found}), 0)
    alone = draft_of(hypothesis=draft.hypothesis, rationale=tested)
    assert check_proposal(alone, [source])[0].rationale == tested
    # a hypothesis of the cited paper's, said as its finding (Phelipon et al.'s, which
    # the chat showed as "The study found ..."), is removed as in the chat
    hypothesised = (
        "We hypothesized that horses would show lower cortisol variation in the positive "
        "condition compared to the negative condition."
    )
    as_found = "Horses showed lower cortisol variation in the positive condition."
    told = draft_of(hypothesis=draft.hypothesis, rationale=f"{found} {as_found}")
    assert check_proposal(told, [source, hypothesised])[0].rationale == found
    said = "The authors hypothesized that horses would show lower cortisol variation."
    kept = draft_of(hypothesis=draft.hypothesis, rationale=f"{found} {said}")
    assert check_proposal(kept, [source, hypothesised])[0].rationale == f"{found} {said}"
    # a sentence that only says the passages support it (a kept draft's, drafts bench)
    empty = "This hypothesis is supported by the findings in the passage."
    credited_only = draft_of(hypothesis=draft.hypothesis, rationale=f"{found} {empty}")
    assert check_proposal(credited_only, [source]) == (
        credited_only.model_copy(update={"rationale": found}),
        1,
    )


def test_no_one_is_randomly_assigned_to_what_they_already_are() -> None:
    # a draft on a researcher's idea (1.5B model): groups by an observed trait, "randomly
    # assigned" to them
    design = "Each horse will be randomly assigned to one of two groups."
    observed = ["Horses that are observed to have their ears forward", "Horses with ears back"]
    faults = proposal_faults(draft_of(design=design, conditions=observed))
    assert "conditions" in faults and "already are or show" in faults["conditions"]
    # what was given is set by the experimenter, and a trait without random assignment
    # is a comparison of existing groups
    given = ["participants who have received atomoxetine", "placebo"]
    assert "conditions" not in proposal_faults(draft_of(design=design, conditions=given))
    assert "conditions" not in proposal_faults(
        draft_of(design="Between-subjects: two existing groups.", conditions=observed)
    )


def test_the_last_quick_starts_drug_condition_written_as_a_control() -> None:
    from ideapump.agent.coherence import null_conditions
    from ideapump.agent.design import unlabelled

    # its conditions and only control, word for word (1.5B model)
    draft = unlabelled(
        draft_of(
            hypothesis="Noradrenaline modulates exploration strategies.",
            conditions=["Placebo condition", "Controls: Drug condition"],
            controls=["Drug condition: Participants will receive amisulpride."],
        )
    )
    assert draft.conditions == ["Placebo condition", "Drug condition"]
    # the control is the drug condition, described: no control is left
    assert controls_of(draft) == [] and "controls" in proposal_faults(draft)
    # and the drug it names is the one the cited sentence reports as doing nothing
    source = (
        "Our results provide evidence that value-free random exploration is particularly "
        "sensitive to noradrenergic modulation, with no effect of amisulpride."
    )
    assert "amisulpride" in null_conditions(draft, [source]).get("conditions", "")
    # a labelled control that is not a condition stays
    kept = draft_of(controls=["Blinding: neither participants nor experimenters know the drug"])
    assert controls_of(kept) == kept.controls


def test_a_design_sentence_giving_what_the_passage_found_no_effect_of_is_left_out() -> None:
    from ideapump.agent.coherence import without_null_design

    # a kept draft of the drafts bench, word for word
    design = (
        "Between-subjects: each participant is randomly assigned to one condition. In the "
        "placebo group, participants will receive a placebo, and in the noradrenaline "
        "administration group, participants will receive a single dose of amisulpride."
    )
    cited = "Value-free random exploration is sensitive to noradrenaline, with no effect of amisulpride."
    d = draft_of(hypothesis="Noradrenaline affects exploration.", design=design)
    kept, dropped = without_null_design(d, [cited])
    assert (
        kept.design == "Between-subjects: each participant is randomly assigned to one condition."
    )
    assert dropped == 1
    # a hypothesis about that drug may give it
    about = draft_of(hypothesis="Amisulpride affects exploration.", design=design)
    assert without_null_design(about, [cited]) == (about, 0)


def test_the_primary_measure_is_not_written_as_a_sentence_about_itself() -> None:
    from ideapump.agent.coherence import if_it_fails
    from ideapump.agent.design import unlabelled

    # two kept drafts of one bench run; "If it fails" read "No difference in primary
    # measure is the proportion of ..."
    said = "Primary measure is the proportion of novel-option choices."
    d = unlabelled(
        draft_of(
            primary_measure=said,
            expected_if_true="More novel choices on atomoxetine than on placebo.",
            expected_if_false="Fewer novel choices on atomoxetine than on placebo.",
        )
    )
    assert d.primary_measure == "the proportion of novel-option choices"
    assert if_it_fails(d).startswith("No difference in the proportion of novel-option choices")


def test_a_failure_names_the_conditions_by_their_names() -> None:
    from ideapump.agent.coherence import if_it_fails

    # the final quick start of this session, word for word
    d = draft_of(
        conditions=[
            "Placebo group: Participants receive a placebo.",
            "Amisulpride group: Participants receive amisulpride.",
        ],
        primary_measure="Number of successful trials",
        expected_if_true="Participants in the amisulpride group will perform better than "
        "participants in the placebo group on the primary measure.",
        expected_if_false="Participants in the amisulpride group will perform worse than "
        "participants in the placebo group on the primary measure.",
    )
    assert if_it_fails(d).startswith(
        "No difference in number of successful trials between placebo and amisulpride, or "
        "the reverse: Participants in the amisulpride group will perform worse"
    )


def test_the_primary_measure_is_what_the_hypothesis_says_changes() -> None:
    # the final quick start of a session: pupillometry, a measure of the drug's action,
    # for a hypothesis and expected results on value-free random exploration
    quick = draft_of(
        hypothesis=(
            "Noradrenaline influences exploration strategies in loss-frame environments by "
            "modulating value-free random exploration."
        ),
        primary_measure="pupillometry",
        expected_if_true="More value-free random exploration in the noradrenaline condition.",
        expected_if_false="As much value-free random exploration as on placebo.",
    )
    fault = proposal_faults(quick)["primary_measure"]
    assert "'pupillometry' is not what the hypothesis and the expected results" in fault
    named = quick.model_copy(update={"primary_measure": "share of random exploratory choices"})
    assert "primary_measure" not in proposal_faults(named)
    # told so, a drafts bench run's repair made its hypothesis the method, and was kept
    method = quick.model_copy(
        update={
            "hypothesis": "We will use pupillometry as the primary measure of exploration.",
            "expected_if_true": "A difference in pupillometry between placebo and drug.",
        }
    )
    assert "not say how it will be measured" in proposal_faults(method)["hypothesis"]
    assert "hypothesis" not in proposal_faults(quick)


def test_a_rule_two_fields_break_is_said_once() -> None:
    from ideapump.agent.drafts import reasons

    why = "the cited passage reports no effect of amisulpride"
    assert reasons({"hypothesis": why, "conditions": why}) == why
    assert reasons({"hypothesis": why, "controls": "controls must"}) == f"{why}; controls must"


def test_a_control_that_leaves_out_a_condition_is_no_control() -> None:
    # the first quick start of a session: noradrenaline against placebo, its only
    # control "no placebo"
    d = draft_of(conditions=["noradrenaline administration", "placebo"], controls=["no placebo"])
    assert controls_of(d) == []
    assert (
        "'no placebo' leaves out a condition, it is not a control" in proposal_faults(d)["controls"]
    )
    # a session without any drug names no condition, and is a control
    kept = d.model_copy(update={"controls": ["a baseline session without any drug"]})
    assert controls_of(kept) == ["a baseline session without any drug"]


def test_a_failure_is_read_without_what_it_would_mean() -> None:
    from ideapump.agent.coherence import if_it_fails

    # the same quick start, word for word: "fewer", then what that would mean, negated
    d = draft_of(
        conditions=["noradrenaline administration", "placebo"],
        primary_measure="number of random explorations",
        expected_if_true="Participants will perform more random explorations than placebo "
        "participants, indicating that noradrenaline administration enhances value-free "
        "random exploration.",
        expected_if_false="Participants will perform fewer random explorations than placebo "
        "participants, indicating that noradrenaline administration does not enhance "
        "value-free random exploration.",
    )
    assert if_it_fails(d).startswith(
        "No difference in number of random explorations between noradrenaline "
        "administration and placebo, or the reverse: Participants will perform fewer"
    )


def test_a_rationale_says_what_the_passages_say_not_what_they_never_mention() -> None:
    # a bench draft (1.5B model), citing Dubois et al.: the passages credited with the
    # controls the repair menu had offered, after a sentence about the rationale itself
    cited = (
        "Our results provide evidence that both exploration heuristics supplement "
        "computationally more demanding exploration strategies, and that value-free random "
        "exploration is particularly sensitive to noradrenergic modulation."
    )
    other = (
        "Future studies might usefully include indirect measures of noradrenaline activity, "
        "for example pupillometry."
    )
    credited = (
        "For example, the order of conditions counterbalanced across participants is "
        "mentioned in the first document, and a washout period between sessions so that no "
        "condition carries over is mentioned in the third document."
    )
    itself = "The rationale for the controls is provided in the cited passages."
    found = "Value-free random exploration is particularly sensitive to noradrenergic modulation."
    hypothesis = "Noradrenaline enhances value-free random exploration."
    d = draft_of(hypothesis=hypothesis, rationale=f"{itself} {credited} {found}")
    checked, removed = check_proposal(d, [cited])
    assert checked.rationale == found and removed == 2
    # a sentence of another passage the model was shown may be said without its citation
    d = draft_of(hypothesis=hypothesis, rationale=f"{found} {other}")
    assert check_proposal(d, [cited], shown=[cited, other])[0].rationale == d.rationale
    assert check_proposal(d, [cited])[0].rationale == found


def test_a_failure_in_the_same_direction_as_success_is_no_difference() -> None:
    from ideapump.agent.coherence import if_it_fails

    # the first quick start of a session, word for word in its expected results
    d = draft_of(
        conditions=["noradrenaline treatment", "placebo"],
        primary_measure="exploration",
        expected_if_true="Participants will explore the loss frame environment more "
        "randomly after the treatment.",
        expected_if_false="Participants will explore the loss frame environment more "
        "computationally more demanding after the treatment.",
    )
    assert (
        if_it_fails(d)
        == "No difference in exploration between noradrenaline treatment and placebo."
    )
    # a failure that says nothing differs stays as written
    none = d.model_copy(update={"expected_if_false": "Exploration will not differ."})
    assert if_it_fails(none) == "Exploration will not differ."
    # the sides told apart by "with" and "without" (a bed rest draft): the reverse
    sides = draft_of(
        conditions=["Exercise during bed rest", "No exercise during bed rest"],
        primary_measure="circadian rhythm",
        expected_if_true="The circadian rhythm will be more stable during bed rest with exercise.",
        expected_if_false="The circadian rhythm will be more stable during bed rest without "
        "exercise.",
    )
    assert if_it_fails(sides).endswith(f"or the reverse: {sides.expected_if_false}")


def test_only_a_faulty_if_it_fails_of_an_effect_becomes_no_difference() -> None:
    d = draft_of(
        hypothesis="Atomoxetine increases novel-option choices.",
        expected_if_false="Choices will look different.",  # names no condition
    )
    assert "expected_if_false" in proposal_faults(d)
    fixed = failing_as_no_difference(d)
    assert fixed.expected_if_false == (
        "No difference in novel-option choices between atomoxetine and placebo."
    )
    assert proposal_faults(fixed) == {}
    # a sound one stays as written
    assert failing_as_no_difference(draft_of()) == draft_of()
    # so does one beside an "If the hypothesis holds" that breaks a rule too: the re-ask
    # writes both
    both = d.model_copy(update={"expected_if_true": "Yes."})
    assert failing_as_no_difference(both) == both
    # and a hypothesis of no difference, which fails by an effect
    null = d.model_copy(update={"hypothesis": "Atomoxetine does not change novel-option choices."})
    assert failing_as_no_difference(null) == null


@pytest.mark.parametrize("method", ["Pupillometry", "EEG recordings", "self-report questionnaire"])
def test_a_method_is_no_primary_measure(method: str) -> None:
    # a drafts bench draft kept "Pupillometry", with "a significant increase in
    # pupillometry" if the hypothesis holds
    d = draft_of(
        primary_measure=method,
        expected_if_true=f"A significant increase in {method} on atomoxetine.",
        expected_if_false=f"No change in {method} between atomoxetine and placebo.",
    )
    assert "is a method, not what it measures" in proposal_faults(d).get("primary_measure", "")
    named = d.model_copy(update={"primary_measure": f"pupil diameter ({method})"})
    assert "primary_measure" not in proposal_faults(named)


def test_another_dose_of_a_condition_is_no_control() -> None:
    # a quick start's only control, beside the conditions placebo and a low dose
    d = draft_of(
        hypothesis="Noradrenaline enhances value-free random exploration.",
        conditions=["Placebo", "Low dose of noradrenaline"],
        controls=["High dose of noradrenaline"],
        expected_if_true="More exploration on the low dose of noradrenaline than on placebo.",
    )
    assert controls_of(d) == [] and "controls" in proposal_faults(d)
    matched = d.model_copy(update={"controls": ["a placebo matched in dose and schedule"]})
    assert controls_of(matched) == matched.controls
