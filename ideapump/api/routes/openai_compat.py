"""OpenAI-compatible ``/v1/models`` and ``/v1/chat/completions`` (streaming and not).

Open WebUI, LibreChat and the ``openai`` SDK use IdeaPump as a model called
``ideapump``. The conversation is the request's ``messages`` (stateless, as
those clients expect); the client's own system messages are ignored, because
IdeaPump's persona and data rules come first. Those clients drop unknown fields,
so citations are appended to the text as numbered references (title, page).
Errors use the same ``{"error": {"type", "message"}}`` shape, which the OpenAI
SDK reads.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends

from ideapump.api.chat import Turn, references_text
from ideapump.api.deps import AppState, SlotStream, get_library, get_state
from ideapump.api.errors import ERROR_RESPONSES, error_event
from ideapump.api.routes.conversations import ReplyCollector, reply_events
from ideapump.api.schemas import OAIChatRequest
from ideapump.errors import InputError
from ideapump.library import Library

router = APIRouter(prefix="/v1", tags=["openai-compatible"], responses=ERROR_RESPONSES)

MODEL_ID = "ideapump"


@router.get("/models", summary="The one model IdeaPump serves")
async def models(lib: Library = Depends(get_library)) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [
            {
                "id": MODEL_ID,
                "object": "model",
                "created": 0,
                "owned_by": "ideapump",
                "description": f"IdeaPump research collaborator on library {lib.name!r}",
            }
        ],
    }


def split_messages(body: OAIChatRequest) -> tuple[list[Turn], str]:
    turns = [Turn(m.role, m.text()) for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user" or not turns[-1].content.strip():
        raise InputError("the last message must be a non-empty user message")
    return turns[:-1], turns[-1].content


def _chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


@router.post(
    "/chat/completions",
    summary="Chat completion (OpenAI-compatible), streamed with stream=true",
    responses={200: {"description": "chat.completion, or SSE chat.completion.chunk + [DONE]"}},
)
async def chat_completions(
    body: OAIChatRequest,
    lib: Library = Depends(get_library),
    state: AppState = Depends(get_state),
) -> Any:
    history, message = split_messages(body)
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    collector = ReplyCollector()

    if not body.stream:
        with state.generations.slot():
            async for _event in reply_events(state, lib, history, message, collector):
                pass
        text = collector.content + references_text(collector.citations)
        return {
            "id": cid,
            "object": "chat.completion",
            "created": created,
            "model": MODEL_ID,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "citations": [c.model_dump() for c in collector.citations],
            "unsupported_removed": collector.unsupported_removed,
        }

    slot = state.generations.hold()

    async def stream() -> AsyncIterator[str]:
        try:
            yield _chunk(cid, created, {"role": "assistant", "content": ""}, None)
            async for event in reply_events(state, lib, history, message, collector):
                if event.type == "token":  # type: ignore[attr-defined]
                    yield _chunk(cid, created, {"content": event.text}, None)  # type: ignore[attr-defined]
        except Exception as exc:
            yield f"data: {json.dumps({'error': error_event(exc)})}\n\n"
            return
        finally:
            slot.release()  # as soon as the reply is generated; SlotStream makes sure of it
        if refs := references_text(collector.citations):
            yield _chunk(cid, created, {"content": refs}, None)
        yield _chunk(cid, created, {}, "stop")
        yield "data: [DONE]\n\n"

    return SlotStream(stream(), slot)
