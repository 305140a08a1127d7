"""The lexicon: every word the correction passes treat as real.

Built once per run from general English (wordfreq and Debian's hunspell en_US), the medical
hunspell word list (en_med_glut, which borrows en_US's affix flags; both read with spylls, a
Python port of hunspell, and expanded to every form its rules allow), and the editable rules files
``lexicon_additions.txt`` and ``protected.txt``. Building takes seconds, so the result is pickled
in a cache directory keyed by a hash of every input; a run loads it in well under a second.

When the hunspell files are missing the lexicon is smaller, :attr:`Lexicon.missing` names
them and a warning says so; the corrector then only suggests its repairs (it cannot tell a rare
medical word from a typo any more), so fewer corrections are applied, never more.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version as _version
from pathlib import Path

from pipeline.correct.cache import cache_folder, read_cached, write_cached
from pipeline.correct.hunspell import WORD_RE, hunspell_forms, read_affixes
from pipeline.rules import Rules

HUNSPELL_DIR = Path("/usr/share/hunspell")
_FORMAT = "lexicon-v9"
_TARGETS_FORMAT = "targets-v2"


_SUFFIXES = (
    ("able", ""),
    ("able", "e"),
    ("ness", ""),
    ("ment", ""),
    ("er", ""),
    ("er", "e"),
    ("ers", ""),
    ("ers", "e"),
    ("s", ""),
    ("es", ""),
    ("ies", "y"),
    ("ing", ""),
    ("ing", "e"),
    ("ed", ""),
    ("ed", "e"),
    ("ly", ""),
)
_PREFIXES = (
    "anti", "bi", "co", "de", "dis", "endo", "epi", "extra", "hyper", "hypo", "infra", "inter",
    "intra", "macro", "micro", "mis", "mono", "multi", "neo", "non", "over", "para", "peri",
    "poly", "post", "pre", "pseudo", "re", "retro", "semi", "sub", "super", "supra", "trans",
    "tri", "un", "under",
)  # fmt: skip


@dataclass(slots=True)
class LexiconData:
    """The slow-to-build, cached part of a lexicon: the dictionaries' word forms and the
    frequency lists. The rules' own word lists are added when a lexicon is made from it, so
    editing them never costs a rebuild."""

    general: set[str] = field(default_factory=set)
    medical: set[str] = field(default_factory=set)
    zipf: dict[str, float] = field(default_factory=dict)
    variants: dict[str, str] = field(default_factory=dict)
    foreign: dict[str, str] = field(default_factory=dict)
    markers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def _shared_values(table: dict[str, float]) -> dict[str, float]:
    """The table with equal values as one object: wordfreq's Zipf values have two decimals,
    so some 300,000 words share a few hundred floats. A forked worker that reads a value
    writes its reference count, copying the page it lies on; shared, a few pages are
    copied instead of most of the table's.

    >>> table = _shared_values({"a": float("3.5"), "b": float("3.5")})
    >>> table["a"] is table["b"]
    True
    """
    one: dict[float, float] = {}
    return {word: one.setdefault(value, value) for word, value in table.items()}


def _lower_index(words: Iterable[str]) -> set[str]:
    return {w.lower() for w in words}


class Lexicon:
    """Membership and frequency of words; fast enough to ask about every token."""

    def __init__(
        self,
        data: LexiconData,
        rules: Rules,
        fingerprint: str = "",
        *,
        cache_dir: Path | None = None,
    ) -> None:
        """``data`` from the dictionaries; the rules' additions, protected words and
        ``known_min_zipf`` on top. ``cache_dir`` is where :meth:`load` found it: tables
        derived from the lexicon are cached there too (none when it is None)."""
        self.data = data
        self.cache_dir = cache_dir
        self.known_min_zipf = rules.correct.known_min_zipf
        self.fingerprint = _words_fingerprint(fingerprint, rules)
        self._general = data.general
        self._medical = data.medical | set(rules.lexicon_additions)
        self._protected = set(rules.protected)
        self._protected_lower = _lower_index(rules.protected)
        # ``data`` holds the shared table too: one table in memory, not the old one as well
        self._zipf = data.zipf = _shared_values(data.zipf)
        self._exact = self._general | self._medical | self._protected
        self._variants = data.variants
        self._foreign = data.foreign
        self._markers = data.markers
        self._languages: dict[str, tuple[str, ...]] = {}
        """:meth:`languages`' answer for each word asked about, up to ``memo_size`` words."""
        self._memo_size = rules.correct.memo_size
        self.missing = tuple(data.missing)

    @classmethod
    def load(
        cls,
        rules: Rules,
        *,
        hunspell_dir: Path | None = None,
        cache_dir: Path | None = None,
    ) -> Lexicon:
        """The lexicon for these rules and dictionaries, from the disk cache when it is fresh."""
        hunspell_dir = Path(hunspell_dir or HUNSPELL_DIR)
        foreign = rules.term_classes.foreign
        fingerprint = _data_fingerprint(rules, hunspell_dir)
        folder = cache_folder(cache_dir)
        path = folder / f"{_FORMAT}-{fingerprint}.pickle"
        data = read_cached(path, LexiconData)
        if data is None:
            data = build_data(hunspell_dir, rules.spelling_variants)
            data.foreign = foreign_words(foreign.languages, foreign.min_zipf)
            data.markers = foreign_markers(
                foreign.languages, foreign.min_zipf, foreign.marker_margin, data.zipf
            )
            write_cached(path, data, "lexicon")
        for name in data.missing:
            warnings.warn(
                f"caseclean: dictionary {name} not found; the lexicon is smaller and fewer "
                "corrections will be applied (install hunspell-en-us, hunspell-en-med and "
                "hunspell-en-gb)",
                RuntimeWarning,
                stacklevel=2,
            )
        return cls(data, rules, fingerprint, cache_dir=folder)

    @staticmethod
    def fingerprint_of(rules: Rules, hunspell_dir: Path | None = None) -> str:
        """The :attr:`fingerprint` the lexicon of these rules and dictionaries has, without
        loading it (what a run checks to know whether anything changed)."""
        base = _data_fingerprint(rules, Path(hunspell_dir or HUNSPELL_DIR))
        return _words_fingerprint(base, rules)

    def known(self, word: str) -> bool:
        """Whether ``word`` (or its lowercase form) is a word of any lexicon.

        Words only wordfreq has count from ``known_min_zipf`` on (``rules/correct.yaml``).
        Possessive ``'s`` is ignored, and a hyphenated word is known when all its parts are.
        """
        if self._known1(word):
            return True
        if word.endswith(("'s", "’s")) and self._known1(word[:-2]):
            return True
        if "-" in word.strip("-"):
            parts = [p for p in word.split("-") if p]
            return bool(parts) and all(self._known1(p) for p in parts)
        return False

    def _known1(self, word: str) -> bool:
        if word in self._exact or self._zipf.get(word, 0.0) >= self.known_min_zipf:
            return True
        if word.lower() in self._variants:
            return True
        low = word.lower()
        return low != word and (
            low in self._exact or self._zipf.get(low, 0.0) >= self.known_min_zipf
        )

    def zipf(self, word: str) -> float:
        """General-English frequency on the Zipf scale (wordfreq), 0 when unknown."""
        found = self._zipf.get(word)
        if found is None:
            found = self._zipf.get(word.lower(), 0.0)
        return found

    def foreign_languages(self, word: str) -> tuple[str, ...]:
        """The languages a word is a common word of: for a word no English dictionary knows,
        the first that lists it; for one English knows, those where it is far commoner (a
        marker of a phrase in that language: ``des``, ``und``)."""
        low = word.lower()
        if self.known(word):
            return self._markers.get(low, ())
        language = self._foreign.get(low)
        return () if language is None else (language,)

    def languages(self, words: Sequence[str]) -> dict[int, tuple[str, ...]]:
        """:meth:`foreign_languages` of every word, by index, where there are any: one pass
        over a text's words, each word's answer kept (every text of an archive is marked,
        and its words repeat)."""
        kept, foreign, markers = self._languages, self._foreign, self._markers
        found = {}
        for i, word in enumerate(words):
            langs = kept.get(word)
            if langs is None:
                low = word.lower()
                is_foreign = low in foreign or low in markers
                langs = self.foreign_languages(word) if is_foreign else ()
                if len(kept) < self._memo_size:
                    kept[word] = langs
            if langs:
                found[i] = langs
        return found

    def variant_of(self, word: str) -> str | None:
        """The American spelling of a British variant (``harbouring`` -> ``harboring``)."""
        return self._variants.get(word.lower())

    def in_hunspell(self, word: str) -> bool:
        """In the curated dictionaries (hunspell en_US, en_med, additions), case-aware."""
        if word in self._general or word in self._medical:
            return True
        low = word.lower()
        return low != word and (low in self._general or low in self._medical)

    def accepts(self, word: str) -> bool:
        """In the curated dictionaries, or a regular derivation of a curated word.

        Medical word lists carry few affix flags, so ``fibroplasias``, ``outpouchings`` or
        ``retrotympanic`` are missing although their stems are there. A plural, ``-ing``,
        ``-ed`` or ``-ly`` form of a listed stem, or a listed word behind a common prefix, is
        accepted as a word. Stems must be at least four letters long.
        """
        if self.in_hunspell(word):
            return True
        low = word.lower()
        return self._derived(low) or self._prefixed(low)

    def _stem_known(self, stem: str) -> bool:
        return len(stem) >= 4 and self.in_hunspell(stem)

    def _derived(self, low: str, medical: bool = False) -> bool:
        for suffix, restore in _SUFFIXES:
            if low.endswith(suffix) and len(low) > len(suffix) + 3:
                stem = low[: len(low) - len(suffix)] + restore
                if suffix == "s" and stem.endswith(("s", "u", "i")):
                    continue
                if len(stem) >= 4 and (
                    stem in self._medical if medical else self.in_hunspell(stem)
                ):
                    return True
        return False

    def _prefixed(self, low: str) -> bool:
        for prefix in _PREFIXES:
            if low.startswith(prefix):
                rest = low[len(prefix) :].lstrip("-")
                if self._stem_known(rest) or (len(rest) >= 5 and self._derived(rest)):
                    return True
        return False

    def in_medical(self, word: str) -> bool:
        """In the medical word list or the project's additions, or regularly derived from it."""
        low = word.lower()
        return word in self._medical or low in self._medical or self._derived(low, medical=True)

    def proper_only(self, word: str) -> bool:
        """A lowercase word the dictionaries list only as a name (``bono``, ``Bono``).

        wordfreq lowercases everything, so such a word looks common; written in lowercase it is
        more likely a damaged common word.
        """
        if not word.islower() or word in self._general or word in self._medical:
            return False
        title = word[:1].upper() + word[1:]
        return title in self._general or title in self._medical

    def is_protected(self, word: str) -> bool:
        """Listed in ``rules/protected.txt`` (compared case-insensitively)."""
        return word.lower() in self._protected_lower

    def targets(self, min_zipf: float) -> frozenset[str]:
        """Lowercase words a correction may produce: curated entries plus frequent words."""
        return frozenset(self.target_order(min_zipf))

    def target_order(self, min_zipf: float) -> tuple[str, ...]:
        """The words of :meth:`targets`, sorted (the candidate searches bisect them).

        Building them takes half a second, more than loading them, so they are cached beside
        the lexicon, keyed by the lexicon's fingerprint (which covers the rules' additions).
        """
        path = None
        if self.cache_dir is not None and self.fingerprint:
            key = hashlib.sha256(f"{self.fingerprint} {min_zipf!r}".encode()).hexdigest()[:20]
            path = self.cache_dir / f"{_TARGETS_FORMAT}-{key}.pickle"
            found = read_cached(path, tuple)
            if found is not None:
                return found
        words = {w.lower() for w in self._general | self._medical}
        words.update(w for w, z in self._zipf.items() if z >= min_zipf)
        order = tuple(sorted(w for w in words if WORD_RE.fullmatch(w)))
        if path is not None:
            write_cached(path, order, "correction targets")
        return order


def spelling_variants(
    british: Iterable[str], american: set[str], rules: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """British-only forms that one correspondence of ``rules`` turns into an American form.

    A rule applies at one place or everywhere (``haemorrhagic`` needs every ``ae``).

    >>> spelling_variants(["tumour", "Kavanagh"], {"tumor"}, [("our", "or")])
    {'tumour': 'tumor'}
    """
    rules = list(rules)
    found: dict[str, str] = {}
    for word in {w.lower() for w in british} - american:
        for old, new in rules:
            start = word.find(old)
            readings = [word.replace(old, new)]
            while start >= 0:
                readings.append(word[:start] + new + word[start + len(old) :])
                start = word.find(old, start + 1)
            hit = next((r for r in readings if r in american), None)
            if hit is not None:
                found[word] = hit
                break
    return found


def _british_variants(
    hunspell_dir: Path, data: LexiconData, rules: Iterable[tuple[str, str]]
) -> None:
    aff_path, dic = hunspell_dir / "en_GB.aff", hunspell_dir / "en_GB.dic"
    if not (aff_path.exists() and dic.exists()):
        data.missing.append(str(dic))
        return
    aff, context = read_affixes(aff_path)
    american = {w.lower() for w in data.general | data.medical}
    data.variants = spelling_variants(hunspell_forms(dic, aff, context), american, rules)


def build_data(hunspell_dir: Path, variant_rules: Iterable[tuple[str, str]]) -> LexiconData:
    """Read every source; this is the slow part the cache saves."""
    data = LexiconData()
    aff_path = hunspell_dir / "en_US.aff"
    aff, context = read_affixes(aff_path)
    for name, target in (("en_US.dic", data.general), ("en_med_glut.dic", data.medical)):
        dic = hunspell_dir / name
        if dic.exists() and (aff_path.exists() or name != "en_US.dic"):
            target.update(hunspell_forms(dic, aff, context))
        else:
            data.missing.append(str(dic))
    if not aff_path.exists():
        data.missing.append(str(aff_path))
    _british_variants(hunspell_dir, data, variant_rules)
    data.zipf = _wordfreq_table()
    return data


def foreign_words(languages: Iterable[str], min_zipf: float) -> dict[str, str]:
    """Common words of other languages (wordfreq), each with the first language listing it."""
    import wordfreq  # only a lexicon build needs it, and importing it takes a third of a second

    found: dict[str, str] = {}
    for language in languages:
        for word, freq in wordfreq.get_frequency_dict(language, wordlist="best").items():
            if word not in found and wordfreq.freq_to_zipf(freq) >= min_zipf:
                found[word] = language
    return found


def foreign_markers(
    languages: Iterable[str], min_zipf: float, margin: float, english: dict[str, float]
) -> dict[str, tuple[str, ...]]:
    """Words English knows that are at least ``margin`` Zipf commoner in another language,
    each with every language where they are (``des``: French and German)."""
    import wordfreq  # see foreign_words

    found: dict[str, list[str]] = {}
    for language in languages:
        for word, freq in wordfreq.get_frequency_dict(language, wordlist="best").items():
            zipf = wordfreq.freq_to_zipf(freq)
            if zipf < min_zipf:
                break  # the dictionary is ordered by frequency
            if word in english and zipf - english[word] >= margin:
                found.setdefault(word, []).append(language)
    return {word: tuple(langs) for word, langs in found.items()}


def _wordfreq_table() -> dict[str, float]:
    import wordfreq  # see foreign_words

    table = {}
    for word, freq in wordfreq.get_frequency_dict("en", wordlist="large").items():
        if freq > 0 and WORD_RE.fullmatch(word):
            table[word] = round(wordfreq.freq_to_zipf(freq), 2)
    return table


_DICTIONARIES = ("en_US.aff", "en_US.dic", "en_med_glut.dic", "en_GB.aff", "en_GB.dic")


def _data_fingerprint(rules: Rules, hunspell_dir: Path) -> str:
    """The fingerprint of the cached part: dictionaries, variant rules, foreign languages."""
    variant_rules = [f"{b}>{a}" for b, a in rules.spelling_variants]
    foreign = rules.term_classes.foreign
    foreign_key = [*foreign.languages, str(foreign.min_zipf), str(foreign.marker_margin)]
    return _fingerprint(hunspell_dir, [variant_rules, foreign_key])


def _fingerprint(hunspell_dir: Path, word_lists: Iterable[Iterable[str]]) -> str:
    """A hash of every input: the libraries' versions, the dictionaries, the rules' words."""
    versions = f"wordfreq {_version('wordfreq')} spylls {_version('spylls')}"
    digest = hashlib.sha256(f"{_FORMAT} {versions}".encode())
    for name in _DICTIONARIES:
        path = hunspell_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<absent>")
    for words in word_lists:
        digest.update("\n".join(words).encode() + b"\0")
    return digest.hexdigest()[:20]


def _words_fingerprint(base: str, rules: Rules) -> str:
    """The lexicon's fingerprint: the cached part's, and the rules' word lists."""
    digest = hashlib.sha256(base.encode())
    for words in (rules.lexicon_additions, rules.protected):
        digest.update("\n".join(words).encode() + b"\0")
    digest.update(str(rules.correct.known_min_zipf).encode())
    return digest.hexdigest()[:20]
