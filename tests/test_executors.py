"""Executors: what a step builds on first use is built once, before workers fork."""

from __future__ import annotations

import pickle
from collections.abc import Callable

from pipeline.read.fields import ModalityFinder
from pipeline.rules import Rules
from pipeline.run.executors import LocalExecutor, no_progress


class _Lazy:
    """A step that records whether it was warmed in the process that runs it."""

    def __init__(self) -> None:
        self.warmed = 0

    def warmup(self) -> Callable[[], None]:
        return self._warm

    def _warm(self) -> None:
        self.warmed += 1

    def __call__(self, item: int) -> tuple[int, int]:
        return item, self.warmed


def test_a_pool_warms_its_step_once_before_the_workers_fork() -> None:
    step = _Lazy()
    results = list(LocalExecutor(2).map(step, list(range(8)), no_progress, "step"))
    assert results == [(i, 1) for i in range(8)]  # every worker inherited the warmed step
    assert step.warmed == 1


def test_a_warmed_modality_finder_finds_the_same_and_pickles_without_matchers(
    rules: Rules,
) -> None:
    text = "PA film and lateral radiograph; MR images and sonography. Contrast CT."
    warmed = ModalityFinder(rules.modalities)
    warmed.warm()
    assert warmed.find(text) == ModalityFinder(rules.modalities).find(text)
    assert pickle.loads(pickle.dumps(warmed)).find(text) == warmed.find(text)


def test_work_meanwhile_is_done_once_after_the_first_result() -> None:
    """The parent builds the next step's parts while the workers go on: once, after the
    first result, and the results are untouched."""
    from pipeline.run.analyses import meanwhile

    done: list[int] = []
    seen: list[int] = []
    for value in meanwhile(iter([1, 2, 3]), lambda: done.append(len(seen))):
        seen.append(value)
    assert seen == [1, 2, 3] and done == [1]
    assert list(meanwhile(iter([]), lambda: done.append(-1))) == [] and done == [1]
    assert list(meanwhile(iter([4]), None)) == [4]


def test_the_parent_lets_go_of_a_step_its_forked_workers_hold() -> None:
    """Once the workers have forked with the step (a corrector of a few hundred MB), the
    parent keeps no reference to it: the workers go on with their copies."""
    import weakref

    step = _Lazy()
    gone = weakref.ref(step)
    results = LocalExecutor(2).map(step, list(range(8)), no_progress, "step")
    del step
    first = next(results)
    assert gone() is None
    assert [first, *results] == [(i, 1) for i in range(8)]


def test_giving_memory_back_keeps_what_is_still_held() -> None:
    from pipeline.run.heap import give_back

    kept = [str(i) * 100 for i in range(10_000)]
    give_back()
    assert kept[9_999] == "9999" * 100


def test_only_forked_workers_share_what_the_parent_built() -> None:
    assert not LocalExecutor(1).forks
    assert LocalExecutor(2).forks


_PRESSED_DURING_FORK = """
import os, signal, sys
from pipeline.run.executors import LocalExecutor, no_progress

pressed = []

def press() -> None:
    if not pressed:  # Ctrl-C while the pool forks its first worker
        pressed.append(1)
        os.kill(os.getpid(), signal.SIGINT)

os.register_at_fork(before=press)
try:
    print(list(LocalExecutor(2).map(abs, [-1, -2, -3], no_progress, "step")))
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_ctrl_c_while_a_pool_forks_still_stops_the_run() -> None:
    """A KeyboardInterrupt raised in an at-fork hook is printed and lost; the executor holds
    Ctrl-C back while it forks, so it stops the run right after instead."""
    import subprocess
    import sys

    from .conftest import REPO

    done = subprocess.run(
        [sys.executable, "-c", _PRESSED_DURING_FORK],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 130, done.stdout + done.stderr
    assert "Exception ignored" not in done.stderr
