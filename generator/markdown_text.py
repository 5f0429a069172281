"""Markdown that is safe to splice together: facts are escaped exactly once.

Templates write Markdown; facts are data. Every value a template prints passes through
:func:`escape` unless it is already :class:`Markdown` (text we composed ourselves), the
way MarkupSafe treats HTML. ``Markdown % values`` escapes the values, which is what makes
``{% trans name=... %}`` blocks safe.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&!#$])")
_LINE_START_MARKER = re.compile(r"^[-+=>]")
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])")
_WHITESPACE = re.compile(r"[^\S\u00a0\u202f]+")
"""Spaces, tabs and line breaks, but not the no-break spaces (U+00A0, U+202F) that keep
``100 000,00 zł`` or ``art. 6 ust. 1`` on one line: those never start Markdown syntax."""
FOLDED_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u1680\u2000-\u200a\u2028\u2029\u205f\u3000"
"""Every character of ``\\s`` but the space and the two no-break spaces, as a character class's
content: the whitespace that :func:`escape` never keeps as it is."""
_SPECIAL_OR_FOLDED = re.compile(r"[\\`*_{}\[\]<>|~&!#$" + FOLDED_WHITESPACE + "]")
_KEPT_SPACES = (" ", "\u00a0", "\u202f")
_KEPT_SPACES_TOGETHER = re.compile("[ \u00a0\u202f]{2}")
_LINE_START_SYNTAX = re.compile(r"[-+=>]|\d+[.)]")
_NOT_IN_LINKS = re.compile(r"[\s<>\\\x00-\x1f\x7f]")
_IN_DOCUMENT_ANCHOR = re.compile(r"#[a-z][a-z0-9_-]*")
_POLICY_ONE_FOLDER_UP = re.compile(r"\.\./privacy-policy\.html#[a-z][a-z0-9_-]*")
"""A section of the full policy from a document beside it, such as an information clause."""
_MAIL_ADDRESS = re.compile(r"[^@]+@[^@.]+(\.[^@.]+)+")
"""``name@host.tld``, with anything an e-mail address may hold (``/``, ``?``) before the ``@``."""
SAFE_LINKS = (
    "a link may go to a full web address (https://host/...), an e-mail address (mailto:name@host)"
    " or a part of this policy (#anchor)"
)
"""The rule of :func:`is_safe_link`, as the messages that refuse a link state it."""


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
    if value is None:
        raise TypeError("None reached a template's output; a template printed a missing optional fact")
    text = str(value)
    if not _needs_escaping(text):
        return Markdown(text)  # most facts: plain words, nothing to fold or escape
    text = _WHITESPACE.sub(" ", text).strip()
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _LINE_START_MARKER.sub(lambda marker: "\\" + marker[0], text)
    return Markdown(_LINE_START_NUMBER.sub(r"\1\\\2", text))


def _needs_escaping(text: str) -> bool:
    """Whether ``text`` holds syntax to escape, whitespace to fold or spaces to strip.

    One character class finds the syntax and the whitespace that is never kept; what whitespace
    is left is a space or a no-break space, found in plain string searches. A regular expression
    trying each case at every character took a fifth of the templates' time.
    """
    if _SPECIAL_OR_FOLDED.search(text):
        return True
    return bool(
        text.startswith(_KEPT_SPACES)
        or text.endswith(_KEPT_SPACES)
        or "  " in text
        or (("\u00a0" in text or "\u202f" in text) and _KEPT_SPACES_TOGETHER.search(text))
        or _LINE_START_SYNTAX.match(text)
    )


def is_safe_link(address: str) -> bool:
    """Whether a policy may link to ``address``: the one rule for every link, see :data:`SAFE_LINKS`.

    Templates, validation of the companies' Markdown and the HTML renderer all ask here,
    so a destination that is refused in the facts can never turn into a link anywhere.
    A scheme without a host (``https:evil.example``) is refused: browsers resolve it
    against the page's own address, somewhere its author never meant.
    """
    if _NOT_IN_LINKS.search(address):
        return False
    if address.startswith("#"):
        return bool(_IN_DOCUMENT_ANCHOR.fullmatch(address))
    if address.startswith("../"):
        return bool(_POLICY_ONE_FOLDER_UP.fullmatch(address))
    scheme, _, rest = address.partition(":")
    if scheme.lower() == "mailto":
        return bool(_MAIL_ADDRESS.fullmatch(rest))
    if scheme.lower() not in ("http", "https") or not rest.startswith("//"):
        return False
    try:
        return bool(urlsplit(address).hostname)
    except ValueError:  # a malformed host, such as an unclosed IPv6 bracket
        return False


def link(text: Any, address: str) -> Markdown:
    """A link to a destination that :func:`is_safe_link` allows."""
    if not is_safe_link(address):
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
