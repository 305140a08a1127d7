"""The OCR confusion model and the artefact rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.ocr_model import OcrModel
from pipeline.correct.passes import ocr
from pipeline.correct.passes.ocr import artefact_edits, digit_edits
from pipeline.edits import apply_edits
from pipeline.rules import Confusion, DigitReading
from pipeline.rules.spelling import artefacts, confusions, digit_readings

RULES = Path(__file__).resolve().parent.parent / "rules"


def test_rules_file_loads_with_header_and_comments() -> None:
    table = confusions(RULES / "ocr_confusions.tsv")
    pairs = {(c.seen, c.meant) for c in table}
    assert {("rn", "m"), ("cl", "d"), ("li", "h"), ("I", "l"), ("or", "ex")} <= pairs
    assert all(0 < c.weight <= 1 for c in table)


def test_candidates_undo_one_or_two_misreadings() -> None:
    model = OcrModel(
        [Confusion("rn", "m", 0.5), Confusion("li", "h", 0.4), Confusion("o", "e", 0.5)],
        max_steps=2,
        memo_size=100,
    )
    found = model.candidates("tlie")
    assert "the" in found
    assert "modern" in model.candidates("rnodern")
    two = model.candidates("tlio")
    assert "the" in two and two["the"] < found["the"]  # two misreadings cost more
    assert "the" not in model.candidates("tlio", steps=1)


def test_candidates_are_memoised_and_deterministic() -> None:
    model = OcrModel(confusions(RULES / "ocr_confusions.tsv"), max_steps=2, memo_size=100)
    assert model.candidates("hemolltic") == model.candidates("hemolltic")
    assert "hemolytic" in model.candidates("hemolltic")
    assert "erythrocyte" in model.candidates("erythroc''te")


def test_artefact_et_al() -> None:
    rules = artefacts(RULES / "ocr_artefacts.tsv")
    text = "John R. Haaga ... jet al.].-5th ed"
    edits = artefact_edits(text, rules, threshold=0.9)
    assert apply_edits(text, edits) == "John R. Haaga ... et al.].-5th ed"
    assert all(e.pass_name == "ocr" for e in edits)
    assert artefact_edits("Smith et al. (2001) and a jet engine", rules, 0.9) == []


def _digit_readings() -> tuple[DigitReading, ...]:
    return digit_readings(RULES / "ocr_digits.tsv")


WORDS = {"for", "include", "lung", "esophagus", "skeletal", "most", "loss", "lst", "sth"}


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("used f0r imaging", "used for imaging"),
        ("we inc1ude them", "we include them"),
        ("the 1ung base", "the lung base"),
        ("the e6ophagus.", "the esophagus."),
        ("M0st cases", "Most cases"),
    ],
)
def test_digits_read_for_letters_are_undone(text: str, fixed: str) -> None:
    edits = digit_edits(text, _digit_readings(), lambda w: w.lower() in WORDS, 0.8)
    assert apply_edits(text, edits) == fixed
    assert all(e.applied and e.rule.startswith("ocr:digit-") for e in edits)


@pytest.mark.parametrize(
    "text",
    [
        "T1 and T2-weighted images",
        "C5-6 disc, 3.5cm mass, 1st and 2nd ribs, 5th decade",
        "top5 accuracy, H1N1, CO2, B12, mp3",
        "http://example.org/l0ss.html and a.l0ss@example.org",
        "v1.0ss",
        "1sth and sk3letal",  # a reading must be a known word
    ],
)
def test_numbers_codes_and_addresses_keep_their_digits(text: str) -> None:
    assert digit_edits(text, _digit_readings(), lambda w: w.lower() in WORDS, 0.8) == []


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"aZb0 1.,-/", "\u00e9", "\u0661"]), max_size=30))
def test_every_digit_word_holds_a_digit_then_a_lowercase_letter(text: str) -> None:
    """What lets ``digit_edits`` skip a text: no match of its pattern lacks the pair."""
    if ocr._DIGIT_WORD.search(text):
        assert ocr._DIGIT_THEN_LOWER.search(text)
