"""The language model: how likely a word is, alone and between its neighbours.

A real-word error (``sever anemia``, OCR's ``tho`` for ``the``) is a lexicon word, so only the
neighbours can show it is wrong. This module holds the language model every word pass ranks
with: unigram probabilities (wordfreq, the archive's own counts) and bigram association (the
bigram counts symspellpy ships, read from the installed package, and the archive's own
bigrams).

Bigram evidence is measured as pointwise mutual information (log10 of how much more often two
words meet than chance). The shipped table keeps only frequent bigrams, so a bigram missing from
it is not "never seen": its PMI is bounded by the table's smallest count, which is strong
evidence against ``of he`` and none at all against two rare words.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import regex

from pipeline.correct.cache import read_cached, write_cached
from pipeline.correct.lexicon import Lexicon
from pipeline.pickling import tuple_state
from pipeline.rules import LmParams

_TOKEN = regex.compile(r"[\p{L}]+(?:['’][\p{L}]+)*")
BIGRAM_FILE = "frequency_bigramdictionary_en_243_342.txt"
_BIGRAM_FORMAT = "bigrams-v1"


def words_of(text: str) -> list[str]:
    """Lowercase word tokens of a text, as the language model counts them.

    Lowercasing ASCII keeps every letter a letter, one for one, so an ASCII text's words are
    found in its lowercase form at once (elsewhere a capital may lower to two characters).

    >>> words_of("Sever anemia’s CT"), words_of("İnce Bey")
    (['sever', 'anemia’s', 'ct'], ['i̇nce', 'bey'])
    """
    if text.isascii():
        return _TOKEN.findall(text.lower())
    return [word.lower() for word in _TOKEN.findall(text)]


@tuple_state
@dataclass(frozen=True, slots=True)
class GeneralBigrams:
    """symspellpy's English bigram counts, as probabilities."""

    counts: dict[tuple[str, str], int]
    total: float
    floor: float
    left_totals: dict[str, int]

    @classmethod
    def empty(cls) -> GeneralBigrams:
        """No bigrams: every general PMI is uninformative."""
        return cls({}, 1.0, 1.0, {})


@tuple_state
@dataclass(frozen=True, slots=True)
class BigramTable:
    """symspellpy's bigram file as read: parallel lists load from a pickle several times
    faster than the dict they make (or than parsing the text)."""

    lefts: list[str]
    rights: list[str]
    counts: list[int]
    left_totals: dict[str, int]

    @classmethod
    def parse(cls, text: str) -> BigramTable:
        """The ``left right count`` lines of the file, words interned (they repeat)."""
        lefts: list[str] = []
        rights: list[str] = []
        counts: list[int] = []
        left: Counter[str] = Counter()
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 3:
                count = int(parts[2])
                lefts.append(sys.intern(parts[0]))
                rights.append(sys.intern(parts[1]))
                counts.append(count)
                left[parts[0]] += count
        return cls(lefts, rights, counts, dict(left))

    def probabilities(self, coverage: float) -> GeneralBigrams:
        """The table as probabilities, ``coverage`` being the share of all bigram mass it holds."""
        counts = dict(zip(zip(self.lefts, self.rights, strict=True), self.counts, strict=True))
        if not counts:
            return GeneralBigrams.empty()
        total = sum(counts.values()) / coverage
        return GeneralBigrams(counts, total, min(self.counts) / total, self.left_totals)


def general_bigrams(
    coverage: float, cache_dir: Path | None = None, source: Path | None = None
) -> GeneralBigrams:
    """The bigram table symspellpy ships (or ``source``), from ``cache_dir`` when cached there.

    Parsing the text file takes most of a second at every start; the cache entry is keyed
    by a hash of the file, so an upgraded symspellpy is read afresh. ``coverage`` is the
    share of all bigram mass the truncated table holds; it turns counts into probabilities
    comparable with wordfreq's.
    """
    try:
        if source is None:
            raw = resources.files("symspellpy").joinpath(BIGRAM_FILE).read_bytes()
        else:
            raw = source.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return GeneralBigrams.empty()
    path = None
    if cache_dir is not None:
        path = cache_dir / f"{_BIGRAM_FORMAT}-{hashlib.sha256(raw).hexdigest()[:20]}.pickle"
        table = read_cached(path, BigramTable)
        if table is not None:
            return table.probabilities(coverage)
    table = BigramTable.parse(raw.decode("utf-8"))
    if path is not None:
        write_cached(path, table, "bigram table")
    return table.probabilities(coverage)


def _digest(text: str) -> bytes:
    """A stable fingerprint of a text: Python's ``hash`` differs between processes, and the
    counts travel to worker processes."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@tuple_state
@dataclass(frozen=True, slots=True)
class TextCounts:
    """One section text's word and bigram counts and fingerprint: what a worker sends back
    of a text, so the archive's counts are a reduce of counts, never a list of texts.

    The counts are plain dicts: a ``Counter`` is rebuilt from a dict when it is unpickled,
    which doubled what the parent spends loading the counts of every page.
    """

    digest: bytes
    unigrams: dict[str, int]
    bigrams: dict[tuple[str, str], int]

    @classmethod
    def of(cls, text: str) -> TextCounts:
        words = words_of(text)
        pairs = Counter(itertools.pairwise(words))
        return cls(_digest(text), dict(Counter(words)), dict(pairs))


class ArchiveCounts:
    """Word and bigram counts of every section of the run: the archive's own usage."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.unigrams: Counter[str] = Counter()
        self.bigrams: Counter[tuple[str, str]] = Counter()
        self.texts: set[bytes] = set()
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        """Count one section text."""
        self.merge(TextCounts.of(text))

    def merge(self, counts: TextCounts) -> None:
        """Add one text's counts, made where the text was read (a worker, say)."""
        self.unigrams.update(counts.unigrams)
        self.bigrams.update(counts.bigrams)
        self.texts.add(counts.digest)

    @property
    def total(self) -> int:
        """Number of counted word tokens."""
        return self.unigrams.total()

    def holds(self, text: str) -> bool:
        """Whether ``text`` was counted (its own words must then be left out when judging it)."""
        return _digest(text) in self.texts


class LanguageModel:
    """log10 probabilities of words and of words between neighbours."""

    def __init__(
        self,
        lexicon: Lexicon,
        archive: ArchiveCounts,
        params: LmParams,
        bigrams: GeneralBigrams | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.archive = archive
        self.params = params
        if bigrams is None:
            bigrams = general_bigrams(round(params.bigram_coverage, 6), lexicon.cache_dir)
        self.bigrams = bigrams
        self._n = max(1, archive.total)
        self._archive_bonus = math.log10(max(params.archive_weight, 1e-9))

    def logp(self, word: str, *, curated: bool, loo: int = 0) -> float:
        """Unigram log10 probability; ``loo`` occurrences are the word itself being judged.

        The archive's counts raise only dictionary words that general English finds rare:
        they are domain terms, while common words' archive counts include the OCR errors
        that happen to spell them (``tho``).
        """
        general = self.lexicon.zipf(word)
        medical = curated and self.lexicon.in_medical(word)
        zipf = general
        if not zipf:
            if medical:
                zipf = self.params.curated_floor_zipf
            elif curated:
                zipf = self.params.general_floor_zipf
            else:
                zipf = self.params.unknown_zipf
        best = zipf - 9.0 + (self.params.medical_bonus if medical else 0.0)
        if not curated and self.lexicon.proper_only(word):
            best -= self.params.proper_penalty
        if curated and general < self.params.archive_max_zipf:
            count = self.archive.unigrams.get(word, 0) - loo
            if count > 0:
                best = max(best, math.log10(count / self._n) + self._archive_bonus)
        return best

    def _general_pmi(self, x: str, y: str) -> tuple[float, bool]:
        count = self.bigrams.counts.get((x, y))
        zx, zy = self.lexicon.zipf(x), self.lexicon.zipf(y)
        px = 10 ** (zx - 9) if zx else 0.0
        py = 10 ** (zy - 9) if zy else 0.0
        if count:
            if px and py:
                return max(0.0, math.log10(count / self.bigrams.total / (px * py))), True
            return 0.0, False
        if not px:
            return 0.0, False
        after = self._unseen_after(x, px)
        if not py:
            return after, False
        bound = self.params.unseen_weight * min(0.0, math.log10(self.bigrams.floor / (px * py)))
        return min(bound, after), False

    def _unseen_after(self, x: str, px: float) -> float:
        """log10 of the share of ``x``'s followers the table leaves out (Katz-style backoff).

        When the table lists most of what follows ``x``, a word missing from that list is
        unlikely after it: ``with severe`` is listed, ``with sever`` is not.
        """
        listed = self.bigrams.left_totals.get(x)
        if not listed:
            return 0.0
        covered = min(self.params.max_coverage, listed / (px * self.bigrams.total))
        return math.log10(1.0 - covered)

    def _archive_pmi(self, x: str, y: str, loo: int) -> tuple[float, bool]:
        count = self.archive.bigrams.get((x, y), 0) - loo
        cx = self.archive.unigrams.get(x, 0)
        cy = self.archive.unigrams.get(y, 0)
        if cx <= 0 or cy <= 0:
            return 0.0, False
        expected = cx * cy / self._n
        if count > 0:
            return max(0.0, math.log10(count / expected)), True
        return self.params.unseen_weight * min(0.0, math.log10(0.5 / expected)), False

    def pmi(self, x: str | None, y: str | None, loo: int = 0, *, archive: bool = True) -> float:
        """Association of two adjacent words: positive if they go together, negative if not.

        ``archive=False`` ignores the archive's own bigrams (for a spelling the archive's
        counts cannot vouch for, see :meth:`context`).
        """
        if not x or not y:
            return 0.0
        general, g_seen = self._general_pmi(x, y)
        local, a_seen = self._archive_pmi(x, y, loo) if archive else (0.0, False)
        if g_seen or a_seen:
            seen = [v for v, s in ((general, g_seen), (local, a_seen)) if s]
            value = max(seen)
        else:
            value = min(general, local)
        cap = self.params.pmi_cap
        return max(-cap, min(cap, value))

    def context(
        self, word: str, prev: str | None, nxt: str | None, loo: int = 0, *, archive: bool = True
    ) -> float:
        """How well ``word`` fits its neighbours (sum of both PMIs, weighted).

        A word doubled (``the the``) is a slip in itself, whatever web counts say. A systematic
        OCR error (``of tho``) recurs in the archive, so the archive's bigrams are not asked
        about a spelling that a candidate dwarfs there (``archive=False``).
        """
        fit = self.pmi(prev, word, loo, archive=archive) + self.pmi(word, nxt, loo, archive=archive)
        if word in (prev, nxt):
            fit -= self.params.repeat_penalty
        return self.params.context_weight * fit


def posterior(scores: dict[str, float]) -> dict[str, float]:
    """Normalise log10 scores into probabilities."""
    top = max(scores.values())
    weights = {k: 10 ** (v - top) for k, v in scores.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}
