"""Server-sent events, both ways: the one encoder and the one parser IdeaPump uses.

* :func:`encode` frames one event (``event: <name>`` and one ``data:`` line of JSON)
  for the service's streams;
* :func:`parse` reads a stream's events, as the notebook client (IdeaPump's own
  streams), the model client (OpenAI-compatible streams ending in ``[DONE]``) and
  the tests do.

No dependencies beyond the standard library, so the notebook client stays light.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

DONE = "[DONE]"


def encode(payload: dict[str, Any] | str, event: str | None = None) -> str:
    """One event: ``payload`` as JSON (or a bare string such as ``[DONE]``) on one data line."""
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data}\n\n"


def parse_named(lines: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(event name, JSON data)`` of each event, up to ``[DONE]`` or the end.

    Data lines of one event are joined with newlines (the SSE rule); comments and
    fields other than ``event``/``data`` are skipped. What follows ``[DONE]`` is read
    to the end, as the openai SDK does: a response closed before its end takes its
    connection with it, and every reply would then pay for a new connection.
    """
    lines = iter(lines)
    name, data = "message", []
    for line in itertools.chain(lines, [""]):  # "" ends the last event
        if line:
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif line.startswith("event:"):
                name = line[6:].strip()
            continue
        if not data:
            continue
        text, data, event = "\n".join(data), [], name
        name = "message"
        if text.strip() == DONE:
            for _ in lines:  # the rest of the body
                pass
            return
        yield event, json.loads(text)


def parse(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The JSON data of each event (see :func:`parse_named`)."""
    for _, data in parse_named(lines):
        yield data
