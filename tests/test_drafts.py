"""Drafts (`build --draft`, `watch`, `serve`): rendered like a build, marked as drafts, never published."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from conftest import BUILD_DAY, MINIMAL, fingerprint, pdf_text

from generator.cli import main
from generator.errors import UserError
from generator.pipeline import build

NEXT_DAY = BUILD_DAY + datetime.timedelta(days=1)


def test_a_draft_is_marked_in_every_format_and_publishes_nothing(published: Path) -> None:
    facts = published / "companies" / "minimal.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("name, e-mail address", "name, e-mail, fax"))
    edited = fingerprint(published)

    result = build([facts], out_dir=published / "output", formats=("md", "html", "pdf"), today=NEXT_DAY, draft=True)

    preview = published / "output" / ".preview" / "minimal"
    assert sorted(str(path.relative_to(preview)) for path in result.written) == [
        f"{language}/privacy-policy.{suffix}"
        for language in ("en", "pl")
        for suffix in ("fragment.html", "html", "md", "pdf")
    ]
    [company] = result.companies
    assert (company.slug, company.version, company.date, company.draft) == ("minimal", 2, NEXT_DAY, True)
    polish = (preview / "pl" / "privacy-policy.html").read_text(encoding="utf-8")
    assert (
        '<p class="draft-banner" role="note">Wersja robocza z\u00a023\u00a0listopada\u00a02026, nieopublikowana</p>'
        in polish
    )
    assert "*Draft of 23 November 2026, not published*" in (preview / "en" / "privacy-policy.md").read_text()
    assert "name, e-mail, fax" in (preview / "en" / "privacy-policy.md").read_text()
    assert "Draft of 23 November 2026, not published" in pdf_text(preview / "en" / "privacy-policy.pdf")
    # The state file, the published outputs and the manifest are as the build left them.
    now = fingerprint(published)
    assert {name: digest for name, digest in now.items() if not name.startswith("output/.preview/")} == edited

    again = build([facts], out_dir=published / "output", formats=("md", "html", "pdf"), today=NEXT_DAY, draft=True)
    assert again.written == []


def test_an_invalid_file_writes_no_draft(tmp_path: Path) -> None:
    facts = tmp_path / "minimal.yaml"
    facts.write_text(MINIMAL.read_text(encoding="utf-8").replace('nip: "5252345675"', 'nip: "5252345676"'))
    with pytest.raises(UserError, match=r"minimal.yaml:14:8: controller.nip: NIP checksum does not match"):
        build([facts], out_dir=tmp_path / "output", today=NEXT_DAY, draft=True)
    assert not (tmp_path / "output").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["minimal.yaml"]


def test_a_draft_dated_before_the_last_version_is_refused(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A draft shows the history it would publish: a date before its last version would put that
    version after the draft, as a build refuses to."""
    monkeypatch.chdir(published)
    earlier = BUILD_DAY - datetime.timedelta(days=1)
    with pytest.raises(UserError) as raised:
        build(["companies"], today=earlier, draft=True)
    assert str(raised.value) == (
        "companies/minimal.state.json: the build's date 2026-11-21 is earlier than version 1 of 2026-11-22: "
        "a policy's history never goes back; check --today, SOURCE_DATE_EPOCH or the clock"
    )
    assert not (published / "output" / ".preview").exists()


def test_build_draft_on_the_command_line(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    facts = published / "companies" / "minimal.yaml"
    out = published / "output"
    before = fingerprint(published)
    code = main(["build", str(facts), "--out", str(out), "--format", "md", "--today", "2026-11-23", "--draft"])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.err == "minimal: draft of 2026-11-23, version 1 when published\n"
    assert captured.out == "1 of 1 companies rendered, 2 files written\n"
    after = fingerprint(published)
    assert sorted(set(after) - set(before)) == [
        "output/.preview/minimal/en/privacy-policy.md",
        "output/.preview/minimal/pl/privacy-policy.md",
    ]
    assert {name: after[name] for name in before} == before


def test_a_draft_makes_the_kinds_its_facts_switch_on_as_a_build_does(tmp_path: Path) -> None:
    facts = tmp_path / "minimal.yaml"
    facts.write_text(
        MINIMAL.read_text(encoding="utf-8").replace("document:\n", "document:\n  bilingual_pdf: true\n", 1)
    )
    result = build([facts], out_dir=tmp_path / "output", today=NEXT_DAY, draft=True)
    preview = tmp_path / "output" / ".preview" / "minimal"
    assert preview / "privacy-policy.pl-en.pdf" in result.written
    assert "Draft of 23 November 2026, not published" in pdf_text(preview / "privacy-policy.pl-en.pdf")
