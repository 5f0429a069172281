"""Which facts files a command reads: two files that would make the same company are refused.

A company's slug is its facts file's name without the suffix, and it names the output
folder and the state file; two files with one slug would overwrite each other's policies
on every build. Every command finds its files through ``facts_files``, so each refuses.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL, ROOT

from generator.cli import main
from generator.errors import UserError
from generator.project import facts_files


def _same_name(first: str, second: str) -> str:
    return (
        f"{second}: has the same company name 'acme' as {first}; the file name names the company's output folder,"
        " so rename or remove one of them\n"
    )


@pytest.fixture
def two_suffixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``companies/acme.yaml`` and ``companies/acme.yml``, with the scratch folder as working directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "companies").mkdir()
    for name in ("acme.yaml", "acme.yml", "other.yaml"):
        shutil.copyfile(MINIMAL, tmp_path / "companies" / name)
    return tmp_path


def _files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_a_folder_with_one_slug_in_two_suffixes_is_refused_naming_both(two_suffixes: Path) -> None:
    with pytest.raises(UserError) as raised:
        facts_files([Path("companies")])
    assert str(raised.value) + "\n" == _same_name("companies/acme.yaml", "companies/acme.yml")


def test_two_folders_with_one_slug_are_refused_naming_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copyfile(MINIMAL, tmp_path / folder / "acme.yaml")
    with pytest.raises(UserError) as raised:
        facts_files([Path("a"), Path("b/acme.yaml")])
    assert str(raised.value) + "\n" == _same_name("a/acme.yaml", "b/acme.yaml")


def test_one_file_named_twice_is_read_once(two_suffixes: Path) -> None:
    assert facts_files([Path("companies/other.yaml"), Path("companies/../companies/other.yaml")]) == [
        Path("companies/other.yaml")
    ]


def test_state_files_named_beside_the_facts_are_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `policygen validate companies/*` names each company's state file too, which is no facts file.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "acme.yaml")
    assert main(["build", "companies", "--out", "out", "--format", "md", "--today", "2026-11-22"]) == 0
    named = sorted(Path("companies").iterdir())
    assert [path.name for path in named] == ["acme.state.json", "acme.yaml"]
    assert facts_files(named) == [Path("companies/acme.yaml")]
    assert main(["validate", *map(str, named)]) == 0


@pytest.mark.parametrize(
    "command",
    [
        ["build", "companies", "--out", "out", "--format", "md", "--today", "2026-11-22"],
        ["validate", "companies"],
        ["lint", "companies"],
        ["check", "companies", "--out", "out"],
        ["diff", "companies"],
    ],
    ids=lambda command: command[0],
)
def test_every_command_refuses_one_slug_twice_and_writes_nothing(
    command: list[str], two_suffixes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files_under(two_suffixes)
    code = main(command)
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (1, "", _same_name("companies/acme.yaml", "companies/acme.yml"))
    assert _files_under(two_suffixes) == before


def test_the_command_line_build_refuses_one_slug_in_two_folders(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copyfile(MINIMAL, tmp_path / folder / "acme.yaml")
    completed = subprocess.run(
        [sys.executable, "-m", "generator", "build", "a", "b", "--out", "out", "--format", "md"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        1,
        "",
        _same_name("a/acme.yaml", "b/acme.yaml"),
    )
    assert _files_under(tmp_path) == ["a/acme.yaml", "b/acme.yaml"]


def test_watch_reports_one_slug_twice_and_builds_nothing(two_suffixes: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "generator", "watch", "companies", "--out", "out"],
        cwd=two_suffixes,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as watching:
        assert watching.stderr is not None
        ready, _, _ = select.select([watching.stderr], [], [], 60)
        reported = watching.stderr.readline() if ready else "nothing reported within 60 s"
        watching.terminate()
    assert reported == _same_name("companies/acme.yaml", "companies/acme.yml")
    assert not (two_suffixes / "out").exists()


def test_a_path_that_is_no_regular_file_is_named_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A FIFO named as facts was "no such file or folder", though it stood there.
    monkeypatch.chdir(tmp_path)
    os.mkfifo("acme.yaml")
    with pytest.raises(UserError) as raised:
        facts_files([Path("acme.yaml"), Path("gone.yaml")])
    assert str(raised.value) == "acme.yaml: not a regular file or folder"


@pytest.mark.parametrize(
    "jobs",
    ["0", "-1", "\u00b2", "\u0661", "2.5"],
    ids=["zero", "negative", "superscript-two", "arabic-indic-one", "fraction"],
)
def test_jobs_is_a_whole_number_of_ascii_digits(
    jobs: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # were the number taken, the build finds no facts here
    # A superscript two passed str.isdigit and then failed int(): argparse named its converter ("invalid
    # _positive value"); an Arabic-Indic one was taken for 1.
    with pytest.raises(SystemExit):
        main(["build", "--jobs", jobs])
    assert "argument --jobs: expected a whole number of at least 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--lang", "PL"], "argument --lang: unknown language 'PL' (did you mean 'pl'?); choose from pl, en, de"),
        (["--lang", "pl,fr"], "argument --lang: unknown language 'fr'; choose from pl, en, de"),
        (
            ["--format", "pdf,htm"],
            "argument --format: unknown output kind 'htm' (did you mean 'html'?); choose from md,",
        ),
        (["--today", "2026-13-01"], "argument --today: '2026-13-01' is not a real date ("),
        (["--today", "24.11.2026"], "argument --today: expected a date as YYYY-MM-DD, found '24.11.2026'"),
    ],
    ids=["language-in-capitals", "unknown-language", "kind-misspelt", "no-such-month", "polish-date-order"],
)
def test_a_bad_argument_is_named_with_what_was_meant(
    arguments: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(["build", *arguments])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", ["validate", "lint", "build", "check", "diff"])
@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (
            "Bad_Name.yaml",
            "the file name 'Bad_Name' cannot name an output folder: use lowercase letters, digits and dashes,"
            " starting with a letter or digit, at most 63 characters",
        ),
        ("acme.txt", "not a facts file: facts files are named <company>.yaml or <company>.yml"),
    ],
    ids=["slug", "suffix"],
)
def test_every_command_refuses_a_file_that_cannot_name_a_company(
    command: str,
    name: str,
    problem: str,
    *,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `validate` and `lint` (the pre-commit hooks) passed a file `build` then refused in CI; `build` published
    # a file named acme.txt, which no folder of facts would ever list.
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(MINIMAL, name)
    assert main([command, name]) == 1
    assert capsys.readouterr().err == f"{name}: {problem}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize(
    ("command", "empty"),
    [
        *((command, False) for command in ("validate", "lint", "build", "check", "diff", "watch")),
        # `watch` waits in an empty folder for the first facts file.
        *((command, True) for command in ("validate", "lint", "build", "check", "diff")),
    ],
)
def test_a_project_without_companies_is_told_how_to_start_one(
    command: str, empty: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    if empty:
        (tmp_path / "companies").mkdir()
        (tmp_path / "companies" / ".gitkeep").touch()
    assert main([command]) == 1
    problem = "no facts files (*.yaml) found" if empty else "no such file or folder"
    assert (
        capsys.readouterr().err
        == f"companies: {problem}; `policygen new <company>` writes a starter facts file there\n"
    )


def test_the_default_folder_named_by_its_whole_path_is_told_how_to_start_one_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(tmp_path / "companies")]) == 1
    assert "`policygen new <company>` writes a starter facts file there" in capsys.readouterr().err
    assert main(["validate", "elsewhere"]) == 1
    assert capsys.readouterr().err == "elsewhere: no such file or folder\n"
