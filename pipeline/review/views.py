"""What the web pages render: edits as views, a section's diff as HTML, the templates.

The review app and the static report share one Jinja2 environment (the templates in the
package's ``templates`` folder), these view objects and :func:`section_diff`, the one
definition of a section's diff markup, so both pages draw an edit the same way. The
environment autoescapes everything, and :func:`section_diff` escapes every piece of text as
autoescape would: page text is untrusted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from pipeline.edits import Edit
from pipeline.review.diff import SectionDiff, edit_status, primary_pass, spans, visible

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


def tooltip(edit: Edit, status: str, scope: str | None = None) -> str:
    """The tooltip of an edit: what it changes, who made it, how sure, what became of it
    (and the scope of the decision that did)."""
    by = f" ({scope})" if scope else ""
    return (
        f"{visible(edit.original)} → {visible(edit.replacement)} · {edit.pass_name} · "
        f"{edit.rule} · {edit.confidence:.2f} · {status}{by}"
    )


def edit_title(view: EditView) -> str:
    """The tooltip of an edit as a page shows it."""
    return tooltip(view.edit, view.status, view.scope)


def edit_key(position: int, number: int) -> str:
    """The id of an edit on its case page: section position and edit number."""
    return f"{position}-{number}"


def _escaped(text: str) -> str:
    """``markupsafe.escape(text)``; text without any of the characters it replaces as it
    is, without the Markup object escape makes of it (a fifth of the report's diff time)."""
    if "&" in text or "<" in text or ">" in text or "'" in text or '"' in text:
        return escape(text)
    return text


def _shown(text: str) -> str:
    """Text escaped; empty or whitespace-only text made visible, in a ``ws`` span."""
    if text.strip():
        return _escaped(text)
    return "".join(('<span class="ws">', _escaped(visible(text)), "</span>"))


def _ins(
    key: str, edit: Edit, status: str, title: str, classes: str = "", more: Sequence[str] = ()
) -> list[str]:
    """One edit of a cluster: its replacement, classed by pass and status, with its key and
    tooltip; ``classes`` and ``more`` are the review page's own classes and attributes."""
    return [
        '<ins class="edit ', _escaped(pass_class(edit.pass_name)), " ", _escaped(status), classes,
        '" data-key="', _escaped(key), '" title="', _escaped(title), '"', *more,
        ">", _shown(edit.replacement), "</ins>",
    ]  # fmt: skip


def _controls(view: EditView) -> list[str]:
    """The attributes the review page's script reads an edit's details from."""
    edit = view.edit
    readings = htmlsafe_json_dumps(view.readings, sort_keys=True)  # Jinja's tojson
    return [
        ' tabindex="-1" data-original="', _escaped(edit.original),
        '" data-replacement="', _escaped(edit.replacement),
        "\" data-readings='", readings,
        "' data-pass=\"", _escaped(edit.pass_name),
        '" data-rule="', _escaped(edit.rule),
        '" data-confidence="', f"{edit.confidence:.2f}",
        '" data-pair-count="', str(view.pair_count),
        '" data-rule-count="', str(view.rule_count),
        '" data-queued="', "1" if view.queued else "0", '"',
    ]  # fmt: skip


def _view_ins(view: EditView, interactive: bool) -> list[str]:
    """An edit as a page shows it; the review page's also shows whether it waits for a
    reviewer or falls outside the filters, and carries its details for the page's keys."""
    if not interactive:
        return _ins(view.key, view.edit, view.status, edit_title(view))
    classes = (" waiting" if view.waiting else "") + ("" if view.queued else " outside")
    return _ins(view.key, view.edit, view.status, edit_title(view), classes, _controls(view))


def _diff(raw: str, edits: Sequence[Edit], ins: Callable[[int], list[str]]) -> Markup:
    """The diff of ``raw``: plain runs, and each cluster of edits as its raw text struck
    through followed by ``ins(i)`` of each edit ``i`` in it."""
    out = ['<div class="diff">']
    for start, end, members in spans(raw, edits):
        if not members:
            out.append(_escaped(raw[start:end]))
            continue
        shown: list[str] = []
        struck = False
        for i in members:
            struck = struck or edits[i].applied
            shown += ins(i)
        out += ['<span class="cluster struck">' if struck else '<span class="cluster">']
        out += ['<del class="orig">', _shown(raw[start:end]), "</del>", *shown, "</span>"]
    out.append("</div>")
    return Markup("".join(out))


def section_diff(
    section: SectionDiff, views: Sequence[EditView], interactive: bool = False
) -> Markup:
    """A section's inline diff as HTML, its edits shown as ``views``; ``interactive`` adds
    what the review page needs. The one definition of the diff's markup, for the report
    and the review page alike: every piece of text in it is escaped.

    Python rather than a Jinja macro: the report draws one per section, and a macro call
    costs more than the markup it writes.

    >>> print(section_diff(SectionDiff(0, "title", None, "a <b>", "a <b>", [], []), []))
    <div class="diff">a &lt;b&gt;</div>
    """
    edits = [v.edit for v in views]
    return _diff(section.raw, edits, lambda i: _view_ins(views[i], interactive))


def table_diff(section: SectionDiff) -> Markup:
    """A section's diff as the tables have it, each edit shown as a plain
    ``EditView(edit_key(position, number), number, edit)`` would be: the report's, which
    has no decisions to apply and nothing to press (and no view to make per edit)."""
    edits, position, numbers = section.edits, section.position, section.numbers

    def ins(i: int) -> list[str]:
        edit = edits[i]
        status = edit_status(edit)
        return _ins(edit_key(position, numbers[i]), edit, status, tooltip(edit, status))

    return _diff(section.raw, edits, ins)


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
    env.globals.update(section_diff=section_diff, table_diff=table_diff)
    env.filters["visible"] = visible
    env.filters["breakable"] = breakable
    return env
