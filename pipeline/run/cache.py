"""The step cache: every page's result of every step, on disk, under a key of its inputs.

A run reads every page, learns from all of them (chrome, layout, vocabulary), then corrects
every page. Each step's worker leaves its page's result here and the next step's worker reads
it back, so the parent holds only counts and memory does not grow with the archive.

Results are filed under a key: a digest of everything the step read (the page's bytes, the
code, the rules, the learnt chrome the page holds, what the archive taught). The same key means
the same result, so a cache kept in the output folder makes a re-run reuse every page whose
inputs did not change, and a run killed half way resumes where it stopped: each file is
written whole or not at all.

>>> key("read", "a", 1) == key("read", "a", 1), key("read", "a", 1) == key("read", "a", 2)
(True, False)
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.atomic import write_atomic


def key(*parts: object) -> str:
    """A digest of a step's inputs: text, numbers and tuples of them, in order."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


@dataclass(frozen=True)
class StepCache:
    """A folder of pickles by step and key, on storage every worker sees.

    ``keep`` says whether the cache outlives the run: a temporary one (no output folder to
    keep it in) does not store the last step's rows, which nothing would read again.
    """

    folder: Path
    keep: bool = False

    def path(self, step: str, digest: str) -> Path:
        return self.folder / step / digest[:2] / f"{digest}.pickle"

    def get(self, step: str, digest: str) -> Any | None:
        """The result filed under ``digest``, or None when there is none (or it is unreadable:
        a cache is never a reason to fail)."""
        try:
            data = self.path(step, digest).read_bytes()
        except OSError:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # a torn or foreign file: unpickling may raise anything
            return None

    def put(self, step: str, digest: str, value: Any) -> None:
        """File one result, atomically: a reader sees the whole file or none."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(self.path(step, digest), data)

    def prune(self, live: dict[str, set[str]]) -> int:
        """Remove the results no key of ``live`` (step -> digests of the last run) names, so
        the cache holds one archive's worth; the number removed."""
        removed = 0
        for step_dir in self.folder.iterdir() if self.folder.is_dir() else ():
            if not step_dir.is_dir():
                continue
            wanted = live.get(step_dir.name, set())
            for path in step_dir.glob("*/*"):
                if path.stem not in wanted:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed
