"""``/propose``, ``/documents/{id}/critique`` and ``/weigh`` with a respx-mocked model.

The model endpoint answers each structured request with the fake server's
canned draft for its schema (tests/fake_llm_server.py), citing the request's own
numbered passages, so the agent's real retrieval, citation check, power
analysis and tournament run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from ideapump.agent import Critique, EvidenceReport, Proposals
from ideapump.agent.grounding import quote_occurs
from ideapump.api import create_app
from ideapump.config import Settings
from tests import openai_mock
from tests.api.conftest import BASE, make_key, upload
from tests.api.test_basics import assert_error
from tests.fake_llm_server import draft, passages

pytestmark = pytest.mark.anyio

PAPER = (
    "# Noradrenaline and exploration\n\n"
    "Participants (N = 60) given atomoxetine chose novel options more often in long horizons "
    "than participants given placebo, t(58) = 2.40, p = .02. Random exploration increased "
    "with noradrenaline while directed exploration did not change.\n\n"
    "A second test of reaction times found t(28) = 1.20, p = .03 between the groups."
)
CLAIM = "atomoxetine increases random exploration in long horizons"


class Model:
    """The OpenAI endpoint: canned drafts by schema name; keeps every request body."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def schemas(self) -> list[str]:
        return [b["response_format"]["json_schema"]["name"] for b in self.requests]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        content = draft(body["response_format"]["json_schema"]["name"], passages(body), body)
        return httpx.Response(200, json=openai_mock.completion(json.dumps(content)))


@pytest.fixture
def model() -> Iterator[Model]:
    fake = Model()
    with respx.mock(using="httpx2", base_url=BASE, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=fake)
        yield fake


@pytest.fixture
def app(settings: Settings, embeddings: Any, model: Model) -> Any:
    return create_app(settings, embeddings=embeddings)


def _chunk_text(app: Any, doc_id: str, chunk_id: str) -> str:
    lib = app.state.ideapump.library("default")
    return next(c.quote for c in lib.chunks(doc_id) if c.chunk_id == chunk_id)


async def test_propose_returns_ranked_cited_proposals(
    app: Any, client: httpx.AsyncClient, model: Model
) -> None:
    doc_id = (await upload(client, "ne.md", PAPER))["outcomes"][0]["doc_id"]
    r = await client.post(
        "/propose", json={"question": "how does noradrenaline shape exploration?", "n": 2, "k": 1}
    )
    assert r.status_code == 200, r.text
    result = Proposals.model_validate(r.json())
    assert not result.abstained and result.candidates == 2 and len(result.proposals) == 1
    best = result.proposals[0]
    assert best.citations and best.citations[0].doc_id == doc_id
    for c in best.citations:
        assert quote_occurs(c.quote, _chunk_text(app, c.doc_id, c.chunk_id))
    assert best.sample_size.total_n == best.sample_size.n_per_group * 2
    assert best.comparisons >= 1 and best.reflection is not None
    assert model.schemas().count("ProposalDraft") == 2 and "ComparisonDraft" in model.schemas()


async def test_critique_carries_the_auditor_findings(
    client: httpx.AsyncClient, model: Model
) -> None:
    doc_id = (await upload(client, "ne.md", PAPER))["outcomes"][0]["doc_id"]
    r = await client.post(f"/documents/{doc_id[:8]}/critique")
    assert r.status_code == 200, r.text
    result = Critique.model_validate(r.json())
    assert result.doc_id == doc_id and result.title == "Noradrenaline and exploration"
    problems = [f for f in result.stats_findings if f.severity == "problem"]
    assert [f.quote for f in problems] == ["t(28) = 1.20, p = .03"]
    assert [m.aspect for m in result.methods] == ["sample_size"]
    assert result.methods[0].citation.doc_id == doc_id
    assert model.schemas() == ["CritiqueDraft"]


async def test_weigh_sorts_passages_by_stance(client: httpx.AsyncClient, model: Model) -> None:
    doc_id = (await upload(client, "ne.md", PAPER))["outcomes"][0]["doc_id"]
    r = await client.post("/weigh", json={"claim": CLAIM})
    assert r.status_code == 200, r.text
    report = EvidenceReport.model_validate(r.json())
    assert report.claim == CLAIM and report.verdict == "supported" and not report.abstained
    assert [w.citation.doc_id for w in report.supporting] == [doc_id]
    assert report.papers and report.papers[0].sample_size == 60


async def test_empty_library_abstains_without_calling_the_model(
    client: httpx.AsyncClient, model: Model
) -> None:
    r = await client.post("/weigh", json={"claim": CLAIM})
    assert r.status_code == 200 and r.json()["abstained"] is True
    r = await client.post("/propose", json={"question": "what next about exploration?"})
    assert r.status_code == 200 and r.json()["abstained"] is True and r.json()["message"]
    assert model.requests == []


async def test_keys_isolate_and_errors_use_the_one_shape(
    client: httpx.AsyncClient, settings: Settings, model: Model
) -> None:
    lab_a, lab_b = make_key(settings, "lab-a"), make_key(settings, "lab-b")
    doc_id = (await upload(client, "ne.md", PAPER, headers=lab_a))["outcomes"][0]["doc_id"]
    assert_error(
        await client.post(f"/documents/{doc_id}/critique", headers=lab_b), 404, "not_found"
    )
    r = await client.post("/weigh", json={"claim": CLAIM}, headers=lab_b)
    assert r.json()["abstained"] is True  # lab-b's library is empty
    assert_error(await client.post("/weigh", json={"claim": CLAIM}), 401, "unauthorized")
    assert_error(
        await client.post("/propose", json={"question": "q", "n": 2, "k": 3}, headers=lab_a),
        400,
        "invalid_request",
    )
    assert_error(await client.post("/weigh", json={}, headers=lab_a), 422, "invalid_request")
    assert model.requests == []


async def test_generation_cap_answers_busy(app: Any, client: httpx.AsyncClient) -> None:
    slots = app.state.ideapump.generations
    for _ in range(slots.limit):
        slots.acquire()
    try:
        err = assert_error(await client.post("/weigh", json={"claim": CLAIM}), 503, "busy")
        assert "MAX_CONCURRENT_GENERATIONS" in str(err)
    finally:
        for _ in range(slots.limit):
            slots.release()
    r = await client.post("/weigh", json={"claim": CLAIM})
    assert r.status_code == 200 and slots.active == 0


async def test_openapi_documents_the_agent_routes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    routes = {"/propose": "Proposals", "/weigh": "EvidenceReport"}
    routes["/documents/{doc_id}/critique"] = "Critique"
    for path, model_name in routes.items():
        post = spec["paths"][path]["post"]
        ok = post["responses"]["200"]["content"]["application/json"]
        assert ok["schema"]["$ref"].endswith(f"/{model_name}")
        assert spec["components"]["schemas"][model_name]["examples"], path
        assert {"401", "404", "422", "503"} <= set(post["responses"]), path
    assert spec["components"]["schemas"]["ProposeRequest"]["example"]["question"]
    assert spec["components"]["schemas"]["WeighRequest"]["example"]["claim"]
