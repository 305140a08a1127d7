"""Scoring: how much a correction helps, and how well a run matches a gold file.

Two kinds of figures, both pure functions of their inputs so the CLI, the benchmarks and the
tests share one definition:

* pair scores (:func:`score_pairs`): noisy text, the corrector's output and the clean text,
  aligned word by word; WER/CER before and after, and precision/recall/F1 of the changes;
* gold scores (:func:`score_gold`): the tables of a run against a gold file of pages.

Alignment works on *noisy-token groups*. Noisy text is aligned to the clean text and, separately,
to the corrected text; each alignment cuts the noisy tokens into groups that map to a span of
the other text (usually one token to one token, but ``phenom- enon`` is one group of two noisy
tokens mapping to ``phenomenon``). The two cuttings are then coarsened to their common
boundaries, so every group has one noisy, one clean and one corrected span, and is counted once.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz.distance import Levenshtein

Group = tuple[int, int, int, int]
"""A noisy span ``[i1, i2)`` aligned to a span ``[j1, j2)`` of the other text."""


def tokenize(text: str) -> list[str]:
    """Words as the metrics see them: runs of non-whitespace, punctuation attached."""
    return text.split()


def wer(ref_tokens: Sequence[str], hyp_tokens: Sequence[str]) -> float:
    """Word error rate: word-level Levenshtein distance over the reference length."""
    if not ref_tokens:
        return 0.0 if not hyp_tokens else 1.0
    return Levenshtein.distance(list(ref_tokens), list(hyp_tokens)) / len(ref_tokens)


def cer(ref: str, hyp: str) -> float:
    """Character error rate: character Levenshtein distance over the reference length."""
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def _nonequal_blocks(src: Sequence[str], dst: Sequence[str]) -> list[tuple[bool, Group]]:
    """Token opcodes with runs of non-equal operations merged into one block.

    A token-level edit script pairs tokens arbitrarily inside a run of changes (it does not
    know ``phenom-`` is closer to ``phenomenon`` than ``enon``), so a run is kept whole and
    refined at the character level by :func:`_refine_block`.
    """
    blocks: list[tuple[bool, Group]] = []
    for op in Levenshtein.opcodes(list(src), list(dst)):
        span = (op.src_start, op.src_end, op.dest_start, op.dest_end)
        if op.tag == "equal":
            blocks.append((True, span))
        elif blocks and not blocks[-1][0]:
            i1, _, j1, _ = blocks[-1][1]
            blocks[-1] = (False, (i1, op.src_end, j1, op.dest_end))
        else:
            blocks.append((False, span))
    return blocks


def _char_map(a: str, b: str) -> list[int]:
    """For each character of ``a``, the position of ``b`` it aligns to (-1 when deleted)."""
    mapping = [-1] * len(a)
    for op in Levenshtein.opcodes(a, b):
        if op.tag in ("equal", "replace"):
            width = op.src_end - op.src_start
            span = op.dest_end - op.dest_start
            for k in range(width):
                mapping[op.src_start + k] = op.dest_start + (k * span) // width
    return mapping


def _token_index(tokens: Sequence[str]) -> list[int]:
    """Token number of each character of ``" ".join(tokens)`` (-1 at the joining spaces)."""
    owner: list[int] = []
    for n, tok in enumerate(tokens):
        if n:
            owner.append(-1)
        owner.extend([n] * len(tok))
    return owner


def _refine_block(src: Sequence[str], dst: Sequence[str]) -> list[Group]:
    """Cut a block of changed tokens into groups by aligning its characters.

    Each source token goes with the destination tokens its characters land on; tokens that
    share a destination token are one group (``phenom-`` + ``enon`` → ``phenomenon``), and
    destination tokens nobody lands on join the following group (or the last one).
    """
    if len(src) <= 1 or len(dst) == 0:
        return [(0, len(src), 0, len(dst))]
    a = " ".join(src)
    mapping = _char_map(a, " ".join(dst))
    dst_owner = _token_index(dst)
    src_owner = _token_index(src)
    targets: list[set[int]] = [set() for _ in src]
    for pos, tok in enumerate(src_owner):
        if tok >= 0 and mapping[pos] >= 0 and dst_owner[mapping[pos]] >= 0:
            targets[tok].add(dst_owner[mapping[pos]])
    groups: list[list[int]] = []
    for i, hit in enumerate(targets):
        lo = min(hit) if hit else None
        if groups and lo is not None and lo < groups[-1][3]:
            groups[-1][1] = i + 1
            groups[-1][3] = max(groups[-1][3], max(hit) + 1)
            continue
        j1 = groups[-1][3] if groups else 0
        j2 = max(hit) + 1 if hit else j1
        groups.append([i, i + 1, j1, j2])
    groups[-1][3] = len(dst)
    return [(g[0], g[1], g[2], g[3]) for g in groups]


def align_groups(src: Sequence[str], dst: Sequence[str]) -> list[Group]:
    """Cut ``src`` into contiguous groups, each aligned to a contiguous span of ``dst``.

    Every source token is in exactly one group and every group has at least one source token
    (when ``src`` is not empty): destination words with no source counterpart are attached to
    the group before them, or to the first group, so an inserted word counts as one error of
    its neighbour rather than vanishing from the figures.
    """
    if not src:
        return [(0, 0, 0, len(dst))]
    groups: list[Group] = []
    pending_j1: int | None = None
    for equal, (i1, i2, j1, j2) in _nonequal_blocks(src, dst):
        if equal:
            parts = [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
        else:
            parts = [
                (i1 + a1, i1 + a2, j1 + b1, j1 + b2)
                for a1, a2, b1, b2 in _refine_block(src[i1:i2], dst[j1:j2])
            ]
        for g in parts:
            if g[0] == g[1]:
                if groups:
                    p = groups[-1]
                    groups[-1] = (p[0], p[1], p[2], g[3])
                else:
                    pending_j1 = g[2] if pending_j1 is None else pending_j1
                continue
            if pending_j1 is not None:
                g = (g[0], g[1], pending_j1, g[3])
                pending_j1 = None
            groups.append(g)
    return groups


def triple_groups(
    noisy: Sequence[str], clean: Sequence[str], corrected: Sequence[str]
) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """Noisy, clean and corrected spans that belong together.

    The noisy→clean and noisy→corrected groupings are coarsened to the noisy positions where
    both start a group, so each returned triple is a self-contained unit of the comparison.
    """
    to_clean = align_groups(noisy, clean)
    to_corr = align_groups(noisy, corrected)
    if not noisy:
        return [((), tuple(clean), tuple(corrected))]
    starts_clean = {g[0]: g for g in to_clean}
    starts_corr = {g[0]: g for g in to_corr}
    cuts = [*sorted(set(starts_clean) & set(starts_corr)), len(noisy)]
    ends_clean = {g[1]: g for g in to_clean}
    ends_corr = {g[1]: g for g in to_corr}
    out = []
    for p, q in itertools.pairwise(cuts):
        c1, c2 = starts_clean[p][2], ends_clean[q][3]
        k1, k2 = starts_corr[p][2], ends_corr[q][3]
        out.append((tuple(noisy[p:q]), tuple(clean[c1:c2]), tuple(corrected[k1:k2])))
    return out


@dataclass
class Counts:
    """Additive tallies behind the figures of one set of pairs (or one section kind).

    Units: ``errors``, ``changed``, ``fixed`` and ``broken`` count noisy-token groups (see the
    module docstring); WER/CER are pooled over all pairs (total distance over total length),
    computed on whitespace-normalised text so line breaks and runs of spaces do not count.
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
        return _ratio(self.word_dist_before, self.ref_words)

    @property
    def wer_after(self) -> float:
        return _ratio(self.word_dist_after, self.ref_words)

    @property
    def cer_before(self) -> float:
        return _ratio(self.char_dist_before, self.ref_chars)

    @property
    def cer_after(self) -> float:
        return _ratio(self.char_dist_after, self.ref_chars)

    @property
    def precision(self) -> float:
        """fixed / changed; 1.0 when nothing was changed (no harm done)."""
        return _ratio(self.fixed, self.changed, empty=1.0)

    @property
    def recall(self) -> float:
        """fixed / errors; 1.0 when there was nothing to fix."""
        return _ratio(self.fixed, self.errors, empty=1.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _ratio(num: float, den: float, empty: float = 0.0) -> float:
    return num / den if den else empty


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
    correct_seconds: float = 0.0

    @property
    def words_per_second(self) -> float:
        """Noisy words corrected per second of time spent inside the corrector."""
        return _ratio(self.total.noisy_words, self.correct_seconds, empty=math.inf)

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
    """Section kind of a pair id ``case#section`` (``""`` when the id has no ``#``)."""
    return pair_id.rpartition("#")[2] if "#" in pair_id else ""


def _as_text(result: object) -> str:
    """Accept a corrector returning a string or a result object with ``.text``."""
    return result if isinstance(result, str) else str(result.text)  # type: ignore[attr-defined]


def score_pair(noisy: str, clean: str, corrected: str, slips: PairScores | None = None) -> Counts:
    """Tallies of one pair; records its slips in ``slips`` when given.

    Per group: an *error* when the noisy span differs from the clean span; *changed* when the
    corrected span differs from the noisy span; *fixed* when an error's corrected span equals
    the clean span; *broken* when a correct span was changed. Comparison is exact (case and
    punctuation count).
    """
    n_tok, c_tok, k_tok = tokenize(noisy), tokenize(clean), tokenize(corrected)
    n_txt, c_txt, k_txt = " ".join(n_tok), " ".join(c_tok), " ".join(k_tok)
    counts = Counts(
        pairs=1,
        ref_words=len(c_tok),
        ref_chars=len(c_txt),
        noisy_words=len(n_tok),
        word_dist_before=Levenshtein.distance(c_tok, n_tok),
        word_dist_after=Levenshtein.distance(c_tok, k_tok),
        char_dist_before=Levenshtein.distance(c_txt, n_txt),
        char_dist_after=Levenshtein.distance(c_txt, k_txt),
    )
    if n_tok == c_tok == k_tok:
        return counts
    for n, c, k in triple_groups(n_tok, c_tok, k_tok):
        error, changed = n != c, n != k
        counts.errors += error
        counts.changed += changed
        counts.fixed += error and k == c
        counts.broken += changed and not error
        if slips is None:
            continue
        key_n, key_c, key_k = " ".join(n), " ".join(c), " ".join(k)
        if changed and not error:
            slips.top_broken[key_n, key_k] += 1
        if error and k != c:
            slips.top_missed[key_n, key_c] += 1
            if changed:
                slips.top_wrong[key_n, key_k] += 1
    return counts


def score_pairs(pairs: Iterable[dict], correct: Callable[[str], object]) -> PairScores:
    """Run ``correct`` on each pair's ``noisy`` text and score it against ``clean``.

    ``pairs`` are ``{"id", "noisy", "clean"}`` dicts (the pairs JSONL format). Ids of the form
    ``case#section`` also give per-section tallies in ``by_section``.
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
    return scores


def _pct(x: float) -> str:
    return f"{100 * x:6.2f}%"


def _section_line(name: str, c: Counts) -> str:
    return (
        f"{name:<24} {c.pairs:>6} {c.ref_words:>8} {_pct(c.wer_before)} {_pct(c.wer_after)} "
        f"{c.errors:>6} {c.changed:>6} {c.fixed:>6} {c.broken:>6} "
        f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"
    )


def format_pair_scores(scores: PairScores, by_section: bool = False, top: int = 0) -> str:
    """The printed report; the last six lines are always the headline figures.

    ``top`` > 0 also lists the commonest broken and missed words (for release notes).
    """
    lines: list[str] = []
    if by_section and scores.by_section:
        lines.append(
            f"{'section':<24} {'pairs':>6} {'words':>8} {'WER-bef':>7} {'WER-aft':>7} "
            f"{'errors':>6} {'chang':>6} {'fixed':>6} {'broken':>6} "
            f"{'prec':>6} {'recall':>6} {'F1':>6}"
        )
        for name in sorted(scores.by_section):
            lines.append(_section_line(name, scores.by_section[name]))
        lines.append("")
    if top > 0:
        for title, counter in (
            ("most broken (noisy -> corrected)", scores.top_broken),
            ("most missed (noisy -> clean)", scores.top_missed),
        ):
            lines.append(f"{title}:")
            for (a, b), n in counter.most_common(top):
                lines.append(f"  {n:>5}  {a!r} -> {b!r}")
            lines.append("")
    t = scores.total
    lines += [
        f"pairs: {t.pairs}   words (clean): {t.ref_words}   noisy words: {t.noisy_words}",
        f"WER: {_pct(t.wer_before).strip()} -> {_pct(t.wer_after).strip()}",
        f"CER: {_pct(t.cer_before).strip()} -> {_pct(t.cer_after).strip()}",
        f"errors: {t.errors}   changed: {t.changed}   fixed: {t.fixed}   broken: {t.broken}",
        f"precision: {t.precision:.3f}   recall: {t.recall:.3f}   F1: {t.f1:.3f}",
        f"speed: {scores.words_per_second:,.0f} words/s (in the corrector)",
    ]
    return "\n".join(lines)


# --- page-level scores against a gold file -----------------------------------------------

GOLD_FIELDS = (
    "title",
    "author_name",
    "author_affiliation",
    "author_degree",
    "resident_name",
    "patient_gender",
    "patient_age",
    "patient_age_years",
    "body_system",
)
GOLD_SECTIONS = (
    "clinical_summary",
    "findings",
    "discussion",
    "differential_diagnosis",
    "diagnosis",
    "references",
)
AGE_TOLERANCE = 1e-3
_NOT_TEXT = frozenset({"case_id", "source_path", "source_sha256", "source_format", "status"})
_HYPHEN_SPACE = re.compile(r"-\s+")
_SQUASH = re.compile(r"[\s\-]+")


@dataclass
class SectionTally:
    """How one section kind fared: ``found`` counts expected sections the run filled,
    ``spurious`` sections the run filled where the gold has none, ``exact`` expected sections
    whose clean text equals the gold text after whitespace normalisation; ``raw_injected_only``
    found sections whose raw text differs from gold only at injected damage."""

    expected: int = 0
    found: int = 0
    spurious: int = 0
    exact: int = 0
    raw_compared: int = 0
    raw_injected_only: int = 0


@dataclass
class GoldScores:
    """Figures of a run against a gold file; lists keep the evidence for the report."""

    pages: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)
    sections: dict[str, SectionTally] = field(default_factory=dict)
    leaks: list[tuple[str, str, str]] = field(default_factory=list)
    protected_changed: list[tuple[str, str, str]] = field(default_factory=list)
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    status_right: int = 0
    injected_missing: int = 0
    injected_kinds: set[str] = field(default_factory=set)
    injected_examples: list[tuple[str, str, str]] = field(default_factory=list)

    def field_rate(self, name: str) -> float:
        """Share of gold pages whose value of ``name`` the run got exactly."""
        right, total = self.fields.get(name, [0, 0])
        return _ratio(right, total)

    def injected_only(self, kinds: Iterable[str] | None = None) -> tuple[int, int]:
        """(sections whose raw text differs from gold only at injected damage, compared).

        ``kinds`` limits the count to some section kinds: the gold lists injected words only
        for some kinds (``injected_kinds``), and damage in other kinds cannot be explained.
        """
        tallies = [t for k, t in self.sections.items() if kinds is None or k in kinds]
        return sum(t.raw_injected_only for t in tallies), sum(t.raw_compared for t in tallies)


def _missing(value: object) -> bool:
    """True for None, NaN and pandas' NA: every way a table says "no value"."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _norm_ws(text: str) -> str:
    return " ".join(str(text).split())


def _same_field(name: str, got: object, want: object) -> bool:
    """Exact match after whitespace normalisation; ages in years within a tolerance."""
    if _missing(got) or _missing(want):
        return _missing(got) and _missing(want)
    if name == "patient_age_years":
        try:
            return abs(float(got) - float(want)) <= AGE_TOLERANCE
        except (TypeError, ValueError):
            return False
    return _norm_ws(got) == _norm_ws(want)


def _row_for(cases: pd.DataFrame, case_id: str) -> dict | None:
    rows = _rows_of(cases, case_id)
    return None if rows.empty else rows.iloc[0].to_dict()


def _in_errors(errors: pd.DataFrame, case_id: str) -> bool:
    """Broken pages are matched by a source path ending in the gold case id."""
    if errors.empty or "source_path" not in errors:
        return False
    paths = errors["source_path"].astype(str).str.replace("\\", "/", regex=False)
    return bool(paths.map(lambda p: p == case_id or p.endswith("/" + case_id)).any())


def _run_status(row: dict | None, in_errors: bool) -> str:
    if in_errors:
        return "errors-table"
    if row is None:
        return "missing"
    return "missing" if _missing(row.get("status")) else str(row.get("status"))


def _damage_pattern(damaged: dict[str, str]) -> re.Pattern[str] | None:
    """One regex for a section's damaged words, each standing on its own between letters.

    Damage was put into letter runs, also inside compounds and URLs (``right-sidod``,
    ``hn015.btml``), and a damaged word may carry punctuation of its own (``tumor.``), so a
    match only needs no letter on either side.
    """
    if not damaged:
        return None
    words = sorted(damaged, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![^\W\d_])(?:{body})(?![^\W\d_])")


def _explained(
    noisy: Sequence[str], gold: Sequence[str], damaged: dict[str, str], pattern: re.Pattern | None
) -> bool:
    """Whether a differing group is accounted for by injected damage.

    Accepted: injected words (swapped back), line-wrap hyphen splits (``hema- topoiesis``,
    ``destruc-tion``, also around a damaged word) and stray spaces before punctuation; the
    comparison ignores whitespace and hyphens once the damaged words are swapped back.
    """
    target = _SQUASH.sub("", " ".join(gold))
    joined = " ".join(noisy)
    variants = (
        joined,
        _HYPHEN_SPACE.sub("", joined),
        joined.replace("-", ""),
        _HYPHEN_SPACE.sub("", joined).replace("-", ""),
    )
    for text in variants:
        fixed = text if pattern is None else pattern.sub(lambda m: damaged[m.group(0)], text)
        if _SQUASH.sub("", fixed) == target:
            return True
    return False


def differs_only_at_injected(raw: str, gold: str, injected: Iterable[Sequence[str]]) -> bool:
    """True when every word where ``raw`` and ``gold`` disagree is injected damage."""
    damaged = {pair[0]: pair[1] for pair in injected}
    raw_tok, gold_tok = tokenize(raw), tokenize(gold)
    if raw_tok == gold_tok:
        return True
    pattern = _damage_pattern(damaged)
    return all(
        _explained(raw_tok[i1:i2], gold_tok[j1:j2], damaged, pattern)
        for i1, i2, j1, j2 in align_groups(raw_tok, gold_tok)
        if raw_tok[i1:i2] != gold_tok[j1:j2]
    )


def _words(text: str) -> set[str]:
    return {w.strip(".,;:!?()[]{}\"'") for w in tokenize(text)}


def _rows_of(table: pd.DataFrame, case_id: str) -> pd.DataFrame:
    """The rows of one page (none when the table lacks a ``case_id`` column)."""
    if "case_id" not in table:
        return table.iloc[0:0]
    return table.loc[table["case_id"] == case_id]


def _protected_changes(
    case_id: str, protected: Sequence[str], sections: pd.DataFrame, corrections: pd.DataFrame
) -> list[tuple[str, str, str]]:
    """Words of ``must_not_change`` the run altered, with how: an applied edit or a loss."""
    edits = _rows_of(corrections, case_id)
    edited: set[str] = set()
    if not edits.empty:
        applied = edits.loc[edits["applied"].fillna(False).astype(bool)]
        for original in applied["original"].astype(str):
            edited |= _words(original)
    rows = _rows_of(sections, case_id)
    raw_words: set[str] = set()
    clean_words: set[str] = set()
    for column, bag in (("raw_text", raw_words), ("clean_text", clean_words)):
        for text in rows.get(column, ()):
            if isinstance(text, str):
                bag |= _words(text)
    found: list[tuple[str, str, str]] = []
    for word in protected:
        if word in edited:
            found.append((case_id, word, "edited"))
        elif word in raw_words and word not in clean_words:
            found.append((case_id, word, "lost"))
    return found


def _leaks(case_id: str, row: dict | None, sections: pd.DataFrame, strings: Sequence[str]):
    """(case, column, string) for each boilerplate string found in the page's text."""
    texts: list[tuple[str, str]] = []
    if row is not None:
        texts += [
            (col, str(val))
            for col, val in row.items()
            if col not in _NOT_TEXT and isinstance(val, str)
        ]
    if "clean_text" in sections:
        rows = _rows_of(sections, case_id)
        texts += [
            (f"sections:{sec}", str(txt))
            for sec, txt in zip(rows["section"], rows["clean_text"], strict=True)
            if isinstance(txt, str)
        ]
    return [(case_id, col, s) for s in strings for col, txt in texts if s in txt]


def score_gold(
    gold: Iterable[dict],
    cases: pd.DataFrame,
    sections: pd.DataFrame,
    corrections: pd.DataFrame,
    errors: pd.DataFrame,
) -> GoldScores:
    """Score the tables of a run (CONTRACT.md columns) against gold pages.

    Only the gold's pages are scored. Broken pages (gold status ``error_or_warning``) count
    as right when they are in ``errors`` or their row has status error/warning; a gold ``ok``
    page is right only with status ``ok``.
    """
    scores = GoldScores()
    scores.fields = {name: [0, 0] for name in GOLD_FIELDS}
    scores.sections = {kind: SectionTally() for kind in GOLD_SECTIONS}
    for page in gold:
        case_id, want_status = page["case_id"], page["status"]
        scores.pages += 1
        row = _row_for(cases, case_id)
        got_status = _run_status(row, _in_errors(errors, case_id))
        scores.statuses[want_status, got_status] += 1
        if want_status == "error_or_warning":
            scores.status_right += got_status in ("errors-table", "error", "warning")
            continue
        scores.status_right += got_status == want_status
        _score_fields(scores, page, row)
        _score_sections(scores, page, row, sections)
        scores.leaks += _leaks(case_id, row, sections, page.get("must_be_absent", []))
        scores.protected_changed += _protected_changes(
            case_id, page.get("must_not_change", []), sections, corrections
        )
    return scores


def _score_fields(scores: GoldScores, page: dict, row: dict | None) -> None:
    for name in GOLD_FIELDS:
        want = page.get("fields", {}).get(name)
        got = None if row is None else row.get(name)
        tally = scores.fields[name]
        tally[1] += 1
        tally[0] += row is not None and _same_field(name, got, want)


def _score_sections(scores: GoldScores, page: dict, row: dict | None, sections: pd.DataFrame):
    case_id = page["case_id"]
    injected = page.get("injected", {})
    scores.injected_kinds |= set(injected)
    raw_rows = _rows_of(sections, case_id)
    for kind in GOLD_SECTIONS:
        want = page.get("sections", {}).get(kind)
        got = None if row is None else row.get(kind)
        tally = scores.sections[kind]
        if _missing(want):
            tally.spurious += not _missing(got)
            continue
        tally.expected += 1
        if _missing(got):
            continue
        tally.found += 1
        tally.exact += _norm_ws(got) == _norm_ws(want)
        raws = raw_rows.loc[raw_rows["section"] == kind, "raw_text"]
        tally.raw_compared += 1
        if len(raws) == 0 or _missing(raws.iloc[0]):
            scores.injected_missing += 1
        elif differs_only_at_injected(raws.iloc[0], want, injected.get(kind, [])):
            tally.raw_injected_only += 1
        elif len(scores.injected_examples) < 20:
            scores.injected_examples.append((case_id, kind, _first_difference(raws.iloc[0], want)))


def _first_difference(raw: str, gold: str) -> str:
    """The first aligned words that differ, for the report."""
    raw_tok, gold_tok = tokenize(raw), tokenize(gold)
    for i1, i2, j1, j2 in align_groups(raw_tok, gold_tok):
        if raw_tok[i1:i2] != gold_tok[j1:j2]:
            return f"{' '.join(raw_tok[i1:i2])!r} vs gold {' '.join(gold_tok[j1:j2])!r}"
    return ""


def _share(part: int, whole: int) -> str:
    return f"{_pct(_ratio(part, whole)).strip()} ({part}/{whole})"


def format_gold_scores(scores: GoldScores, details: int = 10) -> str:
    """The printed page-level report; the last six lines are the headline figures."""
    lines = ["field                      exact-match"]
    for name in GOLD_FIELDS:
        right, total = scores.fields.get(name, [0, 0])
        lines.append(f"  {name:<24} {_pct(scores.field_rate(name))}  ({right}/{total})")
    lines += [
        "",
        "section                  expected  found  spurious  exact-text  raw-only-injected",
    ]
    for kind, t in scores.sections.items():
        listed = "" if kind in scores.injected_kinds else "  (gold lists no injected words)"
        lines.append(
            f"  {kind:<22} {t.expected:>8} {t.found:>6} {t.spurious:>9} "
            f"{_pct(_ratio(t.exact, t.expected)):>11} "
            f"{_pct(_ratio(t.raw_injected_only, t.raw_compared)):>18}{listed}"
        )
    lines += ["", "statuses (gold -> run):"]
    for (want, got), n in sorted(scores.statuses.items()):
        lines.append(f"  {want:<17} -> {got:<13} {n:>5}")
    for title, items in (
        ("boilerplate leaked", scores.leaks),
        ("protected words changed", scores.protected_changed),
        (
            "sections differing beyond injected damage",
            sorted(scores.injected_examples, key=lambda e: e[1] not in scores.injected_kinds),
        ),
    ):
        if items:
            lines += ["", f"{title} (first {min(details, len(items))}):"]
            lines += [f"  {a}  {b}: {c}" for a, b, c in items[:details]]
    found = sum(t.found for t in scores.sections.values())
    expected = sum(t.expected for t in scores.sections.values())
    worst = min(GOLD_FIELDS, key=scores.field_rate)
    at_99 = sum(scores.field_rate(name) >= 0.99 for name in GOLD_FIELDS)
    lines += [
        "",
        f"pages: {scores.pages}   right status: {scores.status_right}/{scores.pages}",
        f"fields at >= 99% exact match: {at_99}/{len(GOLD_FIELDS)}   "
        f"lowest: {worst} {_pct(scores.field_rate(worst)).strip()}",
        f"sections found: {found}/{expected}   "
        f"spurious: {sum(t.spurious for t in scores.sections.values())}   "
        f"exact text: {sum(t.exact for t in scores.sections.values())}/{expected}",
        f"boilerplate leaked: {len(scores.leaks)}",
        f"protected words changed: {len(scores.protected_changed)}",
        "raw sections differing only at injected words: "
        f"{_share(*scores.injected_only())} of all, "
        f"{_share(*scores.injected_only(scores.injected_kinds))} where gold lists them; "
        f"{scores.injected_missing} without raw text",
    ]
    return "\n".join(lines)
