"""What IdeaPump can do for a researcher, declared once: search, check-stats, propose, critique,
weigh.

Each :class:`Capability` names its request model (the arguments: CLI options, the
API's body or path, the facade's and the client's keyword arguments), its result
model, its HTTP route, whether it runs the language model, the chat intent that
runs it, and its runner. Every surface goes through :func:`run` (in process) or
:func:`http_request` (the notebook client), and ``tests/test_capabilities.py``
checks each surface against this table: a CLI command, an API route with this
method, path and response model, and facade, client and async client methods
whose parameters are the request's fields, with its defaults.

To add a capability: its request model (``ideapump/schemas.py``), its result, its
pipeline, a runner below and an entry in :data:`CAPABILITIES`; the test then lists
the surfaces still missing.

This module imports only the core types, so the notebook client can use it; the
runners import their pipelines when called.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, TypeAdapter

from ideapump.models import Passage
from ideapump.results import Critique, EvidenceReport, Proposals
from ideapump.schemas import (
    CheckStatsRequest,
    CritiqueRequest,
    ProposeRequest,
    SearchRequest,
    WeighRequest,
)
from ideapump.stats.models import StatsReport

if TYPE_CHECKING:
    from ideapump.agent.grounding import AgentOptions
    from ideapump.library import Library
    from ideapump.llm.model import ChatModel

Runner = Callable[["Library", "ChatModel", Any, "AgentOptions | None"], Any]


@dataclass(frozen=True)
class Capability:
    name: str
    summary: str
    request: type[BaseModel]
    result: Any  # a model, or list[model]
    method: str
    path: str  # "{field}" parts come from the request
    uses_model: bool  # takes a generation slot in the service; builds the chat model
    intent: str | None  # the chat router's intent that runs it
    runner: Runner

    @property
    def path_fields(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    def parse(self, data: Any) -> Any:
        """The result from its JSON (the client)."""
        return TypeAdapter(self.result).validate_python(data)


def _search(lib: Library, _llm: ChatModel, req: SearchRequest, _o: Any) -> list[Passage]:
    if not lib.registry.complete(lib.name):
        return []
    return lib.search(req.query, k=req.k, doc_ids=req.doc_ids, mode=req.mode)


def _check_stats(lib: Library, _llm: ChatModel, req: CheckStatsRequest, _o: Any) -> StatsReport:
    from ideapump.stats import check_text

    stats = lib.settings.stats
    alpha = stats.alpha if req.alpha is None else req.alpha
    return check_text(req.text, alpha=alpha, p_zero_is_error=stats.p_zero_is_error)


def _propose(lib: Library, llm: ChatModel, req: ProposeRequest, options: Any) -> Proposals:
    from ideapump.agent.propose import propose

    return propose(lib, llm, req.question, n=req.n, k=req.k, options=options)


def _critique(lib: Library, llm: ChatModel, req: CritiqueRequest, options: Any) -> Critique:
    from ideapump.agent.critique import critique

    return critique(lib, llm, req.doc_id, options=options)


def _weigh(lib: Library, llm: ChatModel, req: WeighRequest, options: Any) -> EvidenceReport:
    from ideapump.agent.weigh import WeighOptions, weigh

    wo = WeighOptions(max_papers=req.max_papers, passages_per_paper=req.passages_per_paper)
    return weigh(lib, llm, req.claim, options=options, weigh_options=wo)


CAPABILITIES: dict[str, Capability] = {
    c.name: c
    for c in (
        Capability(
            "search",
            "Top-k passages of the library, best first",
            SearchRequest,
            list[Passage],
            "POST",
            "/search",
            uses_model=False,
            intent=None,
            runner=_search,
        ),
        Capability(
            "check_stats",
            "Recompute the statistics in pasted text",
            CheckStatsRequest,
            StatsReport,
            "POST",
            "/stats/check",
            uses_model=False,
            intent="check_stats",
            runner=_check_stats,
        ),
        Capability(
            "propose",
            "Ranked, cited, power-analysed experiment proposals",
            ProposeRequest,
            Proposals,
            "POST",
            "/propose",
            uses_model=True,
            intent="propose",
            runner=_propose,
        ),
        Capability(
            "critique",
            "Statistics audit and cited methods critique of one document",
            CritiqueRequest,
            Critique,
            "POST",
            "/documents/{doc_id}/critique",
            uses_model=True,
            intent="critique",
            runner=_critique,
        ),
        Capability(
            "weigh",
            "The library's evidence for and against a claim, with a verdict by rules",
            WeighRequest,
            EvidenceReport,
            "POST",
            "/weigh",
            uses_model=True,
            intent="weigh",
            runner=_weigh,
        ),
    )
}


def run(
    name: str,
    library: Library,
    llm: ChatModel,
    request: BaseModel,
    options: AgentOptions | None = None,
) -> Any:
    """Run capability ``name`` on ``library`` (the model is built only if the runner calls it)."""
    cap = CAPABILITIES[name]
    if not isinstance(request, cap.request):
        raise TypeError(f"{name} takes a {cap.request.__name__}, not {type(request).__name__}")
    return cap.runner(library, llm, request, options)


def http_request(name: str, request: BaseModel) -> tuple[str, str, dict[str, Any] | None]:
    """(method, path, JSON body or None) of capability ``name`` over HTTP."""
    cap = CAPABILITIES[name]
    data = request.model_dump(mode="json")
    path = cap.path
    for field in cap.path_fields:
        path = path.replace("{" + field + "}", str(data.pop(field)))
    return cap.method, path, data or None
