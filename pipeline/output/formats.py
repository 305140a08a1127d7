"""The formats of a table: a batch of rows as typed columns, then CSV and SQLite (Parquet:
:mod:`pipeline.output.parquet`; DataFrames for readers: :mod:`pipeline.output.frames`).

Every format follows :mod:`pipeline.output.schema`: column order, types, primary and foreign
keys. Nothing depends on the clock, so the same rows give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pipeline.output.publish import FTS_SUFFIX
from pipeline.output.schema import TableSchema

_SQLITE = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}


def _is_null(value: Any) -> bool:
    """None, NaN, or pandas' NA (a value read back by pandas; without pandas loaded, there
    is none to meet, and a run does not load it)."""
    if isinstance(value, list):
        return False
    if value is None or (isinstance(value, float) and value != value):
        return True
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is pandas.NA


def typed_columns(schema: TableSchema, rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Rows as the schema's columns of typed values, null as None: what a DataFrame of them
    holds, without a DataFrame (the sink writes a batch in every format from these)."""
    rows = list(rows)
    return {
        c.name: _typed_column([row.get(c.name) for row in rows], c.type) for c in schema.columns
    }


_NATIVE = {"string": str, "integer": int, "number": float, "boolean": bool, "array": list}
"""The Python type a column's values have once typed: values of it pass as they are (the
common case, checked first: the parent types every cell of a run)."""


def _typed_column(values: list[Any], type_: str) -> list[Any]:
    native = _NATIVE[type_]
    if native is float:  # NaN is a null
        return [v if v.__class__ is float and v == v else _typed(v, type_) for v in values]
    return [v if v.__class__ is native else _typed(v, type_) for v in values]


def _typed(value: Any, type_: str) -> Any:
    if _is_null(value):
        return None
    if type_ == "array":
        return value
    if type_ == "boolean":
        return bool(value)
    if type_ == "integer":
        return int(value)
    if type_ == "number":
        return float(value)
    return value if isinstance(value, str) else str(value)


_json_text = json.JSONEncoder(ensure_ascii=False).encode
"""``json.dumps(value, ensure_ascii=False)``, without making an encoder per call."""


def array_cells(schema: TableSchema, columns: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
    """The JSON text of every array column's cells (null stays None): CSV and SQLite hold the
    same text, so a batch is encoded once for both.

    >>> from pipeline.output.schema import table_schemas
    >>> from pipeline.rules import load_rules
    >>> cases = table_schemas(load_rules())[0]
    >>> columns = {c.name: [["CT", "MRI"], [], None] for c in cases.columns}
    >>> array_cells(cases, columns)["modalities"]
    ['["CT", "MRI"]', '[]', None]
    """
    return {c.name: _json_cells(columns[c.name]) for c in schema.columns if c.type == "array"}


def _json_cells(values: list[Any]) -> list[str | None]:
    """An array column's cells as JSON text; a value may be a list, a tuple or, read back
    by pandas, a NumPy array (whose truth is no test of emptiness)."""
    return [None if v is None else _json_text(list(v)) if len(v) else "[]" for v in values]


def sqlite_of(
    schema: TableSchema,
    columns: Mapping[str, list[Any]],
    arrays: Mapping[str, list[Any]] | None = None,
) -> list[tuple[Any, ...]]:
    """Typed columns as SQLite rows: arrays as JSON (``arrays``, when made already)."""
    arrays = array_cells(schema, columns) if arrays is None else arrays
    cells = [arrays[c.name] if c.type == "array" else columns[c.name] for c in schema.columns]
    return list(zip(*cells, strict=True))


def _csv_cells(values: list[Any], type_: str) -> list[str]:
    """A typed column's CSV cells: null as empty, booleans as true/false, floats by their
    shortest repr (arrays come as their JSON text)."""
    if type_ == "string" or type_ == "array":
        return ["" if v is None else v for v in values]
    if type_ == "boolean":
        return ["" if v is None else "true" if v else "false" for v in values]
    if type_ == "number":
        return ["" if v is None else repr(v) for v in values]
    return ["" if v is None else str(v) for v in values]


def csv_of(
    schema: TableSchema,
    columns: Mapping[str, list[Any]],
    arrays: Mapping[str, list[Any]] | None = None,
) -> str:
    """Typed columns as CSV lines, no header: arrays as JSON (``arrays``, when made already),
    booleans as true/false, floats by their shortest repr, null as empty (the bytes pandas'
    ``to_csv`` wrote, without a DataFrame per format: a third of the parent's time while
    pages are corrected)."""
    arrays = array_cells(schema, columns) if arrays is None else arrays
    cells = [
        _csv_cells(arrays[c.name] if c.type == "array" else columns[c.name], c.type)
        for c in schema.columns
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(zip(*cells, strict=True))
    return out.getvalue()


def create_table(schema: TableSchema) -> str:
    """The ``CREATE TABLE`` of a schema: types, NOT NULL, primary and foreign keys."""
    parts = [
        f'"{c.name}" {_SQLITE.get(c.type, "TEXT")}{" NOT NULL" if c.required else ""}'
        for c in schema.columns
    ]
    parts.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in schema.primary_key) + ")")
    for fk in schema.foreign_keys:
        mine = ", ".join(f'"{c}"' for c in fk.columns)
        theirs = ", ".join(f'"{c}"' for c in fk.references)
        parts.append(f'FOREIGN KEY ({mine}) REFERENCES "{fk.table}" ({theirs})')
    return f'CREATE TABLE "{schema.name}" ({", ".join(parts)})'


def full_text_index(connection: sqlite3.Connection, table: str, columns: Sequence[str]) -> None:
    """An FTS5 index over ``columns`` that reads its text from ``table`` (Datasette finds it
    by its ``content=`` option and searches it with ``?_search=``)."""
    names = ", ".join(f'"{c}"' for c in columns)
    connection.execute(
        f'CREATE VIRTUAL TABLE "{table}{FTS_SUFFIX}" USING fts5({names}, '
        f'content="{table}", tokenize="porter unicode61")'
    )
    connection.execute(
        f'INSERT INTO "{table}{FTS_SUFFIX}"("{table}{FTS_SUFFIX}") VALUES (\'rebuild\')'
    )
