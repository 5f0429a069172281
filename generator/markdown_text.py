"""Markdown that is safe to splice together: facts are escaped exactly once.

Templates write Markdown; facts are data. Every value a template prints passes through
:func:`escape` unless it is already :class:`Markdown` (text we composed ourselves), the
way MarkupSafe treats HTML. ``Markdown % values`` escapes the values, which is what makes
``{% trans name=... %}`` blocks safe.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&!#$])")
_LINE_START_MARKER = re.compile(r"^[-+=>]")
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])")
_WHITESPACE = re.compile(r"\s+")
_NEEDS_ESCAPING = re.compile(r"[\\`*_{}\[\]<>|~&!#$]|\s\s|[^\S ]|^\s|\s$|^([-+=>]|\d+[.)])")


class Markdown(str):
    """A string of trusted Markdown; formatting it with ``%`` escapes the arguments."""

    __slots__ = ()

    def __mod__(self, values: Any) -> Markdown:
        if isinstance(values, dict):
            return Markdown(str.__mod__(self, {key: _escaped(value) for key, value in values.items()}))
        if isinstance(values, tuple):
            return Markdown(str.__mod__(self, tuple(_escaped(value) for value in values)))
        return Markdown(str.__mod__(self, _escaped(values)))


def _escaped(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else escape(value)


def escape(value: Any) -> Markdown:
    """Plain text as Markdown that renders exactly that text, on one line.

    Newlines fold into spaces: a fact can never start a heading, a list, a table row or
    front matter, whatever it contains.
    """
    if isinstance(value, Markdown):
        return value
    if isinstance(value, Markup):
        # Jinja's `|safe` marks a macro's output, which our finalize already escaped.
        return Markdown(value)
    if value is None:
        raise TypeError("None reached a template's output; a template printed a missing optional fact")
    text = str(value)
    if not _NEEDS_ESCAPING.search(text):
        return Markdown(text)  # most facts: plain words, nothing to fold or escape
    text = _WHITESPACE.sub(" ", text).strip()
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _LINE_START_MARKER.sub(lambda marker: "\\" + marker[0], text)
    return Markdown(_LINE_START_NUMBER.sub(r"\1\\\2", text))


def link(text: Any, address: str) -> Markdown:
    """A link whose destination is a validated http(s) or mailto address."""
    if re.search(r"[\s<>\\]", address):
        raise ValueError(f"unsafe link destination {address!r}")
    return Markdown(f"[{escape(text)}](<{address}>)")


def table(header: list[Any], rows: list[list[Any]]) -> Markdown:
    """A GFM pipe table; cells are escaped unless they are Markdown already.

    A column empty in every row (a fact no row states) is left out: a blank column tells the
    reader nothing and takes width the other columns need.
    """
    kept = [index for index in range(len(header)) if not rows or any(str(row[index]).strip() for row in rows)]
    header = [header[index] for index in kept]
    rows = [[row[index] for index in kept] for row in rows]
    lines = [
        "| " + " | ".join(escape(cell) for cell in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines.extend("| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows)
    return Markdown("\n".join(lines))
