"""What the version history says changed: only what a reader of the policy could see change."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import MINIMAL

from generator.changes import LISTED_KINDS, describe_changes, grouped_notes
from generator.document import unescape
from generator.facts import Company
from generator.i18n import Formats
from generator.languages import FormOfAddress, Language
from generator.loading import read_facts_file
from generator.state import ChangeNote, Version
from generator.templating import template_environment


def _facts() -> dict[str, Any]:
    facts: dict[str, Any] = read_facts_file(MINIMAL, str(MINIMAL)).data
    return facts


def test_a_field_the_model_gained_since_a_version_is_no_change() -> None:
    """A version stored before a field existed lacks it; today's facts hold its empty default."""
    stored = _facts()
    today = copy.deepcopy(stored)
    today["purposes"][0]["retention"]["at_most"] = None
    today["recipients"][0]["arrangement"] = None
    today["data_categories"][0]["includes"]["de"] = None
    assert describe_changes(stored, today) == []


def test_a_field_with_a_default_the_model_gained_since_a_version_is_no_change() -> None:
    """A version stored before `document.register` and `bilingual_pdf` existed: today's facts hold the defaults."""
    stored = Company.model_validate(_facts()).model_dump(mode="json")
    today = copy.deepcopy(stored)
    del stored["document"]["register"], stored["document"]["bilingual_pdf"]
    assert describe_changes(stored, today) == []


def test_a_changed_retention_is_told_with_both_periods() -> None:
    stored = _facts()
    today = copy.deepcopy(stored)
    today["purposes"][1]["retention"] = {"period": "10 years"}
    [note] = describe_changes(stored, today)
    assert note.kind == "retention_changed"
    assert (note.before["period"], note.after["period"]) == ("5 years", "10 years")


def test_notes_of_one_kind_are_gathered_where_the_first_stood() -> None:
    def note(kind: str, name: str, material: bool = False) -> ChangeNote:
        return ChangeNote(kind=kind, subject={"en": name}, material=material)

    first, second = note("purpose_changed", "Newsletter"), note("purpose_changed", "Analytics")
    retention = ChangeNote(kind="retention_changed", subject={"en": "Newsletter"}, before={}, after={})
    added, other_added = note("recipient_added", "Acme"), note("recipient_added", "Beta")
    material = note("purpose_changed", "Contract", material=True)
    assert grouped_notes([first, retention, second, added, other_added, material]) == [
        [first, second],
        [retention],
        [added],
        [other_added],
        [material],
    ]


def test_a_new_form_of_address_is_no_change_of_the_websites_or_languages() -> None:
    stored = Company.model_validate(_facts()).model_dump(mode="json")
    today = copy.deepcopy(stored)
    today["document"]["register"] = "panstwo"
    today["document"]["bilingual_pdf"] = True
    assert describe_changes(stored, today) == []


def test_facts_todays_model_no_longer_reads_are_compared_as_stored_on_both_sides() -> None:
    """A key since removed from the model: neither side is filled with defaults the other lacks."""
    stored = _facts()
    stored["document"]["retired_key"] = "kept by an old version"
    today = copy.deepcopy(stored)
    assert describe_changes(stored, today) == []
    today["document"]["websites"] = ["https://new.example"]
    assert [note.kind for note in describe_changes(stored, today)] == ["document_changed"]


@pytest.mark.parametrize(
    ("language", "told"),
    [
        ("pl", "dodano wersję językową: „Deutsch”"),
        ("en", "added the “Deutsch” version"),
        ("de", "Sprachfassung „Deutsch“ hinzugefügt"),
    ],
)
def test_a_language_added_is_one_change_naming_it(language: Language, told: str) -> None:
    """Not "changed the websites, services or languages", nor a change of each text that gained a translation."""
    stored = _facts()
    today = copy.deepcopy(stored)
    today["document"]["languages"] = ["pl", "en", "de"]
    for category in today["data_categories"]:
        category["name"]["de"] = category["name"]["en"]
    notes = describe_changes(stored, today)
    assert [(note.kind, note.subject, note.material) for note in notes] == [
        ("language_added", {"de": "Deutsch"}, False)
    ]
    environment = template_environment(language, FormOfAddress.TY)
    assert unescape(environment.globals["change_note"](notes[0])) == told  # type: ignore[operator]
    assert [note.kind for note in describe_changes(today, stored)] == ["language_removed"]


def test_languages_added_at_once_are_one_note_naming_them_all() -> None:
    stored = _facts()
    stored["document"]["languages"] = ["pl"]
    today = copy.deepcopy(stored)
    today["document"]["languages"] = ["pl", "en", "de"]
    groups = grouped_notes(describe_changes(stored, today))
    assert [[note.kind for note in group] for group in groups] == [["language_added", "language_added"]]
    environment = template_environment("pl", FormOfAddress.TY)
    told = unescape(environment.globals["change_group"](groups[0]))  # type: ignore[operator]
    assert told == "dodano wersje językowe: English i Deutsch"


@pytest.mark.parametrize("language", ["pl", "en", "de"])
def test_every_kind_gathered_in_a_list_has_its_own_sentence(language: Language) -> None:
    environment = template_environment(language, FormOfAddress.TY)
    worded = {
        kind: unescape(
            environment.globals["change_group"](  # type: ignore[operator]
                [ChangeNote(kind=kind, subject={language: name}) for name in ("Alpha", "Beta")]
            )
        )
        for kind in sorted(LISTED_KINDS)
    }
    assert all("alpha" in text.casefold() and "beta" in text.casefold() for text in worded.values()), worded
    assert len(set(worded.values())) == len(LISTED_KINDS), worded


def test_a_translation_corrected_in_one_language_is_a_change_of_that_language_alone() -> None:
    stored = _facts()
    today = copy.deepcopy(stored)
    today["data_categories"][0]["includes"]["pl"] = "imię, nazwisko i adres e-mail"
    today["purposes"][0]["name"]["en"] = "Performance of the contract"
    [category, purpose] = describe_changes(stored, today)
    assert (category.kind, category.languages) == ("category_changed", ["pl"])
    assert (purpose.kind, purpose.languages) == ("purpose_renamed", ["en"])
    assert (category.concerns("pl"), category.concerns("en")) == (True, False)
    # A change of a value, or of every language's text, concerns every reader.
    today["data_categories"][0]["includes"]["en"] = "first name, surname and e-mail address"
    today["purposes"][0]["retention"] = {"period": "3 years"}
    notes = describe_changes(stored, today)
    assert [(note.kind, note.languages) for note in notes] == [
        ("category_changed", []),
        ("purpose_renamed", ["en"]),
        ("retention_changed", []),
    ]


@pytest.mark.parametrize(
    ("language", "purpose", "category"),
    [
        (
            "en",
            "renamed the purpose “performing the contract” to “orders”",
            "“contact details” to “contact details (2)”",
        ),
        (
            "pl",
            "zmieniono nazwę celu przetwarzania z „wykonanie umowy” na „zamówienia”",
            "z „dane kontaktowe” na „dane kontaktowe (2)”",
        ),
    ],
)
def test_a_new_name_is_told_with_the_old_one(language: Language, purpose: str, category: str) -> None:
    # A purpose renamed read "changed the description of the purpose", in the history its readers are shown.
    stored = _facts()
    today = copy.deepcopy(stored)
    today["purposes"][0]["name"] = {"pl": "Zamówienia", "en": "Orders"}
    today["purposes"][0]["description"] = {"pl": "Przyjmujemy zamówienia.", "en": "We take orders."}
    today["data_categories"][0]["name"] = {
        key: f"{text} (2)" for key, text in stored["data_categories"][0]["name"].items()
    }
    notes = describe_changes(stored, today)
    assert [note.kind for note in notes] == ["category_renamed", "purpose_renamed", "purpose_changed"]
    environment = template_environment(language, FormOfAddress.TY)
    told = [unescape(environment.globals["change_note"](note)) for note in notes]  # type: ignore[operator]
    assert purpose in told[1], told
    assert category in told[0], told


@pytest.mark.parametrize(
    ("language", "countries", "told"),
    [
        ("pl", ["IN"], "również w następującym państwie: Indie"),
        ("pl", ["IN", "JP"], "również w następujących państwach: Indie i Japonia"),
        ("de", ["IN"], "nun auch in folgendem Staat: Indien"),
        ("en", ["IN", "JP"], "now also processes data in India and Japan"),
    ],
)
def test_a_transfer_added_names_its_countries_in_a_sentence(
    language: Language, countries: list[str], told: str
) -> None:
    # "przetwarza teraz dane również w: Indie": a preposition followed by a colon and a nominative.
    note = ChangeNote(kind="transfer_added", subject={"pl": "Chmura", "en": "Cloud", "de": "Cloud"}, after=countries)
    environment = template_environment(language, FormOfAddress.TY)
    assert told in unescape(environment.globals["change_note"](note))  # type: ignore[operator]


def test_the_history_of_a_language_whose_text_did_not_change_reads_as_editorial() -> None:
    reworded = ChangeNote(kind="category_changed", subject={"pl": "Dane kontaktowe", "en": "Contact details"})
    entry = Version(version=2, date="2026-11-05", changes=[reworded.model_copy(update={"languages": ["pl"]})], facts={})
    summaries = {}
    for language in ("pl", "en"):
        environment = template_environment(language, FormOfAddress.TY)
        formats = Formats(language)
        summary = environment.globals["version_summary"]
        summaries[language] = unescape(summary(entry, formats))  # type: ignore[operator]
    assert summaries["en"] == "Editorial changes only; how we process your data has not changed."
    assert summaries["pl"].startswith("Zmieniono opis kategorii danych")
    # Stored without the key where it is empty, as state files written before it.
    assert "languages" not in reworded.model_dump(mode="json")
    assert entry.changes[0].model_dump(mode="json")["languages"] == ["pl"]


def test_a_recipient_known_by_its_category_is_changed_not_replaced_when_that_text_is_corrected() -> None:
    # An unnamed recipient's key is its category in the templates' language: correcting that text
    # read as one recipient removed and another added (a material change), in every language.
    stored = _facts()
    stored["recipients"].append(
        {
            "category": {"pl": "biuro rachunkowe", "en": "acounting office"},
            "countries": ["PL"],
            "purposes": ["accounting"],
        }
    )
    today = copy.deepcopy(stored)
    today["recipients"][-1]["category"]["en"] = "accounting office"
    [note] = describe_changes(stored, today)
    assert (note.kind, note.languages, note.material) == ("recipient_changed", ["en"], False)
    # A recipient whose other facts changed too is another recipient.
    today["recipients"][-1]["countries"] = ["DE"]
    assert sorted(note.kind for note in describe_changes(stored, today)) == ["recipient_added", "recipient_removed"]


def test_the_hosts_only_the_scan_reads_are_no_change_of_the_policy() -> None:
    # `policygen diff` announced a change of the recipient that no build then published.
    stored = _facts()
    today = copy.deepcopy(stored)
    today["recipients"][1]["hosts"] = ["*.example-analytics.com"]
    assert describe_changes(stored, today) == []


def test_a_recipient_replaced_by_another_of_the_same_kind_is_a_removal_and_an_addition() -> None:
    # Its text changed in every language: another recipient, which readers must be told of.
    stored = _facts()
    stored["recipients"].append({"category": {"pl": "firma hostingowa", "en": "hosting company"}, "countries": ["PL"]})
    today = copy.deepcopy(stored)
    today["recipients"][-1]["category"] = {"pl": "kancelaria prawna", "en": "law firm"}
    notes = describe_changes(stored, today)
    assert sorted((note.kind, note.material) for note in notes) == [
        ("recipient_added", True),
        ("recipient_removed", False),
    ]


@pytest.mark.parametrize(
    ("before", "after", "material"),
    [
        ("partners", "controller", True),
        ("partners", "controller_and_partners", True),
        ("controller", "partners", False),
    ],
)
def test_profiling_that_was_the_partners_becoming_the_companys_own_is_a_material_change(
    before: str, after: str, material: bool
) -> None:
    stored = _facts()
    stored["automated_decisions"] = {
        "profiling": True,
        "profiling_by": before,
        "logic": {"pl": "reklamy", "en": "ads"},
        "significance": {"pl": "reklamy", "en": "ads"},
    }
    today = copy.deepcopy(stored)
    today["automated_decisions"]["profiling_by"] = after
    [note] = describe_changes(stored, today)
    assert (note.kind, note.material) == ("automated_decisions_changed", material)


def test_a_country_moved_to_another_transfer_ground_is_a_material_change_naming_the_ground() -> None:
    # Moving India from standard contractual clauses to a derogation read as "changed the details of the
    # recipient", not material, though Art. 13(1)(f) tells the reader the ground of each transfer.
    stored = _facts()
    analytics = stored["recipients"][1]
    analytics.update(countries=["US", "IN"], safeguard=None)
    analytics["transfers"] = [{"countries": ["US"], "safeguard": "dpf"}, {"countries": ["IN"], "safeguard": "scc"}]
    today = copy.deepcopy(stored)
    today["recipients"][1]["transfers"][1] = {
        "countries": ["IN"],
        "safeguard": "derogation",
        "derogation": "explicit_consent",
    }
    [note] = describe_changes(stored, today)
    assert (note.kind, note.after, note.material) == (
        "transfer_ground_changed",
        {"safeguard": "derogation", "countries": ["IN"]},
        True,
    )
    told = {
        "en": "the recipient “Analytics Example Inc.” now transfers data to India on the basis of a derogation "
        "under Art. 49 GDPR",
        "pl": "odbiorca „Analytics Example Inc.” przekazuje teraz dane na podstawie wyjątku z art. 49 RODO do "
        "następującego państwa: Indie",
    }
    for language, sentence in told.items():
        environment = template_environment(language, FormOfAddress.TY)
        text = unescape(environment.globals["change_note"](note)).replace("\u00a0", " ")  # type: ignore[operator]
        assert sentence in text
    # Only the derogation's point changed: a detail of the recipient.
    later = copy.deepcopy(today)
    later["recipients"][1]["transfers"][1]["derogation"] = "contract"
    assert [(note.kind, note.material) for note in describe_changes(today, later)] == [("recipient_changed", False)]


def test_the_same_grounds_written_as_transfers_are_no_change() -> None:
    stored = _facts()
    today = copy.deepcopy(stored)
    today["recipients"][1]["safeguard"] = None
    today["recipients"][1]["transfers"] = [{"countries": ["US"], "safeguard": "dpf"}]
    assert describe_changes(stored, today) == []


def test_naming_the_organisation_abroad_is_a_detail_of_the_recipient() -> None:
    stored = _facts()
    today = copy.deepcopy(stored)
    today["recipients"][1]["importer"] = "Example Analytics LLC"
    assert [(note.kind, note.material) for note in describe_changes(stored, today)] == [("recipient_changed", False)]
    written_as_a_transfer = copy.deepcopy(today)
    del written_as_a_transfer["recipients"][1]["importer"]
    written_as_a_transfer["recipients"][1]["safeguard"] = None
    written_as_a_transfer["recipients"][1]["transfers"] = [
        {"countries": ["US"], "safeguard": "dpf", "importer": "Example Analytics LLC"}
    ]
    assert describe_changes(today, written_as_a_transfer) == []
