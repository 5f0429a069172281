"""Behaviour of the facts model: what it accepts, how it normalises, and what it refuses.

Each test edits the minimal valid fixture as text, so YAML parsing (unquoted numbers,
YAML 1.2 scalars) takes part exactly as it does for a real facts file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BUILD_DAY, ROOT, SESSION_COOKIE

from generator.document import render_document, unescape
from generator.errors import UserError
from generator.facts import Company
from generator.facts.base import PUBLISHED_LANGUAGES
from generator.facts.durations import Duration, TimeUnit
from generator.facts.processing import LegalBasis
from generator.i18n import Formats, sentence_start
from generator.loading import parse_facts
from generator.outputs import PolicyDraft
from generator.state import PolicyState
from generator.typography import typeset
from generator.validation import check_loaded, load_company

NO_TRANSFER_RULES = "where the transfer rules of Chapter V GDPR do not apply"
MINIMAL = (Path(__file__).parent / "fixtures" / "valid" / "minimal.yaml").read_text(encoding="utf-8")


def _edited(*edits: tuple[str, str]) -> str:
    text = MINIMAL
    for old, new in edits:
        assert text.count(old) == 1, f"the minimal fixture should hold {old!r} once"
        text = text.replace(old, new)
    return text


def _company(text: str) -> Company:
    return check_loaded(parse_facts(text.encode(), "f.yaml")).company


def _problems(text: str) -> list[str]:
    with pytest.raises(UserError) as raised:
        _company(text)
    return [str(message) for message in raised.value.messages]


def test_the_minimal_fixture_reads_as_written() -> None:
    company = _company(MINIMAL)
    assert company.controller.nip == "5252345675"
    assert company.controller.krs == "0000123456"
    assert company.contact.phone == "+48 22 123 45 67"
    assert [purpose.id for purpose in company.purposes] == ["contract", "accounting", "analytics"]


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ('nip: "PL5252345675"', "5252345675"),
        ('nip: "PL 525-234-56-75"', "5252345675"),
        ('nip: "525 234 56 75"', "5252345675"),
        ('nip: "pl525-23-45-675"', "5252345675"),
        ("nip: 5252345675", "5252345675"),
        ("nip: 0123456789", "0123456789"),
    ],
)
def test_a_nip_is_stored_as_ten_digits(written: str, stored: str) -> None:
    assert _company(_edited(('nip: "5252345675"', written))).controller.nip == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ('regon: "521-345-678"', "521345678"),
        ('regon: "521 345 678"', "521345678"),
        ("regon: 521345678", "521345678"),
        ("regon: 001234562", "001234562"),
        ("regon: 01234567500015", "01234567500015"),
        ('regon: "0123456750 0015"', "01234567500015"),
    ],
)
def test_a_regon_is_stored_as_its_digits(written: str, stored: str) -> None:
    assert _company(_edited(('regon: "521345678"', written))).controller.regon == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("krs: 0000915658", "0000915658"),
        ("krs: 915658", "0000915658"),
        ('krs: "0000-915-658"', "0000915658"),
        ('krs: "0000 915 658"', "0000915658"),
    ],
)
def test_a_krs_number_keeps_its_leading_zeros(written: str, stored: str) -> None:
    assert _company(_edited(('krs: "0000123456"', written))).controller.krs == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("22 123 45 67", "+48 22 123 45 67"),
        ("+48221234567", "+48 22 123 45 67"),
        ("0048 22 123 45 67", "+48 22 123 45 67"),
        ("(22) 123-45-67", "+48 22 123 45 67"),
        ("600 100 200", "+48 600 100 200"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
    ],
)
def test_a_phone_number_is_stored_in_international_form(written: str, stored: str) -> None:
    company = _company(_edited(('phone: "+48 22 123 45 67"', f'phone: "{written}"')))
    assert company.contact.phone == stored


def test_a_phone_number_written_as_a_yaml_number_asks_for_quotes() -> None:
    assert _problems(_edited(('phone: "+48 22 123 45 67"', "phone: 221234567"))) == [
        "f.yaml:24:10: contact.phone: write the phone number in quotes, e.g. '+48 22 123 45 67'"
    ]


def test_a_polish_postal_code_without_its_dash_is_normalised() -> None:
    company = _company(_edited(("postal_code: 00-950", 'postal_code: "00193"')))
    address = company.controller.address
    assert address is not None
    assert address.postal_code == "00-193"


def test_an_unquoted_postal_code_is_refused_because_yaml_drops_its_leading_zeros() -> None:
    assert _problems(_edited(("postal_code: 00-950", "postal_code: 00193"))) == [
        "f.yaml:12:18: controller.address.postal_code: expected text; put the value in quotes"
    ]


def test_a_foreign_postal_code_is_kept_as_written() -> None:
    company = _company(
        _edited(
            ("postal_code: 00-950", 'postal_code: "10115"'),
            ("    city: Warszawa\n", "    city: Berlin\n    country: DE\n"),
        )
    )
    address = company.controller.address
    assert address is not None
    assert address.postal_code == "10115"
    assert address.country == "DE"


def _without_english(text: str) -> str:
    return re.sub(r"^ +en: .*\n", "", text, flags=re.MULTILINE)


def test_a_policy_published_only_in_polish_needs_no_english_texts() -> None:
    text = _without_english(_edited(("languages: [pl, en]", "languages: [pl]")))
    assert "en:" not in text
    company = _company(text)
    assert company.document.languages == ["pl"]
    assert company.purposes[0].name["pl"] == "Wykonanie umowy"
    assert company.purposes[0].name.get("en") is None


def test_a_facts_file_without_languages_is_published_in_polish_and_english() -> None:
    company = _company(_edited(("  languages: [pl, en]\n", "")))
    assert company.document.languages == ["pl", "en"]
    assert company.supervisory_authority.name["en"].startswith("President of the Personal Data Protection Office")


def test_the_default_authority_is_named_in_every_published_language() -> None:
    german = _company(
        re.sub(r"^( +)en: (.*)$", r"\1en: \2\n\1de: \2", MINIMAL, flags=re.MULTILINE).replace(
            "languages: [pl, en]", "languages: [pl, en, de]"
        )
    )
    assert german.supervisory_authority.name["de"] == (
        "Präsident des Amtes für den Schutz personenbezogener Daten (Prezes UODO)"
    )
    polish = _company(_without_english(_edited(("languages: [pl, en]", "languages: [pl]"))))
    assert polish.model_dump(mode="json")["supervisory_authority"]["name"] == {
        "pl": "Prezes Urzędu Ochrony Danych Osobowych"
    }


@pytest.mark.parametrize("state", sorted((ROOT / "companies").glob("*.state.json")), ids=lambda path: path.stem)
def test_the_facts_of_every_published_version_still_load(state: Path) -> None:
    for version in PolicyState.model_validate_json(state.read_bytes()).history:
        languages = version.facts.get("document", {}).get("languages")
        Company.model_validate(version.facts, context={PUBLISHED_LANGUAGES: languages})


def test_a_text_stored_with_an_empty_language_by_an_earlier_version_still_loads() -> None:
    facts = _company(_without_english(_edited(("languages: [pl, en]", "languages: [pl]")))).model_dump(mode="json")
    facts["purposes"][0]["name"] = {"pl": "Wykonanie umowy", "en": None}
    company = Company.model_validate(facts, context={PUBLISHED_LANGUAGES: ["pl"]})
    assert company.purposes[0].name.model_dump() == {"pl": "Wykonanie umowy"}


def test_a_policy_published_in_both_languages_needs_every_english_text() -> None:
    problems = _problems(_without_english(MINIMAL))
    assert len(problems) == len(re.findall(r"\n +en: ", MINIMAL))
    assert all("missing the English text ('en')" in problem for problem in problems)


def test_a_language_listed_twice_is_refused() -> None:
    assert _problems(_edited(("languages: [pl, en]", "languages: [pl, pl]"))) == [
        "f.yaml:3:14: document.languages: 'pl' is listed more than once; list each language once"
    ]


@pytest.mark.parametrize(
    ("written", "amount", "unit", "shown"),
    [
        ("1 year", 1, TimeUnit.YEAR, "1 year"),
        ("26 months", 26, TimeUnit.MONTH, "26 months"),
        ("2 weeks", 2, TimeUnit.WEEK, "2 weeks"),
        ("30 days", 30, TimeUnit.DAY, "30 days"),
        ("1 days", 1, TimeUnit.DAY, "1 day"),
        ("24 hours", 24, TimeUnit.HOUR, "24 hours"),
    ],
)
def test_durations_are_parsed_into_amount_and_unit(written: str, amount: int, unit: TimeUnit, shown: str) -> None:
    company = _company(_edited(("period: 26 months", f"period: {written}")))
    retention = company.purposes[2].retention
    assert retention is not None
    period = retention.period
    assert period == Duration(amount=amount, unit=unit)
    assert str(period) == shown
    assert company.model_dump(mode="json")["purposes"][2]["retention"]["period"] == shown


@pytest.mark.parametrize("written", ["0 days", "-1 year", "26", "26 moons", "twenty-six months", "'26months'"])
def test_a_duration_that_is_not_a_positive_amount_of_a_unit_is_refused(written: str) -> None:
    problems = _problems(_edited(("period: 26 months", f"period: {written}")))
    assert len(problems) == 1
    assert problems[0].startswith("f.yaml:71:15: purposes[2].retention.period: ")


def test_a_session_cookie_has_no_lifetime() -> None:
    company = _company(_edited(("lifetime: 2 years", "lifetime: session")))
    assert company.cookies[0].lifetime is None
    assert company.model_dump(mode="json")["cookies"][0]["lifetime"] == "session"


def test_a_cookie_lifetime_is_a_duration() -> None:
    company = _company(MINIMAL)
    assert company.cookies[0].lifetime == Duration(amount=2, unit=TimeUnit.YEAR)


def test_a_special_category_needs_an_article_9_condition() -> None:
    special = ("    source: automatic\n", "    source: automatic\n    special: true\n")
    assert _problems(_edited(special)) == [
        "f.yaml:65:5: purposes[2].special_category_condition: "
        "this purpose uses a special category of data; name the Art. 9(2) condition (a-j)"
    ]
    condition = (
        "    legal_basis: consent\n",
        "    legal_basis: consent\n    special_category_condition: a\n",
    )
    company = _company(_edited(special, condition))
    assert company.data_categories[1].special
    assert company.purposes[2].special_category_condition == "a"
    assert _problems(_edited(condition)) == [
        "f.yaml:69:33: purposes[2].special_category_condition: this purpose uses no special category of data;"
        " mark its category special: true or remove special_category_condition"
    ]


def test_a_us_recipient_under_the_data_privacy_framework_is_accepted() -> None:
    recipient = _company(MINIMAL).recipients[1]
    assert recipient.countries == ["US"]
    assert recipient.safeguard == "dpf"


def test_a_recipient_in_the_eea_needs_no_safeguard() -> None:
    problems = _problems(_edited(("    countries: [PL, DE]\n", "    countries: [PL, DE]\n    safeguard: scc\n")))
    assert problems == [
        f"f.yaml:78:16: recipients[0].safeguard: PL and DE are in the EEA, {NO_TRANSFER_RULES}; remove safeguard"
    ]


def test_a_recipient_in_the_eea_has_no_transfer_ground_to_describe() -> None:
    edited = ("    countries: [PL, DE]\n", "    countries: [PL]\n    safeguard: derogation\n    derogation: contract\n")
    problems = _problems(_edited(edited))
    assert problems == [
        f"f.yaml:78:16: recipients[0].safeguard: PL is in the EEA, {NO_TRANSFER_RULES}; remove safeguard",
        f"f.yaml:79:17: recipients[0].derogation: PL is in the EEA, {NO_TRANSFER_RULES}; remove derogation",
    ]


def test_a_derogation_alone_in_the_eea_is_told_to_go_not_to_bring_a_safeguard() -> None:
    # "Set safeguard: derogation" would only lead to "remove safeguard" on the next run.
    edited = ("    countries: [PL, DE]\n", "    countries: [PL, PL]\n    derogation: contract\n")
    assert _problems(_edited(edited)) == [
        f"f.yaml:78:17: recipients[0].derogation: PL is in the EEA, {NO_TRANSFER_RULES}; remove derogation"
    ]


def test_a_copy_of_a_safeguard_in_the_eea_still_reads_as_versions_published_with_one_do() -> None:
    # A state file keeps each published version's facts: a rule of the model added later must not refuse them.
    copy = "    countries: [PL, DE]\n    safeguard_copy:\n      pl: u nas\n      en: from us\n"
    company = _company(_edited(("    countries: [PL, DE]\n", copy)))
    assert company.recipients[0].transfer_grounds() == []


def test_a_necessary_cookie_without_a_basis_rests_on_the_exemption_not_on_consent() -> None:
    company = _company(MINIMAL + SESSION_COOKIE)
    analytics, session = company.cookies
    assert (analytics.basis, analytics.consent_exempt) == (LegalBasis.CONSENT, False)
    assert (session.basis, session.consent_exempt) == (LegalBasis.LEGITIMATE_INTERESTS, True)
    markdown = PolicyDraft(render_document(company, "f", "pl", BUILD_DAY), 1).markdown.body
    [row] = [line for line in markdown.splitlines() if "PHPSESSID" in line]
    assert typeset("art. 399 ust. 3 Prawa komunikacji elektronicznej", "pl") in row
    assert typeset("art. 6 ust. 1 lit. f RODO", "pl") in row
    assert "zgod" not in row.replace("bez zgody", "")


def test_a_retention_cap_is_stated_after_its_event_and_needs_one() -> None:
    capped = ("      period: 26 months\n", "      until: consent_withdrawn\n      at_most: 26 months\n")
    markdown = PolicyDraft(render_document(_company(_edited(capped)), "f", "en", BUILD_DAY), 1).markdown.body
    assert "until you withdraw your consent, but no longer than 26 months from collection" in markdown
    alone = ("      period: 26 months\n", "      period: 26 months\n      at_most: 3 years\n")
    assert _problems(_edited(alone)) == [
        "f.yaml:72:16: purposes[2].retention.at_most: "
        "at_most caps an ending event ('until'); a period is its own maximum"
    ]


def test_a_retention_cap_is_counted_from_its_start() -> None:
    # "Until you object, but no longer than 3 years": three years from when is the reader's to know.
    capped = (
        "      period: 26 months\n",
        "      until: consent_withdrawn\n      at_most: 26 months\n      counted_from: last_activity\n",
    )
    company = _company(_edited(capped))
    english = PolicyDraft(render_document(company, "f", "en", BUILD_DAY), 1).markdown.body
    assert "until you withdraw your consent, but no longer than 26 months from your last activity" in english
    polish = PolicyDraft(render_document(company, "f", "pl", BUILD_DAY), 1).markdown.body
    assert typeset("nie dłużej jednak niż 26 miesięcy od Twojej ostatniej aktywności", "pl") in polish
    uncapped = ("      period: 26 months\n", "      until: consent_withdrawn\n      counted_from: last_activity\n")
    assert _problems(_edited(uncapped)) == [
        "f.yaml:72:21: purposes[2].retention.counted_from: "
        "counted_from applies to a retention period or to at_most, not to an ending event"
    ]


def test_a_joint_stock_company_states_its_paid_in_capital_beside_its_share_capital() -> None:
    joint_stock = _edited(
        ("legal_form: sp_z_oo", "legal_form: sa"),
        (
            "  share_capital:\n    amount: 5000\n",
            "  share_capital:\n    amount: 100000\n  paid_in_capital:\n    amount: 25000\n",
        ),
    )
    markdown = PolicyDraft(render_document(_company(joint_stock), "f", "pl", BUILD_DAY), 1).markdown.body
    polish = Formats("pl")
    assert f"- **Kapitał zakładowy:** {polish.money(100000, 'PLN')}" in markdown
    assert f"- **Kapitał wpłacony:** {polish.money(25000, 'PLN')}" in markdown
    limited = _edited(
        (
            "  share_capital:\n    amount: 5000\n",
            "  share_capital:\n    amount: 5000\n  paid_in_capital:\n    amount: 5000\n",
        )
    )
    assert _problems(limited) == [
        "f.yaml:23:5: controller.paid_in_capital: only an sa states its paid-in capital, not a sp_z_oo; remove it"
    ]


@pytest.mark.parametrize(
    ("company", "language", "sentence"),
    [
        ("smartcp", "en", "Our website stores small pieces of information on your device"),
        ("optingo", "en", "Our websites store small pieces of information on your device"),
        ("smartcp", "pl", "Nasza strona internetowa zapisuje niewielkie porcje informacji"),
        ("smartcp", "de", "Unsere Website speichert kleine Informationseinheiten"),
    ],
)
def test_the_cookie_section_speaks_of_one_website_or_several(company: str, language: str, sentence: str) -> None:
    facts = load_company(ROOT / "companies" / f"{company}.yaml")
    markdown = PolicyDraft(render_document(facts, company, language, BUILD_DAY), 1).markdown.body
    assert typeset(sentence, language) in markdown


def test_a_policy_naming_no_website_speaks_of_one() -> None:
    # No website given: the reader is on the one that links to the policy, not on several.
    company = load_company(ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml")
    assert company.cookies
    unnamed = company.model_copy(update={"document": company.document.model_copy(update={"websites": []})})
    markdown = PolicyDraft(render_document(unnamed, "minimal", "en", BUILD_DAY), 1).markdown.body
    assert "Our website stores small pieces of information on your device" in markdown
    assert "parts of the website from working" in markdown


def test_marketing_by_e_mail_text_message_or_phone_is_sent_only_with_consent() -> None:
    # Art. 398 PKE asks prior consent for commercial information by e-mail, text message or phone,
    # whatever basis the processing rests on; post needs none.
    channels = ("      period: 26 months\n", "      period: 26 months\n    direct_marketing: true\n")
    electronic = _company(
        _edited(channels, ("  - id: analytics\n", "  - id: analytics\n    marketing_channels: [email, sms, post]\n"))
    )
    english = PolicyDraft(render_document(electronic, "f", "en", BUILD_DAY), 1).markdown.body
    assert (
        "- **Commercial information:** we send it by e-mail and by text message only with your prior consent to "
        "receiving it that way, as Art. 398 of the Polish Electronic Communications Law of 12 July 2024"
    ) in english
    polish = PolicyDraft(render_document(electronic, "f", "pl", BUILD_DAY), 1).markdown.body
    assert typeset("przesyłamy ją pocztą elektroniczną i SMS-em wyłącznie za Twoją uprzednią zgodą", "pl") in polish
    by_post = _company(
        _edited(channels, ("  - id: analytics\n", "  - id: analytics\n    marketing_channels: [post]\n"))
    )
    assert "Commercial information" not in PolicyDraft(render_document(by_post, "f", "en", BUILD_DAY), 1).markdown.body
    assert _problems(_edited(("  - id: analytics\n", "  - id: analytics\n    marketing_channels: [email]\n"))) == [
        "f.yaml:65:25: purposes[2].marketing_channels: "
        "marketing channels are named, but the purpose is not direct_marketing: true"
    ]


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("w celu założenia konta", "W\u00a0celu założenia konta."),
        ("„na start”, pakiet powitalny", "„Na start”, pakiet powitalny."),
        ("iPhone app sign-in", "iPhone app sign-in."),
        ("a sign-up form", "A sign-up form."),
    ],
)
def test_a_description_opens_its_sentence_with_a_capital_and_keeps_its_spaces(description: str, expected: str) -> None:
    # The capital and the rest were escaped apart, and the rest lost its leading space: "Wcelu".
    described = _company(
        _edited(
            (
                "      en: Performing the contract\n",
                f"      en: Performing the contract\n    description: {{pl: '{description}', en: '{description}'}}\n",
            )
        )
    )
    polish = unescape(PolicyDraft(render_document(described, "f", "pl", BUILD_DAY), 1).markdown.body)
    assert f"\n{typeset(expected, 'pl')}\n" in polish


def test_a_text_opening_with_a_bracket_is_shown_as_written() -> None:
    # Only a letter, or one past an opening quote, takes the capital: "[x]" is no word to capitalise.
    assert sentence_start("[x][1] text") == "[x][1] text"
    assert sentence_start("\u201anur\u2018 so") == "\u201aNur\u2018 so"


def test_images_from_video_surveillance_are_not_said_to_come_from_the_website() -> None:
    company = _company(_edited(("    source: automatic\n", "    source: video_surveillance\n")))
    english = PolicyDraft(render_document(company, "f", "en", BUILD_DAY), 1).markdown.body
    [row] = [line for line in english.splitlines() if line.startswith("| Website usage data")]
    assert "recorded by our video surveillance (CCTV) on our premises" in row
    assert "websites" not in row
    polish = PolicyDraft(render_document(company, "f", "pl", BUILD_DAY), 1).markdown.body
    [row] = [line for line in polish.splitlines() if line.startswith(typeset("| Dane o korzystaniu", "pl"))]
    assert typeset("rejestrowane przez nasz monitoring wizyjny na terenie naszych obiektów", "pl") in row


def test_medical_records_are_kept_from_the_end_of_the_year_of_their_last_entry() -> None:
    # Art. 29(1) of the Polish Patients' Rights Act: 20 years from the end of the calendar year of the last entry.
    edited = ("      counted_from: tax_year_end\n", "      counted_from: last_entry_year_end\n")
    company = _company(_edited(edited))
    english = PolicyDraft(render_document(company, "f", "en", BUILD_DAY), 1).markdown.body
    assert "5 years from the end of the calendar year in which the last entry was made in the records" in english
    polish = PolicyDraft(render_document(company, "f", "pl", BUILD_DAY), 1).markdown.body
    expected = "5 lat od końca roku kalendarzowego, w którym dokonano ostatniego wpisu w dokumentacji"
    assert typeset(expected, "pl") in polish


@pytest.mark.parametrize(
    ("language", "register", "letter", "expected"),
    [
        (
            "en",
            "ty",
            "h",
            "Art. 9(2)(h) GDPR: preventive or occupational medicine, the assessment of an employee's working",
        ),
        (
            "pl",
            "ty",
            "h",
            "art. 9 ust. 2 lit. h RODO: profilaktyka zdrowotna lub medycyna pracy, ocena zdolności pracownika",
        ),
        ("en", "ty", "a", "Art. 9(2)(a) GDPR: your explicit consent"),
        ("pl", "ty", "a", "art. 9 ust. 2 lit. a RODO: Twoja wyraźna zgoda"),
        ("pl", "panstwo", "a", "art. 9 ust. 2 lit. a RODO: Państwa wyraźna zgoda"),
    ],
)
def test_the_article_9_condition_is_named_as_the_legal_basis_is(
    language: str, register: str, letter: str, expected: str
) -> None:
    special = ("    source: automatic\n", "    source: automatic\n    special: true\n")
    condition = ("    legal_basis: consent\n", f"    legal_basis: consent\n    special_category_condition: {letter}\n")
    addressed = ("  languages: [pl, en]\n", f"  languages: [pl, en]\n  register: {register}\n")
    company = _company(_edited(special, condition, addressed))
    markdown = PolicyDraft(render_document(company, "f", language, BUILD_DAY), 1).markdown.body
    assert typeset(expected, language) in markdown


@pytest.mark.parametrize(
    ("form", "owner", "label"),
    [("sole_trader", "Anna Nowak", "Przedsiębiorca"), ("civil_partnership", "Anna Nowak, Jan Nowak", "Wspólnicy")],
)
def test_the_people_running_a_business_are_named_whoever_they_are(form: str, owner: str, label: str) -> None:
    # "Prowadzący działalność" is masculine and singular; a civil partnership is run by its partners.
    registry = (
        '  krs: "0000123456"\n  registry_court:\n'
        "    pl: Sąd Rejonowy dla m.st. Warszawy w Warszawie, XII Wydział Gospodarczy KRS\n"
        "    en: District Court for the Capital City of Warsaw, 12th Commercial Division of the KRS\n"
        "  share_capital:\n    amount: 5000\n"
    )
    sole_trader = (
        ("legal_name: Przykład Sp. z o.o.", "legal_name: Przykład Anna Nowak"),
        ("legal_form: sp_z_oo", f"legal_form: {form}\n  owner: {owner}"),
        (registry, ""),
    )
    company = _company(_edited(*sole_trader))
    polish = PolicyDraft(render_document(company, "f", "pl", BUILD_DAY), 1).markdown.body
    assert f"- **{label}:** {owner}" in polish


def test_the_transfers_section_says_data_goes_abroad_not_that_we_send_it() -> None:
    # An independent controller in the EEA (Stripe Payments Europe) transfers the data to its US parent itself.
    document = render_document(_company(MINIMAL), "f", "en", BUILD_DAY)
    transfers = next(section.body for section in document.walk() if section.outline.anchor == "transfers")
    assert "Data goes there only on one of the grounds of Chapter V GDPR:" in transfers
    assert "We transfer" not in transfers


def test_a_transfer_names_the_organisation_abroad_the_data_goes_to() -> None:
    # The EEA company of a US group is the recipient; its US parent, certified under the DPF, receives the data.
    importer = ("    safeguard: dpf\n", "    safeguard: dpf\n    importer: Example Analytics LLC\n")
    company = _company(_edited(importer))
    assert [ground.importer for ground in company.recipients[1].transfer_grounds()] == ["Example Analytics LLC"]
    for language, row in (
        ("en", "| Analytics Example Inc. | United States (data importer: Example Analytics LLC) |"),
        ("pl", "| Analytics Example Inc. | Stany Zjednoczone (importer danych: Example Analytics LLC) |"),
    ):
        document = render_document(company, "f", language, BUILD_DAY)
        transfers = next(section.body for section in document.walk() if section.outline.anchor == "transfers")
        assert typeset(row, language) in transfers
    in_the_eea = ("    countries: [PL, DE]\n", "    countries: [PL, DE]\n    importer: Hosting Przykład GmbH\n")
    assert _problems(_edited(in_the_eea)) == [
        f"f.yaml:78:15: recipients[0].importer: PL and DE are in the EEA, {NO_TRANSFER_RULES}; remove importer"
    ]
