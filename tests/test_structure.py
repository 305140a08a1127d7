"""The structure of a page: body pages, warnings, and fields where the page gives them."""

from __future__ import annotations

import pytest

from pipeline.read.demographics import age_in, demographics, gender_in
from pipeline.rules import Rules
from pipeline.run.page import parse_document

from .conftest import document_of, section_names, section_text, structure_of


def test_a_page_with_text_but_no_heading_is_a_case_with_a_body(rules: Rules) -> None:
    text = "Page not found\n\nThe requested case does not exist.\n\nName : Ali\n\nGo to top"
    structure = structure_of(text, rules)
    assert section_names(structure.sectioned) == ["body"]
    assert section_text(structure.sectioned, "body") == "The requested case does not exist."
    assert structure.fields.author_name == "Ali"
    assert "no section heading: the page's text is in body" in structure.fields.warnings


def test_an_html_page_without_headings_is_a_case_too(rules: Rules) -> None:
    page = "<html><body><div><p>Chest radiograph.</p><p>Right pneumothorax.</p></div></body></html>"
    parsed = parse_document(document_of(page, rules, "html"), rules)
    assert not hasattr(parsed, "stage")
    assert section_names(parsed.sectioned) == ["body"]  # type: ignore[union-attr]


def test_only_a_page_without_any_text_is_an_error(rules: Rules) -> None:
    page = "<html><body><nav>Home</nav><script>x()</script></body></html>"
    error = parse_document(document_of(page, rules, "html"), rules)
    assert (error.stage, error.error) == ("sections", "no-text")  # type: ignore[union-attr]


def test_a_page_of_unknown_headings_only_says_so(rules: Rules) -> None:
    page = (
        "<html><head><title>A study</title></head><body><h2>Background</h2><p>x</p>"
        "<h2>Methods</h2><p>y</p></body></html>"
    )
    structure = structure_of(page, rules, "html")
    assert section_names(structure.sectioned) == ["other:background", "other:methods"]
    assert "no known section heading" in structure.fields.warnings


HEAD = (
    '<meta name="citation_title" content="Meta title"><meta name="citation_author" '
    'content="Ana Lopez"><meta name="citation_author" content="Bo Chen">'
)


def test_authors_come_from_citation_metas_when_no_field_line_names_them(rules: Rules) -> None:
    page = (
        f"<html><head>{HEAD}</head><body><h1>A case</h1><h2>Case report</h2>"
        "<p>A 45-year-old woman with a cough.</p></body></html>"
    )
    fields = structure_of(page, rules, "html").fields
    assert fields.author_name == "Ana Lopez; Bo Chen"
    assert (fields.patient_age, fields.patient_age_years, fields.patient_age_source) == (
        "45-year-old",
        45.0,
        "text",
    )
    assert (fields.patient_gender, fields.patient_gender_source) == ("female", "text")


def test_field_lines_win_over_the_text_and_say_so(rules: Rules) -> None:
    page = (
        "<html><body><p>Age : 50</p><p>Sex : M</p><h2>Case report</h2>"
        "<p>A 45-year-old woman.</p></body></html>"
    )
    fields = structure_of(page, rules, "html").fields
    assert (fields.patient_age, fields.patient_age_source) == ("50", "field")
    assert (fields.patient_gender, fields.patient_gender_source) == ("male", "field")


def test_fields_given_as_a_term_and_a_value_are_fields(rules: Rules) -> None:
    page = (
        "<html><body><h1>A case</h1><dl><dt>Age</dt><dd>45 years</dd><dt>Sex</dt><dd>F</dd>"
        "</dl><h2>History</h2><p>Cough.</p></body></html>"
    )
    structure = structure_of(page, rules, "html")
    assert section_names(structure.sectioned) == ["clinical_summary"]
    fields = structure.fields
    assert (fields.patient_age_years, fields.patient_gender) == (45.0, "female")
    assert fields.patient_age_source == "field"


def test_a_page_with_a_patient_block_is_never_read_for_age_in_its_text(rules: Rules) -> None:
    text = (
        "A case\n\n\nPatient's Information\n\nAge : 60\n\n\nClinical Summary\n\n"
        "A 60-year-old woman with pain.\n\n\nFinal Diagnosis\n\nCyst"
    )
    fields = structure_of(text, rules).fields
    assert fields.patient_gender is None and fields.patient_gender_source is None
    assert fields.patient_age_source == "field"


def test_the_discussion_never_gives_the_age(rules: Rules) -> None:
    page = (
        "<html><body><h2>Case report</h2><p>A man with pain.</p><h2>Discussion</h2>"
        "<p>It affects 45-year-old women.</p></body></html>"
    )
    fields = structure_of(page, rules, "html").fields
    assert fields.patient_age is None and fields.patient_gender == "male"


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("A 45-year-old man", ("45-year-old", 45.0)),
        ("a 6 month old girl", ("6 month old", 0.5)),
        ("The patient, aged 70, was seen", ("aged 70", 70.0)),
        ("58 y/o female", ("58 y/o", 58.0)),
        ("A man in his sixties", None),
    ],
)
def test_age_phrases(rules: Rules, text: str, age: tuple[str, float] | None) -> None:
    assert age_in(text, rules.fields) == age


def test_gender_phrases(rules: Rules) -> None:
    assert gender_in("A 45-year-old woman", rules.fields) == "female"
    assert gender_in("an elderly gentleman", rules.fields) == "male"
    assert gender_in("His wife reported", rules.fields) is None
    found = demographics({"body": "A 3-year-old boy."}, rules.fields)
    assert (found.age_years, found.gender) == (3.0, "male")
