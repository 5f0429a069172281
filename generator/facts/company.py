"""The whole of one company's facts, and the rules that tie its parts together."""

from __future__ import annotations

import warnings
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

from markdown_it import MarkdownIt
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from generator.facts.base import (
    PUBLISHED_LANGUAGES,
    CountryCode,
    FactsModel,
    Identifier,
    IsoDate,
    LanguageCode,
    LocalizedText,
    PlainText,
    WebAddress,
    fact_error,
)
from generator.facts.controller import Contact, Controller, SupervisoryAuthority, national_authority
from generator.facts.notes import Assumption, MissingFact, path_problem
from generator.facts.processing import Cookie, DataCategory, Purpose, Recipient
from generator.languages import FormOfAddress, Language, default_languages, language_codes
from generator.legal import LEGAL_FACTS_FILE
from generator.logo import FACTS_FILE, LogoError, checked_logo
from generator.markdown_text import SAFE_LINKS, is_safe_link

DataPath = tuple[str | int, ...]


# Pydantic warns that the field `register` hides the method every model inherits from ABCMeta;
# nothing registers virtual subclasses of a facts model, and `register` is the word users know.
warnings.filterwarnings("ignore", 'Field name "register" in "Document" shadows', UserWarning)


class TargetCountry(StrEnum):
    """A country besides Poland whose people the services may be directed at, with its own rule on
    storing information on a visitor's device that the cookies section cites. Only rules that, like
    art. 399 PKE, ask prior consent for all but what is strictly necessary can be "the same rule":
    Switzerland's (Art. 45c FMG: information and a way to refuse) cannot be listed so."""

    DE = "DE"
    """§ 25 TDDDG (Telekommunikation-Digitale-Dienste-Datenschutz-Gesetz)."""
    AT = "AT"
    """§ 165(3) TKG 2021 (Telekommunikationsgesetz 2021)."""


class Document(FactsModel):
    """What the policy covers, in which languages it is published and how it addresses its reader."""

    languages: Annotated[
        list[LanguageCode],
        Field(
            min_length=1,
            default_factory=default_languages,
            json_schema_extra=lambda schema: schema.update(default=default_languages()),
        ),
    ]
    """Languages the policy is published in, e.g. `[pl, en, de]`; Polish and English when left out."""
    websites: list[WebAddress] = []
    """The websites the policy covers, e.g. `https://smartcp.org`."""
    services: list[LocalizedText] = []
    """The services or products the policy covers, named in each language."""
    directed_at: list[TargetCountry] = []
    """Countries besides Poland whose people the services are directed at, e.g. `[DE, AT]` for a shop
    that ships there: each one's own rule on cookies applies to the websites too (§ 25 TDDDG, by its
    § 1(3)) or may (§ 165(3) TKG 2021, silent on its reach), and the cookies section cites it after
    art. 399 PKE. A policy published in German is usually read there."""
    last_updated: IsoDate | None = None
    """Pin the policy's last-updated date by hand, written YYYY-MM-DD; by default it is the day its text
    last changed."""
    logo: PlainText | None = None
    """The company's logo for the PDF's title block: a PNG or SVG file of at most 2 MB, its path relative to
    this facts file and inside the project, e.g. `logos/optingo.svg`; an SVG may hold no scripts or links."""
    _logo_file: Path | None = PrivateAttr(default=None)

    @property
    def logo_file(self) -> Path | None:
        """The checked logo file, when the facts were validated from a file that names one."""
        return self._logo_file

    @model_validator(mode="after")
    def _logo_is_a_safe_image(self, info: ValidationInfo) -> Self:
        facts_file = (info.context or {}).get(FACTS_FILE)
        if self.logo is not None and facts_file is not None:
            try:
                self._logo_file = checked_logo(self.logo, Path(facts_file), Path.cwd())
            except LogoError as problem:
                raise fact_error("logo", str(problem)) from None
        return self

    register: FormOfAddress = FormOfAddress.TY
    """How the policy speaks to its reader in Polish: `ty` ("Twoje dane", "możesz"), or `panstwo`, the
    formal "Państwo" of law firms, clinics and B2B companies ("Państwa dane", "mogą Państwo"). Free text
    in the facts should speak alike (the STYLE-REGISTER warning). English has one form of address;
    German policies always say "Sie"."""

    bilingual_pdf: bool = False
    """Also make, in every build, one PDF with the first two published languages side by side
    (the `pdf-bilingual` output kind)."""

    @field_validator("languages", "directed_at")
    @classmethod
    def _each_listed_once(cls, listed: list[str], info: ValidationInfo) -> list[str]:
        """A language or country listed twice would repeat its text in the policy."""
        repeated = sorted({value for value in listed if listed.count(value) > 1})
        if repeated:
            what = "language" if info.field_name == "languages" else "country"
            raise PydanticCustomError(
                f"repeated_{what}", f"'{repeated[0]}' is listed more than once; list each {what} once"
            )
        return listed

    @model_validator(mode="after")
    def _two_languages_for_the_bilingual_pdf(self) -> Self:
        if self.bilingual_pdf and len(self.languages) < 2:
            raise fact_error(
                "bilingual_pdf", "the bilingual PDF sets two languages side by side; list two or remove bilingual_pdf"
            )
        return self


class ProfilingParty(StrEnum):
    """Who evaluates the person: the policy says "we profile" only of the controller's own profiling."""

    CONTROLLER = "controller"
    PARTNERS = "partners"
    CONTROLLER_AND_PARTNERS = "controller_and_partners"


class AutomatedDecisions(FactsModel):
    """Profiling and decisions made without human involvement (Art. 13(2)(f), Art. 22)."""

    profiling: bool = False
    """Whether personal data is used to evaluate or predict aspects of a person (Art. 4(4))."""
    profiling_by: ProfilingParty = ProfilingParty.CONTROLLER
    """Who profiles: controller (the company itself), partners (those it gives the data to, such as an
    advertising network whose marketing cookies the website sets) or controller_and_partners. Only
    with profiling: true."""
    solely_automated_decisions: bool = False
    """Whether decisions with legal or similarly significant effects are made solely by machine."""
    logic: LocalizedText | None = None
    """Meaningful information about the logic involved."""
    significance: LocalizedText | None = None
    """The significance and the envisaged consequences for the person."""

    @property
    def own_profiling(self) -> bool:
        """Whether the company profiles itself, which its policy then says of it (Art. 21(1) too)."""
        return self.profiling and self.profiling_by != ProfilingParty.PARTNERS

    @model_validator(mode="after")
    def _profiling_party_needs_profiling(self) -> Self:
        if self.profiling_by is not ProfilingParty.CONTROLLER and not self.profiling:
            raise fact_error(
                "profiling_by",
                "who profiles is given, but profiling is false; set profiling: true or remove profiling_by",
            )
        return self


class DataStorage(FactsModel):
    """Where the controller keeps the data it holds itself."""

    countries: Annotated[list[CountryCode], Field(min_length=1)]
    """Countries (ISO codes, or `EU`) where the data is stored."""
    note: LocalizedText | None = None
    """Anything a reader should know about the storage, e.g. the data centre's operator."""


class ChangeChannel(StrEnum):
    """How people learn of a change to the policy."""

    WEBSITE = "website"
    EMAIL = "email"
    ACCOUNT = "account"


class PolicyChanges(FactsModel):
    """How changes to the policy are announced."""

    announced_by: Annotated[list[ChangeChannel], Field(min_length=1)] = [ChangeChannel.WEBSITE]
    """How every change is announced: website (a notice on the site), email, account (a notice in
    the user's account)."""
    material_changes_also_by: list[ChangeChannel] = []
    """Channels that announce material changes (new purposes, recipients or transfers) besides
    `announced_by`, as a policy that e-mails its users only when something important changes."""
    advance_notice: LocalizedText | None = None
    """How far ahead material changes are announced, e.g. `14 dni` / `14 days`."""


class StandardSection(StrEnum):
    """The sections every policy may have; extra sections are placed after one of them."""

    SCOPE = "scope"
    CONTROLLER = "controller"
    DPO = "dpo"
    DATA = "data"
    PURPOSES = "purposes"
    RETENTION = "retention"
    RECIPIENTS = "recipients"
    TRANSFERS = "transfers"
    COOKIES = "cookies"
    AUTOMATED_DECISIONS = "automated_decisions"
    RIGHTS = "rights"
    COMPLAINT = "complaint"
    SECURITY = "security"
    CHILDREN = "children"
    STORAGE = "storage"
    CHANGES = "changes"
    HISTORY = "history"


SUMMARY_ANCHOR = "summary"
"""The anchor of the unnumbered summary ("At a glance") that opens every policy."""


_MARKDOWN_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table")
# Every link reaches the tokens, so an unsafe one is refused with a message instead of
# silently staying text.
_MARKDOWN_PARSER.validateLink = lambda url: True  # type: ignore[method-assign]
_REFUSED_MARKDOWN = {
    "heading_open": "headings are not allowed in a section body; policygen numbers the headings itself",
    "html_block": "raw HTML is not allowed; write Markdown",
    "html_inline": "raw HTML is not allowed; write Markdown",
    "image": "images are not allowed in a policy",
}


class MarkdownText(LocalizedText):
    """Markdown given once per published language: paragraphs, lists, links, emphasis, tables."""

    @model_validator(mode="after")
    def _only_body_markdown(self) -> Self:
        for language, text in self.items():
            for token in _MARKDOWN_PARSER.parse(text):
                for part in (token, *(token.children or [])):
                    if part.type in _REFUSED_MARKDOWN:
                        raise fact_error(language, _REFUSED_MARKDOWN[part.type])
                    if part.type == "link_open" and not is_safe_link(str(part.attrGet("href"))):
                        raise _unsafe_link(language, str(part.attrGet("href")))
        return self


def _unsafe_link(language: str, href: str) -> PydanticCustomError:
    # The address travels in the context: braces in it must not be read as placeholders.
    shown = _MARKDOWN_PARSER.normalizeLinkText(href)
    return PydanticCustomError(
        "fact", f"cannot link to '{{address}}': {SAFE_LINKS}", {"field": language, "address": shown}
    )


class ExtraSection(FactsModel):
    """A company-specific section, written in Markdown for each language."""

    id: Identifier
    """Anchor of the section; stays the same in every language."""
    title: LocalizedText
    """The section's heading, without a number."""
    body: MarkdownText
    """The section's text in Markdown (no headings, raw HTML or images; links to https://, mailto: or #anchors)."""
    after: StandardSection = StandardSection.SECURITY
    """The standard section this one follows."""


def published_languages(data: Any, context: dict[str, Any] | None = None) -> tuple[Language, ...]:
    """The languages raw facts publish in, as far as they can be read before validation.

    Per-language texts are checked against them; languages that are not (all) valid leave
    the check to the table's defaults while `document.languages` reports its own error.
    """
    document = data.get("document") if isinstance(data, dict) else None
    languages = document.get("languages") if isinstance(document, dict) else None
    if isinstance(languages, list) and languages and all(code in language_codes() for code in languages):
        return tuple(languages)
    published = (context or {}).get(PUBLISHED_LANGUAGES)
    return tuple(published) if published is not None else tuple(default_languages())


class Company(FactsModel):
    """All the facts of one company's privacy policy."""

    document: Document = Field(default_factory=lambda: Document.model_validate({}))
    """Languages and scope of the policy."""
    controller: Controller
    """Who the controller is."""
    contact: Contact
    """How to reach the controller and its data protection officer."""
    data_categories: Annotated[list[DataCategory], Field(min_length=1)]
    """The categories of personal data processed, with their sources."""
    purposes: Annotated[list[Purpose], Field(min_length=1)]
    """The purposes of processing, each with its legal basis and retention."""
    recipients: list[Recipient] = []
    """Processors, independent controllers and categories of recipients."""
    cookies: list[Cookie] = []
    """Cookies and similar technologies used on the websites."""
    automated_decisions: AutomatedDecisions = AutomatedDecisions()
    """Profiling and automated decision-making."""
    security_measures: list[LocalizedText] = []
    """Technical and organisational measures worth telling readers about."""
    minimum_age: Annotated[int, Field(ge=13, le=21)] | None = None
    """Age below which the services are not offered and data is not knowingly collected."""
    data_storage: DataStorage | None = None
    """Where the controller stores the data."""
    policy_changes: PolicyChanges = PolicyChanges()
    """The channels through which readers learn of a new version of the policy."""
    supervisory_authority: SupervisoryAuthority = Field(default_factory=lambda: national_authority(default_languages()))
    """The authority to complain to; by default the President of UODO (Prezes UODO)."""
    sections: list[ExtraSection] = []
    """Company-specific sections in Markdown."""
    assumed: list[Assumption] = []
    """Facts the author had to assume (a cookie's name, a retention period, a country), each
    with a note; the compliance report lists them for the client to confirm."""
    missing: list[MissingFact] = []
    """Facts the company has not supplied yet (e.g. its share capital), each with a note; the
    warnings asking for them become notes and the compliance report lists them for the client."""

    @model_validator(mode="before")
    @classmethod
    def _national_authority_by_default(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and "supervisory_authority" not in data:
            languages = published_languages(data, info.context)
            return {**data, "supervisory_authority": national_authority(list(languages))}
        return data

    @model_validator(mode="after")
    def _authority_named_in_every_language(self) -> Self:
        unnamed = [code for code in self.document.languages if self.supervisory_authority.name.get(code) is None]
        if unnamed:
            raise fact_error(
                ("document", "languages"),
                f"the legal facts ({LEGAL_FACTS_FILE.name}) do not name the supervisory authority in "
                f"'{unnamed[0]}'; add its name there, or give supervisory_authority (name, address, website) here",
            )
        return self

    def recipients_of(self, purpose: Purpose) -> list[Recipient]:
        """The recipients that receive data for ``purpose``: those naming it, and those naming no purpose."""
        return [
            recipient for recipient in self.recipients if not recipient.purposes or purpose.id in recipient.purposes
        ]

    def reference_problems(self) -> list[tuple[DataPath, str]]:
        """Ids that repeat or refer to nothing, each with the path of the offending value."""
        problems: list[tuple[DataPath, str]] = []
        for collection, ids in (
            ("data_categories", [category.id for category in self.data_categories]),
            ("purposes", [purpose.id for purpose in self.purposes]),
            ("sections", [section.id for section in self.sections]),
        ):
            counts = Counter(ids)
            for index, item_id in enumerate(ids):
                if counts[item_id] > 1:
                    problems.append(((collection, index, "id"), f"id '{item_id}' is used more than once"))
        for index, section in enumerate(self.sections):
            standard = section.id in set(StandardSection) or section.id == SUMMARY_ANCHOR
            if standard or section.id.startswith(("purpose-", "cookies-")):
                problems.append(
                    (
                        ("sections", index, "id"),
                        f"id '{section.id}' is the anchor of a standard section or subsection; choose another id",
                    )
                )
        facts = self.model_dump(mode="json")
        for index, assumption in enumerate(self.assumed):
            if not assumption.resolve(facts):
                problems.append((("assumed", index, "fact"), f"no fact is given at '{assumption.fact}'"))
        for index, missing in enumerate(self.missing):
            if (unknown := path_problem(type(self), missing.fact)) is not None:
                problems.append((("missing", index, "fact"), unknown))
            elif missing.resolve(facts):
                problems.append(
                    (("missing", index, "fact"), f"the fact '{missing.fact}' is given; remove it from missing")
                )
        category_ids = {category.id for category in self.data_categories}
        purpose_ids = {purpose.id for purpose in self.purposes}
        for index, purpose in enumerate(self.purposes):
            for position, category_id in enumerate(purpose.data_categories):
                if category_id not in category_ids:
                    problems.append(
                        (
                            ("purposes", index, "data_categories", position),
                            _unknown("data category", category_id, category_ids),
                        )
                    )
            special = any(
                category.special for category in self.data_categories if category.id in purpose.data_categories
            )
            if special and purpose.special_category_condition is None:
                problems.append(
                    (
                        ("purposes", index, "special_category_condition"),
                        "this purpose uses a special category of data; name the Art. 9(2) condition (a-j)",
                    )
                )
            elif (
                purpose.special_category_condition is not None
                and not special
                and category_ids >= set(purpose.data_categories)
            ):
                # The policy would cite an Art. 9(2) condition for data it does not call special.
                problems.append(
                    (
                        ("purposes", index, "special_category_condition"),
                        "this purpose uses no special category of data; mark its category special: true"
                        " or remove special_category_condition",
                    )
                )
        for index, recipient in enumerate(self.recipients):
            for position, purpose_id in enumerate(recipient.purposes):
                if purpose_id not in purpose_ids:
                    problems.append(
                        (("recipients", index, "purposes", position), _unknown("purpose", purpose_id, purpose_ids))
                    )
        return problems


def _unknown(kind: str, given: str, known: set[str]) -> str:
    return f"no {kind} has the id '{given}'; known: {', '.join(sorted(known))}"
