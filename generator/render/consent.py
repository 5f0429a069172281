"""The consent banner's configuration (output kind ``consent``), made from the same facts as the policy.

``output/<slug>/cookie-consent.json`` is a complete configuration object for vanilla-cookieconsent
v3, and ``cookie-consent.js`` an ES module exporting the same object: one category per cookie
category of the facts, each category's cookies cleared when it is refused, and per language
the banner's texts (from the catalogs), each category's description and the very rows of the
policy's cookie table, so that the banner and the policy cannot list different cookies.

A company that declares no cookies needs no banner: the kind then makes no files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from generator.cookie_rules import consent_partners, recipients_of
from generator.document import PolicyDocument, render_blocks
from generator.facts import Company
from generator.facts.durations import shortest_days
from generator.facts.processing import (
    Cookie,
    CookieCategory,
    StorageTechnology,
    TransferDerogation,
    TransferSafeguard,
    cookie_name_pattern,
    is_name_pattern,
)
from generator.legal import is_in_eea
from generator.markdown_text import escape
from generator.outputs import POLICY_STEM, CompanyDraft, RenderedFile
from generator.render.html import markdown_parser
from generator.state import Version
from generator.typography import typeset

CONFIG_STEM = "cookie-consent"

CONSENT_COOKIE_HINT = "consent"
"""A necessary first-party cookie whose name contains this word is the banner's own cookie."""

# A JSON file cannot hold a regular expression: a name pattern is written as `/source/` (no cookie
# name contains a slash), and the module turns those back into RegExp objects before exporting.
_MODULE = """\
// The consent banner's configuration for vanilla-cookieconsent v3, made by policygen from the
// facts of {slug}; cookie-consent.json holds the same object, but for the name patterns and the
// policy links made absolute below. Rebuild it rather than edit it.
const config = {config};

const withPattern = (cookie) =>
  /^\\/.+\\/$/.test(cookie.name) ? {{ ...cookie, name: new RegExp(cookie.name.slice(1, -1)) }} : cookie;

for (const category of Object.values(config.categories)) {{
  if (category.autoClear) category.autoClear.cookies = category.autoClear.cookies.map(withPattern);
  for (const service of Object.values(category.services ?? {{}})) {{
    service.cookies = service.cookies.map(withPattern);
  }}
}}

// The links to the policy are written relative to a policy page (../<lang>/{stem}.html); each is
// replaced by that language's policy page, given relative to this module's own address, so that
// it leads to the policy from every page of the site.
const policyPages = {policy_pages};
const policyLink = /href="\\.\\.\\/([a-z]{{2}})\\/{stem}\\.html"/g;
const resolved = (html) =>
  html.replace(policyLink, (link, language) => `href="${{new URL(policyPages[language], import.meta.url)}}"`);
for (const translation of Object.values(config.language.translations)) {{
  translation.consentModal.footer = resolved(translation.consentModal.footer);
  for (const section of translation.preferencesModal.sections) section.description = resolved(section.description);
}}

export default config;
"""


def consent_files(company: CompanyDraft) -> list[RenderedFile]:
    """The ``consent`` output kind: the banner's configuration as JSON and as an ES module."""
    documents = [policy.document for policy in company.policies]
    if not documents or not documents[0].company.cookies:
        return []
    config = consent_config(documents)
    text = json.dumps(config, indent=2, ensure_ascii=False)
    # Beside the module (<slug>/), each language's page is <lang>/privacy-policy.html.
    pages = {document.language: f"{document.language}/{POLICY_STEM}.html" for document in documents}
    return [
        RenderedFile(f"{CONFIG_STEM}.json", "consent-json", (text + "\n").encode()),
        RenderedFile(f"{CONFIG_STEM}.js", "consent-js", consent_module(company.slug, config, pages).encode()),
    ]


def consent_module(slug: str, config: dict[str, Any], policy_pages: dict[str, str]) -> str:
    """The configuration as an ES module whose policy links lead to policy_pages.

    policy_pages maps each language to its policy page's address relative to the module's own:
    a static host publishes the module beside the language folders, a site generator wherever
    its pages are (the MkDocs plugin, with directory URLs).
    """
    text = json.dumps(config, indent=2, ensure_ascii=False)
    return _MODULE.format(slug=slug, config=text, stem=POLICY_STEM, policy_pages=json.dumps(policy_pages))


def consent_config(documents: Sequence[PolicyDocument]) -> dict[str, Any]:
    """The configuration object of one company, with a translation per policy language."""
    facts = documents[0].company
    config: dict[str, Any] = {"revision": consent_revision(documents[0].history)}
    consent_cookie = _consent_cookie(facts)
    if consent_cookie is not None:
        config["cookie"] = {"name": consent_cookie.name}
        if consent_cookie.lifetime is not None:
            config["cookie"]["expiresAfterDays"] = shortest_days(consent_cookie.lifetime)
    config["categories"] = {category.value: _category(facts, category) for category in _categories(facts)}
    asks_consent = _asks_consent(facts)
    if not asks_consent:
        # Nothing to consent to: no banner, whose "Accept all" would ask for a consent that nothing
        # needs; the settings, opened from the site's link, still list the cookies.
        config["autoShow"] = False
    partners = consent_partners(facts)
    abroad = _partners_abroad(facts, partners)
    # What the first layer says of the company, the same in every language.
    first_layer = {
        "asks_consent": asks_consent,
        "partners": partners,
        "consent_categories": [
            category.value for category in _categories(facts) if category is not CookieCategory.NECESSARY
        ],
        "partners_abroad": abroad.partners,
        "countries_abroad": abroad.countries,
        "abroad_without_safeguards": abroad.without_safeguards,
        "abroad_on_explicit_consent": abroad.on_explicit_consent,
        "explicit_consent_countries": abroad.explicit_consent_countries,
    }
    config["language"] = {
        "default": documents[0].language,
        "autoDetect": "document",
        "translations": {document.language: _translation(document, first_layer) for document in documents},
    }
    return config


def consent_revision(history: Sequence[Version]) -> int:
    """The version in which the cookies that need consent last changed, else 1.

    vanilla-cookieconsent asks visitors again when the revision differs from the one they
    consented under. A cookie added to a consent category, moved into one, given to another
    provider or kept longer changes what they agreed to; a removed cookie or a reworded
    purpose does not, and must not make the banner reappear.
    """
    revision, before = 1, frozenset[tuple[str, ...]]()
    for version in history:
        terms = _consent_terms(version.facts)
        if terms - before:
            revision = version.version
        before = terms
    return revision


def _consent_terms(facts: dict[str, Any]) -> frozenset[tuple[str, ...]]:
    return frozenset(
        (cookie["category"], cookie["name"], cookie["provider"], cookie.get("lifetime", ""))
        for cookie in facts.get("cookies", [])
        if cookie["category"] != CookieCategory.NECESSARY.value
    )


@dataclass(frozen=True)
class _Abroad:
    """What the first layer says of the partners that process data outside the EEA."""

    partners: list[str]
    countries: list[str]
    """The countries outside the EEA where they process it, in the order their recipient entries name them."""
    without_safeguards: bool
    """Whether any of it rests on a derogation of Art. 49 GDPR, with no adequacy decision or safeguard."""
    on_explicit_consent: list[str]
    """The partners whose transfer rests on the visitor's explicit consent (Art. 49(1)(a)), which accepting their
    cookies gives: named, as that consent is to their transfer alone."""
    explicit_consent_countries: list[str]
    """The countries those transfers go to: named too, as a partner's other countries may rest on safeguards."""


def _partners_abroad(facts: Company, partners: list[str]) -> _Abroad:
    """The partners whose recipient entries process data outside the EEA, where, and on what: a visitor
    consenting to their cookies consents to that too, and is told before choosing."""
    names: list[str] = []
    countries: list[str] = []
    without_safeguards = False
    on_explicit_consent: list[str] = []
    explicit_consent_countries: list[str] = []
    for partner in partners:
        recipients = recipients_of(facts, partner)
        outside = [country for recipient in recipients for country in recipient.countries if not is_in_eea(country)]
        if outside:
            names.append(partner)
            countries.extend(country for country in outside if country not in countries)
            grounds = [ground for recipient in recipients for ground in recipient.transfer_grounds()]
            without_safeguards |= any(ground.safeguard is TransferSafeguard.DEROGATION for ground in grounds)
            on_consent = [
                country
                for ground in grounds
                if ground.safeguard is TransferSafeguard.DEROGATION
                and ground.derogation is TransferDerogation.EXPLICIT_CONSENT
                for country in ground.countries
            ]
            if on_consent:
                on_explicit_consent.append(partner)
                explicit_consent_countries.extend(c for c in on_consent if c not in explicit_consent_countries)
    return _Abroad(names, countries, without_safeguards, on_explicit_consent, explicit_consent_countries)


def _asks_consent(facts: Company) -> bool:
    return any(cookie.asked_for for cookie in facts.cookies)


def _categories(facts: Company) -> list[CookieCategory]:
    """Necessary always (the banner's own cookie is necessary), then those the facts use."""
    used = {cookie.category for cookie in facts.cookies} | {CookieCategory.NECESSARY}
    return [category for category in CookieCategory if category in used]


def _consent_cookie(facts: Company) -> Cookie | None:
    return next(
        (
            cookie
            for cookie in facts.cookies
            if cookie.category is CookieCategory.NECESSARY
            and cookie.party == "first"
            and cookie.technology is StorageTechnology.COOKIE
            and CONSENT_COOKIE_HINT in cookie.name.lower()
            and not is_name_pattern(cookie.name)
        ),
        None,
    )


def _clearing_rule(cookie: Cookie) -> dict[str, str]:
    return {"name": f"/{cookie_name_pattern(cookie.name)}/" if is_name_pattern(cookie.name) else cookie.name}


def _category(facts: Company, category: CookieCategory) -> dict[str, Any]:
    if category is CookieCategory.NECESSARY:
        return {"enabled": True, "readOnly": True}
    cookies = [cookie for cookie in facts.cookies if cookie.category is category]
    # A page's script can delete only its own site's cookies: third-party ones are listed, not cleared.
    clearable = [
        cookie for cookie in cookies if cookie.party == "first" and cookie.technology is StorageTechnology.COOKIE
    ]
    services: dict[str, Any] = {}
    for cookie in cookies:
        service = services.setdefault(_service_key(cookie.provider), {"label": cookie.provider, "cookies": []})
        if cookie in clearable:
            service["cookies"].append(_clearing_rule(cookie))
    return {
        "enabled": False,
        "readOnly": False,
        "autoClear": {"cookies": [_clearing_rule(cookie) for cookie in clearable], "reloadPage": False},
        "services": services,
    }


def _service_key(provider: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", provider.lower()).strip("-") or "provider"


def _translation(document: PolicyDocument, first_layer: dict[str, Any]) -> dict[str, Any]:
    """The banner's texts in the document's language, from the catalogs, as HTML."""
    environment = document.environment
    template = environment.get_template("consent.md.j2")
    context = {"category": "necessary", "company": document.company, **first_layer}
    text = dict(zip(_TEXTS, map(_html, render_blocks(template, context, *_TEXTS)), strict=True))
    policy_link = f'<a href="../{document.language}/{POLICY_STEM}.html">{text["policy"]}</a>'
    headers = {"name": text["name"], "provider": text["provider"], "purpose": text["purpose"]}
    headers["lifetime"] = text["lifetime"]
    sections: list[dict[str, Any]] = [{"title": text["intro_title"], "description": text["intro"]}]
    for category in _categories(document.company):
        title, description = map(
            _html, render_blocks(template, {"category": category.value}, "category_title", "category_description")
        )
        sections.append(
            {
                "title": title,
                "description": description,
                "linkedCategory": category.value,
                "cookieTable": {"headers": headers, "body": _table_body(document, category)},
            }
        )
    sections.append({"title": text["more_title"], "description": f"{text['more']} {policy_link}"})
    return {
        "consentModal": {
            "title": text["consent_title"],
            "description": text["consent_description"],
            "acceptAllBtn": text["accept_all"],
            "acceptNecessaryBtn": text["reject_all"],
            "showPreferencesBtn": text["show_preferences"],
            "footer": policy_link,
        },
        "preferencesModal": {
            "title": text["preferences_title"],
            # Nothing to choose where nothing needs consent: vanilla-cookieconsent shows no button without a label.
            **(
                {
                    "acceptAllBtn": text["accept_all"],
                    "acceptNecessaryBtn": text["reject_all"],
                    "savePreferencesBtn": text["save_preferences"],
                }
                if first_layer["asks_consent"]
                else {}
            ),
            "closeIconLabel": text["close"],
            "sections": sections,
        },
    }


_TEXTS = (
    "consent_title",
    "consent_description",
    "accept_all",
    "reject_all",
    "show_preferences",
    "preferences_title",
    "save_preferences",
    "close",
    "intro_title",
    "intro",
    "policy",
    "more_title",
    "more",
    "name",
    "provider",
    "purpose",
    "lifetime",
)
"""The blocks of templates/consent.md.j2 written once per language."""


def _table_body(document: PolicyDocument, category: CookieCategory) -> list[dict[str, str]]:
    """The rows of the policy's table of this category, cell by cell through the same macros, typeset alike."""
    macros = document.environment.globals

    def typeset_html(markdown: str) -> str:
        return _html(typeset(markdown, document.language))

    def cell(macro: str, cookie: Cookie) -> str:
        return typeset_html(cast(Callable[[Cookie], str], macros[macro])(cookie))

    return [
        {
            "name": cell("cookie_name", cookie),
            "provider": cell("cookie_provider", cookie),
            "purpose": typeset_html(escape(cookie.purpose[document.language])),
            "lifetime": cell("cookie_lifetime", cookie),
        }
        for cookie in document.company.cookies
        if cookie.category is category
    ]


def _html(markdown: str) -> str:
    """Inline Markdown (escaped facts, catalog text) as the HTML the banner shows."""
    return str(markdown_parser().renderInline(markdown.strip()))
