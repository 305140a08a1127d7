"""The tables' schema: the one declaration every format, the engine and the README read.

Column order, types, primary keys and descriptions of ``cases``, ``sections``,
``corrections`` and ``errors``. The text columns of ``cases`` are the sections that
``rules/sections.yaml`` lists under ``case_columns``, so a new canonical section becomes a
column by a line of rules, not of code. The README's column reference is generated from here
(:func:`column_reference`), and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.rules import SectionRules

SQLITE_NAME = "caseclean.sqlite"
DATAPACKAGE_NAME = "datapackage.json"
REPORT_NAME = "report.html"
"""The static report a run regenerates beside its tables (``caseclean report`` writes it too)."""
MARKER_NAME = ".caseclean-output"
"""The file that marks a folder as one caseclean made."""
TABLE_NAMES = ("cases", "sections", "corrections", "errors")


@dataclass(frozen=True)
class Column:
    """One column: its Frictionless type (string, integer, number, boolean, array)."""

    name: str
    type: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class TableSchema:
    """One table: its columns in order and its primary key."""

    name: str
    title: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, type_: str, description: str, required: bool = False) -> Column:
    return Column(name, type_, description, required)


_CASE_SOURCE = (
    _c("case_id", "string", "Path of the page relative to the archive folder", True),
    _c("source_path", "string", "Path of the page as read", True),
    _c("source_sha256", "string", "SHA-256 of the page's raw bytes", True),
    _c("source_format", "string", "html or text", True),
    _c(
        "duplicate_of",
        "string",
        "case_id of an earlier page with the same section texts; null for the first",
    ),
    _c("title", "string", "Case title (cleaned)"),
)
FIELD_COLUMNS = (
    _c("author_name", "string", "Author: first name and family name"),
    _c("author_affiliation", "string", "Author's affiliation as written"),
    _c("author_degree", "string", "Author's academic degree; null when not given"),
    _c("author_email", "string", "Author's e-mail; null when missing or cloaked"),
    _c("resident_name", "string", "Resident's name"),
    _c("patient_gender", "string", "male, female or null"),
    _c("patient_age", "string", "Patient's age as written"),
    _c("patient_age_years", "number", "Patient's age in years"),
    _c("patient_age_source", "string", "Where the age came from: field (a labelled line) or text"),
    _c("patient_gender_source", "string", "Where the gender came from: field or text"),
)
_CASE_TAIL = (
    _c("modalities", "array", "Imaging modalities named in the findings"),
    _c("n_edits_applied", "integer", "Corrections applied on this page", True),
    _c("n_suggestions", "integer", "Corrections only suggested on this page", True),
    _c("status", "string", "ok, warning or error", True),
    _c("warnings", "array", "Problems found on the page; 'note:' entries are informative"),
)


def cases_schema(sections: SectionRules) -> TableSchema:
    """``cases``: the page, its typed fields, the cleaned text of each column section."""
    texts = tuple(
        _c(name, "string", f"{description} (cleaned)")
        for name, description in sections.case_columns.items()
    )
    return TableSchema(
        "cases",
        "One row per case page",
        _CASE_SOURCE + FIELD_COLUMNS + texts + _CASE_TAIL,
        ("case_id",),
    )


SECTIONS = TableSchema(
    "sections",
    "One row per section of every page",
    (
        _c("case_id", "string", "Case the section belongs to", True),
        _c("position", "integer", "Order of the section on its page (title is 0)", True),
        _c("section", "string", "Canonical section name, or other:<heading>", True),
        _c("heading", "string", "Heading as written; null for unlabeled sections"),
        _c("raw_text", "string", "Text of the section as the page has it", True),
        _c("clean_text", "string", "raw_text with the applied corrections", True),
    ),
    ("case_id", "position"),
)

CORRECTIONS = TableSchema(
    "corrections",
    "One row per correction, applied or only suggested",
    (
        _c("case_id", "string", "Case of the corrected section", True),
        _c("section", "string", "Section name", True),
        _c("position", "integer", "Position of the section on its page", True),
        _c("edit", "integer", "Number of the edit within its section, in text order", True),
        _c("start", "integer", "Start offset in the section's raw_text", True),
        _c("end", "integer", "End offset in the section's raw_text", True),
        _c("original", "string", "Raw text replaced (empty for an insertion)"),
        _c("replacement", "string", "Replacement text (empty for a deletion)"),
        _c("pass", "string", "Pass(es) that made the edit, joined with +", True),
        _c("rule", "string", "Rule(s) that made the edit, joined with +", True),
        _c("confidence", "number", "Confidence of the edit, 0..1", True),
        _c("applied", "boolean", "True when applied; false for a suggestion", True),
        _c(
            "alternatives",
            "array",
            "Other readings of the span the corrector weighed, likeliest first",
        ),
        _c("proposed", "boolean", "The corrector's own verdict: applied before any decision", True),
        _c("decision", "string", "Reviewer's decision: accepted, rejected or null"),
    ),
    ("case_id", "position", "edit"),
)

ERRORS = TableSchema(
    "errors",
    "One row per input that could not be processed",
    (
        _c("source_path", "string", "Path of the page as read", True),
        _c("case_id", "string", "Path of the page relative to the archive folder", True),
        _c("stage", "string", "Stage that failed (ingest, sections, ...)", True),
        _c("error", "string", "Short error kind", True),
        _c("message", "string", "What went wrong", True),
    ),
    ("case_id",),
)


def table_schemas(sections: SectionRules) -> tuple[TableSchema, ...]:
    """The four tables of a run with these section rules, in :data:`TABLE_NAMES` order."""
    return (cases_schema(sections), SECTIONS, CORRECTIONS, ERRORS)


def generated_files() -> list[str]:
    """Every file name a run writes into the output folder (a run without a report removes
    a stale one rather than carry it over)."""
    names = [f"{name}.{ext}" for name in TABLE_NAMES for ext in ("parquet", "csv")]
    return [*names, SQLITE_NAME, DATAPACKAGE_NAME, REPORT_NAME, MARKER_NAME]


def column_reference(schemas: Iterable[TableSchema]) -> str:
    """The README's column reference: one Markdown table per table, from the schema."""
    parts: list[str] = []
    for schema in schemas:
        key = ", ".join(f"`{k}`" for k in schema.primary_key)
        parts.append(f"`{schema.name}`: {schema.title.lower()} (key: {key})\n")
        parts.append("| column | type | required | description |\n| --- | --- | --- | --- |")
        for c in schema.columns:
            required = "yes" if c.required else ""
            parts.append(f"| `{c.name}` | {c.type} | {required} | {c.description} |")
        parts.append("")
    return "\n".join(parts)
