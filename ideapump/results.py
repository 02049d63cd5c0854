"""The pipelines' results (public models) and what the model fills (drafts): core types.

Public models (``Citation``, ``ExperimentProposal``, ``Critique``,
``EvidenceReport``...) are what the facade, the CLI and the service hand out.
Every ``Citation`` in them has been checked: it points at a chunk retrieved for
this answer and its quote occurs verbatim in that chunk (see
:mod:`ideapump.grounding`).

Draft models (``*Draft``) are the schemas the language model fills. They are
kept small and flat so that a 1.5B local model can fill them under JSON-schema
constrained decoding: the model cites a passage by its number ``n`` in the
``<documents>`` block plus a short verbatim ``quote``; code resolves the number
to the chunk and checks the quote.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, computed_field

from ideapump.evidence.models import Effect, Pooled

# Defined with the code that checks it; re-exported here for the models that hold it.
from ideapump.grounding.citations import Citation as Citation

# -- public models ---------------------------------------------------------------


class PowerAnalysis(BaseModel):
    test: str = Field(description="e.g. 'two-sample t-test' or 'one-way ANOVA, 3 groups'.")
    effect_size: float
    effect_size_metric: Literal["d", "f"]
    effect_source: str = Field(description="Where the effect size comes from, in words.")
    formula: str = Field(description="How the effect size was derived from the statistic.")
    source: Citation | None = Field(
        default=None, description="The cited result the effect comes from."
    )
    conventional_default: bool = Field(
        default=False,
        description="True when no usable statistic was found and a default was assumed.",
    )
    alpha: float
    power: float
    n_per_group: int = Field(description="Per group; within subject: every participant.")
    groups: int = Field(description="Groups, or conditions each participant is in (within).")
    total_n: int
    within_subject: bool = False
    unit: str = Field(
        default="participants", description="Who is counted: participants, rats, patients ..."
    )
    note: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def size(self) -> str:
        """The sample size in words, as every surface shows it."""
        if self.within_subject:
            return f"{self.total_n} {self.unit}, each in all {self.groups} conditions"
        return f"{self.n_per_group} per group x {self.groups} = {self.total_n} {self.unit}"


class Novelty(BaseModel):
    closest: Citation | None = Field(
        default=None, description="The closest existing library passage."
    )
    similarity: float | None = None
    how_it_differs: str = ""
    already_done: bool = False


class Reflection(BaseModel):
    feasibility: str
    confounds: list[str] = []
    missing_controls: list[str] = []
    feasibility_score: int = Field(ge=1, le=5)
    novelty_score: int = Field(ge=1, le=5)


class ExperimentProposal(BaseModel):
    title: str
    hypothesis: str
    rationale: str
    citations: list[Citation]
    design: str
    conditions: list[str]
    controls: list[str]
    primary_measure: str
    sample_size: PowerAnalysis
    expected_if_true: str
    expected_if_false: str
    risks: list[str]
    novelty: Novelty
    reflection: Reflection | None = None
    score: float = Field(description="Elo rating after the pairwise tournament (start 1000).")
    wins: int = 0
    comparisons: int = 0


class Proposals(BaseModel):
    # The OpenAPI example, defined below with the other examples (read when the schema is made).
    model_config = ConfigDict(json_schema_extra=lambda s: s.update(examples=[PROPOSALS_EXAMPLE]))

    question: str
    proposals: list[ExperimentProposal] = []
    abstained: bool = False
    message: str = ""
    candidates: int = 0
    removed_citations: int = 0
    unsupported_removed: int = Field(
        default=0, description="Sentences removed because the cited passages do not support them."
    )
    incoherent_dropped: int = Field(
        default=0, description="Candidates dropped because their design stayed incoherent."
    )
    duplicates_dropped: int = Field(
        default=0,
        description="Candidates dropped because they vary and measure what an earlier one does.",
    )

    def to_dataframe(self) -> Any:
        """One row per proposal, best first (needs pandas: ``pip install 'ideapump[pandas]'``)."""
        from ideapump.frames import proposals_frame

        return proposals_frame(self)


class StatsFinding(BaseModel):
    """One deterministic finding of the statistics auditor (never recomputed by a model)."""

    kind: Literal["result", "flag", "mean"]
    severity: Literal["problem", "flag", "ok"]
    page: int | None = None
    pages: list[int] = Field(default_factory=list, description="Every page (a repeated result).")
    quote: str = ""
    message: str


class MethodsPoint(BaseModel):
    aspect: str
    issue: str
    suggestion: str = ""
    citation: Citation


class PaperProfile(BaseModel):
    """Design and sample size of a paper, found in its own text (regex, not a model)."""

    doc_id: str
    title: str
    design: list[str] = []
    sample_size: int | None = None
    sample_citation: Citation | None = None


class Critique(BaseModel):
    # The OpenAPI example, defined below with the other examples (read when the schema is made).
    model_config = ConfigDict(json_schema_extra=lambda s: s.update(examples=[CRITIQUE_EXAMPLE]))

    doc_id: str
    title: str
    profile: PaperProfile | None = None
    stats_findings: list[StatsFinding] = []
    stats_counts: dict[str, int] = {}
    summary: str = ""
    methods: list[MethodsPoint] = []
    removed_citations: int = 0
    unsupported_removed: int = Field(
        default=0,
        description="Sentences and points removed: unsupported by the passages, or "
        "contradicting the paper's design facts or the statistics audit.",
    )


class WeighedPassage(BaseModel):
    stance: Literal["supports", "contradicts", "neutral"]
    note: str = ""
    citation: Citation


class PaperRow(BaseModel):
    """One row of the table of every paper ``weigh`` considered (used or not, and why)."""

    n: int = Field(0, description="Row number; summary sentences cite papers by it.")
    doc_id: str
    title: str
    relevance: float = Field(description="Cosine similarity of the paper's best passage.")
    used: bool = False
    reason: str = Field("", description="Why an unused paper was left out.")
    design: list[str] = []
    sample_size: int | None = None
    stance: Literal["supports", "contradicts", "mixed", "neither"] = "neither"
    effects: int = 0
    flagged: int = Field(0, description="Effects whose numbers the audit found inconsistent.")
    effect: str = Field("", description="The paper's first effect, as printed.")
    finding: str = ""
    citation: Citation | None = None


class PassageStance(BaseModel):
    """One passage's checked stance (one narrow model call, cross-checked by direction words)."""

    paper: int = Field(description="Row number of its paper in papers_considered.")
    citation: Citation
    stance: Literal["supports", "contradicts", "neither"]
    model_stance: Literal["supports", "contradicts", "neither"] | None = None
    finding: str = ""
    reason: str = ""
    checked: bool = False
    claim_directions: list[str] = []
    passage_directions: list[str] = []
    second_look: Literal["supports", "contradicts", "neither"] | None = Field(
        None, description="After a veto: the model's answer on the result sentence alone."
    )
    partly: str = Field(
        "",
        description="A clause of the finding that states no effect beside the one the "
        "support rests on: the passage supports in part, and its paper counts as mixed.",
    )
    effects: list[Effect] = []


class SummarySentence(BaseModel):
    """One sentence of the model's summary and the table rows it rests on."""

    text: str
    papers: list[int] = []
    citations: list[Citation] = []


class WeighProgress(BaseModel):
    type: Literal["progress"] = "progress"
    stage: Literal["papers", "stance", "summary"]
    done: int
    total: int
    message: str = ""


class EvidenceReport(BaseModel):
    # The OpenAPI example, defined below with the other examples (read when the schema is made).
    model_config = ConfigDict(json_schema_extra=lambda s: s.update(examples=[EVIDENCE_EXAMPLE]))

    claim: str
    supporting: list[WeighedPassage] = []
    contradicting: list[WeighedPassage] = []
    neutral: list[WeighedPassage] = []
    papers: list[PaperProfile] = []
    verdict: Literal["supported", "contradicted", "mixed", "insufficient"] = "insufficient"
    confidence: Literal["low", "medium", "high"] = "low"
    summary: str = ""
    contradictions: list[str] = []
    abstained: bool = False
    removed_citations: int = 0
    # -- evidence by papers, effects and rules (the verdict never comes from the model)
    papers_considered: list[PaperRow] = Field(
        default_factory=list, description="Every paper retrieval found, used or not."
    )
    passages: list[PassageStance] = Field(
        default_factory=list, description="Every judged passage with its checked stance."
    )
    effects: list[Effect] = Field(default_factory=list, description="Every effect read.")
    pooled: Pooled | None = None
    pooling_note: str = ""
    rules: list[str] = Field(default_factory=list, description="The rules that set the verdict.")
    summary_sentences: list[SummarySentence] = []
    unsupported_removed: int = Field(
        0, description="Summary sentences dropped because their numbers are not in the evidence."
    )
    model_calls: int = 0
    seconds: float = 0.0

    def forest_svg(self) -> str | None:
        """The forest plot as inline SVG, or None without a pooled estimate."""
        from ideapump.evidence.forest import svg

        return svg(self.pooled) if self.pooled is not None else None

    def forest_png(self) -> bytes | None:
        """The forest plot as PNG bytes (needs Pillow), or None without a pooled estimate."""
        from ideapump.evidence.forest import png

        return png(self.pooled) if self.pooled is not None else None

    def _repr_png_(self) -> bytes | None:  # Jupyter shows the forest plot
        return self.forest_png()

    def to_dataframe(self) -> Any:
        """The table of papers considered (needs pandas)."""
        import pandas as pd

        return pd.DataFrame([r.model_dump(exclude={"citation"}) for r in self.papers_considered])


# -- drafts the model fills --------------------------------------------------------
# Every string and list is bounded: with JSON-schema constrained decoding the bounds
# become part of the grammar, so a small local model cannot ramble past the output
# cap (it did, on weigh, before these bounds), and a strong model is not hindered.

_SENTENCE_END = re.compile(r"[.!?][\"')\]]?\s+(?=[A-Z])")


def _whole_sentences(limit: int) -> AfterValidator:
    """Text the grammar stopped at ``limit`` characters ends at its last whole sentence:
    the quick start's review showed a confound ending "..., the lack"."""

    def trim(v: str) -> str:
        if len(v) < limit - 2 or v.rstrip()[-1:] in {".", "!", "?", ")", '"', "'"}:
            return v
        ends = list(_SENTENCE_END.finditer(v))
        return v[: ends[-1].start() + 1] if ends else v.rstrip(" ,;:") + "…"

    return AfterValidator(trim)


Short = Annotated[str, Field(max_length=300), _whole_sentences(300)]
Text = Annotated[str, Field(max_length=900), _whole_sentences(900)]


def _cut(n: int) -> BeforeValidator:
    return BeforeValidator(lambda v: v[:n] if isinstance(v, list) else v)


# At most three: the grammar stops the model there (maxItems), and a longer list from an
# endpoint that does not enforce the schema is cut rather than refused (a re-ask).
Three = Annotated[list[Short], _cut(3), Field(json_schema_extra={"maxItems": 3})]


class Cite(BaseModel):
    n: int = Field(ge=1, le=50, description="Passage number in the documents block.")
    quote: str = Field(
        max_length=300, description="A short phrase copied exactly from that passage."
    )


class ProposalDraft(BaseModel):
    title: Short
    hypothesis: Text
    rationale: Text
    design: Text
    conditions: list[Short] = Field(max_length=6)
    controls: list[Short] = Field(max_length=6)
    primary_measure: Short
    expected_if_true: Text
    expected_if_false: Text
    # At most three each, as the prompt asks: every item the 1.5B model writes costs
    # about a second on a 2-core CPU, and a fourth risk or citation added nothing read.
    risks: list[Short] = Field(max_length=3)
    citations: list[Cite] = Field(max_length=3)


class ReflectionDraft(BaseModel):
    feasibility: Text
    # Three short phrases each: the 1.5B model wrote each confound as two sentences and
    # repeated them as missing controls and in how_it_differs (340 tokens a review).
    confounds: Three
    missing_controls: Three
    already_done: bool
    how_it_differs: Text
    feasibility_score: int = Field(ge=1, le=5)
    novelty_score: int = Field(ge=1, le=5)


class ComparisonDraft(BaseModel):
    # The verdict alone: a reason (about 90 tokens, 8 s on a 2-core CPU per comparison)
    # was written after the winner, so it could not change it, and nothing showed it.
    winner: Literal["A", "B"]


class PointDraft(BaseModel):
    aspect: Literal[
        "design", "confounds", "controls", "sample_size", "multiple_comparisons", "over_claiming"
    ]
    issue: Annotated[str, Field(max_length=300)]
    suggestion: Annotated[str, Field(max_length=300)]
    n: int = Field(ge=1, le=50)
    quote: Annotated[str, Field(max_length=200)]


class CritiqueDraft(BaseModel):
    # At most ~1,000 tokens: the 1.5B default overran a 1,024-token cap with 8 long points.
    summary: Annotated[str, Field(max_length=600)]
    points: list[PointDraft] = Field(max_length=5)


class SummaryLine(BaseModel):
    text: Annotated[str, Field(max_length=300)]
    papers: list[int] = Field(
        max_length=6, description="Row numbers [n] of the papers it rests on."
    )


class SummaryDraft(BaseModel):
    sentences: list[SummaryLine] = Field(max_length=5)


# -- OpenAPI examples (tests/api/test_basics.py validates each against its model) -----

CITATION_EXAMPLE: dict[str, Any] = {
    "doc_id": "3f9c2a1b7d4e",
    "title": "Noradrenaline and exploration in humans (Dubois et al., 2021)",
    "page": 4,
    "quote": "atomoxetine increased random exploration",
    "chunk_id": "3f9c2a1b7d4e:0012",
}
PROPOSALS_EXAMPLE: dict[str, Any] = {
    "question": "How does noradrenaline shape exploration in long horizons?",
    "proposals": [
        {
            "title": "Horizon x atomoxetine",
            "hypothesis": "Boosting noradrenaline increases novel choices only in long horizons.",
            "rationale": "Dubois et al. found more random exploration under atomoxetine.",
            "citations": [CITATION_EXAMPLE],
            "design": "Between-subjects, drug vs placebo, horizon bandit task.",
            "conditions": ["atomoxetine", "placebo"],
            "controls": ["matched placebo pill", "reaction-time control"],
            "primary_measure": "proportion of novel-option choices",
            "sample_size": {
                "test": "two-sample t-test",
                "effect_size": 0.5,
                "effect_size_metric": "d",
                "effect_source": "t(58) = 2.1 in the cited paper",
                "formula": "d = 2t / sqrt(df)",
                "source": CITATION_EXAMPLE,
                "conventional_default": False,
                "alpha": 0.05,
                "power": 0.8,
                "n_per_group": 64,
                "groups": 2,
                "total_n": 128,
                "note": "",
            },
            "expected_if_true": "More novel choices on atomoxetine in long horizons.",
            "expected_if_false": "No drug x horizon interaction.",
            "risks": ["side effects unblind participants"],
            "novelty": {
                "closest": CITATION_EXAMPLE,
                "similarity": 0.71,
                "how_it_differs": "Adds the horizon manipulation.",
                "already_done": False,
            },
            "reflection": {
                "feasibility": "Feasible with a standard cognitive lab.",
                "confounds": ["arousal"],
                "missing_controls": ["heart-rate monitoring"],
                "feasibility_score": 4,
                "novelty_score": 3,
            },
            "score": 1016.0,
            "wins": 2,
            "comparisons": 2,
        }
    ],
    "abstained": False,
    "message": "",
    "candidates": 3,
    "removed_citations": 0,
}
CRITIQUE_EXAMPLE: dict[str, Any] = {
    "doc_id": "3f9c2a1b7d4e",
    "title": CITATION_EXAMPLE["title"],
    "profile": {
        "doc_id": "3f9c2a1b7d4e",
        "title": CITATION_EXAMPLE["title"],
        "design": ["double-blind", "placebo-controlled"],
        "sample_size": 60,
        "sample_citation": CITATION_EXAMPLE,
    },
    "stats_findings": [
        {
            "kind": "result",
            "severity": "problem",
            "page": 5,
            "quote": "t(28) = 1.20, p = .03",
            "message": "p recomputed from t(28) = 1.20 is .24, not .03 (decision error)",
        }
    ],
    "stats_counts": {"total": 12, "consistent": 11, "inconsistent": 0, "decision_error": 1},
    "summary": "A careful double-blind study; one reported test does not add up.",
    "methods": [
        {
            "aspect": "sample_size",
            "issue": "Thirty per group leaves small effects undetected.",
            "suggestion": "Report a power analysis or replicate with more participants.",
            "citation": CITATION_EXAMPLE,
        }
    ],
    "removed_citations": 0,
}
WEIGHED_EXAMPLE: dict[str, Any] = {
    "stance": "supports",
    "note": "Direct test of the claim.",
    "citation": CITATION_EXAMPLE,
}
EVIDENCE_EXAMPLE: dict[str, Any] = {
    "claim": "Atomoxetine increases random exploration.",
    "supporting": [WEIGHED_EXAMPLE],
    "contradicting": [],
    "neutral": [],
    "papers": [CRITIQUE_EXAMPLE["profile"]],
    "verdict": "supported",
    "confidence": "medium",
    "summary": "One placebo-controlled study supports it; no other paper tests it.",
    "contradictions": [],
    "abstained": False,
    "removed_citations": 0,
}
