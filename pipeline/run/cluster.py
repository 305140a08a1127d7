"""Run the engine's stages on a Dask cluster (``caseclean run --engine dask``).

The engine's tasks read per-process state (rules, the corrector) set by an initializer.
On Dask that state is scattered to every worker once, and each worker process runs the
initializer the first time a task of the stage reaches it. Pages travel in batches, and
results are put back in page order, so the tables do not depend on the cluster.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

_READY: set[str] = set()


@dataclass
class _Stage:
    """What every task of one stage needs: the initializer, its arguments and the task."""

    init: Callable[..., None]
    initargs: tuple[Any, ...]
    task: Callable[[Any], Any]
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def _run_batch(batch: list[Any], stage: _Stage) -> list[Any]:
    if stage.token not in _READY:
        stage.init(*stage.initargs)
        _READY.clear()
        _READY.add(stage.token)
    return [stage.task(item) for item in batch]


class DaskExecutor:
    """A Dask client for one run: a scheduler given by address, or a LocalCluster."""

    def __init__(self, workers: int, scheduler: str | None = None, batch_size: int = 16) -> None:
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self._cluster = LocalCluster(
                n_workers=max(1, workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client = Client(self._cluster)
        self.batch_size = batch_size

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def map(
        self,
        task: Callable[[Any], Any],
        items: Sequence[Any],
        init: Callable[..., None],
        initargs: tuple[Any, ...],
        progress: Callable[[str, int, int], None],
        stage_name: str,
    ) -> list[Any]:
        """Run ``task`` on every item on the cluster; results in item order."""
        from dask.distributed import as_completed

        total = len(items)
        if not total:
            return []
        stage = self.client.scatter(_Stage(init, initargs, task), broadcast=True)
        batches = [list(items[i : i + self.batch_size]) for i in range(0, total, self.batch_size)]
        futures = [self.client.submit(_run_batch, b, stage, pure=False) for b in batches]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[list[Any] | None] = [None] * len(futures)
        done = 0
        for future in as_completed(futures):
            batch = future.result()
            results[index[future.key]] = batch
            done += len(batch)
            progress(stage_name, done, total)
        return [item for batch in results if batch is not None for item in batch]
