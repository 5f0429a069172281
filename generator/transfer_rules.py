"""The rules of transfers outside the European Economic Area (Chapter V GDPR).

A recipient outside the EEA needs a safeguard the policy names (Art. 13(1)(f), Art. 44-49); a
US tool must not be used while the policy discloses no transfer, and no text may claim the
data stays in the EU while it does not. They register with :func:`generator.checks.rule`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import Severity, company_texts, rule
from generator.facts import Company
from generator.facts.processing import TransferSafeguard
from generator.languages import language_table, source_language
from generator.legal import has_adequacy_decision, is_in_eea, is_us_vendor, legal_facts
from generator.loading import DataPath


@rule(
    "GDPR-13-1-f",
    "Art. 13(1)(f) GDPR",
    "recipients[].safeguard",
    "set safeguard to adequacy, dpf (US, certified recipients), scc, bcr or derogation",
)
def _transfers_are_safeguarded(company: Company) -> Iterator[tuple[DataPath, str]]:
    us = legal_facts().data_privacy_framework.country
    for index, recipient in enumerate(company.recipients):
        named = recipient.name or recipient.category.preferably_in(source_language())
        for ground in recipient.transfer_grounds():
            path: DataPath = ("recipients", index, *ground.facts_path, "safeguard")
            if ground.safeguard is None:
                listed = ", ".join(ground.countries)
                yield path, f"{named} receives data outside the EEA ({listed}) without a transfer safeguard"
            elif ground.safeguard is TransferSafeguard.ADEQUACY:
                lacking = [country for country in ground.countries if not has_adequacy_decision(country)]
                if us in lacking:
                    yield (
                        path,
                        "the US adequacy decision covers only recipients certified under the EU-US Data "
                        "Privacy Framework: use dpf for a certified recipient",
                    )
                elif lacking:
                    yield path, f"no adequacy decision covers {', '.join(lacking)}"
            elif ground.safeguard is TransferSafeguard.DPF and ground.countries != (us,):
                yield path, "the EU-US Data Privacy Framework covers transfers to the US only"


@rule(
    "GDPR-13-1-f-DEROGATION",
    "Art. 13(1)(f) and 49(1) GDPR",
    "recipients[].derogation",
    "add derogation: explicit_consent, contract, contract_in_your_interest, public_interest, legal_claims, "
    "vital_interests or public_register",
)
def _derogation_is_named(company: Company) -> Iterator[tuple[DataPath, str]]:
    """A transfer "on a derogation" tells the reader nothing: the policy names the point of Art. 49(1) it
    rests on, as it names the article of any other safeguard (WP260 rev.01, paragraph on Art. 13(1)(f))."""
    for index, recipient in enumerate(company.recipients):
        for ground in recipient.transfer_grounds():
            if ground.safeguard is TransferSafeguard.DEROGATION and ground.derogation is None:
                named = recipient.name or recipient.category.preferably_in(source_language())
                yield (
                    ("recipients", index, *ground.facts_path, "derogation"),
                    f"{named} receives data on a derogation of Art. 49(1) GDPR, but not which one",
                )


@rule(
    "CONS-DPF-UNNAMED",
    "Art. 45(3) and 13(1)(f) GDPR",
    "recipients[].category",
    "name the recipient (name) or the certified organisation the data goes to (importer), whose certification "
    "the reader can look up, or rest the transfer on scc",
    Severity.WARNING,
)
def _dpf_recipient_is_named(company: Company) -> Iterator[tuple[DataPath, str]]:
    """The Framework's adequacy decision covers only organisations on its list: the policy tells the reader the data
    goes to a certified one, which a category of recipients (`accounting firm`) leaves no one able to check."""
    for index, recipient in enumerate(company.recipients):
        if recipient.name is None and any(
            ground.safeguard is TransferSafeguard.DPF and ground.importer is None
            for ground in recipient.transfer_grounds()
        ):
            yield (
                ("recipients", index, "category"),
                f"the category of recipients '{recipient.category.preferably_in(source_language())}' receives data "
                "in the US on the EU-US Data Privacy Framework, which covers only certified organisations, "
                "and names none whose certification can be checked",
            )


@rule(
    "CONS-UNDISCLOSED-TRANSFER",
    "Art. 13(1)(f) GDPR",
    "recipients[].countries",
    "list the provider as a recipient with countries including US and its safeguard",
)
def _us_vendors_are_disclosed(company: Company) -> Iterator[tuple[DataPath, str]]:
    if any("US" in recipient.countries for recipient in company.recipients):
        return
    for index, recipient in enumerate(company.recipients):
        if recipient.name and is_us_vendor(recipient.name):
            yield (
                ("recipients", index, "countries"),
                f"{recipient.name} sends data to the United States, but the policy discloses no transfer there",
            )
    for index, cookie in enumerate(company.cookies):
        if is_us_vendor(cookie.provider):
            yield (
                ("cookies", index, "provider"),
                f"{cookie.provider}'s cookie {cookie.name} sends data to the "
                "United States, but the policy discloses no transfer there",
            )


@rule(
    "CONS-EU-ONLY-CLAIM",
    "Art. 13(1)(f) GDPR",
    "recipients[].countries",
    "correct the text: name the transfers outside the EEA instead",
)
def _no_eu_only_claim_with_transfers(company: Company) -> Iterator[tuple[DataPath, str]]:
    disclosed = any(not is_in_eea(country) for recipient in company.recipients for country in recipient.countries)
    undisclosed = any(is_us_vendor(cookie.provider) for cookie in company.cookies) or any(
        recipient.name and is_us_vendor(recipient.name) for recipient in company.recipients
    )
    if not (disclosed or undisclosed):
        return
    claims = [row.eu_only_claim_regex for row in language_table().languages if row.eu_only_claim_regex]
    for path, text in company_texts(company):
        if any(claim.search(text) for claim in claims):
            yield path, "the text says data stays in the EU, but it goes outside the EEA"
