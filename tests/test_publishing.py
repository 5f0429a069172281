"""All or nothing, one build at a time, and a message for every OS error, with real processes
(the facts' lock for readers, such as ``check``, within this one).

Each test runs ``policygen`` as a process on a project of its own and checks what a user
sees: the message and exit code, and that every earlier output and state file is unchanged
when a build cannot finish.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILD_DAY, MINIMAL

from generator import rendering
from generator.errors import UserError
from generator.locks import folder_locks
from generator.pipeline import build
from generator.publishing import clear_staging, signals_held
from generator.workers import Workers
from generator.writing import StagedFile

DAY_ONE = "2026-11-22"
DAY_TWO = "2027-01-15"
DAY_THREE = "2027-02-01"
COMPANIES = ("alpha", "beta", "gamma", "delta")


def _project(root: Path, names: tuple[str, ...] = ("alpha",)) -> Path:
    (root / "companies").mkdir(parents=True)
    for name in names:
        shutil.copyfile(MINIMAL, root / "companies" / f"{name}.yaml")
    return root


def _command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "generator", *arguments]


def _policygen(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(*arguments), cwd=project, capture_output=True, text=True, timeout=300, check=False)


def _files(project: Path) -> dict[str, bytes]:
    """Every output and state file (facts excluded)."""
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and path.suffix != ".yaml"
    }


def _change_facts(project: Path) -> None:
    for facts in (project / "companies").glob("*.yaml"):
        text = facts.read_text(encoding="utf-8")
        facts.write_text(text.replace("distinguishing visitors", "measuring reach"), encoding="utf-8")


def _assert_refused(finished: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert finished.returncode == 1, finished.stderr
    assert "Traceback" not in finished.stderr
    for fragment in fragments:
        assert fragment in finished.stderr


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A project built on day one whose facts have changed since."""
    project = _project(tmp_path / "project", ("alpha", "beta"))
    assert _policygen(project, "build", "--format", "md,html", "--today", DAY_ONE).returncode == 0
    _change_facts(project)
    return project


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda out: out.write_text("not a folder", encoding="utf-8"),
            "the output folder is a file; name a folder with --out",
        ),
        (
            lambda out: out.symlink_to("missing"),
            "the output folder is a symbolic link to missing, which does not exist; create that folder or name "
            "another with --out",
        ),
        (
            # Named where it leads in the end, as the working directory sees it, not by the first link's text.
            lambda out: (out.symlink_to("hop"), out.with_name("hop").symlink_to("site/missing")),
            "the output folder is a symbolic link to site/missing, which does not exist; create that folder or "
            "name another with --out",
        ),
        (
            lambda out: (out.symlink_to("loop"), out.with_name("loop").symlink_to(out.name)),
            "the output folder is a loop of symbolic links; name a folder with --out",
        ),
    ],
    ids=["file", "dangling-link", "link-chain", "link-loop"],
)
@pytest.mark.parametrize("command", [("build", "--format", "md"), ("check",)], ids=["build", "check"])
def test_out_naming_no_usable_folder_is_refused(
    tmp_path: Path, command: tuple[str, ...], make: Callable[[Path], object], message: str
) -> None:
    project = _project(tmp_path)
    make(project / "public")
    finished = _policygen(project, *command, "--out", "public")
    assert (finished.returncode, finished.stderr) == (1, f"public: {message}\n")
    assert not (project / "companies" / "alpha.state.json").exists()
    assert not (project / "missing").exists()


def test_an_output_path_that_is_a_folder_publishes_nothing(built: Path) -> None:
    before = _files(built)
    blocker = built / "output" / "beta" / "en" / "privacy-policy.md"
    blocker.unlink()
    blocker.mkdir()
    finished = _policygen(built, "build", "--format", "md,html", "--today", DAY_TWO)
    _assert_refused(finished, f"{blocker}: cannot publish: Is a directory")
    del before["output/beta/en/privacy-policy.md"]
    assert _files(built) == before
    assert not (built / "output" / ".staging").exists()


def test_staging_that_is_a_link_is_refused_and_never_followed(built: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (built / "output" / ".staging").symlink_to(elsewhere)
    finished = _policygen(built, "build", "--format", "md", "--today", DAY_TWO)
    _assert_refused(finished, "output/.staging: is not a folder policygen made (a link or a file); remove it")
    assert list(elsewhere.iterdir()) == []
    assert (built / "output" / ".staging").is_symlink()


def test_staging_that_is_a_file_is_refused(built: Path) -> None:
    (built / "output" / ".staging").write_text("mine", encoding="utf-8")
    finished = _policygen(built, "build", "--format", "md", "--today", DAY_TWO)
    _assert_refused(finished, "output/.staging: is not a folder policygen made")
    assert (built / "output" / ".staging").read_text(encoding="utf-8") == "mine"


def _unshare(project: Path, mounts: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``policygen`` in a private mount namespace, where ``mounts`` can make a folder read-only or small."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) to mount a read-only or full file system")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"this machine does not allow private mount namespaces: {probe.stderr.decode().strip()}")
    command = " ".join(_command(*arguments))
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"{mounts} && exec {command}"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_read_only_facts_folder_leaves_outputs_and_state_as_they_were(built: Path) -> None:
    before = _files(built)
    finished = _unshare(
        built,
        "mount --bind companies companies && mount -o remount,bind,ro companies",
        "build",
        "--format",
        "md,html",
        "--today",
        DAY_TWO,
    )
    _assert_refused(finished, "cannot publish: Read-only file system")
    assert _files(built) == before


def test_a_read_only_output_folder_is_named(built: Path) -> None:
    before = _files(built)
    finished = _unshare(
        built,
        "mount --bind output output && mount -o remount,bind,ro output",
        "build",
        "--format",
        "md,html",
        "--today",
        DAY_TWO,
    )
    _assert_refused(finished, "output/.staging: cannot create the scratch folder: Read-only file system")
    assert _files(built) == before


def test_a_full_disk_leaves_outputs_and_state_as_they_were(built: Path) -> None:
    before = _files(built)
    # Room for the earlier outputs, not for a second copy of them in the scratch folder.
    size = sum(len(data) for name, data in before.items() if name.startswith("output/")) + 40_000
    mounts = f"cp -a output /tmp/held && mount -t tmpfs -o size={size} tmpfs output && cp -a /tmp/held/. output"
    finished = _unshare(built, mounts, "build", "--format", "md,html", "--today", DAY_TWO)
    _assert_refused(finished, "No space left on device")
    assert "Traceback" not in finished.stderr


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the build never reached the expected point")
        time.sleep(0.02)


def _staged_something(project: Path) -> bool:
    staging = project / "output" / ".staging"
    return staging.is_dir() and any(staging.iterdir())


def test_two_builds_of_one_output_folder_run_one_after_the_other(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _project(project / "first", ("alpha", "beta", "gamma"))
    _project(project / "second", ("delta",))
    (project / "output").mkdir()
    arguments = ("build", "--out", "output", "--format", "md,html,pdf", "--today", DAY_ONE, "--jobs", "1")
    first = subprocess.Popen(_command(*arguments, "first/companies"), cwd=project, stderr=subprocess.PIPE, text=True)
    _wait_for((project / "output" / ".staging").exists)
    second = subprocess.Popen(_command(*arguments, "second/companies"), cwd=project, stderr=subprocess.PIPE, text=True)
    _, first_errors = first.communicate(timeout=300)
    _, second_errors = second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), first_errors + second_errors
    assert "waiting for another policygen build of output to finish" in second_errors
    manifest = (project / "output" / "manifest.json").read_text(encoding="utf-8")
    for name in ("alpha", "beta", "gamma", "delta"):
        assert f'"company": "{name}"' in manifest


@contextlib.contextmanager
def _held(*folders: Path) -> Iterator[Callable[[], None]]:
    """Hold each folder's lock, as a build of those facts into another output folder does.

    Yields what releases them, one after the other, before the block ends.
    """
    descriptors = [os.open(folder, os.O_RDONLY | os.O_DIRECTORY) for folder in folders]

    def release() -> None:
        while descriptors:
            os.close(descriptors.pop(0))

    try:
        for descriptor in descriptors:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield release
    finally:
        release()


@contextlib.contextmanager
def _started(project: Path, *commands: list[str]) -> Iterator[list[subprocess.Popen[str]]]:
    """Processes with their errors piped, killed when still running as the block ends."""
    with contextlib.ExitStack() as stack:
        running = [
            stack.enter_context(subprocess.Popen(command, cwd=project, stderr=subprocess.PIPE, text=True))
            for command in commands
        ]

        def stop() -> None:
            for process in running:
                process.kill()

        stack.callback(stop)
        yield running


def _first_line(running: subprocess.Popen[str]) -> str:
    assert running.stderr is not None
    return running.stderr.readline()


def test_a_build_of_the_same_facts_into_another_folder_waits_for_them(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    command = _command("build", "--out", "other", "--format", "md", "--today", DAY_ONE)
    with _held(project / "companies") as release, _started(project, command) as (waiting,):
        assert _first_line(waiting) == "waiting for another policygen build of the facts in companies to finish\n"
        assert waiting.poll() is None
        assert not (project / "companies" / "alpha.state.json").exists()
        release()
        _, errors = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, errors
    assert (project / "companies" / "alpha.state.json").is_file()
    assert (project / "other" / "manifest.json").is_file()


def _versions(manifest: Path) -> dict[str, tuple[int, str]]:
    companies = json.loads(manifest.read_bytes())["companies"]
    return {company["company"]: (company["version"], company["date"]) for company in companies}


def test_two_builds_of_the_same_facts_into_two_folders_publish_one_version(tmp_path: Path) -> None:
    """The second build reads the state file the first published: the same text keeps its
    version and date, so both folders show version 2 of day two, as the state file records.
    (Whether the second waited depends on how fast the first is; the test above shows the wait
    by holding the lock itself.)"""
    project = _project(tmp_path / "project", COMPANIES)
    assert _policygen(project, "build", "--format", "md", "--today", DAY_ONE).returncode == 0
    _change_facts(project)
    first = subprocess.Popen(
        _command("build", "--format", "md,html,pdf", "--today", DAY_TWO, "--jobs", "1"),
        cwd=project,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for((project / "output" / ".staging").exists)
    second = subprocess.Popen(
        _command("build", "--out", "other", "--format", "md", "--today", DAY_THREE),
        cwd=project,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, first_errors = first.communicate(timeout=300)
    _, second_errors = second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), first_errors + second_errors
    published = dict.fromkeys(COMPANIES, (2, DAY_TWO))
    assert _versions(project / "output" / "manifest.json") == published
    assert _versions(project / "other" / "manifest.json") == published
    state = json.loads((project / "companies" / "alpha.state.json").read_bytes())
    assert [(version["version"], version["date"]) for version in state["history"]] == [(1, DAY_ONE), (2, DAY_TWO)]


_KILLED_AFTER_THE_STATE_FILE = """
import os, sys
import generator.publishing as publishing
from generator.cli import main
apply = publishing._apply
def apply_then_die(change, staged):
    created = apply(change, staged)
    if change.target.name.endswith(".state.json"):
        os._exit(9)  # killed: no rollback, the journal stays
    return created
publishing._apply = apply_then_die
sys.exit(main(sys.argv[1:]))
"""


def _build_killed_after_the_state_file(project: Path, *arguments: str) -> None:
    """A real process of ``policygen`` that dies as if killed right after replacing a state file."""
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_THE_STATE_FILE, *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert killed.returncode == 9, killed.stderr


def test_undoing_a_killed_build_keeps_a_state_file_another_folders_build_published_since(tmp_path: Path) -> None:
    """A build into ``output`` is killed after replacing the state file with version 2; a build of
    the same facts into ``other`` then reads it and publishes version 2 of that day. The next
    build into ``output`` puts back its own outputs but keeps the state file, and publishes the
    same version 2: no version published anywhere is taken back or given another date."""
    project = _project(tmp_path / "project")
    assert _policygen(project, "build", "--format", "md", "--today", DAY_ONE).returncode == 0
    _change_facts(project)
    _build_killed_after_the_state_file(project, "build", "--format", "md", "--today", DAY_TWO)
    assert (project / "output" / ".staging" / "journal.json").is_file()
    other = _policygen(project, "build", "--out", "other", "--format", "md", "--today", DAY_THREE)
    assert other.returncode == 0, other.stderr
    assert _versions(project / "other" / "manifest.json") == {"alpha": (2, DAY_TWO)}
    state_file = project / "companies" / "alpha.state.json"
    published = state_file.read_bytes()
    check = _policygen(project, "check")
    assert check.returncode == 1
    assert check.stderr == (
        "output/.staging/journal.json: a build was interrupted while publishing: run `policygen build`\n"
        f"output/alpha: built as version 1 of {DAY_ONE}, not 2 of {DAY_TWO}\n"
    )
    again = _policygen(project, "build", "--format", "md", "--today", DAY_THREE)
    assert again.returncode == 0, again.stderr
    assert state_file.read_bytes() == published
    assert _versions(project / "output" / "manifest.json") == {"alpha": (2, DAY_TWO)}
    assert not (project / "output" / ".staging").exists()
    assert _policygen(project, "check").returncode == 0


def _add_data_subjects(project: Path) -> None:
    """A change of the facts that the record of processing shows and the policy's text does not:
    the state file gets new inputs and keeps its version."""
    facts = project / "companies" / "alpha.yaml"
    text = facts.read_text(encoding="utf-8")
    changed = "    legal_basis: contract\n    data_subjects: {pl: klienci, en: customers}\n"
    facts.write_text(text.replace("    legal_basis: contract\n", changed, 1), encoding="utf-8")


def _records_klienci(project: Path, out: str) -> bool:
    return "klienci" in (project / out / "alpha" / "ropa.csv").read_text(encoding="utf-8-sig")


def test_outputs_older_than_the_state_files_inputs_are_built_again(tmp_path: Path) -> None:
    """A change that keeps the version, built into ``other``, updates the state file: ``output``,
    built from the earlier facts, is named by ``check`` and built again, though its version is current."""
    project = _project(tmp_path / "project")
    assert _policygen(project, "build", "--format", "md,ropa", "--today", DAY_ONE).returncode == 0
    _add_data_subjects(project)
    assert _policygen(project, "build", "--out", "other", "--format", "md,ropa", "--today", DAY_TWO).returncode == 0
    assert _records_klienci(project, "other")
    check = _policygen(project, "check")
    assert check.returncode == 1
    assert check.stderr == "output/alpha: built from other facts, templates or catalogs than its state file records\n"
    again = _policygen(project, "build", "--format", "md,ropa", "--today", DAY_TWO)
    assert again.returncode == 0, again.stderr
    assert "1 of 1 companies rendered" in again.stdout
    assert _records_klienci(project, "output")
    assert _versions(project / "output" / "manifest.json") == {"alpha": (1, DAY_ONE)}
    assert _policygen(project, "check").returncode == 0


def test_undoing_a_killed_build_that_kept_the_version_builds_its_outputs_again(tmp_path: Path) -> None:
    """Killed after replacing the state file with new inputs and the same version: the outputs put
    back are those of the earlier inputs, which ``check`` names and the next build replaces."""
    project = _project(tmp_path / "project")
    assert _policygen(project, "build", "--format", "md,ropa", "--today", DAY_ONE).returncode == 0
    _add_data_subjects(project)
    _build_killed_after_the_state_file(project, "build", "--format", "md,ropa", "--today", DAY_TWO)
    again = _policygen(project, "build", "--format", "md,ropa", "--today", DAY_TWO)
    assert again.returncode == 0, again.stderr
    assert "1 of 1 companies rendered" in again.stdout
    assert _records_klienci(project, "output")
    assert _policygen(project, "check").returncode == 0


def test_builds_naming_the_same_facts_folders_in_opposite_orders_do_not_deadlock(tmp_path: Path) -> None:
    """Both wait for the same folder first, whatever order their arguments name them in: taken
    in the order of the arguments, each would hold one folder and wait for the other's."""
    project = tmp_path / "project"
    _project(project / "a", ("alpha",))
    _project(project / "b", ("beta",))
    arguments = ("build", "--format", "md", "--today", DAY_ONE)
    one = _command(*arguments, "--out", "one", "a/companies", "b/companies")
    two = _command(*arguments, "--out", "two", "b/companies", "a/companies")
    with (
        _held(project / "a" / "companies", project / "b" / "companies") as release,
        _started(project, one, two) as builds,
    ):
        waited_for = {_first_line(running) for running in builds}
        assert len(waited_for) == 1, waited_for
        assert waited_for.pop().startswith("waiting for another policygen build of the facts in ")
        release()
        for running in builds:
            _, errors = running.communicate(timeout=120)
            assert running.returncode == 0, errors


def test_builds_keeping_their_facts_in_each_others_output_folders_do_not_deadlock(tmp_path: Path) -> None:
    """One build writes into ``one`` the facts kept in ``two``, the other the reverse. Each took
    its output folder first and then waited for its facts' folder, which the other held. All
    folders are now taken in one order: while the first of them is held, both builds wait for it
    and neither holds the second."""
    project = tmp_path / "project"
    _project(project / "one", ("alpha",))
    _project(project / "two", ("beta",))
    arguments = ("build", "--format", "md", "--today", DAY_ONE)
    into_one = _command(*arguments, "--out", "one/companies", "two/companies")
    into_two = _command(*arguments, "--out", "two/companies", "one/companies")
    folders = (project / "one" / "companies", project / "two" / "companies")
    first, second = sorted(folders, key=lambda folder: (folder.stat().st_dev, folder.stat().st_ino))
    with _held(first) as release, _started(project, into_one, into_two) as builds:
        for running in builds:
            assert _first_line(running).startswith("waiting for another policygen build of ")
        probe = os.open(second, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError while a build holds it
        finally:
            os.close(probe)
        release()
        for running in builds:
            _, errors = running.communicate(timeout=120)
            assert running.returncode == 0, errors
    for folder, name in zip(folders, ("beta", "alpha"), strict=True):
        assert (folder / name / "en" / "privacy-policy.md").is_file()


@pytest.mark.parametrize("first", ["output", "companies"])
def test_a_second_build_of_the_same_output_and_facts_says_it_waits_for_the_output(tmp_path: Path, first: str) -> None:
    # The folders are locked in the order of their inodes, whichever was made first; the message
    # still names the output folder, which a second `policygen build` of a project waits for.
    for folder in sorted(("output", "companies"), key=lambda name: name != first):
        (tmp_path / folder).mkdir()
    facts = [tmp_path / "companies" / "alpha.yaml"]
    shutil.copyfile(MINIMAL, facts[0])
    out = tmp_path / "output"
    heard: list[str] = []

    def build_again() -> None:
        with folder_locks(out, facts, on_wait=heard.append):
            pass

    waiting = threading.Thread(target=build_again)
    with folder_locks(out, facts):
        waiting.start()
        _wait_for(lambda: bool(heard))
    waiting.join(timeout=60)
    assert not waiting.is_alive()
    assert heard == [f"waiting for another policygen build of {out} to finish"]


def test_readers_of_the_facts_wait_for_a_build_of_them_not_for_each_other(tmp_path: Path) -> None:
    facts = [_project(tmp_path / "project") / "companies" / "alpha.yaml"]
    heard: list[str] = []

    def read() -> None:
        with folder_locks(None, facts, shared=True, on_wait=heard.append):
            pass

    reader = threading.Thread(target=read)
    with _held(facts[0].parent):
        reader.start()
        _wait_for(lambda: bool(heard))
        assert reader.is_alive()
    reader.join(timeout=60)
    assert not reader.is_alive()
    assert heard == [f"waiting for another policygen build of the facts in {facts[0].parent} to finish"]
    with folder_locks(None, facts, shared=True), folder_locks(None, facts, shared=True, on_wait=heard.append):
        assert len(heard) == 1


def test_a_facts_folder_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    with (
        pytest.raises(UserError) as raised,
        folder_locks(tmp_path / "site" / "legal" / "output", [gone / "alpha.yaml"]),
    ):
        pass
    assert str(raised.value) == f"{gone}: cannot open the facts folder to lock it: No such file or directory"
    assert not (tmp_path / "site").exists()  # created with its parents to be locked, and removed again


def test_an_output_folder_that_cannot_be_locked_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system without locks (NFS without a lock daemon) refuses flock with ENOLCK."""

    def refuse(descriptor: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", refuse)
    out = tmp_path / "output"
    with pytest.raises(UserError) as raised, folder_locks(out):
        pass
    assert str(raised.value) == f"{out}: cannot lock the output folder: No locks available"
    assert not out.exists()


def test_facts_in_the_output_folder_are_built_under_its_lock_alone(tmp_path: Path) -> None:
    """The facts folder's lock is the output folder's, already held: taken again, it would wait
    for the build itself."""
    project = _project(tmp_path / "project")
    finished = _policygen(project, "build", "--out", "companies", "--format", "md", "--today", DAY_ONE)
    assert finished.returncode == 0, finished.stderr
    assert (project / "companies" / "manifest.json").is_file()
    assert _policygen(project, "check", "--out", "companies").returncode == 0


@pytest.fixture
def slow_build(tmp_path: Path) -> tuple[Path, subprocess.Popen[str], dict[str, bytes]]:
    """A built project, then a second build of changed facts in two workers, caught while rendering."""
    project = _project(tmp_path / "project", COMPANIES)
    assert _policygen(project, "build", "--format", "md", "--today", DAY_ONE).returncode == 0
    before = _files(project)
    _change_facts(project)
    running = subprocess.Popen(
        _command("build", "--format", "md,html,pdf", "--today", DAY_TWO, "--jobs", "2"),
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _wait_for(lambda: _staged_something(project))
    return project, running, before


def _group_gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_and_sigterm_stop_every_worker_and_leave_earlier_outputs(
    slow_build: tuple[Path, subprocess.Popen[str], dict[str, bytes]], sent: signal.Signals, code: int
) -> None:
    project, running, before = slow_build
    if sent is signal.SIGINT:
        os.killpg(running.pid, sent)  # Ctrl-C reaches the whole foreground group
    else:
        running.send_signal(sent)  # a service manager stops the main process
    _, errors = running.communicate(timeout=60)
    assert running.returncode == code
    assert errors == "interrupted; earlier outputs are unchanged\n"
    _wait_for(lambda: _group_gone(running.pid), timeout=10)
    assert _files(project) == before
    assert not (project / "output" / ".staging").exists()


def test_workers_die_with_a_killed_build(slow_build: tuple[Path, subprocess.Popen[str], dict[str, bytes]]) -> None:
    project, running, before = slow_build
    running.kill()
    running.communicate(timeout=10)
    _wait_for(lambda: _group_gone(running.pid), timeout=10)
    left = {name: data for name, data in _files(project).items() if not name.startswith("output/.staging/")}
    assert left == before
    finished = _policygen(project, "build", "--format", "md", "--today", DAY_TWO)
    assert finished.returncode == 0, finished.stderr
    assert not (project / "output" / ".staging").exists()


def _answer_of(size: int) -> bytes:
    return b"x" * size


def test_workers_killed_while_answering_leave_nothing_to_wait_for() -> None:
    """A worker stopped while it writes an answer larger than a pipe holds (a company's prepared
    files are) does not keep the build waiting, as a lock shared with it once did."""
    workers = Workers(2, ())
    for connection in workers._connections:
        connection.send((_answer_of, 16 * 1024 * 1024))
    time.sleep(0.5)  # each worker is now writing an answer that nobody reads
    stopping = threading.Thread(target=workers.stop, daemon=True)
    stopping.start()
    stopping.join(timeout=10)
    assert not stopping.is_alive(), "stopping the workers waited for their answers"


def test_a_build_of_some_companies_undoes_a_killed_build_of_all(built: Path) -> None:
    """The journal of a killed build names the state files of every company it built; a build of
    one of them puts back the folder's outputs, leaves the other's state file as it is, and
    builds its own."""
    _build_killed_after_the_state_file(built, "build", "--format", "md,html", "--today", DAY_TWO)
    alpha = (built / "companies" / "alpha.state.json").read_bytes()
    finished = _policygen(built, "build", "companies/beta.yaml", "--format", "md,html", "--today", DAY_TWO)
    assert finished.returncode == 0, finished.stderr
    assert (built / "companies" / "alpha.state.json").read_bytes() == alpha
    assert _versions(built / "output" / "manifest.json")["beta"] == (2, DAY_TWO)
    assert not (built / "output" / ".staging").exists()


def test_a_journal_naming_a_file_outside_the_output_folder_is_refused(built: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    staging = built / "output" / ".staging"
    staging.mkdir()
    (staging / "journal.json").write_text(
        json.dumps([{"target": str(precious), "backup": "backup-0", "existed": False}]), encoding="utf-8"
    )
    finished = _policygen(built, "build", "--format", "md", "--today", DAY_TWO)
    _assert_refused(finished, f"output/.staging/journal.json: the journal of an interrupted build names {precious}")
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert (staging / "journal.json").is_file(), "the journal is kept for the user to check"


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda journal: journal.write_text("{not json", encoding="utf-8"),
        # Arrays nested deeper than Python's stack: json raised a RecursionError, a traceback.
        lambda journal: journal.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"),
        _fifo,  # the read waited for a writer forever
    ],
    ids=["not-json", "nested-too-deep", "fifo"],
)
def test_a_damaged_journal_stops_every_build_until_the_user_removes_it(
    built: Path, damage: Callable[[Path], object]
) -> None:
    staging = built / "output" / ".staging"
    staging.mkdir()
    damage(staging / "journal.json")
    for _ in range(2):
        finished = _policygen(built, "build", "--format", "md", "--today", DAY_TWO)
        _assert_refused(finished, "output/.staging/journal.json: the journal of an interrupted build cannot be read")
    checked = _policygen(built, "check")
    _assert_refused(checked, "a build was interrupted while publishing: run `policygen build`")


def test_a_state_file_that_is_no_regular_file_is_named_without_waiting(built: Path) -> None:
    # A FIFO in its place blocked the read until someone wrote to it, forever.
    state = built / "companies" / "alpha.state.json"
    state.unlink()
    os.mkfifo(state)
    for command in (("build", "--format", "md", "--today", DAY_TWO), ("check",)):
        finished = _policygen(built, *command)
        _assert_refused(finished, "companies/alpha.state.json: cannot read the state file: not a regular file")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda manifest: manifest.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"),
            "output/manifest.json: is not valid JSON; every company is built again",
        ),
        (_fifo, "output/manifest.json: cannot be read (not a regular file); every company is built again"),
    ],
    ids=["nested-too-deep", "fifo"],
)
def test_a_manifest_nested_too_deep_or_no_regular_file_is_rebuilt(
    built: Path, damage: Callable[[Path], object], message: str
) -> None:
    manifest = built / "output" / "manifest.json"
    manifest.unlink()
    damage(manifest)
    finished = _policygen(built, "build", "--format", "md,html", "--today", DAY_TWO)
    assert finished.returncode == 0, finished.stderr
    assert message in finished.stderr
    assert json.loads(manifest.read_text(encoding="utf-8"))["outputs"]


def test_a_failed_publication_leaves_no_folder_it_created(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    (project / "output" / "manifest.json").mkdir(parents=True)
    finished = _policygen(project, "build", "--format", "md", "--today", DAY_ONE)
    _assert_refused(finished, "manifest.json: cannot publish: Is a directory")
    assert sorted(path.name for path in (project / "output").iterdir()) == ["manifest.json"]
    assert not (project / "companies" / "alpha.state.json").exists()


def test_drafts_never_follow_a_preview_folder_that_links_elsewhere(built: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (built / "output" / ".preview").symlink_to(elsewhere)
    finished = _policygen(built, "build", "--draft", "--format", "md")
    _assert_refused(finished, "refusing to write outside output")
    assert list(elsewhere.iterdir()) == []


def test_a_ctrl_c_while_the_scratch_folder_is_removed_waits_until_it_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second of two Ctrl-C (or `timeout`, signalling the build and its group) left ~100 files behind.
    staging = tmp_path / ".staging"
    staging.mkdir()
    for number in range(50):
        (staging / f"tmp{number}.tmp").write_bytes(b"staged")
    removal = shutil.rmtree

    def interrupted_removal(path: Path, **options: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        removal(path, **options)

    monkeypatch.setattr(shutil, "rmtree", interrupted_removal)
    with pytest.raises(KeyboardInterrupt):
        clear_staging(tmp_path)
    assert not staging.exists()


def test_a_held_ctrl_c_waits_even_with_another_thread_running() -> None:
    # In a terminal the progress bar runs a thread: blocking the signal in the build's thread alone
    # had the kernel hand it to that thread, and Python raised it in the build all the same.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    finished: list[str] = []

    def held_work() -> None:
        with signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            finished.append("the held work")

    try:
        with pytest.raises(KeyboardInterrupt):
            held_work()
    finally:
        stop.set()
        other.join()
    assert finished == ["the held work"]


def test_a_full_disk_is_reported_once_not_once_per_company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path / "project", ("alpha", "beta", "gamma"))

    def disk_full(out_dir: Path, outputs: object) -> list[StagedFile]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rendering, "stage_outputs", disk_full)
    with pytest.raises(UserError) as raised:
        build([project / "companies"], out_dir=project / "output", formats=("md",), today=BUILD_DAY, jobs=1)
    assert [str(message) for message in raised.value.messages] == [
        "policygen: cannot write a staged output: No space left on device"
    ]


@pytest.mark.parametrize("command_line", [["build"], ["validate"], ["--version"]])
def test_ctrl_c_while_the_command_line_loads_gets_its_line_not_a_traceback(
    command_line: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The parser loads the language table (and pydantic with it) for a few tenths of a second, outside
    # the handler of the command's own run: a Ctrl-C there printed Python's traceback.
    from generator import cli

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_parser", interrupted)
    assert cli.main(command_line) == 130
    assert capsys.readouterr().err == "interrupted; earlier outputs are unchanged\n"
