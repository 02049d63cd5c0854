"""Open WebUI shows IdeaPump's citations as its own sources: end to end, headless Chromium.

Opt-in: Open WebUI is too heavy for CI (the 0.12.4 wheel is 106 MB and pulls 261
packages, PyTorch and 17 CUDA packages among them: 7.4 GB installed, 131 s from the
local mirror). Install it in a venv of its own and point the test at it::

    python3 -m venv /tmp/owui && /tmp/owui/bin/pip install open-webui
    IDEAPUMP_OPEN_WEBUI=/tmp/owui/bin/open-webui pytest -m slow tests/api/test_open_webui.py

Open WebUI (no login, offline) talks to an IdeaPump server process whose model is
the fake one; the page asks a question, the reply's ``[1]`` renders as a source chip,
the source shows the page and the quote, and its link opens that page in IdeaPump's
chat page with the quote marked. The chunk shapes themselves are checked without
Open WebUI in tests/api/test_openai_and_injection.py.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from ideapump.config import Settings
from tests.api.conftest import make_key
from tests.servers import fake_llm, free_port, ideapump_server, server_env, wait_http

OPEN_WEBUI = os.environ.get("IDEAPUMP_OPEN_WEBUI", "")
CHROMIUM = Path("/usr/bin/chromium")
NOTE = "# Sleep study\n\nSleep after learning improved recall of word pairs by 12% (n = 40)."

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (OPEN_WEBUI and Path(OPEN_WEBUI).exists() and CHROMIUM.exists()),
        reason="set IDEAPUMP_OPEN_WEBUI to an installed open-webui (see the module docstring) "
        "and install Debian's chromium",
    ),
]


def open_webui_env(data: Path, ideapump_url: str, key: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATA_DIR": str(data),
        "WEBUI_AUTH": "False",  # one local user, no sign-up
        "ENABLE_OLLAMA_API": "False",
        "OPENAI_API_BASE_URLS": f"{ideapump_url}/v1",
        "OPENAI_API_KEYS": key,
        "DEFAULT_MODELS": "ideapump",
        "OFFLINE_MODE": "true",
        "HF_HUB_OFFLINE": "1",
        "RAG_EMBEDDING_MODEL_AUTO_UPDATE": "False",
        # no side requests to the model (titles, tags, follow-ups)
        "ENABLE_TITLE_GENERATION": "False",
        "ENABLE_TAGS_GENERATION": "False",
        "ENABLE_FOLLOW_UP_GENERATION": "False",
        "ENABLE_AUTOCOMPLETE_GENERATION": "False",
    }


def test_open_webui_renders_ideapump_citations_as_sources(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    home = tmp_path / "home"
    key = make_key(Settings(home=home), "default")
    secret = key["Authorization"].removeprefix("Bearer ")
    shots = Path(os.environ.get("SCREENSHOTS_DIR", tmp_path)).resolve()
    with (
        fake_llm(tokens_per_s=30, tokens=25) as llm_url,
        ideapump_server(server_env(home, llm_url)) as url,
    ):
        r = httpx.post(
            f"{url}/documents",
            files=[("files", ("sleep.md", NOTE.encode(), "text/markdown"))],
            headers=key,
            timeout=120,
        )
        assert r.status_code == 200, r.text
        data, port = tmp_path / "open-webui", free_port()
        data.mkdir()
        log = tmp_path / "open-webui.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [OPEN_WEBUI, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=open_webui_env(data, url, secret),
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=data,
            )
        try:
            wait_http(f"http://127.0.0.1:{port}/health", proc, log, timeout=300)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                link = check_sources(page, port, shots)
                check_link(page, link, url, secret)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def check_sources(page: Any, port: int, shots: Path) -> str:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(f"http://127.0.0.1:{port}/", wait_until="load", timeout=120_000)
    box = page.locator("#chat-input")
    box.wait_for(timeout=120_000)
    dialogs = page.locator("div[role=dialog]")
    # a "what's new" dialog comes up a moment after the page, on a first visit
    with contextlib.suppress(PlaywrightTimeout):
        dialogs.first.wait_for(timeout=5_000)
    for _ in range(20):
        if dialogs.count() == 0:
            break
        page.keyboard.press("Escape")
        page.wait_for_timeout(500)
    box.click()
    box.type("What helps recall of word pairs?")
    page.keyboard.press("Enter")
    sources = page.get_by_text("1 Source")
    sources.wait_for(timeout=120_000)  # the source event was taken as a source
    # the reply's [1] is rendered as Open WebUI's chip, named by the document's title
    reply = page.locator("#response-content-container").last
    page.get_by_text("References:").wait_for(timeout=120_000)  # the reply is complete
    assert "Sleep study" in reply.inner_text()
    sources.click()
    page.locator("button", has_text="Sleep study").last.click()
    modal = page.get_by_text("(page 1)")
    modal.wait_for(timeout=30_000)
    assert page.get_by_text("Sleep after learning improved recall").first.is_visible()
    page.wait_for_timeout(1_000)  # the dialog's fade-in, for the screenshot
    page.screenshot(path=str(shots / "open-webui-sources.png"))
    link = page.locator("a[href*='doc=']").first.get_attribute("href")
    page.keyboard.press("Escape")
    return str(link).split("#", 1)[0]


def check_link(page: Any, link: str, url: str, secret: str) -> None:
    """The source's link opens the cited page in IdeaPump, the quote marked."""
    assert link.startswith(f"{url}/?doc=") and "page=1" in link
    page.goto(f"{url}/", wait_until="load")
    page.evaluate("key => localStorage.setItem('ideapump-key', key)", secret)
    page.goto(link, wait_until="load")
    mark = page.locator(".cited-page mark")
    mark.wait_for(timeout=30_000)
    assert "Sleep after learning improved recall" in mark.inner_text()
    assert "page 1 of 1" in page.locator(".cited-page").inner_text()
