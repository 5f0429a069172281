"""HTML from the policy's Markdown: a standalone page, a fragment for embedding, and the print page of its PDF.

markdown-it-py parses with raw HTML off, so nothing in the facts or in a company's extra
sections can inject markup; a link destination that the safe-link rule
(:func:`generator.markdown_text.is_safe_link`) refuses stays plain text. Validation refuses
such links in the facts already; this is the second line of defence. The page shell is a
Jinja template with HTML autoescaping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from generator.compiled_templates import CompiledTemplates
from generator.document import OutlineSection, PolicyDocument, unescape
from generator.facts.company import SUMMARY_ANCHOR
from generator.languages import language as language_row
from generator.markdown_text import is_safe_link
from generator.outputs import POLICY_STEM, PolicyDraft, PrintPage, RenderedFile
from generator.render.markdown import MarkdownPolicy, policy_labels
from generator.render.tables import label_table_cells
from generator.resources import ASSETS, TEMPLATES, project_cache
from generator.templating import PolicyEnvironment
from generator.typography import typeset

_HEADING_ANCHOR = re.compile(r"\s*\{#([a-z][a-z0-9_-]*)\}$")


@dataclass(frozen=True)
class HtmlPolicy:
    """The policy as a whole page and as a body-only fragment."""

    page: str
    fragment: str


def _heading_anchors(state: StateCore) -> None:
    """Turn a trailing ``{#id}`` of a heading into the heading's ``id``."""
    tokens = state.tokens
    for index, token in enumerate(tokens[:-1]):
        inline = tokens[index + 1]
        if token.type != "heading_open" or inline.type != "inline" or not inline.children:
            continue
        last = inline.children[-1]
        match = _HEADING_ANCHOR.search(last.content) if last.type == "text" else None
        # The source must end with the attribute too: text_join folds an escaped ``\{#id\}``
        # (a fact printed in a heading) into plain text that would match.
        if match and _HEADING_ANCHOR.search(inline.content):
            token.attrSet("id", match[1])
            last.content = last.content[: match.start()]
            inline.content = _HEADING_ANCHOR.sub("", inline.content)


def _summary_blocks(state: StateCore) -> None:
    """Give the summary's paragraphs and table the class ``summary``, which keeps it on one A4 page."""
    inside = False
    for token in state.tokens:
        if token.type == "heading_open" and token.tag != "h1":
            inside = token.attrGet("id") == SUMMARY_ANCHOR
        elif token.type in ("paragraph_open", "table_open") and inside and token.level == 0:
            token.attrSet("class", "summary")


def _contents_navigation(state: StateCore) -> None:
    """Mark the label and the list of the contents (the last list before section 1) as a navigation.

    The unnumbered summary comes before the contents; only a numbered section ends the search.
    """
    tokens = state.tokens
    contents: int | None = None
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag != "h1" and token.attrGet("id") != SUMMARY_ANCHOR:
            break
        after_paragraph = index >= 3 and tokens[index - 1].type == "paragraph_close"
        if token.type == "bullet_list_open" and token.level == 0 and after_paragraph:
            contents = index
    if contents is not None:
        tokens[contents - 3].meta["contents"] = True
        tokens[contents].meta["contents"] = True
        closing = next(t for t in tokens[contents:] if t.type == "bullet_list_close" and t.level == 0)
        closing.meta["contents"] = True


def _paragraph_open(renderer: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: EnvType) -> str:
    if tokens[index].meta.get("contents"):
        # Capitalised: section anchors are lower-case, so no fact can repeat this id.
        return '<nav class="contents" aria-labelledby="Contents">\n<p id="Contents">'
    return renderer.renderToken(tokens, index, options, env)


def _bullet_list_close(
    renderer: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    closing = renderer.renderToken(tokens, index, options, env)
    return closing + "</nav>\n" if tokens[index].meta.get("contents") else closing


def _table_open(renderer: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: EnvType) -> str:
    # Focusable, so a keyboard can scroll a table wider than a phone's screen.
    return '<div class="table-wrap" tabindex="0">\n' + renderer.renderToken(tokens, index, options, env)


def _table_close(renderer: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: EnvType) -> str:
    return renderer.renderToken(tokens, index, options, env) + "</div>\n"


def _header_cell(renderer: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: EnvType) -> str:
    tokens[index].attrSet("scope", "col")
    return renderer.renderToken(tokens, index, options, env)


@cache
def markdown_parser() -> MarkdownIt:
    """CommonMark with GFM tables, no raw HTML, no images, heading anchors.

    The rules that can only find what validation refuses (raw HTML, underlined headings in a
    company's own Markdown) are off: the same output, without trying them on every line.
    """
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table").disable(["image", "html_block", "html_inline", "lheading"])
    parser.validateLink = is_safe_link  # type: ignore[method-assign,assignment]
    parser.core.ruler.push("heading_anchors", _heading_anchors)
    parser.core.ruler.push("table_labels", label_table_cells)
    parser.core.ruler.push("summary_blocks", _summary_blocks)
    parser.core.ruler.push("contents_navigation", _contents_navigation)
    parser.add_render_rule("paragraph_open", _paragraph_open)
    parser.add_render_rule("bullet_list_close", _bullet_list_close)
    parser.add_render_rule("table_open", _table_open)
    parser.add_render_rule("table_close", _table_close)
    parser.add_render_rule("th_open", _header_cell)
    return parser


COMPILED_PAGES = CompiledTemplates("pages")
"""The page templates, compiled once per process or at installation."""


@project_cache
def page_environment() -> Environment:
    """The Jinja environment of HTML pages: autoescaped, strict about undefined values."""
    environment = PolicyEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=COMPILED_PAGES,
        undefined=StrictUndefined,
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["css_string"] = css_string
    return environment


_CSS_PLAIN = frozenset(" .,:;()-·")


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, for a ``<style>`` element of a page (the PDF's footer).

    Every character but a letter, a digit, a space and ``.,:;()-·`` is written as a CSS escape
    (its code in hex and a space, which the escape takes with it), so that no fact can end the
    string, the rule or the element (``</style>``), and HTML's own escaping, which does not apply
    inside ``<style>``, is not needed.
    """
    body = "".join(
        character if character.isalnum() or character in _CSS_PLAIN else f"\\{ord(character):x} " for character in text
    )
    return Markup(f'"{body}"')


@project_cache
def stylesheet(name: str) -> str:
    """A stylesheet from the shipped assets."""
    return (ASSETS / name).read_text(encoding="utf-8")


def render_html(document: PolicyDocument, markdown: MarkdownPolicy) -> HtmlPolicy:
    """The page (with its inline stylesheet) and the fragment of one policy."""
    fragment = _article(document, markdown)
    page = _page(document, markdown, fragment, stylesheet=stylesheet("policy.css"), alternates=_alternates(document))
    return HtmlPolicy(page=page, fragment=fragment)


def render_print_page(
    document: PolicyDocument,
    markdown: MarkdownPolicy,
    version: int,
    logo: str | None = None,
    article: str | None = None,
) -> str:
    """The page WeasyPrint lays out: a title block and a running footer, styles given apart.

    The stylesheets are not inlined: render/pdf.py parses them once per process. ``logo`` is
    the URL of the company's logo file, which the PDF's fetcher alone may read; ``article`` is
    the HTML fragment when it was already made, so the Markdown is not parsed twice.
    """
    controller = document.company.controller
    # The names come from the facts, not from a template: they are typeset here.
    legal_name = typeset(controller.legal_name, document.language)
    brand = typeset(controller.brand_name, document.language) if controller.brand_name else legal_name
    title_block = {
        "brand": brand,
        "legal_name": legal_name,
        "logo": logo,
        "version": f"{unescape(policy_labels(document)['version'])} {version}",
        "updated": markdown.updated,
    }
    article = article or _article(document, markdown)
    footer = f"{brand} · {markdown.updated}"
    return _page(document, markdown, article, for_print=True, title_block=title_block, footer=footer)


def _article(document: PolicyDocument, markdown: MarkdownPolicy) -> str:
    body = markdown_parser().render(markdown.body)
    return f'<article class="privacy-policy" lang="{document.language}">\n{body}</article>\n'


def _page(document: PolicyDocument, markdown: MarkdownPolicy, article: str, **context: Any) -> str:
    defaults: dict[str, Any] = {"stylesheet": "", "alternates": [], "for_print": False}
    defaults |= {"title_block": None, "footer": ""}
    # A draft says so on every page it makes, screen and print alike.
    defaults |= {
        "draft_label": markdown.updated if document.draft else "",
        "draft_stylesheet": stylesheet("draft.css") if document.draft else "",
    }
    return (
        page_environment()
        .get_template("page.html.j2")
        .render(
            document=document,
            title=markdown.title,
            languages_label=markdown.languages_label,
            article=article,
            author=document.company.controller.legal_name,
            **(defaults | context),
        )
    )


def _alternates(document: PolicyDocument) -> list[dict[str, Any]]:
    return [
        {
            "language": language,
            "name": language_row(language).name,
            "href": f"../{language}/{POLICY_STEM}.html",
        }
        for language in document.languages
        if language != document.language
    ]


@dataclass(frozen=True)
class SectionCell:
    """One language's section, as HTML, in a row of sections shown side by side."""

    language: str
    title: Markup
    body: Markup


@dataclass(frozen=True)
class SectionRow:
    """One section of the outline in every language shown side by side."""

    outline: OutlineSection
    cells: tuple[SectionCell, ...]

    @property
    def depth(self) -> int:
        """1 for a section (and the summary), 2 for a subsection."""
        return self.outline.number.count(".") + 1


def aligned_sections(policies: Sequence[PolicyDraft]) -> list[SectionRow]:
    """Each section with its title and body in every language, for the bilingual PDF and the preview.

    Every language walks the same outline (:mod:`generator.document`), so the rows align by
    construction and share the section's anchor.
    """
    parser = markdown_parser()
    walks = [list(policy.document.walk()) for policy in policies]
    return [
        SectionRow(
            sections[0].outline,
            tuple(
                SectionCell(
                    policy.language,
                    Markup(parser.renderInline(str(section.numbered_title))),
                    Markup(section_html(str(section.body))),
                )
                for policy, section in zip(policies, sections, strict=True)
            ),
        )
        for sections in zip(*walks, strict=True)
    ]


SECTIONS_KEPT = 512
"""How many sections' HTML :func:`section_html` keeps: every section of a few policies in every language."""


@lru_cache(maxsize=SECTIONS_KEPT)
def section_html(markdown: str) -> str:
    """The HTML of one section's Markdown, kept for the next page that shows the same text.

    ``serve`` makes its side-by-side page anew after every save, from every section in every
    language, while a save changes a few of them: rendering the rest again took half the time
    from a save to the refreshed page.
    """
    html: str = markdown_parser().render(markdown)
    return html


def html_files(policy: PolicyDraft) -> list[RenderedFile]:
    """The ``html`` output kind: the standalone page and the fragment to embed in a site's layout."""
    return [
        RenderedFile(f"{POLICY_STEM}.html", "html", policy.html.page.encode()),
        RenderedFile(f"{POLICY_STEM}.fragment.html", "html-fragment", policy.html.fragment.encode()),
    ]


def pdf_pages(policy: PolicyDraft) -> list[PrintPage]:
    """The ``pdf`` output kind: the print page of one language, which a worker lays out as the PDF."""
    logo = policy.document.company.document.logo_file
    return [PrintPage(f"{POLICY_STEM}.pdf", policy.print_html, policy.document.last_updated, logo)]
