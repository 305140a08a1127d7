"""``caseclean report``: one static, self-contained HTML file describing a run's corrections.

The report is for reading away from the pipeline: it opens from disk and makes no network
request (styles, script and charts are inline, and its Content-Security-Policy forbids
anything else). Every figure is computed from the tables, so its totals are the tables'.
Page text is untrusted; the template autoescapes all of it.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from pipeline.atomic import write_atomic
from pipeline.decisions import DECISIONS_FILE, read_decisions
from pipeline.output import read_table
from pipeline.output.schema import REPORT_NAME
from pipeline.review.diff import CaseDiff, build_cases, primary_pass, records
from pipeline.review.views import PACKAGE, environment

REPORT_FILE = REPORT_NAME
STATUSES = ("ok", "warning", "error")
BINS = 10
TOP = 25


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
    bars: list[Bar]
    columns: list[Column]
    cases: list[CaseDiff]
    n_decisions: int = 0


def _count(rows: list[dict[str, Any]], key: str) -> list[tuple[str, int, int]]:
    """(value, applied, suggested) for each value of ``key``, most edits first."""
    applied: Counter[str] = Counter()
    suggested: Counter[str] = Counter()
    for row in rows:
        (applied if row["applied"] else suggested)[str(row[key])] += 1
    names = set(applied) | set(suggested)
    out = [(name, applied[name], suggested[name]) for name in names]
    return sorted(out, key=lambda t: (-(t[1] + t[2]), t[0]))


def _top(rows: list[dict[str, Any]], limit: int) -> list[tuple[str, str, int, int, int]]:
    """The most frequent (original → replacement) pairs: count, applied, pages."""
    count: Counter[tuple[str, str]] = Counter()
    applied: Counter[tuple[str, str]] = Counter()
    pages: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        pair = (str(row["original"]), str(row["replacement"]))
        count[pair] += 1
        applied[pair] += bool(row["applied"])
        pages.setdefault(pair, set()).add(str(row["case_id"]))
    ranked = sorted(count, key=lambda p: (-count[p], p))[:limit]
    return [(o, r, count[(o, r)], applied[(o, r)], len(pages[(o, r)])) for o, r in ranked]


def _decision(row: dict[str, Any]) -> str | None:
    value = row.get("decision")
    return value if isinstance(value, str) and value else None


def bar_chart(rows: list[tuple[str, int, int]], width: float = 280, height: int = 22) -> list[Bar]:
    """Stacked applied/suggested bars, scaled so the longest fills ``width``."""
    top = max((a + s for _, a, s in rows), default=0) or 1
    return [
        Bar(
            label,
            a,
            s,
            i * height,
            round(a / top * width, 2),
            round(s / top * width, 2),
            "pass-" + primary_pass(label),
        )
        for i, (label, a, s) in enumerate(rows)
    ]


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
    waiting = [r for r in corrections if not r["applied"] and _decision(r) is None]
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
        waiting, key=lambda r: (-float(r["confidence"]), str(r["case_id"]), int(r["position"]))
    )
    return ReportData(
        totals=totals,
        statuses=[(s, status[s]) for s in STATUSES],
        errors=sorted(errors, key=lambda e: str(e["case_id"])),
        by_pass=by_pass,
        by_rule=_count(corrections, "rule"),
        top=_top(corrections, TOP),
        waiting=waiting_rows,
        bars=bar_chart(by_pass),
        columns=histogram(corrections),
        cases=list(build_cases(cases, sections, corrections).values()),
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


def build_report(out_dir: Path) -> str:
    """The report of the run in ``out_dir``."""
    out_dir = Path(out_dir)
    tables = {n: records(read_table(out_dir, n)) for n in ("cases", "sections", "corrections")}
    try:
        errors = records(read_table(out_dir, "errors"))
    except FileNotFoundError:
        errors = []
    n_decisions = len(read_decisions(out_dir / DECISIONS_FILE))
    data = summarise(
        tables["cases"], tables["sections"], tables["corrections"], errors, n_decisions
    )
    return render_report(data, "caseclean report")  # no folder name: reruns give equal bytes


def write_report(out_dir: Path) -> Path:
    """Write ``report.html`` into the output folder (every run regenerates it)."""
    return write_atomic(Path(out_dir) / REPORT_FILE, build_report(out_dir))
