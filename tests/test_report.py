"""``caseclean report``: one self-contained HTML file whose totals are the tables'."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import build_parser
from pipeline.decisions import DECISIONS_FILE, Decision, write_decisions
from pipeline.output import read_table
from pipeline.review.report import (
    CHAR_WIDTH,
    REPORT_FILE,
    bar_chart,
    build_report,
    histogram,
    summarise,
    write_report,
)

from .conftest import SCRIPT_CASE, make_archive, write_records


def tables(out: Path) -> dict[str, list[dict]]:
    names = ("cases", "sections", "corrections", "errors")
    return {n: read_table(out, n).to_dict(orient="records") for n in names}


def test_the_totals_are_the_tables(run_dir: Path) -> None:
    t = tables(run_dir)
    data = summarise(t["cases"], t["sections"], t["corrections"], t["errors"])
    rows = t["corrections"]
    assert data.totals["pages"] == len(t["cases"]) + len(t["errors"]) == 4
    assert data.totals["error"] == len(t["errors"]) == 1
    assert data.totals["edits"] == len(rows)
    assert data.totals["applied"] == sum(bool(r["applied"]) for r in rows)
    assert data.totals["suggested"] == sum(not r["applied"] for r in rows)
    assert sum(a + s for _, a, s in data.by_pass) == len(rows)
    assert sum(a + s for _, a, s in data.by_rule) == len(rows)
    assert sum(c.applied + c.suggested for c in data.columns) == len(rows)
    assert sum(n for _, n in data.statuses) == data.totals["pages"]
    assert len(data.cases) == len(t["cases"])
    assert sum(len(c.edits) for c in data.cases) == len(rows)
    assert sum(b.total for b in data.bars.bars) == len(rows)
    assert sum(b.total for b in data.sections.bars) == len(rows)
    kinds = {str(r["section"]).split(":")[0] for r in rows}
    assert {b.title for b in data.sections.bars} == kinds
    assert sum(b.total for b in data.pages.bars) == len(t["cases"])
    waiting = [r for r in rows if r["to_review"] and pd.isna(r["decision"])]
    assert data.totals["waiting"] == len(waiting) == len(data.waiting)


def test_the_html_shows_the_totals_and_escapes_page_text(run_dir: Path) -> None:
    html = build_report(run_dir)
    t = tables(run_dir)
    rows = t["corrections"]
    shown = dict(re.findall(r'<dd data-total="(\w+)">(\d+)</dd>', html))
    assert int(shown["edits"]) == len(rows)
    assert int(shown["applied"]) == sum(bool(r["applied"]) for r in rows)
    assert int(shown["pages"]) == len(t["cases"]) + len(t["errors"])
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "A &lt;script&gt;alert(1)&lt;/script&gt; case" in html
    assert f'data-case-id="{SCRIPT_CASE}"' in html


def test_the_file_is_self_contained_and_its_policy_pins_its_own_code(run_dir: Path) -> None:
    html = build_report(run_dir)
    assert not re.search(r'\s(src|href)="(?!#|data:)', html), "no external resource"
    assert "http://" not in html and "https://" not in html and "@import" not in html
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    csp = found.group(1).replace("&#39;", "'")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.S)
    for code in (style, script):
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "<svg" in html and html.count('<details class="case"') == 3


def test_the_report_is_the_same_every_time(run_dir: Path) -> None:
    assert build_report(run_dir) == build_report(run_dir)


def test_building_the_report_leaves_the_cycle_collector_as_it_was(run_dir: Path) -> None:
    import gc

    assert gc.isenabled()
    build_report(run_dir)
    assert gc.isenabled()
    gc.disable()
    try:
        build_report(run_dir)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_charts_scale_and_bin() -> None:
    chart = bar_chart([("ocr", 4, 0), ("dictionary", 1, 1)], width=100, passes=True)
    assert [(b.applied_width, b.suggested_width, b.y) for b in chart.bars] == [
        (100.0, 0.0, 0),
        (25.0, 25.0, 22),
    ]
    assert chart.bars[0].pass_class == "pass-ocr"
    assert chart.bar_x >= len("dictionary") * CHAR_WIDTH  # room for the longest label
    assert chart.width >= chart.bar_x + 100 + len("4") * CHAR_WIDTH  # and the largest number
    wide = bar_chart([("dehyphenate", 2942, 10), ("x" * 60, 1, 0)])
    assert wide.width - wide.bar_x - 280 > len("2952") * CHAR_WIDTH
    assert wide.bars[1].label == "x" * 25 + "…" and wide.bars[1].title == "x" * 60
    columns = histogram(
        [{"confidence": c, "applied": a} for c, a in [(1.0, True), (0.95, False), (0.0, True)]]
    )
    assert [(c.applied, c.suggested) for c in columns if c.applied + c.suggested] == [
        (1, 0),
        (1, 1),
    ]
    assert columns[0].label == "0.0" and columns[-1].label == "0.9"
    assert bar_chart([]).bars == [] and len(histogram([])) == 10


def test_the_command_writes_the_file_and_a_table_write_drops_it(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(run_dir, out)
    write_decisions(out / DECISIONS_FILE, [Decision("rule", "rejected", rule="x")])
    parser = build_parser()
    args = parser.parse_args(["report", "--out", str(out)])
    assert args.func(args) == 0
    assert str(out / REPORT_FILE) in capsys.readouterr().out
    assert "1 reviewer decision in" in (out / REPORT_FILE).read_text(encoding="utf-8")
    write_records(out, tables(out))  # tables rewritten without a report: no stale report stays
    assert not (out / REPORT_FILE).exists() and (out / DECISIONS_FILE).exists()
    assert write_report(out) == out / REPORT_FILE


def total(html: str, name: str) -> int:
    found = re.search(rf'data-total="{name}">(\d+)<', html)
    assert found, name
    return int(found.group(1))


def test_every_run_regenerates_the_report_unless_told_not_to(tmp_path: Path) -> None:
    from pipeline.cli import main

    raw, out = make_archive(tmp_path), tmp_path / "out"
    assert main(["run", str(raw), "--out", str(out)]) == 0
    first = (out / REPORT_FILE).read_text(encoding="utf-8")
    assert total(first, "rejected") == 0
    rows = read_table(out, "corrections")
    rule = rows["rule"].value_counts().index[0]
    write_decisions(out / DECISIONS_FILE, [Decision("rule", "rejected", rule=rule)])
    assert main(["run", str(raw), "--out", str(out)]) == 0
    again = (out / REPORT_FILE).read_text(encoding="utf-8")
    rejected = int((read_table(out, "corrections")["decision"] == "rejected").sum())
    assert total(again, "rejected") == rejected == int((rows["rule"] == rule).sum()) > 0
    assert main(["run", str(raw), "--out", str(out), "--no-report"]) == 0
    assert not (out / REPORT_FILE).exists(), "no report rather than a stale one"
