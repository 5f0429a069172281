"""GDPR Art. 13/14 checks: each rule fails its fixture, the examples pass them all, strictly.

``tests/fixtures/rules/rule.yaml`` is the minimal company broken for RULE (its id in lowercase); ``rule.expected``
is the full output of ``policygen lint`` for it. After an intended change of a message,
rewrite them with ``POLICYGEN_UPDATE_EXPECTED=1 .venv/bin/pytest tests/test_checks.py`` and
read the diff.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pytest
from conftest import BUILD_DAY, MINIMAL, ROOT, copied

from generator import compliance
from generator.checks import all_rules
from generator.cli import main
from generator.compliance import coverage_report
from generator.cookie_rules import provider_is_among
from generator.document import render_document
from generator.errors import UserError
from generator.facts.processing import TransferSafeguard
from generator.languages import language
from generator.legal import legal_facts
from generator.loading import read_facts_file
from generator.pipeline import build
from generator.validation import legal_facts_warnings, load_company

RULES_FOLDER = Path("tests/fixtures/rules")
FIXTURES = sorted(path.stem for path in (ROOT / RULES_FOLDER).glob("*.yaml"))
UPDATE = os.environ.get("POLICYGEN_UPDATE_EXPECTED") == "1"
EXAMPLES = sorted((ROOT / "companies").glob("*.yaml"))


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime.datetime(2026, 11, 22, tzinfo=datetime.UTC).timestamp())))


RULE_OF_FIXTURE = {
    identifier.lower(): identifier
    for identifier in [rule.id for rule, _check in all_rules()] + [term.id for term in legal_facts().outdated_terms]
}
"""Each rule by the name of its fixture: the rule's id in lowercase, which a facts file's name must be."""


def test_every_rule_has_a_failing_fixture() -> None:
    assert sorted(set(RULE_OF_FIXTURE) - set(FIXTURES)) == []


@pytest.mark.parametrize("name", FIXTURES)
def test_a_broken_rule_is_reported_exactly(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = main(["lint", str(RULES_FOLDER / f"{name}.yaml")])
    output = capsys.readouterr().out
    expected = ROOT / RULES_FOLDER / f"{name}.expected"
    if UPDATE:
        expected.write_text(output, encoding="utf-8")
        pytest.skip("expected output rewritten")
    assert output == expected.read_text(encoding="utf-8")
    if name != "seed-defects":
        assert f": {RULE_OF_FIXTURE[name]} (" in output, "the fixture must break its own rule"
    errors = int(output.splitlines()[-1].split()[0])
    assert exit_code == (1 if errors else 0)


@pytest.mark.parametrize("facts", [MINIMAL, *EXAMPLES], ids=lambda path: path.stem)
def test_the_minimal_company_and_the_examples_pass_lint_strictly(
    facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--strict", str(facts)]) == 0
    *findings, summary = capsys.readouterr().out.splitlines()
    assert summary.startswith("0 errors, 0 warnings")
    awaited = _noted(facts, "missing")
    assert [finding.split(": ")[1] for finding in findings] == [
        fact for fact in awaited if fact.startswith("controller.")
    ]
    assert all(": note: " in finding for finding in findings)


def test_a_missing_fact_turns_its_warning_into_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    facts = tmp_path / "awaiting.yaml"
    awaiting = "missing:\n  - fact: controller.share_capital\n    note: asked the client on 2026-11-20\n"
    facts.write_text((ROOT / RULES_FOLDER / "ksh-206-1.yaml").read_text(encoding="utf-8") + awaiting, encoding="utf-8")
    assert main(["lint", "--strict", str(facts)]) == 0
    assert capsys.readouterr().out == (
        f"{facts}:7:3: controller.share_capital: note: KSH-206-1 (art. 206 § 1 KSH): its share capital is not "
        "given; a controller of legal_form 'sp_z_oo' must state it on its website, where the policy is published; "
        "listed as missing: asked the client on 2026-11-20\n"
        "0 errors, 0 warnings, 1 note on missing facts\n"
    )


def test_validate_shows_the_notes_on_missing_facts_and_a_build_keeps_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "awaiting.yaml"
    awaiting = "missing:\n  - fact: controller.share_capital\n    note: asked the client on 2026-11-20\n"
    facts.write_text((ROOT / RULES_FOLDER / "ksh-206-1.yaml").read_text(encoding="utf-8") + awaiting, encoding="utf-8")
    assert main(["validate", "--strict", str(facts)]) == 0
    assert "controller.share_capital: note: KSH-206-1 (" in capsys.readouterr().err
    arguments = ["build", str(facts), "--out", str(tmp_path / "output"), "--format", "md", "--strict"]
    assert main([*arguments, "--today", BUILD_DAY.isoformat()]) == 0
    assert "note:" not in capsys.readouterr().err


def test_a_missing_fact_never_excuses_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    facts = tmp_path / "awaiting.yaml"
    awaiting = "missing:\n  - fact: purposes[0].retention\n    note: the client is asked\n"
    facts.write_text(
        (ROOT / RULES_FOLDER / "gdpr-13-2-a.yaml").read_text(encoding="utf-8") + awaiting, encoding="utf-8"
    )
    assert main(["lint", str(facts)]) == 1
    assert "purposes[0].retention: GDPR-13-2-a (" in capsys.readouterr().out


def test_every_seed_defect_is_caught_with_its_rule() -> None:
    output = (ROOT / RULES_FOLDER / "seed-defects.expected").read_text(encoding="utf-8")
    for rule in (
        "CUR-GIODO",
        "CUR-PRIVACY-SHIELD",
        "CUR-TELECOM-LAW",
        "CONS-UNDISCLOSED-TRANSFER",
        "CONS-EU-ONLY-CLAIM",
    ):
        assert f": {rule} (" in output


def test_warnings_pass_validate_but_fail_it_when_strict(capsys: pytest.CaptureFixture[str]) -> None:
    facts = str(RULES_FOLDER / "cur-giodo.yaml")
    assert main(["validate", facts]) == 0
    assert "warning: CUR-GIODO" in capsys.readouterr().err
    assert main(["validate", "--strict", facts]) == 1
    # The warnings alone, printed as ever, left a reader wondering why the command failed.
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{facts}: --strict makes its 2 warnings errors"
    assert "warning: CUR-GIODO" in err[1]
    assert main(["lint", "--strict", facts]) == 1
    assert capsys.readouterr().out.endswith("\n0 errors, 2 warnings; --strict makes the warnings errors\n")


def test_lint_speaks_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--format", "json", str(RULES_FOLDER / "gdpr-13-2-a.yaml")]) == 1
    [finding] = json.loads(capsys.readouterr().out)
    assert finding["rule"] == "GDPR-13-2-a"
    assert finding["severity"] == "error"
    assert finding["field"] == "purposes[0].retention"
    assert (finding["line"], finding["column"]) == (39, 5)


def test_removing_one_retention_fails_the_build_with_its_rule(tmp_path: Path) -> None:
    facts = copied(ROOT / "companies" / "optingo.yaml", tmp_path)
    text = facts.read_text(encoding="utf-8")
    start = text.index("    retention:\n      period: 5 years")
    end = text.index("\n  - ", start)
    facts.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    with pytest.raises(UserError, match=r"optingo\.yaml:\d+:\d+: purposes\[\d+\]\.retention: GDPR-13-2-a "):
        build([facts], out_dir=tmp_path / "output", formats=("md",), today=BUILD_DAY)
    assert not (tmp_path / "output").exists()


def _noted(facts: Path, kind: str) -> list[str]:
    """The facts an example lists under ``assumed`` or ``missing``."""
    return [str(note["fact"]) for note in read_facts_file(facts, str(facts)).data.get(kind, [])]


def test_each_example_covers_every_item_of_articles_13_and_14(tmp_path: Path) -> None:
    build(
        [copied(path, tmp_path / "facts") for path in EXAMPLES],
        out_dir=tmp_path,
        formats=("md", "compliance"),
        today=BUILD_DAY,
    )
    for path in EXAMPLES:
        report = (tmp_path / path.stem / "compliance.md").read_text(encoding="utf-8")
        assert "MISSING" not in report
        rows = [line for line in report.splitlines() if line.startswith("| GDPR-")]
        assert len(rows) == 15
        for heading, kind in (("## Facts to confirm", "assumed"), ("## Facts the client has yet to supply", "missing")):
            assert (heading in report) == bool(_noted(path, kind))
            for fact in _noted(path, kind):
                assert f"- `{fact}`: " in report
        for row in rows:
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            assert cells[3].startswith("not applicable: ") or (cells[3] and cells[4]), row
        # Every example names whose data each purpose uses, which the record of processing states.
        assert "## What the record of processing lacks" not in report
    smartcp = (tmp_path / "smartcp" / "compliance.md").read_text(encoding="utf-8")
    assert "- `controller.krs`: " in smartcp
    # The report is the client's: it was titled with the slug ("optingo"), its names listed without an "and".
    optingo = (tmp_path / "optingo" / "compliance.md").read_text(encoding="utf-8")
    assert optingo.startswith("# GDPR coverage of Optingo\n")
    assert (
        "Note: Meta Platforms Ireland Limited, LinkedIn Ireland Unlimited Company and Google Ireland Limited rely"
        in optingo
    )
    assert "**Required by KSH-206-1 (art. 206 § 1 KSH): supply it before publishing.**" in smartcp


@pytest.mark.parametrize(("relying", "named", "verb"), [(1, True, "relies"), (2, True, "rely"), (1, False, "rely")])
def test_the_note_on_the_data_privacy_framework_agrees_with_how_many_rely_on_it(
    relying: int, named: bool, verb: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One recipient named "relies"; several, or one named by its category ("payment processors"), "rely"."""
    facts = legal_facts()
    appealed = facts.data_privacy_framework.model_copy(update={"under_appeal": True})
    monkeypatch.setattr(
        compliance, "legal_facts", lambda: facts.model_copy(update={"data_privacy_framework": appealed})
    )
    company = load_company(MINIMAL)
    on_dpf = {"countries": ["US"], "safeguard": TransferSafeguard.DPF, **({} if named else {"name": None})}
    recipients = [
        recipient.model_copy(update=on_dpf)
        if index < relying
        else recipient.model_copy(update={"countries": ["PL"], "safeguard": None, "derogation": None})
        for index, recipient in enumerate(company.recipients)
    ]
    assert len(recipients) >= 2
    company = company.model_copy(update={"recipients": recipients})
    documents = [render_document(company, "minimal", code, BUILD_DAY) for code in company.document.languages]
    note = next(line for line in coverage_report(documents, 1).splitlines() if line.startswith("Note: "))
    assert f" {verb} on the EU-US Data Privacy Framework " in note


def test_the_report_names_each_purpose_the_record_cannot_name_data_subjects_for(tmp_path: Path) -> None:
    build([copied(MINIMAL, tmp_path / "facts")], out_dir=tmp_path, formats=("compliance",), today=BUILD_DAY)
    report = (tmp_path / "minimal" / "compliance.md").read_text(encoding="utf-8")
    lacking = report.split("## What the record of processing lacks\n", 1)[1]
    assert [line for line in lacking.splitlines() if line.startswith("- ")] == [
        "- `purposes[0].data_subjects`: contract",
        "- `purposes[1].data_subjects`: accounting",
        "- `purposes[2].data_subjects`: analytics",
    ]


def test_a_legal_fact_unverified_for_a_year_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    later = max(verified for _name, verified in legal_facts().dated_entries()) + datetime.timedelta(days=400)
    warnings = legal_facts_warnings(later)
    assert len(warnings) == len(legal_facts().dated_entries())
    first = warnings[0]
    assert first.location.path.endswith("generator/data/legal-facts.yaml")
    assert first.field == "supervisory_authority.verified"
    assert "LEGAL-FACTS-STALE" in first.message
    assert legal_facts_warnings(later - datetime.timedelta(days=100)) == []


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("CUR-GIODO", "Beschwerde beim Generalinspekteur für den Schutz personenbezogener Daten"),
        ("CUR-PRIVACY-SHIELD", "zertifiziert nach dem EU-US-Datenschutzschild"),
        ("CUR-TELECOM-LAW", "gemäß Art. 173 des polnischen Telekommunikationsgesetzes"),
        ("CUR-ACT-1997", "nach dem Gesetz vom 29. August 1997 über den Schutz personenbezogener Daten"),
        ("CUR-DIRECTIVE-95-46", "im Sinne der Richtlinie 95/46/EG"),
    ],
)
def test_outdated_wording_is_found_in_german_too(rule: str, text: str) -> None:
    term = next(term for term in legal_facts().outdated_terms if term.id == rule)
    assert term.regex.search(text)


def test_the_dsgvo_repealing_the_directive_is_not_outdated_wording() -> None:
    terms = legal_facts().outdated_terms
    assert not any(term.regex.search("zur Aufhebung der Richtlinie 95/46/EG") for term in terms)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("pl", "Dane są przechowywane wyłącznie na terenie Unii Europejskiej."),
        ("en", "Your data is stored only within the EU."),
        ("de", "Ihre Daten werden ausschließlich in der EU gespeichert."),
        ("de", "Die Daten werden nur innerhalb der Europäischen Union verarbeitet."),
    ],
)
def test_each_language_has_its_wording_of_a_claim_that_data_stays_in_the_eu(code: str, text: str) -> None:
    claim = language(code).eu_only_claim_regex
    assert claim is not None
    assert claim.search(text)


def test_a_strict_build_fails_on_the_warnings_of_a_company_it_does_not_render_again(tmp_path: Path) -> None:
    facts = tmp_path / "giodo.yaml"
    facts.write_text((ROOT / RULES_FOLDER / "cur-giodo.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    build([facts], out_dir=tmp_path / "output", formats=("md",), today=BUILD_DAY)
    with pytest.raises(UserError, match=r"giodo\.yaml:\d+:\d+: security_measures\[0\]\.pl: warning: CUR-GIODO "):
        build([facts], out_dir=tmp_path / "output", formats=("md",), today=BUILD_DAY, strict=True)


def test_an_outdated_term_whose_pattern_does_not_compile_is_a_broken_legal_facts_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lint would otherwise stop with a traceback at the first text it searched."""
    from generator import legal
    from generator.resources import forget_project

    broken = tmp_path / legal.LEGAL_FACTS_FILE.name
    text = legal.LEGAL_FACTS_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace("pattern: '\\bGIODO\\b|", "pattern: '(?:\\bGIODO\\b|", 1), encoding="utf-8")
    monkeypatch.setattr(legal, "LEGAL_FACTS_FILE", broken)
    forget_project()
    try:
        with pytest.raises(UserError) as raised:
            legal_facts()
    finally:
        monkeypatch.undo()
        forget_project()
    message = str(raised.value)
    assert message.startswith(f"{broken}: broken legal facts file: ")
    assert "outdated term " in message
    assert "pattern: missing ), unterminated subpattern" in message


@pytest.mark.parametrize(
    ("provider", "name", "same"),
    [
        ("Google Ireland Limited", "Google LLC", True),
        ("Meta Platforms Ireland Limited", "meta platforms, inc.", True),
        ("X Corp.", "X Corp.", True),
        # The provider's first word is a word of the name, not a piece of one of its words.
        ("X Corp.", "Exabyte Support Inc.", False),
        ("Hot Ltd", "Hotjar Ltd", False),
        ("„Acme” S.A.", "acme", True),
        (":", ":", True),  # a name of punctuation alone is its own word
    ],
)
def test_a_cookie_provider_is_a_recipient_by_the_first_word_of_its_name(provider: str, name: str, same: bool) -> None:
    assert provider_is_among(provider, [name]) is same


def test_explicit_consent_is_weak_ground_only_for_a_recipient_of_the_cookies_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same provider may receive other data, for a purpose on another basis, through another entry.
    fixture = (ROOT / RULES_FOLDER / "cons-cookie-explicit-consent.yaml").read_text(encoding="utf-8")
    assert fixture.count("    purposes: [analytics]\n") == 1
    facts = tmp_path / "contract-recipient.yaml"
    facts.write_text(fixture.replace("    purposes: [analytics]\n", "    purposes: [contract]\n"), encoding="utf-8")
    main(["lint", str(facts)])
    assert "CONS-COOKIE-EXPLICIT-CONSENT" not in capsys.readouterr().out


def test_a_category_of_recipients_on_the_dpf_naming_the_certified_organisation_is_not_warned_of(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "named-importer.yaml"
    warned = (ROOT / RULES_FOLDER / "cons-dpf-unnamed.yaml").read_text(encoding="utf-8")
    unnamed = "    countries: [US]\n    safeguard: dpf\n    purposes: [accounting]\n"
    assert warned.count(unnamed) == 1
    facts.write_text(warned.replace(unnamed, unnamed + "    importer: Example Accounting LLC\n"), encoding="utf-8")
    assert main(["lint", "--strict", str(facts)]) == 0
    assert capsys.readouterr().out == "0 errors, 0 warnings\n"
