"""Verdict rules, direction words and the stance cross-check."""

from __future__ import annotations

import pytest

from ideapump.evidence.directions import directions
from ideapump.evidence.findings import finding_of
from ideapump.evidence.models import Effect
from ideapump.evidence.pool import orient, pool
from ideapump.evidence.stance import (
    affirmative,
    claimed_outcome,
    cross_check,
    no_effect_beside,
    unmentioned,
)
from ideapump.evidence.verdict import PaperVote, decide, paper_stance


def _e(doc: str, y: float, v: float, stance: str, audit: str = "consistent") -> Effect:
    base = Effect(
        measure="d",
        family="smd",
        reported="d",
        value=y,
        yi=y,
        vi=v,
        derivation="t",
        doc_id=doc,
        audit=audit,
    )
    return orient(base, stance)


def test_paper_stance_rule() -> None:
    assert paper_stance(["supports", "neither"]) == "supports"
    assert paper_stance(["supports", "contradicts"]) == "mixed"
    assert paper_stance(["neither"]) == "neither"


def test_counting_rules_without_pooling() -> None:
    rct = ("randomized controlled trial",)
    assert decide([PaperVote("a", "neither")], None).verdict == "insufficient"
    one = decide([PaperVote("a", "supports")], None)
    assert (one.verdict, one.confidence) == ("supported", "low")
    # weight: RCT 2 x N >= 100 1.5 = 3 against 1 + 1: 3 >= 2 * 2 fails -> mixed
    votes = [
        PaperVote("a", "contradicts", rct, 200),
        PaperVote("b", "supports"),
        PaperVote("c", "supports"),
    ]
    assert decide(votes, None).verdict == "mixed"
    votes.append(PaperVote("d", "contradicts"))  # 4 against 2: contradicted
    assert decide(votes, None).verdict == "contradicted"
    strong = [PaperVote(x, "supports", rct) for x in "abc"]
    assert decide(strong, None).confidence == "high"


def test_pooled_ci_decides_and_flagged_effects_are_audited_out() -> None:
    effects = [
        _e("a", 0.5, 0.02, "supports"),
        _e("b", 0.6, 0.02, "supports"),
        _e("c", 0.4, 0.02, "supports"),
    ]
    pooled, _ = pool(effects)
    votes = [PaperVote(e.doc_id, "supports", effects=(e,)) for e in effects]
    d = decide(votes, pooled)
    assert d.verdict == "supported" and d.confidence == "high"
    assert any("lies above the null" in r for r in d.rules)
    # a flagged, contradicting outlier: the audited fit (without it) decides
    bad = _e("d", 3.0, 0.02, "contradicts", audit="inconsistent")
    pooled2, _ = pool([*effects, bad])
    assert pooled2 is not None and pooled2.dl.ci_low < 0 < pooled2.dl.ci_high
    votes2 = [*votes, PaperVote("d", "contradicts", effects=(bad,))]
    d2 = decide(votes2, pooled2)
    assert d2.verdict == "supported" and "without flagged" in d2.rules[1]


def test_pooled_ci_across_the_null() -> None:
    effects = [_e("a", 0.3, 0.2, "supports"), _e("b", 0.2, 0.2, "contradicts")]
    pooled, _ = pool(effects)
    votes = [
        PaperVote("a", "supports", effects=(effects[0],)),
        PaperVote("b", "contradicts", effects=(effects[1],)),
    ]
    assert decide(votes, pooled).verdict == "mixed"


def test_direction_words() -> None:
    assert directions("atomoxetine increases random exploration") >= {"up"}
    assert directions("boosting noradrenaline decreased (rather than increased) exploration") == {
        "down"
    }
    assert "none" in directions("there was no significant difference between groups")
    assert "up" not in directions("the drug did not increase exploration")
    assert directions("Is smoking associated with relapse?") == {"effect"}
    # timing: a phase shifted later or earlier, not any "delayed" or "advanced"
    assert directions("CTR showed a phase delay of 0.69 h.") == {"later"}
    assert directions("bed rest shifts the circadian rhythm of body temperature later") == {"later"}
    assert directions("the circadian phase was advanced by about 0.5 h") == {"earlier"}
    assert directions("patients with advanced cancer had delayed recall") == set()
    assert (
        cross_check(
            "supports",
            "exercise delays the circadian phase of core body temperature",
            "In contrast, both exercise groups were characterized by a phase advance.",
        ).stance
        == "neither"
    )


def test_cross_check_vetoes_a_mislabelled_stance() -> None:
    claim = "noradrenaline increases random exploration"
    passage = "Boosting noradrenaline decreased (rather than increased) random exploration."
    got = cross_check("supports", claim, passage)
    assert got.stance == "neither" and got.model_stance == "supports" and got.checked
    assert "set to neither" in got.reason
    assert cross_check("contradicts", claim, passage).stance == "contradicts"
    agree = "Random exploration increased under atomoxetine."
    assert cross_check("contradicts", claim, agree).stance == "neither"
    assert cross_check("supports", claim, agree).stance == "supports"
    unchecked = cross_check("supports", "noradrenaline and exploration", "We tested 40 people.")
    assert unchecked.stance == "supports" and not unchecked.checked


def test_a_threshold_or_a_count_is_no_direction() -> None:
    # PubMedQA: "extreme skewing (90% or greater) ... not statistically different" read as
    # "up", so the model's "yes, there is an association" stood.
    skewed = (
        "The rate of extreme skewing (90% or greater) was 8.6%, and not statistically "
        "different from the other groups."
    )
    assert directions(skewed) == {"none", "effect"}
    assert directions("357 women with 2 or more spontaneous losses") == set()
    assert directions("patients aged 65 years or older and more than 40 sites") == set()
    assert directions("Recurrence was more than twice as frequent after surgery.") == {"up"}
    assert directions("Mortality was 20% lower than with placebo.") == {"down"}
    assert directions("Use was similar at 4 weeks and higher at 12 weeks.") == {"none", "up"}
    got = cross_check("supports", "is there an association between X and skewing?", skewed)
    assert got.stance == "neither"


def test_a_contradiction_must_rest_on_a_result_not_an_aim() -> None:
    claim = (
        "Does birth center care during a first pregnancy have any impact on future reproduction?"
    )
    aim = (
        "The study objective was to examine whether the birth center model of care affects "
        "whether or not she has a second baby."
    )
    got = cross_check("contradicts", claim, aim, aim)
    assert got.stance == "neither" and "not a result" in got.reason
    # a "yes" on it is left to the model: in structured abstracts whose results state no
    # direction word the sentence picked is often the objective, and the "yes" was right
    assert cross_check("supports", claim, aim, aim).stance == "supports"
    assert cross_check("neither", claim, aim, aim).stance == "neither"
    result = "No statistical difference was found between the groups in time to second birth."
    assert cross_check("contradicts", claim, result, result).stance == "contradicts"


def test_a_contradiction_must_be_stated() -> None:
    # The 1.5B model answered "no" to passages that only did not say what the claim says.
    claim = "smokers from the service database answered the first invitation letter more often"
    effective = (
        "Mailed invitations, and follow-up, from health professionals was an effective method "
        "of recruiting disadvantaged smokers."
    )
    got = cross_check("contradicts", claim, effective, effective)
    assert got.stance == "neither" and got.checked and not got.confirmed
    assert "neither the opposite" in got.reason
    silent = "Letters sent and responses received were all recorded on databases."
    assert cross_check("contradicts", claim, silent, silent).stance == "neither"
    # support on another axis is not vetoed, but neither is it called confirmed
    backed = cross_check("supports", claim, effective, effective)
    assert backed.stance == "supports" and not backed.confirmed
    assert "unconfirmed" in backed.reason
    # a stated null or the opposite still contradicts
    null = "Response rates to the first letter did not differ between the two sources."
    stated = cross_check("contradicts", claim, null, null)
    assert stated.stance == "contradicts" and stated.confirmed
    fewer = "Smokers from the database answered the first letter less often."
    assert cross_check("contradicts", claim, fewer, fewer).stance == "contradicts"
    # a refusal is no decrease, and an aim or a background states no result
    refused = "Letters sent, responses and participants declining participation were recorded."
    assert cross_check("contradicts", claim, refused, refused).stance == "neither"
    background = "Background: Reply rates to mailed letters fall among smokers."
    got = cross_check("contradicts", claim, background, background)
    assert got.stance == "neither" and got.passage_directions == []
    # directions on another outcome are not the claim's opposite
    infections = "the web-based intervention reduced respiratory infection rates"
    washing = "Hand-washing rates in the intervention group were higher at 4 weeks."
    got = cross_check("contradicts", infections, washing, washing)
    assert got.stance == "neither" and "what the claim says changes" in got.reason
    more = "Respiratory infection rates were higher in the intervention group."
    assert cross_check("contradicts", infections, more, more).stance == "contradicts"
    # a claim without direction words: its contradiction must be stated too
    assert cross_check("contradicts", "letters and smokers", silent).stance == "neither"
    unread = "The letters never reached the smokers."
    assert cross_check("contradicts", "letters and smokers", unread).stance == "contradicts"


def test_claim_of_a_property_is_checked_on_the_property() -> None:
    # "Tulsi extracts have antimicrobial activity" weighed over 28 papers on holy basil:
    # the 1.5B model said "contradicts" for 13 papers that never test it, and the
    # verdict was "contradicted".
    claim = (
        "Tulsi (O. sanctum) extracts or essential oil have antimicrobial "
        "(antibacterial / antifungal) activity."
    )
    assert claimed_outcome(claim) == "antimicrobial (antibacterial / antifungal) activity"
    pain = (
        "However, administration of Ocimum sanctum (100 and 200 mg/kg p.o.) for 14 days "
        "significantly attenuated vincristine-induced neuropathic pain."
    )
    for model in ("contradicts", "supports"):
        got = cross_check(model, claim, pain, pain)
        assert got.stance == "neither" and "never names" in got.reason
    # a passage that never mentions the property costs no model call
    assert unmentioned(claim, pain) is not None
    # one that names it and denies it contradicts; one that reports it supports
    denied = (
        "Low concentrations of essential oil and extracts of Ocimum micranthum leaves do "
        "not produce an antimicrobial effect against the microorganisms evaluated."
    )
    assert cross_check("contradicts", claim, denied, denied).stance == "contradicts"
    assert cross_check("contradicts", claim, denied, denied).confirmed
    # ... and a "supports" on it is no support (Caamal-Herrera et al.'s conclusion)
    assert cross_check("supports", claim, denied, denied).stance == "neither"
    # a keywords line is no finding
    keywords = f"{denied} Keywords: Antimicrobial, Proliferative, Ocimum micranthum, Leaves"
    assert finding_of(keywords, claim) == denied
    shown = "Ocimum sanctum seed oils exhibited strong antifungal activity against Candida."
    assert cross_check("supports", claim, shown, shown).stance == "supports"
    # naming it without denying it is no contradiction
    assert cross_check("contradicts", claim, shown, shown).stance == "neither"
    # "activity" alone does not name the property
    virus = "The extracts showed significant virucidal activity against H9N2."
    assert cross_check("supports", claim, virus, virus).stance == "neither"
    # the sentence that names the property is the finding, with or without a direction
    # word (Kalagatur et al. 2015, abstract)
    kalagatur = (
        "Minimum inhibitory concentration and minimum fungicidal concentration of OSEO on "
        "F. graminearum were recorded as 1250 and 1800 \u03bcg/mL, respectively. Quantitative "
        "UHPLC studies revealed that OSEO negatively effected the production of ZEA. In "
        "conclusion, the antifungal and antimycotoxic effects of OSEO on F. graminearum "
        "could be used in food preservation."
    )
    assert "antifungal" in finding_of(kalagatur, claim)
    # "OSEO" is the claim's subject: the initials of the title's "Ocimum sanctum L.
    # essential oil"
    title = "Antagonistic activity of Ocimum sanctum L. essential oil on growth of Fusarium"
    found = finding_of(kalagatur, claim, title)
    assert cross_check("supports", claim, kalagatur, found, title).stance == "supports"
    assert cross_check("supports", claim, kalagatur, found, "Fusarium in maize").stance == (
        "neither"
    )
    # a sentence on the property that is not about the claim's subject is no support
    # (Sheoran et al. 2017, for "Ocimum extracts have antiviral activity")
    tlr = "The TLR 7 recognizes some antiviral compounds and single-stranded viral RNA."
    got = cross_check("supports", "Ocimum extracts have antiviral activity.", tlr, tlr, title)
    assert got.stance == "neither" and "not about" in got.reason
    # ... and a subject an abbreviation names, defined in the passage, is named
    defined = "Ocimum labiatum extract (OLE) was tested. OLE showed antiviral activity."
    said = "OLE showed antiviral activity."
    got = cross_check("supports", "Ocimum extracts have antiviral activity.", defined, said)
    assert got.stance == "supports"
    # a claim of an effect keeps its own reading ("any impact" is an effect word)
    assert claimed_outcome("Does birth centre care have any impact on reproduction?") is None


def test_claim_of_a_kind_of_effect_is_checked_on_that_kind() -> None:
    claim = "Tulsi has anti-inflammatory and/or analgesic effects."
    assert claimed_outcome(claim) == "anti-inflammatory and/or analgesic"
    # Mohanty et al. 2006 test no anti-inflammatory or analgesic effect
    apoptosis = (
        "However, Os (75 mg/kg) treated group did not demonstrate any significant "
        "anti-apoptotic activity in comparison to control IR group."
    )
    assert cross_check("contradicts", claim, apoptosis, apoptosis).stance == "neither"
    # on a par with the marketed diclofenac gel is an effect, not none (Ahmad et al. 2018)
    par = (
        "The in vivo data revealed that the analgesic effect of OLE-NLC gel was comparable "
        "to that of standard gel."
    )
    assert directions(par) == {"effect"}
    assert cross_check("supports", claim, par, par).stance == "supports"
    assert directions("Pain scores were comparable between the groups.") == {"none"}


@pytest.mark.parametrize(
    ("claim", "asked"),
    [
        ("CHX does not affect reversal learning", "CHX does affect reversal learning"),
        ("Exercise did not change sleep quality", "Exercise did change sleep quality"),
        ("X is not associated with Y", "X is associated with Y"),
        ("atomoxetine had no effect on exploration", "atomoxetine had an effect on exploration"),
        ("No significant difference between arms", "A significant difference between arms"),
        ("propranolol reduces exploration", None),  # states an effect: asked as it is
        ("sleep was unchanged by exercise", None),  # no negation to drop
        ("X did not increase Y but decreased it", None),  # not only "nothing happens"
    ],
)
def test_a_claim_of_no_effect_is_asked_in_the_affirmative(claim: str, asked: str | None) -> None:
    assert affirmative(claim) == asked


def test_cross_check_reads_the_finding_not_every_direction_word_of_the_passage() -> None:
    # Iguchi's passage says "increased" about handling and "reduced" about the result
    passage = (
        "Handling increased the body weight of all rats over the first week. "
        "Repeated CHX exposure reduced immobility in the forced swimming test."
    )
    claim = "repeated CHX exposure increases immobility in the forced swimming test"
    finding = finding_of(passage, claim)
    assert finding.startswith("Repeated CHX exposure reduced immobility")
    vetoed = cross_check("supports", claim, passage, finding)
    assert vetoed.stance == "neither" and "set to neither" in vetoed.reason
    assert cross_check("contradicts", claim, passage, finding).stance == "contradicts"


def test_the_finding_is_a_result_not_a_hypothesis_and_is_read_whole() -> None:
    passage = (
        "We hypothesized that horses would show a longer latency to approach in the "
        "positive condition than in the negative one. "
        "Horses took a shorter time to approach in the positive condition."
    )
    claim = "horses take longer to approach in the positive condition"
    assert finding_of(passage, claim).startswith("Horses took a shorter time")
    # The result of a long sentence can come after its first 40 words.
    long = (
        "Those who collected the free hand gel were substantially more likely to report "
        "using hand gel at four weeks in the follow-up questionnaire sent to all of the "
        "participants of the trial, but as the mean frequency of hand gel use was only "
        "around six times a week this did not result in significantly higher rates of "
        "daily hand-washing."
    )
    claim = "collecting the free hand gel led to more frequent daily hand-washing"
    finding = finding_of(long, claim)
    assert finding.endswith("daily hand-washing.")
    assert cross_check("supports", claim, long, finding).stance == "supports"  # up and none
    assert cross_check("contradicts", claim, long, finding).stance == "contradicts"


def test_ineffective_states_no_effect() -> None:
    assert directions("Recruitment via community outreach was largely ineffective.") == {"none"}
    claim = "community outreach was an effective way to recruit smokers"
    passage = "Recruitment via community outreach approaches was largely ineffective."
    assert cross_check("supports", claim, passage, passage).stance == "neither"
    assert cross_check("contradicts", claim, passage, passage).stance == "contradicts"


def test_a_difference_the_passage_denies_is_no_agreement() -> None:
    claim = "the two module orders led to different handwashing frequency"
    passage = "For handwashing, no significant overall difference was observed between groups."
    got = cross_check("supports", claim, passage, passage)
    assert got.stance == "neither" and "set to neither" in got.reason
    assert cross_check("contradicts", claim, passage, passage).stance == "contradicts"
    differs = "Handwashing frequency differed significantly between the two groups."
    assert cross_check("supports", claim, differs, differs).stance == "supports"


def test_a_result_is_not_an_aim_or_a_conjecture() -> None:
    from ideapump.evidence.findings import states_result

    assert states_result("Melatonin shortened sleep onset latency by 12 minutes.")
    assert states_result("Sleep diaries differed between the arms (p = .003).")
    assert not states_result("We aimed to test whether melatonin reduces sleep latency.")
    assert not states_result("This study sought to assess the efficacy of the intervention.")
    assert not states_result("Further research is needed to see if the effect is larger.")
    assert not states_result("Forty nurses took 3 mg tablets or placebo for 14 days.")
    # an aim and then what it found, in one sentence (Dubois et al.'s results)
    assert states_result(
        "We next assessed whether novelty exploration was sensitive to our drug "
        "manipulation, but found no drug effects on the novel bandit."
    )
    assert not states_result("We tested whether the drug changed what participants found.")
    # the field's trend, from the Mendt abstract: read as the paper's finding, it lost
    # the abstract its place among the passages weigh reads
    assert not states_result(
        "Exercise has gained increasing interest as a non-pharmacological aid to entrain "
        "the circadian system."
    )
    # a purpose and an abstract's background, from the Yardley paper: the 1.5B model's
    # "no" on them stood as a contradiction of "the intervention reduced infection rates"
    assert not states_result(
        "This study demonstrated the potential value of an online intervention to promote "
        "behavior intended to reduce the transmission of respiratory infection."
    )
    assert not states_result("Background: Frequent handwashing can prevent infections.")
    # what a trial set out to do, and what is not yet known (Epton et al.'s discussion,
    # Lhakhang et al.'s abstract): a weigh of online interventions put both beside results
    assert not states_result(
        "The U@Uni RCT assessed the efficacy of a theory-based online health behaviour "
        "intervention compared to a measurement only control."
    )
    assert not states_result(
        "Few theory- and evidence-based interventions to improve regular handwashing are available."
    )
    assert not states_result("The impact of higher doses on survival remains unclear.")
    assert not states_result(
        "Overall, this research has explored in a unique way the sequencing of different "
        "health behavior intervention modules and elucidated the proximal predictors of "
        "changing hand hygiene behaviors."
    )
    assert states_result("The trial compared two doses and found that pain was lower.")
    assert not states_result("**Objectives.** To reduce falls in two nursing homes.")
    assert states_result("Results: Hand-washing increased more in the intervention group.")
    claim = "the web-based hand hygiene intervention reduced respiratory infection rates"
    passage = (
        "Background: Hand-washing is regarded as important for preventing the transmission "
        "of respiratory infection. Respiratory infection rates were lower in the intervention "
        "group at 12 weeks."
    )
    assert finding_of(passage, claim).startswith("Respiratory infection rates were lower")


def test_a_sentence_that_cites_other_work_is_not_the_papers_result() -> None:
    from ideapump.evidence.findings import states_result

    # the Mendt discussion on another study, its superscript reference glued to the last
    # word by the PDF's text: weigh read it as the paper's support for "exercise during
    # bed rest prevents the shift of the circadian rhythm"
    assert not states_result(
        "A phase advance was observed when exercise was performed 6-9 h after the peak "
        "of plasma melatonin35."
    )
    assert not states_result("Heavier smokers were recruited, building on survey data [28].")
    # mid-sentence, a glued list of references (the Mendt discussion again)
    assert not states_result(
        "Phase delays have been also observed in horizontal bed rest studies19,25, suggesting "
        "that immobilization rather than head-down tilt posture account for the phase shifts."
    )
    assert not states_result(
        "Tonic noradrenaline has been associated (Jepma et al., 2010) with increased exploration."
    )
    # a paper's own result, with a date and statistics, is still one
    assert states_result("In March, 2015 exercise groups showed a phase advance (p = 0.026).")
    assert states_result("CTR showed a phase delay of 0.69 h.")


def test_the_title_page_run_on_is_not_the_finding() -> None:
    title = "Regular exercise reduces circadian shifts in core body temperature"
    passage = (
        f"{title} during long-duration bed rest Stefan Mendt 1, Hanns-Christian Gunga1, "
        "Dieter Felsenberg2 Charité Berlin, Germany. Exercise is widely studied. "
        "In contrast, both exercise groups were characterized by a phase advance (p = 0.026)."
    )
    claim = "regular exercise reduces circadian shifts in core body temperature"
    assert finding_of(passage, claim).startswith("Regular exercise reduces")  # no title
    assert finding_of(passage, claim, title).startswith("In contrast, both exercise groups")


@pytest.mark.parametrize(
    ("claim", "passage", "unmentioned_"),
    [
        ("exercise improves sleep quality", "Exercise advanced the circadian phase.", True),
        ("exercise improves sleep quality", "Sleep was rated better after exercise.", False),
        ("the website increases hand-washing", "Handwashing rose in the web arm.", False),
        ("smokers answered the letter more often", "SSS smokers replied to the letter.", False),
        ("exercise and sleep quality", "Exercise advanced the circadian phase.", False),
        # the outcome before the direction word: a no-change claim, a comparative
        ("sample sizes have stayed constant since 1985", "Smoking reduction was small.", True),
        ("sample sizes have stayed constant since 1985", "Sample sizes were stable.", False),
        (
            "Horses waiting to go to pasture swished their tails more often than horses "
            "waiting for isolation",
            "Head shakes were more frequent in horses in the positive anticipation.",
            True,
        ),
        (
            "Horses' peak heart rate was greater while awaiting the unpleasant event",
            "The maximal heart rate was higher in the negative condition.",
            False,
        ),
    ],
)
def test_a_passage_that_never_names_the_outcome(
    claim: str, passage: str, unmentioned_: bool
) -> None:
    from ideapump.evidence.stance import unmentioned

    assert (unmentioned(claim, passage) is not None) == unmentioned_


def test_the_finding_is_chosen_by_topic_not_by_the_claims_direction_word() -> None:
    # The Mendt abstract: which arm's phase moved which way.
    passage = (
        "Five participants underwent bed rest only (CTR). CTR showed a phase delay of 0.69 h. "
        "In contrast, both exercise groups were characterized by a phase advance (0.45 h for "
        "RE and 0.45 h for RVE; p = 0.026)."
    )
    on_exercise = "resistive exercise during bed rest delays the circadian phase"
    assert finding_of(passage, on_exercise).startswith("In contrast, both exercise groups")
    check = cross_check("supports", on_exercise, passage, finding_of(passage, on_exercise))
    assert check.stance == "neither"  # a delay claimed, an advance found
    without = "bed rest without exercise shifts the circadian phase later"
    assert finding_of(passage, without).startswith("CTR showed a phase delay")


def test_a_passage_of_aims_and_methods_reports_no_result() -> None:
    from ideapump.evidence.findings import reports_no_result

    aims = (
        "**Objectives.** To compare a sliding hip screw and an intramedullary nail. "
        "**Design.** Prospective randomised study. **Setting.** 2 large nursing homes."
    )
    assert reports_no_result(aims) is not None
    # lab notes with a result in words and no setup: left to the model
    assert reports_no_result("The pupil constricts to bright light in our pilot.") is None
    for result in (
        "We did not find any statistically significant difference between the two groups.",
        "PET changed the management in 17 of 46 patients (37%).",
        "Success after portoenterostomy could not reliably be predicted from bilirubin.",
        "A sensitivity for malignancy of 96.9% and a specificity of 100%.",
        "**Results.** Visualization of the spleen was very good.",  # labelled
    ):
        assert reports_no_result(f"{aims} {result}") is None, result


def test_more_words_for_a_direction_and_for_no_change() -> None:
    # claims of the third held-out set, which the cross-check could not read
    assert directions("a growing share of psychology articles showed false negatives") == {"up"}
    assert directions("rats given CHX showed blunted responses to cocaine") == {"down"}
    assert "none" in directions("sample sizes have stayed roughly constant since the 1980s")
    assert "none" in directions("average sample sizes have been remarkably stable since 1985")
    # the Mathot paper's "Constant" condition is no statement that nothing changed
    assert directions("latency was 107 ms lower on Constant trials") == {"down"}
    # nor is a gain frame a gain
    assert directions("people explored more in the gain-frame environment") == {"up"}
    assert directions("a gain-frame bandit task") == set()


def test_a_comparison_said_the_other_way_round_is_read_for_the_claims_side() -> None:
    from ideapump.grounding.directions import compared_the_other_way

    claim = "After watching a dog open a food box, dogs solved the box more often than wolves did"
    swapped = "Interestingly, wolves clearly outperformed the dogs with all wolves opening the box."
    assert compared_the_other_way(claim, swapped)
    got = cross_check("supports", claim, swapped, swapped)
    assert got.stance == "neither" and "where the claim states up" in got.reason
    assert cross_check("contradicts", claim, swapped, swapped).stance == "contradicts"
    # the same order is the same comparison
    same = "Moreover, the wolves co-fed longer than the dogs."
    assert not compared_the_other_way("wolves fed side by side longer than dogs did", same)
    assert not compared_the_other_way(
        claim, "Compared with wolves, dogs opened the box more often."
    )
    # "lower ... than" about the other side agrees with "higher ... than"
    higher = "recovery was higher with the drug than with placebo"
    lower = "placebo patients showed lower recovery than drug patients"
    assert compared_the_other_way(higher, lower)
    assert cross_check("supports", higher, lower, lower).confirmed


def test_a_clause_about_something_else_is_not_read_for_the_claims_direction() -> None:
    from ideapump.evidence.stance import clauses_on

    # Hartgerink et al. 2017, the third held-out set: the model's "supports" stood on
    # the "increase" of another quantity, its "contradicts" on "improved" ease
    claim = "Between 1985 and 2013 a growing share of psychology articles showed false negatives"
    result = (
        "Interestingly, the proportion of articles with evidence for false negatives "
        "decreased from 77% in 1985 to 55% in 2013, despite the increase in mean k."
    )
    assert "mean k" not in clauses_on(claim, result)
    assert cross_check("supports", claim, result, result).stance == "neither"
    assert cross_check("contradicts", claim, result, result).stance == "contradicts"
    stable = "Typical sample sizes in psychology articles have stayed roughly constant"
    said = (
        "The data indicate that average sample sizes have been remarkably stable since "
        "1985, despite the improved ease of collecting participants with online services."
    )
    assert cross_check("contradicts", stable, said, said).stance == "neither"
    # a clause that points back is about the same thing
    claim = "high-sensitivity C-reactive protein is associated with carotid atherosclerosis"
    adjusted = (
        "The risk for a high carotid IMT value was positively related to hsCRP quartile, but "
        "this relationship was not significant after adjustment for age."
    )
    assert clauses_on(claim, adjusted) == adjusted


def test_what_a_claim_says_changes_can_come_before_its_direction_word() -> None:
    from ideapump.evidence.directions import outcome_of

    assert outcome_of("resistive exercise improves sleep quality") == "sleep quality"
    assert outcome_of("sugar-free medicines are more erosive than sugared ones") == (
        "erosive than sugared ones"
    )
    stable = "Typical sample sizes in psychology articles have stayed roughly constant since 1985"
    assert outcome_of(stable) == "Typical sample sizes in psychology articles have 1985"
    # the words both sides of a comparison share are its subjects; the manner is no outcome
    tails = "Horses near pasture swished their tails more often than horses near the stable"
    assert outcome_of(tails) == "pasture swished their tails the stable"
    assert outcome_of("an increase in blood pressure after exercise") == (
        "in blood pressure after exercise"
    )
    # "hand-raised wolves" were not raised by anything
    assert directions("Hand-raised wolves let a human near their food") == set()
    # a sentence on the smoking paper's "harm reduction" said nothing on sample sizes
    since = (
        "Since conducting the study we have become aware of several smoking and harm "
        "reduction studies."
    )
    assert cross_check("contradicts", stable, since, since).stance == "neither"


def test_the_finding_gives_the_summary_of_the_measure_the_claim_names() -> None:
    # Phelipon et al. 2025: the mean heart rate did not differ, the maximum did
    passage = (
        "There was no significant difference in the mean heart rate between the positive "
        "and negative conditions (p = 0.12). The maximal heart rate was higher in the "
        "negative condition compared to the positive condition (p = 0.02)."
    )
    claim = "Horses' peak heart rate was greater while awaiting the unpleasant event"
    assert finding_of(passage, claim).startswith("The maximal heart rate")
    assert finding_of(passage, "Horses' average heart rate differed").startswith("There was")


def test_against_a_claim_that_nothing_changed_a_direction_must_be_on_its_outcome() -> None:
    # ideapump weigh "sample sizes ... stayed roughly constant since 1985" had filed these
    # as contradicting: one word of the outcome, and a direction of another quantity
    claim = "Typical sample sizes in psychology articles have stayed roughly constant since 1985"
    count = (
        "Using estimations from the Single Sample Count Method, there were more "
        "recreational drug users in the intervention than the control arm."
    )
    assert cross_check("contradicts", claim, count, count).stance == "neither"
    stable = (
        "This decreasing proportion of papers with evidence over time cannot be explained "
        "by a decrease in sample size over time, as sample size in psychology articles has "
        "stayed stable across time."
    )
    assert cross_check("contradicts", claim, stable, stable).stance == "neither"
    assert cross_check("supports", claim, stable, stable).confirmed
    # a sentence on the claim's quantity that gives it a direction still contradicts it
    grew = "Sample sizes in psychology articles increased steadily after 1985."
    assert cross_check("contradicts", claim, grew, grew).confirmed


def test_a_change_kept_from_happening_is_the_opposite_direction() -> None:
    # this session's weigh of "regular exercise prevents the circadian phase delay during
    # bed rest" filed Mendt et al.'s phase advance with exercise as contradicting it
    claim = "regular exercise prevents the circadian phase delay during bed rest"
    assert directions(claim) == {"earlier"}
    assert directions("exercise counteracts the decline in memory") == {"up"}
    assert directions("the drug prevented the weight gain") == {"down"}
    # the sentence's own verb is not what is kept from happening
    assert directions("blocking noradrenaline reduced exploration") == {"down"}
    advance = (
        "In contrast, both exercise groups were characterized by a phase advance (0.45 h for "
        "RE and 0.45 h for RVE; p = 0.026 for interaction between time and group)."
    )
    assert cross_check("supports", claim, advance, advance).stance == "supports"
    assert cross_check("contradicts", claim, advance, advance).stance == "neither"


def test_little_effect_is_no_effect() -> None:
    from ideapump.grounding.directions import directions as claim_directions

    said = "it had little effect on fruit and vegetable intake"
    assert directions(said) == {"none"} and claim_directions(said) == {"none"}
    assert directions("there was little or no change in mood") == {"none"}
    assert directions("little is known about it") == set()


def test_a_finding_that_also_states_no_effect_supports_in_part() -> None:
    # the U@Uni trial's conclusions, filed as support of the claim whole
    claim = "Online health behaviour interventions improve the health behaviour of students"
    finding = (
        "Conclusions: The results of the RCT indicate that the online health behaviour "
        "intervention reduced smoking rates, but it had little effect on fruit and vegetable "
        "intake, physical activity or alcohol consumption, during the first six months."
    )
    checked = cross_check("supports", claim, finding, finding)
    assert checked.stance == "supports"
    assert checked.partly.startswith("it had little effect on fruit")
    assert "in part" in checked.reason
    # no effect of the comparison arm is how an effect looks
    assert (
        no_effect_beside("Atomoxetine increased exploration, whereas placebo had no effect.") == ""
    )
    assert no_effect_beside("The intervention had no effect on mood.") == ""


def test_a_mixed_paper_alone_is_a_mixed_verdict_said_as_such() -> None:
    # the U@Uni paper, supporting in part, beside two papers read as neither
    decision = decide([PaperVote("uatuni", "mixed"), PaperVote("other", "neither")], None)
    assert decision.verdict == "mixed"
    assert "the only papers that take a side are mixed" in " ".join(decision.rules)
    assert "neither outweighs" not in " ".join(decision.rules)


def test_a_result_that_its_source_only_supposes_is_told() -> None:
    from ideapump.evidence.findings import supposed_only

    claim = "Melatonin shortened sleep onset latency in the nurses."
    hypothesis = "We expected that melatonin would shorten sleep onset latency in the nurses."
    assert supposed_only(claim, [hypothesis]) == hypothesis
    # the same source with the result beside it supports the claim
    result = "Melatonin shortened sleep onset latency in the nurses by 12 minutes."
    assert supposed_only(claim, [f"{hypothesis} {result}"]) is None
    # another study's result, cited, was found: not a supposition
    cited = "Melatonin shortened sleep onset latency in nurses (Smith et al., 2019)."
    assert supposed_only(claim, [cited]) is None
    # a result and then a thought on it is a result
    thought = "Melatonin shortened sleep onset latency in the nurses, which could reflect rest."
    assert supposed_only(claim, [thought]) is None
    # a claim that itself supposes is no result
    assert supposed_only("Melatonin may shorten sleep onset latency.", [hypothesis]) is None


def test_a_clause_on_other_sides_or_another_dose_is_not_the_claims() -> None:
    from ideapump.evidence.stance import clauses_on

    # Mathot et al. 2014 and Dubois et al. 2021 (the second held-out set): the clause on
    # other sides read as the effect the claim names "between" its own
    slope = "the slope of the pupil response differed between the Constant and Swap conditions"
    mathot = (
        "The slope was lower in the Constant (t(7) = 5.19, p = .0013) and Swap (t(7) = 3.87, "
        "p = .0061) conditions than in the Onset condition, whereas there was no significant "
        "difference between the Constant and Swap conditions (t(7) = 1.23, p = .26)."
    )
    assert clauses_on(slope, mathot).startswith("there was no significant difference")
    assert cross_check("supports", slope, mathot, mathot).stance == "neither"
    assert cross_check("contradicts", slope, mathot, mathot).confirmed
    scores = "task performance scores differed between the drug groups"
    dubois = (
        "The performance did not differ between drug groups (drug main effect: F(2, 55) = "
        "2.313, p = 0.109) but it was increased in subjects with higher IQ scores."
    )
    assert "IQ" not in clauses_on(scores, dubois)
    assert cross_check("supports", scores, dubois, dubois).stance == "neither"
    # sides the clauses never name "between": nothing is left out by them
    heart = "horses' average heart rate differed between awaiting pasture and awaiting isolation"
    assert clauses_on(heart, mathot) == mathot
    # Iguchi et al. 2014 (the first held-out set): the larger doses' reduction was read
    # as the claim's, in part
    dose = "a single 12.5 mg/kg dose of CHX lowers glutathione in the nucleus accumbens"
    iguchi = (
        "Acute administration of 12.5 mg/kg CHX did not detectably reduce glutathione "
        "levels, whereas CHX doses of 25 mg/kg induced a significant reduction in total "
        "glutathione levels in the NAc."
    )
    assert "25 mg/kg" not in clauses_on(dose, iguchi)
    assert cross_check("supports", dose, iguchi, iguchi).stance == "neither"
    assert cross_check("contradicts", dose, iguchi, iguchi).confirmed
    # a dose the claim does not name leaves every clause
    assert clauses_on("CHX lowers glutathione", iguchi) == iguchi
    # percentages are the two arms of one result, not two doses
    arms = "Smoking was 8.7% in the intervention arm, whereas smoking was 13.0% in the control arm."
    assert clauses_on("the intervention reduced smoking to 8.7%", arms) == arms


def test_a_conceded_direction_is_not_the_finding() -> None:
    from ideapump.evidence.stance import clauses_on

    # Iguchi et al. 2014 (the third held-out set): the concession's "increased" confirmed
    # the model's "contradicts" for a claim the main clause supports
    claim = (
        "Rats previously given repeated CHX showed blunted behavioural responses to an "
        "acute dose of cocaine"
    )
    iguchi = (
        "Although a single dose of cocaine markedly increased locomotor activity, rearing, "
        "and stereotypy for Groups Veh and CHX, repeated CHX administration attenuated "
        "these cocaine-induced behaviors (Fig. 2A-2C)."
    )
    assert clauses_on(claim, iguchi) == (
        "repeated CHX administration attenuated these cocaine-induced behaviors (Fig. 2A-2C)."
    )
    assert cross_check("supports", claim, iguchi, iguchi).confirmed
    assert cross_check("contradicts", claim, iguchi, iguchi).stance == "neither"
    # a concession that states no direction, or a main clause on something else, stays
    plain = "Although the groups were small, repeated CHX administration attenuated them."
    assert clauses_on(claim, plain) == plain
    other = "Although cocaine increased rearing, the vehicle group slept more."
    assert clauses_on(claim, other) == other


def test_self_efficacy_is_a_measure_not_a_benefit() -> None:
    # Lhakhang et al. 2015: the heading "Changes in intention, self-efficacy and planning"
    # read as "better" and was taken for the finding on a claim about intention
    assert directions("Changes in intention, self-efficacy and planning") == {"effect"}
    assert directions("the efficacy of the drug was shown") == {"better"}
    claim = (
        "the motivational module left students with lower intention than the "
        "self-regulatory module at T2"
    )
    passage = (
        "Changes in intention, self-efficacy and planning. The ANCOVA tests at T2 depicted "
        "that the Mot intervention resulted in a slightly higher level of intention than the "
        "SelfR intervention with F(1, 201) = 3.37."
    )
    assert finding_of(passage, claim).startswith("The ANCOVA tests")


def test_of_two_directions_the_one_said_of_the_claims_outcome_counts() -> None:
    # Phelipon et al. 2025's abstract (the third held-out set): the approach time's
    # "shorter" let the model's "contradicts" stand against a claim on the heart rate
    claim = "Horses' peak heart rate was greater while awaiting the unpleasant event"
    abstract = (
        "First, we confirmed that the two conditions induced contrasting emotional valence, "
        "as evidenced by the shorter time taken to approach in the positive condition "
        "compared to the negative, and by the higher maximal heart rate and cortisol "
        "variation in the negative condition."
    )
    assert cross_check("contradicts", claim, abstract, abstract).stance == "neither"
    assert cross_check("supports", claim, abstract, abstract).confirmed
    # the U@Uni conclusions: "little effect" was said of other outcomes than smoking
    smoking = "the online intervention reduced smoking among new university students"
    conclusions = (
        "The online health behaviour intervention reduced smoking rates, but it had little "
        "effect on fruit and vegetable intake, physical activity or alcohol consumption."
    )
    assert cross_check("contradicts", smoking, conclusions, conclusions).stance == "neither"
    # both directions near the outcome: nothing is decided by nearness
    both = "Cocaine increased locomotor activity, and CHX attenuated the locomotor activity."
    assert cross_check("contradicts", "CHX blunted locomotor activity", both, both).stance == (
        "contradicts"
    )


def test_suggestions_possibilities_and_equal_amounts_are_read_as_such() -> None:
    from ideapump.evidence.findings import states_result

    # Range et al. 2015, read by weigh as results
    assert not states_result(
        "These two characteristics are crucial for cooperation, and it has been argued that "
        "these changes allowed dogs to successfully live and work with humans."
    )
    assert not states_result(
        "Thus, it is possible that these differences reflect only an improved capability of "
        "dogs to accept humans as social partners."
    )
    # "at least as attentive as" is no difference, which "less attentive" is not
    assert directions("the wolves were at least as attentive as the dogs") == {"none"}
    assert directions("wolves pay as much attention to human partners as dogs do") == {"none"}
    assert directions("the drug was as effective as placebo") == {"none"}
    for other in ("as well as the dogs", "as soon as possible", "they rated as many as they could"):
        assert directions(other) == set(), other


def test_what_differs_between_sides_is_the_outcome_a_passage_must_name() -> None:
    from ideapump.evidence.stance import claimed_outcome, unmentioned

    # the same weigh: U@Uni's "no significant intervention effects on the other primary
    # outcomes" stood as a contradiction of a claim on task performance scores
    claim = "task performance scores differed between the drug groups"
    assert claimed_outcome(claim) == "task performance scores"
    uatuni = (
        "There were no significant intervention effects on the other primary outcomes "
        "(physical activity, alcohol or fruit and vegetable consumption) at follow-up."
    )
    assert cross_check("contradicts", claim, uatuni, uatuni).stance == "neither"
    assert unmentioned(claim, uatuni) is not None
    # Lhakhang et al.'s dropouts, filed as contradicting it in the same weigh
    dropouts = (
        "Results at T1 indicated no significant difference between the retained participants "
        "and those who discontinued the study after T2 regarding the central variables."
    )
    assert cross_check("contradicts", claim, dropouts, dropouts).stance == "neither"
    # U@Uni's methods: "a similar analysis strategy" states no result
    assert directions("was assessed using a similar analysis strategy") == set()
    assert directions("scores were similar in both groups") == {"none"}
    dubois = "The performance did not differ between drug groups (F(2, 55) = 2.313, p = 0.109)."
    assert cross_check("contradicts", claim, dubois, dubois).stance == "contradicts"
    heart = "On the test day, horses' average heart rate differed between the two conditions"
    assert claimed_outcome(heart) == "horses' average heart rate"
    assert claimed_outcome("the drug groups differed in the novelty bonus") is None
    # U@Uni's methods named a "metabolic equivalent of task", read as no difference
    mets = "Responses were converted into METs (metabolic equivalent of task) to give a score."
    assert directions(mets) == set() and directions("the doses were equivalent") == {"none"}
