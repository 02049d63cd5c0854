"""Request and response models of the HTTP API, by family.

Documents, passages and statistics reports are the library's own pydantic
models (:mod:`ideapump.models`, :mod:`ideapump.stats.models`), so the API, the
notebook client and the Python API return the same objects. Chat replies are a
stream of typed events (:data:`ChatEvent`), the same over SSE, in the client
and in the chat page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from ideapump.models import DocumentInfo, IngestOutcome, IngestReport
from ideapump.results import ExperimentProposal, StatsFinding
from ideapump.stats.models import StatsReport

# -- health -----------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class Check(BaseModel):
    ok: bool
    detail: str = ""


class Readiness(BaseModel):
    status: Literal["ready", "unready"]
    checks: dict[str, Check]


# -- documents ----------------------------------------------------------------------


class DocumentPage(BaseModel):
    doc_id: str
    title: str
    page: int = Field(description="1-based page number")
    pages: int = Field(description="How many pages the document has")
    text: str = Field(description="The page's text as stored (cleaned, references set apart)")


class DocumentDetail(BaseModel):
    document: DocumentInfo
    stats: StatsReport | None = Field(None, description="The statistics audit made at ingest.")


class IngestEvent(BaseModel):
    """One line of upload progress (NDJSON / SSE ``data``)."""

    type: Literal["discovered", "file_started", "pages", "chunks", "embedded", "file_done", "done"]
    file: str | None = None
    n: int | None = None
    outcome: IngestOutcome | None = None
    report: IngestReport | None = None

    model_config = ConfigDict(
        json_schema_extra={"example": {"type": "embedded", "file": "dubois2021.pdf", "n": 32}}
    )


# -- search and statistics -----------------------------------------------------------


SearchMode = Literal["hybrid", "dense", "lexical"]


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=4000)
    k: int = Field(5, ge=1, le=50)
    doc_ids: list[str] | None = None
    mode: SearchMode = Field(
        "hybrid", description="hybrid: dense and BM25 scores mixed (best); or one of them."
    )

    model_config = ConfigDict(
        json_schema_extra={"example": {"query": "noradrenaline and exploration", "k": 5}}
    )


class CheckStatsRequest(BaseModel):
    text: str = Field(min_length=1, max_length=500_000, description="Pasted results text.")
    alpha: float | None = Field(None, gt=0, lt=1)

    model_config = ConfigDict(
        json_schema_extra={"example": {"text": "t(28) = 2.20, p = .04", "alpha": 0.05}}
    )


# -- agent: propose, critique, weigh ---------------------------------------------------


class ProposeRequest(BaseModel):
    question: str = Field(min_length=1, max_length=4000, description="The research question.")
    n: int = Field(3, ge=1, le=10, description="Candidate proposals generated.")
    k: int = Field(2, ge=1, le=10, description="Proposals returned (best first); k <= n.")

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "question": "How does noradrenaline shape exploration in long horizons?",
                "n": 3,
                "k": 2,
            }
        }
    )


class CritiqueRequest(BaseModel):
    doc_id: str = Field(
        min_length=4, max_length=64, description="A document id, or a unique prefix of it."
    )


class WeighRequest(BaseModel):
    claim: str = Field(min_length=1, max_length=4000, description="The claim to weigh.")
    max_papers: int = Field(40, ge=1, le=100, description="Papers read at most.")
    passages_per_paper: int = Field(2, ge=1, le=10, description="Each paper's passages judged.")

    model_config = ConfigDict(
        json_schema_extra={"example": {"claim": "Atomoxetine increases random exploration."}}
    )


# -- conversations ----------------------------------------------------------------------


class Citation(BaseModel):
    n: int = Field(description="The reference number used in the reply text, [n].")
    doc_id: str
    title: str
    page: int
    quote: str


class TokenEvent(BaseModel):
    type: Literal["token"] = "token"
    text: str


class CitationEvent(Citation):
    type: Literal["citation"] = "citation"


class EvidenceEvent(BaseModel):
    """A question's evidence, numbered as the answer cites it, before the first token."""

    type: Literal["evidence"] = "evidence"
    items: list[Citation]


class RankedProposal(ExperimentProposal):
    rank: int = Field(description="1 for the proposal the tournament ranked first.")


class ProposalEvent(BaseModel):
    type: Literal["proposal"] = "proposal"
    proposal: RankedProposal


class StatsFindingEvent(BaseModel):
    type: Literal["stats_finding"] = "stats_finding"
    finding: StatsFinding


class ProgressEvent(BaseModel):
    """Progress of a long step (weighing a claim over many papers)."""

    type: Literal["progress"] = "progress"
    stage: str
    done: int
    total: int
    message: str = ""


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    error: dict[str, Any]


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"
    message_id: int | None = None
    text: str = Field("", description="The whole reply text.")
    citations: list[Citation] = []
    unsupported_removed: int = Field(
        0,
        description="Sentences the claim check removed: their cited passages do not support them.",
    )


ChatEvent = Annotated[
    TokenEvent
    | CitationEvent
    | EvidenceEvent
    | ProposalEvent
    | StatsFindingEvent
    | ProgressEvent
    | ErrorEvent
    | DoneEvent,
    Field(discriminator="type"),
]
chat_event_adapter: TypeAdapter[Any] = TypeAdapter(ChatEvent)


class ConversationCreate(BaseModel):
    title: str = Field("", max_length=200)


class Conversation(BaseModel):
    conv_id: str
    library: str
    title: str
    created_at: datetime
    updated_at: datetime


class Message(BaseModel):
    message_id: int
    role: Literal["user", "assistant"]
    content: str
    citations: list[Citation] = []
    proposals: list[dict[str, Any]] = []
    stats_findings: list[dict[str, Any]] = []
    error: dict[str, Any] | None = Field(
        None,
        description="Set on a reply that failed (its content is empty): {type, message, retry}.",
    )
    created_at: datetime


class ConversationDetail(Conversation):
    messages: list[Message]


class MessageCreate(BaseModel):
    content: str = Field(min_length=1, max_length=100_000)

    model_config = ConfigDict(
        json_schema_extra={"example": {"content": "What could we test next about pupil size?"}}
    )


# -- digests ---------------------------------------------------------------------------

DigestFormat = Literal["md", "html"]


class DigestInfo(BaseModel):
    """One date's digest of this key's library (every run of that date, together)."""

    library: str
    date: str = Field(description="The digest's date, YYYY-MM-DD.")
    runs: int = Field(description="Digest runs that day; a rerun completes the same files.")
    notes: list[str] = Field(description="What failed in that day's last run.")
    formats: list[DigestFormat] = Field(description="The files there are to fetch.")
    links: dict[str, str] = Field(
        description="`self` (this metadata) and one URL per format, relative to the server."
    )
    updated_at: datetime = Field(description="When the day's last run wrote the files.")

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "library": "lab",
                "date": "2025-03-02",
                "runs": 1,
                "notes": [],
                "formats": ["md", "html"],
                "links": {
                    "self": "/digests/2025-03-02",
                    "md": "/digests/2025-03-02/file?format=md",
                    "html": "/digests/2025-03-02/file?format=html",
                },
                "updated_at": "2025-03-02T05:31:07Z",
            }
        }
    )


# -- OpenAI-compatible ----------------------------------------------------------------


class OAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.get("text", "") for p in self.content if isinstance(p, dict))
        return self.content or ""


class OAIChatRequest(BaseModel):
    """What Open WebUI, LibreChat and the ``openai`` SDK send; unknown fields are ignored."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "example": {
                "model": "ideapump",
                "stream": True,
                "messages": [{"role": "user", "content": "Propose a follow-up experiment."}],
            }
        },
    )

    model: str = "ideapump"
    messages: list[OAIMessage] = Field(min_length=1)
    stream: bool = False
