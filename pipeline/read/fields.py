"""Fields: the typed facts of a case (author, resident, patient gender and age, modalities).

Each comes from a "Label : value" line (labels in ``rules/fields.yaml``) or, for modalities,
from the findings text (synonyms in ``rules/modalities.yaml``). A field the page does not
have is null: this stage never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from pipeline.rules import FieldRules, ModalityRules

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher

_FIELD_LINE = regex.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*(.*?)\s*$", regex.DOTALL)
_INLINE_LABEL = regex.compile(r"(?:^|(?<=\s))([^\W\d_][\w ./'-]{0,38}?)\s*:")
_AGE = regex.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([^\d]*?)\s*\.?\s*$")


@dataclass
class Fields:
    """The typed fields of one page; None means the page does not say."""

    author_name: str | None = None
    author_affiliation: str | None = None
    author_degree: str | None = None
    author_email: str | None = None
    resident_name: str | None = None
    patient_gender: str | None = None
    patient_age: str | None = None
    patient_age_years: float | None = None
    patient_age_source: str | None = None
    patient_gender_source: str | None = None
    unparsed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_age(text: str, rules: FieldRules) -> float | None:
    """Age as written → years: "23", "23 years", "4 yrs", "45 y/o" → 23.0..., "6 months" → 0.5.

    Rounded to four decimals so that tables are stable across platforms. An age whose unit
    the rules do not know is None, never a guess.

    >>> from pipeline.rules import DEFAULT_RULES_DIR
    >>> from pipeline.rules.page import field_rules
    >>> rules = field_rules(DEFAULT_RULES_DIR / "fields.yaml")
    >>> parse_age("45 y/o", rules), parse_age("6 months", rules), parse_age("tall", rules)
    (45.0, 0.5, None)
    """
    match = _AGE.match(text)
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    unit = match.group(2).strip().casefold().rstrip(".")
    if not unit:
        return round(number, 4)
    factor = rules.age_units.get(unit) or rules.age_units.get(unit.replace(" ", ""))
    return None if factor is None else round(number * factor, 4)


def parse_gender(text: str, rules: FieldRules) -> str | None:
    return rules.gender.get(text.strip().strip(".").casefold())


def _value(raw: str, rules: FieldRules) -> str | None:
    value = raw.strip()
    if not value or rules.null_value.match(value):
        return None
    return value


def split_field_line(line: str, rules: FieldRules) -> list[str]:
    """A line holding several known fields ("Age: 45 Sex: F") as one line per field.

    >>> from pipeline.rules import DEFAULT_RULES_DIR
    >>> from pipeline.rules.page import field_rules
    >>> rules = field_rules(DEFAULT_RULES_DIR / "fields.yaml")
    >>> split_field_line("Patient: 123 Age: 45 Sex: F", rules)
    ['Patient: 123', 'Age: 45', 'Sex: F']
    >>> split_field_line("Academic Degree: MD", rules)
    ['Academic Degree: MD']
    """
    starts = [m.start(1) for m in _INLINE_LABEL.finditer(line) if rules.field_for(m.group(1))]
    if len(starts) < 2:
        return [line]
    cuts = [0, *starts] if line[: starts[0]].strip() else starts
    pieces = [line[a:b].strip() for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True)]
    return [piece for piece in pieces if piece]


def parse_fields(lines: list[str], rules: FieldRules) -> Fields:
    """Read the field lines of a page (doctor's and patient's information)."""
    found: dict[str, str | None] = {}
    result = Fields()
    for line in (piece for whole in lines for piece in split_field_line(whole, rules)):
        match = _FIELD_LINE.match(line)
        name = rules.field_for(match.group(1)) if match else None
        if match is None or name is None:
            result.unparsed.append(line)
            continue
        if name in found and found[name] is not None:
            result.warnings.append(f"field {name} given twice; the first value is kept")
            continue
        found[name] = _value(match.group(2), rules)

    first, family = found.get("author_first_name"), found.get("author_family_name")
    names = [n for n in (first, family) if n]
    result.author_name = " ".join(names) if names else None
    result.author_affiliation = found.get("author_affiliation")
    result.author_degree = found.get("author_degree")
    email = found.get("author_email")
    result.author_email = None if email is None or rules.email_cloaked.search(email) else email
    result.resident_name = found.get("resident_name")
    gender = found.get("patient_gender")
    if gender is not None:
        result.patient_gender = parse_gender(gender, rules)
        result.patient_gender_source = "field" if result.patient_gender else None
        if result.patient_gender is None:
            result.warnings.append(f"gender {gender!r} not understood")
    age = found.get("patient_age")
    if age is not None:
        result.patient_age = age
        result.patient_age_source = "field"
        result.patient_age_years = parse_age(age, rules)
        if result.patient_age_years is None:
            result.warnings.append(f"age {age!r} not understood")
    return result


_BUILT: dict[tuple[tuple[str, str], ...], tuple[Language, PhraseMatcher, PhraseMatcher]] = {}
"""The modality matchers built in this process, by the synonyms they match."""


class ModalityFinder:
    """Modalities named in a text, by spaCy phrase matchers over a blank English tokenizer.

    An all-capitals synonym (CT, US, MR) must match in capitals, token for token, so the
    pronoun "us" never counts; other synonyms match in any case. Tokens, not characters, are
    compared, so "CT" inside "CTA" or "ct" inside "effect" never match. The matchers are built
    on first use and not pickled: a worker process builds its own from the rules, once (they
    are kept per process by synonyms, so a worker warmed before the finder reaches it, or a
    second finder of the same rules, builds none). spaCy is imported then too (half a
    second), so commands that find no modality never pay for it.
    """

    def __init__(self, rules: ModalityRules) -> None:
        self.rules = rules
        self._matchers: tuple[Language, PhraseMatcher, PhraseMatcher] | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"rules": self.rules, "_matchers": None}

    def warm(self) -> None:
        """Build the matchers now: a process about to fork workers builds them once, and the
        workers share them, instead of each importing spaCy and building its own."""
        if self._matchers is None and self.rules.synonyms:
            self._matchers = self._built()

    def _built(self) -> tuple[Language, PhraseMatcher, PhraseMatcher]:
        matchers = _BUILT.get(self.rules.synonyms)
        if matchers is None:
            matchers = _BUILT[self.rules.synonyms] = self._build()
        return matchers

    def _build(self) -> tuple[Language, PhraseMatcher, PhraseMatcher]:
        import spacy
        from spacy.matcher import PhraseMatcher
        from spacy.util import compile_suffix_regex

        nlp = spacy.blank("en")
        # Authors write "CT- mixed density lesion": a trailing dash is punctuation, not the word.
        suffixes = [*nlp.Defaults.suffixes, r"[-–]+"]
        nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
        folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        for name, phrase in self.rules.synonyms:
            (exact if phrase.isupper() else folded).add(name, [nlp.make_doc(phrase)])
        return nlp, folded, exact

    def find(self, text: str | None) -> list[str]:
        """Modalities named in ``text``, in the order of the rules file, each once."""
        if not text or not self.rules.synonyms:
            return []
        if self._matchers is None:
            self._matchers = self._built()
        nlp, folded, exact = self._matchers
        doc = nlp.make_doc(text)
        found = {nlp.vocab.strings[match_id] for match_id, _, _ in [*folded(doc), *exact(doc)]}
        order = dict.fromkeys(name for name, _ in self.rules.synonyms)
        return [name for name in order if name in found]
