"""GDPR Art. 13/14 checks: every required item present, consistent and current.

Each rule has an id (``GDPR-13-2-a``), the article it enforces, the fact that satisfies
it and a hint how to fix it. Errors stop ``validate`` and ``build``; warnings (currency:
wording that cites repealed law, legal facts not verified for a year) become errors with
``--strict``. The schema checks the shape of the facts; these rules check what the law
asks of their content.
"""

from __future__ import annotations

import datetime
import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from generator.facts import Company
from generator.facts.controller import FORMS_RUN_BY_PEOPLE
from generator.facts.durations import RetentionStart, RetentionUntil
from generator.facts.processing import CookieCategory, DataSource, LegalBasis, RecipientRole, Requirement
from generator.languages import source_language
from generator.legal import is_in_eea, legal_facts
from generator.loading import DataPath, field_path

STALE_AFTER = datetime.timedelta(days=365)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    """A warning about a fact the facts list under ``missing``: the client has been asked for it."""


@dataclass(frozen=True)
class Rule:
    """One requirement, and how a user satisfies it."""

    id: str
    article: str
    fact: str
    """The key of the facts file that satisfies the rule."""
    hint: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class Finding:
    """A rule broken at one place of the facts."""

    rule: Rule
    path: DataPath
    message: str
    awaited: str | None = None
    """The note of the ``missing`` entry that names this finding's fact, when the client has been asked."""

    @property
    def severity(self) -> Severity:
        return Severity.NOTE if self.awaited is not None else self.rule.severity

    @property
    def text(self) -> str:
        if self.awaited is not None:
            return f"note: {self.rule.id} ({self.rule.article}): {self.message}; listed as missing: {self.awaited}"
        prefix = "warning: " if self.rule.severity is Severity.WARNING else ""
        return f"{prefix}{self.rule.id} ({self.rule.article}): {self.message}; {self.rule.hint}"


Check = Callable[[Company], Iterator[tuple[DataPath, str]]]
_RULES: list[tuple[Rule, Check]] = []


def rule(
    identifier: str, article: str, fact: str, hint: str, severity: Severity = Severity.ERROR
) -> Callable[[Check], Check]:
    """Register a check under its rule."""

    def register(check: Check) -> Check:
        _RULES.append((Rule(identifier, article, fact, hint, severity), check))
        return check

    return register


@rule("GDPR-13-1-b", "Art. 13(1)(b) GDPR", "contact.dpo.email", "give the officer's e-mail address (or phone)")
def _dpo_reachable(company: Company) -> Iterator[tuple[DataPath, str]]:
    dpo = company.contact.dpo
    if dpo is not None and dpo.email is None and dpo.phone is None:
        yield ("contact", "dpo", "email"), "a data protection officer is designated, but no way to contact them"


@rule(
    "GDPR-13-1-c",
    "Art. 13(1)(c) GDPR",
    "purposes[].legal_basis",
    "add legal_basis: consent, contract, legal_obligation, vital_interests, public_task or legitimate_interests",
)
def _purpose_has_basis(company: Company) -> Iterator[tuple[DataPath, str]]:
    for index, purpose in enumerate(company.purposes):
        if purpose.legal_basis is None:
            yield ("purposes", index, "legal_basis"), f"the purpose '{purpose.id}' has no legal basis"


@rule(
    "GDPR-13-1-d",
    "Art. 13(1)(d) GDPR",
    "purposes[].legitimate_interest",
    "state the interest in legitimate_interest, in every language",
)
def _interest_is_stated(company: Company) -> Iterator[tuple[DataPath, str]]:
    for index, purpose in enumerate(company.purposes):
        if purpose.legal_basis is LegalBasis.LEGITIMATE_INTERESTS and purpose.legitimate_interest is None:
            yield (
                ("purposes", index, "legitimate_interest"),
                (f"the purpose '{purpose.id}' rests on legitimate interests but does not say which"),
            )


@rule(
    "GDPR-13-1-d-COOKIE",
    "Art. 13(1)(d) GDPR",
    "cookies[].legitimate_interest",
    "state the interest in the cookie's legitimate_interest, in every language, or rest the cookie on consent",
)
def _cookie_interest_is_stated(company: Company) -> Iterator[tuple[DataPath, str]]:
    """A necessary cookie serves the service the visitor asked for, which the policy names; a preference
    cookie has no interest the policy could name for it. (An analytics or marketing cookie needs consent:
    CONS-COOKIE-CONSENT.)"""
    for index, cookie in enumerate(company.cookies):
        if (
            cookie.basis is LegalBasis.LEGITIMATE_INTERESTS
            and cookie.category is CookieCategory.PREFERENCES
            and cookie.legitimate_interest is None
        ):
            yield (
                ("cookies", index, "legitimate_interest"),
                f"the preference cookie {cookie.name} rests on legitimate interests but does not say which",
            )


@rule(
    "GDPR-26",
    "Art. 26 GDPR",
    "recipients[].arrangement",
    "state in arrangement the essence of the arrangement: who informs people, who answers their requests, "
    "and for which stage each is responsible; give each recipient one role",
)
def _joint_controllers_state_the_arrangement(company: Company) -> Iterator[tuple[DataPath, str]]:
    roles: dict[str, RecipientRole] = {}
    for index, recipient in enumerate(company.recipients):
        named = recipient.name or recipient.category.preferably_in(source_language())
        if recipient.role is RecipientRole.JOINT_CONTROLLER and recipient.arrangement is None:
            yield (
                ("recipients", index, "arrangement"),
                f"{named} is a joint controller, but the essence of the arrangement is not stated",
            )
        if recipient.name:
            earlier = roles.setdefault(recipient.name, recipient.role)
            if earlier is not recipient.role:
                yield (
                    ("recipients", index, "role"),
                    f"{named} is listed as {earlier.value} and as {recipient.role.value}",
                )


@rule(
    "GDPR-13-2-a",
    "Art. 13(2)(a) GDPR",
    "purposes[].retention",
    "add retention: with a period such as '3 years' or an ending event such as 'until: consent_withdrawn'",
)
def _purpose_has_retention(company: Company) -> Iterator[tuple[DataPath, str]]:
    for index, purpose in enumerate(company.purposes):
        if purpose.retention is None:
            yield ("purposes", index, "retention"), f"the purpose '{purpose.id}' says nothing of how long data is kept"


OPEN_ENDED = frozenset({RetentionUntil.CONSENT_WITHDRAWN, RetentionUntil.OBJECTION})
"""Ending events a person may never bring about, so data would be kept without limit."""


@rule(
    "GDPR-5-1-e-OPEN-RETENTION",
    "Art. 5(1)(e) GDPR",
    "purposes[].retention.at_most",
    "add at_most: the longest the data is kept if the event never comes (e.g. '3 years'), "
    "or review the data at that interval",
    Severity.WARNING,
)
def _retention_has_an_upper_bound(company: Company) -> Iterator[tuple[DataPath, str]]:
    for index, purpose in enumerate(company.purposes):
        retention = purpose.retention
        if retention is not None and retention.until in OPEN_ENDED and retention.at_most is None:
            yield (
                ("purposes", index, "retention", "until"),
                f"the purpose '{purpose.id}' keeps data until {retention.until.value.replace('_', ' ')}, "
                "with no upper bound",
            )


CAP_STARTS_AT_ITS_EVENT = {
    RetentionUntil.CONTRACT_END: RetentionStart.CONTRACT_END,
    RetentionUntil.ACCOUNT_DELETED: RetentionStart.ACCOUNT_DELETION,
}
"""An ending event and the start of a count that are one moment: a cap counted from the event caps nothing."""


@rule(
    "GDPR-5-1-e-CAP-START",
    "Art. 5(1)(e) GDPR",
    "purposes[].retention.counted_from",
    "count at_most from an earlier moment (collection, last_activity), or keep the data for a period counted "
    "from the event instead (period: 3 years, counted_from: contract_end)",
)
def _retention_cap_starts_before_its_event(company: Company) -> Iterator[tuple[DataPath, str]]:
    """A rule rather than a rule of the facts' model: a version published before it, stored with its facts in
    a state file, still reads."""
    for index, purpose in enumerate(company.purposes):
        retention = purpose.retention
        if retention is None or retention.until is None or retention.at_most is None:
            continue
        if CAP_STARTS_AT_ITS_EVENT.get(retention.until) is retention.counted_from:
            yield (
                ("purposes", index, "retention", "counted_from"),
                f"the purpose '{purpose.id}' keeps data until {retention.until.value.replace('_', ' ')}, "
                f"at most {retention.at_most} counted from {retention.counted_from.value.replace('_', ' ')}: "
                "the cap starts only once storage has ended, so it caps nothing",
            )


VAGUE_PURPOSE = re.compile(
    r"\b(inne|pozostałe|dodatkowe) cele\b|\bother purposes\b|\b(andere|sonstige|weitere) Zwecke\b", re.IGNORECASE
)
"""A purpose named only as some other purpose, in the languages of the policies."""


@rule(
    "GDPR-5-1-b-VAGUE-PURPOSE",
    "Art. 5(1)(b) GDPR",
    "purposes[].name",
    "name the specific purpose, or remove it: consent covers only purposes named in advance",
    Severity.WARNING,
)
def _purpose_is_specific(company: Company) -> Iterator[tuple[DataPath, str]]:
    for index, purpose in enumerate(company.purposes):
        for code, name in purpose.name.items():
            if VAGUE_PURPOSE.search(name):
                yield ("purposes", index, "name", code), f"the purpose '{purpose.id}' names no specific purpose"
                break


@rule(
    "GDPR-13-2-e",
    "Art. 13(2)(e) GDPR",
    "purposes[].provision",
    "add provision: (requirement: statutory, contractual, contract_precondition or voluntary, and the consequence) "
    "to the purpose for which the data is collected",
)
def _provision_is_explained(company: Company) -> Iterator[tuple[DataPath, str]]:
    explained = {
        category_id for purpose in company.purposes if purpose.provision for category_id in purpose.data_categories
    }
    for index, category in enumerate(company.data_categories):
        if category.source is DataSource.DATA_SUBJECT and category.id not in explained:
            yield (
                ("data_categories", index, "id"),
                (f"people give the data '{category.id}', but no purpose says whether they must give it"),
            )


CONSENT_CANNOT_BE = {
    Requirement.STATUTORY: "required by law",
    Requirement.CONTRACTUAL: "a contractual requirement",
    Requirement.CONTRACT_PRECONDITION: "a condition of concluding the contract",
}
"""What giving the data may be, for a purpose on consent, and is not (the phrase a message states it with)."""


@rule(
    "GDPR-7-4",
    "Art. 4(11), 6(1) and 7(4) GDPR",
    "purposes[].provision.requirement",
    "rest the purpose on the basis that needs the data (contract, legal_obligation), "
    "or make giving it voluntary (requirement: voluntary)",
    Severity.WARNING,
)
def _consent_is_not_a_condition(company: Company) -> Iterator[tuple[DataPath, str]]:
    """Consent that a contract or the law makes a condition is not freely given (Art. 4(11), 7(4), recital 43),
    and the policy would then tell the reader both that the data rests on their consent and that they must give it."""
    for index, purpose in enumerate(company.purposes):
        if purpose.legal_basis is not LegalBasis.CONSENT or purpose.provision is None:
            continue
        condition = CONSENT_CANNOT_BE.get(purpose.provision.requirement)
        if condition is not None:
            yield (
                ("purposes", index, "provision", "requirement"),
                f"the purpose '{purpose.id}' rests on consent, yet giving its data is {condition}: "
                "consent that something depends on is not freely given",
            )


@rule(
    "GDPR-13-2-f",
    "Art. 13(2)(f) GDPR",
    "automated_decisions.logic",
    "explain the logic and the significance and consequences for the person",
)
def _profiling_is_explained(company: Company) -> Iterator[tuple[DataPath, str]]:
    decisions = company.automated_decisions
    if decisions.profiling or decisions.solely_automated_decisions:
        if decisions.logic is None:
            yield (
                ("automated_decisions", "logic"),
                "profiling or automated decisions are used, but their logic is not explained",
            )
        if decisions.significance is None:
            yield (
                ("automated_decisions", "significance"),
                "profiling or automated decisions are used, but not what they mean for the person",
            )


@rule("GDPR-14-1-d", "Art. 14(1)(d) GDPR", "data_categories[].includes", "describe what the category includes")
def _third_party_categories_are_described(company: Company) -> Iterator[tuple[DataPath, str]]:
    for index, category in enumerate(company.data_categories):
        if category.source is DataSource.THIRD_PARTY and category.includes is None:
            yield (
                ("data_categories", index, "includes"),
                f"the category '{category.id}' comes from a third party but is not described",
            )


@rule("GDPR-14-2-f", "Art. 14(2)(f) GDPR", "data_categories[].source_name", "name the source in source_name")
def _third_party_sources_are_named(company: Company) -> Iterator[tuple[DataPath, str]]:
    for index, category in enumerate(company.data_categories):
        if category.source is DataSource.THIRD_PARTY and category.source_name is None:
            yield (
                ("data_categories", index, "source_name"),
                f"the category '{category.id}' comes from a third party that is not named",
            )


@rule("GDPR-27-1", "Art. 27 GDPR", "controller.eu_representative", "name the representative in the EU")
def _representative_outside_eea(company: Company) -> Iterator[tuple[DataPath, str]]:
    address = company.controller.address
    if address is not None and not is_in_eea(address.country) and company.controller.eu_representative is None:
        yield ("controller", "eu_representative"), "the controller is established outside the EEA"


@rule("CONS-SOLE-TRADER-NAME", "Art. 13(1)(a) GDPR", "controller.owner", "give the full name of the person(s)")
def _trader_is_named(company: Company) -> Iterator[tuple[DataPath, str]]:
    if company.controller.legal_form in FORMS_RUN_BY_PEOPLE and company.controller.owner is None:
        yield (
            ("controller", "owner"),
            "a sole trader's or civil partnership's policy must name the person(s) running it",
        )


@rule(
    "GDPR-77",
    "Art. 77 GDPR",
    "supervisory_authority",
    "leave supervisory_authority out: the policy then names Prezes UODO",
)
def _polish_controller_names_uodo(company: Company) -> Iterator[tuple[DataPath, str]]:
    address = company.controller.address
    uodo = legal_facts().supervisory_authority
    if (address is None or address.country == "PL") and company.supervisory_authority.website != uodo.website:
        yield (
            ("supervisory_authority", "website"),
            "the controller is established in Poland, whose supervisory authority is Prezes UODO "
            f"({uodo.website}), but the policy names another",
        )


def outdated_wording(company: Company) -> Iterator[Finding]:
    """Free text citing law that is no longer in force: one warning per citation."""
    facts = legal_facts()
    for path, text in company_texts(company):
        if not facts.any_outdated_term.search(text):
            continue
        for term in facts.outdated_terms:
            if term.regex.search(text):
                warning = Rule(term.id, "currency", "free text", "reword it", Severity.WARNING)
                yield Finding(warning, path, term.message)


def company_texts(company: Company) -> tuple[tuple[DataPath, str], ...]:
    """Every string of the company's facts with its path, for the rules that read all of them.

    Three rules do; the texts of the company checked last are kept for the next, instead of
    dumping and walking its facts three times (a fifth of ``validate``'s time per company).
    """
    last = _LAST_TEXTS[0] if _LAST_TEXTS else None
    if last is not None and last[0] is company:
        return last[1]
    texts = tuple(_free_texts(company.model_dump(mode="json")))
    _LAST_TEXTS[:] = [(company, texts)]
    return texts


_LAST_TEXTS: list[tuple[Company, tuple[tuple[DataPath, str], ...]]] = []


def _free_texts(data: Any, path: DataPath = ()) -> Iterator[tuple[DataPath, str]]:
    """Every string of dumped facts with its path, the keys and indexes a located message names."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _free_texts(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _free_texts(value, (*path, index))
    elif isinstance(data, str):
        yield path, data


RULE_MODULES = ("generator.cookie_rules", "generator.transfer_rules", "generator.company_law", "generator.style")
"""Modules that register further rules with :func:`rule`, one body of law or concern each."""


@cache
def all_rules() -> tuple[tuple[Rule, Check], ...]:
    """Every registered rule, those of :data:`RULE_MODULES` included."""
    for module in RULE_MODULES:
        importlib.import_module(module)
    return tuple(_RULES)


def check_company(company: Company) -> list[Finding]:
    """Every rule's findings for one company: errors, then warnings, then notes on awaited facts."""
    awaited = {missing.fact: missing.note for missing in company.missing}
    findings = [
        Finding(rule, path, message, awaited.get(field_path(path)) if rule.severity is Severity.WARNING else None)
        for rule, check in all_rules()
        for path, message in check(company)
    ]
    findings.extend(outdated_wording(company))
    order = list(Severity)
    return sorted(findings, key=lambda finding: order.index(finding.severity))


def stale_legal_facts(today: datetime.date) -> list[tuple[str, datetime.date]]:
    """Legal facts not verified within a year of ``today``."""
    return [(name, verified) for name, verified in legal_facts().dated_entries() if today - verified > STALE_AFTER]
