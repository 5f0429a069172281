"""Rebuilding policies whenever a file they are made from changes, for ``policygen watch``.

While someone edits a facts file it is often invalid for a moment, so a :class:`UserError`
from a rebuild is reported and the watch goes on; only a bug in policygen ends it. The
watcher is running before the first build starts, so an edit saved during that build is
seen and rebuilt. :class:`Sources` serves ``policygen serve`` too; both forget the project's caches
(:func:`generator.resources.forget_project`) when a template, catalog or data file changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path
from typing import Any

import watchfiles

from generator.errors import UserError
from generator.project import FACTS_SUFFIXES, missing_facts_path
from generator.resources import DATA, LOCALES, TEMPLATES, forget_project

QUIET_MS = 200
"""An editor saves with several writes in a row; one rebuild follows once they settle."""

DEBOUNCE_MS = 1600
"""A long burst of changes (a ``git checkout``) still gets a rebuild after this long."""

TICK_MS = 200
"""How long the first build waits for the watcher to start, and how often an idle watch wakes."""

_EDITOR_LEFTOVERS = (".swp", ".swo", ".swx", "~", ".tmp")
"""Endings of swap, backup and half-written files; hidden files (``.#x``) are skipped too."""


def watch(
    paths: list[Path],
    rebuild: Callable[[], object],
    *,
    on_error: Callable[[UserError], None],
    stop_event: threading.Event | None = None,
    ignore: Iterable[Path] = (),
    force_polling: bool = False,
    on_start: Callable[[list[Path]], None] | None = None,
) -> None:
    """Start watching, build, then rebuild after every batch of changes until ``stop_event`` is set.

    ``paths`` are the facts files and folders the build reads; the templates and catalogs
    are watched as well because every policy is made from them. ``ignore`` takes the
    output folder, which each rebuild writes to and which must not start the next one.
    ``force_polling`` is for file systems that send no change events (network shares,
    some container mounts). ``on_start`` hears the folders watched, once the watcher runs.
    Ctrl+C ends the watch with ``KeyboardInterrupt``.
    """
    sources = Sources(paths, ignore)
    batches = watchfiles.watch(
        *sources.roots,
        **sources.watcher_settings(settle_ms=QUIET_MS),
        stop_event=stop_event,
        # None leaves watchfiles to decide (WATCHFILES_FORCE_POLLING, WSL).
        force_polling=True if force_polling else None,
    )
    with closing(batches):
        # The first batch (changes, or none after one tick) comes from a running watcher:
        # from here on every change is collected, also while the first build runs.
        if next(batches, None) is None:
            return
        if on_start:
            on_start(sources.roots)
        _rebuild(rebuild, on_error)
        for changes in batches:
            if any(sources.in_project(Path(path)) for _change, path in changes):
                forget_project()
            if changes:
                _rebuild(rebuild, on_error)


def _rebuild(rebuild: Callable[[], object], on_error: Callable[[UserError], None]) -> None:
    try:
        rebuild()
    except UserError as error:
        on_error(error)
    except OSError as error:  # a full disk or an unwritable folder is the user's to fix, as bad facts are
        from generator.publishing import os_error

        on_error(os_error(error, "write"))


class Sources:
    """Which changed paths can change a policy.

    Facts folders are read one level deep and only for facts files, like
    :func:`generator.project.facts_files`; that also keeps the state files a build writes
    next to the facts from starting another build. A single facts file is watched through
    its folder, because editors save by replacing the file, which ends a watch on the file.
    """

    def __init__(self, paths: list[Path], ignore: Iterable[Path]) -> None:
        for path in paths:
            if not path.exists():
                raise missing_facts_path(path)
        self.files = {path.resolve() for path in paths if not path.is_dir()}
        self.facts_folders = {path.resolve() for path in paths if path.is_dir()}
        self.project_folders = [TEMPLATES.resolve(), LOCALES.resolve(), DATA.resolve()]
        self.ignored = [path.resolve() for path in ignore]
        # In a fixed order, facts first, so that `watch` names them the same way everywhere.
        ordered = [*sorted(self.facts_folders | {file.parent for file in self.files}), *self.project_folders]
        self.roots = [
            folder for index, folder in enumerate(ordered) if folder.is_dir() and folder not in ordered[:index]
        ]

    def watcher_settings(self, *, settle_ms: int) -> dict[str, Any]:
        """What ``watch`` and ``serve`` give watchfiles: this filter, the debounce, and a batch
        once changes have been quiet for ``settle_ms``. The watcher yields an empty batch every
        tick, so that its first one tells the watcher runs and a stop is seen without a change."""
        return {
            "watch_filter": self.matters,
            "debounce": DEBOUNCE_MS,
            "step": settle_ms,
            "rust_timeout": TICK_MS,
            "yield_on_timeout": True,
        }

    def matters(self, _change: watchfiles.Change, raw_path: str) -> bool:
        path = Path(raw_path)
        if path.name.startswith((".", "#")) or path.name.endswith(_EDITOR_LEFTOVERS):
            return False
        if any(path.is_relative_to(folder) for folder in self.ignored):
            return False
        return self.is_facts_file(path) or self.in_project(path)

    def is_facts_file(self, path: Path) -> bool:
        """A facts file given, or one in a facts folder given."""
        return path in self.files or (path.parent in self.facts_folders and path.suffix in FACTS_SUFFIXES)

    def in_project(self, path: Path) -> bool:
        """A template, stylesheet or catalog, which every policy is made from."""
        return any(
            path.is_relative_to(folder) and not any(part.startswith(".") for part in path.relative_to(folder).parts)
            for folder in self.project_folders
        )
