"""The document model: one outline for every language, then each language's text.

Section numbers and anchors are decided here, once, from the facts alone, so the policies
in every language, and the Markdown, HTML and PDF of each, cannot disagree: every
renderer walks the same :class:`OutlineSection` tree.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, Template

from generator.facts import Company
from generator.facts.company import SUMMARY_ANCHOR, ExtraSection, StandardSection
from generator.facts.processing import CookieCategory
from generator.i18n import Formats, leading_word
from generator.languages import Language
from generator.legal import is_in_eea
from generator.markdown_text import Markdown
from generator.state import Version
from generator.templating import template_environment
from generator.typography import typeset_all


@dataclass(frozen=True)
class OutlineSection:
    """A section, the same in every language and format."""

    anchor: str
    """Stable id used in links and HTML ids, e.g. ``purpose-account``."""
    number: str
    """``3`` for a section, ``3.2`` for a subsection, empty for the summary before section 1."""
    template: str
    """The template that writes the section's title and body."""
    item: Any = None
    """The fact the section is about (a purpose, a cookie category, an extra section)."""
    children: tuple[OutlineSection, ...] = ()


def _standard_sections_that_apply(company: Company) -> list[StandardSection]:
    """The standard sections the facts call for, in reading order."""
    applies = {
        StandardSection.SCOPE: bool(company.document.websites or company.document.services),
        StandardSection.DPO: company.contact.dpo is not None,
        StandardSection.TRANSFERS: any(
            not is_in_eea(country) for recipient in company.recipients for country in recipient.countries
        ),
        StandardSection.RECIPIENTS: bool(company.recipients),
        StandardSection.COOKIES: bool(company.cookies),
        StandardSection.SECURITY: bool(company.security_measures),
        StandardSection.CHILDREN: company.minimum_age is not None,
        StandardSection.STORAGE: company.data_storage is not None,
    }
    return [section for section in StandardSection if applies.get(section, True)]


SUMMARY = OutlineSection(anchor=SUMMARY_ANCHOR, number="", template="sections/summary.md.j2")
"""The unnumbered first layer ("At a glance") that opens every policy, before section 1: the
layered notice of the transparency guidelines (WP260 rev.01), made from the same facts."""


def build_outline(company: Company) -> tuple[OutlineSection, ...]:
    """The summary, then every section that applies, numbered; extra sections follow the standard one they name."""
    present = _standard_sections_that_apply(company)
    order = list(StandardSection)
    extras_after: dict[StandardSection, list[ExtraSection]] = {}
    for extra in company.sections:
        host = extra.after
        while host not in present:
            host = order[order.index(host) - 1]
        extras_after.setdefault(host, []).append(extra)

    planned: list[tuple[str, str, Any, list[tuple[str, str, Any]]]] = []
    for standard in present:
        planned.append((standard.value, f"sections/{standard.value}.md.j2", None, _children_of(standard, company)))
        planned.extend((extra.id, "sections/extra.md.j2", extra, []) for extra in extras_after.get(standard, []))
    numbered = (
        OutlineSection(
            anchor=anchor,
            number=str(number),
            template=template,
            item=item,
            children=tuple(
                OutlineSection(anchor=child_anchor, number=f"{number}.{position}", template=child_template, item=child)
                for position, (child_anchor, child_template, child) in enumerate(children, start=1)
            ),
        )
        for number, (anchor, template, item, children) in enumerate(planned, start=1)
    )
    return (SUMMARY, *numbered)


def _children_of(section: StandardSection, company: Company) -> list[tuple[str, str, Any]]:
    if section is StandardSection.PURPOSES:
        return [(f"purpose-{purpose.id}", "sections/purpose.md.j2", purpose) for purpose in company.purposes]
    if section is StandardSection.COOKIES:
        used = {cookie.category for cookie in company.cookies}
        return [
            (f"cookies-{category.value}", "sections/cookie_category.md.j2", category)
            for category in CookieCategory
            if category in used
        ]
    return []


def walk(sections: tuple[OutlineSection, ...]) -> Iterator[OutlineSection]:
    """Every section and subsection in reading order."""
    for section in sections:
        yield section
        yield from walk(section.children)


@dataclass(frozen=True)
class RenderedSection:
    """One section's text in one language."""

    outline: OutlineSection
    title: Markdown
    body: Markdown
    children: tuple[RenderedSection, ...]

    @property
    def numbered_title(self) -> Markdown:
        """``3. Title`` or ``3.2 Title``, as headings and the table of contents show it; the summary has no number."""
        if not self.outline.number:
            return self.title
        separator = ". " if "." not in self.outline.number else " "
        return Markdown(f"{self.outline.number}{separator}{self.title}")


@dataclass(frozen=True)
class PolicyDocument:
    """A whole policy in one language: what every output format renders."""

    company: Company
    slug: str
    language: Language
    last_updated: datetime.date
    sections: tuple[RenderedSection, ...]
    languages: tuple[Language, ...]
    """All languages the policy is published in, for links between translations."""
    history: tuple[Version, ...] = ()
    """Every published version up to this one, for outputs that depend on what changed when."""
    draft: bool = False
    """A preview of unpublished facts: dated the day it was made and marked as a draft."""

    @property
    def first_published(self) -> datetime.date:
        """The date of the first version in this document's language: a site's publication date, where
        ``last_updated`` is its last modification (a document rendered without its history has only that)."""
        return next(
            (
                version.date
                for version in self.history
                if self.language in (version.facts.get("document") or {}).get("languages", ())
            ),
            self.last_updated,
        )

    @property
    def environment(self) -> Environment:
        """The templates in the policy's language and form of address, for the outputs made beside it."""
        return template_environment(self.language, self.company.document.register)

    def text(self) -> str:
        """The policy's words without its date and version history: what a new version means."""
        return "\n".join(
            f"{section.numbered_title}\n{section.body}"
            for section in self.walk()
            if section.outline.anchor != StandardSection.HISTORY.value
        )

    def walk(self) -> Iterator[RenderedSection]:
        """Every rendered section and subsection in reading order."""

        def descend(sections: tuple[RenderedSection, ...]) -> Iterator[RenderedSection]:
            for section in sections:
                yield section
                yield from descend(section.children)

        return descend(self.sections)


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape(markdown: str) -> str:
    """Undo :func:`generator.markdown_text.escape`."""
    return _ESCAPED.sub(r"\1", markdown)


def render_document(
    company: Company,
    slug: str,
    language: Language,
    last_updated: datetime.date,
    history: Sequence[Version] = (),
    *,
    draft: bool = False,
) -> PolicyDocument:
    """Write every section of the outline in ``language``, ending with the version history."""
    environment = template_environment(language, company.document.register)
    outline = build_outline(company)
    numbers = {section.anchor: section.number for section in walk(outline)}

    def ref(anchor: str) -> Markdown:
        return Markdown(f"[{numbers[anchor]}](#{anchor})")

    def has_section(anchor: str) -> bool:
        return anchor in numbers

    variables = {
        **environment.globals,
        "company": company,
        "fmt": company_formats(company, language),
        "ref": ref,
        "has_section": has_section,
        "history": history,
    }
    sections = tuple(walk(outline))
    templates = {name: environment.get_template(name) for name in {section.template for section in sections}}
    untypeset = [
        text
        for section in sections
        for text in _blocks(
            templates[section.template], {**variables, "section": section, "item": section.item}, ("title", "body")
        )
    ]
    # The whole policy is typeset at once, then taken back apart in the order it was written.
    texts = iter(typeset_all(untypeset, language))

    def assemble(section: OutlineSection) -> RenderedSection:
        title, body = Markdown(next(texts)), Markdown(next(texts))
        return RenderedSection(
            outline=section, title=title, body=body, children=tuple(assemble(child) for child in section.children)
        )

    return PolicyDocument(
        company=company,
        slug=slug,
        language=language,
        last_updated=last_updated,
        sections=tuple(assemble(section) for section in outline),
        languages=tuple(company.document.languages),
        history=tuple(history),
        draft=draft,
    )


def render_blocks(template: Template, context: dict[str, Any], *names: str) -> list[Markdown]:
    """The named blocks of ``template``, each stripped and typeset, rendered in one shared context.

    Every text of every output passes here (or through :func:`render_document`, which does the
    same for a whole policy at once) with its facts inserted, so this is where the language's
    typography (:func:`generator.typography.typeset_all`) is applied, once, and where a text
    about a company gets the formats that know its proper names (:func:`company_formats`).
    """
    language = str(template.environment.globals["language"])
    if "company" in context and "fmt" not in context:
        context = {"fmt": company_formats(context["company"], language), **context}
    variables = {**template.environment.globals, **context}
    return [Markdown(text) for text in typeset_all(_blocks(template, variables, names), language)]


def _blocks(template: Template, variables: dict[str, Any], names: Iterable[str]) -> list[str]:
    """The named blocks of ``template``, stripped, rendered in one context holding ``variables``.

    ``variables`` hold the environment's globals too: Jinja's default context would copy them
    out of a chain of mappings key by key, which took longer than rendering a short section.
    Templates are loaded without globals of their own, so the environment's are all there is.
    """
    context = template.new_context(variables, shared=True)
    return ["".join(template.blocks[name](context)).strip() for name in names]


def company_formats(company: Company, language: Language) -> Formats:
    """``language``'s formats, knowing which words open a proper name in ``company``'s facts."""
    return Formats(language, proper_names=proper_names(company))


def proper_names(company: Company) -> frozenset[str]:
    """The capitalised words that open a proper name in the facts, whatever the language.

    Every word of the brand and legal name (``Optingo``, ``Digital``), and the first word of
    each recipient's name and product, cookie provider and covered service (``Google``,
    ``Meta``): a data category or purpose named after one of them is a proper name.
    """
    controller = company.controller
    names = [
        *[recipient.name for recipient in company.recipients],
        *[recipient.service for recipient in company.recipients],
        *[cookie.provider for cookie in company.cookies],
        *[text for service in company.document.services for _, text in service.items()],
    ]
    words = [
        *(controller.brand_name or "").split(),
        *controller.legal_name.split(),
        *(name.split()[0] for name in names if name and name.strip()),
    ]
    return frozenset(word for word in map(leading_word, words) if word[:1].isupper())
