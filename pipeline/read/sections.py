"""Sections: cut a document into named sections (title, clinical summary, findings, ...).

Headings come from ``rules/sections.yaml`` and match case-insensitively with their variants.
Two sections have no heading on real pages: the discussion (a textbook paragraph pasted after
the findings) and the references (a citation after the diagnosis). They are recognised by
layout: in text pages by the blank lines that set a new section apart, in HTML pages by being
a trailing paragraph that reads like prose or like a citation. An unknown heading becomes a
section ``other:<heading>``: no text is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from pipeline.read.document import Block, Document
from pipeline.rules import SectionRules, heading_key

_SENTENCE_END = regex.compile(r"[.;,!?]\s*$")
_WORD = regex.compile(r"\w+")


@dataclass
class Section:
    """A section of a page: canonical name, heading as written, and its raw text."""

    name: str
    heading: str | None
    blocks: list[Block] = field(default_factory=list)

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
    """The outcome of the section stage for one page."""

    title: str | None
    sections: list[Section]
    field_lines: list[str]

    def get(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_html_heading(block: Block) -> bool:
    """A heading element; a bold-only paragraph only when it is short and not a label."""
    if block.kind != "heading":
        return False
    if block.tag in ("p", "div") and not block.text.rstrip().endswith(":"):
        return _words(block.text) <= 8
    return block.tag not in ("p", "div")


def _looks_like_unknown_heading(blocks: list[Block], i: int) -> bool:
    """In a text page: a short line set apart above, followed closely by its content."""
    block = blocks[i]
    if i + 1 >= len(blocks) or block.gap < 2 or blocks[i + 1].gap != 1:
        return False
    text = block.text
    return (
        len(text) <= 60
        and _words(text) <= 6
        and not _SENTENCE_END.search(text)
        and ":" not in text
        and text[:1].isupper()
    )


def _split_sections(document: Document, rules: SectionRules) -> tuple[str | None, list[Section]]:
    html = document.page.source_format == "html"
    blocks = list(document.blocks)
    title: str | None = None
    sections: list[Section] = []
    current = Section("preamble", None)
    for i, block in enumerate(blocks):
        canonical = rules.canonical(block.text) if _words(block.text) <= 8 else None
        at_top = title is None and not sections and not current.blocks and canonical is None
        if at_top and (not html or block.kind == "heading"):
            title = block.text
            continue
        if canonical is not None and canonical == current.name:
            # "Imaging Findings:" right under "Imaging Procedures and Findings" is the
            # author's own label, part of the text, not a new section.
            current.blocks.append(block)
            continue
        if canonical is not None or (html and _is_html_heading(block)):
            sections.append(current)
            name = canonical or f"other:{heading_key(block.text)}"
            current = Section(name, block.text)
            continue
        if not html and _looks_like_unknown_heading(blocks, i):
            sections.append(current)
            current = Section(f"other:{heading_key(block.text)}", block.text)
            continue
        if not html and block.gap >= 2 and current.blocks:
            follows = rules.unlabeled_after.get(current.name)
            if current.name == "discussion" and rules.is_citation(block.text):
                follows = "references"
            if follows is not None:
                sections.append(current)
                current = Section(follows, None, [block])
                continue
        current.blocks.append(block)
    sections.append(current)
    return title, [s for s in sections if s.blocks or s.name != "preamble"]


def _prose(block: Block, rules: SectionRules) -> bool:
    return _words(block.text) >= rules.discussion_min_words


def _split_trailing(sections: list[Section], rules: SectionRules) -> list[Section]:
    """Find unlabeled trailing paragraphs inside labelled sections (HTML, or text without gaps).

    The last paragraph of the last findings/summary section is the discussion (HTML pages
    paste the textbook text as one more paragraph); trailing citation paragraphs of the
    diagnosis are the references.
    """
    names = {s.name for s in sections}
    out: list[Section] = []
    for section in sections:
        target = rules.unlabeled_after.get(section.name)
        tail: list[Block] = []
        if target == "references" and "references" not in names:
            while len(section.blocks) > 1 and rules.is_citation(section.blocks[-1].text):
                tail.insert(0, section.blocks.pop())
        elif target == "discussion" and "discussion" not in names:
            later = [s.name for s in sections[sections.index(section) + 1 :]]
            has_later_source = any(rules.unlabeled_after.get(n) == "discussion" for n in later)
            if (
                not has_later_source
                and len(section.blocks) > 1
                and _prose(section.blocks[-1], rules)
            ):
                tail = [section.blocks.pop()]
        out.append(section)
        if tail:
            out.append(Section(target or "", None, tail))
            names.add(target or "")
    return out


def split_sections(document: Document, rules: SectionRules) -> SectionedPage:
    """Document → title, sections in page order, and the field lines of the field sections."""
    title, sections = _split_sections(document, rules)
    sections = _split_trailing(sections, rules)
    field_lines: list[str] = []
    text_sections: list[Section] = []
    for section in sections:
        if section.name in rules.field_sections or section.name == "preamble":
            field_lines.extend(b.text for b in section.blocks)
        else:
            text_sections.append(section)
    return SectionedPage(title=title, sections=text_sections, field_lines=field_lines)
