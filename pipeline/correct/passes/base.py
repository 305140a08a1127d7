"""The shape every correction pass has, and what a pass sees of the section it corrects.

A pass is an object with a ``name`` and ``find_edits(text, context) -> list[Edit]``: it reads
the current text of one section and proposes edits in that text's offsets, applied or only
suggested. It changes nothing itself; the corrector records its edits in the section's
:class:`~pipeline.edits.EditTrail`, which maps them back to raw offsets. Passes are found by
name in this package (one module each, exposing ``PASS``) and run in the order
``rules/correct.yaml`` lists them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.correct.damage import Tally, count
from pipeline.correct.judge import Judge, SectionWords, Verdict
from pipeline.correct.language_model import TextCounts, words_of
from pipeline.correct.lexicon import Lexicon
from pipeline.correct.tokens import Change, Token, rescan, scan
from pipeline.edits import Edit
from pipeline.rules import Rules

TokenKey = tuple[object, ...]


@dataclass
class WordRounds:
    """What the word passes of one section share across their rounds.

    A repair changes its neighbours' context, so the word passes run in rounds; a word is
    judged again only when its context changed (``earlier`` holds the settled ones).
    """

    words: SectionWords
    mark: Callable[[str, list[Token]], list[Token]]
    doubtful: Callable[[list[Token]], list[int]]
    """The indexes of the tokens a verdict can be given (the only ones kept, marked)."""
    max_chars: int
    """Chunks longer than this are no words (``max_token_chars`` in ``rules/limits.yaml``)."""
    earlier: set[TokenKey] = field(default_factory=set)
    judged: set[TokenKey] = field(default_factory=set)
    _scanned: str | None = None
    _raw: list[Token] = field(default_factory=list)
    _tokens: list[Token] = field(default_factory=list)
    _next: tuple[str, list[Change]] | None = None
    """A text the changes turn the scanned one into (:meth:`moved`)."""
    _open_text: str | None = None
    _open: list[tuple[Token, Verdict]] = field(default_factory=list)

    def tokens(self, text: str) -> list[Token]:
        """The tokens of ``text`` in doubt, scanned once per distinct text; a text that a
        pass's changes made from the last one is scanned again only around them."""
        if text != self._scanned:
            raw = None
            if self._next is not None and self._next[0] == text and self._scanned is not None:
                raw = rescan(self._scanned, self._raw, text, self._next[1], self.max_chars)
            self.prime(text, scan(text, self.max_chars) if raw is None else raw)
        return self._tokens

    def prime(self, text: str, tokens: list[Token]) -> None:
        """Give the scan of ``text`` already made, so it is not made twice. Only the tokens in
        doubt are kept, marked (their marks read their neighbours, so all are marked)."""
        doubt = self.doubtful(tokens)
        marked = self.mark(text, tokens) if doubt else []
        self._scanned, self._raw, self._tokens = text, tokens, [marked[i] for i in doubt]
        self._next = None

    def moved(self, before: str, after: str, changes: list[Change]) -> None:
        """``after`` is ``before`` with ``changes`` made (sorted, apart): when ``before`` is
        the text scanned last, the scan of ``after`` starts from its tokens."""
        if before == self._scanned and after != before and _spliced(before, changes) == after:
            self._next = (after, changes)

    def open_verdicts(self, text: str, judge: Judge) -> list[tuple[Token, Verdict]]:
        """The tokens of ``text`` still open this round that have a verdict, with it.

        Every word pass of a round asks about the same text until one of them changes it, so
        the tokens are judged once per text and round; one without a verdict is settled. A
        token settled earlier in the round is not judged again when the text changes: its
        verdict depends on its key alone, and it was none or its pass has taken it.
        """
        if text != self._open_text:
            self._open_text, self._open = text, []
            settled, judged = self.earlier, self.judged
            for tok in self.tokens(text):
                key = tok.key
                if key in settled or key in judged:
                    continue
                verdict = judge.verdict(tok, self.words)
                if verdict is None:
                    self.judged.add(key)
                else:
                    self._open.append((tok, verdict))
        return self._open

    def begin_round(self) -> None:
        self.judged = set()
        self._open_text = None  # what is open changes with the round

    def end_round(self) -> None:
        self.earlier |= self.judged


def _spliced(text: str, changes: list[Change]) -> str:
    """``text`` with the changes made."""
    out, at = [], 0
    for start, end, replacement in changes:
        out += (text[at:start], replacement)
        at = end
    out.append(text[at:])
    return "".join(out)


@dataclass
class PassContext:
    """What every pass of one ``Corrector.clean`` call may use: rules, lexicon, judgement."""

    rules: Rules
    lexicon: Lexicon
    judge: Judge
    shield: frozenset[str]
    in_archive: bool
    section: str | None = None
    counted: tuple[str, tuple[TextCounts, Tally] | None] = ("", None)
    """A text whose word counts and damage tally were made already (the section's raw text,
    counted by a run's vocabulary step), with them."""
    _rounds: WordRounds | None = None

    def word_rounds(self, text: str) -> WordRounds:
        """The word passes' shared state; the first word pass's text gives the word counts
        (the ones made already, when no earlier pass changed the text)."""
        if self._rounds is None:
            max_chars = self.rules.limits.max_token_chars
            tokens = scan(text, max_chars)
            damage = self.judge.damage
            made_of, made = self.counted
            if made is not None and made_of == text:
                own, tally = made[0].unigrams, made[1]
            else:
                own = Counter(words_of(text))
                tally = count(tokens, text, self.lexicon, self.judge.terms)
            clean = damage.cleanliness(damage.rate(self.section, tally))
            words = SectionWords(self.shield, own, self.in_archive, clean)
            self._rounds = WordRounds(words, self.judge.mark, self.judge.doubtful, max_chars)
            self._rounds.prime(text, tokens)
        return self._rounds

    def moved(self, before: str, after: str, edits: list[Edit]) -> None:
        """A pass's ``edits`` (offsets of ``before``) made ``after``: the word passes' next
        scan reuses the tokens the applied ones left alone."""
        if self._rounds is not None:
            changes = [(e.start, e.end, e.replacement) for e in edits if e.applied]
            self._rounds.moved(before, after, sorted(changes))

    def begin_round(self) -> None:
        if self._rounds is not None:
            self._rounds.begin_round()

    def end_round(self) -> None:
        if self._rounds is not None:
            self._rounds.end_round()


class Pass(Protocol):
    """A correction pass: proposes edits for the current text of one section."""

    name: str

    def find_edits(self, text: str, context: PassContext) -> list[Edit]:
        """Edits in offsets of ``text``, non-overlapping, in text order."""
        ...
