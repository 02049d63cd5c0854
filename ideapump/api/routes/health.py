"""``/healthz`` (the process answers) and ``/readyz`` (the store and the LLM are reachable)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ideapump import __version__
from ideapump.api.deps import AppState, get_state
from ideapump.api.errors import RETRY_AFTER_S, error_body
from ideapump.config import Settings
from ideapump.schemas import Check, Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    return Health(version=__version__)


def _check_store(state: AppState) -> Check:
    """Both parts of the store answer; the detail names the one that does not."""
    from ideapump.store.vectors import make_client

    try:
        with state.store.registry.session() as s:
            s.execute(text("SELECT 1"))
    except Exception as exc:
        return Check(ok=False, detail=f"database: {_first_line(exc)}")
    mode = state.settings.store.chroma_mode
    try:
        make_client(state.settings).heartbeat()
    except Exception as exc:
        return Check(ok=False, detail=f"Chroma ({mode}): {_first_line(exc)}")
    return Check(ok=True, detail=f"database and Chroma ({mode}) answer")


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]


async def _check_llm(settings: Settings) -> Check:
    llm = settings.llm
    if not llm.base_url:
        import importlib.util

        from ideapump.llm import supervise
        from ideapump.llm.local import find_local_server

        supervised = supervise.status(settings)
        if supervised is not None and not supervised.ok:  # restarting, down or given up
            return Check(ok=False, detail=supervised.detail)
        server = await asyncio.to_thread(find_local_server, settings)
        if server is not None:
            return Check(ok=True, detail=f"local model server at {server.base_url}")
        if importlib.util.find_spec("xllamacpp") is None:
            return Check(
                ok=False,
                detail="no IDEAPUMP_LLM__BASE_URL and the offline model (xllamacpp) is not "
                "installed",
            )
        return Check(ok=True, detail="offline model installed; it starts on the first chat")
    import openai

    key = llm.api_key.get_secret_value() if llm.api_key else "not-needed"
    client = openai.AsyncOpenAI(base_url=llm.base_url, api_key=key, max_retries=0, timeout=5.0)
    try:
        await client.models.list()
    except Exception as exc:
        return Check(
            ok=False, detail=f"{llm.base_url}: {type(exc).__name__}: {str(exc)[:200]}".strip()
        )
    finally:
        await client.close()
    return Check(ok=True, detail=f"{llm.base_url} answers")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="The store and the language model are reachable",
    responses={
        503: {
            "description": "Something is not reachable; the body says which",
            "content": {
                "application/json": {
                    "example": {
                        **error_body(
                            "not_ready", "llm: http://llm:8080/v1: APIConnectionError", retry=True
                        ),
                        "checks": {
                            "store": {"ok": True, "detail": "database and Chroma answer"},
                            "llm": {"ok": False, "detail": "APIConnectionError"},
                        },
                    }
                }
            },
        }
    },
)
async def readyz(state: AppState = Depends(get_state)) -> Readiness | JSONResponse:
    store, llm = await asyncio.gather(
        asyncio.to_thread(_check_store, state), _check_llm(state.settings)
    )
    checks = {"store": store, "llm": llm}
    failed = [name for name, c in checks.items() if not c.ok]
    if not failed:
        return Readiness(status="ready", checks=checks)
    message = "; ".join(f"{name}: {checks[name].detail}" for name in failed)
    body = error_body("not_ready", message, retry=True)
    body["checks"] = {name: c.model_dump() for name, c in checks.items()}
    return JSONResponse(
        body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S["not_ready"])}
    )
