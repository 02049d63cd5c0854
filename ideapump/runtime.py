"""The composition root: every service IdeaPump runs on, built once from plain ``Settings``.

    Settings (plain data) ──► Runtime ─┬─► registry: one SQL engine, migrated once
                                       ├─► embeddings: MiniLM ONNX, or an OpenAI-compatible API
                                       ├─► Chroma client ──► one VectorStore per library
                                       ├─► Library per name (store + registry + retrieval turn)
                                       └─► chat model: built on first use (the offline
                                           default starts its llama.cpp server then)

The CLI builds one ``Runtime`` per command, the API one per app (``AppState``),
the facade and the digest receive one; nothing else constructs a service, so a
process holds one database engine, one ONNX session and one model client.
Every service is built lazily, under a lock: ``ideapump --help`` and a search
never load the chat model, and an abstention never starts its server.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ideapump.config import Settings, check_library_name, get_settings
from ideapump.library import Library
from ideapump.llm.model import ChatModel, LazyChatModel
from ideapump.store.registry import Registry
from ideapump.store.vectors import VectorStore, make_client

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from ideapump.llm.client import IdeaPumpChatModel


class Runtime:
    """The services of one process (or one test), built from ``settings`` on first use.

    ``embeddings``, ``registry`` and ``chat_model`` may be given to share one
    instance between runtimes (tests share the ONNX session) or to swap one in.
    ``retrieval_gate`` is held around each retrieval (the server's turn-taking).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embeddings: Embeddings | None = None,
        registry: Registry | None = None,
        chat_model: ChatModel | None = None,
        retrieval_gate: AbstractContextManager[Any] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.retrieval_gate = retrieval_gate
        self._embeddings = embeddings
        self._registry = registry
        self._chroma: Any = None
        self._libraries: dict[str, Library] = {}
        self._lock = threading.RLock()
        self.chat_model: ChatModel = chat_model or LazyChatModel(self.make_chat_model)

    @classmethod
    def from_env(cls, **overrides: Any) -> Runtime:
        """A runtime on the settings of the environment / ``.env``, with ``overrides`` on top."""
        return cls(get_settings(**overrides))

    @property
    def registry(self) -> Registry:
        """The SQL registry (documents, conversations, keys, digests); migrated on first use."""
        with self._lock:
            if self._registry is None:
                self._registry = Registry.connect(
                    self.settings.database_url,
                    migrate_schema=self.settings.store.migrate_on_start,
                )
            return self._registry

    @property
    def embeddings(self) -> Embeddings:
        with self._lock:
            if self._embeddings is None:
                from ideapump.embeddings import make_embeddings

                self._embeddings = make_embeddings(self.settings.embeddings)
            return self._embeddings

    def _chroma_client(self) -> Any:
        with self._lock:
            if self._chroma is None:
                self._chroma = make_client(self.settings)
            return self._chroma

    def store(self, library: str | None = None) -> VectorStore:
        """The Chroma collection of ``library`` (default: ``settings.library``)."""
        name = check_library_name(library or self.settings.library)
        return VectorStore.open(self._chroma_client(), name, self.embeddings, self.settings)

    def library(self, name: str | None = None) -> Library:
        """The library ``name`` (default: ``settings.library``), built once per runtime."""
        name = check_library_name(name or self.settings.library)
        with self._lock:
            found = self._libraries.get(name)
            if found is None:
                found = Library(self.settings, self.store(name), self.registry, self.retrieval_gate)
                self._libraries[name] = found
            return found

    def make_chat_model(self, **overrides: Any) -> IdeaPumpChatModel:
        """A chat model for the configured endpoint (``overrides``: LLMSettings fields).

        ``chat_model`` is the one the pipelines share; this builds another, e.g. the
        short probe of ``ideapump models``.
        """
        from ideapump.llm.client import make_chat_model

        return make_chat_model(self.settings, **overrides)
