"""Executors: run one step over many items, results in item order, whatever runs them.

:class:`LocalExecutor` runs a step in this process or on a pool of forked processes;
:class:`pipeline.run.cluster.DaskExecutor` on a Dask cluster. Both satisfy :class:`Executor`,
so the engine does not know which one it has, and the tables are the same with either.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

Progress = Callable[[str, int, int], None]
"""Called with (step name, items done, items in all) as a step advances."""
Step = Callable[[Any], Any]


def no_progress(stage: str, done: int, total: int) -> None:
    """The default progress callback: says nothing."""


class Executor(Protocol):
    """Runs a step on every item and yields the results in item order, as they come."""

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def map(self, step: Step, items: Sequence[Any], progress: Progress, name: str) -> Iterator[Any]:
        """``step(item)`` for every item, perhaps elsewhere, in order, reporting progress."""
        ...


# The step a pool's worker process runs: set in the parent just before the pool forks, so
# every worker inherits it without pickling (a corrector holds a lexicon of a few hundred
# thousand words), and let go of in the parent once they have: the tasks carry only items.
_worker_step: Step | None = None


def _install() -> None:
    # Ctrl-C is the parent's to handle: it stops the pool, workers must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held while it forked


def _run(item: Any) -> Any:
    assert _worker_step is not None, "a pool's workers inherit the step as they fork"
    return _worker_step(item)


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C back while a pool forks, and deliver it after.

    Forking runs the at-fork hooks of the modules loaded (logging's, distributed's): a
    KeyboardInterrupt raised inside one is printed as "Exception ignored" and lost, and the
    run went on to the end as if no one had pressed Ctrl-C.
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


class LocalExecutor:
    """Runs a step in this process, or on a pool of ``workers`` forked processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    @property
    def forks(self) -> bool:
        """Whether steps run in forked processes, which share what this one built before."""
        return self.workers > 1

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, step: Step, items: Sequence[Any], progress: Progress, name: str) -> Iterator[Any]:
        total = len(items)
        if self.workers <= 1 or total < 2:
            for done, item in enumerate(items, start=1):
                yield step(item)
                progress(name, done, total)
            return
        chunk = max(1, min(16, total // (self.workers * 4)))
        warmup = getattr(step, "warmup", None)  # what a step builds on first use, built once
        if warmup is not None:
            warmup()()
        pool = _fork_pool(self.workers, step)
        del step, warmup  # the workers have it: this process may let go of it
        try:
            for done, value in enumerate(pool.imap(_run, items, chunksize=chunk), start=1):
                yield value
                progress(name, done, total)
        except BaseException:
            pool.terminate()  # Ctrl-C, a failure, or a consumer that stopped early
            raise
        else:
            pool.close()
        finally:
            pool.join()


def _fork_pool(workers: int, step: Step) -> multiprocessing.pool.Pool:
    """A pool of ``workers`` processes forked from this one, each with ``step`` installed."""
    global _worker_step
    # Frozen objects are never visited by a worker's garbage collector, so the pages
    # holding the corrector's lexicon stay shared with the parent instead of being copied.
    gc.freeze()
    _worker_step = step
    try:
        with _ctrl_c_held():
            return multiprocessing.get_context("fork").Pool(workers, _install)
    finally:
        _worker_step = None
        gc.unfreeze()


def make_executor(workers: int, engine: str, scheduler: str | None) -> Executor:
    """The executor ``caseclean run`` asks for: local processes, or a Dask cluster."""
    if engine == "dask":
        from pipeline.run.cluster import DaskExecutor

        return DaskExecutor(workers, scheduler)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (use local or dask)")
    return LocalExecutor(workers)
