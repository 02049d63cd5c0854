"""``/weigh?stream=true`` (progress, then the report), ``/weigh/forest.png`` and the chat's weigh intent."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from ideapump.agent import EvidenceReport
from tests.api.conftest import upload
from tests.api.test_agent_routes import Model, app, model  # noqa: F401  (fixtures)

pytestmark = pytest.mark.anyio

CLAIM = "drug X increases recovery after knee surgery"


def _trial(i: int, est: float, lo: float, hi: float) -> str:
    return (
        f"# Trial {i} of drug X\n\nIn a randomized trial of N = {60 + i} patients after knee "
        f"surgery, drug X increased recovery compared with placebo (OR {est}, 95% CI {lo}-{hi}).\n"
    )


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


async def test_weigh_streams_progress_then_the_report_and_plots_it(
    client: httpx.AsyncClient,
    model: Model,  # noqa: F811
) -> None:
    for i, (est, lo, hi) in enumerate([(1.8, 1.2, 2.7), (2.1, 1.3, 3.4), (1.5, 1.1, 2.0)]):
        await upload(client, f"trial{i}.md", _trial(i, est, lo, hi))
    r = await client.post("/weigh?stream=true", json={"claim": CLAIM, "passages_per_paper": 1})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    kinds = [k for k, _ in events]
    assert kinds[0] == "progress" and kinds[-1] == "done"
    judged = [d["done"] for k, d in events if k == "progress" and d["stage"] == "stance"]
    assert judged == [1, 2, 3]
    report = EvidenceReport.model_validate(events[-1][1]["report"])
    assert report.verdict == "supported" and report.pooled is not None and report.pooled.k == 3
    assert model.schemas().count("StanceAnswer") == 3

    png = await client.post("/weigh/forest.png", json=report.model_dump(mode="json"))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    bare = report.model_copy(update={"pooled": None, "pooling_note": "nothing comparable"})
    r = await client.post("/weigh/forest.png", json=bare.model_dump(mode="json"))
    assert r.status_code == 400 and "nothing comparable" in r.json()["error"]["message"]


async def test_chat_weigh_intent_sends_progress_and_the_report(
    client: httpx.AsyncClient,
    model: Model,  # noqa: F811
) -> None:
    await upload(client, "trial0.md", _trial(0, 1.8, 1.2, 2.7))
    conv = (await client.post("/conversations", json={})).json()["conv_id"]
    r = await client.post(
        f"/conversations/{conv}/messages", json={"content": f"Is it true that {CLAIM}?"}
    )
    events = _events(r.text)
    assert "progress" in [k for k, _ in events]
    text = next(d for k, d in events if k == "done")["text"]
    assert "Verdict: supported" in text and "Papers considered: 1 found, 1 used" in text
