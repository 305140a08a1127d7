"""Headings by their form, where the page does not mark them as headings.

An HTML page marks its headings (``h2``, a label element, a bold-only paragraph; see
:mod:`pipeline.read.document`). A text page does not, and report sites put several headings
inside one paragraph or table cell. This module says what looks like a heading there:

- a short line in Title Case or ALL CAPS, set apart from what comes before more than from
  what follows it (or, on a page without blank lines, a short ALL CAPS line);
- ``LABEL:`` at the start of a line, when the label is a known heading ("FINDINGS: ...");
- runs of known labels inside one block ("EXAM: ... FINDINGS: ... IMPRESSION: ...").

A known heading is one ``rules/sections.yaml`` maps to a canonical section; an unknown label
("CT:", "Definition:") is text, so a findings line "LUNGS: clear" never cuts the findings.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline.pickling import tuple_state
from pipeline.rules import SectionRules

_SENTENCE_END = regex.compile(r"[.;,!?]\s*$")
_WORD = regex.compile(r"[^\W\d_][\w'’-]*")
_SMALL = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
     "to", "with", "without", "vs", "via", "per"}
)  # fmt: skip
_LABEL = regex.compile(
    r"(?:^|(?<=[.!?;)]\s{1,3})|(?<=\n))[ \t]*(?P<label>[^\W\d_][\w'’/&() -]{0,47}?)[ \t]*:(?=\s|$)"
)


def words(text: str) -> list[str]:
    """The words of a line (letters first; numbers and punctuation are not words).

    >>> words("2.1. Case report: a 45-year-old")
    ['Case', 'report', 'a', 'year-old']
    """
    return _WORD.findall(text)


def is_all_caps(text: str) -> bool:
    """A line whose letters are all capitals, with at least five of them (not "CT").

    >>> is_all_caps("IMAGING FINDINGS"), is_all_caps("CT"), is_all_caps("Findings")
    (True, False, False)
    """
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 5 and all(c.isupper() for c in letters)


def is_title_case(text: str) -> bool:
    """A line whose words all start with a capital, small words ("of", "and") aside.

    >>> is_title_case("Imaging Procedures and Findings"), is_title_case("Mass in the liver")
    (True, False)
    """
    found = words(text)
    big = [w for w in found if w.casefold() not in _SMALL]
    return bool(big) and found[0][0].isupper() and all(w[0].isupper() for w in big)


def short_line(text: str, rules: SectionRules) -> bool:
    """Short enough to be a heading, and not ending like a sentence (a colon may end it)."""
    return (
        "\n" not in text
        and len(text) <= rules.max_chars
        and 0 < len(words(text)) <= rules.max_words
        and not _SENTENCE_END.search(text)
    )


def heading_shaped(text: str, rules: SectionRules) -> bool:
    """A short line in Title Case or ALL CAPS, or ending with a colon: a heading's shape."""
    if not short_line(text, rules):
        return False
    return is_all_caps(text) or is_title_case(text) or text.rstrip().endswith(":")


@tuple_state
@dataclass(frozen=True, slots=True)
class LabelPiece:
    """A piece of a block cut at a known label: the label (None before the first one), its
    canonical section, the value after it, and the whole piece as the page wrote it."""

    label: str | None
    canonical: str | None
    value: str
    whole: str


def known_labels(text: str, rules: SectionRules) -> list[tuple[regex.Match[str], str]]:
    """Every ``Label:`` of a block that starts it, a line or a sentence and is a known heading.

    >>> from pipeline.rules import load_rules
    >>> rules = load_rules().sections
    >>> [m.group("label") for m, _ in known_labels("EXAM: CT. Technique: x. FINDINGS: y", rules)]
    ['EXAM', 'FINDINGS']
    """
    found = []
    for match in _LABEL.finditer(text):
        label = match.group("label").strip()
        if len(words(label)) > 5:
            continue
        canonical = rules.canonical(label, tolerant=False)
        if canonical is not None:
            found.append((match, canonical))
    return found


def label_pieces(text: str, rules: SectionRules, single: bool) -> list[LabelPiece]:
    """A block cut at its known labels, or [] when it is not cut.

    A block is cut when it holds a run of two known labels or more, or (``single``: a text
    line, a label cell, a block of a page whose headings are labels) when it holds one.

    >>> from pipeline.rules import load_rules
    >>> rules = load_rules().sections
    >>> [(p.label, p.canonical, p.value) for p in label_pieces(
    ...     "EXAM: CT chest. FINDINGS: A nodule. IMPRESSION: Granuloma.", rules, single=False)]
    [('EXAM', 'clinical_summary', 'CT chest.'), ('FINDINGS', 'findings', 'A nodule.'), \
('IMPRESSION', 'diagnosis', 'Granuloma.')]
    >>> label_pieces("Impression: granuloma.", rules, single=False)
    []
    """
    found = known_labels(text, rules)
    if len(found) < 2 and not (single and found):
        return []
    pieces: list[LabelPiece] = []
    head = text[: found[0][0].start()].strip()
    if head:
        pieces.append(LabelPiece(None, None, head, head))
    for index, (match, canonical) in enumerate(found):
        end = found[index + 1][0].start() if index + 1 < len(found) else len(text)
        whole = text[match.start() : end].strip()
        value = text[match.end() : end].strip()
        pieces.append(LabelPiece(match.group("label").strip(), canonical, value, whole))
    return pieces
