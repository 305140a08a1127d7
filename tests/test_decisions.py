"""Decisions: the file format, how they are matched and honoured, and the engine's use of them."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.decisions import (
    DECISIONS_FILE,
    Decision,
    DecisionBook,
    DecisionsError,
    context,
    dump_decisions,
    export_rules,
    for_edit,
    honour,
    honour_section,
    read_decisions,
    resolve,
    write_decisions,
)
from pipeline.edits import Edit, apply_edits, check_edits, rebuild_raw

RAW = "A sever anemia with sphe- rocltosis and sever pain."


def edit_at(
    raw: str,
    original: str,
    replacement: str,
    *,
    nth: int = 0,
    applied: bool = True,
    rule: str = "r",
    pass_name: str = "dictionary",
    confidence: float = 0.9,
) -> Edit:
    start = -1
    for _ in range(nth + 1):
        start = raw.index(original, start + 1)
    end = start + len(original)
    return Edit(start, end, original, replacement, pass_name, rule, confidence, applied)


def section_edits() -> list[Edit]:
    """The shape the corrector gives: an applied fix and a competing suggestion on one span."""
    return [
        edit_at(RAW, "sever", "severe", applied=False, rule="context"),
        edit_at(RAW, "sphe- rocltosis", "spherocltosis", rule="damaged-wrap", confidence=0.7),
        edit_at(RAW, "sphe- rocltosis", "spherocytosis", applied=False, rule="dict"),
        edit_at(RAW, "sever", "severe", nth=1, rule="context"),
    ]


def decide(edit: Edit, scope: str, value: str, raw: str = RAW, case: str = "c1") -> Decision:
    return for_edit(case, "discussion", raw, edit, scope, value)


def test_rejecting_an_applied_edit_keeps_the_raw_text() -> None:
    edits = section_edits()
    book = DecisionBook.of([decide(edits[3], "edit", "rejected")])
    clean, honoured = honour_section("c1", "discussion", RAW, edits, book)
    assert honoured[3].applied is False and honoured[3].decision == "rejected"
    assert clean == "A sever anemia with spherocltosis and sever pain."
    assert [e.decision for e in honoured[:3]] == [None, None, None]


def test_accepting_a_suggestion_applies_it() -> None:
    edits = section_edits()
    book = DecisionBook.of([decide(edits[0], "edit", "accepted")])
    clean, honoured = honour_section("c1", "discussion", RAW, edits, book)
    assert honoured[0].applied and honoured[0].decision == "accepted"
    assert clean.startswith("A severe anemia")


def test_an_accepted_suggestion_displaces_the_applied_edit_it_overlaps() -> None:
    edits = section_edits()
    book = DecisionBook.of([decide(edits[2], "edit", "accepted")])
    outcomes = resolve("c1", "discussion", RAW, edits, book)
    assert outcomes[2].edit.applied and outcomes[2].edit.decision == "accepted"
    assert not outcomes[1].edit.applied and outcomes[1].edit.decision == "rejected"
    assert outcomes[1].superseded and outcomes[1].decision is None
    clean = apply_edits(RAW, [o.edit for o in outcomes])
    assert "spherocytosis" in clean and "spherocltosis" not in clean


def test_a_pair_decision_covers_every_page_and_section() -> None:
    edits = section_edits()
    book = DecisionBook.of([decide(edits[3], "pair", "rejected")])
    other = "The sever case."
    other_edits = [edit_at(other, "sever", "severe", rule="context")]
    honoured = honour("new-page", "findings", other, other_edits, book)
    assert honoured[0].decision == "rejected" and not honoured[0].applied
    here = honour("c1", "discussion", RAW, edits, book)
    assert [e.decision for e in here] == ["rejected", None, None, "rejected"]


def test_a_rule_decision_covers_every_edit_of_that_rule() -> None:
    edits = section_edits()
    book = DecisionBook.of([Decision("rule", "accepted", rule="context")])
    honoured = honour("c1", "discussion", RAW, edits, book)
    assert honoured[0].applied and honoured[3].applied
    assert [e.decision for e in honoured] == ["accepted", None, None, "accepted"]


def test_a_bulk_decision_covers_a_rule_within_a_confidence_range() -> None:
    raw = "tezt tezt tezt"
    edits = [
        Edit(0, 4, "tezt", "test", "dictionary", "d", 0.4, False),
        Edit(5, 9, "tezt", "test", "dictionary", "d", 0.6, True),
        Edit(10, 14, "tezt", "test", "dictionary", "d", 0.9, True),
    ]
    low = Decision("rule", "rejected", rule="d", cmax=0.6)
    honoured = honour("c", "s", raw, edits, DecisionBook.of([low]))
    assert [(e.applied, e.decision) for e in honoured] == [
        (False, "rejected"),
        (False, "rejected"),
        (True, None),
    ]
    wide = Decision("rule", "accepted", rule="d")
    both = honour("c", "s", raw, edits, DecisionBook.of([wide, low]))
    assert [e.decision for e in both] == ["rejected", "rejected", "accepted"]
    assert low.key != wide.key and low.key == ("rule", "d", "0", "0.6")
    line = dump_decisions([low])
    assert json.loads(line) == {"scope": "rule", "decision": "rejected", "rule": "d", "cmax": 0.6}
    assert Decision.from_json(json.loads(line)) == low


def test_an_accepted_choice_applies_another_reading() -> None:
    raw = "A sever case."
    edit = Edit(2, 7, "sever", "severe", "context", "c", 0.6, False, alternatives=("several",))
    chosen = for_edit("c", "s", raw, edit, "edit", "accepted", choice="several")
    clean, honoured = honour_section("c", "s", raw, [edit], DecisionBook.of([chosen]))
    assert clean == "A several case." and honoured[0].decision == "accepted"
    assert honoured[0].alternatives == ("several",)
    assert Decision.from_json(chosen.to_json()) == chosen and chosen.to_json()["choice"]
    pair = for_edit("c", "s", raw, edit, "pair", "accepted", choice="several")
    assert honour("other", "t", raw, [edit], DecisionBook.of([pair]))[0].replacement == "several"
    plain = for_edit("c", "s", raw, edit, "edit", "accepted", choice="severe")
    assert plain.choice == "" and plain.key == chosen.key


def test_the_most_specific_decision_wins() -> None:
    edits = section_edits()
    book = DecisionBook.of(
        [
            Decision("rule", "rejected", rule="context"),
            decide(edits[0], "pair", "rejected"),
            decide(edits[0], "edit", "accepted"),
        ]
    )
    honoured = honour("c1", "discussion", RAW, edits, book)
    assert honoured[0].decision == "accepted" and honoured[0].applied
    assert honoured[3].decision == "rejected" and not honoured[3].applied


def test_an_edit_decision_survives_changes_elsewhere_on_the_page() -> None:
    edits = section_edits()
    decision = decide(edits[3], "edit", "rejected")
    moved_raw = "Preface text added. " + RAW
    shift = len("Preface text added. ")
    moved = [dataclasses.replace(e, start=e.start + shift, end=e.end + shift) for e in edits]
    honoured = honour("c1", "discussion", moved_raw, moved, DecisionBook.of([decision]))
    assert [e.decision for e in honoured] == [None, None, None, "rejected"]


def test_context_tells_apart_two_edits_of_one_pair() -> None:
    edits = section_edits()
    book = DecisionBook.of([decide(edits[0], "edit", "rejected")])
    honoured = honour("c1", "discussion", RAW, edits, book)
    assert honoured[0].decision == "rejected" and honoured[3].decision is None
    assert honoured[3].applied


def test_a_lone_edit_matches_even_when_its_context_changed() -> None:
    raw = "Old words around the sever pain here."
    edit = edit_at(raw, "sever", "severe")
    decision = for_edit("c1", "findings", raw, edit, "edit", "rejected")
    new_raw = "New words near the sever pain now."
    new_edit = edit_at(new_raw, "sever", "severe")
    honoured = honour("c1", "findings", new_raw, [new_edit], DecisionBook.of([decision]))
    assert honoured[0].decision == "rejected"
    assert honour("c2", "findings", new_raw, [new_edit], DecisionBook.of([decision]))[0] == new_edit


def test_no_book_changes_nothing() -> None:
    edits = section_edits()
    assert honour("c1", "discussion", RAW, edits, None) == edits
    assert honour("c1", "discussion", RAW, edits, DecisionBook()) == edits


def test_context_is_short_and_whitespace_folded() -> None:
    raw = "x" * 30 + "a\n\n  b" + "WORD" + "tail"
    start = raw.index("WORD")
    before, after = context(raw, start, start + 4)
    assert after == "tail" and before.endswith("a b") and len(before) <= 20


def test_the_file_is_sorted_stable_and_diffable(tmp_path: Path) -> None:
    edits = section_edits()
    decisions = [
        Decision("rule", "accepted", rule="context"),
        decide(edits[3], "edit", "rejected"),
        decide(edits[0], "pair", "rejected"),
    ]
    path = tmp_path / DECISIONS_FILE
    write_decisions(path, decisions)
    text = path.read_text(encoding="utf-8")
    assert text == dump_decisions(reversed(decisions))
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["scope"] for line in lines] == ["edit", "pair", "rule"]
    assert lines[0] == {
        "scope": "edit",
        "decision": "rejected",
        "case_id": "c1",
        "section": "discussion",
        "original": "sever",
        "replacement": "severe",
        "before": "sphe- rocltosis and ",
        "after": " pain.",
    }
    assert set(read_decisions(path).values()) == set(decisions)


def test_a_malformed_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / DECISIONS_FILE
    good = json.dumps({"scope": "rule", "rule": "x", "decision": "accepted"})
    path.write_text(good + "\n\n" + '{"scope": "rule", "rule": "x", "decision": "maybe"}\n')
    with pytest.raises(DecisionsError, match=r"decisions.jsonl:3: unknown decision 'maybe'"):
        read_decisions(path)
    path.write_text("not json\n")
    with pytest.raises(DecisionsError, match=":1:"):
        read_decisions(path)
    assert read_decisions(tmp_path / "absent.jsonl") == {}


def test_the_output_folder_overrides_the_rules_folder_and_exports_to_it(tmp_path: Path) -> None:
    rules_dir, out_dir = tmp_path / "rules", tmp_path / "out"
    write_decisions(
        rules_dir / DECISIONS_FILE,
        [Decision("rule", "accepted", rule="context"), Decision("rule", "rejected", rule="dict")],
    )
    write_decisions(out_dir / DECISIONS_FILE, [Decision("rule", "rejected", rule="context")])
    book = DecisionBook.load(out_dir, rules_dir)
    assert book.merged[("rule", "context")].value == "rejected"
    assert book.merged[("rule", "dict")].value == "rejected"
    assert len(book) == 2 and len(book.local) == 1
    assert DecisionBook.load(tmp_path / "nowhere", tmp_path / "none") == DecisionBook()

    target = export_rules(out_dir, rules_dir)
    assert target == rules_dir / DECISIONS_FILE
    shared = read_decisions(target)
    assert shared[("rule", "context")].value == "rejected" and ("rule", "dict") in shared


def test_with_local_sets_and_clears_one_decision() -> None:
    shared = Decision("rule", "accepted", rule="context")
    book = DecisionBook({shared.key: shared}, {})
    local = Decision("rule", "rejected", rule="context")
    changed = book.with_local(local.key, local)
    assert changed.merged[local.key].value == "rejected" and book.merged[local.key] == shared
    assert changed.with_local(local.key, None).merged[local.key] == shared


def test_a_book_travels_to_worker_processes() -> None:
    book = DecisionBook.of([Decision("pair", "rejected", original="a", replacement="b")])
    book.match("c", "s", "a", [Edit(0, 1, "a", "b", "p", "r")])
    assert pickle.loads(pickle.dumps(book)) == book


def test_bad_decisions_are_refused() -> None:
    with pytest.raises(ValueError, match="scope"):
        Decision("page", "accepted")
    with pytest.raises(ValueError, match="rule"):
        Decision("rule", "accepted")
    with pytest.raises(ValueError, match="case_id"):
        Decision("edit", "rejected", original="a")
    with pytest.raises(ValueError, match="reading"):
        Decision("pair", "rejected", original="a", replacement="b", choice="c")
    with pytest.raises(ValueError, match="range"):
        Decision("pair", "rejected", original="a", replacement="b", cmin=0.5)
    with pytest.raises(ValueError, match="range"):
        Decision("rule", "rejected", rule="r", cmin=0.8, cmax=0.2)
    with pytest.raises(ValueError, match="numbers"):
        Decision.from_json({"scope": "rule", "decision": "rejected", "rule": "r", "cmin": "0"})


@st.composite
def sections(draw: st.DrawFn) -> tuple[str, list[Edit], list[Decision]]:
    """A raw text, corrector-like edits (applied ones never overlap) and decisions on them."""
    raw = draw(st.text(alphabet="ab \n-", max_size=40))
    edits: list[Edit] = []
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, len(raw)))
        end = draw(st.integers(start, min(len(raw), start + 5)))
        replacement = draw(st.text(alphabet="abc", max_size=4))
        applied = draw(st.booleans())
        rule = draw(st.sampled_from(["r1", "r2", "r3"]))
        confidence = draw(st.sampled_from([0.5, 0.7, 0.9]))
        edit = Edit(start, end, raw[start:end], replacement, "p", rule, confidence, applied)
        if applied:
            try:
                check_edits(raw, [*edits, edit])
            except ValueError:
                edit = dataclasses.replace(edit, applied=False)
        edits.append(edit)
    edits.sort(key=lambda e: (e.start, e.end, not e.applied))
    decisions = []
    for edit in edits:
        scope = draw(st.sampled_from([None, "edit", "pair", "rule", "range"]))
        value = draw(st.sampled_from(["accepted", "rejected"]))
        if scope == "range":
            low = draw(st.sampled_from([0.0, 0.6, 0.8]))
            decisions.append(Decision("rule", value, rule=edit.rule, cmin=low, cmax=low + 0.2))
        elif scope is not None:
            choice = draw(st.sampled_from(["", "zz"])) if value == "accepted" else ""
            choice = "" if scope == "rule" else choice
            decisions.append(for_edit("c", "s", raw, edit, scope, value, choice))
    return raw, edits, decisions


@settings(max_examples=300, deadline=None)
@given(sections())
def test_honoured_edits_keep_the_invariants(case: tuple[str, list[Edit], list[Decision]]) -> None:
    raw, edits, decisions = case
    book = DecisionBook.of(decisions)
    outcomes = resolve("c", "s", raw, edits, book)
    honoured = [o.edit for o in outcomes]
    assert honour("c", "s", raw, edits, book) == honoured
    clean = apply_edits(raw, honoured)
    assert rebuild_raw(clean, honoured) == raw
    for before, outcome in zip(edits, outcomes, strict=True):
        after = outcome.edit
        choice = outcome.decision.choice if outcome.decision else ""
        assert (after.start, after.end, after.original, after.replacement, after.rule) == (
            before.start,
            before.end,
            before.original,
            choice or before.replacement,
            before.rule,
        )
        value = outcome.decision.value if outcome.decision else None
        if value == "rejected":
            assert not after.applied and after.decision == "rejected"
        elif value == "accepted":
            assert after.decision == "accepted"
            applied_accepted = [
                o.edit for o in outcomes if o.edit.applied and o.edit.decision == "accepted"
            ]
            assert after.applied or any(
                _overlap(after, other) for other in applied_accepted if other is not after
            )
        elif outcome.superseded:
            assert before.applied and not after.applied and after.decision == "rejected"
        else:
            assert after == before


def _overlap(a: Edit, b: Edit) -> bool:
    try:
        check_edits("x" * max(a.end, b.end), [_as_x(a), _as_x(b)])
    except ValueError:
        return True
    return False


def _as_x(edit: Edit) -> Edit:
    return dataclasses.replace(edit, original="x" * len(edit.original), applied=True)


REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARCHIVE = REPO / "data" / "raw"
SAMPLE_CASE = "case-extramedullary-hematopoiesis.txt"


def _sample_decisions() -> list[Decision]:
    """Reject a pair everywhere, accept one suggestion and one displacing suggestion."""
    return [
        Decision("pair", "rejected", original="hematopoesis", replacement="hematopoiesis"),
        Decision(
            "edit",
            "accepted",
            case_id=SAMPLE_CASE,
            section="clinical_summary",
            original="sever",
            replacement="severe",
            before=" years old man with ",
            after=" anemia and extramed",
        ),
        Decision("pair", "accepted", original="sphe- rocltosis", replacement="spherocytosis"),
    ]


def _assert_sample_honoured(corrections, sections, cases) -> None:  # type: ignore[no-untyped-def]
    mine = corrections[corrections["case_id"] == SAMPLE_CASE]
    hema = mine[mine["original"] == "hematopoesis"]
    assert len(hema) == 3 and not hema["applied"].any()
    assert set(hema["decision"]) == {"rejected"}
    assert hema["proposed"].all()  # the corrector's own verdict survives the decision
    undecided = mine[mine["decision"].isna()]
    assert (undecided["applied"] == undecided["proposed"]).all()
    sever = mine[mine["original"] == "sever"].iloc[0]
    assert bool(sever["applied"]) and sever["decision"] == "accepted"
    sphero = mine[mine["original"] == "sphe- rocltosis"]
    chosen = sphero[sphero["replacement"] == "spherocytosis"]
    assert len(chosen) == 1 and bool(chosen["applied"].iloc[0])
    others = sphero[sphero["replacement"] != "spherocytosis"]
    assert not others["applied"].any()  # any rival reading at that span is displaced
    text = "\n".join(sections[sections["case_id"] == SAMPLE_CASE]["clean_text"])
    assert "hematopoesis" in text and "severe anemia" in text and "spherocytosis" in text
    case = cases[cases["case_id"] == SAMPLE_CASE].iloc[0]
    assert int(case["n_edits_applied"]) == int(mine["applied"].sum())


def test_the_engine_honours_decisions() -> None:
    from pipeline.output.frames import frame
    from pipeline.run import RunOptions, run

    book = DecisionBook.of(_sample_decisions())
    result = run(RunOptions(SAMPLE_ARCHIVE, decisions=book))
    records = result.records()
    cases, sections, corrections, _ = result.schemas
    _assert_sample_honoured(
        frame(corrections, records["corrections"]),
        frame(sections, records["sections"]),
        frame(cases, records["cases"]),
    )
    for section in records["sections"]:
        rows = [c for c in records["corrections"] if c["case_id"] == section["case_id"]]
        edits = [
            Edit(r["start"], r["end"], r["original"], r["replacement"], r["pass"], r["rule"],
                 r["confidence"], r["applied"])
            for r in rows if r["position"] == section["position"]
        ]  # fmt: skip
        assert apply_edits(section["raw_text"], edits) == section["clean_text"]


def test_caseclean_run_reads_the_output_folders_decisions(tmp_path: Path) -> None:
    from pipeline.cli import main
    from pipeline.output import read_table

    out = tmp_path / "out"
    write_decisions(out / DECISIONS_FILE, _sample_decisions())
    assert main(["run", str(SAMPLE_ARCHIVE), "--out", str(out)]) == 0
    _assert_sample_honoured(
        read_table(out, "corrections"), read_table(out, "sections"), read_table(out, "cases")
    )
    assert len(read_decisions(out / DECISIONS_FILE)) == 3
