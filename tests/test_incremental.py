"""Incremental runs: a cache in the output folder makes a re-run redo only what changed.

Every step's result is filed under a key of everything it read, so a re-run gives exactly the
rows a fresh run would, whatever changed in between: a page, a rule, or nothing at all (then
``caseclean run`` does nothing and says so). A run killed half way resumes from its cache.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.output.schema import CACHE_NAME, TABLE_NAMES
from pipeline.run import RunOptions, RunResult, run
from pipeline.run.cache import StepCache, key

from .conftest import REPO, make_archive


def records(result: RunResult) -> dict[str, list[dict[str, object]]]:
    return result.records()


def cached_run(raw: Path, cache: Path, rules_dir: Path | None = None) -> RunResult:
    return run(RunOptions(raw, rules_dir=rules_dir, workers=1, cache_dir=cache))


def fresh_run(raw: Path, rules_dir: Path | None = None) -> RunResult:
    return run(RunOptions(raw, rules_dir=rules_dir, workers=1))


def files(cache: Path, step: str) -> int:
    return sum(1 for _ in (cache / step).glob("*/*.pickle"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_archive(tmp_path_factory.mktemp("incremental"))


def test_a_rerun_reuses_every_page_and_gives_the_rows_of_a_fresh_run(
    archive: Path, tmp_path: Path
) -> None:
    first = cached_run(archive, tmp_path / "cache")
    again = cached_run(archive, tmp_path / "cache")
    assert first.reused == 0
    assert again.reused == sum(again.statuses.values()) > 0
    assert records(again) == records(first) == records(fresh_run(archive))


def test_a_changed_page_is_redone_and_the_rows_equal_a_fresh_run(
    archive: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(archive, raw)
    cached_run(raw, tmp_path / "cache")
    page = raw / "case-script.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\nA new line of sever anemia.\n")
    changed = cached_run(raw, tmp_path / "cache")
    assert records(changed) == records(fresh_run(raw))
    texts = " ".join(s.clean_text for s in changed.sections if s.case_id == "case-script.txt")
    assert "new line" in texts


def test_a_rule_change_redoes_every_page(archive: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    cached_run(archive, tmp_path / "cache", rules)
    with (rules / "protected.txt").open("a", encoding="utf-8") as handle:
        handle.write("hemolltic\n")
    changed = cached_run(archive, tmp_path / "cache", rules)
    assert changed.reused == 0
    assert records(changed) == records(fresh_run(archive, rules))


def test_the_cache_holds_the_last_archive_only(archive: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(archive, raw)
    cache = tmp_path / "cache"
    cached_run(raw, cache)
    (raw / "case-script.txt").unlink()
    result = cached_run(raw, cache)
    pages = sum(result.statuses.values())
    assert files(cache, "rows") == files(cache, "parse") == pages


def test_an_unreadable_cache_entry_is_recomputed(tmp_path: Path) -> None:
    cache = StepCache(tmp_path, keep=True)
    digest = key("read", "page")
    cache.put("read", digest, ("document",))
    assert cache.get("read", digest) == ("document",)
    cache.path("read", digest).write_bytes(b"\x80 torn")
    assert cache.get("read", digest) is None


def caseclean(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CASECLEAN_NO_PROGRESS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def test_an_unchanged_rerun_does_nothing_and_says_so(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert caseclean("run", str(archive), "--out", str(out)).returncode == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    again = caseclean("run", str(archive), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()} == before
    (out / "cases.csv").unlink()  # an output touched: a real run, every page from the cache
    third = caseclean("run", str(archive), "--out", str(out))
    assert "up to date" not in third.stdout
    assert (out / "cases.csv").exists()
    reused = next(line for line in third.stdout.splitlines() if "reused from cache" in line)
    assert int(reused.split()[-1]) > 0


def test_a_run_killed_mid_batch_resumes_to_the_tables_of_an_uninterrupted_run(
    archive: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    pages = [p for p in sorted(archive.rglob("*")) if p.is_file() and "broken" not in p.name]
    for copy in range(25):  # enough pages that the kill lands while they are corrected
        for page in pages:
            shutil.copyfile(page, raw / f"{copy:02d}-{page.name}")
    out, rows = tmp_path / "out", tmp_path / "out" / CACHE_NAME / "rows"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(raw), "--out", str(out)]
    env = {**os.environ, "CASECLEAN_NO_PROGRESS": "1"}
    killed = subprocess.Popen([*command, "--workers", "1"], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while killed.poll() is None and time.monotonic() < deadline:
        if sum(1 for _ in rows.glob("*/*.pickle")) >= 5:
            killed.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert not (out / "cases.csv").exists()
    done = sum(1 for _ in rows.glob("*/*.pickle"))
    assert 5 <= done < len(pages) * 25
    resumed = caseclean("run", str(raw), "--out", str(out), "--workers", "1")
    assert resumed.returncode == 0, resumed.stderr
    whole = caseclean("run", str(raw), "--out", str(tmp_path / "whole"), "--no-cache")
    assert whole.returncode == 0, whole.stderr
    for name in TABLE_NAMES:
        assert (out / f"{name}.csv").read_bytes() == (
            tmp_path / "whole" / f"{name}.csv"
        ).read_bytes()
    reused = next(line for line in resumed.stdout.splitlines() if "reused from cache" in line)
    assert int(reused.split()[-1]) >= done


def test_a_page_renamed_or_copied_is_the_only_one_redone(archive: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(archive, raw)
    cache = tmp_path / "cache"
    first = cached_run(raw, cache)
    pages = sum(first.statuses.values())
    (raw / "case-script.txt").rename(raw / "case-script-renamed.txt")
    renamed = cached_run(raw, cache)  # the same texts: what the archive teaches is unchanged
    assert renamed.reused == pages - 1
    assert records(renamed) == records(fresh_run(raw))
    shutil.copyfile(raw / "case-script-renamed.txt", raw / "zz-copy-of-the-script.txt")
    copied = cached_run(raw, cache)  # a later duplicate counts once: the others stay valid
    assert copied.reused == pages
    assert records(copied) == records(fresh_run(raw))
    assert {c.case_id: c.duplicate_of for c in copied.cases}["zz-copy-of-the-script.txt"]
