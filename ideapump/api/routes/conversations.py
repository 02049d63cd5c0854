"""``/conversations``: create, list, get, delete; post a message and stream the reply (SSE)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from ideapump.api.chat import ChatContext, Turn, sse
from ideapump.api.deps import AppState, Caller, SlotStream, get_caller, get_library, get_state
from ideapump.api.errors import ERROR_RESPONSES, error_event
from ideapump.api.storage import ConversationRow, MessageRow
from ideapump.library import Library
from ideapump.results import StatsFinding
from ideapump.schemas import (
    Citation,
    CitationEvent,
    Conversation,
    ConversationCreate,
    ConversationDetail,
    DoneEvent,
    ErrorEvent,
    Message,
    MessageCreate,
    ProposalEvent,
    RankedProposal,
    StatsFindingEvent,
    TokenEvent,
)

router = APIRouter(prefix="/conversations", tags=["conversations"], responses=ERROR_RESPONSES)


def to_conversation(row: ConversationRow) -> Conversation:
    return Conversation(
        conv_id=row.conv_id,
        library=row.library,
        title=row.title,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def to_message(row: MessageRow) -> Message:
    extras = row.extras or {}
    return Message(
        message_id=row.msg_id,
        role=row.role,
        content=row.content,
        citations=extras.get("citations", []),
        proposals=extras.get("proposals", []),
        stats_findings=extras.get("stats_findings", []),
        error=extras.get("error"),
        created_at=row.created_at,
    )


class ReplyCollector:
    """Accumulates a reply's events into the text and extras that are stored with it."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.citations: list[Citation] = []
        self.proposals: list[RankedProposal] = []
        self.findings: list[StatsFinding] = []
        self.unsupported_removed = 0

    def add(self, event: BaseModel) -> None:
        if isinstance(event, TokenEvent):
            self.text.append(event.text)
        elif isinstance(event, CitationEvent):
            self.citations.append(Citation.model_validate(event.model_dump()))
        elif isinstance(event, ProposalEvent):
            self.proposals.append(event.proposal)
        elif isinstance(event, StatsFindingEvent):
            self.findings.append(event.finding)

    @property
    def content(self) -> str:
        return "".join(self.text)

    def extras(self) -> dict[str, Any]:
        return {
            "citations": [c.model_dump() for c in self.citations],
            "proposals": [p.model_dump(mode="json") for p in self.proposals],
            "stats_findings": [f.model_dump(mode="json") for f in self.findings],
        }


async def reply_events(
    state: AppState, lib: Library, history: list[Turn], message: str, collector: ReplyCollector
) -> AsyncIterator[BaseModel]:
    """Run the chat engine inside a generation slot (already taken by the caller)."""
    ctx = ChatContext(
        library=lib,
        model=state.chat_model,
        message=message,
        history=history,
        k=state.settings.server.search_k,
        context_size=state.settings.llm.context_size,
        max_output_tokens=state.settings.llm.max_output_tokens,
    )
    async for event in state.engine(ctx):
        collector.add(event)
        yield event
    collector.unsupported_removed = ctx.unsupported_removed


async def store_failed_reply(state: AppState, conv_id: str, error: dict[str, Any]) -> None:
    """Keep a failed reply as a marker: no text (what streamed is not a reply), the error.

    The user's message stays in the conversation with this marker after it, so the
    history shows the question went unanswered and why; the model never sees the
    marker (empty messages are left out of its history). If the database is what
    failed, the marker cannot be stored either, and the error event alone says so.
    """
    with contextlib.suppress(Exception):
        await asyncio.wrap_future(
            state.store.submit_message(conv_id, "assistant", "", {"error": error})
        )


@router.post("", response_model=Conversation, status_code=201, summary="Start a conversation")
async def create(
    body: ConversationCreate | None = None,
    caller: Caller = Depends(get_caller),
    state: AppState = Depends(get_state),
) -> Conversation:
    title = body.title if body else ""
    row = await asyncio.to_thread(state.store.create_conversation, caller.library, title)
    return to_conversation(row)


@router.get("", response_model=list[Conversation], summary="This library's conversations")
async def list_all(
    caller: Caller = Depends(get_caller), state: AppState = Depends(get_state)
) -> list[Conversation]:
    rows = await asyncio.to_thread(state.store.conversations, caller.library)
    return [to_conversation(r) for r in rows]


@router.get("/{conv_id}", response_model=ConversationDetail, summary="A conversation")
async def get(
    conv_id: str, caller: Caller = Depends(get_caller), state: AppState = Depends(get_state)
) -> ConversationDetail:
    row = await asyncio.to_thread(state.store.conversation, caller.library, conv_id)
    messages = await asyncio.to_thread(state.store.messages, conv_id)
    return ConversationDetail(
        **to_conversation(row).model_dump(), messages=[to_message(m) for m in messages]
    )


@router.delete("/{conv_id}", status_code=204, summary="Delete a conversation")
async def delete(
    conv_id: str, caller: Caller = Depends(get_caller), state: AppState = Depends(get_state)
) -> Response:
    await asyncio.to_thread(state.store.delete_conversation, caller.library, conv_id)
    return Response(status_code=204)


@router.post(
    "/{conv_id}/messages",
    summary="Send a message; the reply streams as Server-Sent Events",
    description="Events (`event:` name = `type`): `citation` {n, doc_id, title, page, quote}, "
    "`token` {text}, `proposal` {proposal}, `stats_finding` {finding}, then `done` "
    "{message_id, text, citations} or `error` {error: {type, message, retry}}. The user "
    "message and the reply are stored with the conversation; a reply that failed is stored "
    "as a marker (empty content, `error` set), never as half a reply.",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"example": sse(DoneEvent(text="..."))}}}},
)
async def post_message(
    conv_id: str,
    body: MessageCreate,
    request: Request,
    caller: Caller = Depends(get_caller),
    lib: Library = Depends(get_library),
    state: AppState = Depends(get_state),
) -> StreamingResponse:
    earlier = await asyncio.to_thread(state.store.history, caller.library, conv_id)
    history = [Turn(role, content) for role, content in earlier if content]
    slot = state.generations.hold()  # 503 busy before the stream starts, over the cap
    try:
        await asyncio.wrap_future(state.store.submit_message(conv_id, "user", body.content))
    except BaseException:
        slot.release()
        raise

    async def stream() -> AsyncIterator[str]:
        collector = ReplyCollector()
        try:
            async for event in reply_events(state, lib, history, body.content, collector):
                yield sse(event)
        except Exception as exc:
            error = error_event(exc)
            await store_failed_reply(state, conv_id, error)
            yield sse(ErrorEvent(error=error))
            return
        finally:
            slot.release()  # as soon as the reply is generated; SlotStream makes sure of it
        try:
            row = await asyncio.wrap_future(
                state.store.submit_message(
                    conv_id, "assistant", collector.content, collector.extras()
                )
            )
        except Exception as exc:  # the database went away: the reply is not stored
            yield sse(ErrorEvent(error=error_event(exc)))
            return
        yield sse(
            DoneEvent(
                message_id=row.msg_id,
                text=collector.content,
                citations=collector.citations,
                unsupported_removed=collector.unsupported_removed,
            )
        )

    return SlotStream(stream(), slot)
