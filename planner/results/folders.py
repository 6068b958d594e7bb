"""Output-folder safety: the planner replaces or deletes only folders it wrote itself.

Every folder the planner writes (a plan, a comparison, a sweep, a diagnosis) holds a marker file,
`.planner-folder`. An existing `--out` without the marker is never replaced, with or without
`--force` ("not a plan folder: choose another --out"); an `--out` that is, contains or lies inside
the case folder, or that is or contains the filesystem root or the home folder, is refused before
anything is read or written. One run at a time writes an output folder: an exclusive lock
(`filelock`, on `.<name>.lock` next to the folder, removed afterwards) makes a second run fail cleanly with
"another run is writing DIR". Removal never follows a symlink (`shutil.rmtree` removes links, not
their targets, and refuses a symlinked top folder; a symlinked `--out` is refused anyway).

Files are written atomically (`atomic_write`): to a temporary name in the same folder, then renamed;
on any error (read-only folder, disk full, Ctrl-C) the temporary file is removed and a PlannerError
names the file. A run killed outright leaves a hidden `.<name>.partial-<pid>-*` staging folder;
the next run writing anywhere in that parent folder removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from filelock import FileLock, Timeout

from planner.errors import FolderBusyError, PlannerError, UsageError

MARKER = ".planner-folder"
"""Name of the marker file inside every folder the planner writes."""

KINDS = ("plan", "compare", "sweep", "diagnosis")

NOT_OURS = "not a plan folder: choose another --out"


def umask_mode(mode: int = 0o777) -> int:
    """`mode` with the process umask applied (what mkdir would give); mkdtemp always makes 0700."""
    current = os.umask(0)
    os.umask(current)
    return mode & ~current


def _absolute(target: Path) -> Path:
    """Absolute path with `..` folded and the parent's symlinks resolved, the last part kept as is."""
    absolute = Path(os.path.abspath(Path(target).expanduser()))
    if absolute == absolute.parent:
        return absolute
    return absolute.parent.resolve() / absolute.name


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def is_marked(folder: Path) -> bool:
    """True for a real folder (not a symlink) holding the planner's marker as a regular file."""
    try:
        return (
            not folder.is_symlink()
            and folder.is_dir()
            and (folder / MARKER).is_file()
            and not (folder / MARKER).is_symlink()
        )
    except OSError:
        return False


def check_target(target: Path, protect: Sequence[Path] = (), force: bool = False, replace: bool = True) -> Path:
    """Refuse an output folder the planner may not write; returns its absolute path.

    `protect` are the folders the run reads (the case folder): the output may not be, contain or lie
    inside them. `replace` is False for folders that are written into (a sweep resumes, a diagnosis
    joins a plan) rather than replaced; then an existing marked folder is fine without `force`.
    """
    out = _absolute(target)
    home = Path.home().resolve()
    if _is_within(home, out) or out == Path(out.anchor):
        raise UsageError(f"{out}: {NOT_OURS} (it is or contains the filesystem root or your home folder)")
    for folder in protect:
        case = Path(folder).resolve()
        if _is_within(out, case) or _is_within(case, out):
            raise UsageError(f"{out}: {NOT_OURS} (it is, holds or lies inside the case folder {case})")
    if out.is_symlink():
        raise UsageError(f"{out}: {NOT_OURS} (it is a symbolic link)")
    if out.exists() and not is_marked(out):
        raise UsageError(f"{out}: {NOT_OURS} (it exists and was not written by the planner; nothing was changed)")
    if out.exists() and replace and not force:
        raise UsageError(f"output folder {out} already exists; pass --force to replace it or --out to choose another")
    return out


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the exclusive lock of output folder `out` (absolute); a second holder fails at once."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out.parent / f".{out.name}.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout as error:
        msg = f"another run is writing {out}; wait for it to finish or choose another --out"
        raise FolderBusyError(msg) from error
    except OSError as error:
        raise PlannerError(f"cannot write into {out.parent}: {error.strerror or error}") from error
    try:
        yield
    finally:
        lock.release()
        # filelock re-checks the inode after locking (an unlinked lock file is not a lock), so
        # removing it here is safe and leaves no `.<name>.lock` behind in the user's folder.
        with contextlib.suppress(OSError):
            os.unlink(out.parent / f".{out.name}.lock")


def write_marker(folder: Path, kind: str) -> None:
    """The marker that lets a later run recognise (and replace) this folder."""
    try:
        planner_version = version("planner")
    except PackageNotFoundError:
        planner_version = "unknown"
    text = json.dumps({"written_by": "planner", "kind": kind, "version": planner_version}) + "\n"
    atomic_write(folder / MARKER, text)


@contextlib.contextmanager
def staging(target: Path, force: bool, kind: str = "plan", protect: Sequence[Path] = ()) -> Iterator[Path]:
    """Yield a fresh marked staging folder; on success it replaces `target`, on any error it vanishes.

    Checks run before the lock and again under it, so two runs never both write one folder. The
    swap into place runs with Ctrl-C and SIGTERM held.
    """
    out = check_target(target, protect, force)
    with locked(out):
        check_target(out, protect, force)
        clean_stale(out)
        stage = _make_stage(out)
        try:
            write_marker(stage, kind)
            yield stage
        except OSError as error:
            _remove(stage)
            raise PlannerError(
                f"cannot write the {kind} into {out.parent}: {error.strerror or error}; nothing was changed"
            ) from error
        except BaseException:
            _remove(stage)
            raise
        with _signals_blocked():
            check_target(out, protect, force)
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            try:
                if out.exists():
                    out.rename(old)
                stage.rename(out)
            except OSError as error:
                _remove(stage)
                raise PlannerError(f"cannot move the finished plan into {out}: {error.strerror or error}") from error
            _remove(old)


@contextlib.contextmanager
def claimed(target: Path, kind: str, protect: Sequence[Path] = ()) -> Iterator[Path]:
    """Lock an output folder that is written into (compare, sweep, diagnosis); create it marked if new."""
    out = check_target(target, protect, replace=False)
    with locked(out):
        check_target(out, protect, replace=False)
        clean_stale(out)
        if not out.exists():
            stage = _make_stage(out)
            try:
                write_marker(stage, kind)
                stage.rename(out)
            except BaseException:
                _remove(stage)
                raise
        yield out


def _make_stage(out: Path) -> Path:
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{os.getpid()}-", dir=out.parent))
        stage.chmod(umask_mode())
    except OSError as error:
        raise PlannerError(f"cannot write into {out.parent}: {error.strerror or error}") from error
    return stage


def _remove(folder: Path) -> None:
    """Remove a folder this run made; never follows a symlink."""
    if folder.is_symlink():
        folder.unlink(missing_ok=True)
    elif folder.exists():
        shutil.rmtree(folder, ignore_errors=True)


def clean_stale(target: Path) -> list[Path]:
    """Remove staging folders of dead runs anywhere in `target`'s parent; restore an interrupted swap."""
    removed: list[Path] = []
    parent = target.parent
    if not parent.is_dir():
        return removed
    with contextlib.suppress(OSError):
        for leftover in parent.glob(".*.partial-*"):
            pid = leftover.name.split(".partial-", 1)[1].split("-", 1)[0]
            dead = not pid.isdigit() or not _alive(int(pid))
            if (
                dead
                and leftover.is_dir()
                and not leftover.is_symlink()
                and (is_marked(leftover) or _empty_or_ours(leftover))
            ):
                _remove(leftover)
                removed.append(leftover)
        for old in parent.glob(f".{target.name}.old*"):
            pid = old.name.removeprefix(f".{target.name}.old").lstrip("-")
            if not old.is_dir() or old.is_symlink() or (pid.isdigit() and _alive(int(pid))):
                continue
            if not target.exists():
                old.rename(target)
            else:
                _remove(old)
    return removed


def _empty_or_ours(folder: Path) -> bool:
    """A staging folder killed before its marker was written is empty (older planners wrote none)."""
    try:
        return not any(folder.iterdir()) or (folder / "manifest.json").exists() or (folder / "solver.log").exists()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the few renames that swap the finished folder into place."""
    signals = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def atomic_write(path: Path, data: str | bytes) -> Path:
    """Write a file through a temporary name in its folder and rename; nothing partial on any error.

    The file gets the permissions a plain write would (0666 less the umask). A failure (read-only
    folder, disk full, ...) becomes a PlannerError naming the file.
    """
    path = Path(path)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, umask_mode(0o666))
        os.replace(tmp, path)
        tmp = None
    except OSError as error:
        raise PlannerError(f"cannot write {path}: {error.strerror or error}; nothing was changed") from error
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return path
