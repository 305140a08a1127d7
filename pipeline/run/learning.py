"""The archive-wide learning of a run, reduced in the parent from its workers' counts: the
chrome lines that repeat on many pages, and the vocabulary and damage the corrector learns.

Each reduction takes the pages' small reports as they come and drops them once merged, so
the parent's memory does not grow with the archive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.correct.damage import DamageModel
from pipeline.correct.language_model import ArchiveCounts
from pipeline.correct.lexicon import Lexicon
from pipeline.read.boilerplate import learn_repeated
from pipeline.rules import Rules
from pipeline.run.cache import key
from pipeline.run.workers import ParseInfo, ReadInfo

if TYPE_CHECKING:
    from pipeline.output.rows import ErrorRow


@dataclass
class Knowledge:
    """What a run learnt of its archive for the corrector: counts and damage, reduced."""

    lexicon: Lexicon
    archive: ArchiveCounts
    damage: DamageModel


def learn_chrome(infos: Sequence[ReadInfo], rules: Rules) -> list[str]:
    """Lines that repeat on many of the archive's distinct pages (a page saved twice votes
    once): chrome no rule lists yet."""
    distinct = {info.blocks_key: info.lines for info in infos if info.error is None}
    counts: Counter[str] = Counter()
    for lines in distinct.values():
        counts.update(lines)
    return learn_repeated(counts, len(distinct), rules.boilerplate)


@dataclass
class Learnt:
    """A digest of the archive's vocabulary and damage, and the pages left to correct (a
    duplicate names the case it copies)."""

    digest: str
    """Equal for equal knowledge: pages renamed, reordered or copied leave it unchanged."""
    pages: list[tuple[str, str | None]]
    """(parse key, duplicate of) of every parsed page, in case order."""
    words: list[str] = field(default_factory=list)
    """Every word the corrector will judge, sorted: analysed once for the run."""


def learn_vocabulary(
    infos: Iterable[ParseInfo], rules: Rules, lexicon: Lexicon, errors: list[ErrorRow]
) -> tuple[Knowledge, Learnt]:
    """The archive's counts and damage, reduced from the pages' as they come (a duplicate
    page, with the same section texts as an earlier one, counts once); each page's counts
    are dropped once merged.

    The counts are sums over the section texts counted, and the damage over the distinct
    ones, so the digest of their fingerprints (sorted) identifies the knowledge: a page that
    changes nothing the corrector learns leaves every other page's rows reusable.
    """
    archive, damage = ArchiveCounts(), DamageModel(rules.correct.damage)
    first: dict[str, str] = {}
    kinds: dict[bytes, str] = {}
    counted: list[bytes] = []
    pages: list[tuple[str, str | None]] = []
    words: set[str] = set()
    for info in infos:
        if info.error is not None:
            errors.append(info.error)
            continue
        original = first.setdefault(info.content, info.case_id)
        pages.append((info.key, None if original == info.case_id else original))
        if original != info.case_id:
            continue
        words |= info.words
        for kind, counts, tally in info.texts:
            archive.merge(counts)
            counted.append(counts.digest)
            if counts.digest not in kinds:  # damage counts each distinct text once
                kinds[counts.digest] = kind or ""
                damage.add(kind, tally)
    digest = key("knowledge", lexicon.fingerprint, sorted(counted), sorted(kinds.items()))
    return Knowledge(lexicon, archive, damage), Learnt(digest, pages, sorted(words))
