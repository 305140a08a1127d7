"""Typed rows: what one page contributes to each table.

The run builds these, the writers turn them into records (``record()``: column name ->
value) and order them by :mod:`pipeline.output.schema`. A test checks that every row type's
record has exactly its table's columns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.edits import Edit
from pipeline.pickling import tuple_state


@tuple_state
@dataclass(frozen=True, slots=True)
class SectionRow:
    """One section of a page: raw text as the page has it, clean text derived by the edits."""

    case_id: str
    position: int
    section: str
    heading: str | None
    raw_text: str
    clean_text: str

    def record(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "position": self.position,
            "section": self.section,
            "heading": self.heading,
            "raw_text": self.raw_text,
            "clean_text": self.clean_text,
        }


@tuple_state
@dataclass(frozen=True, slots=True)
class CorrectionRow:
    """One edit of a section, applied or suggested, with the reviewer's decision.

    ``proposed`` is the corrector's verdict and ``proposed_replacement`` its reading (None:
    the edit's own replacement); ``to_review`` whether that verdict waits for a reviewer
    (None: when it was a suggestion).
    """

    case_id: str
    section: str
    position: int
    edit: int
    change: Edit
    proposed: bool
    proposed_replacement: str | None = None
    to_review: bool | None = None

    def record(self) -> dict[str, Any]:
        own = self.proposed_replacement
        return {
            "case_id": self.case_id,
            "section": self.section,
            "position": self.position,
            "edit": self.edit,
            **self.change.to_record(),
            "proposed": self.proposed,
            "proposed_replacement": self.change.replacement if own is None else own,
            "to_review": not self.proposed if self.to_review is None else self.to_review,
        }


@tuple_state
@dataclass(frozen=True, slots=True)
class ErrorRow:
    """A page that could not be processed, and at which stage."""

    source_path: str
    case_id: str
    stage: str
    error: str
    message: str

    def record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CaseRow:
    """One page: where it came from, its typed fields, its cleaned section texts, its status.

    ``fields`` and ``texts`` hold the columns the schema declares for them (the typed fields,
    and the sections ``rules/sections.yaml`` makes columns); a page without one has null.
    """

    case_id: str
    source_path: str
    source_sha256: str
    source_format: str
    duplicate_of: str | None
    title: str | None
    fields: dict[str, Any]
    texts: dict[str, str | None]
    modalities: list[str]
    n_edits_applied: int
    n_suggestions: int
    status: str
    warnings: list[str]

    def record(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "source_path": self.source_path,
            "source_sha256": self.source_sha256,
            "source_format": self.source_format,
            "duplicate_of": self.duplicate_of,
            "title": self.title,
            **self.fields,
            **self.texts,
            "modalities": self.modalities,
            "n_edits_applied": self.n_edits_applied,
            "n_suggestions": self.n_suggestions,
            "status": self.status,
            "warnings": self.warnings,
        }


@dataclass
class PageRows:
    """Every table row that one page contributes."""

    case: CaseRow | None = None
    sections: list[SectionRow] = field(default_factory=list)
    corrections: list[CorrectionRow] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)
