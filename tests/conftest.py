"""Shared fixtures. Every test gets its own data dir; nothing touches the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
