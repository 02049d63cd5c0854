"""Turn what the OpenAI client (and the HTTP layer below it) raises into IdeaPumpErrors.

Every mapped error names the setting that fixes it, so a user reading one line
knows what to change:

==========================================  =====================  ==============================
what happened                               IdeaPumpError          setting named
==========================================  =====================  ==============================
connection refused / DNS / reset            LLMUnavailableError    IDEAPUMP_LLM__BASE_URL
5xx (after the client's retries)            LLMUnavailableError    IDEAPUMP_LLM__BASE_URL
no answer in time (after retries)           LLMTimeoutError        IDEAPUMP_LLM__TIMEOUT_S
401 / 403                                   LLMAuthError           IDEAPUMP_LLM__API_KEY
429 (after retries)                         LLMRateLimitError      IDEAPUMP_LLM__MAX_RETRIES
prompt longer than the context              LLMContextError        IDEAPUMP_LLM__CONTEXT_SIZE
404 unknown model                           LLMError               IDEAPUMP_LLM__MODEL
other 4xx                                   LLMError               IDEAPUMP_LLM__MODEL
==========================================  =====================  ==============================

For the offline default (no base URL) the local server is IdeaPump's own, so
"unreachable" points at ``IDEAPUMP_LLM__LOCAL_MODEL`` and the server log instead.
Retries with exponential backoff (honouring ``Retry-After``) are the openai
client's own, bounded by ``IDEAPUMP_LLM__MAX_RETRIES``; by the time an error gets
here they are spent.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

import httpx
import openai

from ideapump.errors import (
    IdeaPumpError,
    LLMAuthError,
    LLMContextError,
    LLMError,
    LLMOutputError,
    LLMRateLimitError,
    LLMTimeoutError,
    LLMUnavailableError,
)

try:  # openai>=3 speaks httpx2; mid-stream failures surface as its exceptions
    import httpx2 as _httpx2

    _HTTP_ERRORS: tuple[type[BaseException], ...] = (httpx.HTTPError, _httpx2.HTTPError)
    _HTTP_TIMEOUTS: tuple[type[BaseException], ...] = (
        httpx.TimeoutException,
        _httpx2.TimeoutException,
    )
except ImportError:  # pragma: no cover - openai<3
    _HTTP_ERRORS = (httpx.HTTPError,)
    _HTTP_TIMEOUTS = (httpx.TimeoutException,)

BASE_URL = "IDEAPUMP_LLM__BASE_URL"
API_KEY = "IDEAPUMP_LLM__API_KEY"
MODEL = "IDEAPUMP_LLM__MODEL"
TIMEOUT = "IDEAPUMP_LLM__TIMEOUT_S"
RETRIES = "IDEAPUMP_LLM__MAX_RETRIES"
CONTEXT = "IDEAPUMP_LLM__CONTEXT_SIZE"
LOCAL_MODEL = "IDEAPUMP_LLM__LOCAL_MODEL"
MAX_OUTPUT = "IDEAPUMP_LLM__MAX_OUTPUT_TOKENS"

#: Context-overflow wordings: OpenAI / vLLM ("maximum context length", code
#: context_length_exceeded), llama.cpp ("exceeds the available context size",
#: type exceed_context_size_error), Anthropic-style proxies ("prompt is too long"),
#: LiteLLM ("ContextWindowExceededError"), others.
_CONTEXT_PATTERNS = re.compile(
    r"context_length_exceeded|exceed_context_size|maximum context length|context length"
    r"|exceeds? the (?:available )?context|context (?:size|window)|prompt is too long"
    r"|ContextWindowExceeded|too many tokens|input tokens exceed",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Endpoint:
    """What an error message needs to know about the endpoint that failed."""

    url: str
    model: str
    local: bool = False
    log_file: str | None = None

    def where(self) -> str:
        return (
            f"the local model server ({self.model} at {self.url})"
            if self.local
            else (f"the model endpoint {self.url} (model {self.model})")
        )


def _detail(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:300]
        if isinstance(err, str):
            return err[:300]
    message = getattr(exc, "message", None) or str(exc)
    return str(message)[:300]


def is_context_error(exc: BaseException) -> bool:
    text = f"{_detail(exc)} {exc!s} {getattr(exc, 'code', '') or ''}"
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            text += f" {err.get('type', '')} {err.get('code', '')}"
    return bool(_CONTEXT_PATTERNS.search(text))


def translate_error(exc: BaseException, endpoint: Endpoint) -> IdeaPumpError | None:
    """The IdeaPumpError for ``exc``, or None when it is not a model/transport failure."""
    if isinstance(exc, IdeaPumpError):
        return exc
    where = endpoint.where()
    unreachable_setting = LOCAL_MODEL if endpoint.local else BASE_URL
    log_hint = f"; see {endpoint.log_file}" if endpoint.log_file else ""
    # Order matters: APITimeoutError is an APIConnectionError.
    if isinstance(exc, (openai.APITimeoutError, *_HTTP_TIMEOUTS)):
        return LLMTimeoutError(
            f"{where} did not answer within the time-out; raise IDEAPUMP_LLM__TIMEOUT_S "
            "or use a faster model",
            setting=TIMEOUT,
        )
    if isinstance(exc, openai.APIConnectionError):
        fix = (
            f"the server may have stopped{log_hint}; run `ideapump models` to check it"
            if endpoint.local
            else "check that the server is running and IDEAPUMP_LLM__BASE_URL is right"
        )
        return LLMUnavailableError(f"cannot reach {where}: {fix}", setting=unreachable_setting)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        detail = _detail(exc)
        if status in (401, 403):
            return LLMAuthError(
                f"{where} refused the API key ({status}: {detail}); set IDEAPUMP_LLM__API_KEY "
                "to a valid key for this endpoint",
                setting=API_KEY,
            )
        if status == 429:
            return LLMRateLimitError(
                f"{where} is rate-limiting requests (429: {detail}); wait, or raise "
                "IDEAPUMP_LLM__MAX_RETRIES to retry longer",
                setting=RETRIES,
            )
        if status in (400, 413, 422) and is_context_error(exc):
            return LLMContextError(
                f"the prompt does not fit the context window of {where} ({detail}); raise "
                "IDEAPUMP_LLM__CONTEXT_SIZE if the model allows it, or send less text",
                setting=CONTEXT,
            )
        if status == 404:
            return LLMError(
                f"{where} does not know this model or path (404: {detail}); check "
                "IDEAPUMP_LLM__MODEL and IDEAPUMP_LLM__BASE_URL (it usually ends in /v1)",
                setting=MODEL if not endpoint.local else BASE_URL,
            )
        if status >= 500:
            return LLMUnavailableError(
                f"{where} failed with {status} ({detail}){log_hint}; try again later or check "
                "the server",
                setting=unreachable_setting,
            )
        return LLMError(
            f"{where} rejected the request ({status}: {detail})",
            setting=MODEL if not endpoint.local else LOCAL_MODEL,
        )
    if isinstance(exc, openai.APIError) and is_context_error(exc):
        return LLMContextError(
            f"the prompt does not fit the context window of {where}; raise "
            "IDEAPUMP_LLM__CONTEXT_SIZE or send less text",
            setting=CONTEXT,
        )
    if isinstance(exc, openai.LengthFinishReasonError):
        return LLMOutputError(
            f"{where} stopped at the output cap before finishing; raise "
            "IDEAPUMP_LLM__MAX_OUTPUT_TOKENS",
            setting=MAX_OUTPUT,
        )
    if isinstance(exc, openai.APIError):
        return LLMError(f"{where} failed: {_detail(exc)}", setting=unreachable_setting)
    if isinstance(exc, _HTTP_ERRORS):
        return LLMUnavailableError(
            f"the connection to {where} broke ({type(exc).__name__}: {exc}){log_hint}",
            setting=unreachable_setting,
        )
    return None


@contextmanager
def map_llm_errors(endpoint: Endpoint) -> Iterator[None]:
    """Re-raise openai/httpx failures inside the block as IdeaPumpErrors.

    For the local model server, the supervisor (:mod:`ideapump.llm.supervise`) first
    restarts a server that died, and looks at a failed request to restart a dead or
    wedged one; its error then says so.
    """
    if endpoint.local:
        from ideapump.llm import supervise

        supervise.before_request(endpoint.url)
    try:
        yield
    except IdeaPumpError:
        raise
    except Exception as exc:
        mapped = translate_error(exc, endpoint)
        if mapped is None:
            raise
        if endpoint.local:
            from ideapump.llm import supervise

            mapped = supervise.after_failure(endpoint.url, mapped)
        raise mapped from exc


@asynccontextmanager
async def amap_llm_errors(endpoint: Endpoint) -> AsyncIterator[None]:
    """The async twin of :func:`map_llm_errors` (supervision runs in a worker thread)."""
    if endpoint.local:
        from ideapump.llm import supervise

        await asyncio.to_thread(supervise.before_request, endpoint.url)
    try:
        yield
    except IdeaPumpError:
        raise
    except Exception as exc:
        mapped = translate_error(exc, endpoint)
        if mapped is None:
            raise
        if endpoint.local:
            from ideapump.llm import supervise

            mapped = await asyncio.to_thread(supervise.after_failure, endpoint.url, mapped)
        raise mapped from exc
