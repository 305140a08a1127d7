"""Shared fixtures: the repo's sample archive, the dev data beside the clone, a no-op corrector."""

from __future__ import annotations

import dataclasses
import gzip
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings

from pipeline.edits import Edit
from pipeline.output.tables import CASES, CORRECTIONS, ERRORS, SECTIONS, write_tables
from pipeline.rules import Rules, load_rules
from pipeline.run.engine import RunOptions, run

# A loaded CI machine must not turn a slow example into a failure: no per-example deadline.
settings.register_profile("caseclean", deadline=None)
settings.load_profile("caseclean")

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "data" / "raw"
SAMPLE = RAW / "case-extramedullary-hematopoiesis.txt"
DEV = REPO.parent / "shared" / "dev"


@dataclass
class Unchanged:
    """A corrector that changes nothing: isolates parsing from the spelling passes."""

    text: str
    edits: list[Edit] = field(default_factory=list)


class IdentityCorrector:
    def clean(
        self, text: str, *, protected: Iterable[str] = (), section: str | None = None
    ) -> Unchanged:
        return Unchanged(text)


def identity_factory(rules_dir: Path | None, archive_texts: list[str]) -> IdentityCorrector:
    """Module-level, so worker processes can unpickle it."""
    return IdentityCorrector()


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules()


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    if not (DEV / "gold.jsonl").exists():
        pytest.skip(f"development data not found at {DEV} (it lies beside the clone in CI)")
    return DEV


# The small archive of the review, report, diff and browser tests: the sample page, a gzipped
# page, a hostile page sharing typos with both, and a broken file.
SAMPLE_CASE = SAMPLE.name
SCRIPT_CASE = "case-script.txt"
SCRIPT_PAGE = """A <script>alert(1)</script> case of hematopoiesis



Doctor's Information

Name : Mallory
Family :Injecter
Affiliation : Radiologist,Example Hospital
Academic Degree: MD
Email : mallory@example.org


Patient's Information

Gender : Female
Age : 31


Case Section

Chest


Clinical Summary

A 31 years old woman with sever pain, shortness of breth and a hemolltic crisis, \
<img src=x onerror=alert(1)> and ortensive marrow.



Imaging Procedures and Findings

CT shows a paravertebral mass "><script>alert(2)</script> with fat.



Final Diagnosis

extramedullary hematopoiesis
"""


def make_archive(root: Path) -> Path:
    """Three pages: the sample, a gzipped one, and a hostile one sharing typos with both."""
    raw = root / "raw"
    raw.mkdir(parents=True)
    shutil.copy(SAMPLE, raw / SAMPLE_CASE)
    (raw / "text").mkdir()
    shutil.copy(
        RAW / "text" / "case-pneumothorax.txt.gz", raw / "text" / "case-pneumothorax.txt.gz"
    )
    (raw / SCRIPT_CASE).write_text(SCRIPT_PAGE, encoding="utf-8")
    (raw / "broken.txt.gz").write_bytes(gzip.compress(b"x" * 100)[:20])
    return raw


def run_archive(raw: Path, out: Path, rules_dir: Path | None = None) -> None:
    """A run written to ``out``, as ``caseclean run`` writes it (decisions aside)."""
    result = run(RunOptions(raw, rules_dir=rules_dir))
    tables = {
        CASES.name: result.cases,
        SECTIONS.name: result.sections,
        CORRECTIONS.name: result.corrections,
        ERRORS.name: result.errors,
    }
    write_tables(out, tables)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run of the small archive. Read only: copy it before deciding or writing."""
    root = tmp_path_factory.mktemp("review-run")
    run_archive(make_archive(root), root / "out")
    return root / "out"


needs_engine_wiring = pytest.mark.skipif(
    "decisions" not in {f.name for f in dataclasses.fields(RunOptions)},
    reason="engine does not honour decisions yet: RunOptions.decisions and the "
    "honour_section call in engine.build_rows are not wired in (issue 5)",
)
