"""Where GDPR applies and which third countries the European Commission finds adequate.

Transfers out of the EEA need a safeguard (GDPR Chapter V) unless the country has an
adequacy decision; for the United States that decision (2023/1795) covers only
organisations certified under the EU-US Data Privacy Framework, so the US is not listed
as adequate here and a US recipient must name `dpf` or another safeguard.
"""

from __future__ import annotations

EU_MEMBER_STATES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
EEA = EU_MEMBER_STATES | {"IS", "LI", "NO", "EU"}
"""EU member states, Iceland, Liechtenstein, Norway, and `EU` for the Union as a whole."""

ADEQUATE_COUNTRIES = frozenset("AD AR CA CH FO GB GG IL IM JE JP KR NZ UY".split())
"""Countries with an adequacy decision in force for all recipients (Art. 45 GDPR)."""

DPF_COUNTRY = "US"
"""The one country whose adequacy decision covers only certified recipients."""


def is_in_eea(country: str) -> bool:
    """Whether data stays under GDPR in ``country``, so no transfer safeguard is needed."""
    return country in EEA
