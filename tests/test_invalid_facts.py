"""Every bad input in tests/fixtures/invalid/ gives exactly the messages its .expected file holds.

Each ``NAME.yaml`` there is a facts file with one mistake (``several-problems.yaml`` has
several); ``NAME.expected`` is the full stderr of ``policygen validate`` for it, with the
file shown as ``tests/fixtures/invalid/NAME.yaml`` because the tests run from the repo root.

After an intended change of a message, rewrite the expected files with::

    POLICYGEN_UPDATE_EXPECTED=1 .venv/bin/pytest tests/test_invalid_facts.py

which writes each fixture's actual stderr to its .expected file and skips the comparison.
Then read ``git diff tests/fixtures/invalid`` line by line before committing: every message
must name the field path, point at the offending value (or, for a missing key, at the
mapping that should hold it) and say how to fix the mistake. To add a fixture, create
``NAME.yaml`` and an empty ``NAME.expected``, run the command above, and review the result.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
INVALID = Path("tests/fixtures/invalid")
MINIMAL = Path("tests/fixtures/valid/minimal.yaml")
UPDATE_EXPECTED = os.environ.get("POLICYGEN_UPDATE_EXPECTED") == "1"
FIXTURES = sorted(path.stem for path in (ROOT / INVALID).glob("*.yaml"))


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _expected(name: str) -> str:
    return (INVALID / f"{name}.expected").read_text(encoding="utf-8")


def test_the_corpus_is_complete() -> None:
    expected = sorted(path.stem for path in (ROOT / INVALID).glob("*.expected"))
    assert expected == FIXTURES, "every NAME.yaml needs a NAME.expected, and no .expected may be left over"
    assert len(FIXTURES) >= 30


def test_the_file_the_fixtures_start_from_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(MINIMAL)]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"{MINIMAL}: valid\n"
    assert captured.err == ""


@pytest.mark.parametrize("name", FIXTURES)
def test_an_invalid_file_is_reported_exactly(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = INVALID / f"{name}.yaml"
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    if UPDATE_EXPECTED:
        (INVALID / f"{name}.expected").write_text(captured.err, encoding="utf-8")
        pytest.skip(f"rewrote {name}.expected; review it with git diff")
    assert code == 1
    assert "Traceback" not in captured.out + captured.err
    assert captured.out == ""
    assert captured.err == _expected(name)


@pytest.mark.parametrize("name", FIXTURES)
def test_every_message_is_located_in_its_file(name: str) -> None:
    lines = _expected(name).splitlines()
    assert lines, f"{name}.expected is empty"
    for line in lines:
        assert line.startswith(f"{INVALID / name}.yaml:"), line
        line_number, column = line.split(":")[1:3]
        assert int(line_number) >= 1
        assert int(column) >= 1


def test_several_problems_in_one_file_are_all_reported() -> None:
    fields = [line.split(": ")[1] for line in _expected("several-problems").splitlines()]
    assert fields == [
        "controller.nip",
        "contact.email",
        "purposes[0].legal_bases",
        "cookies[0].lifetime",
    ]


def test_gdpr_checks_report_all_their_findings_once_the_schema_is_satisfied() -> None:
    # The GDPR rules read valid facts, so they run once the file matches the schema.
    fields = [line.split(": ")[1] for line in _expected("third-party-without-source-name").splitlines()]
    assert fields == ["data_categories[1].includes", "data_categories[1].source_name"]


def test_a_missing_key_is_reported_at_the_mapping_that_should_hold_it() -> None:
    source = (INVALID / "missing-required-key.yaml").read_text(encoding="utf-8").splitlines()
    message = _expected("missing-required-key")
    line, column = (int(part) for part in message.split(":")[1:3])
    assert source[line - 1][column - 3 :] == "- id: contract", "should point at the purpose lacking data_categories"


def test_a_folder_reports_the_problems_of_every_file_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(INVALID), str(MINIMAL)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    every_message = sorted(f"{INVALID / name}.yaml" for name in FIXTURES)
    assert captured.err == "".join(_expected(Path(path).stem) for path in every_message)


@pytest.mark.parametrize("name", ["python-object-tag", "not-utf8", "nesting-too-deep", "several-problems"])
def test_the_command_prints_no_traceback(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate", f"{INVALID / name}.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == _expected(name)
