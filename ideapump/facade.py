"""``IdeaPump``: the Python facade for notebooks and the service.

    from ideapump.facade import IdeaPump
    pump = IdeaPump.from_settings()          # settings from IDEAPUMP_* / .env
    pump.ingest(["papers/"])
    pump.search("noradrenaline and exploration", k=5)
    result = pump.propose("how does noradrenaline shape exploration?", n=3, k=2)
    pump.critique("76a9d3ab")                # a document id or unique prefix
    pump.weigh("atomoxetine increases random exploration")
    pump.chat([{"role": "user", "content": "what did Dubois find?"}])
    for event in pump.chat_stream(messages): ...

The chat model is built on first use (the offline default starts its local
server then), so ingesting and searching never need a model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ideapump import capabilities
from ideapump.agent import (
    AgentOptions,
    ChatEvent,
    ChatReply,
    Critique,
    EvidenceReport,
    Proposals,
    chat,
    chat_stream,
)
from ideapump.config import Settings
from ideapump.library import Library
from ideapump.llm.model import ChatModel
from ideapump.runtime import Runtime
from ideapump.schemas import (
    CheckStatsRequest,
    CritiqueRequest,
    ProposeRequest,
    SearchMode,
    SearchRequest,
    WeighRequest,
)

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from pydantic import BaseModel

    from ideapump.models import IngestReport, Passage
    from ideapump.stats.models import StatsReport


class IdeaPump:
    """One library and the chat model, from one :class:`~ideapump.runtime.Runtime`."""

    def __init__(
        self, runtime: Runtime, library: str | None = None, options: AgentOptions | None = None
    ) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.library: Library = runtime.library(library)
        self.options = options or AgentOptions()

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        library: str | None = None,
        embeddings: Embeddings | None = None,
        llm: ChatModel | None = None,
        options: AgentOptions | None = None,
    ) -> IdeaPump:
        """An IdeaPump on ``library`` (default: settings.library) with the configured model."""
        runtime = Runtime(settings, embeddings=embeddings, chat_model=llm)
        return cls(runtime, library, options)

    @property
    def llm(self) -> ChatModel:
        """The chat model (built, and the offline server started, on its first call)."""
        return self.runtime.chat_model

    def ingest(self, paths: Sequence[str | Path]) -> IngestReport:
        return self.library.ingest(paths)

    def run(self, name: str, request: BaseModel) -> Any:
        """Capability ``name`` (:mod:`ideapump.capabilities`) with its request model."""
        return capabilities.run(name, self.library, self.llm, request, self.options)

    def search(
        self,
        query: str,
        k: int = 5,
        doc_ids: list[str] | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[Passage]:
        return self.run("search", SearchRequest(query=query, k=k, doc_ids=doc_ids, mode=mode))

    def check_stats(self, text: str, alpha: float | None = None) -> StatsReport:
        return self.run("check_stats", CheckStatsRequest(text=text, alpha=alpha))

    def propose(self, question: str, *, n: int = 3, k: int = 2) -> Proposals:
        return self.run("propose", ProposeRequest(question=question, n=n, k=k))

    def critique(self, doc_id: str) -> Critique:
        return self.run("critique", CritiqueRequest(doc_id=doc_id))

    def weigh(
        self, claim: str, *, max_papers: int = 40, passages_per_paper: int = 2
    ) -> EvidenceReport:
        request = WeighRequest(
            claim=claim, max_papers=max_papers, passages_per_paper=passages_per_paper
        )
        return self.run("weigh", request)

    def chat(self, messages: Sequence[Any], *, n: int = 3, k: int = 2) -> ChatReply:
        return chat(self.library, self.llm, messages, n=n, k=k, options=self.options)

    def chat_stream(
        self, messages: Sequence[Any], *, n: int = 3, k: int = 2
    ) -> Iterator[ChatEvent]:
        return chat_stream(self.library, self.llm, messages, n=n, k=k, options=self.options)
