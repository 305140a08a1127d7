"""Site chrome goes: by selector, by pattern, and by repetition across the run's pages."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.boilerplate import (
    _is_data,
    build_document,
    count_lines,
    drop_learned,
    learn_repeated,
)
from pipeline.read.document import Block, Document
from pipeline.read.headings import label_pieces
from pipeline.read.ingest import Page
from pipeline.rules import Rules, load_rules

_RULES = load_rules()


def doc_text(text: str, rules: Rules, fmt: str = "text") -> list[str]:
    page = Page("c", "c", "0" * 64, fmt, text, "utf-8")
    return [b.text for b in build_document(page, rules).blocks]


def test_html_chrome_is_dropped_by_selector(rules: Rules) -> None:
    html = (
        "<html><head><style>p{}</style></head><body><div id='header'>Menu</div>"
        "<div id='breadcrumbs'>You are here</div><p>Case text</p><script>evil()</script>"
        "<div id='footer'>Copyright</div></body></html>"
    )
    assert doc_text(html, rules, "html") == ["Case text"]


def test_chrome_lines_and_phrases_are_dropped_by_pattern(rules: Rules) -> None:
    text = (
        "Title\n\nEmail : This email address is being protected from spambots. "
        "You need JavaScript enabled to view it.\n\nend faqaq\n\nGo to top"
    )
    assert doc_text(text, rules) == ["Title", "Email :"]


def test_a_dropped_line_passes_its_gap_on(rules: Rules) -> None:
    page = Page("c", "c", "0" * 64, "text", "A\n\n\nGo to top\nB", "utf-8")
    blocks = build_document(page, rules).blocks
    assert blocks == (Block("A"), Block("B", gap=2))


def test_lines_repeated_on_many_pages_are_learnt_but_data_is_not(rules: Rules) -> None:
    pages = []
    for i in range(40):
        text = (
            f"Case {i}\n\nVisit our new PACS portal!\n\nPatient's Information\n\n"
            "Gender : Male\n\nCase Section\n\nChest\n\nFinal Diagnosis\n\n"
            f"Diagnosis {i}"
        )
        pages.append(build_document(Page(str(i), str(i), "0" * 64, "text", text, "utf-8"), rules))
    counts: Counter[str] = Counter()
    for document in pages:
        counts.update(count_lines(document, rules))
    learned = learn_repeated(counts, len(pages), rules.boilerplate)
    assert learned == ["Visit our new PACS portal!"]
    kept = [b.text for b in drop_learned(pages[0], learned).blocks]
    assert "Visit our new PACS portal!" not in kept
    assert "Gender : Male" in kept and "Chest" in kept


def test_small_runs_learn_from_half_their_pages_but_two_pages_learn_nothing(
    rules: Rules,
) -> None:
    counts = Counter({"Skip to main content": 5, "A line on two pages": 2})
    assert learn_repeated(counts, 9, rules.boilerplate) == ["Skip to main content"]
    assert learn_repeated(Counter({"Some line": 2}), 2, rules.boilerplate) == []


def test_label_lines_and_sentences_repeated_on_a_small_run_are_data(rules: Rules) -> None:
    pages = []
    for i in range(4):
        text = (
            f"CT report {i}\nShare this report\nHISTORY: Cough.\nFINDINGS: A nodule.\n"
            f"The lungs are otherwise clear today.\nIMPRESSION: Granuloma {i}."
        )
        pages.append(build_document(Page(str(i), str(i), "0" * 64, "text", text, "utf-8"), rules))
    counts: Counter[str] = Counter()
    for document in pages:
        counts.update(count_lines(document, rules))
    assert learn_repeated(counts, len(pages), rules.boilerplate) == ["Share this report"]


def plain_learnable(blocks: tuple[Block, ...], rules: Rules) -> Counter[str]:
    """count_lines as first written: every block asked whether it is a heading."""
    lines: set[str] = set()
    after_heading = False
    for block in blocks:
        text = block.text
        is_heading = block.kind == "heading" or rules.sections.canonical(text) is not None
        if is_heading or label_pieces(text, rules.sections, single=True):
            after_heading = True
            continue
        short = len(text) <= rules.boilerplate.learn_max_chars
        if not after_heading and short and not _is_data(text, rules):
            lines.add(text)
        after_heading = False
    return Counter(lines)


_LINES = [
    "Findings", "Dicsussion", "FINDINGS: a mass. IMPRESSION: none.", "Gender : Male",
    "Share this page", "Print", "Related cases", "Smith J, et al. Radiology 2004.",
    "The lungs are clear and the heart is normal.", "x" * 119, "y" * 121,
    "Imaging findings: " + "a long finding " * 10, "A long paragraph of prose. " * 6,
]  # fmt: skip


@settings(max_examples=400)
@given(
    st.lists(
        st.builds(
            Block,
            st.sampled_from(_LINES),
            st.sampled_from(["text", "text", "heading"]),
            st.integers(0, 2),
        ),
        max_size=10,
    )
)
def test_the_learnable_lines_are_those_of_the_plain_definition(found: list[Block]) -> None:
    rules = _RULES
    document = Document(Page("c", "c", "0" * 64, "text", "", "utf-8"), tuple(found))
    assert count_lines(document, rules) == plain_learnable(document.blocks, rules)
