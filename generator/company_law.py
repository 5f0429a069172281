"""What the Commercial Companies Code (KSH) asks a company's website to state about the company.

A company's website must name its registry court, KRS number, NIP and share capital
(art. 206 § 1 KSH for a sp. z o.o., art. 374 § 1 for an S.A., art. 127 § 5 for an S.K.A.).
The privacy policy is the page of the website that already identifies the controller, so the
policy states them, and these rules ask for every one the facts leave out. A partnership or a
simple joint-stock company is identified by its KRS entry and NIP. The rules warn rather than
stop the build: a consultant drafts the policy while the client looks the numbers up, and lists
the ones still awaited under ``missing``.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import Check, Severity, rule
from generator.facts import Company
from generator.facts.controller import LegalForm
from generator.loading import DataPath

REGISTRY_FACTS = ("registry_court", "krs", "nip")
"""The facts that identify a company entered in the National Court Register."""

COMPANY_WEBSITE_FACTS = (*REGISTRY_FACTS, "share_capital")
"""The facts art. 206 § 1, art. 374 § 1 and art. 127 § 5 KSH ask a company's website to state (an S.A.'s
website also states its paid-in capital)."""


def _absent(
    company: Company, forms: frozenset[LegalForm], facts: tuple[str, ...], why: str
) -> Iterator[tuple[DataPath, str]]:
    """One finding per fact of ``facts`` the controller leaves out, when its form is one of ``forms``."""
    controller = company.controller
    if controller.legal_form not in forms:
        return
    for fact in facts:
        if getattr(controller, fact) is None:
            yield (
                ("controller", fact),
                f"its {_NAMES[fact]} is not given; a controller of legal_form '{controller.legal_form.value}' {why}",
            )


ON_THE_WEBSITE = "must state it on its website, where the policy is published"

_NAMES = {
    "registry_court": "registry court",
    "krs": "KRS number",
    "nip": "NIP",
    "share_capital": "share capital",
    "paid_in_capital": "paid-in capital",
}


COMPANY_WEBSITE_ARTICLES = {
    LegalForm.SP_Z_OO: ("KSH-206-1", "art. 206 § 1 KSH"),
    LegalForm.SA: ("KSH-374-1", "art. 374 § 1 KSH"),
    LegalForm.SKA: ("KSH-127-5", "art. 127 § 5 KSH"),
}
"""The article of the Commercial Companies Code that lists what each form's website states."""


def _company_states_its_registration(form: LegalForm) -> Check:
    facts = (*COMPANY_WEBSITE_FACTS, "paid_in_capital") if form is LegalForm.SA else COMPANY_WEBSITE_FACTS

    def check(company: Company) -> Iterator[tuple[DataPath, str]]:
        yield from _absent(company, frozenset({form}), facts, ON_THE_WEBSITE)

    return check


for _form, (_identifier, _article) in COMPANY_WEBSITE_ARTICLES.items():
    rule(
        _identifier,
        _article,
        "controller.registry_court, krs, nip, share_capital",
        "add it to controller, or list it under missing with a note while the client supplies it",
        Severity.WARNING,
    )(_company_states_its_registration(_form))


@rule(
    "CONS-KRS-IDENTITY",
    "Art. 13(1)(a) GDPR",
    "controller.registry_court, krs, nip",
    "add it to controller, or list it under missing with a note while the client supplies it",
    Severity.WARNING,
)
def _registered_partnership_is_identified(company: Company) -> Iterator[tuple[DataPath, str]]:
    forms = frozenset({LegalForm.SP_J, LegalForm.SP_P, LegalForm.SP_K, LegalForm.PSA})
    yield from _absent(company, forms, REGISTRY_FACTS, "is identified by it")
