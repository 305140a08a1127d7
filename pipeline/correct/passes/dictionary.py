"""The ``dictionary`` pass: non-words repaired as typing slips (``hematopoesis``).

A word no dictionary knows, whose best reading is a dictionary word one slip away (a dropped,
doubled, transposed, inserted or swapped letter) or a listed misspelling. The judge decides;
this pass records its verdicts.
"""

from __future__ import annotations

from pipeline.correct.passes.base import PassContext
from pipeline.correct.passes.words import word_edits
from pipeline.edits import Edit


class DictionaryPass:
    """The judge's non-word repairs that are not OCR readings."""

    name = "dictionary"

    def find_edits(self, text: str, context: PassContext) -> list[Edit]:
        return word_edits(text, self.name, context, context.rules.correct.suggest_threshold)


PASS = DictionaryPass()
