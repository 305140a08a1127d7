"""Writers: a run's tables as Parquet, CSV, one SQLite file, a Frictionless datapackage and
Datasette's metadata, written into a staging folder that is swapped in at the end.

The SQLite file has a full-text index over the sections' clean text, which Datasette's search
uses. A killed run leaves the previous outputs whole (see :mod:`pipeline.output.folder`);
nothing in the data depends on the clock, so two runs of the same input give byte-identical
files.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pipeline.output.folder import staging, swap_in, target_of
from pipeline.output.publish import (
    Provenance,
    datapackage,
    datasette_metadata,
    to_json,
    user_fields,
)
from pipeline.output.schema import DATAPACKAGE_NAME, METADATA_NAME, TableSchema, generated_files
from pipeline.output.sink import TableSink

_ONE_BATCH = 1 << 60  # write_tables holds every row already
R = TypeVar("R")


def _write_descriptions(
    out_dir: Path, tmp: Path, schemas: Sequence[TableSchema], provenance: Provenance | None
) -> None:
    """``datapackage.json`` and Datasette's ``metadata.json``, keeping what the user filled
    in the folder's ``metadata.json``."""
    kept = user_fields(target_of(out_dir) / METADATA_NAME)
    (tmp / DATAPACKAGE_NAME).write_text(to_json(datapackage(schemas, provenance)), "utf-8")
    (tmp / METADATA_NAME).write_text(to_json(datasette_metadata(schemas, kept)), "utf-8")


def write_tables(
    out_dir: Path,
    schemas: Sequence[TableSchema],
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    finish: Callable[[Path], None] | None = None,
    provenance: Provenance | None = None,
) -> None:
    """Write every table in every format to ``out_dir``, replacing it as a whole at the end.

    ``tables`` holds each table's records by table name. The outputs are written to a staging
    folder and swapped in (see :mod:`pipeline.output.folder`): files in ``out_dir`` that a run
    does not generate (a reviewer's decisions, say) are carried over, and ``finish`` may add
    to the complete new folder (the report) before it replaces the old one. ``provenance``
    goes into ``datapackage.json``.
    """
    tmp = staging(Path(out_dir))
    try:
        sink = TableSink(tmp, schemas, batch_rows=_ONE_BATCH)
        try:
            for schema in schemas:
                sink.add(schema.name, tables.get(schema.name, []))
        except BaseException:
            sink.abort()
            raise
        sink.close()
        finish_folder(out_dir, tmp, schemas, provenance, finish)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def stream_tables(
    out_dir: Path,
    schemas: Sequence[TableSchema],
    batch_rows: int,
    fill: Callable[[TableSink], R],
    provenance_of: Callable[[R], Provenance],
    finish: Callable[[Path], None] | None = None,
    *,
    sqlite: bool = True,
) -> R:
    """Write the tables ``fill`` streams into a sink (rows on disk as they come), then
    describe and swap them in; ``fill``'s result is returned. ``sqlite=False``: no SQLite
    file, and each table's Parquet a partitioned dataset (see :class:`TableSink`)."""
    tmp = staging(Path(out_dir))
    try:
        sink = TableSink(tmp, schemas, batch_rows, sqlite=sqlite)
        try:
            result = fill(sink)
        except BaseException:
            sink.abort()
            raise
        sink.close()
        finish_folder(out_dir, tmp, schemas, provenance_of(result), finish)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return result


def finish_folder(
    out_dir: Path,
    tmp: Path,
    schemas: Sequence[TableSchema],
    provenance: Provenance | None,
    finish: Callable[[Path], None] | None,
) -> None:
    """Describe the tables written into the staging folder ``tmp`` and swap it in."""
    _write_descriptions(out_dir, tmp, schemas, provenance)
    swap_in(tmp, Path(out_dir), generated_files(), finish)


__all__ = ["finish_folder", "stream_tables", "write_tables"]
