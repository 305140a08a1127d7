"""The rules of a run, read from the editable files of a ``rules/`` folder.

Rules are data: a radiologist adds a heading alias, a boilerplate pattern or a misspelling to
a file, never to code. :func:`load_rules` reads and checks every file of the folder once and
returns one frozen :class:`Rules`; every stage takes the part it needs from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline.rules import page as page_rules
from pipeline.rules import spelling
from pipeline.rules.files import RulesError, read_word_list, rules_digest
from pipeline.rules.page import (
    BoilerplateRules,
    FieldRules,
    Limits,
    MainContent,
    ModalityRules,
    SectionRules,
    Unlabeled,
    boilerplate_rules,
    field_rules,
    heading_key,
    modality_rules,
    section_key,
    section_rules,
)
from pipeline.rules.review import BodySystems, ReviewRules, body_systems, review_rules
from pipeline.rules.sites import SiteProfile, site_profiles
from pipeline.rules.spelling import (
    Artefact,
    ChannelCosts,
    Confusion,
    CorrectSettings,
    DamageSettings,
    DehyphenateRules,
    DigitReading,
    LmParams,
    Misspelling,
    NormalizeRules,
    Repeat,
    RivalSettings,
    TermClasses,
)


def _default_rules_dir() -> Path:
    """The project's rules: ``rules/`` of the source checkout beside the package, else the
    copy an installed wheel holds (``share/caseclean/rules`` under its install scheme, or
    beside the package when it was installed with ``pip install --target``)."""
    source = Path(__file__).resolve().parent.parent.parent / "rules"
    if (source / "sections.yaml").is_file():
        return source
    try:
        dist = metadata.distribution("caseclean")
    except metadata.PackageNotFoundError:
        return source
    places = [Path(str(dist.locate_file(""))) / "share" / "caseclean" / "rules"]
    for file in dist.files or []:
        if file.name == "sections.yaml" and "share/caseclean/rules" in file.as_posix():
            places.insert(0, Path(str(file.locate())).parent)
    return next((p for p in places if (p / "sections.yaml").is_file()), source)


DEFAULT_RULES_DIR = _default_rules_dir()


@dataclass(frozen=True)
class Rules:
    """Every rule of one run, plus a digest of the folder that identifies them."""

    directory: Path
    digest: str
    sections: SectionRules
    boilerplate: BoilerplateRules
    fields: FieldRules
    modalities: ModalityRules
    sites: tuple[SiteProfile, ...]
    correct: CorrectSettings
    normalize: NormalizeRules
    dehyphenate: DehyphenateRules
    confusions: tuple[Confusion, ...]
    artefacts: tuple[Artefact, ...]
    digit_readings: tuple[DigitReading, ...]
    misspellings: dict[str, tuple[Misspelling, ...]]
    lexicon_additions: tuple[str, ...]
    protected: tuple[str, ...]
    spelling_variants: tuple[tuple[str, str], ...]
    term_classes: TermClasses
    limits: Limits
    review: ReviewRules
    body_systems: BodySystems

    def site(self, name: str | None) -> SiteProfile | None:
        """The site profile of that name (a document names the one its page matched)."""
        return next((s for s in self.sites if s.name == name), None)

    def sections_for(self, site: str | None) -> SectionRules:
        """The section rules a page of that site is read with (its profile's, or the base)."""
        profile = self.site(site)
        return self.sections if profile is None else profile.sections

    def fields_for(self, site: str | None) -> FieldRules:
        """The field rules a page of that site is read with (its profile's, or the base)."""
        profile = self.site(site)
        return self.fields if profile is None else profile.fields


def load_rules(directory: Path | str | None = None) -> Rules:
    """Read and check every file of the rules folder (the project's ``rules/`` by default)."""
    root = Path(directory) if directory is not None else DEFAULT_RULES_DIR
    if not root.is_dir():
        raise RulesError(f"rules folder not found: {root}")
    sections = section_rules(root / "sections.yaml")
    fields = field_rules(root / "fields.yaml")
    return Rules(
        directory=root,
        digest=rules_digest(root),
        sections=sections,
        boilerplate=boilerplate_rules(root / "boilerplate.yaml"),
        fields=fields,
        modalities=modality_rules(root / "modalities.yaml"),
        sites=site_profiles(root / "sites", sections, fields),
        correct=spelling.load_correct(root / "correct.yaml"),
        normalize=spelling.load_normalize(root / "normalize.yaml"),
        dehyphenate=spelling.load_dehyphenate(root / "dehyphenate.yaml"),
        confusions=spelling.confusions(root / "ocr_confusions.tsv"),
        artefacts=spelling.artefacts(root / "ocr_artefacts.tsv"),
        digit_readings=spelling.digit_readings(root / "ocr_digits.tsv"),
        misspellings=spelling.misspellings(root / "known_misspellings.tsv"),
        lexicon_additions=read_word_list(root / "lexicon_additions.txt"),
        protected=read_word_list(root / "protected.txt"),
        spelling_variants=spelling.spelling_variants(root / "spelling_variants.tsv"),
        term_classes=spelling.load_term_classes(root / "term_classes.yaml"),
        limits=page_rules.limits(root / "limits.yaml"),
        review=review_rules(root / "review.yaml"),
        body_systems=body_systems(root / "body_systems.yaml"),
    )


__all__ = [
    "DEFAULT_RULES_DIR",
    "Artefact",
    "BodySystems",
    "BoilerplateRules",
    "ChannelCosts",
    "Confusion",
    "CorrectSettings",
    "DamageSettings",
    "DehyphenateRules",
    "DigitReading",
    "FieldRules",
    "Limits",
    "LmParams",
    "MainContent",
    "Misspelling",
    "ModalityRules",
    "NormalizeRules",
    "Repeat",
    "ReviewRules",
    "RivalSettings",
    "Rules",
    "RulesError",
    "SectionRules",
    "SiteProfile",
    "TermClasses",
    "Unlabeled",
    "heading_key",
    "load_rules",
    "section_key",
]
