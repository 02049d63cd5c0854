"""The notebook client's digests (sync and async) against a digest written for real."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from ideapump.api import create_app
from ideapump.api.storage import ServiceStore
from ideapump.client import AsyncClient, Client
from ideapump.digest.run import DigestResult
from ideapump.errors import InputError, NotFoundError
from ideapump.runtime import Runtime
from tests.api.test_digests import DAY, TITLE, digested  # noqa: F401  (fixture)
from tests.digest.conftest import OLD_DAY, Lab, lab, old_home  # noqa: F401  (fixtures)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _key(lab: Lab, library: str) -> str:  # noqa: F811
    return ServiceStore(Runtime(lab.settings).registry).create_key(library)[1]


def test_sync_client_lists_and_fetches_digests(
    lab: Lab,  # noqa: F811
    digested: DigestResult,  # noqa: F811
    embeddings: Any,
) -> None:
    md_path, html_path = digested.files
    owner, other = _key(lab, "default"), _key(lab, "otherlab")
    app = create_app(lab.settings, embeddings=embeddings)
    with TestClient(app, base_url="http://t", raise_server_exceptions=False) as http:
        ip = Client(api_key=owner, http=http)
        listed = ip.digests()
        assert [d.date for d in listed] == ["2025-03-02", OLD_DAY]
        assert listed[0].formats == ["md", "html"] and listed[0].runs == 1
        assert ip.digest_info(DAY) == listed[0]
        md = ip.digest(DAY)
        assert md == md_path.read_text(encoding="utf-8") and TITLE in md
        html = ip.digest("2025-03-02", format="html")
        assert html == html_path.read_text(encoding="utf-8") and html.startswith("<!DOCTYPE")
        with pytest.raises(NotFoundError, match="no digest of 2024-01-01"):
            ip.digest(date(2024, 1, 1))
        with pytest.raises(InputError, match="YYYY-MM-DD") as info:
            ip.digest("yesterday")
        assert not isinstance(info.value, NotFoundError)

        ip_other = Client(api_key=other, http=http)
        assert ip_other.digests() == []
        with pytest.raises(NotFoundError):
            ip_other.digest(DAY)


@pytest.mark.anyio
async def test_async_client_lists_and_fetches_digests(
    lab: Lab,  # noqa: F811
    digested: DigestResult,  # noqa: F811
    embeddings: Any,
) -> None:
    owner = _key(lab, "default")
    app = create_app(lab.settings, embeddings=embeddings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        ip = AsyncClient(api_key=owner, http=http)
        assert [d.date for d in await ip.digests()] == ["2025-03-02", OLD_DAY]
        assert (await ip.digest_info("2025-03-02")).formats == ["md", "html"]
        assert await ip.digest(DAY) == digested.files[0].read_text(encoding="utf-8")
        html = await ip.digest(DAY, format="html")
        assert html == digested.files[1].read_text(encoding="utf-8")
        with pytest.raises(NotFoundError):
            await ip.digest("2024-01-01", format="html")
