"""Publishing a build: one build at a time per output folder, and all of it or nothing.

A build holds an OS lock (``flock``) on its output folder from start to end, so a second
build, a ``watch`` rebuild or a ``check`` of the same folder waits for it. Its files are
rendered into ``<out>/.staging/`` and then published by a :class:`Publication`: before the
first file is replaced, a journal lists every file the publication will replace, create or
remove (the outputs, the state files beside the facts and the manifest), and each file's
earlier content is kept as a hard link or copy. When anything fails (a full disk, a
read-only folder, Ctrl-C), the earlier files are put back; when the process is killed, the
next build finds the journal and puts them back before it starts. Only after the last file
is in place is the journal removed: that is the moment the new outputs, state files and
manifest become the published ones, together.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.errors import LocatedMessage, Location, UserError, user_error
from generator.writing import STAGING, staged_copy, write_atomically

JOURNAL = "journal.json"


def os_error(error: OSError, doing: str) -> UserError:
    """An OS error as a message that names the path and the cause."""
    path = error.filename if error.filename is not None else "policygen"
    return user_error(str(path), f"cannot {doing}: {error.strerror or error}")


@contextlib.contextmanager
def output_lock(out_dir: Path, *, shared: bool = False, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the output folder's lock.

    ``shared`` is for readers (``check``): several may read at once, never during a build.
    The folder is created when missing, since the lock is taken on the folder itself.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise user_error(str(out_dir), "the output folder is a file; name a folder with --out")
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise os_error(error, "create the output folder") from error
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    try:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(f"waiting for another policygen build of {out_dir} to finish")
            fcntl.flock(descriptor, mode)
        yield
    finally:
        # A build that created the folder and failed leaves nothing behind, not even the folder.
        if created and not any(out_dir.iterdir()):
            out_dir.rmdir()
        os.close(descriptor)


def prepare_staging(out_dir: Path) -> Path:
    """The scratch folder, empty: refused when it is a link or a file, never followed."""
    staging = out_dir / STAGING
    if staging.is_symlink() or (staging.exists() and not staging.is_dir()):
        raise user_error(
            str(staging),
            "is not a folder policygen made (a link or a file); remove it: policygen keeps its scratch files there",
        )
    recover(out_dir)
    clear_staging(out_dir)
    try:
        staging.mkdir()
    except OSError as error:
        raise os_error(error, "create the scratch folder") from error
    return staging


def clear_staging(out_dir: Path) -> None:
    """Remove the scratch folder (a link is never followed: ``rmtree`` refuses it)."""
    staging = out_dir / STAGING
    if staging.is_dir() and not staging.is_symlink():
        shutil.rmtree(staging, ignore_errors=True)


@dataclass(frozen=True)
class _Change:
    target: Path
    backup: Path
    existed: bool


class Publication:
    """Files to put in place together: replaced, created or removed as one change.

    Use as a context manager: leaving it normally commits, an exception puts every earlier
    file back (and propagates).
    """

    def __init__(self, out_dir: Path) -> None:
        self.staging = out_dir / STAGING
        self._planned: list[tuple[Path, Path | None]] = []
        """Each target, with the staged file to move in, or ``None`` to remove it."""
        self._done: list[_Change] = []

    def replace(self, target: Path, staged: Path) -> None:
        self._planned.append((target, staged))

    def write(self, target: Path, content: bytes) -> None:
        self._planned.append((target, staged_copy(self.staging, content)))

    def remove(self, target: Path) -> None:
        self._planned.append((target, None))

    def __enter__(self) -> Publication:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if kind is None:
            try:
                self._commit()
            except BaseException:
                _rollback(self._done)
                raise
        else:
            _rollback(self._done)

    def _commit(self) -> None:
        changes = [
            _Change(target, self.staging / f"backup-{index}", target.exists() or target.is_symlink())
            for index, (target, _) in enumerate(self._planned)
        ]
        journal = self.staging / JOURNAL
        record = [{"target": str(c.target), "backup": str(c.backup), "existed": c.existed} for c in changes]
        write_atomically(journal, json.dumps(record).encode(), staging=self.staging)
        for change, (_, staged) in zip(changes, self._planned, strict=True):
            try:
                _apply(change, staged)
            except OSError as error:
                # Each step replaces its file in one move: a step that failed changed nothing.
                raise user_error(str(change.target), f"cannot publish: {error.strerror or error}") from error
            self._done.append(change)
        journal.unlink()
        _sync_folder(self.staging)


def _apply(change: _Change, staged: Path | None) -> None:
    if change.existed:
        _keep_copy(change.target, change.backup)
    if staged is None:
        change.target.unlink(missing_ok=True)
        return
    change.target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, change.target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        # A state file beside the facts may live on another file system than the output.
        write_atomically(change.target, staged.read_bytes())


def _keep_copy(target: Path, backup: Path) -> None:
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, backup, follow_symlinks=False)


def _rollback(changes: list[_Change]) -> None:
    """Put back every changed file, latest first; signals wait until it is done.

    A file that cannot be put back does not stop the others; the ones left are named.
    """
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    failed: list[LocatedMessage] = []
    try:
        for change in reversed(changes):
            try:
                if change.backup.exists() or change.backup.is_symlink():
                    _restore(change.backup, change.target)
                elif not change.existed:
                    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                        change.target.unlink()
            except OSError as error:
                message = f"could not put back its earlier content ({error.strerror or error}); restore it by hand"
                failed.append(LocatedMessage(Location(str(change.target)), "", message))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    if failed:
        raise UserError(failed)


def _restore(backup: Path, target: Path) -> None:
    try:
        os.replace(backup, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        write_atomically(target, backup.read_bytes())


def recover(out_dir: Path) -> None:
    """Put back the files of a publication that was killed before it finished."""
    journal = out_dir / STAGING / JOURNAL
    try:
        record = json.loads(journal.read_bytes())
        changes = [_Change(Path(item["target"]), Path(item["backup"]), bool(item["existed"])) for item in record]
    except FileNotFoundError:
        return
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise user_error(
            str(journal),
            f"the journal of an interrupted build is damaged ({error}); check the outputs and state files, "
            f"then remove {out_dir / STAGING}",
        ) from error
    try:
        _rollback(changes)
        journal.unlink()
    except OSError as error:
        raise os_error(error, "restore the files of an interrupted build") from error


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
