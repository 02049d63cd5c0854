"""The notebook client depends on the core types only: it imports without the service's stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCKED = ("fastapi", "starlette", "sqlalchemy", "langchain_core", "chromadb", "onnxruntime")

SCRIPT = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BLOCKED!r}:
            raise ImportError("blocked for this test: " + name)
sys.meta_path.insert(0, Block())
from ideapump.client import AsyncClient, Client, raise_for_error
from ideapump.errors import BusyError, StoreError
try:
    raise_for_error(503, b'{{"error": {{"type": "busy", "message": "full"}}}}')
except BusyError as exc:
    print("busy", exc.retryable)
try:
    raise_for_error(503, b'{{"error": {{"type": "store_unavailable", "message": "db"}}}}')
except StoreError:
    print("store")
"""


def test_client_imports_without_fastapi_sqlalchemy_or_langchain() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["busy", "True", "store"]


def test_every_error_type_the_service_can_send_is_known_to_the_client() -> None:
    from ideapump import errors
    from ideapump.client import _ERRORS

    for cls in (errors.BusyError, errors.UnauthorizedError, errors.PayloadTooLargeError,
                errors.FeedError, errors.LLMTimeoutError, errors.EmbeddingMismatchError):  # fmt: skip
        assert _ERRORS[cls.type_name] is cls
