"""Languages: the gettext catalogs and Babel's formatting of dates, durations, countries, lists.

Template text is written in English (the msgids); every other language comes from
``locales/<lang>/LC_MESSAGES/messages.po``. A catalog with an untranslated or fuzzy
message, or a template string missing from the catalog, stops the build: a Polish
policy must never contain a sentence in English. A translation citing the GDPR must name
it as the language's legal texts do (RODO, DSGVO: the table of languages says how).

A language with a choice of forms of address (``registers`` in the table) writes its default
form in ``messages.po`` and every other one in a variant catalog beside it
(``panstwo.po``) holding only the messages that read differently; a policy in that form
reads the variant first and ``messages.po`` behind it. The lexicon of
:mod:`generator.registers` checks that no catalog says a word of another form and that the
variant has every message it needs, and none stale.
"""

from __future__ import annotations

import datetime
import gettext
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_currency, get_currency_symbol
from babel.support import Translations
from babel.units import format_unit

from generator import resources
from generator.errors import LocatedMessage, Location, UserError, user_error
from generator.facts.durations import Duration
from generator.languages import FormOfAddress, Language, language, source_language
from generator.markdown_text import Markdown, escape, link
from generator.registers import catalog_register_problems, variant_problems
from generator.resources import project_cache


def catalog_path(language: Language, locales: Path | None = None, variant: FormOfAddress | None = None) -> Path:
    """The ``.po`` file holding ``language``'s translations (in the project's ``locales/`` by default),
    or those of its ``variant`` form of address."""
    name = f"{variant}.po" if variant else "messages.po"
    return (locales or resources.LOCALES) / language / "LC_MESSAGES" / name


def translations(
    language: Language, locales: Path | None = None, register: FormOfAddress | None = None
) -> gettext.NullTranslations:
    """The checked translations for ``language`` in the form of address ``register`` (the
    language's default when it has no such choice); the source language needs none."""
    main = catalog_path(language, locales)
    variant = _variant_of(language, register)
    if variant is None:
        return _checked_translations(language, main)
    return _variant_translations(language, main, catalog_path(language, locales, variant), variant)


def _variant_of(code: Language, register: FormOfAddress | None) -> FormOfAddress | None:
    return language(code).variant_register(register) if register else None


@project_cache
def _checked_catalog(code: Language, path: Path, register: FormOfAddress | None) -> Catalog:
    """A catalog with every message translated, none fuzzy, none in another form than ``register``."""
    catalog = _read_catalog(path, code)
    regulation = language(code).regulation
    problems = [
        LocatedMessage(Location(str(path), message.lineno or 0, 1), f"msgid {str(message.id)!r}", problem)
        for message in catalog
        if message.id
        for problem in _problems_of(message.id, message.string, message.fuzzy, regulation)
    ]
    if register is not None:
        problems.extend(catalog_register_problems(catalog, path, register))
    if problems:
        raise UserError(problems)
    return catalog


def _compiled(catalog: Catalog) -> BytesIO:
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return compiled


@project_cache
def _checked_translations(code: Language, path: Path) -> gettext.NullTranslations:
    if code == source_language():
        return CompleteTranslations(None, code, Path())
    catalog = _checked_catalog(code, path, language(code).default_register())
    return CompleteTranslations(_compiled(catalog), code, path)


@project_cache
def _variant_translations(
    code: Language, main_path: Path, path: Path, register: FormOfAddress
) -> gettext.NullTranslations:
    """The variant's messages, and the main catalog's for every message the variant leaves alone."""
    main_catalog = _checked_catalog(code, main_path, language(code).default_register())
    variant = _checked_catalog(code, path, register)
    problems = variant_problems(main_catalog, main_path, variant, path, register)
    if problems:
        raise UserError(problems)
    translations = CompleteTranslations(_compiled(variant), code, path)
    translations.add_fallback(_checked_translations(code, main_path))
    return translations


def _read_catalog(path: Path, code: Language) -> Catalog:
    try:
        with path.open("rb") as source:
            return read_po(source, locale=language(code).locale, abort_invalid=True)
    except OSError as error:
        raise user_error(str(path), f"cannot read the {code} catalog: {error.strerror}") from error
    except PoFileError as error:
        raise user_error(str(path), f"broken catalog: {error}") from error


Messages = str | tuple[str, ...] | list[str] | None


def _problems_of(message_id: Messages, string: Messages, fuzzy: bool, regulation: str) -> list[str]:
    problems = []
    if fuzzy:
        problems.append("translation is marked fuzzy; review it and remove the flag")
    strings = tuple(string) if isinstance(string, tuple | list) else (string,)
    if not all(strings):
        problems.append("message is not translated")
    elif "GDPR" in str(message_id) and not all(regulation in text for text in strings if text):
        problems.append(f"the translation cites the GDPR without its name in this language, {regulation}")
    return problems


class CompleteTranslations(Translations):
    """Translations that refuse a message the catalog does not have, instead of showing English."""

    def __init__(self, compiled: BytesIO | None, language: Language, path: Path) -> None:
        super().__init__(compiled)
        self.language = language
        self.path = path

    def _require(self, message: str) -> None:
        # A variant catalog leaves the messages it does not rephrase to the main one behind it.
        if self.language != source_language() and message not in self._catalog and self._fallback is None:
            raise user_error(
                str(self.path),
                f"template text {message!r} is missing from the catalog; run `make i18n` and translate it",
            )

    def gettext(self, message: str) -> str:
        self._require(message)
        return str(super().gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self.language != source_language() and (singular, 0) not in self._catalog:
            self._require(singular)
        return str(super().ngettext(singular, plural, n))


@cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


def babel_locale(code: Language) -> Locale:
    """Babel's locale of one language of the table."""
    return _babel_locale(language(code).locale)


@cache
def _duration_text(locale: Locale, amount: int, unit: str) -> str:
    """Kept per process: Babel's plural rules cost more than the rest of a retention sentence."""
    return str(format_unit(amount, f"duration-{unit}", length="long", locale=locale))


_WORD = re.compile(r"\w+")


def leading_word(text: str) -> str:
    """The first word of ``text`` without the quotes or punctuation around it: ``Optingo's`` -> ``Optingo``."""
    found = _WORD.search(text)
    return found[0] if found else ""


_OPENING_QUOTES = "\"'\u201e\u201c\u2018\u201a\u00ab\u2039"
"""Quotation marks that may open a text: straight, Polish and German low, English and guillemets."""


def sentence_start(text: str) -> str:
    """``text`` as it opens a sentence or a heading: its first letter a capital, past an opening quote
    (``„na start”`` -> ``„Na start”``); a text opening with anything else, or whose first word has a
    capital inside (``iPhone``, ``eID``), stays as written."""
    start = len(text) - len(text.lstrip(_OPENING_QUOTES))
    word = leading_word(text[start:])
    if not text[start : start + 1].isalpha() or any(letter.isupper() for letter in word[1:]):
        return text
    return text[:start] + text[start].upper() + text[start + 1 :]


@dataclass(frozen=True)
class Formats:
    """Locale-aware formatting for one language, as templates need it."""

    language: Language
    proper_names: frozenset[str] = frozenset()
    """Words that open a proper name, such as the company's brand and its recipients' names:
    a data category or purpose whose name starts with one keeps its capital in a sentence."""

    # Looked up once per Formats, which lives as long as a document or an environment: a policy
    # formats some hundred names, durations and lists, each of which asked the table anew.
    @cached_property
    def locale(self) -> Locale:
        return babel_locale(self.language)

    @cached_property
    def _list_joining(self) -> re.Pattern[str]:
        """What the language's list puts before its last name (``i``, ``and``), as a whole word."""
        joining = str(self.locale.list_patterns["standard"]["end"]).replace("{0}", "").replace("{1}", "").strip()
        return re.compile(rf"(?<!\w){re.escape(joining)}(?!\w)")

    def date(self, day: datetime.date) -> str:
        """``21 lipca 2024`` / ``21 July 2024``."""
        return str(format_date(day, format="long", locale=self.locale))

    def duration(self, duration: Duration) -> str:
        """``1 rok``, ``2 lata``, ``5 lat``, ``26 miesięcy`` / ``26 months``."""
        return _duration_text(self.locale, duration.amount, duration.unit.value)

    def country(self, code: str) -> str:
        """The country's name in this language."""
        return str(self.locale.territories.get(code, code))

    def countries(self, codes: list[str]) -> str:
        """Country names joined as a list."""
        return self.list([self.country(code) for code in codes])

    def list(self, items: list[str]) -> str:
        """``A, B i C`` / ``A, B and C``."""
        return str(format_list(list(items), locale=self.locale)) if items else ""

    def in_sentence(self, name: str) -> str:
        """A name as it reads inside a sentence: ``Contact data`` -> ``contact data``.

        The capital stays where the language capitalises its nouns (German), and on a proper
        name: one that opens with a word the facts name (``Google Analytics``, ``Optingo
        newsletter``, see :attr:`proper_names`), with an abbreviation or a capital inside its
        first word (``IP address``, ``CRM notes``, ``LinkedIn Insight Tag``), or whose second
        word is capitalised too (``Meta Pixel``; an abbreviation there, ``Adres IP``, proves nothing).
        """
        words = name.split()
        if not words or language(self.language).nouns_capitalised:
            return name
        first = leading_word(words[0])
        second = leading_word(words[1]) if len(words) > 1 else ""
        second_capitalised = second[:1].isupper() and not second.isupper()
        if first in self.proper_names or any(letter.isupper() for letter in first[1:]) or second_capitalised:
            return name
        return _WORD.sub(lambda letter: letter[0][:1].lower() + letter[0][1:], name, count=1)

    def names(
        self, names: Sequence[str], links: Sequence[str] = (), *, quoted: bool = False, notes: Sequence[str] = ()
    ) -> str:
        """Names of data categories, purposes or kinds of recipients in running text or a list.

        Each as it reads inside a sentence (:meth:`in_sentence`), joined by the language's list
        pattern: ``dane kontaktowe, dane o zamówieniach i Google Analytics``. The facts give
        each name once, capitalised as a heading shows it; every template that puts names into
        a sentence, a list or a table cell listing them asks here. With ``links`` (one target
        per name) each name is a Markdown link and so is the result. When a name holds what the
        list puts between names (``reklamy i remarketing``), or with ``quoted``, every name is
        quoted: „reklamy i remarketing” i „funkcje społecznościowe”. ``notes`` (Markdown, one per
        name, empty for none) follow their names outside the quotation marks: „partner
        reklamowy” (3 podmioty).
        """
        written = [self.in_sentence(name) for name in names]
        if quoted or (len(written) > 1 and any(self._runs_together(name) for name in written)):
            opening, closing = language(self.language).quotation_marks
            written = [f"{opening}{name}{closing}" for name in written]
        if not links and not notes:
            return self.list(written)
        marked: list[str] = (
            [link(name, target) for name, target in zip(written, links, strict=True)] if links else written
        )
        if notes:
            marked = [escape(name) + note for name, note in zip(marked, notes, strict=True)]
        return Markdown(self.list(marked))

    def _runs_together(self, name: str) -> bool:
        """Whether the name holds what the language's list puts between names (``i``, ``and``, a comma)."""
        return "," in name or self._list_joining.search(name) is not None

    def money(self, amount: object, currency: str) -> str:
        """``5 000,00 zł`` / ``PLN 5,000.00`` / ``€5,000.00``.

        Babel does not apply CLDR's currency spacing, so a symbol made of letters would touch
        the digits (``PLN5,000.00``); such a symbol is kept apart by a no-break space.
        """
        pattern = str(self.locale.currency_formats["standard"].pattern)
        symbol = str(get_currency_symbol(currency, locale=self.locale))
        if symbol[-1:].isalpha():
            pattern = pattern.replace("¤#", "¤\xa0#")
        if symbol[:1].isalpha():
            pattern = pattern.replace("0¤", "0\xa0¤")
        return str(format_currency(amount, currency, format=pattern, locale=self.locale))  # type: ignore[arg-type]
