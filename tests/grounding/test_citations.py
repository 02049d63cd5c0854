"""What the model reads of a passage: whole sentences, not a chunk's cut ends."""

from __future__ import annotations

from ideapump.grounding.citations import Evidence, whole_sentences
from tests.conftest import make_passage

FUTURE = (
    "Future studies might usefully include indirect measures of noradrenaline activity, "
    "for example pupillometry, to examine a potential link with value-free random exploration."
)
LC = "The LC has two known modes of synaptic signalling (Rajkowski et al., 1994), tonic and"


def test_the_model_reads_no_fragment_a_chunk_boundary_cut() -> None:
    # Dubois et al., p. 13: a quick start's proposal gave this chunk's opening fragment as
    # its rationale ("The passage states that subjects could deploy (Jepma and ...")
    chunk = f"that subjects could deploy (Jepma and Nieuwenhuis, 2011). {FUTURE} {LC}"
    block = Evidence([make_passage(chunk, char_start=120)]).block()
    assert FUTURE in block
    assert "subjects could deploy" not in block
    assert "tonic and" not in block


def test_a_capitalised_opening_inside_a_sentence_of_the_page_goes_too() -> None:
    head = "Noradrenaline may shape how exploration strategies "
    rest = "Subjects in the placebo group explored less. "
    page = f"{head}{rest}{FUTURE} The end."
    chunk = f"{rest}{FUTURE} The end."
    passage = make_passage(chunk, char_start=len(head))
    assert whole_sentences(passage, [page]) == f"{FUTURE} The end."
    # read from the page's own sentence start, the same words open a sentence
    whole = make_passage(page, char_start=0)
    assert whole_sentences(whole, [page]) == page


def test_a_lab_note_keeps_its_last_line() -> None:
    note = "Pilot summary. Twelve participants completed both sessions.\n- mean RT 512 ms"
    passage = make_passage(note, kind="markdown")
    assert whole_sentences(passage, []) == note
    table = make_passage("group,n\nplacebo,12", kind="table")
    assert whole_sentences(table, []) == table.quote


def test_a_chunk_without_a_whole_sentence_is_shown_as_it_is() -> None:
    chunk = "and the drug groups did not differ in"
    assert whole_sentences(make_passage(chunk, char_start=40), []) == chunk
