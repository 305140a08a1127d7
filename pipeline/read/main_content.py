"""Main content: the part of an HTML page that is the case, found by what it is.

Sites wrap a case in navigation, banners, action panels, sidebars and footers. Before any
section is cut, the page's chrome is dropped by selector (scripts, ARIA landmarks and widgets
that are not content, form controls), and what the page hides (unless it hides most of its
text: tabs), then the main content is chosen:

1. a semantic element (``<main>``, ``role=main``, ``<article>``, ...) holding most of the text;
2. else the deepest container holding nearly all of it (text outside links is what counts, so
   a sidebar of links weighs nothing);

and inside it, blocks that are lists of short links ("Similar articles", share buttons, tag
clouds) are dropped. Figure captions, tables and references stay: they are text.
"""

from __future__ import annotations

from collections.abc import Sequence

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from pipeline.read.select import select, select_each, select_one
from pipeline.rules import MainContent

_CONTAINERS = frozenset(
    {"body", "div", "section", "article", "main", "table", "tbody", "tr", "td", "center", "form"}
)
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "table", "ul", "ol", "dl", "li", "h1", "h2", "h3", "h4",
     "h5", "h6", "blockquote", "pre", "figure", "tr", "td"}
)  # fmt: skip
_KEEP = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption", "cite"})
_PRUNABLE = frozenset({"ul", "ol", "li", "p", "div", "section", "table", "tr", "td", "dl"})


def _is_link(tag: Tag) -> bool:
    return tag.name == "a" and tag.has_attr("href")


class TextCounts:
    """Characters of text under each element, in all and inside links, counted once.

    Only real text counts: whitespace, comments and the text of dropped elements do not. The
    counts are of the tree as it was counted: a tree changed since needs new ones.
    """

    def __init__(self, root: Tag) -> None:
        self.root = root
        self._counts: dict[int, tuple[int, int, int]] = {}
        self._count(root, in_link=False)

    def covers(self, tag: Tag) -> bool:
        """Whether these counts are the counts of ``tag``'s own tree (it was counted, and no
        link above it, up to the root they were counted from, made its text link text)."""
        if tag is self.root:
            return True
        if id(tag) not in self._counts:
            return False
        for parent in tag.parents:
            if _is_link(parent):
                return False
            if parent is self.root:
                return True
        return False

    def _count(self, tag: Tag, in_link: bool) -> tuple[int, int, int]:
        total = linked = links = 0
        link_here = in_link or _is_link(tag)
        if link_here and not in_link:
            links = 1
        for child in tag.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                size = len("".join(child.split()))
                total += size
                linked += size if link_here else 0
            elif isinstance(child, Tag):
                t, ln, n = self._count(child, link_here)
                total, linked, links = total + t, linked + ln, links + n
        self._counts[id(tag)] = (total, linked, links)
        return total, linked, links

    def total(self, tag: Tag) -> int:
        return self._counts.get(id(tag), (0, 0, 0))[0]

    def outside_links(self, tag: Tag) -> int:
        total, linked, _ = self._counts.get(id(tag), (0, 0, 0))
        return total - linked

    def links(self, tag: Tag) -> tuple[int, int]:
        """(characters of link text, number of links) under ``tag``."""
        _, linked, links = self._counts.get(id(tag), (0, 0, 0))
        return linked, links


def select_any(root: BeautifulSoup | Tag, selectors: Sequence[str]) -> list[Tag]:
    """Every element any of ``selectors`` matches, in document order: one walk of the tree
    for the whole list (a walk per selector made reading a page ten times slower)."""
    return select(root, selectors)


def drop_selected(soup: BeautifulSoup | Tag, selectors: list[str] | tuple[str, ...]) -> None:
    """Remove every element a selector matches (an element inside a removed one goes too)."""
    for element in select_any(soup, selectors):
        if not getattr(element, "decomposed", False):
            element.decompose()


def drop_hidden(root: Tag, selectors: tuple[str, ...], max_share: float) -> TextCounts | None:
    """Remove what the page hides, unless it is most of its text (content behind tabs).

    Returns the text counts of the tree as it is left, when they were made and still hold.
    """
    found = {id(e): e for e in select_any(root, selectors)}
    if not found:
        return None
    counts = TextCounts(root)
    outermost = [e for e in found.values() if not any(id(p) in found for p in e.parents)]
    if sum(counts.total(e) for e in outermost) > max_share * counts.total(root):
        return counts
    for element in outermost:
        element.decompose()
    return None


def _semantic(root: Tag, counts: TextCounts, settings: MainContent) -> Tag | None:
    """The largest element of the first semantic selector that holds enough of the text."""
    whole = counts.outside_links(root)
    for found in select_each(root, settings.semantic):
        best = max(found, key=counts.outside_links, default=None)
        if best is not None and whole and counts.outside_links(best) >= settings.min_share * whole:
            return best
    return None


def _block_children(tag: Tag) -> list[Tag]:
    return [c for c in tag.children if isinstance(c, Tag) and c.name in _BLOCKS]


def _densest(root: Tag, counts: TextCounts, settings: MainContent) -> Tag:
    """Descend into the one container child that holds nearly all the text, while there is one.

    A child that is a single paragraph (or wraps one) is never descended into: the headings
    and fields around a long paragraph are content too.
    """
    node = root
    while True:
        whole = counts.outside_links(node)
        child = max(_block_children(node), key=counts.outside_links, default=None)
        if (
            child is None
            or child.name not in _CONTAINERS
            or len(_block_children(child)) < 2
            or counts.outside_links(child) < settings.dense_share * whole
        ):
            return node
        node = child


def find_main(root: Tag, settings: MainContent, selector: str | None = None) -> Tag:
    """The main content of a page whose chrome is gone: a profile's selector, else generic."""
    return main_and_counts(root, settings, selector)[0]


def main_and_counts(
    root: Tag,
    settings: MainContent,
    selector: str | None = None,
    counts: TextCounts | None = None,
) -> tuple[Tag, TextCounts | None]:
    """:func:`find_main`, with the text counts it made of the page (``counts``: the page's
    counts when they are already made), for the link lists inside the content."""
    if selector is not None:
        chosen = select_one(root, selector)
        if chosen is not None:
            return chosen, counts
    if counts is None or counts.root is not root:
        counts = TextCounts(root)
    return _semantic(root, counts, settings) or _densest(root, counts, settings), counts


def _is_link_list(tag: Tag, counts: TextCounts, settings: MainContent) -> bool:
    """A block that is mostly link text, in short links: navigation, not content."""
    total = counts.total(tag)
    linked, links = counts.links(tag)
    if not total or not links or linked < settings.link_density * total:
        return False
    words = len(" ".join(a.get_text(" ") for a in tag.find_all("a", href=True)).split())
    return words / links <= settings.link_words and (links >= 2 or tag.name == "li")


def drop_link_lists(main: Tag, settings: MainContent, counts: TextCounts | None = None) -> None:
    """Remove the lists of short links inside the main content, outermost first (``counts``:
    the page's text counts, used when they are the content's own)."""
    if counts is None or not counts.covers(main):
        counts = TextCounts(main)

    def visit(tag: Tag) -> None:
        for child in [c for c in tag.children if isinstance(c, Tag)]:
            if child.name in _KEEP:
                continue
            if child.name in _PRUNABLE and _is_link_list(child, counts, settings):
                child.decompose()
            else:
                visit(child)

    visit(main)
