"""Site profiles: ``rules/sites/*.yaml``, one file per site an archive was scraped from.

A profile says how to recognise a page of its site (a meta tag, an element, the host of the
canonical link) and what to do differently there: where the content is, which elements are
headings, more heading variants and field labels. Nothing in code names a site: a user adds a
site by adding a file. The generic structure stage needs no profile; a profile only sharpens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex
import soupsieve
from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.rules.files import RulesError, compile_patterns, load_model
from pipeline.rules.page import FieldRules, SectionRules


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Recognise(_Part):
    """Any one of these marks a page of the site."""

    meta: dict[str, str] = Field(default_factory=dict)
    selectors: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something(self) -> Recognise:
        if not (self.meta or self.selectors or self.hosts):
            raise ValueError("names no meta, selectors or hosts to recognise the site by")
        return self


class SiteFile(_Part):
    """One ``rules/sites/<site>.yaml``: name and recognise are required, overrides optional."""

    name: str
    recognise: Recognise
    content_selector: str | None = None
    heading_selectors: list[str] = Field(default_factory=list)
    headings: dict[str, list[str]] = Field(default_factory=dict)
    field_labels: dict[str, list[str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class SiteProfile:
    """A site's profile, compiled: how to recognise it and the rules its pages are read with."""

    name: str
    meta: tuple[tuple[str, regex.Pattern[str]], ...]
    selectors: tuple[str, ...]
    hosts: tuple[str, ...]
    content_selector: str | None
    heading_selectors: tuple[str, ...]
    sections: SectionRules
    fields: FieldRules


def _check_selectors(selectors: list[str], path: Path, key: str) -> None:
    for selector in selectors:
        try:
            soupsieve.compile(selector)
        except soupsieve.SelectorSyntaxError as exc:
            message = str(exc).splitlines()[0]
            raise RulesError(f"{path}: {key}: bad CSS selector {selector!r}: {message}") from None


def _check_names(names: list[str], known: set[str], path: Path, key: str) -> None:
    for name in names:
        if name not in known:
            raise RulesError(
                f"{path}: {key}.{name}: unknown name (one of {', '.join(sorted(known))})"
            )


def site_profile(path: Path, sections: SectionRules, fields: FieldRules) -> SiteProfile:
    """One profile file, checked: selectors parse, patterns compile, names are known ones."""
    data = load_model(SiteFile, path)
    _check_selectors(data.recognise.selectors, path, "recognise.selectors")
    _check_selectors(data.heading_selectors, path, "heading_selectors")
    if data.content_selector is not None:
        _check_selectors([data.content_selector], path, "content_selector")
    _check_names(list(data.headings), set(sections.aliases.values()), path, "headings")
    _check_names(list(data.field_labels), set(fields.labels.values()), path, "field_labels")
    names = list(data.recognise.meta)
    patterns = compile_patterns(list(data.recognise.meta.values()), path, "recognise.meta")
    return SiteProfile(
        name=data.name,
        meta=tuple(zip((n.casefold() for n in names), patterns, strict=True)),
        selectors=tuple(data.recognise.selectors),
        hosts=tuple(h.casefold() for h in data.recognise.hosts),
        content_selector=data.content_selector,
        heading_selectors=tuple(data.heading_selectors),
        sections=sections.with_aliases(data.headings),
        fields=fields.with_labels(data.field_labels),
    )


def site_profiles(
    directory: Path, sections: SectionRules, fields: FieldRules
) -> tuple[SiteProfile, ...]:
    """Every profile of ``directory`` (none when it does not exist), in file-name order."""
    if not directory.is_dir():
        return ()
    paths = sorted(directory.glob("*.yaml"))
    profiles = tuple(site_profile(path, sections, fields) for path in paths)
    seen: set[str] = set()
    for path, profile in zip(paths, profiles, strict=True):
        if profile.name in seen:
            raise RulesError(f"{path}: name: {profile.name!r} is already another profile's name")
        seen.add(profile.name)
    return profiles
