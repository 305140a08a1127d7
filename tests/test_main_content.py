"""Main content first: chrome outside it, and link lists inside it, never become text."""

from __future__ import annotations

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.main_content import TextCounts, drop_link_lists, find_main, main_and_counts
from pipeline.rules import Rules, load_rules

from .conftest import document_of

CASE = (
    "<h1>A rare case of pulmonary sequestration</h1><h2>Case presentation</h2>"
    "<p>A 30-year-old woman presented with recurrent pneumonia of the left lower lobe.</p>"
    "<figure><img src='x.png'><figcaption>Figure 1. CT shows a feeding artery.</figcaption>"
    "</figure><table><tr><th>Test</th><th>Result</th></tr><tr><td>WBC</td><td>12</td></tr>"
    "</table><h2>Discussion</h2><p>Sequestration is a rare congenital malformation that is "
    "usually found in the lower lobes and may present with infection.</p>"
)
NAV = "".join(f"<li><a href='/{i}'>Menu item {i}</a></li>" for i in range(12))
SIDEBAR = (
    "<div class='side'><h3>Similar articles</h3><ul>"
    + "".join(f"<li><a href='/a{i}'>Another case {i}</a></li>" for i in range(8))
    + "</ul></div>"
)


def texts(page: str, rules: Rules) -> list[str]:
    return [b.text for b in document_of(page, rules, "html").blocks]


def test_the_semantic_main_element_is_the_content(rules: Rules) -> None:
    page = (
        f"<html><body><div class='banner'>An official website of a government agency, "
        f"with a long explanation of how you know that it is official.</div><ul>{NAV}</ul>"
        f"<main><article>{CASE}</article></main>{SIDEBAR}<div>Follow us on every network."
        "</div></body></html>"
    )
    got = texts(page, rules)
    assert got[0] == "A rare case of pulmonary sequestration"
    joined = "\n".join(got)
    assert "official website" not in joined and "Menu item" not in joined
    assert "Similar articles" not in joined and "Follow us" not in joined
    assert "Figure 1. CT shows a feeding artery." in got
    assert "Test Result" in got and "WBC 12" in got


def test_without_semantic_elements_the_densest_container_is_the_content(rules: Rules) -> None:
    page = (
        f"<html><body><div id='top'><ul>{NAV}</ul></div><div id='wrap'><div id='left'>"
        f"{SIDEBAR}</div><div id='content'>{CASE}</div></div><div id='bottom'>"
        "<p>About us</p></div></body></html>"
    )
    joined = "\n".join(texts(page, rules))
    assert "pulmonary sequestration" in joined and "congenital malformation" in joined
    assert "Menu item" not in joined and "Another case" not in joined
    assert "About us" not in joined


def test_a_long_paragraph_never_pulls_the_content_in_to_itself(rules: Rules) -> None:
    long = " ".join(["The textbook text goes on about the disease."] * 60)
    page = (
        "<html><body><div><h2>Clinical Summary</h2><p>Cough.</p><div><p>"
        f"{long}</p></div></div></body></html>"
    )
    assert texts(page, rules)[:2] == ["Clinical Summary", "Cough."]


def test_link_lists_inside_the_content_go_but_a_long_link_stays(rules: Rules) -> None:
    reference = (
        "<li><a href='https://doi.org/x'>Smith J, Jones K. Pulmonary sequestration in adults: "
        "a review of forty cases. Chest. 2020;1:1-9.</a></li>"
    )
    page = (
        f"<html><body><main>{CASE}<div class='share'><a href='/t'>Twitter</a> "
        f"<a href='/f'>Facebook</a> <a href='/m'>Email</a></div><h2>References</h2><ol>"
        f"{reference}</ol></main></body></html>"
    )
    joined = "\n".join(texts(page, rules))
    assert "Twitter" not in joined
    assert "Pulmonary sequestration in adults" in joined


def test_hidden_elements_dialogs_and_controls_never_become_text(rules: Rules) -> None:
    page = (
        f"<html><body><main>{CASE}<div hidden>Author details hidden</div>"
        "<div style='display: none'>A hidden panel</div><div aria-hidden='true'>x icon</div>"
        "<div role='dialog'><p>Add to Collections</p></div><button>Cite</button>"
        "<form><input value='Search'><select><option>AMA</option></select></form></main>"
        "</body></html>"
    )
    joined = "\n".join(texts(page, rules))
    for chrome in ("hidden", "panel", "icon", "Collections", "Cite", "AMA"):
        assert chrome not in joined


def test_text_counts_leave_links_and_whitespace_out() -> None:
    soup = BeautifulSoup("<div><p>ab <a href='#'>cd</a></p>\n <p> e </p></div>", "lxml")
    counts = TextCounts(soup.div)
    assert (counts.total(soup.div), counts.outside_links(soup.div)) == (5, 3)
    assert counts.links(soup.div) == (2, 1)


def test_a_profile_selector_wins_over_the_generic_choice(rules: Rules) -> None:
    soup = BeautifulSoup(
        "<body><main><p>long text here</p></main><div id='c'>x</div></body>", "lxml"
    )
    chosen = find_main(soup.body, rules.boilerplate.main_content, "#c")
    assert chosen.get("id") == "c"


def test_content_hidden_behind_tabs_stays(rules: Rules) -> None:
    page = (
        "<html><body><main><h1>A case</h1><div style='display:none'><h2>History</h2>"
        "<p>A 45-year-old man with a long history of cough and weight loss.</p><h2>Findings"
        "</h2><p>A spiculated mass in the right upper lobe with hilar nodes.</p></div>"
        "</main></body></html>"
    )
    joined = "\n".join(texts(page, rules))
    assert "spiculated mass" in joined and "weight loss" in joined


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> str:
    """Markup of nested blocks and links (with and without href), text among them."""
    parts = []
    for _ in range(draw(st.integers(0, 3 if depth < 4 else 0))):
        kind = draw(st.sampled_from(["text", "div", "p", "a", "link", "li"]))
        inner = draw(trees(depth + 1))
        if kind == "text":
            parts.append(draw(st.sampled_from(["ab", " c d ", "\n", "efg hij"])))
        elif kind == "link":
            parts.append(f'<a href="#">{inner}x</a>')
        else:
            parts.append(f"<{kind}>{inner}</{kind}>")
    return "".join(parts)


@settings(max_examples=150)
@given(trees())
def test_counts_that_cover_an_element_are_its_own_counts(markup: str) -> None:
    soup = BeautifulSoup(f"<html><body><div>{markup}</div></body></html>", "lxml")
    counts = TextCounts(soup.body)
    for tag in [soup.body, *soup.body.find_all(True)]:
        if counts.covers(tag):
            own = TextCounts(tag)
            for inner in [tag, *tag.find_all(True)]:
                assert counts.total(inner) == own.total(inner)
                assert counts.links(inner) == own.links(inner)
        else:
            assert any(p.name == "a" and p.has_attr("href") for p in tag.parents)
    assert not counts.covers(BeautifulSoup("<p>x</p>", "lxml").p)


@settings(max_examples=80)
@given(trees())
def test_the_content_and_its_link_lists_are_as_with_fresh_counts(markup: str) -> None:
    rules = load_rules().boilerplate.main_content
    page = f"<html><body><nav><a href='/'>home</a></nav><main>{markup}</main></body></html>"
    fresh, reused = BeautifulSoup(page, "lxml"), BeautifulSoup(page, "lxml")
    main = find_main(fresh.body, rules)
    drop_link_lists(main, rules)
    chosen, counts = main_and_counts(reused.body, rules)
    drop_link_lists(chosen, rules, counts)
    assert str(fresh) == str(reused)
