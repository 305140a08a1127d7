"""The lexicon: every word the correction passes treat as real.

Built once per run from general English (wordfreq and Debian's hunspell en_US), the medical
hunspell word list (en_med_glut, which borrows en_US's affix flags), and the editable rules files
``lexicon_additions.txt`` and ``protected.txt``. Building takes seconds, so the result is pickled
in a cache directory keyed by a hash of every input; a run loads it in well under a second.

When the hunspell files are missing the lexicon is smaller, :attr:`Lexicon.missing` names
them and a warning says so; the corrector then only suggests its repairs (it cannot tell a rare
medical word from a typo any more), so fewer corrections are applied, never more.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version as _version
from pathlib import Path

import wordfreq

from pipeline.rules import DEFAULT_RULES_DIR

HUNSPELL_DIR = Path("/usr/share/hunspell")
RULES_DIR = DEFAULT_RULES_DIR
_FORMAT = "lexicon-v4"
KNOWN_MIN_ZIPF = 3.0
"""A word only wordfreq lists is a known word from this frequency on (once per million words):
its long tail holds web typos and OCR debris (``tbe``, ``rght``) as well as real rarities."""
_WORD_RE = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


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


@dataclass(frozen=True, slots=True)
class _Affix:
    """One line of a hunspell PFX/SFX group: strip ``strip``, add ``add`` when ``cond`` fits."""

    prefix: bool
    strip: str
    add: str
    cond: re.Pattern[str]
    cross: bool


def parse_aff(text: str) -> dict[str, list[_Affix]]:
    """The PFX/SFX rules of a hunspell ``.aff`` file, by (one-character) flag."""
    rules: dict[str, list[_Affix]] = {}
    cross: dict[str, bool] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 4 or parts[0] not in ("PFX", "SFX"):
            continue
        kind, flag = parts[0], parts[1]
        if flag not in cross:
            cross[flag] = parts[2] == "Y"
            continue
        strip = "" if parts[2] == "0" else parts[2]
        add = "" if parts[3] == "0" else parts[3].split("/")[0]
        cond = parts[4] if len(parts) > 4 else "."
        pattern = f"^{cond}" if kind == "PFX" else f"{cond}$"
        rules.setdefault(flag, []).append(
            _Affix(kind == "PFX", strip, add, re.compile(pattern), cross[flag])
        )
    return rules


def _apply(stem: str, affix: _Affix) -> str | None:
    if not affix.cond.search(stem):
        return None
    if affix.prefix:
        if not stem.startswith(affix.strip):
            return None
        return affix.add + stem[len(affix.strip) :]
    if affix.strip and not stem.endswith(affix.strip):
        return None
    base = stem[: len(stem) - len(affix.strip)] if affix.strip else stem
    return base + affix.add


def expand(stem: str, flags: str, rules: dict[str, list[_Affix]]) -> set[str]:
    """Every form hunspell accepts for ``stem/flags`` (prefix x suffix when both allow it)."""
    forms = {stem}
    prefixes = [a for f in flags for a in rules.get(f, ()) if a.prefix]
    suffixes = [a for f in flags for a in rules.get(f, ()) if not a.prefix]
    suffixed = []
    for affix in suffixes:
        form = _apply(stem, affix)
        if form:
            forms.add(form)
            suffixed.append((form, affix.cross))
    for affix in prefixes:
        form = _apply(stem, affix)
        if form:
            forms.add(form)
        if not affix.cross:
            continue
        for base, cross in suffixed:
            if cross:
                both = _apply(base, affix)
                if both:
                    forms.add(both)
    return forms


def read_dic(text: str) -> Iterator[tuple[str, str]]:
    """(stem, flags) per entry; skips the count line and indented comment lines."""
    for line in text.splitlines():
        if not line or line[0] in " \t#":
            continue
        entry = line.split()[0]
        if entry.isdigit():
            continue
        stem, _, flags = entry.partition("/")
        if stem:
            yield stem, flags


def read_word_list(path: Path) -> list[str]:
    """Words of an editable rules file: one per line, ``#`` starts a comment."""
    if not path.exists():
        return []
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


def _hunspell_forms(dic: Path, rules: dict[str, list[_Affix]]) -> set[str]:
    forms: set[str] = set()
    for stem, flags in read_dic(dic.read_text(encoding="utf-8", errors="replace")):
        forms.update(expand(stem, flags, rules) if flags else (stem,))
    return {f for f in forms if _WORD_RE.fullmatch(f)}


@dataclass(slots=True)
class LexiconData:
    """The picklable content of a lexicon (exact-case word forms per source)."""

    general: set[str] = field(default_factory=set)
    medical: set[str] = field(default_factory=set)
    additions: set[str] = field(default_factory=set)
    protected: set[str] = field(default_factory=set)
    zipf: dict[str, float] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def _lower_index(words: Iterable[str]) -> set[str]:
    return {w.lower() for w in words}


class Lexicon:
    """Membership and frequency of words; fast enough to ask about every token."""

    def __init__(self, data: LexiconData, fingerprint: str = "") -> None:
        self.data = data
        self.fingerprint = fingerprint
        self._general = data.general
        self._medical = data.medical | data.additions
        self._protected = data.protected
        self._protected_lower = _lower_index(data.protected)
        self._zipf = data.zipf
        self._exact = self._general | self._medical | self._protected
        self.missing = tuple(data.missing)

    @classmethod
    def load(
        cls,
        rules_dir: Path | None = None,
        *,
        hunspell_dir: Path | None = None,
        cache_dir: Path | None = None,
    ) -> Lexicon:
        """The lexicon for these rules and dictionaries, from the disk cache when it is fresh."""
        rules_dir = Path(rules_dir or RULES_DIR)
        hunspell_dir = Path(hunspell_dir or HUNSPELL_DIR)
        inputs = _inputs(rules_dir, hunspell_dir)
        fingerprint = _fingerprint(inputs)
        path = _cache_dir(cache_dir) / f"{_FORMAT}-{fingerprint}.pickle"
        data = _read_cache(path)
        if data is None:
            data = build_data(rules_dir, hunspell_dir)
            _write_cache(path, data)
        for name in data.missing:
            warnings.warn(
                f"caseclean: dictionary {name} not found; the lexicon is smaller and fewer "
                "corrections will be applied (install hunspell-en-us and hunspell-en-med)",
                RuntimeWarning,
                stacklevel=2,
            )
        return cls(data, fingerprint)

    def known(self, word: str) -> bool:
        """Whether ``word`` (or its lowercase form) is a word of any lexicon.

        Words only wordfreq has count from :data:`KNOWN_MIN_ZIPF` on. Possessive ``'s`` is
        ignored, and a hyphenated word is known when all its parts are.
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
        if word in self._exact or self._zipf.get(word, 0.0) >= KNOWN_MIN_ZIPF:
            return True
        low = word.lower()
        return low != word and (low in self._exact or self._zipf.get(low, 0.0) >= KNOWN_MIN_ZIPF)

    def zipf(self, word: str) -> float:
        """General-English frequency on the Zipf scale (wordfreq), 0 when unknown."""
        found = self._zipf.get(word)
        if found is None:
            found = self._zipf.get(word.lower(), 0.0)
        return found

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

    def targets(self, min_zipf: float) -> list[str]:
        """Lowercase words a correction may produce: curated entries plus frequent words."""
        words = {w.lower() for w in self._general | self._medical}
        words.update(w for w, z in self._zipf.items() if z >= min_zipf)
        return sorted(w for w in words if _WORD_RE.fullmatch(w))


def build_data(rules_dir: Path, hunspell_dir: Path) -> LexiconData:
    """Read every source; this is the slow part the cache saves."""
    data = LexiconData()
    aff_path = hunspell_dir / "en_US.aff"
    rules = parse_aff(aff_path.read_text(encoding="utf-8")) if aff_path.exists() else {}
    for name, target in (("en_US.dic", data.general), ("en_med_glut.dic", data.medical)):
        dic = hunspell_dir / name
        if dic.exists() and (rules or name != "en_US.dic"):
            target.update(_hunspell_forms(dic, rules))
        else:
            data.missing.append(str(dic))
    if not aff_path.exists():
        data.missing.append(str(aff_path))
    data.additions.update(read_word_list(rules_dir / "lexicon_additions.txt"))
    data.protected.update(read_word_list(rules_dir / "protected.txt"))
    data.zipf = _wordfreq_table()
    return data


def _wordfreq_table() -> dict[str, float]:
    table = {}
    for word, freq in wordfreq.get_frequency_dict("en", wordlist="large").items():
        if freq > 0 and _WORD_RE.fullmatch(word):
            table[word] = round(wordfreq.freq_to_zipf(freq), 2)
    return table


def _inputs(rules_dir: Path, hunspell_dir: Path) -> list[Path]:
    names = ["en_US.aff", "en_US.dic", "en_med_glut.dic"]
    rules = ["lexicon_additions.txt", "protected.txt"]
    return [hunspell_dir / n for n in names] + [rules_dir / n for n in rules]


def _fingerprint(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256(f"{_FORMAT} wordfreq {_version('wordfreq')}".encode())
    for path in paths:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes() if path.exists() else b"<absent>")
    return digest.hexdigest()[:20]


def _cache_dir(explicit: Path | None) -> Path:
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("CASECLEAN_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "caseclean"


def _read_cache(path: Path) -> LexiconData | None:
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
        return None
    return data if isinstance(data, LexiconData) else None


def _write_cache(path: Path, data: LexiconData) -> None:
    """Write atomically, so a concurrent or killed run never leaves half a cache file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        warnings.warn(f"caseclean: could not cache the lexicon: {exc}", RuntimeWarning, 2)


@lru_cache(maxsize=4)
def default_lexicon(rules_dir: Path | None = None) -> Lexicon:
    """One lexicon per process and rules directory."""
    return Lexicon.load(rules_dir)
