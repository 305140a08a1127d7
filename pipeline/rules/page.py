"""The page-reading rules: headings, chrome, field labels and modalities.

``sections.yaml``, ``boilerplate.yaml``, ``fields.yaml`` and ``modalities.yaml``, each checked
against its schema (a missing or unknown key is an error naming file and key) and compiled
into the small frozen objects the read stage uses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process

from pipeline.rules.files import RulesError, compile_patterns, load_model
from pipeline.spaces import WHITE_SPACE

_HEADING_JUNK = re.compile(f"[{WHITE_SPACE}'’`:.\\-–]+")
_NUMBERING = regex.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[ivxlc]{1,5}\.|[a-h][.)])\s+", regex.I)


def heading_key(text: str) -> str:
    """Fold a heading for matching: case, apostrophes, colons and spacing do not count.

    >>> heading_key("Doctor's  Information:")
    'doctor s information'
    >>> heading_key("FINAL DIAGNOSIS")
    'final diagnosis'
    """
    return _HEADING_JUNK.sub(" ", text.casefold()).strip()


_JOINERS = frozenset({"and", "&", "of", "on", "in", "for", "with", "at", "/"})


def _begins(key: str, alias: str) -> bool:
    """Whether a heading starts with a listed heading and goes on: after a heading of several
    words, with anything ("differential diagnosis list"); after one word, with a joining
    word ("discussion and conclusions", not "reference range").

    >>> _begins("discussion and conclusions", "discussion"), _begins("reference range", "reference")
    (True, False)
    """
    if not key.startswith(alias + " "):
        return False
    return " " in alias or key[len(alias) + 1 :].split(" ", 1)[0] in _JOINERS


def section_key(text: str) -> str:
    """A heading folded as :func:`heading_key`, its numbering ("2.1.", "IV.", "a)") dropped.

    >>> section_key("2.1. Case  Report:"), section_key("IV. Discussion"), section_key("2019 cases")
    ('case report', 'discussion', '2019 cases')
    """
    return heading_key(_NUMBERING.sub("", text, count=1))


class _File(BaseModel):
    """A rules file: every key required, no unknown key (a typo is an error, not ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchingSettings(_File):
    min_score: float = Field(ge=0, le=100)
    min_chars: int = Field(ge=1)


class HeadingForm(_File):
    max_words: int = Field(ge=1)
    max_chars: int = Field(ge=1)


class UnlabeledSettings(_File):
    min_gap: int = Field(ge=1)
    patient_cues: list[str]
    observation_cues: list[str]
    general_cues: list[str]
    long_words: int = Field(ge=1)
    margin: int
    extend_margin: int
    layout_share: float = Field(ge=0, le=1)
    layout_min_pages: int = Field(ge=1)


class SectionsFile(_File):
    headings: dict[str, list[str]]
    matching: MatchingSettings
    heading_form: HeadingForm
    case_columns: dict[str, str]
    required_sections: list[str]
    field_sections: list[str]
    unlabeled_after: dict[str, str]
    unlabeled: UnlabeledSettings
    citation_patterns: list[str]


class LearnSettings(_File):
    min_share: float = Field(ge=0, le=1)
    min_pages: int = Field(ge=1)
    max_chars: int = Field(ge=1)
    sentence_words: int = Field(ge=1)


class MainContentSettings(_File):
    semantic: list[str]
    min_share: float = Field(ge=0, le=1)
    dense_share: float = Field(ge=0, le=1)
    link_density: float = Field(ge=0, le=1)
    link_words: float = Field(ge=0)


class HiddenSettings(_File):
    selectors: list[str]
    max_share: float = Field(ge=0, le=1)


class BoilerplateFile(_File):
    html_drop: list[str]
    hidden: HiddenSettings
    main_content: MainContentSettings
    line_patterns: list[str]
    inline_patterns: list[str]
    learn: LearnSettings


AgeUnit = Literal["years", "months", "weeks", "days"]
_UNIT_YEARS: dict[str, float] = {
    "years": 1.0,
    "months": 1 / 12,
    "weeks": 7 / 365.25,
    "days": 1 / 365.25,
}


class MetadataSettings(_File):
    title: list[str]
    authors: list[str]


class CaseTextSettings(_File):
    sections: list[str]
    age_patterns: list[str]
    gender_patterns: list[str]


class FieldsFile(_File):
    labels: dict[str, list[str]]
    null_value_pattern: str
    email_cloaked_pattern: str
    gender: dict[str, list[str]]
    age_units: dict[AgeUnit, list[str]]
    metadata: MetadataSettings
    case_text: CaseTextSettings


class ModalitiesFile(_File):
    modalities: dict[str, list[str]]


class Limits(_File):
    """``limits.yaml``: what one page may cost, in bytes, characters, nesting and seconds."""

    max_page_bytes: int = Field(ge=1)
    max_page_chars: int = Field(ge=1)
    max_token_chars: int = Field(ge=1)
    max_html_depth: int = Field(ge=1)
    page_seconds: float = Field(ge=0)
    write_batch_rows: int = Field(ge=1)


@dataclass(frozen=True)
class Unlabeled:
    """How an unlabeled paragraph is told from the section before it (``unlabeled:``)."""

    min_gap: int
    patient_cues: list[regex.Pattern[str]]
    observation_cues: list[regex.Pattern[str]]
    general_cues: list[regex.Pattern[str]]
    long_words: int
    margin: int
    extend_margin: int
    layout_share: float
    layout_min_pages: int


ANSWER_CHARS = 200
"""Lines up to this long have their :meth:`SectionRules.canonical` answer kept."""
ANSWERS_KEPT = 100_000
"""At most this many answers are kept per rules object (a bound on memory, not on results)."""
_UNASKED = object()


@dataclass(frozen=True)
class SectionRules:
    """Headings, their canonical names and how unlabeled paragraphs are named."""

    aliases: dict[str, str]
    min_score: float
    min_chars: int
    max_words: int
    max_chars: int
    case_columns: dict[str, str]
    required: tuple[str, ...]
    field_sections: frozenset[str]
    unlabeled_after: dict[str, str]
    unlabeled: Unlabeled
    citation_patterns: list[regex.Pattern[str]]

    def canonical(self, heading: str, tolerant: bool = True) -> str | None:
        """The canonical section a heading introduces, or None when it is not a known one.

        Case, colons, spacing and numbering never count; with ``tolerant`` the closest listed
        heading also counts when it is similar enough (a typo), and so does the longest listed
        heading the heading starts with ("Discussion and conclusions", "Differential
        diagnosis list"), for headings long enough.

        A short line's answer is kept (:data:`ANSWERS_KEPT`): the read stage asks of every
        block of every page, and a site repeats its headings and field lines on each.
        """
        if len(heading) > ANSWER_CHARS:
            return self._canonical(heading, tolerant)
        answers = self._answers
        found = answers.get((heading, tolerant), _UNASKED)
        if found is _UNASKED:
            found = self._canonical(heading, tolerant)
            if len(answers) < ANSWERS_KEPT:
                answers[(heading, tolerant)] = found
        return found  # type: ignore[return-value]

    @functools.cached_property
    def _answers(self) -> dict[tuple[str, bool], str | None]:
        """:meth:`canonical`'s answers so far, by line and tolerance (one per rules object)."""
        return {}

    def _canonical(self, heading: str, tolerant: bool) -> str | None:
        key = section_key(heading)
        if key in self.aliases or not tolerant or len(key) < self.min_chars:
            return self.aliases.get(key)
        found = process.extractOne(
            key, self.aliases.keys(), scorer=fuzz.ratio, score_cutoff=self.min_score
        )
        if found is not None:
            return self.aliases[found[0]]
        near = self._by_first_word.get(key.split(" ", 1)[0], ())
        starts = [a for a in near if _begins(key, a)]
        return self.aliases[max(starts, key=len)] if starts else None

    @functools.cached_property
    def _by_first_word(self) -> dict[str, tuple[str, ...]]:
        """The listed headings long enough to start a line, by first word, in listed order: a
        heading a line starts with shares the line's first word, so the read stage (which
        asks of every block of every page) tries only those. Built once per rules object."""
        index: dict[str, list[str]] = {}
        for alias in self.aliases:
            if len(alias) >= self.min_chars:
                index.setdefault(alias.split(" ", 1)[0], []).append(alias)
        return {word: tuple(found) for word, found in index.items()}

    def with_aliases(self, extra: dict[str, list[str]]) -> SectionRules:
        """These rules with more headings (a site profile's own), the profile's winning."""
        aliases = dict(self.aliases)
        aliases.update(_aliases(extra))
        return replace(self, aliases=aliases)

    def is_citation(self, text: str) -> bool:
        """Whether a paragraph reads like a bibliographic reference."""
        return any(p.search(text) for p in self.citation_patterns)


@dataclass(frozen=True)
class MainContent:
    """How the main content of an HTML page is found (``main_content:``)."""

    semantic: tuple[str, ...]
    min_share: float
    dense_share: float
    link_density: float
    link_words: float


@dataclass(frozen=True)
class BoilerplateRules:
    """Chrome to drop: CSS selectors, line and inline patterns, and how lines are learnt."""

    html_drop: list[str]
    hidden: tuple[str, ...]
    hidden_max_share: float
    main_content: MainContent
    line_patterns: list[regex.Pattern[str]]
    inline_patterns: list[regex.Pattern[str]]
    learn_min_share: float
    learn_min_pages: int
    learn_max_chars: int
    learn_sentence_words: int


@dataclass(frozen=True)
class FieldRules:
    """Field labels, the values that mean "not given", gender words and age units."""

    labels: dict[str, str]
    null_value: regex.Pattern[str]
    email_cloaked: regex.Pattern[str]
    gender: dict[str, str]
    age_units: dict[str, float]
    title_meta: tuple[str, ...]
    author_meta: tuple[str, ...]
    text_sections: tuple[str, ...]
    age_patterns: list[regex.Pattern[str]]
    gender_patterns: list[regex.Pattern[str]]

    def field_for(self, label: str) -> str | None:
        """The field a ``Label :`` introduces, or None."""
        return self.labels.get(heading_key(label))

    def with_labels(self, extra: dict[str, list[str]]) -> FieldRules:
        """These rules with more labels (a site profile's own), the profile's winning."""
        labels = dict(self.labels)
        labels.update(
            {heading_key(label): name for name, items in extra.items() for label in items}
        )
        return replace(self, labels=labels)


@dataclass(frozen=True)
class ModalityRules:
    """Synonyms of each modality, as (modality, phrase) pairs in the rules file's order."""

    synonyms: tuple[tuple[str, str], ...]


def _aliases(headings: dict[str, list[str]]) -> dict[str, str]:
    return {section_key(h): name for name, items in headings.items() for h in items}


def _unlabeled(data: UnlabeledSettings, path: Path) -> Unlabeled:
    def cues(key: str) -> list[regex.Pattern[str]]:
        return compile_patterns(getattr(data, key), path, f"unlabeled.{key}")

    return Unlabeled(
        min_gap=data.min_gap,
        patient_cues=cues("patient_cues"),
        observation_cues=cues("observation_cues"),
        general_cues=cues("general_cues"),
        long_words=data.long_words,
        margin=data.margin,
        extend_margin=data.extend_margin,
        layout_share=data.layout_share,
        layout_min_pages=data.layout_min_pages,
    )


def section_rules(path: Path) -> SectionRules:
    """``sections.yaml``: aliases folded for matching, patterns compiled."""
    data = load_model(SectionsFile, path)
    aliases = _aliases(data.headings)
    if not aliases:
        raise RulesError(f"{path}: headings: lists no headings")
    return SectionRules(
        aliases=aliases,
        min_score=data.matching.min_score,
        min_chars=data.matching.min_chars,
        max_words=data.heading_form.max_words,
        max_chars=data.heading_form.max_chars,
        case_columns=dict(data.case_columns),
        required=tuple(data.required_sections),
        field_sections=frozenset(data.field_sections),
        unlabeled_after=dict(data.unlabeled_after),
        unlabeled=_unlabeled(data.unlabeled, path),
        citation_patterns=compile_patterns(data.citation_patterns, path, "citation_patterns"),
    )


def boilerplate_rules(path: Path) -> BoilerplateRules:
    """``boilerplate.yaml``, compiled."""
    data = load_model(BoilerplateFile, path)
    main = data.main_content
    return BoilerplateRules(
        html_drop=list(data.html_drop),
        hidden=tuple(data.hidden.selectors),
        hidden_max_share=data.hidden.max_share,
        main_content=MainContent(
            tuple(main.semantic),
            main.min_share,
            main.dense_share,
            main.link_density,
            main.link_words,
        ),
        line_patterns=compile_patterns(data.line_patterns, path, "line_patterns"),
        inline_patterns=compile_patterns(data.inline_patterns, path, "inline_patterns"),
        learn_min_share=data.learn.min_share,
        learn_min_pages=data.learn.min_pages,
        learn_max_chars=data.learn.max_chars,
        learn_sentence_words=data.learn.sentence_words,
    )


def field_rules(path: Path) -> FieldRules:
    """``fields.yaml``: labels folded, words lowercased, age units as factors to years."""
    data = load_model(FieldsFile, path)
    labels = {heading_key(label): name for name, items in data.labels.items() for label in items}
    gender = {word.casefold(): value for value, words in data.gender.items() for word in words}
    units = {
        word.casefold(): _UNIT_YEARS[unit]
        for unit, words in data.age_units.items()
        for word in words
    }
    null_value = compile_patterns([data.null_value_pattern], path, "null_value_pattern")[0]
    cloaked = compile_patterns([data.email_cloaked_pattern], path, "email_cloaked_pattern")[0]
    text = data.case_text
    return FieldRules(
        labels,
        null_value,
        cloaked,
        gender,
        units,
        title_meta=tuple(data.metadata.title),
        author_meta=tuple(data.metadata.authors),
        text_sections=tuple(text.sections),
        age_patterns=_named(text.age_patterns, path, "case_text.age_patterns", "number"),
        gender_patterns=_named(text.gender_patterns, path, "case_text.gender_patterns", "gender"),
    )


def _named(patterns: list[str], path: Path, key: str, group: str) -> list[regex.Pattern[str]]:
    """Patterns that must each name a group (``(?P<number>...)``): said at load, not later."""
    compiled = compile_patterns(patterns, path, key)
    for pattern in compiled:
        if group not in pattern.groupindex:
            raise RulesError(f"{path}: {key}: pattern {pattern.pattern!r} names no {group!r} group")
    return compiled


def limits(path: Path) -> Limits:
    """``limits.yaml``, validated."""
    return load_model(Limits, path)


def modality_rules(path: Path) -> ModalityRules:
    """``modalities.yaml`` as (modality, phrase) pairs."""
    data = load_model(ModalitiesFile, path)
    return ModalityRules(
        tuple((name, word) for name, words in data.modalities.items() for word in words)
    )
