"""The table of languages: a language added as one row and one catalog is written like the others.

The throwaway language here is French, with a table of its own (the real rows and one more)
and a catalog that marks every template text as ``[fr] ...``: no code of policygen changes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from conftest import BUILD_DAY, MINIMAL, ROOT, section_skeleton, update_catalogs_script

from generator import languages, resources
from generator.cli import main
from generator.errors import UserError
from generator.facts import Company
from generator.i18n import catalog_path
from generator.pipeline import build
from generator.validation import check_file

FRENCH_ROW = """
  - code: fr
    locale: fr_FR
    name: français
    english_name: French
    regulation: RGPD
"""

AUTHORITY = """
supervisory_authority:
  name:
    pl: Prezes Urzędu Ochrony Danych Osobowych
    en: President of the Personal Data Protection Office
    fr: Président de l'Office de protection des données personnelles (Prezes UODO)
  address: {street: ul. Stawki 2, postal_code: 00-193, city: Warszawa}
  website: https://uodo.gov.pl/
"""


def _pseudo_french(message_id: str) -> str:
    return "[fr] " + message_id.replace("GDPR", "RGPD")


def _french_catalog(path: Path) -> None:
    with (ROOT / "locales" / "messages.pot").open("rb") as stream:
        template = read_po(stream)
    catalog = Catalog(locale="fr", fuzzy=False)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            catalog.add(tuple(message.id), tuple(_pseudo_french(form) for form in message.id))
        else:
            catalog.add(message.id, _pseudo_french(message.id))
    path.parent.mkdir(parents=True)
    with path.open("wb") as stream:
        write_po(stream, catalog)


@pytest.fixture
def french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A table with French added and the project's catalogs plus a French one; returns a folder for facts."""
    table = tmp_path / "languages.yaml"
    table.write_text(languages.TABLE_FILE.read_text(encoding="utf-8") + FRENCH_ROW, encoding="utf-8")
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    _french_catalog(catalog_path("fr", locales))
    monkeypatch.setattr(languages, "TABLE_FILE", table)
    monkeypatch.setattr(resources, "LOCALES", locales)
    facts = tmp_path / "facts"
    facts.mkdir()
    return facts


def _in_french_too(facts: Path, *, authority: bool) -> Path:
    """The minimal company published in Polish, English and French, every English text given in French too."""
    text = MINIMAL.read_text(encoding="utf-8").replace("languages: [pl, en]", "languages: [pl, en, fr]")
    text = re.sub(r"^([ ]+)en: (.*)$", r"\1en: \2\n\1fr: (fr) \2", text, flags=re.MULTILINE)
    path = facts / "minimal.yaml"
    path.write_text(text + (AUTHORITY if authority else ""), encoding="utf-8")
    return path


def test_a_row_and_a_catalog_add_a_language(french: Path) -> None:
    path = _in_french_too(french, authority=True)
    out = french.parent / "out"
    build([path], out_dir=out, formats=("md", "html", "compliance"), today=BUILD_DAY, jobs=1)
    policy = out / "minimal" / "fr" / "privacy-policy.md"
    text = policy.read_text(encoding="utf-8")
    assert 'lang: "fr"' in text
    assert "# [fr] Privacy policy of Przykład" in text
    assert "22 novembre 2026" in text  # Babel's fr_FR locale, from the table
    assert "Art. 6 ust." not in text
    assert "[fr] Art. 6(1)(b) RGPD" in text
    english = (out / "minimal" / "en" / "privacy-policy.md").read_text(encoding="utf-8")
    assert section_skeleton(text) == section_skeleton(english)
    polish_page = (out / "minimal" / "pl" / "privacy-policy.html").read_text(encoding="utf-8")
    assert '<a href="../fr/privacy-policy.html" hreflang="fr" lang="fr">français</a>' in polish_page
    assert "| French section |" in (out / "minimal" / "compliance.md").read_text(encoding="utf-8")


def test_the_new_language_is_a_choice_of_the_cli_and_a_key_of_the_schema(
    french: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = Company.model_json_schema()
    assert "fr" in schema["$defs"]["LocalizedText"]["properties"]
    assert schema["$defs"]["Document"]["properties"]["languages"]["items"]["enum"] == ["pl", "en", "de", "fr"]
    path = _in_french_too(french, authority=True)
    assert main(["build", str(path), "--out", str(french.parent / "out"), "--lang", "fr", "--format", "md"]) == 0
    assert sorted(p.name for p in (french.parent / "out" / "minimal").iterdir()) == ["fr"]
    with pytest.raises(SystemExit):
        main(["build", str(path), "--lang", "it"])
    assert "choose from pl, en, de, fr" in capsys.readouterr().err


def test_a_language_the_legal_facts_do_not_name_the_authority_in_is_reported(french: Path) -> None:
    path = _in_french_too(french, authority=False)
    with pytest.raises(UserError) as raised:
        check_file(path)
    assert [str(message) for message in raised.value.messages] == [
        f"{path}:3:14: document.languages: the legal facts (legal-facts.yaml) do not name the supervisory "
        "authority in 'fr'; add its name there, or give supervisory_authority (name, address, website) here"
    ]


def test_make_i18n_creates_the_catalog_of_a_new_language(
    french: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = update_catalogs_script()
    locales = french.parent / "locales"
    shutil.rmtree(locales / "fr")
    monkeypatch.setattr(script, "LOCALES", locales)
    script.main()
    with catalog_path("fr", locales).open("rb") as stream:
        created = read_po(stream)
    with (locales / "messages.pot").open("rb") as stream:
        template = read_po(stream)
    assert {message.id for message in created if message.id} == {message.id for message in template if message.id}
    # A plural message is untranslated in each of its forms.
    forms = [
        text
        for message in created
        if message.id
        for text in (message.string if isinstance(message.string, tuple | list) else [message.string])
    ]
    assert not any(forms)
    assert created.plural_forms == "nplurals=2; plural=(n > 1);"
    count = sum(1 for message in template if message.id)
    assert f"locales/fr/LC_MESSAGES/messages.po: {count} messages, {count} untranslated" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("\n  - {code: pl, locale: pl_PL, name: polski, english_name: Polish, regulation: RODO}\n", "listed twice"),
        ("\n  - {code: xx, locale: fr_FR, name: x, english_name: X, regulation: X, plural: 2}\n", "plural"),
    ],
)
def test_a_broken_table_of_languages_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str, problem: str
) -> None:
    table = tmp_path / "languages.yaml"
    table.write_text(languages.TABLE_FILE.read_text(encoding="utf-8") + row, encoding="utf-8")
    monkeypatch.setattr(languages, "TABLE_FILE", table)
    with pytest.raises(UserError) as raised:
        languages.language_codes()
    assert str(raised.value).startswith(f"{table}: broken table of languages: ")
    assert problem in str(raised.value)
