"""The judgement of one word: is it damaged, and if so, what was meant and how sure is that.

The word passes (ocr, dictionary, context) share it. The word as written competes with every
candidate (OCR readings, words one typing slip away, listed misspellings); each is scored by
how common it is, how likely the damage is, and how well it fits its neighbours, and the
scores are normalised into probabilities. First comes the screen: a word the page protects, a
name, a short dictionary word before a full stop (an abbreviation), or an unknown word the
text itself repeats is not in doubt and is never scored.

The verdict names the pass that owns the repair: ``ocr`` for OCR readings of non-words,
``dictionary`` for other non-word repairs, ``context`` for repairs of dictionary words
(real-word errors), which need more confidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.correct.damage import DamageModel
from pipeline.correct.language_model import ArchiveCounts, LanguageModel, posterior
from pipeline.correct.lexicon import Lexicon
from pipeline.correct.ocr_model import OcrModel
from pipeline.correct.prefixes import CommonPools
from pipeline.correct.rivals import RivalFinder
from pipeline.correct.slips import CandidateFinder
from pipeline.correct.terms import TermFinder
from pipeline.correct.tokens import Token
from pipeline.correct.verdict import SectionWords, Verdict
from pipeline.correct.wordforms import family_count, inflection_of, number_sibling, odd_case, recase
from pipeline.pickling import tuple_state
from pipeline.rules import CorrectSettings, Misspelling

Candidates = dict[str, tuple[float, str, str]]
"""candidate (lowercase) -> (log10 channel cost, source, rule)."""

_CLITIC = ("'s", "’s")
_NEVER = 2.0  # a threshold no confidence reaches
_MISSING = object()


@tuple_state
@dataclass(frozen=True, slots=True)
class _Doubt:
    """A word that passed the screen: what it is and what it might have been."""

    curated: bool
    cands: Candidates
    name_like: bool
    loo: int


def _ocr_reading(cands: Candidates) -> bool:
    """Whether some candidate is an OCR reading (OCR repeats its misreadings).

    >>> _ocr_reading({"that": (-2.0, "ocr", "ocr:confusion")})
    True
    >>> _ocr_reading({"than": (-2.7, "dictionary", "dictionary:delete")})
    False
    """
    return any(v[1].startswith("ocr") for v in cands.values())


class Judge:
    """Judges words for one corrector: its lexicon, rules, language model and OCR model."""

    def __init__(
        self,
        settings: CorrectSettings,
        lexicon: Lexicon,
        archive: ArchiveCounts,
        lm: LanguageModel,
        ocr: OcrModel,
        finder: CandidateFinder,
        misspellings: Mapping[str, tuple[Misspelling, ...]],
        terms: TermFinder,
        damage: DamageModel,
        rivals: RivalFinder,
    ) -> None:
        self.settings = settings
        self.rivals = rivals
        self.terms = terms
        self.damage = damage
        self.lexicon = lexicon
        self.archive = archive
        self.lm = lm
        self.ocr = ocr
        self.finder = finder
        self.targets = finder.targets
        gain, floor = settings.real_words.min_gain, settings.archive.known_min_count
        self.pools = CommonPools(finder.order, lexicon.zipf, archive.unigrams, gain, floor)
        self.misspellings = misspellings
        self.degraded = bool(lexicon.missing)
        self._info: dict[str, Any] = {}
        self._priors: dict[str, float] = {}
        self._verdicts: dict[tuple[object, ...], Verdict | None] = {}

    def verdict(self, tok: Token, words: SectionWords) -> Verdict | None:
        """The repair of ``tok``, or None when it is not in doubt or no candidate wins.

        A run repeats its words, and every word pass of a round asks about the same tokens,
        so a verdict is remembered under exactly what it is computed from (:meth:`_key`).
        """
        info = self._info.get(tok.word, _MISSING)
        if info is _MISSING:
            info = self.analysis(tok.word)
        if info is None:
            return None  # most words: known, and no candidate is worth a look
        lower = tok.word.lower()
        if lower in words.shield or tok.term:
            return None
        key = self._key(tok, lower, words, info[0])
        found = self._verdicts.get(key, _MISSING)
        if found is _MISSING:
            found = self._judge(tok, words, info)
            if len(self._verdicts) < self.settings.verdict_memo_size:
                self._verdicts[key] = found
        return found  # type: ignore[return-value]

    def analysis(self, word: str) -> tuple[bool, Candidates] | None:
        """What a verdict on ``word`` starts from, made once: a run repeats its words."""
        info = self._info.get(word, _MISSING)
        if info is _MISSING:
            info = self._analyse(word)
            if len(self._info) < self.settings.memo_size:
                self._info[word] = info
        return info  # type: ignore[return-value]

    def doubtful(self, tokens: list[Token]) -> list[int]:
        """Indexes of the tokens a verdict can be given: those whose word has an analysis
        (about one in eight; the rest are known words no candidate is worth a look for)."""
        info, missing, analysis = self._info, _MISSING, self.analysis
        return [
            i
            for i, tok in enumerate(tokens)
            if (found := info.get(tok.word, missing)) is not None
            and (found is not missing or analysis(tok.word) is not None)
        ]

    def remember(self, analyses: Mapping[str, tuple[bool, Candidates] | None]) -> None:
        """Take analyses another copy of this judge made (a worker's share of the words)."""
        for word, info in analyses.items():
            if len(self._info) >= self.settings.memo_size:
                return
            self._info.setdefault(word, info)

    @staticmethod
    def _key(tok: Token, lower: str, words: SectionWords, curated: bool) -> tuple[object, ...]:
        """All a verdict reads: the token's word, neighbours and place; of its section, the
        word's own count (left out when the archive counted the section), whether an unknown
        word recurs there, whether the archive counted it, and how clean it is."""
        loo = words.own.get(lower, 0) if words.in_archive else 0
        recurs = not curated and family_count(lower, words.own) > 1
        return (
            tok.word,
            tok.prev,
            tok.next,
            tok.initial,
            tok.title_line,
            tok.dotted,
            tok.citation,
            tok.name,
            words.in_archive,
            loo,
            recurs,
            words.cleanliness,
        )

    def _judge(
        self, tok: Token, words: SectionWords, info: tuple[bool, Candidates]
    ) -> Verdict | None:
        """The verdict on a word worth a look, computed afresh."""
        doubt = self._screen(tok, words, info)
        if doubt is None:
            return None
        best, confidence = self._best(tok, doubt, words)
        if best is None:
            return None
        return self._repair(tok, doubt, best, confidence)

    # --- is the word in doubt at all? ------------------------------------------------------

    def _analyse(self, word: str) -> tuple[bool, Candidates] | None:
        """(curated, candidates) of a word, or None when it is never to be touched."""
        if self.lexicon.is_protected(word) or self.lexicon.variant_of(word):
            return None  # a protected word, or a British spelling: correct as written
        lower = word.lower()
        apostrophe = "'" in word or "’" in word
        base = lower[:-2] if lower.endswith(_CLITIC) else lower
        curated = (
            self.lexicon.accepts(word)
            or self.lexicon.accepts(base)
            or self.lexicon.zipf(lower) >= self.lexicon.known_min_zipf
        ) and not self.lexicon.proper_only(word)
        if apostrophe and (curated or lower.endswith(_CLITIC)):
            return None
        term = None if curated else self.terms.word_class(word)
        if term == "drug":
            return None  # a drug on an INN stem: a term, not a slip
        cands = self._generate(word, curated)
        if term == "symbol" and not self._misread_capital(word, cands):
            return None  # a gene or protein symbol (cMet, mTOR)
        if not cands:
            return None
        return curated, cands

    def _misread_capital(self, word: str, cands: Candidates) -> bool:
        """A capital OCR misread from a lowercase letter: the reading is a common word."""
        floor = self.settings.targets.min_zipf
        return any(
            source == "ocr-case" and self.lexicon.zipf(cand) >= floor
            for cand, (_, source, _) in cands.items()
        )

    def _screen(
        self, tok: Token, words: SectionWords, info: tuple[bool, Candidates]
    ) -> _Doubt | None:
        """The word's candidates, unless something shows it is a legitimate word."""
        lower = tok.word.lower()
        if tok.citation and tok.dotted and tok.word[:1].isupper():
            return None  # an abbreviated journal title in a reference (Diagn., Opin.)
        curated, cands = info
        if curated and tok.dotted and len(tok.word) <= 4:
            return None  # a short dictionary word before a full stop: an abbreviation (cf.)
        loo = words.own.get(lower, 0) if words.in_archive else 0
        if any(v[1] == "rule" for v in cands.values()):
            cands = self._fitting_rules(lower, cands, tok)
            if not cands:
                return None
        if not curated and (
            (not _ocr_reading(cands) and self._recurs(lower, cands, words))
            or self._archive_known(lower, cands, loo)
        ):
            return None
        capital = tok.word[:1].isupper()
        name_like = capital and (tok.citation or (not tok.initial and not tok.title_line))
        if name_like and self._capital_i_for_l(tok.word, cands):
            name_like = False  # "with Iow signal": OCR read a lowercase l as a capital I
        if name_like and (curated or self.lexicon.zipf(lower) > 0):
            return None
        return _Doubt(curated, cands, name_like, loo)

    # --- which reading wins, and how surely ------------------------------------------------

    def _best(self, tok: Token, doubt: _Doubt, words: SectionWords) -> tuple[str | None, float]:
        """The winning candidate and its probability; None when the word as written wins, or
        a rival (:mod:`pipeline.correct.rivals`) that is only there to doubt the candidates.

        In edited prose (``cleanliness`` near 1) a repair's odds shrink, and a capitalised word
        no dictionary knows is taken for a name: as written it is as likely as a word of
        ``name_zipf``. In damaged text neither applies, but in a citation or a name (``Peize
        Zhang``) a capital marks a name whatever the damage: it changes only where certain.
        """
        lower = tok.word.lower()
        lm, clean = self.lm, words.cleanliness
        vouched = not self._dwarfed(lower, doubt.cands)
        written = lm.logp(lower, curated=doubt.curated, loo=doubt.loo)
        if doubt.name_like:  # in a citation or a name a capital always marks one
            weight = 1.0 if tok.citation or tok.name else clean
            params = lm.params
            name = params.unknown_zipf + weight * (params.name_zipf - params.unknown_zipf)
            written = max(written, name - 9.0)
        loo = 1 if words.in_archive else 0
        scores = {lower: written + lm.context(lower, tok.prev, tok.next, loo, archive=vouched)}
        shift = clean * self.settings.damage.clean_shift
        for cand, (cost, _, _) in doubt.cands.items():
            context = lm.context(cand, tok.prev, tok.next)
            scores[cand] = self._prior(cand) + context + cost + shift
        if not doubt.curated:  # the likeliest common word two slips away: doubt only
            rival = self.rivals.likeliest(
                lower, scores, lambda r: self._prior(r) + lm.context(r, tok.prev, tok.next)
            )
            if rival is not None:
                scores[rival[0]] = rival[1] + self.settings.rivals.cost + shift
        post = posterior(scores)
        best = max(post, key=lambda c: (post[c], c == lower, c))
        if best == lower or best not in doubt.cands or doubt.cands[best][1] == "name":
            return None, 0.0
        return best, post[best]

    def _repair(self, tok: Token, doubt: _Doubt, best: str, confidence: float) -> Verdict | None:
        """The replacement in the word's own case, the pass that owns it and its threshold."""
        word = tok.word
        s = self.settings
        _, source, rule = doubt.cands[best]
        replacement = best if odd_case(word) else recase(best, word)
        name_like, lowered = doubt.name_like, False
        if source == "ocr-case":
            replacement = rule.split("=", 1)[1]
            rule = "ocr:confusion"
            # the capital itself was misread (``Iobulated``): no sign of a name
            lowered = replacement[:1].islower()
            name_like = name_like and not lowered
        if replacement is None:
            return None
        if doubt.curated:
            pass_name, threshold = "context", s.real_word_threshold
        elif source.startswith("ocr"):
            pass_name, threshold = "ocr", s.ocr_threshold
        else:
            pass_name, threshold = "dictionary", s.apply_threshold
        if self.degraded and source != "rule":
            threshold = _NEVER  # without the dictionaries every repair is only a suggestion
        elif name_like or tok.citation:
            threshold = max(threshold, s.name_threshold)
        elif word[:1].isupper() and not doubt.curated and not lowered:
            threshold = max(threshold, s.apply_threshold)
        return Verdict(replacement, pass_name, rule, confidence, threshold)

    # --- the evidence ----------------------------------------------------------------------

    def _capital_i_for_l(self, word: str, cands: Candidates) -> bool:
        """``Iow``, ``Iesion``: an I before lowercase letters that reads as a common l-word.

        No dictionary word or common name starts that way once the I is an l (``Ivan``,
        ``Iris``, ``Iowa`` give no word), so it is OCR damage, not a name.
        """
        if len(word) < 3 or word[:1] != "I" or not word[1:].islower():
            return False  # "Ia", "Ib": stages and fibre types, not damage
        if self.lexicon.in_hunspell(word):
            return False
        reading = "l" + word[1:]
        return cands.get(reading, (0.0, ""))[1] == "ocr-case" and (
            self.lexicon.zipf(reading) >= self.lexicon.known_min_zipf
        )

    def mark(self, text: str, tokens: list[Token]) -> list[Token]:
        """The tokens of ``text`` marked where they sit in a citation or a Latin binomial."""
        return self.terms.mark(text, tokens, self.lexicon)

    def digit_target(self, word: str) -> bool:
        """A word a digit misreading may be undone into: known, and not only a name."""
        return self.lexicon.known(word) and not self.lexicon.proper_only(word)

    def _prior(self, word: str) -> float:
        found = self._priors.get(word)
        if found is None:
            found = self.lm.logp(word, curated=True)
            if len(self._priors) < self.settings.memo_size:
                self._priors[word] = found
        return found

    def _fitting_rules(self, lower: str, cands: Candidates, tok: Token) -> Candidates:
        """Drop listed misspellings whose context does not match this occurrence."""
        fitting = {
            r.right.lower() for r in self.misspellings.get(lower, ()) if r.fits(tok.prev, tok.next)
        }
        return {c: v for c, v in cands.items() if v[1] != "rule" or c in fitting}

    def _dwarfed(self, lower: str, cands: Candidates) -> bool:
        """A candidate is far more frequent in the archive than the word as written."""
        rival = max(self.archive.unigrams.get(c, 0) for c in cands)
        return self.archive.unigrams.get(lower, 0) < self.settings.archive.dwarfed * rival

    def _recurs(self, lower: str, cands: Candidates, words: SectionWords) -> bool:
        """The section repeats the word, or the archive spells both its singular and its
        plural the same way (``synset`` here, ``synsets`` there), neither known and no
        candidate far more common there: a term, since a slip is seldom made twice alike and
        then inflected."""
        if family_count(lower, words.own) > 1:
            return True
        seen = self.archive.unigrams
        sibling = number_sibling(lower)
        if not seen.get(lower) or not seen.get(sibling) or self.lexicon.known(sibling):
            return False
        rival = max(seen.get(c, 0) for c in cands)
        return seen[lower] + seen[sibling] >= self.settings.archive.dominance * rival

    def _archive_known(self, lower: str, cands: Candidates, loo: int) -> bool:
        """The archive spells this word often, and no candidate dwarfs it."""
        count = self.archive.unigrams.get(lower, 0) - loo
        if count < self.settings.archive.known_min_count:
            return False
        rival = max(self.archive.unigrams.get(c, 0) for c in cands)
        return count >= self.settings.archive.dominance * rival

    # --- the candidates --------------------------------------------------------------------

    def _generate(self, word: str, curated: bool) -> Candidates:
        """Every reading of the word: typing slips, OCR misreadings and listed misspellings."""
        lower = word.lower()
        out: Candidates = {}

        def offer(cand: str, cost: float, source: str, rule: str) -> None:
            if cand != lower and (cand not in out or out[cand][0] < cost):
                out[cand] = (cost, source, rule)

        real = self.settings.real_words
        odd = odd_case(word)
        zipf = self.lexicon.zipf(lower)
        short = len(lower) < self.settings.min_insert_length
        # a dictionary word's repair is far more frequent (see _plausible_real_word_fixes)
        pool = self.pools.of(zipf) if curated and not self.misspellings.get(lower) else None
        if not odd and (not curated or (zipf < real.max_zipf and len(lower) <= real.max_length)):
            for cand, (cost, kind) in self.finder.candidates(lower, pool).items():
                if not (short and kind == "insert"):  # "iff", "perf": short words of their own
                    offer(cand, cost, "dictionary", f"dictionary:{kind}")
        steps = 1 if curated or out else self.settings.ocr.max_steps
        for cand, weight in self.ocr.readings(word, steps, pool or self.finder.all).items():
            low = cand.lower()
            if low not in self.targets or odd_case(cand):
                continue
            cost = self.settings.ocr.base + weight
            if odd or (cand[:1] != word[:1] and cand[:1].lower() == cand[:1]):
                offer(low, cost, "ocr-case", f"confusion={cand}")
            else:
                offer(low, cost, "ocr", "ocr:confusion")
        for rule in self.misspellings.get(lower, ()):
            offer(rule.right.lower(), math.log10(rule.confidence), "rule", "known_misspelling")
        return self._admissible(lower, word[:1].isupper(), curated, out)

    def _admissible(self, lower: str, capital: bool, curated: bool, out: Candidates) -> Candidates:
        """Candidates a repair may produce for a word of this case and kind."""
        if capital:
            out = {c: v for c, v in out.items() if v[1] == "rule" or self.lexicon.in_hunspell(c)}
        else:  # a name (``Martinez``) is no repair of a lowercase word, but it makes one doubtful
            out = {
                c: (v[0], "name", v[2]) if self.lexicon.proper_only(c) else v
                for c, v in out.items()
            }
        if curated:
            out = self._plausible_real_word_fixes(lower, out)
        return out

    def _plausible_real_word_fixes(self, lower: str, cands: Candidates) -> Candidates:
        """Keep only candidates that could plausibly replace a real word.

        A candidate must be clearly more frequent than the word: in general English, or in
        the archive itself, whose domain English does not weigh ("upper lob" in a radiology
        archive that writes "lobe" hundreds of times).
        """
        zipf = self.lexicon.zipf(lower)
        min_gain = self.settings.real_words.min_gain
        seen = self.archive.unigrams
        floor = self.settings.archive.known_min_count

        def more_frequent(cand: str) -> bool:
            if self.lexicon.zipf(cand) - zipf >= min_gain:
                return True
            return seen.get(cand, 0) >= max(floor, 10**min_gain * seen.get(lower, 0))

        return {
            cand: value
            for cand, value in cands.items()
            if value[1] == "rule" or (more_frequent(cand) and not inflection_of(lower, cand))
        }
