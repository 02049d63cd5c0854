"""``/propose``, ``/documents/{doc_id}/critique`` and ``/weigh``: the agent's pipelines over HTTP.

They answer the same pydantic models as the Python API (:class:`Proposals`,
:class:`Critique`, :class:`EvidenceReport` from :mod:`ideapump.agent`), on the
library of the caller's API key. Each run counts as one generation against
``IDEAPUMP_SERVER__MAX_CONCURRENT_GENERATIONS`` (over the cap: 503 ``busy`` at
once). The chat model is built on first use, so an abstention (nothing
relevant in the library) never starts the offline model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from pydantic import ValidationError

from ideapump.agent import (
    AgentOptions,
    Critique,
    EvidenceReport,
    Proposals,
    WeighOptions,
)
from ideapump.api.deps import AppState, get_library, get_state, run_capability
from ideapump.api.errors import ERROR_RESPONSES, error_body
from ideapump.errors import InputError
from ideapump.library import Library
from ideapump.schemas import CritiqueRequest, ProposeRequest, WeighRequest

router = APIRouter(tags=["agent"], responses=ERROR_RESPONSES)

_BUSY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Too many generations at once (retry shortly)",
        "content": {"application/json": {"example": error_body("busy", "8 replies are ...")}},
    }
}


@router.post(
    "/propose",
    response_model=Proposals,
    summary="Ranked, cited experiment proposals for a research question",
    description="Retrieves passages for the question, drafts `n` candidates, reflects on each "
    "(feasibility, confounds, novelty against the library), ranks them in a pairwise Elo "
    "tournament and returns the best `k`, each with checked citations and a power analysis. "
    "`abstained: true` (with a `message`) when the library has nothing relevant.",
    responses=_BUSY,
)
async def propose_route(
    body: ProposeRequest,
    lib: Library = Depends(get_library),
    state: AppState = Depends(get_state),
) -> Proposals:
    return await run_capability(state, lib, "propose", body)


@router.post(
    "/documents/{doc_id}/critique",
    response_model=Critique,
    summary="Statistics audit and a cited methods critique of one document",
    description="`doc_id` may be a unique prefix (at least 4 characters). The statistics "
    "findings come from the deterministic auditor; the methods points cite the paper's own "
    "passages.",
    responses=_BUSY,
)
async def critique_route(
    doc_id: str,
    lib: Library = Depends(get_library),
    state: AppState = Depends(get_state),
) -> Critique:
    request = CritiqueRequest(doc_id=doc_id)
    await asyncio.to_thread(lib.get, doc_id)  # 404 before taking a generation slot
    return await run_capability(state, lib, "critique", request)


def _weigh_options(body: WeighRequest) -> WeighOptions:
    return WeighOptions(max_papers=body.max_papers, passages_per_paper=body.passages_per_paper)


@router.post(
    "/weigh",
    response_model=EvidenceReport,
    summary="Weigh the library's evidence for and against a claim",
    description="Reads each relevant paper's own best passages (up to `max_papers` papers), "
    "judges each passage's stance with one narrow model call cross-checked by direction words, "
    "reads effects by code (audited), pools comparable effects (random effects, DerSimonian-"
    "Laird and Paule-Mandel, leave-one-out, with and without audit-flagged effects) and sets "
    "the verdict by stated rules (`rules`). `papers_considered` is the table of every paper "
    "found. With `stream=true` the answer is an SSE stream of `progress` events ending with "
    "`done` carrying the report (or `error`). `abstained: true` when nothing is relevant.",
    responses=_BUSY,
)
async def weigh_route(
    body: WeighRequest,
    stream: bool = Query(False, description="Stream progress events (text/event-stream)"),
    lib: Library = Depends(get_library),
    state: AppState = Depends(get_state),
) -> Any:
    if not stream:
        return await run_capability(state, lib, "weigh", body)
    from ideapump.agent.weigh import weigh_stream
    from ideapump.api.agent_engine import relay
    from ideapump.api.chat import sse
    from ideapump.api.deps import SlotStream
    from ideapump.api.errors import error_event

    slot = state.generations.hold()  # busy (503) now, not inside the stream

    def run() -> Any:
        return weigh_stream(
            lib,
            state.chat_model,
            body.claim,
            options=AgentOptions(),
            weigh_options=_weigh_options(body),
        )

    async def events() -> AsyncIterator[str]:
        try:
            async for item in relay(run):
                if isinstance(item, EvidenceReport):
                    yield sse({"type": "done", "report": item.model_dump(mode="json")})
                else:
                    yield sse(item)
        except Exception as exc:
            yield sse({"type": "error", "error": error_event(exc)})
        finally:
            slot.release()

    return SlotStream(events(), slot)


@router.post(
    "/weigh/forest.png",
    response_class=Response,
    summary="The forest plot of an EvidenceReport, as PNG (for notebooks)",
    description="Send the report `/weigh` returned; the answer is `image/png`. No model runs. "
    "A report without a pooled estimate is a 400 (`invalid_request`).",
    responses={200: {"content": {"image/png": {}}, "description": "PNG image"}},
)
async def forest_png_route(
    body: dict[str, Any] = Body(..., description="An EvidenceReport as /weigh returned it."),
) -> Response:
    # A plain object in the schema: EvidenceReport as a request body too would split its
    # OpenAPI schema into -Input and -Output twins for every client generator.
    try:
        report = EvidenceReport.model_validate(body)
    except ValidationError as exc:
        raise InputError(f"not an EvidenceReport: {exc.errors()[0]['msg']}") from None
    if report.pooled is None:
        raise InputError(report.pooling_note or "the report has no pooled estimate to plot")
    png = await asyncio.to_thread(report.forest_png)
    return Response(content=png, media_type="image/png")
