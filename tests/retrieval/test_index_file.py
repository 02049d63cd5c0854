"""The BM25 index on disk: a new process starts from it, and it never outvotes the registry."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ideapump.library import Library
from ideapump.retrieval import LexicalIndex, Retriever, get_retriever, index_file
from ideapump.runtime import Runtime
from tests.retrieval.conftest import note


def _fresh(lib: Library) -> Retriever:
    """What a new process (another API worker, the next CLI run) gets: new store and
    registry handles and an index that holds nothing yet."""
    again = Runtime(lib.settings, embeddings=lib.store.embeddings).library(lib.name)
    return Retriever(again, LexicalIndex())


def _doc_id(lib: Library, path: Path) -> str:
    return lib.registry.by_source(lib.name, str(path.resolve()))[0].doc_id


# -- a new process ---------------------------------------------------------------


def test_a_new_process_answers_from_the_file_without_tokenizing(
    lib: Library, tmp_path: Path
) -> None:
    lib.ingest([note(tmp_path, "a.md", "zorbatrine"), note(tmp_path, "b.md", "quixolamide")])
    first = get_retriever(lib)
    assert "zorbatrine" in first.retrieve("zorbatrine", 1)[0].quote
    assert first.index.tokenized == 2 and first.index.loads == 0
    written = first.index_path.read_bytes()

    fresh = _fresh(lib)
    top = fresh.retrieve("quixolamide", 1)[0]
    assert "quixolamide" in top.quote
    assert fresh.index.loads == 1 and fresh.index.tokenized == 0
    assert top.chunk_id in fresh.index.search("quixolamide", 5)  # BM25 from the file
    assert fresh.index_path == first.index_path
    assert fresh.index_path.read_bytes() == written  # nothing changed, nothing rewritten


def test_a_stale_file_drops_removed_documents_and_adds_new_ones(
    lib: Library, tmp_path: Path
) -> None:
    a, b = note(tmp_path, "a.md", "zorbatrine"), note(tmp_path, "b.md", "quixolamide")
    lib.ingest([a, b])
    running = get_retriever(lib)  # a worker that keeps running through the change
    running.retrieve("zorbatrine", 1)
    stale = running.index_path.read_bytes()
    removed = _doc_id(lib, a)

    # Another process removes one document and adds one; nobody here searches meanwhile.
    other = Runtime(lib.settings, embeddings=lib.store.embeddings).library(lib.name)
    other.remove(removed)
    other.ingest([note(tmp_path, "c.md", "velmorastat")])
    assert running.index_path.read_bytes() == stale

    fresh = _fresh(lib)
    for retriever in (fresh, running):
        gone = retriever.retrieve("zorbatrine", 5)
        assert all(p.doc_id != removed and "zorbatrine" not in p.quote for p in gone)
        assert retriever.index.search("zorbatrine", 5) == {}
        assert "velmorastat" in retriever.retrieve("velmorastat", 1)[0].quote
    assert fresh.index.loads == 1 and fresh.index.tokenized == 1  # c.md only
    assert running.index.loads == 0 and running.index.tokenized == 3  # a, b, then c

    updated = _fresh(lib)
    updated.retrieve("velmorastat", 1)
    assert updated.index.loads == 1 and updated.index.tokenized == 0
    assert removed not in {d for d, _, _ in updated.index.signature}


# -- damage -----------------------------------------------------------------------


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00not a zip\xff" * 50)


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _rewritten(path: Path, **changes: Any) -> None:
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    np.savez(path, **{**arrays, **changes})


def _term_out_of_range(path: Path) -> None:
    with np.load(path) as z:
        terms = z["terms"].copy()
    terms[0] = 10**6
    _rewritten(path, terms=terms)


def _other_tokenizer(path: Path) -> None:
    _rewritten(path, fingerprint=np.array("0123456789abcdef"))


@pytest.mark.parametrize(
    "damage", [_garbage, _truncated, _term_out_of_range, _other_tokenizer], ids=lambda f: f.__name__
)
def test_a_damaged_file_is_ignored_and_rebuilt(
    lib: Library, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: Any
) -> None:
    lib.ingest([note(tmp_path, "a.md", "zorbatrine")])
    first = get_retriever(lib)
    first.retrieve("zorbatrine", 1)
    damage(first.index_path)

    fresh = _fresh(lib)
    with caplog.at_level(logging.WARNING, logger="ideapump.retrieval"):
        assert "zorbatrine" in fresh.retrieve("zorbatrine", 1)[0].quote
    assert fresh.index.loads == 0 and fresh.index.tokenized == 1
    assert "ignoring the BM25 index file" in caplog.text

    repaired = _fresh(lib)
    assert "zorbatrine" in repaired.retrieve("zorbatrine", 1)[0].quote
    assert repaired.index.loads == 1 and repaired.index.tokenized == 0


def test_a_failed_write_keeps_the_old_file_and_the_search(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    lib.ingest([note(tmp_path, "a.md", "zorbatrine")])
    retriever = get_retriever(lib)
    retriever.retrieve("zorbatrine", 1)
    before = retriever.index_path.read_bytes()

    def disk_full(f: Any, **_: Any) -> None:
        f.write(b"PK\x03\x04 half a zip")  # what a writer killed mid-file leaves
        raise OSError(28, "No space left on device")

    lib.ingest([note(tmp_path, "b.md", "quixolamide")])
    with monkeypatch.context() as m, caplog.at_level(logging.WARNING, logger="ideapump.retrieval"):
        m.setattr(index_file.np, "savez", disk_full)
        assert "quixolamide" in retriever.retrieve("quixolamide", 1)[0].quote
    assert "cannot write the BM25 index file" in caplog.text
    assert retriever.index_path.read_bytes() == before
    assert [p.name for p in retriever.index_path.parent.iterdir()] == [retriever.index_path.name]

    fresh = _fresh(lib)  # the old file, brought up to date
    assert "quixolamide" in fresh.retrieve("quixolamide", 1)[0].quote
    assert fresh.index.loads == 1 and fresh.index.tokenized == 1


# -- the file itself --------------------------------------------------------------


def test_round_trip_keeps_scores_and_drops_removed_terms(tmp_path: Path) -> None:
    index = LexicalIndex()
    index.add_document("d1", [("d1:0", "Propranolol and t(40) = 3.52"), ("d1:1", "IL-6 pupils")])
    index.add_document("d2", [("d2:0", "zorbatrine with F(2, 378) = 128.12")])
    index.add_document("d3", [])
    index.add_document("d4", [("d4:0", "wibblemycin only here")])
    del index.docs["d4"]
    index.signature = frozenset({("d1", 2, "t1"), ("d2", 1, "t2"), ("d3", 0, "t3")})
    index.rebuild()
    path = tmp_path / "bm25" / "x.npz"
    index_file.save(index, path)

    back = LexicalIndex()
    assert index_file.restore(back, path)
    back.rebuild()
    assert back.signature == index.signature and set(back.docs) == {"d1", "d2", "d3"}
    assert "wibblemycin" not in back.vocab and "wibblemycin" in index.vocab
    for query in ["propranolol t (40)", "F (2,378) = 128.12", "IL-6 pupil", "zorbatrine"]:
        assert back.search(query, 5) == pytest.approx(index.search(query, 5))
    assert [p.name for p in path.parent.iterdir()] == ["x.npz"]


def test_each_store_has_its_own_file_and_no_url_is_written(tmp_path: Path) -> None:
    pg = "postgresql+psycopg://lab:s3cret@db/ideapump"
    one = index_file.path_for(tmp_path, ("http://chroma:8000", pg, "mylab"), "mylab")
    two = index_file.path_for(tmp_path, ("http://chroma:8000", pg + "2", "mylab"), "mylab")
    assert one != two and one.parent == two.parent == tmp_path / "bm25"
    assert "s3cret" not in str(one) and one.name.startswith("mylab-")


def test_a_killed_writers_leftover_is_cleared_and_a_live_one_kept(tmp_path: Path) -> None:
    index = LexicalIndex()
    index.add_document("d1", [("d1:0", "zorbatrine")])
    index.signature = frozenset({("d1", 1, "t1")})
    path = tmp_path / "bm25" / "x.npz"
    path.parent.mkdir()
    dead, live = path.parent / ".x.npz.1.dead.tmp", path.parent / ".x.npz.2.live.tmp"
    dead.write_bytes(b"PK half")
    live.write_bytes(b"PK being written")
    os.utime(dead, (time.time() - 2 * 3600, time.time() - 2 * 3600))
    index_file.save(index, path)
    assert sorted(p.name for p in path.parent.iterdir()) == [live.name, "x.npz"]
