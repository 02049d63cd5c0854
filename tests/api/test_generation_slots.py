"""Streamed replies give their generation slot back even when the client leaves before the reply.

Clients send a message and hang up before the first byte of the response more
times than the cap (``CAP``); afterwards a new message still gets a slot and a
reply, not 503 busy. Twice over: at the ASGI level, where a server following
ASGI 2.4 reports the hang-up by raising ``OSError`` from ``send`` (the reply's
generator then never starts), and under uvicorn in a thread, hanging up before
the response's headers or after them while the model is still thinking. The
model is the OpenAI HTTP API mocked at the transport.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx
import uvicorn

from ideapump.api import create_app
from ideapump.config import Settings
from tests import openai_mock
from tests.api.conftest import echo, parse_sse, upload
from tests.servers import free_port

CAP = 2
NOTE = "# Sleep study\n\nSleep after learning improved recall of word pairs by 12% (n = 40)."
QUESTION = "What does sleep after learning do to recall?"
ANSWER = echo(NOTE.split("\n\n")[1])  # the default model repeats the evidence, cited
OPENAI = {"model": "ideapump", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}


@pytest.fixture
def capped(settings: Settings) -> Settings:
    server = settings.server.model_copy(update={"max_concurrent_generations": CAP})
    return settings.model_copy(update={"server": server})


def openai_text(body: str) -> str:
    chunks = [payload for _, payload in parse_sse(body)]
    return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)


# -- ASGI 2.4: send raises once the client is gone ---------------------------------------


async def hang_up_before_first_byte(app: Any, path: str, body: dict[str, Any]) -> list[str]:
    """POST ``body`` as a client that is gone before the response starts; what the app sent."""
    payload = json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"ideapump.test"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("ideapump.test", 80),
    }
    incoming = [{"type": "http.request", "body": payload, "more_body": False}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])
        raise OSError("the client closed the connection")

    with contextlib.suppress(Exception):  # the app may report the lost client
        await app(scope, receive, send)
    return sent


@pytest.fixture
async def capped_client(
    capped: Settings, embeddings: Any, llm: respx.MockRouter
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_app(capped, embeddings=embeddings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ideapump.test") as c:
        yield app, c


@pytest.mark.anyio
async def test_conversation_abandoned_before_the_first_byte_gives_its_slot_back(
    capped_client: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = capped_client
    await upload(client, "sleep.md", NOTE)
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    path = f"/conversations/{conv}/messages"
    for _ in range(CAP + 2):
        sent = await hang_up_before_first_byte(app, path, {"content": QUESTION})
        assert sent == ["http.response.start"]  # the client never got a byte
    r = await client.post(path, json={"content": QUESTION})
    assert r.status_code == 200, r.text  # not 503 busy: every abandoned slot came back
    events = parse_sse(r.text)
    assert events[-1][0] == "done" and events[-1][1]["text"] == ANSWER


@pytest.mark.anyio
async def test_openai_stream_abandoned_before_the_first_byte_gives_its_slot_back(
    capped_client: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = capped_client
    await upload(client, "sleep.md", NOTE)
    for _ in range(CAP + 2):
        sent = await hang_up_before_first_byte(app, "/v1/chat/completions", OPENAI)
        assert sent == ["http.response.start"]
    r = await client.post("/v1/chat/completions", json=OPENAI)
    assert r.status_code == 200, r.text
    assert openai_text(r.text).startswith(ANSWER)


@pytest.mark.anyio
async def test_a_finished_reply_gives_back_only_its_own_slot(
    capped_client: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = capped_client
    await upload(client, "sleep.md", NOTE)
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    path = f"/conversations/{conv}/messages"
    slots = app.state.ideapump.generations
    in_progress = slots.hold()  # another reply, still being generated
    assert (await client.post(path, json={"content": QUESTION})).status_code == 200
    also_in_progress = slots.hold()
    # two replies are still being generated: the cap of two is reached
    assert (await client.post(path, json={"content": QUESTION})).status_code == 503
    in_progress.release()
    in_progress.release()  # giving a slot back twice frees it once
    assert (await client.post(path, json={"content": QUESTION})).status_code == 200
    assert (await client.post("/v1/chat/completions", json=OPENAI)).status_code == 200
    assert slots.active == 1
    also_in_progress.release()


# -- uvicorn: a real socket closed early ---------------------------------------------------


@pytest.fixture
def slow_llm(llm: respx.MockRouter) -> respx.MockRouter:
    """The model takes a while before its first token, as a loaded local model does."""

    def answer(_request: httpx.Request) -> httpx.Response:
        time.sleep(0.3)
        return httpx.Response(
            200,
            content=openai_mock.sse(*ANSWER.partition(" recall")),
            headers={"content-type": "text/event-stream"},
        )

    llm.post("/chat/completions").mock(side_effect=answer)
    return llm


@pytest.fixture
def server(capped: Settings, embeddings: Any, slow_llm: respx.MockRouter) -> Iterator[Any]:
    """(base URL, port, app) of the app served by uvicorn in a thread, CAP generations at once."""
    app = create_app(capped, embeddings=embeddings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}", port, app
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def hang_up_early(port: int, path: str, body: dict[str, Any], *, after_headers: bool) -> None:
    """POST ``body`` and close the connection before the reply's first event."""
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + payload)
        if after_headers:
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = sock.recv(4096)
                assert chunk, "the server closed the connection before its headers"
                received += chunk
            assert received.startswith(b"HTTP/1.1 200"), received[:200]
            assert b"event:" not in received and b"data:" not in received  # no event yet


def wait_until_idle(app: Any, timeout: float = 20.0) -> int:
    """The number of generation slots still held once they are all back, or at the timeout."""
    slots = app.state.ideapump.generations
    deadline = time.monotonic() + timeout
    while slots.active and time.monotonic() < deadline:
        time.sleep(0.05)
    return int(slots.active)


@pytest.mark.parametrize("after_headers", [False, True], ids=["before-headers", "after-headers"])
def test_conversation_abandoned_on_a_real_socket_gives_its_slot_back(
    server: Any, after_headers: bool
) -> None:
    base, port, app = server
    with httpx.Client(base_url=base, timeout=60) as http:
        files = [("files", ("sleep.md", NOTE.encode(), "text/markdown"))]
        assert http.post("/documents", files=files).status_code == 200
        conv = http.post("/conversations", json={}).json()["conv_id"]
        path = f"/conversations/{conv}/messages"
        for _ in range(CAP + 2):
            hang_up_early(port, path, {"content": QUESTION}, after_headers=after_headers)
        # each abandoned message took a slot (its user message is stored right after) ...
        store = app.state.ideapump.store
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if [m.role for m in store.messages(conv)].count("user") == CAP + 2:
                break
            time.sleep(0.05)
        # ... and gave it back
        assert wait_until_idle(app) == 0

        r = http.post(path, json={"content": QUESTION})
        assert r.status_code == 200, r.text  # not 503 busy: every abandoned slot came back
        events = parse_sse(r.text)
        assert events[-1][0] == "done" and events[-1][1]["text"] == ANSWER
