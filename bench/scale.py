"""How caseclean scales: pages/s, words/s and peak memory on N-page archives.

Builds N-page archives from ``../shared/dev/archive`` (its pages copied under new names, so no
cache can help), runs ``caseclean run`` on each with ``--workers 1``, ``--workers 2``,
``--engine dask --workers 2``, a warm re-run (nothing changed) and a re-run after one page
changed (both reuse the ``w2`` run's cache), and prints one table:
seconds, pages/s, words/s and the peak memory of the whole process tree (the run and its
workers), as RSS (sampled every 0.1 s) and as PSS (shared pages split between the processes
that share them; sampled every second, because reading it walks a process's page tables: 3 to
10 ms of CPU a process, which at ten samples a second took a sixth of a 2-core machine from
the run it measured). In the same run, symspellpy looks up the same words
as a yardstick. A benchmark, not a test: figures depend on the machine and its load.

    python -m bench.scale                      # N = 1,000 and 10,000
    python -m bench.scale --sizes 2000 --configs w1,w2
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

import pandas as pd
import psutil

REPO = Path(__file__).resolve().parents[1]
DEV_ARCHIVE = REPO.parent / "shared" / "dev" / "archive"
CONFIGS = {
    "w1": ["--workers", "1"],
    "w2": ["--workers", "2"],
    "dask": ["--engine", "dask", "--workers", "2"],
    "warm": ["--workers", "2"],
    "changed": ["--workers", "2"],
}
REUSING = ("warm", "changed")
"""Configs that re-run into the ``w2`` output folder (its cache): nothing changed, or one page."""


def build_archive(size: int, root: Path) -> Path:
    """``size`` pages: the dev archive's good pages again and again, each under a new name."""
    pages = sorted(p for p in DEV_ARCHIVE.rglob("*") if p.is_file() and "broken" not in p.parts)
    target = root / f"archive-{size}"
    for i in range(size):
        source = pages[i % len(pages)]
        folder = target / f"{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / f"{i:06d}-{source.name}")
    return target


RSS_EVERY = 0.1
"""Seconds between samples of the tree's RSS (``/proc/PID/statm``: microseconds to read)."""
PSS_EVERY = 10
"""Every how many RSS samples the tree's PSS is read too (``smaps_rollup``: milliseconds)."""


def _family(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return []


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants: a page the forked workers share
    with the parent (the lexicon, the corrector) counts once per process."""
    total = 0
    for proc in _family(process):
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total


def tree_pss(process: psutil.Process) -> int:
    """Proportional bytes of a process and all its descendants: each shared page split
    between the processes that share it, so the memory the run really holds."""
    total = 0
    for proc in _family(process):
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        total += getattr(info, "pss", info.rss)
    return total


def timed_run(archive: Path, out: Path, extra: list[str]) -> tuple[float, tuple[int, int], str]:
    """Seconds, peak tree RSS and PSS in bytes, and stdout of one ``caseclean run``."""
    env = {**os.environ, "CASECLEAN_NO_PROGRESS": "1", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "pipeline.cli", "run", str(archive), "--out", str(out)]
    started = time.perf_counter()
    child = subprocess.Popen(
        [*command, *extra], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    peak = (0, 0)
    watched = psutil.Process(child.pid)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        tick = 0
        while not stop.is_set():
            rss = tree_rss(watched)
            pss = tree_pss(watched) if tick % PSS_EVERY == 0 else 0
            peak = (max(peak[0], rss), max(peak[1], pss))
            tick += 1
            stop.wait(RSS_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = child.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if child.returncode != 0:
        raise RuntimeError(f"caseclean run failed ({child.returncode}):\n{stdout}")
    return seconds, peak, stdout


def archive_words(out: Path) -> list[str]:
    """The words the run read: every section's raw text, split at white space."""
    sections = pd.read_parquet(out / "sections.parquet", columns=["raw_text"])
    return [w for text in sections.raw_text for w in text.split()]


def symspell_words_per_second(words: list[str]) -> float:
    """symspellpy's lookups over the same words (its bundled dictionary, distance 2)."""
    from symspellpy import SymSpell, Verbosity

    speller = SymSpell(max_dictionary_edit_distance=2)
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    speller.load_dictionary(str(path), term_index=0, count_index=1)
    started = time.perf_counter()
    for word in words:
        speller.lookup(word.lower(), Verbosity.TOP, max_edit_distance=2)
    return len(words) / (time.perf_counter() - started)


def bench_size(size: int, configs: list[str], root: Path) -> list[dict[str, object]]:
    archive = build_archive(size, root)
    rows: list[dict[str, object]] = []
    words: list[str] = []
    for name in configs:
        out = root / f"out-{size}-{'w2' if name in REUSING else name}"
        if name not in REUSING:
            shutil.rmtree(out, ignore_errors=True)
        if name == "changed":
            first = min(p for p in archive.rglob("*") if p.suffix in (".txt", ".html"))
            with first.open("a", encoding="utf-8") as page:
                page.write("\nA line added since the last run.\n")
        seconds, peak, _ = timed_run(archive, out, CONFIGS[name])
        words = words or archive_words(out)
        rows.append(
            {
                "pages": size,
                "config": name,
                "seconds": seconds,
                "pages/s": size / seconds,
                "words/s": len(words) / seconds,
                "peak RSS MB": peak[0] / 2**20,
                "peak PSS MB": peak[1] / 2**20,
            }
        )
        print(format_row(rows[-1]), flush=True)
    rows.append(
        {
            "pages": size,
            "config": "symspellpy",
            "seconds": float("nan"),
            "pages/s": float("nan"),
            "words/s": symspell_words_per_second(words),
            "peak RSS MB": float("nan"),
            "peak PSS MB": float("nan"),
        }
    )
    print(format_row(rows[-1]), flush=True)
    return rows


def format_row(row: dict[str, object]) -> str:
    return (
        f"{row['pages']:>7} {row['config']:<11} {row['seconds']:>8.1f} {row['pages/s']:>8.0f} "
        f"{row['words/s']:>10,.0f} {row['peak RSS MB']:>8.0f} {row['peak PSS MB']:>8.0f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated page counts")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=",".join(CONFIGS))
    parser.add_argument("--keep", type=Path, help="build archives and outputs here, and keep them")
    args = parser.parse_args(argv)
    if not DEV_ARCHIVE.is_dir():
        print(f"the development archive is not at {DEV_ARCHIVE}", file=sys.stderr)
        return 1
    root = args.keep or Path(tempfile.mkdtemp(prefix="caseclean-scale-"))
    print(
        f"{'pages':>7} {'config':<11} {'seconds':>8} {'pages/s':>8} {'words/s':>10} "
        f"{'RSS MB':>8} {'PSS MB':>8}"
    )
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            bench_size(size, [c for c in args.configs.split(",") if c], root)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
