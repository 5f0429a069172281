"""Non-breaking spaces where a language's typography forbids a line break.

Polish typesetting never leaves a one-letter word (``w``, ``z``, ``i``...) at the end of a
line, never splits a legal reference (``art. 6 ust. 1 lit. f``, ``§ 1``), a company form
(``Sp. z o.o.``), a number from its unit (``5 lat``) or a date (``22 listopada 2026``).
The rules are applied once, to every block of Markdown the templates render (facts already
inserted), so the Markdown, HTML, PDF, DOCX and every other output carry the same U+00A0
characters and a policy's text changes in one place only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from generator.languages import Language, language_table

NBSP = "\u00a0"

_PROTECTED = re.compile(
    r"`[^`\n]*`"  # code spans
    r"|\]\([^)\n]*\)"  # link destinations
    r"|\{#[^}\n]*\}"  # heading anchors
    r"|<[^>\n]*>"  # autolinks
    r"|^ *\|?(?: *:?-+:? *\|)+ *:?-*:? *$"  # table delimiter rows
    r"|^---$",  # front matter fences
    re.MULTILINE,
)
"""Markdown syntax whose spaces are not prose and must stay as they are."""

_MONTHS = "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"
_UNITS = (
    r"lat|lata|rok|roku|miesiąc|miesiąca|miesiące|miesięcy|tydzień|tygodnie|tygodni|dzień|dni|dnia"
    r"|godzina|godziny|godzin|godzinę|minuta|minuty|minut|minutę|sekunda|sekundy|sekund"
    r"|r\.|zł|PLN|EUR|USD|%|KB|MB|GB|TB"
)
_WORD_START = r"(?<![^\W_])(?<!\\)"
"""Not inside a word nor after an escaping backslash; ``_`` (emphasis) does not join words."""
_POLISH_RULES: tuple[re.Pattern[str], ...] = (
    # A chain of a legal reference: art. 6 ust. 1 lit. f, art. 86 § 1, § 2 pkt 3.
    re.compile(_WORD_START + r"(?:art\.|ust\.|lit\.|pkt|§|nr) \S+(?: (?:art\.|ust\.|lit\.|pkt|§|nr) \S+)*"),
    # Company forms: Sp. z o.o., sp. j., sp. k.
    re.compile(_WORD_START + r"[Ss]p\. (?=\w)"),
    # A date: 22 listopada 2026.
    re.compile(_WORD_START + rf"\d{{1,2}} (?:{_MONTHS})(?: \d{{4}})?(?!\w)"),
    # A number and its unit: 5 lat, 24 godziny, 100 zł.
    re.compile(_WORD_START + rf"\d[\d,.]* (?:{_UNITS})(?!\w)"),
    # A one-letter word and the word after it: w Polsce, z o.o., i.
    re.compile(_WORD_START + r"(?<!\.)[AaIiOoUuWwZz] (?=[^\s|])"),
)


def _polish(prose: str) -> str:
    for rule in _POLISH_RULES:
        prose = rule.sub(lambda match: match[0].replace(" ", NBSP), prose)
    return prose


_RULES: dict[str, Callable[[str], str]] = {"polish": _polish}
"""Each set of rules by the name a language's row gives in ``typography``."""


def typeset(markdown: str, language: Language) -> str:
    """``markdown`` with the non-breaking spaces its language's typography wants, syntax untouched."""
    rules = language_table().row(language).typography
    if rules is None:
        return markdown
    apply = _RULES[rules]
    pieces: list[str] = []
    position = 0
    for syntax in _PROTECTED.finditer(markdown):
        pieces.append(apply(markdown[position : syntax.start()]))
        pieces.append(syntax[0])
        position = syntax.end()
    pieces.append(apply(markdown[position:]))
    return "".join(pieces)
