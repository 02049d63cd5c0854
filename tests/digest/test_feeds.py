"""Literature feeds against respx mocks of the arXiv, PubMed E-utilities and bioRxiv APIs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from ideapump.config import DigestSettings
from ideapump.digest import run_digest
from ideapump.digest.feeds import (
    ARXIV_URL,
    BIORXIV_URL,
    EFETCH_URL,
    ESEARCH_URL,
    FeedError,
    PoliteClient,
    fetch_arxiv,
    fetch_biorxiv,
    fetch_pdf,
    fetch_pubmed,
    item_markdown,
    parse_arxiv,
    parse_pubmed,
)
from ideapump.digest.state import DigestState
from ideapump.runtime import Runtime
from tests.digest.conftest import FakeModel, make_settings
from tests.digest.feed_bodies import ARXIV_ATOM, BIORXIV_JSON, EFETCH_XML, ESEARCH_JSON

TODAY = date(2025, 3, 2)


def client(**kw: Any) -> PoliteClient:
    c = PoliteClient(DigestSettings.model_validate({"feed_delay_s": 0, "feed_retries": 2, **kw}))
    c.sleep = lambda s: None
    return c


def test_parse_arxiv_atom() -> None:
    items = parse_arxiv(ARXIV_ATOM)
    assert [i.item_id for i in items] == ["2502.17001", "2301.00042"]
    first = items[0]
    assert (
        first.title
        == "Sleep spindle density predicts overnight memory consolidation in older adults"
    )
    assert first.authors == ["Ana Souza", "Kim Lee"]
    assert first.published == date(2025, 2, 27) and first.doi == "10.1000/spindles.2025.1"
    assert first.pdf_url == "http://arxiv.org/pdf/2502.17001v2" and "q-bio.NC" in first.venue
    assert "(r = 0.41, p = 0.004)" in first.abstract
    md = item_markdown(first, "sleep spindles")
    assert md.startswith("# Sleep spindle density") and "doi:10.1000/spindles.2025.1" in md
    assert "## Abstract" in md


def test_parse_pubmed_efetch() -> None:
    items = parse_pubmed(EFETCH_XML)
    assert [i.item_id for i in items] == ["39990001", "39990002"]
    a = items[0]
    assert a.title == "Hand hygiene reminders in student residences: a cluster trial."
    assert a.authors == ["Meier J", "Residence Hygiene Group"]
    assert a.abstract.startswith("Background: Hand hygiene") and "Results: Reminders" in a.abstract
    assert a.doi == "10.1186/s12889-025-00001-x" and a.published == date(2025, 2, 26)
    assert a.venue == "BMC public health" and a.url.endswith("/39990001/")
    assert items[1].published == date(2025, 3, 1) and items[1].doi is None


def test_xml_with_entities_is_refused() -> None:
    with pytest.raises(FeedError, match="entity"):
        parse_arxiv('<!DOCTYPE x [<!ENTITY a "aaaa">]><feed>&a;</feed>')


@respx.mock
def test_fetchers_send_polite_queries() -> None:
    arxiv = respx.get(ARXIV_URL).respond(text=ARXIV_ATOM)
    esearch = respx.get(ESEARCH_URL).respond(json=ESEARCH_JSON)
    efetch = respx.get(EFETCH_URL).respond(text=EFETCH_XML)
    biorxiv = respx.get(url__startswith=BIORXIV_URL).respond(json=BIORXIV_JSON)
    c = client(contact_email="lab@example.org")

    got = fetch_arxiv(c, "sleep spindles", 15, TODAY)
    assert [i.item_id for i in got] == ["2502.17001"]  # the 2023 one is past feed_days
    params = arxiv.calls.last.request.url.params
    assert params["search_query"] == "all:sleep AND all:spindles"
    assert params["sortBy"] == "submittedDate" and params["max_results"] == "15"
    assert "mailto:lab@example.org" in arxiv.calls.last.request.headers["User-Agent"]

    got = fetch_pubmed(c, "hand hygiene intervention", 5, TODAY)
    assert len(got) == 2
    q = esearch.calls.last.request.url.params
    assert q["term"] == "hand hygiene intervention" and q["retmode"] == "json"
    assert q["tool"] == "ideapump" and q["email"] == "lab@example.org" and q["reldate"] == "7"
    assert efetch.calls.last.request.url.params["id"] == "39990001,39990002"

    got = fetch_biorxiv(c, "sleep spindles", 5, TODAY)
    assert [i.item_id for i in got] == ["10.1101/2025.02.25.640001"]  # filtered, one version
    assert got[0].title.endswith("and memory")  # the later version wins
    assert str(biorxiv.calls.last.request.url).endswith("/2025-02-23/2025-03-02/0/json")


@respx.mock
def test_retries_honour_retry_after_and_pause_between_requests() -> None:
    route = respx.get(ARXIV_URL).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "7"}),
            httpx.ConnectError("reset"),
            httpx.Response(200, text=ARXIV_ATOM),
        ]
    )
    c = PoliteClient(DigestSettings.model_validate({"feed_delay_s": 3, "feed_retries": 2}))
    waits: list[float] = []
    c.sleep = waits.append
    assert len(fetch_arxiv(c, "sleep", 5, TODAY)) == 1
    assert route.call_count == 3
    assert 7.0 in waits  # Retry-After
    assert any(2.0 < w <= 3.0 for w in waits)  # the pause between two requests to one host

    respx.get(ESEARCH_URL).respond(status_code=500)
    with pytest.raises(FeedError, match="failed after 3 tries: HTTP 500"):
        fetch_pubmed(client(), "x", 5, TODAY)
    respx.get(url__startswith=BIORXIV_URL).respond(status_code=404)
    with pytest.raises(FeedError, match="HTTP 404"):
        fetch_biorxiv(client(), "x", 5, TODAY)


def test_digest_with_feeds_one_failing(tmp_path: Path, embeddings: Any, model: FakeModel) -> None:
    settings = make_settings(tmp_path / "h", format="md")
    runtime = Runtime(settings, embeddings=embeddings)
    lib = runtime.library()
    state = DigestState(lib.registry, lib.name)
    state.add_feed("sleep spindles", "arxiv")
    state.add_feed("  sleep   spindles ", "arxiv")  # the same topic, saved once
    state.add_feed("hand hygiene", "pubmed")
    state.add_feed("sleep spindles", "biorxiv")
    assert len(state.feeds()) == 3

    with respx.mock(assert_all_called=False) as api:
        api.get(ARXIV_URL).respond(text=ARXIV_ATOM)
        api.get(ESEARCH_URL).respond(status_code=502)
        api.get(url__startswith=BIORXIV_URL).respond(json=BIORXIV_JSON)
        first = run_digest(runtime, today=TODAY)

        d = first.digest
        assert {e.origin for e in d.entries} == {"feed:arxiv", "feed:biorxiv"}
        assert len(d.entries) == 2 and first.ingested == 2
        assert [n for n in d.notes if "pubmed" in n] and "HTTP 502" in d.notes[0]
        arxiv_entry = next(e for e in d.entries if e.origin == "feed:arxiv")
        assert arxiv_entry.title.startswith("Sleep spindle density")
        assert arxiv_entry.findings and all(
            f.citation.doc_id == arxiv_entry.doc_id for f in arxiv_entry.findings
        )
        files = sorted((settings.home / "feeds" / "default").iterdir())
        assert [f.name for f in files] == [
            "arxiv-2502.17001.md",
            "biorxiv-10.1101_2025.02.25.640001.md",
        ]
        feeds = {f.source: f for f in state.feeds()}
        assert feeds["pubmed"].last_error and feeds["arxiv"].items == 1

        api.get(ESEARCH_URL).respond(json=ESEARCH_JSON)
        api.get(EFETCH_URL).respond(text=EFETCH_XML)
        calls = len(model.calls)
        second = run_digest(runtime, today=TODAY)
    # the same night: the arXiv and bioRxiv items are not taken again; PubMed's now are
    assert second.digest.new_this_run == 2 and second.digest.notes == []
    assert {e.origin for e in second.digest.entries} == {
        "feed:arxiv",
        "feed:biorxiv",
        "feed:pubmed",
    }
    # two new documents, each summarised and related once: only the new ones went to the model
    assert model.calls[calls:].count("SummaryDraft") == 2
    assert model.calls[calls:].count("RelationsDraft") == 2
    assert len(state.feeds()) == 3 and state.remove_feed("sleep spindles", "biorxiv")
    assert [f.source for f in state.feeds()] == ["arxiv", "pubmed"]


@respx.mock
def test_open_access_pdf_is_fetched_only_when_it_is_a_pdf(tmp_path: Path) -> None:
    item = parse_arxiv(ARXIV_ATOM)[0]
    assert item.pdf_url
    respx.get(item.pdf_url).respond(content=b"%PDF-1.7\n%fake but pdf-shaped\n")
    path = fetch_pdf(client(), item, tmp_path, 1_000_000)
    assert path.name == "arxiv-2502.17001.pdf" and path.read_bytes().startswith(b"%PDF")
    respx.get(item.pdf_url).respond(text="<html>captcha</html>")
    with pytest.raises(FeedError, match="did not return a PDF"):
        fetch_pdf(client(), item, tmp_path / "x", 1_000_000)
    respx.get(item.pdf_url).respond(content=b"%PDF" + b"0" * 2000)
    with pytest.raises(FeedError, match="larger than"):
        fetch_pdf(client(), item, tmp_path / "x", 1000)
