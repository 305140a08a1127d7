"""The work of each parallel step, as picklable objects that hold everything it needs.

An executor runs one of these on every page's index: in this process, in forked worker
processes (which inherit it without a copy), or on a Dask cluster (which receives it once per
worker). Each step leaves its page's result in the :class:`~pipeline.run.spill.Spill` and
sends the parent only what the archive-wide learning needs (chrome lines, layout evidence,
word counts), so the parent reduces counts and never holds the archive's texts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.correct.damage import Tally, count
from pipeline.correct.language_model import TextCounts
from pipeline.correct.lexicon import Lexicon
from pipeline.correct.terms import TermFinder
from pipeline.correct.tokens import scan
from pipeline.decisions import DecisionBook
from pipeline.output.rows import ErrorRow, PageRows
from pipeline.read.boilerplate import count_lines, drop_learned
from pipeline.read.document import Document
from pipeline.read.fields import ModalityFinder
from pipeline.read.ingest import PageError, case_id_for
from pipeline.rules import Rules
from pipeline.run.deadline import time_limit
from pipeline.run.page import (
    Cleaner,
    ParsedPage,
    build_rows,
    content_key,
    error_row,
    parse_document,
    read_document,
    section_kind,
    section_texts,
)
from pipeline.run.spill import Spill


@dataclass(frozen=True)
class ReadInfo:
    """What the parent learns of a read page: its error, or its chrome candidates."""

    index: int
    error: ErrorRow | None = None
    blocks_key: str = ""
    """A fingerprint of the page's blocks: a page saved twice votes once for chrome."""
    lines: frozenset[str] = frozenset()
    source_format: str = ""


@dataclass(frozen=True)
class Reader:
    """Step 1: a page's file into a document (spilled), and its chrome candidates."""

    raw_dir: Path
    rules: Rules
    spill: Spill

    def __call__(self, item: tuple[int, Path]) -> ReadInfo:
        index, path = item
        try:
            with time_limit(self.rules.limits.page_seconds):
                document = read_document(path, self.raw_dir, self.rules)
        except PageError as exc:
            case_id = case_id_for(path, self.raw_dir)
            return ReadInfo(index, error_row(case_id, case_id, exc))
        if not isinstance(document, Document):
            return ReadInfo(index, document)
        self.spill.put(index, "doc", document)
        digest = hashlib.sha256(
            "\0".join(b.text for b in document.blocks).encode("utf-8", "surrogatepass")
        )
        lines = frozenset(count_lines(document, self.rules))
        return ReadInfo(index, None, digest.hexdigest(), lines, document.page.source_format)


@dataclass(frozen=True)
class LayoutProbe:
    """Step 2: whether a page, its learnt chrome dropped, shows an unlabeled discussion."""

    rules: Rules
    learned: tuple[str, ...]
    spill: Spill

    def __call__(self, index: int) -> bool | None:
        document = self.spill.get(index, "doc")
        outcome = parse_document(drop_learned(document, self.learned), self.rules)
        return outcome.sectioned.evidence if isinstance(outcome, ParsedPage) else None


@dataclass(frozen=True)
class ParseInfo:
    """What the parent learns of a parsed page: its error, or its content and counts."""

    index: int
    case_id: str = ""
    error: ErrorRow | None = None
    key: str = ""
    texts: list[tuple[str | None, TextCounts, Tally]] = field(default_factory=list)
    """Per section: its kind, its word counts and its damage tally."""


@dataclass(frozen=True)
class Parser:
    """Step 3: a page cut into sections and fields (spilled), and its vocabulary counted."""

    rules: Rules
    learned: tuple[str, ...]
    layout: frozenset[str]
    spill: Spill
    lexicon: Lexicon
    terms: TermFinder

    def __call__(self, index: int) -> ParseInfo:
        document = self.spill.get(index, "doc")
        carried = document.page.source_format in self.layout
        try:
            with time_limit(self.rules.limits.page_seconds):
                parsed = parse_document(drop_learned(document, self.learned), self.rules, carried)
                if isinstance(parsed, ErrorRow):
                    return ParseInfo(index, document.page.case_id, parsed)
                texts = [self._counts(name, text) for name, _, text in section_texts(parsed)]
        except PageError as exc:
            page = document.page
            return ParseInfo(index, page.case_id, error_row(page.source_path, page.case_id, exc))
        self.spill.put(index, "parsed", parsed)
        return ParseInfo(index, parsed.page.case_id, None, content_key(parsed), texts)

    def _counts(self, name: str, text: str) -> tuple[str | None, TextCounts, Tally]:
        tokens = scan(text, self.rules.limits.max_token_chars)
        tally = count(tokens, text, self.lexicon, self.terms)
        return section_kind(name), TextCounts.of(text), tally


@dataclass(frozen=True)
class Builder:
    """Step 4: a parsed page corrected into the rows of every table."""

    rules: Rules
    cleaner: Cleaner
    modalities: ModalityFinder
    spill: Spill
    duplicates: dict[int, str] = field(default_factory=dict)
    decisions: DecisionBook | None = None

    def __call__(self, index: int) -> PageRows:
        parsed: ParsedPage = self.spill.get(index, "parsed")
        if index in self.duplicates:
            parsed = replace(parsed, duplicate_of=self.duplicates[index])
        try:
            with time_limit(self.rules.limits.page_seconds):
                return build_rows(parsed, self.cleaner, self.rules, self.modalities, self.decisions)
        except PageError as exc:
            page = parsed.page
            return PageRows(errors=[error_row(page.source_path, page.case_id, exc)])
