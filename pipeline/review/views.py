"""What the web pages render: edits as views, a section's diff as pieces, the templates.

The review app and the static report share one Jinja2 environment (the templates in the
package's ``templates`` folder) and these view objects, so both pages draw an edit the same
way. The environment autoescapes everything: page text is untrusted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined
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
        return "pass-" + re.sub(r"[^a-z0-9-]", "", primary_pass(self.edit.pass_name).lower())


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
    env.globals.update(html_pieces=html_pieces, table_views=table_views, edit_title=edit_title)
    env.filters["visible"] = visible
    env.filters["breakable"] = breakable
    return env
