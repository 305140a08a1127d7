"""caseclean against off-the-shelf spelling correctors, same pairs, same scoring, one run.

Peers are dev-only (the ``peers`` extra and Debian's ``hunspell``); they are never imported by
the pipeline. Each peer corrects word by word, the way they are normally used: a token is
split into leading punctuation, an alphabetic core and trailing punctuation; only a purely
alphabetic core is looked up, the suggestion takes the core's case (``Tbe`` → ``The``,
``CT`` stays upper) and the punctuation and whitespace are put back. Tokens with digits or
inner punctuation (``T1``, ``well-marginated``) are left alone. Every peer memoises its
answer per distinct core, so words/s is the speed of a sensible integration, not of a naive
loop. Scoring is :func:`pipeline.evaluate.score_pairs`, the same as ``caseclean eval``.

Run from the repository root: ``.venv/bin/python -m bench.peers --limit 200``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline.evaluate import score_pairs

DEV = Path(__file__).resolve().parents[2] / "shared" / "dev"
DEFAULT_PAIRS = [DEV / "pairs.jsonl", DEV / "ocr_acl_dev.jsonl", DEV / "clean_pmc.jsonl"]
TOOLS = ("caseclean", "caseclean-run", "symspellpy", "pyspellchecker", "hunspell")
HUNSPELL_DICTS = "en_US,en_med_glut"
_TOKEN = re.compile(r"^(\W*?)([A-Za-z]+)(\W*)$")
_SPACES = re.compile(r"(\s+)")


class Unavailable(RuntimeError):
    """A tool that cannot run here; the benchmark says why and goes on with the others."""


@dataclass
class Tool:
    """A corrector ready to run: ``prepare`` sees every word first (hunspell answers in one
    batch), ``correct`` maps a whole text; both are timed."""

    name: str
    correct: Callable[[str], object]
    prepare: Callable[[Iterable[str]], None] = lambda words: None
    load_seconds: float = 0.0
    learn: Callable[[list[dict]], None] | None = None
    """Sees the set's pairs before correcting (caseclean's run learns its archive so)."""


def match_case(template: str, word: str) -> str:
    """``word`` in the case pattern of ``template`` (lower, Title or UPPER)."""
    if len(template) > 1 and template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def cores(texts: Iterable[str]) -> set[str]:
    """The distinct alphabetic cores a word-by-word peer will be asked about."""
    found: set[str] = set()
    for text in texts:
        for token in text.split():
            m = _TOKEN.match(token)
            if m:
                found.add(m.group(2))
    return found


def word_by_word(lookup: Callable[[str], str | None], lower: bool = True) -> Callable[[str], str]:
    """A text corrector from a single-word one, keeping case, punctuation and whitespace.

    ``lower`` asks about the lowercase core, for tools whose dictionary is all lowercase;
    hunspell knows case itself (``paris`` is wrong, ``Paris`` right), so it sees the core as is.
    """
    memo: dict[str, str] = {}

    def fix_core(core: str) -> str:
        if core not in memo:
            suggestion = lookup(core.lower() if lower else core)
            memo[core] = core if not suggestion else match_case(core, suggestion)
        return memo[core]

    def correct(text: str) -> str:
        parts = _SPACES.split(text)
        for k in range(0, len(parts), 2):
            m = _TOKEN.match(parts[k])
            if m:
                parts[k] = m.group(1) + fix_core(m.group(2)) + m.group(3)
        return "".join(parts)

    return correct


def make_caseclean() -> Tool:
    try:
        from pipeline.correct import clean_text
    except ImportError as exc:
        raise Unavailable(f"pipeline.correct.clean_text is not importable yet ({exc})") from exc
    started = time.perf_counter()
    clean_text("Warm up the lexicon.")
    return Tool("caseclean", clean_text, load_seconds=time.perf_counter() - started)


def make_caseclean_run() -> Tool:
    """caseclean as ``caseclean run`` and ``eval`` use it: taught the set's own texts and
    told each text's section kind, so it can tell damaged text from edited prose."""
    try:
        from pipeline.correct import Corrector
        from pipeline.evaluate import section_kind
    except ImportError as exc:
        raise Unavailable(f"pipeline.correct is not importable yet ({exc})") from exc
    state: dict[str, Any] = {}

    def learn(pairs: list[dict]) -> None:
        kinds = {p["noisy"]: section_kind(str(p.get("id", ""))) for p in pairs}
        state["kinds"] = kinds
        state["corrector"] = Corrector.load(sections=[(k, t) for t, k in kinds.items()])

    def correct(text: str) -> str:
        return state["corrector"].clean(text, section=state["kinds"].get(text)).text

    started = time.perf_counter()
    Corrector.load().clean("Warm up the lexicon.")
    return Tool("caseclean-run", correct, load_seconds=time.perf_counter() - started, learn=learn)


def make_symspellpy() -> Tool:
    try:
        from symspellpy import SymSpell, Verbosity
    except ImportError as exc:
        raise Unavailable("symspellpy is not installed (pip install -e '.[peers]')") from exc
    started = time.perf_counter()
    sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
    dictionary = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    with resources.as_file(dictionary) as path:
        sym.load_dictionary(str(path), term_index=0, count_index=1)

    def lookup(word: str) -> str | None:
        hits = sym.lookup(word, Verbosity.TOP, max_edit_distance=2)
        return hits[0].term if hits else None

    return Tool("symspellpy", word_by_word(lookup), load_seconds=time.perf_counter() - started)


def make_pyspellchecker() -> Tool:
    try:
        from spellchecker import SpellChecker
    except ImportError as exc:
        raise Unavailable("pyspellchecker is not installed (pip install -e '.[peers]')") from exc
    started = time.perf_counter()
    checker = SpellChecker()
    return Tool(
        "pyspellchecker",
        word_by_word(checker.correction),
        load_seconds=time.perf_counter() - started,
    )


def hunspell_answers(words: Iterable[str], dicts: str = HUNSPELL_DICTS) -> dict[str, str]:
    """First suggestion of ``hunspell -a`` for each misspelled word, in one batch.

    Each word goes on its own line behind ``^`` (so no word is read as a pipe command); the
    answer to a line is ``*``/``+``/``-`` (known), ``& word n off: s1, s2`` (suggestions) or
    ``#`` (none), then a blank line.
    """
    if shutil.which("hunspell") is None:
        raise Unavailable("the hunspell program is not installed (apt-get install hunspell)")
    ordered = sorted(set(words))
    if not ordered:
        return {}
    run = subprocess.run(
        ["hunspell", "-d", dicts, "-a"],
        input="".join(f"^{w}\n" for w in ordered),
        capture_output=True,
        text=True,
        check=True,
    )
    blocks = run.stdout.split("\n\n")
    if blocks and blocks[0].startswith("@(#)"):
        blocks[0] = blocks[0].partition("\n")[2]
    if len(blocks) - 1 != len(ordered):
        raise Unavailable(f"hunspell answered {len(blocks) - 1} of {len(ordered)} words")
    answers: dict[str, str] = {}
    for word, block in zip(ordered, blocks, strict=False):
        first = block.strip().splitlines()[0] if block.strip() else ""
        if first.startswith("&"):
            answers[word] = first.partition(": ")[2].split(", ")[0]
    return answers


def make_hunspell() -> Tool:
    if shutil.which("hunspell") is None:
        raise Unavailable("the hunspell program is not installed (apt-get install hunspell)")
    answers: dict[str, str] = {}

    def prepare(words: Iterable[str]) -> None:
        answers.update(hunspell_answers(set(words) - answers.keys()))

    return Tool("hunspell", word_by_word(answers.get, lower=False), prepare=prepare)


MAKERS: dict[str, Callable[[], Tool]] = {
    "caseclean": make_caseclean,
    "caseclean-run": make_caseclean_run,
    "symspellpy": make_symspellpy,
    "pyspellchecker": make_pyspellchecker,
    "hunspell": make_hunspell,
}


def read_pairs(path: Path, limit: int | None) -> list[dict]:
    """The first ``limit`` pairs of a JSONL file (all of them without a limit)."""
    pairs: list[dict] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                pairs.append(json.loads(line))
            if limit is not None and len(pairs) >= limit:
                break
    return pairs


def bench_tool(tool: Tool, pairs: list[dict]) -> dict[str, float | int | str]:
    """Score one tool on one set; seconds include its batch preparation, not its loading."""
    started = time.perf_counter()
    if tool.learn is not None:
        tool.learn(pairs)
    tool.prepare(cores(p["noisy"] for p in pairs))
    prepare_seconds = time.perf_counter() - started
    scores = score_pairs(pairs, tool.correct)
    t = scores.total
    seconds = prepare_seconds + scores.correct_seconds
    return {
        "tool": tool.name,
        "pairs": t.pairs,
        "words": t.noisy_words,
        "precision": t.precision,
        "recall": t.recall,
        "f1": t.f1,
        "wer_before": t.wer_before,
        "wer_after": t.wer_after,
        "cer_before": t.cer_before,
        "cer_after": t.cer_after,
        "errors": t.errors,
        "changed": t.changed,
        "fixed": t.fixed,
        "broken": t.broken,
        "seconds": seconds,
        "words_per_second": t.noisy_words / seconds if seconds else float("inf"),
        "load_seconds": tool.load_seconds,
    }


def format_table(name: str, rows: list[dict]) -> str:
    """One set's results as a plain-text table."""
    head = (
        f"{'tool':<15} {'prec':>6} {'recall':>6} {'F1':>6} {'WER before':>10} "
        f"{'WER after':>10} {'changed':>7} {'broken':>6} {'harm/1k':>7} {'words/s':>10} "
        f"{'load s':>6}"
    )
    lines = [f"== {name} ({rows[0]['pairs']} pairs, {rows[0]['words']} words)", head]
    for r in rows:
        lines.append(
            f"{r['tool']:<15} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} "
            f"{100 * r['wer_before']:9.2f}% {100 * r['wer_after']:9.2f}% "
            f"{r['changed']:>7} {r['broken']:>6} {1000 * r['broken'] / r['words']:7.2f} "
            f"{r['words_per_second']:>10,.0f} "
            f"{r['load_seconds']:6.1f}"
        )
    return "\n".join(lines)


def load_tools(names: Iterable[str]) -> list[Tool]:
    """The tools that can run here, with a line on stderr for each that cannot."""
    tools: list[Tool] = []
    for name in names:
        try:
            tools.append(MAKERS[name]())
        except Unavailable as exc:
            print(f"skipping {name}: {exc}", file=sys.stderr)
    return tools


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pairs",
        type=Path,
        action="append",
        help="a pairs JSONL file (repeatable; default: the two dev sets)",
    )
    parser.add_argument("--limit", type=int, help="only the first N pairs of each file")
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help=f"comma-separated subset of {','.join(TOOLS)}",
    )
    parser.add_argument("--json", type=Path, help="also write all results to this JSON file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [n.strip() for n in args.tools.split(",") if n.strip()]
    unknown = sorted(set(names) - set(TOOLS))
    if unknown:
        print(f"unknown tools: {', '.join(unknown)} (choose from {', '.join(TOOLS)})")
        return 2
    tools = load_tools(names)
    if not tools:
        print("no tool could run", file=sys.stderr)
        return 1
    results: dict[str, list[dict]] = {}
    for path in args.pairs or DEFAULT_PAIRS:
        pairs = read_pairs(path, args.limit)
        rows = []
        for tool in tools:
            try:
                rows.append(bench_tool(tool, pairs))
            except Unavailable as exc:
                print(f"skipping {tool.name} on {path.name}: {exc}", file=sys.stderr)
        if not rows:
            continue
        results[str(path)] = rows
        print(format_table(path.name, rows), flush=True)
        print()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
