"""Boilerplate: remove site chrome so that only case content reaches the tables.

Four layers, from surest to most general:

1. HTML elements that are never content (scripts, menus, hidden elements, ARIA landmarks and
   widgets, form controls), by the CSS selectors of ``rules/boilerplate.yaml``;
2. the page's main content, found by what it is (:mod:`pipeline.read.main_content`): what lies
   outside it, and the lists of short links inside it, never become text;
3. lines and phrases that are chrome wherever they appear ("Go to top", the e-mail cloaking
   sentence, "end faqaq"), by the patterns of the same file;
4. lines that repeat verbatim on a large share of the run's pages, learnt from the run itself:
   real archives carry chrome that no rule lists yet. Headings, field lines, citations,
   sentences and the first line of a section are never learnt: "Gender : Male" repeats on
   half the pages and is data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

import regex
from bs4 import BeautifulSoup

from pipeline.read.compiled import any_pattern
from pipeline.read.document import HEADING_MARK, Block, Document, html_blocks, text_blocks
from pipeline.read.headings import label_pieces
from pipeline.read.ingest import Page, PageError
from pipeline.read.main_content import (
    drop_hidden,
    drop_link_lists,
    drop_selected,
    main_and_counts,
    select_any,
)
from pipeline.read.metadata import PageMeta, match_site, read_meta
from pipeline.rules import BoilerplateRules, Rules, SiteProfile

_FIELD_LINE = regex.compile(r"^\s*([^:]{1,40}?)\s*:\s*(.*)$", regex.DOTALL)
_SENTENCE = regex.compile(r"\.\s*$")
_SPACES = regex.compile(r"[ \t]{2,}")


def parse_html(text: str) -> BeautifulSoup:
    """Parse an HTML page with lxml; a page lxml cannot read is a page error."""
    try:
        return BeautifulSoup(text, "lxml")
    except Exception as exc:  # lxml rejects some byte soups outright
        raise PageError("ingest", "html", f"cannot parse HTML: {exc}") from exc


def _mark_headings(soup: BeautifulSoup, profile: SiteProfile) -> None:
    for element in select_any(soup, profile.heading_selectors):
        element[HEADING_MARK] = "1"


def read_html(text: str, rules: Rules) -> tuple[list[Block], PageMeta, SiteProfile | None]:
    """An HTML page's main-content blocks, its metadata and the site profile it matched."""
    soup = parse_html(text)
    meta = read_meta(soup)
    profile = match_site(soup, meta, rules.sites)
    if profile is not None:
        _mark_headings(soup, profile)
    chrome = rules.boilerplate
    drop_selected(soup, chrome.html_drop)
    settings = chrome.main_content
    root = soup.body or soup
    counts = drop_hidden(root, chrome.hidden, chrome.hidden_max_share)
    selector = profile.content_selector if profile else None
    main, counts = main_and_counts(root, settings, selector, counts)
    drop_link_lists(main, settings, counts)
    return html_blocks(main), meta, profile


def _strip_inline(text: str, rules: BoilerplateRules) -> str:
    for pattern in rules.inline_patterns:
        text = pattern.sub("", text)
    if "  " in text or "\t" in text:  # a run of two spaces or tabs has one of these
        text = _SPACES.sub(" ", text)
    return text.strip()


def clean_blocks(blocks: Iterable[Block], rules: BoilerplateRules) -> list[Block]:
    """Drop chrome lines and cut chrome phrases out of the remaining blocks.

    A dropped block passes its blank-line gap on to the next one, so paragraph structure
    survives the removal. A field line whose value was only chrome keeps its label.
    """
    chrome = any_pattern(rules.line_patterns)
    kept: list[Block] = []
    carry = 0
    for block in blocks:
        if chrome.match(block.text):
            carry = max(carry, block.gap)
            continue
        text = _strip_inline(block.text, rules)
        if not text:
            carry = max(carry, block.gap)
            continue
        kept.append(_with(block, text, max(block.gap, carry)))
        carry = 0
    return kept


def _with(block: Block, text: str, gap: int) -> Block:
    """A block with this text and gap (the block itself when they are its own)."""
    if text == block.text and gap == block.gap:
        return block
    return Block(text, block.kind, gap, block.tag, block.form)


def build_document(page: Page, rules: Rules) -> Document:
    """Page → document: the main content's blocks, chrome removed, with the page's metadata."""
    if page.source_format != "html":
        blocks = clean_blocks(text_blocks(page.text), rules.boilerplate)
        return Document(page=page, blocks=tuple(blocks))
    html, meta, profile = read_html(page.text, rules)
    return Document(
        page=page,
        blocks=tuple(clean_blocks(html, rules.boilerplate)),
        meta=meta,
        site=None if profile is None else profile.name,
    )


def is_field_line(text: str, rules: Rules) -> bool:
    match = _FIELD_LINE.match(text)
    return bool(match) and rules.fields.field_for(match.group(1)) is not None


def _is_data(text: str, rules: Rules) -> bool:
    """A line that is case data whatever the run says: a field line, a citation, a sentence
    of several words ("The lungs are clear." on half of a run's normal reports)."""
    words = rules.boilerplate.learn_sentence_words
    sentence = _SENTENCE.search(text) is not None and len(text.split()) >= words
    return sentence or is_field_line(text, rules) or rules.sections.is_citation(text)


def _learnable_lines(document: Document, rules: Rules) -> set[str]:
    """Lines of a page that could be chrome: not headings (a ``LABEL:`` line is one), data
    lines, or a section's first line.

    Whether a long block is a heading is asked only when the short line after it could be
    learnt: a long block is never learnt itself, and most follow or precede prose.
    """
    lines: set[str] = set()
    names = rules.sections

    def heading(block: Block) -> bool:
        if block.kind == "heading" or names.canonical(block.text) is not None:
            return True
        return bool(label_pieces(block.text, rules.sections, single=True))

    limit = rules.boilerplate.learn_max_chars
    before: Block | None = None  # a long block not yet asked whether it is a heading
    after_heading = False
    for block in document.blocks:
        if len(block.text) > limit:
            before = block
            continue
        if heading(block):
            before, after_heading = None, True
            continue
        if before is not None:
            after_heading = heading(before)
        if not after_heading and not _is_data(block.text, rules):
            lines.add(block.text)
        before, after_heading = None, False
    return lines


def count_lines(document: Document, rules: Rules) -> Counter[str]:
    """One page's vote for each learnable line (a page counts a line once)."""
    return Counter(_learnable_lines(document, rules))


def learn_repeated(counts: Counter[str], n_pages: int, rules: BoilerplateRules) -> list[str]:
    """Lines seen on at least ``min_share`` of the pages (and ``min_pages`` pages)."""
    if n_pages <= 0:
        return []
    threshold = max(rules.learn_min_pages, rules.learn_min_share * n_pages)
    return sorted(line for line, n in counts.items() if n >= threshold)


def drop_learned(document: Document, learned: Iterable[str]) -> Document:
    """Remove the learnt chrome lines from one document."""
    drop = set(learned)
    if not drop:
        return document
    kept: list[Block] = []
    carry = 0
    for block in document.blocks:
        if block.text in drop and block.kind != "heading":
            carry = max(carry, block.gap)
            continue
        kept.append(_with(block, block.text, max(block.gap, carry)))
        carry = 0
    return replace(document, blocks=tuple(kept))
