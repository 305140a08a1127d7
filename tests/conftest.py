"""Shared fixtures: the repo's sample archive, the dev data beside the clone, a no-op corrector."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings

from pipeline.edits import Edit
from pipeline.rules import Rules, load_rules

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
