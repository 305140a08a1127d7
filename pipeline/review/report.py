"""``caseclean report``: one static, self-contained HTML file describing a run's corrections.

The report is for reading away from the pipeline: it opens from disk and makes no network
request (styles, script and charts are inline, and its Content-Security-Policy forbids
anything else). Every figure is computed from the tables, so its totals are the tables'.
Page text is untrusted; the template autoescapes all of it.
"""

from __future__ import annotations

import base64
import gc
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from pipeline.atomic import write_atomic
from pipeline.decisions import DECISIONS_FILE, read_decisions
from pipeline.output.schema import REPORT_NAME
from pipeline.review.by_case import CaseStream
from pipeline.review.diff import CaseDiff, build_cases, primary_pass
from pipeline.review.figures import (
    BINS,
    SUMMARY_CASE_COLUMNS,
    SUMMARY_CORRECTION_COLUMNS,
    Figures,
    bin_of,
    ranked,
)
from pipeline.review.rows import read_rows, row_batches
from pipeline.review.views import PACKAGE, environment

REPORT_FILE = REPORT_NAME
TITLE = "caseclean report"
"""The report's title: no folder name in it, so reruns give equal bytes."""
STATUSES = ("ok", "warning", "error")
TOP = 25
CHAR_WIDTH = 7.0
"""Width of one character of the charts' 11 px text, with room to spare, in user units."""
MAX_LABEL = 26
BAR_WIDTH = 280
ROW = 22


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal stacked bar chart, in SVG user units."""

    label: str
    applied: int
    suggested: int
    y: int
    applied_width: float
    suggested_width: float
    pass_class: str = ""
    title: str = ""

    @property
    def total(self) -> int:
        return self.applied + self.suggested


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart laid out so every label and number fits inside its box."""

    bars: list[Bar]
    bar_x: float
    width: float
    height: float
    key: bool = True
    """Whether the chart shows the applied/suggested key (not for counts of pages)."""


@dataclass(frozen=True)
class Column:
    """One bin of the confidence histogram, in SVG user units."""

    label: str
    applied: int
    suggested: int
    x: float
    applied_height: float
    suggested_height: float


@dataclass
class ReportData:
    """Everything the report shows, computed from the tables alone."""

    totals: dict[str, int]
    statuses: list[tuple[str, int]]
    errors: list[dict[str, Any]]
    by_pass: list[tuple[str, int, int]]
    by_rule: list[tuple[str, int, int]]
    top: list[tuple[str, str, int, int, int]]
    waiting: list[dict[str, Any]]
    bars: BarChart
    columns: list[Column]
    cases: Sequence[CaseDiff] | CaseStream
    sections: BarChart
    pages: BarChart
    n_decisions: int = 0


def shorten(label: str, limit: int = MAX_LABEL) -> str:
    """A chart label cut to ``limit`` characters (the full one goes in its tooltip).

    >>> shorten("other:Imaging Procedures and Findings", 12)
    'other:Imagi…'
    """
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    rows: list[tuple[str, int, int]],
    width: float = BAR_WIDTH,
    height: int = ROW,
    passes: bool = False,
) -> BarChart:
    """Stacked applied/suggested bars, scaled so the longest fills ``width``, with room on
    the left for the longest label and on the right for the largest number; with
    ``passes``, each bar takes its pass's colour."""
    top = max((a + s for _, a, s in rows), default=0) or 1
    labels = [shorten(label) for label, _, _ in rows]
    label_room = max((len(label) for label in labels), default=1) * CHAR_WIDTH + 12
    value_room = max((len(str(a + s)) for _, a, s in rows), default=1) * CHAR_WIDTH + 12
    bars = [
        Bar(
            short,
            a,
            s,
            i * height,
            round(a / top * width, 2),
            round(s / top * width, 2),
            "pass-" + primary_pass(label) if passes else "",
            label,
        )
        for i, (short, (label, a, s)) in enumerate(zip(labels, rows, strict=True))
    ]
    return BarChart(bars, label_room, label_room + width + value_room, len(rows) * height + 30)


def histogram(rows: Iterable[dict[str, Any]], bins: int = BINS) -> list[Column]:
    """Confidence in ``bins`` equal bins over 0..1 (1.0 falls in the last), stacked."""
    applied, suggested = [0] * bins, [0] * bins
    for row in rows:
        (applied if row["applied"] else suggested)[bin_of(row["confidence"], bins)] += 1
    return columns(applied, suggested)


def columns(applied: list[int], suggested: list[int], height: float = 160) -> list[Column]:
    """The confidence histogram's columns from the edits in each bin, in SVG user units."""
    bins = len(applied)
    top = max((a + s for a, s in zip(applied, suggested, strict=True)), default=0) or 1
    width = 44
    return [
        Column(
            f"{i / bins:.1f}",
            applied[i],
            suggested[i],
            i * width,
            round(applied[i] / top * height, 2),
            round(suggested[i] / top * height, 2),
        )
        for i in range(bins)
    ]


def summarise(
    cases: list[dict[str, Any]],
    sections: list[dict[str, Any]],
    corrections: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    n_decisions: int = 0,
) -> ReportData:
    """The report's figures from the rows of the four tables."""
    figures = Figures()
    figures.add_cases(cases)
    figures.add_corrections(sorted(corrections, key=lambda r: str(r["case_id"])))
    diffs = list(build_cases(cases, sections, corrections).values())
    return report_data(figures, diffs, errors, n_decisions)


def report_data(
    figures: Figures,
    cases: Sequence[CaseDiff] | CaseStream,
    errors: list[dict[str, Any]],
    n_decisions: int = 0,
) -> ReportData:
    """What the report shows: the figures counted from the tables, the cases' diffs (a
    list, or a stream read as the report is written) and the errors."""
    status = figures.statuses.copy()
    status["error"] += len(errors)
    totals = {
        "pages": figures.cases + len(errors),
        "cases": figures.cases,
        "ok": status["ok"],
        "warning": status["warning"],
        "error": status["error"],
        "edits": figures.edits,
        "applied": figures.applied,
        "suggested": figures.edits - figures.applied,
        "accepted": figures.decisions["accepted"],
        "rejected": figures.decisions["rejected"],
        "waiting": len(figures.waiting),
    }
    by_pass = ranked(figures.passes)
    return ReportData(
        totals=totals,
        statuses=[(s, status[s]) for s in STATUSES],
        errors=sorted(errors, key=lambda e: str(e["case_id"])),
        by_pass=by_pass,
        by_rule=ranked(figures.rules),
        top=figures.top(TOP),
        waiting=figures.waiting_rows(),
        bars=bar_chart(by_pass, passes=True),
        columns=columns(*figures.histogram_counts()),
        cases=cases,
        sections=bar_chart(ranked(figures.kinds)),
        pages=replace(bar_chart(figures.page_bins()), key=False),
        n_decisions=n_decisions,
    )


def _static(name: str) -> str:
    """One of the package's static files, to inline into the report."""
    return files(PACKAGE).joinpath("static", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_report(data: ReportData, title: str) -> str:
    """The report as one HTML document; its CSP allows only its own inline style and script."""
    return "".join(report_chunks(data, title))


def report_chunks(data: ReportData, title: str) -> Iterator[str]:
    """The report's HTML in pieces as the template renders it: the cases of a stream are
    read, shown and let go one at a time."""
    css = _static("diff.css") + _static("report.css")
    js = _static("report.js")
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
        "base-uri 'none'; form-action 'none'"
    )
    template = environment().get_template("report.html")
    return template.generate(data=data, title=title, css=css, js=js, csp=csp)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while the report is built: building it makes some
    hundred thousand objects that live to the end (rows, edits, pieces of HTML), and each
    of the collector's full passes would walk them, and all else the process holds, again
    (a fifth of the time). The few cycles made wait until it is done to be freed."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_report(out_dir: Path) -> ReportData:
    """The report of the run in ``out_dir``: its figures counted a batch of rows at a time,
    its cases a stream (no table is held whole, whatever the archive's size). Tables not in
    case order are read whole instead, to the same report."""
    out_dir = Path(out_dir)
    stream = CaseStream(out_dir)
    try:
        errors = read_rows(out_dir, "errors")
    except FileNotFoundError:
        errors = []
    n_decisions = len(read_decisions(out_dir / DECISIONS_FILE))
    if not stream.ordered:
        tables = [read_rows(out_dir, n) for n in ("cases", "sections", "corrections")]
        return summarise(*tables, errors, n_decisions)
    figures = Figures()
    for rows in row_batches(out_dir, "corrections", SUMMARY_CORRECTION_COLUMNS):
        figures.add_corrections(rows)
    for rows in row_batches(out_dir, "cases", SUMMARY_CASE_COLUMNS):
        figures.add_cases(rows)
    return report_data(figures, stream, errors, n_decisions)


def build_report(out_dir: Path) -> str:
    """The report of the run in ``out_dir``, as one string."""
    with _collector_paused():
        return render_report(read_report(out_dir), TITLE)


def write_report(out_dir: Path) -> Path:
    """Write ``report.html`` into the output folder (every run regenerates it), a piece at
    a time: memory does not grow with the archive."""
    with _collector_paused():
        chunks = report_chunks(read_report(out_dir), TITLE)
        return write_atomic(Path(out_dir) / REPORT_FILE, chunks)
