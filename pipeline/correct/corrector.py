"""The corrector: one section's text through the passes ``rules/correct.yaml`` lists.

normalize -> dehyphenate -> (ocr -> dictionary -> context, in rounds) -> dehyphenate, by
default. Every pass proposes edits in the offsets of the text it saw; one
:class:`~pipeline.edits.EditTrail` per section maps them back to the raw text, so the result's
edits rebuild the raw text from the clean text and the clean text from the raw.

Do no harm: acronyms, tokens with digits, e-mail addresses, URLs, protected names and mixed
case are never touched (see :mod:`pipeline.correct.tokens` and :mod:`pipeline.correct.judge`);
anything short of its threshold is only suggested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.correct.damage import DamageModel, Sample, Tally
from pipeline.correct.judge import Judge
from pipeline.correct.language_model import (
    ArchiveCounts,
    LanguageModel,
    TextCounts,
    general_bigrams,
)
from pipeline.correct.lexicon import Lexicon
from pipeline.correct.ocr_model import OcrModel
from pipeline.correct.passes import Pass, PassContext, available_passes
from pipeline.correct.rivals import RivalFinder
from pipeline.correct.slips import CandidateFinder
from pipeline.correct.terms import TermFinder
from pipeline.edits import Edit, EditTrail, one_verdict_per_span
from pipeline.rules import Repeat, Rules, RulesError, load_rules

_LETTERS = regex.compile(r"\p{L}+")
"""The words of a protected name (an author's, a patient's): none of them is ever touched."""


@dataclass(frozen=True)
class CleanResult:
    """The corrected text and every edit (raw offsets), applied and suggested."""

    text: str
    edits: list[Edit]


def resolve_plan(rules: Rules) -> dict[str, Pass]:
    """The passes ``correct.yaml`` names; an unknown name is an error naming the file."""
    known = available_passes()
    wanted = rules.correct.pass_names()
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise RulesError(
            f"{rules.directory / 'correct.yaml'}: passes: unknown pass {unknown[0]!r} "
            f"(known: {', '.join(known)})"
        )
    return {name: known[name] for name in wanted}


class Corrector:
    """The spelling engine of a run: rules, lexicon, and the archive's own vocabulary."""

    def __init__(
        self,
        rules: Rules,
        lexicon: Lexicon,
        archive: ArchiveCounts | None = None,
        damage: DamageModel | None = None,
    ) -> None:
        """A corrector taught an archive's counts and damage (none: a lone text's corrector).

        :meth:`for_sections` teaches it from section texts; a run reduces the counts its
        workers made instead.
        """
        settings = rules.correct
        self.rules = rules
        self.lexicon = lexicon
        self.archive = archive if archive is not None else ArchiveCounts()
        bigrams = general_bigrams(
            round(settings.language_model.bigram_coverage, 6), cache_dir=lexicon.cache_dir
        )
        lm = LanguageModel(lexicon, self.archive, settings.language_model, bigrams)
        ocr = OcrModel(
            rules.confusions, max_steps=settings.ocr.max_steps, memo_size=settings.memo_size
        )
        order = lexicon.target_order(settings.targets.min_zipf)
        finder = CandidateFinder(
            frozenset(order), settings.channel, memo_size=settings.memo_size, order=order
        )
        terms = TermFinder(rules.term_classes)
        damage = damage if damage is not None else DamageModel(settings.damage)
        rivals = RivalFinder(order, lexicon.zipf, settings.rivals, memo_size=settings.memo_size)
        self.judge = Judge(
            settings,
            lexicon,
            self.archive,
            lm,
            ocr,
            finder,
            rules.misspellings,
            terms,
            damage,
            rivals,
        )
        self.passes = resolve_plan(rules)

    @classmethod
    def for_sections(cls, rules: Rules, lexicon: Lexicon, sections: Iterable[Sample]) -> Corrector:
        """A corrector taught these sections (kind, text) of an archive."""
        samples = list(sections)
        archive = ArchiveCounts(text for _, text in samples)
        terms = TermFinder(rules.term_classes)
        max_chars = rules.limits.max_token_chars
        damage = DamageModel.of(rules.correct.damage, samples, lexicon, terms, max_chars)
        return cls(rules, lexicon, archive, damage)

    @classmethod
    def load(
        cls,
        rules_dir: Path | str | None = None,
        *,
        archive_texts: Iterable[str] = (),
        sections: Iterable[Sample] = (),
        lexicon: Lexicon | None = None,
    ) -> Corrector:
        """A corrector for a rules folder (the project's by default), taught the archive:
        ``archive_texts`` (texts of no particular section kind) and ``sections`` (kind, text).
        """
        rules = load_rules(rules_dir)
        if lexicon is None:
            lexicon = Lexicon.load(rules)
        return cls.for_sections(rules, lexicon, [*((None, t) for t in archive_texts), *sections])

    def analyse(self, words: Iterable[str]) -> dict[str, object]:
        """The judge's analysis of each word (made now, and kept): a run's workers each
        analyse a share of the archive's words and the parent hands them to every copy
        through :meth:`install`, so no word is analysed twice."""
        return {word: self.judge.analysis(word) for word in words}

    def warm(self) -> None:
        """Build the tables the judge makes on first use (the pools of common targets, the
        rivals by length), now: a run does this before its workers fork, so they share one
        copy instead of each building its own (about half a second per worker and step)."""
        self.judge.pools.warm()
        self.judge.rivals.warm()

    def install(self, analyses: dict[str, object]) -> None:
        """Take the analyses another copy of this corrector made (see :meth:`analyse`)."""
        self.judge.remember(analyses)  # type: ignore[arg-type]

    def clean(
        self,
        text: str,
        *,
        protected: Iterable[str] = (),
        section: str | None = None,
        counted: tuple[TextCounts, Tally] | None = None,
    ) -> CleanResult:
        """Correct one section text; the words of ``protected`` names are never touched.

        ``counted``: the text's word counts and damage tally, when a run made them already
        (its vocabulary step): they are not made twice.
        """
        trail = EditTrail(text)
        shield = frozenset(p.lower() for name in protected for p in _LETTERS.findall(name))
        held = counted[0].digest in self.archive.texts if counted else self.archive.holds(text)
        context = PassContext(
            self.rules, self.lexicon, self.judge, shield, held, section, (text, counted)
        )
        last_output: dict[str, str] = {}
        for step in self.rules.correct.passes:
            if isinstance(step, Repeat):
                self._rounds(step, trail, context, last_output)
            elif last_output.get(step) != trail.text:
                # a pass is idempotent on its own output: it runs again only on changed text
                self._run(step, trail, context, last_output)
        return CleanResult(trail.text, one_verdict_per_span(trail.edits))

    def _run(
        self, name: str, trail: EditTrail, context: PassContext, last_output: dict[str, str]
    ) -> None:
        before = trail.text
        edits = self.passes[name].find_edits(before, context)
        trail.add(edits)
        context.moved(before, trail.text, edits)
        last_output[name] = trail.text

    def _rounds(
        self, step: Repeat, trail: EditTrail, context: PassContext, last_output: dict[str, str]
    ) -> None:
        """Run a group of passes until a round changes nothing (a repair changes its
        neighbours' context: ``lias iwo`` -> ``lias two``)."""
        for _ in range(step.rounds):
            round_start = trail.text
            context.begin_round()
            for name in step.repeat:
                self._run(name, trail, context, last_output)
            context.end_round()
            if trail.text == round_start:
                break
