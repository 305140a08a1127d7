"""Tables: every format, one schema, byte-identical reruns, and no half-written outputs."""

from __future__ import annotations

import json
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


def test_sqlite_has_foreign_keys_and_a_full_text_index(tmp_path: Path, tables: dict) -> None:
    write_tables(tmp_path / "clean", tables)
    with sqlite3.connect(tmp_path / "clean" / "caseclean.sqlite") as db:
        for name in ("sections", "corrections"):
            keys = db.execute(f'PRAGMA foreign_key_list("{name}")').fetchall()
            assert [(k[2], k[3], k[4]) for k in keys] == [("cases", "case_id", "case_id")]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        found = db.execute(
            "SELECT DISTINCT s.case_id FROM sections s JOIN sections_fts f ON f.rowid = s.rowid "
            "WHERE sections_fts MATCH 'pneumothorax'"
        ).fetchall()
        assert found and all("pneumothorax" in cid for (cid,) in found)


def test_the_datapackage_and_datasettes_metadata_come_from_one_schema(
    tmp_path: Path, tables: dict
) -> None:
    out = tmp_path / "clean"
    write_tables(out, tables)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    described = metadata["databases"]["caseclean"]["tables"]
    for schema, resource in zip(SCHEMAS, package["resources"], strict=True):
        assert [f["name"] for f in resource["schema"]["fields"]] == schema.names
        assert list(described[schema.name]["columns"]) == schema.names
        for field in resource["schema"]["fields"]:
            assert described[schema.name]["columns"][field["name"]].startswith(field["description"])
    by_name = {r["name"]: r["schema"] for r in package["resources"]}
    reference = {"resource": "cases", "fields": ["case_id"]}
    for name in ("sections", "corrections"):
        assert by_name[name]["foreignKeys"] == [{"fields": ["case_id"], "reference": reference}]
    fields = {f["name"]: f for f in by_name["cases"]["fields"]}
    assert fields["status"]["constraints"]["enum"] == ["ok", "warning", "error"]
    assert "Chest" in fields["body_system"]["constraints"]["enum"]
    assert described["sections"]["fts_table"] == "sections_fts"
    assert {k: metadata[k] for k in ("license", "source")} == {"license": "", "source": ""}


def test_a_run_keeps_the_licence_and_source_the_user_filled(tmp_path: Path, tables: dict) -> None:
    out = tmp_path / "clean"
    write_tables(out, tables)
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    metadata.update(license="CC BY 4.0", source="Teaching archive of a hospital")
    (out / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    write_tables(out, tables)
    again = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert again["license"] == "CC BY 4.0" and again["source"] == metadata["source"]
    assert again["databases"] == metadata["databases"]
    (out / "metadata.json").write_text("not json", encoding="utf-8")
    write_tables(out, tables)
    assert json.loads((out / "metadata.json").read_text(encoding="utf-8"))["license"] == ""


def test_frictionless_checks_the_foreign_keys(tmp_path: Path, tables: dict) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    orphan = dict(tables["sections"][0], case_id="no-such-case.txt")
    write_tables(tmp_path / "clean", dict(tables, sections=[*tables["sections"], orphan]))
    report = frictionless.validate(str(tmp_path / "clean" / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def test_load_tables_gives_every_table_with_its_columns(tmp_path: Path, tables: dict) -> None:
    import pipeline

    write_tables(tmp_path / "clean", tables)
    loaded = pipeline.load_tables(tmp_path / "clean")
    assert list(loaded) == [s.name for s in SCHEMAS]
    for schema in SCHEMAS:
        assert list(loaded[schema.name].columns) == schema.names
        assert len(loaded[schema.name]) == len(tables[schema.name])
    assert isinstance(loaded["cases"]["modalities"].iloc[0].tolist(), list)


def test_body_system_is_canonical_and_keeps_the_pages_spelling(tables: dict) -> None:
    by_id = {c["case_id"]: c for c in tables["cases"]}
    sample = by_id["case-extramedullary-hematopoiesis.txt"]
    assert sample["body_system_raw"] == "Muskuloskeletal System"
    assert sample["body_system"] is None  # no corrector here: the misspelling is unknown
    assert by_id["text/case-pneumothorax.txt.gz"]["body_system"] == "Chest"
