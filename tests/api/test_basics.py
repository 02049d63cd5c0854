"""Health, readiness, the error shape, OpenAPI docs, search and check-stats."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.api.conftest import upload

pytestmark = pytest.mark.anyio


def assert_error(r: httpx.Response, status: int, type_name: str) -> dict[str, object]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) >= {"error"} and set(body["error"]) >= {"type", "message"}
    assert body["error"]["type"] == type_name
    assert "Traceback" not in r.text
    return body["error"]


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


async def test_readyz_ready(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"]["llm"]["ok"] and r.json()["checks"]["store"]["ok"]


async def test_readyz_names_the_llm_when_it_is_down(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    llm.get("/models").mock(side_effect=httpx.ConnectError("refused"))
    r = await client.get("/readyz")
    err = assert_error(r, 503, "not_ready")
    assert "llm" in str(err["message"]) and "store" not in str(err["message"])
    checks = r.json()["checks"]
    assert checks["store"]["ok"] is True and checks["llm"]["ok"] is False


async def test_error_shape_for_every_kind_of_failure(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/no/such/route"), 404, "not_found")
    assert_error(await client.post("/search", json={"k": 3}), 422, "invalid_request")
    assert_error(await client.post("/search", content=b"{not json"), 422, "invalid_request")
    assert_error(await client.get("/documents/abcd1234"), 404, "not_found")
    assert_error(await client.get("/documents/ab"), 400, "invalid_request")
    assert_error(await client.delete("/healthz"), 405, "method_not_allowed")


async def test_unexpected_exception_is_a_clean_500(app: object, client: httpx.AsyncClient) -> None:
    async def boom() -> None:
        raise RuntimeError("secret internals at /srv/x.py line 3")

    app.add_api_route("/boom", boom)  # type: ignore[attr-defined]
    err = assert_error(await client.get("/boom"), 500, "internal_error")
    assert "secret" not in str(err["message"])


async def test_openapi_documents_every_route_with_examples(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in (
        "/healthz",
        "/readyz",
        "/documents",
        "/documents/{doc_id}",
        "/search",
        "/stats/check",
        "/conversations",
        "/conversations/{conv_id}/messages",
        "/v1/models",
        "/v1/chat/completions",
    ):
        assert path in spec["paths"], path
    assert spec["components"]["schemas"]["SearchRequest"]["example"]["query"]
    assert "401" in spec["paths"]["/search"]["post"]["responses"]
    assert (await client.get("/docs")).status_code == 200


async def test_every_example_in_the_api_docs_is_a_valid_instance(
    client: httpx.AsyncClient,
) -> None:
    """Examples live on the models; one that drifts from its model fails here."""
    import ideapump.models
    import ideapump.results
    import ideapump.schemas

    spec = (await client.get("/openapi.json")).json()
    checked = []
    for name, schema in spec["components"]["schemas"].items():
        examples = [
            *schema.get("examples", []),
            *([schema["example"]] if "example" in schema else []),
        ]
        if not examples:
            continue
        model = next(
            getattr(m, name)
            for m in (ideapump.schemas, ideapump.results, ideapump.models)
            if hasattr(m, name)
        )
        for example in examples:
            model.model_validate(example)
            assert set(example) <= set(model.model_fields), (
                name,
                set(example) - set(model.model_fields),
            )
        checked.append(name)
    assert {"Proposals", "Critique", "EvidenceReport", "SearchRequest", "WeighRequest"} <= set(
        checked
    )


async def test_search_returns_passages_of_uploaded_document(client: httpx.AsyncClient) -> None:
    assert (await client.post("/search", json={"query": "pupil"})).json() == []
    report = await upload(
        client,
        "pupil.md",
        "# Pupil notes\n\nThe pupillary light response was larger for attended bright "
        "stimuli than for unattended ones in all twelve participants.",
    )
    assert report["outcomes"][0]["status"] == "ingested"
    hits = (await client.post("/search", json={"query": "pupillary light response"})).json()
    assert hits and hits[0]["title"] and "pupillary" in hits[0]["quote"]
    assert hits[0]["dense_score"] is not None and hits[0]["lexical_score"] is not None
    lexical = await client.post("/search", json={"query": "twelve participants", "mode": "lexical"})
    assert lexical.status_code == 200 and lexical.json()[0]["dense_score"] is None
    bad = await client.post("/search", json={"query": "pupil", "mode": "fuzzy"})
    assert_error(bad, 422, "invalid_request")


async def test_check_stats_flags_a_decision_error(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/stats/check", json={"text": "The effect was significant, t(28) = 1.20, p = .03."}
    )
    assert r.status_code == 200, r.text
    verdicts = [res["verdict"] for res in r.json()["results"]]
    assert verdicts == ["decision_error"]
    assert_error(
        await client.post("/stats/check", json={"text": "x", "alpha": 2}), 422, "invalid_request"
    )


async def test_chat_page_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert '<script src="/static/app.js">' in page.text
    js = await client.get("/static/app.js")
    assert js.status_code == 200
    for endpoint in ("/conversations", "/documents?stream=true", "/messages"):
        assert endpoint in js.text
    assert (await client.get("/static/style.css")).status_code == 200
