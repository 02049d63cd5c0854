"""The lab chat page end to end in headless Chromium (Debian's ``chromium``, driven by Playwright).

The app runs as a uvicorn subprocess with the model answered by the fake
OpenAI-compatible server (tests/fake_llm_server.py) on loopback. Through the
page: upload a corpus PDF with the file input, ask a question and watch the
reply stream in with citation chips, open a chip's quoted passage (it stays in the
message pane, clear of the composer, and closes on Escape or a click outside), then
ask for experiment ideas and get each proposal once, as a card. Screenshots of the
views go to
$SCREENSHOTS_DIR (``SCREENSHOTS_DIR=docs`` refreshes the README's) or tmp_path.
Never downloads a browser: it uses /usr/bin/chromium or skips.
"""

from __future__ import annotations

import os
import re
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


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def assert_in_the_message_pane(page: Any, popup: Any) -> None:
    """The pop-up lies inside the message pane: never over the composer or its Send button."""
    box = popup.bounding_box()
    pane = page.locator("#messages").bounding_box()
    send = page.locator("#ask button").bounding_box()
    assert not overlaps(box, send), (box, send)
    assert not overlaps(box, page.locator("#ask").bounding_box())
    assert pane["x"] <= box["x"] and box["x"] + box["width"] <= pane["x"] + pane["width"] + 0.5
    assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"] + 0.5


def last_reply(page: Any) -> dict[str, Any]:
    """The newest assistant message of the only conversation, as the API stores it."""
    convs = page.request.get("/conversations").json()
    assert len(convs) == 1
    detail = page.request.get(f"/conversations/{convs[0]['conv_id']}").json()
    return dict(detail["messages"][-1])


def assert_each_proposal_once(reply: Any, stored: dict[str, Any]) -> None:
    """One card per proposal, its title and hypothesis shown once; each citation chip once."""
    proposals = stored["proposals"]
    assert proposals and reply.locator(".card").count() == len(proposals)
    text = reply.inner_text()
    for key in ("title", "hypothesis"):
        value = proposals[0][key]
        assert text.count(value) == sum(p[key] == value for p in proposals), key
    assert "ranked by pairwise comparison" in text  # the reply's own prose stays
    assert reply.locator(".card .chip").count() >= 1
    assert reply.locator(".chip").count() == len(stored["citations"])


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
    # two cited sentences of the fake model arrived (which ones the claim check kept varies)
    body = reply.locator("div").first.inner_text()
    markers = {n for m in re.findall(r"\[([\d, ]+)\]", body) for n in re.findall(r"\d+", m)}
    assert len(markers) >= 2, body
    # what the library held was on the page before the answer, folded under the reply
    found = reply.locator("details.evidence summary")
    assert found.inner_text().startswith("Found in the library (")
    chip = reply.locator(".chip").first
    chip.wait_for()
    assert "p." in chip.inner_text() and "[1]" in chip.inner_text()
    chip.click()
    quote = page.locator("#quote")
    assert quote.is_visible() and "p." in quote.inner_text()
    assert_in_the_message_pane(page, quote)
    shot(page, tmp_path, "chat-page-answer.png")
    quote.locator("button").click()  # close the passage
    quote.wait_for(state="hidden")
    chip.click()
    quote.wait_for()
    page.keyboard.press("Escape")  # Escape closes it
    quote.wait_for(state="hidden")
    chip.click()
    quote.wait_for()
    page.click("#text")  # and so does a click outside it
    quote.wait_for(state="hidden")
    # a small window: the passage still stays in the message pane
    page.set_viewport_size({"width": 900, "height": 480})
    chip.click()
    quote.wait_for()
    assert_in_the_message_pane(page, quote)
    page.keyboard.press("Escape")
    quote.wait_for(state="hidden")
    page.set_viewport_size({"width": 1280, "height": 860})

    # experiment ideas: proposal cards and their citation chips
    page.fill("#text", "Propose an experiment to follow up on the pupillary light response")
    page.click("#ask button")
    proposals = page.locator(".msg.assistant").last
    cards = proposals.locator(".card")
    cards.first.wait_for()
    page.locator(".msg.assistant.streaming").wait_for(state="detached")  # the reply is done
    assert "Manipulate the retrieved factor" in cards.first.inner_text()
    stored = last_reply(page)
    assert_each_proposal_once(proposals, stored)
    cards.first.scroll_into_view_if_needed()
    shot(page, tmp_path, "chat-page-proposals.png")

    # the conversation is listed and reloads from the server with its extras, shown the same way
    page.reload()
    page.locator("#convs li").first.click()
    page.locator(".msg.assistant .card").first.wait_for()
    assert page.locator(".msg.user").count() == 2
    assert_each_proposal_once(page.locator(".msg.assistant").last, stored)
    assert errors == []


def test_a_citation_link_opens_the_cited_page_with_the_quote_marked(page: Any) -> None:
    """What a chat client's source link (Open WebUI, LibreChat) opens: the page, quote marked."""
    r = page.request.post(
        "/documents",
        multipart={
            "files": {
                "name": "link.md",
                "mimeType": "text/markdown",
                "buffer": b"# Link note\n\nNoradrenaline release tracked\nthe switch to exploration.",
            }
        },
    )
    doc = r.json()["outcomes"][0]["doc_id"]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # the quote as a chat client sends it: on one line, where the page breaks it
    page.goto(f"/?doc={doc}&page=1&n=1&q=Noradrenaline+release+tracked+the+switch")
    mark = page.locator(".cited-page mark")
    mark.wait_for()
    assert " ".join(mark.inner_text().split()) == "Noradrenaline release tracked the switch"
    assert "Link note" in page.locator(".cited-page h3").inner_text()
    assert errors == []
