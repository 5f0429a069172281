"""The consent banner's configuration: the same categories, cookies and texts as the policy."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BUILD_DAY, ROOT, SESSION_COOKIE, copied

from generator.document import unescape
from generator.facts.durations import parse_duration, shortest_days
from generator.facts.processing import cookie_name_pattern
from generator.i18n import translations
from generator.pipeline import build
from generator.render.consent import consent_revision
from generator.state import Version

SMARTCP = ROOT / "companies" / "smartcp.yaml"


@pytest.fixture(scope="module")
def smartcp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("consent")
    build([copied(SMARTCP, out / "facts")], out_dir=out, formats=("md", "consent"), today=BUILD_DAY)
    return out / "smartcp"


def config_of(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "cookie-consent.json").read_text(encoding="utf-8"))
    return loaded


def test_one_category_per_cookie_category_with_necessary_read_only(smartcp: Path) -> None:
    assert "autoShow" not in config_of(smartcp)  # the banner shows itself: visitors have a choice
    assert config_of(smartcp)["language"]["translations"]["en"]["preferencesModal"]["acceptAllBtn"] == "Accept all"
    categories = config_of(smartcp)["categories"]
    assert list(categories) == ["necessary", "analytics"]
    assert categories["necessary"] == {"enabled": True, "readOnly": True}
    assert categories["analytics"]["autoClear"]["cookies"] == [
        {"name": "_ga"},
        {"name": "/^_ga_.+$/"},
        {"name": "_fbp"},
    ]
    assert categories["analytics"]["services"] == {
        "google-ireland-limited": {
            "label": "Google Ireland Limited",
            "cookies": [{"name": "_ga"}, {"name": "/^_ga_.+$/"}],
        },
        "meta-platforms-ireland-limited": {"label": "Meta Platforms Ireland Limited", "cookies": [{"name": "_fbp"}]},
    }


def test_a_third_party_cookie_is_listed_but_left_to_its_own_domain(tmp_path: Path) -> None:
    # Meta's fr and LinkedIn's cookies live on their own domains: no page script can clear them.
    build([copied(ROOT / "companies" / "optingo.yaml", tmp_path / "facts")], out_dir=tmp_path, formats=("consent",))
    marketing = config_of(tmp_path / "optingo")["categories"]["marketing"]
    assert marketing["autoClear"]["cookies"] == [{"name": "_fbp"}, {"name": "_gcl_au"}]
    assert marketing["services"]["meta-platforms-ireland-limited"]["cookies"] == [{"name": "_fbp"}]
    assert marketing["services"]["linkedin-ireland-unlimited-company"]["cookies"] == []


def test_the_banner_keeps_its_choice_in_the_declared_consent_cookie(smartcp: Path) -> None:
    """The policy says 12 months; the banner's cookie lasts the 365 days any 12 months last at least."""
    assert config_of(smartcp)["cookie"] == {"name": "cookie_consent", "expiresAfterDays": 365}


@pytest.mark.parametrize(
    ("lifetime", "days"),
    [("1 month", 28), ("2 months", 59), ("3 months", 89), ("12 months", 365), ("13 months", 393), ("2 years", 730)],
)
def test_a_cookie_never_outlives_its_declared_lifetime_nor_falls_short_of_a_calendar_run(
    lifetime: str, days: int
) -> None:
    """The fewest days of that many calendar months from any first day: February and its neighbours."""
    assert shortest_days(parse_duration(lifetime)) == days


def policy_table_rows(markdown: str, category: str) -> list[list[str]]:
    """The rows of the cookie table of one category in a Markdown policy."""
    section = re.search(rf"^### .*\{{#cookies-{category}\}}\n(.*?)(?=^#)", markdown, re.M | re.S)
    assert section is not None, category
    lines = [line for line in section[1].splitlines() if line.startswith("| ")][1:]
    return [[unescape(cell.strip()) for cell in line.strip("|").split(" | ")] for line in lines]


@pytest.mark.parametrize("language", ["pl", "en", "de"])
def test_each_category_lists_exactly_the_rows_of_the_policys_table(smartcp: Path, language: str) -> None:
    markdown = (smartcp / language / "privacy-policy.md").read_text(encoding="utf-8")
    sections = config_of(smartcp)["language"]["translations"][language]["preferencesModal"]["sections"]
    tables = [section for section in sections if "cookieTable" in section]
    assert [section["linkedCategory"] for section in tables] == ["necessary", "analytics"]
    for section in tables:
        expected = [
            [name, provider, purpose, lifetime]
            for name, provider, purpose, lifetime, _basis in policy_table_rows(markdown, section["linkedCategory"])
        ]
        rows = [
            [row["name"], row["provider"], row["purpose"], row["lifetime"]] for row in section["cookieTable"]["body"]
        ]
        assert [[cell.replace("&lt;", "<").replace("&gt;", ">") for cell in row] for row in rows] == expected


def test_texts_come_from_the_catalogs_and_link_the_policy_in_that_language(smartcp: Path) -> None:
    translated = config_of(smartcp)["language"]["translations"]
    assert set(translated) == {"pl", "en", "de"}
    polish = translated["pl"]["consentModal"]
    assert polish["title"] == translations("pl").gettext("We use cookies") != "We use cookies"
    assert polish["acceptNecessaryBtn"] == "Odrzucam wszystkie"
    assert polish["footer"] == '<a href="../pl/privacy-policy.html">Polityka prywatności</a>'
    assert translated["en"]["consentModal"]["footer"] == '<a href="../en/privacy-policy.html">Privacy policy</a>'
    assert translated["de"]["consentModal"]["footer"] == '<a href="../de/privacy-policy.html">Datenschutzerklärung</a>'


def test_the_first_layer_names_the_partners_the_purposes_and_the_transfers_consent_is_asked_for(
    smartcp: Path,
) -> None:
    # Consent is informed only if the visitor knows, before choosing, who else stores data on the
    # device, what for, and that it leaves the EEA (Art. 4(11), EDPB Guidelines 05/2020 on consent);
    # SmartCP's own session and consent cookies are necessary and its own.
    translated = config_of(smartcp)["language"]["translations"]
    assert translated["en"]["consentModal"]["description"] == (
        "We use the cookies this website needs to work. With your consent we and our partners "
        "(Google Ireland Limited and Meta Platforms Ireland Limited) also use other cookies: to count visits "
        "and see how the website is used. These partners also process data outside the European Economic Area "
        "(United States). Which safeguards protect it there is set out in our privacy policy. The cookie "
        "settings describe each of these cookies; there you can change or withdraw your consent at any time."
    )
    polish = translated["pl"]["consentModal"]["description"]
    assert "(Google Ireland Limited i\u00a0Meta Platforms Ireland Limited)" in polish
    assert "do liczenia odwiedzin i\u00a0analizy korzystania ze strony." in polish
    assert "Ci partnerzy przetwarzają dane także poza Europejskim Obszarem Gospodarczym (Stany Zjednoczone)" in polish
    german = translated["de"]["consentModal"]["description"]
    assert "(Google Ireland Limited und Meta Platforms Ireland Limited)" in german
    assert "zur Zählung von Besuchen und zur Analyse der Nutzung der Website." in german
    assert "Diese Partner verarbeiten Daten auch außerhalb des Europäischen Wirtschaftsraums (Vereinigte Staaten)" in (
        german
    )


_MARKETING_COOKIE_OF_THE_HOST = """  - name: _hp
    provider: Hosting Przykład S.A.
    party: third
    category: marketing
    purpose:
      pl: mierzenie reklam
      en: measuring advertising
    lifetime: 30 days
"""

_PROFILING = """automated_decisions:
  profiling: true
  logic: {pl: reklamy dopasowane do zainteresowań, en: ads matched to interests}
  significance: {pl: decyduje o wyświetlanych reklamach, en: decides which ads are shown}
"""


def _english_first_layer(facts_text: str, tmp_path: Path) -> str:
    """The English banner's first layer of a company with these facts."""
    facts = tmp_path / "facts" / "minimal.yaml"
    facts.parent.mkdir()
    facts.write_text(facts_text, encoding="utf-8")
    build([facts], out_dir=tmp_path / "out", formats=("md", "consent"), today=BUILD_DAY)
    description: str = config_of(tmp_path / "out" / "minimal")["language"]["translations"]["en"]["consentModal"][
        "description"
    ]
    return description


MINIMAL_FACTS = (ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
IN_IRELAND = MINIMAL_FACTS.replace("    countries: [US]\n    safeguard: dpf\n", "    countries: [IE]\n")
"""The minimal company whose analytics partner keeps the data in Ireland."""
SETTINGS = (
    " The cookie settings describe each of these cookies; there you can change or withdraw your consent at any time."
)


def test_the_first_layer_names_which_partners_take_data_outside_the_eea(tmp_path: Path) -> None:
    assert _english_first_layer(MINIMAL_FACTS + _MARKETING_COOKIE_OF_THE_HOST + _PROFILING, tmp_path) == (
        "We use the cookies this website needs to work. With your consent we and our partners "
        "(Analytics Example Inc. and Hosting Przykład S.A.) also use other cookies: to count visits and see how "
        "the website is used; to measure our advertising and show you ads that match your interests. "
        "Analytics Example Inc. also processes data outside the European Economic Area (United States). Which "
        "safeguards protect it there is set out in our privacy policy." + SETTINGS
    )


def test_one_partner_keeping_data_in_the_eea_is_named_without_a_transfer(tmp_path: Path) -> None:
    assert _english_first_layer(IN_IRELAND, tmp_path) == (
        "We use the cookies this website needs to work. With your consent we and our partner "
        "(Analytics Example Inc.) also use other cookies: to count visits and see how the website is used." + SETTINGS
    )


@pytest.mark.parametrize("derogation", ["explicit_consent", "legal_claims"])
def test_a_partner_transferring_without_safeguards_is_told_of_with_the_risks(derogation: str, tmp_path: Path) -> None:
    # Art. 49(1)(a): consent to a transfer with no adequacy decision nor safeguard is informed of its risks, and a
    # transfer resting on that consent says that accepting the partner's cookies gives it.
    facts = MINIMAL_FACTS.replace("    safeguard: dpf\n", f"    safeguard: derogation\n    derogation: {derogation}\n")
    first_layer = _english_first_layer(facts, tmp_path)
    assert (
        "(United States). Part or all of it has no adequacy decision or appropriate safeguard behind it there "
        "(Art. 49 GDPR), so it may be less protected, for example from access by public authorities against which "
        "you have no effective remedy."
    ) in first_layer
    explicit = (
        " Accepting the cookies of Analytics Example Inc. gives your explicit consent to the transfer of your data"
        " to that partner outside the European Economic Area (United States; Art. 49(1)(a) GDPR)."
    )
    assert (explicit in first_layer) is (derogation == "explicit_consent")


def test_a_partner_transferring_to_one_country_on_a_derogation_is_told_of_with_the_risks(tmp_path: Path) -> None:
    # The DPF for the US, explicit consent for India: the India transfer has no safeguard behind it.
    by_country = (
        "    countries: [US, IN]\n    transfers:\n      - countries: [US]\n        safeguard: dpf\n"
        "      - countries: [IN]\n        safeguard: derogation\n        derogation: explicit_consent\n"
    )
    facts = MINIMAL_FACTS.replace("    countries: [US]\n    safeguard: dpf\n", by_country)
    first_layer = _english_first_layer(facts, tmp_path)
    assert "(United States and India). Part or all of it has no adequacy decision" in first_layer
    # The consent is to the transfer to India alone: the US transfer rests on the Framework.
    assert (
        " Accepting the cookies of Analytics Example Inc. gives your explicit consent to the transfer of your data"
        " to that partner outside the European Economic Area (India; Art. 49(1)(a) GDPR)."
    ) in first_layer


def test_a_partner_takes_the_transfers_of_every_recipient_entry_of_its_name(tmp_path: Path) -> None:
    # A company listing the Irish entity and the American one apart: the first layer names the US transfer.
    sister = """  - name: Analytics Example LLC
    category: {pl: dostawca narzędzi analitycznych, en: analytics provider}
    countries: [CH]
    safeguard: adequacy
"""
    facts = IN_IRELAND.replace("cookies:\n", sister + "cookies:\n", 1)
    assert "This partner also processes data outside the European Economic Area (Switzerland). Which" in (
        _english_first_layer(facts, tmp_path)
    )


def test_the_controllers_own_cookies_needing_consent_name_no_partner_and_no_transfer(tmp_path: Path) -> None:
    own = MINIMAL_FACTS.replace("    provider: Analytics Example Inc.\n    party: third\n", "    provider: Przykład\n")
    assert _english_first_layer(own, tmp_path) == (
        "We use the cookies this website needs to work. With your consent we also use other cookies: to count "
        "visits and see how the website is used." + SETTINGS
    )


def test_the_module_exports_the_json_object_with_patterns_and_links_resolved(smartcp: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (node on PATH)")
    show = (
        "const m = await import(process.argv[1]);"
        "console.log(JSON.stringify(m.default, (k, v) => v instanceof RegExp ? 'RegExp ' + v.source : v));"
    )
    module = (smartcp / "cookie-consent.js").as_uri()
    completed = subprocess.run(
        [node, "--input-type=module", "-e", show, module], capture_output=True, text=True, timeout=60, check=True
    )
    # The module makes the policy links absolute, against its own address.
    assert f'href=\\"{smartcp.as_uri()}/pl/privacy-policy.html\\"' in completed.stdout
    exported = json.loads(completed.stdout.replace(smartcp.as_uri() + "/", "../"))
    assert exported["categories"]["analytics"]["autoClear"]["cookies"][1] == {"name": "RegExp ^_ga_.+$"}
    exported["categories"]["analytics"]["autoClear"]["cookies"][1] = {"name": "/^_ga_.+$/"}
    exported["categories"]["analytics"]["services"]["google-ireland-limited"]["cookies"][1] = {"name": "/^_ga_.+$/"}
    assert exported == config_of(smartcp)


def test_a_company_without_cookies_gets_no_banner(tmp_path: Path) -> None:
    facts = yaml.safe_load(SMARTCP.read_text(encoding="utf-8"))
    del facts["cookies"]
    facts["assumed"] = [item for item in facts["assumed"] if not item["fact"].startswith("cookies")]
    path = tmp_path / "facts" / "nocookies.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    build([path], out_dir=tmp_path / "out", formats=("md", "consent"), today=BUILD_DAY)
    assert (tmp_path / "out" / "nocookies" / "pl" / "privacy-policy.md").is_file()
    assert not list((tmp_path / "out" / "nocookies").glob("cookie-consent.*"))


def test_a_site_with_necessary_cookies_alone_asks_for_no_consent(tmp_path: Path) -> None:
    # With necessary cookies alone, a banner offering "Accept all" would ask for a consent that
    # nothing needs. The settings still list the cookies when a visitor opens them.
    facts = tmp_path / "facts" / "minimal.yaml"
    facts.parent.mkdir()
    without_cookies = MINIMAL_FACTS[: MINIMAL_FACTS.index("cookies:\n")]
    facts.write_text(without_cookies + "cookies:\n" + SESSION_COOKIE, encoding="utf-8")
    build([facts], out_dir=tmp_path, formats=("consent",))
    config = config_of(tmp_path / "minimal")
    assert list(config["categories"]) == ["necessary"]
    assert config["autoShow"] is False
    english = config["language"]["translations"]["en"]
    assert english["consentModal"]["description"] == (
        "This website uses only the cookies it needs to work; they need no consent. The cookie settings list them."
    )
    # Nothing to accept, refuse or save: the settings only list the cookies.
    assert not {"acceptAllBtn", "acceptNecessaryBtn", "savePreferencesBtn"} & english["preferencesModal"].keys()
    assert english["preferencesModal"]["sections"][0]["title"] == "Cookies on this website"
    assert english["preferencesModal"]["sections"][0]["description"] == (
        "These are the cookies and similar technologies the website uses. All of them are necessary: "
        "the website does not work without them."
    )


@pytest.mark.parametrize(
    ("declared", "seen", "matches"),
    [
        ("_ga_<container-id>", "_ga_G1234", True),
        ("_ga_<container-id>", "_ga_", False),
        ("_ga_<container-id>", "_ga", False),
        ("a.b", "aXb", False),
        ("a.b", "a.b", True),
        ("x_<id>_y", "x_1_y", True),
    ],
)
def test_a_declared_name_is_one_pattern(declared: str, seen: str, matches: bool) -> None:
    assert bool(re.match(cookie_name_pattern(declared), seen)) is matches


def cookie(name: str, category: str = "analytics", lifetime: str = "2 years", purpose: str = "x") -> dict[str, Any]:
    return {"name": name, "provider": "P", "category": category, "lifetime": lifetime, "purpose": {"en": purpose}}


def version(number: int, *cookies: dict[str, Any]) -> Version:
    return Version(version=number, date=datetime.date(2026, 1, number), facts={"cookies": list(cookies)})


def test_visitors_are_asked_again_only_when_what_they_consent_to_grows() -> None:
    consent = cookie("cookie_consent", "necessary")
    history = [
        version(1, consent),
        version(2, consent, cookie("_ga")),
        version(3, consent, cookie("_ga", purpose="reworded"), cookie("session", "necessary")),
        version(4, consent),
    ]
    assert consent_revision(history[:1]) == 1
    assert consent_revision(history[:2]) == 2
    assert consent_revision(history[:3]) == 2
    assert consent_revision(history) == 2
    assert consent_revision([*history, version(5, cookie("_ga", lifetime="3 years"))]) == 5
    assert consent_revision([*history, version(5, cookie("_ga", category="marketing"))]) == 5
