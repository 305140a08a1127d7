"""Output: the tables' schema, the typed rows, and the writers of every format.

The writers need pandas and pyarrow (most of a second to import), so they are imported when
first asked for: a run that finds itself up to date, or a command that only reads the schema,
never loads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def load_tables(out_dir: Path | str) -> dict[str, pd.DataFrame]:
    """The tables of a finished run, by name, as pandas DataFrames."""
    from pipeline.output.schema import TABLE_NAMES
    from pipeline.output.writers import read_table

    return {name: read_table(Path(out_dir), name) for name in TABLE_NAMES}


def __getattr__(name: str) -> Any:
    """``read_table`` and ``write_tables``, from the writers, on first use."""
    if name in ("read_table", "write_tables"):
        from pipeline.output import writers

        return getattr(writers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["load_tables", "read_table", "write_tables"]
