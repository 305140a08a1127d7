"""Engine: run the stages over a whole archive and collect the rows of every table.

A run has four steps, because two things are learnt from the archive as a whole:

1. read every page into a document (ingest, rule-listed chrome removed);
2. learn the lines that repeat on many pages (chrome no rule lists yet) and drop them;
3. cut every document into sections and fields, and learn the archive's vocabulary from
   the section texts (a word spelt the same way on many pages is known);
4. correct every section with the corrector built from that vocabulary, into table rows.

Steps 1 and 4 do the work and run on an executor (this process, forked processes, or a Dask
cluster); their results come back in case order, so the tables are the same whatever runs
them.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from pipeline.decisions import DecisionBook
from pipeline.output.rows import CaseRow, CorrectionRow, ErrorRow, PageRows, SectionRow
from pipeline.output.schema import TableSchema, table_schemas
from pipeline.read.boilerplate import count_lines, drop_learned, learn_repeated
from pipeline.read.document import Document
from pipeline.read.fields import ModalityFinder
from pipeline.read.ingest import inventory
from pipeline.read.unlabeled import carries
from pipeline.rules import DEFAULT_RULES_DIR, Rules, load_rules
from pipeline.run.executors import Progress, make_executor, no_progress
from pipeline.run.page import (
    Cleaner,
    ParsedPage,
    build_rows,
    content_key,
    parse_document,
    read_document,
    section_kind,
    section_texts,
)
from pipeline.run.workers import Builder, Reader

Sample = tuple[str | None, str]
"""A section of the archive: (section kind, or None for an unknown heading; its text)."""
CorrectorFactory = Callable[[Rules, Sequence[Sample]], Cleaner]
"""Builds a run's corrector from its rules and the archive's sections."""


def archive_corrector(rules: Rules, sections: Sequence[Sample]) -> Cleaner:
    """The spelling corrector of a run, taught the archive's own vocabulary and damage."""
    from pipeline.correct import Corrector
    from pipeline.correct.lexicon import Lexicon

    return Corrector(rules, Lexicon.load(rules), sections)


@dataclass
class RunOptions:
    """What to run on, and how: the command line's ``caseclean run`` options."""

    raw_dir: Path
    rules_dir: Path | None = None
    workers: int | None = None
    """Processes to use; None means one per core. Never more than cores or pages."""
    engine: str = "local"
    scheduler: str | None = None
    corrector: CorrectorFactory = archive_corrector
    decisions: DecisionBook | None = None
    rules: Rules | None = None
    """The run's rules, when the caller has read them already (else from ``rules_dir``)."""


class RowSink(Protocol):
    """Where a run's rows go as pages finish (see :class:`pipeline.output.sink.TableSink`)."""

    def add(self, table: str, records: Iterable[dict[str, Any]]) -> None: ...


@dataclass
class RunResult:
    """What a run gives: the summary's counts, and every row when no sink took them.

    With a sink, rows go to disk as pages finish and only counts stay here (and the errors,
    few, written last in case order), so memory does not grow with the archive.
    """

    rules: Rules
    sink: RowSink | None = None
    cases: list[CaseRow] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)
    corrections: list[CorrectionRow] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)
    learned_boilerplate: list[str] = field(default_factory=list)
    carried_formats: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Files under the archive folder that are no pages, with the reason."""
    pages: list[tuple[str, str]] = field(default_factory=list)
    """(case id, sha256) of every case, for the dataset's provenance."""
    statuses: Counter[str] = field(default_factory=Counter)
    applied: int = 0
    suggested: int = 0
    seconds: float = 0.0

    @property
    def schemas(self) -> tuple[TableSchema, ...]:
        """The tables this run writes (the cases columns follow the rules)."""
        return table_schemas(self.rules)

    def records(self) -> dict[str, list[dict[str, Any]]]:
        """Every table's rows as records (column -> value), by table name (no sink)."""
        tables: dict[str, Iterable[Any]] = {
            "cases": self.cases,
            "sections": self.sections,
            "corrections": self.corrections,
            "errors": self.errors,
        }
        return {name: [row.record() for row in rows] for name, rows in tables.items()}

    def input_records(self) -> dict[str, list[dict[str, Any]]]:
        """What the provenance fingerprints: every case's id and sha256, every error."""
        cases = [{"case_id": c, "source_sha256": s} for c, s in self.pages]
        return {"cases": cases, "errors": [e.record() for e in self.errors]}

    @property
    def summary(self) -> dict[str, Any]:
        return {
            "pages": sum(self.statuses.values()) + len(self.errors),
            "ok": self.statuses.get("ok", 0),
            "warnings": self.statuses.get("warning", 0),
            "errors": len(self.errors),
            "corrections applied": self.applied,
            "suggestions": self.suggested,
            "learned boilerplate lines": len(self.learned_boilerplate),
            "unlabeled discussion in": ", ".join(self.carried_formats) or "none",
            "skipped files": len(self.skipped),
            "time": f"{self.seconds:.1f}s",
            "pages/s": f"{self.pages_per_second:.0f}",
        }

    @property
    def pages_per_second(self) -> float:
        pages = sum(self.statuses.values()) + len(self.errors)
        return pages / self.seconds if self.seconds else 0.0

    def add(self, rows: PageRows) -> None:
        """Take in one page's rows: counted, and kept or passed to the sink."""
        self.errors.extend(rows.errors)
        if rows.case is None:
            return
        self.statuses[rows.case.status] += 1
        self.pages.append((rows.case.case_id, rows.case.source_sha256))
        applied = sum(1 for c in rows.corrections if c.change.applied)
        self.applied += applied
        self.suggested += len(rows.corrections) - applied
        if self.sink is None:
            self.cases.append(rows.case)
            self.sections.extend(rows.sections)
            self.corrections.extend(rows.corrections)
            return
        self.sink.add("cases", [rows.case.record()])
        self.sink.add("sections", [s.record() for s in rows.sections])
        self.sink.add("corrections", [c.record() for c in rows.corrections])

    def finish(self) -> None:
        """The errors in case order, to the sink too when there is one."""
        self.errors.sort(key=lambda e: e.case_id)
        if self.sink is not None:
            self.sink.add("errors", [e.record() for e in self.errors])


def worker_count(asked: int | None, pages: int) -> int:
    """The processes a run uses: as asked, or one per core, capped by cores and pages (a
    thousand workers on six pages would each build a corrector for nothing).

    >>> worker_count(1000, 6) <= 6, worker_count(None, 1), worker_count(2, 0)
    (True, 1, 1)
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = asked if asked is not None else cores or 1
    return max(1, min(wanted, cores or 1, pages))


def learn_layout(documents: Sequence[Document], rules: Rules) -> frozenset[str]:
    """The page formats whose pages, by what they show, carry an unlabeled discussion."""
    evidence: dict[str, list[bool | None]] = {}
    for document in documents:
        outcome = parse_document(document, rules)
        if isinstance(outcome, ParsedPage):
            fmt = document.page.source_format
            evidence.setdefault(fmt, []).append(outcome.sectioned.evidence)
    unlabeled = rules.sections.unlabeled
    return frozenset(fmt for fmt, shown in evidence.items() if carries(shown, unlabeled))


def learn_and_parse(documents: list[Document], rules: Rules, result: RunResult) -> list[ParsedPage]:
    """Steps 2 and 3: drop the chrome the archive repeats, learn its layout, cut every page."""
    # A page saved twice is one page: its lines repeating across the copies are no chrome.
    distinct = {tuple(b.text for b in d.blocks): d for d in documents}
    counts: Counter[str] = Counter()
    for document in distinct.values():
        counts.update(count_lines(document, rules))
    result.learned_boilerplate = learn_repeated(counts, len(distinct), rules.boilerplate)
    learned = result.learned_boilerplate
    layout = learn_layout([drop_learned(d, learned) for d in distinct.values()], rules)
    result.carried_formats = sorted(layout)
    parsed: list[ParsedPage] = []
    first: dict[str, str] = {}
    for document in documents:
        carried = document.page.source_format in layout
        outcome = parse_document(drop_learned(document, learned), rules, carried)
        if isinstance(outcome, ErrorRow):
            result.errors.append(outcome)
            continue
        original = first.setdefault(content_key(outcome), outcome.page.case_id)
        if original != outcome.page.case_id:
            outcome = replace(outcome, duplicate_of=original)
        parsed.append(outcome)
    return parsed


def archive_samples(parsed: list[ParsedPage]) -> list[Sample]:
    """The sections the corrector learns the archive from: a duplicate page counts once."""
    return [
        (section_kind(name), text)
        for page in parsed
        if page.duplicate_of is None
        for name, _, text in section_texts(page)
    ]


def run(
    options: RunOptions, progress: Progress = no_progress, sink: RowSink | None = None
) -> RunResult:
    """Process a whole archive: every table's rows, in case order, and the summary.

    With a ``sink`` the rows go to it as pages finish (in case order) instead of staying in
    the result.
    """
    started = time.perf_counter()
    rules = options.rules or load_rules(options.rules_dir)
    found = inventory(options.raw_dir)
    result = RunResult(rules, sink=sink, skipped=found.skipped)
    paths = found.pages
    workers = worker_count(options.workers, len(paths))
    with make_executor(workers, options.engine, options.scheduler) as executor:
        progress("read", 0, len(paths))
        documents: list[Document] = []
        for item in executor.map(Reader(options.raw_dir, rules), paths, progress, "read"):
            (documents if isinstance(item, Document) else result.errors).append(item)
        parsed = learn_and_parse(documents, rules, result)
        builder = Builder(
            rules,
            options.corrector(rules, archive_samples(parsed)),
            ModalityFinder(rules.modalities),
            options.decisions,
        )
        progress("clean", 0, len(parsed))
        for rows in executor.map(builder, parsed, progress, "clean"):
            result.add(rows)
    result.finish()
    result.seconds = time.perf_counter() - started
    return result


def process_page(
    path: Path | str,
    raw_dir: Path | str | None = None,
    rules: Rules | None = None,
    cleaner: Cleaner | None = None,
) -> PageRows:
    """Process one page on its own (no archive-wide learning): the rows it gives.

    ``raw_dir`` sets the case id (the path relative to it; the file's folder by default).
    """
    path = Path(path)
    base = Path(raw_dir) if raw_dir is not None else path.parent
    rules = rules or load_rules()
    document = read_document(path, base, rules)
    if not isinstance(document, Document):
        return PageRows(errors=[document])
    parsed = parse_document(document, rules)
    if not isinstance(parsed, ParsedPage):
        return PageRows(errors=[parsed])
    if cleaner is None:
        from pipeline.correct import Corrector, default_corrector

        # The default rules' corrector is built once a process: pages in a loop stay fast.
        default = rules.directory.resolve() == DEFAULT_RULES_DIR.resolve()
        cleaner = default_corrector() if default else Corrector.load(rules.directory)
    return build_rows(parsed, cleaner, rules, ModalityFinder(rules.modalities))
