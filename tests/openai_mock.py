"""Let respx mock the OpenAI SDK's HTTP traffic under openai>=3, which speaks httpx2.

respx patches ``httpx``; openai 3.x sends its requests through ``httpx2`` (an
API-identical fork). This registers a respx mocker named ``"httpx2"`` that
patches ``httpx2.Client._transport_for_url`` / ``AsyncClient._transport_for_url``
(the same hook respx's own ``httpx`` mocker uses), converts each httpx2 request
to an httpx request for the respx router, and converts the routed response (or
a side-effect exception such as ``httpx.ConnectError``) back to httpx2. Routes
are written with plain respx: ``respx.mock(using="httpx2")``.

``completion`` and ``sse`` build OpenAI chat-completion bodies (plain and streamed);
``documents`` reads the numbered documents out of a prompt, for every fake model here
(the respx fakes of tests/agent and tests/digest, and tests/fake_llm_server.py).
"""

from __future__ import annotations

import html
import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
import httpx2
from respx.mocks import Mocker

_DOC = re.compile(r'<document n="(\d+)"([^>]*)>\n(.*?)\n</document>', re.S)
_TITLE = re.compile(r'title="([^"]*)"')


@dataclass(frozen=True)
class Doc:
    n: int
    title: str
    text: str


def documents(prompt: str) -> list[Doc]:
    """The numbered ``<document n=.. title=..>`` entries of a prompt, in order (a title
    from the ``<paper title=..>`` around them where they carry none)."""
    found = []
    for m in _DOC.finditer(prompt):
        n, attrs, text = m.groups()
        # the chat's evidence names a paper once, on the <paper> around its documents
        paper = prompt.rfind("<paper ", 0, m.start())
        title = _TITLE.search(attrs) or (_TITLE.search(prompt, paper) if paper >= 0 else None)
        found.append(Doc(int(n), html.unescape(title.group(1)) if title else "", text))
    return found


def _to_httpx_request(request: httpx2.Request, body: bytes) -> httpx.Request:
    return httpx.Request(
        request.method, str(request.url), headers=list(request.headers.raw), content=body
    )


def _to_httpx2_response(
    response: httpx.Response, request: httpx2.Request, *, lazy: bool = False
) -> httpx2.Response:
    """``lazy``: a body given as a generator is passed on piece by piece, so a test
    can see what streams (a route's fixed body is read: respx reuses it on retries)."""
    lazy = lazy and not isinstance(response.stream, httpx.ByteStream)
    return httpx2.Response(
        response.status_code,
        headers=list(response.headers.raw),
        content=response.iter_raw() if lazy else response.read(),
        request=request,
    )


def _to_httpx2_error(exc: Exception, request: httpx2.Request) -> Exception:
    cls = getattr(httpx2, type(exc).__name__, None)
    if isinstance(exc, httpx.TransportError) and isinstance(cls, type):
        return cls(str(exc), request=request)
    return exc


class HTTPX2Mocker(Mocker):
    name = "httpx2"
    targets: ClassVar[list[str]] = ["httpx2._client.Client", "httpx2._client.AsyncClient"]
    target_methods: ClassVar[list[str]] = ["_transport_for_url"]

    @classmethod
    def mock(cls, spec: Any) -> Any:
        def _transport_for_url(self: Any, *args: Any, **kwargs: Any) -> Any:
            if inspect.iscoroutinefunction(self.request):

                async def ahandler(request: httpx2.Request) -> httpx2.Response:
                    body = await request.aread()
                    try:
                        response = await cls.async_handler(_to_httpx_request(request, body))
                    except httpx.TransportError as exc:
                        raise _to_httpx2_error(exc, request) from exc
                    return _to_httpx2_response(response, request)

                return httpx2.MockTransport(ahandler)

            def handler(request: httpx2.Request) -> httpx2.Response:
                body = request.read()
                try:
                    response = cls.handler(_to_httpx_request(request, body))
                except httpx.TransportError as exc:
                    raise _to_httpx2_error(exc, request) from exc
                return _to_httpx2_response(response, request, lazy=True)

            return httpx2.MockTransport(handler)

        return _transport_for_url


def completion(content: str, *, finish: str = "stop", **usage: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": usage.get("prompt", 12),
            "completion_tokens": usage.get("completion", 5),
            "total_tokens": usage.get("prompt", 12) + usage.get("completion", 5),
        },
    }


def sse(*pieces: str) -> bytes:
    """A streamed chat completion: one chunk per piece, a usage chunk, then [DONE]."""
    lines = []
    for i, piece in enumerate(pieces):
        delta: dict[str, Any] = {"content": piece}
        if i == 0:
            delta["role"] = "assistant"
        chunk = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "test-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
        lines.append(f"data: {json.dumps(chunk)}\n\n")
    final = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "test-model",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    }
    usage = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "test-model",
        "choices": [],
        "usage": {"prompt_tokens": 9, "completion_tokens": len(pieces), "total_tokens": 9},
    }
    lines.append(f"data: {json.dumps(final)}\n\n")
    lines.append(f"data: {json.dumps(usage)}\n\n")
    lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def embeddings_responder(
    vector: Callable[[str], list[float]],
) -> Callable[[httpx.Request], httpx.Response]:
    """A respx side effect for ``POST /embeddings``: one ``vector(text)`` per input."""

    def respond(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        data = [
            {"object": "embedding", "index": i, "embedding": vector(t)}
            for i, t in enumerate(body["input"])
        ]
        return httpx.Response(
            200,
            json={
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            },
        )

    return respond
