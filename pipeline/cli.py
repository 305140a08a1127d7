"""The ``caseclean`` command: a thin layer over the library.

Every command parses its options, calls one library function and prints. Progress goes to
stderr and only on a terminal; results go to stdout, so scripts can pipe them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__
from pipeline.decisions import DECISIONS_FILE, DecisionsError
from pipeline.output.folder import OutputError, check_output, locked, target_of
from pipeline.output.publish import run_provenance
from pipeline.output.schema import CACHE_NAME, table_schemas
from pipeline.progress import progress_bar
from pipeline.read.ingest import PageError
from pipeline.rules import Rules, RulesError, load_rules
from pipeline.run import RunOptions, RunResult, run
from pipeline.run.stamp import Stamp

if TYPE_CHECKING:
    from pipeline.output.sink import TableSink

DEFAULT_RAW = Path("data/raw")
DEFAULT_OUT = Path("data/clean")


def _print_summary(stamp: Stamp, out: Path | None, fresh: bool = True) -> None:
    print("caseclean run summary")
    if not fresh:
        print("  up to date: the pages, rules, code and decisions are those of the last run, "
              "and its outputs are as it left them (--no-cache to redo every page)")  # fmt: skip
    for key, value in stamp.summary.items():
        print(f"  {key:<26} {value}")
    for line in stamp.learned:
        print(f"  learned boilerplate: {line!r}")
    for case_id, stage, message in stamp.errors:
        print(f"  error: {case_id}: {stage}: {message}")
    for name, reason in stamp.skipped:
        print(f"  skipped: {name}: {reason}")
    if out is not None:
        print(f"  outputs                    {out}")


def _options(args: argparse.Namespace, raw_dir: Path, rules: Rules | None) -> RunOptions:
    from pipeline.decisions import DecisionBook

    out = getattr(args, "out", None)
    cached = out is not None and not getattr(args, "no_cache", False)
    return RunOptions(
        decisions=DecisionBook.load(out, args.rules),
        cache_dir=target_of(out) / CACHE_NAME if cached else None,
        work_dir=target_of(out).parent if out is not None else None,  # storage workers see
        raw_dir=raw_dir,
        rules_dir=args.rules,
        workers=args.workers,
        engine=args.engine,
        scheduler=args.scheduler,
        rules=rules,
    )


def _run_pipeline(
    args: argparse.Namespace,
    raw_dir: Path,
    sink: TableSink | None = None,
    rules: Rules | None = None,
    options: RunOptions | None = None,
) -> RunResult:
    show = sys.stderr.isatty() and not os.environ.get("CASECLEAN_NO_PROGRESS")
    from pipeline.run.cluster import SchedulerError

    with progress_bar(show) as progress:
        try:
            return run(options or _options(args, raw_dir, rules), progress, sink)
        except SchedulerError as exc:
            raise UsageError(str(exc)) from None


def _write_report(folder: Path) -> None:
    from pipeline.review.report import write_report

    write_report(folder)


def cmd_run(args: argparse.Namespace) -> int:
    """Clean an archive into the output folder; a bad page is an errors row, not a stop."""
    from pipeline.read.ingest import discover

    raw_dir: Path = args.raw_dir
    if not raw_dir.is_dir():
        print(f"caseclean: archive folder not found: {raw_dir}", file=sys.stderr)
        return 2
    check_output(args.out, raw_dir, force=args.force, own=[DECISIONS_FILE])
    if not discover(raw_dir):
        print(f"caseclean: no pages (*.html, *.htm, *.txt, gzipped too) under {raw_dir}; "
              "nothing written", file=sys.stderr)  # fmt: skip
        return 2
    rules = load_rules(args.rules)
    options = _options(args, raw_dir, rules)
    with locked(args.out):
        stamp, fresh = _run_or_reuse(args, options, rules)
    _print_summary(stamp, args.out, fresh)
    return 1 if args.strict and (stamp.errors or stamp.summary["warnings"]) else 0


def _run_or_reuse(
    args: argparse.Namespace, options: RunOptions, rules: Rules
) -> tuple[Stamp, bool]:
    """Run into the output folder, unless the last run's outputs are current; the run's
    stamp, and whether it ran."""
    from pipeline.output.schema import generated_files
    from pipeline.run.stamp import current, inputs_digest, outputs_state, write_stamp

    cache, target, names = options.cache_dir, target_of(args.out), generated_files()
    inputs = inputs_digest(options, rules, args.no_report, args.no_sqlite) if cache else ""
    started = time.perf_counter()
    if cache is not None and (stamp := current(cache, inputs, target, names)) is not None:
        stamp.summary["time"] = f"{time.perf_counter() - started:.1f}s"
        return stamp, False
    from pipeline.output.writers import stream_tables

    result = stream_tables(
        args.out,
        table_schemas(rules),
        rules.limits.write_batch_rows,
        lambda sink: _run_pipeline(args, options.raw_dir, sink, rules, options),
        lambda done: run_provenance(rules.digest, done.input_records()),
        None if args.no_report else _write_report,
        sqlite=not args.no_sqlite,
    )
    stamp = Stamp.of(inputs, result)
    if cache is not None:
        stamp.outputs = outputs_state(target, names)
        write_stamp(cache, stamp)
    return stamp, True


def cmd_clean_text(args: argparse.Namespace) -> int:
    from pipeline.correct import Corrector

    text = sys.stdin.read()
    result = Corrector.load(args.rules).clean(text)
    sys.stdout.write(result.text)
    if args.explain:
        for edit in result.edits:
            print(json.dumps(edit.to_record(), ensure_ascii=False), file=sys.stderr)
    return 0


def _at_least(minimum: int, unit: str) -> Callable[[str], int]:
    """An argparse type: a whole number of ``unit`` of at least ``minimum`` (argparse turns
    the error into a usage line and exit 2)."""

    def count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            need = "is" if minimum == 1 else "are"
            raise argparse.ArgumentTypeError(f"{value} {unit}: at least {minimum} {need} needed")
        return value

    return count


_positive = _at_least(1, "workers")
_folds = _at_least(2, "folds")  # one fold is the whole file


class UsageError(Exception):
    """A mistake in what the command was given: said in one line, exit 2."""


def _read_jsonl(path: Path) -> list[dict]:
    """The objects of a JSON-lines file; a bad line is a usage error naming file and line."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageError(f"{path}:{number}: not a JSON object ({exc.msg})") from None
            if not isinstance(row, dict):
                raise UsageError(f"{path}:{number}: not a JSON object")
            rows.append(row)
    return rows


def cmd_eval(args: argparse.Namespace) -> int:
    from pipeline import evaluate

    if args.pairs is None and args.gold is None:
        print("caseclean eval: give --pairs FILE or --gold FILE --archive DIR", file=sys.stderr)
        return 2
    if args.pairs is not None:
        from pipeline.correct import Corrector

        pairs = _read_jsonl(args.pairs)
        # As in `caseclean run`, the corrector learns the vocabulary of the text it cleans, and
        # is told each text's section kind when the pair ids give it (``case#findings``).
        kinds = {p["noisy"]: evaluate.section_kind(str(p.get("id", ""))) for p in pairs}
        corrector = Corrector.load(args.rules, sections=[(k, t) for t, k in kinds.items()])

        def correct(text: str) -> str:
            return corrector.clean(text, section=kinds.get(text)).text

        scores = evaluate.score_pairs(pairs, correct, folds=args.folds)
        print(evaluate.format_pair_scores(scores, by_section=args.by_section, top=args.top))
    if args.gold is not None:
        if args.archive is None:
            print("caseclean eval: --gold needs --archive DIR", file=sys.stderr)
            return 2
        gold = _read_jsonl(args.gold)
        try:
            kind = evaluate.gold_format(gold)
        except evaluate.GoldFormatError as exc:
            print(f"caseclean eval: {args.gold}: {exc}", file=sys.stderr)
            return 2
        result = _run_pipeline(args, args.archive)
        rows = result.records()
        from pipeline.output.frames import frame

        tables = {s.name: frame(s, rows[s.name]) for s in result.schemas}
        canonical = {"body_system": result.rules.body_systems.canonical}
        print(evaluate.gold_report(gold, tables, kind, canonical))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Serve the review page for the output folder of a run."""
    from pipeline.review.app import serve

    if not (Path(args.out) / "corrections.parquet").exists():
        print(f"caseclean review: no run in {args.out}: run `caseclean run` first", file=sys.stderr)
        return 2
    try:
        serve(args.out, args.port, args.rules, open_browser=args.open)
    except OSError as exc:
        raise UsageError(f"cannot serve on 127.0.0.1 port {args.port}: {exc.strerror}") from None
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the static report and say where it is."""
    from pipeline.review.report import write_report

    path = write_report(args.out)
    print(f"report written to {path}")
    print(f"open it with: xdg-open {path}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """One case's diff in the terminal; exit 2 when the case is unknown."""
    from pipeline.review.terminal import show_case

    try:
        show_case(args.out, args.case_id)
    except KeyError as exc:
        print(f"caseclean diff: {exc.args[0]}", file=sys.stderr)
        return 2
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    """What the structure stage sees in an archive: headings, chrome, profiles, bare pages."""
    from pipeline.rules import load_rules
    from pipeline.run.inspection import format_inspection, inspect_archive

    if not args.raw_dir.is_dir():
        print(f"caseclean: archive folder not found: {args.raw_dir}", file=sys.stderr)
        return 2
    found = inspect_archive(args.raw_dir, load_rules(args.rules))
    print(format_inspection(found, top=args.top))
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    """Remove what runs wrote in an output folder; reviewers' decisions and notes stay."""
    from pipeline.output.folder import remove_outputs
    from pipeline.output.schema import generated_files

    if not Path(args.out).exists():
        print(f"caseclean clean: nothing to remove: {args.out} does not exist")
        return 0
    removed = remove_outputs(args.out, generated_files())
    print(f"caseclean clean: removed {len(removed)} files from {args.out}; decisions kept")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the column reference of every table for a rules folder, as Markdown."""
    from pipeline.output.schema import column_reference, table_schemas
    from pipeline.rules import load_rules

    print(column_reference(table_schemas(load_rules(args.rules))), end="")
    return 0


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", type=Path, default=None, help="rules folder (default: rules/)")
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="processes to use (default: the machine's cores; never more than cores or pages)",
    )
    p.add_argument("--engine", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address")


def _add_inspect(commands: Any) -> None:
    """``inspect``: what the structure stage sees in an archive, before a run."""
    p_inspect = commands.add_parser("inspect", help="what the structure stage sees in an archive")
    p_inspect.add_argument("raw_dir", type=Path, help="archive folder")
    p_inspect.add_argument("--rules", type=Path, default=None, help="rules folder")
    p_inspect.add_argument("--top", type=int, default=50, help="headings to list (0: all)")
    p_inspect.set_defaults(func=cmd_inspect)


def _add_run_commands(commands: Any) -> None:
    """``run``, ``clean-text`` and ``eval``: the commands that correct."""
    p_run = commands.add_parser("run", help="clean an archive into tables")
    p_run.add_argument("raw_dir", nargs="?", type=Path, default=DEFAULT_RAW)
    p_run.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    p_run.add_argument("--strict", action="store_true", help="exit 1 if any page is bad")
    p_run.add_argument(
        "--force", action="store_true", help="write into a folder that holds other files"
    )
    p_run.add_argument("--no-report", action="store_true", help="do not regenerate report.html")
    p_run.add_argument(
        "--no-sqlite",
        action="store_true",
        help="no caseclean.sqlite; each table's Parquet a folder of one file per batch",
    )
    p_run.add_argument(
        "--no-cache",
        action="store_true",
        help=f"redo every page: neither read nor keep {CACHE_NAME} in the output folder",
    )
    _engine_options(p_run)
    p_run.set_defaults(func=cmd_run)

    p_clean = commands.add_parser("clean-text", help="correct text from stdin to stdout")
    p_clean.add_argument("--explain", action="store_true", help="edits as JSON lines on stderr")
    p_clean.add_argument("--rules", type=Path, default=None)
    p_clean.set_defaults(func=cmd_clean_text)

    p_eval = commands.add_parser("eval", help="score corrections or parsing against answers")
    p_eval.add_argument("--pairs", type=Path, help="JSON lines of {id, noisy, clean}")
    p_eval.add_argument("--by-section", action="store_true", help="figures per section kind")
    p_eval.add_argument("--top", type=int, default=0, help="list the N most frequent slips")
    p_eval.add_argument(
        "--folds",
        type=_folds,
        default=0,
        help="also score the pairs in N folds by document (tune on one, check on another)",
    )
    p_eval.add_argument("--gold", type=Path, help="gold answers (JSON lines) for --archive")
    p_eval.add_argument("--archive", type=Path, help="archive folder to run and score")
    _engine_options(p_eval)
    p_eval.set_defaults(func=cmd_eval)


def _add_output_commands(commands: Any) -> None:
    """``review``, ``report``, ``diff``, ``clean`` and ``schema``: the commands on outputs."""
    p_review = commands.add_parser("review", help="review the corrections in a local web page")
    p_review.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder of a run")
    p_review.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    p_review.add_argument("--rules", type=Path, default=None, help="rules folder for export")
    p_review.add_argument("--open", action="store_true", help="open the page in a browser")
    p_review.set_defaults(func=cmd_review)

    p_report = commands.add_parser("report", help="write a static HTML report of the corrections")
    p_report.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder of a run")
    p_report.set_defaults(func=cmd_report)

    p_diff = commands.add_parser("diff", help="show one case's corrections in the terminal")
    p_diff.add_argument("case_id", help="case id as in the cases table (path in the archive)")
    p_diff.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder of a run")
    p_diff.set_defaults(func=cmd_diff)

    p_clean_out = commands.add_parser(
        "clean", help="remove a run's outputs, keeping reviewers' decisions"
    )
    p_clean_out.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    p_clean_out.set_defaults(func=cmd_clean)

    p_schema = commands.add_parser("schema", help="print every table's columns as Markdown")
    p_schema.add_argument("--rules", type=Path, default=None, help="rules folder (default: rules/)")
    p_schema.set_defaults(func=cmd_schema)


def build_parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per task."""
    parser = argparse.ArgumentParser(
        prog="caseclean",
        description="Turn a radiology teaching archive into a tidy, reviewable dataset.",
    )
    parser.add_argument("--version", action="version", version=f"caseclean {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_run_commands(commands)
    _add_output_commands(commands)
    _add_inspect(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (
        RulesError,
        DecisionsError,
        FileNotFoundError,
        PageError,
        OutputError,
        UsageError,
    ) as exc:
        print(f"caseclean: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("caseclean: interrupted; previous outputs are intact", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
