"""The lab chat page end to end in headless Chromium (Debian's ``chromium``, driven by Playwright).

The app runs as a uvicorn subprocess with the model answered by the fake
OpenAI-compatible server (tests/fake_llm_server.py) on loopback. Through the
page: upload a corpus PDF with the file input, ask a question and watch the
reply stream in with citation chips, open a chip's quoted passage, then ask for
experiment ideas and get proposal cards. Screenshots of the views go to
$SCREENSHOTS_DIR (``SCREENSHOTS_DIR=docs`` refreshes the README's) or tmp_path.
Never downloads a browser: it uses /usr/bin/chromium or skips.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PAPERS
from tests.servers import fake_llm, ideapump_server, server_env

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    # Under CI (.ci/run installs chromium) a missing browser is a failure, not a skip.
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("CI") != "true",
        reason="Debian's chromium is not installed (apt-get install -y chromium; "
        "scripts/ci_services.sh does it)",
    ),
]
# resolved now: every test runs in its own empty working directory
SCREENSHOTS = (
    Path(os.environ["SCREENSHOTS_DIR"]).resolve() if os.environ.get("SCREENSHOTS_DIR") else None
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("browser-home")
    with (
        fake_llm(tokens_per_s=15, tokens=30, prefill_s=0.05) as llm_url,
        ideapump_server(server_env(home, llm_url)) as url,
    ):
        yield url


@pytest.fixture
def page(base_url: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860}, base_url=base_url)
            page.set_default_timeout(90_000)
            yield page
        finally:
            browser.close()


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS / name)
    return path


def test_upload_ask_and_get_cited_proposals(page: Any, tmp_path: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    assert page.title() == "IdeaPump"

    # upload a corpus PDF through the file input: progress, then the paper in the side panel
    page.set_input_files("#file", str(PAPERS["mathot"]))
    page.wait_for_function("document.querySelector('#progress').textContent === 'done'")
    paper = page.locator("#papers li").first
    paper.wait_for()
    assert "p.)" in paper.inner_text()
    shot(page, tmp_path, "chat-page-upload.png")

    # a question: the reply streams (its text grows while tokens arrive), with citation chips
    page.fill("#text", "What does the paper report about the pupillary light response?")
    page.click("#ask button")
    reply = page.locator(".msg.assistant").last
    lengths = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lengths.append(len(reply.inner_text()))
        if lengths[-1] > 0 and lengths[-1] == max(lengths) and len(set(lengths)) >= 4:
            break
        time.sleep(0.1)
    assert len({n for n in lengths if n > 0}) >= 3, lengths  # seen partway, several times
    page.locator("#convs li").first.wait_for()  # listed once the reply is done
    assert "and a matched control" in reply.inner_text()  # the fake model's last words
    chip = reply.locator(".chip").first
    chip.wait_for()
    assert "p." in chip.inner_text() and "[1]" in chip.inner_text()
    chip.click()
    quote = page.locator("#quote")
    assert quote.is_visible() and "p." in quote.inner_text()
    shot(page, tmp_path, "chat-page-answer.png")
    quote.locator("button").click()  # close the passage
    assert not quote.is_visible()

    # experiment ideas: proposal cards and their citation chips
    page.fill("#text", "Propose an experiment to follow up on the pupillary light response")
    page.click("#ask button")
    cards = page.locator(".msg.assistant").last.locator(".card")
    cards.first.wait_for()
    page.wait_for_function(
        "(document.querySelector('.msg.assistant:last-child')?.innerText || '').length > 200"
    )
    proposals = page.locator(".msg.assistant").last
    assert cards.count() >= 1
    assert "Manipulate the retrieved factor" in cards.first.inner_text()
    assert proposals.locator(".chip").count() >= 1
    cards.first.scroll_into_view_if_needed()
    shot(page, tmp_path, "chat-page-proposals.png")

    # the conversation is listed and reloads from the server with its extras
    page.reload()
    page.locator("#convs li").first.click()
    page.locator(".msg.assistant .card").first.wait_for()
    assert page.locator(".msg.user").count() == 2
    assert errors == []
