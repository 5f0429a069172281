"""How a build reports its progress: a live bar on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from generator.languages import Language
from generator.outputs import OUTPUT_KINDS
from generator.planning import CompanyBuilt

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from generator.rendering import StepProgress


class BuildProgress:
    """Context manager whose :meth:`step_progressed` and :meth:`company_done` are given to
    :func:`generator.pipeline.build`.

    On a terminal a bar shows the step the build is at (the companies' text, then their
    PDFs) and how many of its known total are done; the companies' lines follow their
    publication, which comes at the end. Rich is imported only for a terminal: a build
    writing to a pipe or a log, as under CI or a site generator, does not pay for loading it.
    """

    def __init__(self, asked: Sequence[Language] | None = None) -> None:
        self.live: tuple[Console, Progress] | None = self._live_bar() if sys.stderr.isatty() else None
        self.task: TaskID | None = None
        self.step = ""
        self.asked = asked

    @staticmethod
    def _live_bar() -> tuple[Console, Progress]:
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
        return console, bar

    def __enter__(self) -> BuildProgress:
        if self.live:
            self.live[1].start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.live:
            self.live[1].stop()

    def step_progressed(self, progress: StepProgress) -> None:
        """Show on the bar how far the build's current step has come (the bar only: a log gets the companies' lines).

        A new step starts the bar afresh: rich keeps a task that reached its total finished, with
        its spinner stopped, when only its description and count change.
        """
        if not self.live:
            return
        bar = self.live[1]
        if self.task is None:  # no bar until a step has a total to count against
            self.task = bar.add_task(progress.step, total=progress.total, completed=progress.done)
        elif progress.step != self.step:
            bar.reset(self.task, description=progress.step, total=progress.total, completed=progress.done)
        else:
            bar.update(self.task, completed=progress.done)
        self.step = progress.step

    def company_done(self, company: CompanyBuilt) -> None:
        line = company_line(company, self.asked)
        if self.live:
            if company.rendered or line != company_line(company):
                self.live[0].print(line, highlight=False)
        else:
            print(line, file=sys.stderr)


def company_line(company: CompanyBuilt, asked: Sequence[Language] | None = None) -> str:
    """``acme: rendered, version 3 of 2026-11-23``, or for a draft the version it would publish; and the
    languages ``asked`` for (``--lang``) that the company does not publish, which the build left out."""
    if company.draft:
        line = f"{company.slug}: draft of {company.date.isoformat()}, version {company.version} when published"
    else:
        state = "rendered" if company.rendered else "unchanged"
        line = f"{company.slug}: {state}, version {company.version} of {company.date.isoformat()}"
    missing = [language for language in asked or () if language not in company.published]
    if missing:
        line += f"; it publishes no {', '.join(missing)} (its languages: {', '.join(company.published)})"
    # Said of what this build made: an unchanged company's files are those of an earlier build. A build
    # covering none of its languages made nothing of it, for the reason just given.
    covered = [language for language in company.published if asked is None or language in asked]
    for name in company.kinds if covered and company.rendered else ():
        needed = OUTPUT_KINDS[name].languages_needed
        if len(company.published) < needed:
            line += f"; made no {name}: it needs {needed} languages, and the company publishes "
            line += f"{len(company.published)} ({', '.join(company.published)})"
        elif len(covered) < needed:
            line += f"; made no {name}: it needs {needed} of its languages, and this build covers "
            line += f"{len(covered)} ({', '.join(covered)})"
    return line
