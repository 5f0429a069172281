"""Forms of address: which words belong to which, checked in the catalogs, the facts and the output.

A Polish policy speaks to its reader as „Ty” or, formally, as „Państwo” (``document.register``).
A sentence that slips into the other form, or into „Użytkownik”, makes the policy read as if
stitched from two. The words of each form are listed once, in ``generator/data/registers.yaml``;
the catalog check below, the STYLE-REGISTER rule (:mod:`generator.style`) and the tests of the
generated text all ask :func:`register_words`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from pydantic import BaseModel, ConfigDict, ValidationError

from generator.errors import LocatedMessage, Location, user_error
from generator.languages import FormOfAddress
from generator.loading import read_facts_file
from generator.resources import DATA, project_cache

LEXICON_FILE = DATA / "registers.yaml"

_INSIDE_SENTENCE = r"(?:(?<=[\w,;:)\-\u2013\u2014]\s)|(?<=[(\u201e\"/]))"
"""Preceded by a word, a comma or a dash and a space, or by an opening bracket or quote: not a sentence's first word."""


class InsideSentence(BaseModel):
    """A word that counts only inside a sentence, where its capital is a courtesy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inside_sentence: str


class RegisterWords(BaseModel):
    """The words of one form of address, and how to describe it to a writer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    speaks: str
    words: list[str | InsideSentence]


class Lexicon(BaseModel):
    """The whole lexicon file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    registers: dict[FormOfAddress, RegisterWords]
    third_person: list[str]


@dataclass(frozen=True)
class RegisterWord:
    """A word of a text that speaks to its reader otherwise than the text's form of address."""

    text: str
    start: int
    belongs_to: FormOfAddress | None
    """The form it belongs to; none for a word that speaks of the reader in the third person."""


@dataclass(frozen=True)
class _Compiled:
    patterns: dict[FormOfAddress | None, re.Pattern[str]]
    speaks: dict[FormOfAddress, str]


def _pattern(words: Iterable[str | InsideSentence]) -> re.Pattern[str]:
    alternatives = [
        f"{_INSIDE_SENTENCE}(?:{word.inside_sentence})" if isinstance(word, InsideSentence) else f"(?:{word})"
        for word in words
    ]
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")


@project_cache
def _compiled(path: Path) -> _Compiled:
    try:
        lexicon = Lexicon.model_validate(read_facts_file(path).data)
        patterns: dict[FormOfAddress | None, re.Pattern[str]] = {
            register: _pattern(entry.words) for register, entry in lexicon.registers.items()
        }
        patterns[None] = _pattern(lexicon.third_person)
    except (ValidationError, re.error) as error:
        raise user_error(str(path), f"broken lexicon of forms of address: {error}") from error
    return _Compiled(patterns, {register: entry.speaks for register, entry in lexicon.registers.items()})


_QUOTATION = re.compile(r"„[^„”]*”|“[^“”]*”|\"(?=\S)[^\".!?\n]{1,40}(?<=\S)\"")
"""A quotation: a link's or button's label („wypisz się”) is quoted, not said to the reader. Between
straight quotes only a short label counts, so a lone `"` (a 24" screen) hides no sentence."""


def register_words(text: str, register: FormOfAddress) -> list[RegisterWord]:
    """The words of ``text``, outside quotations, that a policy speaking in ``register`` does not say, in order."""
    lexicon = _compiled(LEXICON_FILE)
    quotations = [quotation.span() for quotation in _QUOTATION.finditer(text)]
    found = [
        RegisterWord(match.group(), match.start(), belongs_to)
        for belongs_to, pattern in lexicon.patterns.items()
        if belongs_to != register
        for match in pattern.finditer(text)
        if not any(start <= match.start() < end for start, end in quotations)
    ]
    return sorted(found, key=lambda word: word.start)


def speaks(register: FormOfAddress) -> str:
    """How a text in ``register`` addresses its reader, with examples: ``in the second person, as „Ty”, ...``."""
    return _compiled(LEXICON_FILE).speaks[register]


def quoted(words: Iterable[RegisterWord]) -> str:
    """``„Twoje”, „możesz”``: each distinct word once."""
    return ", ".join(f"„{text}”" for text in dict.fromkeys(word.text for word in words))


def message_text(message_string: object) -> str:
    """A message's translation, its plural forms joined."""
    return " ".join(message_string) if isinstance(message_string, tuple | list) else str(message_string or "")


def needs_variant(message: Message, register: FormOfAddress) -> list[RegisterWord]:
    """The words that keep a main catalog's message from being said in ``register`` as it stands."""
    return register_words(message_text(message.string), register) if message.id else []


def catalog_register_problems(catalog: Catalog, path: Path, register: FormOfAddress) -> list[LocatedMessage]:
    """Every message of a catalog written in ``register`` that says a word of another form."""
    return [
        LocatedMessage(
            Location(str(path), message.lineno or 0, 1),
            f"msgid {str(message.id)!r}",
            f"{quoted(words)} does not belong to the {register} form of address; write it {speaks(register)}",
        )
        for message in catalog
        if (words := needs_variant(message, register))
    ]


def variant_problems(
    main: Catalog, main_path: Path, variant: Catalog, variant_path: Path, register: FormOfAddress
) -> list[LocatedMessage]:
    """What a variant catalog lacks or keeps in vain against its main catalog.

    Every main message that says a word the variant's form does not say needs its own text in
    the variant; every variant message must rephrase a main message (else it is stale: its
    msgid changed or went away, and the policy would fall back to the main text unseen).
    """
    problems = [
        LocatedMessage(
            Location(str(main_path), message.lineno or 0, 1),
            f"msgid {str(message.id)!r}",
            f"{quoted(words)} is not how a {register} policy speaks, and {variant_path} has no {register} "
            f"form of this message; add one, written {speaks(register)}",
        )
        for message in main
        if message.id not in variant and (words := needs_variant(message, register))
    ]
    problems.extend(
        LocatedMessage(
            Location(str(variant_path), message.lineno or 0, 1),
            f"msgid {str(message.id)!r}",
            f"stale: {main_path} has no such message; remove it, or give it the msgid of the message it rephrases",
        )
        for message in variant
        if message.id and message.id not in main
    )
    return problems
