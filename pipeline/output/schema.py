"""The tables' schema: the one declaration every format, the engine and the README read.

Column order, types, allowed values, primary and foreign keys and descriptions of ``cases``,
``sections``, ``corrections`` and ``errors``. The text columns of ``cases`` are the sections
that ``rules/sections.yaml`` lists under ``case_columns``, so a new canonical section becomes
a column by a line of rules, not of code; allowed values that are rules (body systems,
modalities, passes) come from the rules too. The README's column reference is generated from
here (:func:`column_reference`), and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from pipeline.rules import Rules

VALUES = ("accepted", "rejected")
"""The decisions a reviewer makes (:mod:`pipeline.decisions` holds the same two)."""

SQLITE_NAME = "caseclean.sqlite"
DATAPACKAGE_NAME = "datapackage.json"
METADATA_NAME = "metadata.json"
"""Datasette's metadata: titles and column descriptions from this schema."""
REPORT_NAME = "report.html"
"""The static report a run regenerates beside its tables (``caseclean report`` writes it too)."""
MARKER_NAME = ".caseclean-output"
"""The file that marks a folder as one caseclean made."""
TABLE_NAMES = ("cases", "sections", "corrections", "errors")
BODY_SYSTEM = "body_system"
"""The case column whose value is canonicalised (``rules/body_systems.yaml``)."""


@dataclass(frozen=True)
class Column:
    """One column: its Frictionless type (string, integer, number, boolean, array).

    ``allowed`` lists the values it may hold besides null (an array's items); with ``joined``
    a value is one or more of them joined by that separator.
    """

    name: str
    type: str
    description: str
    required: bool = False
    allowed: tuple[str, ...] = ()
    joined: str = ""


@dataclass(frozen=True)
class ForeignKey:
    """Columns of a table that name a row of another table."""

    columns: tuple[str, ...]
    table: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """One table: its columns in order, its primary key and its foreign keys."""

    name: str
    title: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def allowing(self, **allowed: tuple[str, ...]) -> TableSchema:
        """The schema with these columns' allowed values set (values that are rules)."""
        columns = tuple(
            replace(c, allowed=allowed[c.name]) if c.name in allowed else c for c in self.columns
        )
        return replace(self, columns=columns)


def _c(
    name: str,
    type_: str,
    description: str,
    required: bool = False,
    allowed: tuple[str, ...] = (),
    joined: str = "",
) -> Column:
    return Column(name, type_, description, required, allowed, joined)


GENDERS = ("male", "female")
_TO_CASES = (ForeignKey(("case_id",), "cases", ("case_id",)),)

_CASE_SOURCE = (
    _c("case_id", "string", "Path of the page relative to the archive folder", True),
    _c("source_path", "string", "Path of the page's file relative to the archive folder", True),
    _c("source_sha256", "string", "SHA-256 of the page's raw bytes", True),
    _c("source_format", "string", "Format the page was read as", True, ("html", "text")),
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
    _c("patient_gender", "string", "Patient's gender; null when not given", False, GENDERS),
    _c("patient_age", "string", "Patient's age as written"),
    _c("patient_age_years", "number", "Patient's age in years"),
    _c("patient_age_source", "string", "Where the age came from: field (a labelled line) or text"),
    _c("patient_gender_source", "string", "Where the gender came from: field or text"),
)
_CASE_TAIL = (
    _c("modalities", "array", "Imaging modalities named in the findings"),
    _c("n_edits_applied", "integer", "Corrections applied on this page", True),
    _c("n_suggestions", "integer", "Corrections only suggested on this page", True),
    _c(
        "status",
        "string",
        "warning when a required section is missing or a field is doubtful (see warnings)",
        True,
        ("ok", "warning", "error"),
    ),
    _c("warnings", "array", "Problems found on the page; 'note:' entries are informative"),
)


def _text_columns(name: str, description: str) -> tuple[Column, ...]:
    """A column section's cleaned text; the body system canonical, beside its own spelling."""
    if name != BODY_SYSTEM:
        return (_c(name, "string", f"{description} (cleaned)"),)
    return (
        _c(name, "string", f"{description}: canonical name (rules/body_systems.yaml)"),
        _c(f"{name}_raw", "string", f"{description} as the page writes it"),
    )


def cases_schema(rules: Rules) -> TableSchema:
    """``cases``: the page, its typed fields, the cleaned text of each column section."""
    texts = tuple(
        column
        for name, description in rules.sections.case_columns.items()
        for column in _text_columns(name, description)
    )
    modalities = tuple(dict.fromkeys(name for name, _ in rules.modalities.synonyms))
    return TableSchema(
        "cases",
        "One row per case page",
        _CASE_SOURCE + FIELD_COLUMNS + texts + _CASE_TAIL,
        ("case_id",),
    ).allowing(body_system=rules.body_systems.names, modalities=modalities)


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
    _TO_CASES,
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
        _c("pass", "string", "Pass(es) that made the edit", True, joined="+"),
        _c("rule", "string", "Rule(s) that made the edit, joined with +", True),
        _c("confidence", "number", "Confidence of the edit, 0..1", True),
        _c("applied", "boolean", "True when applied; false for a suggestion", True),
        _c(
            "alternatives",
            "array",
            "Other readings of the span the corrector weighed, likeliest first",
        ),
        _c("proposed", "boolean", "The corrector's own verdict: applied before any decision", True),
        _c(
            "proposed_replacement",
            "string",
            "The corrector's replacement; replacement differs when a reviewer chose another",
        ),
        _c(
            "to_review",
            "boolean",
            "Waits for a reviewer: a suggestion, or applied below rules/review.yaml's threshold",
            True,
        ),
        _c("decision", "string", "Reviewer's decision; null when none", False, VALUES),
    ),
    ("case_id", "position", "edit"),
    _TO_CASES,
)

ERRORS = TableSchema(
    "errors",
    "One row per input that could not be processed",
    (
        _c("source_path", "string", "Path of the page relative to the archive folder", True),
        _c("case_id", "string", "Path of the page relative to the archive folder", True),
        _c("stage", "string", "Stage that failed (ingest, sections, ...)", True),
        _c("error", "string", "Short error kind", True),
        _c("message", "string", "What went wrong", True),
    ),
    ("case_id",),
)


def table_schemas(rules: Rules) -> tuple[TableSchema, ...]:
    """The four tables of a run with these rules, in :data:`TABLE_NAMES` order."""
    passes = tuple(rules.correct.pass_names())
    return (cases_schema(rules), SECTIONS, CORRECTIONS.allowing(**{"pass": passes}), ERRORS)


def generated_files() -> list[str]:
    """Every file name a run writes into the output folder (a run without a report removes
    a stale one rather than carry it over)."""
    names = [f"{name}.{ext}" for name in TABLE_NAMES for ext in ("parquet", "csv")]
    return [*names, SQLITE_NAME, DATAPACKAGE_NAME, METADATA_NAME, REPORT_NAME, MARKER_NAME]


def allowed_text(column: Column) -> str:
    """What the README says a column may hold.

    >>> allowed_text(Column("pass", "string", "", allowed=("ocr", "context"), joined="+"))
    '`ocr`, `context`; several joined with `+`'
    >>> allowed_text(Column("modalities", "array", "", allowed=("CT", "MRI")))
    'items: `CT`, `MRI`'
    """
    if not column.allowed:
        return ""
    values = ", ".join(f"`{v}`" for v in column.allowed)
    if column.joined:
        return f"{values}; several joined with `{column.joined}`"
    return f"items: {values}" if column.type == "array" else values


def _keys(schema: TableSchema) -> str:
    """A table's keys in words: its primary key, then where each foreign key points."""
    words = ", ".join(f"`{k}`" for k in schema.primary_key)
    for fk in schema.foreign_keys:
        words += f"; `{', '.join(fk.columns)}` → `{fk.table}`"
    return words


def column_reference(schemas: Iterable[TableSchema]) -> str:
    """The README's column reference: one Markdown table per table, from the schema."""
    parts: list[str] = []
    for schema in schemas:
        parts.append(f"`{schema.name}`: {schema.title.lower()} (key: {_keys(schema)})\n")
        parts.append("| column | type | required | allowed values | description |")
        parts.append("| --- | --- | --- | --- | --- |")
        for c in schema.columns:
            required = "yes" if c.required else ""
            row = f"| `{c.name}` | {c.type} | {required} | {allowed_text(c)} | {c.description} |"
            parts.append(row)
        parts.append("")
    return "\n".join(parts)
