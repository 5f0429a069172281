"""Dated legal facts (``generator/data/legal-facts.yaml``): the law the checks apply.

Kept as data with a verification date per entry, because the law moves (a transfer
framework falls, an authority is renamed, a statute is replaced) and a stale fact in a
privacy tool is worse than none: an entry unverified for a year is itself a warning.
"""

from __future__ import annotations

import datetime
import re
from functools import cached_property

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from generator.errors import user_error
from generator.loading import LoadedYaml, read_facts_file
from generator.resources import DATA, project_cache

LEGAL_FACTS_FILE = DATA / "legal-facts.yaml"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    verified: datetime.date
    source: str | None = None


class _Authority(_Entry):
    """The supervisory authority, named in each language policies are written in."""

    name: dict[str, str]
    address: dict[str, str]
    website: str


class _Countries(_Entry):
    countries: list[str]


class _Names(_Entry):
    names: list[str]


class _Framework(_Entry):
    """An adequacy decision that covers only certified recipients of one country."""

    decision: str
    country: str
    under_appeal: bool


class OutdatedTerm(_Entry):
    """Wording that cites what is no longer in force."""

    id: str
    pattern: str
    message: str

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE)


class LegalFacts(BaseModel):
    """The whole data file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    supervisory_authority: _Authority
    cookie_provision: _Entry
    adequacy_decisions: _Countries
    data_privacy_framework: _Framework
    standard_contractual_clauses: _Entry
    european_economic_area: _Countries
    us_vendors: _Names
    outdated_terms: list[OutdatedTerm]

    @model_validator(mode="after")
    def _expressions_compile(self) -> LegalFacts:
        """Each term's expression, and all of them as one, compile: lint would stop on the first text otherwise."""
        for term in self.outdated_terms:
            try:
                term.regex  # noqa: B018 (compiled and kept)
            except re.error as error:
                raise ValueError(f"outdated term {term.id}: pattern: {error}") from error
        try:
            self.any_outdated_term  # noqa: B018
        except re.error as error:
            raise ValueError(f"outdated_terms: the patterns do not combine into one expression: {error}") from error
        return self

    @cached_property
    def any_outdated_term(self) -> re.Pattern[str]:
        """Every outdated term in one expression: most texts cite none, which one search tells."""
        return re.compile("|".join(f"(?:{term.pattern})" for term in self.outdated_terms), re.IGNORECASE)

    def dated_entries(self) -> list[tuple[str, datetime.date]]:
        """Every entry's name and verification date."""
        entries: list[tuple[str, datetime.date]] = [
            (name, getattr(self, name).verified) for name in type(self).model_fields if name != "outdated_terms"
        ]
        entries.extend((term.id, term.verified) for term in self.outdated_terms)
        return entries


@project_cache
def legal_facts_file() -> LoadedYaml:
    """The parsed data file with positions, for warnings that point into it."""
    return read_facts_file(LEGAL_FACTS_FILE)


@project_cache
def legal_facts() -> LegalFacts:
    """The validated legal facts."""
    try:
        return LegalFacts.model_validate(legal_facts_file().data)
    except ValidationError as error:
        raise user_error(str(LEGAL_FACTS_FILE), f"broken legal facts file: {error}") from error


def is_in_eea(country: str) -> bool:
    """Whether data stays under GDPR in ``country``, so no transfer safeguard is needed."""
    return country in legal_facts().european_economic_area.countries


def has_adequacy_decision(country: str) -> bool:
    """Whether an adequacy decision covers every recipient in ``country`` (not the US)."""
    return country in legal_facts().adequacy_decisions.countries


def is_us_vendor(name: str) -> bool:
    """Whether ``name`` names a provider known to send data to the United States."""
    return any(re.search(rf"\b{re.escape(vendor)}\b", name, re.IGNORECASE) for vendor in legal_facts().us_vendors.names)
