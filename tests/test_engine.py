"""The engine: whole archives, bad pages that do not stop the batch, any number of workers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from pipeline.rules import Rules
from pipeline.run import RunOptions, run

from .conftest import RAW, IdentityCorrector, identity_factory


def test_bad_pages_go_to_errors_and_the_batch_goes_on() -> None:
    result = run(RunOptions(RAW, corrector=identity_factory))
    assert {e.case_id: e.stage for e in result.errors} == {"broken/truncated.html.gz": "ingest"}
    assert [c.case_id for c in result.cases] == [
        "broken/missing-case.txt",
        "case-extramedullary-hematopoiesis.txt",
        "html/case-osteoid-osteoma.html",
        "text/case-pneumothorax.txt.gz",
        "text/case-sjogren-cp1252.txt",
    ]
    assert result.summary["pages"] == 6 and result.summary["errors"] == 1
    # A page with text but no section heading is a case with a warning, its text in body.
    missing = next(c for c in result.cases if c.case_id == "broken/missing-case.txt")
    assert missing.status == "warning" and missing.texts["body"]


def test_workers_do_not_change_the_tables() -> None:
    one = run(RunOptions(RAW, corrector=identity_factory))
    two = run(RunOptions(RAW, workers=2, corrector=identity_factory))
    assert one.cases == two.cases
    assert one.sections == two.sections
    assert one.errors == two.errors


def test_sections_are_numbered_in_page_order_title_first() -> None:
    result = run(RunOptions(RAW, corrector=identity_factory))
    sample = [s for s in result.sections if s.case_id.startswith("case-extramedullary")]
    assert [(s.position, s.section) for s in sample] == [
        (0, "title"),
        (1, "body_system"),
        (2, "clinical_summary"),
        (3, "findings"),
        (4, "discussion"),
        (5, "diagnosis"),
        (6, "references"),
    ]


def test_an_empty_archive_gives_empty_tables(tmp_path: Path) -> None:
    result = run(RunOptions(tmp_path, corrector=identity_factory))
    assert result.cases == [] and result.errors == [] and result.summary["pages"] == 0


def test_dask_local_cluster_gives_the_same_tables() -> None:
    local = run(RunOptions(RAW, corrector=identity_factory))
    dask = run(RunOptions(RAW, workers=2, engine="dask", corrector=identity_factory))
    assert dask.cases == local.cases
    assert dask.sections == local.sections
    assert dask.errors == local.errors


class FailsOnPneumothorax:
    """A corrector with a bug that only one page triggers."""

    def clean(
        self, text: str, *, protected: object = (), section: object = None, counted: object = None
    ) -> object:
        if "pneumothorax" in text.lower():
            raise RuntimeError("corrector bug")
        return IdentityCorrector().clean(text)


def failing_factory(rules: Rules, archive_texts: Sequence[str]) -> FailsOnPneumothorax:
    return FailsOnPneumothorax()


def test_an_unexpected_failure_on_one_page_does_not_stop_the_batch() -> None:
    result = run(RunOptions(RAW, corrector=failing_factory))
    failed = [e for e in result.errors if e.stage == "correct"]
    assert [(e.case_id, e.error) for e in failed] == [
        ("text/case-pneumothorax.txt.gz", "unexpected")
    ]
    assert "RuntimeError: corrector bug" in failed[0].message
    assert len(result.cases) == 4
    assert [e.case_id for e in result.errors] == sorted(e.case_id for e in result.errors)


def test_a_page_past_its_time_limit_is_stopped_and_reported(tmp_path: Path) -> None:
    import shutil

    from pipeline.rules import DEFAULT_RULES_DIR

    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    limits = rules / "limits.yaml"
    limits.write_text(
        limits.read_text(encoding="utf-8").replace("page_seconds: 120", "page_seconds: 0.000001"),
        encoding="utf-8",
    )
    result = run(RunOptions(RAW, rules_dir=rules, corrector=identity_factory))
    assert result.cases == []
    assert {e.error for e in result.errors} == {"page-seconds"}
    assert len(result.errors) == 6  # every page accounted for, the batch went on


def test_the_lexicon_is_loaded_while_the_pages_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent loads it once the first page is read, not after the last: the workers go
    on reading meanwhile, and nothing waits between the steps."""
    import pipeline.run.engine as engine
    from pipeline.correct.lexicon import Lexicon

    read: list[int] = []
    loads: list[int] = []
    plain_read, plain_load = engine.Reader.__call__, Lexicon.load.__func__

    def reading(self: engine.Reader, item: tuple[int, Path]) -> engine.ReadInfo:
        read.append(item[0])
        return plain_read(self, item)

    def loading(cls: type[Lexicon], rules: Rules) -> Lexicon:
        loads.append(len(read))
        return plain_load(cls, rules)

    monkeypatch.setattr(engine.Reader, "__call__", reading)
    monkeypatch.setattr(Lexicon, "load", classmethod(loading))
    result = run(RunOptions(RAW, workers=1, corrector=identity_factory))
    assert loads == [1] and len(read) == result.summary["pages"] > 1


@pytest.mark.parametrize("engine_name", ["local", "dask"])
def test_a_run_collects_garbage_less_often_and_puts_the_thresholds_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine_name: str
) -> None:
    """Young collections wait for many more objects in the parent and in the workers it
    forks (they inherit it; a LocalCluster's too), and the caller's thresholds are as before
    once the run ends."""
    import gc

    import pipeline.run.engine as engine
    from pipeline.run.heap import YOUNG_OBJECTS

    plain_read = engine.Reader.__call__

    def reading(self: engine.Reader, item: tuple[int, Path]) -> engine.ReadInfo:
        (tmp_path / f"{item[0]}.threshold").write_text(str(gc.get_threshold()[0]))
        return plain_read(self, item)

    seen: set[int] = set()
    monkeypatch.setattr(engine.Reader, "__call__", reading)
    before = gc.get_threshold()
    run(
        RunOptions(RAW, workers=2, engine=engine_name, corrector=identity_factory),
        lambda *_: seen.add(gc.get_threshold()[0]),
    )
    in_workers = {int(p.read_text()) for p in tmp_path.glob("*.threshold")}
    assert seen == in_workers == {max(YOUNG_OBJECTS, before[0])}
    assert gc.get_threshold() == before


def test_a_second_dask_run_in_the_same_process_finishes() -> None:
    """A LocalCluster's workers are forked: the second cluster's inherit distributed's
    thread pool for large messages without its thread, and waited for ever on the first
    step that holds the lexicon. Run in a child process, so a hang fails the test instead
    of stopping the suite."""
    import subprocess
    import sys

    code = (
        "from tests.conftest import RAW, identity_factory\n"
        "from pipeline.run import RunOptions, run\n"
        "for _ in range(2):\n"
        "    options = RunOptions(RAW, workers=2, engine='dask', corrector=identity_factory)\n"
        "    print(run(options).summary['pages'])\n"
    )
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["6", "6"]
