"""Which builds wait for which: OS locks on the output folder and on the folders of the facts.

A build holds an OS lock (``flock``) on its output folder from start to end, so a second
build, a ``watch`` rebuild or a ``check`` of the same folder waits for it; and one on each
folder of its facts, whose state files it reads and replaces when it publishes: a build of
the same facts into another output folder, not waiting, would read the version the first is
replacing and publish the same version again with its own date. A folder is locked rather
than a state file, since a publication replaces the file (the lock would stay on the old one)
and a first build has none yet; the folder lasts as long as the facts, and nothing is
created beside them just to lock.

Every folder is taken in one order, by device and inode, whatever order and spelling the
paths have and whichever of them is the output folder: two builds never each hold a folder
the other waits for, even when one keeps its facts in the other's output folder.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.errors import user_error
from generator.project import display_name
from generator.publishing import os_error

Identity = tuple[int, int]
"""A folder's device and inode: two spellings of one folder are one lock."""


@dataclass(frozen=True)
class _Folder:
    """A folder opened to be locked: the lock is taken on the open folder, which a build that
    removes and makes the output folder again does not change under another's feet."""

    path: Path
    descriptor: int
    is_output: bool


def check_output_folder(out_dir: Path) -> None:
    """Refuse an output folder that is not one and cannot be made one: a file, or a symbolic
    link that leads nowhere, where creating the folder would fail with a bare "File exists"."""
    try:
        if stat.S_ISDIR(os.stat(out_dir).st_mode):
            return
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise user_error(
                str(out_dir), "the output folder is a loop of symbolic links; name a folder with --out"
            ) from error
        if error.errno != errno.ENOENT or not out_dir.is_symlink():
            return  # nothing there yet, which the build creates; or a parent's problem, which creating it names
        # Where the links lead in the end, as the user would type it: a link's own text is relative
        # to its folder, and may name another link.
        target = display_name(Path(os.path.realpath(out_dir)))
        raise user_error(
            str(out_dir),
            f"the output folder is a symbolic link to {target}, which does not exist; "
            "create that folder or name another with --out",
        ) from error
    raise user_error(str(out_dir), "the output folder is a file; name a folder with --out")


@contextlib.contextmanager
def folder_locks(
    out_dir: Path | None,
    facts_files: Collection[Path] = (),
    *,
    shared: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the lock of the output folder (when given) and of every folder holding these facts files.

    ``shared`` is for readers (``check``): several may read at once, never during a build. The
    output folder is created when missing, since the lock is taken on the folder itself; a
    build that created it and leaves it empty removes it, so once a build holds its locks it
    checks that the output folder it locked is still the one at that path, or starts again.
    A facts folder that is the output folder is locked once, as the output folder. ``on_wait``
    hears once per folder that this build waits for another.
    """
    if out_dir is not None:
        check_output_folder(out_dir)
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    said: set[Path] = set()
    while True:
        created = _missing(out_dir) if out_dir is not None else ()
        held: dict[Identity, _Folder] = {}
        try:
            if out_dir is not None:
                _open(held, out_dir, is_output=True)
            for folder in sorted({path.parent for path in facts_files}):
                _open(held, folder, is_output=False)
            output = next((identity for identity, folder in held.items() if folder.is_output), None)
            for identity in sorted(held):
                # Another build of the same output folder holds it too: that is the build to name,
                # even while this one waits for a facts folder that sorts before it.
                later = held[output] if output is not None and output > identity else None
                _lock(held[identity], mode, on_wait, said, later)
        except BaseException:
            _release(held, created)
            raise
        if out_dir is None or _still_there(out_dir, held):
            break
        _release(held, ())
    try:
        yield
    finally:
        _release(held, created)


def _open(held: dict[Identity, _Folder], folder: Path, *, is_output: bool) -> None:
    """Open ``folder`` (making the output folder first) into ``held``, once per device and inode."""
    try:
        if is_output:
            folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        if is_output:
            raise os_error(error, "create the output folder") from error
        raise user_error(str(folder), f"cannot open the facts folder to lock it: {error.strerror or error}") from error
    identity = _identity(os.fstat(descriptor))
    if identity in held:  # the output folder, or one spelt twice: a second lock would wait for the first
        os.close(descriptor)
    else:
        held[identity] = _Folder(folder, descriptor, is_output)


def _lock(
    folder: _Folder, mode: int, on_wait: Callable[[str], None] | None, said: set[Path], output: _Folder | None
) -> None:
    """Lock, first telling ``on_wait`` (once per folder) when another process holds the lock.

    ``output`` is the output folder when it is still to be locked after this one: when another
    build holds it, the message names it, as the build waited for.
    """
    try:
        try:
            fcntl.flock(folder.descriptor, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            named = output if output is not None and _held_elsewhere(output, mode) else folder
            if on_wait is not None and named.path not in said:
                said.add(named.path)
                on_wait(
                    f"waiting for another policygen build of {named.path} to finish"
                    if named.is_output
                    else f"waiting for another policygen build of the facts in {named.path} to finish"
                )
            fcntl.flock(folder.descriptor, mode)
    except OSError as error:  # a file system without locks (ENOLCK), for one
        what = "the output folder" if folder.is_output else "the facts folder"
        raise user_error(str(folder.path), f"cannot lock {what}: {error.strerror or error}") from error


def _held_elsewhere(folder: _Folder, mode: int) -> bool:
    """Whether another process holds this folder's lock: tried without waiting, and let go at once,
    since this build takes it only in its turn."""
    try:
        fcntl.flock(folder.descriptor, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(folder.descriptor, fcntl.LOCK_UN)
    return False


def _still_there(out_dir: Path, held: dict[Identity, _Folder]) -> bool:
    """Whether the output folder locked is the one at its path (a build that created it may have removed it)."""
    try:
        now = _identity(os.stat(out_dir))
    except FileNotFoundError:
        return False
    return now in held and held[now].is_output


def _missing(out_dir: Path) -> tuple[Path, ...]:
    """The output folder and those of its parents that do not exist yet, deepest first: what
    making it creates (``--out new/site/policies``), and what is removed again if left empty."""
    missing: list[Path] = []
    folder = out_dir
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return tuple(missing)


def _release(held: dict[Identity, _Folder], created: tuple[Path, ...]) -> None:
    """Unlock every folder, in the reverse of the order they are taken in; remove the folders this
    build created for its output when nothing was put in them."""
    with contextlib.suppress(OSError):  # not empty, or gone: a message to give is already on its way
        for made in created:
            if any(made.iterdir()):
                break
            made.rmdir()
    # The last taken first: a build waiting for the first of them then finds the others free, and
    # says once that it waited.
    for identity in sorted(held, reverse=True):
        os.close(held[identity].descriptor)
    held.clear()


def _identity(status: os.stat_result) -> Identity:
    """The key of a folder's lock and of the order all locks are taken in."""
    return status.st_dev, status.st_ino
