"""``/digests``: a digest written for real, listed and served per key, and what is refused.

The digest is the one tests/digest writes: the lab library of ``tests.digest.conftest``
(a baseline digest on 2025-03-01, then the Lhakhang paper arrives) digested on
2025-03-02 by ``run_digest`` with the same fake model behind respx.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
import respx

from ideapump.api import create_app
from ideapump.digest import run_digest
from ideapump.digest.run import DigestResult
from ideapump.digest.state import DigestState
from tests.api.conftest import make_key
from tests.api.test_basics import assert_error
from tests.digest.conftest import BASE, OLD_DAY, FakeModel, Lab, lab, old_home  # noqa: F401

pytestmark = pytest.mark.anyio

DAY = date(2025, 3, 2)
TITLE = "Evaluating brief motivational"  # the Lhakhang paper, new on DAY


@pytest.fixture
def digested(lab: Lab) -> DigestResult:  # noqa: F811
    """The lab's digest of DAY, written by run_digest with tests/digest's fake model.

    The respx mock is closed once the digest is written, so in-process clients that
    speak httpx2 (Starlette's TestClient) are not routed into it afterwards.
    """
    fake = FakeModel()
    with respx.mock(using="httpx2", base_url=BASE, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=fake)
        result = run_digest(lab.runtime, today=DAY, deliver=False)
    assert fake.calls and [e.title for e in result.digest.entries if e.title.startswith(TITLE)]
    return result


@pytest.fixture
async def api(lab: Lab, embeddings: Any) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    app = create_app(lab.settings, embeddings=embeddings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ideapump.test") as c:
        yield c


async def test_digest_is_listed_newest_first_and_served_as_markdown_and_html(
    api: httpx.AsyncClient,
    lab: Lab,  # noqa: F811
    digested: DigestResult,
) -> None:
    key = make_key(lab.settings, "default")
    md_path, html_path = digested.files

    r = await api.get("/digests", headers=key)
    assert r.status_code == 200, r.text
    listed = r.json()
    assert [d["date"] for d in listed] == ["2025-03-02", OLD_DAY]
    today = listed[0]
    assert today["library"] == "default" and today["runs"] == 1 and today["notes"] == []
    assert today["formats"] == ["md", "html"]
    assert today["links"] == {
        "self": "/digests/2025-03-02",
        "md": "/digests/2025-03-02/file?format=md",
        "html": "/digests/2025-03-02/file?format=html",
    }
    assert (await api.get(today["links"]["self"], headers=key)).json() == today

    md = await api.get(today["links"]["md"], headers=key)
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert md.text == md_path.read_text(encoding="utf-8")
    assert md.text.startswith("# IdeaPump digest: default, 2025-03-02") and TITLE in md.text
    assert (await api.get("/digests/2025-03-02/file", headers=key)).text == md.text  # md default

    html = await api.get(today["links"]["html"], headers=key)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.text == html_path.read_text(encoding="utf-8")
    assert html.text.startswith("<!DOCTYPE html>") and TITLE in html.text
    assert "default-src 'none'" in html.headers["content-security-policy"]

    # the HTML file removed from disk: no longer offered, and fetching it is a clear 404
    html_path.unlink()
    assert (await api.get("/digests/2025-03-02", headers=key)).json()["formats"] == ["md"]
    gone = assert_error(await api.get(today["links"]["html"], headers=key), 404, "not_found")
    assert "no html file" in str(gone["message"])


async def test_another_librarys_key_sees_no_digest(
    api: httpx.AsyncClient,
    lab: Lab,  # noqa: F811
    digested: DigestResult,
) -> None:
    owner, other = make_key(lab.settings, "default"), make_key(lab.settings, "otherlab")
    assert (await api.get("/digests", headers=other)).json() == []
    for path in ("/digests/2025-03-02", "/digests/2025-03-02/file?format=md"):
        r = await api.get(path, headers=other)
        assert_error(r, 404, "not_found")
        assert TITLE not in r.text
    assert_error(await api.get("/digests"), 401, "unauthorized")  # keys exist: one is needed
    assert (await api.get("/digests/2025-03-02/file", headers=owner)).status_code == 200


async def test_bad_missing_and_foreign_dates_are_clean_errors(
    api: httpx.AsyncClient,
    lab: Lab,  # noqa: F811
) -> None:
    key = make_key(lab.settings, "default")
    for path in (
        "/digests/yesterday",
        "/digests/2025-3-2",
        "/digests/2025-02-30",
        "/digests/1740873600",
        "/digests/2025-02-30/file?format=md",
        f"/digests/{OLD_DAY}/file?format=pdf",
    ):
        message = assert_error(await api.get(path, headers=key), 422, "invalid_request")["message"]
        assert "date" in str(message) or "format" in str(message)
    for path in ("/digests/2024-01-01", "/digests/2024-01-01/file?format=html"):
        message = assert_error(await api.get(path, headers=key), 404, "not_found")["message"]
        assert "no digest of 2024-01-01" in str(message)
    # the baseline digest is there, so the 404s above are about the date, not the library
    assert (await api.get(f"/digests/{OLD_DAY}/file", headers=key)).status_code == 200

    # a file that is not the digest's own is never served, even if the record names it
    secret = lab.home / "secret.md"
    secret.write_text("lab secret", encoding="utf-8")
    DigestState(lab.lib.registry, "default").save_digest("2025-03-05", [], [str(secret)])
    assert (await api.get("/digests/2025-03-05", headers=key)).json()["formats"] == []
    for path in (
        "/digests/2025-03-05/file?format=md",
        "/digests/..%2Fsecret.md/file",
        "/digests/%2E%2E/%2E%2E/secret.md",
    ):
        r = await api.get(path, headers=key)
        assert r.status_code in (404, 422) and "lab secret" not in r.text
        assert set(r.json()["error"]) >= {"type", "message"}


async def test_openapi_documents_the_digest_routes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in ("/digests", "/digests/{date}", "/digests/{date}/file"):
        get = paths[path]["get"]
        assert get["summary"] and get["tags"] == ["digests"] and "404" in get["responses"]
    assert spec["components"]["schemas"]["DigestInfo"]["example"]["formats"] == ["md", "html"]
    served = paths["/digests/{date}/file"]["get"]["responses"]["200"]["content"]
    assert set(served) == {"text/markdown", "text/html"}
    params = {p["name"]: p for p in paths["/digests/{date}/file"]["get"]["parameters"]}
    assert params["date"]["schema"]["format"] == "date"
    assert params["format"]["schema"]["enum"] == ["md", "html"]
