"""Durations and retention rules, kept structured so each language can say them right.

A retention period written as free text ("3 lata") cannot be translated or checked;
``3 years`` parsed into an amount and a unit can be spelt with the correct Polish
plural by Babel, compared between versions, and verified to be positive.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from generator.facts.base import FactsModel, LocalizedText, fact_error


class TimeUnit(StrEnum):
    """Units a duration can be counted in."""

    YEAR = "year"
    MONTH = "month"
    WEEK = "week"
    DAY = "day"
    HOUR = "hour"
    MINUTE = "minute"


_DURATION = re.compile(r"^\s*(?P<amount>[+-]?\d+)\s+(?P<unit>[a-z]+?)s?\s*$")
_UNITS = "|".join(unit.value for unit in TimeUnit)
DURATION_PATTERN = rf"^[1-9][0-9]* ({_UNITS})s?$"


class Duration(FactsModel):
    """A positive whole number of time units."""

    amount: int
    """How many units."""
    unit: TimeUnit
    """The unit counted."""

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value}{'' if self.amount == 1 else 's'}"


_LONGEST_DAYS = {
    TimeUnit.YEAR: 366,
    TimeUnit.MONTH: 31,
    TimeUnit.WEEK: 7,
    TimeUnit.DAY: 1,
    TimeUnit.HOUR: 1 / 24,
    TimeUnit.MINUTE: 1 / 1440,
}
"""The most days one unit can last: months and years vary in length."""

_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
"""The months of a common year: a leap year only makes a run of months longer."""

_SHORTEST_MONTH_RUNS = tuple(
    min(sum(_MONTH_LENGTHS[(start + month) % 12] for month in range(months)) for start in range(12))
    for months in range(12)
)
"""The fewest days of a run of 0 to 11 calendar months, whichever month it starts in."""


def shortest_days(duration: Duration) -> int:
    """The whole days a duration lasts at least: a cookie set for that many days never outlives it.

    Months count as the shortest run of that many calendar months, not as 28 days each: a
    consent cookie kept "12 months" lasts 365 days, which is what the policy's "12 months"
    reads as, rather than 336.
    """
    if duration.unit is TimeUnit.MONTH:
        years, months = divmod(duration.amount, 12)
        return years * sum(_MONTH_LENGTHS) + _SHORTEST_MONTH_RUNS[months]
    shortest = 365 if duration.unit is TimeUnit.YEAR else _LONGEST_DAYS[duration.unit]
    return max(1, int(duration.amount * shortest))


def longest_days(duration: Duration) -> float:
    """The days a duration can last at most: anything longer is certainly longer than it."""
    return duration.amount * _LONGEST_DAYS[duration.unit]


def parse_duration(value: Any) -> Any:
    """``"26 months"`` into a :class:`Duration`; anything else is a located error."""
    if isinstance(value, Duration):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None or match["unit"] not in TimeUnit._value2member_map_:
        meant = in_english(value) if isinstance(value, str) else None
        raise PydanticCustomError(
            "duration",
            "expected a duration written in English, such as '3 years', '26 months', '30 days' or '24 hours'"
            + (f"; '{value.strip()}' is '{meant}'" if meant else ""),
        )
    amount = int(match["amount"])
    if amount <= 0:
        raise PydanticCustomError("duration_positive", "a duration must be positive; got {value}", {"value": value})
    return Duration(amount=amount, unit=TimeUnit(match["unit"]))


_IN_ANOTHER_LANGUAGE = re.compile(r"\s*(?P<amount>[1-9][0-9]*)\s+(?P<unit>\w+)\s*")


def in_english(value: str) -> str | None:
    """A duration written in a language of the policies ("5 lat", "26 Monate"), as the facts write it
    ("5 years"); None for anything else."""
    match = _IN_ANOTHER_LANGUAGE.fullmatch(value)
    unit = _unit_names().get(match["unit"].casefold()) if match else None
    if match is None or unit is None:
        return None
    return str(Duration(amount=int(match["amount"]), unit=unit))


@cache
def _unit_names() -> dict[str, TimeUnit]:
    """Each unit's name in every form Babel gives it in the table's languages (`rok`, `lata`, `lat`, `roku`)."""
    from babel.units import format_unit

    from generator.languages import language_table

    names: dict[str, TimeUnit] = {}
    for row in language_table().languages:
        for unit in TimeUnit:
            for amount in (1, 2, 5, 1.5):  # one of each plural form, in every language
                spelt = format_unit(amount, f"duration-{unit.value}", length="long", locale=row.locale)
                names[spelt.split(maxsplit=1)[-1].casefold()] = unit
    return names


DurationText = Annotated[
    Duration,
    BeforeValidator(parse_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": ["3 years", "26 months", "30 days"]}),
]
"""A duration written as `<amount> <unit>`, e.g. `3 years`, `26 months`, `30 days`, `24 hours`."""


def _parse_lifetime(value: Any) -> Any:
    if value == "session":
        return None
    try:
        return parse_duration(value)
    except PydanticCustomError as error:
        if error.type != "duration":
            raise
        meant = in_english(value) if isinstance(value, str) else None
        raise PydanticCustomError(
            "duration",
            "expected 'session' or a duration written in English, such as '2 years', '13 months' or '30 days'"
            + (f"; '{value.strip()}' is '{meant}'" if meant else ""),
        ) from None


CookieLifetime = Annotated[
    Duration | None,
    BeforeValidator(_parse_lifetime),
    PlainSerializer(lambda duration: "session" if duration is None else str(duration), return_type=str),
    WithJsonSchema({"type": "string", "pattern": rf"^(session|[1-9][0-9]* ({_UNITS})s?)$"}),
]
"""`session` for a cookie deleted when the browser closes, else a duration such as `2 years`."""


class RetentionStart(StrEnum):
    """The moment a retention period is counted from."""

    COLLECTION = "collection"
    CONTRACT_END = "contract_end"
    TAX_YEAR_END = "tax_year_end"
    LAST_ENTRY_YEAR_END = "last_entry_year_end"
    LAST_ACTIVITY = "last_activity"
    ACCOUNT_DELETION = "account_deletion"


class RetentionUntil(StrEnum):
    """An event that ends retention, for purposes whose period is not a fixed length."""

    CONSENT_WITHDRAWN = "consent_withdrawn"
    OBJECTION = "objection"
    CONTRACT_END = "contract_end"
    CLAIMS_TIME_BARRED = "claims_time_barred"
    WARRANTY_EXPIRED = "warranty_expired"
    ACCOUNT_DELETED = "account_deleted"


class Retention(FactsModel):
    """How long data kept for one purpose is stored: a fixed period or an ending event."""

    period: DurationText | None = None
    """A fixed period, e.g. `5 years`; give either this or `until`."""
    counted_from: RetentionStart = RetentionStart.COLLECTION
    """When the period (or `at_most`) starts: collection, contract_end, tax_year_end (end of the
    calendar year in which the tax payment deadline passed), last_entry_year_end (end of the calendar
    year of the last entry in the records, as for medical records), last_activity or account_deletion."""
    until: RetentionUntil | None = None
    """The event that ends storage: consent_withdrawn, objection, contract_end,
    claims_time_barred, warranty_expired or account_deleted; give either this or `period`."""
    at_most: DurationText | None = None
    """With `until`: the longest the data is kept if the event never comes, e.g. `3 years`
    (Art. 5(1)(e)); an open-ended event without it is warned of (GDPR-5-1-e-OPEN-RETENTION)."""
    note: LocalizedText | None = None
    """Anything a reader needs beyond the period, e.g. the law that sets it."""

    @model_validator(mode="before")
    @classmethod
    def _a_mapping(cls, value: Any) -> Any:
        if isinstance(value, str):  # `retention: 6 years`, the period given where its key belongs
            raise PydanticCustomError(
                "retention_text",
                "a retention is given by its keys: put `period: {value}` on its own line below `retention:`, "
                "indented (or an ending event as `until: ...`)",
                {"value": value},
            )
        return value

    @model_validator(mode="after")
    def _period_or_event(self) -> Self:
        if self.at_most is not None and self.until is None:
            raise fact_error("at_most", "at_most caps an ending event ('until'); a period is its own maximum")
        if self.period is None and self.until is None:
            raise fact_error("period", "give either a retention period (e.g. '3 years') or an ending event ('until')")
        if self.period is not None and self.until is not None:
            raise fact_error("until", "give either a retention period or an ending event, not both")
        if self.until is not None and self.at_most is None and self.counted_from is not RetentionStart.COLLECTION:
            raise fact_error(
                "counted_from", "counted_from applies to a retention period or to at_most, not to an ending event"
            )
        return self
