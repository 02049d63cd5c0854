"""The digest end to end on real PDFs: old library, a new paper, a rerun, failures part-way."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from ideapump.agent.grounding import cosine, normalize, passage_vectors
from ideapump.digest import run_digest
from ideapump.digest.compose import document_passages, lab_passages, spark_pairs
from ideapump.digest.state import DigestState
from ideapump.library import Library
from ideapump.results import Citation
from ideapump.runtime import Runtime
from tests.conftest import PAPERS
from tests.digest.conftest import BOGUS, FakeModel, Lab, doc_id_of

DAY = date(2025, 3, 2)
NOTE = """# Hand-washing pilot: sink sensors

## Summary
Our sink-sensor pilot (n = 24 wards) logged hand-washing events before and after
posters were put up. Washing rose from 41% to 52% of room entries in the first week.
"""


def on_page(lib: Library, c: Citation) -> bool:
    """The citation's quote occurs on the page it names, in the document it names."""
    pages = lib.get(c.doc_id).page_texts
    return normalize(c.quote) in normalize(pages[c.page - 1])


def with_floor(lab: Lab, floor: float) -> Runtime:
    """The lab's services with another IDEAPUMP_DIGEST__LINK_MIN_SIMILARITY."""
    settings = lab.settings
    digest = settings.digest.model_copy(update={"link_min_similarity": floor})
    return Runtime(
        settings.model_copy(update={"digest": digest}),
        embeddings=lab.runtime.embeddings,
        registry=lab.runtime.registry,
    )


def watched(tmp_path: Path, *, broken: bool = False) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(PAPERS["lhakhang"], folder / "lhakhang.pdf")  # same bytes: already ingested
    (folder / "sink_pilot.md").write_text(NOTE, encoding="utf-8")
    if broken:
        (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <</Type /Catalog>> garbage")
    return folder


def test_new_paper_is_digested_with_checked_citations_and_rerun_adds_nothing(
    lab: Lab, model: FakeModel, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # a floor low enough that each of the three documents the library held pairs with
    # the new paper, so the fake model's three kinds of answer are all seen
    result = run_digest(with_floor(lab, 0.2), watch=[watched(tmp_path)], out_dir=out, today=DAY)
    d = result.digest
    lhakhang = doc_id_of(lab.lib, "Evaluating brief motivational")
    mendt = doc_id_of(lab.lib, "Regular exercise")
    titles = {e.doc_id: e for e in d.entries}
    # the new paper (already ingested, found again in the watched folder) and the new note;
    # nothing from the old library, which the first digest recorded as the baseline
    assert set(titles) == {lhakhang, doc_id_of(lab.lib, "Hand-washing pilot")}
    assert mendt not in titles and d.failed == [] and d.notes == []
    assert d.new_this_run == 2 and result.ingested == 1

    entry = titles[lhakhang]
    assert entry.origin == "library" and entry.summary
    # findings: real pages of the new paper; the invented quote was dropped
    assert len(entry.findings) == 2 and entry.dropped_citations >= 1
    for f in entry.findings:
        assert f.citation.doc_id == lhakhang and on_page(lab.lib, f.citation)
        assert BOGUS not in f.citation.quote
    # statistics: the stored audit, problems first (Lhakhang has one inconsistent result,
    # and an η² that its F cannot give)
    assert entry.stats is not None and entry.stats.counts["total"] == 20
    assert [p.kind for p in entry.stats.problems] == ["inconsistent", "inconsistent"]
    assert "η² = .06" in entry.stats.problems[1].explanation
    problem = entry.stats.problems[0]
    assert problem.page is not None
    assert normalize(problem.text)[:20] in normalize(
        lab.lib.get(lhakhang).page_texts[problem.page - 1]
    )
    assert any("correction" in f.text for f in entry.stats.flags)
    # sparks: one per pair of passages, each lab document once; the idea about neither
    # passage ("Off topic") is left out; each side cites its own document on a real page
    assert [s.title for s in entry.sparks] == ["Combine both", "Named by title"]
    for spark in entry.sparks:
        assert [c.doc_id for c in spark.new_side] == [lhakhang]
        assert len(spark.lab_side) == 1 and spark.lab_side[0].doc_id != lhakhang
        assert all(on_page(lab.lib, c) for c in spark.new_side + spark.lab_side)
    assert entry.sparks[0].lab_side[0].doc_id != entry.sparks[1].lab_side[0].doc_id
    # the other side is what the library held: never the note that arrived with it
    note = doc_id_of(lab.lib, "Hand-washing pilot")
    assert all(s.lab_side[0].doc_id != note for s in entry.sparks)
    assert all(r.old.doc_id != note for r in entry.relations)
    assert all(s.lab_side[0].doc_id != lhakhang for s in titles[note].sparks)
    # an invented quote and a title "quote" are replaced by a sentence of their passage
    for cited in (entry.sparks[1].new_side[0], entry.sparks[1].lab_side[0]):
        assert BOGUS not in cited.quote and normalize(cited.quote) != normalize(cited.title)
        chunk = next(p for p in lab.lib.chunks(cited.doc_id) if p.chunk_id == cited.chunk_id)
        assert normalize(cited.quote) in normalize(chunk.quote)
    # across the library: new side in the new paper, old side in what the library held;
    # the claim about neither of its passages is left out
    assert [r.kind for r in entry.relations] == ["agrees"]
    rel = entry.relations[0]
    assert rel.new.doc_id == lhakhang and rel.old.doc_id != lhakhang
    assert on_page(lab.lib, rel.new) and on_page(lab.lib, rel.old)

    md_path, html_path = result.files
    assert md_path == out / "2025-03-02-default.md" and html_path.suffix == ".html"
    md = md_path.read_text(encoding="utf-8")
    assert md.count("### ") == 2 + 1  # two documents, one "Agreements" heading
    assert md.index("**inconsistent**") < md.index("flag:")
    first_calls = len(model.calls)
    # per new document: a summary, one spark per pair of similar passages, relations
    per_doc = " ".join(model.calls).split("RelationsDraft")[:-1]
    assert len(per_doc) == 2 and sum(c.count("SummaryDraft") for c in per_doc) == 2
    # (vectors embedded with their paper's title: all three pairs reach the 0.2 floor;
    # the one-line note shares little with the library: one pair reaches it)
    assert [c.count("SparkDraft") for c in per_doc] == [3, 1]
    # the note's pair drew the off-topic idea, which is left out
    assert titles[note].sparks == []

    again = run_digest(lab.runtime, watch=[tmp_path / "inbox"], out_dir=out, today=DAY)
    assert again.digest.new_this_run == 0 and again.ingested == 0
    assert len(model.calls) == first_calls
    assert [e.doc_id for e in again.digest.entries] == [e.doc_id for e in d.entries]
    assert md_path.read_text(encoding="utf-8").count("### ") == 3
    assert sorted(p.name for p in out.iterdir()) == [
        "2025-03-02-default.html",
        "2025-03-02-default.md",
    ]

    next_night = run_digest(lab.runtime, out_dir=out, today=date(2025, 3, 3))
    assert next_night.digest.entries == [] and len(model.calls) == first_calls
    assert "Nothing new since the last digest" in next_night.files[0].read_text(encoding="utf-8")


def test_model_down_and_broken_pdf_are_noted_and_the_next_run_picks_up(
    lab: Lab, model: FakeModel, tmp_path: Path
) -> None:
    folder = watched(tmp_path, broken=True)
    model.down = True
    first = run_digest(lab.runtime, watch=[folder], today=DAY, deliver=False)
    d = first.digest
    assert d.entries == [] and len(d.failed) == 2
    assert any("broken.pdf" in n for n in d.notes)
    assert any("language model is unavailable" in n for n in d.notes)
    # one request, then the other document is not sent to the down model at all
    assert model.requests == 1
    for e in d.failed:
        assert e.error and "not summarised" in e.error
        assert e.stats is not None  # the audit needs no model
    md = first.files[0].read_text(encoding="utf-8")
    assert "## What failed" in md and "broken.pdf" in md
    state = DigestState(lab.lib.registry, lab.lib.name)
    assert {r.status for r in state.entries_on(DAY.isoformat())} == {"failed"}
    assert all(r.attempts == 0 for r in state.entries_on(DAY.isoformat()))

    model.down = False
    (folder / "broken.pdf").unlink()
    second = run_digest(lab.runtime, watch=[folder], today=DAY, deliver=False)
    assert second.digest.new_this_run == 2 and second.digest.failed == []
    assert second.digest.notes == []
    md = second.files[0].read_text(encoding="utf-8")
    assert "What failed" not in md and md.count("**Summary.**") == 2


def test_since_reaches_back_into_the_baseline(lab: Lab, model: FakeModel) -> None:
    result = run_digest(lab.runtime, since=date(2000, 1, 1), today=DAY, deliver=False)
    titles = {e.title for e in result.digest.entries}
    assert any(t.startswith("Regular exercise") for t in titles)  # from the baseline
    assert any(t.startswith("Evaluating brief") for t in titles)
    assert len(result.digest.entries) == 4  # Mendt, the notes, the data table, Lhakhang
    assert result.digest.new_this_run == 4


def test_empty_library_gets_a_short_digest(tmp_path: Path, embeddings: object) -> None:
    from tests.digest.conftest import make_settings

    settings = make_settings(tmp_path / "h", format="md")
    never_called: Any = object()  # an empty library needs no summary
    runtime = Runtime(settings, embeddings=embeddings)  # type: ignore[arg-type]
    result = run_digest(runtime, llm=never_called, today=DAY)
    assert [p.name for p in result.files] == ["2025-03-02-default.md"]
    text = result.files[0].read_text(encoding="utf-8")
    assert "Nothing new since the last digest" in text and "###" not in text
    assert (settings.home / "digests" / "default") == result.files[0].parent


def test_sparks_pair_the_closest_passages_and_none_fall_below_the_floor(
    lab: Lab, model: FakeModel, tmp_path: Path
) -> None:
    lab.lib.ingest([watched(tmp_path) / "sink_pilot.md"])
    lhakhang = doc_id_of(lab.lib, "Evaluating brief motivational")
    note = doc_id_of(lab.lib, "Hand-washing pilot")
    own = document_passages(lab.lib, lhakhang, 6)
    related = lab_passages(lab.lib, "hand hygiene intervention", {lhakhang}, 6)
    assert {p.doc_id for p in related} >= {note, doc_id_of(lab.lib, "Regular exercise")}

    pairs = spark_pairs(lab.lib, own, related, 3, floor=-1.0)
    # the hand-hygiene paper goes with the lab's own hand-washing pilot (its abstract
    # did before chunks were embedded with their title; now its next passage does)
    assert own[0].section == "Abstract"
    assert note in {b.doc_id for _, b in pairs}
    lab_docs = [p.doc_id for _, p in pairs]
    new_chunks = [p.chunk_id for p, _ in pairs]
    assert len(pairs) == 3 and len(set(lab_docs)) == 3 and len(set(new_chunks)) == 3
    assert spark_pairs(lab.lib, own, related, 3, floor=0.99) == []

    # with a floor no pair reaches, the digest asks for no spark and shows none
    d = run_digest(with_floor(lab, 0.99), out_dir=tmp_path / "out", today=DAY).digest
    assert d.new_this_run == 2 and all(e.sparks == [] for e in d.entries)
    assert "SparkDraft" not in model.calls and model.calls.count("SummaryDraft") == 2


def test_the_labs_own_data_gets_the_first_spark_when_it_reaches_the_floor(lab: Lab) -> None:
    lhakhang = doc_id_of(lab.lib, "Evaluating brief motivational")
    own = document_passages(lab.lib, lhakhang, 6)
    related = lab_passages(lab.lib, "hand hygiene and pupil size of participants", {lhakhang}, 8)
    sims = cosine(passage_vectors(lab.lib, own), passage_vectors(lab.lib, related))
    table = max(
        float(sims[i, j])
        for i in range(len(own))
        for j, p in enumerate(related)
        if p.kind == "table"
    )
    assert float(sims.max()) > table  # by similarity alone a paper's prose would come first

    first = spark_pairs(lab.lib, own, related, 2, floor=-1.0)
    assert first[0][1].kind == "table" and first[1][1].kind != "table"
    above = spark_pairs(lab.lib, own, related, 2, floor=table + 1e-3)
    assert above and all(p.kind != "table" for _, p in above)


def test_a_spark_the_model_cannot_write_costs_that_spark_not_the_entry(
    lab: Lab, model: FakeModel, tmp_path: Path
) -> None:
    model.rambling = True
    d = run_digest(with_floor(lab, 0.2), watch=[watched(tmp_path)], today=DAY).digest
    assert d.failed == [] and d.new_this_run == 2
    paper = next(e for e in d.entries if e.title.startswith("Evaluating brief motivational"))
    assert paper.sparks == [] and paper.findings and paper.relations
    assert model.calls.count("SparkDraft") > 2  # every pair was tried, with its re-asks


def test_a_cut_summary_shows_whole_sentences_and_findings_say_something_once(
    lab: Lab, model: FakeModel, tmp_path: Path
) -> None:
    model.copying = True
    out = tmp_path / "out"
    result = run_digest(lab.runtime, watch=[watched(tmp_path)], out_dir=out, today=DAY)
    d = result.digest
    paper = next(e for e in d.entries if e.title.startswith("Evaluating brief motivational"))
    # the model's string stopped at 900 characters mid-sentence; the digest ends at a full stop
    assert paper.summary.startswith("We studied hand washing.")
    assert paper.summary.endswith(".") and len(paper.summary) < 900
    assert any(said.startswith(paper.summary) for said in model.summaries)
    # "the passages do not say" is not a key finding, nor is a second one on the same quote;
    assert [f.text for f in paper.findings] == [
        "Finding from passage 1.",
        "Finding from passage 2.",
    ]
    # a three-word quote (a heading, a label) is replaced by a sentence of that passage
    assert all(len(f.citation.quote.split()) >= 5 for f in paper.findings)
    assert all(on_page(lab.lib, f.citation) for f in paper.findings)
    md = (out / f"{DAY.isoformat()}-default.md").read_text(encoding="utf-8")
    assert "do not say" not in md


def test_a_finding_cites_the_sentence_that_shows_its_numbers_or_is_left_out(
    lab: Lab, model: FakeModel, tmp_path: Path
) -> None:
    model.misquoting = True
    d = run_digest(lab.runtime, watch=[watched(tmp_path)], today=DAY).digest
    paper = next(e for e in d.entries if e.title.startswith("Evaluating brief motivational"))
    number = model.stated[0]
    # the model quoted the passage's opening words; the citation moves to the sentence
    # that shows the number, and the finding with a number no passage gives is dropped
    assert [f.text for f in paper.findings] == [f"The effect was {number}."]
    quote = paper.findings[0].citation.quote
    assert number in quote and on_page(lab.lib, paper.findings[0].citation)


def test_unsupported_sentences_and_fragment_quotes_never_reach_the_digest(
    lab: Lab, model: FakeModel, tmp_path: Path
) -> None:
    model.hallucinating = True
    out = tmp_path / "out"
    d = run_digest(lab.runtime, watch=[watched(tmp_path)], out_dir=out, today=DAY)
    paper = next(e for e in d.digest.entries if e.title.startswith("Evaluating brief motivational"))
    assert paper.summary == "The study tested two hand hygiene modules."
    # the invented number and the inverted direction are left out; the true finding stays,
    # its quote (three words of a heading) replaced by the passage's sentence that shows it
    assert [f.text for f in paper.findings] == [
        "Both intervention sequences led to an increase in handwashing frequency."
    ]
    quote = paper.findings[0].citation.quote
    assert "increase in handwashing frequency" in quote
    assert on_page(lab.lib, paper.findings[0].citation)
    assert paper.unsupported_removed == 3
    md = (out / f"{DAY.isoformat()}-default.md").read_text(encoding="utf-8")
    assert "999" not in md and "87%" not in md and "decrease in handwashing" not in md
    assert "3 sentence(s) the model wrote were left out" in md
