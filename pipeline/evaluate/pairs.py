"""Pair scores (``eval --pairs``): how much a corrector helps on noisy/clean text pairs.

Each pair is corrected, then noisy, clean and corrected text are aligned word by word (see
:mod:`pipeline.evaluate.align`); the figures are WER/CER before and after, and precision,
recall and F1 of the changes. Pure functions of their inputs, so the CLI, the benchmarks and
the tests share one definition.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from pipeline.evaluate.align import tokenize, triple_groups


def ratio(num: float, den: float, empty: float = 0.0) -> float:
    """``num / den``, or ``empty`` when there is nothing to divide by.

    >>> ratio(1, 4)
    0.25
    >>> ratio(0, 0, empty=1.0)
    1.0
    """
    return num / den if den else empty


def pct(x: float) -> str:
    """A share as the reports print it: a percentage in a column seven characters wide.

    >>> pct(0.125)
    ' 12.50%'
    """
    return f"{100 * x:6.2f}%"


@dataclass
class Counts:
    """Additive tallies behind the figures of one set of pairs (or one section kind).

    Units: ``errors``, ``changed``, ``fixed`` and ``broken`` count noisy-token groups (see
    :mod:`pipeline.evaluate.align`); WER/CER are pooled over all pairs (total distance over
    total length), computed on whitespace-normalised text so line breaks and runs of spaces do
    not count.
    """

    pairs: int = 0
    ref_words: int = 0
    ref_chars: int = 0
    noisy_words: int = 0
    word_dist_before: int = 0
    word_dist_after: int = 0
    char_dist_before: int = 0
    char_dist_after: int = 0
    errors: int = 0
    changed: int = 0
    fixed: int = 0
    broken: int = 0

    def add(self, other: Counts) -> None:
        """Accumulate ``other`` into this tally."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def wer_before(self) -> float:
        return ratio(self.word_dist_before, self.ref_words)

    @property
    def wer_after(self) -> float:
        return ratio(self.word_dist_after, self.ref_words)

    @property
    def cer_before(self) -> float:
        return ratio(self.char_dist_before, self.ref_chars)

    @property
    def cer_after(self) -> float:
        return ratio(self.char_dist_after, self.ref_chars)

    @property
    def precision(self) -> float:
        """fixed / changed; 1.0 when nothing was changed (no harm done)."""
        return ratio(self.fixed, self.changed, empty=1.0)

    @property
    def recall(self) -> float:
        """fixed / errors; 1.0 when there was nothing to fix."""
        return ratio(self.fixed, self.errors, empty=1.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


@dataclass
class PairScores:
    """Figures of a pairs file: totals, per section kind, and the commonest slips.

    ``top_broken`` counts (noisy, corrected) of correct words the corrector changed;
    ``top_missed`` counts (noisy, clean) of errors left unfixed (untouched or wrongly changed);
    ``top_wrong`` counts (noisy, corrected) of errors changed to something other than the clean
    word. Multi-token groups appear joined with single spaces.
    """

    total: Counts = field(default_factory=Counts)
    by_section: dict[str, Counts] = field(default_factory=dict)
    top_broken: Counter[tuple[str, str]] = field(default_factory=Counter)
    top_missed: Counter[tuple[str, str]] = field(default_factory=Counter)
    top_wrong: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_fold: dict[int, Counts] = field(default_factory=dict)
    correct_seconds: float = 0.0

    @property
    def words_per_second(self) -> float:
        """Noisy words corrected per second of time spent inside the corrector."""
        return ratio(self.total.noisy_words, self.correct_seconds, empty=math.inf)

    @property
    def wer_before(self) -> float:
        return self.total.wer_before

    @property
    def wer_after(self) -> float:
        return self.total.wer_after

    @property
    def cer_before(self) -> float:
        return self.total.cer_before

    @property
    def cer_after(self) -> float:
        return self.total.cer_after

    @property
    def precision(self) -> float:
        return self.total.precision

    @property
    def recall(self) -> float:
        return self.total.recall

    @property
    def f1(self) -> float:
        return self.total.f1


def section_of(pair_id: str) -> str:
    """Section kind of a pair id ``case#section`` (``""`` when the id has no ``#``).

    >>> section_of("2013/case.txt#findings")
    'findings'
    >>> section_of("acl-dev-0001")
    ''
    """
    return pair_id.rpartition("#")[2] if "#" in pair_id else ""


def section_kind(pair_id: str) -> str | None:
    """The section kind a pair id names, as a run would tell the corrector; None when the id
    names none (``acl-dev-0001``) or only a number (``page.html#3``).

    >>> section_kind("2013/case.txt#findings"), section_kind("page.html#3")
    ('findings', None)
    """
    kind = section_of(pair_id)
    return kind if kind and not kind.isdigit() else None


def _as_text(result: object) -> str:
    """Accept a corrector returning a string or a result object with ``.text``."""
    return result if isinstance(result, str) else str(result.text)  # type: ignore[attr-defined]


def _distances(n_tok: list[str], c_tok: list[str], k_tok: list[str]) -> Counts:
    """The WER/CER part of a pair's tallies, on whitespace-normalised text."""
    n_txt, c_txt, k_txt = " ".join(n_tok), " ".join(c_tok), " ".join(k_tok)
    return Counts(
        pairs=1,
        ref_words=len(c_tok),
        ref_chars=len(c_txt),
        noisy_words=len(n_tok),
        word_dist_before=Levenshtein.distance(c_tok, n_tok),
        word_dist_after=Levenshtein.distance(c_tok, k_tok),
        char_dist_before=Levenshtein.distance(c_txt, n_txt),
        char_dist_after=Levenshtein.distance(c_txt, k_txt),
    )


def _record_slip(
    slips: PairScores, n: tuple[str, ...], c: tuple[str, ...], k: tuple[str, ...]
) -> None:
    """Count one group among the commonest slips, keyed by its words joined with spaces."""
    error, changed = n != c, n != k
    key_n, key_c, key_k = " ".join(n), " ".join(c), " ".join(k)
    if changed and not error:
        slips.top_broken[key_n, key_k] += 1
    if error and k != c:
        slips.top_missed[key_n, key_c] += 1
        if changed:
            slips.top_wrong[key_n, key_k] += 1


def score_pair(noisy: str, clean: str, corrected: str, slips: PairScores | None = None) -> Counts:
    """Tallies of one pair; records its slips in ``slips`` when given.

    Per group: an *error* when the noisy span differs from the clean span; *changed* when the
    corrected span differs from the noisy span; *fixed* when an error's corrected span equals
    the clean span; *broken* when a correct span was changed. Comparison is exact (case and
    punctuation count).
    """
    n_tok, c_tok, k_tok = tokenize(noisy), tokenize(clean), tokenize(corrected)
    counts = _distances(n_tok, c_tok, k_tok)
    if n_tok == c_tok == k_tok:
        return counts
    for n, c, k in triple_groups(n_tok, c_tok, k_tok):
        error, changed = n != c, n != k
        counts.errors += error
        counts.changed += changed
        counts.fixed += error and k == c
        counts.broken += changed and not error
        if slips is not None:
            _record_slip(slips, n, c, k)
    return counts


def fold_of(pair: dict, folds: int) -> int:
    """The fold (1 to ``folds``) of a pair, by its document: the paragraphs of one paper (its
    ``doc``) or the sections of one case (the id before ``#``) stay in one fold, so a fold is
    text the other folds never saw. A stable hash, the same on every machine and run.

    >>> fold_of({"id": "2013/a.txt#findings"}, 2) == fold_of({"id": "2013/a.txt#discussion"}, 2)
    True
    """
    group = str(pair.get("doc") or str(pair.get("id", "")).split("#", 1)[0])
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % folds + 1


def score_pairs(
    pairs: Iterable[dict], correct: Callable[[str], object], folds: int = 0
) -> PairScores:
    """Run ``correct`` on each pair's ``noisy`` text and score it against ``clean``.

    ``pairs`` are ``{"id", "noisy", "clean"}`` dicts (the pairs JSONL format). Ids of the form
    ``case#section`` also give per-section tallies in ``by_section``; ``folds`` > 1 tallies
    each fold of :func:`fold_of` in ``by_fold``, so a rule tuned on one fold can be checked on
    another.
    """
    scores = PairScores()
    for pair in pairs:
        noisy, clean = pair["noisy"], pair["clean"]
        started = time.perf_counter()
        corrected = _as_text(correct(noisy))
        scores.correct_seconds += time.perf_counter() - started
        counts = score_pair(noisy, clean, corrected, scores)
        scores.total.add(counts)
        kind = section_of(str(pair.get("id", "")))
        if kind:
            scores.by_section.setdefault(kind, Counts()).add(counts)
        if folds > 1:
            scores.by_fold.setdefault(fold_of(pair, folds), Counts()).add(counts)
    return scores


def _section_line(name: str, c: Counts) -> str:
    return (
        f"{name:<24} {c.pairs:>6} {c.ref_words:>8} {pct(c.wer_before)} {pct(c.wer_after)} "
        f"{c.errors:>6} {c.changed:>6} {c.fixed:>6} {c.broken:>6} "
        f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"
    )


def _table(title: str, rows: dict[str, Counts]) -> list[str]:
    """One line per entry, in key order, under a header; a blank line after."""
    header = (
        f"{title:<24} {'pairs':>6} {'words':>8} {'WER-bef':>7} {'WER-aft':>7} "
        f"{'errors':>6} {'chang':>6} {'fixed':>6} {'broken':>6} "
        f"{'prec':>6} {'recall':>6} {'F1':>6}"
    )
    return [header, *(_section_line(name, rows[name]) for name in sorted(rows)), ""]


def _section_table(scores: PairScores) -> list[str]:
    """One line per section kind, alphabetical."""
    return _table("section", scores.by_section)


def _fold_table(scores: PairScores) -> list[str]:
    """One line per fold, in order."""
    folds = len(scores.by_fold)
    return _table("fold", {f"{n}/{folds}": c for n, c in scores.by_fold.items()})


def _top_slips(scores: PairScores, top: int) -> list[str]:
    """The ``top`` commonest broken and missed words, each list under its title."""
    lines: list[str] = []
    for title, counter in (
        ("most broken (noisy -> corrected)", scores.top_broken),
        ("most missed (noisy -> clean)", scores.top_missed),
    ):
        lines.append(f"{title}:")
        lines += [f"  {n:>5}  {a!r} -> {b!r}" for (a, b), n in counter.most_common(top)]
        lines.append("")
    return lines


def _pair_headline(scores: PairScores) -> list[str]:
    """The headline every pairs report ends with: harm, then six lines of figures.

    Harm is the correct words the correction changed, per 1,000 words of clean text: on a
    clean file (noisy = clean) it is the whole story.
    """
    t = scores.total
    harm = 1000 * ratio(t.broken, t.ref_words)
    return [
        f"harm: {t.broken} correct words changed, {harm:.2f} per 1,000 words",
        f"pairs: {t.pairs}   words (clean): {t.ref_words}   noisy words: {t.noisy_words}",
        f"WER: {pct(t.wer_before).strip()} -> {pct(t.wer_after).strip()}",
        f"CER: {pct(t.cer_before).strip()} -> {pct(t.cer_after).strip()}",
        f"errors: {t.errors}   changed: {t.changed}   fixed: {t.fixed}   broken: {t.broken}",
        f"precision: {t.precision:.3f}   recall: {t.recall:.3f}   F1: {t.f1:.3f}",
        f"speed: {scores.words_per_second:,.0f} words/s (in the corrector)",
    ]


def format_pair_scores(scores: PairScores, by_section: bool = False, top: int = 0) -> str:
    """The printed report; the last six lines are always the headline figures.

    ``top`` > 0 also lists the commonest broken and missed words (for release notes).
    """
    lines: list[str] = []
    if by_section and scores.by_section:
        lines += _section_table(scores)
    if scores.by_fold:
        lines += _fold_table(scores)
    if top > 0:
        lines += _top_slips(scores, top)
    return "\n".join(lines + _pair_headline(scores))
