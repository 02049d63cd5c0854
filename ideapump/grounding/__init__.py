"""Grounding: what makes a shown sentence and its citation trustworthy, for every surface.

The agent (chat, the OpenAI-compatible route, propose, critique) and the
digest use the same pieces:

* :mod:`~ideapump.grounding.normalize` - the one text normaliser (characters,
  dashes, broken words, numbers) shared with ingest cleaning and quote matching.
* :mod:`~ideapump.grounding.quotes` - sentences, verbatim matching and repair,
  and what makes a quote a finding rather than a bare reference or a heading.
* :mod:`~ideapump.grounding.citations` - :class:`Citation` and :class:`Evidence`,
  the numbered passages a model cites, resolved and checked.
* :mod:`~ideapump.grounding.evidence` - the evidence step: the sentences that
  bear on a question, and whether the library answers it at all.
* :mod:`~ideapump.grounding.claims` - claim checking: numbers, statistics and
  directions of a sentence against the passages it cites.
* :mod:`~ideapump.grounding.directions` - direction words (up, down, no change).

Nothing here calls a language model. The package imports nothing on its own, so ingest
workers can use :mod:`~ideapump.grounding.normalize` without loading the rest.
"""
