"""Properties on generated text: of the normalize and dehyphenate passes, and of sectioning.

Round trip (the raw text is rebuilt from the clean text and the edits), idempotence (a pass
finds nothing more to apply in its own output) and determinism, for each pass and for the two
in sequence through an :class:`EditTrail`. Sectioning of generated pages (text and HTML, with
known, unknown and label headings, field lines and paragraphs at any gap) puts every word of
the page in exactly one place: the title, a heading, a section or the field lines.
"""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.passes import dehyphenate, normalize
from pipeline.edits import Edit, EditTrail, apply_edits, check_edits, rebuild_raw
from pipeline.read.sections import SectionedPage, split_sections
from pipeline.read.structure import read_structure
from pipeline.rules import load_rules

from .conftest import SPLIT_LEXICON as LEX
from .conftest import document_of

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


# --- sectioning loses nothing and duplicates nothing --------------------------------------

_HEADINGS = [
    "Clinical Summary",
    "Imaging Findings",
    "FINAL DIAGNOSIS",
    "Discussion",
    "Patient's Information",
    "Treatment Plan",
    "TECHNIQUE",
    "2.1. Case report",
    "Age",
]
_LINES = [
    "FINDINGS: a mass.",
    "IMPRESSION: cyst.",
    "Age : 45",
    "Name : Ali",
    "EXAM: CT. FINDINGS: x.",
    "Osborn's brain / Anne G. Osborn. 2nd ed",
    "Cysts are common and usually occur in patients who may have a rare disease.",
]
_WORDS = ["the", "patient", "usually", "shows", "a", "2", "cm", "mass", "may", "Lymphoma", "she"]
_WORD_RE = re.compile(r"\w+")

paragraphs = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
pieces = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(_HEADINGS), st.sampled_from(_LINES), paragraphs),
        st.integers(min_value=0, max_value=3),
    ),
    min_size=1,
    max_size=14,
)


def _text_page(parts: list[tuple[str, int]]) -> str:
    return "".join(("\n" * (gap + 1) if i else "") + text for i, (text, gap) in enumerate(parts))


def _html_page(parts: list[tuple[str, int]]) -> str:
    tags = ["<h2>{}</h2>", "<h3>{}</h3>", "<p><b>{}</b></p>", "<div class='field-label'>{}</div>"]
    body = "".join(
        (tags[gap] if text in _HEADINGS else "<p>{}</p>").format(text) for text, gap in parts
    )
    return f"<html><body><div>{body}</div></body></html>"


def _bag(texts: list[str]) -> Counter[str]:
    return Counter(w for text in texts for w in _WORD_RE.findall(text))


def _kept(sectioned: SectionedPage) -> Counter[str]:
    texts = [sectioned.title or "", *(h for h, _ in sectioned.headings), *sectioned.field_lines]
    texts += [b.text for s in sectioned.sections for b in s.blocks]
    return _bag(texts)


@SETTINGS
@given(pieces, st.booleans(), st.booleans())
def test_every_word_of_a_page_lands_in_exactly_one_section(
    parts: list[tuple[str, int]], html: bool, carried: bool
) -> None:
    fmt = "html" if html else "text"
    page = _html_page(parts) if html else _text_page(parts)
    document = document_of(page, RULES, fmt)
    every = _bag([b.text for b in document.blocks])
    assert _kept(split_sections(document, RULES.sections, carried)) == every
    assert _kept(read_structure(document, RULES, carried).sectioned) == every
