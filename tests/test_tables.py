"""Tables: every format, one schema, byte-identical reruns, and no half-written outputs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from pipeline.output import read_table
from pipeline.output.schema import REPORT_NAME, generated_files
from pipeline.run import RunOptions, run

from .conftest import RAW, SCHEMAS, identity_factory
from .conftest import write_records as write_tables


@pytest.fixture(scope="module")
def tables() -> dict[str, list[dict]]:
    return run(RunOptions(RAW, corrector=identity_factory)).records()


def test_every_table_in_every_format(tmp_path: Path, tables: dict) -> None:
    out = tmp_path / "clean"
    write_tables(out, tables)
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(set(generated_files()) - {REPORT_NAME})  # no report asked for
    for schema in SCHEMAS:
        parquet = read_table(out, schema.name)
        csv = pd.read_csv(out / f"{schema.name}.csv")
        assert list(parquet.columns) == schema.names == list(csv.columns)
        assert len(parquet) == len(csv) == len(tables[schema.name])


def test_sqlite_holds_every_table_with_its_primary_key(tmp_path: Path, tables: dict) -> None:
    write_tables(tmp_path / "clean", tables)
    with sqlite3.connect(tmp_path / "clean" / "caseclean.sqlite") as db:
        for schema in SCHEMAS:
            count = db.execute(f'SELECT count(*) FROM "{schema.name}"').fetchone()[0]
            assert count == len(tables[schema.name])
            info = db.execute(f'PRAGMA table_info("{schema.name}")').fetchall()
            keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
            assert tuple(keys) == schema.primary_key


def test_two_writes_are_byte_identical(tmp_path: Path, tables: dict) -> None:
    write_tables(tmp_path / "a", tables)
    write_tables(tmp_path / "b", tables)
    for name in (p.name for p in (tmp_path / "a").iterdir()):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_failed_write_leaves_the_previous_outputs(tmp_path: Path, tables: dict) -> None:
    out = tmp_path / "clean"
    write_tables(out, tables)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = dict(tables, cases=[{"case_id": object()}])  # not a string: pyarrow refuses it
    with pytest.raises(Exception):  # noqa: B017 - any failure must leave outputs whole
        write_tables(out, broken)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["clean"]


def test_files_a_run_does_not_own_survive_a_rerun(tmp_path: Path, tables: dict) -> None:
    out = tmp_path / "clean"
    write_tables(out, tables)
    (out / "decisions.jsonl").write_text("{}\n")
    write_tables(out, tables)
    assert (out / "decisions.jsonl").read_text() == "{}\n"


def test_datapackage_validates_with_frictionless(tmp_path: Path, tables: dict) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    write_tables(tmp_path / "clean", tables)
    report = frictionless.validate(str(tmp_path / "clean" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
