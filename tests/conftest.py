"""Shared fixtures. Every test gets its own data dir; nothing touches the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ideapump.models import Passage
from ideapump.runtime import Runtime

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point IDEAPUMP_HOME at tmp_path and drop any IDEAPUMP_* the developer has set."""
    for key in list(os.environ):
        if key.startswith("IDEAPUMP_"):
            monkeypatch.delenv(key)
    home = tmp_path / "ideapump-home"
    monkeypatch.setenv("IDEAPUMP_HOME", str(home))
    # Settings read ./.env; run from an empty dir so a developer's .env never leaks in.
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return home


@pytest.fixture
def data_dir() -> Path:
    return DATA


def make_passage(text: str, **fields: object) -> Passage:
    """A retrieved passage holding ``text`` whole, for tests of quoting and evidence."""
    base: dict[str, object] = {
        "doc_id": "d1",
        "title": "Paper",
        "source": "x.pdf",
        "page": 1,
        "page_end": 1,
        "score": 0.9,
        "chunk_id": "d1:00000",
        "char_start": 0,
        "char_end": len(text),
    }
    return Passage.model_validate({**base, **fields, "quote": text})


PAPERS = {
    "mendt": DATA / "mendt2021_npjmicrogravity_bedrest_exercise.pdf",
    "lhakhang": DATA / "lhakhang2015_bmcpublichealth_hand_hygiene.pdf",
    "mathot": DATA / "mathot2014_manuscript_pupillary_light_response.pdf",
    "dubois": DATA / "dubois2021_elife_exploration_noradrenaline.pdf",
}


@pytest.fixture(scope="session")
def embeddings():
    """One ONNX session for the whole run: loading the model is the slow part."""
    from ideapump.embeddings import MiniLMEmbeddings

    return MiniLMEmbeddings()


@pytest.fixture(scope="session")
def corpus_library(tmp_path_factory: pytest.TempPathFactory, embeddings):
    """Three real papers and the lab's own summaries, ingested once for read-only tests."""
    from ideapump.config import Settings

    home = tmp_path_factory.mktemp("corpus-home")
    lib = Runtime(Settings(home=home), embeddings=embeddings).library()
    report = lib.ingest([PAPERS["mendt"], PAPERS["lhakhang"], PAPERS["mathot"], DATA / "lab"])
    assert not report.failed, report.outcomes
    return lib
