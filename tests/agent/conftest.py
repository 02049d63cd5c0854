"""Fixtures for the agent pipelines: a configured endpoint and the fake model of tests.agent.fakes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import respx

from ideapump.agent.grounding import AgentOptions
from ideapump.config import Settings, get_settings
from tests.agent.fakes import BASE, FakeLLM


@pytest.fixture
def settings() -> Settings:
    return get_settings(
        llm={
            "base_url": BASE,
            "model": "test-model",
            "api_key": "sk-test",
            "max_retries": 0,
            "timeout_s": 5,
            "max_output_tokens": 300,
        }
    )


@pytest.fixture
def llm(settings: Settings) -> Any:
    from ideapump.llm import make_chat_model

    return make_chat_model(settings)


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    model = FakeLLM()
    with respx.mock(using="httpx2", base_url=BASE, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=model)
        yield model


@pytest.fixture
def options() -> AgentOptions:
    return AgentOptions(passages=5, per_paper_cap=2, lab_passages=1, max_comparisons=3)


@pytest.fixture(scope="session")
def dubois_only(tmp_path_factory: pytest.TempPathFactory, embeddings: Any) -> Any:
    """A library of Dubois et al. alone, ingested once for read-only tests."""
    from ideapump.runtime import Runtime
    from tests.conftest import PAPERS

    home = tmp_path_factory.mktemp("dubois-only")
    lib = Runtime(Settings(home=home), embeddings=embeddings).library()
    assert not lib.ingest([PAPERS["dubois"]]).failed
    return lib
