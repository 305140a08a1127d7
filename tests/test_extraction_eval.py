"""Extraction scores against a site gold file, on pages small enough to count by hand."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from bench import extraction as bench_extraction
from pipeline.evaluate import extraction, goldfile
from pipeline.evaluate.extraction import (
    Extracted,
    fold_heading,
    format_extraction_scores,
    score_extraction,
    score_site_gold,
)
from pipeline.evaluate.gold import format_gold_scores, score_gold
from pipeline.evaluate.goldfile import GoldFormatError, gold_format, gold_report

CHROME = ["Skip to main content", "Back to Top"]
# 16 content tokens: lung mass / a lung mass / ct shows a mass / footnote text / x y z w t
PAGE = {
    "case_id": "a.html",
    "title": "Lung mass",
    "sections": [
        {"heading": "1. Introduction", "text": "A lung mass."},
        {"heading": "2.1. Case Report:", "text": "CT shows a mass."},
        {"heading": None, "text": "Footnote text. x y z w t"},
    ],
    "content": "Lung mass A lung mass. CT shows a mass. Footnote text. x y z w t",
    "chrome": CHROME,
}


def section(position: int, heading: str | None, text: str, name: str = "other") -> dict:
    return {
        "case_id": "a.html",
        "position": position,
        "section": name,
        "heading": heading,
        "raw_text": text,
        "clean_text": text,
    }


def tables(rows: list[dict], title: str | None = "Lung mass") -> tuple[pd.DataFrame, ...]:
    cases = pd.DataFrame([{"case_id": "a.html", "status": "ok", "title": title}])
    return cases, pd.DataFrame(rows)


PERFECT = [
    section(0, "Introduction", "A lung mass."),
    section(1, "Case report", "CT shows a mass."),
    section(2, None, "Footnote text.\nx y z w t"),
]


# --- bag of words ------------------------------------------------------------------------


def test_a_perfect_extraction_scores_one_everywhere() -> None:
    scores = score_site_gold([PAGE], *tables(PERFECT))
    assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)
    assert scores.headings == (2, 2)  # the gold section without a heading is not counted
    assert (scores.leaks, scores.lost) == (0, 0)


def test_missing_text_lowers_recall_only() -> None:
    page = score_site_gold([PAGE], *tables(PERFECT[:2])).pages[0]
    assert (page.kept, page.gold, page.overlap) == (9, 16, 9)
    assert page.precision == 1.0
    assert page.recall == pytest.approx(9 / 16)


def test_extra_chrome_lowers_precision_and_counts_each_leak_once() -> None:
    nav = section(3, "Back to Top", "Skip to main\ncontent Back to Top")
    page = score_site_gold([PAGE], *tables([*PERFECT, nav])).pages[0]
    assert page.recall == 1.0
    assert page.precision == pytest.approx(16 / 23)  # 7 more tokens, none in the gold
    assert page.leaks == [
        ("sections[3].raw_text", "Skip to main content"),  # found across a line break
        ("sections[3].heading", "Back to Top"),
    ]


def test_chrome_in_a_cases_column_is_a_leak_too() -> None:
    cases, sections = tables(PERFECT, title="Lung mass Skip to main content")
    page = score_site_gold([PAGE], cases, sections).pages[0]
    assert page.leaks == [("cases.title", "Skip to main content")]


def test_the_title_row_is_not_counted_twice() -> None:
    rows = [section(0, None, "Lung mass", name="title"), *PERFECT]
    with_row = score_site_gold([PAGE], *tables(rows, title="Lung mass"))
    from_cases = score_site_gold([PAGE], *tables(PERFECT, title="Lung mass"))
    without = score_site_gold([PAGE], *tables(PERFECT, title=None))
    assert with_row.pages[0].kept == from_cases.pages[0].kept == 16
    assert without.pages[0].recall == pytest.approx(14 / 16)


def test_overall_figures_are_micro_averaged_over_pages() -> None:
    short = {"case_id": "b.html", "sections": [], "content": "one two", "chrome": []}
    got = {"a.html": Extracted(PAGE["content"]), "b.html": Extracted("one three four five")}
    scores = score_extraction([PAGE, short], got)
    assert scores.precision == pytest.approx(17 / 20)
    assert scores.recall == pytest.approx(17 / 18)
    assert scores.pages[1].precision == pytest.approx(1 / 4)


# --- headings and lost pages -------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["Case report", "CASE  REPORT", "2. Case report:", "2.1 Case report", "case report."],
)
def test_headings_fold_case_spacing_numbering_and_a_trailing_colon(written: str) -> None:
    assert fold_heading(written) == fold_heading("2.1. Case Report:") == "case report"


def test_an_unmatched_heading_is_listed_as_missing() -> None:
    rows = [section(0, "Background", "A lung mass."), *PERFECT[1:]]
    page = score_site_gold([PAGE], *tables(rows)).pages[0]
    assert (page.headings_found, page.headings_expected) == (1, 2)
    assert page.missing_headings == ["1. Introduction"]


def test_a_page_without_a_cases_row_is_lost_and_costs_recall() -> None:
    other = dict(PAGE, case_id="b.html", content="one two three four")
    scores = score_site_gold([PAGE, other], *tables(PERFECT))
    assert scores.lost == 1
    assert scores.pages[1].lost and scores.pages[1].missing_headings == [
        "1. Introduction",
        "2.1. Case Report:",
    ]
    assert scores.recall == pytest.approx(16 / 20)
    assert scores.headings == (2, 4)


# --- the report and the dispatch ---------------------------------------------------------


def test_report_lists_worst_pages_and_ends_with_the_headline() -> None:
    other = dict(PAGE, case_id="b.html")
    text = format_extraction_scores(score_site_gold([PAGE, other], *tables(PERFECT)))
    worst = text.split("worst pages")[1].splitlines()
    assert "b.html" in worst[2] and worst[2].endswith("LOST")
    assert text.splitlines()[-4:] == [
        "pages: 2   lost: 1",
        "bag-of-words F1: 0.6667   precision: 1.0000   recall: 0.5000   (micro over pages)",
        "headings found: 2/4 (50.00%)",
        "chrome leaked: 0 strings on 0 pages",
    ]


ARCHIVE_PAGE = {"case_id": "x.txt", "status": "ok", "fields": {"title": "A"}, "sections": {}}


def test_gold_format_is_read_from_the_keys() -> None:
    assert gold_format([PAGE]) == "site"
    assert gold_format([ARCHIVE_PAGE, {"case_id": "b", "status": "error_or_warning"}]) == "archive"
    assert gold_format([]) == "archive"
    with pytest.raises(GoldFormatError, match="mixes"):
        gold_format([PAGE, ARCHIVE_PAGE])
    with pytest.raises(GoldFormatError, match="neither"):
        gold_format([{"case_id": "c"}])
    with pytest.raises(GoldFormatError, match="both"):
        gold_format([dict(PAGE, fields={})])


def test_gold_report_dispatches_on_the_format() -> None:
    cases, sections = tables(PERFECT)
    empty = pd.DataFrame()
    named = {"cases": cases, "sections": sections, "corrections": empty, "errors": empty}
    assert gold_report([PAGE], named).startswith("extraction against site gold")
    archive = gold_report([ARCHIVE_PAGE], named)
    assert archive == format_gold_scores(score_gold([ARCHIVE_PAGE], cases, sections, empty, empty))


@pytest.mark.parametrize(
    "module", [extraction, goldfile, bench_extraction], ids=lambda m: m.__name__
)
def test_docstring_examples_hold(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{module.__name__} has no examples"
    assert result.failed == 0


# --- end to end on the real site pages ---------------------------------------------------


@pytest.mark.devdata
def test_eval_gold_on_the_pmc_site_pages(dev_dir: Path) -> None:
    site = dev_dir / "sites" / "pmc"
    if not (site / "gold.jsonl").exists():
        pytest.skip(f"site gold not found at {site} (part of ../shared/dev)")
    gold, pages = str(site / "gold.jsonl"), str(site / "pages")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "eval", "--gold", gold, "--archive", pages],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "CASECLEAN_NO_PROGRESS": "1"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("extraction against site gold")
    assert lines[-4] == "pages: 20   lost: 0"
    f1, precision, recall = (float(lines[-3].split()[i]) for i in (2, 4, 6))
    assert all(0.0 <= x <= 1.0 for x in (f1, precision, recall))
    found, expected = lines[-2].split()[2].split("/")
    assert 0 <= int(found) <= int(expected) and int(expected) > 0
    assert lines[-1].startswith("chrome leaked: ")
    assert "worst pages (lowest F1, 5 of 20):" in done.stdout
