"""What a digest holds (public models) and what the language model fills (drafts).

Draft models are small and flat so a 1.5B local model can fill them under
JSON-schema constrained decoding, and their strings have maximum lengths, which
the grammar enforces: a small model that starts copying a passage into an idea
otherwise runs on to the output cap, three times over, for nothing. The model
cites a passage by its number ``n`` in the ``<documents>`` block plus a short
verbatim ``quote``; code resolves the number to the chunk and drops every citation whose quote does not occur in it
(:mod:`ideapump.agent.grounding`). Public models carry only checked citations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ideapump.results import Citation

# -- drafts (model-facing) -------------------------------------------------------------


class CiteDraft(BaseModel):
    n: int = Field(description="Number of the passage in the <documents> block.")
    quote: str = Field(max_length=300, description="5 to 20 words copied exactly from it.")


class FindingDraft(BaseModel):
    text: str = Field(max_length=300, description="One key finding, in one sentence.")
    n: int = Field(description="Number of the passage that reports it.")
    quote: str = Field(max_length=300, description="5 to 20 words copied exactly from it.")


class SummaryDraft(BaseModel):
    summary: str = Field(
        max_length=900, description="Two or three sentences: what the document did and found."
    )
    findings: list[FindingDraft] = Field(max_length=4, description="1 to 4 key findings, cited.")


class SparkDraft(BaseModel):
    """One idea from one pair of passages: passage 1 of the new document, passage 2 of the lab's."""

    title: str = Field(max_length=120, description="A short name for the idea.")
    idea: str = Field(
        max_length=900, description="The proposed experiment or analysis, in 2 to 4 sentences."
    )
    new_quote: str = Field(max_length=300, description="5 to 20 words copied exactly from 1.")
    lab_quote: str = Field(max_length=300, description="5 to 20 words copied exactly from 2.")


class RelationDraft(BaseModel):
    kind: Literal["agrees", "contradicts"]
    claim: str = Field(
        max_length=300, description="What the two documents agree or disagree about."
    )
    citations: list[CiteDraft] = Field(
        max_length=4, description="One passage of the new paper and one from the lab's library."
    )


class RelationsDraft(BaseModel):
    relations: list[RelationDraft]


# -- public models -----------------------------------------------------------------------


class Finding(BaseModel):
    text: str
    citation: Citation


class Spark(BaseModel):
    title: str
    idea: str
    new_side: list[Citation] = Field(description="Checked citations of the new document.")
    lab_side: list[Citation] = Field(description="Checked citations of the lab's documents.")


class Relation(BaseModel):
    kind: Literal["agrees", "contradicts"]
    claim: str
    new: Citation
    old: Citation


class StatsLine(BaseModel):
    kind: Literal["decision_error", "inconsistent", "impossible_mean", "flag"]
    page: int | None = None
    text: str = Field(description="The result as printed, or the flag's message.")
    explanation: str = ""


class StatsSummary(BaseModel):
    counts: dict[str, int] = Field(default_factory=dict)
    problems: list[StatsLine] = Field(
        default_factory=list, description="Decision errors, inconsistencies, impossible means."
    )
    flags: list[StatsLine] = Field(default_factory=list)
    note: str | None = Field(default=None, description="Why there is no audit (e.g. a data table).")


class DocDigest(BaseModel):
    """One new document's part of the digest."""

    doc_id: str
    title: str
    source: str
    kind: str
    year: int | None = None
    pages: int = 0
    origin: str = Field(default="library", description="'watch', 'feed:<source>' or 'library'.")
    summary: str = ""
    findings: list[Finding] = Field(default_factory=list)
    stats: StatsSummary | None = None
    sparks: list[Spark] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    dropped_citations: int = Field(default=0, description="Model citations that did not resolve.")
    unsupported_removed: int = Field(
        default=0,
        description="Sentences (and the findings, sparks or relations they made up) removed "
        "because the passages they cite do not support them.",
    )
    error: str | None = Field(default=None, description="What failed; the next run retries.")


class Digest(BaseModel):
    """One library's digest for one date (all runs of that date together)."""

    library: str
    date: str
    generated_at: datetime
    entries: list[DocDigest] = Field(default_factory=list)
    failed: list[DocDigest] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="What failed in the last run.")
    new_this_run: int = 0

    @property
    def relations(self) -> list[tuple[DocDigest, Relation]]:
        return [(e, r) for e in self.entries for r in e.relations]
