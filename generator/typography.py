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
from collections.abc import Callable, Sequence

from generator.languages import Language, language_table

NBSP = "\u00a0"

_PROTECTED_INLINE = re.compile(
    r"`[^`\n]*`"  # code spans
    r"|\]\([^)\n]*\)"  # link destinations
    r"|\{#[^}\n]*\}"  # heading anchors
    r"|<[^>\n]*>"  # autolinks
)
_PROTECTED_LINES = re.compile(
    r"\n(?:"
    r" *\|?(?: *:?-+:? *\|)+ *:?-*:? *"  # table delimiter rows
    r"|---"  # front matter fences
    r")(?=\n|\Z)"
)
"""Markdown syntax whose spaces are not prose and must stay as they are. Two expressions, each
fast to search, as the spans of one never overlap those of the other: an inline span holds
no line break and a whole line of the second kind holds none of its opening characters. A
line is matched with the line break before it, searched for in the text behind a break of
its own: the engine looks for that break at full speed, where a line's start (``^``) would
be tried at every position of the text."""

_MONTHS = "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"
_UNITS = (
    r"lat|lata|rok|roku|miesiąc|miesiąca|miesiące|miesięcy|tydzień|tygodnie|tygodni|dzień|dni|dnia"
    r"|godzina|godziny|godzin|godzinę|minuta|minuty|minut|minutę|sekunda|sekundy|sekund"
    r"|r\.|zł|PLN|EUR|USD|%|KB|MB|GB|TB"
)


def _word_start(width: int, also_not_after: str = "") -> str:
    """Asserted just after the first ``width`` characters of a match: the character before the
    match is not inside a word nor an escaping backslash (nor one of ``also_not_after``);
    ``_`` (emphasis) does not join words.

    Checked after those characters rather than before the match, so that each rule starts
    with plain characters, which the regular expression engine looks for at full speed
    instead of trying every position of the text.
    """
    return rf"(?<!(?:[^\W_]|[\\{also_not_after}])" + "." * width + ")"


_REFERENCE_WORDS = ("art.", "ust.", "lit.", "pkt", "§", "nr")
_REFERENCE_CHAIN = re.compile(
    # A chain of a legal reference: art. 6 ust. 1 lit. f, art. 86 § 1, § 2 pkt 3.
    "(?:" + "|".join(re.escape(word) + " " + _word_start(len(word) + 1) for word in _REFERENCE_WORDS) + ")"
    r"\S+(?: (?:art\.|ust\.|lit\.|pkt|§|nr) \S+)*"
)
_COMPANY_FORM = re.compile(r"p\. (?<=[Ss]p\. )" + _word_start(4) + r"(?=\w)")
"""Sp. z o.o., sp. j., sp. k. Matched from its ``p`` (the ``S`` seen behind it, and the word start
before that), which the engine finds faster than a choice of two letters."""
_NUMBER = re.compile(
    r"[0-9]"
    + _word_start(1)
    + rf"(?:[0-9]? (?:{_MONTHS})(?:(?= [0-9]{{4}}(?!\w)) |(?!\w))|[0-9,.]* (?:{_UNITS})(?!\w))"
)
"""A date, 22 listopada 2026, or a number and its unit: 5 lat, 24 godziny, 100 zł, 2026 r.

The digits of Polish numbers, ``[0-9]``: a set the engine tests each character against
faster than ``\\d``, the category of every script's digits, for a third less time per search.

One search for both, as both start with a digit. A date's match ends at the space before its
year, which the search then reads as a number that may have a unit (2026 r.); as no month is
a unit, a digit starts at most one of the two, and each space between a number and the word
after it gets the same treatment as from a search for dates followed by one for units."""
_DIGITS = tuple("0123456789")
_POLISH_RULES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (_REFERENCE_CHAIN, tuple(word + " " for word in _REFERENCE_WORDS)),
    (_COMPANY_FORM, ("p. ",)),
    (_NUMBER, _DIGITS),
)
"""Each rule with the strings one of which a text must hold for the rule to match: looking for
them is many times faster than the rule's own search of a text that has nothing to change."""
_ONE_LETTER_WORD_SPACE = re.compile(r" (?<=[AaIiOoUuWwZz] )" + _word_start(2, also_not_after=".") + r"(?=[^\s|])")
"""The space after a one-letter word, before the next word: w Polsce, z o.o., i. Matched as the
space alone (its word seen behind it), which the engine finds faster than the letters."""


def _unbreakable(match: re.Match[str]) -> str:
    return match[0].replace(" ", NBSP)


def _polish(prose: str) -> str:
    for rule, needs in _POLISH_RULES:
        if any(needed in prose for needed in needs):
            prose = rule.sub(_unbreakable, prose)
    return _ONE_LETTER_WORD_SPACE.sub(NBSP, prose)


_RULES: dict[str, Callable[[str], str]] = {"polish": _polish}
"""Each set of rules by the name a language's row gives in ``typography``."""


def typeset(markdown: str, language: Language) -> str:
    """``markdown`` with the non-breaking spaces its language's typography wants, syntax untouched."""
    rules = language_table().row(language).typography
    if rules is None:
        return markdown
    apply = _RULES[rules]
    prose: list[str] = []
    syntax: list[str] = []
    position = 0
    spans = [span.span() for span in _PROTECTED_INLINE.finditer(markdown)]
    # A line's match in "\n" + markdown starts at its break, one place before the line in markdown.
    spans.extend((line.start(), line.end() - 1) for line in _PROTECTED_LINES.finditer("\n" + markdown))
    for start, end in sorted(spans):
        prose.append(markdown[position:start])
        syntax.append(markdown[start:end])
        position = end
    prose.append(markdown[position:])
    if _PROSE_BREAK in markdown:
        typeset_prose = [apply(piece) for piece in prose]
    else:
        typeset_prose = apply(_PROSE_BREAK.join(prose)).split(_PROSE_BREAK)
    return "".join(piece for pair in zip(typeset_prose, [*syntax, ""], strict=True) for piece in pair)


def typeset_all(texts: Sequence[str], language: Language) -> list[str]:
    """Each of ``texts`` as :func:`typeset` makes it, the rules passing once over them all.

    The texts are joined by line breaks and the result is cut where they were joined. That is
    each text typeset alone: no rule and no protected syntax reaches across a line break, every
    rule sees one as it sees the start or the end of a text (neither a word nor a backslash), and
    a rule only ever turns a space into a no-break space, so every text keeps its place.
    """
    joined = typeset("\n".join(texts), language)
    typeset_texts = []
    start = 0
    for text in texts:
        typeset_texts.append(joined[start : start + len(text)])
        start += len(text) + 1
    return typeset_texts


_PROSE_BREAK = "\x1f"
"""Joins the pieces of prose between protected syntax so that the rules run once per text:
whitespace, but not a space, and no word character, so that no rule matches across it and
each piece ends and begins as if it stood alone."""
