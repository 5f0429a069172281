"""Fault injection: a build killed at twenty random points leaves every earlier output whole.

Each run starts from the same built project with changed facts, starts ``policygen build``
as a process, kills it with SIGKILL after a random delay, and checks that every file is
either its old or its new version, never a mix or a fragment, and that the next build
finishes the job. The delays are drawn from a fixed seed, so a failure can be replayed.
"""

from __future__ import annotations

import datetime
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MINIMAL

from generator.pipeline import build

RUNS = 20
BEFORE = datetime.date(2026, 11, 22)
AFTER = datetime.date(2027, 1, 15)
COMPANIES = ("alpha", "beta", "gamma", "delta")


def _files(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and path.suffix != ".yaml" and ".staging" not in path.parts
    }


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A built project whose facts then changed, and the files its next build must leave."""
    project = tmp_path_factory.mktemp("faults") / "project"
    (project / "companies").mkdir(parents=True)
    for name in COMPANIES:
        shutil.copyfile(MINIMAL, project / "companies" / f"{name}.yaml")
    build([project / "companies"], out_dir=project / "output", formats=("md", "html"), today=BEFORE, jobs=1)
    for name in COMPANIES:
        facts = project / "companies" / f"{name}.yaml"
        text = facts.read_text(encoding="utf-8")
        facts.write_text(text.replace("distinguishing visitors", f"measuring reach of {name}"))
    finished = project.parent / "finished"
    shutil.copytree(project, finished)
    build([finished / "companies"], out_dir=finished / "output", formats=("md", "html"), today=AFTER, jobs=1)
    return project, _files(finished)


@pytest.mark.parametrize("run", range(RUNS))
def test_a_build_killed_at_a_random_point_leaves_earlier_outputs_whole(
    tmp_path: Path, scenario: tuple[Path, dict[str, bytes]], run: int
) -> None:
    original, after = scenario
    project = tmp_path / "project"
    shutil.copytree(original, project)
    before = _files(project)
    delay = random.Random(2026 + run).uniform(0.3, 1.6)
    command = [sys.executable, "-m", "generator", "build", "companies", "--format", "md,html"]
    command += ["--today", AFTER.isoformat(), "--jobs", "1"]
    running = subprocess.Popen(command, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    running.send_signal(signal.SIGKILL)
    running.wait()

    for name, data in _files(project).items():
        assert data in (before.get(name), after.get(name)), f"run {run} (killed after {delay:.2f} s): {name} is torn"
    build([project / "companies"], out_dir=project / "output", formats=("md", "html"), today=AFTER, jobs=1)
    assert _files(project) == after
    assert not (project / "output" / ".staging").exists()
