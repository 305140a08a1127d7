"""The terminal view of a case's corrections (``caseclean diff``).

Colours on a terminal, plain text when piped: rich decides from the stream. ``NO_COLOR`` (any
non-empty value, as no-color.org asks) turns every escape code off, bold and strike too, not
only the colours rich itself drops.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from pipeline.edits import apply_edits
from pipeline.review.diff import CaseDiff, SectionDiff, edit_status, find_case, load_cases, visible

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Control characters shown as U+FFFD: page text must not drive the user's terminal."""
    return _CONTROL.sub("\ufffd", text)


def section_text(section: SectionDiff) -> Text:
    """A section's inline diff as rich Text, with markers that also read as plain text.

    ``[-old-]{+new+}`` is an applied edit, ``{?new?}`` a suggestion, ``{!new!}`` a rejected
    edit: the same markers as ``wdiff``, so piped output stays readable.
    """
    text = Text()
    for piece in section.pieces:
        if isinstance(piece, str):
            text.append(printable(piece))
            continue
        members = [section.edits[i] for i in piece.members]
        applied = [e for e in members if e.applied]
        if applied:
            text.append("[-", "red")
            text.append(printable(visible(piece.original)), "red strike")
            text.append("-]", "red")
            for edit in applied:
                text.append("{+", "green")
                text.append(printable(visible(edit.replacement)), "bold green")
                text.append("+}", "green")
        else:
            text.append(printable(piece.original), "underline")
        for edit in members:
            if edit.applied:
                continue
            mark, style = ("!", "dim") if edit.decision == "rejected" else ("?", "yellow")
            text.append("{" + mark, style)
            text.append(printable(visible(edit.replacement)), f"{style} italic")
            text.append(mark + "}", style)
    return text


_STATUS_STYLES = {
    "applied": "green",
    "suggested": "yellow",
    "accepted": "cyan",
    "rejected": "dim",
}


def edit_lines(section: SectionDiff) -> list[Text]:
    """One line per edit: number, span, change, pass / rule, confidence and status."""
    lines = []
    for number, edit in zip(section.numbers, section.edits, strict=True):
        status = edit_status(edit)
        line = Text("  ")
        line.append(f"#{number} {edit.start}-{edit.end}  ", "dim")
        change = f"{visible(edit.original)} → {visible(edit.replacement)}"
        line.append(printable(change), "bold")
        line.append(f"  {edit.pass_name} / {edit.rule}  {edit.confidence:.2f}  ")
        line.append(status, _STATUS_STYLES.get(status, ""))
        lines.append(line)
    return lines


def render_case(case: CaseDiff, console: Console) -> None:
    """Print one case's diff: every section with edits, its inline diff and its edit list."""
    edits = case.edits
    applied = sum(e.applied for e in edits)
    console.print(Text(printable(case.case_id), style="bold"), soft_wrap=True)
    summary = f"{len(edits)} edits: {applied} applied, {len(edits) - applied} not applied"
    console.print(Text(printable(f"{case.title}  ·  {case.status}  ·  {summary}")), soft_wrap=True)
    console.print(Text("legend: [-old-]{+new+} applied  {?new?} suggested  {!new!} rejected"))
    for section in case.sections:
        if not section.edits:
            continue
        label = printable(section.section + (f" ({section.heading})" if section.heading else ""))
        console.print(Rule(label, align="left", characters="─"))
        console.print(section_text(section), soft_wrap=True)
        for line in edit_lines(section):
            console.print(line, soft_wrap=True)
        if apply_edits(section.raw, section.edits) != section.clean:
            console.print(Text("warning: the clean text does not follow from the edits", "red"))
    if not edits:
        console.print(Text("no corrections on this page"))


def plain_wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the user asked for no escape codes at all.

    >>> plain_wanted({"NO_COLOR": "1"}), plain_wanted({"NO_COLOR": ""}), plain_wanted({})
    (True, False, False)
    """
    return bool(environ.get("NO_COLOR"))


def show_case(out_dir: Path, case_id: str, file: TextIO | None = None) -> None:
    """``caseclean diff``: colours on a terminal, plain text when piped or with ``NO_COLOR``.

    An unknown case is a ``KeyError`` that names the output folder searched.
    """
    case = find_case(load_cases(out_dir), case_id, f"the tables of {out_dir}")
    console = Console(
        file=file or sys.stdout,
        highlight=False,
        emoji=False,
        markup=False,
        color_system=None if plain_wanted() else "auto",
    )
    render_case(case, console)
