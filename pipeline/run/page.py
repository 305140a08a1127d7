"""One page through the stages: read, cut into sections and fields, correct, into rows.

Each step is a function of its inputs, so the engine can run it anywhere (this process, a
pool, a cluster) and a test can call it alone. A page that fails at any step becomes an
``errors`` row naming the step; it never stops the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipeline.correct.damage import Tally
from pipeline.correct.language_model import TextCounts
from pipeline.decisions import DecisionBook, honour_section
from pipeline.edits import Edit
from pipeline.output.canonical import with_body_system
from pipeline.output.rows import CaseRow, CorrectionRow, ErrorRow, PageRows, SectionRow
from pipeline.output.schema import FIELD_COLUMNS
from pipeline.read.boilerplate import build_document
from pipeline.read.document import Document
from pipeline.read.fields import Fields, ModalityFinder
from pipeline.read.ingest import Page, PageError, case_id_for, read_page
from pipeline.read.sections import SectionedPage
from pipeline.read.structure import read_structure
from pipeline.rules import ReviewRules, Rules


class Cleaner(Protocol):
    """What a page needs of a corrector (see :class:`pipeline.correct.Corrector`)."""

    def clean(
        self,
        text: str,
        *,
        protected: Iterable[str] = (),
        section: str | None = None,
        counted: tuple[TextCounts, Tally] | None = None,
    ) -> Any: ...


Counted = tuple[str | None, TextCounts, Tally]
"""What the vocabulary step made of one section text: its kind, word counts, damage tally."""


@dataclass(frozen=True)
class ParsedPage:
    """A document cut into sections and fields: everything but the corrections."""

    page: Page
    sectioned: SectionedPage
    fields: Fields
    duplicate_of: str | None = None
    """The case id of an earlier page with the same text, when this page repeats one."""


def error_row(source_path: str, case_id: str, exc: PageError) -> ErrorRow:
    """The ``errors`` row of a page that failed at ``exc.stage``."""
    return ErrorRow(source_path, case_id, exc.stage, exc.error, exc.message)


def unexpected(stage: str, exc: Exception) -> PageError:
    """A failure no stage foresaw, as a page error: one odd page must not stop the batch."""
    return PageError(stage, "unexpected", f"{type(exc).__name__}: {exc}")


def read_document(path: Path, raw_dir: Path, rules: Rules) -> Document | ErrorRow:
    """A page's file into a document (rule-listed chrome removed), or its ``errors`` row."""
    case_id = case_id_for(path, raw_dir)  # also its source path: relative to the archive
    try:
        return build_document(read_page(path, raw_dir, rules.limits), rules)
    except PageError as exc:
        return error_row(case_id, case_id, exc)
    except Exception as exc:  # reported in the errors table; the batch goes on
        return error_row(case_id, case_id, unexpected("ingest", exc))


def parse_document(
    document: Document, rules: Rules, carried: bool = False
) -> ParsedPage | ErrorRow:
    """Sections and fields of a document; only a page with no text at all is an error.

    ``carried``: the run learnt that its pages of this format carry an unlabeled discussion.
    """
    page = document.page
    try:
        structure = read_structure(document, rules, carried)
    except Exception as exc:  # reported in the errors table; the batch goes on
        return error_row(page.source_path, page.case_id, unexpected("sections", exc))
    if not structure.has_text:
        exc = PageError("sections", "no-text", "the page has no text")
        return error_row(page.source_path, page.case_id, exc)
    return ParsedPage(page, structure.sectioned, structure.fields)


def section_texts(parsed: ParsedPage) -> list[tuple[str, str | None, str]]:
    """The page's text sections in page order as (name, heading, raw text), title first."""
    html = parsed.page.source_format == "html"
    out: list[tuple[str, str | None, str]] = []
    if parsed.sectioned.title:
        out.append(("title", None, parsed.sectioned.title))
    out.extend((s.name, s.heading, s.text(html)) for s in parsed.sectioned.sections)
    if parsed.fields.unparsed:
        out.append(("other:info", None, "\n".join(parsed.fields.unparsed)))
    return [(n, h, t) for n, h, t in out if t.strip()]


def section_kind(name: str) -> str | None:
    """The kind the corrector is told: a canonical section, or None for ``other:`` ones."""
    return None if name.startswith("other:") else name


def content_key(parsed: ParsedPage) -> str:
    """A fingerprint of what a page says: its sections' names and texts, whatever the file's
    name, bytes or chrome (a page saved twice, or under two names, gives one key)."""
    digest = hashlib.sha256()
    for name, _, text in section_texts(parsed):
        digest.update(f"{name}\0{text}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def protected_words(fields: Fields) -> list[str]:
    """The page's own names: never corrected, whatever a dictionary says."""
    words: list[str] = []
    for value in (fields.author_name, fields.resident_name):
        if value:
            words.extend(value.split())
    return words


def correct_sections(
    parsed: ParsedPage,
    cleaner: Cleaner,
    decisions: DecisionBook | None,
    review: ReviewRules | None = None,
    counted: list[Counted] | None = None,
) -> PageRows:
    """Every section corrected, the reviewers' decisions honoured: section and edit rows.

    ``counted``: what the vocabulary step made of each of the page's texts, in their order.
    """
    case_id = parsed.page.case_id
    rows = PageRows()
    protected = protected_words(parsed.fields)
    texts = section_texts(parsed)
    made: list[tuple[TextCounts, Tally] | None] = [None] * len(texts)
    if counted is not None:
        made = [(counts, tally) for _, counts, tally in counted]
    for position, ((name, heading, raw), own) in enumerate(zip(texts, made, strict=True)):
        kind = section_kind(name)
        cleaned = cleaner.clean(raw, protected=protected, section=kind, counted=own)
        proposed: list[Edit] = list(cleaned.edits)
        clean, edits = honour_section(case_id, name, raw, proposed, decisions)
        rows.sections.append(SectionRow(case_id, position, name, heading, raw, clean))
        for number, (edit, own) in enumerate(zip(edits, proposed, strict=True)):
            waits = review.to_review(own.applied, own.confidence) if review else None
            rows.corrections.append(
                CorrectionRow(
                    case_id, name, position, number, edit, own.applied, own.replacement, waits
                )
            )
    return rows


def case_row(
    parsed: ParsedPage, rows: PageRows, rules: Rules, modalities: ModalityFinder
) -> CaseRow:
    """The ``cases`` row: typed fields, the cleaned text of each column section, status."""
    page, fields = parsed.page, parsed.fields
    clean_by_name: dict[str, list[str]] = {}
    for section in rows.sections:
        clean_by_name.setdefault(section.section, []).append(section.clean_text)

    def text_of(name: str) -> str | None:
        texts = clean_by_name.get(name)
        return "\n\n".join(texts) if texts else None

    warnings = list(fields.warnings)
    missing = [name for name in rules.sections.required if name not in clean_by_name]
    if missing:
        warnings.append("missing " + ", ".join(missing))
    applied = sum(1 for c in rows.corrections if c.change.applied)
    return CaseRow(
        case_id=page.case_id,
        source_path=page.source_path,
        source_sha256=page.source_sha256,
        source_format=page.source_format,
        duplicate_of=parsed.duplicate_of,
        title=text_of("title"),
        fields={c.name: getattr(fields, c.name) for c in FIELD_COLUMNS},
        texts=with_body_system(
            {name: text_of(name) for name in rules.sections.case_columns},
            rows.sections,
            rules.body_systems,
        ),
        modalities=modalities.find(text_of("findings")),
        n_edits_applied=applied,
        n_suggestions=len(rows.corrections) - applied,
        status="warning" if warnings else "ok",
        warnings=warnings + [f"note: {w}" for w in page.warnings],
    )


def build_rows(
    parsed: ParsedPage,
    cleaner: Cleaner,
    rules: Rules,
    modalities: ModalityFinder,
    decisions: DecisionBook | None = None,
    counted: list[Counted] | None = None,
) -> PageRows:
    """A parsed page into the rows of every table; a failure becomes its ``errors`` row.

    ``counted``: the vocabulary step's counts of its texts (see :func:`correct_sections`).
    """
    try:
        rows = correct_sections(parsed, cleaner, decisions, rules.review, counted)
        rows.case = case_row(parsed, rows, rules, modalities)
    except PageError:
        raise  # a limit: the caller reports it as it is
    except Exception as exc:  # reported in the errors table; the batch goes on
        page = parsed.page
        return PageRows(
            errors=[error_row(page.source_path, page.case_id, unexpected("correct", exc))]
        )
    return rows
