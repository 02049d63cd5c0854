"""OpenAI-compatible ``/v1/models`` and ``/v1/chat/completions`` (streaming and not).

Open WebUI, LibreChat and the ``openai`` SDK use IdeaPump as a model called
``ideapump``. The conversation is the request's ``messages`` (stateless, as
those clients expect); the client's own system messages are ignored, because
IdeaPump's persona and data rules come first. Errors use the same
``{"error": {"type", "message"}}`` shape, which the OpenAI SDK reads.

Citations reach each client in the form it shows:

* the text always ends with numbered references (title, page): LibreChat and any
  plain client show those;
* each citation ``[n]``, once its marker has streamed, gets a chunk carrying
  (a) a top-level ``event`` of type ``source`` as Open WebUI's stream handler
  passes to its citation list (``{"source", "document": [quote], "metadata":
  [{"source": link, "name", "page"}]}``; Open WebUI's pages are 0-based), and
  (b) the same citation as a ``choices[0].delta.annotations`` entry of type
  ``url_citation`` (OpenAI's format, with the marker's character span);
* non-streaming, the message carries the same ``annotations``.

Each link opens the cited page of the document in IdeaPump's chat page
(``/?doc=<id>&page=<p>&n=<n>&q=<quote>``), under ``IDEAPUMP_SERVER__PUBLIC_URL``
when set (the address users' browsers reach), else the address the request
came to. Links are distinct per citation because Open WebUI numbers its sources
by their link: its ``[n]`` then opens the right one.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request

from ideapump.api.chat import Turn, references_text
from ideapump.api.deps import AppState, SlotStream, get_library, get_state
from ideapump.api.errors import ERROR_RESPONSES, error_event
from ideapump.api.routes.conversations import ReplyCollector, reply_events
from ideapump.errors import InputError
from ideapump.library import Library
from ideapump.schemas import Citation, OAIChatRequest

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


def _chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None, **top: Any) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **top,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def public_base(state: AppState, request: Request) -> str:
    return (state.settings.server.public_url or str(request.base_url)).rstrip("/")


def citation_link(base: str, c: Citation) -> str:
    """The cited page in IdeaPump's chat page; ``q`` (the quote's start) is marked there."""
    quote = " ".join(c.quote.split())
    if len(quote) > 160:
        quote = quote[:160].rsplit(" ", 1)[0]
    query = urlencode({"doc": c.doc_id, "page": c.page, "n": c.n, "q": quote})
    return f"{base}/?{query}"


def url_citation(c: Citation, link: str, span: tuple[int, int]) -> dict[str, Any]:
    """OpenAI's annotation for a cited passage: the link, and where ``[n]`` is in the text."""
    return {
        "type": "url_citation",
        "url_citation": {
            "url": link,
            "title": f"{c.title}, p. {c.page}",
            "start_index": span[0],
            "end_index": span[1],
        },
    }


def source_event(c: Citation, link: str) -> dict[str, Any]:
    """Open WebUI's ``source`` event for a cited passage (its pages count from 0)."""
    return {
        "type": "source",
        "data": {
            "source": {"id": link, "name": c.title, "url": link},
            "document": [c.quote],
            "metadata": [
                {
                    "source": link,
                    "name": c.title,
                    "page": c.page - 1,
                    "doc_id": c.doc_id,
                    "citation": c.n,
                    # keeps the title as the source's name (Open WebUI would show the URL)
                    "external": True,
                }
            ],
        },
    }


class CitationSpans:
    """Citations waiting for their ``[n]`` to appear in the text, to point at it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.text = ""
        self.waiting: list[Citation] = []

    def add_text(self, piece: str) -> None:
        self.text += piece

    def ready(self, refs_from: int | None = None) -> list[tuple[Citation, str, tuple[int, int]]]:
        """Citations whose marker is now in the text (with ``refs_from``, in the references)."""
        out, left = [], []
        for c in self.waiting:
            marker = f"[{c.n}]"
            at = self.text.find(marker, refs_from or 0)
            if at < 0:
                left.append(c)
            else:
                out.append((c, citation_link(self.base, c), (at, at + len(marker))))
        self.waiting = left
        return out


def annotations_for(text: str, citations: list[Citation], base: str) -> list[dict[str, Any]]:
    """The annotations of a whole reply: each citation at its first marker."""
    spans = CitationSpans(base)
    spans.add_text(text)
    spans.waiting = list(citations)
    return [url_citation(c, link, span) for c, link, span in spans.ready()]


@router.post(
    "/chat/completions",
    summary="Chat completion (OpenAI-compatible), streamed with stream=true",
    responses={200: {"description": "chat.completion, or SSE chat.completion.chunk + [DONE]"}},
)
async def chat_completions(
    body: OAIChatRequest,
    request: Request,
    lib: Library = Depends(get_library),
    state: AppState = Depends(get_state),
) -> Any:
    history, message = split_messages(body)
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    collector = ReplyCollector()
    base = public_base(state, request)

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
                    "message": {
                        "role": "assistant",
                        "content": text,
                        "annotations": annotations_for(text, collector.citations, base),
                    },
                    "finish_reason": "stop",
                }
            ],
            "citations": [c.model_dump() for c in collector.citations],
            "unsupported_removed": collector.unsupported_removed,
        }

    slot = state.generations.hold()
    spans = CitationSpans(base)

    def cited(found: list[tuple[Citation, str, tuple[int, int]]]) -> list[str]:
        return [
            _chunk(
                cid,
                created,
                {"annotations": [url_citation(c, link, span)]},
                None,
                event=source_event(c, link),
            )
            for c, link, span in found
        ]

    async def stream() -> AsyncIterator[str]:
        try:
            yield _chunk(cid, created, {"role": "assistant", "content": ""}, None)
            async for event in reply_events(state, lib, history, message, collector):
                kind = getattr(event, "type", "")
                if kind == "token":
                    text: str = event.text  # type: ignore[attr-defined]
                    spans.add_text(text)
                    yield _chunk(cid, created, {"content": text}, None)
                elif kind == "citation":
                    spans.waiting.append(collector.citations[-1])
                else:
                    continue
                for chunk in cited(spans.ready()):
                    yield chunk
        except Exception as exc:
            yield f"data: {json.dumps({'error': error_event(exc)})}\n\n"
            return
        finally:
            slot.release()  # as soon as the reply is generated; SlotStream makes sure of it
        if refs := references_text(collector.citations):
            start = len(spans.text)
            spans.add_text(refs)
            yield _chunk(cid, created, {"content": refs}, None)
            for chunk in cited(spans.ready(refs_from=start)):  # cited without a marker
                yield chunk
        yield _chunk(cid, created, {}, "stop")
        yield "data: [DONE]\n\n"

    return SlotStream(stream(), slot)
