"""The table sink: a run's rows go to disk as pages finish, so memory does not grow with the
archive.

Rows arrive in case order and are held per table until ``batch_rows`` of them are waiting;
then they are written at once in every format: a Parquet row group, CSV lines appended, one
``executemany`` into SQLite. Batches are cut by row counts alone, so the same input gives
the same files whatever the number of workers. The full-text index is built when the sink
closes.

Without SQLite (``sqlite=False``, for runs past one machine) each table's Parquet is a
partitioned dataset instead: a folder ``<table>.parquet/`` of one file per batch, in case
order, which pandas, pyarrow, Dask and DuckDB read as one table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.output.formats import (
    array_cells,
    create_table,
    csv_of,
    full_text_index,
    sqlite_of,
    typed_columns,
)
from pipeline.output.publish import FTS_COLUMNS
from pipeline.output.schema import SQLITE_NAME, TableSchema

if TYPE_CHECKING:
    from pipeline.output.parquet import ParquetTable


class TableSink:
    """Writes every table of a run into ``folder`` in batches of ``batch_rows`` rows."""

    def __init__(
        self,
        folder: Path,
        schemas: Sequence[TableSchema],
        batch_rows: int,
        *,
        sqlite: bool = True,
    ) -> None:
        self.folder = Path(folder)
        self.schemas = {s.name: s for s in schemas}
        self.batch_rows = batch_rows
        self.counts = dict.fromkeys(self.schemas, 0)
        self._waiting: dict[str, list[Mapping[str, Any]]] = {name: [] for name in self.schemas}
        self._parquet: dict[str, ParquetTable] = {}
        self._csv = {
            name: (self.folder / f"{name}.csv").open("w", encoding="utf-8", newline="")
            for name in self.schemas
        }
        for name, schema in self.schemas.items():
            self._csv[name].write(",".join(schema.names) + "\n")
        self._db = sqlite3.connect(self.folder / SQLITE_NAME) if sqlite else None
        for schema in self.schemas.values() if self._db is not None else ():
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
        columns = typed_columns(schema, waiting)
        self._parquet_of(table).write(columns)
        arrays = array_cells(schema, columns)
        self._csv[table].write(csv_of(schema, columns, arrays))
        if self._db is not None:
            marks = ", ".join("?" for _ in schema.columns)
            rows = sqlite_of(schema, columns, arrays)
            self._db.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
        self.counts[table] += len(waiting)
        self._waiting[table] = []

    def _parquet_of(self, table: str) -> ParquetTable:
        """The table's Parquet output, opened on its first batch: pyarrow is imported then,
        after a run's workers have forked (see :mod:`pipeline.output.parquet`)."""
        found = self._parquet.get(table)
        if found is None:
            from pipeline.output.parquet import ParquetTable

            dataset = self._db is None
            found = ParquetTable(self.folder, self.schemas[table], dataset=dataset)
            self._parquet[table] = found
        return found

    def close(self) -> None:
        """Write what waits, build the full-text index, and close every file."""
        try:
            for table in self.schemas:
                self._flush(table)
                self._parquet_of(table).close()
            if self._db is not None:
                for table, columns in FTS_COLUMNS.items():
                    if table in self.schemas:
                        full_text_index(self._db, table, columns)
                self._db.commit()
        finally:
            self.abort()

    def abort(self) -> None:
        """Close every file without finishing (the staging folder is thrown away)."""
        for parquet in self._parquet.values():
            parquet.abort()
        for handle in self._csv.values():
            handle.close()
        if self._db is not None:
            self._db.close()
