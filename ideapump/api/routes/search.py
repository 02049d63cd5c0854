"""``/search`` (passages of this key's library) and ``/stats/check`` (audit pasted results)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ideapump.api.deps import AppState, get_library, get_state, run_capability
from ideapump.api.errors import ERROR_RESPONSES
from ideapump.library import Library
from ideapump.models import Passage
from ideapump.schemas import CheckStatsRequest, SearchRequest
from ideapump.stats.models import StatsReport

router = APIRouter(responses=ERROR_RESPONSES)


@router.post(
    "/search", response_model=list[Passage], tags=["search"], summary="Top-k passages, best first"
)
async def search(
    body: SearchRequest, lib: Library = Depends(get_library), state: AppState = Depends(get_state)
) -> list[Passage]:
    result: list[Passage] = await run_capability(state, lib, "search", body)
    return result


@router.post(
    "/stats/check",
    response_model=StatsReport,
    tags=["statistics"],
    summary="Recompute the statistics in pasted text (t, F, r, χ², z; GRIM/GRIMMER)",
)
async def check_stats(
    body: CheckStatsRequest,
    lib: Library = Depends(get_library),
    state: AppState = Depends(get_state),
) -> StatsReport:
    report: StatsReport = await run_capability(state, lib, "check_stats", body)
    return report
