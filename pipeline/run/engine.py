"""Engine: run the stages over a whole archive and collect the rows of every table.

A run has four steps, because three things are learnt from the archive as a whole:

1. read every page into a document (ingest, rule-listed chrome removed), and vote for the
   lines that repeat on many pages (chrome no rule lists yet);
2. with that chrome dropped, look at whether the pages show an unlabeled discussion (the
   archive's layout);
3. cut every page into sections and fields, and count its words and damage (the archive's
   vocabulary: a word spelt the same way on many pages is known);
4. correct every section with the corrector built from those counts, into table rows (each
   word it will judge analysed once beforehand, shared by its workers: :mod:`.analyses`).

Every step runs on an executor (this process, forked processes, or a Dask cluster); a page's
intermediate results wait on disk (:mod:`pipeline.run.cache`) and the parent reduces only
counts, so memory does not grow with the archive. Results come back in case order, so the
tables are the same whatever runs them. Each result is filed under a key of everything it
read; with a cache that outlives the run (``cache_dir``, the output folder's), a re-run
reuses every result whose key is unchanged and redoes the rest.
"""

from __future__ import annotations

import contextlib
import os
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from pipeline.correct.lexicon import Lexicon
from pipeline.correct.terms import TermFinder
from pipeline.decisions import DecisionBook
from pipeline.output.rows import CaseRow, CorrectionRow, ErrorRow, PageRows, SectionRow
from pipeline.output.schema import TableSchema, table_schemas
from pipeline.read.document import Document
from pipeline.read.fields import ModalityFinder
from pipeline.read.ingest import inventory
from pipeline.read.unlabeled import carries
from pipeline.rules import DEFAULT_RULES_DIR, Rules, load_rules
from pipeline.run.analyses import meanwhile, share_analyses
from pipeline.run.cache import StepCache, key
from pipeline.run.executors import Executor, Progress, make_executor, no_progress
from pipeline.run.fingerprint import code_fingerprint, decisions_fingerprint
from pipeline.run.heap import fewer_collections, give_back
from pipeline.run.learning import Knowledge, learn_chrome, learn_vocabulary
from pipeline.run.page import (
    Cleaner,
    ParsedPage,
    build_rows,
    parse_document,
    read_document,
)
from pipeline.run.workers import (
    Analysing,
    Builder,
    BuildItem,
    LayoutProbe,
    Parser,
    Reader,
    ReadInfo,
)

CorrectorFactory = Callable[[Rules, Knowledge], Cleaner]
"""Builds a run's corrector from its rules and what the archive taught."""


def archive_corrector(rules: Rules, knowledge: Knowledge) -> Cleaner:
    """The spelling corrector of a run, taught the archive's own vocabulary and damage."""
    from pipeline.correct import Corrector

    return Corrector(rules, knowledge.lexicon, knowledge.archive, knowledge.damage)


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
    work_dir: Path | None = None
    """Where pages wait between steps (storage every worker sees); a temporary folder if None."""
    cache_dir: Path | None = None
    """A step cache that outlives the run (the output folder's): unchanged pages are reused.
    None: results wait in a temporary folder under ``work_dir`` and go with the run."""


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
    reused: int = 0
    """Pages whose rows came from the cache unchanged."""
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
            "pages reused from cache": self.reused,
            "time": f"{self.seconds:.1f}s",
            "pages/s": f"{self.pages_per_second:.0f}",
            "peak memory": f"{peak_memory_mb():.0f} MB",
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


def peak_memory_mb() -> float:
    """The largest resident size this process or any of its finished workers reached."""
    largest = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return largest / 1024  # kilobytes on Linux


def worker_count(asked: int | None, pages: int) -> int:
    """The processes a run uses: as asked, or one per core, capped by cores and pages (a
    thousand workers on six pages would each build a corrector for nothing).

    >>> worker_count(1000, 6) <= 6, worker_count(None, 1), worker_count(2, 0)
    (True, 1, 1)
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = asked if asked is not None else cores or 1
    return max(1, min(wanted, cores or 1, pages))


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
    workers = worker_count(options.workers, len(found.pages))
    with (
        fewer_collections(),  # first: the workers a Dask LocalCluster forks inherit it too
        _cache_folder(options) as folder,
        make_executor(workers, options.engine, options.scheduler) as executor,
    ):
        cache = StepCache(folder, keep=options.cache_dir is not None)
        live = _run_steps(options, rules, found.pages, cache, executor, progress, result)
        if cache.keep:
            cache.prune(live)
    result.finish()
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def _cache_folder(options: RunOptions) -> Iterator[Path]:
    """The run's cache folder: the one that outlives it, or a temporary one under
    ``work_dir`` (hidden, removed when the run ends)."""
    if options.cache_dir is not None:
        yield Path(options.cache_dir)
        return
    if options.work_dir is not None:
        Path(options.work_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".caseclean-work-", dir=options.work_dir) as work:
        yield Path(work)


def _run_steps(
    options: RunOptions,
    rules: Rules,
    paths: list[Path],
    cache: StepCache,
    executor: Executor,
    progress: Progress,
    result: RunResult,
) -> dict[str, set[str]]:
    """The four steps of :func:`run`, each a map over the pages and a reduce in the parent;
    the keys of every result the run used, by step."""
    reader = Reader(options.raw_dir, rules, cache, key(code_fingerprint(), rules.digest))
    infos, lexicon = _read_pages(reader, paths, executor, progress)
    result.errors.extend(info.error for info in infos if info.error is not None)
    learned = frozenset(learn_chrome(infos, rules))
    result.learned_boilerplate = sorted(learned)
    # The chrome votes are counted: the rest of the run (and every worker forked from this
    # process, which would hold a copy) keeps only the small part of each page's report.
    infos = [replace(info, lines=frozenset()) for info in infos]
    layout, layout_keys = _learn_layout(infos, rules, learned, cache, executor, progress)
    result.carried_formats = sorted(layout)
    readable = [(i.index, i.key) for i in infos if i.error is None]
    parser = Parser(rules, learned, layout, cache, lexicon, TermFinder(rules.term_classes))
    counted = executor.map(parser, readable, progress, "learning the vocabulary")
    modalities = ModalityFinder(rules.modalities)
    # Forked workers share what the parent builds: it builds the matchers of the correcting
    # step while they count (the parent would otherwise build them before that step forks).
    warm = modalities.warm if getattr(executor, "forks", False) else None
    knowledge, learnt = learn_vocabulary(meanwhile(counted, warm), rules, lexicon, result.errors)
    del parser, counted, lexicon  # the corrector holds what it needs of them
    reuse = cache.keep and options.corrector is archive_corrector
    decided = decisions_fingerprint(options.decisions)
    items = [BuildItem(p, key(learnt.digest, p, dup, decided), dup) for p, dup in learnt.pages]
    cleaner = _build_corrector(options, rules, knowledge, learnt.words, executor, progress)
    del knowledge
    builder = Builder(rules, cleaner, modalities, cache, options.decisions, reuse)
    del cleaner
    built = executor.map(builder, items, progress, "correcting and writing")
    # Forked workers hold the corrector now: the executor let go of its own, and so does
    # this process, which only writes from here on (its copy counted once more in the
    # machine's memory, for nothing).
    del builder
    forks = getattr(executor, "forks", False)
    for rows, reused in meanwhile(built, give_back if forks else None):
        result.add(rows)
        result.reused += reused
    return {
        "read": {k for _, k in readable},
        "layout": layout_keys,
        "parse": {p for p, _ in learnt.pages},
        "rows": {item.key for item in items} if reuse else set(),
    }


def _build_corrector(
    options: RunOptions,
    rules: Rules,
    knowledge: Knowledge,
    words: Sequence[str],
    executor: Executor,
    progress: Progress,
) -> Cleaner:
    """Step 3b: the run's corrector, taught the archive, with every word of it analysed
    once when forked workers will share the analyses."""
    progress("building the corrector", 0, 1)
    cleaner = options.corrector(rules, knowledge)
    progress("building the corrector", 1, 1)
    if isinstance(cleaner, Analysing) and getattr(executor, "forks", False):
        # forked workers share the analyses; a cluster would need the corrector sent twice
        share_analyses(cleaner, words, executor, progress)
    return cleaner


def _read_pages(
    reader: Reader, paths: list[Path], executor: Executor, progress: Progress
) -> tuple[list[ReadInfo], Lexicon]:
    """Step 1, and the lexicon the later steps need, loaded here while the workers read
    (it is half a second the run would otherwise wait for between the steps)."""
    loaded: list[Lexicon] = []
    reading = executor.map(reader, list(enumerate(paths)), progress, "reading pages")
    infos = list(meanwhile(reading, lambda: loaded.append(Lexicon.load(reader.rules))))
    return infos, loaded[0] if loaded else Lexicon.load(reader.rules)


def _learn_layout(
    infos: Sequence[ReadInfo],
    rules: Rules,
    learned: frozenset[str],
    cache: StepCache,
    executor: Executor,
    progress: Progress,
) -> tuple[frozenset[str], set[str]]:
    """Step 2: the formats whose distinct pages carry an unlabeled discussion, and the keys
    of the evidence."""
    distinct = list({i.blocks_key: i for i in infos if i.error is None}.values())
    probe = LayoutProbe(rules, learned, cache)
    shown = executor.map(probe, [i.key for i in distinct], progress, "learning the layout")
    evidence: dict[str, list[bool | None]] = {}
    keys: set[str] = set()
    for info, (digest, seen) in zip(distinct, shown, strict=True):
        keys.add(digest)
        evidence.setdefault(info.source_format, []).append(seen)
    unlabeled = rules.sections.unlabeled
    return frozenset(f for f, seen in evidence.items() if carries(seen, unlabeled)), keys


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
