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
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

Row = dict[str, Any]


def _as_pandas(rows: list[Row], table: pa.Table) -> None:
    """Give empty cells of text and number columns pandas's NaN, in place (Arrow says None)."""
    import pyarrow.types as types

    for field in table.schema:
        kind, name = field.type, field.name
        if not table.column(name).null_count:
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
    _as_pandas(rows, table)
    return rows


def read_rows(out_dir: Path, name: str) -> list[Row]:
    """The rows of one table of a finished run, from the Parquet file ``read_table`` reads."""
    import pyarrow.parquet as pq

    path = Path(out_dir) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"no {name} table in {out_dir}: run `caseclean run` first")
    return table_rows(pq.read_table(path))
