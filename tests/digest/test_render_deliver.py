"""Rendering (Markdown, self-contained HTML with an SVG chart) and delivery (webhook, SMTP)."""

from __future__ import annotations

import email
import json
import re
import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
import respx

from ideapump.config import get_settings
from ideapump.digest.deliver import deliver_digest, webhook_payload
from ideapump.digest.models import Digest, DocDigest, Finding, Spark, StatsLine, StatsSummary
from ideapump.digest.render import stats_chart_svg, to_html, to_markdown, write_files
from ideapump.results import Citation


def cite(title: str, page: int, quote: str) -> Citation:
    return Citation(doc_id="d" * 16, title=title, page=page, quote=quote, chunk_id="c:1")


def sample() -> Digest:
    counts = {
        "total": 5,
        "decision_error": 1,
        "inconsistent": 1,
        "not_checkable": 0,
        "consistent": 3,
    }
    entry = DocDigest(
        doc_id="a" * 16,
        title="Pupils <script>alert(1)</script> & light",
        source="/inbox/p.pdf",
        kind="pdf",
        pages=9,
        summary="Pupils constrict before saccades.",
        findings=[
            Finding(
                text="Constriction precedes the saccade.",
                citation=cite("Pupils", 4, "the pupil constricted"),
            )
        ],
        stats=StatsSummary(
            counts=counts,
            problems=[
                StatsLine(
                    kind="decision_error",
                    page=5,
                    text="t(20) = 1.2, p = .01",
                    explanation="p is .24",
                ),
                StatsLine(
                    kind="inconsistent",
                    page=6,
                    text="F(1, 30) = 4.1, p = .03",
                    explanation="p is .05",
                ),
            ],
            flags=[StatsLine(kind="flag", text="No correction for 12 tests.")],
        ),
        sparks=[
            Spark(
                title="Pupil in our bandit task",
                idea="Record pupils in the pilot.",
                new_side=[cite("Pupils", 4, "the pupil constricted")],
                lab_side=[cite("Atomoxetine pilot", 1, "chose the never-sampled option")],
            )
        ],
    )
    other = DocDigest(
        doc_id="b" * 16,
        title="Table",
        source="t.csv",
        kind="table",
        stats=StatsSummary(counts={"total": 0}),
    )
    failed = DocDigest(
        doc_id="c" * 16, title="Later", source="l.pdf", kind="pdf", error="LLMOutputError: bad JSON"
    )
    return Digest(
        library="lab",
        date="2025-03-02",
        generated_at=datetime.now(UTC),
        entries=[entry, other],
        failed=[failed],
        notes=["Could not ingest broken.pdf: corrupt PDF"],
        new_this_run=2,
    )


def test_markdown_lists_problems_first_and_failures() -> None:
    md = to_markdown(sample())
    assert md.startswith("# IdeaPump digest: lab, 2025-03-02")
    assert md.index("## What failed") < md.index("## New documents")
    assert "Could not ingest broken.pdf" in md and "Later: LLMOutputError" in md
    assert (
        md.index("**decision error**, p. 5")
        < md.index("**inconsistent**, p. 6")
        < md.index("flag:")
    )
    assert '[Pupils, p. 4] "the pupil constricted"' in md
    assert '   - lab: [Atomoxetine pilot, p. 1] "chose the never-sampled option"' in md


def test_html_is_self_contained_escaped_and_charts_each_paper(tmp_path: Path) -> None:
    d = sample()
    html = to_html(d)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", html)  # nothing loaded from anywhere
    assert "<style>" in html and html.count("<svg") == 1
    svg = stats_chart_svg(d.entries + d.failed)
    # the paper with tests gets a red, an orange and a green bar; the table's row is empty
    assert svg.count('fill="#c0392b"><title>') == 1 and svg.count('fill="#27ae60"><title>') == 1
    assert "5 test(s), 1 flag(s)" in svg and "0 test(s)" in svg
    paths = write_files(d, tmp_path / "out", "both")
    assert [p.name for p in paths] == ["2025-03-02-lab.md", "2025-03-02-lab.html"]
    assert write_files(d, tmp_path / "o2", "html")[0].read_text(encoding="utf-8") == html


@respx.mock
def test_webhook_posts_slack_json(tmp_path: Path) -> None:
    route = respx.post("https://hooks.example.test/T1/B2").respond(200, text="ok")
    settings = get_settings(
        home=tmp_path, digest={"webhook_url": "https://hooks.example.test/T1/B2"}
    )
    assert deliver_digest(settings, sample()) == ["webhook: ok"]
    body = json.loads(route.calls.last.request.content)
    assert body["text"].startswith("IdeaPump digest lab 2025-03-02: 2 new document(s)")
    assert body["blocks"][0]["type"] == "header"
    assert "## What failed" in body["blocks"][1]["text"]["text"]  # the Markdown, no public URL

    linked = webhook_payload(sample(), "https://ideapump.lab.test/digests/")
    assert (
        "<https://ideapump.lab.test/digests/2025-03-02-lab.html|Open the digest>" in linked["text"]
    )

    respx.post("https://hooks.example.test/T1/B2").respond(500)
    assert deliver_digest(settings, sample())[0].startswith("webhook: failed (HTTPStatusError")


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self) -> None:
        server: _SMTPServer = self.server  # type: ignore[assignment]
        self.wfile.write(b"220 test ESMTP\r\n")
        sender, recipients = "", list[str]()
        while line := self.rfile.readline():
            cmd = line.decode().strip()
            verb = cmd[:4].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-test\r\n250 8BITMIME\r\n")
            elif verb == "MAIL":
                sender = cmd.split(":", 1)[1].split()[0].strip("<>")
                self.wfile.write(b"250 ok\r\n")
            elif verb == "RCPT":
                recipients.append(cmd.split(":", 1)[1].strip().strip("<>"))
                self.wfile.write(b"250 ok\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                envelope: dict[str, object] = {"from": sender, "to": recipients}
                server.received.append((envelope, email.message_from_bytes(data, policy=default)))
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    received: list[tuple[dict[str, object], EmailMessage]]


@pytest.fixture
def smtp_server() -> Iterator[_SMTPServer]:
    server = _SMTPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_email_goes_to_a_local_smtp_server(tmp_path: Path, smtp_server: _SMTPServer) -> None:
    port = smtp_server.server_address[1]
    settings = get_settings(
        home=tmp_path,
        digest={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "mail_from": "ideapump@lab.test",
            "mail_to": ["pi@lab.test", "postdoc@lab.test"],
        },
    )
    assert deliver_digest(settings, sample()) == ["email: ok (2 recipient(s))"]
    envelope, msg = smtp_server.received[0]
    assert envelope == {"from": "ideapump@lab.test", "to": ["pi@lab.test", "postdoc@lab.test"]}
    assert msg["Subject"].startswith("IdeaPump digest lab 2025-03-02")
    parts = {p.get_content_type(): str(p.get_content()) for p in msg.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "## What failed" in parts["text/plain"] and "<svg" in parts["text/html"]

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    down = settings.model_copy(
        update={"digest": settings.digest.model_copy(update={"smtp_port": closed})}
    )
    assert deliver_digest(down, sample())[0].startswith("email: failed (ConnectionRefusedError")
    incomplete = settings.model_copy(
        update={"digest": settings.digest.model_copy(update={"mail_to": []})}
    )
    assert deliver_digest(incomplete, sample()) == [
        "email: not sent (set IDEAPUMP_DIGEST__MAIL_FROM and MAIL_TO)"
    ]
