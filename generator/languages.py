"""The table of languages (``generator/data/languages.yaml``): which languages policies are written in.

Every other module asks this table instead of listing languages itself, and asks it when
it needs the answer, never at import: adding a row (or a test pointing ``TABLE_FILE`` at
a table of its own) changes the CLI's choices, the facts schema, the catalogs and the
checks without touching their code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.errors import choice_problem, user_error
from generator.loading import read_facts_file
from generator.resources import DATA, project_cache

TABLE_FILE = DATA / "languages.yaml"

Language = str
"""A language code of the table, such as ``pl``; checked where facts or arguments name one."""


class FormOfAddress(StrEnum):
    """How a policy speaks to its reader (``document.register``), where its language has a choice.

    English has one form of address and German policies always say "Sie"; Polish ones say
    "Ty" (the default) or, as law firms, clinics and B2B companies write, "Państwo".
    """

    TY = "ty"
    PANSTWO = "panstwo"


class LanguageRow(BaseModel):
    """One language and the conventions of its legal texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
    """ISO 639 code: the key of per-language texts in facts, the folder of outputs and catalogs."""
    locale: str
    """Babel's locale for dates, plural durations, country names, lists and money."""
    name: str
    """The language's name in itself."""
    english_name: str
    """The language's name in English, for messages and reports."""
    regulation: str
    """How the language's legal texts name the GDPR (``RODO``, ``DSGVO``)."""
    nouns_capitalised: bool = False
    """Common nouns start with a capital letter (German), so a name inside a sentence keeps its capital."""
    typography: Literal["polish"] | None = None
    """The typesetting rules (generator/typography.py) that put non-breaking spaces into its text, if any."""
    eu_only_claim: str | None = None
    """A regular expression matching a claim, in this language, that data stays in the EU."""
    quotation_marks: tuple[str, str] = ("“", "”")
    """The opening and closing quotation marks (``„``, ``”``; CLDR's root ones when left out): names
    that a list would run together (``reklamy i remarketing i funkcje``) are quoted in it."""
    registers: list[FormOfAddress] = []
    """The forms of address a policy in this language may choose, the default first: its text is
    ``messages.po``; each other one's is ``<register>.po`` beside it, holding only the messages that
    read differently, with ``messages.po`` behind it. Empty: the language has one form."""

    def variant_register(self, register: FormOfAddress) -> FormOfAddress | None:
        """The register whose variant catalog a policy in ``register`` reads, if this language has one."""
        return register if register in self.registers[1:] else None

    def default_register(self) -> FormOfAddress | None:
        """The form of address of ``messages.po``, when the language has a choice."""
        return self.registers[0] if self.registers else None

    @cached_property
    def eu_only_claim_regex(self) -> re.Pattern[str] | None:
        return re.compile(self.eu_only_claim, re.IGNORECASE) if self.eu_only_claim else None


class LanguageTable(BaseModel):
    """The whole table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    default: Annotated[list[str], Field(min_length=1)]
    languages: Annotated[list[LanguageRow], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        codes = [row.code for row in self.languages]
        if len(set(codes)) != len(codes):
            raise ValueError("a language code is listed twice")
        unknown = [code for code in [self.source, *self.default] if code not in codes]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is not a row of the table")
        return self

    @property
    def codes(self) -> tuple[Language, ...]:
        return tuple(row.code for row in self.languages)

    @cached_property
    def _rows(self) -> dict[Language, LanguageRow]:
        return {row.code: row for row in self.languages}

    def row(self, code: Language) -> LanguageRow:
        """The row of ``code``; a code outside the table is a bug of the caller, which validates codes."""
        return self._rows[code]


@project_cache
def _read_table(path: Path) -> LanguageTable:
    try:
        return LanguageTable.model_validate(read_facts_file(path).data)
    except ValidationError as error:
        raise user_error(str(path), f"broken table of languages: {error}") from error


def language_table() -> LanguageTable:
    """The table in ``TABLE_FILE``, read once per path."""
    return _read_table(TABLE_FILE)


def language_codes() -> tuple[Language, ...]:
    """Every language a policy may be written in, in the table's order."""
    return language_table().codes


def languages_named(codes: Iterable[str] | str) -> tuple[Language, ...]:
    """``codes``, each a language of the table (one code may stand alone, as ``build(languages="pl")``
    in a site generator's settings): ``build()`` refuses what the command line's ``--lang`` refuses."""
    named = (codes,) if isinstance(codes, str) else tuple(codes)
    problem = choice_problem("language", named, language_codes())
    if problem:
        raise user_error("--lang", problem)
    return named


def default_languages() -> list[Language]:
    """The languages of a facts file that does not list them."""
    return list(language_table().default)


def source_language() -> Language:
    """The language of the templates' own text, which needs no catalog."""
    return language_table().source


def language(code: Language) -> LanguageRow:
    """One language's row."""
    return language_table().row(code)
