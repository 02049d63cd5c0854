"""Two API processes on one PostgreSQL and one Chroma server share the library and conversations.

Needs the services of ``scripts/ci_services.sh`` (``eval "$(scripts/ci_services.sh)"``):
CI_POSTGRES_URL (postgresql+psycopg://...), CI_CHROMA_HOST and CI_CHROMA_PORT. Each
API process gets its own IDEAPUMP_HOME, so nothing is shared through local files.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from ideapump.api.storage import ServiceStore
from ideapump.config import Settings
from ideapump.runtime import Runtime
from tests.api.conftest import parse_sse
from tests.api.test_agent_routes import PAPER
from tests.servers import fake_llm, ideapump_server, server_env

SERVICES = ("CI_POSTGRES_URL", "CI_CHROMA_HOST", "CI_CHROMA_PORT")
_missing = [name for name in SERVICES if not os.environ.get(name)]
# Under CI (.ci/run starts the services) a missing service is a failure, not a skip.
pytestmark = pytest.mark.skipif(
    bool(_missing) and os.environ.get("CI") != "true",
    reason=f"scale-out services not configured ({', '.join(_missing)} unset): run "
    '`eval "$(scripts/ci_services.sh)"` to start PostgreSQL and a Chroma server on loopback',
)


def _store_env() -> dict[str, str]:
    return {
        "IDEAPUMP_STORE__DATABASE_URL": os.environ.get("CI_POSTGRES_URL", ""),
        "IDEAPUMP_STORE__CHROMA_MODE": "http",
        "IDEAPUMP_STORE__CHROMA_HOST": os.environ.get("CI_CHROMA_HOST", ""),
        "IDEAPUMP_STORE__CHROMA_PORT": os.environ.get("CI_CHROMA_PORT", ""),
    }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Servers A and B (own homes, shared PostgreSQL + Chroma) and a key for a fresh library."""
    library = f"scale-{uuid.uuid4().hex[:8]}"
    env_store = _store_env()
    settings = Settings(
        home=tmp_path_factory.mktemp("keys"),
        store={
            "database_url": env_store["IDEAPUMP_STORE__DATABASE_URL"],
            "chroma_mode": "http",
            "chroma_host": env_store["IDEAPUMP_STORE__CHROMA_HOST"],
            "chroma_port": int(env_store["IDEAPUMP_STORE__CHROMA_PORT"]),
        },
    )
    _, secret = ServiceStore(Runtime(settings).registry).create_key(library, name="scale-out test")
    with ExitStack() as stack:
        llm_url = stack.enter_context(fake_llm(tokens_per_s=500, tokens=20))
        urls = [
            stack.enter_context(
                ideapump_server(server_env(tmp_path_factory.mktemp(name), llm_url, **env_store))
            )
            for name in ("home-a", "home-b")
        ]
        yield urls[0], urls[1], {"Authorization": f"Bearer {secret}"}


def test_both_processes_see_the_same_library(
    cluster: tuple[str, str, dict[str, str]], tmp_path: Path
) -> None:
    a_url, b_url, key = cluster
    with (
        httpx.Client(base_url=a_url, headers=key, timeout=60) as a,
        httpx.Client(base_url=b_url, headers=key, timeout=60) as b,
    ):
        r = a.post("/documents", files=[("files", ("ne.md", PAPER.encode(), "text/markdown"))])
        assert r.status_code == 200, r.text
        doc_id = r.json()["outcomes"][0]["doc_id"]
        assert r.json()["outcomes"][0]["status"] == "ingested"

        # B lists, reads and searches what A ingested
        assert [d["doc_id"] for d in b.get("/documents").json()] == [doc_id]
        detail = b.get(f"/documents/{doc_id[:8]}").json()
        assert detail["document"]["title"] == "Noradrenaline and exploration"
        assert [res["verdict"] for res in detail["stats"]["results"]].count("decision_error") == 1
        hits = b.post("/search", json={"query": "atomoxetine novel options", "k": 3}).json()
        assert hits and hits[0]["doc_id"] == doc_id and "atomoxetine" in hits[0]["quote"]

        # another key's library stays invisible on both
        assert b.get("/documents", headers={"Authorization": "Bearer ipk_nope"}).status_code == 401

        # B deletes; A (which served and cached the library) sees it gone
        assert b.delete(f"/documents/{doc_id}").status_code == 200
        assert a.get("/documents").json() == []
        assert a.post("/search", json={"query": "atomoxetine", "k": 3}).json() == []
        assert a.get(f"/documents/{doc_id}").status_code == 404


def test_both_processes_see_the_same_conversations(
    cluster: tuple[str, str, dict[str, str]],
) -> None:
    a_url, b_url, key = cluster
    with (
        httpx.Client(base_url=a_url, headers=key, timeout=60) as a,
        httpx.Client(base_url=b_url, headers=key, timeout=60) as b,
    ):
        r = a.post("/documents", files=[("files", ("ne.md", PAPER.encode(), "text/markdown"))])
        doc_id = r.json()["outcomes"][0]["doc_id"]
        conv = a.post("/conversations", json={"title": "exploration"}).json()
        assert conv["conv_id"] in [c["conv_id"] for c in b.get("/conversations").json()]

        question = "What did atomoxetine do to exploration in long horizons?"
        r = a.post(f"/conversations/{conv['conv_id']}/messages", json={"content": question})
        events = parse_sse(r.text)
        kinds = [name for name, _ in events]
        assert kinds[-1] == "done", events
        assert "citation" in kinds and "token" in kinds
        answer = events[-1][1]["text"]

        # B reads the conversation A stored, with the reply's citations
        detail = b.get(f"/conversations/{conv['conv_id']}").json()
        assert [m["role"] for m in detail["messages"]] == ["user", "assistant"]
        assert detail["messages"][0]["content"] == question
        assert detail["messages"][1]["content"] == answer
        assert detail["messages"][1]["citations"][0]["doc_id"] == doc_id

        # B continues it; A sees all four messages
        r = b.post(f"/conversations/{conv['conv_id']}/messages", json={"content": "And why?"})
        assert parse_sse(r.text)[-1][0] == "done"
        messages = a.get(f"/conversations/{conv['conv_id']}").json()["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]

        assert b.delete(f"/conversations/{conv['conv_id']}").status_code == 204
        assert a.get(f"/conversations/{conv['conv_id']}").status_code == 404
