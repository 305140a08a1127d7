"""The ``context`` pass: real-word errors, decided by the neighbours (``sever anemia``).

A dictionary word is only in doubt when a more frequent word one slip away fits its
neighbours far better, or a listed misspelling's context matches. Such repairs need more
confidence than non-word repairs, and weak ones are not even offered to reviewers
(``real_word_suggest_threshold``): most of them were wrong on the development archive.
"""

from __future__ import annotations

from pipeline.correct.passes.base import PassContext
from pipeline.correct.passes.words import word_edits
from pipeline.edits import Edit


class ContextPass:
    """The judge's repairs of dictionary words."""

    name = "context"

    def find_edits(self, text: str, context: PassContext) -> list[Edit]:
        floor = context.rules.correct.real_word_suggest_threshold
        return word_edits(text, self.name, context, floor)


PASS = ContextPass()
