"""The coverage report written with each build: every Art. 13/14 item, where it is stated.

``output/<slug>/compliance.md`` lists each item, the section that states it in every
language, or why it does not apply, so a reviewer can verify a policy item by item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from babel.lists import format_list

from generator.checks import check_company
from generator.document import PolicyDocument
from generator.facts import Company
from generator.facts.processing import DataSource, LegalBasis, RecipientRole, TransferSafeguard
from generator.languages import language, source_language
from generator.legal import is_in_eea, legal_facts
from generator.loading import field_path
from generator.markdown_text import escape, table
from generator.outputs import CompanyDraft, RenderedFile


@dataclass(frozen=True)
class Item:
    """One item the GDPR requires a privacy notice to state."""

    rule: str
    article: str
    what: str
    anchor: str
    not_applicable: Callable[[Company], str | None] = lambda company: None
    """Why the item does not apply to this company, or ``None`` when it does."""


def _bases(company: Company) -> set[LegalBasis | None]:
    return {purpose.legal_basis for purpose in company.purposes} | {cookie.basis for cookie in company.cookies}


def _from_others(company: Company) -> str | None:
    if any(category.source is DataSource.THIRD_PARTY for category in company.data_categories):
        return None
    return "all data comes from the person or from their use of the services"


ITEMS = (
    Item("GDPR-13-1-a", "Art. 13(1)(a)", "identity and contact details of the controller", "controller"),
    Item(
        "GDPR-13-1-b",
        "Art. 13(1)(b)",
        "contact details of the data protection officer",
        "dpo",
        lambda company: None if company.contact.dpo else "no data protection officer is designated",
    ),
    Item("GDPR-13-1-c", "Art. 13(1)(c)", "purposes and their legal basis", "purposes"),
    Item(
        "GDPR-13-1-d",
        "Art. 13(1)(d)",
        "legitimate interests pursued",
        "purposes",
        lambda company: (
            None
            if LegalBasis.LEGITIMATE_INTERESTS in _bases(company)
            else "no processing rests on legitimate interests"
        ),
    ),
    Item(
        "GDPR-13-1-e",
        "Art. 13(1)(e)",
        "recipients or categories of recipients",
        "recipients",
        lambda company: None if company.recipients else "the data is disclosed to no one",
    ),
    Item(
        "GDPR-13-1-f",
        "Art. 13(1)(f)",
        "transfers outside the EEA and their safeguards",
        "transfers",
        lambda company: (
            None
            if any(not is_in_eea(country) for recipient in company.recipients for country in recipient.countries)
            else "no recipient processes data outside the EEA"
        ),
    ),
    Item("GDPR-13-2-a", "Art. 13(2)(a)", "how long data is kept", "retention"),
    Item(
        "GDPR-13-2-b",
        "Art. 13(2)(b)",
        "rights of access, rectification, erasure, restriction, objection and portability",
        "rights",
    ),
    Item(
        "GDPR-13-2-c",
        "Art. 13(2)(c)",
        "right to withdraw consent",
        "rights",
        lambda company: None if LegalBasis.CONSENT in _bases(company) else "no processing rests on consent",
    ),
    Item(
        "GDPR-13-2-d",
        "Art. 13(2)(d), Art. 77",
        "right to lodge a complaint in the member state of residence, work or infringement; Prezes UODO",
        "complaint",
    ),
    Item(
        "GDPR-13-2-e",
        "Art. 13(2)(e)",
        "whether the data must be provided, and the consequences of not providing it",
        "purposes",
        lambda company: (
            None
            if any(category.source is DataSource.DATA_SUBJECT for category in company.data_categories)
            else "no data is collected from the person"
        ),
    ),
    Item(
        "GDPR-13-2-f",
        "Art. 13(2)(f)",
        "automated decision-making and profiling, or that there is none",
        "automated_decisions",
    ),
    Item(
        "GDPR-26",
        "Art. 26(2)",
        "the essence of the arrangement with each joint controller",
        "recipients",
        lambda company: (
            None
            if any(recipient.role is RecipientRole.JOINT_CONTROLLER for recipient in company.recipients)
            else "there is no joint controller"
        ),
    ),
    Item("GDPR-14-1-d", "Art. 14(1)(d)", "categories of data obtained from others", "data", _from_others),
    Item("GDPR-14-2-f", "Art. 14(2)(f)", "source of data obtained from others", "data", _from_others),
)


def coverage_report(documents: list[PolicyDocument], version: int) -> str:
    """The report for one company's current version, from its rendered documents."""
    company = documents[0].company
    headings = {
        document.language: {section.outline.anchor: section.numbered_title for section in document.walk()}
        for document in documents
    }
    rows = []
    for item in ITEMS:
        reason = item.not_applicable(company)
        if reason is not None:
            places = [f"not applicable: {reason}"] + ["" for _ in documents[1:]]
        else:
            places = [headings[document.language].get(item.anchor, "MISSING") for document in documents]
        rows.append([item.rule, item.article, item.what, *places])
    languages = [f"{language(document.language).english_name} section" for document in documents]
    lines = [
        f"# GDPR coverage of {escape(company.controller.brand_name or company.controller.legal_name)}",
        "",
        f"Version {version} of {documents[0].last_updated.isoformat()}. Every item of Art. 13 and 14 GDPR, and the "
        "section of the policy that states it.",
        "",
        table(["Rule", "Article", "Item", *languages], rows),
    ]
    on_dpf = [
        recipient
        for recipient in company.recipients
        if any(ground.safeguard is TransferSafeguard.DPF for ground in recipient.transfer_grounds())
    ]
    relying_on_dpf = [recipient.name or recipient.category.preferably_in(source_language()) for recipient in on_dpf]
    framework = legal_facts().data_privacy_framework
    if relying_on_dpf and framework.under_appeal:
        named = format_list(relying_on_dpf, locale=language("en").locale)  # the report is in English
        # An unnamed recipient is named by its category, usually plural ("payment processors").
        rely = "relies" if len(on_dpf) == 1 and on_dpf[0].name else "rely"
        lines += [
            "",
            f"Note: {escape(named)} {rely} on the EU-US Data Privacy Framework "
            f"({escape(framework.decision)}), whose validity is under appeal; keep standard "
            "contractual clauses ready as a fallback.",
        ]
    required = _required_by(company)
    for heading, introduction, notes in (
        (
            "Facts to confirm",
            "The facts assumed in writing the policy; the client confirms or corrects each:",
            company.assumed,
        ),
        (
            "Facts the client has yet to supply",
            "The policy leaves these out until the client gives them; each is a note in `lint`, "
            "not a warning, while it is listed under `missing`:",
            company.missing,
        ),
    ):
        if notes:
            lines += ["", f"## {heading}", "", introduction, ""]
            lines += [f"- `{note.fact}`: {escape(note.note)}{required.get(note.fact, '')}" for note in notes]
    without_subjects = [
        (index, purpose.id) for index, purpose in enumerate(company.purposes) if not purpose.data_subjects
    ]
    if without_subjects:
        lines += [
            "",
            "## What the record of processing lacks",
            "",
            "The record (`ropa.xlsx`, Art. 30(1)(c) GDPR) names the categories of data subjects of each purpose; "
            'for these it can only say "people whose data is processed in this activity". Add `data_subjects` '
            "to each (e.g. newsletter subscribers, job applicants):",
            "",
        ]
        lines += [f"- `purposes[{index}].data_subjects`: {escape(name)}" for index, name in without_subjects]
    return "\n".join(lines) + "\n"


def _required_by(company: Company) -> dict[str, str]:
    """For each awaited fact a rule asks for, the sentence saying the law wants it before publication."""
    rules: dict[str, list[str]] = {}
    for finding in check_company(company):
        if finding.awaited is not None:
            rules.setdefault(field_path(finding.path), []).append(f"{finding.rule.id} ({finding.rule.article})")
    return {fact: f" **Required by {', '.join(names)}: supply it before publishing.**" for fact, names in rules.items()}


def compliance_files(company: CompanyDraft) -> list[RenderedFile]:
    """The ``compliance`` output kind: the report of the company's current version."""
    report = coverage_report([policy.document for policy in company.policies], company.version)
    return [RenderedFile("compliance.md", "compliance", report.encode())]
