"""The one way IdeaPump builds a chat model: ``make_chat_model(settings, **overrides)``.

* ``IDEAPUMP_LLM__BASE_URL`` set: any OpenAI-compatible endpoint (OpenAI, vLLM,
  Ollama, llama.cpp's server, LM Studio...) with ``IDEAPUMP_LLM__MODEL`` and,
  where the endpoint needs one, ``IDEAPUMP_LLM__API_KEY``.
* unset: the offline default - IdeaPump starts (or reuses) its local llama.cpp
  server (:mod:`ideapump.llm.local`) and points the very same client at it.

Never a silent fallback: a missing setting, an unreachable endpoint or a bad key
is an error that names the setting to fix; IdeaPump does not quietly switch to
another provider or to the local model.

The returned model is a ``ChatOpenAI`` subclass whose calls (invoke, stream,
batch, their async twins, and everything LangChain builds on them) raise
IdeaPumpErrors instead of openai/httpx exceptions, and record the latency and
tokens/s of the last call under HOME for ``ideapump models``.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

import openai
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, PrivateAttr, ValidationError

from ideapump import sse
from ideapump.errors import ConfigError
from ideapump.llm import stats
from ideapump.llm.errors import Endpoint, amap_llm_errors, map_llm_errors
from ideapump.llm.model import MessagesLike
from ideapump.llm.structured import arun_structured, as_messages, run_structured, text_of

if TYPE_CHECKING:
    from ideapump.config import LLMSettings, Settings

T = TypeVar("T", bound=BaseModel)

#: Hosts that take ``max_completion_tokens`` only (sending ``max_tokens`` too is refused
#: for reasoning models there).
_OPENAI_HOSTS = ("api.openai.com", ".openai.azure.com")
_NO_KEY = "not-needed"  # servers without auth still want a non-empty bearer token


class IdeaPumpChatModel(ChatOpenAI):
    """``ChatOpenAI`` that raises IdeaPumpErrors and records per-call speed.

    It implements :class:`ideapump.llm.model.ChatModel` (``structured``,
    ``stream_text`` and their async twins), which is all the pipelines use.
    """

    _endpoint: Endpoint = PrivateAttr()
    _stats_file: Any = PrivateAttr(default=None)
    _llm_settings: Any = PrivateAttr(default=None)
    _json_schema_refused: bool = PrivateAttr(default=False)
    _calls: deque[dict[str, Any]] = PrivateAttr(default_factory=lambda: deque(maxlen=1000))

    @property
    def json_schema_refused(self) -> bool:
        """The endpoint refused ``response_format`` json_schema: ask in json mode from now on."""
        return self._json_schema_refused

    @json_schema_refused.setter
    def json_schema_refused(self, value: bool) -> None:
        self._json_schema_refused = value

    def structured(
        self,
        messages: MessagesLike,
        schema: type[T],
        *,
        retries: int | None = None,
        temperature: float | None = None,
    ) -> T:
        return run_structured(self, messages, schema, retries, temperature=temperature)

    async def astructured(
        self,
        messages: MessagesLike,
        schema: type[T],
        *,
        retries: int | None = None,
        temperature: float | None = None,
    ) -> T:
        return await arun_structured(self, messages, schema, retries, temperature=temperature)

    async def astream_text(self, messages: MessagesLike) -> AsyncIterator[str]:
        async for chunk in self.astream(as_messages(messages)):
            if text := text_of(chunk):
                yield text

    @property
    def calls(self) -> list[dict[str, Any]]:
        """This model's recent calls, oldest first: latency, tokens, and (llama.cpp) how many
        prompt tokens were read and how many came from the slot's prompt cache."""
        return list(self._calls)

    def _record(
        self,
        started: float,
        usage: dict[str, Any] | None,
        stream: bool,
        timings: dict[str, Any] | None = None,
        first_token_s: float | None = None,
    ) -> None:
        figures = stats.call_figures(
            endpoint=self._endpoint,
            latency_s=time.monotonic() - started,
            usage=usage or {},
            stream=stream,
            timings=timings,
            first_token_s=first_token_s,
        )
        self._calls.append(figures)
        if self._stats_file is not None:
            stats.record_call(self._stats_file, figures)

    def _create_chat_result(
        self,
        response: dict[str, Any] | openai.BaseModel,
        generation_info: dict[str, Any] | None = None,
    ) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        # llama.cpp's server adds `timings` (prompt tokens read, read from cache, written)
        # to its answer; keep them for the call's figures.
        raw = response if isinstance(response, dict) else (response.model_extra or {})
        if isinstance(raw.get("timings"), dict):
            result.llm_output = {**(result.llm_output or {}), "timings": raw["timings"]}
        return result

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        started = time.monotonic()
        with map_llm_errors(self._endpoint):
            result = super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)
        out = result.llm_output or {}
        self._record(started, out.get("token_usage"), stream=False, timings=out.get("timings"))
        return result

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        started = time.monotonic()
        async with amap_llm_errors(self._endpoint):
            result = await super()._agenerate(
                messages, stop=stop, run_manager=run_manager, **kwargs
            )
        out = result.llm_output or {}
        self._record(started, out.get("token_usage"), stream=False, timings=out.get("timings"))
        return result

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        started = time.monotonic()
        usage: dict[str, Any] = {}
        pieces = 0
        with map_llm_errors(self._endpoint):
            for chunk in super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs):
                pieces += 1
                meta = getattr(chunk.message, "usage_metadata", None)
                if meta:
                    usage = _usage_from_metadata(meta)
                yield chunk
        self._record(started, usage or {"completion_tokens": pieces}, stream=True)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        started = time.monotonic()
        usage: dict[str, Any] = {}
        pieces = 0
        async with amap_llm_errors(self._endpoint):
            async for chunk in super()._astream(
                messages, stop=stop, run_manager=run_manager, **kwargs
            ):
                pieces += 1
                meta = getattr(chunk.message, "usage_metadata", None)
                if meta:
                    usage = _usage_from_metadata(meta)
                yield chunk
        self._record(started, usage or {"completion_tokens": pieces}, stream=True)

    def stream_text(
        self, messages: MessagesLike, *, max_tokens: int | None = None
    ) -> Iterator[str]:
        """The reply's text pieces as they arrive, without LangChain's per-chunk objects.

        ``stream()`` builds an SDK model, dumps it to a dict, then makes a
        message chunk and a generation chunk and merges it into the reply so
        far, for every token: on 2 cores serving 32 streams that was most of
        the server's CPU (bench/serve.py). The request is the one ``stream()``
        sends, through the same client (time-out, retries before the first
        byte); errors, including an error event mid-stream, map as in ``stream()``.
        """
        started = time.monotonic()
        payload = self._get_request_payload(
            as_messages(messages), stream=True, stream_options={"include_usage": True}
        )
        if max_tokens is not None:
            _lower_token_cap(payload, max_tokens)
        usage: dict[str, Any] = {}
        timings: dict[str, Any] | None = None
        first: float | None = None
        pieces = 0
        with (
            map_llm_errors(self._endpoint),
            self.client.with_streaming_response.create(**payload) as response,
        ):
            for event in sse.parse(response.iter_lines()):
                if event.get("error"):
                    raise openai.APIError(
                        _error_message(event["error"]), response.http_request, body=event
                    )
                usage = event.get("usage") or usage
                timings = event.get("timings") or timings
                for choice in event.get("choices") or ():
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        if first is None:
                            first = time.monotonic() - started
                        pieces += 1
                        yield text
        self._record(
            started,
            usage or {"completion_tokens": pieces},
            stream=True,
            timings=timings,
            first_token_s=first,
        )

    @property
    def endpoint(self) -> Endpoint:
        return self._endpoint

    @property
    def llm_settings(self) -> LLMSettings:
        """The (overridden) LLM settings this model was built from."""
        return self._llm_settings


def _error_message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error)


def _usage_from_metadata(meta: Any) -> dict[str, Any]:
    return {
        "prompt_tokens": meta.get("input_tokens"),
        "completion_tokens": meta.get("output_tokens"),
    }


def is_openai_host(base_url: str) -> bool:
    host = (urlparse(base_url).hostname or "").lower()
    return any(host == h or (h.startswith(".") and host.endswith(h)) for h in _OPENAI_HOSTS)


def token_cap_kwargs(llm: LLMSettings, base_url: str) -> dict[str, Any]:
    """How to cap generation so that the server honours it.

    ``ChatOpenAI(max_tokens=N)`` goes out as ``max_completion_tokens``; older
    llama.cpp builds, Ollama and some proxies read only ``max_tokens``. Sending
    both with the same value is understood everywhere except OpenAI itself.
    """
    field = llm.token_cap_field
    if field == "auto":
        field = "max_completion_tokens" if is_openai_host(base_url) else "both"
    n = llm.max_output_tokens
    if field == "max_completion_tokens":
        return {"max_tokens": n}
    if field == "max_tokens":
        return {"extra_body": {"max_tokens": n}}
    return {"max_tokens": n, "extra_body": {"max_tokens": n}}


def _lower_token_cap(payload: dict[str, Any], n: int) -> None:
    """Cap a request below the setting's cap, in every field :func:`token_cap_kwargs` set."""
    for key in ("max_tokens", "max_completion_tokens"):
        if key in payload:
            payload[key] = min(payload[key] or n, n)
    extra = payload.get("extra_body")
    if isinstance(extra, dict) and "max_tokens" in extra:
        payload["extra_body"] = {**extra, "max_tokens": min(extra["max_tokens"] or n, n)}


def resolve_llm_settings(settings: Settings, **overrides: Any) -> LLMSettings:
    """``settings.llm`` with keyword overrides applied and validated."""
    if not overrides:
        return settings.llm
    unknown = set(overrides) - set(type(settings.llm).model_fields)
    if unknown:
        raise ConfigError(
            f"unknown LLM setting(s) {', '.join(sorted(unknown))}; valid ones are the fields "
            "of IDEAPUMP_LLM__*",
            setting="IDEAPUMP_LLM__" + sorted(unknown)[0].upper(),
        )
    try:
        return type(settings.llm).model_validate({**settings.llm.model_dump(), **overrides})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        raise ConfigError(
            f"invalid LLM setting {field}: {first['msg']}",
            setting=f"IDEAPUMP_LLM__{field.upper()}",
        ) from exc


def resolve_endpoint(settings: Settings, llm: LLMSettings) -> tuple[Endpoint, str]:
    """The endpoint to talk to and the API key to send; starts the local server if needed."""
    if llm.base_url:
        if not llm.model:
            raise ConfigError(
                f"IDEAPUMP_LLM__BASE_URL is set ({llm.base_url}) but IDEAPUMP_LLM__MODEL is not: "
                "name the model to use on that endpoint",
                setting="IDEAPUMP_LLM__MODEL",
            )
        parsed = urlparse(llm.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(
                f"IDEAPUMP_LLM__BASE_URL must be an http(s) URL, got {llm.base_url!r}",
                setting="IDEAPUMP_LLM__BASE_URL",
            )
        key = llm.api_key.get_secret_value() if llm.api_key else ""
        if not key and is_openai_host(llm.base_url):
            raise ConfigError(
                f"{llm.base_url} needs an API key: set IDEAPUMP_LLM__API_KEY",
                setting="IDEAPUMP_LLM__API_KEY",
            )
        return Endpoint(url=llm.base_url.rstrip("/"), model=llm.model), key or _NO_KEY
    if llm.api_key is not None or llm.model:
        which = "IDEAPUMP_LLM__API_KEY" if llm.api_key is not None else "IDEAPUMP_LLM__MODEL"
        raise ConfigError(
            f"{which} is set but IDEAPUMP_LLM__BASE_URL is not, so IdeaPump would run its "
            "offline model and ignore it. Set IDEAPUMP_LLM__BASE_URL (e.g. "
            "https://api.openai.com/v1) to use that endpoint, or unset "
            f"{which} to use the offline model ({llm.local_model})",
            setting="IDEAPUMP_LLM__BASE_URL",
        )
    from ideapump.llm.supervise import ensure_local_server

    server = ensure_local_server(settings if llm is settings.llm else _with_llm(settings, llm))
    endpoint = Endpoint(
        url=server.base_url, model=server.model, local=True, log_file=server.log_file
    )
    return endpoint, _NO_KEY


def _with_llm(settings: Settings, llm: LLMSettings) -> Settings:
    return settings.model_copy(update={"llm": llm})


def make_chat_model(settings: Settings, **overrides: Any) -> IdeaPumpChatModel:
    """A LangChain chat model for the configured endpoint or the offline default.

    ``overrides`` are LLMSettings fields for this model only, e.g.
    ``make_chat_model(settings, temperature=0, max_output_tokens=256)``.
    Raises ConfigError (naming the setting) when the configuration cannot work.
    """
    llm = resolve_llm_settings(settings, **overrides)
    endpoint, key = resolve_endpoint(settings, llm)
    model = IdeaPumpChatModel(
        model=endpoint.model,
        base_url=endpoint.url,
        api_key=key,
        temperature=llm.temperature,
        timeout=llm.timeout_s,
        max_retries=llm.max_retries,
        stream_usage=True,
        **token_cap_kwargs(llm, endpoint.url),
    )
    model._endpoint = endpoint
    model._stats_file = stats.stats_path(settings)
    model._llm_settings = llm
    return model
