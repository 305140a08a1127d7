"""Fields are read from "Label : value" lines; what a page lacks is null, never guessed."""

from __future__ import annotations

import pytest

from pipeline.read.fields import ModalityFinder, parse_age, parse_fields
from pipeline.rules import Rules


@pytest.mark.parametrize(
    ("written", "years"),
    [
        ("23", 23.0),
        ("23 years", 23.0),
        ("4 yrs", 4.0),
        ("45 y/o", 45.0),
        ("1 years", 1.0),
        ("6 months", 0.5),
        ("10 mo", 0.8333),
        ("8 month", 0.6667),
        ("3 weeks", 0.0575),
        ("about twenty", None),
        ("23 parsecs", None),
    ],
)
def test_age_as_written_becomes_years(rules: Rules, written: str, years: float | None) -> None:
    assert parse_age(written, rules.fields) == years


def test_the_sample_page_fields(rules: Rules) -> None:
    lines = [
        "Name : Sharam",
        "Family :Kahkoueei",
        "Affiliation : Assistant professor of radiology,Masih Hospital,SBMU",
        "Academic Degree: ----------------",
        "Email :",
        "Resident : Leila Sourtij",
        "Gender : Male",
        "Age : 23",
    ]
    fields = parse_fields(lines, rules.fields)
    assert fields.author_name == "Sharam Kahkoueei"
    assert fields.author_affiliation == "Assistant professor of radiology,Masih Hospital,SBMU"
    assert fields.author_degree is None
    assert fields.author_email is None
    assert fields.resident_name == "Leila Sourtij"
    assert fields.patient_gender == "male"
    assert (fields.patient_age, fields.patient_age_years) == ("23", 23.0)
    assert fields.unparsed == [] and fields.warnings == []


@pytest.mark.parametrize(
    ("written", "gender"), [("M", "male"), ("female", "female"), ("F", "female")]
)
def test_gender_variants(rules: Rules, written: str, gender: str) -> None:
    assert parse_fields([f"Gender : {written}"], rules.fields).patient_gender == gender


def test_missing_fields_are_null_and_odd_values_are_reported(rules: Rules) -> None:
    fields = parse_fields(["Gender : robot", "Name : Ali", "Some stray line"], rules.fields)
    assert fields.patient_gender is None
    assert fields.patient_age is None and fields.patient_age_years is None
    assert fields.resident_name is None
    assert fields.author_name == "Ali"
    assert fields.unparsed == ["Some stray line"]
    assert any("robot" in w for w in fields.warnings)


def test_a_plain_email_is_kept_and_a_cloaked_one_is_null(rules: Rules) -> None:
    assert parse_fields(["Email : a.b@example.org"], rules.fields).author_email == "a.b@example.org"
    cloaked = "Email : This email address is being protected from spambots."
    assert parse_fields([cloaked], rules.fields).author_email is None


def test_modalities_come_from_synonyms_in_the_findings(rules: Rules) -> None:
    text = "PA film and lateral radiograph; MR images and sonography. Contrast CT."
    assert ModalityFinder(rules.modalities).find(text) == ["CT", "MRI", "US", "XR"]
    assert ModalityFinder(rules.modalities).find("The focus of the lesion is in us all.") == []
    assert ModalityFinder(rules.modalities).find(None) == []


def test_modality_labels_with_a_trailing_dash_count(rules: Rules) -> None:
    text = "CXR- PA view.\nMRI- Linguini sign. CT- mixed density."
    assert ModalityFinder(rules.modalities).find(text) == ["CT", "MRI", "XR"]
    assert ModalityFinder(rules.modalities).find("The CTA-guided effect") == ["CT"]
