"""Step 3b: every word of the archive analysed once for the run, and work done meanwhile.

The corrector's first question about a word (is it worth a look, and what might it have been)
depends on the word and the archive alone. Each worker of the correcting step would ask it
again of the words they share; instead, the workers of this step analyse a share of the
archive's words each, and the parent installs every analysis in its corrector before the
correcting step's workers fork from it. (A cluster's workers receive the corrector pickled,
so sharing would send it twice; they analyse as they go. In one process it gains nothing.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from pipeline.run.executors import Executor, Progress
from pipeline.run.workers import Analysing, WordAnalyser

T = TypeVar("T")


def meanwhile(results: Iterable[T], work: Callable[[], None] | None) -> Iterator[T]:
    """The results of a step, with ``work`` done in this process once the first has come,
    while the workers go on with the rest."""
    for done, value in enumerate(results):
        yield value
        if done == 0 and work is not None:
            work()


ANALYSIS_CHUNK = 512
"""Words per task of the analysis step: enough to outweigh a task's cost, small enough that
the workers finish together."""


def share_analyses(
    cleaner: Analysing, words: Sequence[str], executor: Executor, progress: Progress
) -> None:
    """Step 3b: the corrector's analysis of every word, each worker a share of them, all
    installed in ``cleaner`` before the correcting step's workers fork: each word is analysed
    once in the run, not once by every worker that meets it."""
    chunks = [list(words[i : i + ANALYSIS_CHUNK]) for i in range(0, len(words), ANALYSIS_CHUNK)]
    for analyses in executor.map(WordAnalyser(cleaner), chunks, progress, "analysing words"):
        cleaner.install(analyses)
