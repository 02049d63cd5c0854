from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from ideapump.config import Settings, get_settings

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def _env_names(model: type[BaseModel], prefix: str) -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            names += _env_names(ann, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_env_example_lists_every_setting() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    missing = [n for n in _env_names(Settings, "IDEAPUMP_") if f"{n}=" not in text]
    assert missing == []


def test_every_setting_is_described() -> None:
    undocumented = []
    for section in Settings.model_fields.values():
        ann = section.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            undocumented += [
                f"{ann.__name__}.{n}" for n, f in ann.model_fields.items() if not f.description
            ]
    assert undocumented == []


def test_nested_env_and_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IDEAPUMP_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("IDEAPUMP_INGEST__MAX_FILE_MB", "7")
    s = get_settings()
    assert s.home == tmp_path / "h"
    assert s.ingest.max_file_mb == 7
    assert s.database_url.endswith("/h/ideapump.db")


def test_unknown_nested_key_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Settings(ingest={"max_file_megabytes": 3})
