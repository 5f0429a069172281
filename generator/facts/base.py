"""Building blocks shared by every facts model: strictness, languages, countries, text.

Every model forbids unknown keys, so a typo is an error and never a silently ignored
fact, and takes its field descriptions from attribute docstrings, so the JSON Schema
users see in their editor explains every key.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal, Self, get_args
from urllib.parse import urlsplit

from babel import Locale
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

Language = Literal["pl", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
LANGUAGE_NAMES: dict[Language, str] = {"pl": "Polish", "en": "English"}

PUBLISHED_LANGUAGES = "published_languages"
"""Validation-context key: the languages the policy is published in."""


class FactsModel(BaseModel):
    """Base of every facts model: strict, immutable, documented from docstrings."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
    )


def fact_error(field: str, message: str) -> PydanticCustomError:
    """An error a model-level rule raises about one of the model's own fields.

    The field travels in the error's context so the located message can point at
    that key (or at the mapping, when the key is missing) instead of the whole model.
    """
    return PydanticCustomError("fact", message, {"field": field})


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-empty single-line or multi-line string that is the same in every language."""


def _reject_non_text(value: Any) -> Any:
    if isinstance(value, bool | int | float) and not isinstance(value, str):
        raise PydanticCustomError("text_type", "expected text; put the value in quotes")
    return value


def _no_control_characters(value: str) -> str:
    for character in value:
        category = unicodedata.category(character)
        if character not in "\t\n" and category == "Cc":
            code = f"U+{ord(character):04X}"
            raise PydanticCustomError("control_character", f"contains the control character {code}; remove it")
        if character in "\ufffe\uffff" or category == "Cs":
            # XML cannot hold them, so neither can the Word and Excel files.
            code = f"U+{ord(character):04X}"
            raise PydanticCustomError("control_character", f"contains {code}, which is not a character; remove it")
    return value


PlainText = Annotated[Text, BeforeValidator(_reject_non_text), AfterValidator(_no_control_characters)]


class LocalizedText(FactsModel):
    """A text given once per published language (Polish `pl`, English `en`)."""

    pl: PlainText | None = None
    """The Polish text."""
    en: PlainText | None = None
    """The English text."""

    @model_validator(mode="before")
    @classmethod
    def _must_be_mapping(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise PydanticCustomError(
                "localized_type", "expected one text per language, e.g. {pl: 'tekst', en: 'text'}"
            )
        return value

    @model_validator(mode="after")
    def _every_published_language(self, info: ValidationInfo) -> Self:
        published: tuple[Language, ...] = (info.context or {}).get(PUBLISHED_LANGUAGES, LANGUAGES)
        for language in published:
            if getattr(self, language) is None:
                raise fact_error(
                    language,
                    f"missing the {LANGUAGE_NAMES[language]} text ('{language}'); "
                    "every published language needs its own text",
                )
        return self

    def __getitem__(self, language: Language) -> str:
        text: str | None = getattr(self, language)
        if text is None:
            raise KeyError(language)
        return text


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
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        raise PydanticCustomError("url", "expected a web address starting with https:// (or http://)")
    if re.search(r"[<>\\]", value):
        # A Markdown link destination cannot hold these (generator.markdown_text.link refuses them).
        raise PydanticCustomError("url", "a web address cannot contain '<', '>' or '\\'; percent-encode them")
    return value


WebAddress = Annotated[Text, AfterValidator(_web_address)]
"""An absolute http(s) address, kept exactly as written."""

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"
Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
"""A short lowercase name (letters, digits, `_`, `-`) that other facts refer to."""
