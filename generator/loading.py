"""Reading a facts file: safe YAML 1.2 with the position of every key and value.

We build the data from the parser's event stream ourselves instead of using a YAML
constructor, for three reasons: every node's position is kept for located errors, the
features that make YAML unsafe or surprising (aliases, anchors, tags, duplicate keys,
several documents) are refused where they occur, and nothing recurses, so a deeply
nested file is a located error rather than a crashed interpreter.

The events come from libyaml (PyYAML's C parser, some thirty times faster than a pure
Python one), and plain scalars are typed here by the YAML 1.2 core schema, so ``NO`` and
``yes`` stay strings and ``2024-07-21`` stays text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev
from yaml.error import MarkedYAMLError, YAMLError
from yaml.reader import ReaderError

from generator.errors import LocatedMessage, Location, user_error

MAX_FILE_BYTES = 1024 * 1024
"""Facts of the largest real company fit in a few dozen kilobytes; anything near this is a mistake."""

MAX_DEPTH = 24
"""The facts schema nests about eight levels; deeper input cannot be valid."""

DataPath = tuple[str | int, ...]
Point = tuple[int, int]


def field_path(path: DataPath) -> str:
    """``("purposes", 2, "retention")`` as ``purposes[2].retention``."""
    shown = ""
    for step in path:
        shown += f"[{step}]" if isinstance(step, int) else (f".{step}" if shown else step)
    return shown


@dataclass
class LoadedYaml:
    """The plain data of one file and where each piece of it stands."""

    source: str
    data: Any
    value_points: dict[DataPath, Point] = field(default_factory=dict)
    key_points: dict[DataPath, Point] = field(default_factory=dict)
    repeated_keys: list[LocatedMessage] = field(default_factory=list)
    """Keys given twice in one mapping, each where it repeats, when parsing went on past them
    (``keep_going``): the first value stands, and validation reports them with every other problem."""

    def point_of_value(self, path: DataPath) -> Point:
        """Where the value at ``path`` starts, or its nearest enclosing value's start."""
        while path not in self.value_points and path:
            path = path[:-1]
        return self.value_points.get(path, (1, 1))

    def point_of_key(self, path: DataPath) -> Point:
        """Where the key naming ``path`` stands; for list items, where the item starts."""
        return self.key_points.get(path) or self.point_of_value(path)


def read_facts_file(path: Path, shown_as: str | None = None, *, keep_going: bool = False) -> LoadedYaml:
    """Read and parse ``path``; every failure is a located :class:`UserError`."""
    name = shown_as or str(path)
    return parse_facts(read_facts_bytes(path, name), name, keep_going=keep_going)


def read_facts_bytes(path: Path, name: str) -> bytes:
    """The bytes of a facts file, refusing a file too large before reading any of it."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise user_error(name, f"file is {size} bytes; facts files are limited to {MAX_FILE_BYTES} bytes")
        return path.read_bytes()
    except OSError as error:
        raise user_error(name, f"cannot read the file: {error.strerror}") from error


def parse_facts(raw: bytes, name: str, *, keep_going: bool = False) -> LoadedYaml:
    """Parse the bytes of a facts file named ``name`` in messages.

    A key given twice is an error at once, or, with ``keep_going``, one of the
    :attr:`LoadedYaml.repeated_keys` that validation reports with the file's other problems
    (a company's facts: the author fixes them all in one go).
    """
    if len(raw) > MAX_FILE_BYTES:
        raise user_error(name, f"file is {len(raw)} bytes; facts files are limited to {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _point_of_byte(raw, error.start)
        raise user_error(
            name, f"the file is not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded", line=line, column=column
        ) from error
    builder = _Builder(name, text, keep_going=keep_going)
    try:
        try:
            builder.consume(yaml.parse(text, Loader=_EVENT_SOURCE))
        except MarkedYAMLError as error:
            if "maximum nesting depth" not in str(error.problem) or _EVENT_SOURCE is yaml.SafeLoader:
                raise
            # libyaml (PyYAML 6.0.4) stops a deep nesting while reading ahead, before its events reach
            # the builder; PyYAML's own parser hands them over, and the builder names where the
            # facts are nested deeper than any schema.
            builder = _Builder(name, text, keep_going=keep_going)
            builder.consume(yaml.parse(text, Loader=yaml.SafeLoader))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        tab = mark is not None and text[mark.index : mark.index + 1] == "\t"
        problem = _yaml_problem(error, tab=tab, line=line, found=_what_stands_there(text, mark))
        raise user_error(name, f"YAML syntax error: {problem}", line=line, column=column) from error
    except ReaderError as error:
        line, column = _point_of_character(text, error.position)
        raise user_error(
            name, f"character U+{error.character:04X} is not allowed in YAML", line=line, column=column
        ) from error
    except YAMLError as error:
        raise user_error(name, f"YAML syntax error: {error}") from error
    return builder.result()


_QUOTE_A_COLON = (
    "a ': ' where no key can start; put a text that holds ': ' in quotes (\"Cel: marketing\"), "
    "or indent this key as the keys beside it"
)
_PROBLEMS_EXPLAINED = {
    # Polish text often holds a colon: "Cel: marketing" ends a plain text at ": ". (The first key is
    # PyYAML's wording without its C library.)
    "mapping values are not allowed here": _QUOTE_A_COLON,
    "mapping values are not allowed in this context": _QUOTE_A_COLON,
    "found a tab character that violates indentation": "a tab, where YAML indents with spaces only",
}
"""PyYAML's words for the mistakes people make most, and what to do about them."""


_NO_KEY_WHERE_EXPECTED = {
    "key": "this line is indented differently from the keys beside it; indent it with as many spaces as they have",
    "item": "a list item ('- ') where a key belongs; indent it under the key whose list it is",
    "text after quotes": "text after a closing quote; put the whole text in quotes",
}
"""PyYAML's "did not find expected key", and a mapping that is seldom the one meant, told by what stands there."""


def _what_stands_there(text: str, mark: Any) -> str:
    """What a mapping found in place of its next key: a key of its own line, a list item, text after quotes."""
    if mark is None:
        return ""
    before = text[text.rfind("\n", 0, mark.index) + 1 : mark.index]
    if before.strip(" "):
        return "text after quotes" if before.rstrip(" ").endswith(("'", '"')) else ""
    return "item" if text[mark.index : mark.index + 1] == "-" else "key"


def _yaml_problem(error: MarkedYAMLError, *, tab: bool, line: int, found: str) -> str:
    """What went wrong, in words that say what to change."""
    problem = (error.problem or error.context or "invalid YAML").replace("found '?'", "found a key")
    if tab and "cannot start any token" in problem:
        return "a tab, where YAML indents with spaces only"
    if problem == "did not find expected key" and found in _NO_KEY_WHERE_EXPECTED:
        return _NO_KEY_WHERE_EXPECTED[found]
    if problem in _PROBLEMS_EXPLAINED:
        return _PROBLEMS_EXPLAINED[problem]
    opened = error.context_mark
    if error.problem and error.context and opened is not None and opened.line + 1 != line:
        # An unclosed bracket or quote is noticed far from where it was opened.
        problem += f" ({error.context} started at line {opened.line + 1}, column {opened.column + 1})"
    return problem


def _point_of_character(text: str, offset: int) -> Point:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _point_of_byte(raw: bytes, offset: int) -> Point:
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", errors="replace")) + 1


class _Builder:
    """Turns parser events into plain dicts, lists and scalars, recording positions."""

    def __init__(self, name: str, text: str, *, keep_going: bool) -> None:
        self.name = name
        self.text = text
        self.keep_going = keep_going
        self.loaded = LoadedYaml(source=name, data=None)
        self.stack: list[tuple[DataPath, dict[str, Any] | list[Any], bool]] = []
        """Each open collection: its path, itself, and whether it is the value of a repeated key,
        read to go on past it but kept nowhere."""
        self.pending_key: tuple[str, Point] | None = None
        self.repeated_key_value = False
        """Whether the value to come is a repeated key's."""
        self.placed_nowhere = False
        """Whether the value last placed was a repeated key's."""
        self.reported_repeats: set[DataPath] = set()
        self.documents = 0

    def result(self) -> LoadedYaml:
        return self.loaded

    def fail(self, event: ev.Event, message: str, field: str = "") -> None:
        line, column = _point_of(event)
        raise user_error(self.name, message, line=line, column=column, field=field)

    def consume(self, stream: Any) -> None:
        for event in stream:
            if isinstance(event, ev.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    self.fail(event, "a facts file holds one YAML document; remove the second '---'")
            elif isinstance(event, ev.AliasEvent):
                self.fail(
                    event,
                    f"aliases (*{event.anchor}) are not allowed; write the value out in full",
                    field_path(self.next_path()),
                )
            elif isinstance(event, ev.ScalarEvent | ev.MappingStartEvent | ev.SequenceStartEvent):
                self.check_plain(event)
                if isinstance(event, ev.ScalarEvent):
                    self.scalar(event)
                else:
                    self.open_collection(event)
            elif isinstance(event, ev.MappingEndEvent | ev.SequenceEndEvent):
                self.stack.pop()

    def check_plain(self, event: ev.NodeEvent) -> None:
        if event.anchor is not None:
            self.fail(
                event,
                f"anchors (&{event.anchor}) are not allowed; facts files use no anchors or aliases",
                field_path(self.next_path()),
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = str(tag).replace("tag:yaml.org,2002:", "!!")
            self.fail(event, f"tags ({shown}) are not allowed; write plain values", field_path(self.next_path()))

    def next_path(self) -> DataPath:
        """Where the next value goes: an item's or a key's value, or, for a key, the mapping that holds it."""
        if not self.stack:
            return ()
        parent_path, parent, _kept_nowhere = self.stack[-1]
        if isinstance(parent, list):
            return (*parent_path, len(parent))
        return (*parent_path, self.pending_key[0]) if self.pending_key is not None else parent_path

    def place(self, event: ev.Event, value: Any) -> DataPath | None:
        """Put ``value`` where the current collection expects it; ``None`` when it is a key."""
        point = _point_of(event)
        self.placed_nowhere = False
        if not self.stack:
            if not self.documents:
                self.documents = 1
            self.loaded.data = value
            self.loaded.value_points[()] = point
            return ()
        parent_path, parent, kept_nowhere = self.stack[-1]
        if isinstance(parent, list):
            path = (*parent_path, len(parent))
            parent.append(value)
        elif self.pending_key is None:
            if not isinstance(value, str):
                self.fail(event, "a mapping key must be a plain word, not a list or mapping")
            if value in parent:
                self.repeated_key(event, parent_path, value, kept_nowhere)
            self.pending_key = (value, point)
            return None
        else:
            key, key_point = self.pending_key
            self.pending_key = None
            path = (*parent_path, key)
            if self.repeated_key_value:
                self.repeated_key_value = False
                self.placed_nowhere = True
                return path
            parent[key] = value
            if not kept_nowhere:
                self.loaded.key_points[path] = key_point
            if value is None and isinstance(event, ev.ScalarEvent) and event.value == "":
                # An empty value is marked where the next token starts, often on a later line.
                point = key_point
        if not kept_nowhere:
            self.loaded.value_points[path] = point
        return path

    def repeated_key(self, event: ev.Event, parent_path: DataPath, key: str, kept_nowhere: bool) -> None:
        first_line = self.loaded.key_points[(*parent_path, key)][0] if not kept_nowhere else None
        message = f"duplicate key '{key}'" + (f" (first defined at line {first_line})" if first_line else "")
        field = field_path((*parent_path, key))
        if not self.keep_going:
            self.fail(event, message, field)
        self.repeated_key_value = True
        if (*parent_path, key) in self.reported_repeats:
            return  # once per key of a mapping: the first repetition is the one to remove first
        self.reported_repeats.add((*parent_path, key))
        line, column = _point_of(event)
        self.loaded.repeated_keys.append(LocatedMessage(Location(self.name, line, column), field, message))

    def scalar(self, event: ev.ScalarEvent) -> None:
        expecting_key = bool(self.stack) and isinstance(self.stack[-1][1], dict) and self.pending_key is None
        value: Any = event.value if expecting_key else self.resolve(event)
        self.place(event, value)

    def open_collection(self, event: ev.CollectionStartEvent) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self.fail(event, f"nested deeper than {MAX_DEPTH} levels; the facts schema is far shallower")
        collection: dict[str, Any] | list[Any] = {} if isinstance(event, ev.MappingStartEvent) else []
        path = self.place(event, collection)
        if path is None:
            self.fail(event, "a mapping key must be a plain word, not a list or mapping")
            return
        kept_nowhere = self.placed_nowhere or (bool(self.stack) and self.stack[-1][2])
        self.stack.append((path, collection, kept_nowhere))

    def resolve(self, event: ev.ScalarEvent) -> Any:
        """YAML 1.2 core schema: quoted scalars and dates stay text, so ``NO`` is a string."""
        text = event.value
        if event.style:
            return text
        if _NULL.fullmatch(text):
            return None
        if _BOOL.fullmatch(text):
            return text.lower() == "true"
        if _INT.fullmatch(text):
            try:
                return int(text, 0) if text[:2] in ("0o", "0x") else int(text, 10)
            except ValueError:  # more digits than Python converts: no fact is such a number
                return text
        if _FLOAT.fullmatch(text):
            lowered = text.lower()
            if lowered.lstrip("+-") == ".inf":
                return -math.inf if lowered.startswith("-") else math.inf
            return math.nan if lowered == ".nan" else float(text)
        return text


def _point_of(event: ev.Event) -> Point:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


_EVENT_SOURCE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it, else PyYAML's own."""

# The YAML 1.2 core schema's plain scalars (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
