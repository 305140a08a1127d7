"""What the web pages render: edits as views, a section's diff as pieces and as HTML, the
templates.

The review app and the static report share one Jinja2 environment (the templates in the
package's ``templates`` folder), these view objects and :func:`section_diff`, the one
definition of a section's diff markup, so both pages draw an edit the same way. The
environment autoescapes everything, and :func:`section_diff` escapes every piece of text as
autoescape would: page text is untrusted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from pipeline.edits import Edit
from pipeline.review.diff import SectionDiff, clusters, edit_status, primary_pass, visible

PACKAGE = "pipeline.review"


@dataclass(frozen=True)
class EditView:
    """What a web page shows of one edit: its key, its state and what decided it."""

    key: str
    number: int
    edit: Edit
    superseded: bool = False
    scope: str | None = None
    to_review: bool = False
    """Whether the corrector's verdict waits for a reviewer (``rules/review.yaml``)."""
    readings: tuple[str, ...] = ()
    """The corrector's replacement, then its alternatives: the choices 1-9."""
    queued: bool = True
    """Whether the edit passes the page's filters (the others are shown dimmed)."""
    pair_count: int = 0
    rule_count: int = 0
    """How many edits of the run share its pattern, and its rule."""

    @property
    def status(self) -> str:
        if self.superseded:
            return "superseded"
        return edit_status(self.edit)

    @property
    def waiting(self) -> bool:
        """Waiting for a reviewer and not decided yet."""
        return self.to_review and self.edit.decision is None

    @property
    def pass_class(self) -> str:
        """A CSS class from the pass name, reduced to characters a class may hold."""
        return pass_class(self.edit.pass_name)


@lru_cache(maxsize=1024)
def pass_class(pass_name: str) -> str:
    """The CSS class of an edit's pass (a run has a handful of pass names, each edit one).

    >>> pass_class("dehyphenate+OCR_2")
    'pass-ocr2'
    """
    return "pass-" + re.sub(r"[^a-z0-9-]", "", primary_pass(pass_name).lower())


@dataclass(frozen=True)
class HtmlPiece:
    """A plain run of text, or a cluster of edits with the raw text they change."""

    text: str
    views: tuple[EditView, ...] = ()

    @property
    def struck(self) -> bool:
        return any(v.edit.applied for v in self.views)


def edit_title(view: EditView) -> str:
    """The tooltip of an edit: what it changes, who made it, how sure, what became of it."""
    edit = view.edit
    by = f" ({view.scope})" if view.scope else ""
    return (
        f"{visible(edit.original)} → {visible(edit.replacement)} · {edit.pass_name} · "
        f"{edit.rule} · {edit.confidence:.2f} · {view.status}{by}"
    )


def edit_key(position: int, number: int) -> str:
    """The id of an edit on its case page: section position and edit number."""
    return f"{position}-{number}"


def table_views(section: SectionDiff) -> list[EditView]:
    """A section's edits as the tables have them (the report has no decisions to apply)."""
    return [
        EditView(edit_key(section.position, n), n, e)
        for n, e in zip(section.numbers, section.edits, strict=True)
    ]


def html_pieces(section: SectionDiff, views: Sequence[EditView]) -> list[HtmlPiece]:
    """A section's inline diff for a template; the template escapes every piece of text."""
    out = []
    for piece in clusters(section.raw, [v.edit for v in views]):
        if isinstance(piece, str):
            out.append(HtmlPiece(piece))
        else:
            out.append(HtmlPiece(piece.original, tuple(views[i] for i in piece.members)))
    return out


def _shown(text: str) -> str:
    """Text escaped; empty or whitespace-only text made visible, in a ``ws`` span."""
    if text.strip():
        return escape(text)
    return "".join(('<span class="ws">', escape(visible(text)), "</span>"))


def _controls(view: EditView) -> list[str]:
    """The attributes the review page's script reads an edit's details from."""
    edit = view.edit
    readings = htmlsafe_json_dumps(view.readings, sort_keys=True)  # Jinja's tojson
    return [
        ' tabindex="-1" data-original="', escape(edit.original),
        '" data-replacement="', escape(edit.replacement),
        "\" data-readings='", readings,
        "' data-pass=\"", escape(edit.pass_name),
        '" data-rule="', escape(edit.rule),
        '" data-confidence="', escape(f"{edit.confidence:.2f}"),
        '" data-pair-count="', escape(view.pair_count),
        '" data-rule-count="', escape(view.rule_count),
        '" data-queued="', "1" if view.queued else "0", '"',
    ]  # fmt: skip


def _edit_html(view: EditView, interactive: bool) -> list[str]:
    """One edit of a cluster: its replacement, classed by pass and status, with a tooltip."""
    classes = ["edit ", escape(view.pass_class), " ", escape(view.status)]
    if interactive and view.waiting:
        classes.append(" waiting")
    if interactive and not view.queued:
        classes.append(" outside")
    return [
        '<ins class="', *classes,
        '" data-key="', escape(view.key),
        '" title="', escape(edit_title(view)), '"',
        *(_controls(view) if interactive else ()),
        ">", _shown(view.edit.replacement), "</ins>",
    ]  # fmt: skip


def section_diff(pieces: Iterable[HtmlPiece], interactive: bool = False) -> Markup:
    """A section's inline diff as HTML: plain runs, and each cluster as the raw text struck
    through followed by its edits; ``interactive`` adds what the review page's keys need.

    Python rather than a Jinja macro: the report draws one per section, and a macro call
    costs more than the markup it writes.

    >>> print(section_diff([HtmlPiece("a <b> ")]))
    <div class="diff">a &lt;b&gt; </div>
    """
    out = ['<div class="diff">']
    for piece in pieces:
        if not piece.views:
            out.append(escape(piece.text))
            continue
        out += ['<span class="cluster struck">' if piece.struck else '<span class="cluster">']
        out += ['<del class="orig">', _shown(piece.text), "</del>"]
        for view in piece.views:
            out += _edit_html(view, interactive)
        out.append("</span>")
    out.append("</div>")
    return Markup("".join(out))


def breakable(text: str) -> Markup:
    """Text escaped, with a line-break opportunity after each ``/``: a long case id wraps
    between folders, never inside a name.

    >>> str(breakable("2013/<b>.txt"))
    '2013/<wbr>&lt;b&gt;.txt'
    """
    return Markup("/<wbr>").join(escape(part) for part in text.split("/"))


def environment() -> Environment:
    """Jinja2 templates of the package, autoescaping everything."""
    env = Environment(
        loader=PackageLoader(PACKAGE, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        html_pieces=html_pieces,
        table_views=table_views,
        edit_title=edit_title,
        section_diff=section_diff,
    )
    env.filters["visible"] = visible
    env.filters["breakable"] = breakable
    return env
