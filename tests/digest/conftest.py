"""Digest fixtures: an "old" library with a baseline digest, a "new" paper, a fake model.

The fake model answers the OpenAI chat API at the HTTP transport (respx, as in
tests/llm): it reads the numbered passages out of the prompt's ``<documents>``
blocks and cites their first words, so its citations are real quotes of real
chunks, plus one made-up quote per answer that the digest must drop.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from ideapump.config import Settings, get_settings
from ideapump.library import Library
from ideapump.runtime import Runtime
from tests.conftest import DATA, PAPERS
from tests.openai_mock import completion, documents

BASE = "http://llm.test/v1"
BOGUS = "the moon is made of green cheese entirely"
OLD_DAY = "2025-03-01"


def passages(block: str) -> list[tuple[int, str]]:
    return [(d.n, d.text) for d in documents(block)]


def titles(block: str) -> dict[int, str]:
    return {d.n: d.title for d in documents(block)}


def words(text: str, n: int = 9) -> str:
    return " ".join(text.split()[:n])


@dataclass
class FakeModel:
    """Answers SummaryDraft / SparkDraft / RelationsDraft requests from the prompt's passages."""

    calls: list[str] = field(default_factory=list)
    requests: int = 0
    sparks: int = 0
    rambling: bool = False
    copying: bool = False
    misquoting: bool = False
    stated: list[str] = field(default_factory=list)
    down: bool = False
    hallucinating: bool = False
    summaries: list[str] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.down:
            return httpx.Response(503, json={"error": {"message": "model loading"}})
        body = json.loads(request.content)
        name = body["response_format"]["json_schema"]["name"]
        self.calls.append(name)
        # a re-ask ("did not validate ...") comes last; answer the task that holds the passages
        asks = [m["content"] for m in body["messages"] if m["role"] == "user"]
        prompt = next((a for a in reversed(asks) if "<document" in a), asks[-1])
        answer = getattr(self, name.lower())(prompt)
        return httpx.Response(200, json=completion(json.dumps(answer)))

    def summarydraft(self, prompt: str) -> dict[str, Any]:
        found = passages(prompt)
        if self.copying:
            # What the 1.5B model did with Mathot's abstract: copied it until llama.cpp's
            # grammar closed the string at the schema's maxLength, mid-sentence; then filed
            # the prompt's "the passages do not say" as a finding, one quote twice, and
            # a heading as a quote.
            copied = " ".join(t for _, t in found)
            while len(copied) < 1000:
                copied += " " + copied
            self.summaries.append("We studied hand washing. " + copied[: 900 - 25])
            return {
                "summary": self.summaries[-1],
                "findings": [
                    {"text": "The passages do not say.", "n": 1, "quote": words(found[0][1])},
                    {"text": "Finding from passage 1.", "n": 1, "quote": words(found[0][1])},
                    {"text": "The same, retold.", "n": 1, "quote": words(found[0][1])},
                    {"text": "Finding from passage 2.", "n": 2, "quote": words(found[1][1], 3)},
                ],
            }
        stat = next(
            (
                (n, t, m.group())
                for n, t in found
                for sentence in re.split(r"(?<=[.!?])\s+", t)[1:]
                for m in [re.search(r"(?<![\w.])\d*\.\d+", sentence)]
                if m and m.group() not in words(t)
            ),
            None,
        )
        hand = [(n, t) for n, t in found if "increase in handwashing" in " ".join(t.split())]
        if self.hallucinating and hand:
            # An invented number, an inverted direction and a heading-like fragment as a quote.
            n, text = hand[0]
            return {
                "summary": "The study tested two hand hygiene modules. It enrolled 999 students.",
                "findings": [
                    {
                        "text": "Handwashing fell by 87% after the modules.",
                        "n": n,
                        "quote": words(text),
                    },
                    {
                        "text": "Both intervention sequences led to a decrease in handwashing "
                        "frequency.",
                        "n": n,
                        "quote": words(text),
                    },
                    {
                        "text": "Both intervention sequences led to an increase in handwashing "
                        "frequency.",
                        "n": n,
                        "quote": words(text, 3),
                    },
                ],
            }
        if self.misquoting and stat is not None:
            # What the 1.5B model did with Lhakhang: stated one test and quoted the sentence
            # before it; and a number no passage gives.
            n, text, number = stat
            self.stated.append(number)
            return {
                "summary": "The document reports an intervention study and its results.",
                "findings": [
                    {"text": f"The effect was {number}.", "n": n, "quote": words(text)},
                    {"text": "Washing rose by 9.99 points.", "n": n, "quote": words(text)},
                ],
            }
        return {
            "summary": "The document reports an intervention study and its results.",
            "findings": [
                {"text": f"Finding from passage {n}.", "n": n, "quote": words(t)}
                for n, t in found[:2]
            ]
            + [{"text": "An invented finding.", "n": 1, "quote": BOGUS}],
        }

    def _sides(self, prompt: str) -> tuple[tuple[int, str], tuple[int, str]]:
        new_part, lab_part = prompt.split("from the lab's library:", 1)
        return passages(new_part)[0], passages(lab_part)[0]

    def sparkdraft(self, prompt: str) -> dict[str, Any]:
        """One spark per pair; the n-th call answers as the n-th kind of model reply."""
        (_, new_text), (lab_n, lab_text) = passages(prompt)
        if self.rambling:  # runs past the idea's maximum length, on every attempt
            return {"title": "Ramble", "idea": new_text * 10, "new_quote": "", "lab_quote": ""}
        self.sparks += 1
        if self.sparks == 1:  # a good answer: an idea drawn from both passages, true quotes
            idea = f"Test whether {words(new_text, 30)} holds for {words(lab_text, 30)}."
            return {
                "title": "Combine both",
                "idea": idea,
                "new_quote": words(new_text),
                "lab_quote": words(lab_text, 7),
            }
        if self.sparks == 2:  # what the 1.5B model does: an invented quote, the title as quote
            idea = f"Pair {words(new_text, 30)} with the lab's {words(lab_text, 30)}."
            return {
                "title": "Named by title",
                "idea": idea,
                "new_quote": BOGUS,
                "lab_quote": titles(prompt)[lab_n],
            }
        return {  # an idea about neither passage
            "title": "Off topic",
            "idea": "Ask astronauts to taste lunar rocks to see whether " + BOGUS + ".",
            "new_quote": words(new_text),
            "lab_quote": words(lab_text),
        }

    def relationsdraft(self, prompt: str) -> dict[str, Any]:
        (nn, nt), (ln, lt) = self._sides(prompt)
        cite = [{"n": nn, "quote": words(nt)}, {"n": ln, "quote": words(lt)}]
        return {
            "relations": [
                {
                    "kind": "agrees",
                    "claim": f"Both report {nt[:120]} and {lt[:120]}.",
                    "citations": cite,
                },
                {  # true quotes, but a claim about neither passage
                    "kind": "contradicts",
                    "claim": "They disagree about whether " + BOGUS + ".",
                    "citations": cite,
                },
            ]
        }


@pytest.fixture
def model() -> Iterator[FakeModel]:
    fake = FakeModel()
    with respx.mock(using="httpx2", base_url=BASE, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=fake)
        yield fake


def make_settings(home: Path, **digest: Any) -> Settings:
    return get_settings(
        home=home,
        llm={"base_url": BASE, "model": "test-model", "api_key": "sk-test", "max_retries": 0},
        digest={"feed_delay_s": 0, "feed_retries": 1, **digest},
    )


@pytest.fixture(scope="session")
def old_home(tmp_path_factory: pytest.TempPathFactory, embeddings: Any) -> Path:
    """Mendt + the lab's notes and data, a first digest (the baseline), then Lhakhang arrives."""
    from ideapump.digest import run_digest

    home = tmp_path_factory.mktemp("digest-template") / "home"
    settings = make_settings(home)
    runtime = Runtime(settings, embeddings=embeddings)
    lib = runtime.library()
    assert not lib.ingest([PAPERS["mendt"], DATA / "lab"]).failed
    never_called: Any = object()  # the baseline digest summarises nothing
    first = run_digest(runtime, llm=never_called, deliver=False, today=_day(OLD_DAY))
    assert first.digest.entries == [] and first.digest.new_this_run == 0
    report = lib.ingest([PAPERS["lhakhang"]])
    assert report.outcomes[0].status == "ingested"
    return home


def _day(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


@dataclass
class Lab:
    home: Path
    runtime: Runtime

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def lib(self) -> Library:
        return self.runtime.library()


@pytest.fixture
def lab(old_home: Path, tmp_path: Path, embeddings: Any) -> Lab:
    """A private copy of the template library (digest state and Chroma included)."""
    home = tmp_path / "lab-home"
    shutil.copytree(old_home, home)
    settings = make_settings(home)
    return Lab(home, Runtime(settings, embeddings=embeddings))


def doc_id_of(lib: Library, startswith: str) -> str:
    return next(p.doc_id for p in lib.papers() if p.title.startswith(startswith))
