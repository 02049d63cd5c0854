"""Conversation storage: what the chat page's list and the model's history read back."""

from __future__ import annotations

import pytest

from ideapump.api.storage import ServiceStore
from ideapump.config import get_settings
from ideapump.errors import NotFoundError
from ideapump.runtime import Runtime


def test_conversations_list_by_last_message_and_keep_their_first_title() -> None:
    store = ServiceStore(Runtime(get_settings()).registry)
    named = store.create_conversation("default", "Pupil and exploration")
    untitled = store.create_conversation("default")
    store.add_message(untitled.conv_id, "assistant", "Hello - what are you working on?")
    store.add_message(untitled.conv_id, "user", "  Does   atomoxetine\nchange exploration? ")
    store.add_message(untitled.conv_id, "user", "And pupil size?")
    store.add_message(named.conv_id, "user", "Anything on horizons?")

    rows = store.conversations("default")
    assert [r.conv_id for r in rows] == [named.conv_id, untitled.conv_id]  # latest first
    assert [r.title for r in rows] == [
        "Pupil and exploration",  # a given title is kept
        "Does atomoxetine change exploration?",  # the first user message, not the greeting
    ]

    store.add_message(untitled.conv_id, "assistant", "Yes: t(58) = 2.40.")
    assert [r.conv_id for r in store.conversations("default")] == [untitled.conv_id, named.conv_id]


def test_history_is_role_and_text_in_order_and_only_for_its_library() -> None:
    store = ServiceStore(Runtime(get_settings()).registry)
    conv = store.create_conversation("lab-a")
    store.add_message(conv.conv_id, "user", "first", {"citations": []})
    store.add_message(conv.conv_id, "assistant", "second", {"citations": [{"n": 1}]})

    assert store.history("lab-a", conv.conv_id) == [("user", "first"), ("assistant", "second")]
    with pytest.raises(NotFoundError):
        store.history("lab-b", conv.conv_id)
    with pytest.raises(NotFoundError):
        store.history("lab-a", "0" * 32)
