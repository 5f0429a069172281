"""The documents that go with the policy, read back: DOCX, the Art. 30 record, clauses, bilingual PDF."""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import pickle
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import cast

import docx
import openpyxl
import pytest
import yaml
from conftest import BUILD_DAY, MINIMAL, ROOT, copied, markdown_headings, pdf_outline, pdf_text
from docx.oxml.ns import qn
from test_escaping import _poison

from generator.check import CheckResult, check
from generator.cli import main
from generator.document import company_formats, render_document, unescape
from generator.errors import LocatedMessage, Location, UserError
from generator.facts import Company
from generator.facts.base import LocalizedText
from generator.facts.company import TargetCountry
from generator.facts.controller import LegalForm, Money
from generator.facts.processing import LegalBasis
from generator.languages import FormOfAddress, Language, language_codes
from generator.legal import is_in_eea
from generator.loading import read_facts_file
from generator.outputs import PolicyDraft, default_kinds
from generator.pipeline import build
from generator.render.clauses import clause_files
from generator.render.docx import render_docx
from generator.render.ropa import COLUMNS, processing_register
from generator.templating import template_environment
from generator.typography import NBSP, typeset
from generator.validation import load_company

LANGUAGES: tuple[Language, ...] = ("pl", "en")
EXAMPLES = sorted(path for path in (ROOT / "companies").glob("*.yaml"))
DOCUMENT_KINDS = ("docx", "ropa", "clauses", "pdf-bilingual")
CLAUSE_LIMIT = 1200
ARTICLE_6_1 = r"\b6(\(1\)\(|\sust\.\s1\slit\.\s| Abs\. 1 lit\. ){letter}\b"
"""Art. 6(1)(b) as each language cites it: `6(1)(b)`, `6 ust. 1 lit. b`, `6 Abs. 1 lit. b`."""


FORM_LINES = """    data_subjects: {pl: klienci, en: customers}
    form: {pl: Formularz zamówienia, en: Order form}
"""
"""Lines that mark the minimal company's first purpose, the contract, as collected through a form."""


def with_forms(folder: Path) -> Path:
    """A copy of the minimal facts whose contract purpose is collected through an order form."""
    facts = copied(MINIMAL, folder)
    text = facts.read_text("utf-8")
    marker = "        en: without this data we cannot conclude the contract\n"
    assert text.count(marker) == 1
    facts.write_text(text.replace(marker, marker + FORM_LINES), encoding="utf-8")
    return facts


@pytest.fixture(scope="module")
def forms_facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_forms(tmp_path_factory.mktemp("forms"))


@pytest.fixture(scope="module")
def documents_output(forms_facts: Path) -> Path:
    """The minimal company, with its order form, built with the default kinds."""
    out = forms_facts.parent / "out"
    build([forms_facts], out_dir=out, today=BUILD_DAY, jobs=1)
    return out / "minimal"


def _docx_text(path: Path) -> str:
    word = docx.Document(str(path))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in word.paragraphs] + cells)


def _html_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def test_the_document_kinds_are_registered_and_all_but_the_bilingual_pdf_are_default() -> None:
    assert {"docx", "ropa", "clauses"} <= set(default_kinds())
    assert "pdf-bilingual" not in default_kinds()


@pytest.mark.parametrize("language", LANGUAGES)
def test_docx_has_every_heading_of_the_markdown_in_order_as_heading_styles(
    documents_output: Path, language: str
) -> None:
    markdown = (documents_output / language / "privacy-policy.md").read_text(encoding="utf-8")
    word = docx.Document(str(documents_output / language / "privacy-policy.docx"))
    headings = [
        (int(paragraph.style.name.removeprefix("Heading ")), paragraph.text)
        for paragraph in word.paragraphs
        if paragraph.style is not None and paragraph.style.name.startswith("Heading ")
    ]
    assert headings == [(level, title) for level, title, _anchor in markdown_headings(markdown)]
    title = re.search(r'^title: "(.+)"$', markdown, re.MULTILINE)
    assert title is not None
    assert [paragraph.text for paragraph in word.paragraphs if paragraph.style and paragraph.style.name == "Title"] == [
        title[1]
    ]
    # Headings are styles, not direct formatting: no run sets its own size or weight.
    for paragraph in word.paragraphs:
        if paragraph.style is not None and paragraph.style.name.startswith("Heading "):
            assert all(run.font.size is None and run.bold is None for run in paragraph.runs)


@pytest.mark.parametrize("language", LANGUAGES)
def test_docx_holds_every_fact_of_the_controller_and_its_properties(
    documents_output: Path, forms_facts: Path, language: Language
) -> None:
    company = load_company(forms_facts)
    path = documents_output / language / "privacy-policy.docx"
    text = _docx_text(path)
    controller = company.controller
    assert controller.address is not None
    assert controller.registry_court is not None
    facts = [
        controller.legal_name,
        controller.nip,
        controller.regon,
        controller.krs,
        controller.registry_court[language],
        controller.address.street,
        controller.address.postal_code,
        company.contact.email,
        company.contact.phone,
    ]
    for fact in facts:
        assert fact is not None
        assert typeset(fact, language) in text, fact
    word = docx.Document(str(path))
    assert len(word.tables) >= 3, "the retention, recipients and cookie tables are Word tables"
    properties = word.core_properties
    tag = {"pl": "pl-PL", "en": "en-GB"}[language]
    assert properties.language == tag
    assert properties.version == "1"
    assert properties.revision == 1
    assert properties.title.startswith({"pl": "Polityka prywatności", "en": "Privacy policy"}[language])
    assert properties.created == properties.modified
    assert properties.created is not None
    assert properties.created.date() == BUILD_DAY
    defaults = word.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    language_element = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert language_element is not None
    assert language_element.get(qn("w:val")) == tag


def test_a_legal_name_longer_than_a_word_property_is_shortened_in_the_properties_only() -> None:
    # A Word file's core properties hold 255 characters: a longer legal name stopped every build with a traceback.
    company = load_company(MINIMAL)
    long_name = "Przykład " + "Bardzo Długa Nazwa " * 20 + "Sp. z o.o."
    named = company.model_copy(update={"controller": company.controller.model_copy(update={"legal_name": long_name})})
    content = render_docx(PolicyDraft(render_document(named, "acme", "pl", BUILD_DAY), 1))
    word = docx.Document(io.BytesIO(content))
    assert len(word.core_properties.author) == 255
    assert word.core_properties.author.endswith("…")
    assert long_name.startswith(word.core_properties.author[:-1])
    assert typeset(long_name, "pl") in "\n".join(paragraph.text for paragraph in word.paragraphs)


def test_docx_links_jump_to_bookmarks_of_the_sections(documents_output: Path) -> None:
    word = docx.Document(str(documents_output / "en" / "privacy-policy.docx"))
    body = word.element.body
    bookmarks = {element.get(qn("w:name")) for element in body.iter(qn("w:bookmarkStart"))}
    targets = {element.get(qn("w:anchor")) for element in body.iter(qn("w:hyperlink"))} - {None}
    assert targets, "the contents list links to the sections"
    assert targets <= bookmarks


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (Debian libreoffice-writer-nogui) is not installed"
)
def test_libreoffice_converts_the_docx_to_pdf(documents_output: Path, tmp_path: Path) -> None:
    source = documents_output / "pl" / "privacy-policy.docx"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert "Przykład Sp.\u00a0z\u00a0o.o." in pdf_text(tmp_path / "privacy-policy.pdf")


@dataclass(frozen=True)
class ExpectedRow:
    """What the facts say a purpose's row of the record must show."""

    controller: str
    activity: str
    letter: str
    subjects: str
    categories: list[str]
    recipients: list[str]
    transfers: list[str]


def _expected_rows(company: Company, language: Language) -> list[ExpectedRow]:
    """The facts as the record shows them: typeset like every text of the language."""

    def text(fact: str) -> str:
        return typeset(fact, language)

    rows = []
    for purpose in company.purposes:
        recipients = [r for r in company.recipients if not r.purposes or purpose.id in r.purposes]
        rows.append(
            ExpectedRow(
                controller=text(company.controller.legal_name),
                activity=text(purpose.name[language]),
                letter=purpose.legal_basis.letter if purpose.legal_basis else "",
                subjects=text(purpose.data_subjects[language])
                if purpose.data_subjects
                else SUBJECTS_OF_ACTIVITY[language],
                categories=[text(c.name[language]) for c in company.data_categories if c.id in purpose.data_categories],
                recipients=[text(r.name or r.category[language]) for r in recipients],
                transfers=[
                    text(r.name or r.category[language])
                    for r in recipients
                    if any(not is_in_eea(country) for country in r.countries)
                ],
            )
        )
    return rows


SUBJECTS_OF_ACTIVITY = {
    "pl": "osoby, których dane są przetwarzane w\u00a0ramach tej czynności",
    "en": "people whose data is processed in this activity",
    "de": "Personen, deren Daten im Rahmen dieser Tätigkeit verarbeitet werden",
}
"""The categories of data subjects of a purpose whose facts name none: those of the row's activity."""
POLICY_PHRASES = {
    "pl": ("której jesteś stroną", "przez Ciebie zgody", "w\u00a0naszym imieniu", "od Twojej ostatniej"),
    "en": ("a contract with you", "until you withdraw", "acting on our behalf", "your last activity"),
    "de": ("Vertrags mit Ihnen", "Widerruf Ihrer Einwilligung", "in unserem Auftrag", "Ihrer letzten Aktivität"),
}
"""Phrases of the policy that speak to its reader, which the record, kept for the supervisory authority, never uses."""
RECORD_PHRASES = {
    "pl": (
        "wykonanie umowy, której stroną jest osoba, której dane dotyczą,",
        "zgoda osoby, której dane dotyczą",
        "podmiot przetwarzający (art.\u00a028 RODO)",
    ),
    "en": (
        "performance of a contract to which the data subject is party,",
        "consent of the data subject",
        "processor (Art. 28 GDPR)",
    ),
}


@pytest.mark.parametrize("facts", [MINIMAL, *EXAMPLES], ids=lambda path: path.stem)
def test_the_record_speaks_of_the_data_subject_not_to_the_reader(facts: Path) -> None:
    company = load_company(facts)
    for language in company.document.languages:
        cells = "\n".join(cell for row in processing_register(company, language).rows for cell in row)
        assert [phrase for phrase in POLICY_PHRASES[language] if phrase in cells] == []
        if facts == MINIMAL:
            assert [phrase for phrase in RECORD_PHRASES[language] if phrase not in cells] == []


def _assert_row_matches(row: list[str], expected: ExpectedRow, number: int, company: Company) -> None:
    (
        number_cell,
        activity,
        controller,
        dpo,
        _purpose,
        basis,
        subjects,
        data,
        recipients,
        transfers,
        retention,
        _security,
    ) = row
    assert number_cell == str(number)
    assert activity == expected.activity
    assert expected.controller in controller
    assert company.contact.email in controller
    assert dpo
    assert re.search(ARTICLE_6_1.format(letter=expected.letter), basis), basis
    assert expected.subjects in subjects
    assert all(name in data for name in expected.categories), data
    assert all(name in recipients for name in expected.recipients), recipients
    assert all(name in transfers for name in expected.transfers), transfers
    if not expected.transfers:
        assert transfers, "the column says that nothing leaves the EEA"
    assert retention


def test_the_record_has_a_polish_and_an_english_sheet_with_a_row_per_purpose(
    documents_output: Path, forms_facts: Path
) -> None:
    company = load_company(forms_facts)
    workbook = openpyxl.load_workbook(documents_output / "ropa.xlsx")
    assert workbook.sheetnames == ["Polski", "English"]
    for sheet, language in zip(workbook.worksheets, LANGUAGES, strict=True):
        rows = [[str(value or "") for value in row] for row in sheet.iter_rows(values_only=True)]
        header, *body = rows
        assert header == processing_register(company, language).headings
        assert header[0] in ("Lp.", "No.")
        assert len(body) == len(company.purposes)
        for number, (row, expected) in enumerate(zip(body, _expected_rows(company, language), strict=True), start=1):
            _assert_row_matches(row, expected, number, company)
        assert sheet.freeze_panes == "C2"
        assert all(sheet.column_dimensions[letter].width >= 6 for letter in "ABCDEFGHIJKL")
        assert all(cell.alignment.wrap_text for row in sheet.iter_rows() for cell in row)
    assert workbook.properties.created is not None
    assert workbook.properties.created.date() == BUILD_DAY
    assert workbook.properties.modified == workbook.properties.created
    legal_name = typeset(company.controller.legal_name, "pl")
    assert workbook.properties.title == f"Rejestr czynności przetwarzania: {legal_name}"
    assert workbook.worksheets[0].page_setup.orientation == "landscape"


def test_the_record_as_csv_is_the_first_languages_sheet(documents_output: Path) -> None:
    text = (documents_output / "ropa.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    sheet = openpyxl.load_workbook(documents_output / "ropa.xlsx").worksheets[0]
    assert rows == [[str(value or "") for value in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Lp."


@pytest.mark.parametrize("facts", [MINIMAL, *EXAMPLES], ids=lambda path: path.stem)
def test_every_example_records_each_purpose_with_its_facts(facts: Path) -> None:
    company = load_company(facts)
    for language in company.document.languages:
        record = processing_register(company, language)
        assert len(record.headings) == 12
        for number, (row, expected) in enumerate(
            zip(record.rows, _expected_rows(company, language), strict=True), start=1
        ):
            _assert_row_matches(row, expected, number, company)


def test_a_joint_controller_is_named_with_its_role_on_one_line() -> None:
    company = load_company(ROOT / "companies" / "optingo.yaml")
    for language, role in (("pl", "współadministrator"), ("en", "joint controller")):
        cells = [cell for row in processing_register(company, language).rows for cell in row]
        assert any(f"Meta Platforms Ireland Limited ({role})\n" in cell for cell in cells)
        assert not [cell for cell in cells if re.search(r"\s\)|\n[ ,]", cell)]


def _clauses(facts: Path) -> dict[tuple[str, str], bytes]:
    company = load_company(facts)
    return {
        (language, file.name): file.content
        for language in company.document.languages
        for file in clause_files(PolicyDraft(render_document(company, facts.stem, language, BUILD_DAY), 1))
    }


CLAUSES_OF = {
    "minimal-with-form": ["contract"],
    "clarops": [],
    "clusteric": ["contract_requests"],  # its contact form serves other_requests too
    "optingo": ["newsletter", "registration"],
    "smartcp": ["account"],
}
"""The clauses each company's forms get, named after each form's first purpose."""


@pytest.mark.parametrize("name", ["minimal-with-form", *(path.stem for path in EXAMPLES)])
def test_a_clause_for_each_form_within_1200_characters_of_text(name: str, forms_facts: Path) -> None:
    facts = forms_facts if name == "minimal-with-form" else ROOT / "companies" / f"{name}.yaml"
    company = load_company(facts)
    clauses = _clauses(facts)
    expected = {
        (language, f"clauses/{stem}.{suffix}")
        for language in company.document.languages
        for stem in CLAUSES_OF[name]
        for suffix in ("md", "fragment.html")
    }
    assert set(clauses) == expected
    for (language, file_name), content in clauses.items():
        if file_name.endswith(".html"):
            text = _html_text(content.decode())
            assert 0 < len(text) <= CLAUSE_LIMIT, f"{language}/{file_name}: {len(text)} characters"
            assert content.decode().startswith(f'<aside class="information-clause" lang="{language}">')


@pytest.mark.parametrize(
    ("basis", "marketing", "objection"),
    [("contract", False, False), ("legitimate_interests", True, True), ("consent", True, False)],
)
def test_a_clause_says_what_follows_from_not_giving_the_data_and_how_to_stop_marketing(
    basis: str, marketing: bool, objection: bool, forms_facts: Path
) -> None:
    """Art. 13(2)(e) at collection: whether the data must be given and what follows if it is not.
    Marketing on legitimate interests stops on an objection (Art. 21(2)), which the clause names;
    on consent, on the consent's withdrawal, which it names already."""
    company = load_company(forms_facts)
    contract = company.purposes[0]
    assert contract.provision is not None
    assert contract.form is not None
    consequence = LocalizedText({**contract.provision.consequence.root, "en": "without it we cannot ship the order"})
    form = contract.model_copy(
        update={
            "legal_basis": LegalBasis(basis),
            "direct_marketing": marketing,
            "provision": contract.provision.model_copy(update={"consequence": consequence}),
            "form": LocalizedText({**contract.form.root, "en": "order form"}),
        }
    )
    edited = company.model_copy(update={"purposes": [form, *company.purposes[1:]]})
    [clause] = [
        file.content.decode()
        for file in clause_files(PolicyDraft(render_document(edited, "minimal", "en", BUILD_DAY), 1))
        if file.name.endswith(".md")
    ]
    assert clause.startswith("**Order form: how we use your data**")
    assert "Without it we cannot ship the order." in clause
    assert ("You may object at any time to processing for direct marketing" in clause) is objection


def test_a_form_serving_two_purposes_has_one_clause_naming_both() -> None:
    # Clusteric's contact form collects requests about its services (a contract) and other questions (legitimate
    # interests): a clause of the first alone left the second's basis and the right to object unsaid.
    clauses = _clauses(ROOT / "companies" / "clusteric.yaml")
    assert [name for language, name in clauses if language == "en"] == [
        "clauses/contract_requests.md",
        "clauses/contract_requests.fragment.html",
    ]
    clause = unescape(clauses[("en", "clauses/contract_requests.md")].decode())
    assert clause.startswith("**Contact form: how we use your data**")
    assert "The purpose “handling requests and contacting you about the services”: Art. 6(1)(b) GDPR" in clause
    assert "The purpose “handling requests not related to a contract”: Art. 6(1)(f) GDPR" in clause
    assert clause.count("Providing the data is voluntary.") == 1
    # Art. 21(1) and 20(1): the objection is the second purpose's, portability the first's, not the whole form's.
    assert "Art. 6(1)(b) GDPR (contract), with the right to data portability; how long" in clause
    assert "Art. 6(1)(f) GDPR (legitimate interests), with the right to object; how long" in clause
    assert "You have the right to access, rectify and erase your data, to restrict its processing and to" in clause
    assert clause.endswith(
        "Full information: sections [4.3](<../privacy-policy.html#purpose-contract_requests>) and"
        " [4.8](<../privacy-policy.html#purpose-other_requests>) of our privacy policy\n"
    )


def test_the_examples_mark_their_forms() -> None:
    marked = {
        path.stem: sorted(purpose.id for purpose in load_company(path).purposes if purpose.form is not None)
        for path in EXAMPLES
    }
    assert marked["optingo"] == ["newsletter", "registration"]
    assert marked["clusteric"] == ["contract_requests", "other_requests"]  # one contact form
    assert marked["smartcp"] == ["account"]


def test_a_clause_names_the_controller_basis_retention_and_links_its_section(
    documents_output: Path, forms_facts: Path
) -> None:
    company = load_company(forms_facts)
    for language in LANGUAGES:
        clause = documents_output / language / "clauses" / "contract.fragment.html"
        text = clause.read_text(encoding="utf-8")
        assert typeset(company.controller.legal_name, language) in text
        assert company.contact.email in text
        assert re.search(ARTICLE_6_1.format(letter="b"), text)
        assert company_formats(company, language).in_sentence(company.purposes[0].name[language]) in _html_text(text)
        links = re.findall(r'href="([^"#]+)#([^"]+)"', text)
        assert links == [("../privacy-policy.html", "purpose-contract")]
        target = (clause.parent / links[0][0]).resolve()
        assert target == (documents_output / language / "privacy-policy.html").resolve()
        assert f'id="{links[0][1]}"' in target.read_text(encoding="utf-8")
        markdown = (documents_output / language / "clauses" / "contract.md").read_text(encoding="utf-8")
        assert "(<../privacy-policy.html#purpose-contract>)" in markdown


def test_consent_withdrawal_is_stated_only_where_consent_is_the_basis() -> None:
    clauses = _clauses(ROOT / "companies" / "optingo.yaml")
    assert "withdraw your consent" in clauses[("en", "clauses/newsletter.md")].decode()
    assert "wycofać" in clauses[("pl", "clauses/newsletter.md")].decode()
    assert "withdraw your consent" not in clauses[("en", "clauses/registration.md")].decode()


@pytest.mark.parametrize(
    ("basis", "objection", "portability", "erasure_limited"),
    [
        ("consent", False, True, False),
        ("contract", False, True, False),
        ("legitimate_interests", True, False, False),
        ("public_task", True, False, True),
        ("legal_obligation", False, False, True),
        ("vital_interests", False, False, False),
    ],
)
def test_a_clause_names_objection_and_portability_only_where_its_basis_gives_them(
    basis: str, objection: bool, portability: bool, erasure_limited: bool
) -> None:
    """Art. 13(2)(b): the rights "where applicable"; Art. 21(1), 20(1) and 17(3)(b) say where."""
    company = load_company(ROOT / "companies" / "optingo.yaml")
    purposes = [
        purpose.model_copy(update={"legal_basis": LegalBasis(basis)}) if purpose.id == "registration" else purpose
        for purpose in company.purposes
    ]
    changed = company.model_copy(update={"purposes": purposes})
    words = {
        "en": ("object to", "in a portable format", "to its erasure where the law does not require us to keep it"),
        "pl": ("sprzeciwu", "przenoszenia danych", "przepisy nie wymagają od nas ich przechowywania"),
    }
    for language, (objecting, porting, limited_erasure) in words.items():
        draft = PolicyDraft(render_document(changed, "optingo", language, BUILD_DAY), 1)
        rights = next(
            line
            for file in clause_files(draft)
            if file.name == "clauses/registration.md"
            for line in file.content.decode().splitlines()
            if "(" in line and ("right" in line or "prawo" in line)
        )
        assert (objecting in rights) == objection, rights
        assert (porting in rights) == portability, rights
        assert (limited_erasure in rights) == erasure_limited, rights


def _with_document_key(facts: Path, line: str) -> None:
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("document:\n", f"document:\n  {line}\n", 1), encoding="utf-8")


def test_the_bilingual_pdf_puts_both_languages_side_by_side_with_outline_in_both(tmp_path: Path) -> None:
    facts = copied(MINIMAL, tmp_path / "facts")
    build([facts], out_dir=tmp_path / "out", formats=("md", "pdf-bilingual"), today=BUILD_DAY, jobs=1)
    pdf = tmp_path / "out" / "minimal" / "privacy-policy.pl-en.pdf"
    headings = {
        language: markdown_headings((tmp_path / "out" / "minimal" / language / "privacy-policy.md").read_text("utf-8"))
        for language in LANGUAGES
    }
    assert pdf_outline(pdf) == [
        (level, f"{polish} / {english}")
        for (level, polish, _), (_level, english, _anchor) in zip(headings["pl"], headings["en"], strict=True)
    ]
    text = pdf_text(pdf)
    assert "Polityka prywatności" in text
    assert "Privacy policy" in text
    assert "Przykład Sp. z o.o." in text


def test_the_bilingual_pdf_is_made_only_of_languages_the_build_covers(tmp_path: Path) -> None:
    # `--lang en --format pdf-bilingual` made the Polish and English PDF: `--lang` limits a build's languages.
    facts = copied(MINIMAL, tmp_path / "facts")
    build([facts], out_dir=tmp_path / "out", formats=("pdf-bilingual",), languages=("en",), today=BUILD_DAY, jobs=1)
    assert not list((tmp_path / "out" / "minimal").glob("*.pdf"))


def test_the_bilingual_pdf_is_made_by_a_default_build_only_when_the_facts_ask(tmp_path: Path) -> None:
    asking = copied(MINIMAL, tmp_path / "facts")
    _with_document_key(asking, "bilingual_pdf: true")
    plain = tmp_path / "facts" / "plain.yaml"
    shutil.copyfile(MINIMAL, plain)
    out = tmp_path / "out"
    command = ["build", str(asking), str(plain), "--out", str(out), "--today", BUILD_DAY.isoformat(), "--jobs", "1"]
    assert main(command) == 0
    bilingual = out / "minimal" / "privacy-policy.pl-en.pdf"
    assert bilingual.is_file()
    assert not (out / "plain" / "privacy-policy.pl-en.pdf").exists()
    assert check([asking, plain], out) == CheckResult(companies=2, outputs=True)
    rebuilt = build([asking, plain], out_dir=out, today=BUILD_DAY, jobs=1)
    assert not any(company.rendered for company in rebuilt.companies), "an unchanged company is not rendered again"
    bilingual.unlink()
    assert main(command) == 0
    assert bilingual.is_file(), "a default build sees the switched-on kind's missing file"
    other = tmp_path / "only-md"
    assert main([*command[:3], "--out", str(other), "--format", "md", "--today", BUILD_DAY.isoformat()]) == 0
    assert not (other / "minimal" / "privacy-policy.pl-en.pdf").exists(), "--format wins over the facts"


def test_one_language_makes_no_bilingual_pdf(tmp_path: Path) -> None:
    facts = copied(MINIMAL, tmp_path / "facts")
    facts.write_text(facts.read_text("utf-8").replace("languages: [pl, en]", "languages: [pl]"), encoding="utf-8")
    build([facts], out_dir=tmp_path / "out", formats=("pdf-bilingual",), today=BUILD_DAY, jobs=1)
    assert not list((tmp_path / "out" / "minimal").glob("*.pdf"))


def _document_texts(folder: Path) -> dict[str, str]:
    texts = {"ropa.csv": (folder / "ropa.csv").read_text("utf-8-sig")}
    workbook = openpyxl.load_workbook(folder / "ropa.xlsx")
    texts["ropa.xlsx"] = "\n".join(
        str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row
    )
    texts["bilingual"] = pdf_text(folder / "privacy-policy.pl-en.pdf")
    for language in LANGUAGES:
        texts[f"{language} docx"] = _docx_text(folder / language / "privacy-policy.docx")
        for clause in sorted((folder / language / "clauses").iterdir()):
            texts[f"{language} {clause.name}"] = clause.read_text("utf-8")
    return texts


def test_a_facts_change_reaches_every_document_in_one_build(tmp_path: Path) -> None:
    facts = with_forms(tmp_path / "facts")
    _with_document_key(facts, "bilingual_pdf: true")
    out = tmp_path / "out"
    build([facts], out_dir=out, today=BUILD_DAY, jobs=1)
    before = _document_texts(out / "minimal")
    assert all("privacy@przyklad.example" in text for text in before.values())
    facts.write_text(
        facts.read_text("utf-8").replace("privacy@przyklad.example", "dane@przyklad.example"), encoding="utf-8"
    )
    build([facts], out_dir=out, today=BUILD_DAY + datetime.timedelta(days=3), jobs=1)
    after = _document_texts(out / "minimal")
    assert set(after) == set(before)
    for name, text in after.items():
        assert "dane@przyklad.example" in text, name
        assert "privacy@przyklad.example" not in text, name
    assert check([facts], out) == CheckResult(companies=1, outputs=True)


def test_rebuilding_on_another_day_changes_no_byte_of_the_office_files(tmp_path: Path) -> None:
    facts = with_forms(tmp_path / "facts")
    kinds = ("docx", "ropa", "clauses")
    build([facts], out_dir=tmp_path / "first", formats=kinds, today=BUILD_DAY, jobs=1)
    later = BUILD_DAY + datetime.timedelta(days=40)
    build([facts], out_dir=tmp_path / "second", formats=kinds, today=later, jobs=1)
    names = ["ropa.xlsx", "ropa.csv"] + [
        f"{language}/{name}"
        for language in LANGUAGES
        for name in ("privacy-policy.docx", "clauses/contract.md", "clauses/contract.fragment.html")
    ]
    for name in names:
        first, second = (tmp_path / folder / "minimal" / name for folder in ("first", "second"))
        assert first.read_bytes() == second.read_bytes(), name


def test_bad_facts_stop_every_document_kind_with_the_same_located_messages(tmp_path: Path) -> None:
    facts = copied(MINIMAL, tmp_path / "facts")
    facts.write_text(facts.read_text("utf-8").replace('nip: "5252345675"', 'nip: "5252345676"'), encoding="utf-8")
    messages = {}
    for kinds in (("md",), *((kind,) for kind in DOCUMENT_KINDS), DOCUMENT_KINDS):
        out = tmp_path / "-".join(kinds)
        with pytest.raises(UserError) as raised:
            build([facts], out_dir=out, formats=kinds, today=BUILD_DAY, jobs=1)
        messages[kinds] = [str(message) for message in raised.value.messages]
        assert not out.exists(), "nothing is written"
    assert len(set(map(tuple, messages.values()))) == 1
    assert any(
        re.match(rf"{re.escape(str(facts))}:\d+:\d+: controller\.nip: ", message) for message in messages[("md",)]
    ), messages[("md",)]


def test_the_manifest_lists_the_documents_by_kind(documents_output: Path) -> None:
    manifest = json.loads((documents_output.parent / "manifest.json").read_text("utf-8"))
    kinds = {entry["path"]: entry["kind"] for entry in manifest["outputs"]}
    assert kinds["minimal/pl/privacy-policy.docx"] == "docx"
    assert kinds["minimal/ropa.xlsx"] == kinds["minimal/ropa.csv"] == "ropa"
    assert kinds["minimal/en/clauses/contract.fragment.html"] == kinds["minimal/pl/clauses/contract.md"] == "clauses"


def test_a_noncharacter_that_xml_cannot_hold_is_a_located_error(tmp_path: Path) -> None:
    facts = copied(MINIMAL, tmp_path / "facts")
    text = facts.read_text("utf-8").replace("en: Performing the contract", 'en: "Performing \\uFFFE the contract"')
    facts.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        build([facts], out_dir=tmp_path / "out", formats=("docx", "ropa"), today=BUILD_DAY, jobs=1)
    assert [str(message) for message in raised.value.messages] == [
        f"{facts}:42:11: purposes[0].name.en: contains U+FFFE, which is not a character; remove it"
    ]


def test_hostile_facts_show_literally_in_every_document(tmp_path: Path) -> None:
    data = _poison(read_facts_file(with_forms(tmp_path / "source")).data)
    data["document"]["bilingual_pdf"] = True
    facts = tmp_path / "hostile.yaml"
    # JSON is YAML 1.2, so the poisoned data can be written back without a YAML emitter.
    facts.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    build([facts], out_dir=tmp_path / "out", today=BUILD_DAY, jobs=1)
    folder = tmp_path / "out" / "hostile"
    literal = "<script>alert(1)</script> *star* _under_ | pipe [x](javascript:alert(1))"
    texts = {
        "docx": _docx_text(folder / "en" / "privacy-policy.docx"),
        "csv": (folder / "ropa.csv").read_text("utf-8-sig"),
        "clause": _html_text((folder / "en" / "clauses" / "contract.fragment.html").read_text("utf-8")),
        "bilingual": pdf_text(folder / "privacy-policy.pl-en.pdf").replace("\n", " "),
    }
    for name, text in texts.items():
        assert literal in text, name
    word = docx.Document(str(folder / "en" / "privacy-policy.docx"))
    assert not [rel for rel in word.part.rels.values() if rel.is_external and "javascript" in rel.target_ref]
    clause = (folder / "en" / "clauses" / "contract.fragment.html").read_text("utf-8")
    assert "<script" not in clause
    assert 'href="javascript:' not in clause


def test_a_located_error_crosses_from_a_worker_process_whole() -> None:
    error = UserError([LocatedMessage(Location("locales/pl/LC_MESSAGES/messages.po", 3, 1), "msgid 'No.'", "missing")])
    assert pickle.loads(pickle.dumps(error)).messages == error.messages


def test_facts_that_look_like_formulas_stay_text_in_the_record(tmp_path: Path) -> None:
    facts = copied(MINIMAL, tmp_path / "facts")
    text = facts.read_text(encoding="utf-8")
    formula = '"=HYPERLINK(\\"https://evil.example/\\",\\"x\\")"'
    text = text.replace("pl: Wykonanie umowy", f"pl: {formula}").replace(
        "en: Performing the contract", f"en: {formula}"
    )
    facts.write_text(text, encoding="utf-8")
    build([facts], out_dir=tmp_path / "out", formats=("ropa",), today=BUILD_DAY)
    workbook = openpyxl.load_workbook(tmp_path / "out" / "minimal" / "ropa.xlsx")
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if str(cell.value).startswith("=HYPERLINK")
    ]
    assert {cell.parent.title for cell in cells} == {"Polski", "English"}
    assert all(cell.data_type == "s" for cell in cells)
    with (tmp_path / "out" / "minimal" / "ropa.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_a_copy_of_the_safeguards_is_offered_only_for_safeguards_other_than_an_adequacy_decision(
    tmp_path: Path,
) -> None:
    """Art. 13(1)(f) GDPR owes the means to obtain a copy of the safeguards of Art. 46 and 47."""
    facts = yaml.safe_load((ROOT / "companies" / "optingo.yaml").read_text(encoding="utf-8"))
    outside = [recipient for recipient in facts["recipients"] if recipient.get("safeguard")]
    assert {recipient["safeguard"] for recipient in outside} == {"dpf", "scc"}
    for recipient in outside:  # every one in the US, where the Data Privacy Framework applies
        assert "US" in recipient["countries"]
        recipient["safeguard"] = "dpf"
    offer = "You can obtain a copy of the standard contractual clauses or binding corporate rules"

    def transfers_text(name: str) -> str:
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
        document = render_document(load_company(path), name, "en", BUILD_DAY)
        return next(section.body for section in document.walk() if section.outline.anchor == "transfers")

    assert offer not in transfers_text("adequacy-only")
    outside[0].update(safeguard="derogation", derogation="contract")  # Art. 49(1): nothing to copy
    assert offer not in transfers_text("with-a-derogation")
    del outside[0]["derogation"]
    outside[0]["safeguard"] = "scc"
    assert offer in transfers_text("with-clauses")


def test_the_records_purpose_column_states_the_purpose_for_the_record_or_names_it() -> None:
    # A description speaks to the policy's reader ("we open your account"); the record is written for the authority.
    company = load_company(MINIMAL)
    described = company.purposes[0].model_copy(
        update={"description": LocalizedText({"pl": "Zakładamy Twoje konto.", "en": "We open your account."})}
    )
    stated = company.purposes[1].model_copy(
        update={
            "record_purpose": LocalizedText({"pl": "rozliczenia podatkowe klientów", "en": "customers' tax records"})
        }
    )
    edited = company.model_copy(update={"purposes": [described, stated, *company.purposes[2:]]})
    register = processing_register(edited, "en")
    column = 1 + list(COLUMNS).index("purpose")
    assert [row[column] for row in register.rows] == [
        company.purposes[0].name["en"],
        "customers' tax records",
        *(purpose.name["en"] for purpose in company.purposes[2:]),
    ]


@pytest.mark.parametrize(("shared_with", "limited"), [("accounting", True), ("analytics", False)])
def test_a_form_shared_with_a_purpose_the_law_requires_says_that_data_is_not_erased_early(
    shared_with: str, limited: bool, forms_facts: Path
) -> None:
    # Art. 17(3)(b): the rights in brief name erasure, which data kept under a legal obligation does not have.
    company = load_company(forms_facts)
    form = company.purposes[0].form
    purposes = [
        purpose.model_copy(update={"form": form}) if purpose.id == shared_with else purpose
        for purpose in company.purposes
    ]
    draft = PolicyDraft(
        render_document(company.model_copy(update={"purposes": purposes}), "minimal", "en", BUILD_DAY), 1
    )
    [clause] = [file.content.decode() for file in clause_files(draft) if file.name.endswith(".md")]
    assert clause.count("The purpose “") == 2
    assert ("Data the law requires us to keep cannot be erased before the required period ends." in clause) is limited


@pytest.mark.parametrize(
    ("second_basis", "for_all", "per_purpose"),
    [
        (
            "legitimate_interests",
            "to restrict its processing and",
            ["with the right to data portability", "with the right to object"],
        ),
        ("consent", "to restrict its processing, to receive it in a portable format", []),
        ("legal_obligation", "to restrict its processing and", ["with the right to data portability"]),
    ],
)
def test_a_shared_clause_gives_a_right_to_the_whole_form_only_where_every_purpose_has_it(
    second_basis: str, for_all: str, per_purpose: list[str], forms_facts: Path
) -> None:
    # Art. 21(1) and 20(1): a right one purpose's basis gives stands beside it, not in the rights of all the data.
    company = load_company(forms_facts)
    form = company.purposes[0].form
    purposes = [
        purpose.model_copy(update={"form": form, "legal_basis": LegalBasis(second_basis)})
        if purpose.id == "analytics"
        else purpose
        for purpose in company.purposes
    ]
    draft = PolicyDraft(
        render_document(company.model_copy(update={"purposes": purposes}), "minimal", "en", BUILD_DAY), 1
    )
    [clause] = [file.content.decode() for file in clause_files(draft) if file.name.endswith(".md")]
    assert for_all in clause
    assert re.findall(r"with the right to [a-z ]+", clause) == per_purpose


def _smartcp_directed_at(countries: list[str], folder: Path) -> Company:
    """SmartCP (published in Polish, English and German) with its websites directed at ``countries``."""
    published = "  languages: [pl, en, de]\n"
    text = (ROOT / "companies" / "smartcp.yaml").read_text(encoding="utf-8")
    assert text.count(published) == 1
    facts = folder / "smartcp.yaml"
    facts.write_text(text.replace(published, f"{published}  directed_at: [{', '.join(countries)}]\n"), encoding="utf-8")
    return load_company(facts)


@pytest.mark.parametrize(
    ("language", "german_rule", "austrian_rule"),
    [
        ("pl", "§ 25 niemieckiej ustawy", "§ 165 ust. 3 austriackiej ustawy"),
        ("en", "Section 25 of the German", "Section 165(3) of the Austrian"),
        (
            "de",
            "§ 25 des deutschen Telekommunikation-Digitale-Dienste-Datenschutz-Gesetzes",
            "§ 165 Abs. 3 des österreichischen",
        ),
    ],
)
def test_the_cookies_section_cites_the_rule_of_each_country_the_websites_are_directed_at(
    tmp_path: Path, language: str, german_rule: str, austrian_rule: str
) -> None:
    def cookies_section(countries: list[str]) -> str:
        document = render_document(_smartcp_directed_at(countries, tmp_path), "smartcp", language, BUILD_DAY)
        body = next(str(section.body) for section in document.walk() if section.outline.anchor == "cookies")
        return body.replace(NBSP, " ")

    both = cookies_section(["DE", "AT"])
    assert both.index("399") < both.index(german_rule) < both.index(austrian_rule)
    only_austria = cookies_section(["AT"])
    assert austrian_rule in only_austria
    assert german_rule not in only_austria
    neither = cookies_section([])
    assert "TDDDG" not in neither
    assert "TKG" not in neither


def test_every_country_a_website_may_be_directed_at_has_its_rule_in_every_language() -> None:
    for language in language_codes():
        environment = template_environment(language, FormOfAddress.TY)
        for macro in ("device_rule", "device_exemption"):
            cited = cast(Callable[[TargetCountry], object], environment.globals[macro])
            rules = [str(cited(country)).strip() for country in TargetCountry]
            assert all(rules), (language, macro, rules)
            assert len(set(rules)) == len(rules), (language, macro, rules)


@pytest.mark.parametrize(
    ("language", "one_law", "several_rules"),
    [
        ("pl", "czego wymaga ta ustawa", "czego wymagają przywołane wyżej przepisy"),
        ("en", "as that law requires", "as the rules cited above require"),
        ("de", "wie es dieses Gesetz verlangt", "wie es die oben genannten Vorschriften verlangen"),
    ],
)
def test_a_cookie_on_consent_with_another_basis_points_back_at_every_rule_cited(
    tmp_path: Path, language: str, one_law: str, several_rules: str
) -> None:
    """The consent a cookie needs is what "that law" (art. 399 PKE) requires; where the section also
    cites the rules of the countries the websites are directed at, it is what those rules require."""

    def cookies_section(countries: list[str]) -> str:
        company = _smartcp_directed_at(countries, tmp_path)
        first_asked = next(index for index, cookie in enumerate(company.cookies) if cookie.category != "necessary")
        cookies = list(company.cookies)
        cookies[first_asked] = cookies[first_asked].model_copy(update={"legal_basis": LegalBasis.CONTRACT})
        document = render_document(company.model_copy(update={"cookies": cookies}), "smartcp", language, BUILD_DAY)
        return next(str(section.body) for section in document.walk() if section.outline.anchor == "cookies")

    assert one_law in cookies_section([])
    assert several_rules in cookies_section(["DE"])
    assert one_law not in cookies_section(["DE"])


@pytest.mark.parametrize(
    ("form", "german"),
    [("sp_z_oo", "Stammkapital (kapitał zakładowy)"), ("sa", "Grundkapital (kapitał zakładowy)")],
)
def test_the_german_policy_names_the_share_capital_of_the_companys_own_form(form: str, german: str) -> None:
    """A GmbH's capital is its Stammkapital, an AG's its Grundkapital: the facts say which the company is."""
    company = load_company(ROOT / "companies" / "smartcp.yaml")
    capital = Money(amount=Decimal(5000))
    controller = company.controller.model_copy(update={"legal_form": LegalForm(form), "share_capital": capital})
    document = render_document(company.model_copy(update={"controller": controller}), "smartcp", "de", BUILD_DAY)
    body = next(str(section.body) for section in document.walk() if section.outline.anchor == "controller")
    assert f"**{german}:**" in body
    assert "bzw." not in body


@pytest.mark.parametrize(
    ("language", "exemptions"),
    [
        ("pl", "elektronicznej, § 25 ust. 2 pkt 2 TDDDG, § 165 ust. 3 TKG 2021 (niezbędne, bez zgody);"),
        ("en", "Law, § 25(2)(2) TDDDG, § 165(3) TKG 2021 (strictly necessary, no consent needed);"),
        (
            "de",
            "Kommunikation, § 25 Abs. 2 Nr. 2 TDDDG, § 165 Abs. 3 TKG 2021 (unbedingt erforderlich, ohne Einwilligung)",
        ),
    ],
)
def test_a_cookie_exempt_from_consent_cites_the_exemption_of_each_country_too(
    tmp_path: Path, language: str, exemptions: str
) -> None:
    def necessary_cookies(countries: list[str]) -> str:
        company = _smartcp_directed_at(countries, tmp_path)
        # Without a basis of its own, a necessary cookie rests on the exemption from consent.
        cookies = [
            cookie.model_copy(update={"legal_basis": None}) if cookie.category == "necessary" else cookie
            for cookie in company.cookies
        ]
        company = company.model_copy(update={"cookies": cookies})
        document = render_document(company, "smartcp", language, BUILD_DAY)
        section = next(section for section in document.walk() if section.outline.anchor == "cookies-necessary")
        return str(section.body).replace(NBSP, " ")

    assert exemptions in necessary_cookies(["DE", "AT"])
    assert "TDDDG" not in necessary_cookies([])
