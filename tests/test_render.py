"""One outline, every format and language: numbering, anchors, facts, escaping, determinism."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from conftest import (
    BUILD_DAY,
    MINIMAL,
    ROOT,
    copied,
    html_headings,
    markdown_headings,
    pdf_outline,
    pdf_text,
    section_skeleton,
)

from generator.document import render_document, unescape
from generator.facts.base import LocalizedText
from generator.facts.company import SUMMARY_ANCHOR, ChangeChannel
from generator.facts.processing import CookieCategory, TransferDerogation, TransferSafeguard
from generator.languages import Language
from generator.markdown_text import table
from generator.pipeline import build
from generator.render.clauses import clause_markdown, forms
from generator.render.html import markdown_parser, render_html
from generator.render.markdown import render_markdown
from generator.render.ropa import processing_register
from generator.render.tables import TABLE_LINE_CHARACTERS, WIDTH_STEP, column_widths
from generator.resources import ASSETS
from generator.state import Version
from generator.typography import NBSP
from generator.validation import load_company

LANGUAGES = ("pl", "en")


def read(folder: Path, language: str, suffix: str) -> str:
    return (folder / language / f"privacy-policy.{suffix}").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_markdown_html_and_pdf_show_the_same_numbered_headings(minimal_output: Path, language: str) -> None:
    from_markdown = markdown_headings(read(minimal_output, language, "md"))
    assert from_markdown, "no headings found"
    assert html_headings(read(minimal_output, language, "html")) == from_markdown
    assert html_headings(read(minimal_output, language, "fragment.html")) == from_markdown
    assert pdf_outline(minimal_output / language / "privacy-policy.pdf") == [
        (level, title) for level, title, _anchor in from_markdown
    ]


def test_polish_and_english_have_the_same_sections_numbers_and_anchors(minimal_output: Path) -> None:
    def skeleton(language: str) -> list[tuple[int, str, str]]:
        return section_skeleton(read(minimal_output, language, "md"))

    assert skeleton("pl") == skeleton("en")
    assert skeleton("pl")[:2] == [(1, "", SUMMARY_ANCHOR), (1, "1.", "scope")]


def test_numbering_is_contiguous(minimal_output: Path) -> None:
    numbers = [title.split(" ")[0] for _level, title, _ in markdown_headings(read(minimal_output, "en", "md"))]
    top = [number for number in numbers if number.endswith(".")]
    assert top == [f"{index}." for index in range(1, len(top) + 1)]


def test_sections_the_facts_do_not_need_are_left_out(tmp_path: Path) -> None:
    source = MINIMAL.read_text(encoding="utf-8")
    without_cookies = source.split("\ncookies:")[0] + "\n"
    facts = tmp_path / "nocookies.yaml"
    facts.write_text(without_cookies, encoding="utf-8")
    build([facts], out_dir=tmp_path / "out", formats=("md",), today=BUILD_DAY)
    headings = markdown_headings(read(tmp_path / "out" / "nocookies", "en", "md"))
    anchors = [anchor for _level, _title, anchor in headings]
    assert "cookies" not in anchors
    top = [
        number for level, number, _ in section_skeleton(read(tmp_path / "out" / "nocookies", "en", "md")) if level == 1
    ]
    assert top == ["", *(f"{index}." for index in range(1, len(top)))]


def test_every_internal_link_resolves_to_a_heading(minimal_output: Path) -> None:
    for language in LANGUAGES:
        text = read(minimal_output, language, "md")
        anchors = {anchor for _level, _title, anchor in markdown_headings(text)}
        targets = set(re.findall(r"\]\(<?#([a-z0-9_-]+)>?\)", text))
        assert targets, "the contents list links to the sections"
        assert targets <= anchors


def test_identifiers_and_email_appear_in_every_file(minimal_output: Path) -> None:
    company = load_company(MINIMAL)
    facts = [company.controller.nip, company.controller.regon, company.controller.krs, company.contact.email]
    for language in LANGUAGES:
        texts = {suffix: read(minimal_output, language, suffix) for suffix in ("md", "html", "fragment.html")}
        texts["pdf"] = pdf_text(minimal_output / language / "privacy-policy.pdf")
        for suffix, text in texts.items():
            for fact in facts:
                assert fact is not None
                assert fact in text, f"{fact} missing from {language} {suffix}"


def test_pdf_text_keeps_polish_letters(minimal_output: Path) -> None:
    text = pdf_text(minimal_output / "pl" / "privacy-policy.pdf")
    assert "Przykład" in text
    assert "Prezes Urzędu Ochrony Danych Osobowych" in text
    for letter in "ąęółśżń":
        assert letter in text


def test_dates_are_formatted_per_language(minimal_output: Path) -> None:
    assert "22\u00a0listopada\u00a02026" in read(minimal_output, "pl", "md")
    assert "22 November 2026" in read(minimal_output, "en", "md")


def test_the_consequence_of_not_providing_data_is_a_sentence_of_its_own(minimal_output: Path) -> None:
    """The facts' clause starts a new sentence after the requirement, never a label such as
    "If you do not provide it:" that leaves a lower-case fragment behind it."""
    polish = read(minimal_output, "pl", "md")
    english = read(minimal_output, "en", "md")
    assert "Podanie danych jest warunkiem zawarcia umowy. Bez tych danych nie możemy zawrzeć umowy.\n" in polish
    assert (
        "Providing the data is necessary to conclude the contract. "
        "Without this data we cannot conclude the contract.\n" in english
    )
    assert "Jeżeli ich nie podasz" not in polish
    assert "If you do not provide it" not in english


def test_front_matter_names_title_language_date_and_translation_key(minimal_output: Path) -> None:
    text = read(minimal_output, "pl", "md")
    front_matter = text.split("---\n")[1]
    assert 'lang: "pl"\n' in front_matter
    assert 'date: "2026-11-22"\n' in front_matter
    assert 'translationKey: "minimal-privacy-policy"\n' in front_matter
    assert 'slug: "polityka-prywatnosci"\n' in front_matter


def test_html_page_declares_language_and_links_the_translation(minimal_output: Path) -> None:
    page = read(minimal_output, "pl", "html")
    assert '<html lang="pl">' in page
    assert '<link rel="alternate" hreflang="en" href="../en/privacy-policy.html">' in page
    # The links to the other languages are named in the page's own language, for a screen reader.
    assert '<nav class="languages" aria-label="Inne wersje językowe">' in page
    assert '<nav class="languages" aria-label="Other languages">' in read(minimal_output, "en", "html")
    assert '<th scope="col">' in page
    fragment = read(minimal_output, "pl", "fragment.html")
    assert fragment.startswith('<article class="privacy-policy" lang="pl">')
    assert "<html" not in fragment


def test_two_builds_are_byte_identical(tmp_path: Path, minimal_output: Path) -> None:
    build([copied(MINIMAL, tmp_path / "facts")], out_dir=tmp_path, today=BUILD_DAY)
    for language in LANGUAGES:
        for suffix in ("md", "html", "fragment.html", "pdf"):
            name = f"{language}/privacy-policy.{suffix}"
            assert (tmp_path / "minimal" / name).read_bytes() == (minimal_output / name).read_bytes(), name


def render_fragment(markdown: str) -> str:
    html: str = markdown_parser().render(markdown)
    return html


def test_a_tables_columns_share_its_width_by_the_text_each_holds() -> None:
    """The tables' fixed layout would share the width equally: the changes of a version would have a
    third of the page and the one-character version number as much."""
    history = table(
        ["Wersja", "Data", "Zmiany"],
        [
            ["2", "22\u00a0listopada\u00a02026", "zmieniono opis celu " * 40],
            ["1", "1\u00a0stycznia\u00a02025", "Pierwsza."],
        ],
    )
    html = render_fragment(history)
    widths = [int(width) for width in re.findall(r'<th class="w-(\d+)" scope="col">', html)]
    # The last column takes the rest: widths summing to 100 % put the cells' padding past the margin.
    assert '<th scope="col">Zmiany</th>' in html
    version, date = widths
    # A line of the table holds about TABLE_LINE_CHARACTERS characters: the date, bound by no-break spaces, fits.
    assert date * TABLE_LINE_CHARACTERS / 100 >= len("22 listopada 2026")
    assert version * TABLE_LINE_CHARACTERS / 100 >= len("Wersja")
    assert 100 - version - date > 70


def test_no_column_gets_less_than_one_step() -> None:
    # A web address longer than the line is broken anyway; the short column keeps its word.
    assert column_widths([["Nr", "1"], ["Adres", "<" + "x" * 400 + ">"]]) == [WIDTH_STEP]
    assert min(column_widths([["a", "b"], ["c", "x" * 300], ["d", ""], ["", ""]])) == WIDTH_STEP
    # Nor the last, which takes what the others leave.
    assert sum(column_widths([["x" * 300, "y"], ["x" * 300, "y"], ["z", ""]])) <= 100 - WIDTH_STEP
    # Four columns of words a quarter of the line long: the last is as wide as the others.
    quarters = column_widths([["x" * 25]] * 4)
    assert 100 - sum(quarters) >= min(quarters)


def test_a_table_that_fits_on_a_line_shares_it_by_its_longest_cells() -> None:
    # 6 and 21 characters: 22 % and 78 %.
    assert column_widths([["Kraj", "Polska"], ["Podstawa przekazania", "decyzja stwierdzająca"]]) == [22]


def test_every_width_a_column_can_get_has_its_class_in_the_stylesheet() -> None:
    # Classes, not inline styles, which a site's Content Security Policy (style-src without
    # 'unsafe-inline') would refuse, and report, for every header cell of every page view.
    stylesheet = (ASSETS / "policy.css").read_text(encoding="utf-8")
    rules = dict(re.findall(r"th\.w-(\d+) \{ width: (\d+)%; \}", stylesheet))
    assert rules == {str(width): str(width) for width in range(WIDTH_STEP, 100, WIDTH_STEP)}


def test_a_companys_aligned_column_is_aligned_by_a_class() -> None:
    html = render_fragment("| Usługa | Cena |\n| :-- | --: |\n| Audyt | 100 zł |\n")
    assert '<th class="align-left w-' in html
    assert '<td class="align-right" data-label="Cena">100 zł</td>' in html
    assert "style=" not in html


def test_a_table_of_five_columns_is_stacked_and_given_no_widths() -> None:
    html = render_fragment(table(["A", "B", "C", "D", "E"], [["1", "2", "3", "4", "5"]]))
    assert '<table class="wide">' in html
    assert "style=" not in html


def test_letters_to_the_data_protection_officer_go_to_the_registered_office_marked_for_the_officer() -> None:
    # Optingo's policy lets people write to its officer at the company's address, as its seed did.
    company = load_company(ROOT / "companies" / "optingo.yaml")
    expected = {
        "pl": "- **Adres do korespondencji:** Optingo Digital Sp.\u00a0z\u00a0o.o., Al. Jerozolimskie 181B,"
        " 02-222 Warszawa, Polska, z\u00a0dopiskiem „Inspektor ochrony danych”",
        "en": "- **By post:** Optingo Digital Sp. z o.o., Al. Jerozolimskie 181B, 02-222 Warszawa, Poland,"
        " marked “Data protection officer”",
    }
    for language, line in expected.items():
        body = render_markdown(render_document(company, "optingo", language, BUILD_DAY)).body
        dpo = body[body.index("{#dpo}") :]
        assert line in dpo[: dpo.index("\n## ")]


def test_an_officer_reached_by_phone_alone_sends_written_requests_to_the_companys_address() -> None:
    # Art. 37(7) asks for the officer's contact details, a phone number being one: the policy then
    # gives that number, and the rights, the summary and the transfers send e-mails to the company.
    company = load_company(ROOT / "tests" / "fixtures" / "valid" / "formal.yaml")
    dpo = company.contact.dpo
    assert dpo is not None
    by_phone = dpo.model_copy(update={"email": None, "phone": "+48 22 123 45 68"})
    moved = company.model_copy(update={"contact": company.contact.model_copy(update={"dpo": by_phone})})
    body = render_markdown(render_document(moved, "formal", "en", BUILD_DAY)).body
    section = body[body.index("{#dpo}") :]
    section = section[: section.index("\n## ")]
    assert "- **Phone:** +48 22 123 45 68" in unescape(section)
    assert "E-mail" not in section
    assert f"To exercise your rights, write to [{company.contact.email}]" in body
    # The first layers name the officer by phone, as they name an officer with a mailbox by it.
    summary = unescape(body[: body.index("{#dpo}")])
    assert "Our data protection officer: phone +48 22 123 45 68." in summary
    document = render_document(moved, "formal", "en", BUILD_DAY)
    clauses = [clause_markdown(document, purposes) for purposes in forms(moved.purposes)]
    assert clauses
    assert all("Our data protection officer: phone +48 22 123 45 68." in unescape(clause) for clause in clauses)
    assert moved.contact.requests_email == company.contact.email
    assert company.contact.requests_email == dpo.email


def test_an_officer_with_an_address_of_their_own_is_written_to_there() -> None:
    company = load_company(ROOT / "companies" / "optingo.yaml")
    office = company.controller.address
    assert office is not None
    own = office.model_copy(update={"street": "ul. Prosta 1", "postal_code": "00-001"})
    dpo = company.contact.dpo
    assert dpo is not None
    moved = company.model_copy(
        update={"contact": company.contact.model_copy(update={"dpo": dpo.model_copy(update={"address": own})})}
    )
    body = render_markdown(render_document(moved, "optingo", "en", BUILD_DAY)).body
    section = body[body.index("{#dpo}") :]
    section = section[: section.index("\n## ")]
    assert "- **By post:** ul. Prosta 1, 00-001 Warszawa, Poland\n" in section + "\n"
    assert "marked" not in section


def test_a_profile_among_the_contacts_is_labelled_as_the_others_are() -> None:
    company = load_company(ROOT / "companies" / "clarops.yaml")
    for language, label in (("pl", "Profil"), ("en", "Profile")):
        body = render_markdown(render_document(company, "clarops", language, BUILD_DAY)).body
        assert f"- **{label}:** [{company.contact.profiles[0]}](<{company.contact.profiles[0]}>)" in body


def test_material_changes_may_be_announced_by_more_channels_than_every_change() -> None:
    company = load_company(ROOT / "companies" / "clarops.yaml")
    changes = company.policy_changes.model_copy(update={"announced_by": [ChangeChannel.WEBSITE]})
    for also, expected in (([], False), ([ChangeChannel.EMAIL], True), ([ChangeChannel.WEBSITE], False)):
        changed = company.model_copy(
            update={"policy_changes": changes.model_copy(update={"material_changes_also_by": also})}
        )
        body = render_markdown(render_document(changed, "clarops", "en", BUILD_DAY)).body
        assert "We announce changes on our website." in body
        assert ("We also announce material changes, such as new purposes or recipients, by e-mail." in body) is expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "We also announce material changes, such as new purposes or recipients, by e-mail; we announce them"
            " 14 days before they take effect.",
        ),
        (
            "pl",
            "O\u00a0istotnych zmianach, takich jak nowe cele przetwarzania lub nowi odbiorcy danych, informujemy także"
            " pocztą elektroniczną; informujemy o\u00a0nich na 14\u00a0dni przed ich wejściem w\u00a0życie.",
        ),
    ],
)
def test_material_changes_by_more_channels_and_ahead_are_one_sentence(language: Language, expected: str) -> None:
    company = load_company(ROOT / "companies" / "clarops.yaml")
    notice = LocalizedText({"pl": "14 dni", "en": "14 days"})
    changed = company.model_copy(
        update={"policy_changes": company.policy_changes.model_copy(update={"advance_notice": notice})}
    )
    body = render_markdown(render_document(changed, "clarops", language, BUILD_DAY)).body
    section = body[body.index("{#changes}") :]
    assert expected in section
    assert section.count("material changes" if language == "en" else "istotnych zmianach") == 1  # one sentence


def test_a_copy_of_the_transfer_safeguards_is_asked_for_where_the_rights_are() -> None:
    company = load_company(ROOT / "companies" / "optingo.yaml")
    assert company.contact.dpo is not None
    assert company.contact.dpo.email is not None
    document = render_document(company, "optingo", "en", BUILD_DAY)
    transfers = next(section.body for section in document.sections if section.outline.anchor == "transfers")
    assert f"by writing to [{company.contact.dpo.email}](<mailto:{company.contact.dpo.email}>)" in transfers
    assert company.contact.email not in transfers


def test_a_named_data_protection_officer_is_named_in_the_nominative() -> None:
    # A name is not declined: after "Wyznaczyliśmy inspektora" it stood in another case than the officer.
    company = load_company(ROOT / "companies" / "optingo.yaml")
    dpo = company.contact.dpo
    assert dpo is not None
    named = company.model_copy(
        update={"contact": company.contact.model_copy(update={"dpo": dpo.model_copy(update={"name": "Anna Nowak"})})}
    )
    body = render_markdown(render_document(named, "optingo", "pl", BUILD_DAY)).body
    assert "Wyznaczyliśmy inspektora ochrony danych, którym jest Anna Nowak." in body


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("przyjmowanie i realizacja zamówień", "Przyjmowanie i\u00a0realizacja zamówień."),
        ("zamówienia, płatności, wysyłka…", "Zamówienia, płatności, wysyłka…"),
        ("realizujemy „Program lojalnościowy.”", "Realizujemy „Program lojalnościowy.”"),
    ],
)
def test_a_purposes_description_stands_as_a_sentence(written: str, shown: str) -> None:
    # The starter's example invites a fragment, which stood as a paragraph without a capital or a full stop.
    company = load_company(ROOT / "companies" / "optingo.yaml")
    purpose = company.purposes[0]
    fragment = LocalizedText({"pl": written, "en": "taking and fulfilling orders"})
    described = company.model_copy(update={"purposes": [purpose.model_copy(update={"description": fragment})]})
    document = render_document(described, "optingo", "pl", BUILD_DAY)
    section = next(section for section in document.walk() if section.outline.item is described.purposes[0])
    assert section.body.startswith(shown + "\n")


@pytest.mark.parametrize(
    ("profiling_by", "opening"),
    [
        ("controller", "We use your personal data for profiling"),
        ("partners", "Our partners use your personal data for profiling"),
        ("controller_and_partners", "We and our partners use your personal data for profiling"),
    ],
)
def test_the_profiling_sentence_names_who_profiles(profiling_by: str, opening: str) -> None:
    # ClarOps' profiling is LinkedIn's, through its marketing cookies: "we profile" made it the company's own.
    company = load_company(ROOT / "companies" / "clarops.yaml")
    decisions = company.automated_decisions.model_copy(update={"profiling_by": profiling_by})
    changed = company.model_copy(update={"automated_decisions": decisions})
    document = render_document(changed, "clarops", "en", BUILD_DAY)
    section = next(section.body for section in document.sections if section.outline.anchor == "automated_decisions")
    assert section.count("for profiling") == 1
    assert opening in section
    assert ("We do not profile you ourselves." in section) is (profiling_by == "partners")
    # Art. 21(1): the objection covers the controller's own profiling on legitimate interests, not a partner's.
    rights = next(section.body for section in document.sections if section.outline.anchor == "rights")
    assert ("This includes profiling based on those grounds." in rights) is (profiling_by != "partners")


def test_a_cookie_on_legitimate_interests_names_its_own_interest_in_the_table() -> None:
    # A necessary cookie explicitly on legitimate interests for another reason read "providing the service you
    # have explicitly requested"; a preference cookie on legitimate interests named no interest at all.
    company = load_company(ROOT / "companies" / "optingo.yaml")
    session = company.cookies[0]
    assert session.category == "necessary"
    assert session.legal_basis == "legitimate_interests"
    interest = LocalizedText({"pl": "ochrona kont przed przejęciem", "en": "protecting accounts from takeover"})
    preference = session.model_copy(update={"name": "lang", "category": "preferences", "legitimate_interest": interest})
    cookies = [session.model_copy(update={"legitimate_interest": interest}), preference, *company.cookies[1:]]
    changed = company.model_copy(update={"cookies": cookies})
    body = render_markdown(render_document(changed, "optingo", "en", BUILD_DAY)).body
    rows = [line for line in body.splitlines() if line.startswith(("| optingo\\_session |", "| lang |"))]
    assert len(rows) == 2
    for row in rows:
        assert row.endswith("| Art. 6(1)(f) GDPR: protecting accounts from takeover |")


@pytest.mark.parametrize("category", ["preferences", "necessary"])
def test_a_cookie_set_with_consent_on_another_basis_has_both_explained(category: str) -> None:
    # Art. 399 PKE asks consent for storing a cookie the banner asks for; the table's basis is that of using its
    # data (Art. 6(1) GDPR). A table citing Art. 6(1)(f) for a cookie set only with consent read as a contradiction.
    company = load_company(ROOT / "companies" / "optingo.yaml")
    interest = LocalizedText({"pl": "zapamiętanie wybranego języka", "en": "remembering the language you chose"})
    language_cookie = company.cookies[0].model_copy(
        update={"name": "lang", "category": CookieCategory(category), "legitimate_interest": interest}
    )
    changed = company.model_copy(update={"cookies": [*company.cookies, language_cookie]})
    explained = category == "preferences"
    for language, words in {
        "en": "the consent covers storing them on your device",
        "pl": "zgoda dotyczy zapisania ich na Twoim urządzeniu",
    }.items():
        document = render_document(changed, "optingo", language, BUILD_DAY)
        section = next(section.body for section in document.sections if section.outline.anchor == "cookies")
        assert (words in section) is explained, section
    # The examples set every cookie the banner asks for on consent: nothing to explain.
    example = render_document(company, "optingo", "en", BUILD_DAY)
    assert "the consent covers" not in next(s.body for s in example.sections if s.outline.anchor == "cookies")


@pytest.mark.parametrize("derogation", list(TransferDerogation))
def test_a_transfer_on_a_derogation_names_its_point_of_article_49_and_its_risks(derogation: TransferDerogation) -> None:
    # Art. 13(1)(f) and WP260: "a derogation for a specific situation (Art. 49 GDPR)" named none of its seven
    # grounds, and said nothing of the protection the data lacks there.
    company = load_company(MINIMAL)
    analytics = company.recipients[1].model_copy(
        update={"countries": ["IN"], "safeguard": TransferSafeguard.DEROGATION, "derogation": derogation}
    )
    changed = company.model_copy(update={"recipients": [company.recipients[0], analytics]})
    letter = "abcdefg"[list(TransferDerogation).index(derogation)]  # the points of Art. 49(1), in their order
    cited = {"en": f"(Art. 49(1)({letter}) GDPR)", "pl": f"(art. 49 ust. 1 lit. {letter} RODO)"}
    risks = {
        "en": "no adequacy decision or appropriate safeguard protects the data",
        "pl": "danych w tym państwie nie chronią ani decyzja",
    }
    for language in ("en", "pl"):
        document = render_document(changed, "minimal", language, BUILD_DAY)
        # Polish keeps "art. 49 ust. 1" on one line with no-break spaces, which the words here are written without.
        section = unescape(next(s.body for s in document.sections if s.outline.anchor == "transfers")).replace(
            NBSP, " "
        )
        [row] = [line for line in section.splitlines() if line.startswith("| Analytics Example Inc. |")]
        assert row.endswith(f"{cited[language]} |"), row
        assert risks[language] in section
        record = "\n".join(cell for row in processing_register(changed, language).rows for cell in row).replace(
            NBSP, " "
        )
        assert cited[language] in record
    # A version published before the facts named the point (re-rendered for the archive) keeps the general words.
    unnamed = analytics.model_copy(update={"derogation": None})
    archived = company.model_copy(update={"recipients": [company.recipients[0], unnamed]})
    section = next(
        s.body
        for s in render_document(archived, "minimal", "en", BUILD_DAY).sections
        if s.outline.anchor == "transfers"
    )
    assert "| a derogation for a specific situation (Art. 49 GDPR) |" in section
    # A transfer with safeguards tells no such risk.
    document = render_document(company, "minimal", "en", BUILD_DAY)
    assert risks["en"] not in next(s.body for s in document.sections if s.outline.anchor == "transfers")


def test_a_recipients_product_follows_a_kind_in_brackets_after_a_comma() -> None:
    # "social network X (formerly Twitter) (X for Websites)": two brackets in a row.
    body = render_markdown(
        render_document(load_company(ROOT / "companies" / "optingo.yaml"), "optingo", "en", BUILD_DAY)
    ).body
    assert "| social network X (formerly Twitter), X for Websites |" in body
    assert "| advertising partner (Google Ads) |" in body


def test_a_recipient_whose_countries_rest_on_different_grounds_is_one_recipient_with_a_row_for_each() -> None:
    # Google with the DPF for the US and standard contractual clauses for India was listed twice, and the
    # summary counted it as two recipients.
    company = load_company(MINIMAL)
    analytics = company.recipients[1].model_validate(
        {
            **company.recipients[1].model_dump(exclude={"safeguard"}),
            "countries": ["IE", "US", "IN"],
            "transfers": [{"countries": ["US"], "safeguard": "dpf"}, {"countries": ["IN"], "safeguard": "scc"}],
        }
    )
    changed = company.model_copy(update={"recipients": [company.recipients[0], analytics]})
    document = render_document(changed, "minimal", "en", BUILD_DAY)
    transfers = unescape(next(s.body for s in document.sections if s.outline.anchor == "transfers"))
    rows = [line for line in transfers.splitlines() if line.startswith("| Analytics Example Inc. |")]
    assert [row.split(" | ")[1] for row in rows] == ["United States", "India"]
    assert "Data Privacy Framework" in rows[0]
    assert "Art. 46(2)(c) GDPR" in rows[1]
    assert "You can obtain a copy of the standard contractual clauses" in transfers
    summary = unescape(next(s.body for s in document.sections if s.outline.anchor == SUMMARY_ANCHOR))
    assert "on the basis of the EU-US Data Privacy Framework and standard contractual clauses" in summary
    assert "(2 recipients)" not in summary
    record = "\n".join(cell for row in processing_register(changed, "en").rows for cell in row)
    assert "Analytics Example Inc. (United States): adequacy decision on the EU-US Data Privacy Framework" in record
    assert "Analytics Example Inc. (India): standard contractual clauses" in record


def test_a_later_version_is_dated_as_first_published_and_as_last_modified() -> None:
    company = load_company(MINIMAL)
    facts = company.model_dump(mode="json")
    first, second = datetime.date(2026, 1, 5), datetime.date(2026, 3, 2)
    history = [Version(version=1, date=first, facts=facts), Version(version=2, date=second, facts=facts)]
    document = render_document(company, "minimal", "pl", second, history)
    markdown = render_markdown(document)
    assert (markdown.front_matter["date"], markdown.front_matter["lastmod"]) == ("2026-01-05", "2026-03-02")
    head = render_html(document, markdown).page.split("</head>")[0]
    assert '<meta name="dcterms.created" content="2026-01-05">' in head
    assert '<meta name="dcterms.modified" content="2026-03-02">' in head
    # A language added in the second version was first published then.
    english_later = company.model_dump(mode="json")
    english_later["document"]["languages"] = ["pl"]
    history = [Version(version=1, date=first, facts=english_later), history[1]]
    for language, published in (("pl", "2026-01-05"), ("en", "2026-03-02")):
        added = render_markdown(render_document(company, "minimal", language, second, history))
        assert added.front_matter["date"] == published
