"""`policygen new`: the starter is refused by validation until every placeholder is filled in."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from generator.cli import main
from generator.errors import UserError
from generator.starter import write_starter
from generator.validation import load_company

# Every kind of placeholder in templates/starter.yaml, with a real value for it. The test
# that fills them in also checks that each kind still occurs, and that no other is left.
FILLED_IN = {
    'nip: "TODO"': 'nip: "525-234-56-75"',
    'regon: "TODO"': 'regon: "521345678"',
    'krs: "TODO"': 'krs: "0000123456"',
    "email: TODO": "email: rodo@acme.example",
    'postal_code: ""': "postal_code: 00-950",
    "amount: TODO": "amount: 5000",
    "lifetime: TODO": "lifetime: 2 years",
    "- TODO": "- https://acme.example",
    "[TODO]": "[PL]",
    '""': "Acme",
}


def _placeholders(text: str) -> set[int]:
    """The lines holding a placeholder value; the starter's values hold no `#`."""
    return {
        number
        for number, line in enumerate(text.splitlines(), 1)
        if "TODO" in line.partition("#")[0] or '""' in line.partition("#")[0]
    }


def test_the_starter_is_written_and_points_at_every_placeholder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the project, whose schema the starter names
    written = write_starter("acme", tmp_path / "companies")

    assert written == tmp_path / "companies" / "acme.yaml"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/company.schema.json\n")
    with pytest.raises(UserError) as raised:
        load_company(written)
    lines = text.splitlines()
    for message in raised.value.messages:
        assert "TODO" in lines[message.location.line - 1], str(message)
    assert {message.location.line for message in raised.value.messages} == _placeholders(text)


def test_the_starter_validates_once_the_placeholders_are_filled_in(tmp_path: Path) -> None:
    written = write_starter("acme", tmp_path)
    text = written.read_text(encoding="utf-8")

    filled_lines = []
    for line in text.splitlines():
        value, hash_sign, comment = line.partition("#")
        for placeholder, real in FILLED_IN.items():
            value = value.replace(placeholder, real)
        filled_lines.append(value + hash_sign + comment)
    filled = "\n".join(filled_lines) + "\n"
    for placeholder in FILLED_IN:
        assert placeholder in text, f"the starter no longer has the placeholder {placeholder}"
    assert not _placeholders(filled), "a placeholder the test does not know is left"
    written.write_text(filled, encoding="utf-8")

    company = load_company(written)

    assert company.controller.nip == "5252345675"
    assert company.controller.address is not None
    assert company.controller.address.postal_code == "00-950"
    assert [purpose.id for purpose in company.purposes] == ["contract", "accounting", "claims", "statistics"]
    assert [str(cookie.lifetime) for cookie in company.cookies] == ["2 years"]


@pytest.mark.parametrize("slug", ["../x", "Acme", "", "acme.yaml", "-acme", "a/b"])
def test_a_bad_slug_is_refused_and_nothing_is_written(tmp_path: Path, slug: str) -> None:
    folder = tmp_path / "companies"
    folder.mkdir()

    with pytest.raises(UserError, match="cannot name a company"):
        write_starter(slug, folder)

    assert list(tmp_path.rglob("*")) == [folder]


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    existing = tmp_path / "acme.yaml"
    existing.write_text("controller: {legal_name: Acme}\n", encoding="utf-8")

    with pytest.raises(UserError, match="already exists"):
        write_starter("acme", tmp_path)

    assert existing.read_text(encoding="utf-8") == "controller: {legal_name: Acme}\n"
    assert list(tmp_path.iterdir()) == [existing]


def test_new_writes_the_schema_the_starter_names_for_the_editor_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "acme"]) == 0
    schema = Path("schema/company.schema.json")
    assert schema.read_text(encoding="utf-8") == (ROOT / "schema" / "company.schema.json").read_text(encoding="utf-8")
    assert capsys.readouterr().out.splitlines()[1] == (
        "wrote schema/company.schema.json: the schema of the facts, which its first line names for the editor"
    )
    schema.write_text("{}\n", encoding="utf-8")  # the project's own, committed or newer
    assert main(["new", "other"]) == 0
    assert schema.read_text(encoding="utf-8") == "{}\n"
    assert len(capsys.readouterr().out.splitlines()) == 1


@pytest.mark.parametrize(
    ("folder", "named"),
    [
        (".", "schema/company.schema.json"),
        ("clients/acme-co", "../../schema/company.schema.json"),
        ("../elsewhere/facts", "../../project/schema/company.schema.json"),
    ],
)
def test_the_starter_names_the_projects_schema_from_any_folder(
    folder: str, named: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `--folder .` named ../schema/company.schema.json, outside the project, where no schema was written.
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    assert main(["new", "acme", "--folder", folder]) == 0
    first_line = (project / folder / "acme.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema={named}"
    assert (project / folder / named).resolve() == (project / "schema" / "company.schema.json").resolve()
    assert (project / "schema" / "company.schema.json").is_file()
    assert not (tmp_path / "elsewhere" / "schema").exists()
