"""Small libraries of Markdown papers written for a test, ingested for real."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def markdown_library(
    tmp_path: Path, settings: Any, embeddings: Any, name: str, papers: dict[str, str]
) -> Any:
    """A library ``name`` of the Markdown ``papers`` (file stem -> text)."""
    from ideapump.runtime import Runtime

    folder = tmp_path / "papers"
    folder.mkdir()
    for stem, text in papers.items():
        (folder / f"{stem}.md").write_text(text)
    lib = Runtime(settings, embeddings=embeddings).library(name)
    assert not lib.ingest([folder]).failed
    return lib


def one_paper_library(tmp_path: Path, settings: Any, embeddings: Any, name: str, text: str) -> Any:
    """A library ``name`` of one Markdown paper, ``text``."""
    return markdown_library(tmp_path, settings, embeddings, name, {name: text})
