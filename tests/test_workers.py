"""The build's workers: started early for one company's PDFs, taken by its build, always stopped."""

from __future__ import annotations

import dataclasses
import gc
import shutil
import threading
import time
from pathlib import Path

import pytest
from conftest import MINIMAL

from generator import workers
from generator.errors import UserError
from generator.outputs import OUTPUT_KINDS
from generator.workers import (
    WorkerError,
    Workers,
    collector_paused,
    early_workers,
    fit_early_workers,
    start_workers,
)


@pytest.fixture
def one_company(tmp_path: Path) -> Path:
    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "alpha.yaml")
    return tmp_path / "companies"


def test_a_build_gets_a_worker_before_its_arguments_are_read() -> None:
    with early_workers(["build", "--no-such-option"]):
        assert [pool.size for pool in workers._early] == [1]
        assert workers._early[0].kinds == (OUTPUT_KINDS["pdf"],)
    assert workers._early == []


@pytest.mark.parametrize("command_line", [["validate", "companies"], [], ["--version"]])
def test_other_commands_start_no_worker(command_line: list[str]) -> None:
    with early_workers(command_line):
        assert workers._early == []


def test_one_company_with_pdfs_gets_its_workers_before_the_build_asks(one_company: Path) -> None:
    kinds = [OUTPUT_KINDS["md"], OUTPUT_KINDS["pdf"]]
    with early_workers(["build"]):
        speculative = workers._early[0]
        fit_early_workers([one_company], languages=("pl", "en"), formats=("md", "pdf"), jobs=2)
        assert workers._early == [speculative], "the worker started first is kept"
        assert speculative.size == 2
        assert start_workers(2, kinds[::-1]) is speculative
        assert workers._early == []
        speculative.stop()


@pytest.mark.parametrize(
    ("formats", "jobs", "several"),
    [(("md", "html"), None, False), (("pdf",), 1, False), (("pdf",), 2, True)],
    ids=["no slow kind", "one job", "several companies"],
)
def test_the_early_worker_is_stopped_for_other_builds(
    one_company: Path, formats: tuple[str, ...], jobs: int | None, several: bool
) -> None:
    if several:
        shutil.copyfile(MINIMAL, one_company / "beta.yaml")
    with early_workers(["build"]):
        speculative = workers._early[0]
        fit_early_workers([one_company], languages=("pl",), formats=formats, jobs=jobs)
        assert workers._early == []
        assert all(process.exitcode is not None for process in speculative._processes)


def test_workers_the_build_did_not_take_are_stopped(one_company: Path) -> None:
    with early_workers(["build"]):
        fit_early_workers([one_company], languages=("pl",), formats=("pdf",), jobs=2)
        started = workers._early[0]
    assert workers._early == []
    assert all(process.exitcode is not None for process in started._processes), "a worker outlived the build"


@pytest.mark.parametrize("collecting", [True, False])
def test_the_collector_is_paused_and_left_as_it_was(collecting: bool) -> None:
    if not collecting:
        gc.disable()
    seen = []

    def fail() -> None:
        with collector_paused():
            seen.append(gc.isenabled())
            raise RuntimeError

    try:
        with pytest.raises(RuntimeError):
            fail()
        assert seen == [False]
        assert gc.isenabled() is collecting
    finally:
        gc.enable()


def test_a_worker_killed_from_outside_stops_the_build_with_a_message() -> None:
    pool = Workers(1, ())
    killer = threading.Timer(0.5, pool._processes[0].kill)
    killer.start()
    try:
        with pytest.raises(UserError) as raised:
            pool.map(time.sleep, [60])
    finally:
        killer.cancel()
        pool.stop()
    assert str(raised.value) == (
        "policygen: a rendering worker stopped unexpectedly (killed by signal 9); earlier outputs are unchanged"
    )


def _broken_setup() -> None:
    raise OSError("cannot load library 'libpango-1.0-0'")


def test_a_worker_that_could_not_start_reports_why_once() -> None:
    broken = dataclasses.replace(OUTPUT_KINDS["pdf"], shared_setup=f"{__name__}:_broken_setup")
    pool = Workers(2, (broken,))
    try:
        with pytest.raises(OSError, match=r"^cannot load library 'libpango-1\.0-0'$"):
            pool.map(len, ["a", "b", "c"])
    finally:
        pool.stop()


def _failing_inside(key: str) -> int:
    return _lookup({}, key)


def _lookup(table: dict[str, int], key: str) -> int:
    return table[key]


def test_a_bug_in_a_worker_keeps_its_traceback() -> None:
    pool = Workers(1, ())
    try:
        with pytest.raises(KeyError) as raised:
            pool.map(_failing_inside, ["absent"])
    finally:
        pool.stop()
    cause = raised.value.__cause__
    assert isinstance(cause, WorkerError)
    assert "in _lookup" in str(cause)
    assert "return table[key]" in str(cause)


def test_early_workers_serve_a_company_publishing_fewer_languages(one_company: Path) -> None:
    with early_workers(["build"]):
        fit_early_workers([one_company], languages=None, formats=("pdf",), jobs=2)
        early = workers._early[0]
        taken = start_workers(1, [OUTPUT_KINDS["pdf"]])  # the company turned out to publish one language
        try:
            assert taken is early
        finally:
            taken.stop()


def test_early_workers_serve_every_kind_sharing_their_setup(one_company: Path) -> None:
    with early_workers(["build"]):
        fit_early_workers([one_company], languages=("pl",), formats=("pdf",), jobs=2)
        early = workers._early[0]
        taken = start_workers(1, [OUTPUT_KINDS["pdf"], OUTPUT_KINDS["pdf-bilingual"]])
        try:
            assert taken is early, "the bilingual PDF lays out with the same fonts and stylesheets"
        finally:
            taken.stop()


def test_early_workers_too_few_for_the_build_are_stopped_not_kept(one_company: Path) -> None:
    with early_workers(["build"]):
        fit_early_workers([one_company], languages=("pl",), formats=("pdf",), jobs=2)
        early = workers._early[0]
        started = start_workers(2, [OUTPUT_KINDS["pdf"]])
        try:
            assert started is not early
            assert all(process.exitcode is not None for process in early._processes)
        finally:
            started.stop()
