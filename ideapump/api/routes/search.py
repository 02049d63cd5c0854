"""``/search`` (passages of this key's library) and ``/stats/check`` (audit pasted results)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends

from ideapump.api.deps import AppState, Caller, get_caller, get_library, get_state
from ideapump.api.errors import ERROR_RESPONSES
from ideapump.library import Library
from ideapump.models import Passage
from ideapump.schemas import CheckStatsRequest, SearchRequest
from ideapump.stats import check_text
from ideapump.stats.models import StatsReport

router = APIRouter(responses=ERROR_RESPONSES)


@router.post(
    "/search", response_model=list[Passage], tags=["search"], summary="Top-k passages, best first"
)
async def search(body: SearchRequest, lib: Library = Depends(get_library)) -> list[Passage]:
    def run() -> list[Passage]:
        if not lib.registry.complete(lib.name):
            return []
        return lib.search(body.query, k=body.k, doc_ids=body.doc_ids, mode=body.mode)

    return await asyncio.to_thread(run)


@router.post(
    "/stats/check",
    response_model=StatsReport,
    tags=["statistics"],
    summary="Recompute the statistics in pasted text (t, F, r, χ², z; GRIM/GRIMMER)",
)
async def check_stats(
    body: CheckStatsRequest,
    _caller: Caller = Depends(get_caller),
    state: AppState = Depends(get_state),
) -> StatsReport:
    alpha = state.settings.stats.alpha if body.alpha is None else body.alpha
    zero = state.settings.stats.p_zero_is_error
    return await asyncio.to_thread(check_text, body.text, alpha=alpha, p_zero_is_error=zero)
