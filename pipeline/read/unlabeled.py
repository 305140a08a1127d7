"""Unlabeled sections: the textbook paragraph and the citation that pages paste without a heading.

The sample's layout puts a textbook discussion of the disease after the findings and a
citation after the diagnosis, with no heading. They are told apart by what marks them where
the page has a mark, and by what they say where it has none, never by position alone:

- a text page sets them apart by a wider gap (decided while sections are cut, see
  :func:`gap_mark`); a page that uses gaps and marks none has none;
- an HTML page marks nothing: the last paragraphs of the last section they may follow are the
  discussion when they read as a general description of the disease (:func:`textbook_score`)
  rather than of this patient, and the references when they read as citations.

A run can learn that its layout always carries the discussion (:func:`carries`): when nearly
every page that could carry it shows it, a page whose paragraph says little either way is read
the way its archive is laid out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.read.document import Block
from pipeline.rules import SectionRules, Unlabeled

DISCUSSION = "discussion"
REFERENCES = "references"


def textbook_score(text: str, rules: Unlabeled) -> int:
    """How much a paragraph reads as a general description rather than as this case.

    +1 per general cue ("usually", "patients", "is a"), -1 per observation cue ("shows",
    "2 cm"), -2 per cue of this patient ("the patient", "she", "45-year-old"), +1 when it is
    long and +1 more when it is twice as long.

    >>> from pipeline.rules import load_rules
    >>> rules = load_rules().sections.unlabeled
    >>> textbook_score("Lipomas are common benign tumours that usually occur in adults.", rules)
    4
    >>> textbook_score("CT shows a 2 cm mass in her liver.", rules)
    -4
    """

    def count(patterns: Iterable) -> int:
        return sum(len(p.findall(text)) for p in patterns)

    size = len(text.split())
    length = (size >= rules.long_words) + (size >= 2 * rules.long_words)
    return (
        count(rules.general_cues)
        - count(rules.observation_cues)
        - 2 * count(rules.patient_cues)
        + length
    )


@dataclass
class Scores:
    """Whether a page's paragraphs score as textbook, each asked once: the layout evidence
    and the cut of the discussion ask it of the same last paragraph, and each score runs the
    cues over the whole paragraph."""

    rules: Unlabeled
    known: dict[tuple[str, int], bool] = field(default_factory=dict)

    def at_least(self, text: str, threshold: int) -> bool:
        """``textbook_score(text) >= threshold``, counting the general cues only as far as
        the answer needs (the other cues are counted first: they only take away)."""
        answer = self.known.get((text, threshold))
        if answer is None:
            answer = self.known[text, threshold] = _at_least(text, threshold, self.rules)
        return answer


def _at_least(text: str, threshold: int, rules: Unlabeled) -> bool:
    """:func:`textbook_score` of ``text`` compared with ``threshold``, stopping early."""
    size = len(text.split())
    length = (size >= rules.long_words) + (size >= 2 * rules.long_words)
    against = sum(len(p.findall(text)) for p in rules.observation_cues)
    against += 2 * sum(len(p.findall(text)) for p in rules.patient_cues)
    need = threshold + against - length  # general cues the score needs to reach threshold
    for pattern in rules.general_cues:
        if need <= 0:
            return True
        for _ in pattern.finditer(text):
            need -= 1
            if need <= 0:
                return True
    return need <= 0


@dataclass(frozen=True)
class GapMarks:
    """How a text page sets its sections apart: whether it sets its headings apart by blank
    lines (most of them, by at least ``min_gap``), and the narrowest such gap."""

    heading_gap: int
    min_gap: int
    uses_gaps: bool

    @classmethod
    def of(cls, gaps: list[int], min_gap: int) -> GapMarks:
        """From the gaps before a page's headings.

        >>> GapMarks.of([3, 2, 2, 1, 2], 2)
        GapMarks(heading_gap=2, min_gap=2, uses_gaps=True)
        >>> GapMarks.of([0, 0, 1], 2).uses_gaps
        False
        """
        wide = [g for g in gaps if g >= min_gap]
        uses = bool(wide) and 2 * len(wide) >= len(gaps)
        return cls(min(wide, default=0), min_gap, uses)

    def mark(self, gap: int) -> str:
        """ "strong" for a gap wider than the page's headings get, "weak" for one as wide,
        "" for narrower: a weak mark needs the content (or the layout) to agree.

        >>> marks = GapMarks.of([2, 3], 2)
        >>> marks.mark(3), marks.mark(2), marks.mark(1)
        ('strong', 'weak', '')
        """
        if not self.uses_gaps or gap < self.heading_gap:
            return ""
        return "strong" if gap > self.heading_gap else "weak"

    def set_apart(self, gap: int) -> bool:
        """Whether a line is set apart as the page sets its headings apart (always, on a page
        that does not use blank lines)."""
        return not self.uses_gaps or gap >= self.min_gap


def confirms(
    name: str, block: Block, rules: SectionRules, carried: bool, scores: Scores | None = None
) -> bool:
    """Whether a paragraph's content agrees that it starts the unlabeled section ``name``
    (``scores``: the page's, else its own)."""
    if name == REFERENCES:
        return rules.is_citation(block.text)
    scores = Scores(rules.unlabeled) if scores is None else scores
    return carried or scores.at_least(block.text, rules.unlabeled.margin)


def source_index(names: list[str], rules: SectionRules) -> int | None:
    """The last section a discussion may follow, when no section after it may too and the page
    has no discussion yet."""
    if DISCUSSION in names:
        return None
    sources = [i for i, n in enumerate(names) if rules.unlabeled_after.get(n) == DISCUSSION]
    return sources[-1] if sources else None


def discussion_tail(
    blocks: list[Block], rules: SectionRules, carried: bool, scores: Scores | None = None
) -> int:
    """How many trailing blocks of a section are the discussion (0: none).

    The last block is it when its content says so, or when the layout carries a discussion;
    earlier blocks join it while each reads clearly as textbook. One block always stays.
    ``scores``: the page's textbook scores, else its own.
    """
    settings = rules.unlabeled
    scores = Scores(settings) if scores is None else scores
    if len(blocks) < 2:
        return 0
    if not carried and not scores.at_least(blocks[-1].text, settings.margin):
        return 0
    tail = 1
    while tail < len(blocks) - 1:
        if not scores.at_least(blocks[-1 - tail].text, settings.extend_margin):
            break
        tail += 1
    return tail


def citation_tail(blocks: list[Block], rules: SectionRules) -> int:
    """How many trailing blocks of a section are citations (one block always stays)."""
    tail = 0
    while tail < len(blocks) - 1 and rules.is_citation(blocks[-1 - tail].text):
        tail += 1
    return tail


def carries(evidence: Iterable[bool | None], rules: Unlabeled) -> bool:
    """Whether a run's pages (of one format) are laid out with an unlabeled discussion.

    ``evidence`` has, per page, True when it showed one, False when it could have and did not,
    None when it could not (no section it may follow, or a labelled discussion).

    >>> from pipeline.rules import load_rules
    >>> rules = load_rules().sections.unlabeled
    >>> carries([True] * 9 + [False], rules), carries([True, False] * 5, rules)
    (True, False)
    >>> carries([True, True], rules)
    False
    """
    shown = [e for e in evidence if e is not None]
    if len(shown) < rules.layout_min_pages:
        return False
    return sum(shown) >= rules.layout_share * len(shown)
