"""From a facts file to a validated :class:`~generator.facts.Company`, or located errors.

Pydantic reports a problem by its path through the data; the loader knows where each
path stands in the file. Joining the two gives every problem as
``file:line:col: field.path: message``, all problems of a file at once.
"""

from __future__ import annotations

import datetime
import difflib
import re
import types
import typing
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.checks import Finding, Severity, check_company, stale_legal_facts
from generator.errors import LocatedMessage, Location, UserError
from generator.facts import Company
from generator.facts.base import DATE_WRITTEN, IDENTIFIER_PATTERN, ISO_DATE, PUBLISHED_LANGUAGES, UNKNOWN_LANGUAGE
from generator.facts.company import published_languages
from generator.facts.controller import CURRENCY_PATTERN
from generator.facts.processing import COOKIE_PARTY_PATTERN
from generator.legal import legal_facts_file
from generator.loading import DataPath, LoadedYaml, field_path, read_facts_file
from generator.logo import FACTS_FILE
from generator.project import display_name


@dataclass(frozen=True)
class Checked:
    """Valid facts, and the warnings the GDPR checks raised about them."""

    company: Company
    warnings: tuple[LocatedMessage, ...]
    notes: tuple[LocatedMessage, ...] = ()
    """Warnings about facts listed as ``missing``: ``validate`` and ``lint`` show them, builds do not."""


def load_company(path: Path | str) -> Company:
    """Read, parse and validate one company's facts file, GDPR checks included."""
    return check_file(Path(path)).company


def check_file(path: Path, *, strict: bool = False) -> Checked:
    """Validate one facts file; with ``strict``, warnings are errors too."""
    return check_loaded(read_facts_file(path, display_name(path), keep_going=True), strict=strict)


def validate_files(paths: list[Path], *, strict: bool = False) -> list[Checked]:
    """Validate several files, reporting the problems of all of them together."""
    checked: list[Checked] = []
    problems: list[LocatedMessage] = []
    for path in paths:
        try:
            checked.append(check_file(path, strict=strict))
        except UserError as error:
            problems.extend(error.messages)
    if problems:
        raise UserError(problems)
    return checked


def located_findings(loaded: LoadedYaml, company: Company) -> list[tuple[Finding, LocatedMessage]]:
    """Every GDPR-check finding of valid facts, with where it stands in the file."""
    return [
        (finding, _message(loaded, finding.path, finding.text, pointing_at_key=False))
        for finding in check_company(company)
    ]


def check_loaded(loaded: LoadedYaml, *, strict: bool = False) -> Checked:
    """Schema, references, then the GDPR rules; raises :class:`UserError` listing every error."""
    company = validate_loaded(loaded)
    located = located_findings(loaded, company)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    errors = [message for finding, message in located if finding.severity in failing]
    warned = sum(finding.severity is Severity.WARNING for finding, _message in located) if strict else 0
    if warned:  # printed as warnings, they would not say why the command failed
        made = "its 1 warning an error" if warned == 1 else f"its {warned} warnings errors"
        errors.append(LocatedMessage.about_file(loaded.source, f"--strict makes {made}"))
    if errors:
        raise UserError(errors)
    return Checked(
        company,
        tuple(message for finding, message in located if finding.severity is not Severity.NOTE),
        tuple(message for finding, message in located if finding.severity is Severity.NOTE),
    )


def legal_facts_warnings(today: datetime.date) -> list[LocatedMessage]:
    """A warning for each legal fact not verified within a year of ``today``."""
    loaded = legal_facts_file()
    warnings = []
    for name, verified in stale_legal_facts(today):
        path: DataPath = (name,) if name in loaded.data else _term_path(loaded, name)
        warnings.append(
            _message(
                loaded,
                (*path, "verified"),
                f"warning: LEGAL-FACTS-STALE: '{name}' was last verified on "
                f"{verified.isoformat()}, over a year ago; check it against its source and update it",
                pointing_at_key=False,
            )
        )
    return warnings


def _term_path(loaded: LoadedYaml, term_id: str) -> DataPath:
    terms = loaded.data.get("outdated_terms", [])
    index = next(position for position, term in enumerate(terms) if term.get("id") == term_id)
    return ("outdated_terms", index)


def validate_loaded(loaded: LoadedYaml) -> Company:
    """Validate parsed facts against the schema; raises :class:`UserError` listing every problem."""
    if loaded.data is None and () not in loaded.value_points:
        raise _error(
            loaded, (), "the file holds no facts (it is empty or only comments); start with keys such as 'controller:'"
        )
    if not isinstance(loaded.data, dict):
        kind = {list: "a list", type(None): "an empty value"}.get(type(loaded.data), "a single value")
        raise _error(loaded, (), f"expected a mapping of company facts at the top level, found {kind}")
    repeated = loaded.repeated_keys
    try:
        context = {PUBLISHED_LANGUAGES: published_languages(loaded.data), FACTS_FILE: loaded.source}
        company = Company.model_validate(loaded.data, context=context)
    except ValidationError as error:
        problems = [each for problem in error.errors(include_url=False) for each in _each_problem(problem)]
        problems = _without_keys_misspelled(loaded, problems)
        raise UserError([*repeated, *(_locate(loaded, problem) for problem in problems)]) from None
    problems = company.reference_problems()
    if problems or repeated:
        raise UserError([*repeated, *(_message(loaded, path, text, pointing_at_key=False) for path, text in problems)])
    return company


def _without_keys_misspelled(loaded: LoadedYaml, problems: list[Any]) -> list[Any]:
    """The problems, less a required key's absence where an unknown key beside it is that key misspelled.

    ``legal_fom:`` is the missing ``legal_form``: its "did you mean 'legal_form'?" says all, where
    "required key is missing" pointed at the mapping's first key besides.
    """
    meant: set[tuple[Any, ...]] = set()
    for problem in problems:
        if problem["type"] != "extra_forbidden":
            continue
        *parent, key = problem["loc"]
        path, rest = _data_path(loaded.data, tuple(parent))
        misspelled = None if rest else _key_meant(str(key), _fields_of_model_at(path))
        if misspelled is not None:
            meant.add((*parent, misspelled))
    return [problem for problem in problems if not (problem["type"] == "missing" and tuple(problem["loc"]) in meant)]


def _error(loaded: LoadedYaml, path: DataPath, message: str) -> UserError:
    return UserError([_message(loaded, path, message, pointing_at_key=False)])


def _message(loaded: LoadedYaml, path: DataPath, text: str, *, pointing_at_key: bool) -> LocatedMessage:
    line, column = loaded.point_of_key(path) if pointing_at_key else loaded.point_of_value(path)
    return LocatedMessage(Location(loaded.source, line, column), field_path(path), text)


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[DataPath, tuple[int | str, ...]]:
    """Split pydantic's ``loc`` into the part that exists in the data and the rest.

    ``loc`` may contain union branch labels that are not in the data; they are skipped.
    """
    path: list[str | int] = []
    current = data
    for index, step in enumerate(loc):
        in_mapping = isinstance(current, dict) and isinstance(step, str) and step in current
        in_list = isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current)
        if in_mapping or in_list:
            current = current[step]
            path.append(step)
        elif isinstance(current, dict | list):
            return tuple(path), tuple(loc[index:])
    return tuple(path), ()


def _each_problem(problem: Any) -> list[Any]:
    """A pydantic error, and the others a model's rule found with it (:func:`generator.facts.base.fact_errors`)."""
    context = problem.get("ctx") or {}
    more = [
        {**problem, "msg": message, "ctx": {**context, "field": field, "more": ()}}
        for field, message in context.get("more", ())
    ]
    return [problem, *more]


def _locate(loaded: LoadedYaml, problem: Any) -> LocatedMessage:
    kind = problem["type"]
    context = problem.get("ctx") or {}
    loc = tuple(problem["loc"])
    if "field" in context:
        field = context["field"]
        loc = (*loc, *(field if isinstance(field, tuple | list) else (field,)))
    path, rest = _data_path(loaded.data, loc)
    if kind == "extra_forbidden":
        return _message(loaded, path, _unknown_key(path, _fields_of_model_at(path[:-1])), pointing_at_key=True)
    if kind == UNKNOWN_LANGUAGE and "field" in context and not rest:
        # A key of a per-language text that is not a language of the table.
        unknown = _unknown_key(path, context["known"], text_cut_at_a_comma=_value_at(loaded.data, path) is None)
        return _message(loaded, path, unknown, pointing_at_key=True)
    if rest:
        # The value is not in the file: point at the mapping that should hold it.
        location = _message(loaded, path, "", pointing_at_key=False)
        text = "required key is missing" if kind == "missing" else problem["msg"]
        return LocatedMessage(location.location, field_path((*path, *rest)), text)
    return _message(loaded, path, _friendly(kind, problem["msg"], context, problem.get("input")), pointing_at_key=False)


_PATTERN_MEANINGS = {
    IDENTIFIER_PATTERN: "expected an id of lowercase letters, digits, '_' or '-' that starts with a letter",
    COOKIE_PARTY_PATTERN: "expected first or third",
    CURRENCY_PATTERN: "expected a three-letter currency code such as PLN or EUR",
}


def _friendly(kind: str, text: str, context: dict[str, Any], value: Any) -> str:
    found = f", found {_described(value)}"
    if kind == "string_type":
        return "expected text" + found
    if kind == "value_error" and "email address" in text:
        reason = str(context.get("reason", text.partition(": ")[2])).rstrip(".")
        return f"not a valid e-mail address: {reason[:1].lower()}{reason[1:]}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "expected a whole number" + found
    if kind in ("decimal_type", "decimal_parsing", "float_type", "float_parsing"):
        return "expected a number" + found
    if kind in ("bool_type", "bool_parsing"):
        return "expected true or false" + found
    if kind == "list_type":
        return "expected a list" + found
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "expected a mapping of keys to values" + found
    if kind in ("enum", "literal_error", UNKNOWN_LANGUAGE):
        return _expected_one_of(str(context.get("expected", "")), value)
    if kind in ("too_short", "string_too_short") and context.get("min_length") == 1:
        return "must not be empty"
    if kind in _BOUNDS:
        return f"{_BOUNDS[kind]} {next(iter(context.values()), '')}{found}"
    if kind in _DATE_ERRORS:
        written_as_date = isinstance(value, str) and ISO_DATE.fullmatch(value)
        return ("not a real date" if written_as_date else DATE_WRITTEN) + found
    if kind == "string_pattern_mismatch":
        meaning = _PATTERN_MEANINGS.get(
            str(context.get("pattern")), f"does not match the pattern {context.get('pattern')}"
        )
        return meaning + found
    return text


_DATE_ERRORS = frozenset(("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"))
_BOUNDS = {
    "greater_than": "must be greater than",
    "greater_than_equal": "must be at least",
    "less_than": "must be less than",
    "less_than_equal": "must be at most",
}


def _expected_one_of(expected: str, value: Any) -> str:
    options = re.findall(r"'([^']*)'", expected) or [expected]
    listed = ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]
    message = f"expected one of: {listed}, found {_described(value)}"
    close = difflib.get_close_matches(value, options, n=1) if isinstance(value, str) else []
    return message + (f"; did you mean '{close[0]}'?" if close else "")


def _described(value: Any) -> str:
    """What the user wrote, in words: ``the text 'abc'``, ``a list``, ``an empty value``."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another kind"


COMMA_IN_FLOW_MAPPING = (
    'a comma inside {...} ends the text before it: put a text that holds commas in quotes ({pl: "a, b"})'
)
"""Polish and German texts are full of commas, and a per-language text is often written on one line."""


def _value_at(data: Any, path: DataPath) -> Any:
    for step in path:
        data = data[step]
    return data


def _unknown_key(path: DataPath, known: list[str], *, text_cut_at_a_comma: bool = False) -> str:
    """``text_cut_at_a_comma``: the key of a per-language text has no value, as the rest of a text after a comma
    in ``{pl: a, b, en: c}`` has (YAML reads ``b`` as a key): said so unless the key is a language misspelled."""
    key = str(path[-1])
    meant = _key_meant(key, known)
    if text_cut_at_a_comma and meant is None:
        return f"unknown key '{key}'; {COMMA_IN_FLOW_MAPPING}"
    hint = f"; did you mean '{meant}'?" if meant else (f"; allowed keys: {', '.join(known)}" if known else "")
    lookalikes = [character for character in dict.fromkeys(key) if not character.isascii()]
    if meant and lookalikes:
        # Keys are ASCII: one that reads as the key meant may hold a letter of another script (a Cyrillic `a`).
        named = ", ".join(
            f"'{letter}' (U+{ord(letter):04X} {unicodedata.name(letter, 'unnamed')})" for letter in lookalikes
        )
        hint += f" It holds {named}; keys are plain ASCII"
    return f"unknown key '{key}'{hint}"


def _key_meant(key: str, known: list[str]) -> str | None:
    """The known key that ``key`` misspells, if one is close enough: the message's "did you mean", and what
    :func:`_without_keys_misspelled` takes as written."""
    close = difflib.get_close_matches(key, known, n=1)
    return close[0] if close else None


def _fields_of_model_at(path: DataPath) -> list[str]:
    """The keys allowed at ``path``, found by walking the model's annotations."""
    annotation: Any = Company
    for step in path:
        model = _model_in(annotation)
        if isinstance(step, str):
            if model is None or step not in model.model_fields:
                return []
            annotation = model.model_fields[step].annotation
        else:
            annotation = _item_type(annotation)
    model = _model_in(annotation)
    return sorted(model.model_fields) if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _item_type(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is list:
        return typing.get_args(annotation)[0]
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for argument in typing.get_args(annotation):
            if typing.get_origin(argument) is list or typing.get_origin(argument) is typing.Annotated:
                return _item_type(argument)
    return annotation
