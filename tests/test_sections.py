"""Pages are cut into named sections; unlabeled discussion and references are found by layout."""

from __future__ import annotations

from pipeline.read.boilerplate import build_document
from pipeline.read.ingest import Page
from pipeline.read.sections import SectionedPage, split_sections
from pipeline.rules import Rules


def page(text: str, fmt: str = "text") -> Page:
    return Page("c.txt", "c.txt", "0" * 64, fmt, text, "utf-8")


def sectioned(text: str, rules: Rules, fmt: str = "text") -> SectionedPage:
    return split_sections(build_document(page(text, fmt), rules), rules.sections)


def names(result: SectionedPage) -> list[str]:
    return [s.name for s in result.sections]


TEXT_PAGE = """A 30 years old with a case


Doctor's Information

Name : Ali
Family :Rezaei


PATIENT INFORMATION

Gender : F
Age : 30


Case section

Chest


Clinical History

Cough for a week.



Imaging findings

• First finding.

• Second finding.



A textbook paragraph about the disease that nobody labelled.


Treatment

Antibiotics were given.


FINAL DIAGNOSIS

Pneumonia



Some Author. Textbook of radiology. 3rd ed


end faqaq


Go to top"""


def test_text_page_headings_variants_and_unlabeled_sections(rules: Rules) -> None:
    result = sectioned(TEXT_PAGE, rules)
    assert result.title == "A 30 years old with a case"
    assert names(result) == [
        "body_system",
        "clinical_summary",
        "findings",
        "discussion",
        "other:treatment",
        "diagnosis",
        "references",
    ]
    findings = result.get("findings")
    assert (
        findings is not None
        and findings.text(html=False) == "• First finding.\n\n• Second finding."
    )
    discussion = result.get("discussion")
    assert discussion is not None and discussion.heading is None
    assert result.get("other:treatment").heading == "Treatment"  # type: ignore[union-attr]
    assert result.get("references").text(html=False) == "Some Author. Textbook of radiology. 3rd ed"  # type: ignore[union-attr]
    assert result.field_lines == ["Name : Ali", "Family :Rezaei", "Gender : F", "Age : 30"]


def test_boilerplate_never_reaches_a_section(rules: Rules) -> None:
    result = sectioned(TEXT_PAGE, rules)
    every = " ".join(s.text(html=False) for s in result.sections)
    assert "faqaq" not in every and "Go to top" not in every


HTML_PAGE = """<html><head><title>X - Teaching Files</title><script>var a = 1;</script></head>
<body><div id="header"><h1>Radiology Teaching Archive</h1><ul class="menu"><li>Home</li></ul></div>
<div id="breadcrumbs">You are here: Home</div>
<div class="item-page">
<h2 itemprop="headline">A 5 years old with a cyst</h2>
<div class="field-label">Doctor Information</div>
<table class="info"><tr><td>Name :</td><td>Sara</td></tr>
<tr><td>Family :</td><td>Karimi</td></tr></table>
<p><strong>Patient's information</strong></p>
<p>Gender : M</p>
<h3>Section</h3><p>Head and Neck</p>
<h3>Clinical Summary</h3><p>Painless neck lump.</p>
<h3>Findings</h3><p>- Cystic mass.</p><p>- No flow.</p>
<p>Branchial cleft cysts are common congenital lesions that usually present in children.</p>
<h3>Surgical notes</h3><p>Excised.</p>
<h3>Diagnosis</h3><p>Branchial cleft cyst</p>
<p>Caffey's pediatric diagnostic imaging / [edited by] Brian D. Coley. 12th ed</p>
<p>end faqaq</p></div>
<div id="footer"><a class="totop">Go to top</a><p>Copyright Archive.</p></div></body></html>"""


def test_html_page_structure(rules: Rules) -> None:
    result = sectioned(HTML_PAGE, rules, "html")
    assert result.title == "A 5 years old with a cyst"
    assert names(result) == [
        "body_system",
        "clinical_summary",
        "findings",
        "discussion",
        "other:surgical notes",
        "diagnosis",
        "references",
    ]
    assert result.get("findings").text(html=True) == "- Cystic mass.\n- No flow."  # type: ignore[union-attr]
    assert result.get("diagnosis").text(html=True) == "Branchial cleft cyst"  # type: ignore[union-attr]
    assert result.field_lines == ["Name : Sara", "Family : Karimi", "Gender : M"]


def test_discussion_follows_the_summary_when_findings_are_missing(rules: Rules) -> None:
    html = (
        "<html><body><h2>T</h2><h3>Clinical Summary</h3><p>Pain.</p>"
        "<p>The disease is a rare condition that usually affects adults.</p>"
        "<h3>Final Diagnosis</h3><p>Cyst</p></body></html>"
    )
    result = sectioned(html, rules, "html")
    assert names(result) == ["clinical_summary", "discussion", "diagnosis"]


def test_a_page_without_headings_has_no_sections(rules: Rules) -> None:
    result = sectioned("Page not found\n\nThe requested case does not exist.\n\nGo to top", rules)
    assert result.sections == []


def test_a_bold_label_inside_findings_is_not_a_heading(rules: Rules) -> None:
    html = (
        "<html><body><h2>T</h2><h3>Findings</h3><p><strong>CT:</strong></p><p>Mass.</p>"
        "<p>Cysts are common and may occur in children.</p>"
        "<p><strong>Final Diagnosis</strong></p><p>Cyst</p></body></html>"
    )
    result = sectioned(html, rules, "html")
    assert names(result) == ["findings", "discussion", "diagnosis"]
    assert result.get("findings").text(html=True) == "CT:\nMass."  # type: ignore[union-attr]


def test_a_label_repeating_the_sections_heading_is_text(rules: Rules) -> None:
    text = (
        "T\n\n\nImaging Findings\n\nImaging Findings:\nCT: a mass.\n\n\n\n"
        "Textbook paragraph.\n\n\nFinal Diagnosis\n\nCyst"
    )
    result = sectioned(text, rules)
    assert names(result) == ["findings", "discussion", "diagnosis"]
    assert result.get("findings").text(html=False) == "Imaging Findings:\nCT: a mass."  # type: ignore[union-attr]
