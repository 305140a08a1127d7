"""Demographics from the case text: the patient's age and sex where no field line gives them.

Case reports of other sites have no "Age :" line; they say "a 45-year-old woman presented
with". The patterns of ``rules/fields.yaml`` (``case_text``) find that phrase in the case's
own sections (the clinical summary, or the body of a page without headings), never in the
discussion, where "women over 40" describes a disease, not this patient. What the text does
not say stays null.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.rules import FieldRules


@dataclass(frozen=True)
class TextDemographics:
    """What the case text says: age as written, in years, and sex; None where it is silent."""

    age: str | None = None
    age_years: float | None = None
    gender: str | None = None


def age_in(text: str, rules: FieldRules) -> tuple[str, float] | None:
    """The first age phrase of a text, as written and in years.

    >>> from pipeline.rules import DEFAULT_RULES_DIR
    >>> from pipeline.rules.page import field_rules
    >>> rules = field_rules(DEFAULT_RULES_DIR / "fields.yaml")
    >>> age_in("A 45-year-old woman with cough", rules), age_in("6 month old boy", rules)
    (('45-year-old', 45.0), ('6 month old', 0.5))
    >>> age_in("A woman in her forties", rules) is None
    True
    """
    found = []
    for pattern in rules.age_patterns:
        match = pattern.search(text)
        if match is None:
            continue
        unit = (match.group("unit") or "years").casefold().rstrip(".")
        factor = rules.age_units.get(unit) or rules.age_units.get(unit.replace(" ", ""))
        if factor is not None:
            years = round(float(match.group("number")) * factor, 4)
            found.append((match.start(), match.group(0).strip(), years))
    if not found:
        return None
    _, written, years = min(found)
    return written, years


def gender_in(text: str, rules: FieldRules) -> str | None:
    """The sex the first gender phrase of a text gives ("a 45-year-old woman" → female).

    >>> from pipeline.rules import DEFAULT_RULES_DIR
    >>> from pipeline.rules.page import field_rules
    >>> rules = field_rules(DEFAULT_RULES_DIR / "fields.yaml")
    >>> gender_in("A previously healthy white woman in her 40s", rules)
    'female'
    >>> gender_in("The patient, male, 57 years old", rules), gender_in("Her mother had it", rules)
    ('male', None)
    """
    found = []
    for pattern in rules.gender_patterns:
        match = pattern.search(text)
        if match is not None:
            value = rules.gender.get(match.group("gender").casefold())
            if value is not None:
                found.append((match.start("gender"), value))
    return min(found)[1] if found else None


def demographics(texts: dict[str, str], rules: FieldRules) -> TextDemographics:
    """Age and sex from the first of the rules' case sections (in their order) that says them."""
    age: tuple[str, float] | None = None
    gender: str | None = None
    for name in rules.text_sections:
        text = texts.get(name)
        if not text:
            continue
        age = age or age_in(text, rules)
        gender = gender or gender_in(text, rules)
    if age is None:
        return TextDemographics(gender=gender)
    return TextDemographics(age[0], age[1], gender)
