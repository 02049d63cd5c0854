"""The one SSE encoder and parser: what the service writes, the client and the model client read."""

from __future__ import annotations

from collections.abc import Iterator

from ideapump import sse


def test_encoded_events_parse_back_with_their_names() -> None:
    text = sse.encode({"type": "token", "text": "a\nb"}, "token") + sse.encode({"n": 1})
    assert list(sse.parse_named(text.splitlines())) == [
        ("token", {"type": "token", "text": "a\nb"}),
        ("message", {"n": 1}),
    ]


def test_multi_line_data_comments_and_a_last_event_without_blank_line() -> None:
    lines = [": keep-alive", "", "data: {", 'data:  "a": 1}', "id: 7", "", 'data: {"b": 2}']
    assert list(sse.parse(lines)) == [{"a": 1}, {"b": 2}]


def test_done_ends_the_events_but_the_body_is_read_to_its_end() -> None:
    read: list[str] = []

    def body() -> Iterator[str]:
        for line in ['data: {"x": 1}', "", "data: [DONE]", "", "trailing", ""]:
            read.append(line)
            yield line

    assert list(sse.parse(body())) == [{"x": 1}]
    assert read[-2:] == ["trailing", ""]  # the connection can be reused
