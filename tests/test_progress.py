"""How far a build has come: each step against a known total, as a bar on a terminal."""

from __future__ import annotations

import datetime
import errno
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MINIMAL, ROOT

from generator import rendering
from generator.errors import UserError
from generator.pipeline import build
from generator.progress import BuildProgress
from generator.rendering import BuildStep, StepProgress
from generator.workers import FileTask, run_task

DAY = datetime.date(2025, 1, 1)
PREPARING, LAYING_OUT, RENDERING, DRAFTING = (
    BuildStep.PREPARING,
    BuildStep.LAYING_OUT,
    BuildStep.RENDERING,
    BuildStep.DRAFTING,
)


@pytest.fixture
def two_companies(tmp_path: Path) -> Path:
    (tmp_path / "companies").mkdir()
    for slug in ("alpha", "beta"):
        shutil.copyfile(MINIMAL, tmp_path / "companies" / f"{slug}.yaml")
    return tmp_path / "companies"


def _steps(
    companies: Path | list[Path],
    formats: tuple[str, ...],
    *,
    languages: tuple[str, ...] | None = None,
    jobs: int | None = None,
    draft: bool = False,
) -> list[StepProgress]:
    heard: list[StepProgress] = []
    folders = companies if isinstance(companies, list) else [companies]
    build(
        folders,
        out_dir=folders[0].parent / "output",
        formats=formats,
        languages=languages,
        jobs=jobs,
        today=DAY,
        draft=draft,
        on_progress=heard.append,
    )
    return heard


def _counted(step: BuildStep, total: int) -> list[StepProgress]:
    return [StepProgress(step, done, total) for done in range(total + 1)]


def test_the_text_of_each_company_then_each_pdf_is_counted_against_its_total(two_companies: Path) -> None:
    heard = _steps(two_companies, ("md", "pdf"), languages=("pl",), jobs=2)
    assert heard == _counted(PREPARING, 2) + _counted(LAYING_OUT, 2)


def test_one_company_is_prepared_here_while_the_workers_wait_for_its_pdfs(two_companies: Path) -> None:
    heard = _steps([two_companies / "alpha.yaml"], ("md", "pdf"), languages=("pl", "en"), jobs=2)
    assert heard == _counted(PREPARING, 1) + _counted(LAYING_OUT, 2)


def test_a_build_in_one_process_counts_whole_companies(two_companies: Path) -> None:
    assert _steps(two_companies, ("md",), jobs=1) == _counted(RENDERING, 2)


def test_drafts_are_counted_from_the_start(two_companies: Path) -> None:
    assert _steps(two_companies, ("md",), draft=True) == _counted(DRAFTING, 2)


def test_an_unchanged_build_has_nothing_to_count(two_companies: Path) -> None:
    _steps(two_companies, ("md",))
    assert _steps(two_companies, ("md",)) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_with_a_company_that_fails_lays_out_no_more_pdfs(
    two_companies: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is published: the problems are reported once every company is checked, no PDF waited for."""
    facts = two_companies / "alpha.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("legal_name:", "legal_nam:", 1), encoding="utf-8")
    heard: list[StepProgress] = []
    laid_out: list[FileTask] = []
    if jobs == 1:  # made in this process, where they can be counted; the workers' show as LAYING_OUT

        def counted(task: FileTask) -> object:
            laid_out.append(task)
            return run_task(task)

        monkeypatch.setattr(rendering, "run_task", counted)
    with pytest.raises(UserError, match="legal_nam"):
        build(
            [two_companies],
            out_dir=two_companies.parent / "output",
            formats=("pdf",),
            jobs=jobs,
            today=DAY,
            on_progress=heard.append,
        )
    assert heard == _counted(PREPARING if jobs == 2 else RENDERING, 2)
    assert laid_out == []


def test_a_new_step_starts_the_bar_afresh() -> None:
    """rich keeps a task that reached its total finished, its spinner stopped, when only its count changes."""
    progress = BuildProgress()
    progress.live = BuildProgress._live_bar()
    bar = progress.live[1]
    for done in (0, 1, 2):
        progress.step_progressed(StepProgress(PREPARING, done, 2))
    assert bar.tasks[0].finished
    progress.step_progressed(StepProgress(LAYING_OUT, 0, 2))
    (task,) = bar.tasks
    assert (task.description, task.completed, task.total, task.finished) == ("laying out PDFs", 0, 2, False)
    progress.step_progressed(StepProgress(LAYING_OUT, 1, 2))
    assert (bar.tasks[0].completed, bar.tasks[0].finished) == (1, False)


_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_a_terminal_sees_the_step_and_its_count_and_then_the_company(two_companies: Path) -> None:
    """A real process writing to a terminal: the bar names the step and counts to a known total."""
    main, terminal = pty.openpty()
    # rich draws no bar where these say the terminal is not interactive, or plain.
    environment = {name: value for name, value in os.environ.items() if not name.startswith(_RICH_SWITCHES)}
    command = [sys.executable, "-m", "generator", "build", "--format", "md", "--lang", "pl", "--jobs", "2"]
    with subprocess.Popen(
        [*command, "--today", DAY.isoformat()],
        cwd=two_companies.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env={**environment, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"},
    ) as process:
        os.close(terminal)
        shown = _read_until_closed(main, deadline=time.monotonic() + 120, process=process)
        assert process.wait(timeout=10) == 0
    screen = _CONTROL.sub("", shown.decode("utf-8", "replace"))
    counts = re.findall(r"writing the text\W+(\d+)/(\S+)", screen)
    assert counts, screen
    assert {total for _, total in counts} == {"2"}, "a count with no known total"
    assert ("2", "2") in counts
    assert "alpha: rendered, version 1 of 2025-01-01" in screen
    assert "beta: rendered, version 1 of 2025-01-01" in screen


_RICH_SWITCHES = ("TTY_", "FORCE_COLOR", "NO_COLOR", "COLUMNS", "LINES")


def _read_until_closed(main: int, *, deadline: float, process: subprocess.Popen[bytes]) -> bytes:
    """All a process writes to its terminal until it closes it (it exits); killed if it takes too long."""
    shown = bytearray()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([main], [], [], remaining)[0]:
                process.kill()
                pytest.fail(f"the build did not finish; it showed: {shown.decode('utf-8', 'replace')}")
            try:
                chunk = os.read(main, 4096)
            except OSError as error:  # EIO: the other end is closed, as the build has exited
                if error.errno != errno.EIO:
                    raise
                return bytes(shown)
            if not chunk:
                return bytes(shown)
            shown += chunk
    finally:
        os.close(main)
