"""What the three word passes share: turning the judge's verdicts into edits.

Each word of the text is judged once per round; the verdict names the pass that owns the
repair (ocr, dictionary or context), and only that pass records it. A verdict for an earlier
pass waits for the next round, when that pass sees the text again.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.correct.passes.base import PassContext
from pipeline.edits import Edit, overlaps_any


def word_edits(
    text: str,
    pass_name: str,
    context: PassContext,
    floor: float,
    taken: Sequence[tuple[int, int]] = (),
) -> list[Edit]:
    """Edits of the words whose verdict belongs to ``pass_name``, from ``floor`` on.

    ``taken`` spans already have an edit of this pass and are left alone.
    """
    rounds = context.word_rounds(text)
    edits: list[Edit] = []
    for tok, verdict in rounds.open_verdicts(text, context.judge):
        if verdict.pass_name != pass_name:
            continue  # a verdict for an earlier pass waits a round
        rounds.judged.add(tok.key)  # settled
        if verdict.confidence < floor:
            continue
        if taken and overlaps_any(tok.start, tok.end, taken):
            continue
        original = text[tok.start : tok.end]
        if verdict.replacement == original:
            continue
        # applied by the exact confidence; recorded rounded, so tables are stable
        edits.append(
            Edit(
                tok.start,
                tok.end,
                original,
                verdict.replacement,
                pass_name,
                verdict.rule,
                round(min(1.0, verdict.confidence), 4),
                verdict.confidence >= verdict.threshold,
            )
        )
    return edits
