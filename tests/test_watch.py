"""`policygen watch`: every relevant change rebuilds, a user's mistake does not end the watch."""

from __future__ import annotations

import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT

from generator.errors import UserError, user_error
from generator.resources import DATA, LOCALES, TEMPLATES
from generator.state import load_state
from generator.watch import watch

PATIENCE = 10.0
"""Seconds a rebuild may take to follow a change; polling notices one in well under one."""

STILLNESS = 1.5
"""Seconds without a rebuild that show a change was ignored."""


class Builds:
    """A stand-in for the build that counts its runs and fails the ones it is told to."""

    def __init__(self, failing: Collection[int] = ()) -> None:
        self.failing = failing
        self.count = 0
        self.errors: list[UserError] = []
        self._changed = threading.Condition()

    def rebuild(self) -> None:
        with self._changed:
            self.count += 1
            number = self.count
            self._changed.notify_all()
        if number in self.failing:
            raise user_error("companies/acme.yaml", f"a typo in build {number}", line=3, column=5)

    def wait_for(self, count: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= count, timeout)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Facts, templates and catalogs of their own, so no other edit can start a rebuild."""
    for folder in ("companies", "templates", "locales", "output"):
        (tmp_path / folder).mkdir()
    (tmp_path / "companies" / "acme.yaml").write_text("controller: {}\n", encoding="utf-8")
    (tmp_path / "templates" / "policy.md.j2").write_text("{{ company }}\n", encoding="utf-8")
    monkeypatch.setattr("generator.watch.TEMPLATES", tmp_path / "templates")
    monkeypatch.setattr("generator.watch.LOCALES", tmp_path / "locales")
    return tmp_path


@contextmanager
def watching(project: Path, builds: Builds) -> Iterator[None]:
    stop = threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            watch(
                [project / "companies"],
                builds.rebuild,
                on_error=builds.errors.append,
                stop_event=stop,
                ignore=[project / "output"],
                force_polling=True,
            )
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        assert builds.wait_for(1, PATIENCE), "watch did not build at the start"
        yield
    finally:
        stop.set()
        thread.join(PATIENCE)
    assert not thread.is_alive(), "watch did not stop when asked"
    assert not failures, failures


def change_until_rebuilt(path: Path, builds: Builds) -> None:
    """Edit ``path`` until a rebuild follows; edits made before the watcher starts go unseen."""
    expected = builds.count + 1
    deadline = time.monotonic() + PATIENCE
    edit = 0
    while time.monotonic() < deadline:
        edit += 1
        path.write_text(f"# edit {edit}\n" + "x" * edit, encoding="utf-8")
        if builds.wait_for(expected, 1.0):
            return
    pytest.fail(f"no rebuild followed the change of {path.name}")


def test_a_change_rebuilds_and_a_mistake_goes_to_on_error_without_ending_the_watch(project: Path) -> None:
    builds = Builds(failing={2})
    facts = project / "companies" / "acme.yaml"

    with watching(project, builds):
        change_until_rebuilt(facts, builds)
        assert [str(error) for error in builds.errors] == ["companies/acme.yaml:3:5: a typo in build 2"]
        change_until_rebuilt(facts, builds)
        change_until_rebuilt(project / "templates" / "policy.md.j2", builds)

    assert len(builds.errors) == 1


def test_outputs_state_files_and_editor_leftovers_start_no_rebuild(project: Path) -> None:
    builds = Builds()
    companies = project / "companies"

    with watching(project, builds):
        change_until_rebuilt(companies / "acme.yaml", builds)
        time.sleep(STILLNESS)  # a rebuild for a second edit of the file, if any, happens now
        before = builds.count
        (project / "output" / "acme").mkdir()
        (project / "output" / "acme" / "privacy-policy.md").write_text("# Policy\n", encoding="utf-8")
        (companies / "acme.state.json").write_text("{}\n", encoding="utf-8")
        (companies / ".acme.yaml.swp").write_text("swap\n", encoding="utf-8")
        (companies / "acme.yaml~").write_text("backup\n", encoding="utf-8")
        (companies / ".acme.yaml.k2j4.tmp").write_text("half\n", encoding="utf-8")
        (companies / "notes").mkdir()
        (companies / "notes" / "draft.yaml").write_text("draft\n", encoding="utf-8")
        time.sleep(STILLNESS)
        assert builds.count == before
        change_until_rebuilt(companies / "new.yml", builds)

    assert builds.errors == []


def test_a_missing_path_is_a_user_error(project: Path) -> None:
    with pytest.raises(UserError, match="no such file or folder"):
        watch([project / "missing"], lambda: None, on_error=lambda error: None)


def test_an_edit_during_the_first_build_is_rebuilt_and_drafts_touch_no_state(tmp_path: Path) -> None:
    """A real `policygen watch` on the four examples: its first build takes a few seconds, and a
    save made as soon as it says it is watching lands in that build; a second build follows."""
    companies = tmp_path / "companies"
    shutil.copytree(ROOT / "companies", companies)
    states = {path.name: path.read_bytes() for path in companies.glob("*.state.json")}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "watch", "--format", "md"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout or ():
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        project = ", ".join(str(folder.resolve()) for folder in (TEMPLATES, LOCALES, DATA))
        assert lines.get(timeout=PATIENCE) == f"watching companies, {project}; drafts into output/.preview\n"
        facts = companies / "clarops.yaml"
        facts.write_text(
            facts.read_text(encoding="utf-8").replace("name, e-mail address, phone number", "name, e-mail, fax"),
            encoding="utf-8",
        )
        built = [lines.get(timeout=PATIENCE) for _ in range(8)]  # two builds of four companies
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=PATIENCE)

    assert [line.split(":")[0] for line in built] == ["clarops", "clusteric", "optingo", "smartcp"] * 2
    assert all(re.fullmatch(r"[a-z]+: draft of [0-9-]{10}, version [0-9]+ when published\n", line) for line in built)
    # The edit changed clarops' text (the first build may have read it before or after the edit).
    published = load_state(ROOT / "companies" / "clarops.yaml")
    assert published is not None
    assert built[4].endswith(f", version {published.version + 1} when published\n")
    assert "name, e-mail, fax" in (tmp_path / "output/.preview/clarops/en/privacy-policy.md").read_text()
    assert {path.name: path.read_bytes() for path in companies.glob("*.state.json")} == states
    assert [path.name for path in (tmp_path / "output").iterdir()] == [".preview"]
    assert process.returncode == 130
    assert stderr == "interrupted; earlier outputs are unchanged\n"


def test_forgetting_the_project_empties_every_cache_of_its_templates_catalogs_and_data() -> None:
    """What `watch` and `serve` do when a template, a catalog or a data file changes."""
    from generator import languages, legal
    from generator.i18n import translations
    from generator.languages import FormOfAddress
    from generator.resources import forget_project
    from generator.templating import template_environment

    template_environment("pl", FormOfAddress.PANSTWO)
    translations("de")
    legal.legal_facts()
    caches = (template_environment, legal.legal_facts, legal.legal_facts_file, languages._read_table)
    assert all(cached.cache_info().currsize for cached in caches)
    forget_project()
    assert [cached.cache_info().currsize for cached in caches] == [0, 0, 0, 0]
