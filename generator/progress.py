"""How a build reports its progress: a live bar on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING

from generator.planning import CompanyBuilt

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


class BuildProgress:
    """Context manager whose :meth:`company_done` is given to :func:`generator.pipeline.build`.

    Rich is imported only for a terminal: a build writing to a pipe or a log, as under CI
    or a site generator, does not pay for loading it.
    """

    def __init__(self) -> None:
        self.live: tuple[Console, Progress, TaskID] | None = self._live_bar() if sys.stderr.isatty() else None

    @staticmethod
    def _live_bar() -> tuple[Console, Progress, TaskID]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

        console = Console(stderr=True)
        bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        )
        return console, bar, bar.add_task("building", total=None)

    def __enter__(self) -> BuildProgress:
        if self.live:
            self.live[1].start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.live:
            self.live[1].stop()

    def company_done(self, company: CompanyBuilt) -> None:
        line = company_line(company)
        if self.live:
            console, bar, task = self.live
            bar.advance(task)
            bar.update(task, description=company.slug)
            if company.rendered:
                console.print(line, highlight=False)
        else:
            print(line, file=sys.stderr)


def company_line(company: CompanyBuilt) -> str:
    """``acme: rendered, version 3 of 2026-11-23``, or for a draft the version it would publish."""
    if company.draft:
        return f"{company.slug}: draft of {company.date.isoformat()}, version {company.version} when published"
    state = "rendered" if company.rendered else "unchanged"
    return f"{company.slug}: {state}, version {company.version} of {company.date.isoformat()}"
