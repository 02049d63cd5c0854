"""Fixtures for the LLM layer: a configured endpoint and a respx mock of its HTTP API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from ideapump.config import Settings, get_settings
from tests import openai_mock  # noqa: F401  (registers the "httpx2" respx mocker)

BASE = "http://llm.test/v1"


@pytest.fixture
def settings() -> Settings:
    return get_settings(
        llm={
            "base_url": BASE,
            "model": "test-model",
            "api_key": "sk-test",
            "max_retries": 2,
            "timeout_s": 5,
            "max_output_tokens": 77,
        }
    )


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(using="httpx2", base_url=BASE, assert_all_called=False) as router:
        yield router
