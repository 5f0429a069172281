"""How a build reports its progress: a live bar on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from generator.pipeline import CompanyBuilt


class BuildProgress:
    """Context manager whose :meth:`company_done` is given to :func:`generator.pipeline.build`."""

    def __init__(self) -> None:
        self.console = Console(stderr=True)
        self.interactive = sys.stderr.isatty()
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=self.console,
            transient=True,
        )
        self.task = self.bar.add_task("building", total=None)

    def __enter__(self) -> BuildProgress:
        if self.interactive:
            self.bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.interactive:
            self.bar.stop()

    def company_done(self, company: CompanyBuilt) -> None:
        line = company_line(company)
        if self.interactive:
            self.bar.advance(self.task)
            self.bar.update(self.task, description=company.slug)
            if company.rendered:
                self.console.print(line, highlight=False)
        else:
            print(line, file=sys.stderr)


def company_line(company: CompanyBuilt) -> str:
    """``acme: rendered, version 3 of 2026-11-23``, or for a draft the version it would publish."""
    if company.draft:
        return f"{company.slug}: draft of {company.date.isoformat()}, version {company.version} when published"
    state = "rendered" if company.rendered else "unchanged"
    return f"{company.slug}: {state}, version {company.version} of {company.date.isoformat()}"
