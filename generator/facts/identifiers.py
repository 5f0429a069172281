"""Polish business identifiers, phone numbers and postal codes.

Users paste identifiers in whatever shape their registry extract shows
(``PL 701-104-83-79``, ``0000915658``); we accept those shapes, verify checksums with
python-stdnum and keep the compact ASCII digits, the one form every output shows.
Full-width forms (typed with an East Asian input method) are folded to ASCII; other
digits that merely look like numbers (Arabic-Indic, superscripts) are refused, because
a registry lookup or an invoice would not match them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

import phonenumbers
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.pl import nip, regon

_SEPARATORS = re.compile(r"[\s\-.]")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _full_width_folded(text: str) -> str:
    """Full-width digits, dashes and letters (``U+FF15`` for ``5``) as ASCII; every other character as it is.

    NFKC would also turn a superscript ``²`` into ``2``; folding only the ``<wide>``
    compatibility forms keeps such look-alikes visible, so they are refused.
    """
    return "".join(
        unicodedata.normalize("NFKC", character)
        if unicodedata.decomposition(character).startswith("<wide>")
        else character
        for character in text
    )


def _digits_of(value: Any, name: str, *, width: int) -> str:
    """The compact form of an identifier given as text or as a YAML number.

    YAML reads an unquoted ``0000915658`` as the number 915658, so numbers are padded
    back to the identifier's width instead of being rejected.
    """
    if isinstance(value, bool):
        raise PydanticCustomError("identifier_type", f"expected the {name} number as digits")
    if isinstance(value, int):
        return str(value).rjust(width, "0")
    if not isinstance(value, str):
        raise PydanticCustomError("identifier_type", f"expected the {name} number as digits")
    compact = _SEPARATORS.sub("", _full_width_folded(value)).upper()
    if compact.startswith("PL"):
        compact = compact[2:]
    look_alike = next((character for character in compact if character.isdigit() and not character.isascii()), None)
    if look_alike is not None:
        raise PydanticCustomError(
            "identifier_digits",
            f"a {name} is written with the digits 0-9; '{{digit}}' ({{digit_name}}) is not one of them",
            {"digit": look_alike, "digit_name": unicodedata.name(look_alike, "unnamed character")},
        )
    if not _ASCII_DIGITS.fullmatch(compact):
        raise PydanticCustomError(
            "identifier_digits",
            f"a {name} has only digits (and optionally a PL prefix, spaces or dashes); got '{{value}}'",
            {"value": value},
        )
    return compact


def _stdnum_problem(error: ValidationError, name: str, lengths: str) -> PydanticCustomError:
    if isinstance(error, InvalidLength):
        return PydanticCustomError("identifier_length", f"a {name} has {lengths} digits")
    if isinstance(error, InvalidChecksum):
        return PydanticCustomError("identifier_checksum", f"{name} checksum does not match; check the digits")
    if isinstance(error, InvalidFormat):
        return PydanticCustomError("identifier_format", f"not a valid {name}")
    return PydanticCustomError("identifier", f"not a valid {name}: {error}")


def _nip(value: Any) -> str:
    digits = _digits_of(value, "NIP", width=10)
    if len(digits) != 10:
        raise PydanticCustomError("identifier_length", f"a NIP has 10 digits, this one has {len(digits)}")
    try:
        return str(nip.validate(digits))
    except ValidationError as error:
        raise _stdnum_problem(error, "NIP", "10") from error


def _regon(value: Any) -> str:
    digits = _digits_of(value, "REGON", width=9 if isinstance(value, int) and value < 10**9 else 14)
    if len(digits) not in (9, 14):
        raise PydanticCustomError("identifier_length", f"a REGON has 9 or 14 digits, this one has {len(digits)}")
    try:
        return str(regon.validate(digits))
    except ValidationError as error:
        raise _stdnum_problem(error, "REGON", "9 or 14") from error


def _krs(value: Any) -> str:
    digits = _digits_of(value, "KRS", width=10)
    if len(digits) != 10:
        raise PydanticCustomError("identifier_length", f"a KRS number has 10 digits, this one has {len(digits)}")
    return digits


def _digits_schema(pattern: str, description: str) -> WithJsonSchema:
    return WithJsonSchema({"type": ["string", "integer"], "pattern": pattern, "description": description})


Nip = Annotated[
    str,
    BeforeValidator(_nip),
    _digits_schema(r"^(PL)?[0-9 \-]{10,13}$", "Polish tax identification number (NIP), 10 digits with a checksum."),
]
Regon = Annotated[
    str,
    BeforeValidator(_regon),
    _digits_schema(r"^[0-9 \-]{9,17}$", "Polish statistical number (REGON), 9 or 14 digits with a checksum."),
]
Krs = Annotated[
    str,
    BeforeValidator(_krs),
    _digits_schema(r"^[0-9 \-]{10,12}$", "National Court Register number (KRS), 10 digits."),
]


def _phone(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("phone_type", "write the phone number in quotes, e.g. '+48 22 123 45 67'")
    try:
        number = phonenumbers.parse(value, "PL")
    except phonenumbers.NumberParseException as error:
        raise PydanticCustomError("phone", "not a phone number: {value}", {"value": value}) from error
    if not phonenumbers.is_valid_number(number):
        raise PydanticCustomError("phone", "not a valid phone number: {value}", {"value": value})
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


Phone = Annotated[
    str,
    BeforeValidator(_phone),
    WithJsonSchema({"type": "string", "description": "Phone number; without a + prefix it is read as Polish."}),
]
"""A phone number, shown in international form (+48 22 123 45 67)."""

POLISH_POSTAL_CODE = re.compile(r"^[0-9]{2}-[0-9]{3}$")


def normalise_polish_postal_code(value: str) -> str | None:
    """``00193`` or ``00-193`` as ``00-193``; ``None`` when it is no Polish postal code."""
    if re.fullmatch(r"[0-9]{5}", value):
        value = f"{value[:2]}-{value[2:]}"
    return value if POLISH_POSTAL_CODE.fullmatch(value) else None
