"""Output: the tables' schema, the typed rows, and the writers of every format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.output.schema import TABLE_NAMES
from pipeline.output.writers import read_table, write_tables


def load_tables(out_dir: Path | str) -> dict[str, pd.DataFrame]:
    """The tables of a finished run, by name, as pandas DataFrames."""
    return {name: read_table(Path(out_dir), name) for name in TABLE_NAMES}


__all__ = ["load_tables", "read_table", "write_tables"]
