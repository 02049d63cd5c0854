"""Deliver a digest: Slack-compatible webhook POST and SMTP e-mail (both optional).

* Webhook (``IDEAPUMP_DIGEST__WEBHOOK_URL``): ``{"text": ..., "blocks": [...]}``,
  the shape Slack incoming webhooks (and Mattermost, Rocket.Chat, Discord's
  ``/slack`` endpoint) accept. With ``IDEAPUMP_DIGEST__PUBLIC_URL`` the message
  links the HTML digest; without it, it carries the Markdown (cut to fit).
* E-mail (``IDEAPUMP_DIGEST__SMTP_HOST``, ``MAIL_FROM``, ``MAIL_TO``): a
  multipart/alternative message, Markdown as the text part and the
  self-contained HTML as the HTML part.

A delivery that fails is reported in the returned lines; it never loses the
digest, which is already written to disk.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx

from ideapump.config import Settings
from ideapump.digest.models import Digest
from ideapump.digest.render import file_stem, to_html, to_markdown

SLACK_TEXT_LIMIT = 2900  # a section block holds at most 3000 characters


def headline(d: Digest) -> str:
    if not d.entries and not d.failed:
        return f"IdeaPump digest {d.library} {d.date}: nothing new"
    parts = [f"{len(d.entries)} new document(s)"]
    flagged = sum(1 for e in d.entries if e.stats and e.stats.problems)
    if flagged:
        parts.append(f"{flagged} with statistics problems")
    if d.failed or d.notes:
        parts.append(f"{len(d.failed) + len(d.notes)} failure note(s)")
    return f"IdeaPump digest {d.library} {d.date}: " + ", ".join(parts)


def webhook_payload(d: Digest, public_url: str | None) -> dict[str, Any]:
    title = headline(d)
    if public_url:
        link = f"{public_url.rstrip('/')}/{file_stem(d)}.html"
        body = "\n".join(f"• {e.title}" for e in d.entries[:20]) or "Nothing new."
        text = f"{title}\n<{link}|Open the digest>\n{body}"
    else:
        md = to_markdown(d)
        text = md if len(md) <= SLACK_TEXT_LIMIT else md[:SLACK_TEXT_LIMIT] + "\n… (cut)"
    return {
        "text": title if public_url is None else text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
        ],
    }


def post_webhook(url: str, payload: dict[str, Any], *, timeout_s: float = 30.0) -> None:
    response = httpx.post(url, json=payload, timeout=timeout_s)
    response.raise_for_status()


def build_email(d: Digest, sender: str, recipients: list[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = headline(d)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    msg.set_content(to_markdown(d))
    msg.add_alternative(to_html(d), subtype="html")
    return msg


def send_email(settings: Settings, msg: EmailMessage) -> None:
    s = settings.digest
    assert s.smtp_host
    timeout = s.feed_timeout_s
    smtp: smtplib.SMTP
    if s.smtp_ssl:
        smtp = smtplib.SMTP_SSL(
            s.smtp_host, s.smtp_port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=timeout)
    with smtp:
        smtp.ehlo()
        if s.smtp_starttls and not s.smtp_ssl:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if s.smtp_user:
            password = s.smtp_password.get_secret_value() if s.smtp_password else ""
            smtp.login(s.smtp_user, password)
        smtp.send_message(msg)


def deliver_digest(settings: Settings, d: Digest) -> list[str]:
    """Send the digest wherever the settings say; one line per delivery, 'ok' or why not."""
    s = settings.digest
    lines: list[str] = []
    if s.webhook_url:
        try:
            post_webhook(
                s.webhook_url.get_secret_value(),
                webhook_payload(d, s.public_url),
                timeout_s=s.feed_timeout_s,
            )
            lines.append("webhook: ok")
        except httpx.HTTPError as exc:
            lines.append(f"webhook: failed ({type(exc).__name__}: {exc})")
    if s.smtp_host:
        if not s.mail_from or not s.mail_to:
            lines.append("email: not sent (set IDEAPUMP_DIGEST__MAIL_FROM and MAIL_TO)")
        else:
            try:
                send_email(settings, build_email(d, s.mail_from, s.mail_to))
                lines.append(f"email: ok ({len(s.mail_to)} recipient(s))")
            except (OSError, smtplib.SMTPException) as exc:
                lines.append(f"email: failed ({type(exc).__name__}: {exc})")
    return lines
