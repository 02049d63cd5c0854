"""pandas tables of IdeaPump's results (pandas is optional: ``pip install 'ideapump[pandas]'``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ideapump.errors import ConfigError

if TYPE_CHECKING:
    from ideapump.results import Proposals


def require_pandas() -> Any:
    """The pandas module, or a ConfigError saying how to install it."""
    try:
        import pandas
    except ImportError:
        raise ConfigError(
            "to_dataframe() needs pandas, which is optional: pip install 'ideapump[pandas]' "
            "(or pip install pandas)"
        ) from None
    return pandas


def proposals_frame(result: Proposals) -> Any:
    """One row per proposal, best first: rank, title, hypothesis, design, sample size, sources."""
    pd = require_pandas()
    rows = []
    for rank, p in enumerate(result.proposals, start=1):
        s = p.sample_size
        rows.append(
            {
                "rank": rank,
                "title": p.title,
                "hypothesis": p.hypothesis,
                "design": p.design,
                "conditions": "; ".join(p.conditions),
                "primary_measure": p.primary_measure,
                "n_per_group": s.n_per_group,
                "total_n": s.total_n,
                "effect_size": s.effect_size,
                "effect_source": s.effect_source,
                "feasibility": p.reflection.feasibility_score if p.reflection else None,
                "novelty": p.reflection.novelty_score if p.reflection else None,
                "score": p.score,
                "citations": "; ".join(f"{c.title}, p. {c.page}" for c in p.citations),
            }
        )
    columns = [
        "rank", "title", "hypothesis", "design", "conditions", "primary_measure", "n_per_group",
        "total_n", "effect_size", "effect_source", "feasibility", "novelty", "score", "citations",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
