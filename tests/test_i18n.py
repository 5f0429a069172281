"""Languages: Babel formatting, and catalogs that stop the build when incomplete."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import ROOT, update_catalogs_script

from generator.errors import UserError
from generator.facts.durations import Duration, TimeUnit
from generator.i18n import Formats, catalog_path, translations
from generator.languages import language as language_row
from generator.languages import language_codes, source_language

CATALOGS = [code for code in language_codes() if code != source_language()]


@pytest.mark.parametrize(
    ("amount", "unit", "polish", "english", "german"),
    [
        (1, TimeUnit.YEAR, "1 rok", "1 year", "1 Jahr"),
        (2, TimeUnit.YEAR, "2 lata", "2 years", "2 Jahre"),
        (5, TimeUnit.YEAR, "5 lat", "5 years", "5 Jahre"),
        (22, TimeUnit.YEAR, "22 lata", "22 years", "22 Jahre"),
        (26, TimeUnit.MONTH, "26 miesięcy", "26 months", "26 Monate"),
        (24, TimeUnit.HOUR, "24 godziny", "24 hours", "24 Stunden"),
        (30, TimeUnit.DAY, "30 dni", "30 days", "30 Tage"),
        (1, TimeUnit.DAY, "1 dzień", "1 day", "1 Tag"),
    ],
)
def test_durations_use_each_languages_plural_forms(
    amount: int, unit: TimeUnit, polish: str, english: str, german: str
) -> None:
    duration = Duration(amount=amount, unit=unit)
    assert Formats("pl").duration(duration) == polish
    assert Formats("en").duration(duration) == english
    assert Formats("de").duration(duration) == german


def test_dates_countries_lists_and_money() -> None:
    day = datetime.date(2024, 7, 21)
    assert Formats("pl").date(day) == "21 lipca 2024"
    assert Formats("en").date(day) == "21 July 2024"
    assert Formats("de").date(day) == "21. Juli 2024"
    assert Formats("pl").countries(["US", "IE", "PL"]) == "Stany Zjednoczone, Irlandia i Polska"
    assert Formats("en").countries(["US", "IE", "PL"]) == "United States, Ireland and Poland"
    assert Formats("de").countries(["US", "IE", "PL"]) == "Vereinigte Staaten, Irland und Polen"
    assert Formats("pl").list(["A", "B", "C"]) == "A, B i C"
    assert Formats("de").list(["A", "B", "C"]) == "A, B und C"
    assert Formats("de").money(Decimal(5000), "PLN") == "5.000,00\xa0PLN"
    assert Formats("pl").money(Decimal(5000), "PLN") == "5\xa0000,00\xa0zł"
    assert Formats("en").money(Decimal(5000), "PLN") == "PLN\xa05,000.00"
    assert Formats("en").money(Decimal(5000), "EUR") == "€5,000.00"


def _catalog(tmp_path: Path, body: str) -> Path:
    path = catalog_path("pl", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(
        'msgid ""\nmsgstr ""\n"Language: pl\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n' + body,
        encoding="utf-8",
    )
    return tmp_path


def test_an_untranslated_message_stops_the_build(tmp_path: Path) -> None:
    locales = _catalog(tmp_path, 'msgid "Contents"\nmsgstr ""\n')
    with pytest.raises(UserError) as raised:
        translations("pl", locales)
    assert str(raised.value) == f"{catalog_path('pl', locales)}:6:1: msgid 'Contents': message is not translated"


def test_a_fuzzy_message_stops_the_build(tmp_path: Path) -> None:
    locales = _catalog(tmp_path, '#, fuzzy\nmsgid "Contents"\nmsgstr "Spis treści"\n')
    with pytest.raises(UserError, match="translation is marked fuzzy"):
        translations("pl", locales)


def test_a_template_string_missing_from_the_catalog_is_refused(tmp_path: Path) -> None:
    locales = _catalog(tmp_path, 'msgid "Contents"\nmsgstr "Spis treści"\n')
    catalog = translations("pl", locales)
    assert catalog.gettext("Contents") == "Spis treści"
    with pytest.raises(UserError, match="missing from the catalog; run `make i18n`"):
        catalog.gettext("A sentence nobody translated")


def test_a_translation_citing_the_gdpr_names_it_as_the_languages_legal_texts_do(tmp_path: Path) -> None:
    locales = _catalog(tmp_path, 'msgid "Art. 6(1)(%(letter)s) GDPR"\nmsgstr "art. 6 ust. 1 lit. %(letter)s GDPR"\n')
    with pytest.raises(UserError) as raised:
        translations("pl", locales)
    assert str(raised.value) == (
        f"{catalog_path('pl', locales)}:6:1: msgid 'Art. 6(1)(%(letter)s) GDPR': "
        "the translation cites the GDPR without its name in this language, RODO"
    )


@pytest.mark.parametrize("language", CATALOGS)
def test_the_committed_catalogs_hold_exactly_the_template_strings(language: str) -> None:
    script = update_catalogs_script()
    extracted = {message.id for message in script.extract_template_catalog() if message.id}
    for path in (ROOT / "locales" / "messages.pot", catalog_path(language, ROOT / "locales")):
        with path.open("rb") as stream:
            committed = {message.id for message in read_po(stream) if message.id}
        assert committed == extracted, f"{path.relative_to(ROOT)} is stale: run `make i18n`"


@pytest.mark.parametrize("language", CATALOGS)
def test_every_committed_catalog_is_complete(language: str) -> None:
    """No untranslated or fuzzy message, and the GDPR named as the language's legal texts name it;
    every form of address's variant complete, none stale, none saying a word of another form."""
    translations(language, ROOT / "locales")
    for register in language_row(language).registers:
        translations(language, ROOT / "locales", register)
