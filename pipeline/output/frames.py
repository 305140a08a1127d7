"""Tables as pandas DataFrames: for readers of a finished run (review, eval, the API).

Kept apart from the writers so no step of a run forks its workers with pandas loaded: each
would hold a copy of it in its resident memory for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from pipeline.output.schema import TableSchema


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


def read_table(out_dir: Path, name: str) -> pd.DataFrame:
    """Read one table of a finished run (from Parquet)."""
    path = Path(out_dir) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"no {name} table in {out_dir}: run `caseclean run` first")
    return pq.read_table(path).to_pandas()


__all__ = ["frame", "read_table"]
