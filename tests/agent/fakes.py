"""A fake OpenAI-compatible model for the agent tests, behind respx.

``FakeLLM`` answers the chat-completions API by the schema named in the
request's ``response_format`` (or by streaming text when ``stream`` is set). It
reads the numbered passages out of the ``<documents>`` block of the request, so
the citations it gives are real quotes unless a test asks for a fabricated one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx

from ideapump.results import ProposalDraft
from tests import openai_mock

BASE = "http://llm.test/v1"

Handler = Callable[[dict[str, Any], dict[int, str]], Any]


def passages_in(body: dict[str, Any]) -> dict[int, str]:
    """Passage number -> text, from the documents block of the last user message."""
    users = [m["content"] for m in body["messages"] if m["role"] == "user"]
    return {d.n: d.text for d in openai_mock.documents(users[0])} if users else {}


def quote_of(text: str, words: int = 8, skip: int = 0) -> str:
    return " ".join(text.split()[skip : skip + words])


class FakeLLM:
    """Replies per schema name; every request body is kept in ``requests``."""

    def __init__(self) -> None:
        self.handlers: dict[str, list[Handler]] = {}
        self.requests: list[dict[str, Any]] = []

    def on(self, schema: str, *handlers: Handler) -> None:
        """Handlers used in turn for ``schema`` (the last one repeats)."""
        self.handlers[schema] = list(handlers)

    def of(self, schema: str) -> list[dict[str, Any]]:
        return [b for b in self.requests if schema_of(b) == schema]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        name = schema_of(body)
        handlers = self.handlers[name]
        handler = handlers.pop(0) if len(handlers) > 1 else handlers[0]
        reply = handler(body, passages_in(body))
        if body.get("stream"):
            return httpx.Response(
                200, content=openai_mock.sse(*reply), headers={"content-type": "text/event-stream"}
            )
        content = reply if isinstance(reply, str) else json.dumps(reply)
        return httpx.Response(200, json=openai_mock.completion(content))


def schema_of(body: dict[str, Any]) -> str:
    if body.get("stream"):
        return "stream"
    return body.get("response_format", {}).get("json_schema", {}).get("name", "text")


# -- canned replies -------------------------------------------------------------------


def item_with(passages: dict[int, str], phrase: str) -> int:
    """The number of the first evidence item (as the prompt numbers them) that holds
    ``phrase``, white space as one space."""
    return next(n for n, t in sorted(passages.items()) if phrase in " ".join(t.split()))


def proposal(
    passages: dict[int, str], *, title: str = "Horizon x drug", fabricated: bool = False
) -> dict[str, Any]:
    cites = [{"n": 1, "quote": quote_of(passages[1])}]
    if fabricated:
        cites.append({"n": 2, "quote": "noradrenaline doubles exploration in every species tested"})
    return {
        "title": title,
        "hypothesis": "Atomoxetine increases novelty exploration in long horizons.",
        # the cited passage's own words: a rationale says what the passages found
        "rationale": f"{quote_of(passages[1], 12).rstrip('.')}.",
        "design": "Between-subjects, drug vs placebo, bandit task.",
        "conditions": ["atomoxetine", "placebo"],
        "controls": ["matched placebo pill", "reaction-time control"],
        "primary_measure": "proportion of novel-option choices",
        "expected_if_true": "More novel choices on atomoxetine.",
        "expected_if_false": "No difference between drug and placebo.",
        "risks": ["side effects unblind participants"],
        "citations": cites,
    }


def three_experiments() -> Handler:
    """Drafts of three different experiments in turn (another title and outcome each):
    propose drops a draft of an experiment it already has."""
    titles = iter(["Light x attention", "Pupil pilot follow-up", "Third idea"])
    measures = iter(["proportion of novel-option choices", "pupil dilation", "reaction times"])

    def draft(_body: dict[str, Any], p: dict[int, str]) -> dict[str, Any]:
        measure = next(measures)
        return {
            **proposal(p, title=next(titles)),
            "primary_measure": measure,
            # a hypothesis on what is measured: a measure it does not name is sent back
            "hypothesis": f"Atomoxetine increases {measure} in long horizons.",
        }

    return draft


def reflection(_body: dict[str, Any], _p: dict[int, str]) -> dict[str, Any]:
    return {
        "feasibility": "Feasible with a standard cognitive lab.",
        # repeated points and a control the proposal already has, as the 1.5B model writes
        "confounds": ["arousal", "Arousal "],
        "missing_controls": [
            "heart-rate monitoring",
            "heart-rate  monitoring",
            "matched placebo pill",
        ],
        "already_done": False,
        "how_it_differs": "Adds a horizon manipulation.",
        "feasibility_score": 4,
        "novelty_score": 3,
    }


def winner_a(_body: dict[str, Any], _p: dict[int, str]) -> dict[str, Any]:
    return {"winner": "A"}


def requote(body: dict[str, Any], passages: dict[int, str]) -> dict[str, Any]:
    """A real quote for each citation the request asks for again."""
    count = body["response_format"]["json_schema"]["schema"]["properties"]["quotes"]["minItems"]
    return {"quotes": [{"n": 1, "quote": quote_of(passages[1])}] * count}


def design_fix(body: dict[str, Any], _p: dict[int, str]) -> dict[str, Any]:
    """Coherent values for the design fields the request asks for again."""
    good = {
        "conditions": ["atomoxetine", "placebo"],
        "controls": ["matched placebo pill"],
        "primary_measure": "proportion of novel-option choices",
        "design": "Between-subjects: each group receives one of the two conditions.",
        "expected_if_true": "More novel choices in the atomoxetine condition than on placebo.",
        "expected_if_false": "No difference between the atomoxetine and placebo conditions.",
    }
    asked = body["response_format"]["json_schema"]["schema"]["properties"]
    fix = {name: good[name] for name in asked}
    if "controls" in asked:  # a choice from the menu the request offers
        fix["controls"] = [next(m for m in menu_of(body) if "placebo" in m or "blind" in m)]
    if "enum" in asked.get("design", {}):
        fix["design"] = next(m for m in asked["design"]["enum"] if m.startswith("Between"))
    return fix


def menu_of(body: dict[str, Any]) -> list[str]:
    """The controls a DesignFix request lets the model choose from."""
    controls = body["response_format"]["json_schema"]["schema"]["properties"]["controls"]
    return list(controls["items"]["enum"])


def reference_in(passages: dict[int, str]) -> tuple[int, str]:
    """A passage number and a bare in-text reference it holds ("Binda et al., 2013")."""
    for n, text in sorted(passages.items()):
        m = re.search(r"[A-Z][a-z]+ (?:et al\.|(?:and|&) [A-Z][a-z]+),? (?:19|20)\d\d", text)
        if m:
            return n, m.group()
    raise AssertionError("no passage with an in-text reference")


def incoherent(passages: dict[int, str]) -> dict[str, Any]:
    """What the 1.5B model proposed from Dubois: the paper's model names as conditions."""
    models = ["Win model", "Second place model", "Third place model"]
    return {**proposal(passages), "conditions": models, "controls": models}


_OPPOSITE = {
    "increas": "decreas",
    "decreas": "increas",
    "reduc": "increas",
    "larger": "smaller",
    "greater": "smaller",
    "smaller": "larger",
    "higher": "lower",
    "lower": "higher",
    "stronger": "weaker",
    "weaker": "stronger",
    "faster": "slower",
    "slower": "faster",
    "improv": "impair",
}
_TURN = re.compile(r"\b(" + "|".join(_OPPOSITE) + r")", re.I)


def inverted_in(passages: dict[int, str]) -> tuple[int, str, str]:
    """A passage number, one of its sentences stating a direction, and that sentence
    with the direction turned round ("increased" -> "decreased", "lower" -> "higher"),
    nothing else changed."""
    from ideapump.grounding.directions import directions
    from ideapump.grounding.quotes import sentences

    def turn(m: re.Match[str]) -> str:
        other = _OPPOSITE[m[1].lower()]
        return other.capitalize() if m[1][0].isupper() else other

    for n, text in sorted(passages.items()):
        for s in sentences(text, min_words=8):
            turned = _TURN.sub(turn, s).replace("an decreas", "a decreas")
            turned = turned.replace(" a increas", " an increas")
            stated, after = directions(s), directions(turned)
            whole = s[0].isupper() and "[" not in s  # a sentence, not a chunk's fragment
            one_each = len(stated) == len(after) == 1 and "none" not in stated | after
            if whole and one_each and stated != after:
                return n, s, turned
    raise AssertionError("no passage sentence states a direction")  # pragma: no cover


def draft_of(**update: object) -> ProposalDraft:
    """A coherent between-subjects proposal draft, with ``update``'s fields."""
    base = {
        "title": "t",
        "hypothesis": "h",
        "rationale": "Atomoxetine raised novel-option choices in the long horizon.",
        "design": "Between-subjects.",
        "conditions": ["atomoxetine", "placebo"],
        "controls": ["matched placebo pill"],
        "primary_measure": "novel-option choices",
        "expected_if_true": "More novel choices on atomoxetine.",
        "expected_if_false": "No difference between atomoxetine and placebo.",
        "risks": [],
        "citations": [],
    }
    return ProposalDraft.model_validate({**base, **update})
