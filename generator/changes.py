"""What changed in the facts between two versions, as notes readers understand.

Notes are stored without language (kind, the subject's names, values before and after)
and worded per language by the ``change_note`` macro, so the version history and
``policygen diff`` say the same in every language. A language added to (or dropped from)
the policy is one change, naming that language, not a change of every text that gained (or
lost) a translation: texts are compared in the languages both versions share. New purposes, recipients,
transfers, data categories and legal bases are material: GDPR expects people to be told
of them before they take effect.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from babel import Locale
from pydantic import ValidationError

from generator.facts import Company
from generator.facts.processing import GROUND_KEYS
from generator.languages import Language, default_languages, language, language_codes, source_language
from generator.legal import is_in_eea
from generator.state import ChangeNote

Facts = dict[str, Any]

SUMMARISED_PARTS = (
    "document",
    "controller",
    "contact",
    "automated_decisions",
    "security_measures",
    "minimum_age",
    "data_storage",
    "policy_changes",
    "supervisory_authority",
    "sections",
)
"""Parts reported as a whole ("the controller's details changed") rather than item by item."""


def describe_changes(before: Facts, after: Facts) -> list[ChangeNote]:
    """Every change from ``before`` to ``after``, material ones first."""
    before, after = _as_read_today(before, after)
    shared = frozenset(_languages_of(before)) & frozenset(_languages_of(after))
    notes = [
        *_items(
            before,
            after,
            ("data_categories", "category"),
            _by_id,
            _named,
            shared=shared,
            added_is_material=True,
            compare=_category_changes,
        ),
        *_items(
            before,
            after,
            ("purposes", "purpose"),
            _by_id,
            _named,
            shared=shared,
            added_is_material=True,
            compare=_purpose_changes,
        ),
        *_items(
            before,
            after,
            ("recipients", "recipient"),
            _recipient_key,
            _recipient_name,
            shared=shared,
            added_is_material=True,
            compare=_recipient_changes,
        ),
        *_items(
            before,
            after,
            ("cookies", "cookie"),
            _cookie_key,
            _cookie_name,
            shared=shared,
            added_is_material=False,
        ),
    ]
    notes.extend(_language_notes(_languages_of(before), _languages_of(after)))
    notes.extend(
        ChangeNote(
            kind=f"{part}_changed",
            material=part == "automated_decisions" and _starts_profiling(before, after),
            languages=_reworded_in(_summarised(before, part), _summarised(after, part), shared),
        )
        for part in SUMMARISED_PARTS
        if _in_languages(_summarised(before, part), shared) != _in_languages(_summarised(after, part), shared)
    )
    return sorted(notes, key=lambda note: not note.material)


def _named_by_babel(code: str) -> str:
    try:
        return str(Locale.parse(code).get_display_name(code) or code)
    except (ValueError, LookupError):  # not a locale Babel knows
        return code


def _summarised(facts: Facts, part: str) -> Any:
    """A part reported as a whole, but for the languages published, which have notes of their own."""
    data = facts.get(part)
    if part == "document" and isinstance(data, dict):
        return {key: value for key, value in data.items() if key != "languages"}
    return data


def _language_notes(before: Sequence[Language], after: Sequence[Language]) -> list[ChangeNote]:
    """Each language the policy is now, or no longer, published in, named in itself ("Deutsch"): the
    one name every reader recognises, kept under the language's own code. A language since dropped
    from the table is named by Babel."""
    known = language_codes()
    return [
        ChangeNote(kind=kind, subject={code: language(code).name if code in known else _named_by_babel(code)})
        for kind, codes in (
            ("language_added", [code for code in after if code not in before]),
            ("language_removed", [code for code in before if code not in after]),
        )
        for code in codes
    ]


def _as_read_today(before: Facts, after: Facts) -> tuple[Facts, Facts]:
    """Both versions' facts as today's model reads them, so a field added since holds its default on
    both sides, without the choices of presentation that change no fact (:data:`PRESENTATION`) nor what
    only the scan reads (:data:`SCAN_ONLY`).
    When today's model no longer reads one of them, both are compared as they were stored."""
    try:
        read = [Company.model_validate(facts).model_dump(mode="json") for facts in (before, after)]
    except ValidationError:
        read = [before, after]
    return _without_presentation(read[0]), _without_presentation(read[1])


PRESENTATION = ("register", "bilingual_pdf", "logo", "last_updated")
"""Keys of ``document`` that change how the policy is written or laid out, not what it says of the
processing: a policy that starts to address its reader formally has no new websites or languages."""


SCAN_ONLY = ("hosts",)
"""Keys of a recipient that ``policygen scan`` reads and no policy states: the hosts its tools load from."""


def _without_presentation(facts: Facts) -> Facts:
    unstated = dict(facts)
    document = facts.get("document")
    if isinstance(document, dict):
        unstated["document"] = {key: value for key, value in document.items() if key not in PRESENTATION}
    recipients = facts.get("recipients")
    if isinstance(recipients, list):
        unstated["recipients"] = [
            {key: value for key, value in recipient.items() if key not in SCAN_ONLY}
            if isinstance(recipient, dict)
            else recipient
            for recipient in recipients
        ]
    return unstated


def _languages_of(facts: Facts) -> list[Language]:
    return list((facts.get("document") or {}).get("languages") or default_languages())


def _in_languages(data: Any, languages: Collection[Language]) -> Any:
    """``data`` with every per-language text (a mapping keyed by language codes) cut to ``languages``.

    Unset facts (``None``, an empty list) are left out: a version stored before the facts gained
    a field lacks it, while today's facts hold its empty default, and the text is the same.
    """
    if isinstance(data, dict):
        if data and all(key in language_codes() for key in data):
            return {key: text for key, text in data.items() if key in languages and text is not None}
        return {
            key: _in_languages(value, languages) for key, value in data.items() if value is not None and value != []
        }
    if isinstance(data, list):
        return [_in_languages(value, languages) for value in data]
    return data


def _by_id(item: Facts) -> str:
    return str(item["id"])


def _named(item: Facts) -> dict[str, str]:
    return {language: text for language, text in item["name"].items() if text}


def _recipient_key(item: Facts) -> str:
    category = {language: text for language, text in item["category"].items() if text}
    return str(item.get("name") or category.get(source_language()) or next(iter(category.values())))


def _in_every_language(name: str) -> dict[str, str]:
    return dict.fromkeys(language_codes(), name)


def _recipient_name(item: Facts) -> dict[str, str]:
    if item.get("name"):
        return _in_every_language(item["name"])
    return {language: text for language, text in item["category"].items() if text}


def _cookie_key(item: Facts) -> str:
    return f"{item['name']}\0{item['provider']}"


def _cookie_name(item: Facts) -> dict[str, str]:
    return _in_every_language(item["name"])


def _reworded_in(old: Any, new: Any, shared: frozenset[Language]) -> list[Language]:
    """The languages whose text alone differs from ``old`` to ``new``: empty where a value differs too,
    or the text of every language both versions share (a change for every reader)."""
    if _in_languages(old, frozenset()) != _in_languages(new, frozenset()):
        return []
    reworded = [
        language for language in sorted(shared) if _in_languages(old, {language}) != _in_languages(new, {language})
    ]
    return [] if len(reworded) == len(shared) else reworded


Comparison = Callable[[Facts, Facts, dict[str, str], frozenset[Language]], list[ChangeNote] | None]
"""The notes of one item found in both versions: its two versions, its name and the languages both share;
none for a change it tells of no other way, None for facts written another way that say the same."""


def _items(
    before: Facts,
    after: Facts,
    names: tuple[str, str],
    key: Callable[[Facts], str],
    name: Callable[[Facts], dict[str, str]],
    *,
    shared: frozenset[Language],
    added_is_material: bool,
    compare: Comparison | None = None,
) -> list[ChangeNote]:
    part, singular = names
    old = {key(item): item for item in before.get(part, [])}
    new = {key(item): item for item in after.get(part, [])}
    for new_key, old_key in _rekeyed(old, new, shared).items():  # one item whose key is a text that was reworded
        old[new_key] = old.pop(old_key)
    notes = [
        ChangeNote(kind=f"{singular}_added", subject=name(item), after=_summary(part, item), material=added_is_material)
        for item_key, item in new.items()
        if item_key not in old
    ]
    notes.extend(
        ChangeNote(kind=f"{singular}_removed", subject=name(item))
        for item_key, item in old.items()
        if item_key not in new
    )
    for item_key, item in new.items():
        if item_key in old and _in_languages(old[item_key], shared) != _in_languages(item, shared):
            found = compare(old[item_key], item, name(item), shared) if compare else []
            if found is None:
                continue
            reworded = _reworded_in(old[item_key], item, shared)
            notes.extend(found or [ChangeNote(kind=f"{singular}_changed", subject=name(item), languages=reworded)])
    return notes


def _rekeyed(old: dict[str, Facts], new: dict[str, Facts], shared: frozenset[Language]) -> dict[str, str]:
    """The items whose key changed with a translation alone (an unnamed recipient is known by its category,
    which a translation may correct): the key each has now, and the key it had.

    An item left behind and a new one are one item reworded when they hold the same facts but their texts,
    their texts differ in some of the shared languages only, and neither could be paired with another: a
    recipient replaced by another of the same kind ("hosting company" by "law firm") is text changed in
    every language, a removal and an addition.
    """
    gone = [old_key for old_key in old if old_key not in new]
    came = [new_key for new_key in new if new_key not in old]
    pairs: dict[str, str] = {}
    for new_key in came:
        matches = [old_key for old_key in gone if _reworded_in(old[old_key], new[new_key], shared)]
        if len(matches) == 1:
            pairs[new_key] = matches[0]
    counted = list(pairs.values())
    return {new_key: old_key for new_key, old_key in pairs.items() if counted.count(old_key) == 1}


def _summary(part: str, item: Facts) -> Any:
    if part == "recipients":
        return {"countries": item["countries"], "role": item["role"]}
    if part == "purposes":
        return {"legal_basis": item["legal_basis"]}
    return None


def _changed_keys(old: Facts, new: Facts, shared: frozenset[Language]) -> set[str]:
    return {key for key in new if _in_languages(old.get(key), shared) != _in_languages(new.get(key), shared)}


def _reworded_keys_in(old: Facts, new: Facts, keys: set[str], shared: frozenset[Language]) -> list[Language]:
    """:func:`_reworded_in` for the values of ``keys`` alone."""
    return _reworded_in({key: old.get(key) for key in keys}, {key: new.get(key) for key in keys}, shared)


def _renamed(
    singular: str, old: Facts, new: Facts, subject: dict[str, str], shared: frozenset[Language]
) -> list[ChangeNote]:
    """A new name is told with the old one ("renamed the purpose “a” to “b”"), not as a new description."""
    if _in_languages(old.get("name"), shared) == _in_languages(new.get("name"), shared):
        return []
    reworded = _reworded_in(old["name"], new["name"], shared)
    return [ChangeNote(kind=f"{singular}_renamed", subject=subject, before=old["name"], languages=reworded)]


def _category_changes(old: Facts, new: Facts, subject: dict[str, str], shared: frozenset[Language]) -> list[ChangeNote]:
    notes = _renamed("category", old, new, subject, shared)
    rest = _changed_keys(old, new, shared) - {"name"}
    if rest:
        notes.append(
            ChangeNote(kind="category_changed", subject=subject, languages=_reworded_keys_in(old, new, rest, shared))
        )
    return notes


def _purpose_changes(old: Facts, new: Facts, subject: dict[str, str], shared: frozenset[Language]) -> list[ChangeNote]:
    changed = _changed_keys(old, new, shared)
    notes = _renamed("purpose", old, new, subject, shared)
    if "legal_basis" in changed:
        notes.append(
            ChangeNote(
                kind="basis_changed",
                subject=subject,
                before=old["legal_basis"],
                after=new["legal_basis"],
                material=True,
            )
        )
    if "retention" in changed:
        notes.append(
            ChangeNote(
                kind="retention_changed",
                subject=subject,
                before=old["retention"],
                after=new["retention"],
                languages=_reworded_in(old["retention"], new["retention"], shared),
            )
        )
    rest = changed - {"legal_basis", "retention", "name"}
    if rest:
        notes.append(
            ChangeNote(kind="purpose_changed", subject=subject, languages=_reworded_keys_in(old, new, rest, shared))
        )
    return notes


def _recipient_changes(
    old: Facts, new: Facts, subject: dict[str, str], shared: frozenset[Language]
) -> list[ChangeNote] | None:
    notes = []
    new_transfers = [
        country for country in new["countries"] if not is_in_eea(country) and country not in old["countries"]
    ]
    if new_transfers:
        notes.append(ChangeNote(kind="transfer_added", subject=subject, after=new_transfers, material=True))
    before, after = _transfer_grounds(old), _transfer_grounds(new)
    regrounded = [country for country in after if country in before and before[country] != after[country]]
    moved: dict[str, list[str]] = {}  # by the safeguard they moved to, the countries whose safeguard changed
    for country in regrounded:
        safeguard = after[country][0]
        if safeguard is not None and safeguard != before[country][0]:
            moved.setdefault(safeguard, []).append(country)
    notes.extend(
        ChangeNote(
            kind="transfer_ground_changed",
            subject=subject,
            after={"safeguard": safeguard, "countries": countries},
            material=True,
        )
        for safeguard, countries in moved.items()
    )
    # The grounds are compared country by country: written another way (transfers for a safeguard), they are
    # no change, and a change beside the safeguards just told (a derogation's point, a copy) is a detail.
    grounds = {*GROUND_KEYS, "transfers"}
    changed = _changed_keys(old, new, shared)
    rest = changed - ({"countries"} if new_transfers else set()) - grounds
    told = {country for countries in moved.values() for country in countries}
    if any(country not in told for country in regrounded):
        rest |= changed & grounds
    if rest:
        notes.append(
            ChangeNote(kind="recipient_changed", subject=subject, languages=_reworded_keys_in(old, new, rest, shared))
        )
    return notes if notes or new_transfers or before != after else None


def _transfer_grounds(recipient: Facts) -> dict[str, tuple[Any, ...]]:
    """Each country outside the EEA of a recipient (as the facts store it) with its ground (:data:`GROUND_KEYS`)."""
    if recipient.get("transfers"):
        return {
            country: tuple(transfer.get(key) for key in GROUND_KEYS)
            for transfer in recipient["transfers"]
            for country in transfer["countries"]
        }
    ground = tuple(recipient.get(key) for key in GROUND_KEYS)
    return {country: ground for country in recipient["countries"] if not is_in_eea(country)}


def _starts_profiling(before: Facts, after: Facts) -> bool:
    """Whether the company starts profiling or deciding by machine itself: so too where profiling it said
    was its partners' becomes its own."""
    old, new = before.get("automated_decisions") or {}, after.get("automated_decisions") or {}
    if any(new.get(flag) and not old.get(flag) for flag in ("profiling", "solely_automated_decisions")):
        return True
    return bool(new.get("profiling")) and old.get("profiling_by") == "partners" != new.get("profiling_by")


LISTED_KINDS = frozenset(
    {
        "category_added",
        "category_removed",
        "category_changed",
        "purpose_added",
        "purpose_removed",
        "purpose_changed",
        "recipient_removed",
        "recipient_changed",
        "cookie_added",
        "cookie_removed",
        "cookie_changed",
        "language_added",
        "language_removed",
    }
)
"""Kinds of note that name only their subject: several of one kind read as one note listing them."""


def grouped_notes(notes: Sequence[ChangeNote]) -> list[list[ChangeNote]]:
    """The notes of a version, those of one listed kind (and materiality) gathered where the first stood.

    A version that rewrote six descriptions says so once, naming the six, instead of six times.
    """
    groups: list[list[ChangeNote]] = []
    listed: dict[tuple[str, bool], list[ChangeNote]] = {}
    for note in notes:
        key = (note.kind, note.material)
        if note.kind in LISTED_KINDS and key in listed:
            listed[key].append(note)
            continue
        groups.append([note])
        if note.kind in LISTED_KINDS:
            listed[key] = groups[-1]
    return groups
