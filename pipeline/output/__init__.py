"""Output: the tables' schema, the typed rows, and the writers of every format.

The readers need pandas and the Parquet writer pyarrow (most of a second to import), so they
are imported when first asked for: a run loads them only once its last workers have forked,
and a command that only reads the schema loads neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def load_tables(out_dir: Path | str) -> dict[str, pd.DataFrame]:
    """The tables of a finished run, by name, as pandas DataFrames."""
    from pipeline.output.frames import read_table
    from pipeline.output.schema import TABLE_NAMES

    return {name: read_table(Path(out_dir), name) for name in TABLE_NAMES}


def __getattr__(name: str) -> Any:
    """``read_table`` (from the frames) and ``write_tables`` (the writers), on first use."""
    if name == "read_table":
        from pipeline.output.frames import read_table

        return read_table
    if name == "write_tables":
        from pipeline.output.writers import write_tables

        return write_tables
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["load_tables", "read_table", "write_tables"]
