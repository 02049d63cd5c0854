"""make_chat_model against a respx-mocked OpenAI HTTP API: requests, streaming, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx

from ideapump.config import Settings, get_settings
from ideapump.errors import (
    ConfigError,
    LLMAuthError,
    LLMContextError,
    LLMError,
    LLMRateLimitError,
    LLMTimeoutError,
    LLMUnavailableError,
)
from ideapump.llm import astream_text, make_chat_model, stream_text
from ideapump.llm.stats import last_call
from tests.openai_mock import completion, sse
from tests.servers import fake_llm

FAST_RETRY = {"retry-after-ms": "1"}  # the openai client honours it instead of ~0.5-8 s backoff


def _body(call: respx.models.Call) -> dict:
    return json.loads(call.request.content)


def test_round_trip_request_and_reply(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").respond(json=completion("Hello there", completion=2))
    llm = make_chat_model(settings)
    reply = llm.invoke([("system", "You are terse."), ("user", "Hi")])

    assert reply.content == "Hello there"
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer sk-test"
    body = _body(route.calls.last)
    assert body["model"] == "test-model"
    assert body["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Hi"},
    ]
    assert body["temperature"] == 0.3
    # the cap goes out in both fields: llama.cpp/vLLM/Ollama read max_tokens
    assert body["max_completion_tokens"] == 77
    assert body["max_tokens"] == 77
    stats = last_call(settings)
    assert stats is not None
    assert stats["model"] == "test-model" and stats["completion_tokens"] == 2


def test_overrides_apply_to_one_model(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").respond(json=completion("ok"))
    make_chat_model(settings, temperature=0.0, max_output_tokens=16).invoke("x")
    body = _body(route.calls.last)
    assert body["temperature"] == 0.0
    assert body["max_tokens"] == body["max_completion_tokens"] == 16
    with pytest.raises(ConfigError) as exc:
        make_chat_model(settings, max_output_tokens=1)
    assert exc.value.setting == "IDEAPUMP_LLM__MAX_OUTPUT_TOKENS"
    with pytest.raises(ConfigError):
        make_chat_model(settings, nonsense=1)


def test_openai_host_gets_max_completion_tokens_only() -> None:
    settings = get_settings(
        llm={"base_url": "https://api.openai.com/v1", "model": "gpt-4o-mini", "api_key": "k"}
    )
    with respx.mock(using="httpx2") as router:
        route = router.post("https://api.openai.com/v1/chat/completions").respond(
            json=completion("ok")
        )
        make_chat_model(settings).invoke("x")
    body = _body(route.calls.last)
    assert body["max_completion_tokens"] == 1024
    assert "max_tokens" not in body


def test_streaming_yields_tokens(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").respond(
        content=sse("Nor", "adrenaline", " rises."),
        headers={"content-type": "text/event-stream"},
    )
    pieces = list(stream_text(make_chat_model(settings), "Say something"))
    assert pieces == ["Nor", "adrenaline", " rises."]
    body = _body(route.calls.last)
    assert body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "Say something"}]
    stats = last_call(settings)
    assert stats is not None and stats["stream"] is True and stats["completion_tokens"] == 3


def test_each_piece_arrives_before_the_rest_is_sent(
    settings: Settings, api: respx.MockRouter
) -> None:
    received: list[str] = []
    seen_when_sending: list[list[str]] = []

    def body() -> Iterator[bytes]:
        for event in sse("first", " second", " third").split(b"\n\n"):
            seen_when_sending.append(list(received))
            yield event + b"\n\n"

    api.post("/chat/completions").mock(
        return_value=httpx.Response(
            200, content=body(), headers={"content-type": "text/event-stream"}
        )
    )
    for piece in stream_text(make_chat_model(settings), "x"):
        received.append(piece)
    assert received == ["first", " second", " third"]
    # the reader had the first piece in hand before the second was sent: no buffering
    assert seen_when_sending[1] == ["first"]


def test_streaming_sends_the_token_cap_and_reads_usage(
    settings: Settings, api: respx.MockRouter
) -> None:
    route = api.post("/chat/completions").respond(
        content=sse("one", " two"), headers={"content-type": "text/event-stream"}
    )
    assert list(stream_text(make_chat_model(settings, max_output_tokens=16), "x")) == [
        "one",
        " two",
    ]
    body = _body(route.calls.last)
    assert body["max_tokens"] == 16 and body["stream_options"] == {"include_usage": True}
    stats = last_call(settings)
    assert stats is not None and stats["prompt_tokens"] is not None


def test_a_stream_can_ask_for_a_lower_cap_never_a_higher_one(
    settings: Settings, api: respx.MockRouter
) -> None:
    route = api.post("/chat/completions").respond(
        content=sse("one"), headers={"content-type": "text/event-stream"}
    )
    model = make_chat_model(settings, max_output_tokens=64, token_cap_field="both")
    list(stream_text(model, "x", max_tokens=16))
    assert _body(route.calls.last)["max_tokens"] == 16  # both fields carry the lower cap
    list(stream_text(model, "x", max_tokens=500))
    assert _body(route.calls.last)["max_tokens"] == 64
    openai_host = make_chat_model(
        settings, max_output_tokens=64, token_cap_field="max_completion_tokens"
    )
    list(stream_text(openai_host, "x", max_tokens=16))
    body = _body(route.calls.last)
    assert body["max_completion_tokens"] == 16 and "max_tokens" not in body


def test_an_error_event_mid_stream_is_an_error_not_a_short_reply(
    settings: Settings, api: respx.MockRouter
) -> None:
    broken = sse("Half a").split(b"\n\n")[0] + b"\n\n"
    broken += b'data: {"error": {"message": "the model crashed (out of memory)"}}\n\n'
    api.post("/chat/completions").respond(
        content=broken, headers={"content-type": "text/event-stream"}
    )
    got: list[str] = []
    with pytest.raises(LLMError) as exc:
        got.extend(stream_text(make_chat_model(settings), "x"))
    assert got == ["Half a"]
    assert "out of memory" in str(exc.value)


def test_a_refused_stream_names_the_setting(settings: Settings, api: respx.MockRouter) -> None:
    api.post("/chat/completions").respond(401, json={"error": {"message": "bad key"}})
    with pytest.raises(LLMAuthError) as exc:
        list(stream_text(make_chat_model(settings), "x"))
    assert exc.value.setting == "IDEAPUMP_LLM__API_KEY"


def test_async_streaming(settings: Settings, api: respx.MockRouter) -> None:
    api.post("/chat/completions").respond(
        content=sse("a", "b"), headers={"content-type": "text/event-stream"}
    )

    async def collect() -> list[str]:
        return [piece async for piece in astream_text(make_chat_model(settings), [("user", "go")])]

    assert asyncio.run(collect()) == ["a", "b"]


# -- configuration errors: raised before any request ------------------------------


def test_openai_without_key_names_the_key_setting() -> None:
    settings = get_settings(llm={"base_url": "https://api.openai.com/v1", "model": "gpt-4o"})
    with pytest.raises(ConfigError) as exc:
        make_chat_model(settings)
    assert exc.value.setting == "IDEAPUMP_LLM__API_KEY"
    assert "IDEAPUMP_LLM__API_KEY" in str(exc.value)


def test_base_url_without_model() -> None:
    with pytest.raises(ConfigError) as exc:
        make_chat_model(get_settings(llm={"base_url": "http://llm.test/v1"}))
    assert exc.value.setting == "IDEAPUMP_LLM__MODEL"


def test_key_without_base_url_is_not_silently_ignored() -> None:
    """A key meant for an endpoint must not quietly fall back to the offline model."""
    with pytest.raises(ConfigError) as exc:
        make_chat_model(get_settings(llm={"api_key": "sk-live"}))
    assert exc.value.setting == "IDEAPUMP_LLM__BASE_URL"
    assert "offline" in str(exc.value)


def test_keyless_local_endpoint_is_allowed(api: respx.MockRouter) -> None:
    settings = get_settings(llm={"base_url": "http://llm.test/v1", "model": "m"})
    route = api.post("/chat/completions").respond(json=completion("ok"))
    assert make_chat_model(settings).invoke("x").content == "ok"
    assert route.calls.last.request.headers["authorization"] == "Bearer not-needed"


# -- HTTP failures become IdeaPumpErrors naming the setting ------------------------


def test_connection_refused(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(LLMUnavailableError) as exc:
        make_chat_model(settings, max_retries=0).invoke("x")
    assert exc.value.setting == "IDEAPUMP_LLM__BASE_URL"
    assert "http://llm.test/v1" in str(exc.value)
    assert route.call_count == 1


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors(settings: Settings, api: respx.MockRouter, status: int) -> None:
    route = api.post("/chat/completions").respond(
        status, json={"error": {"message": "Incorrect API key provided", "type": "auth"}}
    )
    with pytest.raises(LLMAuthError) as exc:
        make_chat_model(settings).invoke("x")
    assert exc.value.setting == "IDEAPUMP_LLM__API_KEY"
    assert "Incorrect API key" in str(exc.value)
    assert route.call_count == 1  # never retried


def test_rate_limit_retries_then_fails(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").respond(
        429, json={"error": {"message": "slow down"}}, headers=FAST_RETRY
    )
    with pytest.raises(LLMRateLimitError) as exc:
        make_chat_model(settings).invoke("x")
    assert route.call_count == 3  # the first try and max_retries=2 retries
    assert exc.value.setting == "IDEAPUMP_LLM__MAX_RETRIES"
    assert exc.value.retryable


def test_rate_limit_then_success(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(429, json={"error": {"message": "slow down"}}, headers=FAST_RETRY),
            httpx.Response(200, json=completion("made it")),
        ]
    )
    assert make_chat_model(settings).invoke("x").content == "made it"
    assert route.call_count == 2


def test_server_error(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").respond(
        500, json={"error": {"message": "boom"}}, headers=FAST_RETRY
    )
    with pytest.raises(LLMUnavailableError) as exc:
        make_chat_model(settings).invoke("x")
    assert route.call_count == 3
    assert exc.value.setting == "IDEAPUMP_LLM__BASE_URL"
    assert "500" in str(exc.value)


def test_timeout(settings: Settings, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(LLMTimeoutError) as exc:
        make_chat_model(settings, max_retries=1).invoke("x")
    assert exc.value.setting == "IDEAPUMP_LLM__TIMEOUT_S"
    assert route.call_count == 2


@pytest.mark.parametrize(
    "error",
    [
        {  # llama.cpp server
            "code": 400,
            "message": "request (9000 tokens) exceeds the available context size (8192 tokens), "
            "try increasing it",
            "type": "exceed_context_size_error",
        },
        {  # OpenAI
            "message": "This model's maximum context length is 128000 tokens. However, your "
            "messages resulted in 130000 tokens.",
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
        },
    ],
    ids=["llama.cpp", "openai"],
)
def test_context_too_long(settings: Settings, api: respx.MockRouter, error: dict) -> None:
    api.post("/chat/completions").respond(400, json={"error": error})
    with pytest.raises(LLMContextError) as exc:
        make_chat_model(settings).invoke("x")
    assert exc.value.setting == "IDEAPUMP_LLM__CONTEXT_SIZE"


def test_other_bad_request_is_not_a_context_error(
    settings: Settings, api: respx.MockRouter
) -> None:
    api.post("/chat/completions").respond(404, json={"error": {"message": "model not found"}})
    with pytest.raises(LLMError) as exc:
        make_chat_model(settings).invoke("x")
    assert not isinstance(exc.value, LLMContextError)
    assert exc.value.setting == "IDEAPUMP_LLM__MODEL"


def test_errors_are_mapped_in_async_calls(settings: Settings, api: respx.MockRouter) -> None:
    api.post("/chat/completions").respond(401, json={"error": {"message": "bad key"}})
    with pytest.raises(LLMAuthError):
        asyncio.run(make_chat_model(settings).ainvoke("x"))


def test_errors_are_mapped_while_streaming(settings: Settings, api: respx.MockRouter) -> None:
    api.post("/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(LLMUnavailableError):
        list(stream_text(make_chat_model(settings, max_retries=0), "x"))


def test_streamed_replies_share_one_connection(tmp_path: Path) -> None:
    # A real server: a connection closed before the end of its body is not reused, and
    # every reply then paid for a new one (a TLS handshake, with a remote model).
    with fake_llm(tokens_per_s=2000, tokens=5, prefill_s=0.0) as url:
        llm = make_chat_model(
            get_settings(
                home=tmp_path / "home",
                llm={"base_url": url, "model": "fake", "api_key": "sk-x", "max_retries": 0},
            )
        )
        for tag in ("bench-1", "bench-2"):
            assert "".join(stream_text(llm, f"Say hello ({tag})")).strip()
        timings = httpx.get(url.removesuffix("/v1") + "/_timings").json()
    assert timings["1"]["client_port"] == timings["2"]["client_port"]


LLAMA_TIMINGS = {"cache_n": 700, "prompt_n": 120, "prompt_ms": 2400.0, "predicted_n": 5}


def test_llama_cpp_timings_say_how_much_of_the_prompt_came_from_cache(
    settings: Settings, api: respx.MockRouter
) -> None:
    """llama.cpp reports the prompt tokens it read and those its slot's cache held."""
    reply = {**completion("ok", prompt=820, completion=5), "timings": LLAMA_TIMINGS}
    api.post("/chat/completions").respond(json=reply)
    llm = make_chat_model(settings)
    llm.invoke("x")
    (call,) = llm.calls
    assert (call["prompt_tokens"], call["prompt_read"], call["prompt_cached"]) == (820, 120, 700)
    assert call["prompt_ms"] == 2400.0

    streamed = sse("a", "b").replace(
        b'"usage": {', b'"timings": ' + json.dumps(LLAMA_TIMINGS).encode() + b', "usage": {'
    )
    api.post("/chat/completions").respond(
        content=streamed, headers={"content-type": "text/event-stream"}
    )
    assert "".join(stream_text(llm, "y")) == "ab"
    last = llm.calls[-1]
    assert last["stream"] and last["prompt_cached"] == 700 and last["first_token_s"] is not None
    # an endpoint without timings (OpenAI, vLLM) leaves the cache figures out
    api.post("/chat/completions").respond(json=completion("plain"))
    llm.invoke("z")
    assert "prompt_cached" not in llm.calls[-1]
