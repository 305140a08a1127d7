"""How fast caseclean corrects text, how long the lexicon takes to build, how much memory.

Three figures for the speed targets of the correction issue:

* words/s of ``clean_text`` over the noisy side of the dev pairs, on one core, lexicon loaded;
* lexicon build time cold (a fresh, empty ``CASECLEAN_CACHE``) and warm (that cache filled),
  each in a fresh Python process so no in-process cache helps;
* peak memory: the process's peak resident set size (``ru_maxrss``), and with
  ``--tracemalloc`` the peak of Python allocations during correction (slower run).

Run from the repository root: ``.venv/bin/python -m bench.speed``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

DEV_PAIRS = Path(__file__).resolve().parents[2] / "shared" / "dev" / "pairs.jsonl"
REPO = Path(__file__).resolve().parents[1]
_LOAD_SNIPPET = """
import time
from pipeline.correct.lexicon import Lexicon
from pipeline.rules import load_rules
rules = load_rules()
started = time.perf_counter()
Lexicon.load(rules)
print(time.perf_counter() - started)
"""


def pin_to_one_core() -> str:
    """Keep the process on one CPU where the OS allows it, so the figure is per core."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


def lexicon_load_seconds(cache_dir: Path) -> float:
    """Seconds ``Lexicon.load()`` takes in a fresh interpreter using ``cache_dir``."""
    env = {**os.environ, "CASECLEAN_CACHE": str(cache_dir), "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", _LOAD_SNIPPET],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return float(run.stdout.strip().splitlines()[-1])


def lexicon_times() -> dict[str, float]:
    """Cold then warm load time, with a throw-away cache directory."""
    with tempfile.TemporaryDirectory(prefix="caseclean-cache-") as tmp:
        cold = lexicon_load_seconds(Path(tmp))
        warm = lexicon_load_seconds(Path(tmp))
    return {"lexicon_cold_s": cold, "lexicon_warm_s": warm}


def read_texts(path: Path, limit: int | None) -> list[str]:
    """The noisy texts of a pairs file, in file order."""
    texts: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                texts.append(json.loads(line)["noisy"])
            if limit is not None and len(texts) >= limit:
                break
    return texts


def throughput(texts: list[str], traced: bool) -> dict[str, float]:
    """Words/s of ``clean_text`` over ``texts`` after a warm-up call loads the lexicon.

    Both per wall-clock second and per CPU second of this process: on a busy machine the
    CPU figure is the fair one, since the run is pinned to one core that others may share.
    """
    from pipeline.correct import clean_text

    clean_text("Warm up the lexicon.")
    words = sum(len(t.split()) for t in texts)
    if traced:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    for text in texts:
        clean_text(text)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    figures = {
        "words": words,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "words_per_s": words / seconds,
        "words_per_cpu_s": words / cpu_seconds,
    }
    if traced:
        figures["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return figures


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=DEV_PAIRS, help="pairs JSONL file")
    parser.add_argument("--limit", type=int, help="only the first N pairs")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slower)"
    )
    parser.add_argument("--skip-lexicon", action="store_true", help="no cold/warm timing")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    print(pin_to_one_core())
    figures: dict[str, float | str] = {}
    if not args.skip_lexicon:
        figures.update(lexicon_times())
        print(
            f"lexicon build: cold {figures['lexicon_cold_s']:.2f} s, "
            f"warm {figures['lexicon_warm_s']:.3f} s (from the cache)"
        )
    try:
        figures.update(throughput(read_texts(args.pairs, args.limit), args.tracemalloc))
    except ImportError as exc:
        print(f"clean_text is not importable yet ({exc}); no throughput figure")
    else:
        print(
            f"clean_text: {figures['words']:,} words in {figures['seconds']:.2f} s "
            f"= {figures['words_per_s']:,.0f} words/s on one core "
            f"({figures['words_per_cpu_s']:,.0f} words per CPU second)"
        )
        if "tracemalloc_peak_mb" in figures:
            print(
                f"peak Python allocations while correcting: {figures['tracemalloc_peak_mb']:.1f} MB"
            )
    figures["peak_rss_mb"] = peak_rss_mb()
    print(f"peak resident memory of this process: {figures['peak_rss_mb']:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
