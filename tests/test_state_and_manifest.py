"""Damaged state and manifest files, and staleness that must not lie.

A state file or a manifest that someone edited, copied or truncated ends in a message naming
the file and what to do, never in a traceback; ``check`` never says "up to date" where
``build`` would fail or change something; the manifest is never trusted to delete.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import legal, resources
from generator import state as state_module
from generator.check import check
from generator.cli import main
from generator.errors import UserError
from generator.pipeline import build
from generator.state import controller_identity, load_state
from generator.validation import load_company

DAY_ONE = datetime.date(2026, 11, 22)
DAY_TWO = datetime.date(2027, 1, 15)
ALPHA_STATE = "companies/alpha.state.json"
DAMAGED = "the state file is damaged ({}); restore it from git, or delete it to start a new version history"

Json = dict[str, Any]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two companies built on day one (Markdown and the report), the working directory."""
    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "alpha.yaml")
    shutil.copyfile(ROOT / "companies" / "clusteric.yaml", tmp_path / "companies" / "beta.yaml")
    monkeypatch.chdir(tmp_path)
    _build()
    return tmp_path


def _build(*extra: str, day: datetime.date = DAY_ONE) -> int:
    return main(["build", "--format", "md,compliance", "--today", day.isoformat(), "--jobs", "1", *extra])


def _edit_json(path: str, change: Callable[[Json], object]) -> None:
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    change(document)
    Path(path).write_text(json.dumps(document), encoding="utf-8")


def _change_facts(name: str = "alpha") -> None:
    facts = Path(f"companies/{name}.yaml")
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("distinguishing visitors", "measuring reach"), encoding="utf-8")


def _set_document(document: Json) -> None:
    document["history"][0]["facts"]["document"] = "every page"


def _break_controller(document: Json) -> None:
    document["history"][0]["facts"]["controller"]["nip"] = "not a number"


def _languages_entry(value: object) -> Callable[[Json], None]:
    def damage(document: Json) -> None:
        document["history"][0]["facts"]["document"]["languages"][0] = value

    return damage


def _duplicate_version(document: Json) -> None:
    document["history"].append(document["history"][0])
    document["version"] = 1


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda state: state.update(history=[]), DAMAGED.format("the history's versions are none, not 1, 2, 3...")),
        (_set_document, DAMAGED.format("the facts of version 1 are no longer valid facts")),
        (_break_controller, DAMAGED.format("the facts of version 1 are no longer valid facts")),
        (_languages_entry(None), DAMAGED.format("the facts of version 1 are no longer valid facts")),
        (_languages_entry("xx"), DAMAGED.format("the facts of version 1 are no longer valid facts")),
        (_duplicate_version, DAMAGED.format("the history's versions are [1, 1], not 1, 2, 3...")),
        (
            lambda state: state.update(version="two"),
            DAMAGED.format(
                "1 problem at version: Input should be a valid integer, unable to parse string as an integer"
            ),
        ),
        (
            lambda state: state.update(date=20261122),
            DAMAGED.format("1 problem at date: a date is written YYYY-MM-DD, e.g. 2026-03-01"),
        ),
        (  # seconds since 1970 of a midnight, which Pydantic would read as that day
            lambda state: state["history"][0].update(date=1795305600),
            DAMAGED.format("1 problem at history.0.date: a date is written YYYY-MM-DD, e.g. 2026-03-01"),
        ),
    ],
    ids=[
        "empty-history",
        "document-of-wrong-type",
        "archived-facts-invalid",
        "archived-language-null",
        "archived-language-unknown",
        "duplicated-versions",
        "version-text",
        "date-number",
        "date-in-seconds",
    ],
)
def test_a_damaged_state_file_is_named_by_build_and_check(
    project: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[Json], object], message: str
) -> None:
    _edit_json(ALPHA_STATE, damage)
    capsys.readouterr()
    assert _build() == 1
    assert capsys.readouterr().err == f"{ALPHA_STATE}: {message}\n"
    assert main(["check"]) == 1
    assert f"{ALPHA_STATE}: {message}\n" in capsys.readouterr().err


def test_a_version_published_before_a_rule_is_still_read(project: Path) -> None:
    # A stored version's facts are read as facts again; a rule added since (GDPR-5-1-e-CAP-START) checks
    # only the facts being built, so a history published before it is no damaged state file.
    def capped_from_its_event(document: Json) -> None:
        retention = document["history"][0]["facts"]["purposes"][0]["retention"]
        retention.update(at_most="3 years", counted_from="contract_end")

    _edit_json(ALPHA_STATE, capped_from_its_event)
    assert main(["check"]) == 0


def test_a_state_file_read_again_unchanged_is_not_checked_again(project: Path) -> None:
    # serve reads the state at every save of the facts; checking each version's facts again was
    # half of a redraft. Other bytes (an edit, a damage) are read and checked anew.
    facts = Path("companies/alpha.yaml")
    first = load_state(facts)
    assert first is not None
    assert load_state(facts) is first
    _edit_json(ALPHA_STATE, lambda document: None)  # the same content, written without indentation
    again = load_state(facts)
    assert again is not first
    assert again == first
    _edit_json(ALPHA_STATE, lambda document: document.update(version="two"))
    with pytest.raises(UserError, match="the state file is damaged"):
        load_state(facts)


def test_a_state_file_copied_from_another_company_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copyfile("companies/beta.state.json", ALPHA_STATE)
    before = Path("output/alpha/pl/privacy-policy.md").read_bytes()
    capsys.readouterr()
    assert _build() == 1
    assert capsys.readouterr().err == (
        f"{ALPHA_STATE}: this state file records the policy of 'beta', not of 'alpha' (copied from another company?); "
        "restore this company's own state file from git, or delete it to start a new history\n"
    )
    assert main(["check"]) == 1
    assert Path("output/alpha/pl/privacy-policy.md").read_bytes() == before


def test_a_state_file_of_another_controller_is_refused_even_without_its_slug(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile("companies/beta.state.json", ALPHA_STATE)
    _edit_json(ALPHA_STATE, lambda state: state.pop("company"))
    beta = json.loads(Path("companies/beta.state.json").read_text(encoding="utf-8"))["controller"]
    alpha = controller_identity(load_company("companies/alpha.yaml"))
    assert alpha != beta
    capsys.readouterr()
    assert _build() == 1
    assert capsys.readouterr().err == (
        f"{ALPHA_STATE}: this state file records the policy of the controller {beta}, but the facts name {alpha}; "
        "restore this company's own state file from git, or delete it to start a new history\n"
    )


def _entry_of(manifest: Json, path: str) -> Json:
    return next(entry for entry in manifest["outputs"] if entry["path"] == path)


MANIFEST_DAMAGE: list[tuple[str, Callable[[Json], object], str]] = [
    (
        "earlier-release",
        lambda m: m.pop("companies"),
        "written by an earlier release of policygen; every company is built again",
    ),
    (
        "outputs-not-a-list",
        lambda m: m.update(outputs={"a": 1}),
        "'outputs' is not a list; every company is built again",
    ),
    (
        "entry-without-path",
        lambda m: _entry_of(m, "alpha/pl/privacy-policy.md").pop("path"),
        "outputs[{index}]: has no 'path' string; its company is built again",
    ),
    (
        "path-not-a-string",
        lambda m: _entry_of(m, "alpha/pl/privacy-policy.md").update(path=["alpha"]),
        "outputs[{index}]: has no 'path' string; its company is built again",
    ),
    (
        "path-naming-a-folder",
        lambda m: _entry_of(m, "alpha/pl/privacy-policy.md").update(path="alpha/pl"),
        "outputs[{index}]: 'alpha/pl' names a folder; its company is built again",
    ),
    (
        "path-outside-the-output-folder",
        lambda m: _entry_of(m, "alpha/pl/privacy-policy.md").update(path="../companies/alpha.yaml"),
        "outputs[{index}]: '../companies/alpha.yaml' is not a file inside a company's folder of output; "
        "its company is built again",
    ),
]


@pytest.mark.parametrize(
    ("damage", "message"), [case[1:] for case in MANIFEST_DAMAGE], ids=[c[0] for c in MANIFEST_DAMAGE]
)
def test_a_damaged_manifest_is_reported_and_rebuilt(
    project: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[Json], object], message: str
) -> None:
    paths = [entry["path"] for entry in json.loads(Path("output/manifest.json").read_text(encoding="utf-8"))["outputs"]]
    message = message.format(index=paths.index("alpha/pl/privacy-policy.md"))
    _edit_json("output/manifest.json", damage)
    capsys.readouterr()
    assert main(["check"]) == 1
    assert f"output/manifest.json: {message}\n" in capsys.readouterr().err
    assert _build() == 0
    captured = capsys.readouterr()
    assert f"output/manifest.json: {message}\n" in captured.err
    assert "1 of 2 companies rendered" in captured.out or "2 of 2 companies rendered" in captured.out
    assert main(["check"]) == 0
    assert Path("companies/alpha.yaml").is_file()


def test_the_manifest_never_deletes_another_companys_file_or_a_changed_one(project: Path) -> None:
    beta_page = Path("output/beta/pl/privacy-policy.md")
    notes = Path("output/alpha/pl/notes.md")
    notes.write_text("my own notes", encoding="utf-8")

    def plant(manifest: Json) -> None:
        entry = _entry_of(manifest, "alpha/pl/privacy-policy.md")
        beta_hash = hashlib.sha256(beta_page.read_bytes()).hexdigest()
        manifest["outputs"] += [
            {**entry, "path": str(beta_page.relative_to("output")), "sha256": beta_hash},
            {**entry, "path": str(notes.relative_to("output")), "sha256": "0" * 64},
        ]

    _edit_json("output/manifest.json", plant)
    _change_facts()
    assert _build("--today", DAY_TWO.isoformat()) == 0
    assert beta_page.is_file()
    assert notes.read_text(encoding="utf-8") == "my own notes"


def test_a_file_policygen_published_and_no_longer_makes_is_removed(project: Path) -> None:
    leftover = Path("output/alpha/pl/old-name.md")
    leftover.write_text("an output of an earlier release", encoding="utf-8")

    def plant(manifest: Json) -> None:
        entry = _entry_of(manifest, "alpha/pl/privacy-policy.md")
        manifest["outputs"].append(
            {**entry, "path": "alpha/pl/old-name.md", "sha256": hashlib.sha256(leftover.read_bytes()).hexdigest()}
        )

    _edit_json("output/manifest.json", plant)
    _change_facts()
    assert _build("--today", DAY_TWO.isoformat()) == 0
    assert not leftover.exists()


@pytest.fixture
def changed_legal_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """The data files as a later release of policygen ships them, with the legal facts changed."""
    changed = tmp_path / "data"
    shutil.copytree(resources.DATA, changed)
    legal_facts = changed / legal.LEGAL_FACTS_FILE.name
    legal_facts.write_bytes(legal_facts.read_bytes() + b"\n# verified again\n")

    def use_changed() -> None:
        monkeypatch.setattr(state_module, "DATA", changed)
        state_module.project_digest.cache_clear()

    yield use_changed
    state_module.project_digest.cache_clear()


def test_changed_legal_facts_make_outputs_stale(project: Path, changed_legal_facts: Callable[[], None]) -> None:
    check([Path("companies")])
    changed_legal_facts()
    with pytest.raises(UserError, match=re.escape("out of date with companies/alpha.yaml, templates or catalogs")):
        check([Path("companies")])
    result = build([Path("companies")], formats=("md", "compliance"), today=DAY_ONE, jobs=1)
    assert all(company.rendered for company in result.companies)
    check([Path("companies")])


def test_a_deleted_output_of_changed_facts_is_named_once(project: Path) -> None:
    # Missing, and out of date with the facts: one file, one line.
    Path("output/alpha/compliance.md").unlink()
    facts = Path("companies/alpha.yaml")
    facts.write_text(facts.read_text(encoding="utf-8").replace("26 months", "14 months"), encoding="utf-8")
    with pytest.raises(UserError) as raised:
        check([Path("companies")])
    named = [message.location.path for message in raised.value.messages]
    assert named.count("output/alpha/compliance.md") == 1
    assert len(named) == len(set(named))


def test_a_deleted_output_is_stale_and_restored_by_the_next_build(project: Path) -> None:
    report = Path("output/alpha/compliance.md")
    content = report.read_bytes()
    report.unlink()
    with pytest.raises(
        UserError, match=re.escape("output/alpha/compliance.md: missing or changed since the last build")
    ):
        check([Path("companies")])
    assert _build() == 0
    assert report.read_bytes() == content
    check([Path("companies")])


def test_building_one_format_keeps_the_others(project: Path) -> None:
    assert _build() == 0
    assert main(["build", "--format", "html", "--today", DAY_ONE.isoformat()]) == 0
    assert main(["build", "--format", "md", "--today", DAY_ONE.isoformat()]) == 0
    listed = {
        entry["path"] for entry in json.loads(Path("output/manifest.json").read_text(encoding="utf-8"))["outputs"]
    }
    assert {"alpha/pl/privacy-policy.md", "alpha/pl/privacy-policy.html", "alpha/compliance.md"} <= listed
    assert all(Path("output", path).is_file() for path in listed)
    assert main(["check"]) == 0


def test_a_format_built_alone_after_a_change_leaves_the_others_stale(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _change_facts()
    assert main(["build", "--format", "md", "--today", DAY_TWO.isoformat()]) == 0
    capsys.readouterr()
    assert main(["check"]) == 1
    assert capsys.readouterr().err == "output/alpha/compliance.md: out of date: run `policygen build`\n"


def test_a_date_before_the_last_version_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _change_facts()
    capsys.readouterr()
    assert _build(day=datetime.date(2026, 11, 1)) == 1
    assert capsys.readouterr().err == (
        f"{ALPHA_STATE}: the build's date 2026-11-01 is earlier than version 1 of 2026-11-22: a policy's history "
        "never goes back; check --today, SOURCE_DATE_EPOCH or the clock\n"
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def _paths_in(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths_in(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths_in(child, (*prefix, index))


def _damaged(document: Any, data: st.DataObject) -> Any:
    """The document with one value replaced, removed, or the whole file cut short."""
    paths = [path for path in _paths_in(document) if path]
    path = data.draw(st.sampled_from(paths))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JSON_VALUES)
    return document


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("damage")
    (project / "companies").mkdir()
    shutil.copyfile(MINIMAL, project / "companies" / "alpha.yaml")
    build([project / "companies"], out_dir=project / "output", formats=("md",), today=DAY_ONE, jobs=1)
    return project


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), which=st.sampled_from(["companies/alpha.state.json", "output/manifest.json"]), cut=st.booleans())
def test_randomly_damaged_state_and_manifest_give_a_build_or_a_message(
    built_once: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, which: str, cut: bool
) -> None:
    project = tmp_path_factory.mktemp("damaged") / "project"
    shutil.copytree(built_once, project)
    target = project / which
    raw = target.read_bytes()
    if cut:
        target.write_bytes(raw[: data.draw(st.integers(0, len(raw) - 1))])
    else:
        target.write_text(json.dumps(_damaged(json.loads(raw), data)), encoding="utf-8")
    for run in (
        lambda: check([project / "companies"], project / "output"),
        lambda: build([project / "companies"], out_dir=project / "output", formats=("md",), today=DAY_ONE, jobs=1),
    ):
        # A build or a located message; any other exception fails the test.
        with contextlib.suppress(UserError):
            run()


def test_a_language_no_longer_published_is_removed(project: Path) -> None:
    facts = Path("companies/alpha.yaml")
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("languages: [pl, en]", "languages: [pl]"), encoding="utf-8"
    )
    assert _build(day=DAY_TWO) == 0
    assert not Path("output/alpha/en").exists()
    assert Path("output/alpha/archive/v1/en/privacy-policy.md").is_file()
    assert main(["check"]) == 0


@pytest.fixture
def one_company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project of one company, ``companies/acme.yaml``, as the working directory."""
    monkeypatch.chdir(tmp_path)
    Path("companies").mkdir()
    shutil.copyfile(MINIMAL, "companies/acme.yaml")
    return tmp_path


@pytest.mark.usefixtures("one_company")
def test_one_company_is_counted_in_the_singular(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--format", "md", "--lang", "pl", "--today", "2026-11-22"]) == 0
    assert capsys.readouterr().out == "1 of 1 companies rendered, 2 files written\n"  # the Markdown and the state
    assert main(["check"]) == 0
    assert capsys.readouterr().out == "1 company up to date\n"


@pytest.mark.usefixtures("one_company")
def test_check_of_a_folder_without_a_build_says_that_it_compared_the_state_files_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # "Up to date" for an output folder holding nothing read as if its outputs had been compared.
    assert main(["build", "--format", "md", "--lang", "pl", "--today", "2026-11-22"]) == 0
    capsys.readouterr()
    assert main(["check", "--out", "elsewhere"]) == 0
    assert capsys.readouterr().out == (
        "1 company up to date: its state file only, as elsewhere/ holds no build (no manifest.json)\n"
    )


@pytest.mark.usefixtures("one_company")
def test_a_language_asked_for_that_a_company_does_not_publish_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    # `--lang de` for a company publishing Polish and English wrote nothing and said nothing of why.
    assert main(["build", "--format", "md", "--lang", "de", "--today", "2026-11-22"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "acme: rendered, version 1 of 2026-11-22; it publishes no de (its languages: pl, en)\n"
    assert captured.out == "1 of 1 companies rendered, 1 file written\n"  # the state: a first version
    assert main(["build", "--format", "md", "--lang", "pl,de", "--today", "2026-11-22"]) == 0
    assert capsys.readouterr().err.endswith("; it publishes no de (its languages: pl, en)\n")


@pytest.mark.usefixtures("one_company")
def test_a_kind_needing_more_languages_than_the_build_covers_says_why_it_made_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `--format pdf-bilingual --lang en` reported "1 of 1 companies rendered, 0 files written" and nothing of why.
    assert main(["build", "--format", "pdf-bilingual", "--lang", "en", "--today", "2026-11-22"]) == 0
    made_none = "acme: rendered, version 1 of 2026-11-22; made no pdf-bilingual: it needs 2 of its languages, "
    assert capsys.readouterr().err == made_none + "and this build covers 1 (en)\n"
    # Unchanged the next time, it made nothing at all, and its earlier files are as they were.
    assert main(["build", "--format", "pdf-bilingual", "--lang", "en", "--today", "2026-11-22"]) == 0
    assert capsys.readouterr().err == "acme: unchanged, version 1 of 2026-11-22\n"
    # A draft of a company whose facts switch the bilingual PDF on.
    facts = Path("companies/acme.yaml")
    facts.write_text(facts.read_text(encoding="utf-8").replace("document:\n", "document:\n  bilingual_pdf: true\n", 1))
    assert main(["build", "--draft", "--lang", "en", "--today", "2026-11-22"]) == 0
    assert capsys.readouterr().err.endswith(
        "; made no pdf-bilingual: " + made_none.partition("pdf-bilingual: ")[2] + "and this build covers 1 (en)\n"
    )
    assert main(["build", "--format", "pdf-bilingual,md", "--lang", "pl,de", "--today", "2026-11-22"]) == 0
    assert capsys.readouterr().err.endswith(
        "; it publishes no de (its languages: pl, en); made no pdf-bilingual: it needs 2 of its languages, "
        "and this build covers 1 (pl)\n"
    )


def test_the_outputs_of_changed_facts_are_counted_in_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A fact changed makes every output of its company stale: listing each (57 in a default build) buried the cause.
    _change_facts()
    capsys.readouterr()
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "companies/alpha.state.json: out of date with companies/alpha.yaml, templates or catalogs",
        "output/alpha: its 3 outputs are out of date: run `policygen build`",
    ]
