"""Terms: words that are legitimate although no dictionary lists them, told by their shape.

The first question about a word is whether it is damaged at all. A drug name on an INN stem
(``aumolertinib``), a gene or protein symbol (``cMet``), the epithet of a Latin binomial
(``Lilium brownii``) is a word of its class, not a slip one letter from a commoner word; and a
word inside a citation is a surname, an abbreviated journal title or a title word, which only
certain damage may change. The classes and the citation cues are data in
``rules/term_classes.yaml``, with their sources.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping

import regex

from pipeline.correct.lexicon import Lexicon
from pipeline.correct.tokens import Token
from pipeline.rules import TermClasses

Zipf = Callable[[str], float]


class TermFinder:
    """The term classes of ``rules/term_classes.yaml``, compiled once per corrector."""

    def __init__(self, classes: TermClasses) -> None:
        self.stems = tuple(sorted({s.lower() for s in classes.drug_stems.suffixes}, key=len))
        self.min_drug_length = classes.drug_stems.min_length
        self.symbol = regex.compile(classes.symbols.pattern, regex.VERSION1)
        self.max_symbol_length = classes.symbols.max_length
        self.epithet_endings = tuple(e.lower() for e in classes.latin_binomials.epithet_endings)
        self.max_genus_zipf = classes.latin_binomials.max_genus_zipf
        self.cues = [regex.compile(p, regex.VERSION1) for p in classes.citations.patterns]
        self.foreign = classes.foreign
        self.window = classes.citations.window
        self.margin = classes.citations.margin
        self.min_cues = classes.citations.min_cues

    def word_class(self, word: str) -> str | None:
        """``drug`` or ``symbol`` when the word's own shape says it is one, else None.

        Only asked about words no dictionary knows.
        """
        if len(word) >= self.min_drug_length and word.lower().endswith(self.stems):
            return "drug"
        if len(word) <= self.max_symbol_length and self.symbol.fullmatch(word):
            return "symbol"
        return None

    def citation_spans(self, text: str) -> list[tuple[int, int]]:
        """The stretches of ``text`` that are citations: runs of at least ``min_cues`` cues,
        each within ``window`` characters of the last, plus ``margin`` on either side.

        >>> from pipeline.rules import load_rules
        >>> finder = TermFinder(load_rules().term_classes)
        >>> text = ("The mass grows slowly over many years. 8. Hidaka T, Chuman H, Nao-I N. "
        ...         "A case. 2015;12:5. The lesion enhances avidly after contrast.")
        >>> [(text[s:s + 12], text[e - 12:e]) for s, e in finder.citation_spans(text)]
        [('ws slowly ov', 'ances avidly')]
        """
        cues = sorted((m.start(), m.end()) for cue in self.cues for m in cue.finditer(text))
        spans: list[tuple[int, int]] = []
        first, count, reach = 0, 0, 0  # the run so far: its first start, its cues, its end
        for start, end in [*cues, (len(text) + 2 * self.window + 1, 0)]:
            if count and start - reach > self.window:
                if count >= self.min_cues:
                    spans.append((max(0, first - self.margin), reach + self.margin))
                count = 0
            if not count:
                first, reach = start, end
            count, reach = count + 1, max(reach, end)
        return spans

    def epithet(self, word: str, known: Callable[[str], bool]) -> bool:
        """A lowercase word with a Latin epithet ending that no dictionary knows."""
        return word.islower() and word.endswith(self.epithet_endings) and not known(word)

    def binomials(
        self,
        text: str,
        tokens: list[Token],
        caps: list[int],
        known: Callable[[str], bool],
        zipf: Zipf,
    ) -> set[int]:
        """Indexes of the tokens that are a Latin binomial's genus and epithet; ``caps``: the
        indexes of the capitalised tokens (the only ones a genus or a Latin run starts at)."""
        found: set[int] = set()
        last = len(tokens) - 1
        for i in caps:
            genus = tokens[i]
            if i == last or not genus.word[1:].islower():
                continue  # cheap tests first: most words are no genus
            epithet = tokens[i + 1]
            adjacent = text[genus.end : epithet.start] == " "
            rare_genus = zipf(genus.word) < self.max_genus_zipf
            if adjacent and rare_genus and self.epithet(epithet.word, known):
                found.update((i, i + 1))
        return found | self._latin_runs(text, tokens, caps, known)

    def _latin_runs(
        self, text: str, tokens: list[Token], caps: list[int], known: Callable[[str], bool]
    ) -> set[int]:
        """Runs of capitalised words no dictionary knows, one with a Latin ending: the Latin
        names of pharmacopoeias and herbals (``Atractylodis Macrocephalae Rhizoma``)."""
        found: set[int] = set()
        run: list[int] = []

        def close() -> None:
            latin = any(tokens[j].word.lower().endswith(self.epithet_endings) for j in run)
            if len(run) >= 2 and latin:
                found.update(run)

        for i in caps:
            if known(tokens[i].word):
                close()
                run = []
            elif run and run[-1] == i - 1 and text[tokens[i - 1].end : tokens[i].start] == " ":
                run.append(i)
            else:
                close()
                run = [i]
        close()
        return found

    def foreign_phrases(
        self,
        tokens: list[Token],
        language: Mapping[int, tuple[str, ...]],
        known: Callable[[str], bool],
    ) -> set[int]:
        """Indexes of the tokens in a phrase of another language (see ``foreign`` rules): its
        common words, and the words among them no English dictionary knows (a foreign word
        the OCR damaged is no English word to repair). ``language``: the language of each
        token that is a common word of one (:meth:`Lexicon.languages`)."""
        rules = self.foreign
        found: set[int] = set()
        for i, langs in language.items():
            span = range(max(0, i - rules.window), min(len(tokens), i + rules.window + 1))
            for lang in langs:
                if sum(1 for j in span if lang in language.get(j, ())) >= rules.min_words:
                    found.update(j for j in span if j in language or not known(tokens[j].word))
                    break
        return found

    @staticmethod
    def names(
        text: str, tokens: list[Token], caps: list[int], accepts: Callable[[str], bool]
    ) -> set[int]:
        """Indexes of capitalised words inside a sentence one space from a capitalised word no
        dictionary knows in lowercase (``Peize Zhang``, ``Hongjuan Qin``): the parts of a
        person's name, whose unknown part is no slip for a common word. Beside a dictionary
        word (``Diffution Weighted``) a capital says nothing; title lines are left out (a
        heading capitalises every word). ``caps``: the indexes of the capitalised tokens."""
        found: set[int] = set()
        for i, j in itertools.pairwise(caps):
            a, b = tokens[i], tokens[j]
            if j != i + 1 or b.initial or a.title_line or b.title_line:
                continue
            if text[a.end : b.start] != " ":
                continue
            if not a.initial and not accepts(b.word.lower()):
                found.add(i)
            if not accepts(a.word.lower()):
                found.add(j)
        return found

    def mark(self, text: str, tokens: list[Token], lexicon: Lexicon) -> list[Token]:
        """The tokens with ``citation``, ``term`` and ``name`` set where their neighbours say so."""
        spans = self.citation_spans(text)
        starts = [s for s, _ in spans]
        caps = [i for i, tok in enumerate(tokens) if tok.word[:1].isupper()]
        terms = self.binomials(text, tokens, caps, lexicon.known, lexicon.zipf)
        language = lexicon.languages([tok.word for tok in tokens])
        terms |= self.foreign_phrases(tokens, language, lexicon.known)
        names = self.names(text, tokens, caps, lexicon.accepts)
        if not spans:  # most texts cite nothing: only the terms and names change
            out = list(tokens)
            for i in terms | names:
                out[i] = tokens[i]._replace(citation=False, term=i in terms, name=i in names)
            return out
        out = []
        for i, tok in enumerate(tokens):
            at = bisect.bisect_right(starts, tok.start) - 1
            citation = at >= 0 and tok.end <= spans[at][1]
            if citation or i in terms or i in names:
                tok = tok._replace(citation=citation, term=i in terms, name=i in names)
            out.append(tok)
        return out
