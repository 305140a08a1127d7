"""A batch's formats from typed columns: the CSV bytes pandas wrote, the same SQLite rows."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
import pyarrow as pa

from pipeline.output.formats import csv_of, sqlite_of, typed_columns
from pipeline.output.parquet import arrow_of
from pipeline.output.schema import Column, TableSchema

SCHEMA = TableSchema(
    "t",
    "T",
    (
        Column("s", "string", ""),
        Column("i", "integer", ""),
        Column("n", "number", ""),
        Column("b", "boolean", ""),
        Column("a", "array", ""),
    ),
    ("s",),
)
ROWS: list[dict[str, Any]] = [
    {"s": 'a "quoted", line\nbreak', "i": 3, "n": 0.9455, "b": True, "a": ["CT", 'x"y']},
    {"s": "", "i": None, "n": None, "b": False, "a": []},
    {"s": None, "i": 0, "n": 1e-05, "b": None, "a": None},
    {"s": " lead\r", "i": -7, "n": 23.0, "b": True, "a": ["é"]},
    {"s": "plain", "i": 2**40, "n": 0.1 + 0.2, "b": False, "a": ["a,b"]},
    {"s": 5, "i": True, "n": 1e16, "b": 1, "n2": "ignored"},
    {"n": float("nan")},
]


def _pandas_csv(rows: list[dict[str, Any]]) -> str:
    """The bytes the DataFrame writer gave: cells in a frame, booleans as words, to_csv."""

    def cell(value: Any, type_: str) -> Any:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return {
            "array": lambda v: json.dumps(list(v), ensure_ascii=False),
            "boolean": bool,
            "integer": int,
            "number": float,
        }.get(type_, str)(value)

    out = pd.DataFrame(
        {c.name: [cell(r.get(c.name), c.type) for r in rows] for c in SCHEMA.columns},
        columns=SCHEMA.names,
    )
    out["b"] = out["b"].map({True: "true", False: "false", None: None})
    out["i"] = out["i"].astype("Int64")
    return out.to_csv(index=False, header=False, lineterminator="\n")


def test_csv_lines_are_the_bytes_pandas_wrote() -> None:
    assert csv_of(SCHEMA, typed_columns(SCHEMA, ROWS)) == _pandas_csv(ROWS)


def test_sqlite_rows_hold_arrays_as_json_and_nulls_as_none() -> None:
    rows = sqlite_of(SCHEMA, typed_columns(SCHEMA, ROWS))
    assert rows[0] == ('a "quoted", line\nbreak', 3, 0.9455, True, '["CT", "x\\"y"]')
    assert rows[2] == (None, 0, 1e-05, None, None)
    assert rows[5] == ("5", 1, 1e16, True, None)
    assert rows[6] == (None, None, None, None, None)


def test_arrow_columns_are_typed_with_nulls_as_nulls() -> None:
    table = arrow_of(SCHEMA, typed_columns(SCHEMA, ROWS))
    assert table.schema.field("n").type == pa.float64()
    assert table.column("n").null_count == 2  # None, and NaN
    assert table.column("a").to_pylist()[0] == ["CT", 'x"y']
    assert arrow_of(SCHEMA, typed_columns(SCHEMA, [])).num_rows == 0


def test_array_cells_read_back_as_numpy_arrays_are_written_as_lists() -> None:
    """Tables read back by pandas hold arrays as NumPy arrays: the same cells as lists."""
    import numpy as np

    as_lists = [{"a": ["CT", "é"]}, {"a": []}, {"a": None}]
    as_arrays = [{"a": np.array(["CT", "é"], dtype=object)}, {"a": np.array([])}, {"a": None}]
    lists, arrays = typed_columns(SCHEMA, as_lists), typed_columns(SCHEMA, as_arrays)
    assert csv_of(SCHEMA, arrays) == csv_of(SCHEMA, lists)
    assert sqlite_of(SCHEMA, arrays) == sqlite_of(SCHEMA, lists)
