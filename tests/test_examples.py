"""The four example companies: valid, complete in every language they publish, and guarded by checksums."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import (
    BUILD_DAY,
    ROOT,
    Heading,
    copied,
    html_headings,
    markdown_headings,
    numbers_and_anchors,
    pdf_outline,
    pdf_text,
)

from generator.check import CheckResult, check
from generator.cli import main
from generator.pipeline import build
from generator.typography import typeset
from generator.validation import load_company

COMPANIES = ROOT / "companies"
EXAMPLES = sorted(path.stem for path in COMPANIES.glob("*.yaml"))
FORMATS: list[tuple[str, Callable[[str], list[Heading]]]] = [("md", markdown_headings), ("html", html_headings)]
PUBLISHED = [
    (company, language)
    for company in EXAMPLES
    for language in load_company(COMPANIES / f"{company}.yaml").document.languages
]

SEED_FACTS = {
    "smartcp": ["SmartAction.io Sp. z o.o.", "SmartCP", "Dekabrystów 82", "42-202", "Częstochowa", "info@smartcp.org"],
    "clarops": ["Damian Jarzębowski", "ClarOps", "+48 739 217 107", "linkedin.com/in/damian-jarzebowski"],
    "clusteric": [
        "NanoMedia Damian Kiełbasa",
        "9222828810",
        "061496025",
        "Łapiguz 10",
        "22-400",
        "Zamość",
        "contact@clusteric.com",
        "https://clusteric.com/members/login",
    ],
    "optingo": [
        "Optingo Digital Sp. z o.o.",
        "Al. Jerozolimskie 181B",
        "02-222",
        "0000915658",
        "7011048379",
        "389742770",
        "office@optingo.eu",
        "iodo@optingo.eu",
        "https://optingo.eu",
        "https://optingo.digital",
    ],
}


def test_the_four_seed_companies_are_there() -> None:
    assert sorted(SEED_FACTS) == EXAMPLES


def test_every_example_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(COMPANIES)]) == 0
    assert capsys.readouterr().out.count(": valid") == len(EXAMPLES)


@pytest.fixture(scope="module")
def markdown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("examples")
    facts = [copied(COMPANIES / f"{name}.yaml", out / "facts") for name in EXAMPLES]
    build(facts, out_dir=out, formats=("md", "html"), today=BUILD_DAY)
    return out


@pytest.mark.parametrize("company", EXAMPLES)
def test_every_language_has_the_same_section_numbers_and_anchors(markdown: Path, company: str) -> None:
    def numbered(language: str, suffix: str, headings: Callable[[str], list[Heading]]) -> list[tuple[int, str, str]]:
        text = (markdown / company / language / f"privacy-policy.{suffix}").read_text(encoding="utf-8")
        return numbers_and_anchors(headings(text))

    languages = [language for name, language in PUBLISHED if name == company]
    outlines = [numbered(language, suffix, read) for language in languages for suffix, read in FORMATS]
    assert outlines[0]
    assert all(outline == outlines[0] for outline in outlines)


def test_smartcp_alone_is_published_in_german_too() -> None:
    assert [company for company, language in PUBLISHED if language == "de"] == ["smartcp"]
    assert {language for _company, language in PUBLISHED} == {"pl", "en", "de"}


@pytest.mark.parametrize(("company", "language"), PUBLISHED)
def test_every_seed_fact_appears_in_every_language(markdown: Path, company: str, language: str) -> None:
    text = (markdown / company / language / "privacy-policy.md").read_text(encoding="utf-8")
    for fact in SEED_FACTS[company]:
        assert typeset(fact, language) in text, f"{fact!r} missing from {company} {language}"


@pytest.mark.parametrize(("company", "language"), PUBLISHED)
def test_no_example_names_the_defunct_authority_or_framework(markdown: Path, company: str, language: str) -> None:
    text = (markdown / company / language / "privacy-policy.md").read_text(encoding="utf-8")
    for stale in (
        "GIODO",
        "Generalny Inspektor",
        "Privacy Shield",
        "Tarcza Prywatności",
        "Datenschutzschild",
        "Prawo telekomunikacyjne",
    ):
        assert stale not in text


def test_the_german_pdf_of_smartcp_speaks_the_dsgvo(tmp_path: Path, markdown: Path) -> None:
    facts = copied(COMPANIES / "smartcp.yaml", tmp_path / "facts")
    build([facts], out_dir=tmp_path, languages=("de",), formats=("pdf",), today=BUILD_DAY)
    pdf = tmp_path / "smartcp" / "de" / "privacy-policy.pdf"
    polish = markdown_headings((markdown / "smartcp" / "pl" / "privacy-policy.md").read_text(encoding="utf-8"))
    bookmarks = pdf_outline(pdf)
    assert bookmarks[0] == (1, "Auf einen Blick")
    numbered = [(level, title.split(" ")[0]) for level, title in bookmarks[1:]]
    assert numbered == [(level, title.split(" ")[0]) for level, title, _anchor in polish[1:]]
    text = pdf_text(pdf)
    for term in ("DSGVO", "Verantwortliche", "Art. 6 Abs. 1 lit. a DSGVO", "berechtigte", "Auftragsverarbeiter"):
        assert term in text
    assert "Präsident des Amtes für den Schutz personenbezogener Daten (Prezes UODO)" in " ".join(text.split())
    assert "22. November 2026" in text


@pytest.mark.parametrize(
    ("field", "good", "bad"), [("nip", "7011048379", "7011048378"), ("regon", "389742770", "389742771")]
)
def test_one_changed_digit_of_an_identifier_is_caught_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, good: str, bad: str
) -> None:
    source = (COMPANIES / "optingo.yaml").read_text(encoding="utf-8")
    line = next(number for number, text in enumerate(source.splitlines(), 1) if f'{field}: "{good}"' in text)
    facts = tmp_path / "optingo.yaml"
    facts.write_text(source.replace(f'"{good}"', f'"{bad}"'), encoding="utf-8")
    assert main(["validate", str(facts)]) == 1
    error = capsys.readouterr().err
    assert re.fullmatch(
        rf"{re.escape(str(facts))}:{line}:\d+: controller\.{field}: {field.upper()} checksum does not match; "
        r"check the digits\n",
        error,
    )


def test_a_krs_number_that_lost_a_digit_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # KRS numbers carry no check digit: a changed digit can only be caught when the length changes.
    source = (COMPANIES / "optingo.yaml").read_text(encoding="utf-8")
    facts = tmp_path / "optingo.yaml"
    facts.write_text(source.replace('"0000915658"', '"000915658"'), encoding="utf-8")
    assert main(["validate", str(facts)]) == 1
    assert "controller.krs: a KRS number has 10 digits, this one has 9" in capsys.readouterr().err


def test_the_examples_state_files_are_current() -> None:
    # A template edited without `make build` left every example's committed state file out of date: `check` in a
    # fresh clone, as CI runs it, named all four.
    assert check([ROOT / "companies"], ROOT / "no-output-here") == CheckResult(companies=4, outputs=False)
