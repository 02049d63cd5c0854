"""The agent pipelines: grounded proposals, critique, evidence weighing and chat.

Entry points (each takes a :class:`~ideapump.library.Library` and a
:class:`~ideapump.llm.model.ChatModel`; :class:`ideapump.runtime.Runtime` builds
both, and :class:`ideapump.facade.IdeaPump` wires them for notebooks):

* :func:`propose` -> :class:`Proposals` (ranked :class:`ExperimentProposal` s)
* :func:`critique` -> :class:`Critique`
* :func:`weigh` -> :class:`EvidenceReport` (:mod:`ideapump.agent.weigh`; :func:`weigh_stream`
  yields its progress events first)
* :func:`chat` / :func:`chat_stream` -> :class:`ChatReply` / typed events
  (see :mod:`ideapump.agent.chat` for the event types)

Every citation these return resolves to a chunk retrieved for that answer and
its quote occurs in the chunk (:mod:`ideapump.grounding`); the sentences that
chat, propose and critique show have passed the claim check
(:mod:`ideapump.grounding.claims`).
"""

from __future__ import annotations

from ideapump.agent.chat import chat, chat_stream
from ideapump.agent.critique import critique
from ideapump.agent.events import (
    ChatEvent,
    ChatReply,
    CitationEvent,
    DoneEvent,
    EvidenceEvent,
    ProposalEvent,
    StatsFindingEvent,
    TokenEvent,
)
from ideapump.agent.grounding import AgentOptions
from ideapump.agent.propose import propose
from ideapump.agent.weigh import WeighOptions, weigh, weigh_stream
from ideapump.results import (
    Citation,
    Critique,
    EvidenceReport,
    ExperimentProposal,
    MethodsPoint,
    Novelty,
    PaperProfile,
    PaperRow,
    PassageStance,
    PowerAnalysis,
    Proposals,
    Reflection,
    StatsFinding,
    SummarySentence,
    WeighedPassage,
    WeighProgress,
)

__all__ = [
    "AgentOptions",
    "ChatEvent",
    "ChatReply",
    "Citation",
    "CitationEvent",
    "Critique",
    "DoneEvent",
    "EvidenceEvent",
    "EvidenceReport",
    "ExperimentProposal",
    "MethodsPoint",
    "Novelty",
    "PaperProfile",
    "PaperRow",
    "PassageStance",
    "PowerAnalysis",
    "ProposalEvent",
    "Proposals",
    "Reflection",
    "StatsFinding",
    "StatsFindingEvent",
    "SummarySentence",
    "TokenEvent",
    "WeighOptions",
    "WeighProgress",
    "WeighedPassage",
    "chat",
    "chat_stream",
    "critique",
    "propose",
    "weigh",
    "weigh_stream",
]
