"""Literature feeds: arXiv (Atom), PubMed E-utilities (esearch JSON + efetch XML), bioRxiv (JSON).

Each saved topic is asked for recent items; every item not taken before is
written as a Markdown document (title, authors, venue, date, DOI, link,
abstract) under ``HOME/feeds/<library>/`` and ingested like any other file, so
it is searchable and citable. Where the API links an open-access PDF (arXiv)
and ``IDEAPUMP_DIGEST__FEED_FETCH_PDF`` is on, the PDF is fetched too.

Requests are polite: one client per run, a minimum pause between requests to
the same host (arXiv asks for 3 s; NCBI allows 3 requests/s, 10 with an API
key), a descriptive User-Agent, and bounded retries with backoff on 429, 5xx
and network errors (``Retry-After`` honoured). A feed that fails raises
:class:`FeedError`; the digest notes it and carries on with the others.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from ideapump import __version__
from ideapump.config import DigestSettings
from ideapump.errors import FeedError

ARXIV_URL = "https://export.arxiv.org/api/query"
ESEARCH_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi"
EFETCH_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi"
BIORXIV_URL = "https://api.biorxiv.org/details/biorxiv"
BIORXIV_MAX_PAGES = 5  # 100 items a page; the API has no topic search, so we filter
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}  # noqa: SIM905
_ATOM = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


@dataclass
class FeedItem:
    source: str
    item_id: str
    title: str
    abstract: str
    authors: list[str]
    published: date | None
    url: str
    venue: str = ""
    doi: str | None = None
    pdf_url: str | None = None


class PoliteClient:
    """httpx with a minimum pause per host and bounded retries with backoff."""

    def __init__(self, settings: DigestSettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        agent = f"IdeaPump/{__version__} (research digest"
        agent += f"; mailto:{settings.contact_email})" if settings.contact_email else ")"
        self.client = client or httpx.Client(
            timeout=settings.feed_timeout_s, headers={"User-Agent": agent}, follow_redirects=True
        )
        self._last: dict[str, float] = {}
        self.sleep: Callable[[float], None] = time.sleep

    def _delay(self, host: str) -> float:
        delay = self.settings.feed_delay_s
        if host.endswith("ncbi.nlm.nih.gov"):  # NCBI: 3 requests/s, 10 with a key
            delay = min(delay, 0.1 if self.settings.ncbi_api_key else 0.34)
        return delay

    def get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        host = urlparse(url).hostname or ""
        last_error = ""
        for attempt in range(self.settings.feed_retries + 1):
            wait = self._last.get(host, 0.0) + self._delay(host) - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self._last[host] = time.monotonic()
            try:
                response = self.client.get(url, params=params)
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                self.sleep(self._backoff(attempt, None))
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last_error = f"HTTP {response.status_code}"
                self.sleep(self._backoff(attempt, response.headers.get("Retry-After")))
                continue
            if response.status_code >= 400:
                raise FeedError(f"{host} answered HTTP {response.status_code}")
            return response
        raise FeedError(f"{host} failed after {self.settings.feed_retries + 1} tries: {last_error}")

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), 60.0)
        return min(self.settings.feed_delay_s * 2**attempt, 60.0)

    def close(self) -> None:
        self.client.close()


def _xml(text: str) -> ET.Element:
    if "<!ENTITY" in text:
        raise FeedError("the feed sent XML with entity declarations; refused")
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise FeedError(f"the feed sent malformed XML: {exc}") from None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _words(topic: str) -> list[str]:
    return [w for w in re.findall(r"[\w-]+", topic.lower()) if len(w) > 1]


# -- arXiv ------------------------------------------------------------------------------


def parse_arxiv(text: str) -> list[FeedItem]:
    root = _xml(text)
    items = []
    for entry in root.findall("a:entry", _ATOM):
        raw_id = _clean(entry.findtext("a:id", "", _ATOM))
        if "/abs/" not in raw_id:  # arXiv reports query errors as an entry
            if "error" in raw_id.lower():
                raise FeedError(f"arXiv: {_clean(entry.findtext('a:summary', '', _ATOM))}")
            continue
        item_id = re.sub(r"v\d+$", "", raw_id.split("/abs/", 1)[1])
        pdf = next(
            (
                link.get("href")
                for link in entry.findall("a:link", _ATOM)
                if link.get("title") == "pdf" or link.get("type") == "application/pdf"
            ),
            None,
        )
        published = _clean(entry.findtext("a:published", "", _ATOM))[:10]
        category = entry.find("arxiv:primary_category", _ATOM)
        items.append(
            FeedItem(
                source="arxiv",
                item_id=item_id,
                title=_clean(entry.findtext("a:title", "", _ATOM)),
                abstract=_clean(entry.findtext("a:summary", "", _ATOM)),
                authors=[
                    _clean(a.findtext("a:name", "", _ATOM))
                    for a in entry.findall("a:author", _ATOM)
                ],
                published=date.fromisoformat(published) if published else None,
                url=raw_id,
                venue=_clean(entry.findtext("arxiv:journal_ref", "", _ATOM))
                or f"arXiv {category.get('term') if category is not None else ''}".strip(),
                doi=_clean(entry.findtext("arxiv:doi", "", _ATOM)) or None,
                pdf_url=pdf,
            )
        )
    return items


def fetch_arxiv(client: PoliteClient, topic: str, limit: int, today: date) -> list[FeedItem]:
    query = " AND ".join(f"all:{w}" for w in _words(topic))
    response = client.get(
        ARXIV_URL,
        {
            "search_query": query,
            "sortBy": "submittedDate",
            "sortOrder": "descending",
            "start": 0,
            "max_results": limit,
        },
    )
    cutoff = today - timedelta(days=client.settings.feed_days)
    return [i for i in parse_arxiv(response.text) if i.published is None or i.published >= cutoff]


# -- PubMed -----------------------------------------------------------------------------


def parse_pubmed(text: str) -> list[FeedItem]:
    root = _xml(text)
    items = []
    for art in root.iter("PubmedArticle"):
        pmid = _clean(art.findtext("MedlineCitation/PMID"))
        article = art.find("MedlineCitation/Article")
        if not pmid or article is None:
            continue
        parts = []
        for node in article.findall("Abstract/AbstractText"):
            body = _clean("".join(node.itertext()))
            label = node.get("Label")
            parts.append(f"{label.title()}: {body}" if label else body)
        authors = []
        for a in article.findall("AuthorList/Author"):
            name = a.findtext("CollectiveName") or " ".join(
                x for x in (a.findtext("LastName"), a.findtext("Initials")) if x
            )
            if name:
                authors.append(_clean(name))
        doi = next(
            (
                _clean(n.text)
                for n in art.findall("PubmedData/ArticleIdList/ArticleId")
                if n.get("IdType") == "doi"
            ),
            None,
        )
        items.append(
            FeedItem(
                source="pubmed",
                item_id=pmid,
                title=_clean("".join(article.find("ArticleTitle").itertext()))  # type: ignore[union-attr]
                if article.find("ArticleTitle") is not None
                else f"PMID {pmid}",
                abstract="\n\n".join(parts),
                authors=authors,
                published=_pubmed_date(art),
                url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
                venue=_clean(article.findtext("Journal/Title")),
                doi=doi,
            )
        )
    return items


def _pubmed_date(art: ET.Element) -> date | None:
    for path in (
        "MedlineCitation/Article/ArticleDate",
        "MedlineCitation/Article/Journal/JournalIssue/PubDate",
    ):
        node = art.find(path)
        if node is not None and (node.findtext("Year") or "").isdigit():
            month = node.findtext("Month") or "1"
            m = int(month) if month.isdigit() else _MONTHS.get(month[:3].lower(), 1)
            day = node.findtext("Day") or "1"
            return date(int(node.findtext("Year") or 0), m, int(day) if day.isdigit() else 1)
    return None


def fetch_pubmed(client: PoliteClient, topic: str, limit: int, today: date) -> list[FeedItem]:
    s = client.settings
    common: dict[str, Any] = {"db": "pubmed", "tool": "ideapump"}
    if s.contact_email:
        common["email"] = s.contact_email
    if s.ncbi_api_key:
        common["api_key"] = s.ncbi_api_key.get_secret_value()
    found = client.get(
        ESEARCH_URL,
        {
            **common,
            "term": topic,
            "retmode": "json",
            "retmax": limit,
            "sort": "pub_date",
            "datetype": "edat",
            "reldate": s.feed_days,
        },
    )
    try:
        ids = [str(i) for i in json.loads(found.text)["esearchresult"]["idlist"]]
    except (ValueError, KeyError, TypeError):
        raise FeedError("PubMed esearch sent an unexpected answer") from None
    if not ids:
        return []
    fetched = client.get(
        EFETCH_URL, {**common, "id": ",".join(ids), "retmode": "xml", "rettype": "abstract"}
    )
    return parse_pubmed(fetched.text)


# -- bioRxiv ----------------------------------------------------------------------------


def parse_biorxiv(text: str, topic: str) -> tuple[list[FeedItem], int]:
    """Items matching every word of ``topic`` (title, abstract, category) and the total."""
    try:
        data = json.loads(text)
        message = data["messages"][0]
        collection = data.get("collection") or []
    except (ValueError, KeyError, IndexError, TypeError):
        raise FeedError("bioRxiv sent an unexpected answer") from None
    total = int(message.get("total") or message.get("count") or 0)
    words = _words(topic)
    items = []
    for rec in collection:
        hay = " ".join(str(rec.get(k, "")) for k in ("title", "abstract", "category")).lower()
        if not all(re.search(rf"\b{re.escape(w)}", hay) for w in words):
            continue
        doi = str(rec.get("doi", ""))
        items.append(
            FeedItem(
                source="biorxiv",
                item_id=doi,
                title=_clean(rec.get("title")),
                abstract=_clean(rec.get("abstract")),
                authors=[_clean(a) for a in str(rec.get("authors", "")).split(";") if a.strip()],
                published=date.fromisoformat(rec["date"]) if rec.get("date") else None,
                url=f"https://doi.org/{doi}",
                venue=f"bioRxiv ({rec.get('category', '')}, {rec.get('type', 'preprint')})",
                doi=doi or None,
            )
        )
    return items, total


def fetch_biorxiv(client: PoliteClient, topic: str, limit: int, today: date) -> list[FeedItem]:
    start = (today - timedelta(days=client.settings.feed_days)).isoformat()
    found: dict[str, FeedItem] = {}
    cursor = 0
    for _ in range(BIORXIV_MAX_PAGES):
        response = client.get(f"{BIORXIV_URL}/{start}/{today.isoformat()}/{cursor}/json")
        items, total = parse_biorxiv(response.text, topic)
        for item in items:
            found[item.item_id] = item  # later versions replace earlier ones
        cursor += 100
        if cursor >= total or len(found) >= limit:
            break
    return sorted(found.values(), key=lambda i: i.published or date.min, reverse=True)


FETCHERS: dict[str, Callable[[PoliteClient, str, int, date], list[FeedItem]]] = {
    "arxiv": fetch_arxiv,
    "pubmed": fetch_pubmed,
    "biorxiv": fetch_biorxiv,
}


# -- documents --------------------------------------------------------------------------


def item_markdown(item: FeedItem, topic: str) -> str:
    authors = ", ".join(item.authors[:12]) + (" et al." if len(item.authors) > 12 else "")
    when = item.published.isoformat() if item.published else "date unknown"
    lines = [f"# {item.title or item.item_id}", "", f"{authors or 'Authors unknown'}."]
    lines.append(f"{item.venue or item.source} ({when}).")
    if item.doi:
        lines.append(f"doi:{item.doi}")
    lines += [f"Link: {item.url}", f"Found by the {item.source} feed '{topic}'.", ""]
    lines += ["## Abstract", "", item.abstract or "(no abstract given)", ""]
    return "\n".join(lines)


def item_path(folder: Path, item: FeedItem, suffix: str = ".md") -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", item.item_id).strip("._")[:120] or "item"
    return folder / f"{item.source}-{safe}{suffix}"


def write_item(folder: Path, item: FeedItem, topic: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = item_path(folder, item)
    path.write_text(item_markdown(item, topic), encoding="utf-8")
    return path


def fetch_pdf(client: PoliteClient, item: FeedItem, folder: Path, max_bytes: int) -> Path:
    assert item.pdf_url
    response = client.get(item.pdf_url)
    if not response.content.startswith(b"%PDF"):
        raise FeedError(f"{item.pdf_url} did not return a PDF")
    if len(response.content) > max_bytes:
        raise FeedError(f"{item.pdf_url} is larger than the ingest size limit")
    path = item_path(folder, item, ".pdf")
    path.write_bytes(response.content)
    return path


def fetched_on(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"
