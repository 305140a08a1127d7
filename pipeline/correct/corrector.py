"""The correction passes, in order, each recorded through one :class:`EditTrail`.

normalize -> dehyphenate -> ocr -> dictionary -> context. The first two are mechanical; the
last three share one noisy-channel judgement per word: the word as written competes with every
candidate (OCR readings, words one slip away, listed misspellings), each scored by how common
it is, how likely the damage is, and how well it fits its neighbours. The ``ocr`` pass applies
the winners that are OCR readings of non-words, ``dictionary`` the other non-word repairs, and
``context`` the repairs of dictionary words (real-word errors), which need more confidence.

Do no harm: acronyms, tokens with digits, e-mail addresses, URLs, protected names and mixed
case are never touched; capitalised words inside a sentence only on overwhelming evidence;
anything short of its threshold is only suggested.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from pipeline.correct.language_model import (
    ArchiveCounts,
    LanguageModel,
    LmParams,
    load_misspellings,
    posterior,
    words_of,
)
from pipeline.correct.lexicon import KNOWN_MIN_ZIPF, RULES_DIR, Lexicon, default_lexicon
from pipeline.correct.ocr_model import (
    OcrModel,
    artefact_edits,
    digit_edits,
    load_artefacts,
    load_confusions,
    load_digit_readings,
)
from pipeline.correct.passes import dehyphenate, normalize
from pipeline.correct.slips import CandidateFinder, ChannelCosts
from pipeline.edits import Edit, EditTrail
from pipeline.rules import load_yaml

_CHUNK = regex.compile(r"\S+")
_EDGE = regex.compile(r"^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$", regex.DOTALL)
_PART_SPLIT = regex.compile(r"[-\u2010\u2013\u2014]")
_WORDLIKE = regex.compile(r"[\p{L}]+(?:(?:'|’|'')[\p{L}]+)*")
_PLAIN = regex.compile(r"\p{Ll}+|\p{Lu}\p{Ll}+")
_UNTOUCHABLE = regex.compile(
    r"\d|[@~\\{}<>=^*|#$%&+/_\p{Cc}]|^www\.|\.(?:com|org|net|edu|gov|html?)\b",
    regex.IGNORECASE,
)
_SENTENCE_END = frozenset(".!?:•")
_CLITIC = ("'s", "’s")
_MISSING = object()
_WORD_PASSES = ("ocr", "dictionary", "context")
_ROUNDS = 3
_NEVER = 2.0  # a threshold no confidence reaches
_ENDINGS = frozenset({"s", "es", "d", "ed", "r", "er", "ing", "ly", "y", "e", "al", "a", "n"})


@dataclass(frozen=True)
class CleanResult:
    """The corrected text and every edit (raw offsets), applied and suggested."""

    text: str
    edits: list[Edit]


@dataclass(frozen=True, slots=True)
class _Token:
    """A word of the current text that a spelling pass may look at."""

    start: int
    end: int
    word: str
    prev: str | None
    next: str | None
    initial: bool
    title_line: bool
    dotted: bool = False


@dataclass(frozen=True, slots=True)
class _PassContext:
    """What every word pass of one ``clean`` call shares."""

    shield: set[str]
    own: Counter[str]
    in_archive: bool
    earlier: set[tuple[object, ...]]
    judged: set[tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class _Verdict:
    """The best repair of one word: applied from ``threshold`` on, else a suggestion."""

    replacement: str
    pass_name: str
    rule: str
    confidence: float
    threshold: float


@dataclass(frozen=True, slots=True)
class Settings:
    """``rules/correct.yaml``, parsed."""

    apply_threshold: float
    ocr_threshold: float
    real_word_threshold: float
    name_threshold: float
    suggest_threshold: float
    real_word_suggest_threshold: float
    ocr_base: float
    ocr_steps: int
    channel: ChannelCosts
    lm: LmParams
    target_min_zipf: float
    known_min_count: int
    dominance: float
    dwarfed: float
    real_max_zipf: float
    real_max_length: int
    real_min_gain: float

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read the yaml file; a missing key is an error, not a silent default in code."""
        raw = load_yaml(path)
        ocr, targets = raw["ocr"], raw["targets"]
        archive, real = raw["archive"], raw["real_words"]
        return cls(
            apply_threshold=float(raw["apply_threshold"]),
            ocr_threshold=float(raw["ocr_threshold"]),
            real_word_threshold=float(raw["real_word_threshold"]),
            name_threshold=float(raw["name_threshold"]),
            suggest_threshold=float(raw["suggest_threshold"]),
            real_word_suggest_threshold=float(raw["real_word_suggest_threshold"]),
            ocr_base=float(ocr["base"]),
            ocr_steps=int(ocr["max_steps"]),
            channel=ChannelCosts.from_mapping(raw["channel"]),
            lm=LmParams.from_mapping(raw["language_model"]),
            target_min_zipf=float(targets["min_zipf"]),
            known_min_count=int(archive["known_min_count"]),
            dominance=float(archive["dominance"]),
            dwarfed=float(archive["dwarfed"]),
            real_max_zipf=float(real["max_zipf"]),
            real_max_length=int(real["max_length"]),
            real_min_gain=float(real["min_gain"]),
        )


def _recase(candidate: str, like: str) -> str | None:
    """``candidate`` in the case pattern of ``like`` (lowercase or Capitalised), else None."""
    if like.islower():
        return candidate
    if like[:1].isupper() and like[1:].islower():
        return candidate[:1].upper() + candidate[1:]
    return None


def _odd_case(word: str) -> bool:
    """Mixed case inside a word (``faShion``): OCR noise or a brand, never a plain word."""
    return not (_PLAIN.fullmatch(word) or word.isupper())


def _inflection_of(word: str, cand: str) -> bool:
    """One is the other plus an ending: a real word's other inflection is no slip to repair.

    Plural, tense and degree are the writer's choice, and OCR drops letters rather than adds
    them, so only the candidate's extra final ``s`` (a dropped plural) or ``e`` stays.
    """
    if cand.startswith(word):
        return cand[len(word) :] in _ENDINGS and cand[len(word) :] not in ("s", "e")
    return word.startswith(cand) and word[len(cand) :] in _ENDINGS


def _ocr_reading(cands: dict[str, tuple[float, str, str]]) -> bool:
    """Whether some candidate is an OCR reading (OCR repeats its misreadings)."""
    return any(v[1].startswith("ocr") for v in cands.values())


def _family_count(word: str, own: Counter[str]) -> int:
    """Occurrences in the text of the word and its plural or singular.

    A writer repeats a term (``synset``, ``synsets``); a slip is rarely made twice the same way
    in one paragraph, so a recurring unknown word is taken to be a word.
    """
    count = own.get(word, 0) + own.get(word + "s", 0)
    if word.endswith("s"):
        count += own.get(word[:-1], 0)
    return count


def _title_ratio(line: str) -> bool:
    """A Title Case line (a heading, a body system): capitals there are no sign of names."""
    words = regex.findall(r"\p{L}{4,}", line)
    if len(words) < 2:
        return bool(words) and words[0][:1].isupper()
    caps = sum(1 for w in words if w[:1].isupper())
    return caps / len(words) >= 0.6


def scan(text: str) -> list[_Token]:
    """The words of ``text`` a spelling pass may consider, with their neighbours.

    Skipped outright: chunks with digits, e-mail addresses and URLs, all-caps tokens, single
    letters, and pieces with punctuation inside (``e.g.``, ``usu.illy``). A neighbour is only
    given when nothing but space separates it (no bigram across a comma or a full stop).
    """
    # start, word, usable, joined, initial, dotted
    pieces: list[tuple[int, str, bool, bool, bool, bool]] = []
    prev_trail = "."
    prev_end = 0
    for m in _CHUNK.finditer(text):
        chunk = m.group()
        start = m.start()
        plain = chunk.isalpha()
        if plain:
            lead, core, trail = "", chunk, ""
        else:
            lead, core, trail = _EDGE.fullmatch(chunk).groups()  # type: ignore[union-attr]
        initial = prev_trail[-1:] in _SENTENCE_END or (
            start - prev_end > 1 and "\n\n" in text[prev_end:start]
        )
        joined = not lead and not prev_trail
        prev_trail = trail if core else "."
        prev_end = m.end()
        if not core:
            continue
        usable = plain or _UNTOUCHABLE.search(chunk) is None
        offset = start + len(lead)
        dotted = trail.startswith(".")
        if "-" in core or "\u2010" in core or "\u2013" in core or "\u2014" in core:
            pos = 0
            parts = _PART_SPLIT.split(core)
            for i, part in enumerate(parts):
                final = i == len(parts) - 1
                pieces.append(
                    (
                        offset + pos,
                        part,
                        usable,
                        joined or i > 0,
                        initial and i == 0,
                        dotted and final,
                    )
                )
                pos += len(part) + 1
        else:
            pieces.append((offset, core, usable, joined, initial, dotted))
    tokens: list[_Token] = []
    lines: dict[int, bool] = {}
    last = len(pieces) - 1
    for idx, (start, word, usable, joined, initial, dotted) in enumerate(pieces):
        if not usable or len(word) < 2 or word.isupper():
            continue
        if not word.isalpha() and not _WORDLIKE.fullmatch(word):
            continue
        prev = pieces[idx - 1][1].lower() if idx and joined else None
        nxt = pieces[idx + 1][1].lower() if idx < last and pieces[idx + 1][3] else None
        title = False
        if not initial and word[0].isupper():
            line_start = text.rfind("\n", 0, start) + 1
            title = lines.get(line_start)  # type: ignore[assignment]
            if title is None:
                line_end = text.find("\n", start)
                line = text[line_start : line_end if line_end >= 0 else len(text)]
                title = lines[line_start] = _title_ratio(line)
        tokens.append(_Token(start, start + len(word), word, prev, nxt, initial, title, dotted))
    return tokens


class Corrector:
    """The spelling engine of a run: lexicon, rules and the archive's own vocabulary."""

    def __init__(
        self,
        rules_dir: Path | None = None,
        *,
        archive_texts: Iterable[str] = (),
        lexicon: Lexicon | None = None,
    ) -> None:
        self.rules_dir = Path(rules_dir) if rules_dir else RULES_DIR
        self.settings = Settings.load(self.rules_dir / "correct.yaml")
        self.lexicon = lexicon or default_lexicon(self.rules_dir)
        self.archive = ArchiveCounts(archive_texts)
        self.lm = LanguageModel(self.lexicon, self.archive, self.settings.lm)
        self.ocr = OcrModel(
            load_confusions(self.rules_dir / "ocr_confusions.tsv"),
            max_steps=self.settings.ocr_steps,
        )
        self.normalize_rules = normalize.load_rules(self.rules_dir / "normalize.yaml")
        self.dehyphenate_rules = dehyphenate.load_rules(self.rules_dir / "dehyphenate.yaml")
        self.artefacts = load_artefacts(self.rules_dir / "ocr_artefacts.tsv")
        self.digit_readings = load_digit_readings(self.rules_dir / "ocr_digits.tsv")
        self.misspellings = load_misspellings(self.rules_dir / "known_misspellings.tsv")
        self._targets = _target_set(self.lexicon, self.settings.target_min_zipf)
        self.finder = CandidateFinder(self._targets, self.settings.channel)
        self._degraded = bool(self.lexicon.missing)
        self._info: dict[str, Any] = {}
        self._priors: dict[str, float] = {}

    def clean(
        self, text: str, *, protected: Iterable[str] = (), section: str | None = None
    ) -> CleanResult:
        """Correct one section text; ``protected`` names are never touched."""
        trail = EditTrail(text)
        shield = {p.lower() for name in protected for p in regex.findall(r"\p{L}+", name)}
        in_archive = self.archive.holds(text)
        trail.add(normalize.find_edits(trail.text, self.normalize_rules))
        trail.add(dehyphenate.find_edits(trail.text, self.lexicon, self.dehyphenate_rules))
        before_words = trail.text
        own = Counter(words_of(before_words))
        tokens: list[_Token] = []
        scanned = ""
        earlier: set[tuple[object, ...]] = set()
        for _ in range(_ROUNDS):
            # a repair changes its neighbours' context (``lias iwo`` -> ``lias two``): the
            # words whose context changed are judged again, until nothing changes
            round_start = trail.text
            judged: set[tuple[object, ...]] = set()
            for pass_name in _WORD_PASSES:
                if scanned != trail.text or not tokens:
                    scanned = trail.text
                    tokens = scan(scanned)
                ctx = _PassContext(shield, own, in_archive, earlier, judged)
                trail.add(self._word_pass(scanned, tokens, pass_name, ctx))
            earlier |= judged
            if trail.text == round_start:
                break
        if before_words != trail.text:
            # a repaired word may now close a split compound (``well- Iobulated``)
            trail.add(dehyphenate.find_edits(trail.text, self.lexicon, self.dehyphenate_rules))
        return CleanResult(trail.text, _without_stale_suggestions(trail.edits))

    def _word_pass(
        self,
        text: str,
        tokens: list[_Token],
        pass_name: str,
        ctx: _PassContext,
    ) -> list[Edit]:
        s = self.settings
        edits: list[Edit] = []
        if pass_name == "ocr" and not ctx.earlier:
            edits = artefact_edits(text, self.artefacts, s.apply_threshold)
            spans = [(e.start, e.end) for e in edits]
            edits += [
                e
                for e in digit_edits(text, self.digit_readings, self._digit_target, s.ocr_threshold)
                if not any(a < e.end and e.start < b for a, b in spans)
            ]
        taken = [(e.start, e.end) for e in edits]
        for tok in tokens:
            key = (tok.word, tok.prev, tok.next, tok.initial, tok.title_line, tok.dotted)
            if key in ctx.earlier:
                continue
            verdict = self._judge(tok, ctx.shield, ctx.own, ctx.in_archive)
            if verdict is None or verdict.pass_name == pass_name:
                ctx.judged.add(key)  # settled; a verdict for an earlier pass waits a round
            if verdict is None or verdict.pass_name != pass_name:
                continue
            floor = s.real_word_suggest_threshold if pass_name == "context" else s.suggest_threshold
            if verdict.confidence < floor:
                continue
            if taken and any(a < tok.end and tok.start < b for a, b in taken):
                continue
            original = text[tok.start : tok.end]
            if verdict.replacement == original:
                continue
            edits.append(
                Edit(
                    tok.start,
                    tok.end,
                    original,
                    verdict.replacement,
                    pass_name,
                    verdict.rule,
                    round(min(1.0, verdict.confidence), 4),
                    verdict.confidence >= verdict.threshold,
                )
            )
        return edits

    def _analyse(self, word: str) -> tuple[bool, dict[str, tuple[float, str, str]]] | None:
        """(curated, candidates) of a word, or None when it is never to be touched."""
        if self.lexicon.is_protected(word):
            return None
        lower = word.lower()
        apostrophe = "'" in word or "’" in word
        base = lower[:-2] if lower.endswith(_CLITIC) else lower
        curated = (
            self.lexicon.accepts(word)
            or self.lexicon.accepts(base)
            or self.lexicon.zipf(lower) >= KNOWN_MIN_ZIPF
        ) and not self.lexicon.proper_only(word)
        if apostrophe and (curated or lower.endswith(_CLITIC)):
            return None
        cands = self._generate(word, curated)
        if not cands:
            return None
        return curated, cands

    def _judge(
        self, tok: _Token, shield: set[str], own: Counter[str], in_archive: bool
    ) -> _Verdict | None:
        word = tok.word
        info = self._info.get(word, _MISSING)
        if info is _MISSING:
            info = self._analyse(word)
            if len(self._info) < 500_000:
                self._info[word] = info
        if info is None:
            return None
        lower = word.lower()
        if lower in shield:
            return None
        curated, cands = info
        if curated and tok.dotted and len(word) <= 4:
            return None  # a short dictionary word before a full stop: an abbreviation (cf.)
        repeats = own.get(lower, 0)
        loo = repeats if in_archive else 0
        if any(v[1] == "rule" for v in cands.values()):
            cands = self._fitting_rules(lower, cands, tok)
            if not cands:
                return None
        if not curated and (
            (_family_count(lower, own) > 1 and not _ocr_reading(cands))
            or self._archive_known(lower, cands, loo)
        ):
            return None
        name_like = word[:1].isupper() and not tok.initial and not tok.title_line
        if name_like and self._capital_i_for_l(word, cands):
            name_like = False  # "with Iow signal": OCR read a lowercase l as a capital I
        if name_like and (curated or self.lexicon.zipf(lower) > 0):
            return None
        s = self.settings
        lm = self.lm
        vouched = not self._dwarfed(lower, cands)
        scores = {
            lower: lm.logp(lower, curated=curated, loo=loo)
            + lm.context(lower, tok.prev, tok.next, 1 if in_archive else 0, archive=vouched)
        }
        for cand, (cost, _, _) in cands.items():
            scores[cand] = self._prior(cand) + lm.context(cand, tok.prev, tok.next) + cost
        post = posterior(scores)
        best = max(post, key=lambda c: (post[c], c == lower, c))
        if best == lower:
            return None
        _, source, rule = cands[best]
        if source == "name":
            return None
        replacement = best if _odd_case(word) else _recase(best, word)
        lowered = False
        if source == "ocr-case":
            replacement = rule.split("=", 1)[1]
            rule = "ocr:confusion"
            # the capital itself was misread (``Iobulated``): no sign of a name
            lowered = replacement[:1].islower()
            name_like = name_like and not lowered
        if replacement is None:
            return None
        if curated:
            pass_name, threshold = "context", s.real_word_threshold
        elif source.startswith("ocr"):
            pass_name, threshold = "ocr", s.ocr_threshold
        else:
            pass_name, threshold = "dictionary", s.apply_threshold
        if self._degraded and source != "rule":
            threshold = _NEVER  # without the dictionaries every repair is only a suggestion
        elif name_like:
            threshold = max(threshold, s.name_threshold)
        elif word[:1].isupper() and not curated and not lowered:
            threshold = max(threshold, s.apply_threshold)
        return _Verdict(replacement, pass_name, rule, post[best], threshold)

    def _capital_i_for_l(self, word: str, cands: dict[str, tuple[float, str, str]]) -> bool:
        """``Iow``, ``Iesion``: an I before lowercase letters that reads as a common l-word.

        No dictionary word or common name starts that way once the I is an l (``Ivan``,
        ``Iris``, ``Iowa`` give no word), so it is OCR damage, not a name.
        """
        if len(word) < 3 or word[:1] != "I" or not word[1:].islower():
            return False  # "Ia", "Ib": stages and fibre types, not damage
        if self.lexicon.in_hunspell(word):
            return False
        reading = "l" + word[1:]
        return cands.get(reading, (0.0, ""))[1] == "ocr-case" and (
            self.lexicon.zipf(reading) >= KNOWN_MIN_ZIPF
        )

    def _digit_target(self, word: str) -> bool:
        """A word a digit misreading may be undone into: known, and not only a name."""
        return self.lexicon.known(word) and not self.lexicon.proper_only(word)

    def _prior(self, word: str) -> float:
        found = self._priors.get(word)
        if found is None:
            found = self._priors[word] = self.lm.logp(word, curated=True)
        return found

    def _fitting_rules(
        self, lower: str, cands: dict[str, tuple[float, str, str]], tok: _Token
    ) -> dict[str, tuple[float, str, str]]:
        """Drop listed misspellings whose context does not match this occurrence."""
        fitting = {
            r.right.lower() for r in self.misspellings.get(lower, ()) if r.fits(tok.prev, tok.next)
        }
        return {c: v for c, v in cands.items() if v[1] != "rule" or c in fitting}

    def _dwarfed(self, lower: str, cands: dict[str, Any]) -> bool:
        """A candidate is far more frequent in the archive than the word as written."""
        rival = max(self.archive.unigrams.get(c, 0) for c in cands)
        return self.archive.unigrams.get(lower, 0) < self.settings.dwarfed * rival

    def _archive_known(self, lower: str, cands: dict[str, Any], loo: int) -> bool:
        """The archive spells this word often, and no candidate dwarfs it."""
        count = self.archive.unigrams.get(lower, 0) - loo
        if count < self.settings.known_min_count:
            return False
        rival = max(self.archive.unigrams.get(c, 0) for c in cands)
        return count >= self.settings.dominance * rival

    def _generate(self, word: str, curated: bool) -> dict[str, tuple[float, str, str]]:
        """candidate (lowercase) -> (log10 channel cost, source, rule)."""
        s = self.settings
        lower = word.lower()
        zipf = self.lexicon.zipf(lower)
        out: dict[str, tuple[float, str, str]] = {}

        def offer(cand: str, cost: float, source: str, rule: str) -> None:
            if cand != lower and (cand not in out or out[cand][0] < cost):
                out[cand] = (cost, source, rule)

        odd = _odd_case(word)
        capital = word[:1].isupper()
        edits_wanted = not odd and (
            not curated or (zipf < s.real_max_zipf and len(lower) <= s.real_max_length)
        )
        if edits_wanted:
            for cand, (cost, kind) in self.finder.candidates(lower).items():
                offer(cand, cost, "dictionary", f"dictionary:{kind}")
        steps = 1 if curated or out else self.settings.ocr_steps
        for cand, weight in self.ocr.candidates(word, steps).items():
            low = cand.lower()
            if low not in self._targets or _odd_case(cand):
                continue
            cost = s.ocr_base + weight
            if odd or (cand[:1] != word[:1] and cand[:1].lower() == cand[:1]):
                offer(low, cost, "ocr-case", f"confusion={cand}")
            else:
                offer(low, cost, "ocr", "ocr:confusion")
        for rule in self.misspellings.get(lower, ()):
            offer(rule.right.lower(), math.log10(rule.confidence), "rule", "known_misspelling")
        if capital:
            out = {c: v for c, v in out.items() if v[1] == "rule" or self.lexicon.in_hunspell(c)}
        else:  # a name (``Martinez``) is no repair of a lowercase word, but it makes one doubtful
            out = {
                c: (v[0], "name", v[2]) if self.lexicon.proper_only(c) else v
                for c, v in out.items()
            }
        if curated:
            out = self._plausible_real_word_fixes(lower, out)
        return out

    def _plausible_real_word_fixes(
        self, lower: str, cands: dict[str, tuple[float, str, str]]
    ) -> dict[str, tuple[float, str, str]]:
        """Keep only candidates that could plausibly replace a real word.

        A candidate must be clearly more frequent than the word: in general English, or in
        the archive itself, whose domain English does not weigh ("upper lob" in a radiology
        archive that writes "lobe" hundreds of times).
        """
        zipf = self.lexicon.zipf(lower)
        gain = 10**self.settings.real_min_gain
        seen = self.archive.unigrams
        floor = self.settings.known_min_count

        def more_frequent(cand: str) -> bool:
            if self.lexicon.zipf(cand) - zipf >= self.settings.real_min_gain:
                return True
            return seen.get(cand, 0) >= max(floor, gain * seen.get(lower, 0))

        return {
            cand: value
            for cand, value in cands.items()
            if value[1] == "rule" or (more_frequent(cand) and not _inflection_of(lower, cand))
        }


def _without_stale_suggestions(edits: list[Edit]) -> list[Edit]:
    """Drop a suggestion a later round applied after all (same span, same replacement)."""
    applied = {(e.start, e.end, e.replacement) for e in edits if e.applied}
    return [e for e in edits if e.applied or (e.start, e.end, e.replacement) not in applied]


def _target_set(lexicon: Lexicon, min_zipf: float) -> frozenset[str]:
    return frozenset(lexicon.targets(min_zipf))


@functools.lru_cache(maxsize=1)
def default_corrector() -> Corrector:
    """The corrector with the default rules and no archive vocabulary, built once a process."""
    return Corrector()


def clean_text(text: str) -> CleanResult:
    """Correct ``text`` with the default rules and no archive vocabulary."""
    return default_corrector().clean(text)
