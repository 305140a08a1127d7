"""Writers: a run's tables as Parquet, CSV, one SQLite file, a Frictionless datapackage and
Datasette's metadata.

Every format follows :mod:`pipeline.output.schema`: column order, types, primary and foreign
keys and descriptions. The SQLite file has a full-text index over the sections' clean text,
which Datasette's search uses. Outputs are written to a temporary folder beside the target
and swapped in at the end, so a killed run leaves the previous outputs whole. Nothing in the
data depends on the clock, so two runs of the same input give byte-identical files.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.output.folder import staging, swap_in, target_of
from pipeline.output.publish import (
    FTS_COLUMNS,
    FTS_SUFFIX,
    Provenance,
    datapackage,
    datasette_metadata,
    to_json,
    user_fields,
)
from pipeline.output.schema import (
    DATAPACKAGE_NAME,
    METADATA_NAME,
    SQLITE_NAME,
    TableSchema,
    generated_files,
)

_ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "array": pa.list_(pa.string()),
}
_SQLITE = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}


def frame(schema: TableSchema, rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame with exactly the schema's columns, in its order."""
    records = [{name: row.get(name) for name in schema.names} for row in rows]
    df = pd.DataFrame.from_records(records, columns=schema.names)
    for column in schema.columns:
        if column.type == "integer":
            df[column.name] = df[column.name].astype("Int64")
        elif column.type == "number":
            df[column.name] = df[column.name].astype("Float64")
        elif column.type == "boolean":
            df[column.name] = df[column.name].astype("boolean")
        elif column.type == "string":
            df[column.name] = df[column.name].astype("string")
    return df


def _arrow_table(schema: TableSchema, df: pd.DataFrame) -> pa.Table:
    arrow_schema = pa.schema(
        [pa.field(c.name, _ARROW[c.type], nullable=not c.required) for c in schema.columns]
    )
    columns = {}
    for c in schema.columns:
        values = df[c.name].tolist()
        columns[c.name] = [None if _is_null(v) else v for v in values]
    return pa.Table.from_pydict(columns, schema=arrow_schema)


def _is_null(value: Any) -> bool:
    if isinstance(value, list):
        return False
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _cell(value: Any, type_: str) -> Any:
    """One value as CSV and SQLite hold it: arrays as JSON, booleans as true/false or 1/0."""
    if _is_null(value):
        return None
    if type_ == "array":
        return json.dumps(list(value), ensure_ascii=False)
    if type_ == "boolean":
        return bool(value)
    if type_ == "integer":
        return int(value)
    if type_ == "number":
        return float(value)
    return str(value)


def _write_csv(schema: TableSchema, df: pd.DataFrame, path: Path) -> None:
    out = pd.DataFrame(
        {c.name: [_cell(v, c.type) for v in df[c.name].tolist()] for c in schema.columns},
        columns=schema.names,
    )
    for c in schema.columns:
        if c.type == "boolean":
            out[c.name] = out[c.name].map({True: "true", False: "false", None: None})
        elif c.type == "integer":
            out[c.name] = out[c.name].astype("Int64")
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _create_table(schema: TableSchema) -> str:
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


def _full_text_index(connection: sqlite3.Connection, table: str, columns: Sequence[str]) -> None:
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


def _write_sqlite(
    schemas: Sequence[TableSchema], frames: Mapping[str, pd.DataFrame], path: Path
) -> None:
    connection = sqlite3.connect(path)
    try:
        for schema in schemas:
            df = frames[schema.name]
            connection.execute(_create_table(schema))
            rows = [
                tuple(_cell(v, c.type) for v, c in zip(row, schema.columns, strict=True))
                for row in df.itertuples(index=False, name=None)
            ]
            marks = ", ".join("?" for _ in schema.columns)
            connection.executemany(f'INSERT INTO "{schema.name}" VALUES ({marks})', rows)
        for table, columns in FTS_COLUMNS.items():
            if table in frames:
                _full_text_index(connection, table, columns)
        connection.commit()
    finally:
        connection.close()


def _write_descriptions(
    out_dir: Path, tmp: Path, schemas: Sequence[TableSchema], provenance: Provenance | None
) -> None:
    """``datapackage.json`` and Datasette's ``metadata.json``, keeping what the user filled
    in the folder's ``metadata.json``."""
    kept = user_fields(target_of(out_dir) / METADATA_NAME)
    (tmp / DATAPACKAGE_NAME).write_text(to_json(datapackage(schemas, provenance)), "utf-8")
    (tmp / METADATA_NAME).write_text(to_json(datasette_metadata(schemas, kept)), "utf-8")


def write_tables(
    out_dir: Path,
    schemas: Sequence[TableSchema],
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    finish: Callable[[Path], None] | None = None,
    provenance: Provenance | None = None,
) -> None:
    """Write every table in every format to ``out_dir``, replacing it as a whole at the end.

    ``tables`` holds each table's records by table name. The outputs are written to a staging
    folder and swapped in (see :mod:`pipeline.output.folder`): files in ``out_dir`` that a run
    does not generate (a reviewer's decisions, say) are carried over, and ``finish`` may add
    to the complete new folder (the report) before it replaces the old one. ``provenance``
    goes into ``datapackage.json``.
    """
    frames = {schema.name: frame(schema, tables.get(schema.name, [])) for schema in schemas}
    tmp = staging(Path(out_dir))
    try:
        for schema in schemas:
            df = frames[schema.name]
            pq.write_table(_arrow_table(schema, df), tmp / f"{schema.name}.parquet")
            _write_csv(schema, df, tmp / f"{schema.name}.csv")
        _write_sqlite(schemas, frames, tmp / SQLITE_NAME)
        _write_descriptions(out_dir, tmp, schemas, provenance)
        swap_in(tmp, Path(out_dir), generated_files(), finish)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read_table(out_dir: Path, name: str) -> pd.DataFrame:
    """Read one table of a finished run (from Parquet)."""
    path = Path(out_dir) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"no {name} table in {out_dir}: run `caseclean run` first")
    return pq.read_table(path).to_pandas()
