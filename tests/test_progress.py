"""How far a build has come: each step against a known total, as a bar on a terminal."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL, ROOT

from generator.pipeline import build
from generator.rendering import DRAFTING, LAYING_OUT, PREPARING, RENDERING, Progress

DAY = datetime.date(2025, 1, 1)


@pytest.fixture
def two_companies(tmp_path: Path) -> Path:
    (tmp_path / "companies").mkdir()
    for slug in ("alpha", "beta"):
        shutil.copyfile(MINIMAL, tmp_path / "companies" / f"{slug}.yaml")
    return tmp_path / "companies"


def _steps(companies: Path, **options: object) -> list[Progress]:
    heard: list[Progress] = []
    build([companies], out_dir=companies.parent / "output", today=DAY, on_progress=heard.append, **options)  # type: ignore[arg-type]
    return heard


def test_the_text_of_each_company_then_each_pdf_is_counted_against_its_total(two_companies: Path) -> None:
    heard = _steps(two_companies, formats=("md", "pdf"), languages=("pl",), jobs=2)
    assert heard == [
        Progress(PREPARING, 0, 2),
        Progress(PREPARING, 1, 2),
        Progress(PREPARING, 2, 2),
        Progress(LAYING_OUT, 0, 2),
        Progress(LAYING_OUT, 1, 2),
        Progress(LAYING_OUT, 2, 2),
    ]


def test_a_build_in_one_process_counts_whole_companies(two_companies: Path) -> None:
    heard = _steps(two_companies, formats=("md",), jobs=1)
    assert heard == [Progress(RENDERING, 0, 2), Progress(RENDERING, 1, 2), Progress(RENDERING, 2, 2)]


def test_drafts_are_counted_as_they_are_written(two_companies: Path) -> None:
    heard = _steps(two_companies, formats=("md",), draft=True)
    assert heard == [Progress(DRAFTING, 1, 2), Progress(DRAFTING, 2, 2)]


def test_an_unchanged_build_has_nothing_to_count(two_companies: Path) -> None:
    _steps(two_companies, formats=("md",))
    assert _steps(two_companies, formats=("md",)) == []


_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_a_terminal_sees_the_step_and_its_count_and_then_the_company(two_companies: Path) -> None:
    """A real process writing to a terminal: the bar names the step and counts to a known total."""
    import pty

    main, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--format", "md", "--lang", "pl", "--today", DAY.isoformat()],
        cwd=two_companies.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"},
    ) as process:
        os.close(terminal)
        shown = bytearray()
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal's other end is closed: the build has exited
                break
            if not chunk:
                break
            shown += chunk
        os.close(main)
        assert process.wait(timeout=60) == 0
    screen = _CONTROL.sub("", shown.decode("utf-8", "replace"))
    counts = re.findall(r"writing the text\W+(\d+)/(\S+)", screen)
    assert counts, screen
    assert {total for _, total in counts} == {"2"}, "a count with no known total"
    assert ("2", "2") in counts
    assert "alpha: rendered, version 1 of 2025-01-01" in screen
    assert "beta: rendered, version 1 of 2025-01-01" in screen
