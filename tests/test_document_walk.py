"""The HTML walk cuts exactly the blocks the plain definitions give, on any markup.

The walk reads each cell's text once, decides a framing cell in one pass over it and collapses
whitespace once per block; the definitions here say the same with bs4's finders, one regex
pass per text node and per block, as the walk was first written.
"""

from __future__ import annotations

import regex
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.document import (
    BLOCK_TAGS,
    HEADING_MARK,
    HEADING_TAGS,
    Block,
    heading_form,
    html_blocks,
    layout_cells,
    row_text,
)

from .conftest import RAW

_SPACE = regex.compile(r"[ \t\r\n\f\v\u00a0]+")
_LAYOUT = ["table", "div", "p", "ul", "ol", "dl", "section", "article", "blockquote"]


def _cell_text(cell: Tag) -> str:
    return _SPACE.sub(" ", cell.get_text(" ")).strip()


def _bold_only(tag: Tag) -> bool:
    children = [c for c in tag.children if not (isinstance(c, NavigableString) and not c.strip())]
    return (
        len(children) == 1
        and isinstance(children[0], Tag)
        and children[0].name in ("strong", "b")
        and bool(children[0].get_text(strip=True))
    )


def plain_row_text(row: Tag) -> str:
    cells = [c for c in row.find_all(["td", "th"], recursive=False) if _cell_text(c)]
    texts = [_cell_text(c) for c in cells]
    if len(cells) == 2 and not texts[0].endswith(":"):
        label = cells[0].name == "th" and cells[1].name == "td"
        if label or _bold_only(cells[0]):
            return f"{texts[0]}: {texts[1]}"
    return " ".join(texts)


def plain_layout_cells(row: Tag) -> list[Tag]:
    cells = [c for c in row.find_all(["td", "th"], recursive=False) if _cell_text(c)]
    framed = any(
        c.find(_LAYOUT) is not None or HEADING_TAGS & {t.name for t in c.find_all()} for c in cells
    )
    return cells if framed or len(cells) == 1 else []


class PlainWalker:
    """The walk as first written: every text node and every block through the regex."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []

    def flush(self, kind: str = "text", tag: str = "", form: str = "") -> None:
        text = _SPACE.sub(" ", "".join(self.buffer)).strip()
        lines = [_SPACE.sub(" ", part).strip() for part in "".join(self.buffer).split("\n")]
        self.buffer = []
        if text:
            joined = "\n".join(line for line in lines if line)
            self.blocks.append(Block(text=joined, kind=kind, tag=tag, form=form))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(_SPACE.sub(" ", str(child)))
            elif not isinstance(child, Tag):
                continue
            elif child.name == "br":
                self.buffer.append("\n")
            elif child.name == "tr":
                self.flush()
                cells = plain_layout_cells(child)
                for cell in cells:
                    self.walk(cell)
                    self.flush(tag="td")
                text = "" if cells else plain_row_text(child)
                if text:
                    self.blocks.append(Block(text=text, tag="tr"))
            elif child.name in BLOCK_TAGS or child.has_attr(HEADING_MARK):
                self.flush()
                form = heading_form(child)
                if form:
                    self.buffer.append(_SPACE.sub(" ", child.get_text(" ")))
                    self.flush("heading", child.name, form)
                else:
                    self.walk(child)
                    self.flush(tag=child.name)
            else:
                self.walk(child)


def plain_blocks(root: Tag) -> list[Block]:
    walker = PlainWalker()
    walker.walk(root)
    walker.flush()
    return walker.blocks


_TEXT = st.text(alphabet="ab: \t\n\r\xa0\u2003\u200b.", max_size=8)
_TAGS = ["p", "div", "td", "th", "b", "strong", "span", "h2", "h3", "dt", "li", "br", "a"]


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> str:
    """Markup of nested elements, tables and rows among them, text with every kind of space."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.integers(0, 5 if depth < 3 else 1))
        if choice <= 1:
            parts.append(draw(_TEXT).replace("<", ""))
        elif choice == 2:
            parts.append(f"<!--{draw(_TEXT)}-->")
        elif choice == 3:
            cells = "".join(
                f"<{c}>{draw(fragments(depth + 1))}</{c}>"
                for c in draw(st.lists(st.sampled_from(["td", "th"]), max_size=3))
            )
            parts.append(f"<table><tr>{cells}</tr></table>")
        else:
            tag = draw(st.sampled_from(_TAGS))
            mark = draw(st.sampled_from(["", ' class="field-label"', f" {HEADING_MARK}=1"]))
            parts.append(f"<{tag}{mark}>{draw(fragments(depth + 1))}</{tag}>")
    return "".join(parts)


@settings(max_examples=300)
@given(fragments())
def test_the_walk_cuts_the_blocks_the_plain_walk_cuts(markup: str) -> None:
    soup = BeautifulSoup(f"<html><body>{markup}</body></html>", "lxml")
    root = soup.body or soup
    assert html_blocks(root) == plain_blocks(root)
    for row in root.find_all("tr"):
        assert row_text(row) == plain_row_text(row)
        assert [id(c) for c in layout_cells(row)] == [id(c) for c in plain_layout_cells(row)]


def test_the_sample_pages_walk_as_the_plain_walk() -> None:
    pages = sorted(RAW.rglob("*.html"))
    assert pages
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "lxml")
        assert html_blocks(soup) == plain_blocks(soup), path.name
