"""The company's logo: a local PNG or SVG file the PDF's title block shows.

The facts name it by a path relative to the facts file. It must stay inside the project
(the folder policygen runs in), weigh at most 2 MB and be a PNG (at most 5000 pixels a
side) or an SVG; an SVG is text
a browser or a PDF viewer could run or follow, so one with scripts, event handlers,
entities or any reference to another file or address is refused. The PDF's fetcher then
serves this one file and nothing else beside the project's own assets.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree

FACTS_FILE = "facts_file"
"""Validation context key: the facts file being validated, which the logo's path is relative to."""
MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 5000
"""Per side of a PNG: a small file can declare a huge picture that takes gigabytes to decode."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SVG_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<svg[\s>]", re.DOTALL)
_SVG_DANGERS = (
    (re.compile(rb"<script", re.IGNORECASE), "a script (<script>)"),
    (re.compile(rb"\son[a-z]+\s*=", re.IGNORECASE), "an event handler attribute (on...=)"),
    (re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE), "a DOCTYPE or entity declaration"),
    (re.compile(rb"<foreignObject", re.IGNORECASE), "embedded HTML (<foreignObject>)"),
    (re.compile(rb"href\s*=", re.IGNORECASE), "a reference to another file or address (href)"),
    (re.compile(rb"url\s*\(|@import", re.IGNORECASE), "a reference to another file or address (url() or @import)"),
)


class LogoError(Exception):
    """What is wrong with the logo file, in words for the facts file's author."""


def checked_logo(relative: str, facts_file: Path, project: Path) -> Path:
    """The logo's resolved path; :class:`LogoError` says what is wrong with it."""
    path = (facts_file.parent / relative).resolve()
    if not path.is_relative_to(project.resolve()):
        raise LogoError(f"'{relative}' is outside the project (the folder policygen runs in); keep the logo inside it")
    if not path.is_file():
        raise LogoError(f"'{relative}' is not a file (the path is relative to the facts file)")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LogoError(f"'{relative}' has {size / 1024 / 1024:.1f} MB; a logo may have at most 2 MB")
    content = path.read_bytes()
    if content.startswith(PNG_SIGNATURE):
        if not _png_chunks_whole(content):
            raise LogoError(f"'{relative}' is a damaged PNG file (cut short, or a part of it changed); export it again")
        width, height = struct.unpack(">II", content[16:24])
        if not 0 < max(width, height) <= MAX_PIXELS:
            raise LogoError(f"'{relative}' is {width} x {height} pixels; a logo may have at most {MAX_PIXELS} a side")
        return path
    if not _SVG_START.match(content):
        raise LogoError(f"'{relative}' is neither a PNG nor an SVG file")
    for pattern, danger in _SVG_DANGERS:
        found = pattern.search(content)
        if found:
            line = content.count(b"\n", 0, found.start()) + 1
            raise LogoError(f"'{relative}' line {line}: the SVG contains {danger}; a logo must be a plain drawing")
    try:
        # Parsed only now: the patterns above refused entity declarations, which the parser would expand.
        ElementTree.fromstring(content)
    except ElementTree.ParseError as error:
        line, column = error.position
        raise LogoError(f"'{relative}' line {line}, column {column + 1}: the SVG is not well-formed XML") from None
    return path


def _png_chunks_whole(content: bytes) -> bool:
    """Whether every chunk of a PNG is there with its checksum, up to the closing ``IEND``.

    A PNG cut short or altered fails here; WeasyPrint would leave it out of the PDF without a word.
    """
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(content):
        (length,) = struct.unpack(">I", content[position : position + 4])
        kind_and_data = content[position + 4 : position + 8 + length]
        checksum = content[position + 8 + length : position + 12 + length]
        if len(checksum) < 4 or zlib.crc32(kind_and_data) != struct.unpack(">I", checksum)[0]:
            return False
        if kind_and_data[:4] == b"IEND":
            return True
        position += 12 + length
    return False
