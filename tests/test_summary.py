"""The summary ("At a glance"): made from the facts, first in every format, within one A4 page."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import cast

import docx
import pytest
from conftest import BUILD_DAY, MINIMAL, ROOT, copied, html_headings, pdf_outline, png
from pypdf import PdfReader

from generator.document import (
    PolicyDocument,
    RenderedSection,
    company_formats,
    proper_names,
    render_document,
    unescape,
)
from generator.facts.company import SUMMARY_ANCHOR
from generator.facts.processing import LegalBasis
from generator.i18n import Formats, translations
from generator.outputs import PolicyDraft
from generator.pipeline import build
from generator.render.docx import render_docx
from generator.render.html import render_print_page
from generator.render.markdown import render_markdown
from generator.render.pdf import render_pdf
from generator.render.summary import SUMMARY_FILE
from generator.typography import typeset
from generator.validation import load_company

FACTS = [*sorted((ROOT / "companies").glob("*.yaml")), MINIMAL]
SUMMARY_TITLES = {"pl": "W\u00a0skrócie", "en": "At a glance", "de": "Auf einen Blick"}


def documents(facts: Path, *, draft: bool = False) -> list[PolicyDocument]:
    company = load_company(facts)
    return [render_document(company, facts.stem, code, BUILD_DAY, draft=draft) for code in company.document.languages]


def summary_of(document: PolicyDocument) -> RenderedSection:
    first = document.sections[0]
    assert (first.outline.anchor, first.outline.number) == (SUMMARY_ANCHOR, "")
    return first


@pytest.mark.parametrize("facts", FACTS, ids=lambda path: path.stem)
def test_every_purpose_retention_period_and_recipient_category_is_in_the_summary(facts: Path) -> None:
    for document in documents(facts):
        company, language = document.company, document.language
        summary = summary_of(document)
        text = unescape(summary.body)
        retention = cast(Callable[[object], str], document.environment.globals["retention"])
        assert summary.title == SUMMARY_TITLES[language]

        def typeset_(fact: str, language: str = language) -> str:
            return typeset(fact, language)

        formats = company_formats(company, language)
        for purpose in company.purposes:
            name = re.escape(typeset_(formats.in_sentence(purpose.name[language])))
            assert re.search(rf"\[(?:{name}|.{name}.)\]\(<#purpose-{purpose.id}>\)", text), purpose.id
            assert typeset_(unescape(retention(purpose.retention))) in text
        for recipient in company.recipients:
            assert typeset_(recipient.category[language]) in text
        for category in company.data_categories:
            assert typeset_(category.name[language]).casefold() in text.casefold()
        assert f"mailto:{company.contact.email}" in text


def test_a_kind_of_recipient_given_to_several_recipients_says_how_many() -> None:
    # Optingo's three advertising partners share the kind "partner reklamowy": named once, the
    # summary read as if one partner received the data.
    company = load_company(ROOT / "companies" / "optingo.yaml")
    assert [recipient.category["pl"] for recipient in company.recipients].count("partner reklamowy") == 3
    expected = {
        "pl": "„partner reklamowy” (3 podmioty)",
        "en": "“advertising partner” (3 recipients)",
    }
    for document in documents(ROOT / "companies" / "optingo.yaml"):
        text = unescape(summary_of(document).body)
        recipients = text[text.index("Odbiorcy:" if document.language == "pl" else "Recipients:") :]
        recipients = recipients[: recipients.index("\n")]
        assert expected[document.language] in recipients
        # A kind given to one recipient alone is named as it is.
        assert len(re.findall(r"[”“] \(\d", recipients)) == 1


@pytest.mark.parametrize("facts", FACTS, ids=lambda path: path.stem)
def test_each_point_links_to_the_numbered_section_that_says_it_in_full(facts: Path) -> None:
    for document in documents(facts):
        numbers = {section.outline.anchor: section.outline.number for section in document.walk()}
        links = re.findall(r"\[([0-9.]+)\]\(#([a-z_-]+)\)", summary_of(document).body)
        wanted = ["controller", "data", "purposes", "retention", "recipients", "transfers", "rights"]
        if _objection_paragraphs(document):
            wanted.append("rights")
        assert [anchor for _number, anchor in links] == [anchor for anchor in wanted if anchor in numbers]
        assert all(numbers[anchor] == number for number, anchor in links)


OBJECTION_TITLES = {"pl": "Prawo sprzeciwu", "en": "Your right to object", "de": "Ihr Widerspruchsrecht"}


def _objection_paragraphs(document: PolicyDocument) -> list[str]:
    title = f"**{OBJECTION_TITLES[document.language]}**"
    return [paragraph for paragraph in summary_of(document).body.split("\n\n") if title in paragraph]


@pytest.mark.parametrize("facts", FACTS, ids=lambda path: path.stem)
def test_the_right_to_object_stands_apart_where_a_purpose_rests_on_legitimate_interests_or_is_marketing(
    facts: Path,
) -> None:
    """Art. 21(4) GDPR: brought to the reader's attention in the first layer, clearly and
    separately from any other information, with where to send the objection."""
    for document in documents(facts):
        company = document.company
        bases = {purpose.legal_basis for purpose in company.purposes} | {cookie.basis for cookie in company.cookies}
        objectable = bool(bases & {"legitimate_interests", "public_task"})
        marketing = any(purpose.direct_marketing for purpose in company.purposes)
        paragraphs = _objection_paragraphs(document)
        if not (objectable or marketing):
            assert paragraphs == []
            continue
        assert len(paragraphs) == 1, f"{facts.stem}/{document.language}"
        paragraph = unescape(paragraphs[0])
        assert paragraph.startswith(f"**{OBJECTION_TITLES[document.language]}**")
        contact = (
            company.contact.dpo.email if company.contact.dpo and company.contact.dpo.email else company.contact.email
        )
        assert contact in paragraph
        if document.language == "en":
            assert ("on grounds relating to your particular situation" in paragraph) is objectable
            assert ("to processing for direct marketing, without giving reasons" in paragraph) is marketing
            # A task in the public interest only where a purpose rests on one; profiling is not named,
            # since Art. 21(1) covers only profiling on these grounds, which the facts do not tell apart
            # from profiling on consent.
            public_task = "public_task" in bases
            assert ("a task carried out in the public interest" in paragraph) is (objectable and public_task)
            assert "profiling" not in paragraph


def test_a_task_in_the_public_interest_is_named_only_where_a_purpose_rests_on_one() -> None:
    company = load_company(MINIMAL)
    public = [
        purpose.model_copy(update={"legal_basis": LegalBasis.PUBLIC_TASK}) if purpose.id == "contract" else purpose
        for purpose in company.purposes
    ]
    with_task = company.model_copy(update={"purposes": public})
    document = render_document(with_task, "minimal", "en", BUILD_DAY)
    [objection] = _objection_paragraphs(document)
    assert "to processing based on our legitimate interests or on a task carried out in the public interest." in (
        unescape(objection)
    )
    rights = next(section for section in document.walk() if section.outline.anchor == "rights")
    assert "or on a task carried out in the public interest; we will then stop unless" in unescape(rights.body)
    polish = render_document(with_task, "minimal", "pl", BUILD_DAY)
    assert typeset("lub na zadaniu realizowanym w interesie publicznym", "pl") in _objection_paragraphs(polish)[0]


@pytest.mark.parametrize(
    ("bases", "marketing", "objection", "portability"),
    [
        (("legal_obligation",), False, False, False),
        (("contract", "consent"), False, False, True),
        (("legitimate_interests", "legal_obligation"), False, True, False),
        (("consent",), True, True, True),
        (("legal_obligation", "legitimate_interests", "contract"), False, True, True),
    ],
)
def test_the_summary_names_the_rights_the_rights_section_gives_and_no_other(
    bases: tuple[str, ...], marketing: bool, objection: bool, portability: bool
) -> None:
    """Art. 13(2)(b) gives the rights "where applicable": objection for legitimate interests, a public
    task or direct marketing (Art. 21), portability for consent or a contract (Art. 20(1)). The first
    layer promised both to every reader, where the policy itself gave them only where they apply."""
    company = load_company(MINIMAL)
    purposes = [
        purpose.model_copy(
            update={
                "legal_basis": LegalBasis(bases[number % len(bases)]),
                "direct_marketing": marketing and number == 0,
            }
        )
        for number, purpose in enumerate(company.purposes)
    ]
    document = render_document(
        company.model_copy(update={"purposes": purposes, "cookies": []}), "minimal", "en", BUILD_DAY
    )
    [sentence] = [
        paragraph for paragraph in unescape(summary_of(document).body).split("\n\n") if "**Your rights**" in paragraph
    ]
    assert ("object" in sentence) is objection
    assert ("to receive it in a portable format" in sentence) is portability
    rights = unescape(next(section for section in document.walk() if section.outline.anchor == "rights").body)
    assert ("**Objection**" in rights) is objection
    assert ("**Data portability**" in rights) is portability
    assert ("processing for direct marketing at any time and without giving reasons" in rights) is marketing


def test_consent_given_only_for_cookies_can_be_withdrawn_in_the_summary_too() -> None:
    # Art. 13(2)(c): the right to withdraw consent, where any processing rests on it; the cookies'
    # consent (their default basis) is consent too, as the rights section counts it.
    company = load_company(MINIMAL)
    purposes = [purpose.model_copy(update={"legal_basis": LegalBasis.CONTRACT}) for purpose in company.purposes]
    assert all(cookie.basis == "consent" for cookie in company.cookies)
    document = render_document(company.model_copy(update={"purposes": purposes}), "minimal", "en", BUILD_DAY)
    summary = unescape(summary_of(document).body)
    assert "You may withdraw your consent at any time" in summary


def test_the_summary_comes_before_the_contents_which_list_only_numbered_sections() -> None:
    document = documents(MINIMAL)[0]
    body = render_markdown(document).body
    contents = translations(document.language).gettext("Contents")
    assert body.index(f"{{#{SUMMARY_ANCHOR}}}") < body.index(f"**{contents}**") < body.index("{#scope}")
    assert f"](#{SUMMARY_ANCHOR})" not in body


def test_data_categories_read_in_a_sentence_in_english_and_keep_their_capitals_in_german() -> None:
    by_language = {document.language: document for document in documents(ROOT / "companies" / "smartcp.yaml")}
    english, german = by_language["en"], by_language["de"]
    first = english.company.data_categories[0].name
    assert first["en"][0].isupper()
    assert first["de"][0].isupper()
    assert f"personal data: {first['en'][0].lower()}{first['en'][1:]}, " in unescape(summary_of(english).body)
    assert f"personenbezogener Daten: {first['de']}, " in unescape(summary_of(german).body)


@pytest.mark.parametrize("facts", FACTS, ids=lambda path: path.stem)
def test_the_summary_with_the_title_block_fits_one_a4_page(facts: Path, tmp_path: Path) -> None:
    # A square logo is the tallest the title block shows; a draft says so in a banner too.
    logo = tmp_path / "logo.png"
    logo.write_bytes(png(400, 400))
    for document in [*documents(facts), *documents(facts, draft=True)]:
        markdown = render_markdown(document)
        # Page 1 as the PDF has it: the title block, the policy's title, then the summary; the contents follow.
        contents = translations(document.language, register=document.company.document.register).gettext("Contents")
        opening = dataclasses.replace(markdown, body=markdown.body[: markdown.body.index(f"**{contents}**")])
        for shown in (None, logo):
            page = render_print_page(document, opening, 1, logo=shown.as_uri() if shown else None)
            pdf = PdfReader(io.BytesIO(render_pdf(page, BUILD_DAY, logo=shown)))
            pages = len(pdf.pages)
            case = f"{facts.stem}/{document.language}, draft {document.draft}, logo {shown}"
            assert pages == 1, f"{case}: the summary takes {pages} pages"


def test_the_pdf_opens_with_the_summary_on_its_first_page(minimal_output: Path) -> None:
    for language, title in (("pl", SUMMARY_TITLES["pl"]), ("en", SUMMARY_TITLES["en"])):
        path = minimal_output / language / "privacy-policy.pdf"
        first_page = PdfReader(path).pages[0].extract_text()
        assert title in first_page
        assert first_page.index(title) < first_page.index("1. ")
        assert pdf_outline(path)[0] == (1, title)


def test_every_format_opens_with_the_summary(minimal_output: Path) -> None:
    for language in ("pl", "en"):
        folder = minimal_output / language
        for page in ("privacy-policy.html", "privacy-policy.fragment.html"):
            headings = html_headings((folder / page).read_text(encoding="utf-8"))
            assert headings[0] == (1, SUMMARY_TITLES[language], SUMMARY_ANCHOR)
            assert headings[1][2] == "scope"


def test_the_fragment_stands_alone_and_links_into_the_full_policy(tmp_path: Path) -> None:
    build([copied(MINIMAL, tmp_path / "facts")], out_dir=tmp_path, formats=("html", "summary"), today=BUILD_DAY)
    for language in ("pl", "en"):
        fragment = (tmp_path / "minimal" / language / SUMMARY_FILE).read_text(encoding="utf-8")
        page = (tmp_path / "minimal" / language / "privacy-policy.html").read_text(encoding="utf-8")
        assert fragment.startswith(f'<aside class="privacy-summary" lang="{language}" aria-labelledby="summary">\n')
        assert fragment.endswith("</aside>\n")
        assert not re.search(r"<(html|head|body|style|script)\b", fragment)
        targets = re.findall(r'href="([^"]+)"', fragment)
        in_policy = [target for target in targets if not target.startswith("mailto:")]
        assert in_policy
        assert all(target.startswith("privacy-policy.html#") for target in in_policy)
        assert all(f'id="{target.partition("#")[2]}"' in page for target in in_policy)
        assert SUMMARY_TITLES[language] in fragment


BRANDS = frozenset({"Optingo", "Facebook"})
"""Words the facts would make proper names: a brand, a recipient's or a provider's first word."""


@pytest.mark.parametrize(
    ("language", "name", "in_sentence"),
    [
        ("en", "Contact data", "contact data"),
        ("en", "IP address", "IP address"),
        ("en", "CRM notes", "CRM notes"),
        ("en", "Google Analytics", "Google Analytics"),
        ("en", "Optingo newsletter", "Optingo newsletter"),
        ("en", "Optingo's partners", "Optingo's partners"),
        ("pl", "Dane kontaktowe", "dane kontaktowe"),
        ("pl", "Dane o interakcjach zapisywane w Systemie CRM", "dane o interakcjach zapisywane w Systemie CRM"),
        ("pl", "Google Analytics", "Google Analytics"),
        ("pl", "Meta Pixel", "Meta Pixel"),
        ("pl", "Adres IP zamówienia", "adres IP zamówienia"),
        ("pl", "LinkedIn Insight Tag", "LinkedIn Insight Tag"),
        ("pl", "CRM i notatki", "CRM i notatki"),
        ("pl", "Facebook i jego wtyczki", "Facebook i jego wtyczki"),
        ("pl", "Newsletter", "newsletter"),
        ("pl", "„Newsletter” dla klientów", "„newsletter” dla klientów"),
        ("de", "Kontaktdaten", "Kontaktdaten"),
        ("de", "Daten zur Nutzung", "Daten zur Nutzung"),
    ],
)
def test_a_name_inside_a_sentence_keeps_its_capital_only_when_proper(
    language: str, name: str, in_sentence: str
) -> None:
    assert Formats(language, proper_names=BRANDS).in_sentence(name) == in_sentence


def test_names_in_running_text_are_a_list_in_sentence_form_with_links_when_given() -> None:
    polish = Formats("pl", proper_names=BRANDS)
    assert polish.names(["Dane kontaktowe", "Google Analytics", "Dane o zamówieniach"]) == (
        "dane kontaktowe, Google Analytics i dane o zamówieniach"
    )
    assert polish.names(["Newsletter"]) == "newsletter"
    linked = polish.names(["Newsletter", "Konto_premium"], ["#purpose-newsletter", "#purpose-account"])
    assert linked == r"[newsletter](<#purpose-newsletter>) i [konto\_premium](<#purpose-account>)"
    assert Formats("en").names(["Contact data", "IP address"]) == "contact data and IP address"


def test_the_proper_names_come_from_the_brand_the_recipients_the_cookie_providers_and_the_services() -> None:
    company = load_company(ROOT / "companies" / "optingo.yaml")
    names = proper_names(company)
    assert {"Optingo", "Digital", "Meta", "LinkedIn", "Google", "Twitter"} <= names
    assert not {name for name in names if not name[0].isupper()}
    assert company_formats(company, "pl").in_sentence("Optingo i partnerzy") == "Optingo i partnerzy"


def test_the_word_document_opens_with_the_summary_bookmarked() -> None:
    document = next(document for document in documents(MINIMAL) if document.language == "en")
    word = docx.Document(io.BytesIO(render_docx(PolicyDraft(document, 1))))
    headings = [
        paragraph
        for paragraph in word.paragraphs
        if paragraph.style is not None and paragraph.style.name == "Heading 1"
    ]
    assert [heading.text for heading in headings[:2]] == ["At a glance", "1. About this policy"]
    assert f'w:name="{SUMMARY_ANCHOR}"' in headings[0]._p.xml
