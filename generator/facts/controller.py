"""Who the controller is and how people reach it (GDPR Art. 13(1)(a)-(b), Art. 27, Art. 77)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import EmailStr, Field, model_validator

from generator.facts.base import (
    PUBLISHED_LANGUAGES,
    CountryCode,
    FactProblem,
    FactsModel,
    LocalizedText,
    PlainText,
    WebAddress,
    fact_error,
    fact_errors,
)
from generator.facts.identifiers import Krs, Nip, Phone, Regon, normalise_polish_postal_code
from generator.languages import Language
from generator.legal import legal_facts


class Address(FactsModel):
    """A postal address as it is written on letters in its country."""

    street: PlainText
    """Street, building and unit, e.g. `ul. Dekabrystów 82` or `Al. Jerozolimskie 181B`."""
    postal_code: PlainText
    """Postal code; in Poland `NN-NNN` (written without the dash it is normalised)."""
    city: PlainText
    """City or town, in its local spelling."""
    country: CountryCode = "PL"
    """ISO country code; Poland (`PL`) when left out."""

    @model_validator(mode="after")
    def _polish_postal_code(self) -> Self:
        if self.country == "PL":
            normalised = normalise_polish_postal_code(self.postal_code)
            if normalised is None:
                raise fact_error(
                    "postal_code", f"a Polish postal code is written NN-NNN, e.g. 00-193; got '{self.postal_code}'"
                )
            object.__setattr__(self, "postal_code", normalised)
        return self


class LegalForm(StrEnum):
    """The controller's legal form, which decides the registry data it must show."""

    SP_Z_OO = "sp_z_oo"
    SA = "sa"
    PSA = "psa"
    SP_K = "sp_k"
    SKA = "ska"
    SP_J = "sp_j"
    SP_P = "sp_p"
    CIVIL_PARTNERSHIP = "civil_partnership"
    SOLE_TRADER = "sole_trader"
    FOUNDATION = "foundation"
    ASSOCIATION = "association"
    FOREIGN_ENTITY = "foreign_entity"


KRS_REGISTERED_FORMS = frozenset(
    {
        LegalForm.SP_Z_OO,
        LegalForm.SA,
        LegalForm.PSA,
        LegalForm.SP_K,
        LegalForm.SKA,
        LegalForm.SP_J,
        LegalForm.SP_P,
        LegalForm.FOUNDATION,
        LegalForm.ASSOCIATION,
    }
)
"""Forms entered in the National Court Register (KRS); sole traders are in CEIDG instead."""

FORMS_WITH_SHARE_CAPITAL = frozenset({LegalForm.SP_Z_OO, LegalForm.SA, LegalForm.PSA, LegalForm.SKA})
"""Forms whose capital the Commercial Companies Code requires them to state."""

FORMS_RUN_BY_PEOPLE = frozenset({LegalForm.SOLE_TRADER, LegalForm.CIVIL_PARTNERSHIP})
"""Forms where the controller is a natural person (or the partners), who must be named."""


CURRENCY_PATTERN = r"^[A-Z]{3}$"


class Money(FactsModel):
    """An amount of money, e.g. share capital."""

    amount: Annotated[Decimal, Field(gt=0)]
    """The amount, e.g. `5000`."""
    currency: Annotated[str, Field(pattern=CURRENCY_PATTERN)] = "PLN"
    """ISO 4217 currency code."""


class Representative(FactsModel):
    """The controller's representative in the EU (Art. 27 GDPR), for controllers outside it."""

    name: PlainText
    """The representative's name."""
    address: Address
    """The representative's address in the EU."""
    email: EmailStr
    """E-mail address for data protection matters."""


class Controller(FactsModel):
    """The organisation that decides why and how personal data is processed."""

    legal_name: PlainText
    """Full registered name, e.g. `SmartAction.io Sp. z o.o.` or `NanoMedia Damian Kiełbasa`."""
    brand_name: PlainText | None = None
    """The name the public knows, when it differs from the legal name, e.g. `SmartCP`."""
    legal_form: LegalForm
    """Legal form: sp_z_oo, sa, psa, sp_k, ska, sp_j, sp_p, civil_partnership, sole_trader,
    foundation, association or foreign_entity."""
    owner: PlainText | None = None
    """For a sole trader or civil partnership: the full name(s) of the person(s) running it."""
    address: Address | None = None
    """Registered office; required for every form but a sole trader or civil partnership, whose
    owners may run the business without a fixed place of business."""
    nip: Nip | None = None
    """Tax identification number (NIP)."""
    regon: Regon | None = None
    """Statistical number (REGON)."""
    krs: Krs | None = None
    """National Court Register number (KRS), for forms entered in the register."""
    registry_court: LocalizedText | None = None
    """The registry court keeping the KRS file, e.g. `Sąd Rejonowy dla m.st. Warszawy w Warszawie,
    XII Wydział Gospodarczy KRS`."""
    share_capital: Money | None = None
    """Share capital, for forms that have one."""
    paid_in_capital: Money | None = None
    """For a joint-stock company (S.A.): the part of the share capital paid in, which its website
    states beside the share capital (art. 374 § 1 KSH)."""
    eu_representative: Representative | None = None
    """Representative in the EU; required when the controller is established outside the EEA (Art. 27)."""

    @model_validator(mode="after")
    def _registry_facts_fit_the_form(self) -> Self:
        form = self.legal_form
        problems: list[FactProblem] = []
        if form not in KRS_REGISTERED_FORMS:
            if self.krs is not None:
                problems.append(("krs", f"a {form.value} is not entered in the KRS; remove the KRS number"))
            if self.registry_court is not None:
                problems.append(
                    ("registry_court", f"a {form.value} is not entered in the KRS; remove the registry court")
                )
        elif self.krs is not None and self.registry_court is None:
            problems.append(("registry_court", "a KRS number needs the registry court that keeps the file"))
        elif self.registry_court is not None and self.krs is None:
            problems.append(("krs", "a registry court is given, but no KRS number"))
        if self.share_capital is not None and form not in FORMS_WITH_SHARE_CAPITAL:
            problems.append(("share_capital", f"a {form.value} has no share capital; remove it"))
        if self.paid_in_capital is not None and form is not LegalForm.SA:
            problems.append(
                ("paid_in_capital", f"only an sa states its paid-in capital, not a {form.value}; remove it")
            )
        elif self.paid_in_capital is not None and self.share_capital is None:
            problems.append(("share_capital", "the paid-in capital is given, but not the share capital it is part of"))
        if self.address is None and form not in FORMS_RUN_BY_PEOPLE:
            problems.append(("address", f"a {form.value} must give its registered office"))
        if problems:
            raise fact_errors(problems)
        return self


class DataProtectionOfficer(FactsModel):
    """The data protection officer (inspektor ochrony danych, IOD), where one is designated."""

    name: PlainText | None = None
    """The officer's name; may be left out when the role is reached through its own mailbox."""
    email: EmailStr | None = None
    """E-mail address of the officer; a designated officer needs an e-mail address or a phone."""
    phone: Phone | None = None
    """Phone number of the officer."""
    address: Address | None = None
    """Postal address for letters to the officer, when not the controller's; without it the policy
    sends letters to the controller's address, marked for the officer."""


class Contact(FactsModel):
    """How people reach the controller about their data."""

    email: EmailStr
    """E-mail address for data protection requests."""
    phone: Phone | None = None
    """Phone number."""
    postal_address: Address | None = None
    """Correspondence address, when it differs from the registered address."""
    contact_form: WebAddress | None = None
    """Web address of a contact form."""
    profiles: list[WebAddress] = []
    """Other public channels where the controller answers, e.g. a LinkedIn profile."""
    dpo: DataProtectionOfficer | None = None
    """The data protection officer, when one is designated."""

    @property
    def requests_email(self) -> str:
        """Where the policy asks people to write about their data (their rights, an objection, a copy
        of transfer safeguards): the officer's mailbox when the officer has one, which may be reached
        by phone alone, else the controller's."""
        return self.dpo.email if self.dpo is not None and self.dpo.email is not None else self.email


class SupervisoryAuthority(FactsModel):
    """The authority people may complain to (Art. 77 GDPR)."""

    name: LocalizedText
    """The authority's name in each language."""
    address: Address
    """The authority's postal address."""
    website: WebAddress
    """The authority's website."""


def national_authority(languages: list[Language]) -> SupervisoryAuthority:
    """The Polish supervisory authority (Prezes UODO, successor of GIODO since 25 May 2018).

    Its name in each language comes from the legal facts; a language they do not name it in
    is left out, for the company's own rules to report.
    """
    entry = legal_facts().supervisory_authority
    names = {code: entry.name[code] for code in languages if code in entry.name}
    return SupervisoryAuthority.model_validate(
        {"name": names, "address": entry.address, "website": entry.website}, context={PUBLISHED_LANGUAGES: list(names)}
    )
