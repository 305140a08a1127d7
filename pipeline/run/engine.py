"""Engine: run the stages over a whole archive and collect the rows of every table.

A run has four steps, because two things are learnt from the archive as a whole:

1. read every page into a document (ingest, rule-listed chrome removed);
2. learn the lines that repeat on many pages (chrome no rule lists yet) and drop them;
3. cut every document into sections and fields, and learn the archive's vocabulary from
   the section texts (a word spelt the same way on many pages is known);
4. correct every section with the same corrector and build the table rows.

Steps 1 and 4 do the work and run in parallel (processes, or a Dask cluster); their results
are merged in case order, so the tables are the same whatever the number of workers.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.decisions import DecisionBook, honour_section
from pipeline.edits import Edit
from pipeline.read.boilerplate import build_document, count_lines, drop_learned, learn_repeated
from pipeline.read.document import Document
from pipeline.read.fields import Fields, find_modalities, parse_fields
from pipeline.read.ingest import Page, PageError, case_id_for, discover, read_page
from pipeline.read.sections import SectionedPage, split_sections
from pipeline.rules import DEFAULT_RULES_DIR, Rules, load_rules

TEXT_SECTIONS = (
    "clinical_summary",
    "findings",
    "discussion",
    "diagnosis",
    "differential_diagnosis",
    "references",
)


class Cleaner(Protocol):
    """What the engine needs of a corrector (see :mod:`pipeline.correct`)."""

    def clean(
        self, text: str, *, protected: Iterable[str] = (), section: str | None = None
    ) -> Any: ...


@dataclass
class PageRows:
    """Every table row that one page contributes."""

    case: dict[str, Any] | None = None
    sections: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RunResult:
    """The rows of a whole run plus what the summary reports."""

    cases: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    corrections: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    learned_boilerplate: list[str]
    seconds: float = 0.0

    @property
    def summary(self) -> dict[str, Any]:
        statuses = Counter(c["status"] for c in self.cases)
        return {
            "pages": len(self.cases) + len(self.errors),
            "ok": statuses.get("ok", 0),
            "warnings": statuses.get("warning", 0),
            "errors": len(self.errors),
            "corrections applied": sum(1 for c in self.corrections if c["applied"]),
            "suggestions": sum(1 for c in self.corrections if not c["applied"]),
            "learned boilerplate lines": len(self.learned_boilerplate),
            "time": f"{self.seconds:.1f}s",
        }


def error_row(source_path: str, case_id: str, exc: PageError) -> dict[str, Any]:
    return {
        "source_path": source_path,
        "case_id": case_id,
        "stage": exc.stage,
        "error": exc.error,
        "message": exc.message,
    }


def unexpected(stage: str, exc: Exception) -> PageError:
    """A failure no stage foresaw, as a page error: one odd page must not stop the batch."""
    return PageError(stage, "unexpected", f"{type(exc).__name__}: {exc}")


def read_document(path: Path, raw_dir: Path, rules: Rules) -> Document | dict[str, Any]:
    """Step 1 for one page: a document, or an ``errors`` row when the page is unreadable."""
    try:
        page = read_page(path, raw_dir)
        return build_document(page, rules)
    except PageError as exc:
        return error_row(path.as_posix(), case_id_for(path, raw_dir), exc)
    except Exception as exc:  # reported in the errors table; the batch goes on
        return error_row(path.as_posix(), case_id_for(path, raw_dir), unexpected("ingest", exc))


@dataclass(frozen=True)
class ParsedPage:
    """A document cut into sections and fields: everything but the corrections."""

    page: Page
    sectioned: SectionedPage
    fields: Fields


def parse_document(document: Document, rules: Rules) -> ParsedPage | dict[str, Any]:
    """Step 3 for one page; a page with no section at all is an error, not a case."""
    page = document.page
    try:
        sectioned = split_sections(document, rules.sections)
        fields = parse_fields(sectioned.field_lines, rules.fields)
    except Exception as exc:  # reported in the errors table; the batch goes on
        return error_row(page.source_path, page.case_id, unexpected("sections", exc))
    if not sectioned.sections:
        exc = PageError("sections", "no-sections", "no case section found on the page")
        return error_row(page.source_path, page.case_id, exc)
    return ParsedPage(page, sectioned, fields)


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


def protected_words(fields: Fields) -> list[str]:
    """The page's own names: never corrected, whatever a dictionary says."""
    words: list[str] = []
    for value in (fields.author_name, fields.resident_name):
        if value:
            words.extend(value.split())
    return words


def _result_text(result: Any) -> tuple[str, list[Edit]]:
    return result.text, list(result.edits)


def build_rows(
    parsed: ParsedPage,
    cleaner: Cleaner,
    rules: Rules,
    decisions: DecisionBook | None = None,
) -> PageRows:
    """Step 4 for one page: correct every section and build the rows of every table."""
    page, fields = parsed.page, parsed.fields
    rows = PageRows()
    protected = protected_words(fields)
    clean_by_name: dict[str, list[str]] = {}
    n_applied = n_suggested = 0
    for position, (name, heading, raw) in enumerate(section_texts(parsed)):
        kind = name if not name.startswith("other:") else None
        _, proposed = _result_text(cleaner.clean(raw, protected=protected, section=kind))
        clean, edits = honour_section(page.case_id, name, raw, proposed, decisions)
        rows.sections.append(
            {
                "case_id": page.case_id,
                "position": position,
                "section": name,
                "heading": heading,
                "raw_text": raw,
                "clean_text": clean,
            }
        )
        clean_by_name.setdefault(name, []).append(clean)
        for number, (edit, own) in enumerate(zip(edits, proposed, strict=True)):
            record = edit.to_record()
            record.update(
                case_id=page.case_id,
                section=name,
                position=position,
                edit=number,
                proposed=own.applied,
            )
            rows.corrections.append(record)
            n_applied += edit.applied
            n_suggested += not edit.applied

    def text_of(name: str) -> str | None:
        texts = clean_by_name.get(name)
        return "\n\n".join(texts) if texts else None

    warnings = list(fields.warnings)
    missing = [name for name in rules.sections.required if name not in clean_by_name]
    if missing:
        warnings.append("missing " + ", ".join(missing))
    status = "warning" if warnings else "ok"
    notes = [f"note: {w}" for w in page.warnings]
    rows.case = {
        "case_id": page.case_id,
        "source_path": page.source_path,
        "source_sha256": page.source_sha256,
        "source_format": page.source_format,
        "title": text_of("title"),
        "author_name": fields.author_name,
        "author_affiliation": fields.author_affiliation,
        "author_degree": fields.author_degree,
        "author_email": fields.author_email,
        "resident_name": fields.resident_name,
        "patient_gender": fields.patient_gender,
        "patient_age": fields.patient_age,
        "patient_age_years": fields.patient_age_years,
        "body_system": text_of("body_system"),
        **{name: text_of(name) for name in TEXT_SECTIONS},
        "modalities": find_modalities(text_of("findings"), rules.modalities),
        "n_edits_applied": n_applied,
        "n_suggestions": n_suggested,
        "status": status,
        "warnings": warnings + notes,
    }
    return rows


CorrectorFactory = Callable[[Path | None, list[str]], Cleaner]


def archive_corrector(rules_dir: Path | None, archive_texts: list[str]) -> Cleaner:
    """The spelling corrector of a run, taught the archive's own vocabulary."""
    from pipeline.correct import Corrector

    return Corrector.load(rules_dir, archive_texts=archive_texts)


@dataclass
class RunOptions:
    """What to run on, and how: the command line's ``caseclean run`` options."""

    raw_dir: Path
    rules_dir: Path | None = None
    workers: int = 1
    engine: str = "local"
    scheduler: str | None = None
    corrector_factory: CorrectorFactory = archive_corrector
    decisions: DecisionBook | None = None


Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """The default progress callback: says nothing."""


# Per-process state of a worker: set once by an initializer, read by every task.
_STATE: dict[str, Any] = {}


def _init_reader(raw_dir: Path, rules: Rules) -> None:
    _STATE.update(raw_dir=raw_dir, rules=rules)


def _read_task(path: Path) -> Document | dict[str, Any]:
    return read_document(path, _STATE["raw_dir"], _STATE["rules"])


def _init_builder(
    rules: Rules,
    factory: CorrectorFactory,
    rules_dir: Path | None,
    archive_texts: list[str],
    decisions: DecisionBook | None = None,
) -> None:
    _STATE.update(rules=rules, cleaner=factory(rules_dir, archive_texts), decisions=decisions)


def _build_task(parsed: ParsedPage) -> PageRows:
    try:
        return build_rows(parsed, _STATE["cleaner"], _STATE["rules"], _STATE.get("decisions"))
    except Exception as exc:  # reported in the errors table; the batch goes on
        page = parsed.page
        return PageRows(
            errors=[error_row(page.source_path, page.case_id, unexpected("correct", exc))]
        )


class LocalExecutor:
    """Runs a stage in this process, or on a pool of ``workers`` processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(
        self,
        task: Callable[[Any], Any],
        items: Sequence[Any],
        init: Callable[..., None],
        initargs: tuple[Any, ...],
        progress: Progress,
        stage: str,
    ) -> list[Any]:
        """Run ``task`` on every item; results in item order."""
        total = len(items)
        if self.workers <= 1 or total < 2:
            init(*initargs)
            out = []
            for i, item in enumerate(items):
                out.append(task(item))
                progress(stage, i + 1, total)
            return out
        chunk = max(1, min(16, total // (self.workers * 4)))
        out = []
        with ProcessPoolExecutor(self.workers, initializer=init, initargs=initargs) as pool:
            for i, value in enumerate(pool.map(task, items, chunksize=chunk)):
                out.append(value)
                progress(stage, i + 1, total)
        return out


def make_executor(options: RunOptions) -> Any:
    """The executor the options ask for: local processes, or a Dask cluster."""
    if options.engine == "dask":
        from pipeline.run.cluster import DaskExecutor

        return DaskExecutor(options.workers, options.scheduler)
    if options.engine != "local":
        raise ValueError(f"unknown engine {options.engine!r} (use local or dask)")
    return LocalExecutor(options.workers)


def run(options: RunOptions, progress: Progress = no_progress) -> RunResult:
    """Process a whole archive: every table's rows, in case order, and the summary."""
    started = time.perf_counter()
    rules = load_rules(options.rules_dir)
    raw_dir = options.raw_dir
    paths = discover(raw_dir)
    errors: list[dict[str, Any]] = []
    documents: list[Document] = []
    with make_executor(options) as executor:
        progress("read", 0, len(paths))
        read = executor.map(_read_task, paths, _init_reader, (raw_dir, rules), progress, "read")
        for item in read:
            (documents if isinstance(item, Document) else errors).append(item)

        counts: Counter[str] = Counter()
        for document in documents:
            counts.update(count_lines(document, rules))
        learned = learn_repeated(counts, len(documents), rules.boilerplate)

        parsed: list[ParsedPage] = []
        for document in documents:
            outcome = parse_document(drop_learned(document, learned), rules)
            (parsed.append if isinstance(outcome, ParsedPage) else errors.append)(outcome)
        archive_texts = [text for p in parsed for _, _, text in section_texts(p)]

        initargs = (
            rules,
            options.corrector_factory,
            options.rules_dir,
            archive_texts,
            options.decisions,
        )
        progress("clean", 0, len(parsed))
        built = executor.map(_build_task, parsed, _init_builder, initargs, progress, "clean")
    result = RunResult([], [], [], [], learned)
    for rows in built:
        errors.extend(rows.errors)
        if rows.case is not None:
            result.cases.append(rows.case)
        result.sections.extend(rows.sections)
        result.corrections.extend(rows.corrections)
    result.errors = sorted(errors, key=lambda e: e["case_id"])
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
    item = read_document(path, base, rules)
    if not isinstance(item, Document):
        return PageRows(errors=[item])
    outcome = parse_document(item, rules)
    if not isinstance(outcome, ParsedPage):
        return PageRows(errors=[outcome])
    if cleaner is None:
        from pipeline.correct import Corrector, default_corrector

        # The default rules' corrector is built once a process: pages in a loop stay fast.
        shared = rules.directory.resolve() == DEFAULT_RULES_DIR.resolve()
        cleaner = default_corrector() if shared else Corrector.load(rules.directory)
    return build_rows(outcome, cleaner, rules)
