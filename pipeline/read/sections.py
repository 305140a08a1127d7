"""Sections: cut a document into named sections (title, clinical summary, findings, ...).

A section runs from its heading to the next heading that opens a section: all its paragraphs
stay together. Headings are found by their form (:mod:`pipeline.read.headings`; HTML marks its
own) and named through ``rules/sections.yaml`` with tolerant matching; a heading nested under
the current one (an ``h3`` in an ``h2`` section, a bold line in it) is a sub-heading and stays
in its text, unless it names a known section. A label that repeats the current section's
heading ("Imaging Findings:" right under "Imaging Findings") is the author's, part of the
text. An unknown heading becomes ``other:<heading>``: no text is ever lost. The unlabeled
discussion and references are told apart by :mod:`pipeline.read.unlabeled`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from pipeline.read.document import Block, Document
from pipeline.read.headings import (
    heading_shaped,
    is_all_caps,
    label_pieces,
    short_line,
    words,
)
from pipeline.read.unlabeled import (
    DISCUSSION,
    REFERENCES,
    GapMarks,
    Scores,
    citation_tail,
    confirms,
    discussion_tail,
    source_index,
)
from pipeline.rules import SectionRules, section_key

PREAMBLE = "preamble"
_LEVELS = {f"h{n}": n for n in range(1, 7)}


@dataclass
class Section:
    """A section of a page: canonical name, heading as written, its blocks, and the form of
    its heading ("h2", "label", "dt", "bold", "line", "colon" for a ``LABEL:``; "" for an
    unlabeled section)."""

    name: str
    heading: str | None
    blocks: list[Block] = field(default_factory=list)
    form: str = ""

    def text(self, html: bool) -> str:
        """Blocks joined as the page laid them out: blank lines kept in text pages."""
        if not self.blocks:
            return ""
        parts = [self.blocks[0].text]
        for block in self.blocks[1:]:
            parts.append("\n" if html else "\n" * min(block.gap + 1, 2))
            parts.append(block.text)
        return "".join(parts)


@dataclass(frozen=True)
class SectionedPage:
    """The outcome of the section stage for one page.

    ``preamble`` holds the blocks before the first heading, ``field_lines`` those and the
    lines of the field sections. ``evidence`` says whether the page showed an unlabeled
    discussion by itself (None: it could not have one), for the run to learn its layout.
    ``headings`` lists every heading that opened a section, field sections included, as
    (heading as written, section name); ``seen`` the names of every section of the page.
    """

    title: str | None
    sections: list[Section]
    field_lines: list[str]
    preamble: tuple[Block, ...] = ()
    evidence: bool | None = None
    seen: frozenset[str] = frozenset()
    headings: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()

    def get(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)


def _nested(form: str, under: str) -> bool:
    """Whether a heading of ``form`` is a sub-heading of a section opened by ``under``: a
    deeper ``h`` level, or a bold line or a term (``dt``) inside an ``h`` section."""
    if under not in _LEVELS:
        return False
    return form in ("bold", "dt") or (form in _LEVELS and _LEVELS[form] > _LEVELS[under])


def _gap_marks(blocks: list[Block], rules: SectionRules) -> GapMarks:
    """The narrowest gap a text page puts before a heading that opens a new section."""
    gaps: list[int] = []
    previous = None
    for block in blocks[1:]:
        name = (
            rules.canonical(block.text, tolerant=False) if short_line(block.text, rules) else None
        )
        if name is not None and name != previous:
            gaps.append(block.gap)
            previous = name
    return GapMarks.of(gaps, rules.unlabeled.min_gap)


def _names_title(text: str, titles: tuple[str, ...], rules: SectionRules) -> bool:
    """Whether a heading is the page's title as its metadata gives it."""
    key = text.casefold()
    return any(fuzz.partial_ratio(key, t.casefold()) >= rules.min_score for t in titles)


def _title_index(
    blocks: list[Block], html: bool, rules: SectionRules, titles: tuple[str, ...] = ()
) -> int | None:
    """The block that is the page's title: a text page's first line; an HTML page's first
    ``h1`` before any other heading, else its first block when that is a heading unlike the
    section headings after it (no other heading of its form), or one its metadata
    (``titles``: meta titles, ``<title>``) names."""
    if not blocks:
        return None
    first = blocks[0]
    known = rules.canonical(first.text, tolerant=False) is not None
    known = known or bool(label_pieces(first.text, rules, single=True))
    if not html:
        return None if known else 0
    h1 = _first_h1(blocks, rules)
    if h1 is not None:
        return h1
    if first.kind != "heading" or known:
        return None
    alone = not any(b.kind == "heading" and b.form == first.form for b in blocks[1:])
    return 0 if alone or _names_title(first.text, titles, rules) else None


def _first_h1(blocks: list[Block], rules: SectionRules) -> int | None:
    for index, block in enumerate(blocks):
        if block.form == "h1" and rules.canonical(block.text, tolerant=False) is None:
            return index
        if block.kind == "heading":
            return None
    return None


class _Cutter:
    """Walks a document's blocks once, opening a section at each heading."""

    def __init__(
        self, document: Document, rules: SectionRules, carried: bool, titles: tuple[str, ...]
    ) -> None:
        self.titles = titles
        self.html = document.page.source_format == "html"
        self.rules = rules
        self.carried = carried
        self.blocks = list(document.blocks)
        self.marks = GapMarks(0, 1, False) if self.html else _gap_marks(self.blocks, rules)
        self.sections: list[Section] = []
        self.current = Section(PREAMBLE, None)
        self.gap_marked = False
        self.scores = Scores(rules.unlabeled)

    def open(self, name: str, heading: str | None, form: str, blocks: list[Block]) -> None:
        self.sections.append(self.current)
        self.current = Section(name, heading, blocks, form)

    def heading_name(self, index: int, block: Block) -> str | None:
        """The section a block opens as a heading (None: it is text)."""
        text, rules = block.text, self.rules
        if block.kind == "heading":
            short = len(words(text)) <= rules.max_words
            canonical = self.rules.canonical(text) if short else None
            if block.form == "bold" and canonical is None and (not short or text.endswith(":")):
                return None
            return canonical or f"other:{section_key(text)}"
        if not short_line(text, rules):
            return None
        tolerant = not self.html and heading_shaped(text, rules)
        canonical = self.rules.canonical(text, tolerant)
        if self.html:
            return canonical
        if canonical is not None:
            # On a page that sets its headings apart, a heading line that is not set apart is
            # a label of the text ("IMPRESSION:" inside a pasted report).
            kept = canonical == self.current.name or index == 0
            return canonical if kept or self.marks.set_apart(block.gap) else None
        return f"other:{section_key(text)}" if self.unknown_heading(index) else None

    def unknown_heading(self, index: int) -> bool:
        """A text line shaped like a heading, set apart above more than below, with content
        after it that is not a heading, and not the first line of a section."""
        block = self.blocks[index]
        if index + 1 >= len(self.blocks) or not self.current.blocks:
            return False
        after = self.blocks[index + 1]
        if self.rules.canonical(after.text, tolerant=False) is not None or ":" in block.text:
            return False
        if self.marks.uses_gaps:
            return block.gap > after.gap and heading_shaped(block.text, self.rules)
        return is_all_caps(block.text) and short_line(block.text, self.rules)

    def take_heading(self, name: str, block: Block) -> None:
        form = block.form or "line"
        inline = name == self.current.name or (
            name.startswith("other:") and _nested(form, self.current.form)
        )
        if inline:
            self.current.blocks.append(block)
        else:
            self.open(name, block.text, form, [])

    def take_pieces(self, block: Block) -> bool:
        """Cut a block at its known labels; False when it has none to cut at.

        Labels are headings only on a page that uses them as headings: before its first
        section, or inside a section a label opened. On a page with heading lines, a label
        in a section ("IMPRESSION:" in a pasted report) is the author's text.
        """
        if self.current.name != PREAMBLE and self.current.form != "colon":
            return False
        single = not self.html or block.tag in ("tr", "dd") or self.current.form == "colon"
        pieces = label_pieces(block.text, self.rules, single)
        names = {self.current.name}
        opens = False
        for piece in pieces:
            opens |= piece.canonical is not None and piece.canonical not in names
            names.add(piece.canonical or self.current.name)
        if not opens:
            return False
        for number, piece in enumerate(pieces):
            gap = block.gap if number == 0 else 0
            if piece.canonical is None or piece.canonical == self.current.name:
                self.current.blocks.append(replace(block, text=piece.whole, gap=gap))
                continue
            value = [replace(block, text=piece.value, gap=0)] if piece.value else []
            self.open(piece.canonical, piece.label, "colon", value)
        return True

    def take_unlabeled(self, block: Block) -> bool:
        """Start the unlabeled section a text page sets apart by a wider gap."""
        if self.html or not self.current.blocks:
            return False
        target = self.rules.unlabeled_after.get(self.current.name)
        if self.current.name == DISCUSSION and self.rules.is_citation(block.text):
            target = REFERENCES
        mark = self.marks.mark(block.gap)
        if target is None or not mark:
            return False
        if mark == "weak" and not confirms(target, block, self.rules, self.carried, self.scores):
            return False
        self.gap_marked |= target == DISCUSSION
        self.open(target, None, "", [block])
        return True

    def cut(self) -> tuple[str | None, list[Section]]:
        title_at = _title_index(self.blocks, self.html, self.rules, self.titles)
        for index, block in enumerate(self.blocks):
            if index == title_at:
                continue
            name = self.heading_name(index, block)
            if name is not None:
                self.take_heading(name, block)
            elif not (self.take_pieces(block) or self.take_unlabeled(block)):
                self.current.blocks.append(block)
        self.sections.append(self.current)
        title = None if title_at is None else self.blocks[title_at].text
        return title, [s for s in self.sections if s.blocks or s.name != PREAMBLE]


def _split_references(sections: list[Section], rules: SectionRules) -> list[Section]:
    """Trailing citation paragraphs of the diagnosis become the references."""
    if any(s.name == REFERENCES for s in sections):
        return sections
    for index, section in enumerate(sections):
        tail = citation_tail(section.blocks, rules)
        if rules.unlabeled_after.get(section.name) == REFERENCES and tail:
            references = Section(REFERENCES, None, section.blocks[-tail:])
            del section.blocks[-tail:]
            return [*sections[: index + 1], references, *sections[index + 1 :]]
    return sections


def _evidence(sections: list[Section], rules: SectionRules, cutter: _Cutter) -> bool | None:
    """Whether the page showed an unlabeled discussion by itself (None: it could not)."""
    names = [s.name for s in sections]
    labelled = any(s.name == DISCUSSION and s.heading is not None for s in sections)
    if labelled or not any(rules.unlabeled_after.get(n) == DISCUSSION for n in names):
        return None
    if cutter.marks.uses_gaps:
        return cutter.gap_marked
    index = source_index(names, rules)
    blocks = sections[index].blocks if index is not None else []
    return len(blocks) > 1 and cutter.scores.at_least(blocks[-1].text, rules.unlabeled.margin)


def _split_discussion(
    sections: list[Section], rules: SectionRules, carried: bool, scores: Scores
) -> None:
    """The discussion at the end of the last section it may follow, by content (or layout)."""
    index = source_index([s.name for s in sections], rules)
    if index is None:
        return
    source = sections[index]
    tail = discussion_tail(source.blocks, rules, carried, scores)
    if tail:
        sections.insert(index + 1, Section(DISCUSSION, None, source.blocks[-tail:]))
        del source.blocks[-tail:]


def split_sections(
    document: Document,
    rules: SectionRules,
    carried: bool = False,
    titles: tuple[str, ...] = (),
) -> SectionedPage:
    """Document → title, sections in page order, and the field lines of the field sections.

    ``carried``: the run learnt that its pages of this format carry an unlabeled discussion;
    ``titles``: the page's titles by its metadata, which a title heading must agree with.
    """
    cutter = _Cutter(document, rules, carried, titles)
    title, sections = cutter.cut()
    evidence = _evidence(sections, rules, cutter)
    if document.page.source_format == "html" or not cutter.marks.uses_gaps:
        _split_discussion(sections, rules, carried, cutter.scores)
    sections = _split_references(sections, rules)
    field_lines: list[str] = []
    text_sections: list[Section] = []
    preamble: tuple[Block, ...] = ()
    for section in sections:
        if section.name == PREAMBLE:
            preamble = tuple(section.blocks)
        if section.name in rules.field_sections or section.name == PREAMBLE:
            field_lines.extend(b.text for b in section.blocks)
        else:
            text_sections.append(section)
    seen = frozenset(s.name for s in sections)
    headings = tuple((s.heading, s.name) for s in sections if s.heading is not None)
    return SectionedPage(title, text_sections, field_lines, preamble, evidence, seen, headings)
