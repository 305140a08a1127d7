"""The correction rules: pass order and thresholds, OCR tables, misspellings, word lists.

``correct.yaml``, ``normalize.yaml`` and ``dehyphenate.yaml`` are checked against the schemas
below (every key required, no unknown key); the TSV tables against their headers, row by row.
The objects are frozen and picklable, so a run's workers share one copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import regex
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.pickling import tuple_state
from pipeline.rules.files import (
    RulesError,
    load_model,
    read_tsv,
    tsv_number,
    tsv_pattern,
)

Probability = Annotated[float, Field(ge=0, le=1)]
LogProbability = Annotated[float, Field(le=0)]


class _File(BaseModel):
    """A rules file or one of its sections: every key required, no unknown key."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelCosts(_File):
    """log10 probabilities of one typing slip of each kind (the candidate is what was meant)."""

    transpose: LogProbability
    double: LogProbability
    undouble: LogProbability
    insert_near: LogProbability
    insert: LogProbability
    delete_vowel: LogProbability
    delete: LogProbability
    delete_initial: LogProbability
    sub_near: LogProbability
    sub_vowel: LogProbability
    sub_phonetic: LogProbability
    sub: LogProbability


class LmParams(_File):
    """Knobs of the language model (``language_model`` in ``correct.yaml``)."""

    curated_floor_zipf: float
    general_floor_zipf: float
    unknown_zipf: float
    medical_bonus: float
    archive_weight: float = Field(gt=0)
    archive_max_zipf: float
    context_weight: float
    pmi_cap: float = Field(ge=0)
    bigram_coverage: float = Field(gt=0, le=1)
    unseen_weight: float
    max_coverage: float = Field(ge=0, lt=1)
    repeat_penalty: float
    proper_penalty: float
    name_zipf: float


class OcrSettings(_File):
    base: LogProbability
    max_steps: int = Field(ge=0, le=4)


class RivalSettings(_File):
    """Common words two slips from a short damaged word: doubt for its one-slip repair."""

    max_length: int = Field(ge=0)
    min_zipf: float
    cost: LogProbability


class TargetSettings(_File):
    min_zipf: float


class ArchiveSettings(_File):
    known_min_count: int = Field(ge=1)
    dominance: float = Field(ge=0)
    dwarfed: float = Field(ge=0)


class RealWordSettings(_File):
    max_zipf: float
    max_length: int = Field(ge=1)
    min_gain: float


class DamageSettings(_File):
    """How a section's damage is estimated and how the repairs' prior follows it."""

    damaged_rate: Probability
    clean_rate: Probability
    clean_shift: LogProbability
    prior_rate: Probability
    kind_weight: float = Field(ge=0)
    section_weight: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> DamageSettings:
        if not 0 < self.clean_rate < self.damaged_rate:
            raise ValueError("clean_rate must be above 0 and below damaged_rate")
        return self


class Repeat(_File):
    """Passes run again, in order, until a round changes nothing (at most ``rounds``)."""

    repeat: list[str] = Field(min_length=1)
    rounds: int = Field(ge=1)


class CorrectSettings(_File):
    """``correct.yaml``: the pass order and every tunable of the spelling passes."""

    passes: list[str | Repeat] = Field(min_length=1)
    apply_threshold: Probability
    ocr_threshold: Probability
    real_word_threshold: Probability
    name_threshold: Probability
    suggest_threshold: Probability
    real_word_suggest_threshold: Probability
    memo_size: int = Field(ge=0)
    verdict_memo_size: int = Field(ge=0)
    known_min_zipf: float
    min_insert_length: int = Field(ge=1)
    ocr: OcrSettings
    channel: ChannelCosts
    rivals: RivalSettings
    language_model: LmParams
    targets: TargetSettings
    archive: ArchiveSettings
    real_words: RealWordSettings
    damage: DamageSettings

    def pass_names(self) -> list[str]:
        """Every pass the plan names, in order, once each."""
        names: list[str] = []
        for step in self.passes:
            for name in step.repeat if isinstance(step, Repeat) else [step]:
                if name not in names:
                    names.append(name)
        return names


MISSPELLING_CONFIDENCE = 0.95
"""What an empty confidence cell of ``known_misspellings.tsv`` means (its header says so)."""

NORMALIZE_RULE_NAMES = (
    "unicode-mojibake",
    "soft-hyphen",
    "unicode-repair",
    "control-characters",
    "line-break",
    "space-run",
    "odd-space",
    "trailing-space",
    "space-before-punctuation",
    "space-before-colon",
)
DEHYPHENATE_KINDS = (
    "line_wrap",
    "line_wrap_rare",
    "line_wrap_tight",
    "compound",
    "compound_doubtful",
    "damaged_wrap",
    "damaged_wrap_tight",
    "doubtful_wrap",
    "doubtful_wrap_tight",
)


def _has_every(confidence: dict[str, float], names: tuple[str, ...]) -> None:
    missing = [name for name in names if name not in confidence]
    if missing:
        raise ValueError(f"confidence lacks {', '.join(missing)}")


class NormalizeRules(_File):
    """``normalize.yaml``: which spacing and unicode repairs apply, and how sure each is."""

    apply_threshold: Probability
    closing_punctuation: str
    confidence: dict[str, Probability]

    @model_validator(mode="after")
    def _every_rule_rated(self) -> NormalizeRules:
        _has_every(self.confidence, NORMALIZE_RULE_NAMES)
        return self


class DehyphenateRules(_File):
    """``dehyphenate.yaml``: when a split is a line wrap, a compound, or left alone."""

    apply_threshold: Probability
    word_zipf: float
    long_word: int = Field(ge=1)
    common_join_zipf: float
    common_tight_join_zipf: float
    join_margin: float
    suspension_words: frozenset[str]
    compound_particles: frozenset[str]
    compound_prefixes: frozenset[str]
    compound_head_endings: tuple[str, ...]
    confidence: dict[str, Probability]

    @field_validator("suspension_words", "compound_particles", "compound_prefixes")
    @classmethod
    def _lowercase(cls, words: frozenset[str]) -> frozenset[str]:
        return frozenset(w.lower() for w in words)

    @field_validator("compound_head_endings")
    @classmethod
    def _sorted_endings(cls, endings: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({e.lower() for e in endings}))

    @model_validator(mode="after")
    def _every_kind_rated(self) -> DehyphenateRules:
        _has_every(self.confidence, DEHYPHENATE_KINDS)
        return self


class DrugStems(_File):
    min_length: int = Field(ge=1)
    suffixes: list[str] = Field(min_length=1)


def _compiles(pattern: str) -> str:
    try:
        regex.compile(pattern, regex.VERSION1)
    except regex.error as exc:
        raise ValueError(f"bad pattern {pattern!r}: {exc}") from None
    return pattern


class SymbolShape(_File):
    max_length: int = Field(ge=1)
    pattern: str

    _pattern_compiles = field_validator("pattern")(_compiles)


class LatinBinomials(_File):
    epithet_endings: list[str] = Field(min_length=1)
    max_genus_zipf: float


class CitationCues(_File):
    window: int = Field(ge=1)
    margin: int = Field(ge=0)
    min_cues: int = Field(ge=1)
    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        return [_compiles(p) for p in patterns]


class ForeignPhrases(_File):
    languages: list[str]
    min_zipf: float
    marker_margin: float = Field(ge=0)
    window: int = Field(ge=0)
    min_words: int = Field(ge=2)


class TermClasses(_File):
    """``term_classes.yaml``: the shapes of legitimate terms no dictionary lists."""

    drug_stems: DrugStems
    symbols: SymbolShape
    latin_binomials: LatinBinomials
    citations: CitationCues
    foreign: ForeignPhrases


@tuple_state
@dataclass(frozen=True, slots=True)
class Confusion:
    """The OCR wrote ``seen`` where ``meant`` was printed, with relative ``weight``."""

    seen: str
    meant: str
    weight: float


@tuple_state
@dataclass(frozen=True, slots=True)
class Artefact:
    """A regular expression for damage with a fixed shape, and its repair."""

    pattern: regex.Pattern[str]
    replacement: str
    confidence: float
    name: str


@tuple_state
@dataclass(frozen=True, slots=True)
class DigitReading:
    """The OCR wrote the digit ``seen`` where the letter ``meant`` was printed."""

    seen: str
    meant: str
    confidence: float


@tuple_state
@dataclass(frozen=True, slots=True)
class Misspelling:
    """A known misspelling, optionally only between given neighbours."""

    wrong: str
    right: str
    left: frozenset[str] | None
    right_ctx: frozenset[str] | None
    confidence: float

    def fits(self, prev: str | None, nxt: str | None) -> bool:
        """Whether the neighbours match the rule's context (no context: always)."""
        if self.left is not None and (prev is None or prev.lower() not in self.left):
            return False
        return self.right_ctx is None or (nxt is not None and nxt.lower() in self.right_ctx)


def confusions(path: Path) -> tuple[Confusion, ...]:
    """``ocr_confusions.tsv``; a row with an empty ``seen`` or weight 0 cannot be undone."""
    rows = []
    for row in read_tsv(path, ("seen", "meant", "weight"), 3):
        weight = tsv_number(path, row, "weight")
        seen = row.values["seen"]
        if seen and weight > 0:
            rows.append(Confusion(seen, row.values["meant"], weight))
    return tuple(rows)


def artefacts(path: Path) -> tuple[Artefact, ...]:
    """``ocr_artefacts.tsv``, compiled."""
    return tuple(
        Artefact(
            tsv_pattern(path, row, "pattern"),
            row.values["replacement"].replace("\\t", "\t"),
            tsv_number(path, row, "confidence"),
            row.get("name"),
        )
        for row in read_tsv(path, ("pattern", "replacement", "confidence", "name"), 4)
    )


def digit_readings(path: Path) -> tuple[DigitReading, ...]:
    """``ocr_digits.tsv``: one digit read for one letter per row."""
    readings = []
    for row in read_tsv(path, ("seen", "meant", "confidence"), 3):
        seen, meant = row.get("seen"), row.get("meant")
        if len(seen) != 1 or not seen.isdigit() or len(meant) != 1 or not meant.isalpha():
            raise RulesError(f"{path}:{row.line}: expected one digit and one letter")
        readings.append(DigitReading(seen, meant, tsv_number(path, row, "confidence")))
    return tuple(readings)


def _context_set(part: str) -> frozenset[str] | None:
    part = part.strip()
    if not part or part == "*":
        return None
    return frozenset(w.strip().lower() for w in part.split("|") if w.strip())


def misspellings(path: Path) -> dict[str, tuple[Misspelling, ...]]:
    """``known_misspellings.tsv`` by lowercase misspelling."""
    table: dict[str, list[Misspelling]] = {}
    for row in read_tsv(path, ("wrong", "right", "context", "confidence"), 2):
        wrong, right = row.get("wrong").lower(), row.get("right")
        if not wrong or not right:
            raise RulesError(f"{path}:{row.line}: wrong and right must both be given")
        left = right_ctx = None
        context = row.get("context")
        if context:
            if "_" not in context:
                raise RulesError(f"{path}:{row.line}: context {context!r} has no _ for the word")
            before, _, after = context.partition("_")
            left, right_ctx = _context_set(before), _context_set(after)
        given = row.get("confidence")
        confidence = tsv_number(path, row, "confidence") if given else MISSPELLING_CONFIDENCE
        table.setdefault(wrong, []).append(Misspelling(wrong, right, left, right_ctx, confidence))
    return {wrong: tuple(rows) for wrong, rows in table.items()}


def spelling_variants(path: Path) -> tuple[tuple[str, str], ...]:
    """``spelling_variants.tsv``: (British letters, American letters) correspondences."""
    pairs = []
    for row in read_tsv(path, ("british", "american"), 2):
        british, american = row.get("british").lower(), row.get("american").lower()
        if not british or not british.isalpha() or not american.isalpha():
            raise RulesError(f"{path}:{row.line}: expected two runs of letters")
        pairs.append((british, american))
    return tuple(pairs)


def load_correct(path: Path) -> CorrectSettings:
    """``correct.yaml``, validated."""
    return load_model(CorrectSettings, path)


def load_normalize(path: Path) -> NormalizeRules:
    """``normalize.yaml``, validated."""
    return load_model(NormalizeRules, path)


def load_term_classes(path: Path) -> TermClasses:
    """``term_classes.yaml``, validated (its patterns are compiled where they are used)."""
    return load_model(TermClasses, path)


def load_dehyphenate(path: Path) -> DehyphenateRules:
    """``dehyphenate.yaml``, validated."""
    return load_model(DehyphenateRules, path)
