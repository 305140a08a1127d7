"""Dehyphenate: line-wrap splits are joined, compounds and suspended hyphens are kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.passes import dehyphenate
from pipeline.correct.passes.dehyphenate import _SPLIT, splits
from pipeline.edits import apply_edits, check_edits
from pipeline.rules import DEFAULT_RULES_DIR, RulesError, load_rules
from pipeline.rules.spelling import load_dehyphenate

from .conftest import SPLIT_LEXICON

RULES = load_rules().dehyphenate

LEX = SPLIT_LEXICON


def fix(text: str) -> str:
    """The text with the pass's applied edits."""
    return apply_edits(text, dehyphenate.find_edits(text, LEX, RULES))


def only_edit(text: str) -> dehyphenate.Edit:
    [edit] = dehyphenate.find_edits(text, LEX, RULES)
    return edit


@pytest.mark.parametrize(
    ("noisy", "clean"),
    [
        ("a compensatory phenom- enon that", "a compensatory phenomenon that"),
        ("Extramedullary hema- topoiesis is", "Extramedullary hematopoiesis is"),
        ("Histologi- cally, the masses", "Histologically, the masses"),
        ("Thoracic manifesta- tions are", "Thoracic manifestations are"),
        ("cause no rib destruc-tion.", "cause no rib destruction."),
        ("hema-\ntopoiesis", "hematopoiesis"),
        ("the hema- \n topoiesis", "the hematopoiesis"),
    ],
)
def test_line_wrap_splits_are_joined(noisy: str, clean: str) -> None:
    assert fix(noisy) == clean


def test_a_join_is_one_whole_word_edit_with_a_rule_and_confidence() -> None:
    edit = only_edit("a phenom- enon")
    assert (edit.start, edit.original, edit.replacement) == (2, "phenom- enon", "phenomenon")
    assert edit.pass_name == "dehyphenate"
    assert edit.rule == "line-wrap"
    assert edit.applied and edit.confidence >= 0.9


def test_a_split_compound_keeps_its_hyphen_and_loses_the_space() -> None:
    assert fix("consists of well- marginated, smooth") == "consists of well-marginated, smooth"
    assert only_edit("well- marginated").rule == "compound"


@pytest.mark.parametrize(
    "text",
    [
        "well-marginated, smooth or lobulated",
        "T1- and T2-weighted MR images",
        "non- and partially enhancing",
        "hypo- to hyperintense",
        "an X-ray, a T2-weighted image, follow-up at 60-year-old",
        "non-specific",
        "septo-optic dysplasia",
        "hema-\n\ntopoiesis",
        "Beckwith- Wiedemann syndrome",
        "CT- guided biopsy",
        "C5-6 and L4- 5",
        "from 1990- 1995",
        "mid - line",
    ],
)
def test_compounds_suspensions_names_numbers_and_paragraphs_are_left_alone(text: str) -> None:
    assert fix(text) == text


def test_a_compound_forming_prefix_keeps_the_hyphen_even_if_the_join_is_a_word() -> None:
    assert fix("is non- specific") == "is non-specific"


def test_a_phrasal_particle_keeps_the_hyphen() -> None:
    assert fix("on follow- up imaging") == "on follow-up imaging"


def test_a_common_joined_word_beats_two_words() -> None:
    assert fix("with- in the mass") == "within the mass"


def test_two_words_with_a_rare_join_are_joined_with_less_confidence() -> None:
    edit = only_edit("in the mid- line")
    assert edit.replacement == "midline"
    assert edit.applied and edit.confidence < 0.9


def test_a_damaged_split_is_joined_at_low_confidence_for_the_ocr_pass() -> None:
    edit = only_edit("hereditary sphe- rocltosis, sickle")
    assert edit.replacement == "spherocltosis"
    assert edit.rule == "damaged-wrap"
    assert edit.applied
    assert edit.confidence < RULES.confidence["line_wrap"]


def test_two_words_without_a_compound_ending_is_only_a_suggestion() -> None:
    edit = only_edit("with contrast- study of the chest")
    assert edit.replacement == "contrast-study"
    assert not edit.applied


def test_a_word_then_a_fragment_is_only_a_suggestion() -> None:
    edit = only_edit("bet- wecn the ribs")
    assert edit.replacement == "betwecn"
    assert not edit.applied


def test_a_tight_split_of_a_rare_join_with_a_word_on_the_right_is_only_suggested() -> None:
    edit = only_edit("septo-optic")
    assert edit.replacement == "septooptic"
    assert not edit.applied


def test_a_tight_split_of_two_words_is_joined_only_into_a_very_common_word() -> None:
    assert fix("a his-tory of a blow-out fracture") == "a history of a blow-out fracture"


def test_a_tight_split_with_a_plain_fragment_is_joined() -> None:
    assert only_edit("destruc-tion").rule == "line-wrap-tight"


def test_capitalised_headings_are_joined_into_common_words() -> None:
    assert fix("DEMOGRA- PHICS AND") == "DEMOGRAPHICS AND"


def test_the_sample_paragraph() -> None:
    text = (
        "a compensatory phenom- enon that occurs; hereditary sphe- rocltosis, or ortensive "
        "bone marrow. Extramedullary hema- topoiesis is usually microscopic. Thoracic "
        "manifesta- tions are less common. Histologi- cally, the masses cause no rib "
        "destruc-tion. The typical appearance consists of well-marginated, smooth masses. "
        "T1- and T2-weighted MR images."
    )
    edits = dehyphenate.find_edits(text, LEX, RULES)
    check_edits(text, edits)
    assert [(e.original, e.replacement) for e in edits] == [
        ("phenom- enon", "phenomenon"),
        ("sphe- rocltosis", "spherocltosis"),
        ("hema- topoiesis", "hematopoiesis"),
        ("manifesta- tions", "manifestations"),
        ("Histologi- cally", "Histologically"),
        ("destruc-tion", "destruction"),
    ]


def test_a_higher_threshold_turns_edits_into_suggestions() -> None:
    strict = RULES.model_copy(update={"apply_threshold": 0.99})
    edits = dehyphenate.find_edits("a phenom- enon", LEX, strict)
    assert [e.applied for e in edits] == [False]


def test_rules_with_a_bare_yaml_boolean_are_refused(tmp_path: Path) -> None:
    source = (DEFAULT_RULES_DIR / "dehyphenate.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "dehyphenate.yaml"
    bad.write_text(source.replace('"on", ', "on, "), encoding="utf-8")
    with pytest.raises(RulesError, match=r"dehyphenate.yaml: compound_particles.*valid string"):
        load_dehyphenate(bad)


def test_the_fake_lexicon_fits_the_protocol() -> None:
    lookup: dehyphenate.WordLookup = LEX
    assert lookup.known("phenomenon") and lookup.zipf("unknownword") == 0.0


def test_a_tight_split_whose_left_half_is_no_word_is_a_line_wrap() -> None:
    assert fix("the esopha-gus is dilated") == "the esophagus is dilated"


def test_a_combining_form_before_a_vowel_keeps_its_hyphen() -> None:
    assert fix("a jejuno-ileal anastomosis and septo-optic dysplasia") == (
        "a jejuno-ileal anastomosis and septo-optic dysplasia"
    )


@settings(max_examples=500, deadline=None)
@given(st.text("ab1_- \t\n\u2010é", max_size=40))
def test_splits_are_the_pattern_s_matches(text: str) -> None:
    found = [(m.span(), m.groupdict()) for m in splits(text)]
    assert found == [(m.span(), m.groupdict()) for m in _SPLIT.finditer(text)]
