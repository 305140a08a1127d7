"""The work of each parallel step, as picklable objects that hold everything it needs.

An executor runs one of these on every item: in this process, in forked worker processes
(which inherit it without a copy), or on a Dask cluster (which receives it once per worker).
Nothing else reaches a worker: no factory is called on the other side, and a forked worker
holds its step in the one slot the pool needs (:mod:`pipeline.run.executors`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.decisions import DecisionBook
from pipeline.output.rows import ErrorRow, PageRows
from pipeline.read.document import Document
from pipeline.read.fields import ModalityFinder
from pipeline.read.ingest import PageError, case_id_for
from pipeline.rules import Rules
from pipeline.run.deadline import time_limit
from pipeline.run.page import Cleaner, ParsedPage, build_rows, error_row, read_document


@dataclass(frozen=True)
class Reader:
    """Step 1: a page's file into a document, or its ``errors`` row."""

    raw_dir: Path
    rules: Rules

    def __call__(self, path: Path) -> Document | ErrorRow:
        try:
            with time_limit(self.rules.limits.page_seconds):
                return read_document(path, self.raw_dir, self.rules)
        except PageError as exc:
            case_id = case_id_for(path, self.raw_dir)
            return error_row(case_id, case_id, exc)


@dataclass(frozen=True)
class Builder:
    """Step 4: a parsed page corrected into the rows of every table."""

    rules: Rules
    cleaner: Cleaner
    modalities: ModalityFinder
    decisions: DecisionBook | None = None

    def __call__(self, parsed: ParsedPage) -> PageRows:
        try:
            with time_limit(self.rules.limits.page_seconds):
                return build_rows(parsed, self.cleaner, self.rules, self.modalities, self.decisions)
        except PageError as exc:
            page = parsed.page
            return PageRows(errors=[error_row(page.source_path, page.case_id, exc)])
