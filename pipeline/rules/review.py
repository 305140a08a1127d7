"""The review and publishing rules: ``review.yaml`` and ``body_systems.yaml``.

``review.yaml`` says which corrections wait for a reviewer: every suggestion, and an applied
correction below a confidence threshold (applied, but not sure enough to publish unseen).
``body_systems.yaml`` lists the canonical body systems and the spellings pages use for
each, so ``cases.body_system`` holds one name per system whatever the site called it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict, Field

from pipeline.rules.files import RulesError, load_model

_NOT_WORD = regex.compile(r"[\W_]+")


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewRules(_File):
    """``review.yaml``: an applied correction below ``applied_below`` waits for a reviewer."""

    applied_below: float = Field(ge=0, le=1)

    def to_review(self, applied: bool, confidence: float) -> bool:
        """Whether the corrector's verdict on an edit waits for a reviewer.

        >>> rules = ReviewRules(applied_below=0.9)
        >>> rules.to_review(False, 0.99), rules.to_review(True, 0.8), rules.to_review(True, 0.9)
        (True, True, False)
        """
        return not applied or confidence < self.applied_below


class BodySystemsFile(_File):
    body_systems: dict[str, list[str]]


def spelling_key(text: str) -> str:
    """A spelling folded for lookup: case, punctuation and spacing do not count.

    >>> spelling_key("  Women's   Imaging ")
    'women s imaging'
    """
    return _NOT_WORD.sub(" ", text.casefold()).strip()


@dataclass(frozen=True)
class BodySystems:
    """The canonical body systems, in the rules file's order, and every known spelling."""

    names: tuple[str, ...]
    spellings: dict[str, str]

    def canonical(self, *texts: str | None) -> str | None:
        """The canonical name of the first text that is a known spelling, else None.

        >>> systems = BodySystems(("Chest",), {"chest": "Chest", "thoracic imaging": "Chest"})
        >>> systems.canonical(None, "Thoracic  imaging"), systems.canonical("Thorax")
        ('Chest', None)
        """
        for text in texts:
            if text:
                found = self.spellings.get(spelling_key(text))
                if found is not None:
                    return found
        return None


def body_systems(path: Path) -> BodySystems:
    """``body_systems.yaml``: each canonical name is a spelling of itself; a spelling under
    two names is an error naming both."""
    data = load_model(BodySystemsFile, path)
    spellings: dict[str, str] = {}
    for name, variants in data.body_systems.items():
        for variant in [name, *variants]:
            key = spelling_key(variant)
            if not key:
                raise RulesError(f"{path}: body_systems.{name}: an empty spelling")
            other = spellings.setdefault(key, name)
            if other != name:
                raise RulesError(
                    f"{path}: body_systems.{name}: {variant!r} is already a spelling of {other}"
                )
    if not spellings:
        raise RulesError(f"{path}: body_systems: lists no body system")
    return BodySystems(tuple(data.body_systems), spellings)


def review_rules(path: Path) -> ReviewRules:
    """``review.yaml``, validated."""
    return load_model(ReviewRules, path)
