"""Languages: the gettext catalogs and Babel's formatting of dates, durations, countries, lists.

Template text is written in English (the msgids); every other language comes from
``locales/<lang>/LC_MESSAGES/messages.po``. A catalog with an untranslated or fuzzy
message, or a template string missing from the catalog, stops the build: a Polish
policy must never contain a sentence in English.
"""

from __future__ import annotations

import datetime
import gettext
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_currency
from babel.support import Translations
from babel.units import format_unit

from generator.errors import LocatedMessage, Location, UserError, user_error
from generator.facts.base import Language
from generator.facts.durations import Duration
from generator.resources import LOCALES

SOURCE_LANGUAGE: Language = "en"
BABEL_LOCALES: dict[Language, str] = {"pl": "pl_PL", "en": "en_GB"}


def catalog_path(language: Language, locales: Path = LOCALES) -> Path:
    """The ``.po`` file holding ``language``'s translations."""
    return locales / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: Language, locales: Path = LOCALES) -> gettext.NullTranslations:
    """The checked translations for ``language``; English needs none, it is the source."""
    if language == SOURCE_LANGUAGE:
        return CompleteTranslations(None, language, Path())
    path = catalog_path(language, locales)
    catalog = _read_catalog(path, language)
    problems = [
        LocatedMessage(Location(str(path), message.lineno or 0, 1), f"msgid {str(message.id)!r}", problem)
        for message in catalog
        if message.id
        for problem in _problems_of(message.string, message.fuzzy)
    ]
    if problems:
        raise UserError(problems)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return CompleteTranslations(compiled, language, path)


def _read_catalog(path: Path, language: Language) -> Catalog:
    try:
        with path.open("rb") as source:
            return read_po(source, locale=BABEL_LOCALES[language], abort_invalid=True)
    except OSError as error:
        raise user_error(str(path), f"cannot read the {language} catalog: {error.strerror}") from error
    except PoFileError as error:
        raise user_error(str(path), f"broken catalog: {error}") from error


def _problems_of(string: str | tuple[str, ...] | list[str] | None, fuzzy: bool) -> list[str]:
    problems = []
    if fuzzy:
        problems.append("translation is marked fuzzy; review it and remove the flag")
    strings = tuple(string) if isinstance(string, tuple | list) else (string,)
    if not all(strings):
        problems.append("message is not translated")
    return problems


class CompleteTranslations(Translations):
    """Translations that refuse a message the catalog does not have, instead of showing English."""

    def __init__(self, compiled: BytesIO | None, language: Language, path: Path) -> None:
        super().__init__(compiled)
        self.language = language
        self.path = path

    def _require(self, message: str) -> None:
        if self.language != SOURCE_LANGUAGE and message not in self._catalog:
            raise user_error(
                str(self.path),
                f"template text {message!r} is missing from the catalog; run `make i18n` and translate it",
            )

    def gettext(self, message: str) -> str:
        self._require(message)
        return str(super().gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self.language != SOURCE_LANGUAGE and (singular, 0) not in self._catalog:
            self._require(singular)
        return str(super().ngettext(singular, plural, n))


@cache
def _babel_locale(language: Language) -> Locale:
    return Locale.parse(BABEL_LOCALES[language])


@dataclass(frozen=True)
class Formats:
    """Locale-aware formatting for one language, as templates need it."""

    language: Language

    @property
    def locale(self) -> Locale:
        return _babel_locale(self.language)

    def date(self, day: datetime.date) -> str:
        """``21 lipca 2024`` / ``21 July 2024``."""
        return str(format_date(day, format="long", locale=self.locale))

    def duration(self, duration: Duration) -> str:
        """``1 rok``, ``2 lata``, ``5 lat``, ``26 miesięcy`` / ``26 months``."""
        return str(format_unit(duration.amount, f"duration-{duration.unit.value}", length="long", locale=self.locale))

    def country(self, code: str) -> str:
        """The country's name in this language."""
        return str(self.locale.territories.get(code, code))

    def countries(self, codes: list[str]) -> str:
        """Country names joined as a list."""
        return self.list([self.country(code) for code in codes])

    def list(self, items: list[str]) -> str:
        """``A, B i C`` / ``A, B and C``."""
        return str(format_list(list(items), locale=self.locale)) if items else ""

    def money(self, amount: object, currency: str) -> str:
        """``5 000,00 zł`` / ``PLN 5,000.00``."""
        return str(format_currency(amount, currency, locale=self.locale))  # type: ignore[arg-type]
