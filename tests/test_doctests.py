"""The examples in the evaluate modules' docstrings are true."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from pipeline.evaluate import align, damage, gold, pairs


@pytest.mark.parametrize("module", [align, pairs, damage, gold], ids=lambda m: m.__name__)
def test_docstring_examples_hold(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{module.__name__} has no examples"
    assert result.failed == 0
