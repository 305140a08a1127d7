"""End to end: the ``caseclean`` command as a user runs it."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.output.schema import CACHE_NAME, generated_files
from pipeline.rules import load_rules

from .conftest import RAW


def caseclean(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("run") / "clean"
    done = caseclean("run", str(RAW), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_run_writes_every_output_and_a_summary(sample_run: tuple[Path, str]) -> None:
    out, stdout = sample_run
    assert sorted(p.name for p in out.iterdir()) == sorted([*generated_files(), CACHE_NAME])
    for line in ("pages", "ok", "warnings", "errors", "corrections applied", "suggestions"):
        assert f"  {line} " in stdout
    assert "error: broken/truncated.html.gz: ingest" in stdout


def test_run_output_tables_agree(sample_run: tuple[Path, str]) -> None:
    out, _ = sample_run
    cases = pd.read_parquet(out / "cases.parquet")
    corrections = pd.read_parquet(out / "corrections.parquet")
    sections = pd.read_parquet(out / "sections.parquet")
    assert len(cases) == 5
    applied = corrections[corrections["applied"]].groupby("case_id").size()
    for case in cases.itertuples():
        assert case.n_edits_applied == applied.get(case.case_id, 0)
    assert (sections["raw_text"] != sections["clean_text"]).sum() > 0
    sample = cases.set_index("case_id").loc["case-extramedullary-hematopoiesis.txt"]
    assert (sample.body_system, sample.body_system_raw) == (
        "Musculoskeletal",
        "Muskuloskeletal System",
    )
    below = load_rules().review.applied_below
    waiting = ~corrections["proposed"] | (corrections["confidence"] < below)
    assert (corrections["to_review"] == waiting).all() and waiting.any()
    assert (corrections["proposed_replacement"] == corrections["replacement"]).all()


def test_no_progress_bar_when_not_a_terminal(sample_run: tuple[Path, str]) -> None:
    _, stdout = sample_run
    assert "\r" not in stdout and "━" not in stdout


def test_strict_makes_a_bad_page_fail(tmp_path: Path) -> None:
    done = caseclean("run", str(RAW), "--out", str(tmp_path / "out"), "--strict")
    assert done.returncode == 1
    assert (tmp_path / "out" / "cases.parquet").exists()


def test_a_missing_archive_is_a_clear_error(tmp_path: Path) -> None:
    done = caseclean("run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "archive folder not found" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "extra",
    [[], ["--workers", "2"], ["--engine", "dask", "--workers", "2"]],
    ids=["same", "two-workers", "dask"],
)
def test_reruns_are_byte_identical(
    sample_run: tuple[Path, str], tmp_path: Path, extra: list[str]
) -> None:
    out, _ = sample_run
    again = tmp_path / "again"
    assert caseclean("run", str(RAW), "--out", str(again), *extra).returncode == 0
    for name in generated_files():
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_clean_text_reads_stdin_and_explains_on_stderr() -> None:
    done = caseclean("clean-text", "--explain", stdin="A man with sever anemia and hematopoesis.\n")
    assert done.returncode == 0
    assert done.stdout == "A man with severe anemia and hematopoiesis.\n"
    edits = [json.loads(line) for line in done.stderr.splitlines()]
    assert {(e["original"], e["replacement"]) for e in edits if e["applied"]} == {
        ("sever", "severe"),
        ("hematopoesis", "hematopoiesis"),
    }


def test_sqlite_opens_in_datasette(sample_run: tuple[Path, str]) -> None:
    datasette = pytest.importorskip("datasette.app", reason="datasette is a dev extra")
    out, _ = sample_run

    async def fetch() -> list[dict]:
        ds = datasette.Datasette(files=[str(out / "caseclean.sqlite")])
        response = await ds.client.get("/caseclean/cases.json?_shape=array")
        assert response.status_code == 200
        return response.json()

    rows = asyncio.run(fetch())
    assert {r["case_id"] for r in rows} >= {"case-extramedullary-hematopoiesis.txt"}


def test_datasette_serves_the_descriptions_and_searches_the_text(
    sample_run: tuple[Path, str],
) -> None:
    """As ``datasette caseclean.sqlite -m metadata.json`` serves it."""
    datasette = pytest.importorskip("datasette.app", reason="datasette is a dev extra")
    from datasette.cli import parse_metadata

    out, _ = sample_run
    metadata = parse_metadata((out / "metadata.json").read_text(encoding="utf-8"))
    description = metadata["databases"]["caseclean"]["tables"]["corrections"]["columns"]["rule"]

    async def fetch() -> tuple[str, list[dict], dict]:
        ds = datasette.Datasette(files=[str(out / "caseclean.sqlite")], metadata=metadata)
        page = await ds.client.get("/caseclean/corrections")
        found = await ds.client.get("/caseclean/sections.json?_search=hematopoiesis&_shape=array")
        served = await ds.client.get("/-/metadata.json")
        assert page.status_code == found.status_code == served.status_code == 200
        return page.text, found.json(), served.json()

    page, found, served = asyncio.run(fetch())
    assert description in page.replace("&#39;", "'")
    assert served["databases"]["caseclean"]["tables"]["cases"]["title"] == "One row per case page"
    assert found and all("hematopoiesis" in r["clean_text"].lower() for r in found)
    assert {r["case_id"] for r in found} >= {"case-extramedullary-hematopoiesis.txt"}


def test_the_datapackage_says_what_made_the_tables(sample_run: tuple[Path, str]) -> None:
    from pipeline import __version__

    out, _ = sample_run
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    provenance = package["provenance"]
    assert provenance["caseclean_version"] == __version__
    assert provenance["rules_fingerprint"] == load_rules().digest
    assert len(provenance["input_fingerprint"]) == 64


def test_a_relative_and_an_absolute_archive_give_the_same_bytes(
    sample_run: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = sample_run
    relative = tmp_path / "relative"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", "raw", "--out", str(relative)],
        cwd=RAW.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    for name in generated_files():
        assert (out / name).read_bytes() == (relative / name).read_bytes(), name
    cases = pd.read_csv(relative / "cases.csv")
    assert (cases["source_path"] == cases["case_id"]).all()


@pytest.mark.slow
def test_eval_gold_on_the_dev_archive(dev_dir: Path) -> None:
    done = caseclean(
        "eval", "--gold", str(dev_dir / "gold.jsonl"), "--archive", str(dev_dir / "archive")
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for field in (
        "patient_gender",
        "patient_age_years",
        "author_name",
        "resident_name",
        "author_affiliation",
    ):
        rate = next(line for line in lines if line.strip().startswith(field + " "))
        assert float(rate.split()[1].rstrip("%")) >= 99.0, rate
    assert "boilerplate leaked: 0" in done.stdout
    assert "protected words changed: 0" in done.stdout
    assert "right status: 362/362" in done.stdout
    found = next(line for line in lines if line.startswith("sections found:"))
    expected_found, spurious = found.split()[2], found.split()[4]
    assert expected_found.split("/")[0] == expected_found.split("/")[1]
    assert spurious == "0"


def test_datapackage_of_a_real_run_validates(sample_run: tuple[Path, str]) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    out, _ = sample_run
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_process_page_api_gives_the_rows_of_one_page() -> None:
    import pipeline

    rows = pipeline.process_page(RAW / "case-extramedullary-hematopoiesis.txt", RAW)
    assert rows.case is not None
    assert rows.case.case_id == "case-extramedullary-hematopoiesis.txt"
    assert rows.case.fields["author_name"] == "Sharam Kahkoueei"
    assert rows.case.n_edits_applied == sum(c.change.applied for c in rows.corrections)
    assert pipeline.process_page(RAW / "broken" / "truncated.html.gz", RAW).errors
    no_headings = pipeline.process_page(RAW / "broken" / "missing-case.txt", RAW)
    assert no_headings.case is not None and no_headings.case.status == "warning"


def test_mistakes_are_one_line_errors_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    from pipeline.cli import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "noisy": "x", "clean": "x"}\nnot json\n', encoding="utf-8")
    assert main(["eval", "--pairs", str(bad)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"caseclean: {bad}:2: not a JSON object (Expecting value)"
    )
    with pytest.raises(SystemExit) as usage:
        main(["eval", "--pairs", str(bad), "--folds", "1"])
    assert usage.value.code == 2
    assert "1 folds: at least 2 are needed" in capsys.readouterr().err
    out = tmp_path / "out"
    assert main(["run", str(RAW), "--out", str(out)]) == 0
    capsys.readouterr()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["review", "--out", str(out), "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and f"port {port}" in err


def test_inspect_shows_headings_chrome_profiles_and_bare_pages(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    for i in range(5):  # chrome on half the pages of a small archive is learnt and listed
        (raw / f"report-{i}.txt").write_text(
            f"CT report {i}\nVisit our PACS portal\n"
            f"HISTORY: Cough {i}.\nFINDINGS: A nodule.\nIMPRESSION: Granuloma {i}.\n",
            encoding="utf-8",
        )
    done = caseclean("inspect", str(raw))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"caseclean inspect {raw}: 11 pages, 1 errors" in out
    assert "Radiology Teaching Archive (the sample layout)" in out
    assert re.search(r"^\s+4\s+Final Diagnosis\s+diagnosis$", out, re.MULTILINE)
    assert re.search(r"^\s+5\s+IMPRESSION\s+diagnosis$", out, re.MULTILINE)
    assert re.search(r"^\s+1\s+Imaging Findings\s+findings$", out, re.MULTILINE)
    assert "learned chrome lines (1):\n  'Visit our PACS portal'" in out
    assert "pages without a known section (1):\n  broken/missing-case.txt  (body)" in out
    assert "broken/truncated.html.gz  ingest" in out


def test_inspect_marks_unmapped_headings_and_refuses_a_missing_folder(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.html").write_text(
        "<html><body><h1>T</h1><h2>Case report</h2><p>x</p><h2>Ethics</h2><p>y</p></body></html>",
        encoding="utf-8",
    )
    out = caseclean("inspect", str(raw)).stdout
    assert re.search(r"^\s+1\s+Ethics\s+\* other:ethics$", out, re.MULTILINE)
    assert re.search(r"^\s+1\s+Case report\s+clinical_summary$", out, re.MULTILINE)
    missing = caseclean("inspect", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "archive folder not found" in missing.stderr


def test_the_progress_bar_names_each_stage_with_its_rate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from types import SimpleNamespace

    from pipeline.progress import RateColumn, progress_bar

    rate = RateColumn()
    assert rate.render(SimpleNamespace(finished_speed=None, speed=151.4)).plain == "151 pages/s"
    assert rate.render(SimpleNamespace(finished_speed=None, speed=None)).plain == ""
    with progress_bar(True) as update:
        for done in range(1, 4):
            update("reading pages", done, 3)
        update("building the corrector", 1, 1)
    with progress_bar(False) as quiet:
        quiet("reading pages", 1, 1)
    assert capsys.readouterr().out == ""


def test_without_sqlite_each_table_is_a_partitioned_parquet_dataset(
    sample_run: tuple[Path, str], tmp_path: Path
) -> None:
    import pipeline

    rules = tmp_path / "rules"
    shutil.copytree(RAW.parent.parent / "rules", rules)
    limits = (rules / "limits.yaml").read_text(encoding="utf-8")
    small = re.sub(r"write_batch_rows: *\d+", "write_batch_rows: 2", limits)
    (rules / "limits.yaml").write_text(small, encoding="utf-8")
    out = tmp_path / "cluster"
    done = caseclean(
        "run", str(RAW), "--out", str(out), "--rules", str(rules),
        "--engine", "dask", "--workers", "2", "--no-sqlite",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not (out / "caseclean.sqlite").exists()
    assert len(list((out / "sections.parquet").glob("part-*.parquet"))) > 1
    whole, parts = pipeline.load_tables(sample_run[0]), pipeline.load_tables(out)
    for name, table in whole.items():
        pd.testing.assert_frame_equal(parts[name], table)
        assert (out / f"{name}.csv").read_bytes() == (sample_run[0] / f"{name}.csv").read_bytes()
    assert caseclean("clean", "--out", str(out)).returncode == 0
    assert not (out / "sections.parquet").exists()
