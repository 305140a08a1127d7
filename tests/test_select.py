"""CSS selection screened by set lookups gives exactly soupsieve's elements, in order."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.select import screen_of, select, select_each, select_one
from pipeline.rules import Rules

from .conftest import DEV, RAW

PAGE = """<html><head><title>t</title><script>x</script></head><body>
<DIV ID="Header" class="menu  top">menu <a href="/">home</a></DIV>
<nav role="navigation"><ul><li class="Menu">a</li><li>b</li></ul></nav>
<div class="item-page"><h2 itemprop="headline">Title</h2>
<p style="color: red; display: none">hidden</p><p hidden>also</p>
<span aria-hidden="true">x</span><span aria-hidden="false">y</span>
<section role="main"><article><p class="sr-only visually-hidden">sr</p>
<td><p>cell</p></td><h2>Findings</h2><p>text</p></article></section></div>
<footer><p>bye</p></footer></body></html>"""

LISTS = [
    ["script", "nav", "#header", "#Header", ".menu", ".Menu", "[role=navigation]"],
    ["[hidden]", "[aria-hidden=true]", "[style*='display: none']", ".sr-only"],
    ["main", "[role=main]", "article", "[itemprop=articleBody]"],
    ["div.item-page h2[itemprop=headline]", "div.item-page", "DIV.item-page"],
    ["td > p", "li + li", "h2 ~ p", "section p"],
    ["p:first-child", "*"],
    [],
]


@pytest.mark.parametrize("selectors", LISTS)
def test_selection_is_soupsieves(selectors: list[str]) -> None:
    soup = BeautifulSoup(PAGE, "lxml")
    for root in (soup, soup.body):
        expected = root.select(", ".join(selectors)) if selectors else []
        assert [id(e) for e in select(root, selectors)] == [id(e) for e in expected]
        for selector in selectors:
            assert select_one(root, selector) is root.select_one(selector)


def test_the_rules_selectors_are_screened_and_agree_on_the_sample_pages(rules: Rules) -> None:
    chrome = rules.boilerplate
    lists = [
        list(chrome.html_drop),
        list(chrome.hidden),
        *([s] for s in chrome.main_content.semantic),
    ]
    for profile in rules.sites:
        lists += [list(profile.selectors), list(profile.heading_selectors)]
    assert all(screen_of(selectors) is not None for selectors in lists)
    pages = sorted(RAW.rglob("*.htm*")) + sorted(DEV.glob("sites/*/pages/*.htm*"))
    assert pages
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "lxml")
        for selectors in lists:
            expected = soup.select(", ".join(selectors)) if selectors else []
            assert [id(e) for e in select(soup, selectors)] == [id(e) for e in expected]


def test_a_selector_the_screen_cannot_read_is_left_to_soupsieve() -> None:
    assert screen_of(["p:not(.a)"]) is None
    assert screen_of(["svg|rect"]) is None
    assert screen_of(["nav", ".x"]) is not None


_NAMES = ["div", "p", "span", "nav", "li", "h2", "DIV"]
_VALUES = ["menu", "Menu", "top", "x", "dialog", "navigation"]


@st.composite
def pages(draw: st.DrawFn, depth: int = 0) -> str:
    """Markup of elements with names, ids, classes and attributes the selectors ask about."""
    parts = []
    for _ in range(draw(st.integers(0, 3 if depth < 3 else 0))):
        name = draw(st.sampled_from(_NAMES))
        attrs = draw(
            st.lists(
                st.tuples(st.sampled_from(["id", "class", "role", "ROLE", "hidden"]), _words),
                max_size=3,
            )
        )
        shown = "".join(f' {a}="{v}"' for a, v in attrs)
        parts.append(f"<{name}{shown}>t{draw(pages(depth + 1))}</{name}>")
    return "".join(parts)


_words = st.lists(st.sampled_from(_VALUES), min_size=1, max_size=2).map(" ".join)
_selectors = st.one_of(
    st.sampled_from(_NAMES),
    st.sampled_from(_VALUES).map("#{}".format),
    st.sampled_from(_VALUES).map(".{}".format),
    st.sampled_from(_VALUES).map("[role={}]".format),
    st.sampled_from(["[hidden]", "[ROLE]", "div.menu", "div > p", "li + li", "nav .top", "p ~ p"]),
)


@settings(max_examples=150)
@given(pages(), st.lists(_selectors, min_size=1, max_size=6))
def test_selection_of_any_screened_list_is_soupsieves(markup: str, selectors: list[str]) -> None:
    soup = BeautifulSoup(f"<html><body>{markup}</body></html>", "lxml")
    assert screen_of(selectors) is not None
    expected = soup.select(", ".join(selectors))
    assert [id(e) for e in select(soup, selectors)] == [id(e) for e in expected]


@settings(max_examples=100)
@given(pages(), st.lists(_selectors, min_size=1, max_size=5))
def test_each_selector_selects_in_one_walk_what_it_selects_alone(
    markup: str, selectors: list[str]
) -> None:
    soup = BeautifulSoup(f"<html><body>{markup}</body></html>", "lxml")
    each = select_each(soup.body, selectors)
    assert [[id(e) for e in found] for found in each] == [
        [id(e) for e in soup.body.select(selector)] for selector in selectors
    ]
    assert select_each(soup, ["p:first-child"]) == [soup.select("p:first-child")]
