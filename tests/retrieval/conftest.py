"""A fresh library per test, and notes each holding one made-up drug name."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideapump.config import get_settings
from ideapump.embeddings import MiniLMEmbeddings
from ideapump.library import Library
from ideapump.runtime import Runtime


@pytest.fixture
def lib(embeddings: MiniLMEmbeddings) -> Library:
    return Runtime(get_settings(), embeddings=embeddings).library()


def note(folder: Path, name: str, term: str) -> Path:
    """A short lab note; ``term`` occurs in no other document, so BM25 alone pins it."""
    path = folder / name
    path.write_text(
        f"# Pilot notes {name}\n\nWe gave {term} to twelve volunteers before the reversal "
        "learning task and saw slower switching after the contingency changed.\n",
        encoding="utf-8",
    )
    return path
