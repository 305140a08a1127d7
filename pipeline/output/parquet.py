"""A table's rows as Arrow, written as Parquet: a file of row groups, or a dataset folder.

The sink imports this module when it first writes, which in a run is after the correcting
step's workers have forked: they never hold pyarrow, nor the pandas it loads to check what it
converts, for nothing (about 40 MB of each worker's resident memory, measured).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.output.schema import TableSchema

_ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "array": pa.list_(pa.string()),
}


def arrow_schema(schema: TableSchema) -> pa.Schema:
    """The Arrow (Parquet) schema of a table: its columns' types and nullability."""
    return pa.schema(
        [pa.field(c.name, _ARROW[c.type], nullable=not c.required) for c in schema.columns]
    )


def arrow_of(schema: TableSchema, columns: Mapping[str, list[Any]]) -> pa.Table:
    """Typed columns as an Arrow table of the schema (nulls as nulls)."""
    return pa.Table.from_pydict(dict(columns), schema=arrow_schema(schema))


class ParquetTable:
    """One table's Parquet output: a row group per batch in ``<table>.parquet``, or with
    ``dataset`` one file per batch in the folder ``<table>.parquet/``."""

    def __init__(self, folder: Path, schema: TableSchema, *, dataset: bool) -> None:
        self.schema = schema
        self.path = Path(folder) / f"{schema.name}.parquet"
        self.parts = 0
        self._writer: pq.ParquetWriter | None = None
        if not dataset:
            self._writer = pq.ParquetWriter(self.path, arrow_schema(schema))
        else:
            self.path.mkdir()

    def write(self, columns: Mapping[str, list[Any]]) -> None:
        """One batch of typed columns."""
        data = arrow_of(self.schema, columns)
        if self._writer is not None:
            self._writer.write_table(data)
        else:
            pq.write_table(data, self.path / f"part-{self.parts:05d}.parquet")
        self.parts += 1

    def close(self) -> None:
        """Finish the file (a dataset with no batch gets one empty part, so it has a schema)."""
        if self._writer is None and not self.parts:
            self.write({c.name: [] for c in self.schema.columns})
        self.abort()

    def abort(self) -> None:
        """Close the file as it is (the staging folder it is in is thrown away)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
