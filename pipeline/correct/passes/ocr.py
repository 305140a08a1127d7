"""The ``ocr`` pass: OCR damage, undone.

Three kinds: artefacts of a fixed shape that are not word-shaped (``jet al.``), regular
expressions in ``rules/ocr_artefacts.tsv``; digits read for letters (``f0r``, ``inc1ude``),
from ``rules/ocr_digits.tsv``, in words whose only digit sits where no number can (inside a
lowercase word) and only into a known word; and words the judge finds to be OCR misreadings
of a printed word (``hemolltic`` -> ``hemolytic``), from the confusion model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import regex

from pipeline.correct.passes.base import PassContext
from pipeline.correct.passes.words import word_edits
from pipeline.edits import Edit, overlaps_any
from pipeline.rules import Artefact, DigitReading

# One digit inside a lowercase word (a capital may start it) or in front of one; at least
# three letters, and no other digit, dot, slash or sign of a number, code or address around.
_DIGIT_WORD = regex.compile(
    r"(?<![\w.,/:@=&%+-])(?:(?:\p{Lu}\p{Ll}*|\p{Ll}+)\d\p{Ll}+|\d\p{Ll}{3,})"
    r"(?![\w/:@=&%+-]|[.,]\d)"
)
_DIGIT_THEN_LOWER = regex.compile(r"\d\p{Ll}")
"""What every match of ``_DIGIT_WORD`` holds: a text without it has no digit to undo (most
texts; the full pattern, tried at every place, is slow)."""


def artefact_edits(text: str, rules: Iterable[Artefact], threshold: float) -> list[Edit]:
    """Edits for every artefact match; non-overlapping, first rule wins."""
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for rule in rules:
        for m in rule.pattern.finditer(text):
            start, end = m.span()
            if start == end or overlaps_any(start, end, taken):
                continue
            replacement = m.expand(rule.replacement)
            if replacement == m.group(0):
                continue
            taken.append((start, end))
            rule_name = f"artefact:{rule.name}"
            edits.append(
                Edit.rated(
                    start, m.group(0), replacement, "ocr", rule_name, rule.confidence, threshold
                )
            )
    return sorted(edits, key=lambda e: e.start)


def digit_edits(
    text: str,
    readings: Iterable[DigitReading],
    is_word: Callable[[str], bool],
    threshold: float,
) -> list[Edit]:
    """Repairs of digits read for letters: only when exactly one reading is a known word."""
    if _DIGIT_THEN_LOWER.search(text) is None:
        return []
    by_digit: dict[str, list[DigitReading]] = {}
    for reading in readings:
        by_digit.setdefault(reading.seen, []).append(reading)
    edits: list[Edit] = []
    for m in _DIGIT_WORD.finditer(text):
        token = m.group(0)
        at = next(i for i, ch in enumerate(token) if ch.isdigit())
        options = {token[:at] + r.meant + token[at + 1 :]: r for r in by_digit.get(token[at], [])}
        words = [(cand, r) for cand, r in options.items() if is_word(cand)]
        if len(words) != 1:
            continue
        cand, reading = words[0]
        rule = f"ocr:digit-{reading.seen}-{reading.meant}"
        edits.append(Edit.rated(m.start(), token, cand, "ocr", rule, reading.confidence, threshold))
    return edits


class OcrPass:
    """Artefacts and digits on the first round; the judge's OCR readings every round."""

    name = "ocr"

    def find_edits(self, text: str, context: PassContext) -> list[Edit]:
        settings = context.rules.correct
        edits: list[Edit] = []
        if not context.word_rounds(text).earlier:
            edits = artefact_edits(text, context.rules.artefacts, settings.apply_threshold)
            spans = [(e.start, e.end) for e in edits]
            digits = digit_edits(
                text,
                context.rules.digit_readings,
                context.judge.digit_target,
                settings.ocr_threshold,
            )
            edits += [e for e in digits if not overlaps_any(e.start, e.end, spans)]
        taken = [(e.start, e.end) for e in edits]
        return edits + word_edits(text, self.name, context, settings.suggest_threshold, taken)


PASS = OcrPass()
