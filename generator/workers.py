"""The build's worker processes and the slow files they make.

A slow file (a PDF: :attr:`OutputKind.own_task`) crosses to a worker as a :class:`FileTask`
holding what its renderer prepared in the build's process (the print page, not the
company's facts), so a worker loads only what making it needs: this module, the registry
and WeasyPrint. That lets the command line start the workers of a one-company build
(:func:`early_workers`) before it loads the rest of the pipeline, so that WeasyPrint loads
in a worker while the build validates the facts and writes the text.

Workers ignore Ctrl-C, which the build handles by stopping them, and die with the build if
it is killed.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path, PurePosixPath
from typing import TypeVar

from generator.errors import LocatedMessage, UserError, user_error
from generator.outputs import OutputKind, SlowFile, default_kinds, kinds_named
from generator.writing import OutputFile, StagedFile, stage_outputs

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Invalid:
    """A company whose facts failed validation (or whose files could not be staged)."""

    messages: tuple[LocatedMessage, ...]


@dataclass(frozen=True)
class FileTask:
    """The files of one slow kind in one language (or for the whole company) of one version."""

    out_dir: Path
    slug: str
    version: int
    date: str
    kind: str
    archived: bool
    files: tuple[tuple[str, PurePosixPath, SlowFile], ...]
    """Each file's language (empty for a per-company kind), its folder below the output folder, and what makes it."""
    cost: int
    """The length of the text it lays out: the tasks are started longest first."""


def run_task(task: FileTask) -> tuple[StagedFile, ...] | Invalid:
    """Make and stage one slow kind's files."""
    made = [(language, folder, file.make()) for language, folder, file in task.files]
    outputs = [
        OutputFile(
            folder / file.name,
            file.content,
            task.slug,
            task.kind,
            file.format,
            language,
            task.version,
            task.date,
            archived=task.archived,
        )
        for language, folder, file in made
    ]
    try:
        return tuple(stage_outputs(task.out_dir, outputs))
    except OSError as error:
        from generator.publishing import os_error

        return Invalid(os_error(error, "write a staged output").messages)


class Workers:
    """Worker processes, each answering on a pipe of its own, that can be stopped at any moment.

    ``multiprocessing.Pool`` shares one result queue and its lock among the workers: a worker
    stopped while it sends a result (a company's prepared files fill more than a pipe's
    buffer) keeps that lock forever, and ``Pool.terminate`` then waits for its task thread,
    which waits for the lock, so an interrupted build never exited. Here a worker stopped
    mid-answer leaves nothing behind but its own pipe, which the build drops with it.
    """

    def __init__(self, size: int, kinds: tuple[OutputKind, ...]) -> None:
        self.kinds = kinds
        """The kinds whose shared setup each worker made as it started."""
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._connections: list[Connection] = []
        self.add(size)

    @property
    def size(self) -> int:
        return len(self._processes)

    def add(self, count: int) -> None:
        """Start ``count`` more workers."""
        try:
            for _ in range(count):
                ours, theirs = multiprocessing.Pipe()
                self._connections.append(ours)
                process = multiprocessing.Process(
                    target=_serve, args=(theirs, list(self._connections), self.kinds), daemon=True
                )
                self._processes.append(process)
                try:
                    process.start()
                finally:
                    theirs.close()  # a worker's death then reads as the end of its pipe
        except BaseException:  # a failed fork, or Ctrl-C while starting: none outlives the build
            self.stop()
            raise

    def map(
        self, function: Callable[[T], R], items: Sequence[T], on_answer: Callable[[int], None] | None = None
    ) -> list[R]:
        """``function`` of every item, each worker given the next item as soon as it answers.

        ``on_answer`` hears how many items are answered, after each answer.
        """
        results: dict[int, R] = {}
        pending = iter(enumerate(items))
        busy: dict[Connection, int] = {}

        def give(connection: Connection) -> None:
            following = next(pending, None)
            if following is not None:
                index, item = following
                try:
                    connection.send((function, item))
                except OSError:  # the worker is gone
                    raise self._lost(connection) from None
                busy[connection] = index

        for connection in self._connections:
            give(connection)
        while busy:
            for ready in multiprocessing.connection.wait(list(busy)):
                assert isinstance(ready, Connection)
                try:
                    succeeded, answer = ready.recv()
                except (EOFError, OSError):  # it died answering, or before it read its item
                    raise self._lost(ready) from None
                if not succeeded:
                    error, remote_traceback = answer
                    raise error from WorkerError(remote_traceback)
                results[busy.pop(ready)] = answer
                give(ready)
                if on_answer:
                    on_answer(len(results))
        return [results[index] for index in range(len(items))]

    def _lost(self, connection: Connection) -> UserError:
        """A worker killed from outside (out of memory, a user's kill): the build stops and publishes nothing."""
        process = self._processes[self._connections.index(connection)]
        process.join(timeout=5)  # its pipe closed as it exited
        code = process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return user_error(
            "policygen", f"a rendering worker stopped unexpectedly ({how}); earlier outputs are unchanged"
        )

    def stop(self) -> None:
        """Kill every worker, whatever it is doing, and wait for the processes to end."""
        for process in self._processes:
            if process.pid is not None and process.exitcode is None:
                process.kill()
        for process in self._processes:
            if process.pid is not None:
                process.join()
        for connection in self._connections:
            connection.close()


class WorkerError(Exception):
    """The traceback of an error raised in a worker, as the cause of that error raised again in
    the build: a bug in a worker shows where it happened, as a bug in the build does."""


def _serve(connection: Connection, inherited: list[Connection], kinds: tuple[OutputKind, ...]) -> None:
    """A worker: answers each ``(function, item)`` with ``(True, result)`` or ``(False, (error, traceback))``.

    A worker whose start failed (WeasyPrint's libraries missing) answers its first item
    with that failure, so the build reports it once, as its own.
    """
    for other in inherited:
        other.close()  # the build's ends of the pipes, inherited by the fork
    try:
        _worker_started(kinds)
    except Exception as error:
        started: tuple[Exception, str] | None = (error, traceback.format_exc())
    else:
        started = None
    while True:
        try:
            function, item = connection.recv()
        except EOFError:
            return
        if started is not None:
            connection.send((False, started))
            return
        try:
            answer: tuple[bool, object] = (True, function(item))
        except Exception as error:  # sent back to be raised in the build
            answer = (False, (error, traceback.format_exc()))
        try:
            connection.send(answer)
        except Exception as error:  # an answer or error that cannot be pickled
            unsent = RuntimeError(f"a rendering worker could not send its answer: {error!r}")
            connection.send((False, (unsent, traceback.format_exc())))


def start_workers(size: int, kinds: Sequence[OutputKind]) -> Workers:
    """``size`` workers, each making what the renderings of ``kinds`` share as it starts.

    The workers of a one-company build started early by the command line are taken when
    they made the setup ``kinds`` share.
    """
    if _early:
        early = _early.pop()
        # Started before the facts were read, for every language the build may write: one more
        # than a company publishing fewer languages needs stays idle, which costs less than
        # loading WeasyPrint again.
        if early.size >= size and _setups(early.kinds) == _setups(kinds):
            return early
        early.stop()  # not what the build needs after all: two sets would share the cores
    return Workers(size, tuple(kinds))


def _setups(kinds: Iterable[OutputKind]) -> frozenset[str]:
    return frozenset(kind.shared_setup for kind in kinds if kind.shared_setup)


_early: list[Workers] = []
"""The workers :func:`early_workers` started and the build has not taken (one set at most)."""


@contextmanager
def early_workers(command_line: Sequence[str]) -> Iterator[None]:
    """Start a worker for the PDFs before the command line is even parsed, when it runs ``build``.

    Loading WeasyPrint takes a worker as long as the build takes to load its own modules
    (pydantic's models, the language table) and to prepare a print page, so a worker started
    only once the arguments are read kept the build waiting for it. It is started for any
    build on a machine with more than one core; :func:`fit_early_workers` adds the others a
    build of one company needs, or stops it when the build renders no PDF or several companies.
    Workers the build did not take are stopped on leaving.
    """
    if list(command_line[:1]) == ["build"] and (os.cpu_count() or 1) > 1:
        _early.append(Workers(1, _slow_kinds(kinds_named(default_kinds()))))
    try:
        yield
    finally:
        while _early:
            _early.pop().stop()


def fit_early_workers(
    paths: Sequence[Path],
    *,
    languages: Sequence[str] | None,
    formats: Sequence[str] | None,
    jobs: int | None,
) -> None:
    """Once the build's arguments are read: as many early workers as it will ask for, or none.

    A build of one company with slow files gets one per language it may write, at most one
    per core (the facts are not read yet). Every other build stops them: several companies'
    workers start later, inheriting what the build loaded first, and a build of text alone,
    or in one process, needs none.
    """
    from generator.languages import language_codes
    from generator.project import facts_files

    try:
        single = len(facts_files(paths)) == 1
        kinds = kinds_named(default_kinds() if formats is None else formats)
    except UserError:  # the build says so
        single, kinds = False, ()
    wanted = jobs or os.cpu_count() or 1
    slow = _slow_kinds(kinds)
    size = min(wanted, len(languages or language_codes())) if single and wanted > 1 and slow else 0
    early = _early[0] if _early else None
    if early is not None and size and _setups(early.kinds) == _setups(slow):
        early.add(max(0, size - early.size))
        return
    while _early:
        _early.pop().stop()
    if size:
        _early.append(Workers(size, slow))


def _slow_kinds(kinds: Iterable[OutputKind]) -> tuple[OutputKind, ...]:
    return tuple(kind for kind in kinds if kind.own_task)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while one company is prepared or one PDF made.

    Both make a great many objects that live until the end (WeasyPrint some hundred thousand
    for a long policy; the facts' models, the compiled templates and the text for a company),
    which the collector would scan again and again: a tenth of the time. Their garbage is
    collected afterwards as usual (a PDF's layout: some 25 MB more at the peak). The collector
    is left as the caller had it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _worker_started(kinds: tuple[OutputKind, ...]) -> None:
    """Workers leave Ctrl-C to the build, which stops them, and die with it if it is killed.

    Each then makes what the renderings of ``kinds`` share, unless it inherited them.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform == "linux":
        set_parent_death_signal = 1  # PR_SET_PDEATHSIG
        ctypes.CDLL(None, use_errno=True).prctl(set_parent_death_signal, signal.SIGKILL)
    for kind in kinds:
        kind.warm_up()
