"""The output folder: a run never costs anyone their work, whatever --out points at.

Every hazard is tried through ``caseclean run`` itself (in-process, for speed), with a
corrector-free archive where the corrections do not matter.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipeline.cli import main
from pipeline.output.folder import MARKER, lock_path
from pipeline.output.schema import generated_files

from .conftest import RAW, REPO


def run_cli(*args: str) -> int:
    return main(["run", *args])


@pytest.fixture
def out(tmp_path: Path) -> Path:
    target = tmp_path / "clean"
    assert run_cli(str(RAW), "--out", str(target)) == 0
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_run_that_finds_no_pages_touches_nothing(
    out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli(str(empty), "--out", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "no pages" in err
    assert snapshot(out) == before


def test_a_folder_of_someone_elses_files_is_refused_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "Documents"
    mine.mkdir()
    (mine / "cases.csv").write_text("my own spreadsheet\n")
    assert run_cli(str(RAW), "--out", str(mine)) == 2
    assert "--force" in capsys.readouterr().err
    assert (mine / "cases.csv").read_text() == "my own spreadsheet\n"
    assert run_cli(str(RAW), "--out", str(mine), "--force") == 0
    assert (mine / MARKER).exists()


def test_out_inside_the_archive_or_a_file_is_refused(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Final Diagnosis\n\nPneumothorax\n")
    assert run_cli(str(raw), "--out", str(raw / "clean")) == 2
    assert run_cli(str(raw), "--out", str(tmp_path)) == 2  # it would swallow the archive
    afile = tmp_path / "out.txt"
    afile.write_text("x")
    assert run_cli(str(raw), "--out", str(afile)) == 2
    assert not (raw / "clean").exists() and afile.read_text() == "x"


def test_permissions_symlinks_and_other_files_survive_a_rerun(out: Path, tmp_path: Path) -> None:
    os.chmod(out, 0o700)
    (out / "decisions.jsonl").write_text("")
    (out / "notes.txt").write_text("ask Dr. K about case 12\n")
    link = tmp_path / "link"
    link.symlink_to(out)
    assert run_cli(str(RAW), "--out", str(link)) == 0
    assert link.is_symlink() and link.resolve() == out.resolve()
    assert out.stat().st_mode & 0o777 == 0o700
    assert (out / "notes.txt").read_text() == "ask Dr. K about case 12\n"
    assert (out / "decisions.jsonl").exists()
    assert (out / "report.html").exists()  # regenerated, never stale


def test_a_second_run_is_stopped_by_the_lock_and_a_stale_lock_is_taken_over(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock_path(out).write_text(f"{holder.pid}\n")
        assert run_cli(str(RAW), "--out", str(out)) == 2
        assert f"pid {holder.pid}" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert run_cli(str(RAW), "--out", str(out)) == 0  # its process is gone: the lock is stale
    assert not lock_path(out).exists()


def test_make_clean_keeps_decisions(out: Path) -> None:
    (out / "decisions.jsonl").write_text("{}\n")
    assert main(["clean", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["decisions.jsonl"]


def test_a_run_killed_at_any_moment_leaves_whole_outputs(out: Path) -> None:
    before = snapshot(out)
    env = {**os.environ, "CASECLEAN_NO_PROGRESS": "1", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "pipeline.cli", "run", str(RAW), "--out", str(out)]
    for delay in (0.5, 1.5, 3.0, 5.0):
        child = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        names = {p.name for p in out.iterdir()}
        assert set(generated_files()) <= names  # never half a folder
        now = snapshot(out)
        assert all(now[name] == before[name] for name in before if name != "report.html")
    assert run_cli(str(RAW), "--out", str(out)) == 0  # no stale lock or staging blocks it
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(".clean.")]
    assert leftovers == []


def test_a_broken_decisions_file_is_one_line_not_a_traceback(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (out / "decisions.jsonl").write_text("{}\n")
    assert run_cli(str(RAW), "--out", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "decisions.jsonl:1" in err


def wait_for_workers(child: subprocess.Popen[str], limit: float = 120.0) -> None:
    """Return once ``child`` has forked its workers: the run is in a parallel step, past its
    imports (a fixed sleep raced them on a machine whose bytecode was not compiled yet)."""
    process = psutil.Process(child.pid)
    deadline = time.monotonic() + limit
    while not process.children():
        assert child.poll() is None, "the run ended before it forked any worker"
        assert time.monotonic() < deadline, "no worker forked in time"
        time.sleep(0.05)
    time.sleep(0.5)


def test_ctrl_c_during_a_parallel_run_stops_it_with_130_and_old_outputs_whole(
    out: Path, dev_dir: Path
) -> None:
    before = snapshot(out)
    env = {**os.environ, "CASECLEAN_NO_PROGRESS": "1", "PYTHONPATH": str(REPO)}
    archive = dev_dir / "archive"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(archive), "--out", str(out)]
    child = subprocess.Popen(
        [*command, "--workers", "2"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_workers(child)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 130
    assert "Traceback" not in err and err.strip().count("\n") == 0
    assert snapshot(out) == before
