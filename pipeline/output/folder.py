"""The output folder: claimed, locked, and replaced whole, so a run never costs anyone work.

A run's outputs hold hours of reviewers' decisions beside the tables. So a run writes into a
staging folder beside the target and swaps it in with renames at the end (a killed run leaves
the previous outputs whole); files it does not generate (decisions, notes) are carried over;
the folder keeps its permissions and, when ``--out`` is a symlink, its link. A marker file
says caseclean made the folder: a folder without it that holds other files is refused unless
forced, so ``--out ~/Documents`` never overwrites a user's ``cases.csv``. A lock file beside
the folder stops a second run, naming the first one's pid; a lock whose process is gone is
taken over.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pipeline.output.schema import CACHE_NAME
from pipeline.output.schema import MARKER_NAME as MARKER


class OutputError(Exception):
    """An output folder caseclean must not write: said in one line."""


def remove_outputs(out_dir: Path, generated: Iterable[str]) -> list[str]:
    """Delete what runs generated in ``out_dir`` and keep the rest (decisions, notes); the
    folder goes too when nothing else is left. Returns the names removed."""
    target = target_of(out_dir)
    if not (target / MARKER).exists():
        raise OutputError(f"{out_dir} is no caseclean output folder (no {MARKER} in it)")
    removed = []
    for name in [*generated, MARKER]:
        path = target / name
        if path.is_file():
            path.unlink()
            removed.append(name)
        elif path.is_dir():  # a table written as a partitioned Parquet dataset
            shutil.rmtree(path)
            removed.append(name)
    if (target / CACHE_NAME).is_dir():
        shutil.rmtree(target / CACHE_NAME)
        removed.append(CACHE_NAME)
    if not any(target.iterdir()):
        target.rmdir()
    return removed


def target_of(out_dir: Path) -> Path:
    """Where the outputs really go: a symlinked ``--out`` is followed, not replaced."""
    return Path(os.path.realpath(out_dir))


def check_output(
    out_dir: Path, raw_dir: Path | None, *, force: bool = False, own: Iterable[str] = ()
) -> None:
    """Refuse a folder caseclean must not write: a file, the archive itself or a folder in
    it, or a folder of someone else's files (unless ``force``). A folder holding only files
    named in ``own`` (reviewers' decisions brought over for a first run) is caseclean's."""
    target = target_of(out_dir)
    if target.exists() and not target.is_dir():
        raise OutputError(f"--out {out_dir} is a file, not a folder")
    if raw_dir is not None:
        raw = target_of(raw_dir)
        if target == raw or raw in target.parents:
            raise OutputError(f"--out {out_dir} is inside the archive folder {raw_dir}")
        if target in raw.parents:
            raise OutputError(f"--out {out_dir} holds the archive folder {raw_dir}")
    ours = {*own, CACHE_NAME}
    foreign = target.is_dir() and any(p.name not in ours for p in target.iterdir())
    if foreign and not (target / MARKER).exists() and not force:
        raise OutputError(
            f"--out {out_dir} holds files caseclean did not write; "
            "choose an empty or new folder, or pass --force"
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_path(out_dir: Path) -> Path:
    """The lock file of an output folder: beside it, so the swap never moves it."""
    target = target_of(out_dir)
    return target.with_name(f".{target.name}.caseclean-lock")


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock for a run; a live holder is an :class:`OutputError`."""
    path = lock_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder is not None and holder != os.getpid() and _alive(holder):
                raise OutputError(
                    f"another caseclean run (pid {holder}) is writing {out_dir}; "
                    f"wait for it, or remove {path} if it is gone"
                ) from None
            path.unlink(missing_ok=True)  # a stale lock: its run was killed
            continue
        with os.fdopen(handle, "w") as out:
            out.write(f"{os.getpid()}\n")
        break
    else:
        raise OutputError(f"cannot take the lock {path}")
    try:
        yield
    finally:
        if _holder(path) == os.getpid():
            path.unlink(missing_ok=True)


def _holder(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def staging(out_dir: Path) -> Path:
    """A new folder beside the target, on the same file system, for the run to fill.

    Staging folders left by killed runs (their pid is in the name) are removed first.
    """
    target = target_of(out_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.tmp-"
    for left in target.parent.glob(f"{prefix}*"):
        pid = left.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(left, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=target.parent))


def swap_in(
    new: Path,
    out_dir: Path,
    generated: Iterable[str],
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Replace the target by ``new``: files it does not generate are carried over, its mode
    is kept, ``finish`` sees the complete new folder (to write a report) before the swap.

    The cache moves over with a rename, not a copy: it may be large, and losing it to a
    crash costs only time.
    """
    target = target_of(out_dir)
    ours = {*generated, MARKER}
    mode = target.stat().st_mode & 0o7777 if target.is_dir() else 0o755
    if target.is_dir():
        for item in target.iterdir():
            if item.name == CACHE_NAME and not (new / item.name).exists():
                os.replace(item, new / item.name)
            elif item.name not in ours and not (new / item.name).exists():
                if item.is_dir():
                    shutil.copytree(item, new / item.name, symlinks=True)
                else:
                    shutil.copy2(item, new / item.name, follow_symlinks=False)
    (new / MARKER).write_text("written by caseclean run: its tables are regenerated\n")
    if finish is not None:
        finish(new)
    new.chmod(mode)
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.tmp-{os.getpid()}-old")
    os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
