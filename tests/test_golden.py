"""Golden file: every field and section of the shipped sample page, pinned.

The sample is parsed with a corrector that changes nothing, so this pins parsing alone;
the corrections of the same page are pinned in test_correct.py. To update after an
intended change, regenerate tests/golden/sample-page.json and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.run import RunOptions, run

from .conftest import RAW, identity_factory

GOLDEN = json.loads((Path(__file__).parent / "golden" / "sample-page.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def sample() -> tuple[dict, list[dict]]:
    result = run(RunOptions(RAW, corrector=identity_factory)).records()
    case_id = GOLDEN["fields"]["case_id"]
    case = next(c for c in result["cases"] if c["case_id"] == case_id)
    return case, [s for s in result["sections"] if s["case_id"] == case_id]


@pytest.mark.parametrize("name", sorted(GOLDEN["fields"]))
def test_field(sample: tuple[dict, list[dict]], name: str) -> None:
    assert sample[0][name] == GOLDEN["fields"][name]


def test_sections(sample: tuple[dict, list[dict]]) -> None:
    got = [{k: s[k] for k in ("position", "section", "heading", "raw_text")} for s in sample[1]]
    assert got == GOLDEN["sections"]


def test_no_boilerplate_in_any_section(sample: tuple[dict, list[dict]]) -> None:
    for section in sample[1]:
        for chrome in ("protected from spambots", "Go to top", "end faqaq"):
            assert chrome not in section["raw_text"]
