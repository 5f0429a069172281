"""Notes the author keeps about single facts of a file: what was assumed, what is still awaited.

A note names its fact by the path lint prints (``cookies[0].name``), so the notes, the findings
and ``compliance.md`` speak of the same place.
"""

from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Field

from generator.facts.base import FactsModel, PlainText

FACT_PATH = re.compile(r"([a-z_]+)|\[(\d+)\]")
"""One step of a fact's path: a key (`cookies`) or an index (`[0]`)."""


FACT_PATH_PATTERN = r"^[a-z_]+(\[\d+\])*(\.[a-z_]+(\[\d+\])*)*$"


class FactNote(FactsModel):
    """A note the author keeps about one fact of the file, named by its path."""

    fact: Annotated[str, Field(pattern=FACT_PATH_PATTERN)]
    """The path of the fact, as lint names it, e.g. `cookies[0].name` or `controller.share_capital`."""
    note: PlainText
    """What the author knows about the fact and why."""

    def resolve(self, facts: Any) -> bool:
        """Whether the path names a fact present in ``facts`` (the company's dumped facts)."""
        value = facts
        for key, index in FACT_PATH.findall(self.fact):
            if key and isinstance(value, dict) and value.get(key) is not None:
                value = value[key]
            elif index and isinstance(value, list) and int(index) < len(value):
                value = value[int(index)]
            else:
                return False
        return True


class Assumption(FactNote):
    """A fact the author had to assume, for the client to confirm before the policy is published,
    e.g. `fact: cookies[0].name`, `note: the seed names no cookie; the usual session cookie name`."""


class MissingFact(FactNote):
    """A fact the company has not supplied yet, e.g. `fact: controller.share_capital`,
    `note: the seed gives none; asked the client on 2026-11-20`. A warning that asks for exactly this
    fact is reported as a note, so `lint --strict` passes while the client is asked; an error never is."""


def path_problem(model: type[BaseModel], path: str) -> str | None:
    """Why ``path`` names no fact of ``model`` (a misspelt key, an index into no list), or None."""
    current: Any = model
    for key, index in FACT_PATH.findall(path):
        current = _unwrapped(current)
        if index:
            if get_origin(current) is not list:
                return f"'{path}' indexes something that is no list"
            current = get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            fields = current.model_fields
            if key not in fields:
                close = difflib.get_close_matches(key, list(fields), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                return f"'{path}' names no fact: '{key}' is not a key here{hint}"
            current = fields[key].annotation
        else:
            return f"'{path}' names no fact: '{key}' is inside a value that has no keys"
    return None


def _unwrapped(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` as ``X``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [option for option in get_args(annotation) if option is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation
