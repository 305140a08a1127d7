"""Metadata: what an HTML page's ``<head>`` says about it, and which site profile it matches.

Publishers put the article's title and authors in meta tags (``citation_title``,
``og:title``, ``citation_author``) and name the page's home in a canonical link. These are
read before the chrome is dropped (``<head>`` is chrome), and only used where the page's own
content does not say: a title heading in the content wins over a meta title.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from bs4 import BeautifulSoup, SoupStrainer, Tag

from pipeline.read.select import select_one
from pipeline.rules import FieldRules, SiteProfile

_SPACE_RUN = " "


@dataclass(frozen=True)
class PageMeta:
    """Meta values by lowercased name (each name's values in page order), and the page's host."""

    values: tuple[tuple[str, tuple[str, ...]], ...] = ()
    html_title: str | None = None
    host: str | None = None

    def get(self, name: str) -> tuple[str, ...]:
        """Every value of one meta name (``name=`` or ``property=``), case-insensitively."""
        key = name.casefold()
        return next((values for n, values in self.values if n == key), ())

    def first(self, names: tuple[str, ...]) -> str | None:
        """The first value of the first of ``names`` that the page has."""
        for name in names:
            values = self.get(name)
            if values:
                return values[0]
        return None

    def title(self, rules: FieldRules) -> str | None:
        """The page's title by its meta tags, else its ``<title>``."""
        return self.first(rules.title_meta) or self.html_title

    def titles(self, rules: FieldRules) -> tuple[str, ...]:
        """Every title the page's metadata gives (meta tags, then ``<title>``)."""
        found = [v for name in rules.title_meta for v in self.get(name)]
        return tuple(dict.fromkeys([*found, *([self.html_title] if self.html_title else [])]))

    def authors(self, rules: FieldRules) -> tuple[str, ...]:
        """The authors of the first author meta name the page has."""
        for name in rules.author_meta:
            values = self.get(name)
            if values:
                return values
        return ()


def _clean(text: str) -> str:
    return _SPACE_RUN.join(text.split())


_CANONICAL = SoupStrainer("link", rel="canonical")


def _host(links: list[Tag], meta: dict[str, list[str]]) -> str | None:
    link = next((tag for tag in links if _CANONICAL.match(tag)), None)
    href = link.get("href") if link is not None else None
    url = href if isinstance(href, str) else (meta.get("og:url") or [None])[0]
    return (urlparse(url).hostname or None) if url else None


def _head_tags(soup: BeautifulSoup) -> tuple[list[Tag], list[Tag], Tag | None]:
    """The page's ``meta`` and ``link`` elements and its first ``title``, in one walk."""
    metas: list[Tag] = []
    links: list[Tag] = []
    title: Tag | None = None
    for element in soup.descendants:
        if isinstance(element, Tag):
            name = element.name
            if name == "meta":
                metas.append(element)
            elif name == "link":
                links.append(element)
            elif name == "title" and title is None:
                title = element
    return metas, links, title


def read_meta(soup: BeautifulSoup) -> PageMeta:
    """The meta tags, ``<title>`` and canonical host of a parsed page.

    >>> html = '<head><title> A  case </title><meta name="citation_author" content="A B">'
    >>> html += '<meta property="og:title" content="T"></head>'
    >>> meta = read_meta(BeautifulSoup(html, "lxml"))
    >>> meta.get("citation_author"), meta.first(("citation_title", "og:title")), meta.html_title
    (('A B',), 'T', 'A case')
    """
    found: dict[str, list[str]] = {}
    metas, links, title_tag = _head_tags(soup)
    for tag in metas:
        name = tag.get("name") or tag.get("property")
        content = tag.get("content")
        if isinstance(name, str) and isinstance(content, str) and content.strip():
            found.setdefault(name.casefold(), []).append(_clean(content))
    title = _clean(title_tag.get_text(" ")) if title_tag is not None else ""
    return PageMeta(
        values=tuple((name, tuple(values)) for name, values in found.items()),
        html_title=title or None,
        host=_host(links, found),
    )


def _recognises(profile: SiteProfile, soup: BeautifulSoup, meta: PageMeta) -> bool:
    if meta.host and meta.host.casefold() in profile.hosts:
        return True
    for name, pattern in profile.meta:
        if any(pattern.search(value) for value in meta.get(name)):
            return True
    return any(select_one(soup, selector) is not None for selector in profile.selectors)


def match_site(
    soup: BeautifulSoup, meta: PageMeta, profiles: tuple[SiteProfile, ...]
) -> SiteProfile | None:
    """The first profile (in file-name order) that recognises the page, or None."""
    return next((p for p in profiles if _recognises(p, soup, meta)), None)
