"""Headings by their form: every form a page uses, mapped through tolerant matching."""

from __future__ import annotations

import pytest

from pipeline.read.headings import is_all_caps, is_title_case, label_pieces
from pipeline.rules import Rules

from .conftest import section_names, section_text, structure_of


def html(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


# --- tolerant matching -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("Case presentation", "clinical_summary"),
        ("2. Case Report", "clinical_summary"),
        ("2.1. case report:", "clinical_summary"),
        ("CASE DESCRIPTION", "clinical_summary"),
        ("History", "clinical_summary"),
        ("Indication", "clinical_summary"),
        ("Exam", "clinical_summary"),
        ("Impression", "diagnosis"),
        ("IV. Conclusions", "diagnosis"),
        ("Dicsussion", "discussion"),
        ("Imaging findngs", "findings"),
        ("Final diagnosis:", "diagnosis"),
        ("Differential Diagnosis List", "differential_diagnosis"),
        ("Discussion and conclusions", "discussion"),
        ("Case presentation and technical note", "clinical_summary"),
    ],
)
def test_headings_match_in_any_case_numbered_with_colons_and_typos(
    rules: Rules, heading: str, name: str
) -> None:
    assert rules.sections.canonical(heading) == name


@pytest.mark.parametrize(
    "heading", ["Abstract", "Histology", "Clinical findings", "DX1", "Ca", "Reference range"]
)
def test_other_headings_and_short_ones_match_nothing(rules: Rules, heading: str) -> None:
    assert rules.sections.canonical(heading) is None


def test_heading_shapes() -> None:
    assert is_title_case("Imaging Procedures and Findings")
    assert not is_title_case("A mass in the liver")
    assert is_all_caps("FINAL DIAGNOSIS") and not is_all_caps("CT")


# --- HTML forms --------------------------------------------------------------------------


def test_h_headings_nest_an_unknown_subheading_stays_in_its_section(rules: Rules) -> None:
    page = html(
        "<h1>A case of lung cancer</h1><h2>Case presentation</h2><p>A 57-year-old man.</p>"
        "<h3>Clinical findings</h3><p>Clubbing.</p><h2>Discussion</h2><p>Lung cancer is "
        "common.</p><h3>Strengths and limitations</h3><p>One case.</p><h2>Funding</h2><p>None.</p>"
    )
    sectioned = structure_of(page, rules, "html").sectioned
    assert sectioned.title == "A case of lung cancer"
    assert section_names(sectioned) == ["clinical_summary", "discussion", "other:funding"]
    summary = section_text(sectioned, "clinical_summary", html=True)
    assert summary == "A 57-year-old man.\nClinical findings\nClubbing."
    assert "Strengths and limitations\nOne case." in section_text(sectioned, "discussion", True)


def test_a_known_subheading_opens_its_section(rules: Rules) -> None:
    page = html("<h2>Case report</h2><p>Pain.</p><h3>Imaging findings</h3><p>A mass.</p>")
    sectioned = structure_of(page, rules, "html").sectioned
    assert section_names(sectioned) == ["clinical_summary", "findings"]


def test_a_bold_only_paragraph_is_a_heading_a_bold_label_is_not(rules: Rules) -> None:
    page = html(
        "<p><b>Clinical History</b></p><p>Cough.</p><p><strong>Findings</strong></p>"
        "<p><strong>CT:</strong></p><p>Consolidation.</p><p><b>Follow Up Plan</b></p><p>None.</p>"
    )
    sectioned = structure_of(page, rules, "html").sectioned
    assert section_names(sectioned) == ["clinical_summary", "findings", "other:follow up plan"]
    assert section_text(sectioned, "findings", html=True) == "CT:\nConsolidation."


def test_definition_list_terms_are_headings(rules: Rules) -> None:
    page = html("<dl><dt>History</dt><dd>Cough.</dd><dt>Findings</dt><dd>Nodule.</dd></dl>")
    sectioned = structure_of(page, rules, "html").sectioned
    assert section_names(sectioned) == ["clinical_summary", "findings"]
    assert section_text(sectioned, "findings") == "Nodule."


def test_terms_inside_an_h_section_stay_in_it(rules: Rules) -> None:
    page = html(
        "<h2>Discussion</h2><p>Rare.</p><h2>Abbreviations</h2>"
        "<dl><dt>CT</dt><dd>computed tomography</dd><dt>PET</dt><dd>positron emission</dd></dl>"
    )
    sectioned = structure_of(page, rules, "html").sectioned
    assert section_names(sectioned) == ["discussion", "other:abbreviations"]
    assert section_text(sectioned, "other:abbreviations", html=True) == (
        "CT\ncomputed tomography\nPET\npositron emission"
    )


def test_label_cells_are_headings(rules: Rules) -> None:
    page = html(
        "<table><tr><th>History</th><td>Fever.</td></tr><tr><th>Findings</th>"
        "<td>Effusion.</td></tr><tr><td><b>Impression</b></td><td>Empyema</td></tr></table>"
    )
    sectioned = structure_of(page, rules, "html").sectioned
    assert section_names(sectioned) == ["clinical_summary", "findings", "diagnosis"]
    assert section_text(sectioned, "diagnosis") == "Empyema"


def test_inline_label_runs_in_one_cell_are_headings(rules: Rules) -> None:
    cell = (
        "EXAM: CT chest without contrast. FINDINGS: A 1 cm nodule in the right upper lobe. "
        "IMPRESSION: Granuloma."
    )
    structure = structure_of(html(f"<table><tr><td>{cell}</td></tr></table>"), rules, "html")
    sectioned = structure.sectioned
    assert section_names(sectioned) == ["clinical_summary", "findings", "diagnosis"]
    assert [s.heading for s in sectioned.sections] == ["EXAM", "FINDINGS", "IMPRESSION"]
    assert section_text(sectioned, "findings") == "A 1 cm nodule in the right upper lobe."
    assert structure.fields.warnings == []


REPORT_SITE_PAGE = html(
    "<table width='100%'><tr><td class='nav'><a href='/'>Home</a><br><a href='/s'>Search</a>"
    "<br><a href='/o'>Logout</a></td><td><table><tr><td><b>Patient:</b> 12345</td>"
    "<td><b>Age:</b> 45 <b>Sex:</b> F</td></tr><tr><td colspan='2'>EXAM: CT chest<br>"
    "CLINICAL HISTORY: Cough.<br>TECHNIQUE: Axial images.<br>FINDINGS: A 1 cm nodule.<br>"
    "IMPRESSION: Granuloma.</td></tr></table></td></tr></table>",
    "<title>Report 123 - RadReports</title>",
)


def test_a_report_site_laid_out_in_nested_tables(rules: Rules) -> None:
    structure = structure_of(REPORT_SITE_PAGE, rules, "html")
    sectioned = structure.sectioned
    assert sectioned.title == "Report 123 - RadReports"
    assert section_names(sectioned) == ["clinical_summary", "findings", "diagnosis"]
    assert section_text(sectioned, "clinical_summary") == (
        "CT chest\nCLINICAL HISTORY: Cough.\nTECHNIQUE: Axial images."
    )
    assert section_text(sectioned, "diagnosis") == "Granuloma."
    every = " ".join(s.text(True) for s in sectioned.sections)
    assert "Home" not in every and every.count("nodule") == 1
    fields = structure.fields
    assert (fields.patient_age, fields.patient_gender, fields.patient_gender_source) == (
        "45",
        "female",
        "field",
    )
    assert fields.unparsed == ["Patient: 12345"]


def test_a_single_label_inside_a_paragraph_is_text(rules: Rules) -> None:
    page = html("<h3>Findings</h3><p>Impression: a mass of the liver with a scar.</p>")
    sectioned = structure_of(page, rules, "html").sectioned
    assert section_names(sectioned) == ["findings"]


# --- text forms --------------------------------------------------------------------------


def test_text_title_case_and_all_caps_lines_set_apart_are_headings(rules: Rules) -> None:
    text = (
        "A case\n\n\nClinical History\n\nCough.\n\n\nTREATMENT PLAN\n\nAntibiotics.\n\n\n"
        "Follow Up\n\nWell at six weeks.\n\n\nFinal Diagnosis\n\nPneumonia"
    )
    sectioned = structure_of(text, rules).sectioned
    assert section_names(sectioned) == [
        "clinical_summary",
        "other:treatment plan",
        "other:follow up",
        "diagnosis",
    ]


def test_a_title_case_line_inside_a_list_is_not_a_heading(rules: Rules) -> None:
    text = (
        "A case\n\n\nDifferential Diagnosis\n\nSarcoidosis\nLymphoma\nTuberculosis\n\n\n"
        "Final Diagnosis\n\nSarcoidosis"
    )
    sectioned = structure_of(text, rules).sectioned
    assert section_names(sectioned) == ["differential_diagnosis", "diagnosis"]
    assert (
        section_text(sectioned, "differential_diagnosis") == "Sarcoidosis\nLymphoma\nTuberculosis"
    )


def test_label_at_the_start_of_a_line_and_inline_runs_in_a_text_report(rules: Rules) -> None:
    text = (
        "CT CHEST\n"
        "HISTORY: Cough for two weeks.\n"
        "TECHNIQUE: Axial images. FINDINGS: A 2 cm mass in the left lower lobe.\n"
        "The mediastinum is normal.\n"
        "IMPRESSION: Lung mass."
    )
    sectioned = structure_of(text, rules).sectioned
    assert sectioned.title == "CT CHEST"
    assert section_names(sectioned) == ["clinical_summary", "findings", "diagnosis"]
    assert section_text(sectioned, "clinical_summary") == (
        "Cough for two weeks.\nTECHNIQUE: Axial images."
    )
    assert section_text(sectioned, "findings") == (
        "A 2 cm mass in the left lower lobe.\nThe mediastinum is normal."
    )


def test_a_label_that_repeats_the_section_is_the_authors_text(rules: Rules) -> None:
    text = (
        "A case\n\n\nClinical History\n\nHistory: 34 y/o man with back pain.\n\n\n"
        "Final Diagnosis\n\nDiagnosis: L1 burst fracture."
    )
    sectioned = structure_of(text, rules).sectioned
    assert section_text(sectioned, "clinical_summary") == "History: 34 y/o man with back pain."
    assert section_text(sectioned, "diagnosis") == "Diagnosis: L1 burst fracture."


def test_a_report_pasted_in_a_section_keeps_its_labels(rules: Rules) -> None:
    text = (
        "A case\n\n\nImaging Findings\n\nChest x-ray:\nFINDINGS: Dextrocardia.\n\n"
        "IMPRESSION:\n1. Situs inversus.\n\n\nFinal Diagnosis\n\nSitus inversus"
    )
    sectioned = structure_of(text, rules).sectioned
    assert section_names(sectioned) == ["findings", "diagnosis"]
    assert "IMPRESSION:\n1. Situs inversus." in section_text(sectioned, "findings")


def test_label_pieces_keep_the_text_before_the_first_label() -> None:
    from pipeline.rules import load_rules

    sections = load_rules().sections
    pieces = label_pieces("Seen today. FINDINGS: nodule. IMPRESSION: granuloma.", sections, False)
    assert [(p.label, p.value) for p in pieces] == [
        (None, "Seen today."),
        ("FINDINGS", "nodule."),
        ("IMPRESSION", "granuloma."),
    ]


# --- the title ---------------------------------------------------------------------------


def test_the_title_is_the_h1_not_a_section(rules: Rules) -> None:
    page = html(
        "<div>J Case Rep. 2025;1:1</div><h1>A rare tumour</h1><div>PMID: 1</div>"
        "<h2>Case presentation</h2><p>Pain.</p>"
    )
    sectioned = structure_of(page, rules, "html").sectioned
    assert sectioned.title == "A rare tumour"
    assert "title" not in section_names(sectioned)


def test_a_first_heading_above_the_section_headings_is_the_title(rules: Rules) -> None:
    page = html(
        "<h2>A 16 years old with osteoid osteoma</h2><h3>Clinical History</h3><p>Pain.</p>"
        "<h3>Surgical Notes</h3><p>Ablated.</p>",
        "<title>Osteoid osteoma - Teaching Files</title>",
    )
    assert (
        structure_of(page, rules, "html").sectioned.title == "A 16 years old with osteoid osteoma"
    )
    sections = html("<h2>Background</h2><p>x</p><h2>Methods</h2><p>y</p>", "<title>A study</title>")
    assert structure_of(sections, rules, "html").sectioned.title == "A study"


@pytest.mark.parametrize(
    ("head", "title"),
    [
        (
            '<meta name="citation_title" content="From citation"><title>Site</title>',
            "From citation",
        ),
        ('<meta property="og:title" content="From og"><title>Site</title>', "From og"),
        ("<title>Only the title element</title>", "Only the title element"),
    ],
)
def test_without_a_title_heading_the_metadata_gives_it(rules: Rules, head: str, title: str) -> None:
    page = html("<p>Some text.</p><h2>Findings</h2><p>A mass.</p>", head)
    assert structure_of(page, rules, "html").sectioned.title == title


def test_markdown_headings_and_bold_lines_in_text_pages(rules: Rules) -> None:
    text = (
        "# A case of sarcoidosis\n\n## Case report\n\nA 30-year-old woman with cough.\n\n"
        "### Laboratory\n\nRaised ACE.\n\n**Imaging**\n\nBilateral hilar nodes.\n\n"
        "## Conclusion\n\nSarcoidosis."
    )
    sectioned = structure_of(text, rules).sectioned
    assert sectioned.title == "A case of sarcoidosis"
    assert section_names(sectioned) == ["clinical_summary", "findings", "diagnosis"]
    assert section_text(sectioned, "clinical_summary") == (
        "A 30-year-old woman with cough.\n\nLaboratory\n\nRaised ACE."
    )
