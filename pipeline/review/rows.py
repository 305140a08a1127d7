"""A finished run's tables as plain rows, read straight from Arrow for the report and the
terminal diff.

``pipeline.output.read_table(...).to_dict(orient="records")`` gives the same rows but goes
through pandas, which takes most of the report's reading time; these rows hold the values
pandas would give (an empty text or number cell as NaN, a whole number column with empty
cells as floats), so code written for either reads both alike. A list cell is a list here,
an array there.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

Row = dict[str, Any]


def _as_pandas(rows: list[Row], schema: pa.Schema, nullable: set[str]) -> None:
    """Give empty cells of text and number columns pandas's NaN, in place (Arrow says None).

    ``nullable`` names the columns with an empty cell anywhere in the table: pandas holds a
    whole number column with one as floats, so every row of it is a float, batch or not.
    """
    import pyarrow.types as types

    for field in schema:
        kind, name = field.type, field.name
        if name not in nullable:
            continue
        if types.is_integer(kind):  # pandas holds such a column as floats
            for row in rows:
                value = row[name]
                row[name] = math.nan if value is None else float(value)
        elif types.is_string(kind) or types.is_large_string(kind) or types.is_floating(kind):
            for row in rows:
                if row[name] is None:
                    row[name] = math.nan


def table_rows(table: pa.Table) -> list[Row]:
    """An Arrow table's rows as plain dicts, with the values pandas's ``to_dict`` gives.

    >>> import pyarrow as pa
    >>> table_rows(pa.table({"s": ["a", None], "n": [1, None], "b": [True, None]}))
    [{'s': 'a', 'n': 1.0, 'b': True}, {'s': nan, 'n': nan, 'b': None}]
    """
    rows = table.to_pylist()
    _as_pandas(rows, table.schema, {n for n in table.column_names if table.column(n).null_count})
    return rows


def _table_path(out_dir: Path, name: str) -> Path:
    """The Parquet file (or partitioned dataset folder) of one table of a finished run."""
    path = Path(out_dir) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"no {name} table in {out_dir}: run `caseclean run` first")
    return path


def read_rows(out_dir: Path, name: str) -> list[Row]:
    """The rows of one table of a finished run, from the Parquet file ``read_table`` reads."""
    import pyarrow.parquet as pq

    return table_rows(pq.read_table(_table_path(out_dir, name)))


BATCH_ROWS = 2048
"""Rows read at a time by :func:`row_batches`: a few megabytes of sections at most."""


def _files(out_dir: Path, name: str) -> list[pq.ParquetFile]:
    """The Parquet files of one table, in the order ``read_table`` reads them (one file, or
    the parts of a partitioned dataset)."""
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    return [
        pq.ParquetFile(f) for f in ds.dataset(_table_path(out_dir, name), format="parquet").files
    ]


def _nullable(files: Sequence[pq.ParquetFile], names: Sequence[str]) -> set[str]:
    """The columns among ``names`` with an empty cell anywhere in the table: from the
    Parquet statistics of every row group, or by counting where a file has none. Only flat
    columns are asked about: a list cell stays a list or None either way."""
    import pyarrow.compute as pc

    found: set[str] = set()
    for file in files:
        metadata = file.metadata
        leaves = {metadata.schema.column(i).path: i for i in range(metadata.num_columns)}
        for name in [n for n in names if n in leaves and n not in found]:
            groups = range(metadata.num_row_groups)
            stats = [metadata.row_group(g).column(leaves[name]).statistics for g in groups]
            if all(s is not None and s.has_null_count for s in stats):
                nulls = sum(s.null_count for s in stats)
            else:
                column = file.read(columns=[name]).column(name)
                nulls = pc.sum(pc.is_null(column)).as_py() or 0
            if nulls:
                found.add(name)
    return found


def row_batches(
    out_dir: Path, name: str, columns: Sequence[str] | None = None, size: int = BATCH_ROWS
) -> Iterator[list[Row]]:
    """The rows of one table of a finished run a batch at a time, in table order, with the
    values :func:`read_rows` gives: a table of any size is read in bounded memory.

    ``columns`` picks columns (those the table has; None for all).
    """
    files = _files(out_dir, name)
    schema = files[0].schema_arrow
    names = [c for c in columns if c in schema.names] if columns else schema.names
    picked = pa_schema(schema, names)
    nullable = _nullable(files, names)
    for file in files:
        for batch in file.iter_batches(batch_size=size, columns=names, use_threads=False):
            rows = batch.to_pylist()
            _as_pandas(rows, picked, nullable)
            yield rows


def pa_schema(schema: pa.Schema, names: Sequence[str]) -> pa.Schema:
    """The part of ``schema`` holding the columns ``names``, in that order."""
    import pyarrow as pa

    return pa.schema([schema.field(n) for n in names])
