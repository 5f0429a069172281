"""The output registry: a kind added there alone is built, checked, listed and chosen by --format."""

from __future__ import annotations

import datetime
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MINIMAL, ROOT

from generator.cli import main
from generator.outputs import OUTPUT_KINDS, CompanyDraft, OutputKind, PolicyDraft, RenderedFile, kinds_table, register

DAY = datetime.date(2026, 11, 22)


def heading_count_files(policy: PolicyDraft) -> list[RenderedFile]:
    """A per-language kind made for this test: how many sections the policy has."""
    count = sum(1 for _ in policy.document.walk())
    return [RenderedFile("sections.txt", "text", f"{count}\n".encode())]


def languages_files(company: CompanyDraft) -> list[RenderedFile]:
    """A per-company kind made for this test: the languages of the version, in a sub-folder."""
    languages = ",".join(policy.language for policy in company.policies)
    return [RenderedFile("meta/languages.txt", "text", f"v{company.version}: {languages}\n".encode())]


@pytest.fixture
def synthetic_kinds() -> Iterator[None]:
    added = [
        register(OutputKind("sections", True, "sections.txt", "section count", "test_outputs:heading_count_files")),
        register(OutputKind("langs", False, "meta/languages.txt", "languages", "test_outputs:languages_files")),
    ]
    yield
    for kind in added:
        del OUTPUT_KINDS[kind.name]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "acme.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_kind_registered_alone_is_built_listed_and_checked(
    synthetic_kinds: None, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--format", "md,sections,langs", "--today", DAY.isoformat(), "--jobs", "1"]) == 0
    assert Path("output/acme/pl/sections.txt").read_text(encoding="utf-8") == Path(
        "output/acme/en/sections.txt"
    ).read_text(encoding="utf-8")
    assert Path("output/acme/meta/languages.txt").read_text(encoding="utf-8") == "v1: pl,en\n"
    manifest = json.loads(Path("output/manifest.json").read_text(encoding="utf-8"))
    kinds = {(entry["kind"], entry["language"], entry["path"]) for entry in manifest["outputs"]}
    assert ("sections", "pl", "acme/pl/sections.txt") in kinds
    assert ("langs", "", "acme/meta/languages.txt") in kinds
    assert main(["check"]) == 0
    Path("output/acme/pl/sections.txt").write_text("edited\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check"]) == 1
    assert capsys.readouterr().err == "output/acme/pl/sections.txt: missing or changed since the last build\n"
    assert main(["build", "--format", "md,sections,langs", "--today", DAY.isoformat()]) == 0
    assert main(["check"]) == 0


def test_format_choices_come_from_the_registry(synthetic_kinds: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["build", "--format", "nonsense"])
    assert f"choose from {', '.join(OUTPUT_KINDS)}, separated" in capsys.readouterr().err
    assert list(OUTPUT_KINDS)[-2:] == ["sections", "langs"]
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    assert ", sections, langs" in " ".join(capsys.readouterr().out.split())


def test_the_archive_holds_every_archived_kind_of_earlier_versions(synthetic_kinds: None, project: Path) -> None:
    formats = ["--format", "md,sections,langs"]
    assert main(["build", *formats, "--today", DAY.isoformat()]) == 0
    facts = Path("companies/acme.yaml")
    facts.write_text(facts.read_text(encoding="utf-8").replace("distinguishing visitors", "reach"))
    assert main(["build", *formats, "--today", "2027-01-15"]) == 0
    assert Path("output/acme/archive/v1/pl/sections.txt").is_file()
    assert Path("output/acme/archive/v1/meta/languages.txt").read_text(encoding="utf-8") == "v1: pl,en\n"
    assert Path("output/acme/meta/languages.txt").read_text(encoding="utf-8") == "v2: pl,en\n"


def test_the_readme_table_of_output_kinds_is_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- output-kinds -->\n(.*?)<!-- /output-kinds -->", readme, re.DOTALL)
    assert match, "README.md lacks the output kinds table"
    assert match[1] == kinds_table(), "README.md's output kinds table is stale: run `make readme`"
