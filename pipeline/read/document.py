"""Document: a page's text as an ordered list of blocks (paragraphs, headings, table rows).

HTML and plain-text pages look nothing alike, but both are a sequence of short blocks: a
heading, a "Label : value" line, a paragraph. Turning either into :class:`Block` objects here
lets the section stage read one shape. Blank lines matter in text pages (a wider gap sets a
new section apart), so each block keeps how many blank lines preceded it. An HTML heading
keeps the form the page gave it (``h2``, a label, a bold-only paragraph), because a page's
headings nest: an ``h3`` inside an ``h2`` section is a sub-heading of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex
from bs4 import Comment, NavigableString, Tag

from pipeline.pickling import tuple_state
from pipeline.read.ingest import Page
from pipeline.read.metadata import PageMeta

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = HEADING_TAGS | frozenset(
    {
        "p", "div", "li", "ul", "ol", "table", "tbody", "thead", "tr", "section",
        "article", "blockquote", "pre", "dl", "dt", "dd", "form", "main", "aside", "body",
        "center", "figure", "figcaption", "caption", "hr",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
"""The spaces a block's lines collapse (``re``: a plain class, faster than ``regex``)."""
_MARKDOWN_HEADING = regex.compile(r"^(#{1,6})\s+(\S.*?)\s*#*$")
_MARKDOWN_BOLD = regex.compile(r"^(?:\*\*|__)([^*_]+?)(?:\*\*|__)$")
HEADING_MARK = "data-caseclean-heading"
"""Attribute put on the elements a site profile's ``heading_selectors`` name."""


@tuple_state
@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-like unit of a page.

    ``kind`` is "heading" for an element the page marks as a heading and "text" otherwise;
    text pages mark nothing, so the section stage decides there. ``form`` says how a heading
    is marked: "h1".."h6", "label" (a label element, a site's heading selector), "dt" (a
    term of a definition list) or "bold" (a paragraph that is only bold text). ``tag`` is the
    HTML tag ("" for text pages).
    """

    text: str
    kind: str = "text"
    gap: int = 0
    tag: str = ""
    form: str = ""


@dataclass(frozen=True)
class Document:
    """The blocks of one page, in reading order."""

    page: Page
    blocks: tuple[Block, ...]
    meta: PageMeta | None = None
    site: str | None = None


def text_line(line: str, gap: int) -> Block:
    """One line of a text page; a Markdown heading ("## Findings") or a line that is only
    bold ("**Findings**") is marked as the heading it is, without its marks.

    >>> text_line("## Findings", 1), text_line("**CT**", 0).form, text_line("# 2", 0).kind
    (Block(text='Findings', kind='heading', gap=1, tag='', form='h2'), 'bold', 'heading')
    """
    marked = _MARKDOWN_HEADING.match(line)
    if marked:
        return Block(marked.group(2), "heading", gap, "", f"h{len(marked.group(1))}")
    bold = _MARKDOWN_BOLD.match(line)
    if bold:
        return Block(bold.group(1).strip(), "heading", gap, "", "bold")
    return Block(text=line, gap=gap)


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text page: each non-blank line, with the blank lines before it."""
    blocks: list[Block] = []
    gap = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            gap += 1
            continue
        blocks.append(text_line(stripped, gap if blocks else 0))
        gap = 0
    return blocks


def _is_bold_only(tag: Tag) -> bool:
    """A paragraph whose whole text is one bold run is a heading in disguise."""
    only = None
    for child in tag.children:
        if isinstance(child, NavigableString) and not child.strip():
            continue
        if only is not None:
            return False  # a second child: more than one run
        only = child
    return (
        isinstance(only, Tag) and only.name in ("strong", "b") and bool(only.get_text(strip=True))
    )


def heading_form(tag: Tag) -> str:
    """How an element marks itself as a heading ("" when it does not).

    >>> from bs4 import BeautifulSoup
    >>> soup = BeautifulSoup('<h3>A</h3><dt>B</dt><p><b>C</b></p><p>D <b>E</b></p>', "lxml")
    >>> [heading_form(t) for t in soup.body.children]
    ['h3', 'dt', 'bold', '']

    A class naming a label or heading counts only on an element that holds no blocks: a
    ``div class="section-heading"`` around a whole section is not one heading.

    >>> soup = BeautifulSoup('<div class="field-label">A</div><div class="heading"><p>B</p>'
    ...                      '</div>', "lxml")
    >>> [heading_form(t) for t in soup.body.children]
    ['label', '']
    """
    classes = tag.get("class") or []
    if tag.name in HEADING_TAGS:
        return str(tag.name)
    if tag.has_attr(HEADING_MARK):
        return "label"
    if tag.name == "dt":
        return "dt"
    named = any("label" in c or "heading" in c for c in classes)
    if named and tag.find(BLOCK_TAGS) is None:
        return "label"
    if tag.name in ("p", "div") and _is_bold_only(tag):
        return "bold"
    return ""


def _cell_text(cell: Tag) -> str:
    return _SPACE.sub(" ", cell.get_text(" ")).strip()


def _cells(row: Tag) -> list[tuple[Tag, str]]:
    """The cells of a row that hold text, each with its text (read once: a cell's text walks
    all of it)."""
    found = []
    for child in row.children:
        if isinstance(child, Tag) and child.name in _CELLS:
            text = _cell_text(child)
            if text:
                found.append((child, text))
    return found


def _row_line(cells: list[tuple[Tag, str]]) -> str:
    """The text cells of a row as one line (see :func:`row_text`)."""
    if len(cells) == 2 and not cells[0][1].endswith(":"):
        (first, label), (second, value) = cells
        if (first.name == "th" and second.name == "td") or _is_bold_only(first):
            return f"{label}: {value}"
    return " ".join(text for _, text in cells)


def row_text(row: Tag) -> str:
    """A table row as one line; a header or bold label cell before one value is "Label: value".

    >>> from bs4 import BeautifulSoup
    >>> soup = BeautifulSoup("<table><tr><th>Age</th><td>45</td></tr><tr><td>Name :</td>"
    ...                      "<td>Ali</td></tr></table>", "lxml")
    >>> [row_text(r) for r in soup.find_all("tr")]
    ['Age: 45', 'Name : Ali']
    """
    return _row_line(_cells(row))


_LAYOUT = frozenset({"table", "div", "p", "ul", "ol", "dl", "section", "article", "blockquote"})
_FRAMING = _LAYOUT | HEADING_TAGS
"""Elements that make the cell holding them a frame around content: blocks and headings."""


def _frames(cell: Tag) -> bool:
    """Whether a cell holds a block or a heading (one walk of the cell)."""
    return any(isinstance(e, Tag) and e.name in _FRAMING for e in cell.descendants)


def _layout(cells: list[tuple[Tag, str]]) -> list[Tag]:
    """The text cells of a row when the row frames content (see :func:`layout_cells`)."""
    if len(cells) == 1 or any(_frames(cell) for cell, _ in cells):
        return [cell for cell, _ in cells]
    return []


def layout_cells(row: Tag) -> list[Tag]:
    """The cells of a row that lays a page out rather than holding data, or [].

    A row whose cells hold blocks (a table, paragraphs) or whose only cell holds the text is
    a frame around content: its cells are read as blocks, line breaks kept. A row of short
    cells is data: it is read as one line.

    >>> from bs4 import BeautifulSoup
    >>> soup = BeautifulSoup("<table><tr><td>A</td><td>B</td></tr><tr><td>C<br>D</td></tr>"
    ...                      "<tr><td>x</td><td><p>y</p></td></tr></table>", "lxml")
    >>> [len(layout_cells(r)) for r in soup.find_all("tr")]
    [0, 1, 2]
    """
    return _layout(_cells(row))


def _unbroken(text: str) -> str:
    """Text of the page's source with its line ends as spaces: only ``<br>`` breaks a line of a
    block (the whitespace runs are collapsed once, when the block is cut)."""
    return str(text).replace("\n", " ")


class _HtmlWalker:
    """Walks the HTML tree and cuts its text into blocks at block-level elements."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._buffer: list[str] = []

    def _flush(self, kind: str = "text", tag: str = "", form: str = "") -> None:
        if not self._buffer:
            return
        # <br> inside a block keeps its line breaks; other whitespace collapses as in HTML.
        lines = [_SPACE.sub(" ", part).strip() for part in "".join(self._buffer).split("\n")]
        self._buffer = []
        joined = "\n".join(line for line in lines if line)
        if joined:
            self.blocks.append(Block(joined, kind, 0, tag, form))

    def finish(self) -> list[Block]:
        self._flush()
        return self.blocks

    def row(self, row: Tag) -> None:
        """A table row: its cells as blocks when it frames content, else one line of data."""
        cells = _cells(row)
        frames = _layout(cells)
        for cell in frames:
            self.walk(cell)
            self._flush(tag="td")
        text = "" if frames else _row_line(cells)
        if text:
            self.blocks.append(Block(text=text, tag="tr"))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self._buffer.append(_unbroken(child))
                continue
            if not isinstance(child, Tag):
                continue
            if child.name == "br":
                self._buffer.append("\n")
            elif child.name == "tr":
                self._flush()
                self.row(child)
            elif child.name in BLOCK_TAGS or child.has_attr(HEADING_MARK):
                self._flush()
                form = heading_form(child)
                if form:
                    self._buffer.append(_unbroken(child.get_text(" ")))
                    self._flush("heading", child.name, form)
                else:
                    self.walk(child)
                    self._flush(tag=child.name)
            else:
                self.walk(child)


def html_blocks(root: Tag) -> list[Block]:
    """Blocks of an HTML page's main content (its chrome already removed)."""
    walker = _HtmlWalker()
    walker.walk(root)
    return walker.finish()
