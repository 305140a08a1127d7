"""The page-parsing rules, read from the editable files in ``rules/``.

Rules are data: a radiologist adds a heading alias or a boilerplate pattern to a YAML file,
never to code. This module only loads and compiles them, once per run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
import yaml

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

_HEADING_JUNK = regex.compile(r"[\s'’`:.\-–]+")


class RulesError(ValueError):
    """A rules file is missing or malformed: said plainly, with the file's name."""


def heading_key(text: str) -> str:
    """Fold a heading for matching: case, apostrophes, colons and spacing do not count."""
    return _HEADING_JUNK.sub(" ", text.casefold()).strip()


def tsv_rows(path: Path) -> Iterator[list[str]]:
    """Data rows of a tab-separated rules file: comments, the header and blank lines skipped.

    A missing file has no rows: every TSV rules file is optional.
    """
    if not path.exists():
        return
    header_seen = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        yield line.split("\t")


def load_yaml(path: Path) -> dict[str, Any]:
    """A YAML rules file that must hold a mapping; errors name the file."""
    return _load_yaml(path)


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RulesError(f"rules file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"rules file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RulesError(f"rules file {path} must hold a mapping at the top level")
    return data


def _compile_all(patterns: list[str], source: Path) -> list[regex.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(regex.compile(pattern, regex.IGNORECASE | regex.VERSION1))
        except regex.error as exc:
            raise RulesError(f"bad pattern {pattern!r} in {source}: {exc}") from exc
    return compiled


@dataclass(frozen=True)
class SectionRules:
    """Headings, their canonical names and how unlabeled paragraphs are named."""

    aliases: dict[str, str]
    required: tuple[str, ...]
    field_sections: frozenset[str]
    unlabeled_after: dict[str, str]
    discussion_min_words: int
    citation_patterns: list[regex.Pattern[str]]

    def canonical(self, heading: str) -> str | None:
        """The canonical section a heading introduces, or None when it is not a known one."""
        return self.aliases.get(heading_key(heading))

    def is_citation(self, text: str) -> bool:
        return any(p.search(text) for p in self.citation_patterns)


@dataclass(frozen=True)
class BoilerplateRules:
    html_drop: list[str]
    line_patterns: list[regex.Pattern[str]]
    inline_patterns: list[regex.Pattern[str]]
    learn_min_share: float
    learn_min_pages: int
    learn_max_chars: int


@dataclass(frozen=True)
class FieldRules:
    labels: dict[str, str]
    null_value: regex.Pattern[str]
    email_cloaked: regex.Pattern[str]
    gender: dict[str, str]
    age_units: dict[str, float]

    def field_for(self, label: str) -> str | None:
        return self.labels.get(heading_key(label))


@dataclass(frozen=True)
class ModalityRules:
    """Synonyms of each modality, as (modality, phrase) pairs in the rules file's order."""

    synonyms: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Rules:
    """Every page-parsing rule of one run, plus a digest that identifies them."""

    directory: Path
    sections: SectionRules
    boilerplate: BoilerplateRules
    fields: FieldRules
    modalities: ModalityRules
    digest: str = field(default="")


def _section_rules(path: Path) -> SectionRules:
    data = _load_yaml(path)
    aliases: dict[str, str] = {}
    for name, headings in (data.get("headings") or {}).items():
        for heading in headings or []:
            aliases[heading_key(str(heading))] = str(name)
    if not aliases:
        raise RulesError(f"{path} lists no headings")
    return SectionRules(
        aliases=aliases,
        required=tuple(data.get("required_sections") or ()),
        field_sections=frozenset(data.get("field_sections") or []),
        unlabeled_after=dict(data.get("unlabeled_after") or {}),
        discussion_min_words=int(data.get("discussion_min_words", 25)),
        citation_patterns=_compile_all(list(data.get("citation_patterns") or []), path),
    )


def _boilerplate_rules(path: Path) -> BoilerplateRules:
    data = _load_yaml(path)
    learn = data.get("learn") or {}
    return BoilerplateRules(
        html_drop=[str(s) for s in data.get("html_drop") or []],
        line_patterns=_compile_all(list(data.get("line_patterns") or []), path),
        inline_patterns=_compile_all(list(data.get("inline_patterns") or []), path),
        learn_min_share=float(learn.get("min_share", 0.3)),
        learn_min_pages=int(learn.get("min_pages", 20)),
        learn_max_chars=int(learn.get("max_chars", 120)),
    )


_UNIT_YEARS = {"years": 1.0, "months": 1 / 12, "weeks": 7 / 365.25, "days": 1 / 365.25}


def _field_rules(path: Path) -> FieldRules:
    data = _load_yaml(path)
    labels = {
        heading_key(str(label)): str(name)
        for name, items in (data.get("labels") or {}).items()
        for label in items or []
    }
    gender = {
        str(word).casefold(): str(value)
        for value, words in (data.get("gender") or {}).items()
        for word in words or []
    }
    units: dict[str, float] = {}
    for unit, words in (data.get("age_units") or {}).items():
        if unit not in _UNIT_YEARS:
            raise RulesError(f"{path}: unknown age unit {unit!r} (use {sorted(_UNIT_YEARS)})")
        for word in words or []:
            units[str(word).casefold()] = _UNIT_YEARS[unit]
    null_pattern, cloaked = data.get("null_value_pattern"), data.get("email_cloaked_pattern")
    return FieldRules(
        labels=labels,
        null_value=_compile_all([null_pattern or r"^\s*$"], path)[0],
        email_cloaked=_compile_all([cloaked or r"spambots"], path)[0],
        gender=gender,
        age_units=units,
    )


def _modality_rules(path: Path) -> ModalityRules:
    data = _load_yaml(path)
    synonyms = tuple(
        (str(name), str(word))
        for name, words in (data.get("modalities") or {}).items()
        for word in words or []
    )
    return ModalityRules(synonyms=synonyms)


RULE_FILES = ("sections.yaml", "boilerplate.yaml", "fields.yaml", "modalities.yaml")


def rules_digest(directory: Path) -> str:
    """A hash of every file in the rules folder: it keys caches and labels outputs."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_rules(directory: Path | str | None = None) -> Rules:
    """Read and compile the rules folder (``rules/`` of the project by default)."""
    root = Path(directory) if directory is not None else DEFAULT_RULES_DIR
    if not root.is_dir():
        raise RulesError(f"rules folder not found: {root}")
    return Rules(
        directory=root,
        sections=_section_rules(root / "sections.yaml"),
        boilerplate=_boilerplate_rules(root / "boilerplate.yaml"),
        fields=_field_rules(root / "fields.yaml"),
        modalities=_modality_rules(root / "modalities.yaml"),
        digest=rules_digest(root),
    )
