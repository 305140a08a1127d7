"""OCR damage: candidates from a confusion model, and known artefacts.

An OCR engine misreads glyph shapes (``rn`` for ``m``, ``li`` for ``h``, ``e`` for ``c``), so a
damaged word is usually one or two misreadings away from the printed one. The model undoes
misreadings listed in ``rules/ocr_confusions.tsv``; the caller keeps only candidates that are
words and ranks them. Artefacts that are not word-shaped (``jet al.``) are regular expressions in
``rules/ocr_artefacts.tsv``. Digits read for letters (``f0r``, ``inc1ude``) are undone from
``rules/ocr_digits.tsv``, in words whose only digit sits where no number can (inside a
lowercase word), and only into a known word.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.edits import Edit
from pipeline.rules import tsv_rows


@dataclass(frozen=True, slots=True)
class Confusion:
    """The OCR wrote ``seen`` where ``meant`` was printed, with relative ``weight``."""

    seen: str
    meant: str
    weight: float


@dataclass(frozen=True, slots=True)
class Artefact:
    """A regular expression for damage with a fixed shape, and its repair."""

    pattern: regex.Pattern[str]
    replacement: str
    confidence: float
    name: str


def load_confusions(path: Path) -> list[Confusion]:
    """The confusion table; rows with an empty ``seen`` cannot be undone and are skipped."""
    rows = []
    for cols in tsv_rows(path):
        if len(cols) < 3 or not cols[0]:
            continue
        weight = float(cols[2])
        if weight > 0:
            rows.append(Confusion(cols[0], cols[1], min(weight, 1.0)))
    return rows


def load_artefacts(path: Path) -> list[Artefact]:
    """The artefact rules, compiled."""
    rules = []
    for cols in tsv_rows(path):
        if len(cols) < 4:
            continue
        replacement = cols[1].replace("\\t", "\t")
        rules.append(Artefact(regex.compile(cols[0]), replacement, float(cols[2]), cols[3]))
    return rules


class OcrModel:
    """Undo up to ``max_steps`` misreadings of a word; each route costs log10 of its weights."""

    def __init__(self, confusions: list[Confusion], *, max_steps: int = 2) -> None:
        self.max_steps = max_steps
        self._by_first: dict[str, list[tuple[str, str, float]]] = {}
        for c in confusions:
            cost = math.log10(c.weight)
            self._by_first.setdefault(c.seen[0], []).append((c.seen, c.meant, cost))
        self._memo: dict[tuple[str, int], dict[str, float]] = {}

    def _one_step(self, word: str, start: int) -> Iterator[tuple[str, float, int]]:
        for i in range(start, len(word)):
            for seen, meant, cost in self._by_first.get(word[i], ()):
                if word.startswith(seen, i):
                    yield word[:i] + meant + word[i + len(seen) :], cost, i + len(meant)

    def candidates(self, word: str, steps: int | None = None) -> dict[str, float]:
        """Every string reachable by undoing misreadings, with its best log10 weight.

        Steps are applied left to right and never rewrite what an earlier step produced, so
        the search stays small and every route is a plain reading of the damage.
        """
        steps = self.max_steps if steps is None else min(steps, self.max_steps)
        key = (word, steps)
        found = self._memo.get(key)
        if found is not None:
            return found
        found = {}
        frontier = [(word, 0.0, 0)]
        for _ in range(steps):
            nxt = []
            for text, cost, start in frontier:
                for cand, step, resume in self._one_step(text, start):
                    total = cost + step
                    if total > found.get(cand, -math.inf):
                        found[cand] = total
                        nxt.append((cand, total, resume))
            frontier = nxt
        found.pop(word, None)
        if len(self._memo) < 200_000:
            self._memo[key] = found
        return found


def artefact_edits(text: str, rules: list[Artefact], threshold: float) -> list[Edit]:
    """Edits for every artefact match; non-overlapping, first rule wins."""
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for rule in rules:
        for m in rule.pattern.finditer(text):
            start, end = m.span()
            if any(s < end and start < e for s, e in taken) or start == end:
                continue
            replacement = m.expand(rule.replacement)
            if replacement == m.group(0):
                continue
            taken.append((start, end))
            edits.append(
                Edit(
                    start,
                    end,
                    m.group(0),
                    replacement,
                    "ocr",
                    f"artefact:{rule.name}",
                    rule.confidence,
                    rule.confidence >= threshold,
                )
            )
    return sorted(edits, key=lambda e: e.start)


@dataclass(frozen=True, slots=True)
class DigitReading:
    """The OCR wrote the digit ``seen`` where the letter ``meant`` was printed."""

    seen: str
    meant: str
    confidence: float


def load_digit_readings(path: Path) -> list[DigitReading]:
    """The digit table (``rules/ocr_digits.tsv``); a missing file means no digit repairs."""
    return [
        DigitReading(cols[0].strip(), cols[1].strip(), float(cols[2]))
        for cols in tsv_rows(path)
        if len(cols) >= 3 and len(cols[0].strip()) == 1 and cols[0].strip().isdigit()
    ]


# One digit inside a lowercase word (a capital may start it) or in front of one; at least
# three letters, and no other digit, dot, slash or sign of a number, code or address around.
_DIGIT_WORD = regex.compile(
    r"(?<![\w.,/:@=&%+-])(?:(?:\p{Lu}\p{Ll}*|\p{Ll}+)\d\p{Ll}+|\d\p{Ll}{3,})"
    r"(?![\w/:@=&%+-]|[.,]\d)"
)


def digit_edits(
    text: str,
    readings: list[DigitReading],
    is_word: Callable[[str], bool],
    threshold: float,
) -> list[Edit]:
    """Repairs of digits read for letters: only when exactly one reading is a known word."""
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
        edits.append(
            Edit(
                m.start(),
                m.end(),
                token,
                cand,
                "ocr",
                f"ocr:digit-{reading.seen}-{reading.meant}",
                reading.confidence,
                reading.confidence >= threshold,
            )
        )
    return edits
