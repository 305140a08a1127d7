"""Writers: a run's tables as Parquet, CSV, one SQLite file and a Frictionless datapackage.

Every format follows :mod:`pipeline.output.schema`: column order, types, primary keys and
descriptions. Outputs are written to a temporary folder beside the target
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

from pipeline.output.folder import staging, swap_in
from pipeline.output.schema import DATAPACKAGE_NAME, SQLITE_NAME, TableSchema, generated_files

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


def _write_sqlite(
    schemas: Sequence[TableSchema], frames: Mapping[str, pd.DataFrame], path: Path
) -> None:
    connection = sqlite3.connect(path)
    try:
        for schema in schemas:
            df = frames[schema.name]
            cols = ", ".join(
                f'"{c.name}" {_SQLITE.get(c.type, "TEXT")}{" NOT NULL" if c.required else ""}'
                for c in schema.columns
            )
            key = ", ".join(f'"{k}"' for k in schema.primary_key)
            connection.execute(f'CREATE TABLE "{schema.name}" ({cols}, PRIMARY KEY ({key}))')
            rows = [
                tuple(_cell(v, c.type) for v, c in zip(row, schema.columns, strict=True))
                for row in df.itertuples(index=False, name=None)
            ]
            marks = ", ".join("?" for _ in schema.columns)
            connection.executemany(f'INSERT INTO "{schema.name}" VALUES ({marks})', rows)
        connection.commit()
    finally:
        connection.close()


def datapackage(schemas: Sequence[TableSchema], title: str = "caseclean output") -> dict[str, Any]:
    """The Frictionless Data Package that describes the CSV tables."""
    resources = []
    for schema in schemas:
        fields = []
        for c in schema.columns:
            field: dict[str, Any] = {"name": c.name, "type": c.type, "description": c.description}
            if c.required:
                field["constraints"] = {"required": True}
            if c.type == "boolean":
                field.update(trueValues=["true"], falseValues=["false"])
            fields.append(field)
        resources.append(
            {
                "name": schema.name,
                "title": schema.title,
                "path": f"{schema.name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": fields,
                    "primaryKey": list(schema.primary_key),
                    "missingValues": [""],
                },
            }
        )
    return {"name": "caseclean-output", "title": title, "resources": resources}


def write_tables(
    out_dir: Path,
    schemas: Sequence[TableSchema],
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Write every table in every format to ``out_dir``, replacing it as a whole at the end.

    ``tables`` holds each table's records by table name. The outputs are written to a staging
    folder and swapped in (see :mod:`pipeline.output.folder`): files in ``out_dir`` that a run
    does not generate (a reviewer's decisions, say) are carried over, and ``finish`` may add
    to the complete new folder (the report) before it replaces the old one.
    """
    frames = {schema.name: frame(schema, tables.get(schema.name, [])) for schema in schemas}
    tmp = staging(Path(out_dir))
    try:
        for schema in schemas:
            df = frames[schema.name]
            pq.write_table(_arrow_table(schema, df), tmp / f"{schema.name}.parquet")
            _write_csv(schema, df, tmp / f"{schema.name}.csv")
        _write_sqlite(schemas, frames, tmp / SQLITE_NAME)
        text = json.dumps(datapackage(schemas), indent=2, ensure_ascii=False) + "\n"
        (tmp / DATAPACKAGE_NAME).write_text(text, encoding="utf-8")
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
