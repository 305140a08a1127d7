"""Structure: one page's document into its title, sections and fields, with its site's rules.

This is the read stage's last step and the one the run calls: the sections of
:mod:`pipeline.read.sections` (with the section rules of the site profile the page matched),
the page's title from its content or else its metadata, a ``body`` section for a page that
has text but no heading, and the fields from field lines, then from metadata (authors) and
from the case text (age and sex) where the lines do not give them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import regex

from pipeline.read.demographics import demographics
from pipeline.read.document import Document
from pipeline.read.fields import Fields, parse_fields
from pipeline.read.sections import Section, SectionedPage, split_sections
from pipeline.rules import FieldRules, Rules

BODY = "body"
PATIENT_BLOCK = "patient_info"
_FIELD_LINE = regex.compile(r"^\s*([^:\n]{1,40}?)\s*:")


@dataclass(frozen=True)
class Structure:
    """A page's sections and fields: everything the tables need but the corrections."""

    sectioned: SectionedPage
    fields: Fields

    @property
    def has_text(self) -> bool:
        """Whether the page has any text at all (a page with none is an error)."""
        s = self.sectioned
        return bool(s.title or s.sections or s.field_lines)


def _is_field_line(text: str, rules: FieldRules) -> bool:
    match = _FIELD_LINE.match(text)
    return match is not None and rules.field_for(match.group(1)) is not None


def with_body(sectioned: SectionedPage, rules: FieldRules) -> SectionedPage:
    """A page without any section heading: its text is one ``body`` section (its field lines
    stay field lines), and the page says so in its warnings."""
    if sectioned.sections:
        if all(s.name.startswith("other:") for s in sectioned.sections):
            return replace(sectioned, warnings=(*sectioned.warnings, "no known section heading"))
        return sectioned
    body = [b for b in sectioned.preamble if not _is_field_line(b.text, rules)]
    if not body:
        return sectioned
    fields = [b.text for b in sectioned.preamble if _is_field_line(b.text, rules)]
    fields += sectioned.field_lines[len(sectioned.preamble) :]
    return replace(
        sectioned,
        sections=[Section(BODY, None, body)],
        field_lines=fields,
        warnings=(*sectioned.warnings, "no section heading: the page's text is in body"),
    )


def labelled_fields(sectioned: SectionedPage, rules: FieldRules) -> SectionedPage:
    """Fields a page gives as a heading and a value ("<dt>Age</dt><dd>45</dd>", a bold
    "Sex" line above "F"): an unknown section whose heading is a field label and whose text
    is one short line is that field's line, not a section."""
    keep: list[Section] = []
    lines: list[str] = []
    moved: list[tuple[str, str]] = []
    for section in sectioned.sections:
        value = section.text(html=True)
        label = section.heading or ""
        is_field = section.name.startswith("other:") and rules.field_for(label) is not None
        if is_field and len(section.blocks) == 1 and "\n" not in value and len(value) <= 80:
            lines.append(f"{label.rstrip(': ')}: {value}")
            moved.append((label, section.name))
        else:
            keep.append(section)
    if not lines:
        return sectioned
    headings = list(sectioned.headings)
    for pair in moved:
        headings.remove(pair)
    return replace(
        sectioned,
        sections=keep,
        field_lines=[*sectioned.field_lines, *lines],
        headings=tuple(headings),
    )


def _complete(fields: Fields, sectioned: SectionedPage, html: bool, rules: FieldRules) -> None:
    """Age and sex from the case text, for a page that has no patient block at all; a field
    line that gives one of them wins."""
    if PATIENT_BLOCK in sectioned.seen:
        return
    texts: dict[str, str] = {}
    for section in sectioned.sections:
        texts.setdefault(section.name, section.text(html))
    found = demographics(texts, rules)
    if found.age is not None and fields.patient_age is None:
        fields.patient_age, fields.patient_age_years = found.age, found.age_years
        fields.patient_age_source = "text"
    if found.gender is not None and fields.patient_gender is None:
        fields.patient_gender, fields.patient_gender_source = found.gender, "text"


def read_structure(document: Document, rules: Rules, carried: bool = False) -> Structure:
    """A document's title, sections and fields (``carried``: see :func:`split_sections`)."""
    field_rules = rules.fields_for(document.site)
    meta = document.meta
    titles = () if meta is None else meta.titles(field_rules)
    sectioned = split_sections(document, rules.sections_for(document.site), carried, titles)
    if sectioned.title is None and meta is not None:
        sectioned = replace(sectioned, title=meta.title(field_rules))
    sectioned = with_body(labelled_fields(sectioned, field_rules), field_rules)
    fields = parse_fields(sectioned.field_lines, field_rules)
    if fields.author_name is None and meta is not None:
        fields.author_name = "; ".join(meta.authors(field_rules)) or None
    _complete(fields, sectioned, document.page.source_format == "html", field_rules)
    fields.warnings.extend(sectioned.warnings)
    return Structure(sectioned, fields)
