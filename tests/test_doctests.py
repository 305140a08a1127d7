"""The examples in the library's docstrings are true: every module of ``pipeline`` is run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import pipeline


def _modules() -> list[ModuleType]:
    names = [info.name for info in pkgutil.walk_packages(pipeline.__path__, "pipeline.")]
    return [importlib.import_module(name) for name in sorted(names)]


MODULES = _modules()
# The small pure functions whose examples document them; a refactor must keep them.
MUST_HAVE_EXAMPLES = {
    "pipeline.edits",
    "pipeline.rules.page",
    "pipeline.read.fields",
    "pipeline.correct.wordforms",
    "pipeline.read.document",
    "pipeline.read.headings",
    "pipeline.read.unlabeled",
    "pipeline.read.demographics",
    "pipeline.read.metadata",
    "pipeline.correct.tokens",
    "pipeline.correct.judge",
    "pipeline.evaluate.align",
    "pipeline.evaluate.pairs",
    "pipeline.evaluate.damage",
    "pipeline.evaluate.gold",
}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_hold(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if module.__name__ in MUST_HAVE_EXAMPLES:
        assert result.attempted > 0, f"{module.__name__} lost its examples"


def test_every_listed_module_exists() -> None:
    assert {m.__name__ for m in MODULES} >= MUST_HAVE_EXAMPLES
