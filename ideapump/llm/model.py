"""The chat-model interface the pipelines are written against.

:class:`ChatModel` is what the agent, the digest and the service ask of a language
model: one validated pydantic object (:meth:`~ChatModel.structured`) or the reply's
text as it streams (:meth:`~ChatModel.stream_text`), with async twins. Two classes
implement it:

* :class:`ideapump.llm.client.IdeaPumpChatModel` - the OpenAI-compatible client for
  any endpoint or the offline llama.cpp server (tests fake the endpoint over HTTP
  with respx, so this real client runs in every test);
* :class:`LazyChatModel` - the same, built on first use: an answer that abstains
  never starts the offline model's server.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from langchain_core.messages import BaseMessage
from pydantic import BaseModel

if TYPE_CHECKING:
    from ideapump.config import LLMSettings

T = TypeVar("T", bound=BaseModel)
#: Messages as LangChain messages, ``(role, text)`` pairs, OpenAI-style dicts, or one user string.
MessagesLike = Sequence[BaseMessage | tuple[str, str] | dict[str, Any] | str] | str


@runtime_checkable
class ChatModel(Protocol):
    """A chat model as the pipelines use it."""

    @property
    def llm_settings(self) -> LLMSettings:
        """The LLM settings the model runs with (retries, output mode, caps)."""
        ...

    def structured(
        self,
        messages: MessagesLike,
        schema: type[T],
        *,
        retries: int | None = None,
        temperature: float | None = None,
    ) -> T:
        """One ``schema`` object, validated, with at most ``retries`` re-asks (LLMOutputError).

        ``temperature``: this call's sampling temperature instead of the setting's, for
        a judgement that should not change from one run to the next (0: greedy).
        """
        ...

    async def astructured(
        self,
        messages: MessagesLike,
        schema: type[T],
        *,
        retries: int | None = None,
        temperature: float | None = None,
    ) -> T: ...

    def stream_text(
        self, messages: MessagesLike, *, max_tokens: int | None = None
    ) -> Iterator[str]:
        """The reply's text pieces as they are generated (``max_tokens``: a lower cap than
        the setting's, for a reply that should be short)."""
        ...

    def astream_text(self, messages: MessagesLike) -> AsyncIterator[str]: ...


class LazyChatModel:
    """A :class:`ChatModel` built by ``factory`` on its first call, once, thread-safely."""

    def __init__(self, factory: Callable[[], ChatModel]) -> None:
        self._factory = factory
        self._model: ChatModel | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        """Whether the model exists yet (an abstaining request leaves it unbuilt)."""
        return self._model is not None

    def get(self) -> ChatModel:
        with self._lock:
            if self._model is None:
                self._model = self._factory()
            return self._model

    @property
    def llm_settings(self) -> LLMSettings:
        return self.get().llm_settings

    def structured(
        self,
        messages: MessagesLike,
        schema: type[T],
        *,
        retries: int | None = None,
        temperature: float | None = None,
    ) -> T:
        return self.get().structured(messages, schema, retries=retries, temperature=temperature)

    async def astructured(
        self,
        messages: MessagesLike,
        schema: type[T],
        *,
        retries: int | None = None,
        temperature: float | None = None,
    ) -> T:
        return await self.get().astructured(
            messages, schema, retries=retries, temperature=temperature
        )

    def stream_text(
        self, messages: MessagesLike, *, max_tokens: int | None = None
    ) -> Iterator[str]:
        return self.get().stream_text(messages, max_tokens=max_tokens)

    def astream_text(self, messages: MessagesLike) -> AsyncIterator[str]:
        return self.get().astream_text(messages)
