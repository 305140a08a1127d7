"""Site profiles: a site is added by adding a file; a mistake in one is named in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.rules import DEFAULT_RULES_DIR, RulesError, load_rules

from .conftest import RAW, document_of, section_names, structure_of


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def add_profile(rules_dir: Path, text: str, name: str = "site.yaml") -> Path:
    path = rules_dir / "sites" / name
    path.write_text(text, encoding="utf-8")
    return path


REPORT_SITE = """
name: Example reports
recognise:
  meta: {generator: '^ReportPress'}
content_selector: "#report"
heading_selectors: [".rpt-head"]
headings:
  findings: [Observations]
field_labels:
  patient_age: [Age at exam]
"""

REPORT_PAGE = """<html><head><meta name="generator" content="ReportPress 2.1"></head><body>
<div id="menu"><p>Lots of text in a menu that is not a nav element at all, and long too.</p>
<p>More text of the menu, about the site, its history, its people and its aims.</p></div>
<div id="report"><p>Age at exam: 61</p><span class="rpt-head">Observations</span>
<p>A small nodule.</p><span class="rpt-head">Conclusion</span><p>Granuloma.</p></div>
</body></html>"""


def test_the_shipped_example_profile_recognises_the_sample_layout() -> None:
    rules = load_rules()
    assert [s.name for s in rules.sites] == ["Radiology Teaching Archive (the sample layout)"]
    page = (RAW / "html" / "case-osteoid-osteoma.html").read_text(encoding="utf-8")
    assert document_of(page, rules, "html").site == rules.sites[0].name


def test_a_profile_file_sets_content_headings_aliases_and_labels(rules_dir: Path) -> None:
    add_profile(rules_dir, REPORT_SITE)
    rules = load_rules(rules_dir)
    structure = structure_of(REPORT_PAGE, rules, "html")
    assert structure.sectioned.get("findings") is not None
    assert section_names(structure.sectioned) == ["findings", "diagnosis"]
    assert structure.fields.patient_age == "61"
    assert "menu" not in " ".join(s.text(True) for s in structure.sectioned.sections)
    # Without the profile the page is read the generic way: no alias, no field label.
    generic = structure_of(REPORT_PAGE, load_rules(), "html")
    assert generic.sectioned.get("findings") is None


@pytest.mark.parametrize(
    "recognise",
    [
        "  hosts: [reports.example.org]",
        "  selectors: ['div#report > span.rpt-head']",
        "  meta: {generator: 'ReportPress'}",
    ],
)
def test_a_site_is_recognised_by_host_selector_or_meta(rules_dir: Path, recognise: str) -> None:
    add_profile(rules_dir, f"name: X\nrecognise:\n{recognise}\n")
    rules = load_rules(rules_dir)
    page = REPORT_PAGE.replace(
        "<head>", '<head><link rel="canonical" href="https://reports.example.org/c/1">'
    )
    assert document_of(page, rules, "html").site == "X"
    assert document_of("<html><body><p>x</p></body></html>", rules, "html").site is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: X\nrecognise: {selectors: [div]}\ncontent_selecter: div\n", "content_selecter"),
        ("name: X\nrecognise: {}\n", "names no meta, selectors or hosts"),
        ("recognise: {selectors: [div]}\n", "name: missing key"),
        ("name: X\nrecognise: {selectors: ['div[']}\n", "recognise.selectors: bad CSS selector"),
        ("name: X\nrecognise: {hosts: [a]}\nheadings: {findngs: [Obs]}\n", "headings.findngs"),
        ("name: X\nrecognise: {hosts: [a]}\nfield_labels: {age: [Age]}\n", "field_labels.age"),
        ("name: X\nrecognise: {meta: {generator: '('}}\n", "recognise.meta: bad pattern"),
    ],
)
def test_a_mistake_in_a_profile_is_one_line_naming_file_and_key(
    rules_dir: Path, text: str, message: str
) -> None:
    add_profile(rules_dir, text, "broken.yaml")
    with pytest.raises(RulesError) as caught:
        load_rules(rules_dir)
    said = str(caught.value)
    assert "\n" not in said and "broken.yaml" in said and message in said


def test_two_profiles_may_not_share_a_name(rules_dir: Path) -> None:
    add_profile(rules_dir, "name: X\nrecognise: {hosts: [a]}\n", "a.yaml")
    add_profile(rules_dir, "name: X\nrecognise: {hosts: [b]}\n", "b.yaml")
    with pytest.raises(RulesError, match=r"b\.yaml: name: 'X' is already"):
        load_rules(rules_dir)


def test_a_rules_folder_without_sites_has_no_profiles(rules_dir: Path) -> None:
    shutil.rmtree(rules_dir / "sites")
    assert load_rules(rules_dir).sites == ()
