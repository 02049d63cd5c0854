"""The relevance check reuses vectors the store already holds (no re-embedding)."""

import json
from pathlib import Path

import numpy as np
import respx

from ideapump.agent.grounding import relevance
from ideapump.config import get_settings
from ideapump.models import Passage
from ideapump.runtime import Runtime
from tests import openai_mock

BASE = "http://embed.test/v1"


def _vec(text: str) -> list[float]:
    return [float(len(text) % 7), 1.0, float(text.count("p")), 0.25]


def _cos(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_relevance_reads_stored_vectors_and_embeds_the_query_once(tmp_path: Path) -> None:
    settings = get_settings(
        embeddings={"provider": "openai", "base_url": BASE, "api_key": "sk-e", "model": "emb"}
    )
    notes = []
    for i, text in enumerate(
        ["Pupil constriction precedes the saccade.", "Atomoxetine raised random exploration."]
    ):
        notes.append(tmp_path / f"note{i}.md")
        notes[-1].write_text(f"# Note {i}\n{text}\n", encoding="utf-8")
    with respx.mock(using="httpx2") as mock:
        route = mock.post(f"{BASE}/embeddings").mock(
            side_effect=openai_mock.embeddings_responder(_vec)
        )
        lib = Runtime(settings).library()
        lib.ingest(notes)
        passages = lib.search("pupil size", k=2)
        calls_after_search = route.call_count
        scores = relevance(lib, "pupil size", passages)
        # Neither the query nor the stored passages went to the endpoint again.
        assert route.call_count == calls_after_search

        # A passage the store does not hold is embedded, and only that one.
        outsider = passages[0].model_copy(update={"chunk_id": "not-stored", "quote": "pp pp"})
        mixed = relevance(lib, "pupil size", [passages[1], outsider])
        assert route.call_count == calls_after_search + 1
        assert json.loads(route.calls[-1].request.content)["input"] == ["pp pp"]

    query = _vec("pupil size")
    assert scores == [round(_cos(query, _vec(p.quote)), 4) for p in passages]
    assert mixed == [round(_cos(query, _vec(q)), 4) for q in (passages[1].quote, "pp pp")]
    assert isinstance(passages[0], Passage)
