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
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.atomic import write_atomic
from pipeline.decisions import DECISIONS_FILE, read_decisions
from pipeline.output.schema import REPORT_NAME
from pipeline.review.diff import CaseDiff, build_cases, primary_pass
from pipeline.review.rows import read_rows
from pipeline.review.views import PACKAGE, environment

REPORT_FILE = REPORT_NAME
STATUSES = ("ok", "warning", "error")
BINS = 10
TOP = 25
CHAR_WIDTH = 7.0
"""Width of one character of the charts' 11 px text, with room to spare, in user units."""
MAX_LABEL = 26
BAR_WIDTH = 280
ROW = 22
PAGE_BINS = ((0, 0), (1, 1), (2, 2), (3, 4), (5, 8), (9, 16), (17, 32), (33, 64), (65, None))


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
    cases: list[CaseDiff]
    sections: BarChart
    pages: BarChart
    n_decisions: int = 0


def _count(rows: list[dict[str, Any]], key: str) -> list[tuple[str, int, int]]:
    """(value, applied, suggested) for each value of ``key``, most edits first."""
    return _tally((str(row[key]), bool(row["applied"])) for row in rows)


def _tally(values: Iterable[tuple[str, bool]]) -> list[tuple[str, int, int]]:
    """(value, applied, suggested) for each value of (value, applied) pairs, most first."""
    counts = Counter(values)
    names = {name for name, _ in counts}
    out = [(name, counts[(name, True)], counts[(name, False)]) for name in names]
    return sorted(out, key=lambda t: (-(t[1] + t[2]), t[0]))


def _top(rows: list[dict[str, Any]], limit: int) -> list[tuple[str, str, int, int, int]]:
    """The most frequent (original → replacement) pairs: count, applied, pages."""
    pairs = [(str(row["original"]), str(row["replacement"])) for row in rows]
    count = Counter(pairs)
    ranked = heapq.nsmallest(limit, count, key=lambda p: (-count[p], p))
    applied: Counter[tuple[str, str]] = Counter()
    pages: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    wanted = set(ranked)
    for pair, row in zip(pairs, rows, strict=True):
        if pair in wanted:  # only the top pairs' pages and applied counts are shown
            applied[pair] += bool(row["applied"])
            pages[pair].add(str(row["case_id"]))
    return [(o, r, count[(o, r)], applied[(o, r)], len(pages[(o, r)])) for o, r in ranked]


def _waits(row: dict[str, Any]) -> bool:
    """Whether a correction waits for a reviewer: its ``to_review`` column, or, in tables
    without one, whether it is a suggestion."""
    flag = row.get("to_review")
    if isinstance(flag, bool):
        return flag
    return not row["applied"] if flag is None or pd.isna(flag) else bool(flag)


def _decision(row: dict[str, Any]) -> str | None:
    value = row.get("decision")
    return value if isinstance(value, str) and value else None


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


def by_section_kind(rows: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """(section kind, applied, suggested): every ``other:<heading>`` counts as ``other``."""
    return _tally((str(r["section"]).partition(":")[0], bool(r["applied"])) for r in rows)


def page_bins(cases: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """How many pages have 0, 1, 2, 3-4, 5-8, ... edits, as chart rows."""
    edits = [int(c["n_edits_applied"]) + int(c["n_suggestions"]) for c in cases]
    out = []
    for low, high in PAGE_BINS:
        n = sum(low <= e and (high is None or e <= high) for e in edits)
        label = str(low) if low == high else (f"{low}+" if high is None else f"{low}–{high}")
        out.append((f"{label} edits", n, 0))
    return out


def histogram(rows: list[dict[str, Any]], bins: int = BINS, height: float = 160) -> list[Column]:
    """Confidence in ``bins`` equal bins over 0..1 (1.0 falls in the last), stacked."""
    applied = [0] * bins
    suggested = [0] * bins
    for row in rows:
        index = min(bins - 1, max(0, int(float(row["confidence"]) * bins)))
        (applied if row["applied"] else suggested)[index] += 1
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
    status = Counter(str(c["status"]) for c in cases)
    status["error"] += len(errors)
    applied = sum(bool(r["applied"]) for r in corrections)
    decisions = Counter(_decision(r) for r in corrections)
    waiting = [r for r in corrections if _waits(r) and _decision(r) is None]
    totals = {
        "pages": len(cases) + len(errors),
        "cases": len(cases),
        "ok": status["ok"],
        "warning": status["warning"],
        "error": status["error"],
        "edits": len(corrections),
        "applied": applied,
        "suggested": len(corrections) - applied,
        "accepted": decisions["accepted"],
        "rejected": decisions["rejected"],
        "waiting": len(waiting),
    }
    by_pass = _count(corrections, "pass")
    waiting_rows = sorted(
        waiting, key=lambda r: (float(r["confidence"]), str(r["case_id"]), int(r["position"]))
    )
    return ReportData(
        totals=totals,
        statuses=[(s, status[s]) for s in STATUSES],
        errors=sorted(errors, key=lambda e: str(e["case_id"])),
        by_pass=by_pass,
        by_rule=_count(corrections, "rule"),
        top=_top(corrections, TOP),
        waiting=waiting_rows,
        bars=bar_chart(by_pass, passes=True),
        columns=histogram(corrections),
        cases=list(build_cases(cases, sections, corrections).values()),
        sections=bar_chart(by_section_kind(corrections)),
        pages=replace(bar_chart(page_bins(cases)), key=False),
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
    css = _static("diff.css") + _static("report.css")
    js = _static("report.js")
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
        "base-uri 'none'; form-action 'none'"
    )
    template = environment().get_template("report.html")
    return template.render(data=data, title=title, css=css, js=js, csp=csp)


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


def build_report(out_dir: Path) -> str:
    """The report of the run in ``out_dir``."""
    out_dir = Path(out_dir)
    with _collector_paused():
        tables = {n: read_rows(out_dir, n) for n in ("cases", "sections", "corrections")}
        try:
            errors = read_rows(out_dir, "errors")
        except FileNotFoundError:
            errors = []
        n_decisions = len(read_decisions(out_dir / DECISIONS_FILE))
        data = summarise(
            tables["cases"], tables["sections"], tables["corrections"], errors, n_decisions
        )
        return render_report(data, "caseclean report")  # no folder name: reruns, equal bytes


def write_report(out_dir: Path) -> Path:
    """Write ``report.html`` into the output folder (every run regenerates it)."""
    return write_atomic(Path(out_dir) / REPORT_FILE, build_report(out_dir))
