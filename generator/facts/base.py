"""Building blocks shared by every facts model: strictness, languages, countries, text.

Every model forbids unknown keys, so a typo is an error and never a silently ignored
fact, and takes its field descriptions from attribute docstrings, so the JSON Schema
users see in their editor explains every key.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import ItemsView
from typing import Annotated, Any, Self

from babel import Locale
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetJsonSchemaHandler,
    RootModel,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from generator.languages import Language, default_languages, language, language_codes
from generator.markdown_text import is_safe_link

PUBLISHED_LANGUAGES = "published_languages"
"""Validation-context key: the languages the policy is published in."""

UNKNOWN_LANGUAGE = "unknown_language"
"""Error type of a language code outside the table; its context lists the known codes."""


class FactsModel(BaseModel):
    """Base of every facts model: strict, immutable, each field documented by the docstring under it.

    The JSON Schema reads those docstrings when it is made (:mod:`generator.schema`); pydantic's
    ``use_attribute_docstrings`` would read every model's source whenever policygen starts.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
    )


def fact_error(field: str | tuple[str | int, ...], message: str) -> PydanticCustomError:
    """An error a model-level rule raises about one of the model's own fields (or a field of one).

    The field travels in the error's context so the located message can point at
    that key (or at the mapping, when the key is missing) instead of the whole model.
    """
    return PydanticCustomError("fact", message, {"field": field})


FactProblem = tuple[str | tuple[str | int, ...], str]
"""A field of the model (or of one of its fields) and what is wrong with it."""


def fact_errors(problems: list[FactProblem]) -> PydanticCustomError:
    """Several problems of one model-level rule as one error, which validation reports as several.

    A model's rule raises one error and pydantic stops there: related facts that do not fit
    (a company's KRS number, court and capital copied to a sole trader) were reported one per
    run. The first is the error itself, the others travel in its context (``more``).
    """
    (field, message), *more = problems
    return PydanticCustomError("fact", message, {"field": field, "more": tuple(more)})


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_WRITTEN = "a date is written YYYY-MM-DD, e.g. 2026-03-01"
"""How a date of the facts is written, as the message refusing another says it."""


def _date_written_as_text(value: Any) -> Any:
    """Only YYYY-MM-DD: Pydantic reads a number, or a text of digits, as seconds since 1970
    (1735689600 as 2025-01-01), and takes a time of day too."""
    if isinstance(value, datetime.date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_type", DATE_WRITTEN)


IsoDate = Annotated[datetime.date, BeforeValidator(_date_written_as_text)]
"""A date written YYYY-MM-DD, in the facts and in the state files."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-empty single-line or multi-line string that is the same in every language."""


def _reject_non_text(value: Any) -> Any:
    if isinstance(value, bool | int | float) and not isinstance(value, str):
        raise PydanticCustomError("text_type", "expected text; put the value in quotes")
    return value


_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""The control characters (Unicode category Cc) other than tab and line feed, the surrogates and
U+FFFE, U+FFFF: searched for at once, since a Python loop over every character of the facts'
texts cost a tenth of their validation."""


_VISIBLE = re.compile("[^\\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
"""A character that shows: not a space, nor a format character (zero-width, direction marks, soft hyphen)."""


def _no_control_characters(value: str) -> str:
    found = _NOT_TEXT.search(value)
    if found is None:
        if _VISIBLE.search(value) is None:  # a name of zero-width spaces: empty, as "" or "   " are
            raise PydanticCustomError("invisible_text", "has no visible character; write the text or leave the key out")
        return value
    code = f"U+{ord(found[0]):04X}"
    if unicodedata.category(found[0]) == "Cc":
        raise PydanticCustomError("control_character", f"contains the control character {code}; remove it")
    # XML cannot hold them, so neither can the Word and Excel files.
    raise PydanticCustomError("control_character", f"contains {code}, which is not a character; remove it")


PlainText = Annotated[Text, BeforeValidator(_reject_non_text), AfterValidator(_no_control_characters)]


def unknown_language(code: str, field: str | None = None) -> PydanticCustomError:
    """The error of a language code that is not in the table of languages."""
    known = language_codes()
    expected = ", ".join(f"'{known_code}'" for known_code in known[:-1]) + f" or '{known[-1]}'"
    context: dict[str, Any] = {"expected": expected, "known": list(known)}
    if field is not None:
        context["field"] = field
    return PydanticCustomError(UNKNOWN_LANGUAGE, "'{code}' is not a known language", {**context, "code": code})


def _known_language(code: str) -> str:
    if code not in language_codes():
        raise unknown_language(code)
    return code


class _LanguageSchema:
    """The JSON Schema of a language code: the table's codes, read when the schema is made."""

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string", "enum": list(language_codes())}


LanguageCode = Annotated[str, AfterValidator(_known_language), _LanguageSchema()]
"""A language of the table of languages (``generator/data/languages.yaml``)."""


def _published(info: ValidationInfo) -> list[Language]:
    published = (info.context or {}).get(PUBLISHED_LANGUAGES)
    return default_languages() if published is None else list(published)


class LocalizedText(RootModel[dict[str, PlainText]]):
    """A text given once per published language, keyed by language code (`pl`, `en`, `de`...)."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _mapping_of_known_languages(cls, value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise PydanticCustomError(
                "localized_type", "expected one text per language, e.g. {pl: 'tekst', en: 'text'}"
            )
        for key in value:
            if key not in language_codes():
                raise unknown_language(str(key), field=str(key))
        # An empty key (`en:`) counts as a missing text, and so do the nulls of old state files.
        return {key: text for key, text in value.items() if text is not None}

    @model_validator(mode="after")
    def _every_published_language(self, info: ValidationInfo) -> Self:
        for code in _published(info):
            if code not in self.root:
                raise fact_error(
                    code,
                    f"missing the {language(code).english_name} text ('{code}'); "
                    "every published language needs its own text",
                )
        return self

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {
            "type": "object",
            "description": (cls.__doc__ or "").strip(),
            "properties": {
                code: {"type": "string", "minLength": 1, "description": f"The {language(code).english_name} text."}
                for code in language_codes()
            },
            "additionalProperties": False,
        }

    def __getitem__(self, language: Language) -> str:
        return self.root[language]

    def get(self, language: Language) -> str | None:
        """The text in ``language``, or ``None`` when it is not given."""
        return self.root.get(language)

    def items(self) -> ItemsView[str, str]:
        """Each language given, with its text."""
        return self.root.items()

    def preferably_in(self, language: Language) -> str:
        """The text in ``language``, else in the first language given: for messages about the facts."""
        return self.root.get(language) or next(iter(self.root.values()))


def _country_code(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in Locale("en").territories:
        raise PydanticCustomError(
            "country", "'{value}' is not an ISO 3166 country code such as PL, DE or US", {"value": value}
        )
    return code


CountryCode = Annotated[str, BeforeValidator(_country_code), StringConstraints(pattern=r"^[A-Z]{2}$")]
"""An ISO 3166-1 alpha-2 country code (PL, IE, US); `EU` stands for the European Union as a whole."""


def _web_address(value: str) -> str:
    expected = PydanticCustomError("url", "expected a web address starting with https:// (or http://)")
    if value.partition(":")[0].lower() not in ("http", "https"):
        raise expected
    if re.search(r"[<>\\]", value):
        # A Markdown link destination cannot hold these (generator.markdown_text.link refuses them).
        raise PydanticCustomError("url", "a web address cannot contain '<', '>' or '\\'; percent-encode them")
    # The policy links to it, so it passes the rule every link of the policy passes.
    if not is_safe_link(value):
        raise expected
    return value


WebAddress = Annotated[Text, AfterValidator(_web_address)]
"""An absolute http(s) address, kept exactly as written."""

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"
Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
"""A short lowercase name (letters, digits, `_`, `-`) that other facts refer to."""
