"""The Python API as the README documents it: the snippet runs as written."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL, ROOT


def _readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### From Python", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's 'From Python' section has no Python example"
    return match[1]


def test_the_readme_snippet_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "acme.yaml")
    script = _readme_snippet() + "\nprint(sorted(path.as_posix() for path in result.written))\n"
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert finished.returncode == 0, finished.stderr
    assert "privacy/acme/pl/privacy-policy.md" in finished.stdout
    assert (tmp_path / "public" / "privacy" / "acme" / "en" / "privacy-policy.html").is_file()


def test_the_package_exports_the_functions_even_after_their_modules_are_imported() -> None:
    script = (
        "import generator.cli, generator.validation\n"
        "from generator import build, load_company\n"
        "assert callable(build) and callable(load_company), (build, load_company)\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert finished.returncode == 0, finished.stderr


def test_build_accepts_string_paths(tmp_path: Path) -> None:
    from generator import build

    facts = tmp_path / "facts" / "acme.yaml"
    facts.parent.mkdir()
    shutil.copyfile(MINIMAL, facts)
    result = build([str(facts)], out_dir=str(tmp_path / "out"), formats=("md",))
    assert [company.slug for company in result.companies] == ["acme"]
    assert (tmp_path / "out" / "acme" / "pl" / "privacy-policy.md").is_file()


def test_the_installed_version_is_the_packages_own() -> None:
    from importlib.metadata import version

    import generator

    # pyproject.toml reads the version from generator/__init__.py: one place to change it.
    assert version("policygen") == generator.__version__


def test_build_takes_one_path_given_alone_as_that_path(tmp_path: Path) -> None:
    """``build("companies")`` is one folder, not the letters c, o, m..., each a missing file."""
    from generator import build

    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "acme.yaml")
    for alone in (str(tmp_path / "companies"), tmp_path / "companies" / "acme.yaml"):
        result = build(alone, out_dir=tmp_path / "out", formats=("md",))
        assert [company.slug for company in result.companies] == ["acme"]


@pytest.mark.parametrize(
    ("arguments", "refused"),
    [
        ({"paths": ""}, "paths: an empty path names no facts file or folder"),
        ({"paths": [""]}, "paths: an empty path names no facts file or folder"),
        ({"paths": "companies", "out_dir": ""}, "out_dir: an empty path names no output folder"),
    ],
    ids=["paths alone", "paths listed", "output folder"],
)
def test_build_refuses_an_empty_path_which_pathlib_reads_as_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: dict[str, object], refused: str
) -> None:
    """A site generator's setting left empty built the current folder's YAML files (its own
    configuration among them), or wrote the policies into the current folder."""
    from generator import build
    from generator.errors import UserError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "acme.yaml")
    shutil.copyfile(MINIMAL, tmp_path / "acme.yaml")
    with pytest.raises(UserError) as refusal:
        build(**arguments, formats="md")  # type: ignore[arg-type]
    assert str(refusal.value) == refused
    assert sorted(path.name for path in tmp_path.iterdir()) == ["acme.yaml", "companies"], "nothing was written"


def test_the_command_line_refuses_an_empty_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    for command_line in (["build", ""], ["build", "--out", "", str(tmp_path)], ["validate", ""]):
        with pytest.raises(SystemExit) as exit_:
            main(command_line)
        assert exit_.value.code == 2
        assert capsys.readouterr().err.rstrip().endswith("an empty path names no file or folder")


def test_build_refuses_a_language_policygen_does_not_write(tmp_path: Path) -> None:
    """The command line refuses ``--lang fr``; ``build()`` built nothing and said nothing."""
    from generator import build
    from generator.errors import UserError

    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "acme.yaml")
    with pytest.raises(UserError) as refused:
        build([tmp_path / "companies"], out_dir=tmp_path / "out", languages=("pl", "fr"), formats=("md",))
    assert str(refused.value) == "--lang: unknown language 'fr'; choose from pl, en, de"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("options", "refused"),
    [
        ({"languages": ()}, "--lang: no language named; choose from pl, en, de"),
        ({"formats": ()}, "--format: no output kind named; choose from md, html,"),
    ],
)
def test_build_refuses_an_empty_choice_and_writes_nothing(
    tmp_path: Path, options: dict[str, tuple[str, ...]], refused: str
) -> None:
    """An empty choice built nothing, yet published version 1 in the state file."""
    from generator import build
    from generator.errors import UserError

    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "acme.yaml")
    with pytest.raises(UserError) as raised:
        build(tmp_path / "companies", out_dir=tmp_path / "out", **options)  # type: ignore[arg-type]
    assert str(raised.value).startswith(refused)
    assert sorted(path.name for path in (tmp_path / "companies").iterdir()) == ["acme.yaml"]


def test_build_takes_one_language_or_kind_named_alone() -> None:
    """``languages="pl"`` was the languages p and l."""
    from generator.languages import languages_named
    from generator.outputs import kinds_named

    assert languages_named("pl") == ("pl",)
    assert [kind.name for kind in kinds_named("md")] == ["md"]
