"""The collaborator service: ``create_app(settings)`` builds the FastAPI app.

    uvicorn --factory ideapump.api:create_app     # or: ideapump serve

Routes: ``/healthz``, ``/readyz``, ``/documents``, ``/search``, ``/stats/check``,
``/propose``, ``/documents/{id}/critique``, ``/weigh``, ``/conversations``,
``/digests``, ``/v1/models``, ``/v1/chat/completions``; the lab chat page at ``/``;
OpenAPI docs at ``/docs``. Every error answers ``{"error": {"type", "message"}}``
(:mod:`ideapump.api.errors`).
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ideapump import __version__
from ideapump.api.deps import AppState
from ideapump.api.errors import PayloadTooLargeError, error_response, install_error_handlers
from ideapump.api.storage import ServiceStore
from ideapump.config import Settings, get_settings
from ideapump.runtime import Runtime

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from ideapump.api.chat import ChatEngine

STATIC = Path(__file__).parent / "static"

DESCRIPTION = """IdeaPump's research collaborator over HTTP.

Authenticate with `Authorization: Bearer <key>` (keys from `ideapump keys create`; each key
sees one library). With no keys configured the server is open and listens on loopback only.
Every error answers `{"error": {"type": "...", "message": "..."}}` with the matching status.
"""


class UploadLimit:
    """Refuse an upload over the limit: at once if its declared size says so, else as soon
    as the body streaming in (chunked, or lying about its length) passes the limit, so
    an over-size body is never read (nor spooled to disk) in full."""

    def __init__(self, app: Any, limit_bytes: int) -> None:
        self.app, self.limit = app, limit_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            headers = dict(scope.get("headers") or [])
            size = headers.get(b"content-length")
            if size and size.isdigit() and int(size) > self.limit:
                exc = PayloadTooLargeError(
                    f"the request is {int(size) / 1e6:.1f} MB; the limit is "
                    f"{self.limit / 1e6:g} MB",
                    setting="IDEAPUMP_SERVER__MAX_UPLOAD_MB",
                )
                await error_response(exc)(scope, receive, send)
                return
            receive = self._counting(receive)
        await self.app(scope, receive, send)

    def _counting(self, receive: Any) -> Any:
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # An HTTPException passes FastAPI's body parsing unchanged (any other
                    # error there becomes a 400) and reaches the one error handler.
                    raise StarletteHTTPException(
                        413,
                        f"the request passed the {self.limit / 1e6:g} MB limit while "
                        "uploading (IDEAPUMP_SERVER__MAX_UPLOAD_MB)",
                    )
            return message

        return counted


def freeze_startup_heap() -> None:
    """Put what imports and start-up left alive out of the cyclic collector's reach, once.

    A full collection traverses every tracked object, and a started server holds
    about 300,000 of them (modules, classes, functions) that never die. Under 32
    concurrent streams (bench/serve) a full collection paused every stream for
    200-220 ms; with these frozen, 30-45 ms. Frozen objects are still freed
    when their last reference goes; only a cycle among them that became garbage
    later would stay, and what start-up builds lives as long as the server.
    Collected first, so no garbage is frozen.
    """
    if gc.get_freeze_count() == 0:  # once per process: later apps (tests) add nothing
        gc.collect()
        gc.freeze()


def create_app(
    settings: Settings | None = None,
    *,
    embeddings: Embeddings | None = None,
    engine: ChatEngine | None = None,
) -> FastAPI:
    """The app; ``embeddings`` and ``engine`` let tests and embedders share or swap them."""
    from ideapump.api.routes import (
        agent,
        conversations,
        digests,
        documents,
        health,
        openai_compat,
        search,
    )

    settings = settings or get_settings()
    # Retrieval is CPU work. Taking turns (max_concurrent_retrievals=1) leaves the
    # cores to the replies already streaming, but first tokens come later and
    # throughput falls (bench/serve.py; figures in the README): the operator's
    # choice, off by default. One semaphore for all libraries: the cores are the process's.
    slots = settings.server.max_concurrent_retrievals
    runtime = Runtime(
        settings,
        embeddings=embeddings,
        retrieval_gate=threading.BoundedSemaphore(slots) if slots else None,
    )
    state = AppState(runtime=runtime, store=ServiceStore(runtime.registry))
    if engine is not None:
        state.engine = engine

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # asyncio.to_thread runs on the loop's default pool: min(32, cores + 4)
        # threads, 6 on a 2-core machine. A few long agent calls (minutes each on a
        # CPU model) would then hold every thread and stall each route's database
        # call behind them. Size the pool for the generation cap plus the quick calls.
        pool = ThreadPoolExecutor(
            max_workers=settings.server.max_concurrent_generations + 32,
            thread_name_prefix="ideapump",
        )
        asyncio.get_running_loop().set_default_executor(pool)
        freeze_startup_heap()
        try:
            yield
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        lifespan=lifespan,
        title="IdeaPump",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "health", "description": "Liveness and readiness"},
            {"name": "documents", "description": "The library's papers and data"},
            {"name": "agent", "description": "Propose experiments, critique, weigh evidence"},
            {"name": "conversations", "description": "Chat with the collaborator (SSE)"},
            {"name": "digests", "description": "The nightly digests, as Markdown or HTML"},
            {"name": "openai-compatible", "description": "For Open WebUI, LibreChat, openai SDK"},
        ],
    )
    app.state.ideapump = state
    install_error_handlers(app)
    for module in (health, documents, search, agent, conversations, digests, openai_compat):
        app.include_router(module.router)
    app.add_middleware(UploadLimit, limit_bytes=int(settings.server.max_upload_mb * 1_000_000))
    if settings.server.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.server.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )

    if (STATIC / "index.html").exists():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

        @app.get("/", include_in_schema=False)
        async def index() -> FileResponse:
            return FileResponse(STATIC / "index.html")

    return app
