"""The rules of cookies and similar technologies: who receives their data and on what basis.

Art. 399 of the Electronic Communications Law (PKE) asks consent for storing or reading
information on a visitor's device, except where the site cannot work without it; the GDPR asks
that whoever receives the data a cookie collects be named among the recipients. These rules
register with :func:`generator.checks.rule` like the GDPR checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.checks import Severity, rule
from generator.facts import Company
from generator.facts.processing import CookieCategory, DataSource, LegalBasis, Recipient, TransferDerogation
from generator.loading import DataPath


def provider_is_among(provider: str, names: list[str]) -> bool:
    """Whether a provider's name (its first word, `Meta` of `Meta Platforms Ireland`) is a word of one of the names.

    A word, not a piece of one: `X Corp.` is not `Exabyte Support Inc.`.
    """
    first_word = _words(provider)[:1]
    return bool(first_word) and any(first_word[0] in _words(name) for name in names)


def _words(name: str) -> list[str]:
    """The words of a name in lower case, without the punctuation around them (`inc.`, `„acme”`): each
    as it is where that leaves nothing, so a name of punctuation alone still has a word."""
    return [_AROUND_WORD.sub("", word) or word for word in name.lower().split()]


_AROUND_WORD = re.compile(r"^\W+|\W+$")


def consent_partners(company: Company) -> list[str]:
    """The providers of the cookies that need consent, other than the controller: whom a visitor
    lets store and read data on their device, which consent to be informed must name (Art. 4(11))."""
    own = {company.controller.legal_name, company.controller.brand_name}
    providers = (cookie.provider for cookie in company.cookies if cookie.category is not CookieCategory.NECESSARY)
    return list(dict.fromkeys(provider for provider in providers if provider not in own))


def recipients_of(company: Company, provider: str) -> list[Recipient]:
    """The recipient entries of a cookie's provider, by the first word of its name (`Google` finds both
    `Google Ireland Limited` and `Google LLC`): the banner's first layer names one country too many
    rather than leave a transfer out."""
    return [
        recipient
        for recipient in company.recipients
        if recipient.name and provider_is_among(provider, [recipient.name])
    ]


def _recipient_names(company: Company) -> list[str]:
    return [recipient.name for recipient in company.recipients if recipient.name]


@rule("GDPR-13-1-e", "Art. 13(1)(e) GDPR", "recipients[]", "list the cookie's provider among the recipients")
def _cookie_providers_are_recipients(company: Company) -> Iterator[tuple[DataPath, str]]:
    names = _recipient_names(company)
    for index, cookie in enumerate(company.cookies):
        if cookie.party == "third" and not provider_is_among(cookie.provider, names):
            yield (
                ("cookies", index, "provider"),
                (f"the third-party cookie {cookie.name} gives data to {cookie.provider}, which is not a recipient"),
            )


@rule(
    "CONS-COOKIE-RECIPIENT",
    "Art. 13(1)(e) GDPR",
    "recipients[]",
    "list the party the cookie is set for among the recipients (a pixel's data goes to it)",
)
def _first_party_cookies_for_others_have_recipients(company: Company) -> Iterator[tuple[DataPath, str]]:
    names = _recipient_names(company)
    controller = [name for name in (company.controller.legal_name, company.controller.brand_name) if name]
    for index, cookie in enumerate(company.cookies):
        if (
            cookie.party == "first"
            and not provider_is_among(cookie.provider, controller)
            and not provider_is_among(cookie.provider, names)
        ):
            yield (
                ("cookies", index, "provider"),
                f"the first-party cookie {cookie.name} is set for {cookie.provider}, which is not a recipient",
            )


@rule(
    "CONS-COOKIE-EXPLICIT-CONSENT",
    "Art. 49(1)(a) GDPR",
    "recipients[].derogation",
    "rest the transfer on an adequacy decision (dpf for a certified US recipient), standard contractual clauses "
    "(scc) or binding corporate rules (bcr): the derogations are read restrictively and cannot become the rule "
    "for systematic transfers such as every visitor's cookie data, and explicit consent is specific to the "
    "transfer and informed of its risks (EDPB Guidelines 2/2018)",
    Severity.WARNING,
)
def _cookie_partners_do_not_transfer_on_banner_consent(company: Company) -> Iterator[tuple[DataPath, str]]:
    """A partner's cookie sends every visitor's data abroad, which a derogation is not made for, and the consent
    banner asks for the transfer together with the cookies (templates/consent.md.j2 tells the visitor so, as
    the facts have it): weak ground, which the company may still choose."""
    partners = [recipient for partner in consent_partners(company) for recipient in recipients_of(company, partner)]
    on_consent = {purpose.id for purpose in company.purposes if purpose.legal_basis is LegalBasis.CONSENT}
    for index, recipient in enumerate(company.recipients):
        serves_cookies = not recipient.purposes or bool(on_consent.intersection(recipient.purposes))
        is_partner = any(partner is recipient for partner in partners)
        if not (is_partner and serves_cookies):
            continue
        for ground in recipient.transfer_grounds():
            if ground.derogation is TransferDerogation.EXPLICIT_CONSENT:
                yield (
                    ("recipients", index, *ground.facts_path, "derogation"),
                    f"{recipient.name} receives its cookies' data outside the EEA ({', '.join(ground.countries)}) "
                    "on explicit consent, but accepting "
                    "its cookies in the banner is consent to the cookies, not consent given for this transfer alone",
                )


@rule(
    "CONS-COOKIE-CONSENT",
    "art. 399 Prawo komunikacji elektronicznej",
    "cookies[].legal_basis",
    "set legal_basis: consent and ask for it before setting the cookie",
)
def _tracking_cookies_need_consent(company: Company) -> Iterator[tuple[DataPath, str]]:
    for index, cookie in enumerate(company.cookies):
        if (
            cookie.category in (CookieCategory.ANALYTICS, CookieCategory.MARKETING)
            and cookie.basis is not LegalBasis.CONSENT
        ):
            yield (
                ("cookies", index, "legal_basis"),
                f"the {cookie.category.value} cookie {cookie.name} is set without consent",
            )


@rule(
    "CONS-NECESSARY-COOKIE-BASIS",
    "art. 399 ust. 3 Prawo komunikacji elektronicznej",
    "cookies[].legal_basis",
    "leave legal_basis out: a necessary cookie is exempt from consent and rests on Art. 6(1)(f) GDPR",
    Severity.WARNING,
)
def _necessary_cookies_need_no_consent(company: Company) -> Iterator[tuple[DataPath, str]]:
    for index, cookie in enumerate(company.cookies):
        if cookie.category is CookieCategory.NECESSARY and cookie.legal_basis is LegalBasis.CONSENT:
            yield (
                ("cookies", index, "legal_basis"),
                f"the necessary cookie {cookie.name} rests on consent, which a visitor cannot refuse "
                "without the site failing",
            )


@rule(
    "CONS-LEGIT-INTEREST-CONSENT-COOKIE",
    "art. 399 Prawo komunikacji elektronicznej",
    "purposes[].legal_basis",
    "rest the purpose on consent (Art. 6(1)(a) GDPR), as its cookie does",
)
def _consent_cookies_serve_consent_purposes(company: Company) -> Iterator[tuple[DataPath, str]]:
    consent_cookies = [cookie for cookie in company.cookies if cookie.basis is LegalBasis.CONSENT]
    for index, purpose in enumerate(company.purposes):
        if purpose.legal_basis is not LegalBasis.LEGITIMATE_INTERESTS:
            continue
        providers = [
            recipient.name for recipient in company.recipients if recipient.name and purpose.id in recipient.purposes
        ]
        for cookie in consent_cookies:
            if provider_is_among(cookie.provider, providers):
                yield (
                    ("purposes", index, "legal_basis"),
                    f"the purpose '{purpose.id}' rests on legitimate interests, but its cookie {cookie.name} "
                    "is set only with consent",
                )
                break


@rule(
    "CONS-MARKETING-PROFILING",
    "Art. 4(4) GDPR",
    "automated_decisions.profiling",
    "set automated_decisions.profiling: true (with profiling_by: partners where only the advertising partners "
    "profile) and give its logic and significance, or move cookies that serve no advertising to another category",
    Severity.WARNING,
)
def _marketing_cookies_are_profiling(company: Company) -> Iterator[tuple[DataPath, str]]:
    """Marketing cookies let advertising partners show ads matched to a visitor's interests, as the consent
    banner says of their category: an evaluation of personal aspects, which a policy stating that there is
    no profiling contradicts."""
    marketing = [cookie.name for cookie in company.cookies if cookie.category is CookieCategory.MARKETING]
    if marketing and not company.automated_decisions.profiling:
        cookies = f"cookie {marketing[0]} serves" if len(marketing) == 1 else f"cookies {', '.join(marketing)} serve"
        yield (
            ("automated_decisions", "profiling"),
            f"the marketing {cookies} ads matched to the visitor's interests, which is profiling, yet the policy "
            "would state that there is none",
        )


@rule(
    "CONS-CONSENT-TRACKING-COOKIES",
    "art. 399 Prawo komunikacji elektronicznej",
    "cookies",
    "list the cookies those purposes use, each in its category, so that the consent banner asks for them; or "
    "rest the purposes on another basis",
    Severity.WARNING,
)
def _consent_tracking_has_its_cookies(company: Company) -> Iterator[tuple[DataPath, str]]:
    """Data a website collects automatically with consent is collected with cookies or the like, which the
    banner asks consent for by their categories: with no cookie needing consent, it asks for none, and
    the policy's "with your consent" has nothing behind it."""
    if any(cookie.asked_for for cookie in company.cookies):
        return
    automatic = {category.id for category in company.data_categories if category.source is DataSource.AUTOMATIC}
    tracking = [
        purpose.id
        for purpose in company.purposes
        if purpose.legal_basis is LegalBasis.CONSENT and automatic.intersection(purpose.data_categories)
    ]
    if tracking and company.document.websites:
        purposes = (
            f"purpose '{tracking[0]}' rests on consent and uses"
            if len(tracking) == 1
            else f"purposes {', '.join(tracking)} rest on consent and use"
        )
        yield (
            ("cookies",),
            f"the {purposes} data collected automatically, yet the consent banner asks consent for no cookie",
        )
