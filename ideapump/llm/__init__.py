"""The LLM layer: one OpenAI-compatible code path for any endpoint or the offline default.

* :class:`ChatModel` - the interface the pipelines are written against (structured
  objects and streamed text); :class:`LazyChatModel` builds one on first use.
* :func:`make_chat_model` - a LangChain ``ChatOpenAI`` for the configured endpoint, or
  for IdeaPump's local llama.cpp server when ``IDEAPUMP_LLM__BASE_URL`` is unset; its
  failures are IdeaPumpErrors that name the setting to fix.
* :func:`generate_structured` / :func:`agenerate_structured` - a validated pydantic
  object, by JSON-schema constrained decoding where supported, with bounded re-asks.
* :func:`stream_text` / :func:`astream_text` - the reply's text tokens as they arrive.
* :func:`map_llm_errors` / :func:`translate_error` - openai/httpx errors to IdeaPumpErrors,
  for code that talks to the client directly.
"""

from __future__ import annotations

from ideapump.llm.client import IdeaPumpChatModel, make_chat_model
from ideapump.llm.errors import Endpoint, amap_llm_errors, map_llm_errors, translate_error
from ideapump.llm.model import ChatModel, LazyChatModel, MessagesLike
from ideapump.llm.structured import (
    agenerate_structured,
    astream_text,
    generate_structured,
    stream_text,
)

__all__ = [
    "ChatModel",
    "Endpoint",
    "IdeaPumpChatModel",
    "LazyChatModel",
    "MessagesLike",
    "agenerate_structured",
    "amap_llm_errors",
    "astream_text",
    "generate_structured",
    "make_chat_model",
    "map_llm_errors",
    "stream_text",
    "translate_error",
]
