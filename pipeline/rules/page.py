"""The page-reading rules: headings, chrome, field labels and modalities.

``sections.yaml``, ``boilerplate.yaml``, ``fields.yaml`` and ``modalities.yaml``, each checked
against its schema (a missing or unknown key is an error naming file and key) and compiled
into the small frozen objects the read stage uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict, Field

from pipeline.rules.files import RulesError, compile_patterns, load_model

_HEADING_JUNK = regex.compile(r"[\s'’`:.\-–]+")


def heading_key(text: str) -> str:
    """Fold a heading for matching: case, apostrophes, colons and spacing do not count.

    >>> heading_key("Doctor's  Information:")
    'doctor s information'
    >>> heading_key("FINAL DIAGNOSIS")
    'final diagnosis'
    """
    return _HEADING_JUNK.sub(" ", text.casefold()).strip()


class _File(BaseModel):
    """A rules file: every key required, no unknown key (a typo is an error, not ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SectionsFile(_File):
    headings: dict[str, list[str]]
    case_columns: dict[str, str]
    required_sections: list[str]
    field_sections: list[str]
    unlabeled_after: dict[str, str]
    discussion_min_words: int = Field(ge=0)
    citation_patterns: list[str]


class LearnSettings(_File):
    min_share: float = Field(ge=0, le=1)
    min_pages: int = Field(ge=1)
    max_chars: int = Field(ge=1)


class BoilerplateFile(_File):
    html_drop: list[str]
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


class FieldsFile(_File):
    labels: dict[str, list[str]]
    null_value_pattern: str
    email_cloaked_pattern: str
    gender: dict[str, list[str]]
    age_units: dict[AgeUnit, list[str]]


class ModalitiesFile(_File):
    modalities: dict[str, list[str]]


class Limits(_File):
    """``limits.yaml``: what one page may cost, in bytes, characters, nesting and seconds."""

    max_page_bytes: int = Field(ge=1)
    max_page_chars: int = Field(ge=1)
    max_token_chars: int = Field(ge=1)
    max_html_depth: int = Field(ge=1)
    page_seconds: float = Field(ge=0)


@dataclass(frozen=True)
class SectionRules:
    """Headings, their canonical names and how unlabeled paragraphs are named."""

    aliases: dict[str, str]
    case_columns: dict[str, str]
    required: tuple[str, ...]
    field_sections: frozenset[str]
    unlabeled_after: dict[str, str]
    discussion_min_words: int
    citation_patterns: list[regex.Pattern[str]]

    def canonical(self, heading: str) -> str | None:
        """The canonical section a heading introduces, or None when it is not a known one."""
        return self.aliases.get(heading_key(heading))

    def is_citation(self, text: str) -> bool:
        """Whether a paragraph reads like a bibliographic reference."""
        return any(p.search(text) for p in self.citation_patterns)


@dataclass(frozen=True)
class BoilerplateRules:
    """Chrome to drop: CSS selectors, line and inline patterns, and how lines are learnt."""

    html_drop: list[str]
    line_patterns: list[regex.Pattern[str]]
    inline_patterns: list[regex.Pattern[str]]
    learn_min_share: float
    learn_min_pages: int
    learn_max_chars: int


@dataclass(frozen=True)
class FieldRules:
    """Field labels, the values that mean "not given", gender words and age units."""

    labels: dict[str, str]
    null_value: regex.Pattern[str]
    email_cloaked: regex.Pattern[str]
    gender: dict[str, str]
    age_units: dict[str, float]

    def field_for(self, label: str) -> str | None:
        """The field a ``Label :`` introduces, or None."""
        return self.labels.get(heading_key(label))


@dataclass(frozen=True)
class ModalityRules:
    """Synonyms of each modality, as (modality, phrase) pairs in the rules file's order."""

    synonyms: tuple[tuple[str, str], ...]


def section_rules(path: Path) -> SectionRules:
    """``sections.yaml``: aliases folded for matching, patterns compiled."""
    data = load_model(SectionsFile, path)
    aliases = {
        heading_key(heading): name
        for name, headings in data.headings.items()
        for heading in headings
    }
    if not aliases:
        raise RulesError(f"{path}: headings: lists no headings")
    return SectionRules(
        aliases=aliases,
        case_columns=dict(data.case_columns),
        required=tuple(data.required_sections),
        field_sections=frozenset(data.field_sections),
        unlabeled_after=dict(data.unlabeled_after),
        discussion_min_words=data.discussion_min_words,
        citation_patterns=compile_patterns(data.citation_patterns, path, "citation_patterns"),
    )


def boilerplate_rules(path: Path) -> BoilerplateRules:
    """``boilerplate.yaml``, compiled."""
    data = load_model(BoilerplateFile, path)
    return BoilerplateRules(
        html_drop=list(data.html_drop),
        line_patterns=compile_patterns(data.line_patterns, path, "line_patterns"),
        inline_patterns=compile_patterns(data.inline_patterns, path, "inline_patterns"),
        learn_min_share=data.learn.min_share,
        learn_min_pages=data.learn.min_pages,
        learn_max_chars=data.learn.max_chars,
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
    return FieldRules(labels, null_value, cloaked, gender, units)


def limits(path: Path) -> Limits:
    """``limits.yaml``, validated."""
    return load_model(Limits, path)


def modality_rules(path: Path) -> ModalityRules:
    """``modalities.yaml`` as (modality, phrase) pairs."""
    data = load_model(ModalitiesFile, path)
    return ModalityRules(
        tuple((name, word) for name, words in data.modalities.items() for word in words)
    )
