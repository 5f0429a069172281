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
from functools import cache
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


WIDE_TABLE_COLUMNS = 5
"""From this many columns a table is laid out as stacked rows on A4 and on a phone."""


TABLE_LINE_CHARACTERS = 100
"""About how many characters of a table's text fill a line of its full width (A4 at 8.5 pt; a screen page)."""
_LINK_DESTINATION = re.compile(r"\]\(<[^>]*>\)|\]\([^)]*\)")


def column_widths(columns: Sequence[Sequence[str]], line: int = TABLE_LINE_CHARACTERS) -> list[int]:
    """The share of a table's width, in whole percent, of each column but the last, which takes what is
    left: widths summing to 100 % would leave the cells' padding outside the table, past the margin.

    ``columns`` holds each column's cells, its header first. The tables are laid out with
    ``table-layout: fixed``, which halves WeasyPrint's layout but shares the width equally: a
    version history's changes then had a third of the page, and a row ran longer than a page.
    Estimated from the characters of the cells instead, about as an automatic layout would: a
    column whose longest cell fits in an equal share of the line is given all it needs, so a legal
    basis or a date is never wrapped; the others share the rest, each its longest unbreakable run
    (a no-break space binds, as in a date) and more in proportion to what its longest cell lacks.
    """
    narrow = line / len(columns)
    # A word longer than an equal share (a web address) is broken anyway (overflow-wrap).
    shortest = [min(max(len(word) for cell in cells for word in cell.split(" ")), narrow) or 1 for cells in columns]
    longest = [max(len(cell) for cell in cells) or 1 for cells in columns]
    wanted: list[float] = [float(most) for most in longest]
    if sum(longest) > line:
        wide = [index for index, most in enumerate(longest) if most > narrow]
        left = max(line - sum(longest) + sum(longest[index] - shortest[index] for index in wide), 0)
        lacking = sum(longest[index] - shortest[index] for index in wide) or 1
        for index in wide:
            wanted[index] = shortest[index] + left * (longest[index] - shortest[index]) / lacking
    total = sum(wanted)
    return [max(round(100 * width / total), 1) for width in wanted[:-1]]


def _table_labels(state: StateCore) -> None:
    """Give each data cell its column's header as ``data-label``, wide tables the class ``wide``
    and the header cells of the others their column's width (:func:`column_widths`).

    A stacked row (each cell on its own line, on A4 or on a phone) shows the label before the
    value with CSS alone, so the stacked and the tabular layout come from one markup.
    """
    tokens = state.tokens
    header_cells: list[Token] = []
    headers: list[str] = []
    columns: list[list[str]] = []
    column = 0
    table_open: Token | None = None
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            table_open, header_cells, headers, columns = token, [], [], []
        elif token.type == "th_open":
            header_cells.append(token)
            headers.append(unescape(tokens[index + 1].content))
            columns.append([_cell_text(tokens[index + 1].content)])
        elif token.type == "tr_open":
            column = 0
        elif token.type == "td_open":
            if column < len(header_cells):
                token.attrSet("data-label", headers[column])  # escaped again when rendered
                columns[column].append(_cell_text(tokens[index + 1].content))
            column += 1
        elif token.type == "table_close" and table_open is not None:
            if len(header_cells) >= WIDE_TABLE_COLUMNS:
                table_open.attrSet("class", "wide")
            else:
                for cell, percent in zip(header_cells[:-1], column_widths(columns), strict=True):
                    style = cell.attrGet("style")
                    cell.attrSet("style", f"{style}; width: {percent}%" if style else f"width: {percent}%")


def _cell_text(markdown: str) -> str:
    """About the text a reader sees in a cell: its Markdown without link destinations, brackets, emphasis or escapes."""
    return unescape(_LINK_DESTINATION.sub("", markdown).replace("[", "").replace("**", ""))


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
    parser.core.ruler.push("table_labels", _table_labels)
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
    return PolicyEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=COMPILED_PAGES,
        undefined=StrictUndefined,
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


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
                    Markup(parser.render(str(section.body))),
                )
                for policy, section in zip(policies, sections, strict=True)
            ),
        )
        for sections in zip(*walks, strict=True)
    ]


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
