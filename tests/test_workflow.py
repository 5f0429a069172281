"""Docs-as-code: dates that move only with the text, versions, archive, change notes, check."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL, ROOT, png

from generator.check import check
from generator.cli import main
from generator.errors import UserError
from generator.pipeline import build
from generator.state import load_state

DAY_ONE = datetime.date(2026, 11, 22)
DAY_TWO = datetime.date(2027, 1, 15)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two companies' facts in a folder of their own."""
    facts = tmp_path / "companies"
    facts.mkdir()
    shutil.copyfile(MINIMAL, facts / "alpha.yaml")
    shutil.copyfile(ROOT / "companies" / "clusteric.yaml", facts / "beta.yaml")
    return tmp_path


def _build(project: Path, day: datetime.date) -> None:
    build([project / "companies"], out_dir=project / "output", formats=("md", "html", "compliance"), today=day, jobs=1)


def _snapshot(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and not path.name.endswith(".yaml")
    }


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_rebuilding_unchanged_facts_on_another_day_changes_no_byte(project: Path) -> None:
    _build(project, DAY_ONE)
    before = _snapshot(project)
    _build(project, DAY_TWO)
    assert _snapshot(project) == before


def test_a_text_change_moves_only_that_companys_date_and_version(project: Path) -> None:
    _build(project, DAY_ONE)
    _edit(project / "companies" / "alpha.yaml", "distinguishing visitors", "measuring reach")
    _build(project, DAY_TWO)
    alpha, beta = load_state(project / "companies" / "alpha.yaml"), load_state(project / "companies" / "beta.yaml")
    assert alpha is not None
    assert beta is not None
    assert (alpha.version, alpha.date) == (2, DAY_TWO)
    assert (beta.version, beta.date) == (1, DAY_ONE)
    assert "15 January 2027" in (project / "output" / "alpha" / "en" / "privacy-policy.md").read_text()
    assert "22 November 2026" in (project / "output" / "beta" / "en" / "privacy-policy.md").read_text()


def test_comments_and_key_order_move_nothing(project: Path) -> None:
    _build(project, DAY_ONE)
    outputs_before = {name: data for name, data in _snapshot(project).items() if name.startswith("output/")}
    facts = project / "companies" / "alpha.yaml"
    _edit(facts, "controller:\n", "# A comment that says nothing new.\ncontroller:\n")
    text = facts.read_text(encoding="utf-8")
    document_block = text[text.index("document:") : text.index("controller:")]
    facts.write_text(text.replace(document_block, "") + "\n" + document_block, encoding="utf-8")
    _build(project, DAY_TWO)
    state = load_state(facts)
    assert state is not None
    assert (state.version, state.date) == (1, DAY_ONE)
    outputs_after = {name: data for name, data in _snapshot(project).items() if name.startswith("output/")}
    assert {name: data for name, data in outputs_after.items() if name != "output/manifest.json"} == {
        name: data for name, data in outputs_before.items() if name != "output/manifest.json"
    }


def test_a_comment_or_a_blank_line_changes_no_byte_and_leaves_check_green(project: Path) -> None:
    # The state file recorded a hash of the file's bytes: a comment made `check` fail in CI until it was rebuilt,
    # and the rebuild changed the state file and the manifest, to be committed for nothing.
    _build(project, DAY_ONE)
    before = _snapshot(project)
    _edit(
        project / "companies" / "alpha.yaml",
        "controller:\n",
        "\n# Checked with the client on 22 November.\ncontroller:\n",
    )
    check([project / "companies"], project / "output")
    _build(project, DAY_TWO)
    assert _snapshot(project) == before


def test_a_changed_logo_file_is_a_change_of_the_inputs(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The logo's bytes reach the PDF: a new logo under the same name left `build` and `check` saying "up to date".
    monkeypatch.chdir(project)  # the project, which the logo must be inside
    facts = project / "companies" / "alpha.yaml"
    (project / "companies" / "logo.png").write_bytes(png(120, 40))
    _edit(facts, "document:\n", "document:\n  logo: logo.png\n")
    _build(project, DAY_ONE)
    check([project / "companies"], project / "output")
    (project / "companies" / "logo.png").write_bytes(png(160, 40))
    with pytest.raises(UserError) as raised:
        check([project / "companies"], project / "output")
    stale = [message.location.path for message in raised.value.messages]
    assert stale[0] == "companies/alpha.state.json"
    assert stale[1:] == ["output/alpha"]  # its outputs, counted in one line


def test_a_pinned_date_wins(project: Path) -> None:
    _edit(project / "companies" / "alpha.yaml", "document:\n", "document:\n  last_updated: 2025-05-01\n")
    _build(project, DAY_ONE)
    assert "1 May 2025" in (project / "output" / "alpha" / "en" / "privacy-policy.md").read_text()


def test_earlier_versions_are_archived_and_listed_in_the_history(project: Path) -> None:
    _build(project, DAY_ONE)
    first = (project / "output" / "alpha" / "pl" / "privacy-policy.md").read_text()
    _edit(project / "companies" / "alpha.yaml", "period: 26 months", "period: 14 months")
    _build(project, DAY_TWO)
    archived = project / "output" / "alpha" / "archive" / "v1"
    assert (archived / "pl" / "privacy-policy.md").read_text() == first
    assert sorted(path.name for path in (archived / "en").iterdir()) == [
        "privacy-policy.fragment.html",
        "privacy-policy.html",
        "privacy-policy.md",
    ]
    current = (project / "output" / "alpha" / "pl" / "privacy-policy.md").read_text()
    # Each row of the history is a sentence: its changes, which read in lower case inside one, open with a capital.
    assert "| 2 | 15\u00a0stycznia\u00a02027 | Zmieniono okres przechowywania danych" in current
    assert "z\u00a0„26\u00a0miesięcy od zebrania danych” na „14\u00a0miesięcy od zebrania danych”." in current
    assert "| 1 | 22\u00a0listopada\u00a02026 | Pierwsza opublikowana wersja. |" in current
    english = (project / "output" / "alpha" / "en" / "privacy-policy.md").read_text()
    assert "is kept from “26 months from collection” to “14 months from collection”." in english, english


def test_diff_names_changes_in_both_languages_and_marks_material_ones(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _build(project, DAY_ONE)
    facts = project / "companies" / "alpha.yaml"
    _edit(
        facts,
        "recipients:\n",
        "recipients:\n  - name: Hotjar Ltd\n    category: {pl: narzędzie analityczne, en: analytics tool}\n"
        "    countries: [MT]\n",
    )
    assert main(["diff", str(facts)]) == 0
    assert capsys.readouterr().out == (
        f"{facts}: 1 change since version 1 of 2026-11-22, 1 material\n"
        "  pl: dodano odbiorcę: „Hotjar Ltd” (Malta) (istotna zmiana)\n"
        "  en: added the recipient “Hotjar Ltd” (Malta) (material change)\n"
    )


def test_a_translation_corrected_in_one_language_is_noted_in_that_language_alone(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _build(project, DAY_ONE)
    facts = project / "companies" / "alpha.yaml"
    _edit(facts, "pl: imię i nazwisko, adres e-mail", "pl: imię, nazwisko i adres e-mail")
    assert main(["diff", str(facts)]) == 0
    assert capsys.readouterr().out == (
        f"{facts}: 1 change since version 1 of 2026-11-22, 0 material\n"
        "  pl: zmieniono opis kategorii danych: „dane kontaktowe” [pl only: do the other languages need it too?]\n"
    )
    assert main(["diff", "--lang", "en", str(facts)]) == 0
    assert capsys.readouterr().out == f"{facts}: no changes since version 1 of 2026-11-22\n"
    assert main(["diff", "--lang", "de", str(facts)]) == 0  # a language the company does not publish
    assert capsys.readouterr().out == f"{facts}: publishes none of de\n"
    _build(project, DAY_TWO)
    english = (project / "output" / "alpha" / "en" / "privacy-policy.md").read_text()
    assert "| 2 | 15 January 2027 | Editorial changes only; how we process your data has not changed. |" in english


def _publish_in_german(facts: Path) -> None:
    """Add German to the published languages, each German text the English one marked ``(de)``."""
    text = facts.read_text(encoding="utf-8").replace("languages: [pl, en]", "languages: [pl, en, de]")
    facts.write_text(re.sub(r"^( +)en: (.*)$", r"\1en: \2\n\1de: (de) \2", text, flags=re.MULTILINE), "utf-8")


def test_a_language_added_is_one_change_and_its_history_is_worded_in_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _build(project, DAY_ONE)
    facts = project / "companies" / "alpha.yaml"
    _publish_in_german(facts)
    assert main(["diff", str(facts)]) == 0
    assert capsys.readouterr().out == (
        f"{facts}: 1 change since version 1 of 2026-11-22, 0 material\n"
        "  pl: dodano wersję językową: „Deutsch”\n"
        "  en: added the “Deutsch” version\n"
        "  de: Sprachfassung „Deutsch“ hinzugefügt\n"
    )
    _edit(
        facts,
        "period: 26 months",
        "period: 14 months\n      note: {pl: od wizyty, en: from the visit, de: ab dem Besuch}",
    )
    _build(project, DAY_TWO)
    german = (project / "output" / "alpha" / "de" / "privacy-policy.md").read_text()
    assert "| 1 | 22\\. November 2026 | Erste veröffentlichte Fassung. |" in german
    assert (
        "| 2 | 15\\. Januar 2027 | Speicherdauer der Daten für „(de) Website statistics“ von „26 Monate ab der "
        "Erhebung“ auf „14 Monate ab der Erhebung (ab dem Besuch)“ geändert; Sprachfassung „Deutsch“ hinzugefügt. |"
    ) in german
    assert not (project / "output" / "alpha" / "archive" / "v1" / "de").exists()


def test_check_passes_after_a_build_and_fails_after_a_fact_change(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    companies, output = str(project / "companies"), str(project / "output")
    assert main(["check", companies, "--out", output]) == 1
    _build(project, DAY_ONE)
    assert main(["check", companies, "--out", output]) == 0
    _edit(project / "companies" / "beta.yaml", "contact@clusteric.com", "privacy@clusteric.com")
    capsys.readouterr()
    assert main(["check", companies, "--out", output]) == 1
    stale = capsys.readouterr().err
    assert f"{project / 'companies' / 'beta.state.json'}: out of date with" in stale
    assert "alpha" not in stale


def test_check_names_an_output_edited_by_hand(project: Path) -> None:
    _build(project, DAY_ONE)
    (project / "output" / "alpha" / "en" / "privacy-policy.md").write_text("edited", encoding="utf-8")
    with pytest.raises(UserError, match=r"alpha/en/privacy-policy\.md: missing or changed since the last build"):
        check([project / "companies"], project / "output")


def test_the_manifest_lists_every_output_with_its_hash(project: Path) -> None:
    _build(project, DAY_ONE)
    manifest = json.loads((project / "output" / "manifest.json").read_text())
    paths = sorted(entry["path"] for entry in manifest["outputs"])
    on_disk = sorted(
        str(path.relative_to(project / "output"))
        for pattern in ("privacy-policy.*", "compliance.md")
        for path in (project / "output").rglob(pattern)
    )
    assert paths == on_disk
    assert {entry["format"] for entry in manifest["outputs"]} == {"md", "html", "html-fragment", "compliance"}
    assert all(entry["version"] == 1 and entry["date"] for entry in manifest["outputs"])


def test_a_facts_file_name_cannot_lead_outside_the_output(tmp_path: Path) -> None:
    facts = tmp_path / "Bad Name..yaml"
    shutil.copyfile(MINIMAL, facts)
    with pytest.raises(UserError, match="cannot name an output folder"):
        build([facts], out_dir=tmp_path / "output", formats=("md",), today=DAY_ONE)
    assert not (tmp_path / "output").exists()


def test_commands_that_make_no_pdf_do_not_load_weasyprint() -> None:
    probe = (
        "import sys\n"
        "from generator.cli import main\n"
        f"main(['validate', {str(MINIMAL)!r}])\n"
        "assert 'weasyprint' not in sys.modules, 'validate imported WeasyPrint'\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert (
        "weasyprint"
        not in subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "generator", "--help"],
            capture_output=True,
            text=True,
            check=False,
        ).stderr
    )


def test_parallel_and_serial_builds_write_the_same_files(tmp_path: Path) -> None:
    results = []
    for jobs in (1, 2):
        project = tmp_path / f"jobs{jobs}"
        (project / "companies").mkdir(parents=True)
        for name in ("alpha", "beta", "gamma"):
            shutil.copyfile(MINIMAL, project / "companies" / f"{name}.yaml")
        build([project / "companies"], out_dir=project / "output", formats=("md",), today=DAY_ONE, jobs=jobs)
        results.append(dict(_snapshot(project).items()))
    assert results[0] == results[1]


def test_one_invalid_company_among_valid_ones_writes_nothing(tmp_path: Path) -> None:
    facts = tmp_path / "companies"
    facts.mkdir()
    for name in ("alpha", "beta", "gamma"):
        shutil.copyfile(MINIMAL, facts / f"{name}.yaml")
    _edit(facts / "beta.yaml", 'nip: "5252345675"', 'nip: "5252345674"')
    with pytest.raises(UserError, match=r"beta\.yaml:\d+:\d+: controller\.nip: NIP checksum"):
        build([facts], out_dir=tmp_path / "output", formats=("md",), today=DAY_ONE, jobs=2)
    assert not (tmp_path / "output").exists()
    assert sorted(path.name for path in facts.iterdir()) == ["alpha.yaml", "beta.yaml", "gamma.yaml"]
