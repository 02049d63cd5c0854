"""Notebook client for the IdeaPump service: ``Client`` and ``AsyncClient``.

    from ideapump.client import Client
    ip = Client("http://127.0.0.1:8000", api_key="ipk_...")
    ip.upload(["papers/dubois2021.pdf"])
    conv = ip.create_conversation()
    for event in ip.send(conv.conv_id, "Propose a follow-up experiment"):
        if event.type == "token":
            print(event.text, end="")

Methods return the same pydantic models as the Python API (DocumentInfo,
Passage, StatsReport, IngestReport, Proposals, Critique, EvidenceReport) and
the service's schemas; streams are iterators of typed events; an error answer
raises the IdeaPumpError subclass for its ``type`` (NotFoundError for 404...). ``proposals.to_dataframe()`` and
``stats_dataframe(report)`` need pandas (optional: ``pip install 'ideapump[pandas]'``).
``digests()`` lists the nightly digests; ``digest(date, format="md")`` is one digest's
Markdown (``format="html"``: its HTML page) as text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel

from ideapump import errors as E
from ideapump import sse
from ideapump.capabilities import CAPABILITIES, http_request
from ideapump.models import DocumentInfo, IngestReport, Passage
from ideapump.results import Critique, EvidenceReport, Proposals
from ideapump.schemas import (
    CheckStatsRequest,
    Conversation,
    ConversationDetail,
    CritiqueRequest,
    DigestFormat,
    DigestInfo,
    DocumentDetail,
    IngestEvent,
    ProposeRequest,
    SearchMode,
    SearchRequest,
    WeighRequest,
    chat_event_adapter,
)
from ideapump.stats.models import StatsReport

#: Every error class by the ``type`` the service's error JSON names (errors.py is the table).
_ERRORS = E.error_types()


def raise_for_error(status: int, body: bytes) -> None:
    """Raise the IdeaPumpError named by an error answer's ``{"error": {"type", "message"}}``."""
    if status < 400:
        return
    try:
        err = json.loads(body)["error"]
        kind, message = str(err["type"]), str(err["message"])
    except (ValueError, KeyError, TypeError):
        kind, message = "http_error", f"HTTP {status}: {body[:200]!r}"
    if kind == "rate_limited":
        raise E.RateLimitedError(message, retry_after=1.0)
    cls = _ERRORS.get(kind, E.NotFoundError if status == 404 else E.IdeaPumpError)
    raise cls(message)


def _files(paths: Iterable[str | Path]) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (Path(p).name, Path(p).read_bytes())) for p in paths]


def _day(date: str | dt.date) -> str:
    return f"{date:%Y-%m-%d}" if isinstance(date, dt.date) else date


def stats_dataframe(report: StatsReport) -> Any:
    """The report's results as a pandas DataFrame (one row per reported test)."""
    from ideapump.frames import require_pandas

    pd = require_pandas()

    return pd.DataFrame([{**r.contract(), "explanation": r.explanation} for r in report.results])


class Client:
    """Synchronous client; pass ``http=`` to reuse an httpx.Client (or an in-process one)."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        api_key: str | None = None,
        *,
        timeout: float = 300.0,
        http: httpx.Client | Any = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self.http.headers.update(headers)

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        r = self.http.request(method, path, **kw)
        raise_for_error(r.status_code, r.content)
        return r.json() if r.content else None

    def _text(self, path: str, **kw: Any) -> str:
        r = self.http.request("GET", path, **kw)
        raise_for_error(r.status_code, r.content)
        return r.text

    def _stream(self, path: str, **kw: Any) -> Iterator[dict[str, Any]]:
        with self.http.stream("POST", path, **kw) as r:
            if r.status_code >= 400:
                raise_for_error(r.status_code, r.read())
            yield from sse.parse(r.iter_lines())

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/healthz")

    def documents(self) -> list[DocumentInfo]:
        return [DocumentInfo.model_validate(d) for d in self._call("GET", "/documents")]

    def document(self, doc_id: str) -> DocumentDetail:
        return DocumentDetail.model_validate(self._call("GET", f"/documents/{doc_id}"))

    def delete_document(self, doc_id: str) -> DocumentInfo:
        return DocumentInfo.model_validate(self._call("DELETE", f"/documents/{doc_id}"))

    def upload(self, paths: Iterable[str | Path]) -> IngestReport:
        return IngestReport.model_validate(self._call("POST", "/documents", files=_files(paths)))

    def upload_progress(self, paths: Iterable[str | Path]) -> Iterator[IngestEvent]:
        """Progress events while the files are ingested; the last one (``done``) has the report."""
        for payload in self._stream("/documents?stream=true", files=_files(paths)):
            if payload.get("type") == "error":
                err = payload["error"]
                raise_for_error(500, json.dumps({"error": err}).encode())
            yield IngestEvent.model_validate(payload)

    def _run(self, name: str, request: BaseModel) -> Any:
        """Capability ``name`` over HTTP (:mod:`ideapump.capabilities`), its result parsed."""
        method, path, body = http_request(name, request)
        return CAPABILITIES[name].parse(self._call(method, path, json=body))

    def search(
        self,
        query: str,
        k: int = 5,
        doc_ids: list[str] | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[Passage]:
        """Top-k passages; ``mode``: "hybrid" (default), "dense" or "lexical"."""
        return self._run("search", SearchRequest(query=query, k=k, doc_ids=doc_ids, mode=mode))

    def check_stats(self, text: str, alpha: float | None = None) -> StatsReport:
        """Recompute every reported test in ``text`` (t, F, r, χ², z; GRIM)."""
        return self._run("check_stats", CheckStatsRequest(text=text, alpha=alpha))

    def document_stats(self, doc_id: str, alpha: float | None = None) -> StatsReport:
        params = {"alpha": alpha} if alpha is not None else {}
        return StatsReport.model_validate(
            self._call("GET", f"/documents/{doc_id}/stats", params=params)
        )

    def propose(self, question: str, *, n: int = 3, k: int = 2) -> Proposals:
        """Ranked, cited experiment proposals (``.to_dataframe()`` for a table)."""
        return self._run("propose", ProposeRequest(question=question, n=n, k=k))

    def critique(self, doc_id: str) -> Critique:
        """Statistics audit and cited methods critique of a document (id or unique prefix)."""
        return self._run("critique", CritiqueRequest(doc_id=doc_id))

    def weigh(
        self, claim: str, *, max_papers: int = 40, passages_per_paper: int = 2
    ) -> EvidenceReport:
        """The library's evidence on ``claim``: papers, stances, effects, pooled estimate, verdict."""
        request = WeighRequest(
            claim=claim, max_papers=max_papers, passages_per_paper=passages_per_paper
        )
        return self._run("weigh", request)

    def forest_png(self, report: EvidenceReport) -> bytes:
        """The report's forest plot as PNG (``IPython.display.Image(data=...)``)."""
        r = self.http.post("/weigh/forest.png", json=report.model_dump(mode="json"))
        raise_for_error(r.status_code, r.content)
        return r.content

    def create_conversation(self, title: str = "") -> Conversation:
        return Conversation.model_validate(
            self._call("POST", "/conversations", json={"title": title})
        )

    def conversations(self) -> list[Conversation]:
        return [Conversation.model_validate(c) for c in self._call("GET", "/conversations")]

    def conversation(self, conv_id: str) -> ConversationDetail:
        return ConversationDetail.model_validate(self._call("GET", f"/conversations/{conv_id}"))

    def delete_conversation(self, conv_id: str) -> None:
        self._call("DELETE", f"/conversations/{conv_id}")

    def digests(self) -> list[DigestInfo]:
        """This key's library's nightly digests, newest first."""
        return [DigestInfo.model_validate(d) for d in self._call("GET", "/digests")]

    def digest_info(self, date: str | dt.date) -> DigestInfo:
        return DigestInfo.model_validate(self._call("GET", f"/digests/{_day(date)}"))

    def digest(self, date: str | dt.date, format: DigestFormat = "md") -> str:
        """The digest of ``date`` (YYYY-MM-DD) as Markdown, or as one HTML page."""
        return self._text(f"/digests/{_day(date)}/file", params={"format": format})

    def send(self, conv_id: str, content: str) -> Iterator[Any]:
        """The reply as typed events (token, citation, proposal, stats_finding, done, error)."""
        for payload in self._stream(
            f"/conversations/{conv_id}/messages", json={"content": content}
        ):
            yield chat_event_adapter.validate_python(payload)

    def ask(self, conv_id: str, content: str) -> Any:
        """The reply's final ``done`` event (raises on an ``error`` event)."""
        for event in self.send(conv_id, content):
            if event.type == "error":
                raise_for_error(500, json.dumps({"error": event.error}).encode())
            if event.type == "done":
                return event
        raise E.IdeaPumpError("the reply stream ended without a done event")

    def close(self) -> None:
        self.http.close()


class AsyncClient:
    """The async twin (for notebooks running an event loop, or services)."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        api_key: str | None = None,
        *,
        timeout: float = 300.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.http = http or httpx.AsyncClient(base_url=base_url, timeout=timeout)
        if api_key:
            self.http.headers["Authorization"] = f"Bearer {api_key}"

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        r = await self.http.request(method, path, **kw)
        raise_for_error(r.status_code, r.content)
        return r.json() if r.content else None

    async def _text(self, path: str, **kw: Any) -> str:
        r = await self.http.request("GET", path, **kw)
        raise_for_error(r.status_code, r.content)
        return r.text

    async def documents(self) -> list[DocumentInfo]:
        return [DocumentInfo.model_validate(d) for d in await self._call("GET", "/documents")]

    async def upload(self, paths: Iterable[str | Path]) -> IngestReport:
        body = await self._call("POST", "/documents", files=_files(paths))
        return IngestReport.model_validate(body)

    async def _run(self, name: str, request: BaseModel) -> Any:
        method, path, body = http_request(name, request)
        return CAPABILITIES[name].parse(await self._call(method, path, json=body))

    async def search(
        self,
        query: str,
        k: int = 5,
        doc_ids: list[str] | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[Passage]:
        return await self._run(
            "search", SearchRequest(query=query, k=k, doc_ids=doc_ids, mode=mode)
        )

    async def check_stats(self, text: str, alpha: float | None = None) -> StatsReport:
        return await self._run("check_stats", CheckStatsRequest(text=text, alpha=alpha))

    async def propose(self, question: str, *, n: int = 3, k: int = 2) -> Proposals:
        return await self._run("propose", ProposeRequest(question=question, n=n, k=k))

    async def critique(self, doc_id: str) -> Critique:
        return await self._run("critique", CritiqueRequest(doc_id=doc_id))

    async def weigh(
        self, claim: str, *, max_papers: int = 40, passages_per_paper: int = 2
    ) -> EvidenceReport:
        request = WeighRequest(
            claim=claim, max_papers=max_papers, passages_per_paper=passages_per_paper
        )
        return await self._run("weigh", request)

    async def forest_png(self, report: EvidenceReport) -> bytes:
        r = await self.http.post("/weigh/forest.png", json=report.model_dump(mode="json"))
        raise_for_error(r.status_code, r.content)
        return r.content

    async def create_conversation(self, title: str = "") -> Conversation:
        body = await self._call("POST", "/conversations", json={"title": title})
        return Conversation.model_validate(body)

    async def conversation(self, conv_id: str) -> ConversationDetail:
        return ConversationDetail.model_validate(
            await self._call("GET", f"/conversations/{conv_id}")
        )

    async def digests(self) -> list[DigestInfo]:
        return [DigestInfo.model_validate(d) for d in await self._call("GET", "/digests")]

    async def digest_info(self, date: str | dt.date) -> DigestInfo:
        return DigestInfo.model_validate(await self._call("GET", f"/digests/{_day(date)}"))

    async def digest(self, date: str | dt.date, format: DigestFormat = "md") -> str:
        return await self._text(f"/digests/{_day(date)}/file", params={"format": format})

    async def send(self, conv_id: str, content: str) -> AsyncIterator[Any]:
        path = f"/conversations/{conv_id}/messages"
        async with self.http.stream("POST", path, json={"content": content}) as r:
            if r.status_code >= 400:
                raise_for_error(r.status_code, await r.aread())
            data: list[str] = []
            async for line in r.aiter_lines():
                if line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line.strip() and data:
                    yield chat_event_adapter.validate_python(json.loads("".join(data)))
                    data = []

    async def aclose(self) -> None:
        await self.http.aclose()
