"""Structured output and streaming for :class:`~ideapump.llm.model.ChatModel`.

``generate_structured(model, messages, Schema)`` returns a validated ``Schema``
instance (it is ``model.structured(messages, Schema)``; the OpenAI-compatible
client implements that with :func:`run_structured` below):

* where the endpoint supports it (llama.cpp/xllamacpp, vLLM, OpenAI) the request
  carries ``response_format={"type": "json_schema", ...}``, so the server's
  grammar constrains decoding to the schema (``IDEAPUMP_LLM__STRUCTURED_OUTPUT``
  = ``json_schema``); with ``auto`` (the default) a model whose endpoint rejects
  it remembers that and asks in ``json`` mode from then on;
* the output contract ends the last user message (:func:`output_contract`): with
  the schema enforced, only the fields and their descriptions; in ``json`` mode
  the whole schema, and the reply is parsed leniently (code fences and chatter
  around the object are dropped);
* in both modes the reply is validated with pydantic; on invalid JSON or a
  validation error the model is asked again with the error appended, at most
  ``IDEAPUMP_LLM__STRUCTURED_OUTPUT_RETRIES`` extra times, then LLMOutputError.

LangChain's ``with_structured_output(method="function_calling")`` is not used:
against llama.cpp's server its tool-call reply came back unparsed.

``stream_text`` / ``astream_text`` yield the text tokens of a reply as they
arrive (for the chat service's SSE stream).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import openai
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    convert_to_messages,
)
from pydantic import BaseModel, ValidationError

from ideapump.errors import LLMError, LLMOutputError
from ideapump.llm.model import ChatModel, MessagesLike

if TYPE_CHECKING:
    from ideapump.config import LLMSettings

T = TypeVar("T", bound=BaseModel)
_MAX_ECHO = 4000  # characters of a bad reply sent back with the correction request


class _Invoker(Protocol):
    """What :func:`run_structured` needs of a client: calls, settings, and a memory."""

    json_schema_refused: bool

    @property
    def llm_settings(self) -> LLMSettings: ...
    def invoke(self, input: list[BaseMessage], **kwargs: Any) -> BaseMessage: ...
    async def ainvoke(self, input: list[BaseMessage], **kwargs: Any) -> BaseMessage: ...


def as_messages(messages: MessagesLike) -> list[BaseMessage]:
    """LangChain messages from messages, (role, text) pairs, dicts, or one user string."""
    if isinstance(messages, str):
        return [HumanMessage(content=messages)]
    return convert_to_messages(messages)


def schema_name(schema: type[BaseModel]) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", schema.__name__)[:64] or "Output"


def response_format(schema: type[BaseModel]) -> dict[str, Any]:
    """The OpenAI ``response_format`` for constrained decoding to ``schema``."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": schema_name(schema),
            "schema": schema.model_json_schema(),
            "strict": False,  # OpenAI's strict mode refuses ordinary pydantic schemas
        },
    }


def output_contract(schema: type[BaseModel], *, enforced: bool = False) -> str:
    """The instruction that ends the last user message: one JSON object matching the schema.

    ``enforced``: the server constrains decoding to the schema (``json_schema``), so
    the model needs the fields and what goes in them, not the schema's JSON (a
    third of the tokens it would read); otherwise the whole schema is given.
    """
    if enforced:
        return "\n\nReply with one JSON object with these fields:\n" + _field_guide(schema)
    return (
        "\n\nOutput format: reply with exactly one JSON object and nothing else (no prose, no "
        f"code fences). It must validate against this JSON schema:\n"
        f"{json.dumps(schema.model_json_schema(), ensure_ascii=False)}"
    )


def _field_guide(schema: type[BaseModel]) -> str:
    full = schema.model_json_schema()
    defs = full.get("$defs", {})
    lines: list[str] = []

    def fields(node: dict[str, Any], indent: str, depth: int) -> None:
        for name, prop in node.get("properties", {}).items():
            desc = prop.get("description", "")
            lines.append(f"{indent}- {name}" + (f": {desc}" if desc else ""))
            ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
            if ref and depth < 2:
                fields(defs.get(ref.rsplit("/", 1)[-1], {}), indent + "  ", depth + 1)

    fields(full, "", 0)
    return "\n".join(lines)


def _with_contract(
    messages: list[BaseMessage], schema: type[BaseModel], enforced: bool
) -> list[BaseMessage]:
    """``messages`` with the output contract at the end of the last user message.

    At the end, not in the system prompt: the system prompt and the documents that
    follow it stay byte-identical across the stages of one request (generate,
    reflect ... each with its own schema), so llama.cpp reuses their cached prefix
    instead of reading every passage again.
    """
    contract = output_contract(schema, enforced=enforced)
    out = list(messages)
    for i in range(len(out) - 1, -1, -1):
        m = out[i]
        if isinstance(m, HumanMessage) and isinstance(m.content, str):
            out[i] = HumanMessage(content=m.content + contract)
            return out
    return [*out, HumanMessage(content=contract.strip())]


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def parse_json_reply(text: str, schema: type[T]) -> T:
    """Parse a model reply into ``schema``; raises ValueError/ValidationError on failure."""
    body = text.strip()
    if m := _FENCE.match(body):
        body = m[1]
    try:
        data = json.loads(body)
    except json.JSONDecodeError as first:
        start, end = body.find("{"), body.rfind("}")
        if start < 0 or end <= start:
            raise ValueError(f"the reply is not JSON ({first.msg} at char {first.pos})") from None
        try:
            data = json.loads(body[start : end + 1])
        except json.JSONDecodeError as exc:
            raise ValueError(f"the reply is not valid JSON ({exc.msg} at char {exc.pos})") from None
    return schema.model_validate(data)


def describe_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:6]:
            loc = ".".join(str(p) for p in err["loc"]) or "(root)"
            parts.append(f"{loc}: {err['msg']}")
        more = f" (+{exc.error_count() - 6} more)" if exc.error_count() > 6 else ""
        return "; ".join(parts) + more
    return str(exc)


def _rejects_json_schema(exc: LLMError) -> bool:
    cause = exc.__cause__
    if not isinstance(cause, openai.BadRequestError):
        return False
    text = str(cause).lower()
    return "response_format" in text or "json_schema" in text or "json schema" in text


class _Attempts:
    """The retry state shared by the sync and async loops."""

    def __init__(
        self,
        model: _Invoker,
        messages: MessagesLike,
        schema: type[BaseModel],
        retries: int | None,
        temperature: float | None = None,
    ) -> None:
        llm = model.llm_settings
        self.temperature = temperature
        self.model = model
        self.schema = schema
        self.retries = llm.structured_output_retries if retries is None else retries
        self.mode = llm.structured_output
        if self.mode == "auto" and model.json_schema_refused:
            self.mode = "json"
        self.given = as_messages(messages)
        self.messages = _with_contract(self.given, schema, self.mode != "json")
        self.attempt = 0
        self.last_error = ""
        self.truncated = False

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.temperature is not None:
            # LangChain merges call kwargs over the model's defaults in the request body.
            out["temperature"] = self.temperature
        if self.mode in ("json_schema", "auto"):
            out["response_format"] = response_format(self.schema)
        return out

    def on_error(self, exc: LLMError) -> bool:
        """True when the call should be repeated in json mode (endpoint refused json_schema)."""
        if self.mode == "auto" and _rejects_json_schema(exc):
            self.model.json_schema_refused = True
            self.mode = "json"
            self.messages = _with_contract(self.given, self.schema, enforced=False)
            return True
        return False

    def on_reply(self, reply: BaseMessage) -> BaseModel | None:
        text = reply.content if isinstance(reply.content, str) else str(reply.content)
        truncated = (reply.response_metadata or {}).get("finish_reason") == "length"
        return self.on_text(text, truncated)

    def on_truncation(self, exc: LLMError) -> bool:
        """The client refused a reply cut off at the output cap: count it as a bad attempt."""
        cause = exc.__cause__
        if not isinstance(cause, openai.LengthFinishReasonError):
            return False
        text = ""
        with contextlib.suppress(AttributeError, IndexError, TypeError):
            text = cause.completion.choices[0].message.content or ""
        self.on_text(text, truncated=True)
        return True

    def on_text(self, text: str, truncated: bool) -> BaseModel | None:
        self.attempt += 1
        self.truncated = truncated
        try:
            return parse_json_reply(text, self.schema)
        except (ValueError, ValidationError) as exc:
            self.last_error = describe_error(exc)
        if self.truncated:
            self.last_error += " (the reply hit the output-token cap and was cut off)"
        self.messages = [
            *self.messages,
            AIMessage(content=text[:_MAX_ECHO]),
            HumanMessage(
                content=f"Your reply did not validate: {self.last_error}. Reply again with only "
                f"the corrected JSON object matching the {self.schema.__name__} schema"
                + (", and keep it shorter." if self.truncated else ".")
            ),
        ]
        return None

    def done(self) -> bool:
        return self.attempt > self.retries

    def failure(self) -> LLMOutputError:
        if self.truncated:
            return LLMOutputError(
                f"the model's output for {self.schema.__name__} was cut off at the output cap "
                f"after {self.attempt} attempts; raise IDEAPUMP_LLM__MAX_OUTPUT_TOKENS",
                setting="IDEAPUMP_LLM__MAX_OUTPUT_TOKENS",
            )
        return LLMOutputError(
            f"the model's output did not match {self.schema.__name__} after {self.attempt} "
            f"attempts (last error: {self.last_error}); raise "
            "IDEAPUMP_LLM__STRUCTURED_OUTPUT_RETRIES or use a stronger model",
            setting="IDEAPUMP_LLM__STRUCTURED_OUTPUT_RETRIES",
        )


def run_structured(
    model: _Invoker,
    messages: MessagesLike,
    schema: type[T],
    retries: int | None = None,
    *,
    temperature: float | None = None,
) -> T:
    """Ask ``model`` for one ``schema`` object; validated, with bounded re-asks.

    ``retries`` overrides ``IDEAPUMP_LLM__STRUCTURED_OUTPUT_RETRIES``. Raises
    LLMOutputError when no reply validates, and the usual LLMErrors when the
    model fails.
    """
    state = _Attempts(model, messages, schema, retries, temperature)
    while not state.done():
        try:
            reply = model.invoke(state.messages, **state.kwargs())
        except LLMError as exc:
            if state.on_error(exc) or state.on_truncation(exc):
                continue
            raise
        result = state.on_reply(reply)
        if result is not None:
            return result  # type: ignore[return-value]
    raise state.failure()


async def arun_structured(
    model: _Invoker,
    messages: MessagesLike,
    schema: type[T],
    retries: int | None = None,
    *,
    temperature: float | None = None,
) -> T:
    """The async twin of :func:`run_structured`."""
    state = _Attempts(model, messages, schema, retries, temperature)
    while not state.done():
        try:
            reply = await model.ainvoke(state.messages, **state.kwargs())
        except LLMError as exc:
            if state.on_error(exc) or state.on_truncation(exc):
                continue
            raise
        result = state.on_reply(reply)
        if result is not None:
            return result  # type: ignore[return-value]
    raise state.failure()


def generate_structured(
    model: ChatModel,
    messages: MessagesLike,
    schema: type[T],
    *,
    retries: int | None = None,
    temperature: float | None = None,
) -> T:
    """``model.structured(messages, schema)``: one validated object, bounded re-asks."""
    return model.structured(messages, schema, retries=retries, temperature=temperature)


async def agenerate_structured(
    model: ChatModel,
    messages: MessagesLike,
    schema: type[T],
    *,
    retries: int | None = None,
    temperature: float | None = None,
) -> T:
    """The async twin of :func:`generate_structured`."""
    return await model.astructured(messages, schema, retries=retries, temperature=temperature)


def text_of(chunk: BaseMessage) -> str:
    """The text of a message (chunk) whose content may be a list of parts."""
    content = chunk.content
    if isinstance(content, str):
        return content
    return "".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in content
    )


def stream_text(
    model: ChatModel, messages: MessagesLike, *, max_tokens: int | None = None
) -> Iterator[str]:
    """Yield the reply's text as it is generated (empty pieces skipped)."""
    return model.stream_text(messages, max_tokens=max_tokens)


def astream_text(model: ChatModel, messages: MessagesLike) -> AsyncIterator[str]:
    """The async twin of :func:`stream_text`."""
    return model.astream_text(messages)
