"""One background writer: waiting items share a commit, a bad one fails alone, messages all land."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from ideapump.api.storage import ServiceStore
from ideapump.config import get_settings
from ideapump.runtime import Runtime
from ideapump.writer import BatchWriter


def test_waiting_items_share_a_commit_and_a_bad_one_fails_alone() -> None:
    first_in = threading.Event()
    release = threading.Event()
    batches: list[list[str]] = []

    def commit(items: Sequence[str]) -> None:
        if items == ["first"]:
            first_in.set()
            release.wait(5)  # the store is busy: what arrives meanwhile waits
        if "bad" in items:
            raise ValueError("conversation was deleted")
        batches.append(list(items))

    writer: BatchWriter[str] = BatchWriter(commit)
    first = writer.submit("first")
    assert first_in.wait(5)
    waiting = [writer.submit(x) for x in ("a", "b", "bad", "c")]
    release.set()

    assert first.result(5) == "first"
    assert [f.result(5) for f in (waiting[0], waiting[1], waiting[3])] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="deleted"):
        waiting[2].result(5)
    # The four that waited were tried together; the failure sent each back on its own.
    assert batches == [["first"], ["a"], ["b"], ["c"]]


def test_items_are_committed_together_while_the_writer_is_busy() -> None:
    sizes: list[int] = []
    gate = threading.Event()

    def commit(items: Sequence[int]) -> None:
        gate.wait(5)
        sizes.append(len(items))

    writer: BatchWriter[int] = BatchWriter(commit)
    futures = [writer.submit(i) for i in range(20)]
    gate.set()
    assert [f.result(5) for f in futures] == list(range(20))
    assert sum(sizes) == 20
    assert len(sizes) < 20  # some went in together


def test_the_writer_thread_ends_when_idle_and_comes_back() -> None:
    stored: list[int] = []
    writer: BatchWriter[int] = BatchWriter(stored.extend, idle_s=0.05)
    assert writer.submit(1).result(5) == 1
    deadline = time.monotonic() + 5
    while writer.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not writer.running
    assert writer.submit(2).result(5) == 2
    assert stored == [1, 2]


def test_concurrent_messages_are_all_stored_in_order() -> None:
    store = ServiceStore(Runtime(get_settings()).registry)
    convs = [store.create_conversation("default") for _ in range(3)]

    def talk(conv_id: str) -> list[int]:
        ids = []
        for i in range(10):
            role = "user" if i % 2 == 0 else "assistant"
            ids.append(store.add_message(conv_id, role, f"{role} turn {i} of {conv_id}").msg_id)
        return ids

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(talk, [c.conv_id for c in convs for _ in range(4)]))

    assert all(ids == sorted(ids) for ids in results)  # each caller's messages in its order
    assert len({i for ids in results for i in ids}) == 120
    for conv in convs:
        stored = store.messages(conv.conv_id)
        assert len(stored) == 40
        row = store.conversation("default", conv.conv_id)
        assert row.title == f"user turn 0 of {conv.conv_id}"  # named by a first user message
        assert row.updated_at >= row.created_at
