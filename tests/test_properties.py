"""Properties of the normalize and dehyphenate passes on generated text.

Round trip (the raw text is rebuilt from the clean text and the edits), idempotence (a pass
finds nothing more to apply in its own output) and determinism, for each pass and for the two
in sequence through an :class:`EditTrail`.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.passes import dehyphenate, normalize
from pipeline.edits import Edit, EditTrail, apply_edits, check_edits, rebuild_raw
from pipeline.rules import load_rules

from .conftest import SPLIT_LEXICON as LEX

RULES = load_rules()

WORDS = sorted(LEX.zipf_of) + sorted(LEX.dictionary_only) + ["T1", "CT", "5", ".5", "Ab", "X"]
PIECES = [
    *WORDS,
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\u00a0",
    "-",
    "- ",
    "-\n",
    "\u00ad",
    "\u2010",
    ".",
    ",",
    ":",
    ";",
    "?",
    "(",
    ")",
    "...",
    " .",
    " ,",
    " )",
    "( ",
    "’",
    '"',
    "Ã©",
    "â€™",
    "ﬁ",
    "，",
    "Ｔ",
]
SETTINGS = settings(max_examples=120, deadline=None)

texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join),
    st.text(alphabet=st.sampled_from("ab- .,)(\n\t\u00a0Ã©"), max_size=30),
)


def applied(edits: list[Edit]) -> list[Edit]:
    return [e for e in edits if e.applied]


def normalize_pass(text: str) -> list[Edit]:
    return normalize.find_edits(text, RULES.normalize)


def dehyphenate_pass(text: str) -> list[Edit]:
    return dehyphenate.find_edits(text, LEX, RULES.dehyphenate)


PASSES = [normalize_pass, dehyphenate_pass]


def check_pass(find, text: str) -> None:
    """Every property of one pass on one text."""
    edits = find(text)
    check_edits(text, edits)
    for e in edits:
        assert text[e.start : e.end] == e.original
        assert e.original != e.replacement
        assert 0.0 <= e.confidence <= 1.0 and e.rule
    clean = apply_edits(text, edits)
    assert rebuild_raw(clean, edits) == text
    assert find(text) == edits
    assert applied(find(clean)) == []


@SETTINGS
@given(texts)
def test_normalize_round_trip_idempotence_determinism(text: str) -> None:
    check_pass(normalize_pass, text)


@SETTINGS
@given(texts)
def test_dehyphenate_round_trip_idempotence_determinism(text: str) -> None:
    check_pass(dehyphenate_pass, text)


@SETTINGS
@given(texts)
def test_dehyphenate_never_touches_line_breaks_between_paragraphs(text: str) -> None:
    clean = apply_edits(text, dehyphenate_pass(text))
    assert clean.count("\n\n") == text.count("\n\n")


@SETTINGS
@given(texts)
def test_normalize_keeps_every_line_break(text: str) -> None:
    clean = apply_edits(text, normalize_pass(text))
    assert clean.count("\n") == text.count("\n") - text.count("\r\n") + text.count("\r")
    assert "\r" not in clean


@SETTINGS
@given(texts)
def test_both_passes_through_a_trail(text: str) -> None:
    trail = EditTrail(text)
    for find in PASSES:
        trail.add(find(trail.text))
    check_edits(text, trail.edits)
    assert apply_edits(text, trail.edits) == trail.text
    assert rebuild_raw(trail.text, trail.edits) == text
    again = EditTrail(trail.text)
    for find in PASSES:
        again.add(find(again.text))
    assert applied(again.edits) == []
