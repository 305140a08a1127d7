"""Hostile input: nothing crashes, memory and time stay bounded, every file is accounted for.

One archive holds every kind of bad file a scraped archive has been seen to hold; the run
must finish (exit 0), write one ``cases`` or ``errors`` row per page and list the rest as
skipped. The bounds (five minutes, 2 GB) are the issue's safety limits, not speed figures.
"""

from __future__ import annotations

import gzip
import os
import random
import resource
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct import clean_text
from pipeline.edits import apply_edits, rebuild_raw
from pipeline.read.ingest import PageError, read_page
from pipeline.rules import load_rules

from .conftest import REPO, SAMPLE

LIMITS = load_rules().limits


def hostile_archive(root: Path) -> dict[str, str]:
    """Write the hostile files; returns each page's expected stage of failure ("" = a case)."""
    root.mkdir()
    rng = random.Random(7)
    pages = {
        "one-megabyte-word.txt": ("Final Diagnosis\n\n" + "x" * 1_000_000 + "\n", ""),
        "twenty-megabytes.txt": ("word " * 4_000_000, "ingest"),
        "deep.html": ("<div>" * 50_000 + "x" + "</div>" * 50_000, "ingest"),
        "utf16.txt": (SAMPLE.read_text(encoding="utf-8"), ""),
    }
    for name, (text, _) in pages.items():
        data = text.encode("utf-16") if name == "utf16.txt" else text.encode()
        (root / name).write_bytes(data)
    bomb = gzip.compress(b"\0" * 100_000_000, compresslevel=9)
    (root / "bomb.txt.gz").write_bytes(bomb)
    (root / "random.html").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (root / "truncated.txt.gz").write_bytes(gzip.compress(b"Final Diagnosis\n\nx\n" * 50)[:30])
    (root / "nul.txt").write_bytes(b"Final Diagnosis\n\x00\x00\x00 text\n")
    (root / "invalid-utf8.txt").write_bytes(b"Final Diagnosis\n\n\xff\xfe\xfa broken \xc3(\n")
    latin1 = os.fsdecode(b"caf\xe9-case.txt")
    (root / latin1).write_bytes(SAMPLE.read_bytes())
    (root / "notes.docx").write_bytes(b"PK\x03\x04")
    expected = {name: stage for name, (_, stage) in pages.items()}
    expected.update(
        {
            "bomb.txt.gz": "ingest",
            "random.html": "ingest",
            "truncated.txt.gz": "ingest",
            "nul.txt": "ingest",
            "invalid-utf8.txt": "",
            "caf\\xe9-case.txt": "",
        }
    )
    return expected


@pytest.mark.slow
def test_a_folder_of_hostile_files_finishes_bounded_and_accounted(tmp_path: Path) -> None:
    expected = hostile_archive(tmp_path / "raw")
    out = tmp_path / "out"
    env = {**os.environ, "CASECLEAN_NO_PROGRESS": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", str(tmp_path / "raw"), "--out", str(out)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kb < 2 * 1024 * 1024, f"peak RSS {peak_kb // 1024} MB"
    cases = pd.read_parquet(out / "cases.parquet")
    errors = pd.read_parquet(out / "errors.parquet")
    accounted = {
        **dict.fromkeys(cases.case_id, ""),
        **dict(zip(errors.case_id, errors.stage, strict=True)),
    }
    assert accounted == expected
    assert "skipped: notes.docx" in done.stdout
    limits = dict(zip(errors.case_id, errors.error, strict=True))
    assert limits["bomb.txt.gz"] == "max-page-bytes"
    assert limits["deep.html"] == "max-html-depth"
    assert limits["twenty-megabytes.txt"] == "max-page-chars"


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), gz=st.booleans(), html=st.booleans())
def test_ingest_of_arbitrary_bytes_gives_a_page_or_a_page_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, gz: bool, html: bool
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    path = root / ("p.html" if html else "p.txt")
    if gz:
        path = path.with_name(path.name + ".gz")
    path.write_bytes(data)
    try:
        page = read_page(path, root, LIMITS)
    except PageError:
        return
    assert isinstance(page.text, str)


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=400))
def test_clean_text_of_arbitrary_unicode_keeps_its_invariants(text: str) -> None:
    result = clean_text(text)
    assert apply_edits(text, result.edits) == result.text
    assert rebuild_raw(result.text, result.edits) == text
    assert clean_text(result.text).text == result.text  # idempotent
