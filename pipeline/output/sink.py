"""The table sink: a run's rows go to disk as pages finish, so memory does not grow with the
archive.

Rows arrive in case order and are held per table until ``batch_rows`` of them are waiting;
then they are written at once in every format: a Parquet row group, CSV lines appended, one
``executemany`` into SQLite. Batches are cut by row counts alone, so the same input gives
the same files whatever the number of workers. The full-text index is built when the sink
closes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.output.formats import (
    arrow_schema,
    arrow_table,
    create_table,
    csv_text,
    frame,
    full_text_index,
    sqlite_rows,
)
from pipeline.output.publish import FTS_COLUMNS
from pipeline.output.schema import SQLITE_NAME, TableSchema


class TableSink:
    """Writes every table of a run into ``folder`` in batches of ``batch_rows`` rows."""

    def __init__(self, folder: Path, schemas: Sequence[TableSchema], batch_rows: int) -> None:
        self.folder = Path(folder)
        self.schemas = {s.name: s for s in schemas}
        self.batch_rows = batch_rows
        self.counts = dict.fromkeys(self.schemas, 0)
        self._waiting: dict[str, list[Mapping[str, Any]]] = {name: [] for name in self.schemas}
        self._parquet = {
            name: pq.ParquetWriter(self.folder / f"{name}.parquet", arrow_schema(schema))
            for name, schema in self.schemas.items()
        }
        self._csv = {
            name: (self.folder / f"{name}.csv").open("w", encoding="utf-8", newline="")
            for name in self.schemas
        }
        for name, schema in self.schemas.items():
            self._csv[name].write(",".join(schema.names) + "\n")
        self._db = sqlite3.connect(self.folder / SQLITE_NAME)
        for schema in self.schemas.values():
            self._db.execute(create_table(schema))

    def add(self, table: str, records: Iterable[Mapping[str, Any]]) -> None:
        """Take rows of ``table``; they are written once a batch is full."""
        waiting = self._waiting[table]
        waiting.extend(records)
        if len(waiting) >= self.batch_rows:
            self._flush(table)

    def _flush(self, table: str) -> None:
        waiting = self._waiting[table]
        if not waiting:
            return
        schema = self.schemas[table]
        df = frame(schema, waiting)
        self._parquet[table].write_table(arrow_table(schema, df))
        self._csv[table].write(csv_text(schema, df))
        marks = ", ".join("?" for _ in schema.columns)
        self._db.executemany(f'INSERT INTO "{table}" VALUES ({marks})', sqlite_rows(schema, df))
        self.counts[table] += len(waiting)
        self._waiting[table] = []

    def close(self) -> None:
        """Write what waits, build the full-text index, and close every file."""
        try:
            for table in self.schemas:
                self._flush(table)
            for table, columns in FTS_COLUMNS.items():
                if table in self.schemas:
                    full_text_index(self._db, table, columns)
            self._db.commit()
        finally:
            self.abort()

    def abort(self) -> None:
        """Close every file without finishing (the staging folder is thrown away)."""
        for writer in self._parquet.values():
            writer.close()
        for handle in self._csv.values():
            handle.close()
        self._db.close()
