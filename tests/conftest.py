"""Shared fixtures: the repo's sample archive, the dev data beside the clone, a no-op corrector."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from pipeline.edits import Edit
from pipeline.output import write_tables
from pipeline.output.schema import table_schemas
from pipeline.read.boilerplate import build_document
from pipeline.read.document import Document
from pipeline.read.ingest import Page
from pipeline.read.sections import SectionedPage
from pipeline.read.structure import Structure, read_structure
from pipeline.rules import Rules, load_rules
from pipeline.run import RunOptions, run

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
        self,
        text: str,
        *,
        protected: Iterable[str] = (),
        section: str | None = None,
        counted: object = None,
    ) -> Unchanged:
        return Unchanged(text)


def identity_factory(rules: Rules, archive_texts: Sequence[str]) -> IdentityCorrector:
    """A run's corrector that changes nothing (module-level, so a Dask worker can unpickle)."""
    return IdentityCorrector()


SCHEMAS = table_schemas(load_rules())
"""The tables of a run with the default rules."""


def make_page(text: str, fmt: str = "text", case_id: str = "c.txt") -> Page:
    """A page as ingest would give it, from text in memory."""
    return Page(case_id, case_id, "0" * 64, fmt, text, "utf-8")


def document_of(text: str, rules: Rules, fmt: str = "text") -> Document:
    """A page's document: blocks of its main content, chrome removed."""
    return build_document(make_page(text, fmt), rules)


def structure_of(text: str, rules: Rules, fmt: str = "text", carried: bool = False) -> Structure:
    """A page read through the whole read stage: sections and fields."""
    return read_structure(document_of(text, rules, fmt), rules, carried)


def section_names(sectioned: SectionedPage) -> list[str]:
    return [s.name for s in sectioned.sections]


def section_text(sectioned: SectionedPage, name: str, html: bool = False) -> str | None:
    """The text of the first section of that name (None when the page has none)."""
    section = sectioned.get(name)
    return None if section is None else section.text(html)


def write_records(out: Path, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> None:
    """Write table records by name, as a run with the default rules would."""
    write_tables(out, SCHEMAS, tables)


class FakeLexicon:
    """A tiny stand-in for :class:`pipeline.correct.lexicon.Lexicon`: general frequencies
    plus dictionary-only words (zipf 0 but known), looked up case-insensitively."""

    def __init__(self, zipf: Mapping[str, float], dictionary_only: Iterable[str]) -> None:
        self.zipf_of = dict(zipf)
        self.dictionary_only = frozenset(dictionary_only)

    def known(self, word: str) -> bool:
        low = word.lower()
        return self.zipf_of.get(low, 0.0) >= 1.0 or low in self.dictionary_only

    def zipf(self, word: str) -> float:
        return self.zipf_of.get(word.lower(), 0.0)


# word and general-English zipf, as wordfreq would give them (0 = unknown to it)
_FREQUENCIES = """
    phenomenon 4.3  phenom 2.6  enon 1.5  hematopoiesis 1.7  hema 2.4
    histologically 2.1  cally 2.6  manifestations 3.7  manifesta 1.5  tions 2.2
    destruction 4.2  destruc 0  tion 2.8  well 6.0  non 5.3  specific 5.0  nonspecific 2.4
    and 7.4  or 6.5  to 7.4  partially 4.0  enhancing 3.6  weighted 3.7  images 4.7
    ray 4.3  year 5.9  old 5.7  follow 4.6  up 6.4  followup 2.9  needle 4.0  shaped 4.4
    contrast 4.5  study 5.3  mid 4.8  line 5.5  midline 2.6  with 6.9  in 7.3  within 5.4
    hypo 2.7  hyperintense 1.2  septo 0  optic 3.4  septooptic 1.0  rant 3.7  quad 3.7
    quadrant 3.3  bet 4.8  between 5.9  extensive 4.3  ortensive 0
    demographics 3.6  demogra 0  phics 0  his 6.5  tory 3.9  history 5.4  blow 4.3  out 6.3
    blowout 2.8  esopha 0  gus 3.1  esophagus 2.9  jejuno 0  ileal 1.2  jejunoileal 1.0
"""
_WORDS = _FREQUENCIES.split()
SPLIT_LEXICON = FakeLexicon(
    dict(zip(_WORDS[::2], map(float, _WORDS[1::2]), strict=True)),
    {"marginated", "spherocytosis", "intradural", "extramedullary"},
)
"""The words of the dehyphenation examples, for the dehyphenate pass's tests."""


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
    write_tables(out, result.schemas, result.records())


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run of the small archive. Read only: copy it before deciding or writing."""
    root = tmp_path_factory.mktemp("review-run")
    run_archive(make_archive(root), root / "out")
    return root / "out"
