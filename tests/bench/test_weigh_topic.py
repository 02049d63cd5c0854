"""The topic bench reads the reader's stances from claims.md as that file writes them."""

from __future__ import annotations

from pathlib import Path

from bench.weigh_topic import paper_key, parse_claims, score

CLAIMS = """# Ten claims

The 28 files: kalagatur2015, gopalkrishna2016, jain2017, caamalherrera2018.

---

### 1. Tulsi (*O. sanctum*) extracts have antimicrobial activity.
- **Support:** kalagatur2015 (V; the essential oil inhibits *Fusarium graminearum*),
  gopalkrishna2016 (V; seed oil inhibits six oral *Candida* species).
- **Indirect support:** jain2017 (V; silver nanoparticles made with tulsi extract).
- **Contradict / qualify (other species):** caamalherrera2018 (V; no antimicrobial effect).
- Silent: the rest.

### 2. *Ocimum* extracts have antiviral activity.
- **Support:** ghoke2018 (V, in ovo).
- **Caution:** kusindarta2016 and kusindarta2018 come from one group.
- Silent: the rest.

---

**Files silent on all ten claims (by abstract):** someya2018 (data article).
"""


def test_claims_and_the_readers_groups(tmp_path: Path) -> None:
    path = tmp_path / "claims.md"
    path.write_text(CLAIMS, encoding="utf-8")
    claims = parse_claims(path)
    assert [c["claim"] for c in claims] == [
        "Tulsi (O. sanctum) extracts have antimicrobial activity.",
        "Ocimum extracts have antiviral activity.",
    ]
    assert claims[0]["papers"] == {
        "kalagatur2015": "support",
        "gopalkrishna2016": "support",
        "jain2017": "indirect",
        "caamalherrera2018": "contradict",
    }
    # a caution names papers without a stance; the file list after the claims is none
    assert claims[1]["papers"] == {"ghoke2018": "support"}
    assert paper_key("/x/kalagatur2015_frontmicrobiol_antifungal_oil.pdf") == "kalagatur2015"


def test_score_counts_silent_papers_given_a_stance() -> None:
    row = {
        "papers": [
            {"reader": "support", "stance": "supports"},
            {"reader": "support", "stance": "neither"},
            {"reader": "contradict", "stance": "mixed"},
            {"reader": "silent", "stance": "contradicts"},
            {"reader": "silent", "stance": "unused"},
        ]
    }
    s = score([row])
    assert s["support_read"] == (1, 2)
    assert s["contradiction_read"] == (1, 1)
    assert s["silent_given_stance"] == (1, 2)
    assert s["silent_as_support"] == 0
