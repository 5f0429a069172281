"""HTML from the policy's Markdown: a standalone page and a fragment for embedding.

markdown-it-py parses with raw HTML off, so nothing in the facts or in a company's extra
sections can inject markup; link destinations other than http(s), mailto and in-page
anchors are refused by markdown-it's link validation. The page shell is a Jinja
template with HTML autoescaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel import Locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from generator.document import PolicyDocument
from generator.i18n import BABEL_LOCALES
from generator.outputs import POLICY_STEM, PolicyDraft, RenderedFile
from generator.render.markdown import MarkdownPolicy
from generator.resources import ASSETS, TEMPLATES

_HEADING_ANCHOR = re.compile(r"\s*\{#([a-z][a-z0-9_-]*)\}$")
_ALLOWED_LINK = re.compile(r"^(https?:|mailto:|tel:|#|\.\./privacy-policy\.html#)", re.IGNORECASE)


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
    """CommonMark with GFM tables, no raw HTML, no images, heading anchors."""
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table").disable("image")
    parser.validateLink = lambda url: bool(_ALLOWED_LINK.match(url.strip()))  # type: ignore[method-assign]
    parser.core.ruler.push("heading_anchors", _heading_anchors)
    parser.add_render_rule("table_open", _table_open)
    parser.add_render_rule("table_close", _table_close)
    parser.add_render_rule("th_open", _header_cell)
    return parser


@cache
def page_environment() -> Environment:
    """Jinja for the HTML page templates: HTML autoescaping, undefined names fatal."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def stylesheet(name: str) -> str:
    """A stylesheet from the shipped assets."""
    return (ASSETS / name).read_text(encoding="utf-8")


def render_html(document: PolicyDocument, markdown: MarkdownPolicy, *, for_print: bool = False) -> HtmlPolicy:
    """The page (with inline screen and print CSS) and the fragment of one policy."""
    body = markdown_parser().render(markdown.body)
    fragment = f'<article class="privacy-policy" lang="{document.language}">\n{body}</article>\n'
    page = (
        page_environment()
        .get_template("page.html.j2")
        .render(
            document=document,
            title=markdown.title,
            article=fragment,
            alternates=_alternates(document),
            stylesheet=stylesheet("policy.css"),
            print_stylesheet=stylesheet("print.css") if for_print else "",
            author=document.company.controller.legal_name,
            footer=_footer(document, markdown),
            for_print=for_print,
        )
    )
    return HtmlPolicy(page=page, fragment=fragment)


def _alternates(document: PolicyDocument) -> list[dict[str, Any]]:
    return [
        {
            "language": language,
            "name": Locale.parse(BABEL_LOCALES[language]).language_name,
            "href": f"../{language}/{POLICY_STEM}.html",
        }
        for language in document.languages
        if language != document.language
    ]


def _footer(document: PolicyDocument, markdown: MarkdownPolicy) -> str:
    return f"{document.company.controller.legal_name} · {markdown.updated}"


def html_files(policy: PolicyDraft) -> list[RenderedFile]:
    """The ``html`` output kind: the standalone page and the fragment to embed in a site's layout."""
    return [
        RenderedFile(f"{POLICY_STEM}.html", "html", policy.html.page.encode()),
        RenderedFile(f"{POLICY_STEM}.fragment.html", "html-fragment", policy.html.fragment.encode()),
    ]
