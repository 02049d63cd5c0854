"""A model that invents numbers, inverts directions or declines wrongly, behind both chat routes:
the researcher sees only checked sentences (SSE conversations and /v1/chat/completions)."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests import openai_mock
from tests.api.conftest import parse_sse, upload

pytestmark = pytest.mark.anyio

NOTE = "# Sleep study\n\nSleep after learning improved recall of word pairs by 12% (n = 40)."
QUESTION = "What does sleep after learning do to recall of word pairs?"
TRUE = "Sleep after learning improved recall of word pairs by 12% [1]."
INVENTED = "Sleep after learning improved recall of word pairs by 35% [1]."
INVERTED = "Sleep after learning worsened recall of word pairs [1]."
CREDITED = (
    "Walker et al. (2004) showed that sleep after learning improved recall of word pairs [1]."
)


def _streams(router: respx.MockRouter, *pieces: str) -> None:
    router.post("/chat/completions").respond(
        200, content=openai_mock.sse(*pieces), headers={"content-type": "text/event-stream"}
    )


async def test_conversation_shows_only_checked_sentences(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    await upload(client, "sleep.md", NOTE)
    _streams(llm, INVENTED[:30], INVENTED[30:] + " ", INVERTED + " ", TRUE)
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    r = await client.post(f"/conversations/{conv}/messages", json={"content": QUESTION})
    events = parse_sse(r.text)
    text = "".join(p["text"] for k, p in events if k == "token")
    done = events[-1][1]
    assert text == done["text"] == TRUE
    assert "35%" not in r.text and "worsened" not in r.text  # not even in a token event
    assert done["unsupported_removed"] == 2
    assert [p["n"] for k, p in events if k == "citation"] == [1]
    stored = (await client.get(f"/conversations/{conv}")).json()["messages"][1]
    assert stored["content"] == TRUE


async def test_openai_route_shows_only_checked_sentences(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    await upload(client, "sleep.md", NOTE)
    _streams(llm, INVENTED + " ", INVERTED + " ", TRUE)
    body = {"model": "ideapump", "messages": [{"role": "user", "content": QUESTION}]}
    reply = (await client.post("/v1/chat/completions", json=body)).json()
    text = reply["choices"][0]["message"]["content"]
    assert text == TRUE + "\n\nReferences:\n[1] Sleep study, p. 1"
    assert reply["unsupported_removed"] == 2

    r = await client.post("/v1/chat/completions", json={**body, "stream": True})
    streamed = "".join(c["choices"][0]["delta"].get("content", "") for _, c in parse_sse(r.text))
    assert streamed == text


async def test_a_sentence_crediting_a_work_the_note_does_not_name_is_removed_on_both_routes(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    await upload(client, "sleep.md", NOTE)
    _streams(llm, CREDITED + " ", TRUE)
    body = {"model": "ideapump", "messages": [{"role": "user", "content": QUESTION}]}
    reply = (await client.post("/v1/chat/completions", json=body)).json()
    assert reply["choices"][0]["message"]["content"].startswith(TRUE)
    assert "Walker" not in reply["choices"][0]["message"]["content"]
    assert reply["unsupported_removed"] == 1
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    r = await client.post(f"/conversations/{conv}/messages", json={"content": QUESTION})
    done = parse_sse(r.text)[-1][1]
    assert done["text"] == TRUE and "Walker" not in r.text and done["unsupported_removed"] == 1


async def test_a_wrong_abstention_becomes_an_extractive_answer_on_both_routes(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    await upload(client, "sleep.md", NOTE)
    _streams(llm, "I'm sorry, the passages do not say anything about this.")
    body = {"model": "ideapump", "messages": [{"role": "user", "content": QUESTION}]}
    text = (await client.post("/v1/chat/completions", json=body)).json()["choices"][0]["message"][
        "content"
    ]
    expected = (
        "From the library: Sleep after learning improved recall of word pairs by 12% (n = 40) [1]."
    )
    assert text.startswith(expected) and "sorry" not in text
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    r = await client.post(f"/conversations/{conv}/messages", json={"content": QUESTION})
    assert parse_sse(r.text)[-1][1]["text"] == expected


async def test_an_unanswerable_question_is_declined_without_the_model(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    await upload(client, "sleep.md", NOTE)
    body = {
        "model": "ideapump",
        "messages": [{"role": "user", "content": "What is the half-life of lithium in plasma?"}],
    }
    text = (await client.post("/v1/chat/completions", json=body)).json()["choices"][0]["message"][
        "content"
    ]
    assert text.startswith("The library does not cover this")
    assert not llm.routes[0].calls  # decided by the evidence scores, not by the model
