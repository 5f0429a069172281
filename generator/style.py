"""Style rules: the facts' own text read beside the catalog's and the fonts', so a policy speaks with
one voice and every output sets every letter.

The templates address the reader in the form the facts choose (``document.register``); a
purpose or a note written in another form („Twoje dane” in a formal policy, „Państwa” in one
that says „Ty”, or „Użytkownik”, which speaks of the reader instead of to them) would sit in
the same paragraph. These are warnings: the text is the company's, and ``--strict`` fails on them.
A character the shipped fonts lack is an error: the PDF would set it in a font of whichever
machine builds it, or not at all. The rules register themselves with
:func:`generator.checks.rule` like the GDPR checks.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import Severity, company_texts, rule
from generator.facts import Company
from generator.languages import language
from generator.loading import DataPath
from generator.registers import quoted, register_words, speaks
from generator.resources import FONT_CHARACTER_RANGES


@rule(
    "STYLE-REGISTER",
    "form of address",
    "document.register",
    "rephrase it in the policy's form of address",
    Severity.WARNING,
)
def _one_form_of_address(company: Company) -> Iterator[tuple[DataPath, str]]:
    register = company.document.register
    for path, text in company_texts(company):
        written_in = path[-1] if path else None
        if not isinstance(written_in, str) or written_in not in company.document.languages:
            continue
        if register not in language(written_in).registers:
            continue
        words = register_words(text, register)
        if words:
            yield (
                path,
                f"the text says {quoted(words)}, but this policy addresses the reader {speaks(register)} "
                f"(document.register: {register})",
            )


_SET_BY_THE_FONTS = frozenset(chr(code) for first, last in FONT_CHARACTER_RANGES for code in range(first, last + 1))
_NOT_SHOWN = frozenset(("assumed", "missing"))
"""The author's notes on the facts, which no output shows (the logo's path neither)."""
SHOWN_AT_MOST = 5
"""Characters a message names, the first of a text's missing ones."""


@rule(
    "STYLE-CHARACTERS",
    "typesetting",
    "the text",
    "write it in Latin letters (those of Polish, German and western European languages) or leave the character out",
)
def _characters_the_fonts_have(company: Company) -> Iterator[tuple[DataPath, str]]:
    for path, text in company_texts(company):
        if path[0] in _NOT_SHOWN or path == ("document", "logo"):
            continue
        missing = sorted(set(text) - _SET_BY_THE_FONTS)
        if missing:
            named = ", ".join(f"'{character}' (U+{ord(character):04X})" for character in missing[:SHOWN_AT_MOST])
            more = f" and {len(missing) - SHOWN_AT_MOST} more" if len(missing) > SHOWN_AT_MOST else ""
            yield path, f"the PDF's fonts have no {named}{more}"
