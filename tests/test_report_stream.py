"""The report reads the tables a batch at a time and writes itself a piece at a time: the
same bytes as reading everything at once, in memory that does not grow with the archive."""

from __future__ import annotations

import math
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.output.sink import TableSink
from pipeline.review.by_case import CaseStream
from pipeline.review.figures import Figures
from pipeline.review.report import REPORT_FILE, build_report, summarise, write_report
from pipeline.review.rows import read_rows, row_batches

from .conftest import SCHEMAS, write_records

NAMES = ("cases", "sections", "corrections", "errors")


def same(row: dict[str, Any]) -> dict[str, Any]:
    """A row with NaN comparable (NaN is not equal to itself) and each value's type kept."""
    return {
        k: "NaN" if isinstance(v, float) and math.isnan(v) else (type(v).__name__, v)
        for k, v in row.items()
    }


def records(out: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: read_rows(out, name) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_rows_read_in_batches_are_the_rows_read_whole(run_dir: Path, name: str) -> None:
    whole = read_rows(run_dir, name)
    batches = list(row_batches(run_dir, name, size=2))
    assert all(len(batch) <= 2 for batch in batches)
    assert [same(r) for batch in batches for r in batch] == [same(r) for r in whole]


def test_a_batch_holds_the_columns_asked_for_that_the_table_has(run_dir: Path) -> None:
    rows = [r for b in row_batches(run_dir, "corrections", ["rule", "no_such_column"]) for r in b]
    assert rows and all(list(row) == ["rule"] for row in rows)


def test_empty_cells_read_as_pandas_reads_them_in_every_batch(
    run_dir: Path, tmp_path: Path
) -> None:
    """An empty text or number cell is NaN, as pandas reads it, whichever batch it is in."""
    out = tmp_path / "out"
    tables = records(run_dir)
    first, second = tables["cases"][:2]
    first.update(title="A title", patient_age_years=40.0)
    second.update(title=None, patient_age_years=None)
    write_records(out, tables)
    columns = ["case_id", "title", "patient_age_years"]
    one, two, *_ = row_batches(out, "cases", columns, size=1)
    assert one[0]["title"] == "A title" and one[0]["patient_age_years"] == 40.0
    assert math.isnan(two[0]["title"]) and math.isnan(two[0]["patient_age_years"])
    whole = [{c: r[c] for c in columns} for r in read_rows(out, "cases")[:2]]
    assert [same(r) for r in one + two] == [same(r) for r in whole]


def test_a_partitioned_dataset_reads_like_one_file(run_dir: Path, tmp_path: Path) -> None:
    """``--no-sqlite`` writes each table as a folder of parts: the report reads it the same."""
    tables = records(run_dir)
    sink = TableSink(tmp_path, SCHEMAS, batch_rows=2, sqlite=False)
    for schema in SCHEMAS:
        for row in tables.get(schema.name, []):
            sink.add(schema.name, [row])
    sink.close()
    assert len(list((tmp_path / "corrections.parquet").iterdir())) > 1
    for name in NAMES:
        streamed = [r for b in row_batches(tmp_path, name, size=3) for r in b]
        assert [same(r) for r in streamed] == [same(r) for r in tables[name]]
    assert build_report(tmp_path) == build_report(run_dir)


def test_tables_out_of_case_order_give_the_same_report(run_dir: Path, tmp_path: Path) -> None:
    """A case's rows need not come together: such tables are read whole, to the same report."""
    out = tmp_path / "out"
    shutil.copytree(run_dir, out)
    tables = records(run_dir)
    for name in ("sections", "corrections"):
        random.Random(7).shuffle(tables[name])
    write_records(out, tables)
    assert not CaseStream(out).ordered and CaseStream(run_dir).ordered
    assert build_report(out) == build_report(run_dir)


def test_the_written_file_is_the_built_report(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(run_dir, out)
    write_report(out)
    assert (out / REPORT_FILE).read_text(encoding="utf-8") == build_report(run_dir)


def test_the_case_stream_holds_every_case_once_in_table_order(run_dir: Path) -> None:
    stream = CaseStream(run_dir)
    tables = records(run_dir)
    whole = summarise(tables["cases"], tables["sections"], tables["corrections"], [])
    assert len(stream) == len(tables["cases"])
    assert [c.case_id for c in stream] == [str(r["case_id"]) for r in tables["cases"]]
    assert list(stream) == list(stream) == list(whole.cases)


def test_pages_of_a_pair_count_each_case_once() -> None:
    figures = Figures()
    row = {"section": "findings", "pass": "ocr", "rule": "r", "confidence": 0.9}
    for case_id, applied in [("a", True), ("a", False), ("b", True)]:
        edit = {**row, "case_id": case_id, "applied": applied, "position": 0}
        figures.add_corrections([{**edit, "original": "teh", "replacement": "the"}])
    assert figures.top(5) == [("teh", "the", 3, 2, 2)]
    assert figures.edits == 3 and figures.applied == 2 and len(figures.waiting) == 1
