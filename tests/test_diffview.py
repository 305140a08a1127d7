"""``caseclean diff``: clusters of edits, the terminal rendering, and plain text when piped."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from pipeline.cli import build_parser
from pipeline.edits import Edit, apply_edits
from pipeline.review.diff import (
    CaseDiff,
    Cluster,
    SectionDiff,
    build_cases,
    clusters,
    find_case,
    load_cases,
    spans,
    visible,
)
from pipeline.review.terminal import printable, render_case, show_case
from pipeline.review.views import table_diff

from .conftest import SAMPLE_CASE

RAW = "A sever anemia with sphe- rocltosis ."


def sample_edits() -> list[Edit]:
    return [
        Edit(2, 7, "sever", "severe", "context", "ctx", 0.7, False),
        Edit(20, 35, "sphe- rocltosis", "spherocltosis", "dehyphenate", "wrap", 0.7, True),
        Edit(
            20,
            35,
            "sphe- rocltosis",
            "spherocytosis",
            "dehyphenate+dictionary",
            "wrap+dict",
            0.7,
            False,
        ),
        Edit(35, 36, " ", "", "normalize", "space", 0.9, True),
    ]


def sample_section() -> SectionDiff:
    edits = sample_edits()
    return SectionDiff(2, "discussion", None, RAW, apply_edits(RAW, edits), edits, [0, 1, 2, 3])


def test_clusters_group_overlapping_edits_and_keep_every_character() -> None:
    pieces = clusters(RAW, sample_edits())
    assert pieces == [
        "A ",
        Cluster(2, 7, "sever", (0,)),
        " anemia with ",
        Cluster(20, 35, "sphe- rocltosis", (1, 2)),
        Cluster(35, 36, " ", (3,)),
        ".",
    ]
    assert "".join(p if isinstance(p, str) else p.original for p in pieces) == RAW


def test_spans_cut_the_text_as_clusters_do_without_cluster_objects() -> None:
    edits = sample_edits()
    cut = spans(RAW, edits)
    assert [(start, end) for start, end, _ in cut] == [
        (0, 2), (2, 7), (7, 20), (20, 35), (35, 36), (36, 37)
    ]  # fmt: skip
    assert [members for _, _, members in cut] == [[], [0], [], [1, 2], [3], []]
    assert clusters(RAW, edits) == [
        RAW[s:e] if not m else Cluster(s, e, RAW[s:e], tuple(m)) for s, e, m in cut
    ]


@st.composite
def raw_and_edits(draw: st.DrawFn) -> tuple[str, list[Edit]]:
    raw = draw(st.text("ab ", max_size=12))
    edits = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(raw)))
        end = draw(st.integers(start, len(raw)))
        edits.append(Edit(start, end, raw[start:end], "x", "p", "r"))
    return raw, edits


def touch(a: Edit, b: Edit) -> bool:
    """Whether two edits overlap, or insert at one point."""
    return (a.start < b.end and b.start < a.end) or a.start == a.end == b.start == b.end


@given(raw_and_edits())
def test_spans_tile_the_text_and_a_cluster_is_a_connected_group(
    drawn: tuple[str, list[Edit]],
) -> None:
    raw, edits = drawn
    cut = spans(raw, edits)
    assert [e for s, e, _ in cut[:-1]] == [s for s, _, _ in cut[1:]]
    assert (cut[0][0], cut[-1][1]) == (0, len(raw)) if cut else raw == ""
    assert sorted(i for _, _, members in cut for i in members) == list(range(len(edits)))
    for start, end, members in cut:
        assert all(start <= edits[i].start <= edits[i].end <= end for i in members)
        if members:
            assert start == min(edits[i].start for i in members)
            assert end == max(edits[i].end for i in members)
    for (_, _, one), (_, _, other) in itertools.pairwise(cut):
        assert not any(touch(edits[i], edits[j]) for i in one for j in other)


def test_zero_length_edits_at_one_point_share_a_cluster() -> None:
    edits = [Edit(1, 1, "", "x", "p", "r", 1.0, True), Edit(1, 1, "", "y", "p", "r", 1.0, False)]
    assert clusters("ab", edits) == ["a", Cluster(1, 1, "", (0, 1)), "b"]


def test_whitespace_and_control_characters_are_made_visible() -> None:
    assert visible(" ") == "␣" and visible("") == "∅" and visible("a b") == "a b"
    assert printable("ok\x1b[31mred\x07\n") == "ok\ufffd[31mred\ufffd\n"


def render(case: CaseDiff, terminal: bool) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=terminal, color_system="standard" if terminal else None,
        width=100, highlight=False, markup=False,
    )  # fmt: skip
    render_case(case, console)
    return buffer.getvalue()


def test_plain_output_marks_every_kind_of_edit() -> None:
    case = CaseDiff("c1", "Title", "ok", [sample_section()])
    text = render(case, terminal=False)
    assert "\x1b" not in text
    assert "A sever{?severe?} anemia with [-sphe- rocltosis-]{+spherocltosis+}" in text
    assert "{?spherocytosis?}[-␣-]{+∅+}." in text
    assert "#2 20-35  sphe- rocltosis → spherocytosis  dehyphenate+dictionary / wrap+dict" in text
    assert "2 applied, 2 not applied" in text


def test_a_terminal_gets_colours() -> None:
    case = CaseDiff("c1", "Title", "ok", [sample_section()])
    assert "\x1b[" in render(case, terminal=True)


def test_rejected_edits_and_hostile_text() -> None:
    raw = "\x1b]0;owned\x07 [bold]x[/bold] tezt"
    edit = Edit(len(raw) - 4, len(raw), "tezt", "test", "dictionary", "d", 0.9, False, "rejected")
    section = SectionDiff(0, "title", None, raw, raw, [edit], [0])
    text = render(CaseDiff("c", "t", "ok", [section]), terminal=False)
    assert "\x1b" not in text and "\x07" not in text
    assert "[bold]x[/bold] tezt{!test!}" in text and "rejected" in text


def test_the_html_diff_shows_clusters_and_their_edits_in_text_order() -> None:
    section = sample_section()
    html = table_diff(section)
    assert re.findall(r'data-key="([^"]+)"', html) == ["2-0", "2-1", "2-2", "2-3"]
    assert re.findall(r'<span class="cluster( struck)?">', html) == ["", " struck", " struck"]
    assert '<ins class="edit pass-dictionary suggested" data-key="2-2"' in html


def test_build_cases_from_table_rows() -> None:
    cases = [{"case_id": "a", "title": None, "status": "ok"}, {"case_id": "b", "title": "B"}]
    sections = [
        {"case_id": "a", "position": 1, "section": "findings", "heading": "F",
         "raw_text": "tezt", "clean_text": "test"},
        {"case_id": "a", "position": 0, "section": "title", "heading": float("nan"),
         "raw_text": "T", "clean_text": "T"},
        {"case_id": "z", "position": 0, "section": "title", "heading": None,
         "raw_text": "orphan", "clean_text": "orphan"},
    ]  # fmt: skip
    corrections = [
        {"case_id": "a", "position": 1, "edit": 0, "start": 0, "end": 4, "original": "tezt",
         "replacement": "test", "pass": "dictionary", "rule": "d", "confidence": 0.9,
         "applied": True, "decision": None},
    ]  # fmt: skip
    built = build_cases(cases, sections, corrections)
    assert list(built) == ["a", "b"]
    a = built["a"]
    assert [s.position for s in a.sections] == [0, 1] and a.sections[0].heading is None
    assert a.title == "" and a.sections[1].edits[0].replacement == "test"
    with pytest.raises(KeyError, match="did you mean a"):
        find_case(built, "a ")


def test_show_case_on_a_real_run(run_dir: Path) -> None:
    cases = load_cases(run_dir)
    buffer = io.StringIO()
    show_case(run_dir, SAMPLE_CASE, file=buffer)
    text = buffer.getvalue()
    assert "\x1b" not in text and text.startswith(SAMPLE_CASE)
    for edit in cases[SAMPLE_CASE].edits:
        assert f"{edit.start}-{edit.end}  {visible(edit.original)} → " in text


def test_the_diff_command(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    args = parser.parse_args(["diff", "case-script.txt", "--out", str(run_dir)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "<script>alert(1)</script>" in out and "\x1b" not in out
    missing = parser.parse_args(["diff", "../../etc/passwd", "--out", str(run_dir)])
    assert missing.func(missing) == 2
    err = capsys.readouterr().err
    assert f"no case '../../etc/passwd' in the tables of {run_dir}" in err


def test_a_diff_without_a_run_names_the_folder_it_searched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    assert main(["diff", SAMPLE_CASE, "--out", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "nowhere") in err


def on_a_terminal(args: list[str], **env: str) -> bytes:
    """What ``caseclean`` prints to a real (pseudo-)terminal, with these environment additions."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(TERM="xterm-256color", COLUMNS="120", **env)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        stdout=follower,
        stderr=follower,
        env=environ,
        timeout=300,
        check=False,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: everything has been read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 0, b"".join(chunks)
    return b"".join(chunks)


def test_no_color_turns_every_escape_code_off(run_dir: Path) -> None:
    args = ["diff", SAMPLE_CASE, "--out", str(run_dir)]
    assert b"\x1b[" in on_a_terminal(args)
    plain = on_a_terminal(args, NO_COLOR="1")
    assert b"\x1b" not in plain and SAMPLE_CASE.encode() in plain
