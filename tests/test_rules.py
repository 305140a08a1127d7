"""The rules loader: every file of rules/ read one way, every mistake named in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.rules import DEFAULT_RULES_DIR, RulesError, load_rules


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_project_rules_load_and_name_every_pass() -> None:
    rules = load_rules()
    assert rules.correct.pass_names() == [
        "normalize",
        "dehyphenate",
        "ocr",
        "dictionary",
        "context",
    ]
    assert rules.sections.canonical("FINAL DIAGNOSIS:") == "diagnosis"
    assert "body_system" in rules.sections.case_columns
    assert any(rule.fits("the", None) for rule in rules.misspellings["prostrate"])
    assert rules.review.to_review(True, 0.5) and not rules.review.to_review(True, 1.0)
    systems = rules.body_systems
    assert systems.canonical("Thoracic Imaging") == systems.canonical("chest") == "Chest"
    assert systems.canonical("Cardiothoracic System") == "Chest"
    assert systems.canonical("No Such System") is None


YAML_MISTAKES = [
    (
        "correct.yaml",
        "apply_threshold: 0.94",
        "apply_thresold: 0.94",
        "apply_thresold: unknown key (did you mean apply_threshold?)",
    ),
    (
        "correct.yaml",
        "apply_threshold: 0.94",
        "apply_threshold: lots",
        "apply_threshold: input should be a valid number",
    ),
    (
        "correct.yaml",
        "ocr_threshold: 0.8",
        "ocr_threshold: 1.8",
        "ocr_threshold: input should be less than or equal to 1",
    ),
    ("correct.yaml", "memo_size: 500000\n", "", "memo_size: missing key"),
    (
        "sections.yaml",
        "required_sections:",
        "headings: 5\nrequired_sections:",
        "headings: input should be a valid dictionary",
    ),
    (
        "boilerplate.yaml",
        "  min_pages: 3",
        "  min_pages: -1",
        "learn.min_pages: input should be greater than or equal to 1",
    ),
    ("fields.yaml", "  days: [days, day, d]", "  fortnights: [fortnight]", "age_units.fortnights"),
    ("normalize.yaml", "  line-break: 1.0 ", "  ", "confidence lacks line-break"),
    (
        "review.yaml",
        "applied_below: 0.9",
        "applied_bellow: 0.9",
        "applied_bellow: unknown key (did you mean applied_below?)",
    ),
    ("review.yaml", "applied_below: 0.9", "applied_below: 2", "less than or equal to 1"),
    ("review.yaml", "applied_below: 0.9", "applied_below: often", "should be a valid number"),
    (
        "body_systems.yaml",
        "  Spine:\n",
        "  Spine:\n    - chest\n",
        "body_systems.Spine: 'chest' is already a spelling of Chest",
    ),
    ("body_systems.yaml", "body_systems:", "body_system:", "body_system: unknown key"),
]


@pytest.mark.parametrize(("file", "old", "new", "message"), YAML_MISTAKES)
def test_a_mistake_in_a_yaml_file_is_one_line_naming_file_and_key(
    rules_dir: Path, file: str, old: str, new: str, message: str
) -> None:
    edit(rules_dir / file, old, new)
    with pytest.raises(RulesError) as caught:
        load_rules(rules_dir)
    text = str(caught.value)
    assert "\n" not in text and file in text and message in text


@pytest.mark.parametrize(
    ("file", "line", "message"),
    [
        ("ocr_confusions.tsv", "rn\tm\tmany\n", "weight 'many' is not a number"),
        ("ocr_confusions.tsv", "rn\n", "expected 3 to 3 tab-separated columns"),
        ("ocr_digits.tsv", "0\too\t0.9\n", "expected one digit and one letter"),
        ("known_misspellings.tsv", "form\tfrom\tthe a\n", "has no _ for the word"),
        ("ocr_artefacts.tsv", "(unclosed\tx\t0.9\tbad\n", "bad pattern in pattern"),
    ],
)
def test_a_malformed_tsv_row_names_its_file_and_line(
    rules_dir: Path, file: str, line: str, message: str
) -> None:
    path = rules_dir / file
    number = path.read_text(encoding="utf-8").count("\n") + 1
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
    with pytest.raises(RulesError, match=f"{file}:{number}: .*{message}"):
        load_rules(rules_dir)


def test_a_tsv_file_with_another_header_is_refused(rules_dir: Path) -> None:
    edit(rules_dir / "ocr_digits.tsv", "seen\tmeant\tconfidence", "digit\tletter\tconfidence")
    with pytest.raises(RulesError, match=r"ocr_digits.tsv:.*header must be"):
        load_rules(rules_dir)


def test_a_missing_file_is_named(rules_dir: Path) -> None:
    (rules_dir / "protected.txt").unlink()
    with pytest.raises(RulesError, match=r"rules file not found: .*protected.txt"):
        load_rules(rules_dir)


def test_the_command_line_says_it_in_one_line_and_exits_2(
    rules_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(rules_dir / "correct.yaml", "  - normalize\n", "  - normalise\n")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Final Diagnosis\n\nx\n", encoding="utf-8")
    code = main(["run", str(raw), "--out", str(tmp_path / "out"), "--rules", str(rules_dir)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err
    assert "correct.yaml: passes: unknown pass 'normalise'" in err
