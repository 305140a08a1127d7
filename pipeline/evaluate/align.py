"""Words, error rates and the word alignment every figure is counted on.

Alignment works on *noisy-token groups*. Noisy text is aligned to the clean text and, separately,
to the corrected text; each alignment cuts the noisy tokens into groups that map to a span of
the other text (usually one token to one token, but ``phenom- enon`` is one group of two noisy
tokens mapping to ``phenomenon``). The two cuttings are then coarsened to their common
boundaries, so every group has one noisy, one clean and one corrected span, and is counted once.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein

Group = tuple[int, int, int, int]
"""A noisy span ``[i1, i2)`` aligned to a span ``[j1, j2)`` of the other text."""

Triple = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
"""Noisy, clean and corrected tokens of one unit of comparison."""


def tokenize(text: str) -> list[str]:
    """Words as the metrics see them: runs of non-whitespace, punctuation attached.

    >>> tokenize("the  lesion .\\nis")
    ['the', 'lesion', '.', 'is']
    """
    return text.split()


def wer(ref_tokens: Sequence[str], hyp_tokens: Sequence[str]) -> float:
    """Word error rate: word-level Levenshtein distance over the reference length.

    >>> wer(["the", "cat"], ["tbe", "cat"])
    0.5
    >>> wer([], [])
    0.0
    """
    if not ref_tokens:
        return 0.0 if not hyp_tokens else 1.0
    return Levenshtein.distance(list(ref_tokens), list(hyp_tokens)) / len(ref_tokens)


def cer(ref: str, hyp: str) -> float:
    """Character error rate: character Levenshtein distance over the reference length.

    >>> cer("the cat", "tbe cat") == 1 / 7
    True
    >>> cer("", "x")
    1.0
    """
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def _nonequal_blocks(src: Sequence[str], dst: Sequence[str]) -> list[tuple[bool, Group]]:
    """Token opcodes with runs of non-equal operations merged into one block.

    A token-level edit script pairs tokens arbitrarily inside a run of changes (it does not
    know ``phenom-`` is closer to ``phenomenon`` than ``enon``), so a run is kept whole and
    refined at the character level by :func:`_refine_block`.

    >>> _nonequal_blocks(["a", "phenom-", "enon"], ["a", "phenomenon"])
    [(True, (0, 1, 0, 1)), (False, (1, 3, 1, 2))]
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
    """For each character of ``a``, the position of ``b`` it aligns to (-1 when deleted).

    >>> _char_map("abxc", "abc")
    [0, 1, -1, 2]
    """
    mapping = [-1] * len(a)
    for op in Levenshtein.opcodes(a, b):
        if op.tag in ("equal", "replace"):
            width = op.src_end - op.src_start
            span = op.dest_end - op.dest_start
            for k in range(width):
                mapping[op.src_start + k] = op.dest_start + (k * span) // width
    return mapping


def _token_index(tokens: Sequence[str]) -> list[int]:
    """Token number of each character of ``" ".join(tokens)`` (-1 at the joining spaces).

    >>> _token_index(["ab", "c"])
    [0, 0, -1, 1]
    """
    owner: list[int] = []
    for n, tok in enumerate(tokens):
        if n:
            owner.append(-1)
        owner.extend([n] * len(tok))
    return owner


def _landing_tokens(src: Sequence[str], dst: Sequence[str]) -> list[set[int]]:
    """For each source token, the destination tokens its characters align to.

    >>> _landing_tokens(["phenom-", "enon"], ["phenomenon"])
    [{0}, {0}]
    """
    mapping = _char_map(" ".join(src), " ".join(dst))
    dst_owner = _token_index(dst)
    targets: list[set[int]] = [set() for _ in src]
    for pos, tok in enumerate(_token_index(src)):
        if tok >= 0 and mapping[pos] >= 0 and dst_owner[mapping[pos]] >= 0:
            targets[tok].add(dst_owner[mapping[pos]])
    return targets


def _refine_block(src: Sequence[str], dst: Sequence[str]) -> list[Group]:
    """Cut a block of changed tokens into groups by aligning its characters.

    Each source token goes with the destination tokens its characters land on; tokens that
    share a destination token are one group (``phenom-`` + ``enon`` → ``phenomenon``), and
    destination tokens nobody lands on join the following group (or the last one).

    >>> _refine_block(["phenom-", "enon", "tbe"], ["phenomenon", "the"])
    [(0, 2, 0, 1), (2, 3, 1, 2)]
    """
    if len(src) <= 1 or len(dst) == 0:
        return [(0, len(src), 0, len(dst))]
    groups: list[list[int]] = []
    for i, hit in enumerate(_landing_tokens(src, dst)):
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


def _block_groups(src: Sequence[str], dst: Sequence[str], equal: bool, block: Group) -> list[Group]:
    """The groups of one block: token by token when equal, refined when changed."""
    i1, i2, j1, j2 = block
    if equal:
        return [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
    return [
        (i1 + a1, i1 + a2, j1 + b1, j1 + b2)
        for a1, a2, b1, b2 in _refine_block(src[i1:i2], dst[j1:j2])
    ]


def align_groups(src: Sequence[str], dst: Sequence[str]) -> list[Group]:
    """Cut ``src`` into contiguous groups, each aligned to a contiguous span of ``dst``.

    Every source token is in exactly one group and every group has at least one source token
    (when ``src`` is not empty): destination words with no source counterpart are attached to
    the group before them, or to the first group, so an inserted word counts as one error of
    its neighbour rather than vanishing from the figures.

    >>> align_groups(["a", "phenom-", "enon"], ["a", "phenomenon"])
    [(0, 1, 0, 1), (1, 3, 1, 2)]
    >>> align_groups(["the", "cat"], ["the", "big", "cat"])
    [(0, 1, 0, 2), (1, 2, 2, 3)]
    """
    if not src:
        return [(0, 0, 0, len(dst))]
    groups: list[Group] = []
    pending_j1: int | None = None
    for equal, block in _nonequal_blocks(src, dst):
        for g in _block_groups(src, dst, equal, block):
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
) -> list[Triple]:
    """Noisy, clean and corrected spans that belong together.

    The noisy→clean and noisy→corrected groupings are coarsened to the noisy positions where
    both start a group, so each returned triple is a self-contained unit of the comparison.

    >>> triple_groups(["tbe", "cat"], ["the", "cat"], ["the", "cat"])
    [(('tbe',), ('the',), ('the',)), (('cat',), ('cat',), ('cat',))]
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
