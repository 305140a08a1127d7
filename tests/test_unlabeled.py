"""The unlabeled textbook paragraph: told apart by its gap or its content, never by position.

Pages in the sample's layout with findings of several paragraphs, with and without the
textbook discussion, in text and in HTML: the findings keep all their paragraphs.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.unlabeled import Scores, carries, textbook_score
from pipeline.rules import Rules, load_rules
from pipeline.run.inspection import learn_layout

from .conftest import document_of, section_names, section_text, structure_of

FINDING_1 = "Chest CT shows a 3 cm mass in the right lower lobe with a spiculated margin."
FINDING_2 = "There is no mediastinal lymphadenopathy and the pleura is normal."
TEXTBOOK = (
    "Lung adenocarcinoma is the most common primary lung cancer. It usually occurs in "
    "smokers but is also the most frequent type in patients who never smoked, and it may "
    "present as a solitary nodule."
)
TEXTBOOK_2 = (
    "Treatment depends on the stage; early tumours are usually resected, and targeted "
    "therapies are often used in patients with driver mutations."
)


def text_page(findings: list[str], discussion: list[str], paragraph_gap: int = 1) -> str:
    """A page in the sample's layout: paragraphs of a section one blank line apart (or
    ``paragraph_gap``), headings two, the discussion three."""
    between = "\n" * (paragraph_gap + 1)
    body = between.join(findings)
    if discussion:
        body += "\n\n\n\n" + "\n\n".join(discussion)
    return (
        "A 60 years old with adenocarcinoma\n\n\n\nPatient's Information\n\nGender : Male\n"
        "Age : 60\n\n\nClinical Summary\n\nA 60 years old man with cough.\n\n\n\n"
        f"Imaging Procedures and Findings\n\n{body}\n\n\nFinal Diagnosis\n\nAdenocarcinoma\n"
    )


def html_page(findings: list[str], discussion: list[str]) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in findings + discussion)
    return (
        "<html><body><div class='item-page'><h2>A 60 years old with adenocarcinoma</h2>"
        "<h3>Patient's Information</h3><p>Gender : Male</p><h3>Clinical Summary</h3>"
        "<p>A 60 years old man with cough.</p><h3>Imaging Findings</h3>"
        f"{paragraphs}<h3>Final Diagnosis</h3><p>Adenocarcinoma</p></div></body></html>"
    )


@pytest.mark.parametrize("paragraph_gap", [0, 1, 2])
def test_text_findings_of_two_paragraphs_with_a_discussion(
    rules: Rules, paragraph_gap: int
) -> None:
    page = text_page([FINDING_1, FINDING_2], [TEXTBOOK], paragraph_gap)
    sectioned = structure_of(page, rules).sectioned
    assert section_names(sectioned) == ["clinical_summary", "findings", "discussion", "diagnosis"]
    between = "\n" if paragraph_gap == 0 else "\n\n"
    assert section_text(sectioned, "findings") == FINDING_1 + between + FINDING_2
    assert section_text(sectioned, "discussion") == TEXTBOOK


@pytest.mark.parametrize("paragraph_gap", [0, 1, 2])
def test_text_findings_of_two_paragraphs_without_a_discussion(
    rules: Rules, paragraph_gap: int
) -> None:
    sectioned = structure_of(text_page([FINDING_1, FINDING_2], [], paragraph_gap), rules).sectioned
    assert section_names(sectioned) == ["clinical_summary", "findings", "diagnosis"]
    assert FINDING_2 in section_text(sectioned, "findings")


def test_text_discussion_of_two_paragraphs_stays_together(rules: Rules) -> None:
    sectioned = structure_of(text_page([FINDING_1], [TEXTBOOK, TEXTBOOK_2]), rules).sectioned
    assert section_text(sectioned, "discussion") == TEXTBOOK + "\n\n" + TEXTBOOK_2


def test_html_findings_of_two_paragraphs_with_a_discussion(rules: Rules) -> None:
    sectioned = structure_of(html_page([FINDING_1, FINDING_2], [TEXTBOOK]), rules, "html").sectioned
    assert section_names(sectioned) == ["clinical_summary", "findings", "discussion", "diagnosis"]
    assert section_text(sectioned, "findings", html=True) == FINDING_1 + "\n" + FINDING_2
    assert section_text(sectioned, "discussion", html=True) == TEXTBOOK


def test_html_findings_of_two_paragraphs_without_a_discussion(rules: Rules) -> None:
    sectioned = structure_of(html_page([FINDING_1, FINDING_2], []), rules, "html").sectioned
    assert section_names(sectioned) == ["clinical_summary", "findings", "diagnosis"]
    assert section_text(sectioned, "findings", html=True) == FINDING_1 + "\n" + FINDING_2


def test_html_discussion_of_two_paragraphs_stays_together(rules: Rules) -> None:
    page = html_page([FINDING_1, FINDING_2], [TEXTBOOK, TEXTBOOK_2 + " " + TEXTBOOK])
    sectioned = structure_of(page, rules, "html").sectioned
    assert section_text(sectioned, "findings", html=True) == FINDING_1 + "\n" + FINDING_2
    discussion = section_text(sectioned, "discussion", html=True)
    assert discussion is not None and discussion.startswith(TEXTBOOK + "\n")


def test_a_weak_gap_needs_the_content_to_agree(rules: Rules) -> None:
    # The paragraph is set apart exactly as much as headings are: its content decides.
    base = "T\n\n\nClinical Summary\n\nPain.\n\n\nImaging Findings\n\nA mass.\n\n\n{}\n\n\n"
    tail = "Final Diagnosis\n\nCyst"
    about_patient = structure_of(base.format(FINDING_2) + tail, rules).sectioned
    assert section_names(about_patient) == ["clinical_summary", "findings", "diagnosis"]
    textbook = structure_of(base.format(TEXTBOOK) + tail, rules).sectioned
    assert section_names(textbook) == ["clinical_summary", "findings", "discussion", "diagnosis"]


def test_the_textbook_score_weighs_patient_cues_against_general_ones(rules: Rules) -> None:
    settings = rules.sections.unlabeled
    assert textbook_score(TEXTBOOK, settings) >= settings.margin
    assert textbook_score(FINDING_1, settings) < settings.margin
    assert textbook_score("She was admitted with a 45-year-old history.", settings) < 0


def test_a_run_learns_that_its_layout_carries_the_discussion(rules: Rules) -> None:
    # Most pages show a textbook paragraph; one page's last paragraph says little either way.
    pages = [html_page([FINDING_1], [TEXTBOOK]) for _ in range(5)]
    odd = html_page([FINDING_1, FINDING_2], ["Septic pulmonary emboli"])
    documents = [document_of(p, rules, "html") for p in [*pages, odd]]
    assert learn_layout(documents, rules) == frozenset({"html"})
    alone = structure_of(odd, rules, "html").sectioned
    assert "discussion" not in section_names(alone)
    carried = structure_of(odd, rules, "html", carried=True).sectioned
    assert section_text(carried, "discussion", html=True) == "Septic pulmonary emboli"


def test_a_run_without_that_layout_learns_nothing(rules: Rules) -> None:
    pages = [html_page([FINDING_1, FINDING_2], []) for _ in range(5)]
    documents = [document_of(p, rules, "html") for p in pages]
    assert learn_layout(documents, rules) == frozenset()
    assert not carries([True, False, False, None], rules.sections.unlabeled)


_CUES = [
    "usually", "may", "patients", "common", "is a", "associated with", "occurs", "children",
    "shows", "there is", "2 cm", "figure 3", "noted", "arrows", "the patient", "she", "his",
    "45-year-old", "presented with", "underwent", "lesion", "the", "liver", "and", ".", ",",
]  # fmt: skip
_SETTINGS = load_rules().sections.unlabeled


@settings(max_examples=500)
@given(st.lists(st.sampled_from(_CUES), max_size=90).map(" ".join), st.integers(-6, 8))
def test_a_score_asked_against_a_threshold_is_the_score_compared(text: str, at: int) -> None:
    scores = Scores(_SETTINGS)
    assert scores.at_least(text, at) == (textbook_score(text, _SETTINGS) >= at)
    assert scores.at_least(text, at) == (textbook_score(text, _SETTINGS) >= at)  # kept
