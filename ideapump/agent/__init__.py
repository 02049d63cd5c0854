"""The agent pipelines: grounded proposals, critique, evidence weighing and chat.

Entry points (each takes a :class:`~ideapump.library.Library` and a chat model
from :func:`ideapump.llm.make_chat_model`; :class:`ideapump.facade.IdeaPump`
wires both from settings):

* :func:`propose` -> :class:`Proposals` (ranked :class:`ExperimentProposal` s)
* :func:`critique` -> :class:`Critique`
* :func:`weigh` -> :class:`EvidenceReport`
* :func:`chat` / :func:`chat_stream` -> :class:`ChatReply` / typed events
  (see :mod:`ideapump.agent.chat` for the event types)

Every citation these return resolves to a chunk retrieved for that answer and
its quote occurs in the chunk (:mod:`ideapump.grounding`); the sentences that
chat, propose and critique show have passed the claim check
(:mod:`ideapump.grounding.claims`).
"""

from __future__ import annotations

from ideapump.agent.chat import chat, chat_stream
from ideapump.agent.critique import critique, weigh
from ideapump.agent.events import (
    ChatEvent,
    ChatReply,
    CitationEvent,
    DoneEvent,
    ProposalEvent,
    StatsFindingEvent,
    TokenEvent,
)
from ideapump.agent.grounding import AgentOptions
from ideapump.agent.models import (
    Citation,
    Critique,
    EvidenceReport,
    ExperimentProposal,
    MethodsPoint,
    Novelty,
    PaperProfile,
    PowerAnalysis,
    Proposals,
    Reflection,
    StatsFinding,
    WeighedPassage,
)
from ideapump.agent.propose import propose

__all__ = [
    "AgentOptions",
    "ChatEvent",
    "ChatReply",
    "Citation",
    "CitationEvent",
    "Critique",
    "DoneEvent",
    "EvidenceReport",
    "ExperimentProposal",
    "MethodsPoint",
    "Novelty",
    "PaperProfile",
    "PowerAnalysis",
    "ProposalEvent",
    "Proposals",
    "Reflection",
    "StatsFinding",
    "StatsFindingEvent",
    "TokenEvent",
    "WeighedPassage",
    "chat",
    "chat_stream",
    "critique",
    "propose",
    "weigh",
]
