"""A verdict on one word, and what the judgement needs of the section the word is in.

The judge (:mod:`pipeline.correct.judge`) makes verdicts; the word passes turn them into edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.pickling import tuple_state


@tuple_state
@dataclass(frozen=True, slots=True)
class Verdict:
    """The best repair of one word: applied from ``threshold`` on, else a suggestion."""

    replacement: str
    pass_name: str
    rule: str
    confidence: float
    threshold: float


@tuple_state
@dataclass(frozen=True, slots=True)
class SectionWords:
    """What the judgement needs of the section a word is in."""

    shield: frozenset[str]
    """Lowercase words of the page's own names: never touched."""
    own: Mapping[str, int]
    """The section's word counts (a term its writer repeats is a word)."""
    in_archive: bool
    """Whether the archive's counts include this section (its words are then left out)."""
    cleanliness: float = 0.0
    """0 for damaged text, 1 for edited prose (see :mod:`pipeline.correct.damage`)."""
