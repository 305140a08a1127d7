"""A page's metadata read in one walk is what bs4's finders give, on any head."""

from __future__ import annotations

from urllib.parse import urlparse

from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.metadata import PageMeta, read_meta

from .conftest import DEV, RAW


def plain_meta(soup: BeautifulSoup) -> PageMeta:
    """read_meta as first written, with bs4's find and find_all."""
    found: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        name = tag.get("name") or tag.get("property")
        content = tag.get("content")
        if isinstance(name, str) and isinstance(content, str) and content.strip():
            found.setdefault(name.casefold(), []).append(" ".join(content.split()))
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) if isinstance(title_tag, Tag) else ""
    link = soup.find("link", rel="canonical")
    href = link.get("href") if isinstance(link, Tag) else None
    url = href if isinstance(href, str) else (found.get("og:url") or [None])[0]
    return PageMeta(
        values=tuple((name, tuple(values)) for name, values in found.items()),
        html_title=title or None,
        host=(urlparse(url).hostname or None) if url else None,
    )


_TAGS = st.sampled_from(
    [
        '<meta name="citation_title" content="A  case">',
        '<meta property="og:title" content="T">',
        '<meta name="Citation_Author" content="A B">',
        '<meta property="og:url" content="https://www.x.org/a">',
        '<meta name="x" content=" ">',
        '<link rel="canonical" href="https://pmc.ncbi.nlm.nih.gov/a">',
        '<link rel="stylesheet canonical" href="https://b.org/">',
        '<link rel="Canonical" href="https://c.org/">',
        '<link rel="canonical">',
        "<title> One  title </title>",
        "<title>Two</title>",
        "<p>text <title>in body</title></p>",
        "<svg><title>icon</title></svg>",
    ]
)


@settings(max_examples=300)
@given(st.lists(_TAGS, max_size=6), st.lists(_TAGS, max_size=3))
def test_metadata_is_what_the_finders_give(head: list[str], body: list[str]) -> None:
    soup = BeautifulSoup(f"<html><head>{''.join(head)}</head><body>{''.join(body)}</body>", "lxml")
    assert read_meta(soup) == plain_meta(soup)


def test_the_sample_and_site_pages_read_as_with_the_finders() -> None:
    pages = sorted(RAW.rglob("*.htm*")) + sorted(DEV.glob("sites/*/pages/*.htm*"))
    assert pages
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "lxml")
        assert read_meta(soup) == plain_meta(soup), path.name
