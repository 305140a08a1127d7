"""A section's diff as HTML (``views.section_diff``): the markup the report and the review
page draw, escaped as autoescape would, byte for byte what the Jinja macro it replaced wrote."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from pipeline.edits import Edit
from pipeline.review.casepage import case_views
from pipeline.review.diff import SectionDiff, clusters, load_cases
from pipeline.review.filters import Filters
from pipeline.review.state import ReviewState
from pipeline.review.views import (
    EditView,
    edit_key,
    edit_title,
    environment,
    section_diff,
    table_diff,
)

from .conftest import SCRIPT_CASE

# The Jinja macro (templates/_diff.html) that section_diff replaced, kept only as the
# reference its output must equal: the report and the review pages stay byte-identical.
MACRO = """\
{% macro show(text) -%}
{%- if text and not text.strip() -%}<span class="ws">{{ text | replace(' ', '␣') \
| replace('\\n', '↵') | replace('\\t', '⇥') }}</span>
{%- elif not text -%}<span class="ws">∅</span>
{%- else -%}{{ text }}{%- endif -%}
{%- endmacro %}
{% macro section_diff(pieces, interactive=False) -%}
<div class="diff">
{%- for piece in pieces -%}
{%- if not piece.views -%}{{ piece.text }}
{%- else -%}
<span class="cluster{% if piece.struck %} struck{% endif %}"><del class="orig">\
{{ show(piece.text) }}</del>
{%- for v in piece.views -%}
<ins class="edit {{ v.pass_class }} {{ v.status }}\
{% if interactive and v.waiting %} waiting{% endif %}\
{% if interactive and not v.queued %} outside{% endif %}" \
data-key="{{ v.key }}" title="{{ edit_title(v) }}"
{%- if interactive %} tabindex="-1" data-original="{{ v.edit.original }}" \
data-replacement="{{ v.edit.replacement }}" data-readings='{{ v.readings | tojson }}' \
data-pass="{{ v.edit.pass_name }}" data-rule="{{ v.edit.rule }}" \
data-confidence="{{ '%.2f' % v.edit.confidence }}" data-pair-count="{{ v.pair_count }}" \
data-rule-count="{{ v.rule_count }}" data-queued="{{ 1 if v.queued else 0 }}"{% endif %}>\
{{ show(v.edit.replacement) }}</ins>
{%- endfor -%}
</span>
{%- endif -%}
{%- endfor -%}
</div>
{%- endmacro %}
{{ section_diff(pieces, interactive) }}"""

REFERENCE = environment().from_string(MACRO)


@dataclass(frozen=True)
class Piece:
    """What the macro was given: a plain run, or a cluster's raw text and its edits."""

    text: str
    views: tuple[EditView, ...] = ()

    @property
    def struck(self) -> bool:
        return any(v.edit.applied for v in self.views)


def macro_html(section: SectionDiff, views: Sequence[EditView], interactive: bool) -> str:
    pieces = [
        Piece(p) if isinstance(p, str) else Piece(p.original, tuple(views[i] for i in p.members))
        for p in clusters(section.raw, [v.edit for v in views])
    ]
    return REFERENCE.render(pieces=pieces, interactive=interactive, edit_title=edit_title)


def table_views(section: SectionDiff) -> list[EditView]:
    """A section's edits as the tables have them: what the report shows."""
    return [
        EditView(edit_key(section.position, n), n, e)
        for n, e in zip(section.numbers, section.edits, strict=True)
    ]


def one_edit(raw: str, original: str, replacement: str, **fields: object) -> tuple:
    """A section holding ``raw`` with one edit of ``original`` (where it first occurs)."""
    start = raw.index(original)
    edit = Edit(start, start + len(original), original, replacement, "ocr", "ocr:confusion", 0.875)
    section = SectionDiff(0, "findings", None, raw, raw, [edit], [1])
    return section, [EditView("0-1", 1, edit, **fields)]  # type: ignore[arg-type]


def test_a_plain_run_is_escaped_text() -> None:
    section = SectionDiff(0, "title", None, "a <b> & 'c'", "", [], [])
    html = section_diff(section, [])
    assert isinstance(html, Markup)
    assert html == '<div class="diff">a &lt;b&gt; &amp; &#39;c&#39;</div>'


def test_a_cluster_strikes_the_raw_text_and_shows_each_edit_after_it() -> None:
    html = section_diff(*one_edit("on tbe <x>", "tbe", "the"))
    assert html == (
        '<div class="diff">on <span class="cluster struck"><del class="orig">tbe</del>'
        '<ins class="edit pass-ocr applied" data-key="0-1" '
        'title="tbe → the · ocr · ocr:confusion · 0.88 · applied">the</ins></span>'
        " &lt;x&gt;</div>"
    )


def test_deleted_whitespace_and_empty_text_are_made_visible() -> None:
    html = section_diff(*one_edit("a \nb", " \n", ""))
    assert '<del class="orig"><span class="ws">␣↵</span></del>' in html
    assert '<span class="ws">∅</span></ins>' in html


def test_the_review_page_gets_what_its_keys_need() -> None:
    fields = {"to_review": True, "queued": False, "readings": ("b", "<c>")}
    section, views = one_edit("a'<", "a'<", "b", **fields)
    html = section_diff(section, views, interactive=True)
    assert 'class="edit pass-ocr applied waiting outside"' in html
    assert 'data-original="a&#39;&lt;"' in html
    assert 'data-readings=\'["b", "\\u003cc\\u003e"]\'' in html
    assert 'data-confidence="0.88" data-pair-count="0" data-rule-count="0" data-queued="0">' in html
    assert " waiting" not in section_diff(section, views)


def test_the_report_draws_a_section_as_its_table_views() -> None:
    edits = [
        Edit(0, 3, "tbe", "the", "ocr", "o", 0.9, True),
        Edit(0, 3, "tbe", "tbc", "dictionary", "d", 0.4, False, "rejected"),
    ]
    section = SectionDiff(3, "title", None, "tbe end", "the end", edits, [4, 7])
    html = table_diff(section)
    assert html == section_diff(section, table_views(section))
    assert (
        'data-key="3-4"' in html and 'class="edit pass-dictionary rejected" data-key="3-7"' in html
    )


TEXT = st.text(
    st.one_of(
        st.sampled_from(" \n\t\r\x0b\xa0\u2028<>&'\"/=`{}%#+-_.:"),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=8,
)
NAME = st.one_of(st.sampled_from(["ocr", "dehyphenate+dictionary", "context", ""]), TEXT)


@st.composite
def edit_views(draw: st.DrawFn, raw: str) -> EditView:
    start = draw(st.integers(0, len(raw)))
    end = draw(st.integers(start, min(len(raw), start + 6)))
    edit = Edit(
        start,
        end,
        raw[start:end],
        draw(TEXT),
        draw(NAME),
        draw(NAME),
        draw(st.floats(0.0, 1.0)),
        draw(st.booleans()),
        draw(st.one_of(st.none(), st.sampled_from(["accepted", "rejected"]), TEXT)),
    )
    return EditView(
        draw(TEXT),
        draw(st.integers(0, 99)),
        edit,
        draw(st.booleans()),
        draw(st.one_of(st.none(), NAME)),
        draw(st.booleans()),
        tuple(draw(st.lists(TEXT, max_size=3))),
        draw(st.booleans()),
        draw(st.integers(0, 10**6)),
        draw(st.integers(0, 10**6)),
    )


@st.composite
def sections(draw: st.DrawFn) -> tuple[SectionDiff, list[EditView]]:
    raw = "".join(draw(st.lists(TEXT, max_size=5)))
    views = draw(st.lists(edit_views(raw), max_size=5))
    edits = [v.edit for v in views]
    return SectionDiff(0, "s", None, raw, raw, edits, [v.number for v in views]), views


@given(sections(), st.booleans())
def test_any_section_renders_as_the_macro_did(
    drawn: tuple[SectionDiff, list[EditView]], interactive: bool
) -> None:
    section, views = drawn
    assert section_diff(section, views, interactive) == macro_html(section, views, interactive)


@given(sections())
def test_any_section_of_the_tables_renders_in_the_report_as_the_macro_did(
    drawn: tuple[SectionDiff, list[EditView]],
) -> None:
    section = drawn[0]
    assert table_diff(section) == macro_html(section, table_views(section), False)


def test_a_real_runs_sections_render_as_the_macro_did(run_dir: Path, tmp_path: Path) -> None:
    cases = load_cases(run_dir)
    assert SCRIPT_CASE in cases
    for case in cases.values():
        for section in case.sections:
            assert table_diff(section) == macro_html(section, table_views(section), False)
    out = tmp_path / "out"
    shutil.copytree(run_dir, out)
    review = ReviewState(out, tmp_path / "rules")
    for case in range(len(cases)):
        for section, views, _ in case_views(review, case, Filters(kind="suggested")):
            assert section_diff(section, views, True) == macro_html(section, views, True)


@pytest.mark.parametrize("interactive", [False, True])
def test_templates_draw_the_diff_with_the_function(interactive: bool) -> None:
    section, views = one_edit("on tbe", "tbe", "the")
    template = environment().from_string("{{ section_diff(section, views, interactive) }}")
    rendered = template.render(section=section, views=views, interactive=interactive)
    assert rendered == section_diff(section, views, interactive)
