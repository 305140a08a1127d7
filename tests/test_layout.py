"""The layout: stages you can see, imports that run one way, modules and functions that fit.

Data flows page -> document -> sections -> edits -> tables: the read stage knows nothing of
correction, correction nothing of runs or tables, and review, which shows what a run wrote,
never imports the correctors or the engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"

# What each part of the package may import from the rest of it (besides itself).
ALLOWED = {
    "pickling": set(),
    "spaces": set(),
    "edits": {"pickling"},
    "atomic": set(),
    "rules": {"pickling", "spaces"},
    "read": {"rules", "pickling", "spaces"},
    "correct": {"rules", "edits", "atomic", "pickling", "spaces"},
    "decisions": {"edits", "atomic", "rules", "pickling"},
    "output": {"rules", "edits", "pickling"},
    "run": {"read", "correct", "output", "decisions", "rules", "edits", "atomic"},
    "review": {"edits", "decisions", "output", "rules", "atomic"},
    "evaluate": {"rules"},
}


def _part(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imported_parts(path: Path) -> set[str]:
    parts: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            pieces = name.split(".")
            if pieces[0] == "pipeline" and len(pieces) > 1:
                parts.add(pieces[1])
    return parts


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _part(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_one_way(path: Path) -> None:
    part = _part(path)
    extra = _imported_parts(path) - ALLOWED[part] - {part}
    assert not extra, f"{path.relative_to(PACKAGE)} imports {sorted(extra)}"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_modules_and_functions_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= 450, f"{path.name} has over 450 lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            assert length <= 60, f"{path.name}: {node.name} has {length} lines"


def test_every_stage_the_readme_names_is_a_subpackage() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    for stage in ("read", "correct", "run", "output", "review", "evaluate", "rules"):
        assert (PACKAGE / stage / "__init__.py").exists()
        assert f"`pipeline/{stage}/`" in readme, f"README does not describe pipeline/{stage}/"
    for name in (p.stem for p in (PACKAGE / "correct" / "passes").glob("*.py")):
        if name not in ("__init__", "base", "words"):
            assert f"`{name}`" in readme, f"README does not name the {name} pass"


def test_the_readme_column_reference_is_the_schema() -> None:
    from pipeline.output.schema import column_reference, table_schemas
    from pipeline.rules import load_rules

    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- columns:start -->\n", "<!-- columns:end -->"
    written = readme[readme.index(start) + len(start) : readme.index(end)]
    expected = column_reference(table_schemas(load_rules()))
    assert written.strip() == expected.strip(), "regenerate it: caseclean schema"
