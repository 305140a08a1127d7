"""A real install: a wheel built from the repo, installed normally, finds its rules and runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import RAW, REPO


@pytest.mark.slow
def test_a_wheel_installed_outside_the_repo_runs(tmp_path: Path) -> None:
    dist, site, work = tmp_path / "dist", tmp_path / "env" / "site", tmp_path / "work"
    work.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = [*pip, "wheel", "--no-deps", "-w", str(dist), str(REPO)]
    subprocess.run(build, check=True, capture_output=True)
    wheel = next(dist.glob("caseclean-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    env = {**os.environ, "PYTHONPATH": str(site), "CASECLEAN_NO_PROGRESS": "1"}
    probe = (
        "import pipeline, pipeline.rules as r;"
        "print(r.DEFAULT_RULES_DIR);"
        "print(pipeline.clean_text('A man with sever anemia').text)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=work, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    rules_dir, text = done.stdout.splitlines()
    assert Path(rules_dir).is_relative_to(tmp_path) and text == "A man with severe anemia"
    shipped = {p.relative_to(REPO / "rules") for p in (REPO / "rules").rglob("*") if p.is_file()}
    installed = {p.relative_to(rules_dir) for p in Path(rules_dir).rglob("*") if p.is_file()}
    assert shipped - {Path("decisions.jsonl")} <= installed  # every rules file is in the wheel
    run = [sys.executable, "-m", "pipeline.cli", "run", str(RAW), "--out", str(work / "out")]
    done = subprocess.run(run, env=env, cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (work / "out" / "cases.parquet").exists()
