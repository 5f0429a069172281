"""Publishing a build: all of it or nothing.

Under the locks of :mod:`generator.locks` (one build at a time per output folder and per
folder of facts), a build's files are rendered into ``<out>/.staging/`` and then published
by a :class:`Publication`: before the first file is replaced, a journal
lists every file the publication will replace, create or remove (the outputs, the state
files beside the facts and the manifest), and each file's earlier content is kept as a
hard link or copy. When anything fails (a full disk, a read-only folder, Ctrl-C), the
earlier files are put back; when the process is killed, the next build finds the journal
and puts back the output folder's files before it starts (:func:`recover`: not a state file
that others may have read since). Only after the last file is in place is the journal
removed: that is the moment the new outputs, state files and manifest become the
published ones, together.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from generator.errors import LocatedMessage, UserError, user_error
from generator.project import STATE_SUFFIX, read_kept_file
from generator.writing import STAGING, staged_copy, write_atomically

JOURNAL = "journal.json"


def os_error(error: OSError, doing: str) -> UserError:
    """An OS error as a message that names the path and the cause."""
    path = error.filename if error.filename is not None else "policygen"
    return user_error(str(path), f"cannot {doing}: {error.strerror or error}")


def prepare_staging(out_dir: Path) -> None:
    """The scratch folder, empty, after undoing a publication a killed build left unfinished.

    Refused when it is a link or a file, never followed.
    """
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


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done, then take effect as they would have.

    Blocking them (``pthread_sigmask``) holds them back in the blocking thread only: with another
    thread running (the progress bar's in a terminal, watchfiles'), the kernel hands them to that
    one and Python raises them in this thread all the same. Handlers note them instead, whichever
    thread receives them, and the first is raised again when the block is left. Python raises
    signals in the main thread only, so a block in another thread (a site generator's server)
    has nothing to hold back.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def note(number: int, _frame: FrameType | None) -> None:
        received.append(number)

    previous = {number: signal.signal(number, note) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)  # None: set outside Python
        if received:
            signal.raise_signal(received[0])


def clear_staging(out_dir: Path) -> None:
    """Remove the scratch folder, unless it holds the journal of a publication not yet undone.

    A link is never followed (``rmtree`` refuses it). Ctrl-C and SIGTERM wait until it is gone:
    a second Ctrl-C, or ``timeout`` signalling the build and its process group at once, landed
    in the middle of the removal, after the first had stopped the build, and left its files.
    """
    staging = out_dir / STAGING
    if staging.is_dir() and not staging.is_symlink() and not (staging / JOURNAL).exists():
        with signals_held():
            shutil.rmtree(staging, ignore_errors=True)


@dataclass(frozen=True)
class _Change:
    target: Path
    backup: Path
    existed: bool


class Publication:
    """Files to put in place together: replaced, created or removed as one change.

    Use as a context manager: leaving it normally commits, an exception puts every earlier
    file back (and propagates). The caller keeps Ctrl-C and SIGTERM waiting while it commits.
    """

    def __init__(self, out_dir: Path) -> None:
        self.staging = out_dir / STAGING
        self._planned: list[tuple[Path, Path | None]] = []
        """Each target, with the staged file to move in, or ``None`` to remove it."""
        self._done: list[_Change] = []
        self._created_folders: list[Path] = []

    def replace(self, target: Path, staged: Path) -> None:
        self._planned.append((target, staged))

    def write(self, target: Path, content: bytes) -> None:
        self._planned.append((target, staged_copy(self.staging, content)))

    def remove(self, target: Path) -> None:
        self._planned.append((target, None))

    def __enter__(self) -> Publication:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if kind is not None:
            return
        try:
            self._commit()
        except BaseException:
            _rollback(self._done, self._created_folders)
            (self.staging / JOURNAL).unlink(missing_ok=True)
            raise

    def _commit(self) -> None:
        changes = [
            _Change(target, self.staging / f"backup-{index}", target.exists() or target.is_symlink())
            for index, (target, _) in enumerate(self._planned)
        ]
        journal = self.staging / JOURNAL
        # Absolute: the build that undoes a killed one may run in another working directory.
        record = [{"target": str(c.target.absolute()), "backup": c.backup.name, "existed": c.existed} for c in changes]
        write_atomically(journal, json.dumps(record).encode(), staging=self.staging)
        for change, (_, staged) in zip(changes, self._planned, strict=True):
            try:
                self._created_folders.extend(_apply(change, staged))
            except OSError as error:
                # Each step replaces its file in one move: a step that failed changed nothing.
                raise user_error(str(change.target), f"cannot publish: {error.strerror or error}") from error
            self._done.append(change)
        journal.unlink()
        _sync_folder(self.staging)
        self._remove_emptied_folders()

    def _remove_emptied_folders(self) -> None:
        """Folders left empty by removed files go too (a language no longer published)."""
        out_dir = self.staging.parent.resolve()
        for target, staged in self._planned:
            if staged is not None or not target.is_relative_to(out_dir):
                continue
            for folder in target.parents:
                if folder == out_dir or not folder.is_relative_to(out_dir):
                    break
                try:
                    folder.rmdir()
                except OSError:  # not empty, or gone already
                    break


def _apply(change: _Change, staged: Path | None) -> list[Path]:
    """Make one change; returns the folders it had to create, outermost first."""
    if change.existed:
        _keep_copy(change.target, change.backup)
    if staged is None:
        change.target.unlink(missing_ok=True)
        return []
    missing = [folder for folder in reversed(change.target.parents) if not folder.exists()]
    change.target.parent.mkdir(parents=True, exist_ok=True)
    _move(staged, change.target)
    return missing


def _keep_copy(target: Path, backup: Path) -> None:
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, backup, follow_symlinks=False)


def _rollback(changes: list[_Change], created_folders: list[Path]) -> None:
    """Put back every changed file, latest first, and remove the folders made for new ones.

    Signals wait until it is done. A file that cannot be put back does not stop the others;
    the ones left are named, and the journal and the copies stay for the next build to retry.
    """
    failed: list[LocatedMessage] = []
    with signals_held():
        for change in reversed(changes):
            try:
                if change.backup.exists() or change.backup.is_symlink():
                    _move(change.backup, change.target)
                elif not change.existed:
                    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                        change.target.unlink()
            except OSError as error:
                message = f"could not put back its earlier content ({error.strerror or error}); restore it by hand"
                failed.append(LocatedMessage.about_file(str(change.target), message))
        for folder in reversed(created_folders):
            with contextlib.suppress(OSError):
                folder.rmdir()
    if failed:
        raise UserError(failed)


def _move(source: Path, target: Path) -> None:
    """Rename ``source`` over ``target``, atomically: a state file beside the facts may live on
    another file system than the output, where a rename cannot reach."""
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        write_atomically(target, source.read_bytes())


_BACKUP_NAME = re.compile(r"backup-[0-9]+")


def recover(out_dir: Path) -> None:
    """Put back the output folder's files of a publication that was killed before it finished.

    A state file it had already replaced stays: once the killed build let go of the facts'
    lock, a build into another output folder may have read it and published that version,
    which putting back the earlier state file would take from the history. This folder's
    outputs are then behind their state file, which ``check`` reports and the next build mends.

    The journal lies in the user's output folder, so it is read as untrusted: it may name
    only files inside the output folder and state files (of any company the killed build
    built, which this build may not), and only copies in the scratch folder.
    """
    staging = out_dir / STAGING
    journal = staging / JOURNAL
    try:
        record = json.loads(read_kept_file(journal))
        changes = [_journal_change(staging, item) for item in record]
    except FileNotFoundError:
        return
    except (OSError, ValueError, TypeError, KeyError, RecursionError) as error:
        raise _damaged_journal(journal, staging, f"cannot be read ({error})") from error
    root = out_dir.resolve()
    outputs = []
    for change in changes:
        target = change.target.parent.resolve() / change.target.name
        if target.is_relative_to(root):
            outputs.append(change)
        elif not target.name.endswith(STATE_SUFFIX):
            raise _damaged_journal(journal, staging, f"names {change.target}, outside {out_dir}")
    try:
        _rollback(outputs, [])
        journal.unlink()
    except OSError as error:
        raise os_error(error, "restore the files of an interrupted build") from error


def _journal_change(staging: Path, item: dict[str, object]) -> _Change:
    target, backup, existed = item["target"], item["backup"], item["existed"]
    if not isinstance(target, str) or not isinstance(backup, str) or not isinstance(existed, bool):
        raise ValueError("an entry is not a target, a copy and whether it existed")
    if not _BACKUP_NAME.fullmatch(backup):
        raise ValueError(f"{backup!r} is not a copy policygen makes")
    return _Change(Path(target), staging / backup, existed)


def _damaged_journal(journal: Path, staging: Path, what: str) -> UserError:
    return user_error(
        str(journal),
        f"the journal of an interrupted build {what}; check the outputs and state files, then remove {staging}",
    )


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
