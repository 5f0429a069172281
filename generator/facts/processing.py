"""What is processed, why, on which legal basis, by whom and for how long (Art. 13/14)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from generator.facts.base import (
    CountryCode,
    FactProblem,
    FactsModel,
    Identifier,
    LocalizedText,
    PlainText,
    fact_error,
    fact_errors,
)
from generator.facts.durations import CookieLifetime, Retention
from generator.legal import is_in_eea


class DataSource(StrEnum):
    """Where a category of data comes from (Art. 13 for the person, Art. 14 otherwise)."""

    DATA_SUBJECT = "data_subject"
    AUTOMATIC = "automatic"
    VIDEO_SURVEILLANCE = "video_surveillance"
    THIRD_PARTY = "third_party"


class DataCategory(FactsModel):
    """A category of personal data the controller processes."""

    id: Identifier
    """Name that purposes use to refer to this category."""
    name: LocalizedText
    """The category's name, e.g. `Dane kontaktowe` / `Contact details`."""
    includes: LocalizedText | None = None
    """What the category covers, e.g. `imię i nazwisko, adres e-mail` / `name, e-mail address`."""
    source: DataSource = DataSource.DATA_SUBJECT
    """data_subject (given by the person), automatic (collected when the site or service is used),
    video_surveillance (recorded by cameras on the premises) or third_party (received from someone
    else: name them in `source_name`)."""
    source_name: LocalizedText | None = None
    """Who the data comes from, when the source is third_party (Art. 14(2)(f))."""
    publicly_available: bool = False
    """Whether a third-party source is publicly accessible (Art. 14(2)(f))."""
    special: bool = False
    """Whether this is a special category of data (Art. 9(1)): health, beliefs, biometrics..."""

    @model_validator(mode="after")
    def _third_party_source_is_named(self) -> Self:
        if self.source is not DataSource.THIRD_PARTY and self.source_name is not None:
            raise fact_error(
                "source_name", "source_name is for data received from a third party; set source: third_party"
            )
        return self


class LegalBasis(StrEnum):
    """The lawful basis of Art. 6(1) GDPR, points (a) to (f)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"

    @property
    def letter(self) -> str:
        """The point of Art. 6(1) this basis is."""
        return "abcdef"[list(LegalBasis).index(self)]


class SpecialCategoryCondition(StrEnum):
    """The condition of Art. 9(2) GDPR, points (a) to (j), for special categories of data."""

    A = "a"
    B = "b"
    C = "c"
    D = "d"
    E = "e"
    F = "f"
    G = "g"
    H = "h"
    I = "i"  # noqa: E741 - the article's own letter
    J = "j"


class Requirement(StrEnum):
    """Whether giving the data is required, and by what (Art. 13(2)(e))."""

    STATUTORY = "statutory"
    CONTRACTUAL = "contractual"
    CONTRACT_PRECONDITION = "contract_precondition"
    VOLUNTARY = "voluntary"


class Provision(FactsModel):
    """Whether the person must give the data, and what happens if they do not."""

    requirement: Requirement
    """statutory (the law requires it), contractual, contract_precondition (needed to conclude
    the contract) or voluntary."""
    consequence: LocalizedText
    """What follows from not giving the data, as a sentence of its own that names the missing
    data, e.g. `without this data we cannot create the account` (the policy capitalises it)."""


class MarketingChannel(StrEnum):
    """How direct marketing reaches people."""

    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    POST = "post"


ELECTRONIC_CHANNELS = (MarketingChannel.EMAIL, MarketingChannel.SMS, MarketingChannel.PHONE)
"""The channels art. 398 PKE allows for direct marketing only with the person's prior consent."""


class Purpose(FactsModel):
    """One purpose of processing with its legal basis and retention."""

    id: Identifier
    """Name that recipients and extra sections use to refer to this purpose."""
    name: LocalizedText
    """Short name of the purpose, e.g. `Prowadzenie konta` / `Running your account`."""
    description: LocalizedText | None = None
    """What the processing for this purpose involves, shown under its heading as a paragraph of its
    own: the policy starts it with a capital letter and ends it with a full stop if it has none."""
    legal_basis: LegalBasis | None = None
    """consent, contract, legal_obligation, vital_interests, public_task or legitimate_interests
    (Art. 6(1)(a)-(f)); every purpose needs one (checked as GDPR-13-1-c)."""
    legitimate_interest: LocalizedText | None = None
    """The legitimate interest pursued; required when the basis is legitimate_interests."""
    legal_obligation: LocalizedText | None = None
    """The law that imposes the obligation, when the basis is legal_obligation."""
    special_category_condition: SpecialCategoryCondition | None = None
    """The Art. 9(2) point that permits processing special categories for this purpose."""
    data_categories: Annotated[list[Identifier], Field(min_length=1)]
    """The ids of the data categories this purpose uses."""
    retention: Retention | None = None
    """How long the data is kept for this purpose; every purpose needs it (checked as GDPR-13-2-a)."""
    provision: Provision | None = None
    """Whether giving the data is required, and the consequence of not giving it."""
    direct_marketing: bool = False
    """Whether this purpose is direct marketing (the right to object is then absolute)."""
    marketing_channels: list[MarketingChannel] = []
    """With direct_marketing: how it reaches people, any of email, sms, phone and post. The policy
    states that e-mail, text messages and calls go only to those who consented to them beforehand,
    as art. 398 of the Electronic Communications Law (PKE) requires."""
    record_purpose: LocalizedText | None = None
    """The purpose as the record of processing activities states it (Art. 30(1)(b)), of the data subject,
    e.g. `zawarcie i wykonanie umowy sprzedaży z klientem` / `concluding and performing the sales contract
    with the customer`; without it the record's purpose column repeats the purpose's name (the
    description speaks to the policy's reader)."""
    data_subjects: LocalizedText | None = None
    """Whose data this purpose uses, e.g. `subskrybenci newslettera` / `newsletter subscribers`, for the
    record of processing activities (Art. 30(1)(c)); without it the record can name no category, and
    the compliance report lists the purpose."""
    form: LocalizedText | None = None
    """The form that collects the data for this purpose, e.g. `formularz zapisu na newsletter` /
    `newsletter sign-up form`; each form gets a short information clause to show beside it, headed by
    the form's name (with a capital letter). Purposes naming the same form share its clause."""

    @property
    def electronic_channels(self) -> list[MarketingChannel]:
        """The marketing channels for which art. 398 PKE asks the person's prior consent."""
        return [channel for channel in self.marketing_channels if channel in ELECTRONIC_CHANNELS]

    @property
    def open_to_objection(self) -> bool:
        """Whether the person may object to this processing on grounds of their situation (Art. 21(1)):
        its basis is legitimate interests or a public task."""
        return self.legal_basis in (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK)

    @property
    def open_to_portability(self) -> bool:
        """Whether the person may take the data given for it to another controller (Art. 20(1)(a)):
        its basis is consent or a contract."""
        return self.legal_basis in (LegalBasis.CONSENT, LegalBasis.CONTRACT)

    @model_validator(mode="after")
    def _basis_details(self) -> Self:
        if self.legitimate_interest is not None and self.legal_basis not in (None, LegalBasis.LEGITIMATE_INTERESTS):
            raise fact_error(
                "legitimate_interest", "a legitimate interest is stated, but the basis is not legitimate_interests"
            )
        if self.legal_obligation is not None and self.legal_basis not in (None, LegalBasis.LEGAL_OBLIGATION):
            raise fact_error("legal_obligation", "a legal obligation is named, but the basis is not legal_obligation")
        if self.marketing_channels and not self.direct_marketing:
            raise fact_error(
                "marketing_channels", "marketing channels are named, but the purpose is not direct_marketing: true"
            )
        return self


class RecipientRole(StrEnum):
    """How a recipient stands towards the data."""

    PROCESSOR = "processor"
    CONTROLLER = "controller"
    JOINT_CONTROLLER = "joint_controller"


class TransferSafeguard(StrEnum):
    """The Chapter V GDPR ground for sending data outside the EEA."""

    ADEQUACY = "adequacy"
    DPF = "dpf"
    SCC = "scc"
    BCR = "bcr"
    DEROGATION = "derogation"


class TransferDerogation(StrEnum):
    """The derogation of Art. 49(1) GDPR, points (a) to (g), that a transfer without an adequacy decision or
    appropriate safeguards rests on: the policy names it (Art. 13(1)(f), WP260 rev.01)."""

    EXPLICIT_CONSENT = "explicit_consent"
    CONTRACT = "contract"
    CONTRACT_IN_YOUR_INTEREST = "contract_in_your_interest"
    PUBLIC_INTEREST = "public_interest"
    LEGAL_CLAIMS = "legal_claims"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_REGISTER = "public_register"


class Transfer(FactsModel):
    """The ground of a recipient's transfers to some of its countries outside the EEA, where its
    countries rest on different grounds (the DPF for the US, standard contractual clauses for India)."""

    countries: Annotated[list[CountryCode], Field(min_length=1)]
    """The recipient's countries outside the EEA that this ground covers, e.g. `[IN]`."""
    safeguard: TransferSafeguard
    """adequacy, dpf, scc, bcr or derogation, as a recipient's `safeguard`."""
    derogation: TransferDerogation | None = None
    """With safeguard: derogation, the point of Art. 49(1) the transfer rests on, as a recipient's `derogation`."""
    safeguard_copy: LocalizedText | None = None
    """Where a copy of this safeguard can be obtained (Art. 13(1)(f)); by default, from the controller."""
    importer: PlainText | None = None
    """The organisation in these countries the data goes to, where it is not the recipient itself,
    e.g. `Stripe, Inc.` for `Stripe Payments Europe, Limited`: the one certified under the DPF."""

    @model_validator(mode="after")
    def _derogation_is_the_safeguard(self) -> Self:
        if self.derogation is not None and self.safeguard is not TransferSafeguard.DEROGATION:
            raise fact_error("derogation", DEROGATION_WITHOUT_SAFEGUARD)
        return self


DEROGATION_WITHOUT_SAFEGUARD = (
    "a derogation of Art. 49(1) is the ground of a transfer without other safeguards; "
    "set safeguard: derogation or remove derogation"
)


OUTSIDE_CHAPTER_V = "where the transfer rules of Chapter V GDPR do not apply"
"""Why a country of the EEA takes no transfer ground, in every message that refuses one there."""
GROUND_KEYS = ("safeguard", "derogation", "safeguard_copy", "importer")
"""The keys a transfer ground is written with, on a recipient or on each of its transfers; the safeguard first."""


@dataclass(frozen=True)
class TransferGround:
    """Countries outside the EEA where a recipient receives data, and the one ground they rest on."""

    countries: tuple[str, ...]
    safeguard: TransferSafeguard | None
    derogation: TransferDerogation | None
    safeguard_copy: LocalizedText | None
    importer: str | None
    facts_path: tuple[str | int, ...]
    """Where the ground is written, below the recipient: ``()`` for its own keys, ``("transfers", 1)``."""


HOST_PATTERN = r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"


class Recipient(FactsModel):
    """A named recipient (processor or controller), or a category of recipients."""

    name: PlainText | None = None
    """Legal name, e.g. `Google Ireland Limited`; leave out for a category of recipients."""
    category: LocalizedText
    """What kind of recipient this is, e.g. `dostawca hostingu` / `hosting provider`."""
    service: PlainText | None = None
    """The product used, e.g. `Google Analytics 4`."""
    role: RecipientRole = RecipientRole.PROCESSOR
    """processor (acts on our instructions), controller (decides on its own) or joint_controller."""
    arrangement: LocalizedText | None = None
    """For a joint controller: the essence of the arrangement (Art. 26(2)), e.g. who informs people
    and answers their requests, and for which stage of processing each is responsible."""
    countries: list[CountryCode] = ["PL"]
    """Where the recipient processes or accesses the data, as ISO codes (`EU` for the Union)."""
    safeguard: TransferSafeguard | None = None
    """For any country outside the EEA: adequacy, dpf (EU-US Data Privacy Framework),
    scc (standard contractual clauses), bcr (binding corporate rules) or derogation (Art. 49);
    left out when `transfers` gives each country's."""
    derogation: TransferDerogation | None = None
    """With safeguard: derogation, the point of Art. 49(1) the transfer rests on: explicit_consent (a),
    contract (b, a contract with the person or steps before one), contract_in_your_interest (c),
    public_interest (d), legal_claims (e), vital_interests (f) or public_register (g); left out
    when `transfers` is given."""
    safeguard_copy: LocalizedText | None = None
    """Where a copy of the safeguard can be obtained (Art. 13(1)(f)); by default, from the controller;
    left out when `transfers` is given."""
    importer: PlainText | None = None
    """The organisation outside the EEA the data goes to, where it is not the recipient itself, e.g.
    `Google LLC` for `Google Ireland Limited`: the one certified under the DPF; left out when
    `transfers` is given."""
    transfers: list[Transfer] = []
    """Instead of `safeguard`, when its countries outside the EEA rest on different grounds: one
    entry per ground, each naming its countries; every such country of `countries` in one entry."""
    purposes: list[Identifier] = []
    """Ids of the purposes for which this recipient receives data; empty means all."""
    hosts: list[Annotated[str, Field(pattern=HOST_PATTERN)]] = []
    """The host names the websites contact for this recipient, e.g. `www.googletagmanager.com`,
    or `*.linkedin.com` for every host below a domain; `policygen scan` warns of any other."""

    @model_validator(mode="after")
    def _arrangement_is_joint(self) -> Self:
        if self.arrangement is not None and self.role is not RecipientRole.JOINT_CONTROLLER:
            raise fact_error(
                "arrangement", "an arrangement (Art. 26) is for a joint controller; set role: joint_controller"
            )
        return self

    @model_validator(mode="after")
    def _derogation_is_the_safeguard(self) -> Self:
        # With transfers, the derogation belongs in the transfer it is the ground of; in the EEA, in no ground at
        # all: the next rules say so.
        misplaced = self.transfers or self._only_in_the_eea
        if self.derogation is not None and self.safeguard is not TransferSafeguard.DEROGATION and not misplaced:
            raise fact_error("derogation", DEROGATION_WITHOUT_SAFEGUARD)
        return self

    @property
    def _only_in_the_eea(self) -> bool:
        return bool(self.countries) and all(is_in_eea(country) for country in self.countries)

    @model_validator(mode="after")
    def _no_ground_within_the_eea(self) -> Self:
        # A ground given for countries that all lie in the EEA would be printed nowhere: Chapter V does not apply.
        # A copy of a safeguard is left out: published versions, whose facts a state file keeps, may hold one here.
        if self.transfers or not self._only_in_the_eea:
            return self
        given = [key for key in GROUND_KEYS if key != "safeguard_copy" and getattr(self, key) is not None]
        if given:
            *others, last = dict.fromkeys(self.countries)
            where = f"{', '.join(others)} and {last} are" if others else f"{last} is"
            raise fact_errors([(key, f"{where} in the EEA, {OUTSIDE_CHAPTER_V}; remove {key}") for key in given])
        return self

    @model_validator(mode="after")
    def _transfers_cover_the_countries_abroad(self) -> Self:
        if not self.transfers:
            return self
        problems: list[FactProblem] = [
            (key, f"with transfers, each transfer gives its own {key}; remove {key} here")
            for key in GROUND_KEYS
            if getattr(self, key) is not None
        ]
        covered: dict[str, int] = {}
        for index, transfer in enumerate(self.transfers):
            for place, country in enumerate(transfer.countries):
                path = ("transfers", index, "countries", place)
                if is_in_eea(country):
                    problems.append((path, f"{country} is in the EEA, {OUTSIDE_CHAPTER_V}; remove it here"))
                elif country not in self.countries:
                    problems.append((path, f"{country} is not one of the recipient's countries; add it there"))
                elif covered.get(country) == index:
                    problems.append((path, f"{country} is listed twice in this transfer"))
                elif country in covered:
                    problems.append((path, f"{country} is in transfers[{covered[country]}] already; one ground each"))
                else:
                    covered[country] = index
        uncovered = [country for country in self.countries if not is_in_eea(country) and country not in covered]
        if uncovered:
            are, each = ("is", "it") if len(uncovered) == 1 else ("are", "each")
            listed = ", ".join(uncovered)
            problems.append(("transfers", f"{listed} {are} outside the EEA but in no transfer; add {each} to one"))
        if problems:
            raise fact_errors(problems)
        return self

    def transfer_grounds(self) -> list[TransferGround]:
        """Its countries outside the EEA by the ground they rest on: its own safeguard, or each transfer's."""
        if self.transfers:
            return [
                TransferGround(
                    tuple(transfer.countries),
                    transfer.safeguard,
                    transfer.derogation,
                    transfer.safeguard_copy,
                    transfer.importer,
                    ("transfers", index),
                )
                for index, transfer in enumerate(self.transfers)
            ]
        outside = tuple(country for country in self.countries if not is_in_eea(country))
        ground = TransferGround(outside, self.safeguard, self.derogation, self.safeguard_copy, self.importer, ())
        return [ground] if outside else []


class CookieCategory(StrEnum):
    """Why a cookie is set, which decides whether consent is needed."""

    NECESSARY = "necessary"
    PREFERENCES = "preferences"
    ANALYTICS = "analytics"
    MARKETING = "marketing"


class StorageTechnology(StrEnum):
    """Cookies and the similar technologies that store or read data on a device."""

    COOKIE = "cookie"
    LOCAL_STORAGE = "local_storage"
    PIXEL = "pixel"


COOKIE_PARTY_PATTERN = r"^(first|third)$"


class Cookie(FactsModel):
    """A cookie or similar technology set on the visitor's device."""

    name: PlainText
    """The cookie's name as the browser shows it, e.g. `_ga`; a part that varies is named in
    angle brackets, e.g. `_ga_<container-id>`."""
    provider: PlainText
    """Who sets and reads it, e.g. `Google Ireland Limited` or the controller's own name."""
    party: Annotated[str, Field(pattern=COOKIE_PARTY_PATTERN)] = "first"
    """first (set by our own site) or third (set by another domain)."""
    technology: StorageTechnology = StorageTechnology.COOKIE
    """cookie, local_storage or pixel."""
    category: CookieCategory
    """necessary, preferences, analytics or marketing."""
    purpose: LocalizedText
    """What the cookie is used for."""
    lifetime: CookieLifetime
    """`session`, or how long it stays on the device, e.g. `2 years`."""
    legal_basis: LegalBasis | None = None
    """The Art. 6(1) basis for the processing the cookie enables; by default consent, and for a
    necessary cookie legitimate interests, since art. 399 ust. 3 Prawa komunikacji elektronicznej
    exempts it from consent."""
    legitimate_interest: LocalizedText | None = None
    """The interest pursued, where the cookie rests on legitimate interests (Art. 13(1)(d)), e.g.
    remembering the language a visitor chose. A necessary cookie without one names the interest in
    providing the service the visitor explicitly requested."""

    @model_validator(mode="after")
    def _interest_needs_its_basis(self) -> Self:
        if self.legitimate_interest is not None and self.basis is not LegalBasis.LEGITIMATE_INTERESTS:
            raise fact_error(
                "legitimate_interest",
                "a legitimate interest is stated, but the cookie does not rest on one; set legal_basis: "
                "legitimate_interests or remove legitimate_interest",
            )
        return self

    @property
    def consent_exempt(self) -> bool:
        """Whether the cookie rests on the necessity exemption of art. 399 ust. 3 PKE by default."""
        return self.category is CookieCategory.NECESSARY and self.legal_basis is None

    @property
    def basis(self) -> LegalBasis:
        """The Art. 6(1) basis, the default filled in."""
        if self.legal_basis is not None:
            return self.legal_basis
        return LegalBasis.LEGITIMATE_INTERESTS if self.consent_exempt else LegalBasis.CONSENT

    @property
    def asked_for(self) -> bool:
        """Whether the consent banner asks consent for the cookie: one outside the necessary category,
        whatever its basis (its category is what a visitor accepts), or a necessary one resting on consent."""
        return self.category is not CookieCategory.NECESSARY or self.basis is LegalBasis.CONSENT

    @property
    def name_pattern(self) -> str:
        """The regular expression of the names this cookie takes (see :func:`cookie_name_pattern`)."""
        return cookie_name_pattern(self.name)


_NAME_PLACEHOLDER = re.compile(r"<[^<>]*>")
_REGEX_SPECIAL = re.compile(r"[.^$*+?()\[\]{}|\\/]")
"""Characters special in a regular expression or a JavaScript regex literal, in both escaped alike."""


def cookie_name_pattern(name: str) -> str:
    """A declared cookie name as a regular expression that Python and JavaScript read alike.

    A placeholder in angle brackets (`_ga_<container-id>`) stands for one or more characters;
    the rest matches literally. The consent banner clears cookies and the scanner recognises
    them by the same expression, so what the banner removes is what the scan accepts.
    """
    return "^" + ".+".join(_REGEX_SPECIAL.sub(r"\\\g<0>", part) for part in _NAME_PLACEHOLDER.split(name)) + "$"


def is_name_pattern(name: str) -> bool:
    """Whether a declared cookie name has a placeholder, so it names a family of cookies."""
    return _NAME_PLACEHOLDER.search(name) is not None


def host_matches(host: str, declared: str) -> bool:
    """Whether a host name is the declared one, or below it when declared as `*.domain`."""
    if declared.startswith("*."):
        return host == declared[2:] or host.endswith(declared[1:])
    return host == declared
