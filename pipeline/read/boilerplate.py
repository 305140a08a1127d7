"""Boilerplate: remove site chrome so that only case content reaches the tables.

Three layers, from surest to most general:

1. HTML elements that are never content (scripts, menus, breadcrumbs, footers), by the CSS
   selectors of ``rules/boilerplate.yaml``;
2. lines and phrases that are chrome wherever they appear ("Go to top", the e-mail cloaking
   sentence, "end faqaq"), by the patterns of the same file;
3. lines that repeat verbatim on a large share of the run's pages, learnt from the run itself:
   real archives carry chrome that no rule lists yet. Headings, field lines and the first
   line of a section are never learnt: "Gender : Male" repeats on half the pages and is data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

import regex
from bs4 import BeautifulSoup

from pipeline.read.document import Block, Document, html_blocks, text_blocks
from pipeline.read.ingest import Page, PageError
from pipeline.rules import BoilerplateRules, Rules

_FIELD_LINE = regex.compile(r"^\s*([^:]{1,40}?)\s*:\s*(.*)$", regex.DOTALL)
_SPACES = regex.compile(r"[ \t]{2,}")


def parse_html(text: str, rules: BoilerplateRules) -> BeautifulSoup:
    """Parse an HTML page with lxml and drop every element the rules call chrome."""
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # lxml rejects some byte soups outright
        raise PageError("ingest", "html", f"cannot parse HTML: {exc}") from exc
    for selector in rules.html_drop:
        for element in soup.select(selector):
            element.decompose()
    return soup


def _strip_inline(text: str, rules: BoilerplateRules) -> str:
    for pattern in rules.inline_patterns:
        text = pattern.sub("", text)
    return _SPACES.sub(" ", text).strip()


def clean_blocks(blocks: Iterable[Block], rules: BoilerplateRules) -> list[Block]:
    """Drop chrome lines and cut chrome phrases out of the remaining blocks.

    A dropped block passes its blank-line gap on to the next one, so paragraph structure
    survives the removal. A field line whose value was only chrome keeps its label.
    """
    kept: list[Block] = []
    carry = 0
    for block in blocks:
        if any(p.match(block.text) for p in rules.line_patterns):
            carry = max(carry, block.gap)
            continue
        text = _strip_inline(block.text, rules)
        if not text:
            carry = max(carry, block.gap)
            continue
        kept.append(replace(block, text=text, gap=max(block.gap, carry)))
        carry = 0
    return kept


def build_document(page: Page, rules: Rules) -> Document:
    """Page → document: blocks of text with the rule-listed chrome removed."""
    if page.source_format == "html":
        soup = parse_html(page.text, rules.boilerplate)
        blocks = html_blocks(soup)
    else:
        blocks = text_blocks(page.text)
    return Document(page=page, blocks=tuple(clean_blocks(blocks, rules.boilerplate)))


def is_field_line(text: str, rules: Rules) -> bool:
    match = _FIELD_LINE.match(text)
    return bool(match) and rules.fields.field_for(match.group(1)) is not None


def _learnable_lines(document: Document, rules: Rules) -> set[str]:
    """Lines of a page that could be chrome: not headings, fields or a section's first line."""
    lines: set[str] = set()
    after_heading = False
    for block in document.blocks:
        is_heading = block.kind == "heading" or rules.sections.canonical(block.text) is not None
        if is_heading:
            after_heading = True
            continue
        short = len(block.text) <= rules.boilerplate.learn_max_chars
        if not after_heading and short and not is_field_line(block.text, rules):
            lines.add(block.text)
        after_heading = False
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
        kept.append(replace(block, gap=max(block.gap, carry)))
        carry = 0
    return replace(document, blocks=tuple(kept))
