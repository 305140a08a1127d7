"""Golden test on two real PubMed Central pages: structure found without a rule for the site.

The pages stay in ``../shared/dev/sites/pmc`` (their licences forbid copying them here); the
golden file holds only what the test needs: section names, headings, text lengths and short
hashes of the raw texts, the title's hash and the patient fields. Skipped without the dev data.
To update after an intended change: ``python -m tests.test_pmc_golden`` and review the diff.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

from pipeline.run import RunOptions, run

from .conftest import DEV, identity_factory

GOLDEN = Path(__file__).parent / "golden" / "pmc-pages.json"
PAGES = (
    "pmc_PMC11966599_leucine-rich-glioma-inactivated-protein-1.html",
    "pmc_PMC11709150_lung-cancer-palindromia-due-to-the.html",
)
SITE = DEV / "sites" / "pmc"


def short_hash(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def observed(root: Path) -> dict[str, dict]:
    """What a run keeps of each page, in the golden file's shape."""
    raw = root / "pages"
    raw.mkdir()
    for name in PAGES:
        shutil.copy(SITE / "pages" / name, raw / name)
    records = run(RunOptions(raw, corrector=identity_factory)).records()
    pages: dict[str, dict] = {}
    for case in records["cases"]:
        rows = [s for s in records["sections"] if s["case_id"] == case["case_id"]]
        pages[case["case_id"]] = {
            "title": short_hash(case["title"]),
            "status": case["status"],
            "patient": [case[c] for c in ("patient_gender", "patient_gender_source")]
            + [case[c] for c in ("patient_age_years", "patient_age_source")],
            "sections": [
                [s["section"], s["heading"], len(s["raw_text"]), short_hash(s["raw_text"])]
                for s in rows
            ],
        }
    return pages


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    if not all((SITE / "pages" / name).exists() for name in PAGES):
        pytest.skip(f"PMC dev pages not found under {SITE}")
    return observed(tmp_path_factory.mktemp("pmc"))


@pytest.mark.devdata
@pytest.mark.parametrize("name", PAGES)
def test_the_page_is_structured_as_pinned(pages: dict[str, dict], name: str) -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))[name]
    got = pages[name]
    assert [s[:2] for s in got["sections"]] == [s[:2] for s in expected["sections"]]
    assert got == expected


@pytest.mark.devdata
@pytest.mark.parametrize("name", PAGES)
def test_gold_headings_are_section_headings_and_chrome_is_gone(
    pages: dict[str, dict], name: str
) -> None:
    gold = {
        p["case_id"]: p
        for p in map(json.loads, (SITE / "gold.jsonl").read_text("utf-8").splitlines())
    }
    page = pages[name]
    names = [s[0] for s in page["sections"]]
    assert "clinical_summary" in names and "discussion" in names and "references" in names
    assert page["title"] == short_hash(gold[name]["title"])
    headings = {s[1] for s in page["sections"] if s[1]}
    wanted = [s["heading"] for s in gold[name]["sections"] if s["heading"]]
    assert sum(h in headings for h in wanted) >= len(wanted) - 1


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        found = observed(Path(folder))
    GOLDEN.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}", file=sys.stderr)
