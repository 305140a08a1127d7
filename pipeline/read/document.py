"""Document: a page's text as an ordered list of blocks (paragraphs, headings, table rows).

HTML and plain-text pages look nothing alike, but both are a sequence of short blocks: a
heading, a "Label : value" line, a paragraph. Turning either into :class:`Block` objects here
lets the section stage read one shape. Blank lines matter in text pages (two or more set a
new section apart), so each block keeps how many blank lines preceded it.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from pipeline.read.ingest import Page

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = HEADING_TAGS | frozenset(
    {
        "p", "div", "li", "ul", "ol", "table", "tbody", "thead", "tr", "section",
        "article", "blockquote", "pre", "dl", "dt", "dd", "form", "main", "aside", "body",
        "center", "figure", "figcaption", "caption", "hr",
    }
)  # fmt: skip
_CELLS = ["td", "th"]
_SPACE = regex.compile(r"[ \t\r\n\f\v\u00a0]+")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-like unit of a page.

    ``kind`` is "heading" for an element the page marks as a heading (h1-h6, a field label, a
    paragraph that is only bold text) and "text" otherwise; text pages mark nothing, so the
    section stage decides there. ``tag`` is the HTML tag ("" for text pages).
    """

    text: str
    kind: str = "text"
    gap: int = 0
    tag: str = ""


@dataclass(frozen=True)
class Document:
    """The blocks of one page, in reading order."""

    page: Page
    blocks: tuple[Block, ...]
    html_title: str | None = None


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text page: each non-blank line, with the blank lines before it."""
    blocks: list[Block] = []
    gap = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            gap += 1
            continue
        blocks.append(Block(text=stripped, gap=gap if blocks else 0))
        gap = 0
    return blocks


def _is_bold_only(tag: Tag) -> bool:
    """A paragraph whose whole text is one bold run is a heading in disguise."""
    children = [c for c in tag.children if not (isinstance(c, NavigableString) and not c.strip())]
    return (
        len(children) == 1
        and isinstance(children[0], Tag)
        and children[0].name in ("strong", "b")
        and bool(children[0].get_text(strip=True))
    )


def _heading_kind(tag: Tag) -> str:
    classes = tag.get("class") or []
    if tag.name in HEADING_TAGS or any("label" in c or "heading" in c for c in classes):
        return "heading"
    if tag.name in ("p", "div") and _is_bold_only(tag):
        return "heading"
    return "text"


class _HtmlWalker:
    """Walks the HTML tree and cuts its text into blocks at block-level elements."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._buffer: list[str] = []

    def _flush(self, kind: str = "text", tag: str = "") -> None:
        text = _SPACE.sub(" ", "".join(self._buffer)).strip()
        lines = [_SPACE.sub(" ", part).strip() for part in "".join(self._buffer).split("\n")]
        self._buffer = []
        if not text:
            return
        # <br> inside a block keeps its line breaks; other whitespace collapses as in HTML.
        joined = "\n".join(line for line in lines if line)
        self.blocks.append(Block(text=joined, kind=kind, tag=tag))

    def finish(self) -> list[Block]:
        self._flush()
        return self.blocks

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self._buffer.append(_SPACE.sub(" ", str(child)))
                continue
            if not isinstance(child, Tag):
                continue
            if child.name == "br":
                self._buffer.append("\n")
            elif child.name == "tr":
                self._flush()
                cells = [_SPACE.sub(" ", c.get_text(" ")).strip() for c in child.find_all(_CELLS)]
                row = " ".join(c for c in cells if c)
                if row:
                    self.blocks.append(Block(text=row, tag="tr"))
            elif child.name in BLOCK_TAGS:
                self._flush()
                kind = _heading_kind(child)
                if kind == "heading":
                    self._buffer.append(_SPACE.sub(" ", child.get_text(" ")))
                    self._flush(kind, child.name)
                else:
                    self.walk(child)
                    self._flush(tag=child.name)
            else:
                self.walk(child)


def html_blocks(soup: BeautifulSoup) -> list[Block]:
    """Blocks of an HTML page whose chrome has already been removed."""
    root = soup.body or soup
    walker = _HtmlWalker()
    walker.walk(root)
    return walker.finish()
