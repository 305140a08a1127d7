"""A run's tables as plain rows straight from Arrow: the values pandas's ``to_dict`` gives."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.output import read_table
from pipeline.review.rows import read_rows, table_rows


def plain(value: Any) -> Any:
    """A cell as comparable Python: an array as a list, NaN as a marker (NaN != NaN)."""
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def as_pandas_gives(table: pa.Table) -> list[dict[str, Any]]:
    rows = table.to_pandas().to_dict(orient="records")
    return [{k: plain(v) for k, v in row.items()} for row in rows]


def test_empty_cells_are_what_pandas_makes_of_them() -> None:
    table = pa.table(
        {
            "text": pa.array(["a", None]),
            "large": pa.array(["a", None], pa.large_string()),
            "whole": pa.array([3, None], pa.int64()),
            "whole_full": pa.array([3, 4], pa.int64()),
            "real": pa.array([0.5, None]),
            "flag": pa.array([True, None]),
            "flag_full": pa.array([True, False]),
            "words": pa.array([["x", "y"], None], pa.list_(pa.string())),
        }
    )
    rows = [{k: plain(v) for k, v in row.items()} for row in table_rows(table)]
    assert rows == as_pandas_gives(table)
    assert rows[1]["whole"] == "NaN" and rows[0]["whole"] == 3.0 and rows[1]["flag"] is None
    assert type(rows[0]["whole_full"]) is int and rows[0]["words"] == ["x", "y"]


@pytest.mark.parametrize("name", ["cases", "sections", "corrections", "errors"])
def test_a_runs_tables_read_as_pandas_reads_them(run_dir: Path, name: str) -> None:
    rows = read_rows(run_dir, name)
    expected = read_table(run_dir, name).to_dict(orient="records")
    assert len(rows) == len(expected) > 0 or name == "errors"
    for row, want in zip(rows, expected, strict=True):
        assert {k: plain(v) for k, v in row.items()} == {k: plain(v) for k, v in want.items()}
        assert [type(v) for v in row.values() if not isinstance(v, list)] == [
            type(v) for v in want.values() if not isinstance(v, np.ndarray)
        ]


def test_a_missing_table_says_to_run_first(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no cases table in .*: run `caseclean run`"):
        read_rows(tmp_path, "cases")


def test_a_partitioned_table_reads_whole(tmp_path: Path) -> None:
    folder = tmp_path / "cases.parquet"
    folder.mkdir()
    pq.write_table(pa.table({"case_id": ["a"], "n": [1]}), folder / "part-0.parquet")
    pq.write_table(pa.table({"case_id": ["b"], "n": [2]}), folder / "part-1.parquet")
    assert sorted(r["case_id"] for r in read_rows(tmp_path, "cases")) == ["a", "b"]
